package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// extraWorkers adds 40 booth workers with mobiles and emails to the small
// tree, so batches and restarts have something to chew on.
func extraWorkers() string {
	var b strings.Builder
	b.WriteString("name,mobile,email,language,unit_code,roles\n")
	for i := range 40 {
		lang := "hi"
		if i%2 == 1 {
			lang = "en"
		}
		b.WriteString("Worker " + string(rune('A'+i%26)) + string(rune('a'+i/26)) + ",98222" + pad5(i) + ",w" + pad5(i) + "@example.in," + lang + ",D1-A1-M1-C1-S1-B2,committee_member\n")
	}
	return b.String()
}

func pad5(i int) string {
	s := "00000" + itoa(i)
	return s[len(s)-5:]
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

type fixture struct {
	st    *store.Store
	ts    *schedule.TemplateSet
	sign  *schedule.Signer
	now   time.Time
	mu    sync.Mutex
	event int64
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newFixture(t *testing.T, ch schedule.MessageChannel) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	storetest.ImportWorkers(t, st, extraWorkers())
	f := &fixture{st: st, now: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)}
	st.SetClock(f.clock)
	ts, err := st.LoadTemplateSet(ctx, schedule.MessageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	f.ts = ts
	f.sign, err = schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	sys := schedule.SystemActor("t")
	b2, err := st.FindUnitByCode(ctx, sys, "D1-A1-M1-C1-S1-B2")
	if err != nil {
		t.Fatal(err)
	}
	start := f.now.Add(72 * time.Hour)
	saved, err := st.CreateEvent(ctx, sys, schedule.Event{UnitID: b2.ID, Type: "meeting", Title: "Booth meeting", TitleHi: "बूथ बैठक",
		Venue: schedule.Venue{Name: "School"}, Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	f.event = saved.Event.ID
	rep, err := st.SendInvites(ctx, sys, f.event, store.Audience{UnitIDs: []int64{b2.ID}, Roles: []string{"committee_member"}, Channel: ch})
	if err != nil || rep.Enqueued != 40 {
		t.Fatalf("fan-out: %+v %v", rep, err)
	}
	return f
}

func (f *fixture) drainer(t *testing.T, senders map[schedule.MessageChannel]notify.Sender, mod func(*outbox.Config)) *outbox.Drainer {
	t.Helper()
	cfg := outbox.Config{
		Store: f.st, Senders: senders, Templates: f.ts, Signer: f.sign, BaseURL: "https://k.example.in",
		Workers: 4, BatchSize: 7, Lease: time.Minute, Poll: 10 * time.Millisecond, ReminderEvery: -1, Now: f.clock,
	}
	if mod != nil {
		mod(&cfg)
	}
	d, err := outbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDrainToSink(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, schedule.ChannelSMS)
	sink := notify.NewSink(notify.SinkConfig{})
	d := f.drainer(t, map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: sink}, nil)
	st, err := d.Drain(ctx)
	if err != nil || st.Sent != 40 {
		t.Fatalf("drain = %+v, %v", st, err)
	}
	msgs := sink.Messages()
	if len(msgs) != 40 || len(sink.Duplicates()) != 0 {
		t.Fatalf("sink got %d, duplicates %v", len(msgs), sink.Duplicates())
	}
	var hindi, english int
	for _, m := range msgs {
		i := strings.Index(m.Text, "https://k.example.in/i/")
		if i < 0 {
			t.Fatalf("no link in %q", m.Text)
		}
		tok := strings.Fields(m.Text[i+len("https://k.example.in/i/"):])[0]
		c, err := f.sign.Verify(tok, f.now)
		if err != nil || c.EventID != f.event {
			t.Fatalf("link %q: %+v %v", tok, c, err)
		}
		if strings.Contains(m.Text, "बूथ बैठक") {
			hindi++
		} else if strings.Contains(m.Text, "Booth meeting") {
			english++
		}
	}
	if hindi != 20 || english != 20 {
		t.Fatalf("hindi %d english %d", hindi, english)
	}
	c, _ := f.st.InviteCounts(ctx, schedule.SystemActor("t"), f.event)
	if c.Sent != 40 {
		t.Fatalf("invite counts = %+v", c)
	}
	// Nothing is due any more; a second drain sends nothing.
	if st, _ := d.Drain(ctx); st.Sent != 0 || sink.Count() != 40 {
		t.Fatalf("second drain sent %d", st.Sent)
	}
}

func TestStopAndRestartSendsEachOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, schedule.ChannelSMS)
	runCtx, stop := context.WithCancel(ctx)
	var n atomic.Int32
	sink := notify.NewSink(notify.SinkConfig{Fail: func(notify.Message) error {
		if n.Add(1) == 13 {
			stop() // the drainer is told to stop in the middle of a batch
		}
		return nil
	}})
	senders := map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: sink}
	if err := f.drainer(t, senders, nil).Run(runCtx); err != nil {
		t.Fatal(err)
	}
	first := sink.Count()
	if first == 0 || first >= 40 {
		t.Fatalf("first run sent %d; want a partial run", first)
	}
	counts, _ := f.st.OutboxCounts(ctx)
	if counts[store.OutboxSending] != 0 || counts[store.OutboxSent] != first {
		t.Fatalf("after stop: %v, sink %d", counts, first)
	}
	st, err := f.drainer(t, senders, nil).Drain(ctx)
	if err != nil || first+st.Sent != 40 || sink.Count() != 40 || len(sink.Duplicates()) != 0 {
		t.Fatalf("restart sent %d after %d (sink %d, dups %v): %v", st.Sent, first, sink.Count(), sink.Duplicates(), err)
	}
}

func TestCrashWindowResendsOnlyUnmarked(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, schedule.ChannelSMS)
	sink := notify.NewSink(notify.SinkConfig{})
	senders := map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: sink}
	// A drainer claims 5 messages, sends them and dies before marking.
	crashed := f.drainer(t, senders, nil)
	b, err := f.st.ClaimOutbox(ctx, f.now, time.Minute, 5)
	if err != nil || len(b.Messages) != 5 {
		t.Fatal(err)
	}
	for _, m := range b.Messages {
		msg, err := crashed.Render(b, m)
		if err != nil {
			t.Fatal(err)
		}
		sink.Send(ctx, msg)
	}
	// Before the lease ends the survivors leave those five alone.
	d := f.drainer(t, senders, nil)
	if st, err := d.Drain(ctx); err != nil || st.Sent != 35 || len(sink.Duplicates()) != 0 {
		t.Fatalf("drain = %+v %v dups %v", st, err, sink.Duplicates())
	}
	// After it, they go again: exactly the documented duplicate window,
	// with identical keys and text.
	f.advance(2 * time.Minute)
	if st, err := d.Drain(ctx); err != nil || st.Sent != 5 {
		t.Fatalf("after lease: %+v %v", st, err)
	}
	if dups := sink.Duplicates(); len(dups) != 5 {
		t.Fatalf("duplicates = %v", dups)
	}
	msgs := sink.Messages()
	byKey := map[string]string{}
	for _, m := range msgs {
		if prev, ok := byKey[m.Key]; ok && prev != m.Text {
			t.Fatalf("resend of %s differs", m.Key)
		}
		byKey[m.Key] = m.Text
	}
	if st, _ := d.Drain(ctx); st.Sent != 0 {
		t.Fatal("sent messages were claimed again")
	}
}

func TestBackoffAndDeadLetter(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, schedule.ChannelSMS)
	var tries sync.Map
	sink := notify.NewSink(notify.SinkConfig{Fail: func(m notify.Message) error {
		switch {
		case strings.HasSuffix(m.To, "00001"):
			return notify.Permanent(errors.New("number not on the network"))
		case strings.HasSuffix(m.To, "00002"):
			v, _ := tries.LoadOrStore(m.Key, new(atomic.Int32))
			if v.(*atomic.Int32).Add(1) < 3 {
				return notify.Temporary(errors.New("gateway busy"))
			}
		}
		return nil
	}})
	d := f.drainer(t, map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: sink}, func(c *outbox.Config) {
		c.Backoff = notify.Backoff{Base: time.Second, Max: time.Minute, MaxAttempts: 5}
	})
	st, err := d.Drain(ctx)
	if err != nil || st.Sent != 38 || st.Dead != 1 || st.Retried != 1 {
		t.Fatalf("first pass = %+v %v", st, err)
	}
	// Not due yet: nothing happens until the backoff passes.
	if st, _ := d.Drain(ctx); st.Sent+st.Retried != 0 {
		t.Fatalf("retried early: %+v", st)
	}
	f.advance(2 * time.Second)
	if st, _ := d.Drain(ctx); st.Retried != 1 {
		t.Fatalf("second attempt: %+v", st)
	}
	f.advance(3 * time.Second)
	if st, _ := d.Drain(ctx); st.Sent != 1 {
		t.Fatalf("third attempt: %+v", st)
	}
	c, _ := f.st.InviteCounts(ctx, schedule.SystemActor("t"), f.event)
	if c.Sent != 39 || c.Failed != 1 || c.Dead != 1 {
		t.Fatalf("counts = %+v", c)
	}
	rows, _, _ := f.st.ListInvites(ctx, schedule.SystemActor("t"), f.event, store.InviteFilter{Status: store.InviteFailed})
	if len(rows) != 1 || !strings.Contains(rows[0].LastError, "not on the network") {
		t.Fatalf("failed rows = %+v", rows)
	}
}

func TestRateLimit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, schedule.ChannelSMS)
	sink := notify.NewSink(notify.SinkConfig{})
	lim, err := notify.NewChannelLimiter(map[schedule.MessageChannel]notify.Rate{schedule.ChannelSMS: {PerSecond: 200, Burst: 1}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := f.drainer(t, map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: sink}, func(c *outbox.Config) {
		c.Limiter = lim
		c.Now = time.Now // the limiter sleeps in real time
	})
	start := time.Now()
	if st, err := d.Drain(ctx); err != nil || st.Sent != 40 {
		t.Fatalf("%+v %v", st, err)
	}
	// 40 messages at 200/s with a burst of 1 take at least 39/200 s.
	if el := time.Since(start); el < 190*time.Millisecond {
		t.Fatalf("rate limit not applied: 40 sends in %v", el)
	}
}

// SMTP: a real server in-process; what arrives is parsed.

type mailBackend struct {
	mu   sync.Mutex
	msgs [][]byte
	rcpt []string
}

func (b *mailBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{b: b}, nil }

type mailSession struct {
	b  *mailBackend
	to string
}

func (s *mailSession) AuthMechanisms() []string                  { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *mailSession) Reset()                                    {}
func (s *mailSession) Logout() error                             { return nil }
func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, data)
	s.b.rcpt = append(s.b.rcpt, s.to)
	s.b.mu.Unlock()
	return nil
}

func TestDrainOverRealSMTP(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, schedule.ChannelEmail)
	be := &mailBackend{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(be)
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: ln.Addr().String(), Security: notify.SMTPPlain,
		From: "karyakram@mp.example.in", FromName: "Karyakram", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// The drainer stops after some messages and a new one finishes.
	runCtx, stop := context.WithCancel(ctx)
	var n atomic.Int32
	counting := senderFunc(func(ctx context.Context, m notify.Message) error {
		err := sender.Send(ctx, m)
		if n.Add(1) == 9 {
			stop()
		}
		return err
	})
	senders := map[schedule.MessageChannel]notify.Sender{schedule.ChannelEmail: counting}
	f.drainer(t, senders, nil).Run(runCtx)
	if _, err := f.drainer(t, senders, nil).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	be.mu.Lock()
	defer be.mu.Unlock()
	if len(be.msgs) != 40 {
		counts, _ := f.st.OutboxCounts(ctx)
		rows, _, _ := f.st.ListInvites(ctx, schedule.SystemActor("t"), f.event, store.InviteFilter{})
		for _, r := range rows {
			if r.LastError != "" {
				t.Log(r.Status, r.LastError)
			}
		}
		t.Fatalf("server got %d messages; outbox %v", len(be.msgs), counts)
	}
	ids := map[string]bool{}
	for i, raw := range be.msgs {
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		id := m.Header.Get("Message-ID")
		if ids[id] {
			t.Fatalf("message %s delivered twice", id)
		}
		ids[id] = true
		body, _ := io.ReadAll(m.Body)
		if !strings.Contains(string(raw), "text/calendar") || !strings.Contains(string(raw), "method=REQUEST") {
			t.Fatalf("message %d to %s has no iMIP part:\n%s", i, be.rcpt[i], body)
		}
		if !strings.HasSuffix(be.rcpt[i], "@example.in") {
			t.Fatalf("recipient %q", be.rcpt[i])
		}
	}
}

type senderFunc func(context.Context, notify.Message) error

func (f senderFunc) Send(ctx context.Context, m notify.Message) error { return f(ctx, m) }
