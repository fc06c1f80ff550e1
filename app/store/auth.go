package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`
	TokenHash     string    `bun:"token_hash,pk"`
	WorkerID      int64     `bun:"worker_id"`
	CreatedAt     time.Time `bun:"created_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

type smsLogRow struct {
	bun.BaseModel `bun:"table:sms_log"`
	ID            int64     `bun:"id,pk,autoincrement"`
	At            time.Time `bun:"at"`
	Mobile        string    `bun:"mobile"`
	Body          string    `bun:"body"`
	Purpose       string    `bun:"purpose"`
}

// OTPCode is a live login code: its id and keyed hash.
type OTPCode struct {
	ID   int64
	Hash string
}

// AddOTPCode stores a login code's hash for mobile until expires, and
// drops the number's codes expired at now.
func (s *Store) AddOTPCode(ctx context.Context, mobile, hash string, now, expires time.Time) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM otp_codes WHERE mobile = ? AND expires_at <= ?", mobile, now.UTC()); err != nil {
			return fmt.Errorf("drop expired codes: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO otp_codes (mobile, code_hash, expires_at) VALUES (?, ?, ?)", mobile, hash, expires.UTC()); err != nil {
			return fmt.Errorf("store login code: %w", err)
		}
		return nil
	})
}

// LiveOTPCodes returns mobile's codes that have not expired at now.
func (s *Store) LiveOTPCodes(ctx context.Context, mobile string, now time.Time) ([]OTPCode, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, code_hash FROM otp_codes WHERE mobile = ? AND expires_at > ? ORDER BY id", mobile, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("login codes: %w", err)
	}
	defer rows.Close()
	var out []OTPCode
	for rows.Next() {
		var c OTPCode
		if err := rows.Scan(&c.ID, &c.Hash); err != nil {
			return nil, fmt.Errorf("login codes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ConsumeOTPCode uses up code id of mobile and every other code of the
// number; it reports false when another request used it first, so a code
// opens one session only.
func (s *Store) ConsumeOTPCode(ctx context.Context, mobile string, id int64) (bool, error) {
	var used bool
	err := s.inTx(ctx, func(tx bun.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM otp_codes WHERE id = ? AND mobile = ?", id, mobile)
		if err != nil {
			return fmt.Errorf("use login code: %w", err)
		}
		n, _ := res.RowsAffected()
		used = n == 1
		if _, err := tx.ExecContext(ctx, "DELETE FROM otp_codes WHERE mobile = ?", mobile); err != nil {
			return fmt.Errorf("drop login codes: %w", err)
		}
		return nil
	})
	return used, err
}

// DeleteOTPCodes drops every code of mobile (too many wrong guesses).
func (s *Store) DeleteOTPCodes(ctx context.Context, mobile string) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM otp_codes WHERE mobile = ?", mobile); err != nil {
		return fmt.Errorf("drop login codes: %w", err)
	}
	return nil
}

// ActorByMobile returns the official with this mobile and their scope: the
// units where they hold official roles. Not found when nobody with official
// roles has the number. A mobile belongs to one worker (workers_mobile_key);
// should two records ever share it, login is refused, never resolved by
// picking one.
func (s *Store) ActorByMobile(ctx context.Context, mobile string) (schedule.Actor, error) {
	var ws []workerRow
	err := s.db.NewSelect().Model(&ws).Where("mobile = ?", mobile).Order("id").Limit(2).Scan(ctx)
	if err != nil {
		return schedule.Actor{}, fmt.Errorf("official by mobile: %w", err)
	}
	switch {
	case len(ws) > 1:
		s.log.Error("login refused: a mobile is recorded for more than one worker", "mobile", schedule.MaskMobile(mobile), "workers", []int64{ws[0].ID, ws[1].ID})
		return schedule.Actor{}, schedule.Errorf(schedule.ENOTFOUND, "official not found")
	case len(ws) == 0 || !ws[0].Active:
		return schedule.Actor{}, schedule.Errorf(schedule.ENOTFOUND, "official not found")
	}
	a, err := s.actorFor(ctx, ws[0])
	if err == nil && a.Scope.Empty() {
		return schedule.Actor{}, schedule.Errorf(schedule.ENOTFOUND, "official not found")
	}
	return a, err
}

// ActorByWorkerID returns the official with this worker ID and their scope.
func (s *Store) ActorByWorkerID(ctx context.Context, id int64) (schedule.Actor, error) {
	var w workerRow
	if err := s.db.NewSelect().Model(&w).Where("id = ? AND active = ?", id, true).Scan(ctx); err != nil {
		return schedule.Actor{}, mapErr(err, "official")
	}
	return s.actorFor(ctx, w)
}

func (s *Store) actorFor(ctx context.Context, w workerRow) (schedule.Actor, error) {
	var paths []string
	err := s.db.NewSelect().Table("worker_roles").Column("worker_roles.unit_path").
		Join("JOIN roles ON roles.key = worker_roles.role_key").
		Where("worker_roles.worker_id = ? AND roles.official = ?", w.ID, true).Scan(ctx, &paths)
	if err != nil {
		return schedule.Actor{}, fmt.Errorf("scope of worker %d: %w", w.ID, err)
	}
	return schedule.Actor{WorkerID: w.ID, Name: w.Name, Scope: schedule.NewScope(paths...)}, nil
}

// CreateSession stores a session by the hash of its token.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, workerID int64, expires time.Time) error {
	r := sessionRow{TokenHash: tokenHash, WorkerID: workerID, CreatedAt: s.now().UTC(), ExpiresAt: expires.UTC()}
	if _, err := s.db.NewInsert().Model(&r).Exec(ctx); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionWorker returns the worker ID of an unexpired session.
func (s *Store) SessionWorker(ctx context.Context, tokenHash string, now time.Time) (int64, error) {
	var r sessionRow
	if err := s.db.NewSelect().Model(&r).Where("token_hash = ? AND expires_at > ?", tokenHash, now.UTC()).Scan(ctx); err != nil {
		return 0, mapErr(err, "session")
	}
	return r.WorkerID, nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("token_hash = ?", tokenHash).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// LogSMS records a text message in the development outbox log.
func (s *Store) LogSMS(ctx context.Context, mobile, body, purpose string) error {
	r := smsLogRow{At: s.now().UTC(), Mobile: mobile, Body: body, Purpose: purpose}
	if _, err := s.db.NewInsert().Model(&r).Exec(ctx); err != nil {
		return fmt.Errorf("log sms: %w", err)
	}
	return nil
}

// LastSMS returns the newest logged message to mobile (development sink
// and tests).
func (s *Store) LastSMS(ctx context.Context, mobile string) (string, error) {
	var r smsLogRow
	if err := s.db.NewSelect().Model(&r).Where("mobile = ?", mobile).Order("id DESC").Limit(1).Scan(ctx); err != nil {
		return "", mapErr(err, "sms")
	}
	return r.Body, nil
}
