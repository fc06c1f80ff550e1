package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/karyakram/karyakram/app/bridges"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// presenceRows lists the presence table as comparable lines.
func presenceRows(t *testing.T, st *store.Store) []string {
	t.Helper()
	rows, err := st.DB().QueryContext(context.Background(), `SELECT room, identity, unit_path, sip, joined_at, left_at,
		COALESCE(join_event_id, ''), COALESCE(leave_event_id, '') FROM presence`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var room, ident, path, join, leave string
		var sip bool
		var joined time.Time
		var left sql.NullTime
		if err := rows.Scan(&room, &ident, &path, &sip, &joined, &left, &join, &leave); err != nil {
			t.Fatal(err)
		}
		l := "open"
		if left.Valid {
			l = left.Time.UTC().Format("15:04")
		}
		out = append(out, fmt.Sprintf("%s %s %s sip=%v %s-%s %s/%s", room, ident, path, sip, joined.UTC().Format("15:04"), l, join, leave))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestRecordPresenceBatch(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	addr := turnoutAddress(t, st)
	state := storetest.Actor(t, st, "9800000001")
	d1u, _ := st.FindUnitByCode(ctx, state, "D1")
	d2u, _ := st.FindUnitByCode(ctx, state, "D2")
	d2m, _ := st.FindUnitByCode(ctx, state, "D2-A1-M1")
	one, _ := schedule.ParseBridgeNumbers("+917554000000")
	// mandal bridges only: a phone caller in D2's room counts to D2-A1-M1, not to D2
	if _, err := bridges.Provision(ctx, st, state, addr, "mandal", one, nil, testclock.Now()); err != nil {
		t.Fatal(err)
	}
	var ram int64
	var ramPath string
	if err := st.DB().QueryRowContext(ctx, "SELECT id, unit_path FROM workers WHERE mobile LIKE ?", "%9811111111").Scan(&ram, &ramPath); err != nil {
		t.Fatal(err)
	}
	r1, r2 := schedule.ListenerRoomName(addr, d1u.ID, 1), schedule.ListenerRoomName(addr, d2u.ID, 1)
	t0 := turnoutStart
	ev := func(id string, joined bool, room, ident string, min int, sip bool) store.PresenceEvent {
		return store.PresenceEvent{EventID: id, Joined: joined, Room: room, Identity: ident, At: t0.Add(time.Duration(min) * time.Minute), SIP: sip}
	}
	w := schedule.ListenerIdentity(ram)
	batch1 := []store.PresenceEvent{
		ev("J1", true, r1, w, 0, false),
		ev("J1", true, r1, w, 0, false), // delivered twice in one batch
		ev("J2", true, r2, "sip_+919800000009", 1, true),
		ev("L3", false, r1, "w999999", 9, false), // leave overtakes its join, same batch
		ev("J3", true, r1, "w999999", 3, false),  // unknown worker: the room's district
		ev("L4", false, r2, "w888888", 8, false), // leave whose join comes in the next batch
		ev("J5", true, r2, "w777777", 2, false),  // closed in the next batch
		ev("S1", true, schedule.StageRoomName(addr), "speaker", 0, false),
		ev("R1", true, "some-other-room", "w1", 0, false),
	}
	n, err := st.RecordPresenceBatch(ctx, batch1)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("first batch wrote %d rows, want 5", n)
	}
	want := []string{
		fmt.Sprintf("%s %s %s sip=false 05:30-open J1/", r1, w, ramPath),
		fmt.Sprintf("%s sip_+919800000009 %s sip=true 05:31-open J2/", r2, d2m.Path),
		fmt.Sprintf("%s w999999 %s sip=false 05:33-05:39 J3/L3", r1, d1u.Path),
		fmt.Sprintf("%s w888888 %s sip=false 05:38-05:38 /L4", r2, d2u.Path),
		fmt.Sprintf("%s w777777 %s sip=false 05:32-open J5/", r2, d2u.Path),
	}
	slices.Sort(want)
	if got := presenceRows(t, st); !slices.Equal(got, want) {
		t.Fatalf("after batch 1:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	batch2 := []store.PresenceEvent{
		ev("J1", true, r1, w, 0, false), // redelivered across batches
		ev("L3", false, r1, "w999999", 9, false),
		ev("J4", true, r2, "w888888", 4, false),  // matches L4 of the last batch
		ev("L5", false, r2, "w777777", 6, false), // closes J5 of the last batch
		ev("L5", false, r2, "w777777", 6, false),
		ev("J6", true, r2, "w777777", 7, false), // and rejoins
		ev("L1", false, r1, w, 5, false),
		ev("J7", true, r1, w, 6, false),
	}
	if n, err = st.RecordPresenceBatch(ctx, batch2); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("second batch wrote %d rows, want 5 (3 updates, 2 inserts)", n)
	}
	want = []string{
		fmt.Sprintf("%s %s %s sip=false 05:30-05:35 J1/L1", r1, w, ramPath),
		fmt.Sprintf("%s %s %s sip=false 05:36-open J7/", r1, w, ramPath),
		fmt.Sprintf("%s sip_+919800000009 %s sip=true 05:31-open J2/", r2, d2m.Path),
		fmt.Sprintf("%s w999999 %s sip=false 05:33-05:39 J3/L3", r1, d1u.Path),
		fmt.Sprintf("%s w888888 %s sip=false 05:34-05:38 J4/L4", r2, d2u.Path),
		fmt.Sprintf("%s w777777 %s sip=false 05:32-05:36 J5/L5", r2, d2u.Path),
		fmt.Sprintf("%s w777777 %s sip=false 05:37-open J6/", r2, d2u.Path),
	}
	slices.Sort(want)
	if got := presenceRows(t, st); !slices.Equal(got, want) {
		t.Fatalf("after batch 2:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// the whole thing again changes nothing
	if n, err := st.RecordPresenceBatch(ctx, append(batch1, batch2...)); err != nil || n != 0 {
		t.Errorf("replay wrote %d rows (%v), want 0", n, err)
	}
	// an event without an id fails the batch and records nothing of it
	before := presenceRows(t, st)
	_, err = st.RecordPresenceBatch(ctx, []store.PresenceEvent{ev("J8", true, r1, "w5", 1, false), ev("", true, r1, "w6", 1, false)})
	if err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("batch with an id-less event: %v", err)
	}
	if got := presenceRows(t, st); !slices.Equal(got, before) {
		t.Errorf("failed batch recorded rows: %v", got)
	}
	if err := ev("", true, "stage", "x", 0, false).Valid(); err != nil {
		t.Errorf("id-less event outside listener rooms is ignored, not invalid: %v", err)
	}
}

// TestRecordPresenceBatchSameAsOneByOne records the same shuffled stream
// of joins, leaves and redeliveries one event at a time into one store and
// in batches of random sizes into another: the rows must be the same.
func TestRecordPresenceBatchSameAsOneByOne(t *testing.T) {
	ctx := context.Background()
	one, batched := storetest.Open(t), storetest.Open(t)
	storetest.Seed(t, one)
	storetest.Seed(t, batched)
	addr := turnoutAddress(t, one)
	if a := turnoutAddress(t, batched); a != addr {
		t.Fatalf("address ids differ: %d, %d", addr, a)
	}
	d1u, _ := one.FindUnitByCode(ctx, schedule.SystemActor("t"), "D1")
	d2u, _ := one.FindUnitByCode(ctx, schedule.SystemActor("t"), "D2")
	rooms := []string{schedule.ListenerRoomName(addr, d1u.ID, 1), schedule.ListenerRoomName(addr, d2u.ID, 1)}
	rng := rand.New(rand.NewPCG(7, 11))
	t0 := turnoutStart
	minutes := rng.Perm(400) // distinct times: no ties for the matching to break
	var events []store.PresenceEvent
	for i := range 300 {
		if i > 10 && rng.IntN(6) == 0 {
			events = append(events, events[rng.IntN(len(events))]) // redelivery
			continue
		}
		events = append(events, store.PresenceEvent{EventID: fmt.Sprintf("E%d", i), Joined: rng.IntN(2) == 0, Room: rooms[rng.IntN(2)],
			Identity: fmt.Sprintf("w%d", 900000+rng.IntN(4)), At: t0.Add(time.Duration(minutes[i]) * time.Minute)})
	}
	for _, p := range events {
		if _, err := one.RecordPresence(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for rest := events; len(rest) > 0; {
		k := min(len(rest), 1+rng.IntN(40))
		if _, err := batched.RecordPresenceBatch(ctx, rest[:k]); err != nil {
			t.Fatal(err)
		}
		rest = rest[k:]
	}
	a, b := presenceRows(t, one), presenceRows(t, batched)
	if len(a) < 50 || !slices.Equal(a, b) {
		t.Fatalf("one by one %d rows, batched %d rows; differ:\n%s\n---\n%s", len(a), len(b), strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}
