package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/karyakram/karyakram/schedule"
)

// The first load of workers into an empty PostgreSQL table skips the
// staging table: nothing in the table can match a row of the file, so no
// row is an update, and the rows can be COPYed straight into workers with
// ids assigned in Go (base + line, as the staged path does). Roles go to a
// temporary file during the same pass and are COPYed into worker_roles
// after. Indexes and keys, primary keys included, are dropped first and
// rebuilt after;
// duplicate voter IDs are found by rebuilding the unique key (one sort the
// rebuild does anyway) and only then located by line; mobiles likewise
// (workers_mobile_key). All of it is one transaction, as before.

// directColumns are the workers columns the direct load writes, in order;
// updated_at takes its default (the transaction's start).
var directColumns = []string{"id", "name", "name_key", "mobile", "voter_id", "gender", "social", "email", "language", "unit_id", "unit_path", "work", "active"}

// directLoad is the part of a workerSource that writes rows for the direct
// load. The checking goroutines encode rows in COPY's text format (no
// per-value boxing or encoding plans: the rows are strings already), the
// merger writes the roles to a file and hands the rows, in file order, to
// the loading goroutine, which only passes them to the connection.
type directLoad struct {
	base     int64
	roles    *bufio.Writer // worker_roles rows in COPY text format
	roleRows int
	err      error

	chunks chan []byte // encoded rows, merger to loader
	cur    []byte      // the loader's unread part of a chunk
	last   []byte      // the chunk cur is part of
	spare  chan []byte // chunks read, for the checkers to reuse
}

// start launches the pipeline for the direct load (Read).
func (d *directLoad) start(ws *workerSource) {
	d.chunks = make(chan []byte, 4)
	d.spare = make(chan []byte, 16)
	ws.run(func(b *rawBatch) bool {
		d.roleRows += b.roleRows
		if d.err == nil && len(b.roles) > 0 {
			if _, err := d.roles.Write(b.roles); err != nil {
				d.err = fmt.Errorf("write roles file: %w", err)
			}
		}
		if len(b.out) == 0 {
			return true
		}
		select {
		case d.chunks <- b.out:
			return true
		case <-ws.quit:
			return false
		}
	}, func() { close(d.chunks) })
}

// Read hands the encoded rows to COPY (io.Reader).
func (d *directLoad) Read(p []byte) (int, error) {
	for len(d.cur) == 0 {
		if d.last != nil {
			select {
			case d.spare <- d.last[:0]:
			default:
			}
			d.last = nil
		}
		b, ok := <-d.chunks
		if !ok {
			return 0, io.EOF
		}
		d.cur, d.last = b, b
	}
	n := copy(p, d.cur)
	d.cur = d.cur[n:]
	return n, nil
}

// appendRow appends one workers row in COPY text format (columns as
// directColumns) and writes its roles to the roles file.
func (d *directLoad) appendRow(batch *rawBatch, line int64, wr *schedule.WorkerRecord, u unitRef) {
	w := &wr.Worker
	id := d.base + line
	b := batch.out
	if b == nil {
		select {
		case b = <-d.spare:
		default:
			b = make([]byte, 0, 160*rawBatchSize)
		}
	}
	b = strconv.AppendInt(b, id, 10)
	b = appendCopyField(b, w.Name)
	b = appendCopyField(b, importNameKey(w.Name))
	b = appendCopyNullable(b, w.Mobile)
	b = appendCopyNullable(b, w.VoterID)
	b = appendCopyField(b, w.Gender)
	b = appendCopyField(b, w.Social)
	b = appendCopyField(b, w.Email)
	b = appendCopyField(b, w.Language)
	b = append(b, '\t')
	b = strconv.AppendInt(b, u.id, 10)
	b = appendCopyField(b, u.path)
	b = appendCopyField(b, w.Work)
	if w.Active {
		b = append(b, "\tt\n"...)
	} else {
		b = append(b, "\tf\n"...)
	}
	batch.out = b
	writeRoles(batch, id, wr.Roles, u)
}

// writeRoles encodes a row's roles, each once, for worker_roles.
func writeRoles(batch *rawBatch, id int64, roles []string, u unitRef) {
	for i, r := range roles {
		if containsString(roles[:i], r) {
			continue // the staged path's ON CONFLICT DO NOTHING, row by row
		}
		batch.roleRows++
		b := batch.roles
		b = strconv.AppendInt(b, id, 10)
		b = appendCopyField(b, r)
		b = append(b, '\t')
		b = strconv.AppendInt(b, u.id, 10)
		b = appendCopyField(b, u.path)
		batch.roles = append(b, '\n')
	}
}

// appendCopyField appends a tab and s escaped for COPY's text format.
func appendCopyField(b []byte, s string) []byte {
	return appendCopyText(append(b, '\t'), s)
}

// appendCopyNullable is appendCopyField with "" sent as NULL.
func appendCopyNullable(b []byte, s string) []byte {
	if s == "" {
		return append(b, "\t\\N"...)
	}
	return appendCopyField(b, s)
}

// importNameKey is NameKey in one pass and at most one allocation (none
// for the name that is its own key already): imports compute it for
// every row. TestImportNameKeyIsNameKey holds it to NameKey.
func importNameKey(name string) string {
	if isOwnNameKey(name) {
		return name
	}
	b := make([]byte, 0, len(name)+8)
	space := false // a space is pending before the next word
	for _, r := range name {
		if r < utf8.RuneSelf {
			c := byte(r)
			switch {
			case asciiSpace[c]:
				space = len(b) > 0
				continue
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
			if space {
				b = append(b, ' ')
				space = false
			}
			b = append(b, c)
			continue
		}
		if isIndic(r) {
			// no case, no spaces: as is
		} else if unicode.IsSpace(r) {
			space = len(b) > 0
			continue
		} else {
			r = unicode.ToLower(r)
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// isIndic reports whether r lies in the blocks from Devanagari to Sinhala,
// which have neither letter case nor spaces (TestImportNameKeyIsNameKey
// checks every code point), so names in them skip the Unicode tables.
func isIndic(r rune) bool { return 0x0900 <= r && r < 0x0E00 }

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// isOwnNameKey reports whether NameKey(name) == name: no upper case, no
// whitespace but single spaces between words.
func isOwnNameKey(name string) bool {
	prevSpace := true // a leading space needs NameKey
	for _, r := range name {
		if r == ' ' {
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		if r < utf8.RuneSelf {
			if asciiSpace[r] || 'A' <= r && r <= 'Z' {
				return false
			}
		} else if !isIndic(r) && (r == utf8.RuneError || unicode.IsSpace(r) || unicode.ToLower(r) != r) {
			return false
		}
		prevSpace = false
	}
	return !prevSpace || name == "" // a trailing space needs NameKey
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// copyEscaped marks the bytes COPY's text format escapes.
var copyEscaped = [256]bool{'\\': true, '\t': true, '\n': true, '\r': true}

// appendCopyText appends s escaped for COPY's text format.
func appendCopyText(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if copyEscaped[s[i]] {
			plain = false
			break
		}
	}
	if plain {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	return b
}

// claimEmptyWorkers reports whether the workers table is empty, and if so
// locks the worker tables exclusively for the rest of the transaction so
// it stays empty. An empty workers table has no officials, hence no
// sessions and no readers to keep unblocked, so holding the exclusive lock
// for the whole load costs nobody anything. If a writer slipped in between
// the check and the lock, the import takes the staged path (still holding
// the lock, which is only stronger than that path's own).
func claimEmptyWorkers(ctx context.Context, ix importer) (bool, error) {
	const probe = "SELECT COUNT(*) FROM (SELECT 1 FROM workers LIMIT 1) t"
	n, err := ix.queryInt(ctx, probe)
	if err != nil {
		return false, fmt.Errorf("check workers table: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	if err := ix.exec(ctx, "LOCK TABLE workers, worker_roles IN ACCESS EXCLUSIVE MODE"); err != nil {
		return false, fmt.Errorf("lock workers: %w", err)
	}
	if n, err = ix.queryInt(ctx, probe); err != nil {
		return false, fmt.Errorf("check workers table: %w", err)
	}
	return n == 0, nil
}

// importDirect loads the file straight into the (empty, locked) worker
// tables; see the comment at the top of this file.
func (s *Store) importDirect(ctx context.Context, ix importer, tx pgx.Tx, actor schedule.Actor, src *workerSource, rep *ImportReport) error {
	// Every index and key is rebuilt by a sort over the whole file; at a
	// state's 3,000,000 rows 1GB keeps most of them in memory (measured
	// ~10% faster than 256MB). It is this transaction's only.
	if err := ix.exec(ctx, "SET LOCAL maintenance_work_mem = '1GB'"); err != nil {
		return fmt.Errorf("set maintenance_work_mem: %w", err)
	}
	rebuild, err := dropWorkerIndexes(ctx, ix, true)
	if err != nil {
		return err
	}
	base, err := ix.queryInt(ctx, "SELECT COALESCE(MAX(id), 0) FROM workers")
	if err != nil {
		return fmt.Errorf("next worker id: %w", err)
	}
	f, err := os.CreateTemp("", "karyakram-roles-*.tsv")
	if err != nil {
		return fmt.Errorf("roles file: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	d := &directLoad{base: base, roles: bufio.NewWriterSize(f, 256<<10)}
	src.direct = d

	start := time.Now()
	d.start(src)
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, d, "COPY workers ("+strings.Join(directColumns, ", ")+") FROM STDIN")
	src.stop()
	inserted := tag.RowsAffected()
	s.log.Debug("import step", "sql", "COPY workers (direct)", "took", time.Since(start).Round(time.Millisecond))
	if err != nil {
		return fmt.Errorf("load workers: %w", mapErr(err, "worker"))
	}
	if err := src.Err(); err != nil {
		return err
	}
	if rep.Total > 0 {
		return rep.Err(schedule.Msgf("workers import"))
	}
	if d.err != nil {
		return d.err
	}

	start = time.Now()
	if err := d.roles.Flush(); err != nil {
		return fmt.Errorf("write roles file: %w", err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return fmt.Errorf("read roles file: %w", err)
	}
	if _, err := tx.Conn().PgConn().CopyFrom(ctx, bufio.NewReaderSize(f, 256<<10),
		"COPY worker_roles (worker_id, role_key, unit_id, unit_path) FROM STDIN"); err != nil {
		return fmt.Errorf("load roles: %w", err)
	}
	s.log.Debug("import step", "sql", "COPY worker_roles (direct)", "rows", d.roleRows, "took", time.Since(start).Round(time.Millisecond))

	// Unique keys first, each under a savepoint: a duplicate makes the
	// rebuild fail, and only then is the file searched for the lines.
	var rest []string
	for _, ddl := range rebuild {
		if !strings.Contains(ddl, " UNIQUE ") {
			rest = append(rest, ddl)
			continue
		}
		if err := ix.exec(ctx, "SAVEPOINT unique_key"); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
		err := ix.exec(ctx, ddl)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			if err := ix.exec(ctx, "ROLLBACK TO SAVEPOINT unique_key"); err != nil {
				return fmt.Errorf("rollback to savepoint: %w", err)
			}
			for _, byVoterID := range []bool{true, false} {
				if err := findDirectDuplicates(ctx, ix, base, rep, byVoterID); err != nil {
					return err
				}
			}
			if rep.Total == 0 { // cannot happen: the key failed on a duplicate
				return fmt.Errorf("rebuild %q: %w", ddl, err)
			}
			return rep.Err(schedule.Msgf("workers import"))
		}
		if err != nil {
			return fmt.Errorf("rebuild %q: %w", ddl, err)
		}
		if err := ix.exec(ctx, "RELEASE SAVEPOINT unique_key"); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
	}
	for _, ddl := range rest {
		// worker_roles' key starts with worker_id and workers' is id, both
		// rebuilt just before: checking the foreign key by merging the two
		// indexes is ~3x faster than the hash join the planner picks for
		// the freshly loaded (unanalysed) tables.
		merge := strings.HasPrefix(ddl, "ALTER TABLE worker_roles ADD CONSTRAINT") && strings.Contains(ddl, "FOREIGN KEY (worker_id) REFERENCES workers(id)")
		if merge {
			if err := ix.exec(ctx, "SET LOCAL enable_hashjoin = off"); err != nil {
				return fmt.Errorf("set enable_hashjoin: %w", err)
			}
		}
		if err := ix.exec(ctx, ddl); err != nil {
			return fmt.Errorf("rebuild %q: %w", ddl, err)
		}
		if merge {
			if err := ix.exec(ctx, "SET LOCAL enable_hashjoin = on"); err != nil {
				return fmt.Errorf("set enable_hashjoin: %w", err)
			}
		}
	}
	if err := ix.exec(ctx, "SELECT setval(pg_get_serial_sequence('workers', 'id'), GREATEST((SELECT MAX(id) FROM workers), 1))"); err != nil {
		return fmt.Errorf("advance worker ids: %w", err)
	}
	rep.Inserted, rep.Updated = int(inserted), 0
	var actorID any
	if actor.WorkerID != 0 {
		actorID = actor.WorkerID
	}
	return ix.exec(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, unit_path, detail) VALUES (now(), ?, ?, 'import', 'workers', 0, ?, ?)`,
		actorID, actor.Name, firstRoot(actor), fmt.Sprintf("%d rows: %d added, %d updated", rep.Rows, rep.Inserted, 0))
}

// findDirectDuplicates reports rows of the directly loaded file that share
// a voter ID (byVoterID) or a mobile, by line (id - base), in the words of
// the staged path's check.
func findDirectDuplicates(ctx context.Context, ix importer, base int64, rep *ImportReport, byVoterID bool) error {
	col, cond, what := "voter_id", "voter_id IS NOT NULL", "voter ID"
	if !byVoterID {
		col, cond, what = "mobile", "mobile IS NOT NULL", "mobile"
	}
	q := fmt.Sprintf(`SELECT %[1]s, MIN(id) - %[4]d, MAX(id) - %[4]d, COUNT(*) FROM workers WHERE %[2]s
		GROUP BY %[1]s HAVING COUNT(*) > 1 ORDER BY MIN(id) LIMIT %[3]d`, col, cond, schedule.MaxReportedRowErrors, base)
	err := ix.query(ctx, q, func(scan func(...any) error) error {
		var val string
		var first, last, n int64
		if err := scan(&val, &first, &last, &n); err != nil {
			return err
		}
		rep.Add(int(last), col, "%s %s appears %d times in the file (first on line %d)", what, val, n, first)
		return nil
	})
	if err != nil {
		return fmt.Errorf("check duplicate %s: %w", col, err)
	}
	return nil
}
