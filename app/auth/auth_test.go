package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T) (*auth.Service, *store.Store, *clock) {
	t.Helper()
	return setupPolicy(t, auth.DefaultPolicy())
}

func setupPolicy(t *testing.T, p auth.Policy) (*auth.Service, *store.Store, *clock) {
	t.Helper()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	log := slog.New(slog.DiscardHandler)
	svc := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("test-secret"), p, log)
	svc.SetClock(c.now)
	return svc, st, c
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

func lastCode(t *testing.T, st *store.Store, mobile string) string {
	t.Helper()
	body, err := st.LastSMS(context.Background(), mobile)
	if err != nil {
		t.Fatalf("no sms to %s: %v", mobile, err)
	}
	m := codeRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code in %q", body)
	}
	return m[1]
}

// The addresses the tests log in from.
const (
	home  = "203.0.113.7"  // the official's phone
	other = "198.51.100.9" // someone else
)

func TestLogin(t *testing.T) {
	ctx := context.Background()
	const mobile = "+919800000002"

	t.Run("RightCodeOpensSessionWithScope", func(t *testing.T) {
		svc, st, _ := setup(t)
		if err := svc.RequestCode(ctx, "98000 00002", home); err != nil {
			t.Fatal(err)
		}
		token, actor, err := svc.Verify(ctx, mobile, lastCode(t, st, mobile), home)
		if err != nil || token == "" || actor.Name != "District President" || len(actor.Scope.Roots) != 1 {
			t.Fatalf("verify: %q %+v %v", token, actor, err)
		}
		again, err := svc.Actor(ctx, token)
		if err != nil || again.WorkerID != actor.WorkerID {
			t.Fatalf("session lookup: %+v %v", again, err)
		}
		if err := svc.Logout(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Actor(ctx, token); schedule.ErrorCode(err) != schedule.EUNAUTH {
			t.Errorf("session after logout: %v", err)
		}
	})
	// A session ends 12 hours after the login, however busy (ASVS 3.3.2).
	t.Run("SessionLastsTwelveHours", func(t *testing.T) {
		svc, st, c := setup(t)
		svc.RequestCode(ctx, mobile, home)
		token, _, err := svc.Verify(ctx, mobile, lastCode(t, st, mobile), home)
		if err != nil {
			t.Fatal(err)
		}
		for _, after := range []time.Duration{time.Hour, 6 * time.Hour, 12*time.Hour - time.Second} {
			c.t = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(after)
			if _, err := svc.Actor(ctx, token); err != nil {
				t.Fatalf("session %v after login: %v", after, err)
			}
		}
		c.t = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(12 * time.Hour)
		if _, err := svc.Actor(ctx, token); schedule.ErrorCode(err) != schedule.EUNAUTH {
			t.Errorf("session 12 hours after login: %v, want refused", err)
		}
	})
	t.Run("CodeWorksOnce", func(t *testing.T) {
		svc, st, _ := setup(t)
		svc.RequestCode(ctx, mobile, home)
		code := lastCode(t, st, mobile)
		if _, _, err := svc.Verify(ctx, mobile, code, home); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Verify(ctx, mobile, code, home); schedule.ErrorCode(err) != schedule.EUNAUTH {
			t.Errorf("second use: %v", err)
		}
	})
	t.Run("CodeExpires", func(t *testing.T) {
		svc, st, c := setup(t)
		svc.RequestCode(ctx, mobile, home)
		code := lastCode(t, st, mobile)
		c.t = c.t.Add(5*time.Minute + time.Second)
		_, _, err := svc.Verify(ctx, mobile, code, home)
		if schedule.ErrorCode(err) != schedule.EUNAUTH || !regexp.MustCompile("expired").MatchString(err.Error()) {
			t.Errorf("expired code: %v", err)
		}
	})
	t.Run("WrongGuessesAreLimited", func(t *testing.T) {
		svc, st, _ := setup(t)
		svc.RequestCode(ctx, mobile, home)
		code := lastCode(t, st, mobile)
		for i := 0; i < 4; i++ {
			if _, _, err := svc.Verify(ctx, mobile, wrong(code), home); schedule.ErrorCode(err) != schedule.EUNAUTH {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, _, err := svc.Verify(ctx, mobile, wrong(code), home); schedule.ErrorCode(err) != schedule.ELIMIT {
			t.Fatalf("fifth wrong guess: %v", err)
		}
		// Even the right code is refused now, from this address.
		if _, _, err := svc.Verify(ctx, mobile, code, home); schedule.ErrorCode(err) != schedule.ELIMIT {
			t.Errorf("after 5 wrong guesses: %v", err)
		}
	})
	t.Run("SendsAreLimitedPerWindow", func(t *testing.T) {
		svc, _, c := setup(t)
		for i := 0; i < 3; i++ {
			if err := svc.RequestCode(ctx, mobile, home); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		err := svc.RequestCode(ctx, mobile, home)
		var le *auth.LimitError
		if schedule.ErrorCode(err) != schedule.ELIMIT || !errors.As(err, &le) || le.RetryAfter != 15*time.Minute {
			t.Errorf("fourth send: %v", err)
		}
		c.t = c.t.Add(16 * time.Minute)
		if err := svc.RequestCode(ctx, mobile, home); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})
	t.Run("UnknownNumberGetsNoMessageAndNoHint", func(t *testing.T) {
		svc, st, _ := setup(t)
		if err := svc.RequestCode(ctx, "9811111111", home); err != nil { // a worker, not an official
			t.Fatalf("unknown number answered differently: %v", err)
		}
		if _, err := st.LastSMS(ctx, "+919811111111"); !schedule.IsNotFound(err) {
			t.Errorf("a code was sent to a non-official: %v", err)
		}
	})
	t.Run("CodesAreStoredHashed", func(t *testing.T) {
		svc, st, _ := setup(t)
		svc.RequestCode(ctx, mobile, home)
		code := lastCode(t, st, mobile)
		var stored string
		if err := st.DB().NewSelect().Table("otp_codes").Column("code_hash").Where("mobile = ?", mobile).Scan(ctx, &stored); err != nil {
			t.Fatal(err)
		}
		if stored == code || len(stored) != 64 {
			t.Errorf("stored %q for code %s", stored, code)
		}
	})
}

// wrong returns a code that is not code.
func wrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// TestLoginAbuse covers the probe's findings: limits per address, per
// number and statewide, and an owner an attacker cannot lock out.
func TestLoginAbuse(t *testing.T) {
	ctx := context.Background()
	const mobile = "+919800000002"

	t.Run("AnotherAddressCannotLockTheOwnerOut", func(t *testing.T) {
		svc, st, _ := setup(t)
		for i := 0; i < 5; i++ {
			svc.RequestCode(ctx, mobile, other)
		}
		for i := 0; i < 6; i++ {
			svc.Verify(ctx, mobile, fmt.Sprintf("%06d", 100000+i), other)
		}
		if err := svc.RequestCode(ctx, mobile, home); err != nil {
			t.Fatalf("the owner's request after the attack: %v", err)
		}
		if _, _, err := svc.Verify(ctx, mobile, lastCode(t, st, mobile), home); err != nil {
			t.Fatalf("the owner's login after the attack: %v", err)
		}
	})
	t.Run("SomeoneElsesRequestDoesNotVoidYourCode", func(t *testing.T) {
		svc, st, _ := setup(t)
		svc.RequestCode(ctx, mobile, home)
		mine := lastCode(t, st, mobile)
		svc.RequestCode(ctx, mobile, other)
		if _, _, err := svc.Verify(ctx, mobile, mine, home); err != nil {
			t.Fatalf("the first code after a second request: %v", err)
		}
	})
	t.Run("GuessesFromManyAddressesVoidTheCodes", func(t *testing.T) {
		svc, st, _ := setup(t)
		svc.RequestCode(ctx, mobile, home)
		code := lastCode(t, st, mobile)
		p := auth.DefaultPolicy()
		for i := 0; i < p.MobileFails; i++ {
			svc.Verify(ctx, mobile, wrong(code), fmt.Sprintf("10.0.%d.%d", i/200, i%200))
		}
		if _, _, err := svc.Verify(ctx, mobile, code, home); schedule.ErrorCode(err) != schedule.ELIMIT {
			t.Fatalf("the right code after %d wrong ones from many addresses: %v", p.MobileFails, err)
		}
	})
	t.Run("OneAddressHasABudgetOfRequests", func(t *testing.T) {
		p := auth.DefaultPolicy()
		p.AddrCodes = auth.Rate{Burst: 4, Every: time.Minute}
		svc, _, c := setupPolicy(t, p)
		for i := 0; i < 4; i++ {
			if err := svc.RequestCode(ctx, fmt.Sprintf("98222222%02d", i), other); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.RequestCode(ctx, mobile, other); schedule.ErrorCode(err) != schedule.ELIMIT {
			t.Fatalf("fifth request from one address: %v", err)
		}
		if err := svc.RequestCode(ctx, mobile, home); err != nil {
			t.Fatalf("another address: %v", err)
		}
		c.t = c.t.Add(time.Minute)
		if err := svc.RequestCode(ctx, mobile, other); err != nil {
			t.Fatalf("a minute later: %v", err)
		}
	})
	t.Run("StatewideSMSBudget", func(t *testing.T) {
		p := auth.DefaultPolicy()
		p.SMSPerHour = 2
		svc, _, _ := setupPolicy(t, p)
		for _, m := range []string{"9800000001", "9800000002"} {
			if err := svc.RequestCode(ctx, m, home); err != nil {
				t.Fatal(err)
			}
		}
		errOfficial := svc.RequestCode(ctx, "9800000003", home)
		errStranger := svc.RequestCode(ctx, "9822222222", home)
		if schedule.ErrorCode(errOfficial) != schedule.ELIMIT || errOfficial.Error() != errStranger.Error() {
			t.Fatalf("budget spent: official %v, stranger %v", errOfficial, errStranger)
		}
	})
}

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
		"not an address":       "not an address",
	} {
		if got := auth.AddrKey(in); got != want {
			t.Errorf("AddrKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLoginEventsAreLogged: logins, refused codes, voided codes and codes
// asked for unknown numbers are in the log with the address and the
// number masked; no code and no whole number is (ASVS 7.1.1-7.1.3).
func TestLoginEventsAreLogged(t *testing.T) {
	ctx := context.Background()
	const mobile = "+919800000002"
	var logs bytes.Buffer
	st := storetest.Open(t)
	storetest.Seed(t, st)
	// No time attribute: six digits of a timestamp must not pass for a code.
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	// The development sink writes codes to its own (here silent) log.
	svc := auth.New(st, auth.LogSender{Store: st, Log: slog.New(slog.DiscardHandler)}, []byte("test-secret"), auth.DefaultPolicy(), log)
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	svc.SetClock(c.now)

	svc.RequestCode(ctx, "9833300011", other) // nobody's number
	svc.RequestCode(ctx, mobile, home)
	code := lastCode(t, st, mobile)
	svc.Verify(ctx, mobile, wrong(code), other)
	if _, _, err := svc.Verify(ctx, mobile, code, home); err != nil {
		t.Fatal(err)
	}
	p := auth.DefaultPolicy()
	svc.RequestCode(ctx, mobile, home)
	for i := 0; i < p.MobileFails; i++ {
		svc.Verify(ctx, mobile, wrong(lastCode(t, st, mobile)), fmt.Sprintf("10.0.%d.%d", i/200, i%200))
	}
	l := logs.String()
	official, _ := st.ActorByMobile(ctx, mobile)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`msg="login code requested for unknown mobile" mobile=\+91\*+0011`),
		regexp.MustCompile(`msg="login code refused" mobile=\+91\*+0002 addr=` + regexp.QuoteMeta(other) + ` tries_left=`),
		regexp.MustCompile(fmt.Sprintf(`msg=login worker=%d addr=%s`, official.WorkerID, regexp.QuoteMeta(home))),
		regexp.MustCompile(`msg="login codes voided: too many wrong codes for one number" mobile=\+91\*+0002`),
	} {
		if !want.MatchString(l) {
			t.Errorf("no log line matching %s in:\n%s", want, l)
		}
	}
	for _, secret := range []string{"9800000002", "9833300011", code} {
		if strings.Contains(l, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}
