package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testtool"
	"github.com/karyakram/karyakram/schedule"
)

// addAllDistricts adds the 55 fixture districts missing from SmallTree.
func addAllDistricts(t *testing.T, e *env) {
	t.Helper()
	ds, err := seed.Districts()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("code,parent_code,level,name,name_hi\n")
	for i, d := range ds {
		if d.Name != "Gwalior Nagar" && d.Name != "Bhopal Nagar" {
			fmt.Fprintf(&b, "X%02d,MP,district,%s,%s\n", i+1, d.Name, d.NameHi)
		}
	}
	storetest.ImportUnits(t, e.st, b.String())
}

var seriesPathRE = regexp.MustCompile(`^/workshops/(\d+)$`)

func seriesID(t *testing.T, resp *http.Response, doc *goquery.Document) int64 {
	t.Helper()
	m := seriesPathRE.FindStringSubmatch(resp.Request.URL.Path)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("series page not reached: %d at %s: %s", resp.StatusCode, resp.Request.URL, doc.Find(".error").Text())
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func num(t *testing.T, doc *goquery.Document, sel string) float64 {
	t.Helper()
	s := strings.TrimSpace(doc.Find(sel).First().Text())
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s: %q is not a number", sel, s)
	}
	return v
}

func (b *browser) uploadRoster(path, csv string) (*http.Response, *goquery.Document) {
	b.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf())
	fw, _ := mw.CreateFormFile("file", "roster.csv")
	fw.Write([]byte(csv))
	mw.Close()
	resp, err := b.c.Post(b.e.srv.URL+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, _ := goquery.NewDocumentFromReader(resp.Body)
	return resp, doc
}

func TestWorkshopPages(t *testing.T) {
	e := newEnv(t, web.Config{})
	addAllDistricts(t, e)
	state := english(e, "9800000001")

	// The state unit page links the planner.
	_, doc := state.get(fmt.Sprintf("/units/%d", unitID(t, e.st, "MP")))
	if doc.Find("#workshops-link").Length() != 1 {
		t.Fatal("state unit page lacks the workshops link")
	}
	// The new-series form is pre-filled from the 57 districts and 52 HQ towns.
	_, doc = state.get("/workshops/new")
	if n := doc.Find("#districts tbody tr").Length(); n != 57 {
		t.Fatalf("new series form lists %d districts, want 57", n)
	}
	if hosts := doc.Find("textarea[name=hosts]").Text(); strings.Count(strings.TrimSpace(hosts), "\n") != 52 || !strings.Contains(hosts, "ग्वालियर") {
		t.Fatalf("hosts not pre-filled with 52 towns:\n%.300s", hosts)
	}
	// Bad host CSV: the error names the row.
	form := url.Values{"title": {"Test"}, "dates": {"2022-01-05, 2022-01-06"}, "teams": {"9, 5"},
		"hosts": {"town,town_hi,lat,lon\nGwalior,ग्वालियर,26.22,78.18\nBhopal,भोपाल,north,77.4\n"}}
	resp, doc := state.post("/workshops", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#form-errors").Text(), "3") {
		t.Fatalf("bad hosts CSV: %d %q", resp.StatusCode, doc.Find("#form-errors").Text())
	}

	// A series from the January 2022 roster: checked, valid, cost shown.
	resp, doc = state.post("/workshops/sample", url.Values{})
	id := seriesID(t, resp, doc)
	if doc.Find("#check-valid").Length() != 1 {
		t.Fatalf("2022 roster not valid under its own series: %s", doc.Find("#check-result").Text())
	}
	hand := num(t, doc, "#hand-cost")
	best := num(t, doc, "#best-cost")
	if best > hand+1e-6 || num(t, doc, "#saving") < 0 {
		t.Fatalf("planner's best %v costs more than the hand-made %v", best, hand)
	}
	// Beside it, the saving the state office cares about: any hosts.
	openBest, openSaving := num(t, doc, "#open-best-cost"), num(t, doc, "#open-saving")
	if openBest > best+1e-6 || math.Abs(openSaving-(hand-openBest)) > 1 || openSaving <= num(t, doc, "#saving") {
		t.Fatalf("open-host best %v saving %v; same hosts %v, hand %v", openBest, openSaving, best, hand)
	}
	if pct := num(t, doc, "#open-saving-pct"); math.Abs(pct-100*openSaving/hand) > 0.1 {
		t.Fatalf("open-host saving %v%%, want %.1f%%", pct, 100*openSaving/hand)
	}
	if n := doc.Find("#hosts tbody tr").Length(); n != 14 {
		t.Fatalf("2022 roster shows %d workshops, want 14", n)
	}
	base := fmt.Sprintf("/workshops/%d", id)

	// The map: 57 district dots, Hindi host labels.
	resp, svg := state.getRaw(base + "/map.svg?lang=hi")
	if resp.StatusCode != 200 || strings.Count(string(svg), `class="district"`) != 57 || !strings.Contains(string(svg), "ग्वालियर") {
		t.Fatalf("map: %d, %d district dots", resp.StatusCode, strings.Count(string(svg), `class="district"`))
	}

	// Plan with host choice open: no more expensive than the hand-made roster.
	resp, doc = state.post(base+"/plan", url.Values{})
	if resp.StatusCode != 200 {
		t.Fatalf("plan: %d %s", resp.StatusCode, doc.Find(".error").Text())
	}
	planned := num(t, doc, "#cost")
	if planned > hand+1e-6 || num(t, doc, "#lower-bound") > planned+1e-6 {
		t.Fatalf("planned %v vs hand %v, bound %v", planned, hand, num(t, doc, "#lower-bound"))
	}
	if math.Abs(planned-openBest) > 1 {
		t.Fatalf("planned %v, but the check's open-host best was %v", planned, openBest)
	}
	if doc.Find("#assigned").Text() != "57" || doc.Find("#roster td.next").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), "km") }).Length() == 0 {
		t.Fatal("plan page lacks assignments or next-best options")
	}

	// A broken roster: every rule named. Gwalior Nagar away from Gwalior
	// (own district), one workshop over its trainer teams.
	broken := strings.Replace(sampleCSV(t), "2022-01-05,Gwalior,ग्वालियर,Gwalior Nagar", "2022-01-05,Sagar,सागर,Gwalior Nagar", 1)
	resp, doc = state.uploadRoster(base+"/check", broken)
	if resp.StatusCode != 200 || doc.Find("#check-invalid").Length() != 1 {
		t.Fatalf("broken roster: %d %s", resp.StatusCode, doc.Find("#check-result").Text())
	}
	if v := doc.Find("#violations").Text(); !strings.Contains(v, "Gwalior Nagar") {
		t.Fatalf("violations do not name the district: %s", v)
	}
	// The check kept the plan: the roster shown is still the planner's.
	if doc.Find("#source").AttrOr("data-source", "") != "plan" || math.Abs(num(t, doc, "#cost")-planned) > 1 {
		t.Fatalf("checking a roster replaced the plan: source %q cost %s", doc.Find("#source").AttrOr("data-source", ""), doc.Find("#cost").Text())
	}
	// Publish asks which roster; the broken one is refused.
	resp, doc = state.post(base+"/publish", url.Values{})
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find("#publish-choice input[name=roster]").Length() != 2 {
		t.Fatalf("publishing with two rosters did not ask which: %d", resp.StatusCode)
	}
	resp, doc = state.post(base+"/publish", url.Values{"roster": {"checked"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find("#publish-violations li").Length() == 0 {
		t.Fatalf("publishing a broken roster: %d", resp.StatusCode)
	}
	// Bad CSV: the error names the row.
	resp, doc = state.uploadRoster(base+"/check", "date,host_city,org_district\n2022-01-05,Gwalior,Gwalior Nagar\n2022-01-05,,Bhind\n")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#problems").Text(), "line 3") {
		t.Fatalf("bad CSV: %d %q", resp.StatusCode, doc.Find("#problems").Text())
	}
	resp, doc = state.uploadRoster(base+"/check", "date,host_city,org_district\n2022-01-05,Gwalior,Atlantis\n")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#problems").Text(), "Atlantis") {
		t.Fatalf("unknown district: %d %q", resp.StatusCode, doc.Find("#problems").Text())
	}

	// Live validation (JSON) and the same edit without JS (form post).
	_, doc = state.post(base+"/check", url.Values{"sample": {"2022"}})
	var asg []map[string]any
	bhind := fmt.Sprint(unitID(t, e.st, "X"+bhindCode(t)))
	doc.Find("#roster tbody tr").Each(func(_ int, tr *goquery.Selection) {
		in := tr.Find("input")
		v, _ := in.Attr("value")
		unit, _ := in.Attr("data-unit")
		date, _ := tr.Find("option[selected]").Attr("value")
		if date == "" {
			date = tr.Find("option[selected]").Text()
		}
		if unit == bhind {
			v = "Bhopal"
		}
		id, _ := strconv.ParseInt(unit, 10, 64)
		asg = append(asg, map[string]any{"unit": id, "host": v, "date": date})
	})
	if len(asg) != 57 {
		t.Fatalf("edit form has %d rows", len(asg))
	}
	body, _ := json.Marshal(map[string]any{"assignments": asg})
	req, _ := http.NewRequest("POST", e.srv.URL+base+"/roster/check", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", state.csrf())
	jr, err := state.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var live struct {
		Valid      bool `json:"valid"`
		Violations []struct{ Rule, Message string }
		Problems   []string `json:"problems"`
		Summary    string   `json:"summary"`
	}
	json.NewDecoder(jr.Body).Decode(&live)
	jr.Body.Close()
	if jr.StatusCode != 200 || live.Valid || len(live.Violations) == 0 || len(live.Problems) != len(live.Violations) || !strings.Contains(live.Summary, "person-km") {
		t.Fatalf("live check of Bhind at Bhopal on the 5th: %d %+v", jr.StatusCode, live)
	}
	form = url.Values{}
	doc.Find("#roster tbody tr").Each(func(_ int, tr *goquery.Selection) {
		in := tr.Find("input")
		n, _ := in.Attr("name")
		v, _ := in.Attr("value")
		form.Set(n, v)
		sel := tr.Find("select")
		sn, _ := sel.Attr("name")
		form.Set(sn, sel.Find("option[selected]").Text())
	})
	resp, doc = state.post(base+"/roster", form)
	if resp.StatusCode != 200 || doc.Find("#check-valid").Length() != 1 || doc.Find("#source").AttrOr("data-source", "") != "hand" {
		t.Fatalf("saving the unchanged roster by form: %d %s", resp.StatusCode, doc.Find("#check-result").Text())
	}

	// Publish: one event per workshop; again: the same events.
	workshops := doc.Find("#hosts tbody tr").Length()
	resp, doc = state.post(base+"/publish", url.Values{})
	if resp.StatusCode != 200 || !strings.Contains(doc.Find("#published").Text(), fmt.Sprintf("%d events created", workshops)) {
		t.Fatalf("publish: %d %q %s", resp.StatusCode, doc.Find("#published").Text(), doc.Find(".error").Text())
	}
	first := doc.Find("#hosts a.event").Map(func(_ int, s *goquery.Selection) string { h, _ := s.Attr("href"); return h })
	if len(first) != workshops || doc.Find("#hosts a.invite").Length() != workshops {
		t.Fatalf("published page links %d events", len(first))
	}
	resp, doc = state.post(base+"/publish", url.Values{})
	if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find("#published").Text(), "0 events created, 0 updated, 0 cancelled") {
		t.Fatalf("re-publish: %q", doc.Find("#published").Text())
	}
	again := doc.Find("#hosts a.event").Map(func(_ int, s *goquery.Selection) string { h, _ := s.Attr("href"); return h })
	if strings.Join(again, " ") != strings.Join(first, " ") {
		t.Fatalf("re-publish changed events: %v vs %v", again, first)
	}
	resp, evDoc := state.get(first[0])
	if resp.StatusCode != 200 {
		t.Fatalf("event page %s: %d", first[0], resp.StatusCode)
	}
	_ = evDoc
	resp, _ = state.get(first[0] + "/invite")
	if resp.StatusCode != 200 {
		t.Fatalf("invite page: %d", resp.StatusCode)
	}

	// Feed per host city.
	resp, doc = state.post(base+"/feeds", url.Values{"host": {"Gwalior"}})
	feedURL := doc.Find("#feed span.muted").Text()
	if resp.StatusCode != 200 || !strings.Contains(feedURL, "/feeds/") {
		t.Fatalf("feed: %d %q", resp.StatusCode, feedURL)
	}
	u, _ := url.Parse(feedURL)
	resp, ics := state.getRaw(u.Path)
	// The 2022 workshops are older than the feed's history window, so only
	// the calendar itself (the host district's) is checked here.
	if resp.StatusCode != 200 || !strings.Contains(string(ics), "X-WR-CALNAME:Gwalior Nagar") {
		t.Fatalf("Gwalior feed: %d\n%.400s", resp.StatusCode, ics)
	}

	// PDFs: whole series and one host, in Hindi.
	for _, p := range []string{"/roster.pdf?lang=hi", "/roster.pdf?lang=hi&host=Gwalior", "/roster.pdf?lang=en"} {
		resp, pdf := state.getRaw(base + p)
		if resp.StatusCode != 200 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("%s: %d %q", p, resp.StatusCode, pdf[:min(len(pdf), 20)])
		}
		if !strings.Contains(p, "lang=hi") {
			continue
		}
		text := pdfText(t, pdf)
		if text == "" {
			continue
		}
		if !strings.Contains(text, "ग्वालियर") {
			t.Errorf("%s lacks the Hindi host name ग्वालियर:\n%.500s", p, text)
		}
		if !strings.Contains(p, "host=") && !strings.Contains(text, "भोपाल") {
			t.Errorf("%s lacks भोपाल", p)
		}
		// The published events' hours, in IST, and the trainer team.
		if words := strings.Join(strings.Fields(text), " "); !regexp.MustCompile(`(बुधवार|गुरुवार|शुक्रवार), [5-7] जनवरी 2022 · 10:00–17:00 IST`).MatchString(words) ||
			!strings.Contains(words, "दल") {
			t.Errorf("%s lacks the workshop day and hours in IST:\n%.600s", p, words)
		}
	}

	// A district official sees their assignment, not the series.
	district := english(e, "9800000002")
	_, doc = district.get("/workshops")
	if doc.Find("#mine tbody tr").Length() != 1 || !strings.Contains(doc.Find("#mine .host").Text(), "Gwalior") {
		t.Fatalf("district official's workshops: %s", doc.Find("#mine").Text())
	}
	if doc.Find("#new-series").Length() != 0 {
		t.Fatal("district official offered a new series")
	}
	for _, p := range []string{base, base + "/edit", base + "/map.svg", base + "/roster.pdf"} {
		if resp, _ := district.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("district official GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	for _, p := range []string{base + "/plan", base + "/publish", base} {
		if resp, _ := district.post(p, url.Values{"title": {"x"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("district official POST %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := district.get("/workshops/new"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("district official new series: %d, want 403", resp.StatusCode)
	}
	if _, err := e.st.FindWorkshopSeries(context.Background(), schedule.SystemActor("t"), id); err != nil {
		t.Fatal(err)
	}
}

func sampleCSV(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../schedule/roster/testdata/mp-workshops-2022-01.csv")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pdfText extracts text with pdftotext, or returns "" (after logging how
// to install it) when it is absent.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if !testtool.Has("pdftotext") {
		t.Logf("pdftotext not found: run %s (Debian package poppler-utils); PDF text not checked", testtool.AptScript)
		return ""
	}
	path := testtool.Program(t, "pdftotext")
	cmd := exec.Command(path, "-q", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// bhindCode is the X-code addAllDistricts gives Bhind.
func bhindCode(t *testing.T) string {
	ds, err := seed.Districts()
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if d.Name == "Bhind" {
			return fmt.Sprintf("%02d", i+1)
		}
	}
	t.Fatal("no Bhind")
	return ""
}

// Checking the hand-made 2022 roster after planning compares it with the
// plan; it does not replace the plan, and Publish asks which one (it once
// silently published the 2022 roster: 18,893 vs 17,024 person-km).
func TestCheckingARosterKeepsThePlan(t *testing.T) {
	e := newEnv(t, web.Config{})
	addAllDistricts(t, e)
	state := english(e, "9800000001")
	resp, doc := state.post("/workshops/sample", url.Values{})
	id := seriesID(t, resp, doc)
	base := fmt.Sprintf("/workshops/%d", id)
	_, doc = state.post(base+"/plan", url.Values{})
	planTravel, planWorkshops := num(t, doc, "#travel"), doc.Find("#hosts tbody tr").Length()

	_, doc = state.post(base+"/check", url.Values{"sample": {"2022"}})
	hand := num(t, doc, "#hand-cost")
	if doc.Find("#source").AttrOr("data-source", "") != "plan" || num(t, doc, "#travel") != planTravel || hand <= planTravel {
		t.Fatalf("after checking the 2022 roster: source %q travel %v (plan %v), 2022 roster %v",
			doc.Find("#source").AttrOr("data-source", ""), num(t, doc, "#travel"), planTravel, hand)
	}
	if !strings.Contains(doc.Find("#checked-source").Text(), "January 2022") {
		t.Errorf("the check does not say which roster it checked: %q", doc.Find("#checked-source").Text())
	}
	// Publish offers both, nothing chosen for the office.
	opts := doc.Find("#publish-choice input[name=roster]")
	if opts.Length() != 2 || doc.Find("#publish-choice input[checked]").Length() != 0 || !strings.Contains(doc.Find("#publish-choice").Text(), fmt.Sprintf("%.0f", planTravel)) {
		t.Fatalf("publish choice: %d options: %q", opts.Length(), doc.Find("#publish-choice").Text())
	}
	resp, _ = state.post(base+"/publish", url.Values{})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("publish without saying which: %d", resp.StatusCode)
	}
	resp, doc = state.post(base+"/publish", url.Values{"roster": {"plan"}})
	if resp.StatusCode != 200 || !strings.Contains(doc.Find("#published").Text(), fmt.Sprintf("%d events created", planWorkshops)) ||
		doc.Find("#source").AttrOr("data-source", "") != "plan" {
		t.Fatalf("publishing the plan: %d %q", resp.StatusCode, doc.Find("#published").Text())
	}
	// Publishing the checked roster instead switches to it (14 workshops).
	resp, doc = state.post(base+"/publish", url.Values{"roster": {"checked"}})
	if resp.StatusCode != 200 || doc.Find("#hosts tbody tr").Length() != 14 || doc.Find("#source").AttrOr("data-source", "") != "fixture" {
		t.Fatalf("publishing the checked roster: %d, %d workshops", resp.StatusCode, doc.Find("#hosts tbody tr").Length())
	}
}

// The live check of a hand edit works in Hindi: districts are sent by id
// and hosts may be typed in Hindi (it once said "unknown district(s)" for
// all 57), and it answers in Hindi.
func TestLiveRosterCheckInHindi(t *testing.T) {
	e := newEnv(t, web.Config{})
	addAllDistricts(t, e)
	state := e.browser()
	state.login("9800000001") // no language chosen: Hindi
	resp, doc := state.post("/workshops/sample", url.Values{})
	id := seriesID(t, resp, doc)
	var asg []map[string]any
	bhind := fmt.Sprint(unitID(t, e.st, "X"+bhindCode(t)))
	doc.Find("#roster tbody tr").Each(func(_ int, tr *goquery.Selection) {
		in := tr.Find("input")
		unit, _ := in.Attr("data-unit")
		host, _ := in.Attr("value")
		if unit == bhind {
			host = "भोपाल" // typed in Hindi
		}
		n, _ := strconv.ParseInt(unit, 10, 64)
		asg = append(asg, map[string]any{"unit": n, "host": host, "date": tr.Find("option[selected]").Text()})
	})
	body, _ := json.Marshal(map[string]any{"assignments": asg})
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/workshops/%d/roster/check", e.srv.URL, id), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", state.csrf())
	jr, err := state.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer jr.Body.Close()
	var live struct {
		Error    string   `json:"error"`
		Valid    bool     `json:"valid"`
		Summary  string   `json:"summary"`
		Problems []string `json:"problems"`
	}
	json.NewDecoder(jr.Body).Decode(&live)
	if jr.StatusCode != 200 || live.Error != "" || live.Valid || len(live.Problems) == 0 {
		t.Fatalf("live check: %d %+v", jr.StatusCode, live)
	}
	t.Logf("%s\n%s", live.Summary, strings.Join(live.Problems, "\n"))
	if !strings.Contains(live.Summary, "व्यक्ति-किमी") || !strings.Contains(strings.Join(live.Problems, "\n"), "भोपाल") {
		t.Fatalf("not in Hindi: %q %q", live.Summary, live.Problems)
	}
}
