package e2e_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/conferencing"
	"github.com/karyakram/karyakram/conferencing/lktest"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// speak joins the stage as a speaker and sends a 20 ms Opus frame every
// 20 ms until ctx ends (synthetic payload: LiveKit forwards RTP without
// decoding it).
func speak(ctx context.Context, t *testing.T, url, stage string) {
	t.Helper()
	m, err := conferencing.NewMinter(lktest.APIKey, lktest.APISecret)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := m.Mint(conferencing.TokenRequest{Identity: "speaker-1", Name: "Speaker", Room: stage, Role: conferencing.RoleSpeaker})
	if err != nil {
		t.Fatal(err)
	}
	r, err := lksdk.ConnectToRoomWithToken(url, tok, lksdk.NewRoomCallback(), lksdk.WithAutoSubscribe(false))
	if err != nil {
		t.Fatalf("speaker joins the stage: %v", err)
	}
	t.Cleanup(r.Disconnect)
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
		frame[0] = 0x78
		for i := 1; ; i++ {
			frame[1+i%79] = byte(i)
			if track.WriteSample(media.Sample{Data: frame, Duration: 20 * time.Millisecond}, nil) != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// pageState is what the join page reports about itself.
type pageState struct {
	State   string `json:"state"`
	Phase   string `json:"phase"`
	Room    string `json:"room"`
	Bytes   int64  `json:"bytes"`
	Packets int64  `json:"packets"`
	Error   string `json:"error"`
}

const pageStateJS = `(() => { const j = document.getElementById('join'); if (!j) return {state: 'no-join'};
  return {state: document.body.dataset.state || '', phase: j.dataset.phase, room: j.dataset.room,
    bytes: Number(j.dataset.bytes || 0), packets: Number(j.dataset.packets || 0), error: j.dataset.error || ''}; })()`

// TestJoinLinkInChromiumHearsTheStage is issue 7's end-to-end test: an
// address with two listener rooms, rooms and relay started by the
// scheduler against a real livekit-server, a synthetic speaker on the
// stage, and headless Chromium opening a worker's join link: the browser
// joins that worker's district room and receives the relayed audio.
func TestJoinLinkInChromiumHearsTheStage(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode")
	}
	br := startBrowser(t)
	lk := lktest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	log := slog.New(slog.DiscardHandler)

	// An address for D1's workers, four listeners a room: D1's six workers
	// get two listener rooms.
	st, state, a := stateAddress(ctx, t, "State address", "प्रदेश संबोधन")
	d1, _ := st.FindUnitByCode(ctx, state, "D1")
	if err := st.SaveInviteSettings(ctx, state, a.EventID, store.InviteSettings{BridgeNumber: "+917554000000", BridgePIN: "123456"}); err != nil {
		t.Fatal(err)
	}
	if rooms := a.Plan.ListenerRooms(); len(rooms) != 2 {
		t.Fatalf("listener rooms = %v, want 2", rooms)
	}
	if _, err := st.SendInvites(ctx, state, a.EventID, store.Audience{UnitIDs: []int64{d1.ID}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}

	// The scheduler creates the rooms, then starts the relay.
	conf, err := conferencing.NewConference(conferencing.Config{URL: lk.URL(), APIKey: lktest.APIKey, APISecret: lktest.APISecret}, log)
	if err != nil {
		t.Fatal(err)
	}
	dir := addresses.NewDirectory(st, 0, 0, log)
	sch, err := addresses.NewScheduler(addresses.SchedulerConfig{Store: st, Conference: conf, Directory: dir, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer sch.Stop()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if err := sch.Tick(ctx, testclock.Now()); err != nil {
			t.Fatal(err)
		}
		if sch.Relaying(a.ID) {
			break
		}
		if time.Now().After(deadline) {
			got, _ := st.FindAddress(ctx, state, a.ID)
			t.Fatalf("relay not started: rooms %s %s", got.RoomState, got.RoomError)
		}
	}
	rooms, err := conf.Rooms().List(ctx, append(a.Plan.ListenerRooms(), a.Plan.Stage)...)
	if err != nil || len(rooms) != 3 {
		t.Fatalf("rooms on livekit-server: %v, %v", rooms, err)
	}
	for _, r := range rooms {
		if r.Name != a.Plan.Stage && r.MaxParticipants != a.Plan.RoomLimit {
			t.Fatalf("room %s max participants %d, want %d", r.Name, r.MaxParticipants, a.Plan.RoomLimit)
		}
	}
	speak(ctx, t, lk.URL(), a.Plan.Stage)

	// The join page, served by the real web server.
	srv, signer := joinServer(t, st, web.JoinConfig{Directory: dir, Mint: conf.MintListener, LiveKitURL: lk.WSURL()}, log)
	hs := httptest.NewServer(srv)
	defer hs.Close()

	// A D1 worker's link.
	var inv store.AddressInvite
	err = st.EachAddressInvite(ctx, a.EventID, func(r *store.AddressInvite) error {
		if r.WorkerID > inv.WorkerID {
			inv = *r
		}
		return nil
	})
	if err != nil || inv.InviteID == 0 {
		t.Fatalf("no invite: %v", err)
	}
	room, err := a.Plan.RoomFor(inv.WorkerID, d1.ID)
	if err != nil {
		t.Fatal(err)
	}
	token, err := signer.Sign(schedule.LinkClaims{InviteID: inv.InviteID, EventID: a.EventID, LinkVersion: 1, Expires: testclock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	br.Navigate(ctx, hs.URL+"/j/"+token)
	var ps pageState
	for deadline := time.Now().Add(20 * time.Second); ps.State != "ready"; time.Sleep(100 * time.Millisecond) {
		if err := br.Eval(ctx, pageStateJS, &ps); err != nil && time.Now().After(deadline) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("join page not ready: %+v", ps)
		}
	}
	if ps.Room != room || ps.Phase != "open" {
		t.Fatalf("page: %+v, want room %s", ps, room)
	}
	// One tap.
	if err := br.Eval(ctx, `document.getElementById('listen').click(), true`, nil); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ps.State != "live" || ps.Packets < 50 || ps.Bytes < 2000; time.Sleep(250 * time.Millisecond) {
		if err := br.Eval(ctx, pageStateJS, &ps); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser did not receive the stage audio: %+v\nlivekit log: %s", ps, lk.LogPath())
		}
	}
	t.Logf("browser: %+v", ps)

	// LiveKit sees the browser in the worker's district room, next to the
	// relay publishing audio, and not in the other room.
	identity := schedule.ListenerIdentity(inv.WorkerID)
	ps2, err := conf.Rooms().Participants(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	var sawBrowser, sawRelayAudio bool
	for _, p := range ps2 {
		switch p.Identity {
		case identity:
			sawBrowser = len(p.Tracks) == 0 // listeners publish nothing
		case schedule.RelayIdentity:
			sawRelayAudio = slices.ContainsFunc(p.Tracks, func(tr schedule.TrackInfo) bool { return tr.Audio })
		}
	}
	if !sawBrowser || !sawRelayAudio {
		t.Fatalf("room %s participants %+v: browser %v, relay audio %v", room, ps2, sawBrowser, sawRelayAudio)
	}
	for _, other := range a.Plan.ListenerRooms() {
		if other == room {
			continue
		}
		ps3, err := conf.Rooms().Participants(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(ps3, func(p schedule.Participant) bool { return p.Identity == identity }) {
			t.Fatalf("browser also in %s", other)
		}
	}

	dirOut := os.Getenv("KARYAKRAM_ARTIFACTS")
	if dirOut == "" {
		dirOut = t.TempDir()
	}
	shot := filepath.Join(dirOut, "join-page.png")
	if err := br.Screenshot(ctx, shot); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 1000 {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)

	// LiveKit goes down mid-speech: the page says it is reconnecting and
	// keeps offering the audio bridge.
	lk.Stop()
	var bridgeShown bool
	for deadline := time.Now().Add(30 * time.Second); ps.State != "reconnecting" || !bridgeShown; time.Sleep(250 * time.Millisecond) {
		if err := br.Eval(ctx, pageStateJS, &ps); err != nil {
			t.Fatal(err)
		}
		if err := br.Eval(ctx, `(() => { const b = document.getElementById('bridge'); return !!b && b.offsetParent !== null && b.textContent.includes('+917554000000'); })()`, &bridgeShown); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("page after LiveKit went down: %+v, bridge shown %v", ps, bridgeShown)
		}
	}
	if err := br.Screenshot(ctx, filepath.Join(dirOut, "join-page-reconnecting.png")); err != nil {
		t.Fatal(err)
	}
}
