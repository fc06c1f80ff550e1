package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
)

// TestCampaignDashboard follows a district president who sets a booth
// campaign and reads, in Hindi and English, which booths lag, what each
// misses and whom to call; the booth president reads their checklist.
func TestCampaignDashboard(t *testing.T) {
	e := newEnv(t, web.Config{})
	district := e.browser()
	district.login("9800000002")
	form := url.Values{"unit": {fmt.Sprint(unitID(t, e.st, "D1"))}, "title_hi": {"डिजिटल बूथ"}, "title": {"Digital booth"},
		"target": {testclock.Date(30)}, "level": {"booth"}, "members": {"2"}, "roles": {"booth_president, labharthi_pramukh, chai_pramukh"},
		"verified": {"booth_president"}}

	// A rule naming an unknown role is refused, naming it, in both languages.
	for lang, want := range map[string]string{"hi": `अज्ञात दायित्व "chai_pramukh"`, "en": `unknown role "chai_pramukh"`} {
		district.setLang(lang)
		resp, doc := district.post("/campaigns", form)
		if got := doc.Find("#rules-error").Text(); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, want) {
			t.Fatalf("%s: %d %q, want 422 saying %q", lang, resp.StatusCode, got, want)
		}
	}
	form.Set("roles", "booth_president, labharthi_pramukh")
	resp, _ := district.post("/campaigns", form)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Request.URL.Path, "/campaigns/") {
		t.Fatalf("create: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	campaign := resp.Request.URL.Path

	// B1 gets its labharthi pramukh and the president logs in (which
	// verifies the mobile): B1 is ready, B2 (one member) is not.
	storetest.ImportWorkers(t, e.st, "name,mobile,voter_id,gender,unit_code,roles,work\nLabh Pramukh,9811111120,BBB0000020,F,D1-A1-M1-C1-S1-B1,labharthi_pramukh,\n")
	booth := e.browser()
	booth.login("9800000004")

	kendra := fmt.Sprintf("%s?unit=%d", campaign, unitID(t, e.st, "D1-A1-M1-C1-S1"))
	for _, tc := range []struct{ lang, progress, b2, b1 string }{
		{"hi", "2 में से 1 तैयार (50%)", "1/2 सदस्य, बूथ अध्यक्ष नहीं, लाभार्थी प्रमुख नहीं", ""},
		{"en", "1 of 2 ready (50%)", "1/2 members, no Booth president, no Labharthi pramukh", ""},
	} {
		district.setLang(tc.lang)
		resp, doc := district.get(kendra)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: dashboard %d", tc.lang, resp.StatusCode)
		}
		if got := doc.Find("#progress").Text(); got != tc.progress {
			t.Errorf("%s: progress %q, want %q", tc.lang, got, tc.progress)
		}
		rows := doc.Find("#children tbody tr")
		if rows.Length() != 2 {
			t.Fatalf("%s: %d booths listed, want 2", tc.lang, rows.Length())
		}
		first, second := rows.Eq(0), rows.Eq(1)
		if first.AttrOr("data-code", "") != "D1-A1-M1-C1-S1-B2" || second.AttrOr("data-code", "") != "D1-A1-M1-C1-S1-B1" {
			t.Errorf("%s: laggard not first: %s, %s", tc.lang, first.AttrOr("data-code", ""), second.AttrOr("data-code", ""))
		}
		if got := strings.TrimSpace(first.Find(".missing").Text()); got != tc.b2 {
			t.Errorf("%s: B2 misses %q, want %q", tc.lang, got, tc.b2)
		}
		if got := strings.TrimSpace(second.Find(".missing").Text()); got != tc.b1 {
			t.Errorf("%s: B1 (ready) misses %q", tc.lang, got)
		}
		if got := second.Text(); !strings.Contains(got, "Booth President") || !strings.Contains(got, "+919800000004") {
			t.Errorf("%s: B1's row does not say whom to call: %q", tc.lang, got)
		}
		if first.Find("td.num").Text() == "" || !strings.Contains(first.Find("td.num").Text(), "0%") {
			t.Errorf("%s: B2 percent %q", tc.lang, first.Find("td.num").Text())
		}
		if doc.Find("#burnup polyline.actual").Length() != 1 || doc.Find("#burnup line.target").Length() != 1 {
			t.Errorf("%s: no burn-up chart", tc.lang)
		}
	}

	// The booth president opens the campaign at their own booth: the
	// checklist, every item done.
	booth.setLang("hi")
	_, doc := booth.get(campaign)
	if got := doc.Find("#unit-name").Text(); got != "बूथ 1" {
		t.Errorf("booth president's dashboard opens at %q", got)
	}
	items := doc.Find("#checklist li")
	if items.Length() != 4 || doc.Find("#checklist li.todo").Length() != 0 || !strings.Contains(items.Last().Text(), "बूथ अध्यक्ष सत्यापित") {
		t.Errorf("checklist: %d items, %d to do, last %q", items.Length(), doc.Find("#checklist li.todo").Length(), items.Last().Text())
	}

	// The CSV for the meeting: the same rows.
	district.setLang("en")
	r, err := district.c.Get(e.srv.URL + strings.Replace(kendra, "?", "/export.csv?", 1))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(r.Body).ReadAll()
	r.Body.Close()
	if err != nil || len(recs) != 3 || recs[1][0] != "D1-A1-M1-C1-S1-B2" || recs[1][4] != "0" || !strings.Contains(recs[1][5], "no Labharthi pramukh") || recs[2][4] != "100" {
		t.Errorf("CSV: %v %q", err, recs)
	}

	// The JSON twin, and another district's president gets nothing.
	tok := apiToken(t, e, "9800000002")
	id := strings.TrimPrefix(campaign, "/campaigns/")
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/campaigns/%s?unit=%d", e.srv.URL, id, unitID(t, e.st, "D1-A1-M1-C1-S1")), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	ar, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Progress struct{ Ready, Total int }
		Children []struct {
			Unit    struct{ Code string }
			Missing []string
		}
	}
	json.NewDecoder(ar.Body).Decode(&out)
	ar.Body.Close()
	if out.Progress.Ready != 1 || out.Progress.Total != 2 || len(out.Children) != 2 || out.Children[0].Unit.Code != "D1-A1-M1-C1-S1-B2" ||
		strings.Join(out.Children[0].Missing, ", ") != "1/2 members, no Booth president, no Labharthi pramukh" {
		t.Errorf("API: %+v", out)
	}
	// Nudges: B2 gets a president (not yet logged in); the district
	// sends today's reminders twice; one SMS goes, in Hindi.
	storetest.ImportWorkers(t, e.st, "name,mobile,voter_id,gender,unit_code,roles,work\nNaye Adhyaksh,9811111130,BBB0000030,M,D1-A1-M1-C1-S1-B2,booth_president,\n")
	for i := 0; i < 2; i++ {
		resp, _ := district.post(strings.Replace(kendra, "?", "/nudge?", 1), url.Values{})
		if resp.StatusCode != 200 {
			t.Fatalf("nudge %d: %d", i+1, resp.StatusCode)
		}
	}
	var n int
	var to, body string
	if err := e.st.DB().QueryRow("SELECT COUNT(*), MIN(recipient), MIN(body) FROM outbox WHERE kind = 'nudge'").Scan(&n, &to, &body); err != nil {
		t.Fatal(err)
	}
	if want := "डिजिटल बूथ: बूथ 2 — लाभार्थी प्रमुख नहीं, बूथ अध्यक्ष असत्यापित। लक्ष्य तिथि"; n != 1 || to != "+919811111130" || !strings.HasPrefix(body, want) {
		t.Errorf("nudges: %d to %s %q, want one to +919811111130 starting %q", n, to, body, want)
	}
	// In the state's campaign a district's nudge reaches its own people
	// only: D2's booth president (4 lags there too) gets nothing from D1.
	stateTok := apiToken(t, e, "9800000001")
	stateBody := fmt.Sprintf(`{"title":"State drive","unit_id":%d,"target":%q,"rules":{"levels":[{"level":"booth","members":5,"roles":[{"role":"booth_president","count":1}]}]}}`,
		unitID(t, e.st, "MP"), testclock.Date(20))
	req, _ = http.NewRequest("POST", e.srv.URL+"/api/v1/campaigns", strings.NewReader(stateBody))
	req.Header.Set("Authorization", "Bearer "+stateTok)
	req.Header.Set("Content-Type", "application/json")
	cr, err := http.DefaultClient.Do(req)
	if err != nil || cr.StatusCode != http.StatusCreated {
		t.Fatalf("state campaign: %v %v", err, cr.Status)
	}
	var made struct{ ID int64 }
	json.NewDecoder(cr.Body).Decode(&made)
	cr.Body.Close()
	storetest.ImportWorkers(t, e.st, "name,mobile,voter_id,gender,unit_code,roles,work\nBhopal Booth Adhyaksh,9811111140,BBB0000040,M,D2-A1-M1-C1-S1-B1,booth_president,\n")
	if resp, _ := district.post(fmt.Sprintf("/campaigns/%d/nudge", made.ID), url.Values{}); resp.StatusCode != 200 {
		t.Fatalf("district nudge in the state campaign: %d", resp.StatusCode)
	}
	rows, err := e.st.DB().Query("SELECT recipient FROM outbox WHERE kind = 'nudge' AND idem_key LIKE ?", fmt.Sprintf("nudge:%d:%%", made.ID))
	if err != nil {
		t.Fatal(err)
	}
	var reached []string
	for rows.Next() {
		var r string
		rows.Scan(&r)
		reached = append(reached, r)
	}
	rows.Close()
	if len(reached) == 0 || slices.Contains(reached, "+919811111140") || slices.Contains(reached, "+919800000005") {
		t.Errorf("D1's nudge in the state campaign reached %v: want D1's people only, some", reached)
	}
	// Rules change by version: D1 may not change the state's; the state
	// may, and an unknown role is refused naming it.
	setRules := func(tok, body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/campaigns/%d/rules", e.srv.URL, made.ID), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, _ := setRules(tok, `{"levels":[{"level":"booth","members":1}]}`); code != http.StatusNotFound {
		t.Errorf("D1 changing the state's rules: %d", code)
	}
	if code, out := setRules(stateTok, `{"levels":[{"level":"booth","roles":[{"role":"chai_pramukh","count":1}]}]}`); code != http.StatusUnprocessableEntity ||
		!strings.Contains(fmt.Sprint(out["error"]), "chai_pramukh") {
		t.Errorf("unknown role in new rules: %d %v", code, out)
	}
	if code, out := setRules(stateTok, `{"levels":[{"level":"booth","members":1}]}`); code != 200 || out["rules"].(map[string]any)["version"] != float64(2) {
		t.Errorf("new rules: %d %v", code, out)
	}
	other := e.browser()
	other.login("9800000005")
	if resp, _ := other.get(campaign); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another district's president: %d", resp.StatusCode)
	}
}
