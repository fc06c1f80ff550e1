package migrations

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// UniqueMobilesName is the migration that makes a mobile number belong to
// one worker: it is a person's login, so two workers with one number made
// login ambiguous (and let an official take over another's login by
// copying their number onto a worker of their own branch).
//
// It is written in Go, not SQL, because a database may already hold
// duplicates: then it refuses with a report naming every one (mobile,
// worker ids, names, units), changes nothing, and the operator decides who
// keeps each number (`karyakram mobiles list`, `karyakram mobiles clear
// WORKER_ID…`) before starting again. No automatic choice: keeping the
// wrong record would hand that person's login to someone else.
const UniqueMobilesName = "20261206205427"

func uniqueMobiles() migrate.Migration {
	return migrate.Migration{
		Name: UniqueMobilesName, Comment: "unique_mobiles",
		Up: func(ctx context.Context, db *bun.DB, _ any) error {
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				dups, err := DuplicateMobiles(ctx, tx, 50)
				if err != nil {
					return err
				}
				if len(dups) > 0 {
					return &DuplicateMobilesError{Duplicates: dups}
				}
				for _, q := range []string{
					"DROP INDEX workers_mobile_idx",
					"CREATE UNIQUE INDEX workers_mobile_key ON workers (mobile)",
				} {
					if _, err := tx.ExecContext(ctx, q); err != nil {
						return fmt.Errorf("unique mobiles: %s: %w", q, err)
					}
				}
				return nil
			})
		},
		Down: func(ctx context.Context, db *bun.DB, _ any) error {
			return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				for _, q := range []string{
					"DROP INDEX workers_mobile_key",
					"CREATE INDEX workers_mobile_idx ON workers (mobile)",
				} {
					if _, err := tx.ExecContext(ctx, q); err != nil {
						return fmt.Errorf("unique mobiles down: %s: %w", q, err)
					}
				}
				return nil
			})
		},
	}
}

// MobileHolder is one worker holding a mobile number.
type MobileHolder struct {
	ID       int64
	Name     string
	UnitCode string
	Official bool // holds a role that logs in
}

// MobileDuplicate is a mobile number recorded for more than one worker.
type MobileDuplicate struct {
	Mobile  string
	Workers []MobileHolder
}

// DuplicateMobiles returns up to limit mobile numbers held by more than
// one worker, each with its holders, by number.
func DuplicateMobiles(ctx context.Context, db bun.IDB, limit int) ([]MobileDuplicate, error) {
	rows, err := db.QueryContext(ctx, `SELECT w.mobile, w.id, w.name, u.code,
		EXISTS (SELECT 1 FROM worker_roles r JOIN roles ro ON ro.key = r.role_key WHERE r.worker_id = w.id AND ro.official)
		FROM workers w JOIN units u ON u.id = w.unit_id
		WHERE w.mobile IN (SELECT mobile FROM workers WHERE mobile IS NOT NULL GROUP BY mobile HAVING COUNT(*) > 1 ORDER BY mobile LIMIT ?)
		ORDER BY w.mobile, w.id`, limit)
	if err != nil {
		return nil, fmt.Errorf("find duplicate mobiles: %w", err)
	}
	defer rows.Close()
	var out []MobileDuplicate
	for rows.Next() {
		var mobile string
		var h MobileHolder
		if err := rows.Scan(&mobile, &h.ID, &h.Name, &h.UnitCode, &h.Official); err != nil {
			return nil, fmt.Errorf("find duplicate mobiles: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].Mobile != mobile {
			out = append(out, MobileDuplicate{Mobile: mobile})
		}
		out[len(out)-1].Workers = append(out[len(out)-1].Workers, h)
	}
	return out, rows.Err()
}

// DuplicateMobilesError is the unique-mobiles migration's refusal: the
// report an operator acts on.
type DuplicateMobilesError struct {
	Duplicates []MobileDuplicate
}

func (e *DuplicateMobilesError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migration %s (unique mobiles) refused: these mobile numbers are recorded for more than one worker. "+
		"A mobile is a person's login, so each must belong to one worker. Decide who keeps each number, clear it from the others "+
		"with `karyakram mobiles clear WORKER_ID…` (or edit them), then start again; `karyakram mobiles list` shows this list. Nothing was changed.\n", UniqueMobilesName)
	for _, d := range e.Duplicates {
		fmt.Fprintf(&b, "  %s:", d.Mobile)
		for i, w := range d.Workers {
			if i > 0 {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " worker %d %s (%s", w.ID, w.Name, w.UnitCode)
			if w.Official {
				b.WriteString(", official")
			}
			b.WriteString(")")
		}
		b.WriteString("\n")
	}
	return b.String()
}
