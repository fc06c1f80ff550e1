package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

func (s *Store) ensureDefaults(ctx context.Context) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*levelRow)(nil)).Count(ctx)
		if err != nil {
			return fmt.Errorf("count levels: %w", err)
		}
		if n == 0 {
			for _, l := range schedule.DefaultLevels() {
				r := levelRow{Depth: l.Depth, Key: l.Key, Name: l.Name, NameHi: l.NameHi}
				if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
					return fmt.Errorf("insert level %s: %w", l.Key, err)
				}
			}
		}
		for _, r := range schedule.DefaultRoles() {
			row := roleRow{Key: r.Key, Name: r.Name, NameHi: r.NameHi, Official: r.Official}
			if _, err := tx.NewInsert().Model(&row).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
				return fmt.Errorf("insert role %s: %w", r.Key, err)
			}
		}
		return nil
	})
}

// Levels returns the organisation's levels, root first.
func (s *Store) Levels(ctx context.Context) (schedule.Levels, error) {
	var rows []levelRow
	if err := s.db.NewSelect().Model(&rows).Order("depth").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list levels: %w", err)
	}
	ls := make(schedule.Levels, len(rows))
	for i, r := range rows {
		ls[i] = schedule.Level{Depth: r.Depth, Key: r.Key, Name: r.Name, NameHi: r.NameHi}
	}
	return ls, nil
}

// Roles returns all roles by key order.
func (s *Store) Roles(ctx context.Context) ([]schedule.Role, error) {
	var rows []roleRow
	if err := s.db.NewSelect().Model(&rows).Order("key").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	rs := make([]schedule.Role, len(rows))
	for i, r := range rows {
		rs[i] = schedule.Role{Key: r.Key, Name: r.Name, NameHi: r.NameHi, Official: r.Official}
	}
	return rs, nil
}

// whereScope limits q to rows whose col lies inside scope: one indexed
// range per scope root, OR-ed. An empty scope matches nothing.
func whereScope(q *bun.SelectQuery, col string, scope schedule.Scope) *bun.SelectQuery {
	if scope.Empty() {
		return q.Where("1 = 0")
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		for _, root := range scope.Roots {
			lo, hi := schedule.SubtreeRange(root)
			q = q.WhereOr("(? >= ? AND ? < ?)", bun.Ident(col), lo, bun.Ident(col), hi)
		}
		return q
	})
}

// CreateUnit adds a unit under parentID (0 for a root, which only a system
// actor may add). It checks scope and that the level is the parent's next.
func (s *Store) CreateUnit(ctx context.Context, actor schedule.Actor, u schedule.Unit) (schedule.Unit, error) {
	if err := u.Validate(); err != nil {
		return u, err
	}
	err := s.inTx(ctx, func(tx bun.Tx) error {
		var parentPath string
		u.Depth = 0
		if u.ParentID != 0 {
			p, err := s.unitByID(ctx, tx, u.ParentID)
			if err != nil || !actor.Can(schedule.ActWrite, p.Path) {
				return schedule.Errorf(schedule.ENOTFOUND, "parent unit %d not found", u.ParentID)
			}
			parentPath, u.Depth = p.Path, p.Depth+1
		} else if !actor.System {
			return schedule.Errorf(schedule.EFORBIDDEN, "only the system can add a root unit")
		}
		created, err := insertUnit(ctx, tx, u, parentPath)
		if err != nil {
			return err
		}
		u = created
		return s.audit(ctx, tx, actor, "create", "unit", u.ID, u.Path, u.Code)
	})
	return u, err
}

// insertUnit inserts a unit and sets its path from the new ID.
func insertUnit(ctx context.Context, db bun.IDB, u schedule.Unit, parentPath string) (schedule.Unit, error) {
	row := unitRow{Depth: u.Depth, Code: u.Code, Name: u.Name, NameHi: u.NameHi, Path: "pending:" + u.Code}
	if u.ParentID != 0 {
		row.ParentID = &u.ParentID
	}
	if _, err := db.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
		return u, mapErr(err, schedule.Msgf("unit %s", u.Code))
	}
	row.Path = schedule.ChildPath(parentPath, row.ID)
	if _, err := db.NewUpdate().Model(&row).Column("path").WherePK().Exec(ctx); err != nil {
		return u, mapErr(err, schedule.Msgf("unit %s", u.Code))
	}
	return row.domain(), nil
}

func (s *Store) unitByID(ctx context.Context, db bun.IDB, id int64) (schedule.Unit, error) {
	var r unitRow
	if err := db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return schedule.Unit{}, mapErr(err, schedule.Msgf("unit %d", id))
	}
	return r.domain(), nil
}

// FindUnitByID returns the unit if it lies in the actor's scope, and a
// not-found error otherwise (so existence outside scope is not revealed).
func (s *Store) FindUnitByID(ctx context.Context, actor schedule.Actor, id int64) (schedule.Unit, error) {
	u, err := s.unitByID(ctx, s.db, id)
	if err != nil || !actor.Can(schedule.ActRead, u.Path) {
		return schedule.Unit{}, schedule.Errorf(schedule.ENOTFOUND, "unit %d not found", id)
	}
	return u, nil
}

// FindUnitByCode returns the unit with code if it lies in the actor's scope.
func (s *Store) FindUnitByCode(ctx context.Context, actor schedule.Actor, code string) (schedule.Unit, error) {
	var r unitRow
	err := s.db.NewSelect().Model(&r).Where("code = ?", code).Scan(ctx)
	if err != nil || !actor.Can(schedule.ActRead, r.Path) {
		return schedule.Unit{}, schedule.Errorf(schedule.ENOTFOUND, "unit %q not found", code)
	}
	return r.domain(), nil
}

// UpdateUnitNames renames a unit the actor may write.
func (s *Store) UpdateUnitNames(ctx context.Context, actor schedule.Actor, id int64, name, nameHi string) (schedule.Unit, error) {
	var out schedule.Unit
	err := s.inTx(ctx, func(tx bun.Tx) error {
		u, err := s.unitByID(ctx, tx, id)
		if err != nil || !actor.Can(schedule.ActRead, u.Path) {
			return schedule.Errorf(schedule.ENOTFOUND, "unit %d not found", id)
		}
		if !actor.CanWriteUnit(u.Path) {
			return schedule.Errorf(schedule.EFORBIDDEN, "you cannot rename the unit you are in charge of; ask the level above")
		}
		u.Name, u.NameHi = name, nameHi
		if err := u.Validate(); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*unitRow)(nil)).Set("name = ?, name_hi = ?", name, nameHi).Where("id = ?", id).Exec(ctx); err != nil {
			return mapErr(err, "unit")
		}
		out = u
		return s.audit(ctx, tx, actor, "rename", "unit", id, u.Path, name+" / "+nameHi)
	})
	return out, err
}

// Ancestors returns the units above u, root first. Names of ancestors are
// not secret: an official knows where their unit sits.
func (s *Store) Ancestors(ctx context.Context, u schedule.Unit) ([]schedule.Unit, error) {
	ids := schedule.PathIDs(u.Path)
	if len(ids) <= 1 {
		return nil, nil
	}
	var rows []unitRow
	if err := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids[:len(ids)-1])).Order("depth").Scan(ctx); err != nil {
		return nil, fmt.Errorf("ancestors of %d: %w", u.ID, err)
	}
	out := make([]schedule.Unit, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// ScopeUnits returns the units at the roots of the actor's scope, with
// counts: the official's home page.
func (s *Store) ScopeUnits(ctx context.Context, actor schedule.Actor) ([]schedule.UnitCount, error) {
	var rows []unitRow
	q := s.db.NewSelect().Model(&rows).Order("depth", "name")
	if actor.System {
		q = q.Where("parent_id IS NULL")
	} else {
		if actor.Scope.Empty() {
			return nil, nil
		}
		q = q.Where("path IN (?)", bun.In(actor.Scope.Roots))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("scope units: %w", err)
	}
	return s.withCounts(ctx, rows)
}

// Children returns the child units of id with subtree counts; id must be in
// scope.
func (s *Store) Children(ctx context.Context, actor schedule.Actor, id int64) ([]schedule.UnitCount, error) {
	if _, err := s.FindUnitByID(ctx, actor, id); err != nil {
		return nil, err
	}
	var rows []unitRow
	if err := s.db.NewSelect().Model(&rows).Where("parent_id = ?", id).Order("name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("children of unit %d: %w", id, err)
	}
	return s.withCounts(ctx, rows)
}

func (s *Store) withCounts(ctx context.Context, rows []unitRow) ([]schedule.UnitCount, error) {
	out := make([]schedule.UnitCount, len(rows))
	for i, r := range rows {
		out[i].Unit = r.domain()
		lo, hi := schedule.SubtreeRange(r.Path)
		n, err := s.db.NewSelect().Table("workers").Where("unit_path >= ? AND unit_path < ?", lo, hi).Count(ctx)
		if err != nil {
			return nil, fmt.Errorf("count workers under %s: %w", r.Code, err)
		}
		out[i].Workers = n
		c, err := s.db.NewSelect().Table("units").Where("parent_id = ?", r.ID).Count(ctx)
		if err != nil {
			return nil, fmt.Errorf("count children of %s: %w", r.Code, err)
		}
		out[i].Children = c
	}
	return out, nil
}

// CountWorkers returns the number of workers in the subtree of unit id,
// which must be in the actor's scope.
func (s *Store) CountWorkers(ctx context.Context, actor schedule.Actor, id int64) (int, error) {
	u, err := s.FindUnitByID(ctx, actor, id)
	if err != nil {
		return 0, err
	}
	lo, hi := schedule.SubtreeRange(u.Path)
	n, err := s.db.NewSelect().Table("workers").Where("unit_path >= ? AND unit_path < ?", lo, hi).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count workers under unit %d: %w", id, err)
	}
	return n, nil
}

// UnitCountsByDepth returns how many units of each depth lie in the
// subtree of u (for the tree page's summary line).
func (s *Store) UnitCountsByDepth(ctx context.Context, u schedule.Unit) (map[int]int, error) {
	lo, hi := schedule.SubtreeRange(u.Path)
	var rows []struct {
		Depth int `bun:"depth"`
		N     int `bun:"n"`
	}
	err := s.db.NewSelect().Table("units").ColumnExpr("depth, count(*) AS n").
		Where("path >= ? AND path < ?", lo, hi).Group("depth").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count units under %s: %w", u.Code, err)
	}
	m := make(map[int]int, len(rows))
	for _, r := range rows {
		m[r.Depth] = r.N
	}
	return m, nil
}
