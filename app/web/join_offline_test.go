package web_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// newOfflineEnv is a server as `karyakram serve` runs it without LiveKit:
// the join page mounted with no directory and no minter; numbers is the
// dial-in pool (KARYAKRAM_BRIDGE_NUMBERS), possibly empty.
func newOfflineEnv(t *testing.T, numbers string) *joinEnv {
	t.Helper()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	log := slog.New(slog.DiscardHandler)
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log)
	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 2, Secret: bytes.Repeat([]byte("o"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	var turnout web.TurnoutConfig
	if numbers != "" {
		if turnout.Numbers, err = schedule.ParseBridgeNumbers(numbers); err != nil {
			t.Fatal(err)
		}
	}
	s, err := web.New(st, au, web.Config{Invite: web.InviteConfig{Signer: signer}, Turnout: turnout}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &joinEnv{env: &env{t: t, st: st, srv: srv}, t: t, signer: signer, state: storetest.Actor(t, st, "9800000001"), handler: s}
}

// anyInvite returns one invite id of the map.
func anyInvite(invs map[int64]store.AddressInvite) int64 {
	for id := range invs {
		return id
	}
	return 0
}

// TestJoinPageSaysWhyItCannotPlay opens good links on a server without
// LiveKit, and on one with LiveKit for an address without rooms: the page
// names the event, says truthfully why it cannot play and what to do
// (dial the worker's bridge, open the invitation, come back later), in
// Hindi first, and never blames the link.
func TestJoinPageSaysWhyItCannotPlay(t *testing.T) {
	ctx := context.Background()
	off := newOfflineEnv(t, "")
	now := testclock.Now()
	a, invs := off.address("offline@test", now.Add(2*time.Hour), "+917554000099")
	token := off.link(a.EventID, anyInvite(invs), now.Add(24*time.Hour))

	code, doc, html := off.open("/j/"+token, "hi")
	if code != 200 || doc.Find("#not-online").AttrOr("data-why", "") != "offline.not_online" {
		t.Fatalf("without LiveKit: %d %q", code, doc.Find("h1").Text())
	}
	for _, want := range []string{"यह संबोधन ऑनलाइन नहीं सुना जा सकता", "आपका लिंक सही है", "फ़ोन से सुनें", "प्रदेश संबोधन"} {
		if !strings.Contains(html, want) {
			t.Errorf("Hindi page lacks %q", want)
		}
	}
	if doc.Find("#bridge-number").Text() != "+917554000099" || doc.Find("#bridge-pin").Text() != "4321" {
		t.Errorf("bridge %q PIN %q", doc.Find("#bridge-number").Text(), doc.Find("#bridge-pin").Text())
	}
	if doc.Find("#refused").Length() != 0 || doc.Find("script[src]").Length() != 0 || doc.Find("#countdown").Length() != 0 {
		t.Error("the page blames the link, loads the player or counts down to rooms that will never come")
	}
	if _, doc, _ := off.open("/j/"+token, "en"); !strings.Contains(doc.Find("#why").Text(), "Online listening is not set up") ||
		!strings.Contains(doc.Find("#when").Text(), testclock.Now().Add(2*time.Hour).In(testclock.Zone).Format("2 January 2006")) {
		t.Errorf("English: %q, when %q", doc.Find("#why").Text(), doc.Find("#when").Text())
	}

	// Without a bridge the page says whom to ask.
	b2, invs2 := off.address("offline2@test", now.Add(2*time.Hour), "")
	if _, doc, _ := off.open("/j/"+off.link(b2.EventID, anyInvite(invs2), now.Add(24*time.Hour)), "en"); doc.Find("#bridge").Length() != 0 ||
		!strings.Contains(doc.Find("#ask").Text(), "Ask the office that invited you") {
		t.Errorf("no bridge: %q", doc.Find("main").Text())
	}

	// An invitation to an event held in person: not online, and the way
	// to the invitation itself.
	meeting := createEvent(t, off.st, "D1", now.Add(72*time.Hour))
	if _, err := off.st.SendInvites(ctx, off.state, meeting, store.Audience{UnitIDs: []int64{joinUnitID(t, off.st, "D1")}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	rows, _, err := off.st.ListInvites(ctx, off.state, meeting, store.InviteFilter{})
	if err != nil || len(rows) == 0 {
		t.Fatalf("invites %v", err)
	}
	inPerson := off.link(meeting, rows[0].ID, now.Add(24*time.Hour))
	code, doc, _ = off.open("/j/"+inPerson, "en")
	if code != 200 || doc.Find("#not-online").AttrOr("data-why", "") != "offline.in_person" || doc.Find("#rsvp-link").AttrOr("href", "") != "/i/"+inPerson {
		t.Fatalf("in person: %d %q", code, doc.Find("main").Text())
	}
	if code, doc, _ := off.open("/i/"+inPerson, "en"); code != 200 || doc.Find("#rsvp").Length() != 1 {
		t.Errorf("the invitation link from the join page: %d", code)
	}

	// An address that is over (invited ahead, then its time passed).
	over, invs3 := off.address("over@test", now.Add(time.Hour), "")
	past := now.Add(-3 * time.Hour).UTC()
	if _, err := off.st.DB().ExecContext(ctx, "UPDATE events SET start_at = ?, end_at = ?, series_end_at = ? WHERE id = ?",
		past, past.Add(time.Hour), past.Add(time.Hour), over.EventID); err != nil {
		t.Fatal(err)
	}
	if code, doc, _ := off.open("/j/"+off.link(over.EventID, anyInvite(invs3), now.Add(24*time.Hour)), "en"); code != 410 ||
		doc.Find("#not-online").AttrOr("data-why", "") != "offline.over" {
		t.Errorf("over: %d %q", code, doc.Find("h1").Text())
	}

	// With LiveKit, an address event whose rooms are not planned yet: not
	// ready, come back later (not "this link is not an address").
	on := newJoinEnv(t)
	saved, err := on.st.CreateEvent(ctx, schedule.SystemActor("t"), schedule.Event{UnitID: joinUnitID(t, on.st, "MP"), Type: store.AddressEventType,
		Title: "State address", TitleHi: "प्रदेश संबोधन", Start: now.Add(48 * time.Hour), End: now.Add(49 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := on.st.SendInvites(ctx, on.state, saved.Event.ID, store.Audience{UnitIDs: []int64{joinUnitID(t, on.st, "D1")}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	rows, _, _ = on.st.ListInvites(ctx, on.state, saved.Event.ID, store.InviteFilter{})
	if err := on.dir.Refresh(ctx, now); err != nil {
		t.Fatal(err)
	}
	code, doc, _ = on.open("/j/"+on.link(saved.Event.ID, rows[0].ID, now.Add(24*time.Hour)), "en")
	if code != 200 || doc.Find("#not-online").AttrOr("data-why", "") != "offline.not_ready" || !strings.Contains(doc.Find("#why").Text(), "open it again closer to the start") {
		t.Errorf("no rooms planned: %d %q", code, doc.Find("main").Text())
	}
}

// TestAddressPagesExplainMissingSetUp: without LiveKit and dial-in numbers
// the address page says rooms are off, who can turn them on and what
// workers see, instead of promising rooms; the bridges page explains the
// missing numbers and offers no button that can only fail.
func TestAddressPagesExplainMissingSetUp(t *testing.T) {
	off := newOfflineEnv(t, "")
	now := testclock.Now()
	saved, err := off.st.CreateEvent(context.Background(), schedule.SystemActor("t"), schedule.Event{UnitID: joinUnitID(t, off.st, "MP"),
		Type: store.AddressEventType, Title: "State address", TitleHi: "प्रदेश संबोधन", Start: now.Add(48 * time.Hour), End: now.Add(49 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	b := off.browser()
	b.login("9800000001")
	resp, doc := b.post(fmt.Sprintf("/events/%d/address", saved.Event.ID), url.Values{"speakers": {"State President"}})
	if resp.StatusCode != 200 {
		t.Fatalf("plan: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	page := doc.Find("main").Text()
	if doc.Find(`#room-state[data-state=off]`).Length() != 1 || !strings.Contains(page, "KARYAKRAM_LIVEKIT_URL") || !strings.Contains(page, "इस सर्वर पर ऑनलाइन कमरे बंद हैं") {
		t.Errorf("address page (Hindi) does not explain the missing LiveKit: %q", page)
	}
	if strings.Contains(page, "कमरों की योजना तैयार; वे शुरू होने से 30 मिनट पहले बनेंगे।") || strings.Contains(page, "संबोधन की योजना बन गई: कमरे शुरू होने से 30 मिनट पहले बनेंगे।") { // address.state.planned, address.created
		t.Errorf("the page still promises rooms: %q", page)
	}
	if !strings.Contains(doc.Find("#no-bridge-numbers").Text(), "KARYAKRAM_BRIDGE_NUMBERS") {
		t.Errorf("no word on the missing dial-in numbers")
	}
	bridges := doc.Find(`a[href$="/bridges"]`).AttrOr("href", "")
	b.get("/lang/en?next=/")
	resp, doc = b.get(bridges)
	if resp.StatusCode != 200 || !strings.Contains(doc.Find("#no-numbers").Text(), "Who can add them: the server administrator") || doc.Find("#provision").Length() != 0 {
		t.Fatalf("bridges page: %d %q, set-up button %d", resp.StatusCode, doc.Find("#no-numbers").Text(), doc.Find("#provision").Length())
	}
	// A set-up posted anyway (an old page) gets the same page with the reason, not an error page.
	resp, doc = b.post(bridges, url.Values{"level": {"district"}})
	// The error says what is wrong; the box beside it who can fix it (the
	// domain's message names no server setting).
	if resp.StatusCode != 422 || doc.Find("#bridges").Length() != 1 || !strings.Contains(doc.Find(".error").Text(), "no dial-in numbers are configured") ||
		!strings.Contains(doc.Find("#no-numbers").Text(), "KARYAKRAM_BRIDGE_NUMBERS") {
		t.Errorf("set up without numbers: %d %q / %q", resp.StatusCode, doc.Find(".error").Text(), doc.Find("#no-numbers").Text())
	}

	// Numbers but no LiveKit SIP: bridges can be recorded, and the page
	// says calls will not be answered.
	withNumbers := newOfflineEnv(t, "+917554000000")
	a, _ := withNumbers.address("numbers@test", now.Add(48*time.Hour), "")
	b = withNumbers.browser()
	b.login("9800000001")
	b.get("/lang/en?next=/")
	resp, doc = b.post(fmt.Sprintf("/addresses/%d/bridges", a.ID), url.Values{"level": {"district"}})
	if resp.StatusCode != 200 || doc.Find("tr.bridge").Length() != 2 || !strings.Contains(doc.Find("#not-provisioned").Text(), "calls to them are not answered") {
		t.Errorf("numbers without SIP: %d, %d bridges, %q", resp.StatusCode, doc.Find("tr.bridge").Length(), doc.Find("#not-provisioned").Text())
	}
}
