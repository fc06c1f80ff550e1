// Package turnout batches LiveKit presence webhooks into the store.
//
// During a mass address millions of participants join within minutes and
// LiveKit sends one webhook per join and leave. Recording each in its own
// transaction caps ingest at a few thousand per second; an Ingest instead
// queues verified events in memory and one writer goroutine records them
// with store.RecordPresenceBatch, every FlushEvery or MaxBatch events.
//
// Durability trade-off: the webhook is answered 200 once the event is
// queued, before it is in the database. Events queued but not yet flushed
// (at most Queue of them, normally well under a second's worth) are lost if
// the process crashes or is killed, and LiveKit does not redeliver them: it
// retries only deliveries answered with an error. A clean shutdown (Close)
// flushes everything queued. When the queue is full, or the Ingest is
// closed, Enqueue fails with ErrBusy and the webhook is answered 503, so
// LiveKit retries later. Turnout is a count for a live dashboard, so this
// trades a bounded loss on a crash for keeping up with the surge.
package turnout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/karyakram/karyakram/app/store"
)

// ErrBusy is returned (wrapped) by Enqueue when the queue is full or the
// Ingest is closed: the event was not taken and should be retried.
var ErrBusy = errors.New("turnout ingest busy")

// Recorder stores presence batches (*store.Store).
type Recorder interface {
	RecordPresenceBatch(ctx context.Context, events []store.PresenceEvent) (int, error)
}

// Config configures an Ingest; zero fields take the defaults.
type Config struct {
	Store Recorder
	// Queue is how many events may wait for the writer; default 100,000.
	Queue int
	// MaxBatch flushes once this many events are pending; default 1,000.
	MaxBatch int
	// FlushEvery flushes pending events at least this often; default 150ms.
	FlushEvery time.Duration
	// Retries is how often a failed batch is tried again (with a growing
	// pause) before its events are dropped and logged; default 3,
	// negative for none.
	Retries int
	// WriteTimeout bounds one batch write; default 30s.
	WriteTimeout time.Duration
	Log          *slog.Logger
}

// Stats counts what an Ingest did since it started.
type Stats struct {
	Queued   int64 // accepted by Enqueue
	Rejected int64 // refused: queue full or closed
	Flushed  int64 // events in batches written
	Batches  int64 // batches written
	Dropped  int64 // events of batches that failed every retry
}

// Ingest queues presence events and records them in batches from one
// writer goroutine. Create it with New; Close it to flush and stop.
type Ingest struct {
	cfg    Config
	mu     sync.RWMutex // guards closed and sends on queue against Close
	closed bool
	queue  chan store.PresenceEvent
	done   chan struct{}
	once   sync.Once

	queued, rejected, flushed, batches, dropped atomic.Int64
}

// New starts an Ingest's writer.
func New(cfg Config) (*Ingest, error) {
	if cfg.Store == nil {
		return nil, errors.New("turnout ingest: no store")
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 100_000
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 1000
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = 150 * time.Millisecond
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	} else if cfg.Retries == 0 {
		cfg.Retries = 3
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.Log = cfg.Log.With("component", "turnout-ingest")
	in := &Ingest{cfg: cfg, queue: make(chan store.PresenceEvent, cfg.Queue), done: make(chan struct{})}
	go in.run()
	return in, nil
}

// Enqueue queues p for the next batch without waiting. It fails with a
// field error for an event the store would refuse (so one bad event cannot
// fail a batch), and with ErrBusy when the queue is full or closed.
func (in *Ingest) Enqueue(p store.PresenceEvent) error {
	if err := p.Valid(); err != nil {
		return fmt.Errorf("queue presence of %s in %s: %w", p.Identity, p.Room, err)
	}
	in.mu.RLock()
	defer in.mu.RUnlock()
	if in.closed {
		in.rejected.Add(1)
		return fmt.Errorf("queue presence of %s in %s: %w: closed", p.Identity, p.Room, ErrBusy)
	}
	select {
	case in.queue <- p:
		in.queued.Add(1)
		return nil
	default:
		in.rejected.Add(1)
		return fmt.Errorf("queue presence of %s in %s: %w: %d events waiting", p.Identity, p.Room, ErrBusy, cap(in.queue))
	}
}

// Close stops taking events, records everything queued and waits for the
// writer, or for ctx (then what is still queued is lost and ctx's error
// returned). Calling it again waits the same way.
func (in *Ingest) Close(ctx context.Context) error {
	in.once.Do(func() {
		in.mu.Lock()
		in.closed = true
		close(in.queue)
		in.mu.Unlock()
	})
	select {
	case <-in.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("turnout ingest: close before the last flush: %w", ctx.Err())
	}
}

// Stats returns the counts so far.
func (in *Ingest) Stats() Stats {
	return Stats{Queued: in.queued.Load(), Rejected: in.rejected.Load(), Flushed: in.flushed.Load(),
		Batches: in.batches.Load(), Dropped: in.dropped.Load()}
}

// run is the writer: it gathers events and flushes on size, on the ticker
// and when the queue is closed.
func (in *Ingest) run() {
	defer close(in.done)
	tick := time.NewTicker(in.cfg.FlushEvery)
	defer tick.Stop()
	batch := make([]store.PresenceEvent, 0, in.cfg.MaxBatch)
	for {
		select {
		case p, ok := <-in.queue:
			if !ok {
				in.flush(batch)
				st := in.Stats()
				in.cfg.Log.Info("turnout ingest stopped", "flushed", st.Flushed, "batches", st.Batches, "rejected", st.Rejected, "dropped", st.Dropped)
				return
			}
			batch = append(batch, p)
			if len(batch) >= in.cfg.MaxBatch {
				in.flush(batch)
				batch = batch[:0]
			}
		case <-tick.C:
			if len(batch) > 0 {
				in.flush(batch)
				batch = batch[:0]
			}
		}
	}
}

// flush records batch, retrying a failed write; after the last retry the
// events are dropped with an error log (they were acknowledged already).
func (in *Ingest) flush(batch []store.PresenceEvent) {
	if len(batch) == 0 {
		return
	}
	var err error
	for attempt := 0; attempt <= in.cfg.Retries; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), in.cfg.WriteTimeout)
		start := time.Now()
		var n int
		n, err = in.cfg.Store.RecordPresenceBatch(ctx, batch)
		cancel()
		if err == nil {
			in.flushed.Add(int64(len(batch)))
			in.batches.Add(1)
			in.cfg.Log.Debug("presence batch recorded", "events", len(batch), "rows", n, "took", time.Since(start))
			return
		}
		in.cfg.Log.Warn("presence batch failed", "events", len(batch), "attempt", attempt+1, "err", err)
	}
	in.dropped.Add(int64(len(batch)))
	in.cfg.Log.Error("presence batch dropped: turnout undercounts", "events", len(batch), "err", err)
}
