package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// The outbox is a durable queue of messages. Rows are claimed by drainers
// (status queued → sending, with a lease in next_attempt_at), sent, then
// marked sent, retried later (queued again with a later next_attempt_at) or
// dead-lettered with a reason. The idempotency key is UNIQUE, so a message
// exists once, and a message marked sent is never claimed again.
//
// Duplicate window: a drainer that crashes after the far end accepted a
// message but before MarkOutboxSent committed leaves the row "sending";
// when its lease runs out RecoverOutbox puts it back and it is sent a
// second time. That is the only way a message goes out twice; keys are
// passed to the far end (email Message-ID, gateway reference) so it can
// drop the copy.

// Outbox statuses.
const (
	OutboxQueued  = "queued"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxDead    = "dead"
)

// OutboxMessage is one claimed message with what rendering it needs.
type OutboxMessage struct {
	ID        int64
	Key       string
	EventID   int64
	InviteID  int64
	Kind      schedule.MessageKind
	Channel   schedule.MessageChannel
	Recipient string
	// Subject and Body are set for messages enqueued already rendered;
	// invite messages are rendered at send time.
	Subject, Body string
	Payload       NoticePayload
	Attempts      int // including this one
	Created       time.Time
	// Name and Lang are the invitee's (invite messages); UnitPath is the
	// invite's unit path, which picks the invitee's audio bridge.
	Name, Lang, UnitPath string
}

// NoticePayload is the outbox payload of change and cancel notices.
type NoticePayload struct {
	Reason   string                 `json:"reason,omitempty"`
	Previous *schedule.MessageEvent `json:"previous,omitempty"`
}

// OutboxBatch is what one claim returns: messages and the events they are
// about.
type OutboxBatch struct {
	Messages []OutboxMessage
	Events   map[int64]InviteEvent
	// Bridges holds the audio bridges of the batch's mass addresses, by
	// event id; the drainer fills it (from its cache, EventBridgesOf).
	Bridges map[int64]EventBridges
}

// RecoverOutbox returns messages whose claim lease ran out (their drainer
// died) to the queue and reports how many.
func (s *Store) RecoverOutbox(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, "UPDATE outbox SET status = 'queued', last_error = 'claim expired (drainer stopped while sending)' WHERE status = 'sending' AND next_attempt_at <= ?", now.UTC())
	if err != nil {
		return 0, fmt.Errorf("recover outbox: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ClaimOutbox claims up to limit due messages for one drainer worker until
// now+lease. On PostgreSQL concurrent claimers skip each other's rows (FOR
// UPDATE SKIP LOCKED); on SQLite the claim is one write transaction, so
// claimers take turns.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) (OutboxBatch, error) {
	b := OutboxBatch{Events: map[int64]InviteEvent{}}
	now = now.UTC()
	lock := ""
	if s.Postgres() {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	err := s.inTx(ctx, func(tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?
			WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
			RETURNING id, idem_key, COALESCE(event_id, 0), COALESCE(invite_id, 0), kind, channel, recipient, subject, body, payload, attempts, created_at`,
			now.Add(lease), now, limit)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var m OutboxMessage
			var payload string
			if err := rows.Scan(&m.ID, &m.Key, &m.EventID, &m.InviteID, &m.Kind, &m.Channel, &m.Recipient, &m.Subject, &m.Body, &payload, &m.Attempts, &m.Created); err != nil {
				return fmt.Errorf("claim outbox: %w", err)
			}
			if payload != "" {
				if err := json.Unmarshal([]byte(payload), &m.Payload); err != nil {
					return fmt.Errorf("outbox %s: bad payload: %w", m.Key, err)
				}
			}
			m.Created = m.Created.UTC()
			b.Messages = append(b.Messages, m)
		}
		return rows.Err()
	})
	if err != nil || len(b.Messages) == 0 {
		return b, err
	}
	// Names, languages and events, read after the claim committed so the
	// claim transaction stays short; a cancelled ctx must not strand the
	// claimed rows, so these reads ignore cancellation.
	ctx = context.WithoutCancel(ctx)
	idx := map[int64][]int{}
	var ids []int64
	for i, m := range b.Messages {
		if m.InviteID != 0 {
			if _, seen := idx[m.InviteID]; !seen {
				ids = append(ids, m.InviteID)
			}
			idx[m.InviteID] = append(idx[m.InviteID], i)
		}
		if _, seen := b.Events[m.EventID]; m.EventID != 0 && !seen {
			e, err := inviteEvent(ctx, s.db, m.EventID)
			if err != nil {
				return b, fmt.Errorf("outbox %s: %w", m.Key, err)
			}
			b.Events[m.EventID] = e
		}
	}
	if len(ids) > 0 {
		rows, err := s.db.QueryContext(ctx, "SELECT i.id, w.name, w.language, i.unit_path FROM invites i JOIN workers w ON w.id = i.worker_id WHERE i.id IN (?)", bun.In(ids))
		if err != nil {
			return b, fmt.Errorf("outbox invitees: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name, lang, path string
			if err := rows.Scan(&id, &name, &lang, &path); err != nil {
				return b, fmt.Errorf("outbox invitees: %w", err)
			}
			for _, i := range idx[id] {
				b.Messages[i].Name, b.Messages[i].Lang, b.Messages[i].UnitPath = name, lang, path
			}
		}
		if err := rows.Err(); err != nil {
			return b, fmt.Errorf("outbox invitees: %w", err)
		}
	}
	return b, nil
}

// MarkOutboxSent records that the messages ids were accepted by the far
// end at now, and marks their invites sent (an answered invite keeps
// status rsvp).
func (s *Store) MarkOutboxSent(ctx context.Context, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx bun.Tx) error { return markSent(ctx, tx, s.Postgres(), ids, now) })
}

// markSent is MarkOutboxSent on db (a transaction, or on PostgreSQL any
// connection: there it is one statement).
func markSent(ctx context.Context, db bun.IConn, pg bool, ids []int64, now time.Time) error {
	if pg {
		_, err := db.ExecContext(ctx, `WITH o AS (UPDATE outbox SET status = 'sent', sent_at = ?, last_error = ''
			WHERE id IN (?) AND status = 'sending' RETURNING invite_id, kind)
			UPDATE invites SET status = 'sent' WHERE status IN ('queued', 'failed') AND id IN (SELECT invite_id FROM o WHERE kind = 'invite')`,
			now.UTC(), bun.In(ids))
		if err != nil {
			return fmt.Errorf("mark outbox sent: %w", err)
		}
		return nil
	}
	if _, err := db.ExecContext(ctx, "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '' WHERE id IN (?) AND status = 'sending'", now.UTC(), bun.In(ids)); err != nil {
		return fmt.Errorf("mark outbox sent: %w", err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE invites SET status = 'sent' WHERE status IN ('queued', 'failed')
		AND id IN (SELECT invite_id FROM outbox WHERE id IN (?) AND kind = 'invite')`, bun.In(ids)); err != nil {
		return fmt.Errorf("mark invites sent: %w", err)
	}
	return nil
}

// OutboxMarker records sends one message at a time, as a drainer worker
// makes them. On PostgreSQL it holds one connection whose commits do not
// wait for the WAL flush (synchronous_commit off, for this session only):
// one round trip a message, no fsync wait. A drainer killed after Sent
// returned loses nothing (the server has the commit); a PostgreSQL crash
// forgets at most the last fraction of a second of marks, whose messages
// then go again under the same keys. A "sent" mark only prevents
// duplicates; it never decides whether a message is lost. On SQLite each
// mark is a small transaction (WAL, synchronous NORMAL).
type OutboxMarker struct {
	s    *Store
	conn bun.Conn
	pg   bool
}

// NewOutboxMarker returns a marker; Close it when the batch is done.
func (s *Store) NewOutboxMarker(ctx context.Context) (*OutboxMarker, error) {
	m := &OutboxMarker{s: s, pg: s.Postgres()}
	if !m.pg {
		return m, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("outbox marker: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SET synchronous_commit = off"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("outbox marker: %w", err)
	}
	m.conn = conn
	return m, nil
}

// Sent records that message id was accepted by the far end at now.
func (m *OutboxMarker) Sent(ctx context.Context, id int64, now time.Time) error {
	if !m.pg {
		return m.s.MarkOutboxSent(ctx, []int64{id}, now)
	}
	return markSent(ctx, m.conn, true, []int64{id}, now)
}

// Close gives the connection back to the pool with the setting restored.
func (m *OutboxMarker) Close(ctx context.Context) error {
	if !m.pg {
		return nil
	}
	_, err := m.conn.ExecContext(ctx, "RESET synchronous_commit")
	if err != nil {
		// Do not hand a connection with async commits to others.
		m.conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // the point is the error
	}
	return errors.Join(err, m.conn.Close())
}

// RenewOutboxLease extends the lease of claimed messages ids still being
// sent until until (a working drainer's heartbeat).
func (s *Store) RenewOutboxLease(ctx context.Context, ids []int64, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE outbox SET next_attempt_at = ? WHERE id IN (?) AND status = 'sending'", until.UTC(), bun.In(ids)); err != nil {
		return fmt.Errorf("renew outbox lease: %w", err)
	}
	return nil
}

// MarkOutboxRetry puts message id back in the queue until retryAt after a
// temporary failure.
func (s *Store) MarkOutboxRetry(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	_, err := s.db.ExecContext(ctx, "UPDATE outbox SET status = 'queued', next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'sending'",
		retryAt.UTC(), clipReason(reason), id)
	if err != nil {
		return fmt.Errorf("mark outbox retry: %w", err)
	}
	return nil
}

// MarkOutboxDead gives up on message id with reason; an invite message's
// invite is marked failed.
func (s *Store) MarkOutboxDead(ctx context.Context, id int64, reason string, now time.Time) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET status = 'dead', last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'sending'",
			clipReason(reason), now.UTC(), id); err != nil {
			return fmt.Errorf("mark outbox dead: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invites SET status = 'failed' WHERE status = 'queued'
			AND id IN (SELECT invite_id FROM outbox WHERE id = ? AND kind = 'invite')`, id); err != nil {
			return fmt.Errorf("mark invite failed: %w", err)
		}
		return nil
	})
}

// ReleaseOutbox returns claimed but unsent messages to the queue at once
// (a drainer stopping cleanly), undoing their attempt count.
func (s *Store) ReleaseOutbox(ctx context.Context, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, "UPDATE outbox SET status = 'queued', attempts = attempts - 1, next_attempt_at = ? WHERE id IN (?) AND status = 'sending'", now.UTC(), bun.In(ids))
	if err != nil {
		return fmt.Errorf("release outbox: %w", err)
	}
	return nil
}

func clipReason(s string) string {
	if len(s) > 1000 {
		return s[:1000]
	}
	return s
}

// OutboxCounts returns the number of outbox messages by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT status, COUNT(*) FROM outbox GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count outbox: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// OutboxEntry is one outbox row as a status page or test sees it.
type OutboxEntry struct {
	ID        int64
	Key       string
	Kind      string
	Channel   string
	Recipient string
	Status    string
	Attempts  int
	LastError string
}

// OutboxForInvite lists the messages of one invite, oldest first.
func (s *Store) OutboxForInvite(ctx context.Context, inviteID int64) ([]OutboxEntry, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, idem_key, kind, channel, recipient, status, attempts, last_error FROM outbox WHERE invite_id = ? ORDER BY id", inviteID)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var e OutboxEntry
		if err := rows.Scan(&e.ID, &e.Key, &e.Kind, &e.Channel, &e.Recipient, &e.Status, &e.Attempts, &e.LastError); err != nil {
			return nil, fmt.Errorf("list outbox: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EnqueueChangeNotices tells everyone already sent an invite to the event
// about a change: before is the event as it was (as the events code held
// it before saving the change); the event's stored state is "after". It
// enqueues one message per invite and channel the invite went out on,
// keyed by schedule.NoticeKey with the event's new Sequence, so calling it
// twice for the same change enqueues nothing new. A change that needs no
// notice (schedule.ChangeNoticeKind) enqueues nothing.
func (s *Store) EnqueueChangeNotices(ctx context.Context, actor schedule.Actor, eventID int64, before schedule.MessageEvent, reason string) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx bun.Tx) error {
		var err error
		n, err = s.enqueueChangeNotices(ctx, tx, actor, eventID, before, reason)
		return err
	})
	return n, err
}

// enqueueChangeNotices is EnqueueChangeNotices inside the caller's
// transaction, so an event change and its notices commit together.
func (s *Store) enqueueChangeNotices(ctx context.Context, tx bun.Tx, actor schedule.Actor, eventID int64, before schedule.MessageEvent, reason string) (int, error) {
	var n int
	err := func() error {
		e, err := inviteEvent(ctx, tx, eventID)
		if err != nil || !actor.Can(schedule.ActRead, e.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "event %d not found", eventID)
		}
		kind, ok := schedule.ChangeNoticeKind(before, e.MessageEvent)
		if !ok {
			return nil
		}
		prev := before
		payload, err := json.Marshal(NoticePayload{Reason: reason, Previous: &prev})
		if err != nil {
			return fmt.Errorf("notice payload: %w", err)
		}
		now := s.now().UTC()
		// A change of the series alone (an occurrence skipped or moved)
		// goes to calendars, by email: a text would repeat the old date.
		channels := "o.channel = o.channel"
		if schedule.SeriesOnlyChange(before, e.MessageEvent) {
			channels = "o.channel = 'email'"
		}
		// The same statement set-based as schedule.ChangeNotices: one
		// notice per (invite, channel) whose invite message went out (or
		// may have: sending), for invites not revoked. An invite still
		// queued is rendered from the changed event when it goes, so it
		// needs no notice.
		res, err := tx.ExecContext(ctx, `INSERT INTO outbox (idem_key, event_id, invite_id, kind, channel, recipient, payload, status, next_attempt_at, created_at)
			SELECT 'invite:' || o.invite_id || ':' || ? || ':' || ? || ':' || o.channel, o.event_id, o.invite_id, ?, o.channel, o.recipient, ?, 'queued', ?, ?
			FROM invites i JOIN outbox o ON o.invite_id = i.id AND o.kind = 'invite' AND o.status IN ('sent', 'sending')
			WHERE i.event_id = ? AND i.revoked = ? AND `+channels+` AND NOT (o.channel = 'email' AND `+optedOutSQL("o.recipient")+`)
			ON CONFLICT (idem_key) DO NOTHING`,
			string(kind), strconv.Itoa(e.Sequence), string(kind), string(payload), now, now, eventID, false)
		if err != nil {
			return mapErr(err, "change notices")
		}
		m, _ := res.RowsAffected()
		n = int(m)
		if kind == schedule.MessageCancel {
			// Invites and reminders not yet sent are pointless now.
			if _, err := tx.ExecContext(ctx, "UPDATE outbox SET status = 'dead', last_error = 'event cancelled' WHERE event_id = ? AND status = 'queued' AND kind IN ('invite', 'reminder', 'change')", eventID); err != nil {
				return mapErr(err, "outbox")
			}
		}
		return s.audit(ctx, tx, actor, string(kind)+"_notice", "event", eventID, e.UnitPath, schedule.Msgf("%d notices queued", n))
	}()
	return n, err
}

// EnqueueDueReminders enqueues, for every event starting within
// schedule.MaxReminderOffset of now, the reminder due now
// (schedule.ReminderSchedule.Due) to each invitee whose invite went out
// before that reminder's time and who has not declined, on the channels
// their invite used. Keys are schedule.ReminderKey, so running it every
// minute, or on several servers, sends each reminder once. It returns the
// number of reminders enqueued.
func (s *Store) EnqueueDueReminders(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	rows, err := s.db.QueryContext(ctx, inviteEventSQL+` WHERE e.start_at > ? AND e.start_at <= ? AND e.status <> ?
		AND EXISTS (SELECT 1 FROM invites i WHERE i.event_id = e.id)`, now, now.Add(schedule.MaxReminderOffset), string(schedule.EventCancelled))
	if err != nil {
		return 0, fmt.Errorf("events due reminders: %w", err)
	}
	var events []InviteEvent
	for rows.Next() {
		e, err := scanInviteEvent(rows.Scan)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("events due reminders: %w", err)
		}
		events = append(events, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("events due reminders: %w", err)
	}
	total := 0
	for _, e := range events {
		r, ok := e.Settings.Schedule().Due(e.MessageEvent, time.Time{}, now)
		if !ok {
			continue
		}
		key := schedule.ReminderKey(0, e.Start, r, schedule.ChannelSMS)
		var n int64
		err := s.inTx(ctx, func(tx bun.Tx) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO outbox (idem_key, event_id, invite_id, kind, channel, recipient, status, next_attempt_at, created_at)
				SELECT 'invite:' || o.invite_id || ':reminder:' || ? || ':' || o.channel, o.event_id, o.invite_id, 'reminder', o.channel, o.recipient, 'queued', ?, ?
				FROM invites i JOIN outbox o ON o.invite_id = i.id AND o.kind = 'invite'
				WHERE i.event_id = ? AND o.status <> 'dead' AND i.revoked = ? AND i.rsvp <> ?
				AND NOT (o.channel = 'email' AND `+optedOutSQL("o.recipient")+`)
				AND NOT EXISTS (SELECT 1 FROM outbox l WHERE l.invite_id = o.invite_id AND l.kind IN ('invite', 'change') AND l.created_at >= ?)
				ON CONFLICT (idem_key) DO NOTHING`,
				key.Seq, now, now, e.ID, false, RSVPNotGoing, r.At.UTC())
			if err != nil {
				return mapErr(err, "reminders")
			}
			n, _ = res.RowsAffected()
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("reminders of event %d: %w", e.ID, err)
		}
		total += int(n)
	}
	return total, nil
}
