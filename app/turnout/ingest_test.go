package turnout_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/turnout"
)

// fakeStore records batches; with block set, each write waits for a value
// on it after signalling started.
type fakeStore struct {
	mu      sync.Mutex
	batches [][]string
	fail    int // fail this many writes first
	block   chan struct{}
	started chan struct{}
}

func (f *fakeStore) RecordPresenceBatch(_ context.Context, events []store.PresenceEvent) (int, error) {
	if f.block != nil {
		f.started <- struct{}{}
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		return 0, errors.New("database down")
	}
	var ids []string
	for _, e := range events {
		ids = append(ids, e.EventID)
	}
	f.batches = append(f.batches, ids)
	return len(ids), nil
}

func (f *fakeStore) sizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n []int
	for _, b := range f.batches {
		n = append(n, len(b))
	}
	return n
}

// waitFor polls cond for up to 5s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func join(i int) store.PresenceEvent {
	return store.PresenceEvent{EventID: fmt.Sprintf("E%d", i), Joined: true, Room: "addr-1-d2-1", Identity: fmt.Sprintf("w%d", i), At: time.Now()}
}

func newIngest(t *testing.T, cfg turnout.Config) *turnout.Ingest {
	t.Helper()
	in, err := turnout.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(context.Background()) }) //nolint:errcheck // closed again by tests that check
	return in
}

func TestIngestFlushesBySize(t *testing.T) {
	f := &fakeStore{}
	in := newIngest(t, turnout.Config{Store: f, MaxBatch: 3, FlushEvery: time.Hour})
	for i := range 7 {
		if err := in.Enqueue(join(i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "two full batches", func() bool { return len(f.sizes()) == 2 })
	time.Sleep(20 * time.Millisecond)
	if got := f.sizes(); len(got) != 2 || got[0] != 3 || got[1] != 3 {
		t.Fatalf("batches %v, want [3 3] with one event pending", got)
	}
	if err := in.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.sizes(); len(got) != 3 || got[2] != 1 || f.batches[2][0] != "E6" {
		t.Errorf("after close: %v, want the last event flushed", f.batches)
	}
	if st := in.Stats(); st.Queued != 7 || st.Flushed != 7 || st.Batches != 3 || st.Rejected != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestIngestFlushesByTime(t *testing.T) {
	f := &fakeStore{}
	in := newIngest(t, turnout.Config{Store: f, MaxBatch: 1000, FlushEvery: 200 * time.Millisecond}) // wide enough that a loaded machine enqueues both first
	start := time.Now()
	for i := range 2 {
		if err := in.Enqueue(join(i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "a timed flush", func() bool { return len(f.sizes()) == 1 })
	if got := f.sizes(); got[0] != 2 {
		t.Errorf("batch of %d, want 2", got[0])
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("flushed after %v", took)
	}
}

func TestIngestBusyWhenFullAndAfterClose(t *testing.T) {
	f := &fakeStore{block: make(chan struct{}), started: make(chan struct{}, 1)}
	in := newIngest(t, turnout.Config{Store: f, Queue: 2, MaxBatch: 1, FlushEvery: time.Hour})
	if err := in.Enqueue(join(0)); err != nil {
		t.Fatal(err)
	}
	<-f.started // the writer holds E0 and waits on the database
	for i := 1; i <= 2; i++ {
		if err := in.Enqueue(join(i)); err != nil {
			t.Fatalf("event %d with room in the queue: %v", i, err)
		}
	}
	if err := in.Enqueue(join(3)); !errors.Is(err, turnout.ErrBusy) {
		t.Fatalf("full queue: %v, want ErrBusy", err)
	}
	go func() { // let every write through
		for range f.started {
			f.block <- struct{}{}
		}
	}()
	f.block <- struct{}{}
	if err := in.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(f.started)
	if got := f.sizes(); len(got) != 3 {
		t.Errorf("batches %v, want E0, E1, E2 each", f.batches)
	}
	if err := in.Enqueue(join(4)); !errors.Is(err, turnout.ErrBusy) {
		t.Errorf("after close: %v, want ErrBusy", err)
	}
	if st := in.Stats(); st.Queued != 3 || st.Rejected != 2 || st.Flushed != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestIngestRejectsInvalidAndRetries(t *testing.T) {
	f := &fakeStore{fail: 1}
	in := newIngest(t, turnout.Config{Store: f, MaxBatch: 1000, FlushEvery: time.Hour, Retries: 1})
	bad := join(1)
	bad.EventID = ""
	if err := in.Enqueue(bad); err == nil || errors.Is(err, turnout.ErrBusy) {
		t.Errorf("event without id: %v, want a field error", err)
	}
	if err := in.Enqueue(join(2)); err != nil {
		t.Fatal(err)
	}
	if err := in.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := in.Stats(); st.Flushed != 1 || st.Dropped != 0 || len(f.sizes()) != 1 {
		t.Errorf("after one failure and a retry: %+v, batches %v", st, f.batches)
	}

	f = &fakeStore{fail: 2}
	in = newIngest(t, turnout.Config{Store: f, FlushEvery: time.Hour, Retries: -1})
	if err := in.Enqueue(join(3)); err != nil {
		t.Fatal(err)
	}
	in.Close(context.Background()) //nolint:errcheck // checked through Stats
	if st := in.Stats(); st.Dropped != 1 || st.Flushed != 0 {
		t.Errorf("failed batch without retries: %+v", st)
	}
}
