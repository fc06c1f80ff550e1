package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
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

// TestSkippingAnOccurrenceTellsCalendarsOnly: skipping one meeting of a
// series sends the updated series to the invitees' calendars (email) and
// no text message repeating the unchanged first date.
func TestSkippingAnOccurrenceTellsCalendarsOnly(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	storetest.ImportWorkers(t, st, "name,mobile,voter_id,gender,email,language,unit_code,roles\n"+
		"Booth President,9800000004,AAA0000004,F,booth.president@example.in,hi,D1-A1-M1-C1-S1-B1,booth_president\n")
	sys := schedule.SystemActor("t")
	kendra, _ := st.FindUnitByCode(ctx, sys, "D1-A1-M1-C1-S1")
	b1, _ := st.FindUnitByCode(ctx, sys, "D1-A1-M1-C1-S1-B1")
	b2, _ := st.FindUnitByCode(ctx, sys, "D1-A1-M1-C1-S1-B2")
	start := time.Date(2026, 12, 27, 5, 30, 0, 0, time.UTC)
	saved, err := st.CreateEvent(ctx, sys, schedule.Event{UnitID: kendra.ID, Type: "meeting", Title: "Kendra meeting",
		Venue: schedule.Venue{Name: "School"}, Start: start, End: start.Add(time.Hour), RRule: "FREQ=MONTHLY;BYDAY=-1SU"})
	if err != nil {
		t.Fatal(err)
	}
	id := saved.Event.ID
	if _, err := st.SendInvites(ctx, sys, id, store.Audience{UnitIDs: []int64{b1.ID}, Roles: []string{"booth_president"}, Channel: schedule.ChannelEmail}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SendInvites(ctx, sys, id, store.Audience{UnitIDs: []int64{b2.ID}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, "UPDATE outbox SET status = 'sent' WHERE event_id = ?", id); err != nil {
		t.Fatal(err)
	}
	count := func(channel string) int {
		var n int
		st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM outbox WHERE event_id = ? AND kind = 'change' AND channel = ?", id, channel).Scan(&n)
		return n
	}
	if _, err := st.SkipOccurrence(ctx, sys, id, time.Date(2027, 1, 31, 5, 30, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if count("email") != 1 || count("sms") != 0 {
		t.Errorf("skipping an occurrence: %d email and %d SMS notices; want the calendar update by email only", count("email"), count("sms"))
	}
	// Moving the series' time is news for everyone.
	rec, _ := st.FindEventByID(ctx, sys, id)
	rec.Event.Start, rec.Event.End = rec.Event.Start.Add(time.Hour), rec.Event.End.Add(time.Hour)
	rec.Event.ExDates = []time.Time{time.Date(2027, 1, 31, 6, 30, 0, 0, time.UTC)}
	if _, err := st.UpdateEvent(ctx, sys, rec.Event); err != nil {
		t.Fatal(err)
	}
	if count("sms") == 0 {
		t.Error("a new time reached nobody by SMS")
	}
}
