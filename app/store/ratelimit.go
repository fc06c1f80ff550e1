package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Rate counters are fixed-window counts kept in the database, so a limit
// holds across server processes and restarts: login codes per number, the
// statewide SMS budget, wrong codes, officials' out-of-area matches. A
// window starts at a multiple of its length (Unix time), so at a window's
// edge up to twice the limit can pass within one window's length; the
// limits are set with that in mind.

// RateWindow is one counter's state: how many were taken in the window and
// when the window ends.
type RateWindow struct {
	Used  int
	Reset time.Time
}

// windowStart is the start of the fixed window of length w holding now.
func windowStart(now time.Time, w time.Duration) time.Time {
	return now.UTC().Truncate(w)
}

// TakeRate counts one more against key in the window of length window
// holding now, unless limit are counted already; ok reports whether it
// counted. It is atomic: concurrent takers never pass the limit together.
func (s *Store) TakeRate(ctx context.Context, key string, window time.Duration, limit int, now time.Time) (RateWindow, bool, error) {
	start := windowStart(now, window)
	rw := RateWindow{Reset: start.Add(window)}
	if limit <= 0 {
		return rw, false, nil
	}
	err := s.db.QueryRowContext(ctx, `INSERT INTO rate_counters (key, window_start, n) VALUES (?, ?, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET n = rate_counters.n + 1 WHERE rate_counters.n < ?
		RETURNING n`, key, start, limit).Scan(&rw.Used)
	switch {
	case errors.Is(err, sql.ErrNoRows): // at the limit: nothing counted
		rw.Used = limit
		return rw, false, nil
	case err != nil:
		return rw, false, fmt.Errorf("rate counter %s: %w", key, err)
	}
	if rw.Used == 1 && now.UnixNano()%64 == 0 {
		s.pruneRates(ctx, now)
	}
	return rw, true, nil
}

// AddRate counts n more against key without a limit and returns the new
// count (events that happened whatever the limit, such as wrong codes).
func (s *Store) AddRate(ctx context.Context, key string, window time.Duration, n int, now time.Time) (RateWindow, error) {
	start := windowStart(now, window)
	rw := RateWindow{Reset: start.Add(window)}
	err := s.db.QueryRowContext(ctx, `INSERT INTO rate_counters (key, window_start, n) VALUES (?, ?, ?)
		ON CONFLICT (key, window_start) DO UPDATE SET n = rate_counters.n + EXCLUDED.n
		RETURNING n`, key, start, n).Scan(&rw.Used)
	if err != nil {
		return rw, fmt.Errorf("rate counter %s: %w", key, err)
	}
	return rw, nil
}

// PeekRate returns key's count in the window holding now without counting.
func (s *Store) PeekRate(ctx context.Context, key string, window time.Duration, now time.Time) (RateWindow, error) {
	start := windowStart(now, window)
	rw := RateWindow{Reset: start.Add(window)}
	err := s.db.QueryRowContext(ctx, "SELECT n FROM rate_counters WHERE key = ? AND window_start = ?", key, start).Scan(&rw.Used)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return rw, fmt.Errorf("rate counter %s: %w", key, err)
	}
	return rw, nil
}

// maxRateWindow is the longest window any counter uses; older rows are
// pruned.
const maxRateWindow = 48 * time.Hour

// pruneRates deletes counters of windows long over. It runs now and then
// (from TakeRate), so the table stays small without a job of its own.
func (s *Store) pruneRates(ctx context.Context, now time.Time) {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM rate_counters WHERE window_start < ?", now.UTC().Add(-maxRateWindow)); err != nil {
		s.log.Warn("prune rate counters", "err", err)
	}
}
