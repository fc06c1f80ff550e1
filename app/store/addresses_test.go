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

func TestAddressAreaOf(t *testing.T) {
	for _, c := range []struct {
		path, area string
		id         int64
	}{{"/1/", "/1/", 1}, {"/1/7/", "/1/7/", 7}, {"/1/7/42/99/", "/1/7/", 7}} {
		id, p, err := store.AddressAreaOf(c.path)
		if err != nil || id != c.id || p != c.area {
			t.Errorf("AddressAreaOf(%q) = %d %q %v, want %d %q", c.path, id, p, err, c.id, c.area)
		}
	}
	for _, bad := range []string{"", "/", "1/2/", "/x/", "/1/0/"} {
		if _, _, err := store.AddressAreaOf(bad); err == nil {
			t.Errorf("AddressAreaOf(%q) accepted", bad)
		}
	}
}

func TestCreateAddress(t *testing.T) {
	ctx := context.Background()
	now := inviteNow()
	st := seededAt(t, now)
	state := storetest.Actor(t, st, "9800000001")
	d1 := storetest.Actor(t, st, "9800000002")
	d2 := storetest.Actor(t, st, "9800000005")
	mp, d1ID, d2ID := unitID(t, st, "MP"), unitID(t, st, "D1"), unitID(t, st, "D2")
	ev := addressEvent(t, st, "MP", "addr-1@test", now.Add(2*time.Hour))

	t.Run("WholeStatePerDistrict", func(t *testing.T) {
		a, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: ev, Speakers: "State President", ListenersPerRoom: 4})
		if err != nil {
			t.Fatal(err)
		}
		// 9 workers: 1 at state level (area MP), 6 in D1, 2 in D2.
		got := map[int64][2]int{}
		for _, ar := range a.Areas {
			got[ar.AreaID] = [2]int{ar.Audience, ar.Rooms}
		}
		want := map[int64][2]int{mp: {1, 1}, d1ID: {6, 2}, d2ID: {2, 1}}
		if len(got) != 3 || got[mp] != want[mp] || got[d1ID] != want[d1ID] || got[d2ID] != want[d2ID] {
			t.Fatalf("areas = %+v, want %v", a.Areas, want)
		}
		if a.ExpectedAudience != 9 || a.RoomState != store.RoomsPlanned || a.Plan.Cap != 4 || len(a.Plan.ListenerRooms()) != 4 {
			t.Fatalf("address = %+v", a)
		}
		room, err := a.Plan.RoomFor(42, d1ID)
		if err != nil || !strings.HasPrefix(room, schedule.ListenerRoomName(a.ID, d1ID, 1)[:len(room)-1]) {
			t.Fatalf("room for a D1 worker = %q, %v", room, err)
		}
		// Listed for the state and D1 (the address is the state's), found by event.
		if l, err := st.ListAddresses(ctx, state, 0); err != nil || len(l) != 1 || l[0].ID != a.ID {
			t.Fatalf("list = %v, %v", l, err)
		}
		if l, err := st.ListAddresses(ctx, d1, 0); err != nil || len(l) != 0 {
			t.Fatalf("district sees the state's address: %v, %v", l, err)
		}
		if _, err := st.FindAddressByEvent(ctx, d2, ev); schedule.ErrorCode(err) != schedule.ENOTFOUND {
			t.Fatalf("district finds the state's address: %v", err)
		}
		// Only an official who may write the address's unit speaks on it
		// and moderates it; the district gets ENOTFOUND, as for an
		// address it cannot see.
		if m, err := st.FindAddressToModerate(ctx, state, a.ID); err != nil || m.ID != a.ID {
			t.Fatalf("state moderates its address: %v", err)
		}
		for _, d := range []schedule.Actor{d1, d2} {
			if _, err := st.FindAddressToModerate(ctx, d, a.ID); schedule.ErrorCode(err) != schedule.ENOTFOUND {
				t.Fatalf("a district moderates the state's address: %v", err)
			}
		}
		// One address per event.
		if _, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: ev}); schedule.ErrorCode(err) != schedule.ECONFLICT {
			t.Fatalf("second address: %v", err)
		}
	})
	t.Run("ScopeAndExpected", func(t *testing.T) {
		ev2 := addressEvent(t, st, "MP", "addr-2@test", now.Add(3*time.Hour))
		a, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: ev2, ScopeUnitIDs: []int64{d2ID, unitID(t, st, "D2-A1")}, ExpectedAudience: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Areas) != 1 || a.Areas[0].AreaID != d2ID || a.Areas[0].Audience != 5000 || a.Areas[0].Rooms != 3 || a.Plan.Cap != schedule.DefaultListenersPerRoom {
			t.Fatalf("areas = %+v", a.Areas)
		}
		if len(a.ScopeUnitIDs) != 1 || a.ScopeUnitIDs[0] != d2ID {
			t.Fatalf("scope = %v (nested unit not dropped)", a.ScopeUnitIDs)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		meeting := insertEvent(t, st, "D1", "meet@test", now.Add(time.Hour))
		if _, err := st.CreateAddress(ctx, d1, store.AddressInput{EventID: meeting}); schedule.ErrorCode(err) != schedule.EINVALID || !strings.Contains(err.Error(), "address") {
			t.Fatalf("meeting event: %v", err)
		}
		ev3 := addressEvent(t, st, "D1", "addr-3@test", now.Add(time.Hour))
		if _, err := st.CreateAddress(ctx, d2, store.AddressInput{EventID: ev3}); schedule.ErrorCode(err) != schedule.ENOTFOUND {
			t.Fatalf("other district's event: %v", err)
		}
		if _, err := st.CreateAddress(ctx, d1, store.AddressInput{EventID: ev3, ScopeUnitIDs: []int64{d2ID}}); schedule.ErrorCode(err) != schedule.ENOTFOUND {
			t.Fatalf("scope outside actor: %v", err)
		}
		if _, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: ev3, ScopeUnitIDs: []int64{mp}}); schedule.ErrorCode(err) != schedule.EINVALID {
			t.Fatalf("scope above the event's unit: %v", err)
		}
		if _, err := st.CreateAddress(ctx, d1, store.AddressInput{EventID: ev3, ListenersPerRoom: schedule.MaxListenersPerRoom + 1}); schedule.ErrorCode(err) != schedule.EINVALID {
			t.Fatalf("cap too large: %v", err)
		}
	})
	t.Run("RoomStates", func(t *testing.T) {
		a, err := st.FindAddressByEvent(ctx, state, ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetAddressRooms(ctx, a.ID, store.RoomsCreating, "", now); err != nil {
			t.Fatal(err)
		}
		if err := st.SetAddressRooms(ctx, a.ID, store.RoomsFailed, "livekit unreachable", now); err != nil {
			t.Fatal(err)
		}
		if err := st.SetAddressRooms(ctx, a.ID, store.RoomsCreating, "", now); err != nil {
			t.Fatal(err)
		}
		if err := st.SetAddressRooms(ctx, a.ID, store.RoomsReady, "", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		a, _ = st.FindAddress(ctx, state, a.ID)
		if a.RoomState != store.RoomsReady || a.RoomAttempts != 2 || a.RoomsReadyAt == nil || !a.RoomsReadyAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("after ready: %+v", a)
		}
		if err := st.SetAddressRooms(ctx, a.ID, "bogus", "", now); schedule.ErrorCode(err) != schedule.EINVALID {
			t.Fatalf("bogus state: %v", err)
		}
		act, err := st.ActiveAddresses(ctx, now)
		if err != nil || len(act) != 2 {
			t.Fatalf("active = %d, %v", len(act), err)
		}
		// After both events ended, only the one whose rooms exist is active.
		later := now.Add(4 * time.Hour)
		if act, _ := st.ActiveAddresses(ctx, later); len(act) != 1 || act[0].ID != a.ID {
			t.Fatalf("after the end: %d active", len(act))
		}
		if err := st.SetAddressRooms(ctx, a.ID, store.RoomsClosed, "", later); err != nil {
			t.Fatal(err)
		}
		if act, _ := st.ActiveAddresses(ctx, later); len(act) != 0 {
			t.Fatalf("closed address still active: %d", len(act))
		}
	})
	t.Run("Invites", func(t *testing.T) {
		if _, err := st.SendInvites(ctx, state, ev, store.Audience{UnitIDs: []int64{mp}, Channel: schedule.ChannelSMS}); err != nil {
			t.Fatal(err)
		}
		var n int
		var first store.AddressInvite
		err := st.EachAddressInvite(ctx, ev, func(r *store.AddressInvite) error {
			if n == 0 {
				first = *r
			}
			n++
			return nil
		})
		stamp, serr := st.AddressInviteStamp(ctx, ev)
		if err != nil || serr != nil || n != 9 || stamp.Count != 9 || stamp.Revoked != 0 {
			t.Fatalf("invites %d, stamp %+v: %v %v", n, stamp, err, serr)
		}
		if err := st.RevokeInvite(ctx, state, first.InviteID); err != nil {
			t.Fatal(err)
		}
		evID, inv, err := st.AddressInviteByID(ctx, first.InviteID)
		if err != nil || evID != ev || !inv.Revoked || inv.WorkerID != first.WorkerID {
			t.Fatalf("by id: %d %+v %v", evID, inv, err)
		}
		if s2, _ := st.AddressInviteStamp(ctx, ev); s2.Revoked != 1 {
			t.Fatalf("stamp after revoke = %+v", s2)
		}
		if _, _, err := st.AddressInviteByID(ctx, 1<<40); schedule.ErrorCode(err) != schedule.ENOTFOUND {
			t.Fatalf("missing invite: %v", err)
		}
	})
}
