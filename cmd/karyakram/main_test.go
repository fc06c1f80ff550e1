package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store/storetest"
)

// testEnv returns a getenv that points the binary at a database private
// to the test (SQLite, or a Postgres schema under KARYAKRAM_TEST_DSN).
func testEnv(t *testing.T) func(string) string {
	dsn := storetest.DSN(t)
	return func(k string) string {
		if k == "KARYAKRAM_DSN" {
			return dsn
		}
		return ""
	}
}

// TestDemoServes runs `karyakram demo` on port 0 the way a new user does and
// checks that the printed URL serves the login page and health check.
func TestDemoServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"demo", "-addr", "127.0.0.1:0"}, testEnv(t), pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	urlRE := regexp.MustCompile(`running at (http://\S+)`)
	var base string
	var out strings.Builder
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
		if strings.Contains(sc.Text(), "booth president") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatalf("no URL printed:\n%s", out.String())
	}
	for _, want := range []string{"state office", "9000000001", "9000000004"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	for _, path := range []string{"/healthz", "/login"} {
		resp, err := http.Get(base + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("demo did not stop on cancel")
	}
}

func TestImportCommandReportsRowsAndWritesNothingOnError(t *testing.T) {
	getenv := testEnv(t)
	dir := t.TempDir()
	units := filepath.Join(dir, "units.csv")
	os.WriteFile(units, []byte(storetest.SmallTree), 0o644)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("name,mobile,voter_id,unit_code\nA,9811111111,ABC1234567,D1\nB,1,ABC1234568,D1\n"), 0o644)
	var out strings.Builder
	if err := Run(context.Background(), []string{"import", "-quiet", "-kind", "units", units}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("units: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "18 added") {
		t.Errorf("units report: %s", out.String())
	}
	out.Reset()
	err := Run(context.Background(), []string{"import", "-quiet", "-kind", "workers", bad}, getenv, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "line 3, column mobile") || !strings.Contains(out.String(), "nothing was imported") {
		t.Fatalf("bad import: %v\n%s", err, out.String())
	}
}

func TestUnknownCommandShowsUsage(t *testing.T) {
	var errOut strings.Builder
	if err := Run(context.Background(), []string{"frobnicate"}, os.Getenv, io.Discard, &errOut); err == nil || !strings.Contains(errOut.String(), "Usage:") {
		t.Fatalf("err %v, stderr %q", err, errOut.String())
	}
}

// startServe runs `karyakram <args>` on port 0 and returns its base URL;
// the server stops when the test ends.
func startServe(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	base, stop := runServer(t, getenv, args...)
	t.Cleanup(stop)
	return base
}

// runServer runs `karyakram <args>` on port 0 and returns its base URL and
// a function that stops it (as Ctrl+C does) and waits for it.
func runServer(t *testing.T, getenv func(string) string, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, append(args, "-addr", "127.0.0.1:0"), getenv, pw, io.Discard)
		pw.Close()
	}()
	stop := func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("server did not stop")
		}
	}
	sc := bufio.NewScanner(pr)
	urlRE := regexp.MustCompile(`running at (http://\S+)`)
	for sc.Scan() {
		if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, pr)
			return m[1], stop
		}
	}
	stop()
	t.Fatal("no URL printed")
	return "", nil
}

// TestLoginCodeGoesThroughConfiguredSMSGateway configures an SMS gateway by
// environment and checks that a login code reaches it, not the dev sink.
func TestLoginCodeGoesThroughConfiguredSMSGateway(t *testing.T) {
	got := make(chan url.Values, 1)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Header.Get("Authorization") != "Bearer k1" {
			http.Error(w, "bad key", http.StatusUnauthorized)
			return
		}
		got <- r.PostForm
	}))
	defer gw.Close()
	db := testEnv(t)
	env := map[string]string{"KARYAKRAM_DSN": db("KARYAKRAM_DSN"), "KARYAKRAM_SMS_URL": gw.URL, "KARYAKRAM_SMS_KEY": "Bearer k1"}
	base := startServe(t, func(k string) string { return env[k] }, "demo")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if _, err := c.Get(base + "/login"); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	var csrf string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "kk_csrf" {
			csrf = ck.Value
		}
	}
	resp, err := c.PostForm(base+"/login/code", url.Values{"csrf": {csrf}, "mobile": {"9000000002"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("request code: %v %v", resp, err)
	}
	select {
	case form := <-got:
		if form.Get("to") != "+919000000002" || !regexp.MustCompile(`\b\d{6}\b`).MatchString(form.Get("text")) {
			t.Errorf("gateway got %v", form)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the gateway never received the login code")
	}
}
