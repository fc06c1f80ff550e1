package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

func TestSink(t *testing.T) {
	var out, logs bytes.Buffer
	s := NewSink(SinkConfig{Writer: &out, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	var ws WhatsAppSender = s // the sink is the WhatsApp test double
	ctx := context.Background()
	msgs := []Message{
		{Key: "invite:1:invite:0:sms", Channel: "sms", To: "+919876543210", ToName: "Sunita", Text: "नमस्ते"},
		{Key: "invite:2:invite:0:email", Channel: "email", To: "a@b.in", Subject: "Invitation", Text: "Hello"},
		{Key: "invite:1:invite:0:sms", Channel: "sms", To: "+919876543210", Text: "again"},
	}
	for _, m := range msgs {
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws.SendTemplate(ctx, Message{Key: "invite:3:reminder:1-60:whatsapp", Channel: "whatsapp", To: "+919812345678"},
		WhatsAppTemplate{Name: "event_reminder", Lang: "hi", Params: []string{"बैठक", "शाम 6 बजे"}}); err != nil {
		t.Fatal(err)
	}
	if got := s.Messages(); len(got) != 4 || got[0].Text != "नमस्ते" || got[3].Channel != "whatsapp" {
		t.Errorf("Messages = %+v", got)
	}
	if d := s.Duplicates(); len(d) != 1 || d[0] != "invite:1:invite:0:sms" {
		t.Errorf("Duplicates = %v", d)
	}
	for _, want := range []string{"--- sms invite:1:invite:0:sms to Sunita <+919876543210>\nनमस्ते\n", "Subject: Invitation", `WhatsApp template event_reminder/hi ["बैठक" "शाम 6 बजे"]`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("writer output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Count(logs.String(), "notify sink") != 4 || strings.Contains(logs.String(), "9876543210") {
		t.Errorf("log should have 4 records with masked numbers:\n%s", logs.String())
	}

	// Fail injects errors; cancelled contexts are temporary failures.
	boom := Permanent(errors.New("rejected"))
	f := NewSink(SinkConfig{Fail: func(m Message) error {
		if m.To == "bad" {
			return boom
		}
		return nil
	}, Discard: true})
	if err := f.Send(ctx, Message{Key: "a", To: "bad"}); !errors.Is(err, boom) || !IsPermanent(err) {
		t.Errorf("Fail: %v", err)
	}
	if err := f.Send(ctx, Message{Key: "b", To: "ok"}); err != nil || f.Count() != 1 || len(f.Messages()) != 0 {
		t.Errorf("Discard sink: err %v count %d kept %d", err, f.Count(), len(f.Messages()))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := f.Send(cctx, Message{Key: "c"}); err == nil || IsPermanent(err) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSinkConcurrent(t *testing.T) {
	s := NewSink(SinkConfig{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 250 {
				s.Send(context.Background(), Message{Key: fmt.Sprintf("invite:%d:invite:0:sms", w*1000+i)})
			}
		})
	}
	wg.Wait()
	if s.Count() != 1000 || len(s.Duplicates()) != 0 {
		t.Errorf("count %d duplicates %v", s.Count(), s.Duplicates())
	}
}

func TestWhatsAppShareLink(t *testing.T) {
	text := "*बूथ सशक्तिकरण संवाद*\n📅 शनिवार, 12 सितंबर 2026, शाम 6:30 बजे\nउत्तर दें: https://k.example.in/i/Ab_c-1?x=1&y=2 + more"
	tests := []struct {
		phone, prefix string
		ok            bool
	}{
		{"", "https://wa.me/?text=", true},
		{"+919876543210", "https://wa.me/919876543210?text=", true},
		{"919876543210", "https://wa.me/919876543210?text=", true},
		{"98765", "", false},
		{"+91 98765 43210", "", false},
	}
	for _, tt := range tests {
		link, err := WhatsAppShareLink(tt.phone, text)
		if (err == nil) != tt.ok {
			t.Errorf("%q: err %v", tt.phone, err)
			continue
		}
		if !tt.ok {
			continue
		}
		if !strings.HasPrefix(link, tt.prefix) {
			t.Errorf("%q: link %q", tt.phone, link)
		}
		if strings.ContainsAny(link[len(tt.prefix):], " +&\n") {
			t.Errorf("text part not fully encoded: %q", link)
		}
		u, err := url.Parse(link)
		if err != nil || u.Query().Get("text") != text {
			t.Errorf("round trip: %q, %v", u.Query().Get("text"), err)
		}
		if !strings.Contains(link, "%20") {
			t.Errorf("spaces should be %%20: %q", link)
		}
	}
}

func TestTokenBucket(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := NewTokenBucket(Rate{PerSecond: 10, Burst: 3}, t0)
	for i := range 3 {
		if !b.Allow(t0) {
			t.Fatalf("burst token %d refused", i)
		}
	}
	if b.Allow(t0) {
		t.Fatal("4th token allowed in the same instant")
	}
	if b.Allow(t0.Add(99 * time.Millisecond)) {
		t.Fatal("token before 100 ms")
	}
	if !b.Allow(t0.Add(100 * time.Millisecond)) {
		t.Fatal("no token after 100 ms at 10/s")
	}
	// Idle for an hour refills only up to the burst.
	later := t0.Add(time.Hour)
	n := 0
	for b.Allow(later) {
		n++
	}
	if n != 3 {
		t.Errorf("after idling, %d tokens, want burst 3", n)
	}
	// Reservations on an empty bucket queue up at 1/rate.
	for i, want := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond} {
		if got := b.Reserve(later); got != want {
			t.Errorf("reservation %d waits %v, want %v", i, got, want)
		}
	}
	// A clock going backwards adds nothing.
	if b.Allow(t0) {
		t.Error("token from a clock going backwards")
	}
}

func TestChannelLimiter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l, err := NewChannelLimiter(map[schedule.MessageChannel]Rate{
		schedule.ChannelSMS:   {PerSecond: 100, Burst: 1},
		schedule.ChannelEmail: {PerSecond: 2, Burst: 2},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	// Sustained rate: 1000 SMS reservations at one instant span ~10 s.
	var last time.Duration
	for range 1000 {
		last = l.Reserve(schedule.ChannelSMS, t0)
	}
	if last < 9990*time.Millisecond || last > 10*time.Second {
		t.Errorf("1000th SMS waits %v, want ~10 s at 100/s", last)
	}
	// Channels are independent; unconfigured ones are unlimited.
	if d := l.Reserve(schedule.ChannelEmail, t0); d != 0 {
		t.Errorf("email after SMS burst waits %v", d)
	}
	for range 100 {
		if d := l.Reserve(schedule.ChannelWhatsApp, t0); d != 0 {
			t.Fatalf("unlimited channel waits %v", d)
		}
	}
	// Wait gives the token back when the context ends first.
	l.Reserve(schedule.ChannelEmail, t0) // bucket now empty
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, schedule.ChannelEmail, t0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v, want deadline exceeded", err)
	}
	if d := l.Reserve(schedule.ChannelEmail, t0); d != 500*time.Millisecond {
		t.Errorf("after a cancelled Wait the next email waits %v, want 500ms (token returned)", d)
	}

	for _, bad := range []Rate{{PerSecond: 0, Burst: 1}, {PerSecond: 1, Burst: 0}, {PerSecond: -1, Burst: 5}} {
		if _, err := NewChannelLimiter(map[schedule.MessageChannel]Rate{schedule.ChannelSMS: bad}, t0); err == nil {
			t.Errorf("rate %+v accepted", bad)
		}
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Base: 30 * time.Second, Max: time.Hour, MaxAttempts: 10}
	rnd := rand.New(rand.NewPCG(1, 2))
	for attempt := 1; attempt <= 12; attempt++ {
		ceil := min(b.Max, 30*time.Second<<(attempt-1))
		for range 200 {
			d := b.Delay(attempt, rnd)
			if d < ceil/2 || d > ceil {
				t.Fatalf("attempt %d: delay %v outside [%v, %v]", attempt, d, ceil/2, ceil)
			}
		}
	}
	// Deterministic for a given source, and actually jittered.
	a1 := b.Delay(3, rand.New(rand.NewPCG(7, 7)))
	a2 := b.Delay(3, rand.New(rand.NewPCG(7, 7)))
	if a1 != a2 {
		t.Errorf("same seed gave %v and %v", a1, a2)
	}
	seen := map[time.Duration]bool{}
	for i := range 20 {
		seen[b.Delay(3, rand.New(rand.NewPCG(uint64(i), 0)))] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct delays from 20 seeds: no jitter", len(seen))
	}
	// Huge attempt numbers do not overflow.
	if d := b.Delay(1000, rnd); d < b.Max/2 || d > b.Max {
		t.Errorf("attempt 1000: %v", d)
	}
}

func TestBackoffNext(t *testing.T) {
	b := DefaultBackoff()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rnd := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name     string
		attempt  int
		err      error
		dead     bool
		minDelay time.Duration
	}{
		{"temporary first", 1, Temporary(errors.New("503")), false, 15 * time.Second},
		{"unclassified is temporary", 2, errors.New("connection reset"), false, 30 * time.Second},
		{"permanent", 1, Permanent(errors.New("550")), true, 0},
		{"invalid domain error is permanent", 1, schedule.FieldError("mobile", "bad"), true, 0},
		{"attempts used up", 10, Temporary(errors.New("503")), true, 0},
		{"retry-after longer", 1, &SendError{Err: errors.New("429"), RetryAfter: 10 * time.Minute}, false, 10 * time.Minute},
	}
	for _, tt := range tests {
		at, dead := b.Next(tt.attempt, tt.err, now, rnd)
		if dead != tt.dead {
			t.Errorf("%s: dead = %v", tt.name, dead)
			continue
		}
		if !dead && at.Sub(now) < tt.minDelay {
			t.Errorf("%s: retry after %v, want at least %v", tt.name, at.Sub(now), tt.minDelay)
		}
	}
}
