package store_test

import (
	"bytes"
	"context"
	"errors"
	"github.com/karyakram/karyakram/app/bridges"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// turnoutStart is when the turnout tests' address starts: tomorrow at
// 11:00 IST on the tests' clock, so invitations can still go out.
var turnoutStart = testclock.Day(1, 11, 0)

// turnoutAddress creates a state-level address event and, where the
// addresses table exists, its row; it returns the address id.
func turnoutAddress(t *testing.T, st *store.Store) int64 {
	t.Helper()
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	mp, err := st.FindUnitByCode(ctx, sys, "MP")
	if err != nil {
		t.Fatal(err)
	}
	start := turnoutStart
	saved, err := st.CreateEvent(ctx, sys, schedule.Event{UnitID: mp.ID, Type: "address", Title: "State address", TitleHi: "प्रदेश संबोधन",
		Venue: schedule.Venue{Name: "Bhopal"}, Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if st.Postgres() {
		err = st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'addresses' AND table_schema = current_schema()").Scan(&n)
	} else {
		err = st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'addresses'").Scan(&n)
	}
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		return saved.Event.ID
	}
	var id int64
	now := testclock.Now().UTC()
	if err := st.DB().QueryRowContext(ctx, "INSERT INTO addresses (event_id, unit_path, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
		saved.Event.ID, mp.Path, now, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// fakeSIP records bridges as a SIP side would.
type fakeSIP struct {
	mu      sync.Mutex
	rules   map[string]schedule.BridgeSpec
	trunks  map[string]bool
	fail    string // room whose bridge fails
	removed []string
}

func (f *fakeSIP) EnsureBridge(_ context.Context, b schedule.BridgeSpec) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b.Room == f.fail {
		return "", "", errors.New("sip down")
	}
	f.trunks["T"+b.Number] = true
	f.rules["R"+b.Number+b.PIN] = b
	return "T" + b.Number, "R" + b.Number + b.PIN, nil
}

func (f *fakeSIP) RemoveBridge(_ context.Context, trunk, rule string, last bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.rules, rule)
	if last {
		delete(f.trunks, trunk)
	}
	f.removed = append(f.removed, rule)
	return nil
}

func TestProvisionBridgesPerDistrictAndScope(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	addr := turnoutAddress(t, st)
	state := storetest.Actor(t, st, "9800000001")
	d1 := storetest.Actor(t, st, "9800000002")
	mandal := storetest.Actor(t, st, "9800000003")
	now := testclock.Now()
	one, _ := schedule.ParseBridgeNumbers("+917554000000")
	sip := &fakeSIP{rules: map[string]schedule.BridgeSpec{}, trunks: map[string]bool{}}

	if _, err := bridges.Provision(ctx, st, d1, addr, "", one, sip, now); !schedule.IsNotFound(err) {
		t.Fatalf("district official provisioning a state address: %v, want not found", err)
	}
	rep, err := bridges.Provision(ctx, st, state, addr, "", one, sip, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 2 || rep.Ready != 2 || len(rep.Bridges) != 2 || len(sip.rules) != 2 || len(sip.trunks) != 1 {
		t.Fatalf("report %+v, rules %d trunks %d", rep, len(sip.rules), len(sip.trunks))
	}
	d1u, _ := st.FindUnitByCode(ctx, state, "D1")
	pins := map[string]bool{}
	for _, b := range rep.Bridges {
		if len(b.PIN) != store.BridgePINDigits || b.PIN[0] == '0' || pins[b.PIN] {
			t.Errorf("bad or repeated PIN %q", b.PIN)
		}
		pins[b.PIN] = true
		if b.Number != "+917554000000" || !strings.HasPrefix(b.Room, "addr-") || b.State != store.BridgeReady || b.TrunkID == "" {
			t.Errorf("bridge %+v", b)
		}
		if b.UnitID == d1u.ID && b.Room != schedule.ListenerRoomName(addr, d1u.ID, 1) {
			t.Errorf("D1 bridge into %s", b.Room)
		}
	}
	// again: idempotent, same PINs
	rep2, err := bridges.Provision(ctx, st, state, addr, "", one, sip, now)
	if err != nil || rep2.Created != 0 || len(rep2.Bridges) != 2 || rep2.Bridges[0].PIN != rep.Bridges[0].PIN {
		t.Fatalf("second provisioning: %+v %v", rep2, err)
	}
	// mandal level: one per mandal, into their district's rooms
	rep3, err := bridges.Provision(ctx, st, state, addr, "mandal", one, sip, now)
	if err != nil || rep3.Created != 3 || len(rep3.Bridges) != 5 {
		t.Fatalf("mandal level: %+v %v", rep3, err)
	}
	if _, err := bridges.Provision(ctx, st, state, addr, "nonsense", one, sip, now); err == nil || !strings.Contains(err.Error(), "level") {
		t.Errorf("unknown level: %v", err)
	}
	// district sees its district's and its mandals' bridges; a mandal sees its own and its district's
	_, list, err := st.Bridges(ctx, d1, addr)
	if err != nil || len(list) != 3 {
		t.Fatalf("district D1 sees %d bridges (%v)", len(list), err)
	}
	_, list, err = st.Bridges(ctx, mandal, addr)
	if err != nil || len(list) != 2 {
		t.Fatalf("mandal sees %d bridges (%v): %+v", len(list), err, list)
	}
	// a failing SIP side is recorded, and retried
	sip.fail = rep.Bridges[1].Room
	rep4, err := bridges.Provision(ctx, st, state, addr, "", one, sip, now)
	if err != nil || rep4.Failed == 0 {
		t.Fatalf("failure not reported: %+v %v", rep4, err)
	}
	sip.fail = ""
	if rep5, err := bridges.Provision(ctx, st, state, addr, "", one, sip, now); err != nil || rep5.Failed != 0 || rep5.Ready != 5 {
		t.Fatalf("retry: %+v %v", rep5, err)
	}
	n, err := bridges.Remove(ctx, st, state, addr, sip)
	if err != nil || n != 5 || len(sip.rules) != 0 || len(sip.trunks) != 0 {
		t.Fatalf("delete: %d %v, rules %v trunks %v", n, err, sip.rules, sip.trunks)
	}
	if _, list, _ := st.Bridges(ctx, state, addr); len(list) != 0 {
		t.Errorf("bridges left: %v", list)
	}
}

func TestTurnoutFromPresence(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	addr := turnoutAddress(t, st)
	state := storetest.Actor(t, st, "9800000001")
	d1 := storetest.Actor(t, st, "9800000002")
	d2 := storetest.Actor(t, st, "9800000005")
	d1u, _ := st.FindUnitByCode(ctx, state, "D1")
	d2u, _ := st.FindUnitByCode(ctx, state, "D2")
	one, _ := schedule.ParseBridgeNumbers("+917554000000")
	if _, err := bridges.Provision(ctx, st, state, addr, "", one, nil, testclock.Now()); err != nil {
		t.Fatal(err)
	}
	workerID := func(mobile string) int64 {
		var id int64
		if err := st.DB().QueryRowContext(ctx, "SELECT id FROM workers WHERE mobile LIKE ?", "%"+mobile).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	ram, geeta := workerID("9811111111"), workerID("9811111114")
	r1, r2 := schedule.ListenerRoomName(addr, d1u.ID, 1), schedule.ListenerRoomName(addr, d2u.ID, 1)
	t0 := turnoutStart
	ev := func(id string, joined bool, room, ident string, min int, sip bool) store.PresenceEvent {
		return store.PresenceEvent{EventID: id, Joined: joined, Room: room, Identity: ident, At: t0.Add(time.Duration(min) * time.Minute), SIP: sip}
	}
	for _, p := range []store.PresenceEvent{
		ev("E1", true, r1, schedule.ListenerIdentity(ram), 0, false),
		ev("E1", true, r1, schedule.ListenerIdentity(ram), 0, false), // delivered twice
		ev("E2", true, r2, schedule.ListenerIdentity(geeta), 1, false),
		ev("E3", true, r2, "sip_+919800000009", 2, true),
		ev("E5", false, r1, "w999999", 9, false), // leave overtakes its join
		ev("E4", true, r1, "w999999", 3, false),  // unknown worker: counted to the room's district
		ev("E6", false, r2, schedule.ListenerIdentity(geeta), 10, false),
		ev("E6", false, r2, schedule.ListenerIdentity(geeta), 10, false),
		ev("E7", true, schedule.StageRoomName(addr), "speaker", 0, false), // stage: not turnout
	} {
		if _, err := st.RecordPresence(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	var rows int
	st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM presence").Scan(&rows)
	if rows != 4 {
		t.Errorf("%d presence rows, want 4 (dedup and out-of-order leave)", rows)
	}
	if _, err := st.RecordPresence(ctx, store.PresenceEvent{Joined: true, Room: r1, Identity: "w1"}); err == nil {
		t.Error("event without id accepted")
	}

	tu, err := st.Turnout(ctx, state, addr, 0, t0.Add(20*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if tu.Total.Joined != 4 || tu.Total.Online != 2 || tu.Total.ByPhone != 1 || tu.InvitedFrom != "workers" || tu.Total.Invited != 9 {
		t.Errorf("total %+v from %s", tu.Total, tu.InvitedFrom)
	}
	if tu.Peak != 4 || !tu.PeakAt.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("peak %d at %v, want 4 at +3m", tu.Peak, tu.PeakAt)
	}
	got := map[string]store.TurnoutRow{}
	for _, r := range append(tu.Districts, tu.Mandals...) {
		got[r.Code] = r
	}
	if got["D1"].Joined != 2 || got["D2"].Joined != 2 || got["D2"].ByPhone != 1 || got["D1-A1-M1"].Joined != 1 || got["D2-A1-M1"].Joined != 1 || got["D1-A1-M2"].Joined != 0 {
		t.Errorf("roll-up: %+v", got)
	}
	if got["D1"].Invited != 6 || len(tu.Districts) != 2 || len(tu.Mandals) != 3 {
		t.Errorf("D1 invited %d, %d districts %d mandals", got["D1"].Invited, len(tu.Districts), len(tu.Mandals))
	}

	// a district official sees only their district; others' are not found
	tu, err = st.Turnout(ctx, d1, addr, 0, t0)
	if err != nil || len(tu.Districts) != 1 || tu.Districts[0].Code != "D1" || tu.Total.Joined != 2 {
		t.Fatalf("D1 view: %+v %v", tu, err)
	}
	if _, err := st.Turnout(ctx, d1, addr, d2u.ID, t0); !schedule.IsNotFound(err) {
		t.Errorf("D1 official asking for D2: %v", err)
	}
	if tu, err := st.Turnout(ctx, d2, addr, d2u.ID, t0); err != nil || tu.Total.ByPhone != 1 {
		t.Errorf("D2 own: %+v %v", tu.Total, err)
	}
	if _, err := st.Turnout(ctx, state, addr+1000, 0, t0); !schedule.IsNotFound(err) {
		t.Errorf("missing address: %v", err)
	}

	// invitations, once sent, are what invited counts
	if _, err := st.SendInvites(ctx, state, tu.Address.EventID, store.Audience{UnitIDs: []int64{d1u.ID}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	tu, err = st.Turnout(ctx, state, addr, 0, t0)
	if err != nil || tu.InvitedFrom != "invites" || tu.Total.Invited != 6 {
		t.Errorf("after invites: %+v from %s (%v)", tu.Total, tu.InvitedFrom, err)
	}
	var buf bytes.Buffer
	if err := store.WriteTurnoutCSV(&buf, tu); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "district,D1,Gwalior Nagar,ग्वालियर नगर,6,2,0,1,33") || !strings.HasPrefix(buf.String(), "level,code,") {
		t.Errorf("CSV:\n%s", buf.String())
	}
}
