package store

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/karyakram/karyakram/schedule"
)

// workerSource streams validated rows of a workers CSV; rows with problems
// are reported and skipped, so every problem of the file is found in one
// pass without holding the file in memory.
//
// Reading and checking run beside the load: one goroutine reads the CSV
// into batches of records, a few check and encode batches in parallel
// (checks are independent per row; only the unit and role maps, read-only,
// are shared), and one merges the batches back in file order, so the
// report, the progress calls and the rows come out exactly as a single
// pass would give them. Memory stays bounded by the channels' capacity.
type workerSource struct {
	cr       *csv.Reader
	h        schedule.Header
	width    int
	refs     map[string]unitRef
	roles    map[string]bool
	actor    schedule.Actor
	rep      *ImportReport // written by the merger; read after the rows end
	progress Progress
	line     int
	err      error

	failed  atomic.Bool // some row had a problem: loaders may stop writing
	direct  *directLoad // set when rows go straight into workers (import_direct.go)
	batches chan [][]any
	quit    chan struct{}
	wg      sync.WaitGroup
	spare   chan *rawBatch // merged batches, for the reader to reuse
	batch   [][]any
	row     []any
}

// rawBatchSize is how many records travel together through the pipeline.
const rawBatchSize = 1024

// rawBatch is a run of consecutive records and, once done is closed, what
// checking them gave.
type rawBatch struct {
	items []rawItem
	arena []string // the fields of all items

	done   chan struct{}
	rows   int // data rows (not CSV syntax errors)
	errs   schedule.RowErrors
	staged [][]any // staging rows (staged load)
	out    []byte  // workers rows in COPY text (direct load)
	roles  []byte  // worker_roles rows in COPY text (direct load)

	roleRows int
}

// reset empties a merged batch for reuse; what it handed on (staged rows,
// encoded rows) belongs to the receiver now.
func (b *rawBatch) reset() {
	clear(b.arena) // let the file's strings go
	b.items, b.arena = b.items[:0], b.arena[:0]
	b.rows, b.errs, b.staged, b.out = 0, schedule.RowErrors{}, nil, nil
	b.roles = b.roles[:0]
	b.roleRows = 0
}

type rawItem struct {
	line       int
	start, end int          // fields in arena
	syntax     schedule.Msg // a CSV syntax error instead of fields
}

// run starts the pipeline; emit is called by the merger, in file order,
// with each batch worth writing (none after the first problem).
func (ws *workerSource) run(emit func(*rawBatch) bool, done func()) {
	ws.quit = make(chan struct{})
	workers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	ws.spare = make(chan *rawBatch, 3*workers+4)
	work := make(chan *rawBatch, workers)
	ordered := make(chan *rawBatch, 2*workers+2)
	ws.wg.Add(2 + workers)
	go func() { // reader
		defer ws.wg.Done()
		defer close(work)
		defer close(ordered)
		for {
			b, more := ws.read()
			if len(b.items) > 0 {
				select {
				case ordered <- b:
				case <-ws.quit:
					return
				}
				select {
				case work <- b:
				case <-ws.quit:
					close(b.done) // never checked; the merger has quit too
					return
				}
			}
			if !more {
				return
			}
		}
	}()
	for range workers {
		go func() {
			defer ws.wg.Done()
			for b := range work {
				ws.check(b)
				close(b.done)
			}
		}()
	}
	go func() { // merger
		defer ws.wg.Done()
		defer done()
		for b := range ordered {
			select {
			case <-b.done:
			case <-ws.quit:
				return
			}
			ws.merge(b)
			if b.errs.Total > 0 {
				ws.failed.Store(true)
			}
			if !ws.failed.Load() && !emit(b) {
				return
			}
			b.reset()
			select {
			case ws.spare <- b:
			default:
			}
		}
	}()
}

// read reads the next batch of records; more is false at the end of the
// file (or at a read failure, left in ws.err).
func (ws *workerSource) read() (b *rawBatch, more bool) {
	select {
	case b = <-ws.spare:
	default:
		b = &rawBatch{arena: make([]string, 0, rawBatchSize*ws.width), items: make([]rawItem, 0, rawBatchSize)}
	}
	b.done = make(chan struct{})
	for len(b.items) < rawBatchSize {
		ws.line++
		rec, err := ws.cr.Read()
		if err == io.EOF {
			return b, false
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				b.items = append(b.items, rawItem{line: pe.StartLine, syntax: csvErr(err)})
				continue
			}
			ws.err = fmt.Errorf("read line %d: %w", ws.line, err)
			return b, false
		}
		line, _ := ws.cr.FieldPos(0)
		start := len(b.arena)
		b.arena = append(b.arena, rec...)
		b.items = append(b.items, rawItem{line: line, start: start, end: len(b.arena)})
	}
	return b, true
}

// check validates a batch's records into its errors and, unless the file
// is failing already, its output rows.
func (ws *workerSource) check(b *rawBatch) {
	for _, it := range b.items {
		if !it.syntax.IsZero() {
			b.errs.AddMsg(it.line, "", it.syntax)
			continue
		}
		b.rows++
		rec := b.arena[it.start:it.end:it.end]
		before := b.errs.Total
		if !ws.h.CheckRecord(it.line, rec, ws.width, &b.errs) {
			continue
		}
		wr, ok := schedule.ParseWorkerRecord(ws.h, it.line, rec, ws.roles, &b.errs)
		if !ok || b.errs.Total > before {
			continue
		}
		u, ok := ws.refs[wr.UnitCode]
		if !ok || !ws.actor.Can(schedule.ActImport, u.path) {
			b.errs.Add(it.line, "unit_code", "unknown unit %q", wr.UnitCode)
			continue
		}
		if b.errs.Total > 0 || ws.failed.Load() {
			continue // the import fails: keep checking, stop encoding
		}
		if ws.direct != nil {
			ws.direct.appendRow(b, int64(it.line), &wr, u)
			continue
		}
		var roles any
		if len(wr.Roles) > 0 {
			j, _ := json.Marshal(wr.Roles)
			roles = string(j)
		}
		w := wr.Worker
		b.staged = append(b.staged, []any{int64(it.line), w.Name, importNameKey(w.Name), nullable(w.Mobile), nullable(w.VoterID),
			w.Gender, w.Social, w.Email, w.Language, u.id, u.path, w.Work, w.Active, roles})
	}
}

// merge adds a checked batch to the report, calling progress at every
// progressEvery rows as a single pass would.
func (ws *workerSource) merge(b *rawBatch) {
	rep := ws.rep
	for _, e := range b.errs.List {
		if len(rep.List) < schedule.MaxReportedRowErrors {
			rep.List = append(rep.List, e)
		}
	}
	rep.Total += b.errs.Total
	before := rep.Rows
	rep.Rows += b.rows
	if ws.progress != nil {
		for n := (before/progressEvery + 1) * progressEvery; n <= rep.Rows; n += progressEvery {
			ws.progress(n)
		}
	}
}

// start launches the pipeline for the staged load (Next and Values).
func (ws *workerSource) start() {
	ws.batches = make(chan [][]any, 4)
	ws.run(func(b *rawBatch) bool {
		if len(b.staged) == 0 {
			return true
		}
		select {
		case ws.batches <- b.staged:
			return true
		case <-ws.quit:
			return false
		}
	}, func() { close(ws.batches) })
}

// stop ends the pipeline (early, after a load error, or at the end) and
// waits for it.
func (ws *workerSource) stop() {
	close(ws.quit)
	if ws.direct != nil {
		for range ws.direct.chunks {
		}
	} else {
		for range ws.batches {
		}
	}
	ws.wg.Wait()
}

// Next advances to the next valid row (pgx.CopyFromSource).
func (ws *workerSource) Next() bool {
	for len(ws.batch) == 0 {
		b, ok := <-ws.batches
		if !ok {
			return false
		}
		ws.batch = b
	}
	ws.row, ws.batch = ws.batch[0], ws.batch[1:]
	return true
}

// Values returns the current row (pgx.CopyFromSource).
func (ws *workerSource) Values() ([]any, error) { return ws.row, nil }

// Err returns a read failure that is not a row problem (pgx.CopyFromSource);
// valid once Next has returned false.
func (ws *workerSource) Err() error { return ws.err }
