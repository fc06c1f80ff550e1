package addresses_test

import (
	"context"
	"errors"
	"github.com/karyakram/karyakram/internal/testclock"
	"sync"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// fakeConference records calls; EnsureRooms fails while down is set.
type fakeConference struct {
	mu       sync.Mutex
	down     bool
	ensured  map[string]int
	deleted  []int64
	relaying map[int64]bool
}

func (f *fakeConference) EnsureRooms(ctx context.Context, p schedule.AddressPlan) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("livekit-server unreachable")
	}
	for _, r := range append(p.ListenerRooms(), p.Stage) {
		f.ensured[r]++
	}
	return nil
}

func (f *fakeConference) DeleteRooms(ctx context.Context, p schedule.AddressPlan) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, p.AddressID)
	return nil
}

func (f *fakeConference) Relay(ctx context.Context, p schedule.AddressPlan) {
	f.mu.Lock()
	f.relaying[p.AddressID] = true
	f.mu.Unlock()
	<-ctx.Done()
	f.mu.Lock()
	f.relaying[p.AddressID] = false
	f.mu.Unlock()
}

func (f *fakeConference) isRelaying(id int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.relaying[id]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestSchedulerLifecycle(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	state := storetest.Actor(t, st, "9800000001")
	mp, err := st.FindUnitByCode(ctx, state, "MP")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(2 * time.Hour).Truncate(time.Minute)
	saved, err := st.CreateEvent(ctx, state, schedule.Event{UnitID: mp.ID, Type: store.AddressEventType, Title: "Address", Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: saved.Event.ID, ListenersPerRoom: 4})
	if err != nil {
		t.Fatal(err)
	}
	conf := &fakeConference{ensured: map[string]int{}, relaying: map[int64]bool{}, down: true}
	dir := addresses.NewDirectory(st, 0, 0, nil)
	sch, err := addresses.NewScheduler(addresses.SchedulerConfig{Store: st, Conference: conf, Directory: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer sch.Stop()
	roomState := func() store.MassAddress {
		got, err := st.FindAddress(ctx, state, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// An hour before: nothing happens, but the directory knows the address.
	if err := sch.Tick(ctx, start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, ok := dir.Lookup(a.EventID); !ok || roomState().RoomState != store.RoomsPlanned {
		t.Fatalf("an hour before: directory %v, state %s", ok, roomState().RoomState)
	}
	// 20 minutes before with LiveKit down: failed, with the reason.
	if err := sch.Tick(ctx, start.Add(-20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "failed state", func() bool { return roomState().RoomState == store.RoomsFailed })
	if got := roomState(); got.RoomError == "" || got.RoomAttempts != 1 {
		t.Fatalf("after failure: %+v", got)
	}
	// LiveKit back: the next tick creates the rooms, the one after starts the relay.
	conf.mu.Lock()
	conf.down = false
	conf.mu.Unlock()
	if err := sch.Tick(ctx, start.Add(-19*time.Minute)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ready state", func() bool { return roomState().RoomState == store.RoomsReady })
	if len(conf.ensured) != len(a.Plan.ListenerRooms())+1 || conf.ensured[a.Plan.Stage] != 1 {
		t.Fatalf("ensured = %v", conf.ensured)
	}
	if err := sch.Tick(ctx, start.Add(-18*time.Minute)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "relay", func() bool { return conf.isRelaying(a.ID) })
	if !sch.Relaying(a.ID) {
		t.Fatal("scheduler does not report the relay")
	}
	// After the end plus grace: relay stopped, rooms deleted, closed.
	if err := sch.Tick(ctx, start.Add(time.Hour+addresses.DefaultJoinGrace)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "relay stop", func() bool { return !conf.isRelaying(a.ID) })
	if got := roomState(); got.RoomState != store.RoomsClosed || got.EndedAt == nil || len(conf.deleted) != 1 {
		t.Fatalf("after the end: %+v, deleted %v", got, conf.deleted)
	}
	// Closed addresses are left alone.
	if err := sch.Tick(ctx, start.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(conf.deleted) != 1 {
		t.Fatalf("deleted again: %v", conf.deleted)
	}
}

// TestRevocationReachesEveryServerWithinATick: a server that did not make
// the revocation (no in-process reload) refuses the link after its
// scheduler's next tick: the bound docs/security.md states.
func TestRevocationReachesEveryServerWithinATick(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	state := storetest.Actor(t, st, "9800000001")
	mp, _ := st.FindUnitByCode(ctx, state, "MP")
	start := testclock.Now().Add(2 * time.Hour).Truncate(time.Minute)
	saved, err := st.CreateEvent(ctx, state, schedule.Event{UnitID: mp.ID, Type: store.AddressEventType, Title: "Address", Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: saved.Event.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SendInvites(ctx, state, saved.Event.ID, store.Audience{UnitIDs: []int64{mp.ID}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	var inv int64
	st.EachAddressInvite(ctx, saved.Event.ID, func(r *store.AddressInvite) error { inv = r.InviteID; return nil })
	dir := addresses.NewDirectory(st, 0, 0, nil)
	const tick = 50 * time.Millisecond
	sch, err := addresses.NewScheduler(addresses.SchedulerConfig{Store: st, Conference: &fakeConference{ensured: map[string]int{}, relaying: map[int64]bool{}},
		Directory: dir, Tick: tick, Now: testclock.Now})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { sch.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()
	claims := schedule.LinkClaims{InviteID: inv, EventID: saved.Event.ID, LinkVersion: 1, Expires: start.Add(24 * time.Hour)}
	waitFor(t, "the address in the directory", func() bool { _, _, err := dir.Resolve(ctx, claims); return err == nil })
	if err := st.RevokeInvite(ctx, state, inv); err != nil {
		t.Fatal(err)
	}
	revokedAt := time.Now()
	waitFor(t, "the revocation", func() bool { _, _, err := dir.Resolve(ctx, claims); return schedule.IsLinkRevoked(err) })
	if took := time.Since(revokedAt); took > 3*tick+time.Second {
		t.Errorf("the revocation took %v to reach the directory; the bound is a tick (%v) plus the reload", took, tick)
	}
}
