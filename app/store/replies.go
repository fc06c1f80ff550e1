package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Calendar replies: the Yes/No/Maybe buttons of Gmail and Outlook send an
// iTIP REPLY to the invitation's organiser address, which karyakram
// receives (app/mailin). A reply changes an RSVP only when it proves it:
// the event's UID, an invitation that was emailed to the replying
// attendee, a From address that is that attendee, an answer for the whole
// event (not one occurrence), a live invitation and event, and no newer
// change notice the answer could not have seen. Every message is stored
// with its outcome, whatever happens.

// Outcomes of a calendar reply (calendar_replies.outcome).
const (
	ReplyApplied       = "applied"        // the RSVP was set
	ReplyUnchanged     = "unchanged"      // the same answer was already on record
	ReplyDuplicate     = "duplicate"      // this message (Message-ID) was handled before
	ReplyUnmatched     = "unmatched"      // no such event, or no invitation emailed to the attendee
	ReplyUnknownSender = "unknown_sender" // the From address is not the attendee
	ReplyOccurrence    = "occurrence"     // an answer for one occurrence only
	ReplyUnknownAnswer = "unknown_answer" // PARTSTAT is not accepted, declined or tentative
	ReplyCancelled     = "cancelled"      // the event is cancelled
	ReplyRevoked       = "revoked"        // the invitation was withdrawn
	ReplyStale         = "stale"          // it answers an invitation older than the last change notice
	ReplyMalformed     = "malformed"      // no readable iTIP REPLY in the message
	ReplyOversized     = "oversized"      // larger than the endpoint accepts
)

// MaxStoredReply bounds the raw message kept with a reply record.
const MaxStoredReply = 256 << 10

// InboundReply is one message that reached the reply address, parsed as
// far as it could be. Problem, when set, says why it could not be read
// and Outcome must be ReplyMalformed or ReplyOversized.
type InboundReply struct {
	ReceivedAt time.Time
	MessageID  string
	MailFrom   string // SMTP envelope sender
	From       string // the From header's address
	Size       int64
	Raw        []byte // the message, nil when oversized

	UID          string
	RecurrenceID time.Time
	Sequence     int
	Attendee     string
	PartStat     string

	Problem string
	Outcome string // for a Problem: ReplyMalformed or ReplyOversized
}

// ReplyRecord is a stored reply with its outcome.
type ReplyRecord struct {
	ID         int64     `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
	From       string    `json:"from"`
	UID        string    `json:"uid"`
	Attendee   string    `json:"attendee"`
	PartStat   string    `json:"partstat"`
	EventID    int64     `json:"event_id,omitempty"`
	InviteID   int64     `json:"invite_id,omitempty"`
	Outcome    string    `json:"outcome"`
	Detail     string    `json:"detail"`
}

// partStatAnswers maps iCalendar PARTSTAT values to RSVP answers.
var partStatAnswers = map[string]string{"ACCEPTED": RSVPGoing, "DECLINED": RSVPNotGoing, "TENTATIVE": RSVPMaybe}

// RecordCalendarReply stores r and, when it proves an answer, sets the
// invitee's RSVP exactly as the /i/ page does (same update, same audit),
// in one transaction. It returns the stored record; an error only when the
// database fails (then nothing is stored and the endpoint asks the sender
// to retry).
func (s *Store) RecordCalendarReply(ctx context.Context, r InboundReply) (ReplyRecord, error) {
	rec := ReplyRecord{ReceivedAt: r.ReceivedAt.UTC().Truncate(time.Second), From: lower(r.From), UID: r.UID,
		Attendee: lower(r.Attendee), PartStat: strings.ToUpper(r.PartStat)}
	if rec.ReceivedAt.IsZero() {
		rec.ReceivedAt = s.now().UTC().Truncate(time.Second)
	}
	err := s.inTx(ctx, func(tx bun.Tx) error {
		rec.Outcome, rec.Detail = s.judgeReply(ctx, tx, r, &rec)
		if rec.Outcome == "" {
			return errors.New("no outcome")
		}
		if rec.Outcome == ReplyApplied {
			var path, name string
			if err := tx.QueryRowContext(ctx, "SELECT i.unit_path, w.name FROM invites i JOIN workers w ON w.id = i.worker_id WHERE i.id = ?", rec.InviteID).
				Scan(&path, &name); err != nil {
				return fmt.Errorf("invite %d: %w", rec.InviteID, err)
			}
			if err := s.applyRSVP(ctx, tx, rec.InviteID, path, name, partStatAnswers[rec.PartStat], schedule.Msgf("by calendar reply"), rec.ReceivedAt); err != nil {
				return err
			}
		}
		raw := r.Raw
		if len(raw) > MaxStoredReply {
			raw = raw[:MaxStoredReply]
		}
		var eventID, inviteID any
		if rec.EventID != 0 {
			eventID = rec.EventID
		}
		if rec.InviteID != 0 {
			inviteID = rec.InviteID
		}
		return tx.QueryRowContext(ctx, `INSERT INTO calendar_replies (received_at, message_id, mail_from, from_addr, size, uid, attendee, partstat,
			sequence, event_id, invite_id, outcome, detail, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			rec.ReceivedAt, clean(r.MessageID, 500), clean(r.MailFrom, 320), clean(rec.From, 320), r.Size, clean(rec.UID, 500),
			clean(rec.Attendee, 320), clean(rec.PartStat, 40), r.Sequence, eventID, inviteID, rec.Outcome, clean(rec.Detail, 1000),
			clean(string(raw), MaxStoredReply)).Scan(&rec.ID)
	})
	if err != nil {
		return rec, fmt.Errorf("record calendar reply: %w", err)
	}
	return rec, nil
}

// judgeReply decides what r proves; it fills rec's event and invite when
// found.
func (s *Store) judgeReply(ctx context.Context, tx bun.Tx, r InboundReply, rec *ReplyRecord) (outcome, detail string) {
	if r.Problem != "" {
		out := r.Outcome
		if out != ReplyOversized {
			out = ReplyMalformed
		}
		return out, r.Problem
	}
	if id := strings.TrimSpace(r.MessageID); id != "" {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM calendar_replies WHERE message_id = ? AND outcome IN (?, ?)",
			id, ReplyApplied, ReplyUnchanged).Scan(&n); err == nil && n > 0 {
			return ReplyDuplicate, "this message was handled before"
		}
	}
	if err := tx.QueryRowContext(ctx, "SELECT id FROM events WHERE uid = ?", r.UID).Scan(&rec.EventID); err != nil {
		return ReplyUnmatched, "no event has this UID"
	}
	var revoked bool
	var current string
	err := tx.QueryRowContext(ctx, `SELECT i.id, i.revoked, i.rsvp FROM invites i WHERE i.event_id = ? AND EXISTS (
		SELECT 1 FROM outbox o WHERE o.invite_id = i.id AND o.channel = ? AND lower(o.recipient) = ?) ORDER BY i.id LIMIT 1`,
		rec.EventID, string(schedule.ChannelEmail), rec.Attendee).Scan(&rec.InviteID, &revoked, &current)
	if errors.Is(err, sql.ErrNoRows) {
		return ReplyUnmatched, "no invitation to this event was emailed to " + rec.Attendee
	}
	if err != nil {
		return ReplyUnmatched, "invitation lookup failed: " + err.Error()
	}
	if rec.From != rec.Attendee {
		return ReplyUnknownSender, "the message is from " + rec.From + ", the reply is for " + rec.Attendee
	}
	if !r.RecurrenceID.IsZero() {
		return ReplyOccurrence, "an answer for the occurrence of " + r.RecurrenceID.UTC().Format(time.RFC3339) + " only; the invitation's answer is for the whole series"
	}
	answer, ok := partStatAnswers[rec.PartStat]
	if !ok {
		return ReplyUnknownAnswer, "PARTSTAT " + rec.PartStat + " is not an answer (accepted, declined or tentative)"
	}
	e, err := inviteEvent(ctx, tx, rec.EventID)
	if err != nil {
		return ReplyUnmatched, "event lookup failed: " + err.Error()
	}
	if e.Cancelled {
		return ReplyCancelled, "the event is cancelled"
	}
	if revoked {
		return ReplyRevoked, "the invitation was withdrawn"
	}
	if last := lastNoticeSequence(ctx, tx, rec.InviteID); r.Sequence < last {
		return ReplyStale, fmt.Sprintf("it answers invitation version %d; version %d (a change) was sent since", r.Sequence, last)
	}
	if current == answer {
		return ReplyUnchanged, "the answer " + answer + " was already on record"
	}
	return ReplyApplied, answer
}

// lastNoticeSequence is the SEQUENCE of the newest change notice that went
// out for an invite (0 when none did); its key is
// invite:<id>:change:<sequence>:<channel>.
func lastNoticeSequence(ctx context.Context, tx bun.Tx, inviteID int64) int {
	rows, err := tx.QueryContext(ctx, "SELECT idem_key FROM outbox WHERE invite_id = ? AND kind = 'change' AND status IN ('sent', 'sending')", inviteID)
	if err != nil {
		return 0
	}
	defer rows.Close()
	last := 0
	for rows.Next() {
		var key string
		if rows.Scan(&key) != nil {
			continue
		}
		parts := strings.Split(key, ":")
		if len(parts) == 5 {
			if n, err := strconv.Atoi(parts[3]); err == nil && n > last {
				last = n
			}
		}
	}
	return last
}

// CalendarReplies lists the newest replies the actor may see: those for
// events in their scope; the state office also sees the replies that
// match no event (they name addresses from anywhere).
func (s *Store) CalendarReplies(ctx context.Context, actor schedule.Actor, limit int) ([]ReplyRecord, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var conds []string
	var args []any
	if isStateOffice(actor) || actor.System {
		conds = append(conds, "1 = 1")
	}
	for _, root := range actor.Scope.Roots {
		lo, hi := schedule.SubtreeRange(root)
		conds = append(conds, "(e.unit_path >= ? AND e.unit_path < ?)")
		args = append(args, lo, hi)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.received_at, r.from_addr, r.uid, r.attendee, r.partstat, COALESCE(r.event_id, 0),
		COALESCE(r.invite_id, 0), r.outcome, r.detail FROM calendar_replies r LEFT JOIN events e ON e.id = r.event_id
		WHERE `+strings.Join(conds, " OR ")+` ORDER BY r.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list calendar replies: %w", err)
	}
	defer rows.Close()
	var out []ReplyRecord
	for rows.Next() {
		var r ReplyRecord
		if err := rows.Scan(&r.ID, &r.ReceivedAt, &r.From, &r.UID, &r.Attendee, &r.PartStat, &r.EventID, &r.InviteID, &r.Outcome, &r.Detail); err != nil {
			return nil, fmt.Errorf("list calendar replies: %w", err)
		}
		r.ReceivedAt = r.ReceivedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// clean makes untrusted text storable: valid UTF-8 without NUL (PostgreSQL
// refuses both), at most max bytes.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
