package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// ProgrammeRecord is a stored programme: the template, the level of the
// units it creates events for and the root of the subtree it covers.
type ProgrammeRecord struct {
	schedule.Programme
	LevelDepth int        `json:"level_depth"`
	RootUnitID int64      `json:"root_unit_id"`
	RootPath   string     `json:"root_path"`
	RootName   string     `json:"root_name"`
	RootNameHi string     `json:"root_name_hi,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastRunAt  *time.Time `json:"last_run_at,omitempty"`
}

// DisplayTitle returns the programme's title in lang.
func (p ProgrammeRecord) DisplayTitle(lang string) string {
	e := schedule.Event{Title: p.Title, TitleHi: p.TitleHi}
	return e.DisplayTitle(lang)
}

type programmeRow struct {
	bun.BaseModel   `bun:"table:programmes,alias:p"`
	ID              int64      `bun:"id,pk,autoincrement"`
	Type            string     `bun:"type"`
	Title           string     `bun:"title"`
	TitleHi         string     `bun:"title_hi"`
	Description     string     `bun:"description"`
	WindowStart     time.Time  `bun:"window_start"`
	WindowEnd       time.Time  `bun:"window_end"`
	LevelDepth      int        `bun:"level_depth"`
	RootUnitID      int64      `bun:"root_unit_id"`
	RootPath        string     `bun:"root_path"`
	ProposedStart   *time.Time `bun:"proposed_start"`
	ProposedMinutes int        `bun:"proposed_minutes"`
	CreatedBy       *int64     `bun:"created_by"`
	CreatedAt       time.Time  `bun:"created_at"`
	LastRunAt       *time.Time `bun:"last_run_at"`
}

func (r *programmeRow) record() ProgrammeRecord {
	p := ProgrammeRecord{
		Programme: schedule.Programme{ID: r.ID, Type: r.Type, Title: r.Title, TitleHi: r.TitleHi, Description: r.Description,
			WindowStart: r.WindowStart.UTC(), WindowEnd: r.WindowEnd.UTC(),
			ProposedLength: time.Duration(r.ProposedMinutes) * time.Minute},
		LevelDepth: r.LevelDepth, RootUnitID: r.RootUnitID, RootPath: r.RootPath, CreatedAt: r.CreatedAt.UTC(),
	}
	if r.ProposedStart != nil {
		p.ProposedStart = r.ProposedStart.UTC()
	}
	if r.LastRunAt != nil {
		t := r.LastRunAt.UTC()
		p.LastRunAt = &t
	}
	return p
}

// CreateProgramme saves a programme template covering the subtree of
// p.RootUnitID (which the actor must be able to write) at level
// p.LevelDepth (below the root). It creates no events: RunProgramme does.
func (s *Store) CreateProgramme(ctx context.Context, actor schedule.Actor, p ProgrammeRecord) (ProgrammeRecord, error) {
	p.Type = strings.ToLower(strings.TrimSpace(p.Type))
	p.Title, p.TitleHi = strings.TrimSpace(p.Title), strings.TrimSpace(p.TitleHi)
	p.Description = strings.TrimSpace(p.Description)
	p.WindowStart, p.WindowEnd = p.WindowStart.UTC().Truncate(time.Second), p.WindowEnd.UTC().Truncate(time.Second)
	if !p.ProposedStart.IsZero() {
		p.ProposedStart = p.ProposedStart.UTC().Truncate(time.Second)
	}
	probe := p.Programme
	probe.Zone = s.zone
	probe.ID = 1 // Validate wants an ID for UIDs; the real one comes from the insert
	var errs []error
	for _, fe := range schedule.ValidationErrors(probe.Validate()) {
		errs = append(errs, fe)
	}
	if len(errs) > 0 {
		return p, errs[0].(*schedule.Error)
	}
	err := s.inTx(ctx, func(tx bun.Tx) error {
		root, err := s.unitByID(ctx, tx, p.RootUnitID)
		if err != nil || !actor.Can(schedule.ActWrite, root.Path) {
			return schedule.FieldError("root_unit", "unit %d not found", p.RootUnitID)
		}
		levels, err := s.Levels(ctx)
		if err != nil {
			return err
		}
		if _, ok := levels.ByDepth(p.LevelDepth); !ok || p.LevelDepth < root.Depth {
			return schedule.FieldError("level", "choose a level at or below %s", root.Name)
		}
		n, err := tx.NewSelect().Table("event_types").Where("key = ?", p.Type).Count(ctx)
		if err != nil {
			return fmt.Errorf("check event type: %w", err)
		}
		if n == 0 {
			return schedule.FieldError("type", "unknown event type %q", p.Type)
		}
		row := programmeRow{Type: p.Type, Title: p.Title, TitleHi: p.TitleHi, Description: p.Description,
			WindowStart: p.WindowStart, WindowEnd: p.WindowEnd, LevelDepth: p.LevelDepth, RootUnitID: root.ID,
			RootPath: root.Path, ProposedMinutes: int(p.ProposedLength / time.Minute), CreatedAt: s.now().UTC().Truncate(time.Second)}
		if !p.ProposedStart.IsZero() {
			ps := p.ProposedStart
			row.ProposedStart = &ps
		}
		if actor.WorkerID != 0 {
			w := actor.WorkerID
			row.CreatedBy = &w
		}
		if _, err := tx.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
			return mapErr(err, "programme")
		}
		p = row.record()
		p.RootName, p.RootNameHi = root.Name, root.NameHi
		return s.audit(ctx, tx, actor, "create", "programme", p.ID, root.Path, schedule.Msgf("“%s”", schedule.Names{En: p.Title, Hi: p.TitleHi}))
	})
	return p, err
}

func (s *Store) programmeByID(ctx context.Context, db bun.IDB, id int64) (ProgrammeRecord, error) {
	var r programmeRow
	if err := db.NewSelect().Model(&r).Where("p.id = ?", id).Scan(ctx); err != nil {
		return ProgrammeRecord{}, mapErr(err, schedule.Msgf("programme %d", id))
	}
	p := r.record()
	if u, err := s.unitByID(ctx, db, r.RootUnitID); err == nil {
		p.RootName, p.RootNameHi = u.Name, u.NameHi
	}
	return p, nil
}

// visibleProgramme reports whether the actor's scope touches the
// programme: its root lies in scope, or a scope root lies under it (a
// cluster official sees the statewide programme they take part in).
func visibleProgramme(actor schedule.Actor, rootPath string) bool {
	if actor.Can(schedule.ActRead, rootPath) {
		return true
	}
	for _, r := range actor.Scope.Roots {
		if schedule.IsWithin(r, rootPath) {
			return true
		}
	}
	return false
}

// FindProgrammeByID returns a programme the actor takes part in or runs.
func (s *Store) FindProgrammeByID(ctx context.Context, actor schedule.Actor, id int64) (ProgrammeRecord, error) {
	p, err := s.programmeByID(ctx, s.db, id)
	if err != nil || !visibleProgramme(actor, p.RootPath) {
		return ProgrammeRecord{}, schedule.Errorf(schedule.ENOTFOUND, "programme %d not found", id)
	}
	return p, nil
}

// FindProgrammes lists the programmes visible to the actor, newest first.
func (s *Store) FindProgrammes(ctx context.Context, actor schedule.Actor) ([]ProgrammeRecord, error) {
	// Roots in scope, or ancestors of a scope root.
	var ancestors []string
	for _, r := range actor.Scope.Roots {
		ids := schedule.PathIDs(r)
		p := "/"
		for _, id := range ids {
			p = schedule.ChildPath(p, id)
			ancestors = append(ancestors, p)
		}
	}
	var rows []programmeRow
	q := s.db.NewSelect().Model(&rows)
	if !actor.System {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			for _, root := range actor.Scope.Roots {
				lo, hi := schedule.SubtreeRange(root)
				q = q.WhereOr("(p.root_path >= ? AND p.root_path < ?)", lo, hi)
			}
			if len(ancestors) > 0 {
				q = q.WhereOr("p.root_path IN (?)", bun.In(ancestors))
			}
			return q.WhereOr("1 = 0")
		})
	}
	if err := q.Order("p.id DESC").Limit(500).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list programmes: %w", err)
	}
	out := make([]ProgrammeRecord, len(rows))
	for i := range rows {
		out[i] = rows[i].record()
	}
	return out, nil
}

// ProgrammeRun is what running a programme did.
type ProgrammeRun struct {
	Units       int // units of the programme's level in the actor's part of the subtree
	Created     int // events created by this run
	Existing    int // units that already had the event
	Scheduled   int // units whose committee has confirmed date and venue
	Unscheduled int
}

type unitBrief struct {
	ID    int64  `bun:"id"`
	Path  string `bun:"path"`
	Depth int    `bun:"depth"`
}

// programmeUnits returns the units of p's level in its subtree that the
// actor's scope covers, by ID.
func (s *Store) programmeUnits(ctx context.Context, db bun.IDB, actor schedule.Actor, p ProgrammeRecord) ([]unitBrief, error) {
	scope := actor.Scope
	if actor.System {
		scope = schedule.Scope{Roots: []string{"/"}}
	}
	scope = scope.Narrow(p.RootPath)
	var units []unitBrief
	q := whereScope(db.NewSelect().Table("units").Column("id", "path", "depth").Where("depth = ?", p.LevelDepth), "path", scope)
	if err := q.Order("id").Scan(ctx, &units); err != nil {
		return nil, fmt.Errorf("programme %d units: %w", p.ID, err)
	}
	return units, nil
}

// programmeEvents loads the fields PlanProgramme needs of the programme's
// events in the actor's part of the tree.
func (s *Store) programmeEvents(ctx context.Context, db bun.IDB, actor schedule.Actor, p ProgrammeRecord) ([]schedule.Event, error) {
	scope := actor.Scope
	if actor.System {
		scope = schedule.Scope{Roots: []string{"/"}}
	}
	scope = scope.Narrow(p.RootPath)
	var rows []struct {
		ID        int64     `bun:"id"`
		UID       string    `bun:"uid"`
		UnitID    int64     `bun:"unit_id"`
		Status    string    `bun:"status"`
		VenueName string    `bun:"venue_name"`
		StartAt   time.Time `bun:"start_at"`
		EndAt     time.Time `bun:"end_at"`
	}
	q := whereScope(db.NewSelect().Table("events").Column("id", "uid", "unit_id", "status", "venue_name", "start_at", "end_at").
		Where("programme_id = ?", p.ID), "unit_path", scope)
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("programme %d events: %w", p.ID, err)
	}
	out := make([]schedule.Event, len(rows))
	for i, r := range rows {
		out[i] = schedule.Event{ID: r.ID, UID: r.UID, UnitID: r.UnitID, Status: schedule.EventStatus(r.Status),
			Venue: schedule.Venue{Name: r.VenueName}, Start: r.StartAt.UTC(), End: r.EndAt.UTC(), ProgrammeID: p.ID}
	}
	return out, nil
}

// programmeInsertBatch is how many events one INSERT carries.
const programmeInsertBatch = 1000

// RunProgramme creates the programme's tentative placeholder event for
// every unit of its level in the actor's part of its subtree that has none
// yet, in one transaction with batched inserts. Running it again creates
// nothing new (deterministic UIDs; ON CONFLICT DO NOTHING guards a
// concurrent run).
func (s *Store) RunProgramme(ctx context.Context, actor schedule.Actor, id int64) (ProgrammeRun, error) {
	var run ProgrammeRun
	now := s.now()
	err := s.inTx(ctx, func(tx bun.Tx) error {
		p, err := s.programmeByID(ctx, tx, id)
		if err != nil || !visibleProgramme(actor, p.RootPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "programme %d not found", id)
		}
		if !actor.Can(schedule.ActWrite, p.RootPath) {
			return schedule.Errorf(schedule.EFORBIDDEN, "only officials of %s can run this programme", p.RootName)
		}
		units, err := s.programmeUnits(ctx, tx, actor, p)
		if err != nil {
			return err
		}
		existing, err := s.programmeEvents(ctx, tx, actor, p)
		if err != nil {
			return err
		}
		ids := make([]int64, len(units))
		byID := make(map[int64]unitBrief, len(units))
		for i, u := range units {
			ids[i] = u.ID
			byID[u.ID] = u
		}
		p.Programme.Zone = s.zone
		plan, err := schedule.PlanProgramme(p.Programme, ids, existing, now)
		if err != nil {
			return err
		}
		rows := make([]eventRow, 0, len(plan.Create))
		for i := range plan.Create {
			e := &plan.Create[i]
			e.Normalise()
			u := byID[e.UnitID]
			r, err := eventRowFrom(e, schedule.Unit{ID: u.ID, Path: u.Path, Depth: u.Depth}, now)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
		for chunk := range slices.Chunk(rows, programmeInsertBatch) {
			res, err := tx.NewInsert().Model(&chunk).On("CONFLICT (uid) DO NOTHING").Exec(ctx)
			if err != nil {
				return mapErr(err, schedule.Msgf("programme %d events", id))
			}
			n, _ := res.RowsAffected()
			run.Created += int(n)
		}
		run.Units, run.Existing = len(units), plan.Existing
		run.Scheduled, run.Unscheduled = len(plan.Scheduled), len(plan.Unscheduled)
		if _, err := tx.NewUpdate().Table("programmes").Set("last_run_at = ?", now.UTC().Truncate(time.Second)).Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("programme %d: %w", id, err)
		}
		return s.audit(ctx, tx, actor, "run", "programme", id, p.RootPath,
			schedule.Msgf("created %d events; %d units already had one", run.Created, run.Existing))
	})
	return run, err
}

// ProgrammeProgress is where a programme stands in the actor's part of
// its subtree.
type ProgrammeProgress struct {
	Programme   ProgrammeRecord
	Units       int // units of the level
	NotCreated  int // units without the event yet (run the programme)
	Scheduled   int
	Unscheduled int // includes NotCreated
	// UnscheduledUnits lists (up to Limit) units that have not confirmed
	// a date and venue yet, by name.
	UnscheduledUnits []schedule.Unit
	// EventIDs maps a unit ID to its programme event, for links.
	EventIDs map[int64]int64
}

// ProgrammeStatus reports progress: how many units have scheduled (event
// confirmed with a venue inside the window) and which have not (up to
// limit, default 200).
func (s *Store) ProgrammeStatus(ctx context.Context, actor schedule.Actor, id int64, limit int) (ProgrammeProgress, error) {
	var out ProgrammeProgress
	p, err := s.FindProgrammeByID(ctx, actor, id)
	if err != nil {
		return out, err
	}
	units, err := s.programmeUnits(ctx, s.db, actor, p)
	if err != nil {
		return out, err
	}
	existing, err := s.programmeEvents(ctx, s.db, actor, p)
	if err != nil {
		return out, err
	}
	ids := make([]int64, len(units))
	for i, u := range units {
		ids[i] = u.ID
	}
	p.Programme.Zone = s.zone
	plan, err := schedule.PlanProgramme(p.Programme, ids, existing, s.now())
	if err != nil {
		return out, err
	}
	out = ProgrammeProgress{Programme: p, Units: len(units), NotCreated: len(plan.Create),
		Scheduled: len(plan.Scheduled), Unscheduled: len(plan.Unscheduled), EventIDs: map[int64]int64{}}
	if limit <= 0 {
		limit = 200
	}
	show := plan.Unscheduled[:min(limit, len(plan.Unscheduled))]
	if len(show) > 0 {
		var rows []unitRow
		if err := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.In(show)).Order("name", "id").Scan(ctx); err != nil {
			return out, fmt.Errorf("unscheduled units: %w", err)
		}
		for _, r := range rows {
			out.UnscheduledUnits = append(out.UnscheduledUnits, r.domain())
		}
		want := make(map[int64]bool, len(show))
		for _, u := range show {
			want[u] = true
		}
		for _, e := range existing {
			if want[e.UnitID] {
				out.EventIDs[e.UnitID] = e.ID
			}
		}
	}
	return out, nil
}
