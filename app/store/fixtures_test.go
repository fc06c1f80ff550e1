package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// Fixtures the store tests share.

// seededAt opens a store loaded with storetest.Seed's tree whose clock
// stands still at now.
func seededAt(t testing.TB, now time.Time) *store.Store {
	t.Helper()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	st.SetClock(func() time.Time { return now })
	return st
}

// inviteNow is the fixed "now" of the invitation and address tests.
func inviteNow() time.Time { return time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC) }

// unitID is the id of the seeded unit with code.
func unitID(t testing.TB, st *store.Store, code string) int64 {
	t.Helper()
	u, err := st.FindUnitByCode(context.Background(), schedule.SystemActor("test"), code)
	if err != nil {
		t.Fatalf("unit %s: %v", code, err)
	}
	return u.ID
}

// insertEvent creates an event at unit code, starting at start, through
// the events store.
func insertEvent(t testing.TB, st *store.Store, unitCode, uid string, start time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	u, err := st.FindUnitByCode(ctx, schedule.SystemActor("t"), unitCode)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := st.CreateEvent(ctx, schedule.SystemActor("t"), schedule.Event{
		UID: uid, UnitID: u.ID, Type: "meeting", Title: "District Working Committee", TitleHi: "ज़िला कार्यसमिति बैठक",
		Venue: schedule.Venue{Name: "Manas Bhawan"}, Start: start, End: start.Add(2 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return saved.Event.ID
}

// addressEvent creates an event of type "address" at unit code.
func addressEvent(t testing.TB, st *store.Store, unitCode, uid string, start time.Time) int64 {
	t.Helper()
	saved, err := st.CreateEvent(context.Background(), schedule.SystemActor("t"), schedule.Event{
		UID: uid, UnitID: unitID(t, st, unitCode), Type: store.AddressEventType, Title: "State address", TitleHi: "प्रदेश संबोधन",
		Start: start, End: start.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return saved.Event.ID
}

// inviteD1 invites everyone in district D1 to ev by SMS, as actor.
func inviteD1(t testing.TB, st *store.Store, actor schedule.Actor, ev int64) {
	t.Helper()
	if _, err := st.SendInvites(context.Background(), actor, ev, store.Audience{UnitIDs: []int64{unitID(t, st, "D1")}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
}
