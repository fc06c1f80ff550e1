package keys_test

import (
	"context"
	"log/slog"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/keys"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// clock is a settable clock for the store (and so for the ring).
type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *clock) set(t time.Time)         { c.t.Store(t.UnixNano()) }
func (c *clock) advance(d time.Duration) { c.set(c.now().Add(d)) }

func openAt(t *testing.T) (*store.Store, *clock) {
	st := storetest.Open(t)
	c := &clock{}
	c.set(testclock.Now())
	st.SetClock(c.now)
	return st, c
}

func claims(c *clock) schedule.LinkClaims {
	return schedule.LinkClaims{InviteID: 42, EventID: 7, LinkVersion: 1, Expires: c.now().AddDate(1, 0, 0)}
}

// TestLinksSurviveARestart opens the ring twice on one database, as two
// starts of the server with KARYAKRAM_SECRET unset: a link signed by the
// first verifies with the second, and the key is made only once.
func TestLinksSurviveARestart(t *testing.T) {
	ctx := context.Background()
	st, c := openAt(t)
	first, err := keys.Open(ctx, st, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	link, err := first.Signer().Sign(claims(c))
	if err != nil {
		t.Fatal(err)
	}
	second, err := keys.Open(ctx, st, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := second.Signer().Verify(link, c.now()); err != nil || got.InviteID != 42 {
		t.Fatalf("link after restart: %+v %v", got, err)
	}
	if ks, _ := st.LinkKeys(ctx); len(ks) != 1 {
		t.Fatalf("%d keys stored, want 1", len(ks))
	}
	// Another database makes its own key: its links do not verify here.
	other, _ := openAt(t)
	third, err := keys.Open(ctx, other, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := third.Signer().Verify(link, c.now()); !schedule.IsLinkInvalid(err) {
		t.Fatalf("a link of another database verified: %v", err)
	}
}

// TestConfiguredSecretSeedsTheFirstKey keeps links signed by servers that
// ran with KARYAKRAM_SECRET (before keys were stored) working.
func TestConfiguredSecretSeedsTheFirstKey(t *testing.T) {
	ctx := context.Background()
	st, c := openAt(t)
	legacy, err := outbox.LinkSigner("operator secret")
	if err != nil {
		t.Fatal(err)
	}
	link, _ := legacy.Sign(claims(c))
	ring, err := keys.Open(ctx, st, "operator secret", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Signer().Verify(link, c.now()); err != nil {
		t.Fatalf("link signed with KARYAKRAM_SECRET: %v", err)
	}
}

// TestRotationReachesARunningServer rotates while a server runs: the new
// key verifies once reloaded, signs only after the propagation delay, and
// the old key's links (and a login code sent just before the switch) keep
// working through the grace period, then stop.
func TestRotationReachesARunningServer(t *testing.T) {
	ctx := context.Background()
	st, c := openAt(t)
	storetest.Seed(t, st)
	ring, err := keys.Open(ctx, st, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, nil, auth.DefaultPolicy(), log)
	au.SetKeys(ring)
	oldLink, _ := ring.Signer().Sign(claims(c))

	grace := 7 * 24 * time.Hour
	nk, all, err := keys.Rotate(ctx, st, schedule.SystemActor("test"), grace)
	if err != nil || len(all) != 2 || nk.ID == all[0].ID {
		t.Fatalf("rotate: %v %v %v", nk, all, err)
	}
	if err := ring.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if l, _ := ring.Signer().Sign(claims(c)); l != oldLink {
		t.Fatal("the new key signs before every server could load it")
	}
	// A login code is sent with the old key just before the switch...
	if err := au.RequestCode(ctx, "9800000001", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	sms, _ := st.LastSMS(ctx, "+919800000001")
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(sms)

	c.advance(keys.Propagation + time.Second)
	if err := ring.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	newLink, _ := ring.Signer().Sign(claims(c))
	if newLink == oldLink {
		t.Fatal("the new key does not sign after the propagation delay")
	}
	// ...and is still accepted after it.
	if _, _, err := au.Verify(ctx, "9800000001", code, "127.0.0.1"); err != nil {
		t.Fatalf("login code across the switch: %v", err)
	}
	for _, l := range []string{oldLink, newLink} {
		if _, err := ring.Signer().Verify(l, c.now()); err != nil {
			t.Fatalf("during grace: %v", err)
		}
	}
	c.advance(grace)
	if err := ring.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Signer().Verify(oldLink, c.now()); !schedule.IsLinkInvalid(err) {
		t.Fatalf("old link after grace: %v, want invalid", err)
	}
	if _, err := ring.Signer().Verify(newLink, c.now()); err != nil {
		t.Fatalf("new link after grace: %v", err)
	}
	if ks := ring.Keys(); len(ks) != 2 {
		t.Fatalf("%d keys loaded", len(ks))
	}
	// The next rotation drops the key whose grace is over.
	if _, all, err := keys.Rotate(ctx, st, schedule.SystemActor("test"), grace); err != nil || len(all) != 2 {
		t.Fatalf("second rotation keeps %d keys (%v), want the live one and the new one", len(all), err)
	}
}
