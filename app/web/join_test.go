package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// joinEnv is a server with the join page mounted over a real store and
// directory; minted tokens are fake ("lk:<identity>@<room>") since minting
// is conferencing's business, tested there and end to end.
type joinEnv struct {
	*env
	t       testing.TB
	signer  *schedule.Signer
	dir     *addresses.Directory
	state   schedule.Actor
	handler http.Handler
}

func newJoinEnv(t *testing.T) *joinEnv {
	t.Helper()
	je := newJoinEnvTB(t)
	je.env.t = t
	return je
}

func newJoinEnvTB(t testing.TB) *joinEnv {
	t.Helper()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	log := slog.New(slog.DiscardHandler)
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log)
	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 3, Secret: bytes.Repeat([]byte("j"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	dir := addresses.NewDirectory(st, 0, 0, log)
	s, err := web.New(st, au, web.Config{Invite: web.InviteConfig{Signer: signer, BaseURL: "https://k.example.in"},
		Join: web.JoinConfig{Directory: dir, LiveKitURL: "wss://live.example.in",
			Mint: func(identity, room string, now time.Time) (string, error) { return "lk:" + identity + "@" + room, nil }}}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &joinEnv{env: &env{st: st, srv: srv}, t: t, signer: signer, dir: dir, state: storetest.Actor(t, st, "9800000001"), handler: s}
}

// address creates an address event at MP starting at start (cap 4, so D1's
// six workers get two rooms) and invites everyone by SMS.
func (je *joinEnv) address(uid string, start time.Time, bridge string) (store.MassAddress, map[int64]store.AddressInvite) {
	t := je.t
	t.Helper()
	ctx := context.Background()
	saved, err := je.st.CreateEvent(ctx, schedule.SystemActor("t"), schedule.Event{UID: uid, UnitID: joinUnitID(t, je.st, "MP"),
		Type: store.AddressEventType, Title: "State address", TitleHi: "प्रदेश संबोधन", Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if bridge != "" {
		if err := je.st.SaveInviteSettings(ctx, je.state, saved.Event.ID, store.InviteSettings{BridgeNumber: bridge, BridgePIN: "4321"}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := je.st.CreateAddress(ctx, je.state, store.AddressInput{EventID: saved.Event.ID, Speakers: "State President", SpeakersHi: "प्रदेश अध्यक्ष", ListenersPerRoom: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := je.st.SendInvites(ctx, je.state, saved.Event.ID, store.Audience{UnitIDs: []int64{joinUnitID(t, je.st, "MP")}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	invites := map[int64]store.AddressInvite{}
	err = je.st.EachAddressInvite(ctx, saved.Event.ID, func(r *store.AddressInvite) error { invites[r.InviteID] = *r; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return a, invites
}

func joinUnitID(t testing.TB, st *store.Store, code string) int64 {
	t.Helper()
	u, err := st.FindUnitByCode(context.Background(), schedule.SystemActor("t"), code)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func (je *joinEnv) link(eventID, inviteID int64, expires time.Time) string {
	je.t.Helper()
	tok, err := je.signer.Sign(schedule.LinkClaims{InviteID: inviteID, EventID: eventID, LinkVersion: 1, Expires: expires})
	if err != nil {
		je.t.Fatal(err)
	}
	return tok
}

func (je *joinEnv) open(path, lang string) (int, *goquery.Document, string) {
	je.t.Helper()
	req, _ := http.NewRequest("GET", je.srv.URL+path, nil)
	req.Header.Set("Accept-Language", lang)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		je.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		je.t.Fatal(err)
	}
	html, _ := doc.Html()
	return resp.StatusCode, doc, html
}

func TestJoinPage(t *testing.T) {
	ctx := context.Background()
	je := newJoinEnv(t)
	now := testclock.Now()
	d1 := unitID(t, je.st, "D1")
	open, openInv := je.address("open@test", now.Add(5*time.Minute), "+917554000000")
	later, laterInv := je.address("later@test", now.Add(3*time.Hour), "")
	over, overInv := je.address("over@test", now.Add(time.Hour), "")
	// Invitations cannot be sent for past events: move this one back now.
	if _, err := je.st.DB().ExecContext(ctx, "UPDATE events SET start_at = ?, end_at = ? WHERE id = ?",
		now.Add(-3*time.Hour).UTC(), now.Add(-2*time.Hour).UTC(), over.EventID); err != nil {
		t.Fatal(err)
	}
	if err := je.dir.Refresh(ctx, now); err != nil {
		t.Fatal(err)
	}
	exp := now.Add(24 * time.Hour)

	t.Run("OpenPicksTheDistrictRoom", func(t *testing.T) {
		seen := 0
		for id, inv := range openInv {
			area, _, _ := store.AddressAreaOf(inv.UnitPath)
			if area != d1 {
				continue
			}
			seen++
			code, doc, html := je.open("/j/"+je.link(open.EventID, id, exp), "en")
			j := doc.Find("#join")
			want, _ := open.Plan.RoomFor(inv.WorkerID, d1)
			if code != 200 || j.AttrOr("data-phase", "") != "open" || j.AttrOr("data-room", "") != want ||
				j.AttrOr("data-token", "") != "lk:"+schedule.ListenerIdentity(inv.WorkerID)+"@"+want || j.AttrOr("data-lkws", "") != "wss://live.example.in" {
				t.Fatalf("invite %d: %d phase=%q room=%q token=%q want room %q", id, code, j.AttrOr("data-phase", ""), j.AttrOr("data-room", ""), j.AttrOr("data-token", ""), want)
			}
			if !strings.HasPrefix(want, "addr-"+strconv.FormatInt(open.ID, 10)+"-d"+strconv.FormatInt(d1, 10)+"-") {
				t.Fatalf("room %q is not a D1 room", want)
			}
			if doc.Find("#listen").Length() != 1 || !strings.Contains(doc.Find("#bridge-number").Text(), "+917554000000") || doc.Find("#bridge-pin").Text() != "4321" {
				t.Fatalf("page lacks the listen button or bridge: %s", html)
			}
			// The page's module and the livekit-client chunk it imports,
			// preloaded beside it.
			src := doc.Find("script[type=module][src^='/static/join-']").AttrOr("src", "")
			resp, body := (&browser{e: je.env, c: http.DefaultClient}).getRaw(src)
			chunk := doc.Find("link[rel=modulepreload]").AttrOr("href", "")
			if resp.StatusCode != 200 || chunk == "" || !bytes.Contains(body, []byte(strings.TrimPrefix(chunk, "/static/"))) {
				t.Fatalf("script %q: %d, %d bytes, preload %q", src, resp.StatusCode, len(body), chunk)
			}
			if resp, body := (&browser{e: je.env, c: http.DefaultClient}).getRaw(chunk); resp.StatusCode != 200 || len(body) < 100000 {
				t.Fatalf("chunk %q: %d, %d bytes", chunk, resp.StatusCode, len(body))
			}
		}
		if seen != 6 {
			t.Fatalf("%d D1 invites, want 6", seen)
		}
	})
	t.Run("Hindi", func(t *testing.T) {
		for id := range openInv {
			_, doc, _ := je.open("/j/"+je.link(open.EventID, id, exp), "hi")
			if !strings.Contains(doc.Find("#listen").Text(), "सुनें") || !strings.Contains(doc.Find("h1").Text(), "प्रदेश संबोधन") {
				t.Fatalf("Hindi page: %q / %q", doc.Find("#listen").Text(), doc.Find("h1").Text())
			}
			break
		}
	})
	t.Run("BeforeCountsDown", func(t *testing.T) {
		for id := range laterInv {
			code, doc, _ := je.open("/j/"+je.link(later.EventID, id, exp), "en")
			j := doc.Find("#join")
			if code != 200 || j.AttrOr("data-phase", "") != "before" || j.AttrOr("data-token", "x") != "" || doc.Find("#countdown").Length() != 1 {
				t.Fatalf("before: %d phase %q token %q", code, j.AttrOr("data-phase", ""), j.AttrOr("data-token", "x"))
			}
			opens, _ := strconv.ParseInt(j.AttrOr("data-opens", ""), 10, 64)
			if want := later.Event.Start.Add(-addresses.DefaultJoinOpens).UnixMilli(); opens != want {
				t.Fatalf("opens %d, want %d", opens, want)
			}
			break
		}
	})
	t.Run("Ended", func(t *testing.T) {
		for id := range overInv {
			code, doc, _ := je.open("/j/"+je.link(over.EventID, id, exp), "en")
			if code != 200 || doc.Find("#join").AttrOr("data-phase", "") != "ended" || doc.Find("#join").AttrOr("data-token", "x") != "" || doc.Find("#ended").Length() != 1 {
				t.Fatalf("ended: %d phase %q", code, doc.Find("#join").AttrOr("data-phase", ""))
			}
			break
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		var id int64
		for k := range openInv {
			id = k
			break
		}
		good := je.link(open.EventID, id, exp)
		bad := []byte(good)
		bad[len(bad)/2] ^= 1
		cases := []struct {
			name, path string
			code       int
		}{
			{"tampered", "/j/" + string(bad), 404},
			{"garbage", "/j/%3Cscript%3E", 404},
			{"expired", "/j/" + je.link(open.EventID, id, now.Add(-time.Minute)), 410},
			{"wrong event", "/j/" + je.link(later.EventID, id, exp), 410},
			{"invite of another event", "/j/" + je.link(createEvent(t, je.st, "D1", now), id, exp), 410},
		}
		for _, c := range cases {
			code, doc, _ := je.open(c.path, "en")
			if code != c.code || doc.Find("#refused").Length() != 1 || doc.Find("#join").Length() != 0 {
				t.Errorf("%s: %d (want %d), refused=%d", c.name, code, c.code, doc.Find("#refused").Length())
			}
		}
		// Revoking the invite and replacing the event's links both refuse,
		// after the directory's next refresh.
		if err := je.st.RevokeInvite(ctx, je.state, id); err != nil {
			t.Fatal(err)
		}
		if err := je.dir.Refresh(ctx, now); err != nil {
			t.Fatal(err)
		}
		if code, doc, _ := je.open("/j/"+good, "en"); code != 403 || !strings.Contains(doc.Find(".error").Text(), "withdrawn") {
			t.Fatalf("revoked invite: %d %q", code, doc.Find(".error").Text())
		}
		var other int64
		for k := range openInv {
			if k != id {
				other = k
				break
			}
		}
		if _, err := je.st.RevokeEventLinks(ctx, je.state, open.EventID); err != nil {
			t.Fatal(err)
		}
		if err := je.dir.Refresh(ctx, now); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := je.open("/j/"+je.link(open.EventID, other, exp), "en"); code != 403 {
			t.Fatalf("replaced link: %d", code)
		}
	})
	t.Run("InviteAfterRefresh", func(t *testing.T) {
		// A worker added and invited after the last refresh still joins:
		// the directory reads that one invite from the store.
		w, err := je.st.CreateWorker(ctx, je.state, schedule.Worker{Name: "New Worker", Mobile: "9822222222", Active: true, UnitID: unitID(t, je.st, "D2-A1-M1-C1-S1-B1")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := je.st.SendInvites(ctx, je.state, later.EventID, store.Audience{UnitIDs: []int64{unitID(t, je.st, "D2")}, Channel: schedule.ChannelSMS}); err != nil {
			t.Fatal(err)
		}
		var id int64
		je.st.EachAddressInvite(ctx, later.EventID, func(r *store.AddressInvite) error {
			if r.WorkerID == w.ID {
				id = r.InviteID
			}
			return nil
		})
		if id == 0 {
			t.Fatal("new worker not invited")
		}
		code, doc, _ := je.open("/j/"+je.link(later.EventID, id, exp), "en")
		if code != 200 || doc.Find("#join").AttrOr("data-phase", "") != "before" {
			t.Fatalf("new invite: %d", code)
		}
	})
	t.Run("RSVPLinksTheJoinPage", func(t *testing.T) {
		for id := range laterInv {
			tok := je.link(later.EventID, id, exp)
			_, doc, _ := je.open("/i/"+tok, "en")
			if href := doc.Find("#join").AttrOr("href", ""); href != "/j/"+tok {
				t.Fatalf("RSVP join link = %q", href)
			}
			break
		}
	})
}

func TestAddressPages(t *testing.T) {
	ctx := context.Background()
	je := newJoinEnv(t)
	start := testclock.Now().Add(48 * time.Hour)
	saved, err := je.st.CreateEvent(ctx, schedule.SystemActor("t"), schedule.Event{UnitID: unitID(t, je.st, "MP"), Type: store.AddressEventType,
		Title: "State address", TitleHi: "प्रदेश संबोधन", Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ev := strconv.FormatInt(saved.Event.ID, 10)
	b := je.browser()
	b.login("9800000001")

	resp, doc := b.get("/events/" + ev + "/address")
	if resp.StatusCode != 200 || doc.Find("#address-form").Length() != 1 {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	resp, doc = b.post("/events/"+ev+"/address", url.Values{"speakers": {"State President"}, "listeners_per_room": {"many"}})
	if resp.StatusCode != 422 || !strings.Contains(doc.Find(".error").Text(), `प्रति कक्ष श्रोता: "many" संख्या नहीं है`) {
		t.Fatalf("bad cap: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	resp, doc = b.post("/events/"+ev+"/address", url.Values{"speakers": {"State President"}, "scope": {"D9"}})
	if resp.StatusCode != 422 || !strings.Contains(doc.Find(".error").Text(), "D9") {
		t.Fatalf("bad scope: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	resp, doc = b.post("/events/"+ev+"/address", url.Values{"speakers": {"State President"}, "scope": {"D1"}, "listeners_per_room": {"4"}})
	if resp.StatusCode != 200 || doc.Find("#room-state").AttrOr("data-state", "") != store.RoomsPlanned {
		t.Fatalf("created: %d state %q", resp.StatusCode, doc.Find("#room-state").AttrOr("data-state", ""))
	}
	rows := doc.Find("#areas tbody tr")
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "ग्वालियर नगर") || strings.TrimSpace(rows.Find("td").Eq(1).Text()) != "6" || strings.TrimSpace(rows.Find("td").Eq(2).Text()) != "2" {
		t.Fatalf("areas: %q", rows.Text())
	}
	a, err := je.st.FindAddressByEvent(ctx, je.state, saved.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The scheduler's failure shows on the page with its reason.
	if err := je.st.SetAddressRooms(ctx, a.ID, store.RoomsFailed, "livekit: connection refused", testclock.Now()); err != nil {
		t.Fatal(err)
	}
	_, doc = b.get("/events/" + ev + "/address") // redirects to the address
	if doc.Find("#room-state").AttrOr("data-state", "") != store.RoomsFailed || !strings.Contains(doc.Find("#room-error").Text(), "connection refused") {
		t.Fatalf("failed state not shown: %q", doc.Find("#room-state").Text())
	}
	// Another district's official does not see the state's address.
	d2 := je.browser()
	d2.login("9800000005")
	if resp, _ := d2.get("/addresses/" + strconv.FormatInt(a.ID, 10)); resp.StatusCode != 404 {
		t.Fatalf("other district sees the address: %d", resp.StatusCode)
	}
	// A meeting cannot carry an address.
	meeting := createEvent(t, je.st, "D1", start)
	resp, doc = b.post("/events/"+strconv.FormatInt(meeting, 10)+"/address", url.Values{"speakers": {"x"}})
	if resp.StatusCode != 422 || !strings.Contains(doc.Find(".error").Text(), "address") {
		t.Fatalf("meeting: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
}
