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

func TestFeedTokensAndVersions(t *testing.T) {
	ctx := context.Background()
	now := ist(t, "2026-04-20", "09:00")
	st := seededAt(t, now)
	district := storetest.Actor(t, st, "9800000002")
	d1 := unitID(t, st, "D1")
	c1 := unitID(t, st, "D1-A1-M1-C1")
	org := workerID(t, st, "BBB0000001")
	mk := func(unit int64, title string, orgs ...int64) store.EventRecord {
		t.Helper()
		s, err := st.CreateEvent(ctx, district, schedule.Event{UnitID: unit, Type: "meeting", Title: title, Organisers: orgs,
			Start: ist(t, "2026-05-04", "10:00"), End: ist(t, "2026-05-04", "11:00")})
		if err != nil {
			t.Fatal(err)
		}
		return s.Event
	}
	atDistrict := mk(d1, "District meeting")
	atCluster := mk(c1, "Cluster meeting", org)

	token, rec, err := st.CreateFeedToken(ctx, district, store.FeedUnit, d1, "en")
	if err != nil {
		t.Fatal(err)
	}
	if len(token) < 40 || rec.Hash == token || rec.Hash != store.HashFeedToken(token) || strings.Contains(rec.Hash, token) {
		t.Fatalf("token %q record %+v", token, rec)
	}
	spec, err := st.FeedByToken(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := st.FeedVersions(ctx, spec, now)
	if err != nil || len(vs) != 2 || vs[0].ID != atDistrict.ID || vs[1].ID != atCluster.ID {
		t.Fatalf("unit feed versions %+v %v", vs, err)
	}
	evs, err := st.FeedEvents(ctx, spec, now)
	if err != nil || len(evs) != 2 || evs[1].UID != atCluster.UID {
		t.Fatalf("unit feed events %d %v", len(evs), err)
	}

	// Cluster feed: its own events only. Person feed: events organised.
	for _, c := range []struct {
		kind store.FeedKind
		id   int64
		want int64
	}{{store.FeedCluster, c1, atCluster.ID}, {store.FeedPerson, org, atCluster.ID}, {store.FeedCluster, d1, atDistrict.ID}} {
		tok, _, err := st.CreateFeedToken(ctx, district, c.kind, c.id, "hi")
		if err != nil {
			t.Fatal(err)
		}
		sp, err := st.FeedByToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		vs, err := st.FeedVersions(ctx, sp, now)
		if err != nil || len(vs) != 1 || vs[0].ID != c.want {
			t.Errorf("%s feed of %d: %+v %v", c.kind, c.id, vs, err)
		}
	}

	// Cancelling keeps the event in the feed with a new version.
	if _, err := st.CancelEvent(ctx, district, atCluster.ID); err != nil {
		t.Fatal(err)
	}
	vs2, err := st.FeedVersions(ctx, spec, now)
	if err != nil || len(vs2) != 2 || vs2[1].Sequence != vs[1].Sequence+1 {
		t.Fatalf("after cancel %+v %v", vs2, err)
	}

	// Out of scope subjects, unknown kinds.
	other := storetest.Actor(t, st, "9800000005")
	if _, _, err := st.CreateFeedToken(ctx, other, store.FeedUnit, d1, "en"); fieldOf(err) != "subject" {
		t.Fatalf("feed of another district: %v", err)
	}
	if _, _, err := st.CreateFeedToken(ctx, district, "everything", d1, "en"); fieldOf(err) != "kind" {
		t.Fatalf("unknown kind: %v", err)
	}
	if err := st.RevokeFeedToken(ctx, other, rec.Hash); !schedule.IsNotFound(err) {
		t.Fatalf("another district revokes: %v", err)
	}
	// Revoked and unknown tokens are not found.
	if err := st.RevokeFeedToken(ctx, district, rec.Hash); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FeedByToken(ctx, token); !schedule.IsNotFound(err) {
		t.Fatalf("revoked token: %v", err)
	}
	if _, err := st.FeedByToken(ctx, strings.Repeat("x", 43)); !schedule.IsNotFound(err) {
		t.Fatalf("unknown token: %v", err)
	}
	list, err := st.FeedTokens(ctx, district, store.FeedUnit, d1)
	if err != nil || len(list) != 1 || list[0].RevokedAt == nil {
		t.Fatalf("token list %+v %v", list, err)
	}
}

func TestGuestFeedAndConflicts(t *testing.T) {
	ctx := context.Background()
	now := ist(t, "2026-04-20", "09:00")
	st := seededAt(t, now)
	state := storetest.Actor(t, st, "9800000001")
	d1 := storetest.Actor(t, st, "9800000002")
	d2 := storetest.Actor(t, st, "9800000005")
	vip, err := st.SaveGuest(ctx, state, store.Guest{Name: "Shri A. Sharma", Title: "MP", UnitID: unitID(t, st, "MP"),
		Home: &schedule.LatLon{Lat: 26.22, Lon: 78.18}})
	if err != nil {
		t.Fatal(err)
	}
	gwalior := &schedule.LatLon{Lat: 26.2183, Lon: 78.1828}
	bhopal := &schedule.LatLon{Lat: 23.2599, Lon: 77.4126}
	// D2 books the VIP in Bhopal 10:00-12:00.
	if _, err := st.CreateEvent(ctx, d2, schedule.Event{UnitID: unitID(t, st, "D2-A1-M1-C1"), Type: "speech", Title: "Bhopal speech",
		Venue: schedule.Venue{Name: "Bhopal hall", Geo: bhopal}, Guests: []int64{vip.ID},
		Start: ist(t, "2026-05-04", "10:00"), End: ist(t, "2026-05-04", "12:00")}); err != nil {
		t.Fatal(err)
	}
	// D1 books them in Gwalior at 14:00 the same day: ~340 km away.
	saved, err := st.CreateEvent(ctx, d1, schedule.Event{UnitID: unitID(t, st, "D1-A1-M1-C1"), Type: "sports", Title: "Gwalior sports",
		Venue: schedule.Venue{Name: "Gwalior ground", Geo: gwalior}, Guests: []int64{vip.ID},
		Start: ist(t, "2026-05-04", "14:00"), End: ist(t, "2026-05-04", "16:00")})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Conflicts) != 1 || saved.Conflicts[0].Kind != schedule.ConflictGuest || saved.Conflicts[0].Travel <= 2*time.Hour {
		t.Fatalf("conflicts on save: %+v", saved.Conflicts)
	}
	reason := saved.Conflicts[0].Reason
	if strings.Contains(reason, "Bhopal") || !strings.Contains(reason, "outside your area") {
		t.Fatalf("D1 must see the conflict without D2's details: %q", reason)
	}
	// A second D1 event at the same venue and time: venue and unit conflicts.
	again, err := st.CreateEvent(ctx, d1, schedule.Event{UnitID: unitID(t, st, "D1-A1-M1-C1"), Type: "meeting", Title: "Overlap",
		Venue: schedule.Venue{Name: "Gwalior Ground", Geo: gwalior}, Start: ist(t, "2026-05-04", "15:00"), End: ist(t, "2026-05-04", "17:00")})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[schedule.ConflictKind]bool{}
	for _, c := range again.Conflicts {
		kinds[c.Kind] = true
	}
	if !kinds[schedule.ConflictVenue] || !kinds[schedule.ConflictUnit] || kinds[schedule.ConflictGuest] {
		t.Fatalf("conflicts of the overlap: %+v", again.Conflicts)
	}
	// The conflicts view of D1 over May finds all three.
	rep, err := st.Conflicts(ctx, d1, unitID(t, st, "D1"), ist(t, "2026-05-01", ""), ist(t, "2026-06-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Conflicts) != 3 {
		t.Fatalf("conflicts view: %d %+v", len(rep.Conflicts), rep.Conflicts)
	}

	// Only the unit that keeps the VIP's record publishes their feed.
	if _, _, err := st.CreateFeedToken(ctx, d1, store.FeedGuest, vip.ID, "en"); fieldOf(err) != "subject" {
		t.Fatalf("district publishes a VIP feed: %v", err)
	}
	tok, _, err := st.CreateFeedToken(ctx, state, store.FeedGuest, vip.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := st.FeedByToken(ctx, tok)
	vs, err := st.FeedVersions(ctx, spec, now)
	if err != nil || len(vs) != 2 {
		t.Fatalf("VIP feed %+v %v", vs, err)
	}

	// An uploaded calendar of the VIP: a dinner in Bhopal at 17:00 clashes
	// with the Gwalior event ending at 16:00.
	imported := []schedule.Event{{UID: "dinner@example", Title: "Dinner", Type: "imported", Guests: []int64{vip.ID},
		Venue: schedule.Venue{Geo: bhopal}, Start: ist(t, "2026-05-04", "17:00"), End: ist(t, "2026-05-04", "19:00")}}
	cs, err := st.CheckImported(ctx, d1, unitID(t, st, "D1"), imported, ist(t, "2026-05-01", ""), ist(t, "2026-06-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Kind != schedule.ConflictGuest || cs[0].B.Title != "Dinner" {
		t.Fatalf("imported conflicts %+v", cs)
	}
}

func TestRecurringEventOccurrenceEdits(t *testing.T) {
	ctx := context.Background()
	st := seededAt(t, ist(t, "2026-04-20", "09:00"))
	d1 := storetest.Actor(t, st, "9800000002")
	// Monthly radio-address listening, last Sunday 11:00 IST, six times.
	s, err := st.CreateEvent(ctx, d1, schedule.Event{UnitID: unitID(t, st, "D1-A1-M1-C1"), Type: "listening", Title: "Listening",
		RRule: "FREQ=MONTHLY;BYDAY=-1SU;COUNT=6", Start: ist(t, "2026-04-26", "11:00"), End: ist(t, "2026-04-26", "12:00")})
	if err != nil {
		t.Fatal(err)
	}
	id := s.Event.ID
	if _, err := st.SkipOccurrence(ctx, d1, id, ist(t, "2026-05-31", "11:00")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EditOccurrence(ctx, d1, id, schedule.Override{RecurrenceID: ist(t, "2026-06-28", "11:00"),
		Start: ist(t, "2026-06-28", "17:00"), End: ist(t, "2026-06-28", "18:00"), Title: "Evening listening"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SkipOccurrence(ctx, d1, id, ist(t, "2026-06-01", "11:00")); fieldOf(err) == "" {
		t.Fatalf("a date that is not an occurrence: %v", err)
	}
	got, err := st.FindEventByID(ctx, d1, id)
	if err != nil {
		t.Fatal(err)
	}
	occ, err := got.Occurrences(ist(t, "2026-04-01", ""), ist(t, "2027-01-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(occ) != 5 || got.Sequence != 2 {
		t.Fatalf("%d occurrences, sequence %d", len(occ), got.Sequence)
	}
	if !occ[1].Start.Equal(ist(t, "2026-06-28", "17:00")) || occ[1].Title != "Evening listening" {
		t.Fatalf("edited occurrence %+v", occ[1])
	}
	// Window queries see the series until its last occurrence (Sept 27).
	in, err := st.FindEvents(ctx, d1, store.EventFilter{From: ist(t, "2026-09-20", ""), To: ist(t, "2026-10-01", "")})
	if err != nil || len(in) != 1 {
		t.Fatalf("September: %d %v", len(in), err)
	}
	out, err := st.FindEvents(ctx, d1, store.EventFilter{From: ist(t, "2026-10-01", ""), To: ist(t, "2026-11-01", "")})
	if err != nil || len(out) != 0 {
		t.Fatalf("October: %d %v", len(out), err)
	}
}

// TestPersonFeedListsInvitations: a worker's own feed carries the events
// they organise and those they are invited to, and drops a revoked invite.
func TestPersonFeedListsInvitations(t *testing.T) {
	ctx := context.Background()
	now := ist(t, "2026-04-20", "09:00")
	st := seededAt(t, now)
	district := storetest.Actor(t, st, "9800000002")
	booth := unitID(t, st, "D1-A1-M1-C1-S1-B1")
	worker := workerID(t, st, "BBB0000001") // राम कुमार, in booth B1
	saved, err := st.CreateEvent(ctx, district, schedule.Event{UnitID: unitID(t, st, "D1"), Type: "training", Title: "Workshop",
		Start: ist(t, "2026-05-04", "10:00"), End: ist(t, "2026-05-04", "17:00")})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := st.CreateFeedToken(ctx, district, store.FeedPerson, worker, "hi")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := st.FeedByToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		vs, err := st.FeedVersions(ctx, spec, now)
		if err != nil {
			t.Fatal(err)
		}
		return len(vs)
	}
	if n := count(); n != 0 {
		t.Fatalf("feed before the invitation has %d events", n)
	}
	if _, err := st.SendInvites(ctx, district, saved.Event.ID, store.Audience{UnitIDs: []int64{booth}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("feed after the invitation has %d events, want 1", n)
	}
	rows, _, err := st.ListInvites(ctx, district, saved.Event.ID, store.InviteFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.WorkerID == worker {
			if err := st.RevokeInvite(ctx, district, r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := count(); n != 0 {
		t.Errorf("feed after revoking keeps %d events", n)
	}
}
