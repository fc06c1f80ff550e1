package seed_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

func TestDistrictsFromFixture(t *testing.T) {
	ds, err := seed.Districts()
	if err != nil || len(ds) != 57 {
		t.Fatalf("%d districts, %v", len(ds), err)
	}
	if ds[0].Name != "Gwalior Nagar" || ds[0].NameHi != "ग्वालियर नगर" || ds[0].HQ != "Gwalior" {
		t.Errorf("first district %+v", ds[0])
	}
}

func count(t *testing.T, b []byte, col int) map[string]int {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for _, r := range recs[1:] {
		m[r[col]]++
	}
	return m
}

func TestStateScaleHitsRealNumbersDeterministically(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 65,015 booths")
	}
	var u1, w1, u2, w2 bytes.Buffer
	if err := seed.Generate(seed.State(), &u1, &w1); err != nil {
		t.Fatal(err)
	}
	levels := count(t, u1.Bytes(), 2)
	want := map[string]int{"state": 1, "district": 57, "assembly": 230, "mandal": 1000, "cluster": 6400, "shakti_kendra": 12800, "booth": 65015}
	for k, v := range want {
		if levels[k] != v {
			t.Errorf("%s: %d, want %d", k, levels[k], v)
		}
	}
	roles := count(t, w1.Bytes(), 6)
	if roles["booth_president"] != 65015 || roles["committee_member"] != 65015*8 {
		t.Errorf("committees: %d presidents, %d members", roles["booth_president"], roles["committee_member"])
	}
	seed.Generate(seed.State(), &u2, &w2)
	if sha256.Sum256(w1.Bytes()) != sha256.Sum256(w2.Bytes()) || sha256.Sum256(u1.Bytes()) != sha256.Sum256(u2.Bytes()) {
		t.Error("two runs differ")
	}
}

func TestWorkerTotalIsExact(t *testing.T) {
	spec := seed.Demo()
	spec.Workers = 30_000
	var u, w bytes.Buffer
	if err := seed.Generate(spec, &u, &w); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(w.String(), "\n") - 1; n != 30_000 {
		t.Errorf("%d workers, want 30000", n)
	}
}

func TestDemoImportsCleanly(t *testing.T) {
	st := storetest.Open(t)
	var u, w bytes.Buffer
	if err := seed.Generate(seed.Demo(), &u, &w); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sys := schedule.SystemActor("seed")
	if rep, err := st.ImportUnits(ctx, sys, &u, nil); err != nil {
		t.Fatalf("units: %v %v", err, rep.List)
	}
	rep, err := st.ImportWorkers(ctx, sys, &w, nil)
	if err != nil {
		t.Fatalf("workers: %v %v", err, rep.List)
	}
	women := 0
	for _, mob := range []string{seed.StateOfficeMobile, seed.DistrictOfficeMobile, seed.MandalPresidentMobile, seed.BoothPresidentMobile} {
		m, _ := schedule.NormaliseMobile(mob)
		a, err := st.ActorByMobile(ctx, m)
		if err != nil || len(a.Scope.Roots) != 1 {
			t.Errorf("demo login %s: %+v %v", mob, a, err)
		}
	}
	booth, err := st.FindUnitByCode(ctx, sys, "D01-A1-M1-C1-S1-B1")
	if err != nil {
		t.Fatal(err)
	}
	ws, total, _ := st.FindWorkers(ctx, sys, schedule.WorkerFilter{UnitID: booth.ID, Limit: 100})
	for _, x := range ws {
		if x.Gender == "F" {
			women++
		}
	}
	if total != 12 || women < 3 {
		t.Errorf("booth committee: %d members, %d women", total, women)
	}
}
