package outbox_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// countingSender delivers everything except the nth call, which fails
// with err; it counts deliveries per idempotency key.
type countingSender struct {
	calls     atomic.Int32
	failCall  int32
	err       error
	mu        sync.Mutex
	delivered map[string]int
}

func (s *countingSender) Send(_ context.Context, m notify.Message) error {
	if s.calls.Add(1) == s.failCall {
		return s.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delivered[m.Key]++
	return nil
}

// drainAll drains until everything is sent, moving the clock past leases
// and backoffs, and fails the test on any message delivered twice.
func drainAll(t *testing.T, f *fixture, d *outbox.Drainer, s *countingSender) {
	t.Helper()
	for range 8 {
		d.Drain(context.Background())
		f.advance(5 * time.Minute)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.delivered) != 40 {
		t.Errorf("%d messages delivered, want 40", len(s.delivered))
	}
	for k, n := range s.delivered {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
}

// When recording one failure fails, the messages of the batch already
// accepted by the far end must still be marked sent, or they go out again
// once the lease runs out.
func TestFailedMarkKeepsSentMessagesSent(t *testing.T) {
	f := newFixture(t, schedule.ChannelSMS)
	db := f.st.DB()
	ctx := context.Background()
	var stmts []string
	if f.st.Postgres() {
		stmts = []string{
			`CREATE FUNCTION outbox_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.last_error LIKE '%boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER outbox_boom BEFORE UPDATE ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_boom()`,
		}
	} else {
		stmts = []string{`CREATE TRIGGER outbox_boom BEFORE UPDATE ON outbox WHEN NEW.last_error LIKE '%boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`}
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s := &countingSender{failCall: 3, err: notify.Temporary(errors.New("boom")), delivered: map[string]int{}}
	d := f.drainer(t, map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: s}, func(c *outbox.Config) { c.Workers = 1 })
	if _, err := d.Drain(ctx); err == nil {
		t.Fatal("the failing retry mark was not reported")
	}
	counts, err := f.st.OutboxCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.OutboxSent] != 2 {
		t.Fatalf("after the failed mark: %v, want the 2 delivered messages sent", counts)
	}
	drainAll(t, f, d, s)
}

// A clean stop finishes the send in flight: a far end that accepted the
// message while the drainer was being stopped must not get it again from
// the next drainer (the send used to run under the stopping context, so
// the sender reported the cancellation and the message was released).
func TestStopDuringSendDoesNotResend(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, schedule.ChannelSMS)
	runCtx, stop := context.WithCancel(ctx)
	var calls atomic.Int32
	var mu sync.Mutex
	delivered := map[string]int{}
	sender := senderFunc(func(ctx context.Context, m notify.Message) error {
		if calls.Add(1) == 5 {
			stop()
		}
		mu.Lock()
		delivered[m.Key]++
		mu.Unlock()
		// The far end has the message; a sender watching ctx still
		// reports a cancellation that happened meanwhile.
		return ctx.Err()
	})
	senders := map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: sender}
	f.drainer(t, senders, func(c *outbox.Config) { c.Workers = 1 }).Run(runCtx)
	if _, err := f.drainer(t, senders, nil).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(delivered) != 40 {
		t.Errorf("%d messages delivered, want 40", len(delivered))
	}
	for k, n := range delivered {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
}
