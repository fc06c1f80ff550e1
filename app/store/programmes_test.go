package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

func clusterDepth(t *testing.T, st *store.Store) int {
	t.Helper()
	ls, err := st.Levels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l, ok := ls.ByKey("cluster")
	if !ok {
		t.Fatal("no cluster level")
	}
	return l.Depth
}

func TestProgrammeRunIdempotentAndProgress(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	state := storetest.Actor(t, st, "9800000001")
	st.SetClock(func() time.Time { return ist(t, "2026-04-20", "09:00") })
	p, err := st.CreateProgramme(ctx, state, store.ProgrammeRecord{
		Programme: schedule.Programme{Type: "sports", Title: "Sports fortnight", TitleHi: "खेल पखवाड़ा",
			WindowStart: ist(t, "2026-05-04", "00:00"), WindowEnd: ist(t, "2026-05-18", "00:00")},
		LevelDepth: clusterDepth(t, st), RootUnitID: unitID(t, st, "MP"),
	})
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.RunProgramme(ctx, state, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// SmallTree has three clusters.
	if run.Units != 3 || run.Created != 3 || run.Existing != 0 || run.Unscheduled != 3 {
		t.Fatalf("first run %+v", run)
	}
	again, err := st.RunProgramme(ctx, state, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Existing != 3 {
		t.Fatalf("second run %+v, want nothing created", again)
	}
	evs, err := st.FindEvents(ctx, state, store.EventFilter{ProgrammeID: p.ID})
	if err != nil || len(evs) != 3 {
		t.Fatalf("programme events: %d %v", len(evs), err)
	}

	// Cluster two's committee sets its date and venue inside the window.
	two := clusterOfficial(t, st, "BBB0000003", "9811111113", "D1-A1-M2-C1")
	var mine store.EventRecord
	for _, e := range evs {
		if e.UnitCode == "D1-A1-M2-C1" {
			mine = e
		}
	}
	if mine.Status != schedule.EventTentative {
		t.Fatalf("placeholder status %q", mine.Status)
	}
	e := mine.Event
	e.Start, e.End = ist(t, "2026-05-30", "10:00"), ist(t, "2026-05-30", "12:00")
	e.Venue.Name, e.Status = "Mandal ground", schedule.EventConfirmed
	if _, err := st.UpdateEvent(ctx, two, e); schedule.ErrorCode(err) != schedule.EINVALID || fieldOf(err) != "start" {
		t.Fatalf("outside the window: %v", err)
	}
	e.Start, e.End = ist(t, "2026-05-09", "10:00"), ist(t, "2026-05-09", "12:00")
	if _, err := st.UpdateEvent(ctx, two, e); err != nil {
		t.Fatal(err)
	}
	prog, err := st.ProgrammeStatus(ctx, state, p.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if prog.Units != 3 || prog.Scheduled != 1 || prog.Unscheduled != 2 || len(prog.UnscheduledUnits) != 2 {
		t.Fatalf("progress %+v", prog)
	}
	for _, u := range prog.UnscheduledUnits {
		if u.Code == "D1-A1-M2-C1" {
			t.Fatalf("cluster two has scheduled, yet is listed as unscheduled")
		}
	}
	// The cluster official sees the programme and only their own part.
	theirs, err := st.ProgrammeStatus(ctx, two, p.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if theirs.Units != 1 || theirs.Scheduled != 1 {
		t.Fatalf("cluster view %+v", theirs)
	}
	if _, err := st.RunProgramme(ctx, two, p.ID); schedule.ErrorCode(err) != schedule.EFORBIDDEN {
		t.Fatalf("a cluster official runs the statewide programme: %v", err)
	}
	// The district official of D2 sees D2's one cluster.
	d2, err := st.ProgrammeStatus(ctx, storetest.Actor(t, st, "9800000005"), p.ID, 0)
	if err != nil || d2.Units != 1 || d2.Unscheduled != 1 || d2.UnscheduledUnits[0].Code != "D2-A1-M1-C1" {
		t.Fatalf("district two: %+v %v", d2, err)
	}
}

func TestProgrammeBadInput(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	district := storetest.Actor(t, st, "9800000002")
	good := store.ProgrammeRecord{
		Programme:  schedule.Programme{Type: "sports", Title: "X", WindowStart: ist(t, "2026-05-04", ""), WindowEnd: ist(t, "2026-05-18", "")},
		LevelDepth: clusterDepth(t, st), RootUnitID: unitID(t, st, "D1"),
	}
	bad := good
	bad.WindowEnd = ist(t, "2026-05-01", "")
	if _, err := st.CreateProgramme(ctx, district, bad); fieldOf(err) != "window_end" {
		t.Fatalf("window ends before it starts: %v", err)
	}
	bad = good
	bad.RootUnitID = unitID(t, st, "MP")
	if _, err := st.CreateProgramme(ctx, district, bad); fieldOf(err) != "root_unit" {
		t.Fatalf("root outside scope: %v", err)
	}
	bad = good
	bad.Type = "picnic"
	if _, err := st.CreateProgramme(ctx, district, bad); fieldOf(err) != "type" {
		t.Fatalf("unknown type: %v", err)
	}
	p, err := st.CreateProgramme(ctx, district, good)
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.RunProgramme(ctx, district, p.ID)
	if err != nil || run.Created != 2 {
		t.Fatalf("district run: %+v %v", run, err)
	}
	// D2's official does not see D1's programme.
	if _, err := st.FindProgrammeByID(ctx, storetest.Actor(t, st, "9800000005"), p.ID); !schedule.IsNotFound(err) {
		t.Fatalf("other district sees the programme: %v", err)
	}
}
