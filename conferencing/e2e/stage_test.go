package e2e_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/conferencing"
	"github.com/karyakram/karyakram/conferencing/lktest"
	"github.com/karyakram/karyakram/schedule"
)

var otpRE = regexp.MustCompile(`\b(\d{6})\b`)

// loginClient logs mobile in over HTTP the way a person does (code by SMS)
// and returns the client holding the session and CSRF cookies.
func loginClient(ctx context.Context, t *testing.T, st *store.Store, base, mobile string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if _, err := c.Get(base + "/login"); err != nil {
		t.Fatal(err)
	}
	post := func(path string, f url.Values) {
		f.Set("csrf", cookie(t, c, base, "kk_csrf"))
		resp, err := c.PostForm(base+path, f)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post("/login/code", url.Values{"mobile": {mobile}})
	m, _ := schedule.NormaliseMobile(mobile)
	sms, err := st.LastSMS(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	post("/login/verify", url.Values{"mobile": {mobile}, "code": {otpRE.FindStringSubmatch(sms)[1]}})
	return c
}

func cookie(t *testing.T, c *http.Client, base, name string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	t.Fatalf("no %s cookie", name)
	return ""
}

// stageStateJS is what the stage console reports about itself.
const stageStateJS = `(() => { const s = document.getElementById('stage'); if (!s) return {state: 'no-stage'};
  return {state: document.body.dataset.state || '', audio: s.dataset.audio || '', error: s.dataset.error || ''}; })()`

// TestStageConsoleInChromiumAndModeration is issue 7's speaker and
// moderator test against a real livekit-server: a state official opens the
// stage console in headless Chromium (fake microphone and camera), goes
// live, and LiveKit's RoomService shows them publishing audio on the
// stage; then the official removes a listener through the address page's
// moderation action and the listener is gone from their room.
func TestStageConsoleInChromiumAndModeration(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode")
	}
	br := startBrowser(t)
	lk := lktest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	log := slog.New(slog.DiscardHandler)

	st, state, a := stateAddress(ctx, t, "State address", "")
	conf, err := conferencing.NewConference(conferencing.Config{URL: lk.URL(), APIKey: lktest.APIKey, APISecret: lktest.APISecret}, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := conf.EnsureRooms(ctx, a.Plan); err != nil {
		t.Fatal(err)
	}

	srv, _ := joinServer(t, st, web.JoinConfig{Directory: addresses.NewDirectory(st, 0, 0, log), Mint: conf.MintListener,
		MintSpeaker: conf.MintSpeaker, Rooms: conf.Rooms(), LiveKitURL: lk.WSURL()}, log)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client := loginClient(ctx, t, st, hs.URL, "9800000001")

	// The browser carries the official's session.
	u, _ := url.Parse(hs.URL)
	for _, ck := range client.Jar.Cookies(u) {
		if _, err := br.Call(ctx, "Network.setCookie", map[string]any{"name": ck.Name, "value": ck.Value, "url": hs.URL}); err != nil {
			t.Fatal(err)
		}
	}
	id := strconv.FormatInt(a.ID, 10)
	br.Navigate(ctx, hs.URL+"/addresses/"+id+"/stage")
	var ps struct{ State, Audio, Error string }
	for deadline := time.Now().Add(20 * time.Second); ps.State != "ready"; time.Sleep(100 * time.Millisecond) {
		_ = br.Eval(ctx, stageStateJS, &ps)
		if time.Now().After(deadline) {
			t.Fatalf("stage console not ready: %+v", ps)
		}
	}
	if err := br.Eval(ctx, `document.getElementById('golive').click(), true`, nil); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ps.State != "live" || ps.Audio != "1"; time.Sleep(250 * time.Millisecond) {
		if err := br.Eval(ctx, stageStateJS, &ps); err != nil {
			t.Fatal(err)
		}
		if ps.State == "error" || time.Now().After(deadline) {
			t.Fatalf("stage console did not go live: %+v\nlivekit log: %s", ps, lk.LogPath())
		}
	}
	speaker := "s-" + strconv.FormatInt(state.WorkerID, 10)
	var published bool
	for deadline := time.Now().Add(15 * time.Second); !published; time.Sleep(250 * time.Millisecond) {
		parts, err := conf.Rooms().Participants(ctx, a.Plan.Stage)
		if err != nil {
			t.Fatal(err)
		}
		published = slices.ContainsFunc(parts, func(p schedule.Participant) bool {
			return p.Identity == speaker && slices.ContainsFunc(p.Tracks, func(tr schedule.TrackInfo) bool { return tr.Audio })
		})
		if !published && time.Now().After(deadline) {
			t.Fatalf("stage participants %+v: no audio from %s", parts, speaker)
		}
	}

	// A listener in a listener room, removed by the moderator.
	room := a.Plan.ListenerRooms()[0]
	tok, err := conf.MintListener("w-4242", room, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	lr, err := lksdk.ConnectToRoomWithToken(lk.URL(), tok, lksdk.NewRoomCallback(), lksdk.WithAutoSubscribe(false))
	if err != nil {
		t.Fatalf("listener joins: %v", err)
	}
	defer lr.Disconnect()
	resp, err := client.Get(hs.URL + "/addresses/" + id + "?room=" + url.QueryEscape(room))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `data-identity="w-4242"`) || !strings.Contains(string(page), `data-identity="`+speaker+`"`) {
		t.Fatalf("moderation lists do not show the listener and the speaker:\n%s", page)
	}
	resp, err = client.PostForm(hs.URL+"/addresses/"+id+"/moderate", url.Values{"csrf": {cookie(t, client, hs.URL, "kk_csrf")},
		"room": {room}, "identity": {"w-4242"}, "action": {"remove"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		parts, err := conf.Rooms().Participants(ctx, room)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(parts, func(p schedule.Participant) bool { return p.Identity == "w-4242" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listener still in %s after removal: %+v", room, parts)
		}
	}
}
