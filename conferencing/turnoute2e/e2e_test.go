// Package turnoute2e tests audio bridges and turnout end to end against a
// real livekit-server (with Redis for SIP), real livekit-sip and a real
// sipp call: the LiveKit side of issue 7's turnout, which lives here
// because only conferencing and its tests may import LiveKit.
package turnoute2e

import (
	"context"
	"github.com/karyakram/karyakram/app/bridges"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/conferencing"
	"github.com/karyakram/karyakram/conferencing/lktest"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

type fixture struct {
	st    *store.Store
	state schedule.Actor
	addr  int64
	d1    schedule.Unit
	d2    schedule.Unit
}

// newFixture seeds the small tree and a state-level address.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	sys := schedule.SystemActor("test")
	mp, _ := st.FindUnitByCode(ctx, sys, "MP")
	d1, _ := st.FindUnitByCode(ctx, sys, "D1")
	d2, _ := st.FindUnitByCode(ctx, sys, "D2")
	start := testclock.Now().UTC().Truncate(time.Minute)
	saved, err := st.CreateEvent(ctx, sys, schedule.Event{UnitID: mp.ID, Type: "address", Title: "State address",
		Venue: schedule.Venue{Name: "Bhopal"}, Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, state: storetest.Actor(t, st, "9800000001"), addr: saved.Event.ID, d1: d1, d2: d2}
	now := testclock.Now().UTC()
	err = st.DB().QueryRowContext(ctx, "INSERT INTO addresses (event_id, unit_path, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
		saved.Event.ID, mp.Path, now, now).Scan(&f.addr)
	if err != nil && !strings.Contains(strings.ToLower(err.Error()), "addresses") {
		t.Fatal(err) // a missing addresses table leaves the event id standing in
	}
	return f
}

// webServer serves karyakram with LiveKit webhooks verified by lktest's key.
func (f *fixture) webServer(t *testing.T, prov schedule.BridgeProvisioner) *httptest.Server {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	wh, err := conferencing.NewWebhooks(lktest.APIKey, lktest.APISecret, log)
	if err != nil {
		t.Fatal(err)
	}
	au := auth.New(f.st, auth.LogSender{Store: f.st, Log: log}, []byte("k"), auth.DefaultPolicy(), log)
	s, err := web.New(f.st, au, web.Config{Turnout: web.TurnoutConfig{Webhooks: wh, Bridges: prov}}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

func lkConfig(lk *lktest.Server) conferencing.Config {
	return conferencing.Config{URL: lk.URL(), APIKey: lktest.APIKey, APISecret: lktest.APISecret}
}

// waitTurnout polls the store's turnout until ok or the timeout.
func (f *fixture) waitTurnout(t *testing.T, what string, timeout time.Duration, ok func(store.Turnout) bool) store.Turnout {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		tu, err := f.st.Turnout(context.Background(), f.state, f.addr, 0, testclock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if ok(tu) {
			return tu
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached in %v; turnout %+v districts %+v", what, timeout, tu.Total, tu.Districts)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func district(tu store.Turnout, id int64) store.TurnoutRow {
	for _, r := range tu.Districts {
		if r.UnitID == id {
			return r
		}
	}
	return store.TurnoutRow{}
}

func TestBridgesCreatedListedDeletedOnLiveKit(t *testing.T) {
	lk := lktest.Start(t, lktest.WithRedis())
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sip, err := conferencing.NewSIPClient(lkConfig(lk), nil, conferencing.Backoff{MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	prov := conferencing.Bridges{SIP: sip}
	pool, _ := schedule.ParseBridgeNumbers("+918000000001")
	rep, err := bridges.Provision(ctx, f.st, f.state, f.addr, "", pool, prov, testclock.Now())
	if err != nil || rep.Ready != 2 || rep.Failed != 0 {
		t.Fatalf("provision: %+v %v", rep, err)
	}
	trunks, err := sip.ListInboundTrunks(ctx, "+918000000001")
	if err != nil || len(trunks) != 1 {
		t.Fatalf("trunks on the number: %+v %v", trunks, err)
	}
	rules, err := sip.ListPINRules(ctx, trunks[0].ID)
	if err != nil || len(rules) != 2 {
		t.Fatalf("PIN rules: %+v %v", rules, err)
	}
	byPIN := map[string]conferencing.PINRule{}
	for _, r := range rules {
		byPIN[r.PIN] = r
	}
	for _, b := range rep.Bridges {
		r, ok := byPIN[b.PIN]
		if !ok || r.Room != b.Room || r.ID != b.RuleID || b.TrunkID != trunks[0].ID {
			t.Errorf("bridge %s (PIN %s → %s) not on the server as recorded: %+v", b.UnitCode, b.PIN, b.Room, r)
		}
	}
	// provisioning again changes nothing on the server
	if rep2, err := bridges.Provision(ctx, f.st, f.state, f.addr, "", pool, prov, testclock.Now()); err != nil || rep2.Ready != 2 {
		t.Fatalf("again: %+v %v", rep2, err)
	}
	if rules, _ := sip.ListPINRules(ctx, trunks[0].ID); len(rules) != 2 {
		t.Errorf("after a second provisioning: %d rules", len(rules))
	}
	if n, err := bridges.Remove(ctx, f.st, f.state, f.addr, prov); err != nil || n != 2 {
		t.Fatalf("delete: %d %v", n, err)
	}
	if rules, err := sip.ListPINRules(ctx); err != nil || len(rules) != 0 {
		t.Errorf("rules left: %+v %v", rules, err)
	}
	if trunks, err := sip.ListInboundTrunks(ctx); err != nil || len(trunks) != 0 {
		t.Errorf("trunks left: %+v %v", trunks, err)
	}
}

func TestWebhooksFromLiveKitBecomeTurnout(t *testing.T) {
	f := newFixture(t)
	srv := f.webServer(t, nil)
	lk := lktest.Start(t, lktest.WithWebhooks(srv.URL+"/webhooks/livekit"))
	var ram int64
	if err := f.st.DB().QueryRow("SELECT id FROM workers WHERE mobile LIKE ?", "%9811111111").Scan(&ram); err != nil {
		t.Fatal(err)
	}
	m, _ := conferencing.NewMinter(lktest.APIKey, lktest.APISecret)
	room := schedule.ListenerRoomName(f.addr, f.d1.ID, 1)
	tok, err := m.Mint(conferencing.TokenRequest{Identity: schedule.ListenerIdentity(ram), Name: "राम कुमार", Room: room, Role: conferencing.RoleListener})
	if err != nil {
		t.Fatal(err)
	}
	r, err := lksdk.ConnectToRoomWithToken(lk.WSURL(), tok, &lksdk.RoomCallback{}, lksdk.WithAutoSubscribe(false))
	if err != nil {
		t.Fatal(err)
	}
	tu := f.waitTurnout(t, "join counted", 20*time.Second, func(tu store.Turnout) bool { return tu.Total.Online == 1 })
	if d := district(tu, f.d1.ID); d.Joined != 1 || d.Online != 1 || district(tu, f.d2.ID).Joined != 0 {
		t.Errorf("D1 %+v, D2 %+v", d, district(tu, f.d2.ID))
	}
	var m1 store.TurnoutRow
	for _, r := range tu.Mandals {
		if r.Code == "D1-A1-M1" {
			m1 = r
		}
	}
	if m1.Joined != 1 {
		t.Errorf("mandal M1 (Ram's booth) joined %d", m1.Joined)
	}
	r.Disconnect()
	tu = f.waitTurnout(t, "leave counted", 20*time.Second, func(tu store.Turnout) bool { return tu.Total.Online == 0 })
	if tu.Total.Joined != 1 || tu.Peak != 1 {
		t.Errorf("after leaving: %+v peak %d", tu.Total, tu.Peak)
	}
}

func TestPhoneCallCountedInDistrictTurnout(t *testing.T) {
	lktest.RequireSipp(t)
	f := newFixture(t)
	srv := f.webServer(t, nil)
	lk := lktest.Start(t, lktest.WithRedis(), lktest.WithWebhooks(srv.URL+"/webhooks/livekit"))
	sipSrv := lktest.StartSIP(t, lk)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	sip, _ := conferencing.NewSIPClient(lkConfig(lk), nil, conferencing.Backoff{MaxAttempts: 3})
	rooms, _ := conferencing.NewRooms(lkConfig(lk), nil, conferencing.Backoff{MaxAttempts: 3})
	const number = "+918000000012"
	pool, _ := schedule.ParseBridgeNumbers(number)
	prov := conferencing.Bridges{SIP: sip}
	var rep store.BridgeReport
	var d2 store.BridgeRecord
	// sipp replays the same DTMF capture for a repeated digit, identical
	// RTP events that livekit-sip rightly takes as one key press; a real
	// phone does not. Draw PINs until D2's has no digit twice in a row.
	for try := 0; d2.PIN == "" || repeatsDigit(d2.PIN); try++ {
		if try > 0 {
			if _, err := bridges.Remove(ctx, f.st, f.state, f.addr, prov); err != nil {
				t.Fatal(err)
			}
		}
		var err error
		if rep, err = bridges.Provision(ctx, f.st, f.state, f.addr, "", pool, prov, testclock.Now()); err != nil || rep.Ready != 2 {
			t.Fatalf("provision: %+v %v", rep, err)
		}
		for _, b := range rep.Bridges {
			if b.UnitID == f.d2.ID {
				d2 = b
			}
		}
	}
	for _, b := range rep.Bridges {
		if _, err := rooms.Ensure(ctx, conferencing.RoomSpec{Name: b.Room}); err != nil {
			t.Fatal(err)
		}
	}
	call := lktest.DialWithPIN(ctx, t, sipSrv, number, d2.PIN, 6*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(sipSrv.LogPath())
			t.Logf("sipp:\n%s\nlivekit-sip log (tail):\n%s", call.Output(), b[max(0, len(b)-8000):])
		}
	})
	tu := f.waitTurnout(t, "phone caller counted in D2", 45*time.Second, func(tu store.Turnout) bool { return district(tu, f.d2.ID).ByPhone == 1 })
	if d := district(tu, f.d2.ID); d.Joined != 1 || district(tu, f.d1.ID).Joined != 0 {
		t.Errorf("D2 %+v D1 %+v", d, district(tu, f.d1.ID))
	}
	if err := <-call.Done(); err != nil {
		t.Logf("sipp: %v\n%s", err, call.Output())
	}
	f.waitTurnout(t, "caller hung up", 30*time.Second, func(tu store.Turnout) bool { return tu.Total.Online == 0 && tu.Total.ByPhone == 1 })
}

func repeatsDigit(pin string) bool {
	for i := 1; i < len(pin); i++ {
		if pin[i] == pin[i-1] {
			return true
		}
	}
	return false
}
