package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
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

// from is a browser whose connections come from the loopback address ip
// (127.0.0.0/8 is all loopback), so the server sees another client.
func (e *env) from(ip string) *browser {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext}
	return &browser{e: e, c: &http.Client{Jar: jar, Transport: tr}}
}

// smsCount is how many login codes went out.
func smsCount(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM sms_log WHERE purpose = 'otp'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// addOfficials creates n booth presidents with mobiles 97000000xx.
func addOfficials(t *testing.T, st *store.Store, n int) []string {
	t.Helper()
	ctx := context.Background()
	sys := schedule.SystemActor("t")
	booth := unitID(t, st, "D1-A1-M1-C1-S1-B2")
	var mobiles []string
	for i := 0; i < n; i++ {
		m := fmt.Sprintf("97000%05d", i)
		w, err := st.CreateWorker(ctx, sys, schedule.Worker{Name: fmt.Sprintf("Official %d", i), Mobile: m, Active: true, UnitID: booth})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AssignRole(ctx, sys, w.ID, "booth_president", booth); err != nil {
			t.Fatal(err)
		}
		mobiles = append(mobiles, m)
	}
	return mobiles
}

// requestCode posts the login form's first step and returns the status
// and the page's error text.
func (b *browser) requestCode(mobile string) (int, string, http.Header) {
	b.e.t.Helper()
	if _, err := b.c.Get(b.e.srv.URL + "/login"); err != nil {
		b.e.t.Fatal(err)
	}
	resp, doc := b.post("/login/code", url.Values{"mobile": {mobile}})
	return resp.StatusCode, strings.TrimSpace(doc.Find(".error").Text()), resp.Header
}

func (b *browser) verify(mobile, code string) (int, *goquery.Document) {
	b.e.t.Helper()
	resp, doc := b.post("/login/verify", url.Values{"mobile": {mobile}, "code": {code}})
	return resp.StatusCode, doc
}

// TestLoginCodesFromOneAddressAreBudgeted replays the probe: 240 code
// requests for 40 officials from one address. Only the address's budget
// of codes goes out, whatever the numbers, and the forged
// X-Forwarded-For of each request changes nothing.
func TestLoginCodesFromOneAddressAreBudgeted(t *testing.T) {
	p := auth.DefaultPolicy()
	e := loginEnv(t, p, web.Config{})
	mobiles := addOfficials(t, e.st, 40)
	attacker := e.from("127.0.0.9")
	attacker.get("/login")
	csrf := attacker.csrf()
	for round := 0; round < 6; round++ {
		for i, m := range mobiles {
			req, _ := http.NewRequest("POST", e.srv.URL+"/login/code", strings.NewReader(url.Values{"mobile": {m}, "csrf": {csrf}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.1", round, i))
			resp, err := attacker.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	if n := smsCount(t, e.st); n > p.AddrCodes.Burst+1 {
		t.Errorf("240 requests from one address sent %d login SMS; the address's budget is %d", n, p.AddrCodes.Burst)
	}
	// Another address is not affected.
	owner := e.from("127.0.0.10")
	owner.login("9800000002")
}

// TestLoginSMSBudgetHoldsAcrossAddresses floods from many addresses: the
// statewide SMS budget for login codes holds, and when it is spent an
// unknown number gets the same answer as an official's.
func TestLoginSMSBudgetHoldsAcrossAddresses(t *testing.T) {
	p := auth.DefaultPolicy()
	p.SMSPerHour = 12
	e := loginEnv(t, p, web.Config{})
	mobiles := addOfficials(t, e.st, 30)
	for i, m := range mobiles {
		e.from(fmt.Sprintf("127.0.1.%d", i+1)).requestCode(m)
	}
	if n := smsCount(t, e.st); n != 12 {
		t.Errorf("%d login SMS sent; the budget is 12", n)
	}
	codeOfficial, msgOfficial, _ := e.from("127.0.2.1").requestCode("9800000002")
	codeStranger, msgStranger, _ := e.from("127.0.2.2").requestCode("9811111111")
	if codeOfficial != http.StatusTooManyRequests || codeOfficial != codeStranger || msgOfficial != msgStranger {
		t.Errorf("budget spent: official %d %q, stranger %d %q; want the same refusal", codeOfficial, msgOfficial, codeStranger, msgStranger)
	}
}

// TestAnAttackerCannotLockTheOwnerOut: requests and wrong guesses for the
// district president's number from one address leave the president,
// from another address, able to get a code and log in.
func TestAnAttackerCannotLockTheOwnerOut(t *testing.T) {
	e := loginEnv(t, auth.DefaultPolicy(), web.Config{})
	attacker := e.from("127.0.0.20")
	for i := 0; i < 5; i++ {
		attacker.requestCode("9800000002")
	}
	for i := 0; i < 10; i++ {
		attacker.verify("9800000002", fmt.Sprintf("%06d", 123456+i))
	}
	code, msg, _ := attacker.requestCode("9800000002")
	if code != http.StatusTooManyRequests {
		t.Errorf("the attacker's own requests are not limited: %d %q", code, msg)
	}
	owner := e.from("127.0.0.21")
	owner.login("9800000002")
}

// TestVerifyDoesNotTellWhoIsAnOfficial: a code typed for an official's
// number that asked for none, for a stranger's number, and a wrong code
// for an official who did ask, all get the same answer.
func TestVerifyDoesNotTellWhoIsAnOfficial(t *testing.T) {
	e := loginEnv(t, auth.DefaultPolicy(), web.Config{})
	answer := func(ip, mobile string, request bool) (int, string) {
		b := e.from(ip)
		b.get("/login")
		if request {
			b.requestCode(mobile)
		}
		code, doc := b.verify(mobile, "000001")
		return code, strings.TrimSpace(doc.Find(".error").Text())
	}
	c1, m1 := answer("127.0.0.30", "9800000002", false) // official, no code asked
	c2, m2 := answer("127.0.0.31", "9811111111", false) // a worker, not an official
	c3, m3 := answer("127.0.0.32", "9822222299", true)  // nobody; "code sent"
	c4, m4 := answer("127.0.0.33", "9800000003", true)  // official, code sent, wrong guess
	if c1 != c2 || c2 != c3 || c3 != c4 || m1 != m2 || m2 != m3 || m3 != m4 {
		t.Errorf("answers differ:\n official, none asked: %d %q\n worker: %d %q\n nobody: %d %q\n official, wrong: %d %q", c1, m1, c2, m2, c3, m3, c4, m4)
	}
}

// goDuration is how Go prints a time.Duration ("12m0s", "1h0m0s", "45s").
var goDuration = regexp.MustCompile(`\d+(h\d+m)?\d*m?\d+(\.\d+)?s\b|\d+m0s`)

// TestLoginLimitSaysWhenToRetry: every login limit tells the person, in
// the page's language, in how many whole minutes to try again (the same
// wait as the Retry-After header, rounded up), never a Go duration such
// as "12m0s"; Hindi first. The limits are the fourth code for one number
// within 15 minutes (the demo's own logins once hit it with no hint), an
// address over its budget of code requests, and too many wrong codes.
func TestLoginLimitSaysWhenToRetry(t *testing.T) {
	p := auth.DefaultPolicy()
	p.AddrCodes = auth.Rate{Burst: 30, Every: 7 * time.Minute}
	// The number limits count in fixed 15-minute windows (04:30-04:45 UTC
	// holds 10:03:20 IST), so the wait they tell is 11m40s: 12 minutes.
	st := storetest.Open(t)
	base, start := testclock.Day(1, 10, 3).Add(20*time.Second), time.Now()
	st.SetClock(func() time.Time { return base.Add(time.Since(start)) })
	storetest.Seed(t, st)
	log := slog.New(slog.DiscardHandler)
	s, err := web.New(st, auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), p, log), web.Config{}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	e := &env{t: t, st: st, srv: srv}
	type refusal struct {
		code  int
		msg   string
		retry string
	}
	pairLimit := func(b *browser) refusal {
		var r refusal
		for i := 0; i < p.PairSends+1; i++ {
			var h http.Header
			r.code, r.msg, h = b.requestCode("9800000002")
			r.retry = h.Get("Retry-After")
		}
		return r
	}
	floodLimit := func(b *browser) refusal {
		var r refusal
		for i := 0; i < p.AddrCodes.Burst+1; i++ {
			var h http.Header
			r.code, r.msg, h = b.requestCode(fmt.Sprintf("98222%05d", i))
			r.retry = h.Get("Retry-After")
		}
		return r
	}
	wrongCodes := func(b *browser) refusal {
		b.requestCode("9800000003")
		var r refusal
		for i := 0; i < p.PairFails+1; i++ {
			resp, doc := b.post("/login/verify", url.Values{"mobile": {"9800000003"}, "code": {"000001"}})
			r.code, r.msg, r.retry = resp.StatusCode, strings.TrimSpace(doc.Find(".error").Text()), resp.Header.Get("Retry-After")
		}
		return r
	}
	ip := 60
	for _, c := range []struct {
		limit   string
		refuse  func(*browser) refusal
		minutes int
		hi, en  string
	}{
		{"fourth code for a number", pairLimit, 12, "इस नंबर के लिए बहुत से लॉगिन कोड माँगे गए हैं; 12 मिनट बाद फिर कोशिश करें", "too many login codes were asked for this number; try again in 12 minutes"},
		{"address over its budget", floodLimit, 7, "आपके नेटवर्क से बहुत से लॉगिन अनुरोध आए हैं; 7 मिनट बाद फिर कोशिश करें", "too many login requests from your network; try again in 7 minutes"},
		{"wrong codes", wrongCodes, 12, "बहुत से गलत कोड डाले गए; 12 मिनट बाद फिर कोशिश करें", "too many wrong codes; try again in 12 minutes"},
	} {
		for _, lang := range []string{"hi", "en"} {
			t.Run(c.limit+"/"+lang, func(t *testing.T) {
				e.t = t
				ip++
				b := e.from(fmt.Sprintf("127.0.0.%d", ip))
				b.get("/lang/" + lang + "?next=/login")
				r := c.refuse(b)
				want := map[string]string{"hi": c.hi, "en": c.en}[lang]
				if r.code != http.StatusTooManyRequests || !strings.Contains(r.msg, want) {
					t.Fatalf("refusal: %d %q\nwant %q", r.code, r.msg, want)
				}
				if goDuration.MatchString(r.msg) {
					t.Errorf("a Go duration in %q", r.msg)
				}
				if lang == "hi" && regexp.MustCompile(`[A-Za-z]`).MatchString(r.msg) {
					t.Errorf("English in the Hindi message %q", r.msg)
				}
				// The page and the header agree: the minutes said are the
				// header's wait rounded up.
				secs, err := strconv.Atoi(r.retry)
				if err != nil || (secs+59)/60 != c.minutes {
					t.Errorf("Retry-After %q for a message saying %d minutes", r.retry, c.minutes)
				}
			})
		}
	}
}

// TestTrustedProxyForwardsTheClientAddress: behind a configured proxy,
// limits count the address it forwarded for, so one busy client behind
// the proxy does not use up everyone's budget.
func TestTrustedProxyForwardsTheClientAddress(t *testing.T) {
	p := auth.DefaultPolicy()
	p.AddrCodes = auth.Rate{Burst: 2, Every: time.Hour}
	e := loginEnv(t, p, web.Config{TrustedProxies: []string{"127.0.0.0/8"}})
	send := func(forwardedFor string) int {
		b := e.from("127.0.0.50")
		b.get("/login")
		req, _ := http.NewRequest("POST", e.srv.URL+"/login/code", strings.NewReader(url.Values{"mobile": {"9822222222"}, "csrf": {b.csrf()}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", forwardedFor)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; i < 2; i++ {
		if code := send("203.0.113.1"); code != 200 {
			t.Fatalf("request %d for 203.0.113.1: %d", i, code)
		}
	}
	if code := send("203.0.113.1"); code != http.StatusTooManyRequests {
		t.Errorf("third request for 203.0.113.1: %d", code)
	}
	if code := send("203.0.113.2"); code != 200 {
		t.Errorf("another client behind the proxy: %d", code)
	}
}
