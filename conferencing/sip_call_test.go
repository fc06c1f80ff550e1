package conferencing

import (
	"context"
	"github.com/karyakram/karyakram/schedule"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/karyakram/karyakram/conferencing/lktest"
)

func TestRealCallThroughAudioBridge(t *testing.T) {
	lktest.RequireSipp(t)

	wh, _ := NewWebhooks(lktest.APIKey, lktest.APISecret, nil)
	turnout := newPresenceLog()
	hooks := httptest.NewServer(wh.Handler(turnout.record))
	defer hooks.Close()

	lk := lktest.Start(t, lktest.WithRedis(), lktest.WithWebhooks(hooks.URL))
	sipSrv := lktest.StartSIP(t, lk)
	cfg := testConfig(lk.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	rooms, _ := NewRooms(cfg, nil, Backoff{MaxAttempts: 3})
	if _, err := rooms.Ensure(ctx, RoomSpec{Name: "addr-7-d12-1"}); err != nil {
		t.Fatal(err)
	}
	sip, _ := NewSIPClient(cfg, nil, Backoff{MaxAttempts: 3})
	const number, pin = "+918000000012", "4829"
	if _, _, err := sip.EnsureBridge(ctx, Bridge{Name: "addr-7-d12", Number: number, Room: "addr-7-d12-1", PIN: pin}); err != nil {
		t.Fatal(err)
	}

	// A wrong PIN: livekit-sip says so and hangs up; nobody joins the room.
	wrong := lktest.DialWithPIN(ctx, t, sipSrv, number, "0000", 8*time.Second)
	select {
	case <-wrong.Done(): // sipp fails on the unexpected BYE; that is the point
	case <-time.After(40 * time.Second):
		wrong.DumpLogs(t, sipSrv)
		t.Fatal("call with a wrong PIN was not hung up within 40s")
	}
	if resp, err := lksdk.NewRoomServiceClient(lk.URL(), cfg.APIKey, cfg.APISecret).ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: "addr-7-d12-1"}); err != nil || len(resp.GetParticipants()) != 0 {
		t.Fatalf("after a wrong PIN the room has %v (err %v)", resp.GetParticipants(), err)
	}
	if !strings.Contains(readFile(sipSrv.LogPath()), `"wrong-pin"`) && !strings.Contains(readFile(sipSrv.LogPath()), "wrong pin") {
		t.Errorf("livekit-sip did not reject the wrong PIN:\n%s", lastN(readFile(sipSrv.LogPath()), 3000))
	}
	if n := turnout.count(); n != 0 {
		t.Errorf("turnout recorded %d presences after a wrong PIN: %+v", n, turnout.seen)
	}

	call := lktest.DialWithPIN(ctx, t, sipSrv, number, pin, 8*time.Second)
	dumpLogs := func() { call.DumpLogs(t, sipSrv) }

	// The caller, PIN accepted, shows up in the district's listener room as a
	// SIP participant publishing the call's audio.
	rs := lksdk.NewRoomServiceClient(lk.URL(), cfg.APIKey, cfg.APISecret)
	var caller *livekit.ParticipantInfo
	deadline := time.Now().Add(40 * time.Second)
	for caller == nil {
		if time.Now().After(deadline) {
			dumpLogs()
			t.Fatalf("no SIP participant in addr-7-d12-1 after 40s; sipp output:\n%s", call.Output())
		}
		resp, err := rs.ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: "addr-7-d12-1"})
		if err == nil {
			for _, p := range resp.GetParticipants() {
				// Joined and publishing the phone audio into the room.
				if strings.HasPrefix(p.GetIdentity(), "sip_") && len(p.GetTracks()) > 0 && p.GetTracks()[0].GetType() == livekit.TrackType_AUDIO {
					caller = p
				}
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	if caller.GetKind() != livekit.ParticipantInfo_SIP {
		t.Errorf("caller kind = %v, want SIP", caller.GetKind())
	}

	// And is counted in turnout through the webhook.
	timeout := time.After(20 * time.Second)
	for counted := false; !counted; {
		select {
		case p := <-turnout.ch:
			counted = p.Kind == schedule.Joined && p.SIP && p.Room == "addr-7-d12-1" && p.Identity == caller.GetIdentity()
		case <-timeout:
			t.Fatalf("no SIP join webhook for %s; got %+v", caller.GetIdentity(), turnout.seen)
		}
	}

	if err := <-call.Done(); err != nil {
		dumpLogs()
		t.Errorf("sipp: %v\n%s", err, call.Output())
	}
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

func lastN(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
