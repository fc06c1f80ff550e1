package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// TestEventsRecurOnTheOrganisationsClock: with the organisation in Nepal
// (+05:45), a weekly Sunday 00:10 meeting (a Saturday in UTC and in IST)
// is accepted and read back expanding on Nepal's clock.
func TestEventsRecurOnTheOrganisationsClock(t *testing.T) {
	np, err := schedule.LoadZone("Asia/Kathmandu")
	if err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	st.SetZone(np)
	sys := schedule.SystemActor("t")
	u, err := st.FindUnitByCode(ctx, sys, "D1")
	if err != nil {
		t.Fatal(err)
	}
	start := np.Date(2026, 12, 6, 0, 10)
	saved, err := st.CreateEvent(ctx, sys, schedule.Event{UnitID: u.ID, Type: "meeting", Title: "Night watch",
		Start: start, End: start.Add(time.Hour), RRule: "FREQ=WEEKLY;BYDAY=SU"})
	if err != nil {
		t.Fatalf("a Sunday series on the organisation's clock: %v", err)
	}
	rec, err := st.FindEventByID(ctx, sys, saved.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	occs, err := rec.Occurrences(start, start.AddDate(0, 0, 15))
	if err != nil || len(occs) != 3 || np.In(occs[2].Start).Weekday() != time.Sunday || np.ClockKey(occs[2].Start) != "00:10" {
		t.Fatalf("occurrences %v %v", occs, err)
	}
}
