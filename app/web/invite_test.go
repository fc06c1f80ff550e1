package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

func newInviteEnv(t *testing.T) (*env, *schedule.Signer) {
	t.Helper()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	log := slog.New(slog.DiscardHandler)
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log)
	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 2, Secret: bytes.Repeat([]byte("s"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(st, au, web.Config{Invite: web.InviteConfig{Signer: signer, BaseURL: "https://k.example.in"}}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, st: st, srv: srv}, signer
}

func createEvent(t *testing.T, st *store.Store, unitCode string, start time.Time) int64 {
	t.Helper()
	saved, err := st.CreateEvent(context.Background(), schedule.SystemActor("t"), schedule.Event{
		UnitID: unitID(t, st, unitCode), Type: "meeting", Title: "District Working Committee", TitleHi: "ज़िला कार्यसमिति बैठक",
		Venue: schedule.Venue{Name: "Manas Bhawan"}, Start: start, End: start.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return saved.Event.ID
}

func (b *browser) getRaw(path string) (*http.Response, []byte) {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.srv.URL + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestInvitePages(t *testing.T) {
	e, signer := newInviteEnv(t)
	ev := createEvent(t, e.st, "D1", testclock.Now().Add(72*time.Hour))
	b := e.browser()
	b.login("9800000002") // D1 district president

	t.Run("PreviewPerDistrictAndUncontactable", func(t *testing.T) {
		resp, doc := b.get(fmt.Sprintf("/events/%d/invite?units=D1&channel=email", ev))
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if n := doc.Find("#preview tr.district").Length(); n != 1 {
			t.Fatalf("%d district rows", n)
		}
		// Nobody in the seed has an email: all six are listed.
		if n := doc.Find("li.no-contact").Length(); n != 6 {
			t.Fatalf("%d uncontactable listed", n)
		}
		if doc.Find("#send button").Length() != 1 {
			t.Fatal("no send button")
		}
	})
	t.Run("NobodyIsAClearMessage", func(t *testing.T) {
		_, doc := b.get(fmt.Sprintf("/events/%d/invite?units=D1&role=it_cell&channel=sms", ev))
		// In Hindi, naming the role by its Hindi name.
		if !strings.Contains(doc.Find("#problem").Text(), "कोई नहीं मिला: चुनी गई इकाइयों में किसी सक्रिय कार्यकर्ता के पास आईटी सेल दायित्व नहीं है") || doc.Find("#send").Length() != 0 {
			t.Fatalf("problem = %q", doc.Find("#problem").Text())
		}
		resp, doc := b.post(fmt.Sprintf("/events/%d/invite", ev), url.Values{"units": {"D1"}, "role": {"it_cell"}, "channel": {"sms"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find("#problem").Length() != 1 {
			t.Fatalf("send to nobody: %d", resp.StatusCode)
		}
	})
	t.Run("OutOfScopeUnit", func(t *testing.T) {
		_, doc := b.get(fmt.Sprintf("/events/%d/invite?units=D2&channel=sms", ev))
		if !strings.Contains(doc.Find("#problem").Text(), "D2") {
			t.Fatalf("problem = %q", doc.Find("#problem").Text())
		}
	})
	t.Run("SendAndStatus", func(t *testing.T) {
		resp, doc := b.post(fmt.Sprintf("/events/%d/invite", ev), url.Values{"units": {"D1"}, "channel": {"sms"}})
		if resp.StatusCode != 200 || doc.Find("#report").Length() != 1 {
			t.Fatalf("send: %d %q", resp.StatusCode, doc.Find("#problem").Text())
		}
		_, doc = b.get(fmt.Sprintf("/events/%d/invites", ev))
		if q := doc.Find("#c-queued").Text(); q != "6" {
			t.Fatalf("queued = %q", q)
		}
		if n := doc.Find("tr.invite").Length(); n != 6 {
			t.Fatalf("%d rows", n)
		}
	})
	t.Run("WhatsAppForward", func(t *testing.T) {
		_, doc := b.get(fmt.Sprintf("/events/%d/invite", ev))
		href, _ := doc.Find("#wa-link").Attr("href")
		if !strings.HasPrefix(href, "https://wa.me/?text=") || !strings.Contains(doc.Find("#wa-text").Text(), "कार्यसमिति") && !strings.Contains(doc.Find("#wa-text").Text(), "Committee") {
			t.Fatalf("wa link %q text %q", href, doc.Find("#wa-text").Text())
		}
	})
	t.Run("LettersAndAttendancePDF", func(t *testing.T) {
		for _, p := range []string{"letters.pdf?lang=hi", "attendance.pdf?lang=en"} {
			resp, body := b.getRaw(fmt.Sprintf("/events/%d/invites/%s", ev, p))
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF")) {
				t.Fatalf("%s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		}
	})
	t.Run("RemindersEditor", func(t *testing.T) {
		resp, doc := b.post(fmt.Sprintf("/events/%d/reminders", ev), url.Values{"reminders": {"0h"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find("#problem").Length() != 1 {
			t.Fatalf("bad schedule: %d", resp.StatusCode)
		}
		resp, doc = b.post(fmt.Sprintf("/events/%d/reminders", ev), url.Values{"reminders": {"48h, 2h"}, "bridge_number": {"+912261234567"}, "bridge_pin": {"4821"}})
		if resp.StatusCode != 200 || doc.Find("#saved").Length() != 1 {
			t.Fatalf("save: %d %q", resp.StatusCode, doc.Find("#problem").Text())
		}
		_, doc = b.get(fmt.Sprintf("/events/%d/reminders", ev))
		if v, _ := doc.Find("#reminders").Attr("value"); v != "48h, 2h" {
			t.Fatalf("reminders = %q", v)
		}
	})

	// The public RSVP page.
	rows, _, err := e.st.ListInvites(context.Background(), schedule.SystemActor("t"), ev, store.InviteFilter{})
	if err != nil || len(rows) == 0 {
		t.Fatal(err)
	}
	sign := func(c schedule.LinkClaims) string {
		tok, err := signer.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	claims := schedule.LinkClaims{InviteID: rows[0].ID, EventID: ev, LinkVersion: 1, Expires: testclock.Now().Add(30 * 24 * time.Hour)}
	token := sign(claims)

	t.Run("RSVP", func(t *testing.T) {
		anon := e.browser()
		resp, doc := anon.get("/i/" + token)
		if resp.StatusCode != 200 || doc.Find("form#rsvp button").Length() != 3 {
			t.Fatalf("rsvp page: %d", resp.StatusCode)
		}
		if !strings.Contains(doc.Find("#bridge").Text(), "+912261234567") {
			t.Fatalf("bridge = %q", doc.Find("#bridge").Text())
		}
		resp, doc = anon.post("/i/"+token, url.Values{"rsvp": {"going"}})
		if resp.StatusCode != 200 || doc.Find("#saved").Length() != 1 {
			t.Fatalf("answer: %d %q", resp.StatusCode, doc.Find("#problem").Text())
		}
		resp, _ = anon.post("/i/"+token, url.Values{"rsvp": {"going"}, "csrf": {"forged-value-that-is-long"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("forged csrf: %d", resp.StatusCode)
		}
		c, _ := e.st.InviteCounts(context.Background(), schedule.SystemActor("t"), ev)
		if c.Going != 1 {
			t.Fatalf("counts = %+v", c)
		}
		resp, body := anon.getRaw("/i/" + token + "/event.ics")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") || !bytes.Contains(body, []byte("BEGIN:VEVENT")) {
			t.Fatalf("ics: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("BadLinksGetAClearPage", func(t *testing.T) {
		anon := e.browser()
		tampered := []byte(token)
		tampered[5] ^= 1
		if tampered[5] == '-' || tampered[5] == '_' {
			tampered[5] = 'A'
		}
		expired := claims
		expired.Expires = testclock.Now().Add(-time.Hour)
		cases := []struct {
			name, tok string
			status    int
		}{
			{"tampered", string(tampered), http.StatusNotFound},
			{"garbage", "%E0%A4%95%E0%A4%95", http.StatusNotFound},
			{"truncated", token[:len(token)-3], http.StatusNotFound},
			{"expired", sign(expired), http.StatusGone},
		}
		for _, tc := range cases {
			resp, doc := anon.get("/i/" + tc.tok)
			if resp.StatusCode != tc.status || doc.Find("#refused").Length() != 1 {
				t.Fatalf("%s: %d", tc.name, resp.StatusCode)
			}
		}
		if err := e.st.RevokeInvite(context.Background(), schedule.SystemActor("t"), rows[0].ID); err != nil {
			t.Fatal(err)
		}
		resp, doc := anon.get("/i/" + token)
		if resp.StatusCode != http.StatusForbidden || doc.Find("#refused").Length() != 1 {
			t.Fatalf("revoked: %d", resp.StatusCode)
		}
		resp, _ = anon.post("/i/"+token, url.Values{"rsvp": {"maybe"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("answer on revoked: %d", resp.StatusCode)
		}
		other := claims
		other.InviteID = rows[1].ID
		if _, err := e.st.RevokeEventLinks(context.Background(), schedule.SystemActor("t"), ev); err != nil {
			t.Fatal(err)
		}
		if resp, _ := anon.get("/i/" + sign(other)); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("old link version: %d", resp.StatusCode)
		}
	})
}

func TestMessageTemplateEditor(t *testing.T) {
	e, _ := newInviteEnv(t)
	state := e.browser()
	state.login("9800000001")
	form := url.Values{"type": {""}, "kind": {"invite"}, "channel": {"sms"}, "lang": {"en"}}
	bad := cloneValues(form)
	bad.Set("body", "Hello {{.Nmae}} {{.Link}}")
	resp, doc := state.post("/messages/templates", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#problem").Text(), "Nmae") {
		t.Fatalf("invalid template: %d %q", resp.StatusCode, doc.Find("#problem").Text())
	}
	good := cloneValues(form)
	good.Set("body", "{{.Name}}, join {{.Title}} on {{.When}}: {{.Link}}")
	good.Set("action", "preview")
	resp, doc = state.post("/messages/templates", good)
	if resp.StatusCode != 200 || !strings.Contains(doc.Find("#preview pre").Text(), "Ramesh Kumar, join") {
		t.Fatalf("preview: %d %q", resp.StatusCode, doc.Find("#preview").Text())
	}
	good.Set("action", "save")
	resp, doc = state.post("/messages/templates", good)
	if resp.StatusCode != 200 || doc.Find("#saved").Length() != 1 {
		t.Fatalf("save: %d %q", resp.StatusCode, doc.Find("#problem").Text())
	}
	list, _ := e.st.MessageTemplates(context.Background())
	if len(list) != 1 || list[0].Template.Body != good.Get("body") {
		t.Fatalf("stored = %+v", list)
	}
	district := e.browser()
	district.login("9800000002")
	resp, _ = district.post("/messages/templates", good)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("district saved a template: %d", resp.StatusCode)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// The invite form starts from the event's own unit: a cluster's meeting
// invites the cluster, not the district of the official who opens it
// (one click once invited a district of 413 to a cluster meeting). The
// test does what the official does: opens the event, follows its invite
// link, previews the form as it comes and sends.
func TestInviteAudienceDefaultsToTheEventsUnit(t *testing.T) {
	e, _ := newInviteEnv(t)
	ev := createEvent(t, e.st, "D1-A1-M1-C1", testclock.Day(2, 10, 0))
	b := e.browser()
	b.login("9800000002") // the district president of D1 (six people in D1)
	_, doc := b.get(fmt.Sprintf("/events/%d", ev))
	href, ok := doc.Find("a#invite").Attr("href")
	if !ok {
		t.Fatal("the event page has no invite link")
	}
	_, doc = b.get(href)
	form := doc.Find("form#audience")
	if got := form.Find("input#units").AttrOr("value", ""); got != "D1-A1-M1-C1" {
		t.Fatalf("audience defaults to %q, want the event's cluster D1-A1-M1-C1", got)
	}
	// Preview the form exactly as it comes (no field touched).
	q := url.Values{}
	form.Find("input[name], select[name]").Each(func(_ int, f *goquery.Selection) {
		name, _ := f.Attr("name")
		switch {
		case goquery.NodeName(f) == "select":
			q.Set(name, f.Find("option[selected]").AttrOr("value", f.Find("option").First().AttrOr("value", "")))
		case f.AttrOr("type", "") == "checkbox":
			if _, on := f.Attr("checked"); on {
				q.Add(name, f.AttrOr("value", "on"))
			}
		default:
			q.Set(name, f.AttrOr("value", ""))
		}
	})
	_, doc = b.get(form.AttrOr("action", "") + "?" + q.Encode())
	// The cluster holds three people (the booth president and two booth
	// workers); the district six.
	if h := doc.Find("#preview h2").Text(); !strings.HasPrefix(h, "3 ") {
		t.Fatalf("preview of the default audience: %q, want the cluster's 3 people", h)
	}
	send := url.Values{}
	doc.Find("form#send input[type=hidden]").Each(func(_ int, f *goquery.Selection) {
		send.Add(f.AttrOr("name", ""), f.AttrOr("value", ""))
	})
	resp, doc := b.post(fmt.Sprintf("/events/%d/invite", ev), send)
	if resp.StatusCode != 200 || doc.Find("#report").Length() != 1 {
		t.Fatalf("send: %d %q", resp.StatusCode, doc.Find("#problem").Text())
	}
	rows, _, err := e.st.ListInvites(context.Background(), schedule.SystemActor("t"), ev, store.InviteFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	if want := []string{"Booth President", "राम कुमार", "सीता देवी"}; !slices.Equal(names, want) {
		t.Fatalf("invited %q, want the cluster's %q", names, want)
	}
}
