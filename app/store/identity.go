package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/migrations"
	"github.com/karyakram/karyakram/schedule"
)

// A worker's mobile is their login and their voter ID their identity in
// imports, so each belongs to one worker (the database enforces it:
// workers_mobile_key, the voter_id key). A write that would give another
// worker's number to someone is refused here, before the database would,
// with words that depend on where the holder is:
//
//   - inside the official's area: the holder is named, so the official can
//     correct the right record;
//   - outside it: only "registered in another area; ask the state office",
//     because naming (or even confirming) records of other branches is
//     theirs to do. Each such match is an existence probe: it is logged,
//     written to the audit log (the state office sees it) and counted; past
//     the official's budget (DefaultProbeBudget a day) their changes of
//     mobiles and voter IDs pause until the window ends, so the answers
//     stop telling anything.

// DefaultProbeBudget is how many matches with records outside their area
// an official may hit per ProbeWindow before their identity changes pause.
const DefaultProbeBudget = 20

// ProbeWindow is the window of the probe budget.
const ProbeWindow = 24 * time.Hour

// UniqueMobilesMigration is the migration that made mobiles unique
// (migrations.UniqueMobilesName).
const UniqueMobilesMigration = migrations.UniqueMobilesName

// SetProbeBudget changes the probe budget (config and tests).
func (s *Store) SetProbeBudget(n int) { s.probeBudget = n }

// outOfArea is a refused write whose mobile or voter ID belongs to a
// worker outside the actor's area: the user-facing error, and what to
// record about the probe once the write's transaction has rolled back.
type outOfArea struct {
	err   *schedule.Error
	field string
	value string
}

func (o *outOfArea) Error() string { return o.err.Error() }
func (o *outOfArea) Unwrap() error { return o.err }

// checkIdentity refuses w when another worker holds its mobile or voter ID
// (see the comment at the top of this file).
func (s *Store) checkIdentity(ctx context.Context, db bun.IDB, actor schedule.Actor, w schedule.Worker) error {
	for _, k := range []struct{ field, col, value string }{{"mobile", "mobile", w.Mobile}, {"voter_id", "voter_id", w.VoterID}} {
		if k.value == "" {
			continue
		}
		var id int64
		var name, path string
		err := db.QueryRowContext(ctx, "SELECT id, name, unit_path FROM workers WHERE "+k.col+" = ? AND id <> ?", k.value, w.ID).Scan(&id, &name, &path)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check %s: %w", k.field, err)
		}
		if actor.Can(schedule.ActRead, path) {
			var e *schedule.Error
			if k.field == "mobile" {
				e = schedule.Errorf(schedule.ECONFLICT, "mobile %s is already recorded for %s (worker %d); a mobile is one person's login, so change or clear it there first", k.value, name, id)
			} else {
				e = schedule.Errorf(schedule.ECONFLICT, "voter ID %s is already recorded for %s (worker %d)", k.value, name, id)
			}
			e.Field = k.field
			return e
		}
		return &outOfArea{err: outOfAreaError(k.field), field: k.field, value: k.value}
	}
	return nil
}

// outOfAreaError is what an official is told when a mobile or voter ID
// belongs to someone outside their area.
func outOfAreaError(field string) *schedule.Error {
	var e *schedule.Error
	if field == "mobile" {
		e = schedule.Errorf(schedule.ECONFLICT, "this mobile number is registered to a person in another area; ask the state office to move them or to correct the number")
	} else {
		e = schedule.Errorf(schedule.ECONFLICT, "this voter ID is registered to a person in another area; ask the state office to move them")
	}
	e.Field = field
	return e
}

// maskIdentity is how logs and the audit log name a probed value.
func maskIdentity(field, value string) string {
	if field == "mobile" {
		return schedule.MaskMobile(value)
	}
	return schedule.MaskVoterID(value)
}

func probeKey(actor schedule.Actor) string { return "probe:" + strconv.FormatInt(actor.WorkerID, 10) }

// identityPaused refuses identity changes of an official whose probe
// budget is spent, saying until when.
func (s *Store) identityPaused(ctx context.Context, actor schedule.Actor) error {
	if actor.System {
		return nil
	}
	now := s.now()
	rw, err := s.PeekRate(ctx, probeKey(actor), ProbeWindow, now)
	if err != nil {
		return err
	}
	if rw.Used < s.probeBudget {
		return nil
	}
	return schedule.Errorf(schedule.ELIMIT, "you have matched too many mobiles or voter IDs registered in other areas; changes to mobiles and voter IDs are paused for you for %v", rw.Reset.Sub(now).Round(time.Minute))
}

// recordProbes logs, audits and counts matches with records outside the
// actor's area (after the refused write rolled back); where says what
// the official was doing. It returns the remaining budget.
func (s *Store) recordProbes(ctx context.Context, actor schedule.Actor, where string, probes []outOfArea) (int, error) {
	if len(probes) == 0 || actor.System {
		return s.probeBudget, nil
	}
	ctx = context.WithoutCancel(ctx)
	now := s.now()
	rw, err := s.AddRate(ctx, probeKey(actor), ProbeWindow, len(probes), now)
	if err != nil {
		return 0, err
	}
	err = s.inTx(ctx, func(tx bun.Tx) error {
		for _, p := range probes {
			masked := maskIdentity(p.field, p.value)
			s.log.Warn("out-of-area identity match", "actor", actor.WorkerID, "field", p.field, "value", masked, "where", where, "used", rw.Used, "budget", s.probeBudget)
			if err := s.audit(ctx, tx, actor, "out_of_area_match", "worker", 0, firstRoot(actor), p.field+" "+masked+" ("+where+")"); err != nil {
				return err
			}
		}
		return nil
	})
	return max(0, s.probeBudget-rw.Used), err
}

// withProbes runs a write that may be refused as an out-of-area match and,
// if it was, records the probe before returning the refusal.
func (s *Store) withProbes(ctx context.Context, actor schedule.Actor, where string, err error) error {
	var o *outOfArea
	if errors.As(err, &o) {
		if _, rerr := s.recordProbes(ctx, actor, where, []outOfArea{*o}); rerr != nil {
			return errors.Join(o.err, rerr)
		}
		return o.err
	}
	return err
}

// officialAbove refuses changes to a worker who holds an official role at
// a unit outside the actor's write scope: their record carries the login
// of a level above the actor, which only that level may change (a booth
// official could otherwise put their own mobile on the mandal president's
// record and log in as them).
func (s *Store) officialAbove(ctx context.Context, db bun.IDB, actor schedule.Actor, workerID int64) error {
	if actor.System {
		return nil
	}
	var paths []string
	err := db.NewSelect().Table("worker_roles").Column("worker_roles.unit_path").
		Join("JOIN roles ON roles.key = worker_roles.role_key").
		Where("worker_roles.worker_id = ? AND roles.official = ?", workerID, true).Scan(ctx, &paths)
	if err != nil {
		return fmt.Errorf("roles of worker %d: %w", workerID, err)
	}
	for _, p := range paths {
		if !actor.Can(schedule.ActWrite, p) {
			return schedule.Errorf(schedule.EFORBIDDEN, "this worker is an official of a unit above your area; only that level can change their record or roles")
		}
	}
	return nil
}

// DuplicateMobiles lists mobile numbers held by more than one worker (at
// most 1,000), for the operator resolving a refused unique-mobiles
// migration (karyakram mobiles list).
func (s *Store) DuplicateMobiles(ctx context.Context) ([]migrations.MobileDuplicate, error) {
	return migrations.DuplicateMobiles(ctx, s.db, 1000)
}

// ClearMobile removes worker id's mobile (the operator's decision that
// someone else keeps the number), audited as the actor.
func (s *Store) ClearMobile(ctx context.Context, actor schedule.Actor, id int64) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		w, err := s.workerByID(ctx, tx, id)
		if err != nil || !actor.Can(schedule.ActWrite, w.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "worker %d not found", id)
		}
		if w.Mobile == "" {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE workers SET mobile = NULL, updated_at = ? WHERE id = ?", s.now().UTC(), id); err != nil {
			return fmt.Errorf("clear mobile of worker %d: %w", id, err)
		}
		return s.audit(ctx, tx, actor, "clear_mobile", "worker", id, w.UnitPath, schedule.MaskMobile(w.Mobile))
	})
}
