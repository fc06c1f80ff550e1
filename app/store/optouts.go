package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Email opt-outs: every bulk email (invitation, reminder, change notice)
// carries a one-click unsubscribe link (/u/<token>, the invite's own
// signed token). Unsubscribing records the address; from then on the
// address gets no bulk email: fan-outs treat it as having no email (the
// invite is marked failed, to be reached another way), reminders and
// notices skip it, and what was already queued for it is dropped.

// optedOutSQL is a condition on an email address expression: it has
// unsubscribed.
func optedOutSQL(addr string) string {
	return "EXISTS (SELECT 1 FROM email_optouts x WHERE x.email = lower(" + addr + "))"
}

// Unsubscribe records that the person a genuine invite link was sent to
// wants no more bulk email, and drops the bulk email queued for the
// address. The link may have expired or been revoked: its signature
// proves who it was for, and stopping mail must work as long as mail
// from it can arrive. It returns the address (to confirm on the page) and
// is idempotent.
func (s *Store) Unsubscribe(ctx context.Context, c schedule.LinkClaims) (string, error) {
	var email string
	err := s.inTx(ctx, func(tx bun.Tx) error {
		var eventID, workerID int64
		var path, name, current string
		err := tx.QueryRowContext(ctx, `SELECT i.event_id, i.worker_id, i.unit_path, w.name, w.email
			FROM invites i JOIN workers w ON w.id = i.worker_id WHERE i.id = ?`, c.InviteID).
			Scan(&eventID, &workerID, &path, &name, &current)
		if errors.Is(err, sql.ErrNoRows) || err == nil && eventID != c.EventID {
			return schedule.Errorf(schedule.ENOTFOUND, "this invitation no longer exists")
		}
		if err != nil {
			return fmt.Errorf("find invite %d: %w", c.InviteID, err)
		}
		// The address the invitation's email went to, else the worker's.
		err = tx.QueryRowContext(ctx, `SELECT recipient FROM outbox WHERE invite_id = ? AND channel = ? ORDER BY id DESC LIMIT 1`,
			c.InviteID, string(schedule.ChannelEmail)).Scan(&email)
		if errors.Is(err, sql.ErrNoRows) {
			email, err = current, nil
		}
		if err != nil {
			return fmt.Errorf("find address of invite %d: %w", c.InviteID, err)
		}
		email = strings.ToLower(strings.TrimSpace(email))
		if email == "" {
			return schedule.Errorf(schedule.ENOTFOUND, "no email address is on record for this invitation")
		}
		now := s.now().UTC().Truncate(time.Second)
		res, err := tx.ExecContext(ctx, `INSERT INTO email_optouts (email, worker_id, invite_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (email) DO NOTHING`, email, workerID, c.InviteID, now)
		if err != nil {
			return mapErr(err, "email opt-out")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already unsubscribed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'dead', last_error = 'unsubscribed'
			WHERE channel = ? AND status = 'queued' AND lower(recipient) = ?`, string(schedule.ChannelEmail), email); err != nil {
			return mapErr(err, "outbox")
		}
		return s.audit(ctx, tx, schedule.Actor{Name: name}, "unsubscribe", "invite", c.InviteID, path, schedule.Msgf("no more bulk email"))
	})
	return email, err
}

// EmailOptedOut reports whether addr has unsubscribed from bulk email.
func (s *Store) EmailOptedOut(ctx context.Context, addr string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM email_optouts WHERE email = ?", strings.ToLower(strings.TrimSpace(addr))).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("email opt-out of %s: %w", addr, err)
	}
	return n > 0, nil
}
