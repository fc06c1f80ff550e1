package notify

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// Rate is a token-bucket rate: PerSecond tokens refill each second, up to
// Burst saved.
type Rate struct {
	PerSecond float64
	Burst     int
}

// TokenBucket is a token-bucket rate limiter driven by the caller's clock:
// every method takes now, so it is deterministic in tests. It is not safe
// for concurrent use on its own; ChannelLimiter locks around it.
type TokenBucket struct {
	rate   Rate
	tokens float64
	last   time.Time
}

// NewTokenBucket returns a full bucket for r at now.
func NewTokenBucket(r Rate, now time.Time) *TokenBucket {
	return &TokenBucket{rate: r, tokens: float64(r.Burst), last: now}
}

func (b *TokenBucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = math.Min(float64(b.rate.Burst), b.tokens+now.Sub(b.last).Seconds()*b.rate.PerSecond)
		b.last = now
	}
}

// Allow takes a token if one is available at now.
func (b *TokenBucket) Allow(now time.Time) bool {
	b.refill(now)
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// Reserve takes a token now or on credit and returns how long to wait
// before using it (0 if one was available). Waits queue up: n reservations
// on an empty bucket wait 1/rate, 2/rate, … n/rate.
func (b *TokenBucket) Reserve(now time.Time) time.Duration {
	b.refill(now)
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(math.Ceil(-b.tokens / b.rate.PerSecond * float64(time.Second)))
}

// giveBack returns a reserved token that was not used.
func (b *TokenBucket) giveBack() {
	b.tokens = math.Min(float64(b.rate.Burst), b.tokens+1)
}

// ChannelLimiter rate-limits sends per channel (gateways and SMTP relays
// cap messages per second). Channels without a configured Rate are not
// limited. It is safe for concurrent use by the outbox workers.
type ChannelLimiter struct {
	mu      sync.Mutex
	buckets map[schedule.MessageChannel]*TokenBucket
}

// NewChannelLimiter returns a limiter with full buckets at now. Every rate
// needs PerSecond > 0 and Burst >= 1.
func NewChannelLimiter(rates map[schedule.MessageChannel]Rate, now time.Time) (*ChannelLimiter, error) {
	l := &ChannelLimiter{buckets: make(map[schedule.MessageChannel]*TokenBucket, len(rates))}
	for ch, r := range rates {
		if !(r.PerSecond > 0) || r.Burst < 1 || math.IsInf(r.PerSecond, 0) {
			return nil, schedule.FieldError("rate limit "+string(ch), "rate %v/s burst %d: need a positive rate and burst", r.PerSecond, r.Burst)
		}
		l.buckets[ch] = NewTokenBucket(r, now)
	}
	return l, nil
}

// Reserve takes a token for ch and returns how long to wait before sending.
func (l *ChannelLimiter) Reserve(ch schedule.MessageChannel, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[ch]
	if b == nil {
		return 0
	}
	return b.Reserve(now)
}

// Wait reserves a token for ch at now and sleeps until it may be used. If
// ctx ends first, the token is given back and ctx's error returned.
func (l *ChannelLimiter) Wait(ctx context.Context, ch schedule.MessageChannel, now time.Time) error {
	d := l.Reserve(ch, now)
	if d == 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		l.buckets[ch].giveBack()
		l.mu.Unlock()
		return ctx.Err()
	}
}
