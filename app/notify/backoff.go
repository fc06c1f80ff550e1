package notify

import (
	"math/rand/v2"
	"time"
)

// Backoff is the outbox's retry policy: exponential delays with jitter,
// and dead-lettering after MaxAttempts.
type Backoff struct {
	Base        time.Duration // delay scale of the first retry
	Max         time.Duration // cap of any delay
	MaxAttempts int           // attempts before dead-lettering, the first included
}

// DefaultBackoff retries after about 30 s, 1 min, 2 min … capped at 1 h,
// for 10 attempts (about 5 hours in all).
func DefaultBackoff() Backoff {
	return Backoff{Base: 30 * time.Second, Max: time.Hour, MaxAttempts: 10}
}

// Delay returns the wait after failed attempt number attempt (1 for the
// first attempt): d = min(Max, Base·2^(attempt-1)), then a uniformly random
// point in [d/2, d] drawn from rnd ("equal jitter": retries of a burst
// spread out, yet none comes back at once). It is pure given rnd.
func (b Backoff) Delay(attempt int, rnd *rand.Rand) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := b.Max
	if shift := attempt - 1; shift < 62 && b.Base<<shift > 0 && b.Base<<shift < b.Max {
		d = b.Base << shift
	}
	half := d / 2
	return half + time.Duration(rnd.Int64N(int64(d-half)+1))
}

// Next decides what the outbox does after attempt number attempt failed
// with err at now: retry at the returned time, or dead-letter (true) when
// err is permanent or attempts are used up. A far end's RetryAfter
// lengthens the wait, never shortens it.
func (b Backoff) Next(attempt int, err error, now time.Time, rnd *rand.Rand) (retryAt time.Time, deadLetter bool) {
	if IsPermanent(err) || attempt >= b.MaxAttempts {
		return time.Time{}, true
	}
	d := b.Delay(attempt, rnd)
	if ra := RetryAfter(err); ra > d {
		d = ra
	}
	return now.Add(d), false
}
