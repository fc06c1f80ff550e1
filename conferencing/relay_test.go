package conferencing

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/karyakram/karyakram/conferencing/lktest"
	"github.com/karyakram/karyakram/schedule"
)

// publishSyntheticAudio joins room as a speaker and sends a 20ms Opus frame
// every 20ms until ctx ends. The payload is not real speech; LiveKit
// forwards RTP without decoding it.
func publishSyntheticAudio(ctx context.Context, t *testing.T, url string, m *Minter, room string) *lksdk.Room {
	t.Helper()
	tok, err := m.Mint(TokenRequest{Identity: "speaker-1", Name: "Speaker", Room: room, Role: RoleSpeaker})
	if err != nil {
		t.Fatal(err)
	}
	r, err := lksdk.ConnectToRoomWithToken(url, tok, lksdk.NewRoomCallback(), lksdk.WithAutoSubscribe(false))
	if err != nil {
		t.Fatalf("speaker joins stage: %v", err)
	}
	track, err := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{Name: "mic", Source: livekit.TrackSource_MICROPHONE}); err != nil {
		t.Fatalf("speaker publishes: %v", err)
	}
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		frame := make([]byte, 80)
		frame[0] = 0x78 // Opus TOC: SILK-only wideband 20ms, mono, one frame
		for i := 1; ; i++ {
			frame[1+i%79] = byte(i)
			if err := track.WriteSample(media.Sample{Data: frame, Duration: 20 * time.Millisecond}, nil); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return r
}

// listen joins room as a listener and counts RTP packets received from
// the relay.
func listen(t *testing.T, url string, m *Minter, room, identity string, packets *atomic.Int64) *lksdk.Room {
	t.Helper()
	tok, err := m.Mint(TokenRequest{Identity: identity, Room: room, Role: RoleListener})
	if err != nil {
		t.Fatal(err)
	}
	cb := lksdk.NewRoomCallback()
	cb.OnTrackSubscribed = func(track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
		if rp.Identity() != schedule.RelayIdentity {
			t.Errorf("%s subscribed to %s, want only the relay", identity, rp.Identity())
		}
		go func() {
			for {
				if _, _, err := track.ReadRTP(); err != nil {
					return
				}
				packets.Add(1)
			}
		}()
	}
	r, err := lksdk.ConnectToRoomWithToken(url, tok, cb)
	if err != nil {
		t.Fatalf("%s joins %s: %v", identity, room, err)
	}
	return r
}

func TestRelayCarriesStageAudioIntoListenerRooms(t *testing.T) {
	srv := lktest.Start(t)
	cfg := testConfig(srv.URL())
	m, _ := NewMinter(cfg.APIKey, cfg.APISecret)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	plan, err := schedule.PlanAddress(11, map[int64]int{4: 3000}, 2000) // two listener rooms
	if err != nil {
		t.Fatal(err)
	}
	rooms, _ := NewRooms(cfg, nil, Backoff{MaxAttempts: 3})
	if _, err := rooms.EnsurePlan(ctx, plan, 0, 0); err != nil {
		t.Fatal(err)
	}
	listenerRooms := plan.ListenerRooms()
	if len(listenerRooms) != 2 {
		t.Fatalf("plan has %d listener rooms", len(listenerRooms))
	}

	speaker := publishSyntheticAudio(ctx, t, srv.WSURL(), m, plan.Stage)
	defer speaker.Disconnect()

	relay, err := NewRelay(cfg, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	relayCtx, stopRelay := context.WithCancel(ctx)
	relayDone := make(chan error, 1)
	go func() { relayDone <- relay.Run(relayCtx, plan.Stage, listenerRooms) }()

	var a, b atomic.Int64
	la := listen(t, srv.WSURL(), m, listenerRooms[0], "w-1", &a)
	defer la.Disconnect()
	lb := listen(t, srv.WSURL(), m, listenerRooms[1], "w-2", &b)
	defer lb.Disconnect()

	deadline := time.Now().Add(30 * time.Second)
	for a.Load() < 50 || b.Load() < 50 {
		if time.Now().After(deadline) {
			t.Fatalf("listeners got %d and %d packets in 30s (relay %+v)", a.Load(), b.Load(), relay.Stats())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if s := relay.Stats(); s.Tracks != 1 || s.Packets < 50 {
		t.Errorf("relay stats = %+v", s)
	}

	// The relay is invisible on the stage and cannot listen in listener rooms.
	rs := lksdk.NewRoomServiceClient(srv.URL(), cfg.APIKey, cfg.APISecret)
	onStage, err := rs.GetParticipant(ctx, &livekit.RoomParticipantIdentity{Room: plan.Stage, Identity: schedule.RelayIdentity})
	if err != nil {
		t.Fatal(err)
	}
	if p := onStage.GetPermission(); !p.GetHidden() || p.GetCanPublish() {
		t.Errorf("relay on stage: %+v", p)
	}
	inRoom, err := rs.GetParticipant(ctx, &livekit.RoomParticipantIdentity{Room: listenerRooms[1], Identity: schedule.RelayIdentity})
	if err != nil {
		t.Fatal(err)
	}
	if p := inRoom.GetPermission(); p.GetCanSubscribe() || !p.GetCanPublish() || len(inRoom.GetTracks()) != 1 {
		t.Errorf("relay in listener room: %+v tracks %d", p, len(inRoom.GetTracks()))
	}

	stopRelay()
	select {
	case err := <-relayDone:
		if err != nil {
			t.Errorf("relay Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("relay did not stop within 15s of cancel")
	}
}

func TestRelayServeStartsWhenServerComesUp(t *testing.T) {
	srv := lktest.New(t) // not running yet
	cfg := testConfig(srv.URL())
	m, _ := NewMinter(cfg.APIKey, cfg.APISecret)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	relay, _ := NewRelay(cfg, m, nil)
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan struct{})
	go func() {
		relay.Serve(serveCtx, "late-stage", []string{"late-l1"}, Backoff{Initial: 50 * time.Millisecond, Max: 300 * time.Millisecond})
		close(served)
	}()
	time.Sleep(time.Second) // Serve keeps failing to join meanwhile

	srv.Start()
	speaker := publishSyntheticAudio(ctx, t, srv.WSURL(), m, "late-stage")
	defer speaker.Disconnect()
	var got atomic.Int64
	l := listen(t, srv.WSURL(), m, "late-l1", "w-9", &got)
	defer l.Disconnect()

	deadline := time.Now().Add(30 * time.Second)
	for got.Load() < 50 {
		if time.Now().After(deadline) {
			t.Fatalf("listener got %d packets in 30s after the server came up (relay %+v)", got.Load(), relay.Stats())
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	select {
	case <-served:
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}
