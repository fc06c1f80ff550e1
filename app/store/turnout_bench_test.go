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
