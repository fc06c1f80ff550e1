package e2e_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// stateAddress seeds a store and plans a state address (starting in five
// minutes) for D1's workers, four listeners a room, so D1's six workers get
// two listener rooms. It returns the store, the state office and the
// address.
func stateAddress(ctx context.Context, t *testing.T, title, titleHi string) (*store.Store, schedule.Actor, store.MassAddress) {
	t.Helper()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	state := storetest.Actor(t, st, "9800000001")
	mp, _ := st.FindUnitByCode(ctx, state, "MP")
	d1, _ := st.FindUnitByCode(ctx, state, "D1")
	start := testclock.Now().Add(5 * time.Minute)
	saved, err := st.CreateEvent(ctx, state, schedule.Event{UnitID: mp.ID, Type: store.AddressEventType, Title: title, TitleHi: titleHi, Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: saved.Event.ID, Speakers: "State President", ScopeUnitIDs: []int64{d1.ID}, ListenersPerRoom: 4})
	if err != nil {
		t.Fatal(err)
	}
	return st, state, a
}

// joinServer is the real web server over st with the join and stage pages
// mounted with join; signer signs its personal links.
func joinServer(t *testing.T, st *store.Store, join web.JoinConfig, log *slog.Logger) (*web.Server, *schedule.Signer) {
	t.Helper()
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log)
	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: bytes.Repeat([]byte("e"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(st, au, web.Config{Invite: web.InviteConfig{Signer: signer}, Join: join}, log)
	if err != nil {
		t.Fatal(err)
	}
	return srv, signer
}
