package store_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// The campaign benchmarks run at state scale on the database named by
// KARYAKRAM_BENCH_DSN (use a scratch schema: ?search_path=bench_campaigns).
// When it has no workers yet they are made with bulk SQL, not the API:
// the state's 80,000 units through the units importer, then 46 workers in
// each of the 65,015 booths (2,990,690) and a 12-member committee's roles
// in each (a labharthi pramukh missing in every fifth booth, the
// president's mobile verified in every other) by INSERT … SELECT. The
// search indexes (trigram GIN) are dropped in that schema first: they
// cost the bulk insert minutes and no readiness query reads them.

const benchBoothWorkers = 46

func campaignBenchStore(b *testing.B) (*store.Store, schedule.Campaign) {
	b.Helper()
	st := benchStore(b)
	ctx := context.Background()
	sys := schedule.SystemActor("bench")
	db := st.DB()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM workers").Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n < 65015*benchBoothWorkers {
		start := time.Now()
		var units bytes.Buffer
		if err := seed.Generate(seed.State(), &units, io.Discard); err != nil {
			b.Fatal(err)
		}
		if rep, err := st.ImportUnits(ctx, sys, &units, nil); err != nil {
			b.Fatalf("units: %v %v", err, rep.List)
		}
		for _, q := range []string{
			"DROP INDEX IF EXISTS workers_name_trgm_idx", "DROP INDEX IF EXISTS workers_mobile_trgm_idx", "DROP INDEX IF EXISTS workers_name_order_idx",
			`INSERT INTO workers (name, name_key, mobile, voter_id, gender, social, unit_id, unit_path, active, verified_mobile)
			 SELECT 'Karyakarta ' || u.id || '-' || k, 'karyakarta ' || u.id || '-' || k,
			        '+91' || (7000000000 + u.id * 100 + k), 'BV' || (u.id * 100 + k),
			        CASE WHEN k % 3 = 0 THEN 'F' ELSE 'M' END, CASE WHEN k % 4 = 0 THEN '' ELSE '@k' || u.id || k END,
			        u.id, u.path, TRUE,
			        CASE WHEN k = 1 AND u.id % 2 = 0 THEN '+91' || (7000000000 + u.id * 100 + k) END
			 FROM units u CROSS JOIN generate_series(1, 46) AS k WHERE u.depth = 6`,
			`INSERT INTO worker_roles (worker_id, role_key, unit_id, unit_path)
			 SELECT w.id, CASE k WHEN 1 THEN 'booth_president' WHEN 2 THEN 'mann_ki_baat_pramukh' WHEN 3 THEN 'labharthi_pramukh'
			        WHEN 4 THEN 'whatsapp_pramukh' ELSE 'committee_member' END, w.unit_id, w.unit_path
			 FROM workers w CROSS JOIN LATERAL (SELECT CAST(split_part(w.name, '-', 2) AS INTEGER) AS k) kk
			 WHERE kk.k <= 12 AND NOT (kk.k = 3 AND w.unit_id % 5 = 0)`,
			"ANALYZE workers", "ANALYZE worker_roles", "ANALYZE units",
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				b.Fatalf("%.60s: %v", q, err)
			}
		}
		b.Logf("seeded in %v", time.Since(start).Round(time.Second))
	}
	roots, err := st.ScopeUnits(ctx, sys)
	if err != nil || len(roots) == 0 {
		b.Fatalf("no root: %v", err)
	}
	cs := store.NewCampaigns(st)
	list, err := cs.List(ctx, sys)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range list {
		if c.Title == "Bench digital booth" {
			return st, c
		}
	}
	c, err := cs.Create(ctx, sys, schedule.Campaign{Title: "Bench digital booth", UnitID: roots[0].ID,
		Target: schedule.CivilDay(time.Now(), schedule.Zone{}).AddDate(0, 0, 60),
		Rules: schedule.CampaignRules{Levels: []schedule.LevelRule{{Level: schedule.LevelBooth, Members: 12,
			Roles:    []schedule.RoleCount{{Role: "booth_president", Count: 1}, {Role: "mann_ki_baat_pramukh", Count: 1}, {Role: "labharthi_pramukh", Count: 1}},
			Verified: []string{"booth_president"}}}}})
	if err != nil {
		b.Fatal(err)
	}
	return st, c
}

// BenchmarkCampaignReadinessState recomputes every booth's readiness for
// the whole state (65,015 booths, ~3M workers) and rolls it up to the
// districts, as the state office's dashboard does.
func BenchmarkCampaignReadinessState(b *testing.B) {
	st, c := campaignBenchStore(b)
	ctx := context.Background()
	sys := schedule.SystemActor("bench")
	cs := store.NewCampaigns(st)
	root, err := cs.Where(ctx, sys, c, 0)
	if err != nil {
		b.Fatal(err)
	}
	levels, _ := st.Levels(ctx)
	kids, _ := st.Children(ctx, sys, root.ID)
	var children []schedule.Unit
	for _, k := range kids {
		children = append(children, k.Unit)
	}
	b.ResetTimer()
	var ready, total int
	for i := 0; i < b.N; i++ {
		ev, err := cs.Evaluate(ctx, sys, c, root)
		if err != nil {
			b.Fatal(err)
		}
		ready, total = 0, 0
		for _, cp := range schedule.RollUp(children, ev, levels, 3) {
			ready += cp.Main().Ready
			total += cp.Main().Total
		}
	}
	b.StopTimer()
	// The peer, in the same run: one plain pass over the same worker rows
	// (what any recompute from the records must at least read).
	start := time.Now()
	var n int
	lo, hi := schedule.SubtreeRange(root.Path)
	if err := st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM workers WHERE unit_path >= ? AND unit_path < ? AND social <> 'x'", lo, hi).Scan(&n); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "scan-ms")
	b.ReportMetric(float64(total), "booths")
	b.ReportMetric(float64(ready), "ready")
}

// BenchmarkCampaignReadinessDistrict is one district's dashboard data.
func BenchmarkCampaignReadinessDistrict(b *testing.B) {
	st, c := campaignBenchStore(b)
	ctx := context.Background()
	sys := schedule.SystemActor("bench")
	cs := store.NewCampaigns(st)
	root, _ := cs.Where(ctx, sys, c, 0)
	kids, _ := st.Children(ctx, sys, root.ID)
	d := kids[0].Unit
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		ev, err := cs.Evaluate(ctx, sys, c, d)
		if err != nil {
			b.Fatal(err)
		}
		n = len(ev)
	}
	b.ReportMetric(float64(n), "booths")
}

// BenchmarkCampaignSnapshotState writes one day's snapshot of every unit
// of the state (one transaction; rerun of the same day).
func BenchmarkCampaignSnapshotState(b *testing.B) {
	st, c := campaignBenchStore(b)
	ctx := context.Background()
	cs := store.NewCampaigns(st)
	day := schedule.CivilDay(time.Now(), schedule.Zone{})
	b.ResetTimer()
	rows := 0
	for i := 0; i < b.N; i++ {
		var err error
		if rows, err = cs.Snapshot(ctx, schedule.SystemActor("bench"), c.ID, day); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows), "units")
}
