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

// cookieRecorder keeps every Set-Cookie the server sends, redirects
// included, so a test can read the attributes a cookie jar hides.
type cookieRecorder struct {
	mu  sync.Mutex
	set []*http.Cookie
}

func (r *cookieRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.set = append(r.set, resp.Cookies()...)
		r.mu.Unlock()
	}
	return resp, err
}

// last is the last Set-Cookie named name.
func (r *cookieRecorder) last(name string) *http.Cookie {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.set) - 1; i >= 0; i-- {
		if r.set[i].Name == name {
			return r.set[i]
		}
	}
	return nil
}

// TestSessionCookies: a login always makes a new session token (a value
// planted in the browser before is not kept), of 256 bits, in a cookie
// scripts cannot read and other sites' requests do not carry; logout
// clears it and the token stops working at once. Cookies are Secure when
// configured (-secure-cookies) or when the proxy says HTTPS.
func TestSessionCookies(t *testing.T) {
	e := newEnv(t, web.Config{})
	u, _ := url.Parse(e.srv.URL)
	login := func(plant string) (*browser, *cookieRecorder, *http.Cookie) {
		b := e.browser()
		rec := &cookieRecorder{}
		b.c.Transport = rec
		if plant != "" {
			b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "kk_session", Value: plant, Path: "/"}})
		}
		b.login("9800000002")
		ck := rec.last("kk_session")
		if ck == nil {
			t.Fatal("no session cookie set at login")
		}
		return b, rec, ck
	}
	const planted = "AttackerChoseThisSessionValueBeforeTheLogin0"
	b, rec, ck := login(planted)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
		t.Errorf("session cookie over plain HTTP %+v, want HttpOnly, SameSite=Lax, Path=/, not Secure", ck)
	}
	if ck.Value == planted || len(ck.Value) < 43 {
		t.Errorf("session token %q: the planted value was kept, or it is under 256 bits", ck.Value)
	}
	if _, _, again := login(""); again.Value == ck.Value {
		t.Errorf("two logins got one session token")
	}
	// The token works as a bearer until logout, then not at all.
	me := func() int {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+ck.Value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := me(); code != http.StatusOK {
		t.Fatalf("the session token as a bearer: %d", code)
	}
	b.post("/logout", url.Values{})
	if c := rec.last("kk_session"); c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("logout left the session cookie: %+v", c)
	}
	if code := me(); code != http.StatusUnauthorized {
		t.Errorf("the session token after logout: %d, want 401", code)
	}

	// Secure: configured, or HTTPS at the proxy.
	secureCookie := func(e *env, header string) *http.Cookie {
		req, _ := http.NewRequest("GET", e.srv.URL+"/login", nil)
		if header != "" {
			req.Header.Set("X-Forwarded-Proto", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if c.Name == "kk_csrf" {
				return c
			}
		}
		t.Fatal("no CSRF cookie on /login")
		return nil
	}
	if c := secureCookie(newEnv(t, web.Config{SecureCookies: true}), ""); !c.Secure || !c.HttpOnly {
		t.Errorf("with SecureCookies: %+v", c)
	}
	if c := secureCookie(e, "https"); !c.Secure {
		t.Errorf("behind HTTPS: %+v", c)
	}
	if c := secureCookie(e, ""); c.Secure {
		t.Errorf("plain HTTP without the setting: %+v", c)
	}
}
