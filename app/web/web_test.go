package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
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

type env struct {
	t   *testing.T
	st  *store.Store
	srv *httptest.Server
}

func newEnv(t *testing.T, cfg web.Config) *env {
	t.Helper()
	return loginEnv(t, auth.DefaultPolicy(), cfg)
}

// loginEnv is newEnv with login policy p.
func loginEnv(t *testing.T, p auth.Policy, cfg web.Config) *env {
	t.Helper()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	log := slog.New(slog.DiscardHandler)
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), p, log)
	s, err := web.New(st, au, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, st: st, srv: srv}
}

// browser is a client with cookies that logs in the way a person does.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar}}
}

func (b *browser) get(path string) (*http.Response, *goquery.Document) {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.srv.URL + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return resp, doc
}

func (b *browser) csrf() string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "kk_csrf" {
			return c.Value
		}
	}
	b.e.t.Fatal("no csrf cookie")
	return ""
}

func (b *browser) post(path string, form url.Values) (*http.Response, *goquery.Document) {
	b.e.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf())
	}
	resp, err := b.c.PostForm(b.e.srv.URL+path, form)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, _ := goquery.NewDocumentFromReader(resp.Body)
	return resp, doc
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

func (b *browser) login(mobile string) {
	b.e.t.Helper()
	b.get("/login")
	resp, doc := b.post("/login/code", url.Values{"mobile": {mobile}})
	if resp.StatusCode != 200 || doc.Find("input[name=code]").Length() != 1 {
		b.e.t.Fatalf("code form not shown: %d", resp.StatusCode)
	}
	m, _ := schedule.NormaliseMobile(mobile)
	body, err := b.e.st.LastSMS(context.Background(), m)
	if err != nil {
		b.e.t.Fatal(err)
	}
	resp, _ = b.post("/login/verify", url.Values{"mobile": {mobile}, "code": {codeRE.FindStringSubmatch(body)[1]}})
	if resp.Request.URL.Path == "/login" || resp.StatusCode != 200 {
		b.e.t.Fatalf("login failed: %d %s", resp.StatusCode, resp.Request.URL)
	}
}

func unitID(t *testing.T, st *store.Store, code string) int64 {
	u, err := st.FindUnitByCode(context.Background(), schedule.SystemActor("t"), code)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestPages(t *testing.T) {
	e := newEnv(t, web.Config{MaxUploadBytes: 4096})

	t.Run("AnonymousIsSentToLogin", func(t *testing.T) {
		resp, doc := e.browser().get("/")
		if resp.Request.URL.Path != "/login" || doc.Find("input[name=mobile]").Length() != 1 {
			t.Fatalf("landed on %s", resp.Request.URL)
		}
	})
	t.Run("FormWithoutCSRFIsRefused", func(t *testing.T) {
		b := e.browser()
		b.get("/login")
		resp, _ := b.post("/login/code", url.Values{"mobile": {"9800000002"}, "csrf": {"forged-token-value-1234"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("DistrictOfficialBrowsesOwnTreeWithCounts", func(t *testing.T) {
		b := e.browser()
		b.login("9800000002")
		resp, doc := b.get("/")
		if want := fmt.Sprintf("/units/%d", unitID(t, e.st, "D1")); resp.Request.URL.Path != want {
			t.Fatalf("home went to %s, want %s", resp.Request.URL.Path, want)
		}
		rows := doc.Find("table tbody tr")
		if rows.Length() != 1 || !strings.Contains(rows.Text(), "D1-A1") {
			t.Errorf("children table: %q", rows.Text())
		}
		if got := strings.TrimSpace(rows.Find("td.num").Last().Text()); got != "5" { // all of D1 but its president
			t.Errorf("worker count of assembly = %q, want 5", got)
		}
		// Another district answers 404, as if it did not exist.
		resp, _ = b.get(fmt.Sprintf("/units/%d", unitID(t, e.st, "D2")))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("other district: %d", resp.StatusCode)
		}
	})
	t.Run("PagesSpeakHindiAndEnglish", func(t *testing.T) {
		b := e.browser()
		b.login("9800000003")
		b.get("/lang/hi?next=/")
		_, doc := b.get(fmt.Sprintf("/units/%d/workers", unitID(t, e.st, "D1-A1-M1")))
		if doc.Find("html").AttrOr("lang", "") != "hi" || !strings.Contains(doc.Find("h1").Text(), "कार्यकर्ता") {
			t.Errorf("hindi page: %q", doc.Find("h1").Text())
		}
		b.get("/lang/en?next=/")
		_, doc = b.get(fmt.Sprintf("/units/%d/workers", unitID(t, e.st, "D1-A1-M1")))
		if !strings.Contains(doc.Find("h1").Text(), "Workers") {
			t.Errorf("english page: %q", doc.Find("h1").Text())
		}
		names := doc.Find("#workers tbody td:first-child").Text()
		if !strings.Contains(names, "राम कुमार") || strings.Contains(names, "Mohan") {
			t.Errorf("mandal list: %q", names)
		}
	})
	t.Run("EditShowsErrorsAndKeepsInput", func(t *testing.T) {
		b := e.browser()
		b.login("9800000004")
		ws, _, _ := e.st.FindWorkers(context.Background(), schedule.SystemActor("t"), schedule.WorkerFilter{Query: "BBB0000001"})
		id := ws[0].ID
		path := fmt.Sprintf("/workers/%d", id)
		_, doc := b.get(path + "/edit")
		form := url.Values{}
		doc.Find("form.stack input, form.stack textarea").Each(func(_ int, s *goquery.Selection) {
			if n, ok := s.Attr("name"); ok && s.AttrOr("type", "") != "checkbox" {
				form.Set(n, s.AttrOr("value", s.Text()))
			}
		})
		doc.Find("form.stack select").Each(func(_ int, s *goquery.Selection) {
			form.Set(s.AttrOr("name", ""), s.Find("option[selected]").AttrOr("value", ""))
		})
		form.Set("active", "1")
		form.Set("mobile", "12345")
		form.Set("work", "new work")
		resp, doc := b.post(path, form)
		// The browser did not ask for English: the error is in Hindi.
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error").Text(), "मोबाइल: \"12345\" 10 अंकों का") {
			t.Fatalf("status %d error %q", resp.StatusCode, doc.Find(".error").Text())
		}
		if doc.Find("#work").Text() != "new work" {
			t.Errorf("input lost: %q", doc.Find("#work").Text())
		}
		form.Set("mobile", "9811111119")
		resp, doc = b.post(path, form)
		if resp.Request.URL.Path != path || !strings.Contains(doc.Find(".flash").Text(), "Saved") && !strings.Contains(doc.Find(".flash").Text(), "सहेजा") {
			t.Fatalf("after save at %s flash %q", resp.Request.URL.Path, doc.Find(".flash").Text())
		}
		rows := doc.Find("table tr")
		if got := rows.Eq(0).Find("td").Text(); got != "+919811111119" {
			t.Errorf("saved mobile shown as %q", got)
		}
		if got := rows.Eq(2).Find("td").Text(); got != "M" {
			t.Errorf("gender after edit %q, want M kept", got)
		}
	})
	t.Run("ImportUploadListsRowErrors", func(t *testing.T) {
		b := e.browser()
		b.login("9800000001")
		csv := "name,mobile,voter_id,unit_code\nOk,9833333331,EEE0000001,D1\nBad,98,EEE0000002,D1\n"
		resp, doc := b.upload("/import", "workers", csv)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", resp.StatusCode)
		}
		cells := doc.Find("#import-errors tbody tr td")
		if cells.Eq(0).Text() != "3" || cells.Eq(1).Text() != "mobile" {
			t.Errorf("error row: %q", cells.Text())
		}
		resp, _ = b.upload("/import", "workers", "name,mobile,voter_id,unit_code\n"+strings.Repeat("Ok,9833333331,EEE0000001,D1\n", 200))
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized upload: %d", resp.StatusCode)
		}
	})
	t.Run("ExportIsScoped", func(t *testing.T) {
		b := e.browser()
		b.login("9800000003")
		resp, err := b.c.Get(e.srv.URL + fmt.Sprintf("/units/%d/export.csv", unitID(t, e.st, "D1-A1-M1")))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if lines := strings.Count(string(body), "\n"); lines != 5 { // header, mandal and booth presidents, 2 workers
			t.Errorf("export has %d lines:\n%s", lines, body)
		}
		resp, _ = b.c.Get(e.srv.URL + fmt.Sprintf("/units/%d/export.csv", unitID(t, e.st, "D1")))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("export above scope: %d", resp.StatusCode)
		}
	})
	t.Run("HealthAndMetrics", func(t *testing.T) {
		resp, _ := http.Get(e.srv.URL + "/healthz")
		if resp.StatusCode != 200 {
			t.Errorf("healthz %d", resp.StatusCode)
		}
		// Metrics are for operators: not public (TestMetricsNeedAToken).
		resp, _ = http.Get(e.srv.URL + "/metrics")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "karyakram_http_requests_total") {
			t.Errorf("public /metrics: %d", resp.StatusCode)
		}
	})
}

func (b *browser) upload(path, kind, content string) (*http.Response, *goquery.Document) {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", b.csrf())
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", "workers.csv")
	fw.Write([]byte(content))
	mw.Close()
	resp, err := b.c.Post(b.e.srv.URL+path, mw.FormDataContentType(), &buf)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, _ := goquery.NewDocumentFromReader(resp.Body)
	return resp, doc
}

func TestAPI(t *testing.T) {
	e := newEnv(t, web.Config{})
	call := func(method, path, token, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
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
	// API clients without cookies must still pass CSRF on login: they
	// use a bearer-less call with the cookie pair, as a browser would.
	login := func(mobile string) string { return apiToken(t, e, mobile) }

	if code, _ := call("GET", "/api/v1/workers", "", ""); code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", code)
	}
	tok := login("9800000002")
	code, out := call("GET", "/api/v1/workers?limit=100", tok, "")
	if code != 200 || out["total"].(float64) != 6 {
		t.Errorf("district workers: %d %v", code, out["total"])
	}
	code, out = call("GET", fmt.Sprintf("/api/v1/units/%d", unitID(t, e.st, "D2")), tok, "")
	if code != 404 || out["error"].(map[string]any)["code"] != "not_found" {
		t.Errorf("other district: %d %v", code, out)
	}
	code, out = call("POST", "/api/v1/workers", tok, fmt.Sprintf(`{"name":"Nayi","mobile":"9844444441","unit_id":%d}`, unitID(t, e.st, "D1-A1-M2")))
	if code != 201 || out["mobile"] != "+919844444441" {
		t.Fatalf("create: %d %v", code, out)
	}
	id := int64(out["id"].(float64))
	code, out = call("PATCH", fmt.Sprintf("/api/v1/workers/%d", id), tok, `{"voter_id":"bad"}`)
	if code != 422 || out["error"].(map[string]any)["field"] != "voter_id" || !strings.Contains(out["error"].(map[string]any)["message"].(string), "EPIC") {
		t.Errorf("bad patch: %d %v", code, out)
	}
	code, out = call("PATCH", fmt.Sprintf("/api/v1/workers/%d", id), tok, `{"unit_id":`+fmt.Sprint(unitID(t, e.st, "D2"))+`}`)
	if code != 422 {
		t.Errorf("move out of scope: %d %v", code, out)
	}
	code, out = call("POST", "/api/v1/import/workers", tok, "name,mobile,unit_code\nX,9855555551,D2\n")
	if code != 422 || out["report"].(map[string]any)["error_count"].(float64) != 1 {
		t.Errorf("import into other district: %d %v", code, out)
	}
	resp, _ := http.Get(e.srv.URL + "/api/v1/openapi.json")
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc["openapi"] != "3.0.3" {
		t.Errorf("openapi: %v", err)
	}
	paths := doc["paths"].(map[string]any)
	for _, p := range []string{"/workers", "/workers/{id}", "/import/{kind}", "/units/{id}/children"} {
		if paths[p] == nil {
			t.Errorf("openapi lacks %s", p)
		}
	}
}

// TestRoleAssignmentGrantsScope appoints a worker booth president through
// the worker page; the new official can then log in and sees only the booth.
func TestRoleAssignmentGrantsScope(t *testing.T) {
	e := newEnv(t, web.Config{})
	b := e.browser()
	b.login("9800000003") // mandal president of D1-A1-M1
	ws, _, _ := e.st.FindWorkers(context.Background(), schedule.SystemActor("t"), schedule.WorkerFilter{Query: "BBB0000002"})
	id := ws[0].ID
	_, doc := b.get(fmt.Sprintf("/workers/%d", id))
	units := doc.Find("#add-role select[name=unit] option")
	if units.Length() != 4 { // booth, kendra, cluster, mandal: not the district above the mandal
		t.Fatalf("role units offered: %q", units.Text())
	}
	booth := units.First().AttrOr("value", "")
	resp, doc := b.post(fmt.Sprintf("/workers/%d/roles", id), url.Values{"role": {"booth_president"}, "unit": {booth}})
	if resp.StatusCode != 200 || !strings.Contains(doc.Find("#roles").Text(), "बूथ अध्यक्ष") && !strings.Contains(doc.Find("#roles").Text(), "Booth president") {
		t.Fatalf("after assigning: %d %q", resp.StatusCode, doc.Find("#roles").Text())
	}
	// Out of scope: the district unit is refused as not found.
	resp, _ = b.post(fmt.Sprintf("/workers/%d/roles", id), url.Values{"role": {"president"}, "unit": {fmt.Sprint(unitID(t, e.st, "D1"))}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("role above scope: %d", resp.StatusCode)
	}
	nb := e.browser()
	nb.login("9811111112")
	resp, _ = nb.get("/")
	if want := "/units/" + booth; resp.Request.URL.Path != want {
		t.Errorf("new booth president lands on %s, want %s", resp.Request.URL.Path, want)
	}
	// Giving up her own role: the redirect lands on a page she can no
	// longer see, and her home page shows no area.
	resp, _ = nb.post(fmt.Sprintf("/workers/%d/roles/remove", id), url.Values{"role": {"booth_president"}, "unit": {booth}})
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("after removing own role: %d", resp.StatusCode)
	}
	w, _ := e.st.FindWorkerByID(context.Background(), schedule.SystemActor("t"), id)
	if len(w.Roles) != 1 || w.Roles[0].RoleKey != "mann_ki_baat_pramukh" {
		t.Errorf("roles after removal: %+v", w.Roles)
	}
	if _, doc := nb.get("/"); doc.Find("table tbody tr").Length() != 0 {
		t.Errorf("home still lists units")
	}
}

// TestClusterCalendarShowsEventsAbove: the district's workshop appears on
// a cluster president's calendar and opens read-only.
func TestClusterCalendarShowsEventsAbove(t *testing.T) {
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	sys := schedule.SystemActor("t")
	cluster := unitID(t, e.st, "D1-A1-M1-C1")
	ws, _, _ := e.st.FindWorkers(ctx, sys, schedule.WorkerFilter{Query: "BBB0000001"})
	if err := e.st.AssignRole(ctx, sys, ws[0].ID, "president", cluster); err != nil {
		t.Fatal(err)
	}
	start := testclock.Now().Add(48 * time.Hour).Truncate(time.Hour)
	saved, err := e.st.CreateEvent(ctx, sys, schedule.Event{UnitID: unitID(t, e.st, "D1"), Type: "training", Title: "District workshop",
		Start: start, End: start.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("9811111111")
	b.get("/lang/en?next=/")
	_, doc := b.get(fmt.Sprintf("/units/%d/calendar?view=list", cluster))
	if !strings.Contains(doc.Text(), "District workshop") {
		t.Fatalf("cluster calendar lacks the district's event")
	}
	resp, doc := b.get(fmt.Sprintf("/events/%d", saved.Event.ID))
	if resp.StatusCode != http.StatusOK || doc.Find("#edit").Length() != 0 {
		t.Errorf("event page: %d, edit link %d", resp.StatusCode, doc.Find("#edit").Length())
	}
	if resp, _ := b.get(fmt.Sprintf("/events/%d/edit", saved.Event.ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("edit page of the district's event: %d", resp.StatusCode)
	}
}

// The worker list's search finds a surname in Hindi and in English and
// says so when nobody matches, in the page's language.
func TestWorkerSearchPage(t *testing.T) {
	e := newEnv(t, web.Config{})
	storetest.ImportWorkers(t, e.st, "name,mobile,voter_id,gender,unit_code,roles,work\n"+
		"Ramesh Kushwaha,9822200001,CCC0000001,M,D1-A1-M1-C1-S1-B1,,\nअनिल मिश्रा,9822200002,CCC0000002,M,D1-A1-M1-C1-S1-B2,,\n")
	b := e.browser()
	b.login("9800000002")
	list := fmt.Sprintf("/units/%d/workers?q=", unitID(t, e.st, "D1"))
	for q, want := range map[string]string{"kushwaha": "Ramesh Kushwaha", "मिश्रा": "अनिल मिश्रा", "22200002": "अनिल मिश्रा"} {
		_, doc := b.get(list + url.QueryEscape(q))
		if got := strings.TrimSpace(doc.Find("#workers tbody tr td a").Text()); got != want {
			t.Errorf("search %q found %q, want %q", q, got, want)
		}
	}
	_, doc := b.get(list + "zzqx")
	if got := doc.Find("#no-match").Text(); !strings.Contains(got, "किसी के नाम या मोबाइल में “zzqx” नहीं है") {
		t.Errorf("no match says %q", got)
	}
}
