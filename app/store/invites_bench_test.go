package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// The invitation benchmarks run against a database seeded at state scale
// (bench/invites/run.sh): KARYAKRAM_BENCH_DSN names it. They add events,
// invites and outbox rows and delete them afterwards.

func benchStore(b *testing.B) *store.Store {
	b.Helper()
	dsn := os.Getenv("KARYAKRAM_BENCH_DSN")
	if dsn == "" {
		b.Skip("KARYAKRAM_BENCH_DSN is not set (see bench/invites/run.sh)")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return st
}

func benchEvent(b *testing.B, st *store.Store, unitID int64) int64 {
	b.Helper()
	start := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	saved, err := st.CreateEvent(context.Background(), schedule.SystemActor("bench"), schedule.Event{
		UnitID: unitID, Type: "address", Title: "State address", TitleHi: "प्रदेश संबोधन",
		Venue: schedule.Venue{Name: "Bhopal"}, Start: start, End: start.Add(time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	return saved.Event.ID
}

func dropEvent(b *testing.B, st *store.Store, id int64) {
	b.Helper()
	ctx := context.Background()
	for _, q := range []string{"DELETE FROM outbox WHERE event_id = ?", "DELETE FROM invites WHERE event_id = ?", "DELETE FROM events WHERE id = ?"} {
		if _, err := st.DB().ExecContext(ctx, q, id); err != nil {
			b.Fatal(err)
		}
	}
}

func rootUnit(b *testing.B, st *store.Store) schedule.Unit {
	b.Helper()
	roots, err := st.ScopeUnits(context.Background(), schedule.SystemActor("bench"))
	if err != nil || len(roots) == 0 {
		b.Fatalf("no root unit (seed the database first): %v", err)
	}
	return roots[0].Unit
}

// BenchmarkFanOutState invites every worker of the state to one event
// (resolve the audience, create the invite rows, enqueue the outbox rows,
// one transaction) and, in the same run, times a plain INSERT … SELECT of
// the same rows into an unindexed table, reporting both and the ratio.
func BenchmarkFanOutState(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	root := rootUnit(b, st)
	for range b.N {
		ev := benchEvent(b, st, root.ID)
		// Baseline: the same rows, no constraints, no indexes, no outbox.
		b.StopTimer()
		if _, err := st.DB().ExecContext(ctx, "DROP TABLE IF EXISTS bench_plain_invites"); err != nil {
			b.Fatal(err)
		}
		if _, err := st.DB().ExecContext(ctx, `CREATE TABLE bench_plain_invites (event_id BIGINT, worker_id BIGINT, unit_path TEXT, channel TEXT, status TEXT, created_at TIMESTAMP)`); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		res, err := st.DB().ExecContext(ctx, `INSERT INTO bench_plain_invites SELECT ?, w.id, w.unit_path, 'sms', 'queued', ? FROM workers w WHERE w.active = ?`, ev, time.Now().UTC(), true)
		if err != nil {
			b.Fatal(err)
		}
		plain := time.Since(t0)
		plainRows, _ := res.RowsAffected()
		st.DB().ExecContext(ctx, "DROP TABLE bench_plain_invites")
		b.StartTimer()

		t1 := time.Now()
		rep, err := st.SendInvites(ctx, schedule.SystemActor("bench"), ev, store.Audience{UnitIDs: []int64{root.ID}, Channel: schedule.ChannelSMS})
		if err != nil {
			b.Fatal(err)
		}
		fan := time.Since(t1)
		b.StopTimer()
		b.ReportMetric(float64(rep.Invited), "invites")
		b.ReportMetric(float64(rep.Enqueued), "outbox_rows")
		b.ReportMetric(fan.Seconds(), "fanout_s")
		b.ReportMetric(float64(rep.Invited)/fan.Seconds(), "invites/s")
		b.ReportMetric(plain.Seconds(), "plain_insert_select_s")
		b.ReportMetric(fan.Seconds()/plain.Seconds(), "ratio_to_plain")
		fmt.Fprintf(os.Stderr, "fan-out: %d invites + %d outbox rows in %v (%.0f invites/s); plain INSERT…SELECT of %d rows %v; ratio %.2f\n",
			rep.Invited, rep.Enqueued, fan.Round(time.Millisecond), float64(rep.Invited)/fan.Seconds(), plainRows, plain.Round(time.Millisecond), fan.Seconds()/plain.Seconds())
		dropEvent(b, st, ev)
		b.StartTimer()
	}
}

// BenchmarkOutboxDrain fans out to one district and drains its messages to
// the development sink with 4 workers (render, sign, send, mark).
func BenchmarkOutboxDrain(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	root := rootUnit(b, st)
	districts, err := st.Children(ctx, schedule.SystemActor("bench"), root.ID)
	if err != nil || len(districts) == 0 {
		b.Fatal(err)
	}
	ts, err := st.LoadTemplateSet(ctx, schedule.MessageConfig{})
	if err != nil {
		b.Fatal(err)
	}
	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: bytes.Repeat([]byte("b"), 32)})
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		b.StopTimer()
		ev := benchEvent(b, st, root.ID)
		rep, err := st.SendInvites(ctx, schedule.SystemActor("bench"), ev, store.Audience{UnitIDs: []int64{districts[0].ID}, Channel: schedule.ChannelSMS})
		if err != nil {
			b.Fatal(err)
		}
		sink := notify.NewSink(notify.SinkConfig{Discard: true})
		d, err := outbox.New(outbox.Config{Store: st, Senders: map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: sink},
			Templates: ts, Signer: signer, BaseURL: "https://k.example.in", Workers: 4, BatchSize: 200, ReminderEvery: -1})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		stats, err := d.Drain(ctx)
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(t0)
		b.StopTimer()
		if stats.Sent != rep.Enqueued || sink.Count() != rep.Enqueued {
			b.Fatalf("sent %d of %d", stats.Sent, rep.Enqueued)
		}
		b.ReportMetric(float64(stats.Sent), "messages")
		b.ReportMetric(float64(stats.Sent)/el.Seconds(), "messages/s")
		fmt.Fprintf(os.Stderr, "drain: %d messages to the sink with 4 workers in %v (%.0f messages/s)\n", stats.Sent, el.Round(time.Millisecond), float64(stats.Sent)/el.Seconds())
		dropEvent(b, st, ev)
		b.StartTimer()
	}
}
