package conferencing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/twitchtv/twirp"
)

// Backoff is how calls to livekit-server are retried while it is
// unreachable or failing: exponential from Initial, doubling up to Max,
// with ±20% jitter, until the context ends or MaxAttempts calls were made
// (0 means no limit other than the context). The zero Backoff retries from
// 200ms up to every 10s.
type Backoff struct {
	Initial     time.Duration
	Max         time.Duration
	MaxAttempts int
}

const (
	defaultBackoffInitial = 200 * time.Millisecond
	defaultBackoffMax     = 10 * time.Second
)

// delay returns the wait before attempt n+1 (n from 1).
func (b Backoff) delay(n int) time.Duration {
	d := b.Initial
	if d <= 0 {
		d = defaultBackoffInitial
	}
	limit := b.Max
	if limit <= 0 {
		limit = defaultBackoffMax
	}
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// retry calls fn until it succeeds, fails permanently, the attempts run out
// or ctx ends. what names the operation in logs and errors.
func retry[T any](ctx context.Context, log *slog.Logger, b Backoff, what string, fn func(context.Context) (T, error)) (T, error) {
	for n := 1; ; n++ {
		v, err := fn(ctx)
		if err == nil {
			if n > 1 {
				log.InfoContext(ctx, "livekit call succeeded after retries", "op", what, "attempts", n)
			}
			return v, nil
		}
		if ctx.Err() != nil {
			return v, fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
		}
		if !retryable(err) {
			return v, fmt.Errorf("%s: %w", what, err)
		}
		if b.MaxAttempts > 0 && n >= b.MaxAttempts {
			return v, fmt.Errorf("%s: giving up after %d attempts: %w", what, n, err)
		}
		wait := b.delay(n)
		log.WarnContext(ctx, "livekit call failed, retrying", "op", what, "attempt", n, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return v, fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// retryable reports whether err may go away by itself: the server is down,
// overloaded or failed internally. Requests it rejected (bad argument,
// auth, not found, conflict) are not retried.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var te twirp.Error
	if errors.As(err, &te) {
		switch te.Code() {
		case twirp.Unavailable, twirp.Internal, twirp.Unknown, twirp.DeadlineExceeded,
			twirp.ResourceExhausted, twirp.Aborted, twirp.Malformed, twirp.BadRoute:
			return true
		}
		return false
	}
	return true
}

// isNotFound reports whether livekit-server answered "not found".
func isNotFound(err error) bool {
	var te twirp.Error
	return errors.As(err, &te) && te.Code() == twirp.NotFound
}
