package store_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// BenchmarkRecordPresence measures webhook ingest: each op is one join
// (a new participant) in a district listener room, recorded with its
// deduplication, from parallel goroutines as the web server would.
// Run on PostgreSQL with KARYAKRAM_TEST_DSN set.
func BenchmarkRecordPresence(b *testing.B) {
	st := storetest.Open(b)
	storetest.ImportUnits(b, st, storetest.SmallTree)
	ctx := context.Background()
	d1, err := st.FindUnitByCode(ctx, schedule.SystemActor("b"), "D1")
	if err != nil {
		b.Fatal(err)
	}
	room := schedule.ListenerRoomName(1, d1.ID, 1)
	t0 := time.Now().UTC()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			id := strconv.FormatInt(i, 10)
			if _, err := st.RecordPresence(ctx, store.PresenceEvent{EventID: "EV_" + id, Joined: true, Room: room, Identity: "sip_" + id, At: t0, SIP: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "joins/s")
}

// BenchmarkRecordPresenceBatch measures batched webhook ingest: each op is
// one join, recorded in batches of 1,000 (what the turnout ingest flushes
// at most) by one writer, as app/turnout.Ingest does.
func BenchmarkRecordPresenceBatch(b *testing.B) {
	st := storetest.Open(b)
	storetest.ImportUnits(b, st, storetest.SmallTree)
	ctx := context.Background()
	d1, err := st.FindUnitByCode(ctx, schedule.SystemActor("b"), "D1")
	if err != nil {
		b.Fatal(err)
	}
	room := schedule.ListenerRoomName(1, d1.ID, 1)
	t0 := time.Now().UTC()
	const size = 1000
	batch := make([]store.PresenceEvent, 0, size)
	flush := func() {
		n, err := st.RecordPresenceBatch(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		if n != len(batch) {
			b.Fatalf("batch of %d joins wrote %d rows", len(batch), n)
		}
		batch = batch[:0]
	}
	b.ResetTimer()
	for i := range b.N {
		id := strconv.Itoa(i)
		batch = append(batch, store.PresenceEvent{EventID: "EV_" + id, Joined: true, Room: room, Identity: "sip_" + id, At: t0, SIP: true})
		if len(batch) == size {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "joins/s")
}
