package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/conferencing"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// addressOf creates a state-level address event and returns the event id
// and the address id (its row in the addresses table where that exists).
func addressOf(t *testing.T, st *store.Store) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	start := testclock.Day(1, 11, 0) // tomorrow 11:00 IST: invitations can still go out
	saved, err := st.CreateEvent(ctx, schedule.SystemActor("t"), schedule.Event{UnitID: unitID(t, st, "MP"), Type: "address",
		Title: "State address", TitleHi: "प्रदेश संबोधन", Venue: schedule.Venue{Name: "Bhopal"}, Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ev := saved.Event.ID
	mp, _ := st.FindUnitByCode(ctx, schedule.SystemActor("t"), "MP")
	now := testclock.Now().UTC()
	var id int64
	err = st.DB().QueryRowContext(ctx, "INSERT INTO addresses (event_id, unit_path, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id", ev, mp.Path, now, now).Scan(&id)
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "addresses") {
		return ev, ev // addresses table not there yet: the event id stands in
	}
	if err != nil {
		t.Fatal(err)
	}
	return ev, id
}

func TestTurnoutAndBridgePages(t *testing.T) {
	wh, err := conferencing.NewWebhooks("devkey", "secret", nil)
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := schedule.ParseBridgeNumbers("+9175540000xx")
	e := newEnv(t, web.Config{Turnout: web.TurnoutConfig{Webhooks: wh, Numbers: pool, Refresh: 3 * time.Second}})
	ctx := context.Background()
	ev, addr := addressOf(t, e.st)
	base := fmt.Sprintf("/addresses/%d", addr)
	d1, d2 := unitID(t, e.st, "D1"), unitID(t, e.st, "D2")

	// a webhook that is not signed by livekit-server: 401, nothing recorded
	body := `{"event":"participant_joined","id":"EV_forged","room":{"name":"` + schedule.ListenerRoomName(addr, d1, 1) + `"},"participant":{"identity":"w1"}}`
	for _, auth := range []string{"", "Bearer nonsense", "eyJhbGciOiJIUzI1NiJ9.e30.x"} {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/webhooks/livekit", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/webhook+json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("forged webhook (auth %q): %d, want 401", auth, resp.StatusCode)
		}
	}
	var n int
	e.st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM presence").Scan(&n)
	if n != 0 {
		t.Fatalf("forged webhooks recorded %d presences", n)
	}

	state := e.browser()
	state.login("9800000001")
	_, doc := state.get(fmt.Sprintf("/events/%d", ev))
	if href, _ := doc.Find("a#turnout").Attr("href"); href != fmt.Sprintf("/events/%d/turnout", ev) {
		t.Fatalf("event page turnout link %q", href)
	}
	resp, doc := state.get(fmt.Sprintf("/events/%d/bridges", ev))
	if resp.StatusCode != 200 || resp.Request.URL.Path != base+"/bridges" || doc.Find("tr.bridge").Length() != 0 || doc.Find("#not-provisioned").Length() != 1 {
		t.Fatalf("bridges page: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	resp, doc = state.post(base+"/bridges", url.Values{"level": {"district"}})
	if resp.StatusCode != 200 || doc.Find("tr.bridge").Length() != 2 || doc.Find("#r-created").Text() != "2" {
		t.Fatalf("provision: %d, %d bridges", resp.StatusCode, doc.Find("tr.bridge").Length())
	}
	pins := map[string]bool{}
	doc.Find("tr.bridge").Each(func(_ int, s *goquery.Selection) {
		pins[strings.TrimSpace(s.Find(".pin").Text())] = true
		if !strings.HasPrefix(s.Find(".number").Text(), "+9175540000") {
			t.Errorf("number %q", s.Find(".number").Text())
		}
	})
	if len(pins) != 2 {
		t.Errorf("PINs %v", pins)
	}
	resp, raw := state.getRaw(base + "/bridges.csv")
	if resp.StatusCode != 200 || strings.Count(string(raw), "\n") != 3 || !strings.Contains(string(raw), "D1,Gwalior Nagar,ग्वालियर नगर,+9175540000") {
		t.Errorf("bridges CSV %d:\n%s", resp.StatusCode, raw)
	}
	// The printed list: districts in name order in the chosen language,
	// numbers as people dial them, no internal room names.
	for lang, order := range map[string][]string{"hi": {"ग्वालियर नगर", "भोपाल नगर"}, "en": {"Bhopal Nagar", "Gwalior Nagar"}} {
		resp, raw = state.getRaw(base + "/bridges.pdf?lang=" + lang)
		if resp.StatusCode != 200 || !strings.HasPrefix(string(raw), "%PDF") {
			t.Fatalf("bridges PDF: %d %q", resp.StatusCode, raw[:min(len(raw), 20)])
		}
		text := pdfText(t, raw)
		if text == "" {
			continue
		}
		words := strings.Join(strings.Fields(text), " ")
		a, b := strings.Index(words, order[0]), strings.Index(words, order[1])
		if a < 0 || b < 0 || a > b {
			t.Errorf("bridges PDF (%s): %q at %d, %q at %d; want name order:\n%s", lang, order[0], a, order[1], b, words)
		}
		if !strings.Contains(words, "+91 75540 0000") || strings.Contains(words, "+9175540000") || strings.Contains(words, "addr-") {
			t.Errorf("bridges PDF (%s) prints raw numbers or room ids:\n%s", lang, words)
		}
	}

	// joins as LiveKit reports them
	t0 := testclock.Day(1, 11, 1)
	var ram int64
	e.st.DB().QueryRowContext(ctx, "SELECT id FROM workers WHERE mobile LIKE ?", "%9811111111").Scan(&ram)
	for _, p := range []store.PresenceEvent{
		{EventID: "J1", Joined: true, Room: schedule.ListenerRoomName(addr, d1, 1), Identity: schedule.ListenerIdentity(ram), At: t0},
		{EventID: "J2", Joined: true, Room: schedule.ListenerRoomName(addr, d2, 1), Identity: "sip_+919800000077", At: t0, SIP: true},
	} {
		if _, err := e.st.RecordPresence(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	resp, doc = state.get(base + "/turnout")
	if resp.StatusCode != 200 {
		t.Fatalf("turnout page %d", resp.StatusCode)
	}
	if doc.Find("#t-joined").Text() != "2" || doc.Find("#t-phone").Text() != "1" || !strings.Contains(doc.Find("noscript").Text(), `http-equiv="refresh" content="3"`) {
		t.Errorf("totals joined %q phone %q; noscript %q", doc.Find("#t-joined").Text(), doc.Find("#t-phone").Text(), doc.Find("noscript").Text())
	}
	if got := doc.Find(`tr[data-code="D1"] .joined`).Text(); got != "1" {
		t.Errorf("D1 joined %q", got)
	}
	if doc.Find("svg#chart rect.bar").Length() != 2 || doc.Find(`tr[data-code="D1-A1-M1"] .joined`).Text() != "1" {
		t.Errorf("chart bars %d, M1 joined %q", doc.Find("svg#chart rect.bar").Length(), doc.Find(`tr[data-code="D1-A1-M1"] .joined`).Text())
	}
	// What the page's script polls: the API twin, with the session.
	resp, raw = state.getRaw("/api/v1" + base + "/turnout?lang=hi")
	var js struct {
		Turnout store.Turnout `json:"turnout"`
	}
	if err := json.Unmarshal(raw, &js); resp.StatusCode != 200 || err != nil || js.Turnout.Total.Joined != 2 || len(js.Turnout.Districts) != 2 {
		t.Errorf("turnout JSON %d %v: %s", resp.StatusCode, err, raw)
	}
	resp, raw = state.getRaw(base + "/turnout.csv")
	if resp.StatusCode != 200 || !strings.Contains(string(raw), "district,D2,Bhopal Nagar,भोपाल नगर,2,1,1,1,50") {
		t.Errorf("turnout CSV %d:\n%s", resp.StatusCode, raw)
	}
	state.get("/lang/hi")
	if _, doc = state.get(base + "/turnout"); !strings.Contains(doc.Find("h1").Text(), "लाइव उपस्थिति") || doc.Find(`tr[data-code="D1"] a`).Text() != "ग्वालियर नगर" {
		t.Errorf("Hindi page: %q / %q", doc.Find("h1").Text(), doc.Find(`tr[data-code="D1"] a`).Text())
	}

	// a district official sees their district only
	dist := e.browser()
	dist.login("9800000002")
	resp, doc = dist.get(base + "/turnout")
	if resp.StatusCode != 200 || doc.Find(`tr[data-code="D1"]`).Length() != 1 || doc.Find(`tr[data-code="D2"]`).Length() != 0 || doc.Find("#t-joined").Text() != "1" {
		t.Errorf("district view: %d, D2 shown %d, joined %q", resp.StatusCode, doc.Find(`tr[data-code="D2"]`).Length(), doc.Find("#t-joined").Text())
	}
	for _, p := range []string{fmt.Sprintf("%s/turnout?unit=%d", base, d2), fmt.Sprintf("/api/v1%s/turnout?unit=%d", base, d2), fmt.Sprintf("%s/turnout.csv?unit=%d", base, d2), "/addresses/99999/turnout"} {
		if resp, _ := dist.getRaw(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s for the D1 official: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := dist.post(base+"/bridges/delete", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("district deleting state bridges: %d", resp.StatusCode)
	}
	resp, _ = state.post(base+"/bridges/delete", url.Values{})
	if _, doc = state.get(base + "/bridges"); resp.StatusCode != 200 || doc.Find("tr.bridge").Length() != 0 {
		t.Errorf("delete: %d, %d left", resp.StatusCode, doc.Find("tr.bridge").Length())
	}
}
