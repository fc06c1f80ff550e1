package web_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/conferencing"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// fakeRooms is a LiveKit room service in memory: rooms of participants.
type fakeRooms struct {
	mu    sync.Mutex
	rooms map[string][]schedule.Participant
	calls []string
}

func (f *fakeRooms) Participants(_ context.Context, room string) ([]schedule.Participant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]schedule.Participant(nil), f.rooms[room]...), nil
}

func (f *fakeRooms) Mute(_ context.Context, room, identity string, muted bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "mute "+room+" "+identity)
	for i, p := range f.rooms[room] {
		if p.Identity == identity {
			for k := range p.Tracks {
				f.rooms[room][i].Tracks[k].Muted = muted
			}
		}
	}
	return nil
}

func (f *fakeRooms) Remove(_ context.Context, room, identity string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "remove "+room+" "+identity)
	ps := f.rooms[room][:0]
	for _, p := range f.rooms[room] {
		if p.Identity != identity {
			ps = append(ps, p)
		}
	}
	f.rooms[room] = ps
	return nil
}

// newStageEnv is a join environment whose JoinConfig is cfg (LiveKit off
// when cfg has no MintSpeaker and Rooms).
func newStageEnv(t *testing.T, cfg web.JoinConfig) *joinEnv {
	t.Helper()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	log := slog.New(slog.DiscardHandler)
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log)
	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 3, Secret: bytes.Repeat([]byte("s"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Directory = addresses.NewDirectory(st, 0, 0, log)
	s, err := web.New(st, au, web.Config{Invite: web.InviteConfig{Signer: signer}, Join: cfg}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &joinEnv{env: &env{t: t, st: st, srv: srv}, t: t, signer: signer, dir: cfg.Directory, state: storetest.Actor(t, st, "9800000001"), handler: s}
}

func TestStageAndModerationWithoutLiveKit(t *testing.T) {
	je := newStageEnv(t, web.JoinConfig{})
	a, _ := je.address("stage-off", testclock.Now().Add(time.Hour), "")
	id := strconv.FormatInt(a.ID, 10)
	state := je.browser()
	state.login("9800000001")

	resp, doc := state.get("/addresses/" + id + "/stage")
	if resp.StatusCode != 503 || !strings.Contains(doc.Find("#stage-off").Text(), "LiveKit") || doc.Find("#stage").Length() != 0 {
		t.Fatalf("stage without LiveKit: %d %q", resp.StatusCode, doc.Find("#stage-off").Text())
	}
	// The address page says why, and does not link the console that cannot
	// work (the crawl treats such a link as dead).
	resp, doc = state.get("/addresses/" + id)
	if resp.StatusCode != 200 || !strings.Contains(doc.Find("#moderation-off").Text(), "LiveKit") || doc.Find("#stage-link").Length() != 0 {
		t.Fatalf("address page without LiveKit: %d %q", resp.StatusCode, doc.Find("#moderation-off").Text())
	}
	resp, doc = state.post("/addresses/"+id+"/moderate", url.Values{"room": {a.Plan.Stage}, "identity": {"s-1"}, "action": {"remove"}})
	if resp.StatusCode != 503 || !strings.Contains(doc.Text(), "LiveKit") {
		t.Fatalf("moderate without LiveKit: %d", resp.StatusCode)
	}

	// A district official may see the state's address but not speak on it
	// or moderate it.
	d1 := je.browser()
	d1.login("9800000002")
	if resp, _ := d1.get("/addresses/" + id + "/stage"); resp.StatusCode != 404 {
		t.Fatalf("district official on the stage: %d", resp.StatusCode)
	}
	if resp, doc := d1.get("/addresses/" + id); resp.StatusCode == 200 && (doc.Find("#moderation").Length() != 0 || doc.Find("#stage-link").Length() != 0) {
		t.Fatal("district official sees the moderation")
	}
	if resp, _ := d1.post("/addresses/"+id+"/moderate", url.Values{"room": {a.Plan.Stage}, "identity": {"s-1"}, "action": {"remove"}}); resp.StatusCode != 404 {
		t.Fatalf("district official moderates: %d", resp.StatusCode)
	}
}

func TestStageAndModerationWithFakeLiveKit(t *testing.T) {
	rooms := &fakeRooms{rooms: map[string][]schedule.Participant{}}
	var minted []string
	je := newStageEnv(t, web.JoinConfig{LiveKitURL: "wss://live.example.in", Rooms: rooms,
		MintSpeaker: func(identity, name, room string, now time.Time) (string, error) {
			minted = append(minted, identity+"@"+room)
			return "speak:" + identity + "@" + room, nil
		}})
	a, _ := je.address("stage-on", testclock.Now().Add(time.Hour), "")
	id := strconv.FormatInt(a.ID, 10)
	listener := a.Plan.ListenerRooms()[1]
	rooms.rooms[a.Plan.Stage] = []schedule.Participant{{Identity: "s-1", Name: "State President", Tracks: []schedule.TrackInfo{{SID: "TR_a", Audio: true}}}}
	rooms.rooms[listener] = []schedule.Participant{{Identity: "w-7", Name: "Worker"}, {Identity: "w-8"}}
	state := je.browser()
	state.login("9800000001")

	resp, doc := state.get("/addresses/" + id + "/stage")
	st := doc.Find("#stage")
	if resp.StatusCode != 200 || st.AttrOr("data-room", "") != a.Plan.Stage || !strings.HasPrefix(st.AttrOr("data-token", ""), "speak:s-") ||
		st.AttrOr("data-lkws", "") != "wss://live.example.in" {
		t.Fatalf("stage console: %d %v", resp.StatusCode, st.Nodes)
	}
	src := doc.Find("script[src^='/static/stage-']").AttrOr("src", "")
	if src == "" {
		t.Fatal("stage script not linked")
	}
	if resp, _ := state.get(src); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("stage script: %d", resp.StatusCode)
	}

	_, doc = state.get("/addresses/" + id + "?room=" + url.QueryEscape(listener))
	stage := doc.Find("table.participants[data-room='" + a.Plan.Stage + "'] tr[data-identity='s-1']")
	if stage.AttrOr("data-publishing", "") != "true" || stage.Find("button[value=mute]").Length() != 1 {
		t.Fatalf("stage participants: %q", doc.Find("#moderation").Parent().Text())
	}
	if n := doc.Find("table.participants[data-room='" + listener + "'] tr[data-identity]").Length(); n != 2 {
		t.Fatalf("listener room rows = %d, want 2", n)
	}

	resp, _ = state.post("/addresses/"+id+"/moderate", url.Values{"room": {a.Plan.Stage}, "identity": {"s-1"}, "action": {"mute"}})
	if resp.StatusCode != 200 || rooms.rooms[a.Plan.Stage][0].Tracks[0].Muted != true {
		t.Fatalf("mute: %d %v", resp.StatusCode, rooms.calls)
	}
	resp, doc = state.post("/addresses/"+id+"/moderate", url.Values{"room": {listener}, "identity": {"w-7"}, "action": {"remove"}})
	if resp.StatusCode != 200 || doc.Find("table.participants[data-room='"+listener+"'] tr[data-identity='w-7']").Length() != 0 ||
		doc.Find("table.participants[data-room='"+listener+"'] tr[data-identity='w-8']").Length() != 1 {
		t.Fatalf("remove: %d %v", resp.StatusCode, rooms.calls)
	}
	// Rooms of other addresses, unknown actions and missing CSRF are refused.
	for _, f := range []url.Values{
		{"room": {"some-other-room"}, "identity": {"w-8"}, "action": {"remove"}},
		{"room": {listener}, "identity": {"w-8"}, "action": {"ban"}},
		{"room": {listener}, "identity": {"w-8"}, "action": {"remove"}, "csrf": {"forged"}},
	} {
		if resp, _ := state.post("/addresses/"+id+"/moderate", f); resp.StatusCode < 400 {
			t.Fatalf("%v accepted: %d", f, resp.StatusCode)
		}
	}
	if len(rooms.calls) != 2 || len(minted) != 1 {
		t.Fatalf("calls %v, minted %v", rooms.calls, minted)
	}
}

// TestModerationFailureShowsNoInternals: when livekit-server cannot be
// reached, the moderator is told the action failed, in the page's
// language, without the client library's error (server address, port,
// RPC names), which goes to the log.
func TestModerationFailureShowsNoInternals(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close() // nothing listens here now: a real client's real failure
	rooms, err := conferencing.NewRooms(conferencing.Config{URL: "http://" + closed, APIKey: "devkey", APISecret: strings.Repeat("s", 32)}, nil, conferencing.Backoff{Initial: time.Millisecond, Max: time.Millisecond, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	je := newStageEnv(t, web.JoinConfig{LiveKitURL: "ws://" + closed, Rooms: rooms,
		MintSpeaker: func(identity, name, room string, now time.Time) (string, error) { return "t", nil }})
	a, _ := je.address("stage-down", testclock.Now().Add(time.Hour), "")
	state := je.browser()
	state.login("9800000001")
	for _, action := range []string{"mute", "remove"} {
		resp, doc := state.post(fmt.Sprintf("/addresses/%d/moderate", a.ID), url.Values{"room": {a.Plan.Stage}, "identity": {"s-1"}, "action": {action}})
		text := doc.Find("main").Text()
		if resp.StatusCode != 503 || !strings.Contains(text, "संचालन की कार्रवाई विफल रही") {
			t.Errorf("%s with LiveKit down: %d %q", action, resp.StatusCode, text)
		}
		for _, leak := range []string{closed, "127.0.0.1", "dial", "refused", "twirp", "conferencing:"} {
			if strings.Contains(doc.Text(), leak) {
				t.Errorf("%s: the page shows %q: %q", action, leak, text)
			}
		}
	}
}
