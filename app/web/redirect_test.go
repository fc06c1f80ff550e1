package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/web"
)

// rawGet sends one GET and returns the response as sent, redirects and
// unparsable Location headers included.
func rawGet(t *testing.T, u string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// sameSite reports whether a browser at base would stay on base's host
// when following loc. Browsers treat a backslash like a slash and drop
// tabs and newlines before parsing, so those are applied first.
func sameSite(base, loc string) bool {
	cleaned := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, loc)
	b, _ := url.Parse(base)
	u, err := url.Parse(cleaned)
	if err != nil {
		return false
	}
	r := b.ResolveReference(u)
	return r.Host == b.Host && r.Scheme == b.Scheme
}

func TestLanguageSwitchRedirectsOnlyWithinTheSite(t *testing.T) {
	e := newEnv(t, web.Config{})
	// next as the handler reads it (decoded); want is the Location.
	for _, tc := range []struct{ next, want string }{
		{"/\\evil.example/x", "/"},
		{"/\t/evil.example/x", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"\t//evil.example", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/x\x00y", "/"},
		{"", "/"},
		{"/%5Cevil.example/x", "/%5Cevil.example/x"}, // an escaped backslash stays a path
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"},
		{"/units/7/workers?q=ram&role=booth_president", "/units/7/workers?q=ram&role=booth_president"},
		{"/events/12#rsvp", "/events/12#rsvp"},
		{"/units/7/workers?q=राम", "/units/7/workers?q=%E0%A4%B0%E0%A4%BE%E0%A4%AE"},
	} {
		resp := rawGet(t, e.srv.URL+"/lang/en?next="+url.QueryEscape(tc.next))
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !sameSite(e.srv.URL, loc) || loc != tc.want {
			t.Errorf("next=%q: %d Location %q, want %q on this site", tc.next, resp.StatusCode, loc, tc.want)
		}
	}
	// The raw (not re-encoded) attack from the probe.
	for _, raw := range []string{"/%5Cevil.example/x", "/%09/evil.example/x", "%2F%5C%09evil.example"} {
		if loc := rawGet(t, e.srv.URL+"/lang/en?next="+raw).Header.Get("Location"); !sameSite(e.srv.URL, loc) {
			t.Errorf("raw %s: Location %q leaves the site", raw, loc)
		}
	}
}

// TestLanguageSwitchInChromium follows the probe's links in Chromium, with
// evil.example resolved to a second local server: the browser must end on
// this site, never on that one.
func TestLanguageSwitchInChromium(t *testing.T) {
	bin := os.Getenv("KARYAKRAM_CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("chromium not found at %s; install Debian's chromium (apt-get install chromium) or set KARYAKRAM_CHROMIUM", bin)
	}
	e := newEnv(t, web.Config{})
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>EVIL-SITE-REACHED</body></html>"))
	}))
	defer evil.Close()
	evilPort := evil.Listener.Addr().(*net.TCPAddr).Port
	for _, raw := range []string{"/%5Cevil.example/x", "/%09/evil.example/x"} {
		dir := t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		out, err := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+dir,
			fmt.Sprintf("--host-resolver-rules=MAP evil.example:80 127.0.0.1:%d", evilPort),
			"--dump-dom", e.srv.URL+"/lang/en?next="+raw).Output()
		cancel()
		if err != nil {
			t.Fatalf("chromium: %v", err)
		}
		if strings.Contains(string(out), "EVIL-SITE-REACHED") {
			t.Errorf("next=%s: Chromium followed the redirect to evil.example", raw)
		}
		if !strings.Contains(string(out), "<html") {
			t.Errorf("next=%s: Chromium showed no page: %.200s", raw, out)
		}
	}
}
