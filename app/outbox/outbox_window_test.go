package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// checkingSender delivers each message after checking that every message
// delivered before it is marked sent already: then a drainer killed at any
// moment can send again at most the message it had in flight.
type checkingSender struct {
	t         *testing.T
	st        *store.Store
	mu        sync.Mutex
	delivered []string
	unmarked  int
}

func (s *checkingSender) Send(ctx context.Context, m notify.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.delivered {
		var status string
		if err := s.st.DB().QueryRowContext(context.Background(), "SELECT status FROM outbox WHERE idem_key = ?", k).Scan(&status); err != nil {
			s.t.Error(err)
		}
		if status != store.OutboxSent {
			s.unmarked++
		}
	}
	s.delivered = append(s.delivered, m.Key)
	return nil
}

// TestEachMessageIsMarkedBeforeTheNext: one worker, big batches; when a
// message goes out, every earlier one is recorded as sent. (Marks per
// batch left up to a batch per worker unrecorded: the probe's 400
// duplicate SMS after kill -9.)
func TestEachMessageIsMarkedBeforeTheNext(t *testing.T) {
	f := newFixture(t, schedule.ChannelSMS)
	s := &checkingSender{t: t, st: f.st}
	d := f.drainer(t, map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: s}, func(c *outbox.Config) { c.Workers, c.BatchSize = 1, 20 })
	if st, err := d.Drain(context.Background()); err != nil || st.Sent != 40 {
		t.Fatalf("drain: %+v %v", st, err)
	}
	if s.unmarked != 0 {
		t.Errorf("%d times a message went out while an earlier one was not yet recorded as sent", s.unmarked)
	}
}

// blockingSender holds its first send until released.
type blockingSender struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (s *blockingSender) Send(ctx context.Context, m notify.Message) error {
	first := false
	s.once.Do(func() { first = true })
	if first {
		close(s.started)
		<-s.release
	}
	return nil
}

// TestLeaseIsKeptAliveWhileWorking: a worker busy with a slow send keeps
// its claim: long after the lease would have run out, another drainer
// recovers nothing from it, so nothing is sent twice.
func TestLeaseIsKeptAliveWhileWorking(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, schedule.ChannelSMS)
	s := &blockingSender{started: make(chan struct{}), release: make(chan struct{})}
	d := f.drainer(t, map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: s}, func(c *outbox.Config) {
		c.Workers, c.BatchSize, c.Lease, c.Heartbeat = 1, 10, 30*time.Second, 20*time.Millisecond
	})
	done := make(chan struct{})
	go func() { d.Drain(ctx); close(done) }()
	<-s.started
	f.advance(10 * time.Minute) // the send takes "ten minutes"
	time.Sleep(200 * time.Millisecond)
	n, err := f.st.RecoverOutbox(ctx, f.clock())
	close(s.release)
	<-done
	if err != nil || n != 0 {
		t.Fatalf("another drainer recovered %d messages of a live worker (%v)", n, err)
	}
}
