package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// WorkerPage is one page of a worker list or search.
type WorkerPage struct {
	Workers []schedule.Worker
	// Total is how many match; with More, at least that many (a search
	// that matches very many is not counted to the end).
	Total int
	More  bool
}

// FindWorkers returns one page of workers in the actor's scope (narrowed to
// filter.UnitID's subtree when set) and the total matching (for a search
// that matches very many, a floor: see SearchWorkers).
func (s *Store) FindWorkers(ctx context.Context, actor schedule.Actor, f schedule.WorkerFilter) ([]schedule.Worker, int, error) {
	p, err := s.SearchWorkers(ctx, actor, f)
	return p.Workers, p.Total, err
}

// SearchWorkers returns one page of workers in the actor's scope (narrowed
// to filter.UnitID's subtree when set). A query that is a whole mobile or
// voter ID finds that worker; other text finds names containing it (and
// digits, mobiles containing them), names that start with the text first.
// A search counts its matches up to SearchCountCap; beyond, More is set.
func (s *Store) SearchWorkers(ctx context.Context, actor schedule.Actor, f schedule.WorkerFilter) (WorkerPage, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	f.Limit = limit
	if col, key, ok := freeTextSearch(f.Query); ok && s.Postgres() {
		return s.searchWorkersPG(ctx, actor, f, col, key)
	}
	q, err := s.workerQuery(ctx, actor, f)
	if err != nil {
		return WorkerPage{}, err
	}
	if col, key, ok := freeTextSearch(f.Query); ok && col == "name_key" {
		// As on PostgreSQL: names starting with the text first.
		q = q.OrderExpr("CASE WHEN w.name_key >= ? AND w.name_key < ? THEN 0 ELSE 1 END", key, key+"\U0010FFFF")
	}
	var rows []workerRow
	total, err := q.Model(&rows).Order("name_key", "id").Limit(limit).Offset(f.Offset).ScanAndCount(ctx)
	if err != nil {
		return WorkerPage{}, fmt.Errorf("find workers: %w", err)
	}
	out := make([]schedule.Worker, len(rows))
	for i, r := range rows {
		out[i] = actor.View(r.domain())
	}
	return WorkerPage{Workers: out, Total: total}, nil
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
			q = s.whereNameOrMobileContains(q, qs)
		}
	}
	return q, nil
}

// MinSearchRunes is the shortest text matched anywhere in a name (a
// trigram); shorter ones match the start of the name.
const MinSearchRunes = 3

// SearchCountCap is how many matches of a text search are counted; beyond
// it a search says "more than".
const SearchCountCap = 1000

// searchTerm is what a free-text worker query searches: the column
// (name_key, or mobile for digits) and the folded text, with LIKE's
// wildcards dropped so that they match themselves.
func searchTerm(text string) (col, key string) {
	col, key = "name_key", NameKey(text)
	if digits := strings.Trim(text, "+ -"); digits != "" && strings.Trim(digits, "0123456789 -") == "" {
		col, key = "mobile", strings.NewReplacer(" ", "", "-", "").Replace(digits)
	}
	return col, strings.NewReplacer("%", "", "_", "", "\\", "").Replace(key)
}

// freeTextSearch reports whether query is text to look for in names or
// mobiles (not a whole mobile or voter ID).
func freeTextSearch(query string) (col, key string, ok bool) {
	qs := strings.TrimSpace(query)
	if qs == "" {
		return "", "", false
	}
	if _, err := schedule.NormaliseMobile(qs); err == nil {
		return "", "", false
	}
	if _, err := schedule.NormaliseVoterID(qs); err == nil {
		return "", "", false
	}
	col, key = searchTerm(qs)
	return col, key, key != ""
}

// whereNameOrMobileContains narrows q to workers whose name (folded like
// NameKey) contains text, or for digits whose mobile does, through the
// trigram indexes of the worker_search migration (here FTS5's trigram
// tokenizer on SQLite; PostgreSQL searches in searchWorkersPG). Texts
// shorter than a trigram match the start of the name (or any part of the
// mobile, by scanning).
func (s *Store) whereNameOrMobileContains(q *bun.SelectQuery, text string) *bun.SelectQuery {
	col, key := searchTerm(text)
	if utf8.RuneCountInString(key) < MinSearchRunes {
		if col == "mobile" {
			return q.Where("w.mobile LIKE ?", "%"+key+"%")
		}
		return q.Where("w.name_key >= ? AND w.name_key < ?", key, key+"\U0010FFFF")
	}
	pattern := "%" + key + "%"
	if s.Postgres() {
		return q.Where("w."+col+" LIKE ?", pattern)
	}
	return q.Where("w.id IN (SELECT rowid FROM workers_search WHERE "+col+" LIKE ?)", pattern)
}

// DefaultSearchWindow is how many workers of the area (in storage order) a
// PostgreSQL text search reads before it asks the trigram index.
const DefaultSearchWindow = 5000

// SetSearchLimits changes DefaultSearchWindow and SearchCountCap for this
// store (tests make them small to reach every step with a small
// organisation).
func (s *Store) SetSearchLimits(window, countCap int) { s.searchWindow, s.searchCap = window, countCap }

// searchWorkersPG is SearchWorkers for text on PostgreSQL, in one
// read-only transaction.
//
//  1. Names starting with the text come first (the person called सुनीता
//     before those whose name merely contains it), in name order: a range
//     of the (name_key, id) index; for digits, mobiles starting with them,
//     in number order. When they fill the page, that is the answer.
//  2. Then names containing the text elsewhere (or mobiles containing the
//     digits). The planner cannot tell a common text ("Kushwaha": a
//     fourteenth of the state) from a rare one, and each wants another
//     plan: the trigram index finds a rare text at once but gathers every
//     match of a common one before it can show one (hundreds of
//     milliseconds at 200,000 matches), while reading rows finds a common
//     text's page at once but reads the whole area for a rare one. So:
//     read the first DefaultSearchWindow workers of the area in storage
//     order (an unbiased sample: storage order does not follow names);
//     if the page's matches are there, the text is common, and they are
//     shown in that order with "more than" for a total. Otherwise the text
//     matches less than one in DefaultSearchWindow/page workers: gather
//     its matches through the trigram index, at most SearchCountCap+1, and
//     show them in name order, counted.
func (s *Store) searchWorkersPG(ctx context.Context, actor schedule.Actor, f schedule.WorkerFilter, col, key string) (WorkerPage, error) {
	scope := actor.Scope
	if f.UnitID != 0 {
		u, err := s.FindUnitByID(ctx, actor, f.UnitID)
		if err != nil {
			return WorkerPage{}, err
		}
		scope = scope.Narrow(u.Path)
	}
	filter := func(q *bun.SelectQuery) *bun.SelectQuery {
		q = whereScope(q, "w.unit_path", scope)
		if f.Active != nil {
			q = q.Where("w.active = ?", *f.Active)
		}
		if f.Role != "" {
			q = q.Where("EXISTS (SELECT 1 FROM worker_roles r WHERE r.worker_id = w.id AND r.role_key = ?)", f.Role)
		}
		return q
	}
	need := f.Offset + f.Limit
	var page WorkerPage
	var ids []int64
	err := s.db.RunInTx(ctx, &sql.TxOptions{ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		short := utf8.RuneCountInString(key) < MinSearchRunes
		// 1. Names starting with the text (mobiles starting with the
		// digits, after India's +91).
		start := key
		if col == "mobile" {
			start = "+91" + key
		}
		inRange := "w." + col + " >= ? AND w." + col + " < ?"
		var first []int64
		if !short || col == "name_key" {
			prefix := func(q *bun.SelectQuery) *bun.SelectQuery {
				return filter(q.TableExpr("workers AS w")).Where(inRange, start, start+"\U0010FFFF")
			}
			if err := prefix(tx.NewSelect().Column("w.id")).OrderExpr("w."+col+", w.id").Limit(need+1).Scan(ctx, &first); err != nil {
				return fmt.Errorf("search workers (starting with the text): %w", err)
			}
			if len(first) > need || short {
				n, err := cappedCount(ctx, tx, prefix(tx.NewSelect().ColumnExpr("1")), s.searchCap)
				if err != nil {
					return err
				}
				// Longer texts also match inside names, which were not counted.
				ids, page.Total, page.More = first, n, n > s.searchCap || !short
				return nil
			}
		} else {
			// A few digits: any part of a mobile, by reading the area.
			q := filter(tx.NewSelect().TableExpr("workers AS w").Column("w.id")).Where("w.mobile LIKE ?", "%"+key+"%").
				OrderExpr("w.name_key, w.id").Limit(s.searchCap + 1)
			if err := q.Scan(ctx, &ids); err != nil {
				return fmt.Errorf("search workers (mobile): %w", err)
			}
			page.Total = len(ids)
			return nil
		}
		// 2. Containing the text elsewhere.
		match := "w." + col + " LIKE ? AND NOT (" + inRange + ")"
		args := []any{"%" + key + "%", start, start + "\U0010FFFF"}
		need2 := need - len(first)
		var window []struct {
			ID      int64  `bun:"id"`
			NameKey string `bun:"name_key"`
			Match   bool   `bun:"match"`
		}
		if err := filter(tx.NewSelect().TableExpr("workers AS w").ColumnExpr("w.id, w.name_key, ("+match+") AS match", args...)).
			Limit(s.searchWindow).Scan(ctx, &window); err != nil {
			return fmt.Errorf("search workers (a window of the area): %w", err)
		}
		type hit struct {
			id  int64
			key string
		}
		var hits []hit
		for _, r := range window {
			if r.Match {
				hits = append(hits, hit{r.ID, r.NameKey})
			}
		}
		whole := len(window) < s.searchWindow // the window held the whole area
		if !whole && len(hits) > need2 {
			ids, page.Total, page.More = first, len(first)+len(hits), true
			for _, h := range hits {
				ids = append(ids, h.id)
			}
			return nil
		}
		if !whole {
			for _, set := range []string{"enable_seqscan", "enable_indexscan", "enable_indexonlyscan"} {
				if _, err := tx.ExecContext(ctx, "SET LOCAL "+set+" = off"); err != nil {
					return fmt.Errorf("search workers: %w", err)
				}
			}
			var found []struct {
				ID      int64  `bun:"id"`
				NameKey string `bun:"name_key"`
			}
			if err := filter(tx.NewSelect().TableExpr("workers AS w").ColumnExpr("w.id, w.name_key")).Where(match, args...).
				Limit(s.searchCap+1).Scan(ctx, &found); err != nil {
				return fmt.Errorf("search workers (trigram index): %w", err)
			}
			hits = hits[:0]
			for _, r := range found {
				hits = append(hits, hit{r.ID, r.NameKey})
			}
			page.More = len(found) > s.searchCap
		}
		slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
		ids = first
		for _, h := range hits {
			ids = append(ids, h.id)
		}
		page.Total = len(ids)
		return nil
	})
	if err != nil {
		return WorkerPage{}, err
	}
	if page.Total > s.searchCap {
		page.Total, page.More = s.searchCap, true
	}
	if f.Offset >= len(ids) {
		return page, nil
	}
	ids = ids[f.Offset:min(len(ids), need)]
	var rows []workerRow
	if err := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return WorkerPage{}, fmt.Errorf("search workers: %w", err)
	}
	byID := make(map[int64]workerRow, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			page.Workers = append(page.Workers, actor.View(r.domain()))
		}
	}
	return page, nil
}

// cappedCount counts q's rows up to limit+1 (it need not read further).
func cappedCount(ctx context.Context, tx bun.Tx, q *bun.SelectQuery, limit int) (int, error) {
	var n int
	if err := tx.NewSelect().TableExpr("(?) AS t", q.Limit(limit+1)).ColumnExpr("COUNT(*)").Scan(ctx, &n); err != nil {
		return 0, fmt.Errorf("count workers: %w", err)
	}
	return n, nil
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
