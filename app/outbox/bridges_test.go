package outbox_test

import (
	"bytes"
	"context"
	"github.com/karyakram/karyakram/app/bridges"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// addressFixture is a mass address at MP over the small tree, every
// worker invited by SMS, with optional per-unit bridges and an optional
// event-wide bridge.
type addressFixture struct {
	st      *store.Store
	sign    *schedule.Signer
	ts      *schedule.TemplateSet
	now     time.Time
	event   int64
	bridges map[string]store.BridgeRecord // by unit code
}

// bridgeLevels are the levels bridges are provisioned at, in order: ""
// (districts), "mandal".
func newAddressFixture(t *testing.T, eventWide bool, bridgeLevels ...string) *addressFixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	f := &addressFixture{st: st, now: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC), bridges: map[string]store.BridgeRecord{}}
	st.SetClock(func() time.Time { return f.now })
	var err error
	if f.ts, err = st.LoadTemplateSet(ctx, schedule.MessageConfig{}); err != nil {
		t.Fatal(err)
	}
	if f.sign, err = schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: bytes.Repeat([]byte("b"), 32)}); err != nil {
		t.Fatal(err)
	}
	state := storetest.Actor(t, st, "9800000001")
	mp, err := st.FindUnitByCode(ctx, state, "MP")
	if err != nil {
		t.Fatal(err)
	}
	start := f.now.Add(72 * time.Hour)
	saved, err := st.CreateEvent(ctx, state, schedule.Event{UnitID: mp.ID, Type: store.AddressEventType, Title: "State address",
		TitleHi: "प्रदेश संबोधन", Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	f.event = saved.Event.ID
	if eventWide {
		if err := st.SaveInviteSettings(ctx, state, f.event, store.InviteSettings{BridgeNumber: "+917550001111", BridgePIN: "909090"}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: f.event, Speakers: "State President"})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := schedule.ParseBridgeNumbers("+91755400xxxx")
	if err != nil {
		t.Fatal(err)
	}
	for _, level := range bridgeLevels {
		if _, err := bridges.Provision(ctx, st, state, a.ID, level, pool, nil, f.now); err != nil {
			t.Fatalf("bridges at %q: %v", level, err)
		}
	}
	_, recs, err := st.Bridges(ctx, state, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range recs {
		f.bridges[b.UnitCode] = b
	}
	if rep, err := st.SendInvites(ctx, state, f.event, store.Audience{UnitIDs: []int64{mp.ID}, Channel: schedule.ChannelSMS}); err != nil || rep.Enqueued != 9 {
		t.Fatalf("invites: %+v %v", rep, err)
	}
	return f
}

// drain sends everything due into a dev sink and returns the SMS texts by
// the recipient's 10-digit mobile.
func (f *addressFixture) drain(t *testing.T) (map[string]string, *outbox.Drainer) {
	t.Helper()
	sink := notify.NewSink(notify.SinkConfig{})
	d, err := outbox.New(outbox.Config{Store: f.st, Senders: map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: sink},
		Templates: f.ts, Signer: f.sign, BaseURL: "https://k.example.in", Workers: 2, BatchSize: 4, ReminderEvery: -1,
		Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := d.Drain(context.Background()); err != nil || st.Sent != 9 {
		t.Fatalf("drain = %+v, %v", st, err)
	}
	out := map[string]string{}
	for _, m := range sink.Messages() {
		out[m.To[len(m.To)-10:]] = m.Text
	}
	return out, d
}

// joinToken checks that text carries a join link (/j/, not /i/) for the
// fixture's event and returns nothing; it fails the test otherwise.
func (f *addressFixture) checkJoinLink(t *testing.T, who, text string) {
	t.Helper()
	const prefix = "https://k.example.in/j/"
	i := strings.Index(text, prefix)
	if i < 0 || strings.Contains(text, "/i/") {
		t.Fatalf("%s: no join link /j/ in %q", who, text)
	}
	tok := strings.Fields(text[i+len(prefix):])[0]
	if c, err := f.sign.Verify(tok, f.now); err != nil || c.EventID != f.event {
		t.Fatalf("%s: join token %q: %+v %v", who, tok, c, err)
	}
}

func hasDialIn(text, number, pin string) bool {
	return strings.Contains(text, number+", पिन "+pin) || strings.Contains(text, number+", PIN "+pin)
}

// Each worker's SMS carries their own join link and the bridge of their
// own area: a mandal's bridge where their mandal has one, else their
// district's; people above the districts get the event-wide bridge.
func TestAddressMessagesCarryOwnBridge(t *testing.T) {
	f := newAddressFixture(t, true, "", "mandal")
	for _, code := range []string{"D1", "D2", "D1-A1-M1", "D1-A1-M2", "D2-A1-M1"} {
		if _, ok := f.bridges[code]; !ok {
			t.Fatalf("no bridge for %s: %v", code, f.bridges)
		}
	}
	texts, _ := f.drain(t)
	want := map[string]string{ // mobile → unit code of the bridge they must get
		"9800000002": "D1",       // district president, at D1 itself
		"9800000003": "D1-A1-M1", // mandal president: the mandal bridge beats D1's
		"9800000004": "D1-A1-M1", // booth under mandal M1
		"9811111113": "D1-A1-M2", // booth under mandal M2
		"9800000005": "D2",
		"9811111114": "D2-A1-M1",
	}
	for mobile, code := range want {
		text, ok := texts[mobile]
		if !ok {
			t.Fatalf("no SMS to %s", mobile)
		}
		f.checkJoinLink(t, mobile, text)
		b := f.bridges[code]
		if !hasDialIn(text, b.Number, b.PIN) {
			t.Errorf("SMS to %s (bridge of %s: %s PIN %s) = %q", mobile, code, b.Number, b.PIN, text)
		}
		for other, ob := range f.bridges {
			if other != code && ob.PIN != b.PIN && strings.Contains(text, ob.PIN) {
				t.Errorf("SMS to %s carries %s's PIN too: %q", mobile, other, text)
			}
		}
		if strings.Contains(text, "909090") {
			t.Errorf("SMS to %s carries the event-wide PIN though its area has a bridge: %q", mobile, text)
		}
	}
	// The state office sits above every district: the event-wide bridge.
	if text := texts["9800000001"]; !hasDialIn(text, "+917550001111", "909090") {
		t.Errorf("state office SMS = %q, want the event-wide bridge", text)
	}
}

// District bridges only: a D1 worker gets D1's, a D2 worker D2's.
func TestAddressMessagesDistrictBridges(t *testing.T) {
	f := newAddressFixture(t, false, "")
	texts, _ := f.drain(t)
	d1, d2 := f.bridges["D1"], f.bridges["D2"]
	if d1.PIN == "" || d2.PIN == "" || d1.PIN == d2.PIN {
		t.Fatalf("bridges = %+v", f.bridges)
	}
	for mobile, b := range map[string]store.BridgeRecord{"9800000002": d1, "9800000003": d1, "9811111113": d1, "9800000005": d2, "9811111114": d2} {
		text := texts[mobile]
		f.checkJoinLink(t, mobile, text)
		if !hasDialIn(text, b.Number, b.PIN) {
			t.Errorf("SMS to %s = %q, want %s PIN %s", mobile, text, b.Number, b.PIN)
		}
	}
	// No district bridge and no event-wide one above the districts: no
	// bridge line at all.
	if text := texts["9800000001"]; strings.Contains(text, "डायल") || strings.Contains(text, "PIN") || strings.Contains(text, "पिन") {
		t.Errorf("state office SMS mentions a bridge: %q", text)
	}
}

// No bridges: everyone gets the event-wide bridge; and with none at all,
// no bridge line but still the join link.
func TestAddressMessagesFallback(t *testing.T) {
	t.Run("event-wide", func(t *testing.T) {
		f := newAddressFixture(t, true)
		texts, _ := f.drain(t)
		for mobile, text := range texts {
			f.checkJoinLink(t, mobile, text)
			if !hasDialIn(text, "+917550001111", "909090") {
				t.Errorf("SMS to %s = %q, want the event-wide bridge", mobile, text)
			}
		}
	})
	t.Run("none", func(t *testing.T) {
		f := newAddressFixture(t, false)
		texts, _ := f.drain(t)
		for mobile, text := range texts {
			f.checkJoinLink(t, mobile, text)
			if strings.Contains(text, "डायल") || strings.Contains(text, "dial") || strings.Contains(text, "पिन") || strings.Contains(text, "PIN") {
				t.Errorf("SMS to %s mentions a bridge though there is none: %q", mobile, text)
			}
		}
	})
}

// The drainer reads an address's bridges once and keeps them for
// BridgeTTL: bridges recorded later reach messages only after it.
func TestAddressBridgeCache(t *testing.T) {
	ctx := context.Background()
	f := newAddressFixture(t, false)
	sink := notify.NewSink(notify.SinkConfig{})
	d, err := outbox.New(outbox.Config{Store: f.st, Senders: map[schedule.MessageChannel]notify.Sender{schedule.ChannelSMS: sink},
		Templates: f.ts, Signer: f.sign, BaseURL: "https://k.example.in", Workers: 1, ReminderEvery: -1, BridgeTTL: time.Minute,
		Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	toD1 := func() []string { // texts sent to D1's president so far
		var out []string
		for _, m := range sink.Messages() {
			if strings.HasSuffix(m.To, "9800000002") {
				out = append(out, m.Text)
			}
		}
		return out
	}
	if st, err := d.Drain(ctx); err != nil || st.Sent != 9 { // caches "no bridges"
		t.Fatalf("drain invites = %+v %v", st, err)
	}
	state := storetest.Actor(t, f.st, "9800000001")
	addr, err := f.st.AddressForEvent(ctx, state, f.event)
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := schedule.ParseBridgeNumbers("+917554000000")
	rep, err := bridges.Provision(ctx, f.st, state, addr, "", pool, nil, f.now)
	if err != nil || len(rep.Bridges) != 2 {
		t.Fatalf("bridges %+v %v", rep, err)
	}
	d1 := rep.Bridges[0]

	// Within the TTL a change notice still goes out with the cached set.
	f.now = f.now.Add(30 * time.Second)
	ev, err := f.st.FindInviteEvent(ctx, state, f.event)
	if err != nil {
		t.Fatal(err)
	}
	before := ev.MessageEvent
	before.Start, before.End = before.Start.Add(-time.Hour), before.End.Add(-time.Hour)
	if n, err := f.st.EnqueueChangeNotices(ctx, state, f.event, before, ""); err != nil || n != 9 {
		t.Fatalf("change notices %d %v", n, err)
	}
	if st, err := d.Drain(ctx); err != nil || st.Sent != 9 {
		t.Fatalf("drain changes = %+v %v", st, err)
	}
	if got := toD1(); len(got) != 2 || strings.Contains(got[1], d1.PIN) {
		t.Fatalf("within the TTL D1's president got %q, want no bridge yet", got)
	}

	// After it, the next messages (the 24-hour reminder) carry D1's bridge.
	f.now = ev.Start.Add(-24*time.Hour + time.Minute)
	if n, err := f.st.EnqueueDueReminders(ctx, f.now); err != nil || n != 9 {
		t.Fatalf("reminders %d %v", n, err)
	}
	if st, err := d.Drain(ctx); err != nil || st.Sent != 9 {
		t.Fatalf("drain reminders = %+v %v", st, err)
	}
	got := toD1()
	if len(got) != 3 || !hasDialIn(got[2], d1.Number, d1.PIN) {
		t.Fatalf("after the TTL D1's president got %q, want D1's bridge %s PIN %s", got, d1.Number, d1.PIN)
	}
	f.checkJoinLink(t, "reminder", got[2])
}
