package turnout_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/turnout"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// TestIngestIntoStore queues joins, a redelivery and a leave that
// overtakes its join through a real store (SQLite, or PostgreSQL with
// KARYAKRAM_TEST_DSN) and checks the rows after Close.
func TestIngestIntoStore(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	ctx := context.Background()
	d1, err := st.FindUnitByCode(ctx, schedule.SystemActor("t"), "D1")
	if err != nil {
		t.Fatal(err)
	}
	room := schedule.ListenerRoomName(1, d1.ID, 1)
	in := newIngest(t, turnout.Config{Store: st, MaxBatch: 4, FlushEvery: time.Hour})
	t0 := testclock.Now().UTC().Truncate(time.Minute)
	for _, p := range []store.PresenceEvent{
		{EventID: "J1", Joined: true, Room: room, Identity: "w900001", At: t0},
		{EventID: "L2", Room: room, Identity: "w900002", At: t0.Add(5 * time.Minute)},
		{EventID: "J1", Joined: true, Room: room, Identity: "w900001", At: t0},
		{EventID: "J3", Joined: true, Room: room, Identity: "w900003", At: t0},
		{EventID: "J2", Joined: true, Room: room, Identity: "w900002", At: t0.Add(time.Minute)}, // second batch
		{EventID: "S1", Joined: true, Room: schedule.StageRoomName(1), Identity: "speaker", At: t0},
	} {
		if err := in.Enqueue(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := in.Close(ctx); err != nil {
		t.Fatal(err)
	}
	var rows, open, matched int
	err = st.DB().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN left_at IS NULL THEN 1 END),
		COUNT(CASE WHEN join_event_id = 'J2' AND leave_event_id = 'L2' THEN 1 END) FROM presence WHERE unit_path = ?`, d1.Path).Scan(&rows, &open, &matched)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 3 || open != 2 || matched != 1 {
		t.Errorf("%d rows, %d open, %d matched; want 3, 2, 1", rows, open, matched)
	}
	if s := in.Stats(); s.Batches != 2 || s.Flushed != 6 {
		t.Errorf("stats %+v, want 2 batches of 6 events", s)
	}
}

// BenchmarkIngest measures webhook ingest through the queue: each op is one
// join enqueued from parallel goroutines (as webhook handlers would), and
// the clock stops once Close has flushed everything to the store. A full
// queue is retried after a millisecond, as LiveKit retries a 503.
func BenchmarkIngest(b *testing.B) {
	st := storetest.Open(b)
	storetest.ImportUnits(b, st, storetest.SmallTree)
	ctx := context.Background()
	d1, err := st.FindUnitByCode(ctx, schedule.SystemActor("b"), "D1")
	if err != nil {
		b.Fatal(err)
	}
	room := schedule.ListenerRoomName(1, d1.ID, 1)
	in, err := turnout.New(turnout.Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now().UTC()
	var n, busy atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := strconv.FormatInt(n.Add(1), 10)
			p := store.PresenceEvent{EventID: "EV_" + id, Joined: true, Room: room, Identity: "sip_" + id, At: t0, SIP: true}
			for {
				err := in.Enqueue(p)
				if err == nil {
					break
				}
				if !errors.Is(err, turnout.ErrBusy) {
					b.Fatal(err)
				}
				busy.Add(1)
				time.Sleep(time.Millisecond)
			}
		}
	})
	if err := in.Close(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if s := in.Stats(); s.Flushed != int64(b.N) || s.Dropped != 0 {
		b.Fatalf("stats %+v for %d joins", s, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "joins/s")
	b.ReportMetric(float64(busy.Load()), "busy")
}
