package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// FindWorkers returns one page of workers in the actor's scope (narrowed to
// filter.UnitID's subtree when set) and the total matching.
func (s *Store) FindWorkers(ctx context.Context, actor schedule.Actor, f schedule.WorkerFilter) ([]schedule.Worker, int, error) {
	q, err := s.workerQuery(ctx, actor, f)
	if err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var rows []workerRow
	total, err := q.Model(&rows).Order("name_key", "id").Limit(limit).Offset(f.Offset).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("find workers: %w", err)
	}
	out := make([]schedule.Worker, len(rows))
	for i, r := range rows {
		out[i] = actor.View(r.domain())
	}
	return out, total, nil
}

// EachWorker streams every worker matching f in the actor's scope to fn, in
// id order, without holding them all in memory (exports).
func (s *Store) EachWorker(ctx context.Context, actor schedule.Actor, f schedule.WorkerFilter, fn func(schedule.Worker) error) error {
	var after int64
	for {
		q, err := s.workerQuery(ctx, actor, f)
		if err != nil {
			return err
		}
		var rows []workerRow
		if err := q.Model(&rows).Where("w.id > ?", after).Order("id").Limit(2000).Scan(ctx); err != nil {
			return fmt.Errorf("export workers: %w", err)
		}
		for _, r := range rows {
			if err := fn(actor.View(r.domain())); err != nil {
				return err
			}
		}
		if len(rows) < 2000 {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

func (s *Store) workerQuery(ctx context.Context, actor schedule.Actor, f schedule.WorkerFilter) (*bun.SelectQuery, error) {
	scope := actor.Scope
	if f.UnitID != 0 {
		u, err := s.FindUnitByID(ctx, actor, f.UnitID)
		if err != nil {
			return nil, err
		}
		scope = scope.Narrow(u.Path)
	}
	q := whereScope(s.db.NewSelect().ModelTableExpr("workers AS w"), "w.unit_path", scope)
	if f.Active != nil {
		q = q.Where("w.active = ?", *f.Active)
	}
	if f.Role != "" {
		q = q.Where("EXISTS (SELECT 1 FROM worker_roles r WHERE r.worker_id = w.id AND r.role_key = ?)", f.Role)
	}
	if qs := strings.TrimSpace(f.Query); qs != "" {
		if m, err := schedule.NormaliseMobile(qs); err == nil {
			q = q.Where("w.mobile = ?", m)
		} else if v, err := schedule.NormaliseVoterID(qs); err == nil {
			q = q.Where("w.voter_id = ?", v)
		} else {
			key := NameKey(qs)
			q = q.Where("w.name_key >= ? AND w.name_key < ?", key, key+"\U0010FFFF")
		}
	}
	return q, nil
}

// FindWorkerByID returns a worker in the actor's scope, with roles.
func (s *Store) FindWorkerByID(ctx context.Context, actor schedule.Actor, id int64) (schedule.Worker, error) {
	w, err := s.workerByID(ctx, s.db, id)
	if err != nil || !actor.Can(schedule.ActRead, w.UnitPath) {
		return schedule.Worker{}, schedule.Errorf(schedule.ENOTFOUND, "worker %d not found", id)
	}
	return w, nil
}

func (s *Store) workerByID(ctx context.Context, db bun.IDB, id int64) (schedule.Worker, error) {
	var r workerRow
	if err := db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return schedule.Worker{}, mapErr(err, schedule.Msgf("worker %d", id))
	}
	w := r.domain()
	var roles []workerRoleRow
	if err := db.NewSelect().Model(&roles).Where("worker_id = ?", id).Order("role_key").Scan(ctx); err != nil {
		return w, fmt.Errorf("roles of worker %d: %w", id, err)
	}
	for _, rr := range roles {
		w.Roles = append(w.Roles, schedule.RoleAssignment{RoleKey: rr.RoleKey, UnitID: rr.UnitID, UnitPath: rr.UnitPath})
	}
	return w, nil
}

// CreateWorker adds a worker at a unit in the actor's scope. A mobile or
// voter ID another worker holds is refused (identity.go): ECONFLICT naming
// the holder inside the actor's area, "registered in another area"
// outside it, ELIMIT once the actor has matched too many of those.
func (s *Store) CreateWorker(ctx context.Context, actor schedule.Actor, w schedule.Worker) (schedule.Worker, error) {
	if err := w.Validate(); err != nil {
		return w, err
	}
	if w.Mobile != "" || w.VoterID != "" {
		if err := s.identityPaused(ctx, actor); err != nil {
			return w, err
		}
	}
	err := s.inTx(ctx, func(tx bun.Tx) error {
		u, err := s.unitByID(ctx, tx, w.UnitID)
		if err != nil || !actor.Can(schedule.ActWrite, u.Path) {
			return schedule.FieldError("unit", "unit %d not found", w.UnitID)
		}
		if err := s.checkIdentity(ctx, tx, actor, w); err != nil {
			return err
		}
		w.UnitPath, w.UpdatedAt = u.Path, s.now().UTC()
		row := workerRowFrom(w)
		row.ID = 0
		if _, err := tx.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
			return mapErr(err, "a worker with this mobile or voter ID")
		}
		w.ID = row.ID
		return s.audit(ctx, tx, actor, "create", "worker", w.ID, w.UnitPath, auditFields(w))
	})
	return w, s.withProbes(ctx, actor, "create worker", err)
}

// UpdateWorker applies patch to a worker in scope; a move to another unit
// must land in scope too. A worker holding an official role above the
// actor's area is EFORBIDDEN (their record carries a higher login); a
// mobile or voter ID someone else holds is refused as in CreateWorker. The
// audit log records the fields before and after.
func (s *Store) UpdateWorker(ctx context.Context, actor schedule.Actor, id int64, patch schedule.WorkerPatch) (schedule.Worker, error) {
	var out schedule.Worker
	err := s.inTx(ctx, func(tx bun.Tx) error {
		w, err := s.workerByID(ctx, tx, id)
		if err != nil || !actor.Can(schedule.ActWrite, w.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "worker %d not found", id)
		}
		if err := s.officialAbove(ctx, tx, actor, id); err != nil {
			return err
		}
		before := auditFields(w)
		mobile, voterID := w.Mobile, w.VoterID
		if err := patch.Apply(&w); err != nil {
			return err
		}
		if w.Mobile != mobile || w.VoterID != voterID {
			if err := s.identityPaused(ctx, actor); err != nil {
				return err
			}
		}
		if err := s.checkIdentity(ctx, tx, actor, w); err != nil {
			return err
		}
		if patch.UnitID != nil {
			u, err := s.unitByID(ctx, tx, w.UnitID)
			if err != nil || !actor.Can(schedule.ActWrite, u.Path) {
				return schedule.FieldError("unit", "unit %d not found", w.UnitID)
			}
			w.UnitPath = u.Path
		}
		w.UpdatedAt = s.now().UTC()
		row := workerRowFrom(w)
		if _, err := tx.NewUpdate().Model(&row).ExcludeColumn("id").WherePK().Exec(ctx); err != nil {
			return mapErr(err, "a worker with this mobile or voter ID")
		}
		out = w
		return s.audit(ctx, tx, actor, "update", "worker", id, w.UnitPath, before+" -> "+auditFields(w))
	})
	return out, s.withProbes(ctx, actor, "edit worker", err)
}

// AssignRole gives a worker a role at a unit; both must be in scope.
func (s *Store) AssignRole(ctx context.Context, actor schedule.Actor, workerID int64, roleKey string, unitID int64) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		w, err := s.workerByID(ctx, tx, workerID)
		if err != nil || !actor.Can(schedule.ActWrite, w.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "worker %d not found", workerID)
		}
		u, err := s.unitByID(ctx, tx, unitID)
		if err != nil || !actor.Can(schedule.ActWrite, u.Path) {
			return schedule.FieldError("unit", "unit %d not found", unitID)
		}
		row := workerRoleRow{WorkerID: workerID, RoleKey: roleKey, UnitID: unitID, UnitPath: u.Path}
		if _, err := tx.NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return mapErr(err, schedule.Msgf("role %s", roleKey))
		}
		return s.audit(ctx, tx, actor, "assign_role", "worker", workerID, w.UnitPath, roleKey+"@"+u.Code)
	})
}

// RemoveRole takes a role at a unit away from a worker in scope.
func (s *Store) RemoveRole(ctx context.Context, actor schedule.Actor, workerID int64, roleKey string, unitID int64) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		w, err := s.workerByID(ctx, tx, workerID)
		if err != nil || !actor.Can(schedule.ActWrite, w.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "worker %d not found", workerID)
		}
		// The role's unit must be the actor's too: a booth official may
		// not take away a role held at the mandal.
		u, err := s.unitByID(ctx, tx, unitID)
		if err != nil || !actor.Can(schedule.ActWrite, u.Path) {
			return schedule.Errorf(schedule.ENOTFOUND, "worker %d does not hold %s there", workerID, roleKey)
		}
		res, err := tx.NewDelete().Model((*workerRoleRow)(nil)).
			Where("worker_id = ? AND role_key = ? AND unit_id = ?", workerID, roleKey, unitID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("remove role: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return schedule.Errorf(schedule.ENOTFOUND, "worker %d does not hold %s there", workerID, roleKey)
		}
		return s.audit(ctx, tx, actor, "remove_role", "worker", workerID, w.UnitPath, fmt.Sprintf("%s@%d", roleKey, unitID))
	})
}

// auditFields is the audit log's picture of a worker: the fields an edit can
// change, as JSON.
func auditFields(w schedule.Worker) string {
	b, _ := json.Marshal(map[string]any{
		"name": w.Name, "mobile": w.Mobile, "voter_id": w.VoterID, "gender": w.Gender,
		"social": w.Social, "email": w.Email, "work": w.Work, "active": w.Active, "unit_id": w.UnitID,
	})
	return string(b)
}
