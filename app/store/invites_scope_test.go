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

// A district official must not be able to revoke (or learn of) invites to
// an event outside their scope, even when the invitee is one of their own
// workers: the state office invited D1's people to a state event.
func TestRevokeInviteOfOutOfScopeEvent(t *testing.T) {
	ctx := context.Background()
	now := inviteNow()
	st := seededAt(t, now)
	state := storetest.Actor(t, st, "9800000001")
	d1 := storetest.Actor(t, st, "9800000002")
	ev := insertEvent(t, st, "MP", "ev-state@test", now.Add(72*time.Hour))
	inviteD1(t, st, state, ev)
	rows, _, err := st.ListInvites(ctx, state, ev, store.InviteFilter{})
	if err != nil || len(rows) == 0 {
		t.Fatalf("list: %v %v", rows, err)
	}
	inv := rows[0].ID
	if _, err := st.FindInviteEvent(ctx, d1, ev); schedule.ErrorCode(err) != schedule.ENOTFOUND {
		t.Fatalf("precondition: D1 must not see the state event: %v", err)
	}
	if err := st.RevokeInvite(ctx, d1, inv); schedule.ErrorCode(err) != schedule.ENOTFOUND {
		t.Fatalf("D1 revoking an invite to a state event: err = %v, want not found", err)
	}
	c, err := st.InviteCounts(ctx, state, ev)
	if err != nil || c.Revoked != 0 {
		t.Fatalf("counts after refused revoke = %+v, %v", c, err)
	}
	// The state office still can.
	if err := st.RevokeInvite(ctx, state, inv); err != nil {
		t.Fatal(err)
	}
}

// Letters and attendance sheets carry unmasked mobiles; a worker who has
// since moved out of the viewer's scope must come out masked.
func TestInviteesMaskWorkersMovedOutOfScope(t *testing.T) {
	ctx := context.Background()
	now := inviteNow()
	st := seededAt(t, now)
	state := storetest.Actor(t, st, "9800000001")
	d1 := storetest.Actor(t, st, "9800000002")
	ev := insertEvent(t, st, "D1", "ev-move@test", now.Add(72*time.Hour))
	inviteD1(t, st, d1, ev)
	ws, _, err := st.FindWorkers(ctx, state, schedule.WorkerFilter{UnitID: unitID(t, st, "D1-A1-M2-C1-S1-B1")})
	if err != nil || len(ws) != 1 {
		t.Fatalf("Mohan Lal: %v %v", ws, err)
	}
	mohan := ws[0]
	d2Booth := unitID(t, st, "D2-A1-M1-C1-S1-B1")
	if _, err := st.UpdateWorker(ctx, state, mohan.ID, schedule.WorkerPatch{UnitID: &d2Booth}); err != nil {
		t.Fatal(err)
	}
	people, err := st.Invitees(ctx, d1, ev, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, p := range people {
		switch p.Name {
		case mohan.Name:
			if p.Mobile == mohan.Mobile || p.Mobile != schedule.MaskMobile(mohan.Mobile) {
				t.Errorf("moved worker's mobile shown to D1 as %q", p.Mobile)
			}
		default:
			seen++
			if p.Mobile == "" || strings.Contains(p.Mobile, "*") {
				t.Errorf("own worker %s mobile %q", p.Name, p.Mobile)
			}
		}
	}
	if seen != 5 {
		t.Fatalf("D1 invitees = %+v", people)
	}
	// The state office owns everyone and sees the full number.
	all, err := st.Invitees(ctx, state, ev, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Name == mohan.Name && p.Mobile != mohan.Mobile {
			t.Errorf("state sees %q, want %q", p.Mobile, mohan.Mobile)
		}
	}
}
