// Package outbox drains the durable outbox table: N workers claim batches
// of due messages, render invite messages (personal signed link, the
// invitee's language, the event's current details), send them through the
// channel's notify.Sender under a per-channel rate limit, and record the
// outcome: sent, retried later with exponential backoff, or dead-lettered
// with the reason.
//
// Delivery is at least once. Every message has a unique idempotency key;
// a message marked sent is never claimed again. The one duplicate window
// is a crash (kill -9, a lost connection) between the far end accepting a
// message and its "sent" mark committing: the claim's lease then runs out,
// the message is queued again and sent a second time, with the same key
// (the email Message-ID and the SMS gateway reference), so a far end that
// deduplicates drops it. The window is kept small: each message is marked
// sent as soon as the far end accepts it, before the next is sent, so a
// crash repeats at most the one message each worker had in flight; claims
// are small (Config.BatchSize) and their leases short (Config.Lease), kept
// alive by a heartbeat while the worker lives, so what a dead worker had
// claimed but not sent goes out within a lease, not minutes later. A clean
// stop (context cancelled) never duplicates: the worker finishes the send
// in flight, marks it and releases what it did not send.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// Config configures a Drainer.
type Config struct {
	Store *store.Store
	// Senders deliver each channel; a message on a channel without a
	// sender is dead-lettered.
	Senders map[schedule.MessageChannel]notify.Sender
	// Limiter rate-limits sends per channel; nil means no limits.
	Limiter *notify.ChannelLimiter
	// Backoff is the retry policy; zero means notify.DefaultBackoff.
	Backoff notify.Backoff
	// Templates render invite messages (shared with the template editor,
	// so edits apply to the next message rendered).
	Templates *schedule.TemplateSet
	// Signer signs personal links; BaseURL is where /i/<token> is served.
	Signer  *schedule.Signer
	BaseURL string
	// LinkTTL is how long after the event's end links keep working;
	// 0 means 30 days.
	LinkTTL time.Duration
	// Workers is the number of concurrent drainers; 0 means 4.
	Workers int
	// BatchSize is how many messages a worker claims at once; 0 means 20.
	BatchSize int
	// Lease is how long a claim lasts without a heartbeat, so how soon a
	// dead worker's unsent messages go to another; 0 means 30 s.
	Lease time.Duration
	// Heartbeat is how often a working worker renews the lease of what it
	// still holds; 0 means a third of the lease.
	Heartbeat time.Duration
	// SendTimeout bounds one send (the senders have their own timeouts
	// too); 0 means a minute.
	SendTimeout time.Duration
	// Poll is the wait when the queue is empty; 0 means 2 s.
	Poll time.Duration
	// BridgeTTL is how long the drainer keeps a mass address's audio
	// bridges (loaded once per event, resolved per invitee in memory)
	// before reading them again; 0 means 30 s.
	BridgeTTL time.Duration
	// ReminderEvery is how often Run enqueues due reminders; 0 means a
	// minute, negative turns the reminder scheduler off.
	ReminderEvery time.Duration
	Log           *slog.Logger
	// Now is the clock; nil means the store's (Store.Now).
	Now func() time.Time
}

// Stats counts what a drainer did.
type Stats struct {
	Sent, Retried, Dead int
}

// Drainer sends the outbox's messages.
type Drainer struct {
	cfg Config
	mu  sync.Mutex
	rnd *rand.Rand
	st  Stats
	// bridges caches each address event's bridges for cfg.BridgeTTL.
	bmu     sync.Mutex
	bridges map[int64]cachedBridges
}

// cachedBridges is one event's bridges and when they were read.
type cachedBridges struct {
	set    store.EventBridges
	loaded time.Time
}

// New checks cfg and returns a drainer.
func New(cfg Config) (*Drainer, error) {
	if cfg.Store == nil || cfg.Templates == nil || cfg.Signer == nil {
		return nil, errors.New("outbox: Store, Templates and Signer are required")
	}
	if cfg.BaseURL == "" {
		return nil, schedule.FieldError("base url", "the public address of the server is needed for invite links")
	}
	if cfg.Backoff.MaxAttempts == 0 {
		cfg.Backoff = notify.DefaultBackoff()
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = 30 * 24 * time.Hour
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 20
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = cfg.Lease / 3
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.BridgeTTL <= 0 {
		cfg.BridgeTTL = 30 * time.Second
	}
	if cfg.ReminderEvery == 0 {
		cfg.ReminderEvery = time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = cfg.Store.Now
	}
	return &Drainer{cfg: cfg, rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x6b6b)), bridges: map[int64]cachedBridges{}}, nil
}

// Stats returns the counts so far.
func (d *Drainer) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st
}

// Run drains until ctx ends: cfg.Workers workers claim and send, and the
// reminder scheduler enqueues due reminders every cfg.ReminderEvery. It
// returns nil after a clean stop.
func (d *Drainer) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for i := range d.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.worker(ctx, i)
		}()
	}
	if d.cfg.ReminderEvery > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.reminders(ctx)
		}()
	}
	wg.Wait()
	return nil
}

func (d *Drainer) reminders(ctx context.Context) {
	t := time.NewTicker(d.cfg.ReminderEvery)
	defer t.Stop()
	for {
		if n, err := d.cfg.Store.EnqueueDueReminders(ctx, d.cfg.Now()); err != nil {
			if ctx.Err() != nil {
				return
			}
			d.cfg.Log.Error("enqueue reminders", "err", err)
		} else if n > 0 {
			d.cfg.Log.Info("reminders queued", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (d *Drainer) worker(ctx context.Context, n int) {
	log := d.cfg.Log.With("worker", n)
	for ctx.Err() == nil {
		got, err := d.Step(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("outbox step", "err", err)
		}
		if got == 0 || err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(d.cfg.Poll):
			}
		}
	}
}

// Drain runs cfg.Workers workers until no message is due now, then returns
// the counts of this call (tests and benchmarks).
func (d *Drainer) Drain(ctx context.Context) (Stats, error) {
	before := d.Stats()
	var wg sync.WaitGroup
	errc := make(chan error, d.cfg.Workers)
	for range d.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				got, err := d.Step(ctx)
				if err != nil {
					errc <- err
					return
				}
				if got == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	after := d.Stats()
	st := Stats{Sent: after.Sent - before.Sent, Retried: after.Retried - before.Retried, Dead: after.Dead - before.Dead}
	if err := <-errc; err != nil {
		return st, err
	}
	return st, ctx.Err()
}

// Step recovers expired claims, claims one batch and sends it; it returns
// the number of messages claimed.
func (d *Drainer) Step(ctx context.Context) (int, error) {
	now := d.cfg.Now()
	// A stop must not cut a claim short: the server may commit a claim the
	// client reports as cancelled, and nobody would release those messages
	// until their lease ran out. A finished claim is released below when
	// the drainer is stopping.
	cctx := context.WithoutCancel(ctx)
	if _, err := d.cfg.Store.RecoverOutbox(cctx, now); err != nil {
		return 0, err
	}
	b, err := d.cfg.Store.ClaimOutbox(cctx, now, d.cfg.Lease, d.cfg.BatchSize)
	if err == nil {
		err = d.attachBridges(cctx, &b, now)
	}
	if err != nil {
		if len(b.Messages) > 0 {
			ids := make([]int64, len(b.Messages))
			for i, m := range b.Messages {
				ids[i] = m.ID
			}
			if rerr := d.cfg.Store.ReleaseOutbox(context.WithoutCancel(ctx), ids, now); rerr != nil {
				d.cfg.Log.Error("release claimed messages", "err", rerr)
			}
		}
		return 0, err
	}
	if len(b.Messages) == 0 {
		return 0, nil
	}
	// Marks use a context that outlives a cancelled ctx, so a stopping
	// worker still records what it sent.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	held := newHeld(b.Messages)
	stopBeat := d.heartbeat(mctx, held)
	defer stopBeat()
	marker, err := d.cfg.Store.NewOutboxMarker(mctx)
	if err != nil {
		stopBeat()
		if rerr := d.cfg.Store.ReleaseOutbox(mctx, held.ids(), d.cfg.Now()); rerr != nil {
			d.cfg.Log.Error("release claimed messages", "err", rerr)
		}
		return 0, err
	}
	defer func() {
		if err := marker.Close(mctx); err != nil {
			d.cfg.Log.Warn("outbox marker", "err", err)
		}
	}()
	var st Stats
	var stepErr error
	for _, m := range b.Messages {
		if ctx.Err() != nil || stepErr != nil {
			break
		}
		err := d.send(ctx, b, m)
		switch {
		case err == nil:
			// Recorded before the next send: a crash now repeats at most
			// this message.
			held.done(m.ID)
			if err := marker.Sent(mctx, m.ID, d.cfg.Now()); err != nil {
				// Not released: it stays claimed and, unrenewed, goes
				// again after the lease (the far end can drop it by key).
				stepErr = err
				continue
			}
			st.Sent++
		case ctx.Err() != nil && !notify.IsPermanent(err):
			// Stopped mid-send: the far end may or may not have it;
			// release, as a crash would after the lease.
		default:
			dead, rerr := d.fail(mctx, m, err)
			if rerr != nil {
				stepErr = rerr
				continue
			}
			held.done(m.ID)
			if dead {
				st.Dead++
			} else {
				st.Retried++
			}
		}
	}
	stopBeat()
	if err := d.cfg.Store.ReleaseOutbox(mctx, held.ids(), d.cfg.Now()); err != nil && stepErr == nil {
		stepErr = err
	}
	d.mu.Lock()
	d.st.Sent += st.Sent
	d.st.Retried += st.Retried
	d.st.Dead += st.Dead
	d.mu.Unlock()
	return len(b.Messages), stepErr
}

// held is what a worker still holds of its claim: messages neither
// recorded (sent, retried, dead) nor released.
type held struct {
	mu  sync.Mutex
	set map[int64]bool
}

func newHeld(ms []store.OutboxMessage) *held {
	h := &held{set: make(map[int64]bool, len(ms))}
	for _, m := range ms {
		h.set[m.ID] = true
	}
	return h
}

func (h *held) done(id int64) {
	h.mu.Lock()
	delete(h.set, id)
	h.mu.Unlock()
}

func (h *held) ids() []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]int64, 0, len(h.set))
	for id := range h.set {
		out = append(out, id)
	}
	return out
}

// heartbeat renews the lease of what the worker holds every
// cfg.Heartbeat until stop is called (stop waits for it to end).
func (d *Drainer) heartbeat(ctx context.Context, h *held) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d.cfg.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			ids := h.ids()
			if len(ids) == 0 {
				continue
			}
			if err := d.cfg.Store.RenewOutboxLease(ctx, ids, d.cfg.Now().Add(d.cfg.Lease)); err != nil {
				d.cfg.Log.Warn("renew outbox lease", "messages", len(ids), "err", err)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(quit); <-done })
	}
}

// attachBridges fills b.Bridges for the mass addresses among the batch's
// events from the drainer's cache, reading an event's bridges (one query)
// when they are missing or older than cfg.BridgeTTL.
func (d *Drainer) attachBridges(ctx context.Context, b *store.OutboxBatch, now time.Time) error {
	for id, ev := range b.Events {
		if ev.Type != store.AddressEventType {
			continue
		}
		d.bmu.Lock()
		c, ok := d.bridges[id]
		d.bmu.Unlock()
		if !ok || now.Sub(c.loaded) >= d.cfg.BridgeTTL || now.Before(c.loaded) {
			// Read outside the lock; two workers missing at once both
			// read, which is harmless.
			set, err := d.cfg.Store.EventBridgesOf(context.WithoutCancel(ctx), id)
			if err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
			c = cachedBridges{set: set, loaded: now}
			d.bmu.Lock()
			for k, old := range d.bridges { // drop expired entries so the cache stays small
				if now.Sub(old.loaded) >= d.cfg.BridgeTTL {
					delete(d.bridges, k)
				}
			}
			d.bridges[id] = c
			d.bmu.Unlock()
		}
		if b.Bridges == nil {
			b.Bridges = map[int64]store.EventBridges{}
		}
		b.Bridges[id] = c.set
	}
	return nil
}

// fail records a failed attempt: retry later or dead-letter.
func (d *Drainer) fail(ctx context.Context, m store.OutboxMessage, err error) (dead bool, _ error) {
	now := d.cfg.Now()
	d.mu.Lock()
	at, dead := d.cfg.Backoff.Next(m.Attempts, err, now, d.rnd)
	d.mu.Unlock()
	if dead {
		d.cfg.Log.Warn("outbox message dead-lettered", "key", m.Key, "attempts", m.Attempts, "err", err)
		return true, d.cfg.Store.MarkOutboxDead(ctx, m.ID, err.Error(), now)
	}
	return false, d.cfg.Store.MarkOutboxRetry(ctx, m.ID, err.Error(), at)
}

// send renders and delivers one message.
func (d *Drainer) send(ctx context.Context, b store.OutboxBatch, m store.OutboxMessage) error {
	msg, err := d.Render(b, m)
	if err != nil {
		return err
	}
	sender := d.cfg.Senders[m.Channel]
	if sender == nil {
		return notify.Permanent(fmt.Errorf("no sender configured for %s", m.Channel))
	}
	if d.cfg.Limiter != nil {
		if err := d.cfg.Limiter.Wait(ctx, m.Channel, d.cfg.Now()); err != nil {
			return notify.Temporary(err)
		}
	}
	// A stop must not cut a send short: the far end may accept the message
	// and the sender still report the cancellation, and the released
	// message would go out twice. The send in flight finishes, bounded by
	// cfg.SendTimeout (senders have their own timeouts too).
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.SendTimeout)
	defer cancel()
	return sender.Send(sctx, msg)
}

// Render builds the notify.Message of an outbox row: pre-rendered rows as
// they are, invite messages from the templates with the personal link
// (PersonalLink). For a mass address the message carries the invitee's
// own area's audio bridge from b.Bridges (store.InviteEvent.ForInvitee),
// else the event-wide one.
func (d *Drainer) Render(b store.OutboxBatch, m store.OutboxMessage) (notify.Message, error) {
	if m.Body != "" || m.InviteID == 0 {
		return notify.Message{Key: m.Key, Channel: m.Channel, To: m.Recipient, ToName: m.Name, Subject: m.Subject, Text: m.Body, Created: m.Created}, nil
	}
	key, err := schedule.ParseMessageKey(m.Key)
	if err != nil {
		return notify.Message{}, notify.Permanent(err)
	}
	ev, ok := b.Events[m.EventID]
	if !ok {
		return notify.Message{}, notify.Permanent(fmt.Errorf("outbox %s: event %d is gone", m.Key, m.EventID))
	}
	link, err := PersonalLink(d.cfg.Signer, d.cfg.BaseURL, m.InviteID, ev, d.cfg.LinkTTL)
	if err != nil {
		return notify.Message{}, notify.Permanent(err)
	}
	ev = ev.ForInvitee(b.Bridges[m.EventID], m.UnitPath)
	to := notify.Recipient{Name: m.Name, Lang: m.Lang}
	if m.Channel == schedule.ChannelEmail {
		to.Email = m.Recipient
	} else {
		to.Mobile = m.Recipient
	}
	n := notify.Notice{Key: key, Event: ev.MessageEvent, Previous: m.Payload.Previous, Reason: m.Payload.Reason, Link: link, To: to}
	if m.Channel == schedule.ChannelEmail {
		n.Unsubscribe = UnsubscribeLink(d.cfg.BaseURL, link)
	}
	msg, err := notify.Compose(d.cfg.Templates, n, m.Created)
	if err != nil {
		return notify.Message{}, notify.Permanent(err)
	}
	return msg, nil
}

// PersonalLink returns the link a message or letter for invite inviteID
// carries: for a mass address the join link /j/<token> (the join page, with
// the worker's own room and bridge), otherwise the RSVP link /i/<token>
// (InviteLink). Both carry the same token.
func PersonalLink(s *schedule.Signer, baseURL string, inviteID int64, ev store.InviteEvent, ttl time.Duration) (string, error) {
	link, err := InviteLink(s, baseURL, inviteID, ev, ttl)
	if err != nil || ev.Type != store.AddressEventType {
		return link, err
	}
	base := strings.TrimRight(baseURL, "/")
	return base + "/j/" + strings.TrimPrefix(link, base+"/i/"), nil
}

// InviteLink returns the personal link of invite inviteID to ev: signed
// with the event's current link version, valid until ttl after the
// event's end. The same inputs give the same link, so a retried message
// carries the link of its first attempt.
func InviteLink(s *schedule.Signer, baseURL string, inviteID int64, ev store.InviteEvent, ttl time.Duration) (string, error) {
	end := ev.End
	if end.Before(ev.Start) {
		end = ev.Start
	}
	tok, err := s.Sign(schedule.LinkClaims{InviteID: inviteID, EventID: ev.ID, LinkVersion: ev.LinkVersion, Expires: end.Add(ttl)})
	if err != nil {
		return "", fmt.Errorf("sign link of invite %d: %w", inviteID, err)
	}
	return schedule.InviteURL(baseURL, tok), nil
}

// UnsubscribeLink is the one-click unsubscribe address of an email whose
// personal link is link: /u/ with the same signed token, so it names the
// invite (and through it the address) without anything stored.
func UnsubscribeLink(baseURL, link string) string {
	base := strings.TrimRight(baseURL, "/")
	tok := link[strings.LastIndexByte(link, '/')+1:]
	return base + "/u/" + tok
}
