package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
)

// syncBuffer is a log sink tests can read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLoggedEnv is newEnv with the server's and the store's log kept for
// the test.
func newLoggedEnv(t *testing.T, cfg web.Config) (*env, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st := storetest.OpenLogged(t, log)
	storetest.Seed(t, st)
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log)
	s, err := web.New(st, au, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, st: st, srv: srv}, logs
}

func TestOversizedCalendarUploadSaysTooLarge(t *testing.T) {
	e := newEnv(t, web.Config{})
	b := english(e, "9800000002")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf())
	fw, _ := mw.CreateFormFile("file", "vip.ics")
	fw.Write([]byte("BEGIN:VCALENDAR\r\n"))
	fw.Write(bytes.Repeat([]byte("X-FILLER:0123456789012345678901234567890123456789012345678901234567\r\n"), 5<<20/70))
	mw.Close()
	resp, err := b.c.Post(e.srv.URL+fmt.Sprintf("/units/%d/check", unitID(t, e.st, "D1-A1-M1-C1")), mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(raw), "too large") || strings.Contains(string(raw), "expired") {
		t.Errorf("5 MiB .ics: %d, page says %q", resp.StatusCode, visibleError(raw))
	}
}

// visibleError is the .error text of a page, for failure messages.
func visibleError(raw []byte) string {
	i := bytes.Index(raw, []byte(`class="error"`))
	if i < 0 {
		return string(raw[:min(len(raw), 200)])
	}
	return string(raw[i:min(len(raw), i+200)])
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, web.Config{})
	anon := e.browser()
	b := english(e, "9800000002")
	for _, tc := range []struct {
		who  *browser
		path string
	}{{anon, "/login"}, {b, "/"}, {b, fmt.Sprintf("/units/%d", unitID(t, e.st, "D1"))}, {anon, "/no/such/page"}, {b, "/api/v1/me"}} {
		resp, _ := tc.who.getRaw(tc.path)
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", tc.path, got)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q lacks frame-ancestors 'none'", tc.path, csp)
		}
		if got := resp.Header.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q", tc.path, got)
		}
		if got := resp.Header.Get("Referrer-Policy"); got == "" {
			t.Errorf("%s: no Referrer-Policy", tc.path)
		}
	}
	// Private data is not kept by browsers or proxies.
	for _, path := range []string{"/", fmt.Sprintf("/units/%d/export.csv", unitID(t, e.st, "D1")), fmt.Sprintf("/units/%d/workers", unitID(t, e.st, "D1"))} {
		if resp, _ := b.getRaw(path); !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: Cache-Control %q, want no-store", path, resp.Header.Get("Cache-Control"))
		}
	}
	resp, _ := b.post(fmt.Sprintf("/units/%d/feeds", unitID(t, e.st, "D1")), url.Values{"kind": {"unit"}})
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("new feed URL page: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestMetricsNeedAToken(t *testing.T) {
	open := newEnv(t, web.Config{})
	if resp, raw := open.browser().getRaw("/metrics"); resp.StatusCode == 200 || bytes.Contains(raw, []byte("karyakram_http_requests_total")) {
		t.Errorf("/metrics without a configured token: %d, %d bytes of metrics", resp.StatusCode, len(raw))
	}
	e := newEnv(t, web.Config{MetricsToken: "m3tr1cs-t0ken-for-prometheus"})
	for _, auth := range []string{"", "Bearer wrong", "Bearer m3tr1cs-t0ken-for-prometheu"} {
		req, _ := http.NewRequest("GET", e.srv.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusNotFound {
			t.Errorf("/metrics with %q: %d", auth, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer m3tr1cs-t0ken-for-prometheus")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(raw, []byte("karyakram_http_requests_total")) {
		t.Errorf("/metrics with the token: %d", resp.StatusCode)
	}
}

func TestCSRFCookieRotatesAtLogin(t *testing.T) {
	e := newEnv(t, web.Config{})
	b := e.browser()
	b.get("/login")
	before := b.csrf()
	b.login("9800000002")
	after := b.csrf()
	if before == after {
		t.Fatalf("the CSRF token %q survived the login", before)
	}
	// A form carrying the token from before the login is refused.
	resp, _ := b.post("/logout", url.Values{"csrf": {before}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("post with the pre-login CSRF token: %d", resp.StatusCode)
	}
}

func TestFailedImportLogsItsCause(t *testing.T) {
	e, logs := newLoggedEnv(t, web.Config{})
	b := english(e, "9800000001")
	// Break the database under the import: the units table is gone.
	if _, err := e.st.DB().ExecContext(context.Background(), "ALTER TABLE units RENAME TO units_gone"); err != nil {
		t.Fatal(err)
	}
	resp, _ := b.upload("/import", "workers", "name,mobile,unit_code,roles\nNew Worker,9822200001,D1,committee_member\n")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("import on a broken database: %d", resp.StatusCode)
	}
	if l := logs.String(); !regexp.MustCompile(`level=ERROR.*err=.*units`).MatchString(l) {
		t.Errorf("the import's database error is not in the log:\n%s", l)
	}
}
