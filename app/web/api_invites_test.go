package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/karyakram/karyakram/internal/testclock"
)

type inviteCountsJSON struct {
	Total, Queued, Sent, Failed, Revoked, Going, Maybe int
	NotGoing                                           int `json:"not_going"`
}

type invitesJSON struct {
	EventID int64 `json:"event_id"`
	Counts  inviteCountsJSON
	Total   int
	Invites []struct {
		ID            int64
		Name, Mobile  string
		Status        string
		Revoked       bool
		CreatedAt     string `json:"created_at"`
		UnitName      string `json:"unit_name"`
		Channel, RSVP string
	}
}

type sendJSON struct {
	Report struct {
		Invited        int
		AlreadyInvited int `json:"already_invited"`
		Enqueued       int
	}
	Counts inviteCountsJSON
	SMS    *struct {
		Segments, Budget int
		CostPaise        int64 `json:"cost_paise"`
		Over             bool
	}
}

// pageCounts reads the invitations page's counts.
func pageCounts(t *testing.T, b *browser, event int64) (map[string]int, []string) {
	t.Helper()
	resp, doc := b.get(fmt.Sprintf("/events/%d/invites", event))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invitations page: %d", resp.StatusCode)
	}
	out := map[string]int{}
	for _, id := range []string{"total", "queued", "sent", "failed", "going"} {
		n, err := strconv.Atoi(strings.ReplaceAll(doc.Find("#c-"+id).Text(), ",", ""))
		if err != nil {
			t.Fatalf("count %s: %q", id, doc.Find("#c-"+id).Text())
		}
		out[id] = n
	}
	var rows []string
	doc.Find("#invites tr.invite").Each(func(_ int, s *goquery.Selection) {
		rows = append(rows, s.Find("td a").First().Text()+" "+s.Find("td small").First().Text())
	})
	return out, rows
}

var fullMobile = regexp.MustCompile(`\d{10}`)

// TestInvitationsAPI: a district president's program invites the event's
// own unit by default, sends again without inviting anyone twice, reads
// the counts and invitees the invitations page shows (mobiles masked as
// there), revokes one, is asked before an SMS over the segment budget
// goes, and is told in its language which input is wrong.
func TestInvitationsAPI(t *testing.T) {
	e, _ := newInviteEnv(t)
	tok := apiToken(t, e, "9800000002")
	ev := createEvent(t, e.st, "D1", testclock.Now().Add(72*time.Hour))
	path := fmt.Sprintf("/api/v1/events/%d/invites", ev)
	b := e.browser()
	b.login("9800000002")

	// No audience named: the event's unit, D1, whose six workers all have
	// mobiles.
	var sent sendJSON
	if code, raw := apiDo(t, e, "POST", path, tok, `{}`, &sent); code != http.StatusOK {
		t.Fatalf("send: %d %s", code, raw)
	}
	if sent.Report.Invited != 6 || sent.Report.Enqueued != 6 || sent.Counts.Total != 6 || sent.Counts.Queued != 6 || sent.SMS == nil || sent.SMS.Over || sent.SMS.Segments < 6 {
		t.Errorf("first send: %+v sms %+v", sent, sent.SMS)
	}
	// Sending again invites nobody twice.
	var again sendJSON
	if code, raw := apiDo(t, e, "POST", path, tok, `{"units":["D1"],"channel":"sms"}`, &again); code != http.StatusOK {
		t.Fatalf("send again: %d %s", code, raw)
	}
	if again.Report.Invited != 0 || again.Report.AlreadyInvited != 6 || again.Counts.Total != 6 {
		t.Errorf("second send: %+v", again)
	}

	// The counts and invitees are the page's.
	var list invitesJSON
	if code, raw := apiDo(t, e, "GET", path, tok, "", &list); code != http.StatusOK {
		t.Fatalf("list: %d %s", code, raw)
	}
	counts, rows := pageCounts(t, b, ev)
	if list.Counts.Total != counts["total"] || list.Counts.Queued != counts["queued"] || list.Counts.Sent != counts["sent"] || list.Counts.Failed != counts["failed"] || list.Total != 6 {
		t.Errorf("API counts %+v (total %d), page %v", list.Counts, list.Total, counts)
	}
	var apiRows []string
	for _, r := range list.Invites {
		apiRows = append(apiRows, r.Name+" "+r.Mobile)
		if fullMobile.MatchString(r.Mobile) || !strings.Contains(r.Mobile, "*") {
			t.Errorf("mobile %q is not masked", r.Mobile)
		}
		if !strings.HasSuffix(r.CreatedAt, "+05:30") {
			t.Errorf("created_at %q is not on the organisation's clock", r.CreatedAt)
		}
	}
	if strings.Join(apiRows, "|") != strings.Join(rows, "|") || len(rows) != 6 {
		t.Errorf("API invitees %q, page %q", apiRows, rows)
	}
	var two invitesJSON
	apiDo(t, e, "GET", path+"?limit=2&offset=4", tok, "", &two)
	if len(two.Invites) != 2 || two.Total != 6 || two.Invites[0].Name+" "+two.Invites[0].Mobile != rows[4] {
		t.Errorf("page of two from 4: %+v", two)
	}

	// Revoke one: the page and the API count it; revoking is the
	// district's own business.
	other := apiToken(t, e, "9800000005")
	revoke := fmt.Sprintf("/api/v1/invites/%d/revoke", list.Invites[0].ID)
	if code, raw := apiDo(t, e, "POST", revoke, other, "", nil); code != http.StatusNotFound {
		t.Errorf("another district revokes: %d %s", code, raw)
	}
	if code, raw := apiDo(t, e, "POST", revoke, tok, "", nil); code != http.StatusOK {
		t.Fatalf("revoke: %d %s", code, raw)
	}
	apiDo(t, e, "GET", path+"?status=queued", tok, "", &list)
	revoked := 0
	for _, r := range list.Invites {
		if r.Revoked {
			revoked++
		}
	}
	// Listed as the page lists it: still under its status, marked revoked.
	if list.Counts.Revoked != 1 || list.Counts.Queued != 5 || list.Total != 6 || revoked != 1 {
		t.Errorf("after revoking: counts %+v, %d listed, %d of them revoked", list.Counts, list.Total, revoked)
	}
	if counts, _ := pageCounts(t, b, ev); counts["queued"] != list.Counts.Queued {
		t.Errorf("page queued %d, API %d", counts["queued"], list.Counts.Queued)
	}
	for _, p := range []string{path, path + "?status=sent"} {
		if code, raw := apiDo(t, e, "GET", p, other, "", nil); code != http.StatusNotFound {
			t.Errorf("another district reads %s: %d %s", p, code, raw)
		}
	}
	if code, raw := apiDo(t, e, "POST", path, other, `{"units":["D2"]}`, nil); code != http.StatusNotFound {
		t.Errorf("another district sends: %d %s", code, raw)
	}

	// Bad input: 422 naming the field, in English or Hindi.
	code, raw := apiDo(t, e, "POST", path, tok, `{"units":["NOPE"]}`, nil)
	wantFieldError(t, "unknown unit", code, raw, "units", `unit "NOPE" not found`)
	code, raw = apiDo(t, e, "POST", path, tok, `{"units":["NOPE"]}`, nil, "Accept-Language", "hi")
	wantFieldError(t, "unknown unit in Hindi", code, raw, "units", "नहीं मिली")
	code, raw = apiDo(t, e, "POST", path, tok, `{"channel":"pigeon"}`, nil)
	wantFieldError(t, "channel", code, raw, "channel", "pigeon")
	code, raw = apiDo(t, e, "POST", path, tok, `{"roles":["it_cell"]}`, nil)
	if code != http.StatusUnprocessableEntity {
		t.Errorf("an audience of nobody: %d %s", code, raw)
	}
	code, raw = apiDo(t, e, "GET", path+"?status=done", tok, "", nil)
	wantFieldError(t, "status", code, raw, "status", "done")
	code, raw = apiDo(t, e, "GET", path+"?limit=5000&lang=hi", tok, "", nil)
	wantFieldError(t, "limit", code, raw, "limit", "1 से 500 तक")

	// A title that cannot be cut: the SMS is over budget, nothing goes
	// until the program accepts the cost the answer names.
	huge := createEvent(t, e.st, "D1", testclock.Now().Add(96*time.Hour))
	if _, err := e.st.DB().Exec("UPDATE events SET title = ?, title_hi = ? WHERE id = ?", strings.Repeat("अ", 200), strings.Repeat("ब", 200), huge); err != nil {
		t.Fatal(err)
	}
	hugePath := fmt.Sprintf("/api/v1/events/%d/invites", huge)
	code, raw = apiDo(t, e, "POST", hugePath, tok, `{}`, nil)
	var over struct {
		apiError
		SMS struct {
			Over             bool
			Budget, Segments int
			CostPaise        int64 `json:"cost_paise"`
		}
	}
	if err := json.Unmarshal(raw, &over); err != nil || code != http.StatusConflict || over.Error.Code != "conflict" || !over.SMS.Over || over.SMS.Budget != 3 ||
		over.SMS.Segments <= 6*3 || over.SMS.CostPaise != int64(over.SMS.Segments)*20 {
		t.Fatalf("over budget: %d %s", code, raw)
	}
	apiDo(t, e, "GET", hugePath, tok, "", &list)
	if list.Counts.Total != 0 {
		t.Fatalf("an unaccepted over-budget send invited %d", list.Counts.Total)
	}
	if code, raw := apiDo(t, e, "POST", hugePath, tok, `{"over_budget":true}`, &sent); code != http.StatusOK || sent.Report.Invited != 6 {
		t.Errorf("accepted over-budget send: %d %s", code, raw)
	}
}
