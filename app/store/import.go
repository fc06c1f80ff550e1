package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// ImportReport says what an import did, or why it did nothing.
type ImportReport struct {
	Kind     string `json:"kind"`
	Rows     int    `json:"rows"`
	Inserted int    `json:"inserted"`
	Updated  int    `json:"updated"`
	schedule.RowErrors
	// probes are the rows that matched workers outside the actor's area,
	// recorded after the (refused) import rolled back.
	probes []outOfArea
}

// Progress is told how many data rows have been read so far.
type Progress func(rows int)

const progressEvery = 10_000

// unitRef is what imports need to know of a unit.
type unitRef struct {
	id    int64
	path  string
	depth int
	line  int // line of the file that defined it; 0 for units already stored
}

func (s *Store) unitRefs(ctx context.Context, db bun.IDB) (map[string]unitRef, error) {
	refs := map[string]unitRef{}
	rows, err := db.QueryContext(ctx, "SELECT code, id, path, depth FROM units")
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var r unitRef
		if err := rows.Scan(&code, &r.id, &r.path, &r.depth); err != nil {
			return nil, fmt.Errorf("load units: %w", err)
		}
		refs[code] = r
	}
	return refs, rows.Err()
}

func newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // counted per row so the error names the line
	cr.ReuseRecord = true
	return cr
}

// readHeader reads and checks the header row.
func readHeader(cr *csv.Reader, known, required []string) (schedule.Header, int, error) {
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, 0, schedule.FieldError("file", "is empty; the first line must be the header: %s", strings.Join(known, ","))
	}
	if err != nil {
		return nil, 0, schedule.FieldError("file", "line 1: %v", csvErr(err))
	}
	h, err := schedule.ParseHeader(rec, known, required)
	return h, len(rec), err
}

// csvErr says in words what is wrong with a line the CSV reader refused.
func csvErr(err error) schedule.Msg { return schedule.CSVProblem(err) }

// ImportUnits reads a units CSV (code, parent_code, level, name, name_hi) and
// adds or renames units in one transaction. Parents must be stored already
// or appear earlier in the file, and lie in the actor's scope. Any bad row
// means nothing is written; the report lists the problems.
func (s *Store) ImportUnits(ctx context.Context, actor schedule.Actor, r io.Reader, progress Progress) (ImportReport, error) {
	rep := ImportReport{Kind: "units"}
	levels, err := s.Levels(ctx)
	if err != nil {
		return rep, err
	}
	cr := newCSVReader(r)
	h, width, err := readHeader(cr, schedule.UnitColumns, schedule.UnitRequired)
	if err != nil {
		return rep, err
	}
	err = s.inTx(ctx, func(tx bun.Tx) error {
		if s.Postgres() {
			if _, err := tx.ExecContext(ctx, "LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE"); err != nil {
				return fmt.Errorf("lock units: %w", err)
			}
		}
		refs, err := s.unitRefs(ctx, tx)
		if err != nil {
			return err
		}
		var maxID int64
		if err := tx.NewSelect().Table("units").ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &maxID); err != nil {
			return fmt.Errorf("next unit id: %w", err)
		}
		var batch []unitRow
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if _, err := tx.NewInsert().Model(&batch).Exec(ctx); err != nil {
				return mapErr(err, "units")
			}
			batch = batch[:0]
			return nil
		}
		for line := 2; ; line++ {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				rep.AddMsg(line, "", csvErr(err))
				continue
			}
			rep.Rows++
			if progress != nil && rep.Rows%progressEvery == 0 {
				progress(rep.Rows)
			}
			if !h.CheckRecord(line, rec, width, &rep.RowErrors) {
				continue
			}
			ur, ok := schedule.ParseUnitRecord(h, line, rec, &rep.RowErrors)
			if !ok {
				continue
			}
			lvl, ok := levels.ByKey(ur.Level)
			if !ok {
				rep.Add(line, "level", "unknown level %q", ur.Level)
				continue
			}
			var parent unitRef
			switch {
			case lvl.Depth == 0 && ur.ParentCode != "":
				rep.Add(line, "parent_code", "a %s has no parent; leave it empty", ur.Level)
				continue
			case lvl.Depth == 0 && !actor.System:
				rep.Add(line, "level", "only the system can add a %s", ur.Level)
				continue
			case lvl.Depth > 0:
				p, ok := refs[ur.ParentCode]
				if !ok || !actor.Can(schedule.ActImport, p.path) {
					rep.Add(line, "parent_code", "unknown parent unit %q (it must be stored already or come earlier in the file)", ur.ParentCode)
					continue
				}
				if p.depth != lvl.Depth-1 {
					want, _ := levels.ByDepth(lvl.Depth - 1)
					rep.Add(line, "level", "a %s must sit under a %s, but %q is at another level", ur.Level, want.Key, ur.ParentCode)
					continue
				}
				parent = p
			}
			if old, exists := refs[ur.Unit.Code]; exists {
				if old.line > 0 {
					rep.Add(line, "code", "code %q appears twice (first on line %d)", ur.Unit.Code, old.line)
					continue
				}
				if !actor.Can(schedule.ActImport, old.path) {
					rep.Add(line, "code", "code %q is already used by another unit", ur.Unit.Code)
					continue
				}
				if old.path != schedule.ChildPath(parent.path, old.id) {
					rep.Add(line, "parent_code", "unit %q exists under another parent; moving units by import is not supported", ur.Unit.Code)
					continue
				}
				res, err := tx.NewUpdate().Table("units").Set("name = ?, name_hi = ?", ur.Unit.Name, ur.Unit.NameHi).
					Where("id = ? AND (name <> ? OR name_hi <> ?)", old.id, ur.Unit.Name, ur.Unit.NameHi).Exec(ctx)
				if err != nil {
					return mapErr(err, schedule.Msgf("unit %s", ur.Unit.Code))
				}
				if n, _ := res.RowsAffected(); n > 0 {
					rep.Updated++
				}
				old.line = line
				refs[ur.Unit.Code] = old
				continue
			}
			maxID++
			row := unitRow{ID: maxID, Depth: lvl.Depth, Code: ur.Unit.Code, Name: ur.Unit.Name, NameHi: ur.Unit.NameHi, Path: schedule.ChildPath(parent.path, maxID)}
			if lvl.Depth > 0 {
				row.ParentID = &parent.id
			}
			refs[row.Code] = unitRef{id: row.ID, path: row.Path, depth: row.Depth, line: line}
			if rep.Total > 0 {
				continue // already failing: keep checking, stop writing
			}
			batch = append(batch, row)
			rep.Inserted++
			if len(batch) == 500 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := rep.Err(schedule.Msgf("units import")); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		if s.Postgres() {
			if _, err := tx.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('units', 'id'), GREATEST((SELECT MAX(id) FROM units), 1))"); err != nil {
				return fmt.Errorf("advance unit ids: %w", err)
			}
		}
		return s.audit(ctx, tx, actor, "import", "units", 0, firstRoot(actor), schedule.Msgf("%d rows: %d added, %d renamed", rep.Rows, rep.Inserted, rep.Updated))
	})
	if err != nil {
		rep.Inserted, rep.Updated = 0, 0
	}
	return rep, err
}

func firstRoot(a schedule.Actor) string {
	if len(a.Scope.Roots) == 0 {
		return "/"
	}
	return a.Scope.Roots[0]
}

// stagingColumns are the columns of the import_workers staging table, in
// load order.
var stagingColumns = []string{"line", "name", "name_key", "mobile", "voter_id", "gender", "social", "email", "language", "unit_id", "unit_path", "work", "active", "roles"}

// ImportWorkers reads a workers CSV and merges it into the worker records in
// one transaction: rows are checked while streaming into a staging table
// (COPY on Postgres), duplicates and scope are checked in SQL, then workers
// are updated (matched by voter ID, else mobile) or inserted, and roles
// added. Any bad row means nothing is written; the report lists problems.
// On Postgres the first load into an empty workers table skips the staging
// table and COPYs straight into the worker tables (import_direct.go).
func (s *Store) ImportWorkers(ctx context.Context, actor schedule.Actor, r io.Reader, progress Progress) (ImportReport, error) {
	rep := ImportReport{Kind: "workers"}
	if err := s.identityPaused(ctx, actor); err != nil {
		return rep, err
	}
	roles, err := s.Roles(ctx)
	if err != nil {
		return rep, err
	}
	roleSet := map[string]bool{}
	for _, r := range roles {
		roleSet[r.Key] = true
	}
	cr := newCSVReader(r)
	h, width, err := readHeader(cr, schedule.WorkerColumns, schedule.WorkerRequired)
	if err != nil {
		return rep, err
	}
	refs, err := s.unitRefs(ctx, s.db)
	if err != nil {
		return rep, err
	}
	src := &workerSource{cr: cr, h: h, width: width, refs: refs, roles: roleSet, actor: actor, rep: &rep, progress: progress, line: 1}
	run := func(ctx context.Context, ix importer) error {
		if err := ix.exec(ctx, createStaging(s.Postgres())); err != nil {
			return fmt.Errorf("create staging table: %w", err)
		}
		src.start()
		err := ix.load(ctx, src)
		src.stop()
		if err != nil {
			return fmt.Errorf("load staging table: %w", err)
		}
		if rep.Total > 0 {
			return rep.Err(schedule.Msgf("workers import"))
		}
		bulk, err := s.lockWorkers(ctx, ix)
		if err != nil {
			return err
		}
		if err := s.checkStaging(ctx, ix, actor, &rep); err != nil {
			return err
		}
		if err := rep.Err(schedule.Msgf("workers import")); err != nil {
			return err
		}
		return s.mergeStaging(ctx, ix, actor, &rep, bulk)
	}
	if s.Postgres() {
		err = s.withPgx(ctx, func(conn *pgx.Conn) error {
			// Staging lives in session-local buffers: give them room before
			// the session's first temporary table (later it cannot change,
			// and the default stays, only slower).
			if _, err := conn.Exec(ctx, "SET temp_buffers = '256MB'"); err != nil {
				s.log.Debug("temp_buffers unchanged", "err", err)
			}
			return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				// Duplicate checks and matching are hash aggregates and joins
				// over the whole file; let them run in memory.
				if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '128MB'"); err != nil {
					return fmt.Errorf("set work_mem: %w", err)
				}
				ix := timedImporter{pgxImporter{tx}, s.log}
				empty, err := claimEmptyWorkers(ctx, ix)
				if err != nil {
					return err
				}
				if empty {
					return s.importDirect(ctx, ix, tx, actor, src, &rep)
				}
				return run(ctx, ix)
			})
		})
	} else {
		err = s.withSQLiteConn(ctx, func(conn *sql.Conn) error {
			return s.inSQLTx(ctx, conn, func(tx *sql.Tx) error { return run(ctx, timedImporter{sqlImporter{tx}, s.log}) })
		})
	}
	if err != nil {
		rep.Inserted, rep.Updated = 0, 0
	}
	if _, perr := s.recordProbes(ctx, actor, "import", rep.probes); perr != nil {
		err = errors.Join(err, perr)
	}
	return rep, err
}

// createStaging returns the DDL of the staging table; on Postgres it drops
// itself at commit, on SQLite mergeStaging drops it.
func createStaging(pg bool) string {
	ddl := `CREATE TEMP TABLE import_workers (line BIGINT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, mobile TEXT, voter_id TEXT,
		gender TEXT NOT NULL, social TEXT NOT NULL, email TEXT NOT NULL, language TEXT NOT NULL,
		unit_id BIGINT NOT NULL, unit_path TEXT NOT NULL, work TEXT NOT NULL, active BOOLEAN NOT NULL,
		roles TEXT, worker_id BIGINT)`
	if pg {
		ddl += " ON COMMIT DROP"
	}
	return ddl
}

// checkStaging finds problems only visible across rows: duplicates inside
// the file, rows that are the same person twice, and mobiles or voter IDs
// of workers outside the actor's area (identity.go: named inside the
// area, "another area" outside it, counted as probes against the actor's
// budget; over the budget the import is refused as a whole).
func (s *Store) checkStaging(ctx context.Context, ix importer, actor schedule.Actor, rep *ImportReport) error {
	dupes := []struct{ col, cond, what string }{
		{"voter_id", "voter_id IS NOT NULL", "voter ID"},
		{"mobile", "mobile IS NOT NULL", "mobile"},
	}
	for _, d := range dupes {
		q := fmt.Sprintf(`SELECT %[1]s, MIN(line), MAX(line), COUNT(*) FROM import_workers WHERE %[2]s
			GROUP BY %[1]s HAVING COUNT(*) > 1 ORDER BY MIN(line) LIMIT %[3]d`, d.col, d.cond, schedule.MaxReportedRowErrors)
		err := ix.query(ctx, q, func(scan func(...any) error) error {
			var val string
			var first, last, n int64
			if err := scan(&val, &first, &last, &n); err != nil {
				return err
			}
			rep.Add(int(last), d.col, "%s %s appears %d times in the file (first on line %d)", d.what, val, n, first)
			return nil
		})
		if err != nil {
			return fmt.Errorf("check duplicate %s: %w", d.col, err)
		}
	}
	has, err := ix.queryInt(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM workers LIMIT 1) t")
	if err != nil {
		return fmt.Errorf("check workers table: %w", err)
	}
	if has == 0 {
		return nil
	}
	// Match by voter ID with a join (one pass over both), then the rows
	// still unmatched by mobile: rows without a voter ID, and rows whose
	// (new) voter ID joins a record that has none yet.
	for _, q := range []string{
		`UPDATE import_workers SET worker_id = w.id FROM workers w WHERE w.voter_id = import_workers.voter_id`,
		`UPDATE import_workers SET worker_id = (SELECT w.id FROM workers w WHERE w.mobile = import_workers.mobile
			AND (import_workers.voter_id IS NULL OR w.voter_id IS NULL))
			WHERE worker_id IS NULL AND mobile IS NOT NULL`,
	} {
		if err := ix.exec(ctx, q); err != nil {
			return fmt.Errorf("match existing workers: %w", err)
		}
	}
	// Only for people in the actor's area: two rows matching a record
	// elsewhere (one by voter ID, one by mobile) would tell the importer
	// that the two belong together; those rows get the uniform "another
	// area" answer below, like any other match outside the area.
	// (Such groups are rare: the area is checked on them only.)
	inArea := "1 = 1"
	if !actor.System {
		inArea = scopeSQL("w.unit_path", actor.Scope)
	}
	err = ix.query(ctx, `SELECT d.first, d.last FROM (SELECT worker_id, MIN(line) AS first, MAX(line) AS last FROM import_workers
		WHERE worker_id IS NOT NULL GROUP BY worker_id HAVING COUNT(*) > 1) d JOIN workers w ON w.id = d.worker_id
		WHERE `+inArea+` ORDER BY d.first LIMIT 100`, func(scan func(...any) error) error {
		var first, last int64
		if err := scan(&first, &last); err != nil {
			return err
		}
		rep.Add(int(last), "voter_id", "this row and line %d are the same person (matched by voter ID or mobile)", first)
		return nil
	})
	if err != nil {
		return fmt.Errorf("check rows matching one worker: %w", err)
	}
	var probes []outOfArea
	var probeLines []int
	// Rows that update a worker outside the actor's area.
	if !actor.System {
		q := `SELECT s.line, CASE WHEN s.voter_id = w.voter_id THEN 'voter_id' ELSE 'mobile' END, COALESCE(s.voter_id, s.mobile)
			FROM import_workers s JOIN workers w ON w.id = s.worker_id WHERE NOT (` + scopeSQL("w.unit_path", actor.Scope) + `) ORDER BY s.line LIMIT 1000`
		err := ix.query(ctx, q, func(scan func(...any) error) error {
			var line int64
			var field, value string
			if err := scan(&line, &field, &value); err != nil {
				return err
			}
			probes, probeLines = append(probes, outOfArea{field: field, value: value}), append(probeLines, int(line))
			return nil
		})
		if err != nil {
			return fmt.Errorf("check workers outside the area: %w", err)
		}
	}
	// Rows giving a mobile to someone while another worker holds it (and
	// keeps it: a worker in the actor's area whose row in this file
	// changes their mobile frees it, so two people may swap numbers in one
	// file).
	err = ix.query(ctx, `SELECT s.line, s.mobile, w.id, w.name, w.unit_path FROM import_workers s JOIN workers w ON w.mobile = s.mobile
		WHERE s.mobile IS NOT NULL AND (s.worker_id IS NULL OR w.id <> s.worker_id)
		AND NOT ((`+scopeSQL("w.unit_path", actor.Scope)+`)
			AND EXISTS (SELECT 1 FROM import_workers s2 WHERE s2.worker_id = w.id AND (s2.mobile IS NULL OR s2.mobile <> w.mobile)))
		ORDER BY s.line LIMIT 1000`, func(scan func(...any) error) error {
		var line, id int64
		var mobile, name, path string
		if err := scan(&line, &mobile, &id, &name, &path); err != nil {
			return err
		}
		if actor.Can(schedule.ActRead, path) {
			rep.Add(int(line), "mobile", "mobile %s is already recorded for %s (worker %d); a mobile is one person's login, so change or clear it there first", mobile, name, id)
			return nil
		}
		probes, probeLines = append(probes, outOfArea{field: "mobile", value: mobile}), append(probeLines, int(line))
		return nil
	})
	if err != nil {
		return fmt.Errorf("check mobiles held by others: %w", err)
	}
	if len(probes) == 0 {
		return nil
	}
	rep.probes = probes
	rw, err := s.PeekRate(ctx, probeKey(actor), ProbeWindow, s.now())
	if err != nil {
		return err
	}
	if len(probes) > s.probeBudget-rw.Used {
		return schedule.Errorf(schedule.ELIMIT, "this file matches more people registered in other areas than you may check today; nothing was imported: ask the state office to move them, or remove those rows")
	}
	for i, p := range probes {
		rep.AddError(probeLines[i], p.field, outOfAreaError(p.field))
	}
	return nil
}

// scopeSQL renders a scope as a SQL condition on col. Paths hold only
// digits and '/', checked here, so inlining them is safe.
func scopeSQL(col string, scope schedule.Scope) string {
	if scope.Empty() {
		return "1 = 0"
	}
	var parts []string
	for _, root := range scope.Roots {
		lo, hi := schedule.SubtreeRange(root)
		if strings.Trim(lo, "0123456789/") != "" {
			return "1 = 0"
		}
		parts = append(parts, fmt.Sprintf("(%s >= '%s' AND %s < '%s')", col, lo, col, hi))
	}
	return strings.Join(parts, " OR ")
}

// mergeStaging writes the checked staging rows into workers and roles.
// With bulk set, secondary indexes and foreign keys of the worker tables
// are dropped first and rebuilt after (one sort each, and one join to
// validate each key, instead of millions of per-row updates and checks);
// the transaction makes that invisible to everyone else.
func (s *Store) mergeStaging(ctx context.Context, ix importer, actor schedule.Actor, rep *ImportReport, bulk bool) error {
	pg := s.Postgres()
	var rebuild []string
	if bulk {
		var err error
		if rebuild, err = dropWorkerIndexes(ctx, ix, false); err != nil {
			return err
		}
	}
	base, err := ix.queryInt(ctx, "SELECT COALESCE(MAX(id), 0) FROM workers")
	if err != nil {
		return fmt.Errorf("next worker id: %w", err)
	}
	// Only rows that differ are rewritten, so re-importing the same file
	// changes nothing and reports no updates.
	now, distinct := "CURRENT_TIMESTAMP", "IS NOT"
	if pg {
		now, distinct = "now()", "IS DISTINCT FROM"
	}
	// A worker whose mobile changes lets go of it first, so two workers
	// can swap numbers in one file under the unique key.
	if err := ix.exec(ctx, `UPDATE workers SET mobile = NULL FROM import_workers s
		WHERE s.worker_id = workers.id AND workers.mobile IS NOT NULL AND (s.mobile IS NULL OR s.mobile <> workers.mobile)`); err != nil {
		return fmt.Errorf("free changed mobiles: %w", err)
	}
	updated, err := ix.execN(ctx, `UPDATE workers SET name = s.name, name_key = s.name_key, mobile = s.mobile,
		voter_id = COALESCE(s.voter_id, workers.voter_id), gender = s.gender, social = s.social, email = s.email,
		language = s.language, unit_id = s.unit_id, unit_path = s.unit_path, work = s.work, active = s.active, updated_at = `+now+`
		FROM import_workers s WHERE workers.id = s.worker_id
		AND (workers.name, workers.mobile, workers.voter_id, workers.gender, workers.social, workers.email,
			workers.language, workers.unit_id, workers.work, workers.active)
		`+distinct+` (s.name, s.mobile, COALESCE(s.voter_id, workers.voter_id), s.gender, s.social, s.email,
			s.language, s.unit_id, s.work, s.active)`)
	if err != nil {
		return fmt.Errorf("update workers: %w", err)
	}
	inserted, err := ix.execN(ctx, fmt.Sprintf(`INSERT INTO workers (id, name, name_key, mobile, voter_id, gender, social, email, language, unit_id, unit_path, work, active, updated_at)
		SELECT %d + line, name, name_key, mobile, voter_id, gender, social, email, language, unit_id, unit_path, work, active, %s
		FROM import_workers WHERE worker_id IS NULL`, base, now))
	if err != nil {
		return fmt.Errorf("insert workers: %w", mapErr(err, "worker"))
	}
	roleRows := "import_workers s, json_each(s.roles) r"
	if pg {
		roleRows = "import_workers s CROSS JOIN LATERAL json_array_elements_text(s.roles::json) AS r(value)"
	}
	if err := ix.exec(ctx, fmt.Sprintf(`INSERT INTO worker_roles (worker_id, role_key, unit_id, unit_path)
		SELECT COALESCE(s.worker_id, %d + s.line), r.value, s.unit_id, s.unit_path FROM %s
		WHERE s.roles IS NOT NULL ON CONFLICT DO NOTHING`, base, roleRows)); err != nil {
		return fmt.Errorf("insert roles: %w", err)
	}
	for _, ddl := range rebuild {
		if err := ix.exec(ctx, ddl); err != nil {
			return fmt.Errorf("rebuild %q: %w", ddl, err)
		}
	}
	if pg {
		if err := ix.exec(ctx, "SELECT setval(pg_get_serial_sequence('workers', 'id'), GREATEST((SELECT MAX(id) FROM workers), 1))"); err != nil {
			return fmt.Errorf("advance worker ids: %w", err)
		}
	} else if err := ix.exec(ctx, "DROP TABLE import_workers"); err != nil {
		return fmt.Errorf("drop staging table: %w", err)
	}
	rep.Inserted, rep.Updated = int(inserted), int(updated)
	detail := fmt.Sprintf("%d rows: %d added, %d updated", rep.Rows, rep.Inserted, rep.Updated)
	var actorID any
	if actor.WorkerID != 0 {
		actorID = actor.WorkerID
	}
	return ix.exec(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, unit_path, detail) VALUES (`+now+`, ?, ?, 'import', 'workers', 0, ?, ?)`,
		actorID, actor.Name, firstRoot(actor), detail)
}

// DefaultBulkRows is the staged row count from which a Postgres import
// rebuilds the worker tables' indexes and keys instead of maintaining them
// row by row. It then holds an exclusive lock for the import's last phase,
// which is acceptable for a state-wide load and avoided for everyday files.
const DefaultBulkRows = 100_000

// SetBulkRows changes the bulk import threshold (tests).
func (s *Store) SetBulkRows(n int) { s.bulkRows = n }

// lockWorkers locks the worker tables against concurrent writers (and, in
// bulk mode, readers) before rows are matched, so a match cannot go stale.
// It reports whether this is a bulk import.
func (s *Store) lockWorkers(ctx context.Context, ix importer) (bool, error) {
	if !s.Postgres() {
		return false, nil // SQLite: the immediate transaction already excludes writers
	}
	staged, err := ix.queryInt(ctx, "SELECT COUNT(*) FROM import_workers")
	if err != nil {
		return false, fmt.Errorf("count staged rows: %w", err)
	}
	bulk := staged >= int64(s.bulkRows)
	mode := "SHARE ROW EXCLUSIVE"
	if bulk {
		mode = "ACCESS EXCLUSIVE"
	}
	if err := ix.exec(ctx, "LOCK TABLE workers, worker_roles IN "+mode+" MODE"); err != nil {
		return false, fmt.Errorf("lock workers: %w", err)
	}
	if bulk {
		if err := ix.exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
			return false, fmt.Errorf("set maintenance_work_mem: %w", err)
		}
	}
	return bulk, nil
}

// dropWorkerIndexes drops the foreign keys, unique constraints and
// secondary indexes of workers and worker_roles and returns the DDL that
// recreates them, read from the catalogue so it always matches the
// migrations. Primary keys stay, as other tables refer to them, unless
// withPrimary is set (a load into empty tables): then they go too, with the
// foreign keys of other tables that refer to workers.
func dropWorkerIndexes(ctx context.Context, ix importer, withPrimary bool) ([]string, error) {
	var drops, rebuild []string
	kinds, referring := "'f', 'u'", ""
	if withPrimary {
		kinds, referring = "'f', 'u', 'p'", " OR (c.contype = 'f' AND c.confrelid = 'workers'::regclass)"
	}
	// Rebuilt in the order u, p, f (keys before the foreign keys that need
	// them); dropped in the reverse order.
	err := ix.query(ctx, `SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
		FROM pg_constraint c WHERE (c.conrelid IN ('workers'::regclass, 'worker_roles'::regclass) AND c.contype IN (`+kinds+`))`+referring+`
		ORDER BY c.contype DESC, c.conrelid::regclass::text, c.conname`, func(scan func(...any) error) error {
		var table, name, def, kind string
		if err := scan(&table, &name, &def, &kind); err != nil {
			return err
		}
		drops = append([]string{fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", table, name)}, drops...)
		rebuild = append(rebuild, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", table, name, def))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read worker constraints: %w", err)
	}
	err = ix.query(ctx, `SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename IN ('workers', 'worker_roles')
		AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))`, func(scan func(...any) error) error {
		var name, def string
		if err := scan(&name, &def); err != nil {
			return err
		}
		drops = append(drops, "DROP INDEX "+name)
		rebuild = append([]string{def}, rebuild...) // indexes before keys: key checks use them
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read worker indexes: %w", err)
	}
	for _, d := range drops {
		if err := ix.exec(ctx, d); err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
	}
	// Unique keys before foreign keys on rebuild: ORDER BY contype DESC put
	// 'u' first among constraints already.
	return rebuild, nil
}

// importer runs the import's SQL on one connection inside one transaction;
// it hides whether that is pgx (for COPY) or database/sql (SQLite).
type importer interface {
	exec(ctx context.Context, q string, args ...any) error
	execN(ctx context.Context, q string, args ...any) (int64, error)
	queryInt(ctx context.Context, q string) (int64, error)
	query(ctx context.Context, q string, row func(scan func(...any) error) error) error
	load(ctx context.Context, src *workerSource) error
}

// timedImporter logs each step's duration at debug level, so a slow import
// can be taken apart step by step (-log-level debug).
type timedImporter struct {
	importer
	log *slog.Logger
}

func (t timedImporter) step(q string, start time.Time) {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 70 {
		q = q[:70]
	}
	t.log.Debug("import step", "sql", q, "took", time.Since(start).Round(time.Millisecond))
}

func (t timedImporter) exec(ctx context.Context, q string, args ...any) error {
	defer t.step(q, time.Now())
	return t.importer.exec(ctx, q, args...)
}

func (t timedImporter) execN(ctx context.Context, q string, args ...any) (int64, error) {
	defer t.step(q, time.Now())
	return t.importer.execN(ctx, q, args...)
}

func (t timedImporter) query(ctx context.Context, q string, row func(scan func(...any) error) error) error {
	defer t.step(q, time.Now())
	return t.importer.query(ctx, q, row)
}

func (t timedImporter) load(ctx context.Context, src *workerSource) error {
	defer t.step("load staging", time.Now())
	return t.importer.load(ctx, src)
}

type pgxImporter struct{ tx pgx.Tx }

func (p pgxImporter) exec(ctx context.Context, q string, args ...any) error {
	_, err := p.execN(ctx, q, args...)
	return err
}

func (p pgxImporter) execN(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := p.tx.Exec(ctx, dollarPlaceholders(q), args...)
	return tag.RowsAffected(), err
}

func (p pgxImporter) queryInt(ctx context.Context, q string) (int64, error) {
	var n int64
	err := p.tx.QueryRow(ctx, q).Scan(&n)
	return n, err
}

func (p pgxImporter) query(ctx context.Context, q string, row func(scan func(...any) error) error) error {
	rows, err := p.tx.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, row)
}

// rowIter is what pgx.Rows and *sql.Rows have in common.
type rowIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

func eachRow(rows rowIter, row func(scan func(...any) error) error) error {
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (p pgxImporter) load(ctx context.Context, src *workerSource) error {
	_, err := p.tx.CopyFrom(ctx, pgx.Identifier{"import_workers"}, stagingColumns, writingSource{src})
	return err
}

// writingSource passes on a workerSource's rows until some row had a
// problem, then only drains it: the import will fail, so the rest of the
// file is read for its problems but not sent to the database.
type writingSource struct{ *workerSource }

// Next advances to the next row worth sending (pgx.CopyFromSource).
func (w writingSource) Next() bool {
	for w.workerSource.Next() {
		if !w.failed.Load() {
			return true
		}
	}
	return false
}

// dollarPlaceholders rewrites ? placeholders as $1, $2… for pgx.
func dollarPlaceholders(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

type sqlImporter struct{ tx *sql.Tx }

func (q sqlImporter) exec(ctx context.Context, s string, args ...any) error {
	_, err := q.tx.ExecContext(ctx, s, args...)
	return err
}

func (q sqlImporter) execN(ctx context.Context, s string, args ...any) (int64, error) {
	res, err := q.tx.ExecContext(ctx, s, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqlImporter) queryInt(ctx context.Context, s string) (int64, error) {
	var n int64
	err := q.tx.QueryRowContext(ctx, s).Scan(&n)
	return n, err
}

func (q sqlImporter) query(ctx context.Context, s string, row func(scan func(...any) error) error) error {
	rows, err := q.tx.QueryContext(ctx, s)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, row)
}

// load inserts rows in multi-row statements; once a row problem is found it
// keeps reading to report the rest but stops writing.
func (q sqlImporter) load(ctx context.Context, src *workerSource) error {
	const perStmt = 400
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(stagingColumns)), ",") + ")"
	full := "INSERT INTO import_workers (" + strings.Join(stagingColumns, ",") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+",", perStmt), ",")
	stmt, err := q.tx.PrepareContext(ctx, full)
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 0, perStmt*len(stagingColumns))
	n := 0
	flush := func(last bool) error {
		if n == 0 {
			return nil
		}
		var err error
		if last && n < perStmt {
			_, err = q.tx.ExecContext(ctx, "INSERT INTO import_workers ("+strings.Join(stagingColumns, ",")+") VALUES "+
				strings.TrimSuffix(strings.Repeat(one+",", n), ","), args...)
		} else {
			_, err = stmt.ExecContext(ctx, args...)
		}
		args, n = args[:0], 0
		return err
	}
	for src.Next() {
		if src.failed.Load() {
			continue // keep reading to report every problem, stop writing
		}
		vals, _ := src.Values()
		args = append(args, vals...)
		n++
		if n == perStmt {
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	if err := src.Err(); err != nil {
		return err
	}
	return flush(true)
}

// withPgx runs fn on a raw pgx connection from the pool (for COPY).
func (s *Store) withPgx(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("get connection: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("connection is %T, not pgx", dc)
		}
		return fn(c.Conn())
	})
}

// withSQLiteConn runs fn on one connection, so the TEMP staging table is
// seen by every statement.
func (s *Store) withSQLiteConn(ctx context.Context, fn func(*sql.Conn) error) error {
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("get connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS temp.import_workers"); err != nil {
		return fmt.Errorf("clear staging table: %w", err)
	}
	return fn(conn)
}

func (s *Store) inSQLTx(ctx context.Context, conn *sql.Conn, fn func(*sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback() //nolint:errcheck // the first error is the one to report
		return err
	}
	return tx.Commit()
}
