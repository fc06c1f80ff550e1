package main

import (
	"context"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

func TestLastSundayAfter(t *testing.T) {
	ist := schedule.Zone{}.Location()
	for _, tt := range []struct{ day, want string }{
		{"2026-11-23", "2026-11-29"},
		{"2026-11-29", "2026-11-29"},
		{"2026-11-30", "2026-12-27"},
		{"2026-12-28", "2027-01-31"},
	} {
		d, _ := time.ParseInLocation("2006-01-02", tt.day, ist)
		if got := lastSundayAfter(d).Format("2006-01-02"); got != tt.want {
			t.Errorf("lastSundayAfter(%s) = %s, want %s", tt.day, got, tt.want)
		}
	}
}

func TestDemoCalendarHasEventsAndAProgrammeForEveryCluster(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	if err := seedInto(ctx, st, seed.Demo(), nil); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	if err := seedDemoCalendar(ctx, st, schedule.Zone{}, now); err != nil {
		t.Fatal(err)
	}
	sys := schedule.SystemActor("t")
	ps, err := st.FindProgrammes(ctx, sys)
	if err != nil || len(ps) != 1 {
		t.Fatalf("programmes: %v %v", ps, err)
	}
	status, err := st.ProgrammeStatus(ctx, sys, ps[0].ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if status.Units != seed.Demo().Clusters || status.NotCreated != 0 {
		t.Errorf("programme: %d units, %d without an event; want all %d clusters", status.Units, status.NotCreated, seed.Demo().Clusters)
	}
	evs, err := st.FindEvents(ctx, sys, store.EventFilter{From: now, To: now.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, e := range evs {
		types[e.Type]++
	}
	if types["listening"] == 0 || types["training"] != 1 || types["sports"] != seed.Demo().Clusters {
		t.Errorf("demo events by type: %v", types)
	}
}
