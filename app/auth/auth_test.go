package auth_test

import (
	"context"
	"log/slog"
	"regexp"
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
	st := storetest.Open(t)
	storetest.Seed(t, st)
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	log := slog.New(slog.DiscardHandler)
	svc := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("test-secret"), auth.DefaultPolicy(), log)
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

func TestLogin(t *testing.T) {
	ctx := context.Background()
	const mobile = "+919800000002"

	t.Run("RightCodeOpensSessionWithScope", func(t *testing.T) {
		svc, st, _ := setup(t)
		if err := svc.RequestCode(ctx, "98000 00002"); err != nil {
			t.Fatal(err)
		}
		token, actor, err := svc.Verify(ctx, mobile, lastCode(t, st, mobile))
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
	t.Run("CodeWorksOnce", func(t *testing.T) {
		svc, st, _ := setup(t)
		svc.RequestCode(ctx, mobile)
		code := lastCode(t, st, mobile)
		if _, _, err := svc.Verify(ctx, mobile, code); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Verify(ctx, mobile, code); schedule.ErrorCode(err) != schedule.EUNAUTH {
			t.Errorf("second use: %v", err)
		}
	})
	t.Run("CodeExpires", func(t *testing.T) {
		svc, st, c := setup(t)
		svc.RequestCode(ctx, mobile)
		code := lastCode(t, st, mobile)
		c.t = c.t.Add(5*time.Minute + time.Second)
		_, _, err := svc.Verify(ctx, mobile, code)
		if schedule.ErrorCode(err) != schedule.EUNAUTH || !regexp.MustCompile("expired").MatchString(err.Error()) {
			t.Errorf("expired code: %v", err)
		}
	})
	t.Run("WrongGuessesAreLimited", func(t *testing.T) {
		svc, st, _ := setup(t)
		svc.RequestCode(ctx, mobile)
		code := lastCode(t, st, mobile)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := 0; i < 5; i++ {
			if _, _, err := svc.Verify(ctx, mobile, wrong); schedule.ErrorCode(err) != schedule.EUNAUTH {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		// Even the right code is refused now.
		if _, _, err := svc.Verify(ctx, mobile, code); schedule.ErrorCode(err) != schedule.ELIMIT {
			t.Errorf("after 5 wrong guesses: %v", err)
		}
	})
	t.Run("SendsAreLimitedPerWindow", func(t *testing.T) {
		svc, _, c := setup(t)
		for i := 0; i < 3; i++ {
			if err := svc.RequestCode(ctx, mobile); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		if err := svc.RequestCode(ctx, mobile); schedule.ErrorCode(err) != schedule.ELIMIT {
			t.Errorf("fourth send: %v", err)
		}
		c.t = c.t.Add(16 * time.Minute)
		if err := svc.RequestCode(ctx, mobile); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})
	t.Run("UnknownNumberGetsNoMessageAndNoHint", func(t *testing.T) {
		svc, st, _ := setup(t)
		if err := svc.RequestCode(ctx, "9811111111"); err != nil { // a worker, not an official
			t.Fatalf("unknown number answered differently: %v", err)
		}
		if _, err := st.LastSMS(ctx, "+919811111111"); !schedule.IsNotFound(err) {
			t.Errorf("a code was sent to a non-official: %v", err)
		}
	})
	t.Run("CodesAreStoredHashed", func(t *testing.T) {
		svc, st, _ := setup(t)
		svc.RequestCode(ctx, mobile)
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
