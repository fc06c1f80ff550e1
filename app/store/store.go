// Package store keeps karyakram's data in PostgreSQL (production) or
// embedded SQLite (the default, nothing to install) through bun. Every
// public method takes the acting official and filters by their scope, so a
// handler cannot forget to: out-of-scope reads answer not found.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite"

	"github.com/karyakram/karyakram/migrations"
	"github.com/karyakram/karyakram/schedule"
)

// Store is the database behind karyakram.
type Store struct {
	db  *bun.DB
	log *slog.Logger
	// now is the clock; tests replace it.
	now func() time.Time
	// bulkRows: see DefaultBulkRows.
	bulkRows int
	// probeBudget: see DefaultProbeBudget.
	probeBudget int
	// searchWindow, searchCap: see DefaultSearchWindow, SearchCountCap.
	searchWindow, searchCap int
	// zone is the organisation's time zone: workshop days start at 10:00
	// on its clock, audit lines name times on it. Zero: Asia/Kolkata.
	zone schedule.Zone
}

// Open connects to dsn: a postgres:// URL, or a SQLite file path (optionally
// prefixed sqlite:); "" means karyakram.db in the working directory. It does
// not migrate; call Migrate.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var db *bun.DB
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("parse postgres DSN: %w", err)
		}
		sqldb := stdlib.OpenDB(*cfg)
		sqldb.SetMaxOpenConns(16)
		db = bun.NewDB(sqldb, pgdialect.New())
	} else {
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			path = "karyakram.db"
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
		sqldb, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		// One writer at a time is SQLite's rule; a small pool still lets
		// readers run beside it under WAL.
		sqldb.SetMaxOpenConns(4)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &Store{db: db, log: log, now: time.Now, bulkRows: DefaultBulkRows, probeBudget: DefaultProbeBudget, searchWindow: DefaultSearchWindow, searchCap: SearchCountCap}, nil
}

var _ = sqlite.Driver{} // the SQLite driver registers itself as "sqlite"

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the bun handle, for migrations and benchmarks.
func (s *Store) DB() *bun.DB { return s.db }

// Postgres reports whether the store runs on PostgreSQL.
func (s *Store) Postgres() bool { return s.db.Dialect().Name() == dialect.PG }

// SetZone sets the organisation's time zone (wiring, before use).
func (s *Store) SetZone(z schedule.Zone) { s.zone = z }

// SetClock replaces the store's clock (tests). Call it before the store is
// shared: the components built on the store read their time from it.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now is the application's clock: the server, login, outbox, scheduler and
// turnout read "now" from here unless given their own, so a test moves all
// of them at once with SetClock (storetest sets internal/testclock).
func (s *Store) Now() time.Time { return s.now() }

// Migrate applies pending migrations and the default levels and roles.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	names, err := migrations.Up(ctx, s.db)
	if err != nil {
		return nil, err
	}
	if err := s.ensureDefaults(ctx); err != nil {
		return names, err
	}
	return names, nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return fn(tx) })
}

// mapErr turns driver errors into domain errors: no rows → not found,
// unique/foreign-key violations → conflict/invalid. what names the thing:
// a noun of the catalogues ("worker") or a schedule.Msg ("worker %d").
func mapErr(err error, what any) error {
	if err == nil {
		return nil
	}
	noun, ok := what.(schedule.Msg)
	if !ok {
		noun = schedule.Msg{Format: fmt.Sprint(what)}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return schedule.Errorf(schedule.ENOTFOUND, "%s not found", noun)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// The same words as SQLite's: constraint names are the schema's
		// business, not the user's.
		switch pgErr.Code {
		case "23505":
			return schedule.Errorf(schedule.ECONFLICT, "%s already exists", noun)
		case "23503":
			return schedule.Errorf(schedule.EINVALID, "%s refers to something that does not exist", noun)
		}
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		msg := sqErr.Error()
		switch {
		case strings.Contains(msg, "UNIQUE constraint failed"):
			return schedule.Errorf(schedule.ECONFLICT, "%s already exists", noun)
		case strings.Contains(msg, "FOREIGN KEY constraint failed"):
			return schedule.Errorf(schedule.EINVALID, "%s refers to something that does not exist", noun)
		}
	}
	var de *schedule.Error
	if errors.As(err, &de) {
		return err
	}
	return fmt.Errorf("%s: %w", noun, err)
}
