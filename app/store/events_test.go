package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// ist returns the instant of an IST wall-clock time.
func ist(t *testing.T, date, clock string) time.Time {
	t.Helper()
	v, err := schedule.Zone{}.Parse(date, clock)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// clusterOfficial makes the worker with voterID president (an official
// role) of the cluster unit code and returns them as an actor.
func clusterOfficial(t *testing.T, st *store.Store, voterID, mobile, code string) schedule.Actor {
	t.Helper()
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	if err := st.AssignRole(ctx, sys, workerID(t, st, voterID), "president", unitID(t, st, code)); err != nil {
		t.Fatalf("assign president at %s: %v", code, err)
	}
	return storetest.Actor(t, st, mobile)
}

func fieldOf(err error) string {
	if fe := schedule.ValidationErrors(err); len(fe) > 0 {
		return fe[0].Field
	}
	return ""
}

func TestEventCreateFindUpdateCancel(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	district := storetest.Actor(t, st, "9800000002")
	c1 := unitID(t, st, "D1-A1-M1-C1")
	org := workerID(t, st, "BBB0000001")
	vip, err := st.SaveGuest(ctx, storetest.Actor(t, st, "9800000001"), store.Guest{Name: "A. Sharma", Title: "MP, Gwalior", UnitID: unitID(t, st, "MP")})
	if err != nil {
		t.Fatal(err)
	}
	st.SetClock(func() time.Time { return ist(t, "2026-04-01", "09:00") })

	saved, err := st.CreateEvent(ctx, district, schedule.Event{
		UnitID: c1, Type: "sports", Title: "Sports day", TitleHi: "खेल दिवस",
		Venue: schedule.Venue{Name: "School ground"}, Start: ist(t, "2026-05-04", "10:00"), End: ist(t, "2026-05-04", "13:00"),
		Organisers: []int64{org}, Guests: []int64{vip.ID},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if saved.Event.ID == 0 || !strings.HasSuffix(saved.Event.UID, "@karyakram") || saved.Event.Sequence != 0 {
		t.Fatalf("created %+v", saved.Event)
	}
	got, err := st.FindEventByID(ctx, district, saved.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.UnitID != c1 || got.UnitPath == "" || got.UnitCode != "D1-A1-M1-C1" || got.Title != "Sports day" ||
		!got.Start.Equal(ist(t, "2026-05-04", "10:00")) || len(got.Organisers) != 1 || got.Organisers[0] != org ||
		len(got.Guests) != 1 || got.Guests[0] != vip.ID || got.Status != schedule.EventConfirmed {
		t.Fatalf("found %+v", got)
	}

	// Updating bumps the sequence; cancelling keeps the event.
	st.SetClock(func() time.Time { return ist(t, "2026-04-02", "09:00") })
	e := got.Event
	e.Venue.Name = "Stadium"
	up, err := st.UpdateEvent(ctx, district, e)
	if err != nil {
		t.Fatal(err)
	}
	if up.Event.Sequence != 1 || up.Event.Venue.Name != "Stadium" || up.Event.UID != got.UID || !up.Event.UpdatedAt.After(got.UpdatedAt) {
		t.Fatalf("updated %+v", up.Event)
	}
	if _, err := st.CancelEvent(ctx, district, e.ID); err != nil {
		t.Fatal(err)
	}
	got, err = st.FindEventByID(ctx, district, e.ID)
	if err != nil || got.Status != schedule.EventCancelled || got.Sequence != 2 {
		t.Fatalf("after cancel: %+v %v", got, err)
	}
	list, err := st.FindEvents(ctx, district, store.EventFilter{UnitID: c1})
	if err != nil || len(list) != 0 {
		t.Fatalf("cancelled events are hidden by default: %d %v", len(list), err)
	}
	list, err = st.FindEvents(ctx, district, store.EventFilter{UnitID: c1, Cancelled: true})
	if err != nil || len(list) != 1 {
		t.Fatalf("cancelled events on request: %d %v", len(list), err)
	}
}

func TestEventBadInput(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	district := storetest.Actor(t, st, "9800000002")
	c1 := unitID(t, st, "D1-A1-M1-C1")
	good := schedule.Event{UnitID: c1, Type: "meeting", Title: "Meeting", Start: ist(t, "2026-05-04", "10:00"), End: ist(t, "2026-05-04", "11:00")}
	cases := []struct {
		name  string
		edit  func(e *schedule.Event)
		field string
	}{
		{"end before start", func(e *schedule.Event) { e.End = e.Start.Add(-time.Hour) }, "end"},
		{"unknown unit", func(e *schedule.Event) { e.UnitID = 999999 }, "unit"},
		{"unit outside scope", func(e *schedule.Event) { e.UnitID = unitID(t, st, "D2-A1-M1-C1") }, "unit"},
		{"unknown type", func(e *schedule.Event) { e.Type = "picnic" }, "type"},
		{"unknown organiser", func(e *schedule.Event) { e.Organisers = []int64{999999} }, "organisers"},
		{"organiser outside scope", func(e *schedule.Event) { e.Organisers = []int64{workerID(t, st, "BBB0000004")} }, "organisers"},
		{"unknown guest", func(e *schedule.Event) { e.Guests = []int64{424242} }, "guests"},
	}
	for _, c := range cases {
		e := good
		c.edit(&e)
		_, err := st.CreateEvent(ctx, district, e)
		if schedule.ErrorCode(err) != schedule.EINVALID || fieldOf(err) != c.field {
			t.Errorf("%s: got %v (field %q), want an invalid %s", c.name, err, fieldOf(err), c.field)
		}
	}
	if _, err := st.CreateEvent(ctx, district, good); err != nil {
		t.Fatalf("the good event: %v", err)
	}
}

func TestEventScopeClusterOfficial(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	state := storetest.Actor(t, st, "9800000001")
	// Mohan Lal (a plain worker in cluster two) becomes its president.
	two := clusterOfficial(t, st, "BBB0000003", "9811111113", "D1-A1-M2-C1")
	one := unitID(t, st, "D1-A1-M1-C1")
	ev, err := st.CreateEvent(ctx, state, schedule.Event{UnitID: one, Type: "meeting", Title: "Cluster one meeting",
		Start: ist(t, "2026-05-04", "10:00"), End: ist(t, "2026-05-04", "11:00")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.FindEventByID(ctx, two, ev.Event.ID); !schedule.IsNotFound(err) {
		t.Fatalf("another cluster's event: got %v, want not found", err)
	}
	e := ev.Event.Event
	e.Title = "hijacked"
	if _, err := st.UpdateEvent(ctx, two, e); !schedule.IsNotFound(err) {
		t.Fatalf("edit another cluster's event: got %v, want not found", err)
	}
	if _, err := st.CancelEvent(ctx, two, e.ID); !schedule.IsNotFound(err) {
		t.Fatalf("cancel another cluster's event: got %v, want not found", err)
	}
	list, err := st.FindEvents(ctx, two, store.EventFilter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("cluster two lists %d events (%v), want 0", len(list), err)
	}
	// Its own cluster works.
	mine, err := st.CreateEvent(ctx, two, schedule.Event{UnitID: unitID(t, st, "D1-A1-M2-C1"), Type: "sports", Title: "Ours",
		Start: ist(t, "2026-05-05", "10:00"), End: ist(t, "2026-05-05", "11:00")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.FindEventByID(ctx, two, mine.Event.ID); err != nil {
		t.Fatal(err)
	}
}

// TestEventsAboveAreVisibleNotWritable: a cluster president sees the
// events of the district and state above (they concern the cluster) on
// the calendar and by ID, cannot change them, and still sees nothing of
// another cluster or district.
func TestEventsAboveAreVisibleNotWritable(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	sys := schedule.SystemActor("t")
	cluster := unitID(t, st, "D1-A1-M1-C1")
	if err := st.AssignRole(ctx, sys, workerID(t, st, "BBB0000001"), "president", cluster); err != nil {
		t.Fatal(err)
	}
	cp := storetest.Actor(t, st, "9811111111")
	mk := func(code, title string) int64 {
		t.Helper()
		s, err := st.CreateEvent(ctx, sys, schedule.Event{UnitID: unitID(t, st, code), Type: "meeting", Title: title,
			Start: ist(t, "2026-05-04", "10:00"), End: ist(t, "2026-05-04", "11:00")})
		if err != nil {
			t.Fatal(err)
		}
		return s.Event.ID
	}
	state, district, own := mk("MP", "State"), mk("D1", "District"), mk("D1-A1-M1-C1", "Own")
	sibling, other := mk("D1-A1-M2-C1", "Sibling cluster"), mk("D2", "Other district")
	for _, tt := range []struct {
		id      int64
		visible bool
	}{{state, true}, {district, true}, {own, true}, {sibling, false}, {other, false}} {
		_, err := st.FindEventByID(ctx, cp, tt.id)
		if (err == nil) != tt.visible {
			t.Errorf("event %d: err %v, want visible=%v", tt.id, err, tt.visible)
		}
	}
	rec, _ := st.FindEventByID(ctx, sys, district)
	rec.Event.Title = "Changed by the cluster"
	if _, err := st.UpdateEvent(ctx, cp, rec.Event); !schedule.IsNotFound(err) {
		t.Errorf("cluster president changed the district's event: %v", err)
	}
	if _, err := st.CancelEvent(ctx, cp, state); !schedule.IsNotFound(err) {
		t.Errorf("cluster president cancelled the state's event: %v", err)
	}
	recs, err := st.FindEvents(ctx, cp, store.EventFilter{UnitID: cluster, WithAbove: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, r := range recs {
		got[r.ID] = true
	}
	if !got[state] || !got[district] || !got[own] || got[sibling] || got[other] || len(got) != 3 {
		t.Errorf("calendar with events above: %v", got)
	}
	recs, _ = st.FindEvents(ctx, cp, store.EventFilter{UnitID: cluster})
	if len(recs) != 1 || recs[0].ID != own {
		t.Errorf("calendar without events above: %d events", len(recs))
	}
}
