package schedule

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// RowError is one problem in an imported file, located by line and column.
// Reason is the problem in English (for the API and the command line);
// Text is the same in translatable form, for pages.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
	Text   Msg    `json:"-"`
}

func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// MaxReportedRowErrors is how many row errors an import reports in full;
// the rest are counted.
const MaxReportedRowErrors = 100

// RowErrors collects import problems, keeping the first
// MaxReportedRowErrors and counting all.
type RowErrors struct {
	List  []RowError `json:"errors"`
	Total int        `json:"error_count"`
}

// Add records a problem; format is a message format (see Msg).
func (r *RowErrors) Add(line int, column, format string, args ...any) {
	r.AddMsg(line, column, Msgf(format, args...))
}

// AddMsg records a problem given as a message.
func (r *RowErrors) AddMsg(line int, column string, m Msg) {
	r.Total++
	if len(r.List) < MaxReportedRowErrors {
		r.List = append(r.List, RowError{Line: line, Column: column, Reason: m.String(), Text: m})
	}
}

// AddError records a domain error (its message; its field if column is
// empty).
func (r *RowErrors) AddError(line int, column string, err error) {
	var e *Error
	if !asError(err, &e) {
		r.AddMsg(line, column, Msgf(InternalErrorText))
		return
	}
	if column == "" {
		column = e.Field
	}
	r.AddMsg(line, column, e.Msg())
}

// Err returns an EINVALID error summarising the problems, or nil; what
// names the file (Msgf("units import")).
func (r *RowErrors) Err(what Msg) error {
	if r.Total == 0 {
		return nil
	}
	if len(r.List) == 0 {
		return NewError(EINVALID, "", Msgf("%s: %d problem(s), nothing was imported", what, r.Total))
	}
	first := r.List[0]
	if first.Column == "" {
		return NewError(EINVALID, "", Msgf("%s: %d problem(s), nothing was imported; first: line %d: %s", what, r.Total, first.Line, first.msg()))
	}
	return NewError(EINVALID, "", Msgf("%s: %d problem(s), nothing was imported; first: line %d, column %s: %s", what, r.Total, first.Line, first.Column, first.msg()))
}

func (e RowError) msg() Msg {
	if e.Text.IsZero() {
		return Msg{Format: e.Reason}
	}
	return e.Text
}

// CellError is an EINVALID error about one cell of a CSV file: file names
// the file (the field), line and column the cell.
func CellError(file string, line int, column string, m Msg) *Error {
	if column == "" {
		return NewError(EINVALID, file, Msgf("line %d: %s", line, m))
	}
	return NewError(EINVALID, file, Msgf("line %d, column %s: %s", line, column, m))
}

// CSVProblem says in words what is wrong with a line encoding/csv refused;
// the caller adds the line.
func CSVProblem(err error) Msg {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return Msgf(`a quote (") inside a field that is not quoted; quote the whole field and double the quote ("")`)
	case errors.Is(err, csv.ErrQuote):
		return Msgf(`a quoted field is not closed, or has a stray quote after it`)
	case errors.Is(err, csv.ErrFieldCount):
		return Msgf("wrong number of fields")
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return Msgf("the line could not be read as CSV: %s", err.Error())
}

// NotANumber is the problem of a cell that should hold a number.
func NotANumber(v string) Msg { return Msgf("%q is not a number", v) }

// Column sets of the import files. Required columns must be present; the
// others may be left out.
var (
	UnitColumns    = []string{"code", "parent_code", "level", "name", "name_hi"}
	UnitRequired   = []string{"code", "parent_code", "level", "name"}
	WorkerColumns  = []string{"name", "mobile", "voter_id", "gender", "social", "email", "language", "unit_code", "roles", "work", "active"}
	WorkerRequired = []string{"name", "unit_code"}
)

// Header maps column names to positions in a CSV header.
type Header map[string]int

// ParseHeader checks a header row against the known and required columns:
// unknown, duplicate and missing columns are errors naming them.
func ParseHeader(record []string, known, required []string) (Header, error) {
	h := Header{}
	for i, raw := range record {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff")))
		if !contains(known, name) {
			return nil, FieldError("header", "unknown column %q (expected some of: %s)", raw, strings.Join(known, ", "))
		}
		if _, dup := h[name]; dup {
			return nil, FieldError("header", "column %q appears twice", name)
		}
		h[name] = i
	}
	var missing []string
	for _, r := range required {
		if _, ok := h[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return nil, FieldError("header", "missing column(s): %s", strings.Join(missing, ", "))
	}
	return h, nil
}

// Get returns the trimmed value of column name in record, "" when absent,
// with an export's formula guard removed (UncellCSV).
func (h Header) Get(record []string, name string) string {
	i, ok := h[name]
	if !ok || i >= len(record) {
		return ""
	}
	return strings.TrimSpace(UncellCSV(record[i]))
}

// CheckRecord reports a row with the wrong number of fields or text that is
// not UTF-8; both make every other check meaningless.
func (h Header) CheckRecord(line int, record []string, width int, errs *RowErrors) bool {
	if len(record) != width {
		errs.Add(line, "", "has %d fields, the header has %d", len(record), width)
		return false
	}
	for name, i := range h {
		if !utf8.ValidString(record[i]) {
			errs.Add(line, name, "is not valid UTF-8 (save the file as UTF-8)")
			return false
		}
	}
	return true
}

// WorkerRecord is one parsed row of a workers file.
type WorkerRecord struct {
	Worker   Worker
	UnitCode string
	Roles    []string
}

// ParseWorkerRecord validates one workers row. It reports every problem of
// the row to errs and returns false if there was any.
func ParseWorkerRecord(h Header, line int, rec []string, roles map[string]bool, errs *RowErrors) (WorkerRecord, bool) {
	before := errs.Total
	var wr WorkerRecord
	w := &wr.Worker
	w.Name = h.Get(rec, "name")
	if w.Name == "" {
		errs.Add(line, "name", "is required")
	} else if utf8.RuneCountInString(w.Name) > 120 {
		errs.Add(line, "name", "is longer than 120 characters")
	}
	if m := h.Get(rec, "mobile"); m != "" {
		if n, err := NormaliseMobile(m); err != nil {
			errs.AddError(line, "mobile", err)
		} else {
			w.Mobile = n
		}
	}
	if v := h.Get(rec, "voter_id"); v != "" {
		if n, err := NormaliseVoterID(v); err != nil {
			errs.AddError(line, "voter_id", err)
		} else {
			w.VoterID = n
		}
	}
	if w.Mobile == "" && w.VoterID == "" && errs.Total == before {
		errs.Add(line, "voter_id", "a voter ID or a mobile number is needed to recognise the worker on re-import")
	}
	w.Gender, w.Social, w.Email, w.Language, w.Work = h.Get(rec, "gender"), h.Get(rec, "social"), h.Get(rec, "email"), h.Get(rec, "language"), h.Get(rec, "work")
	w.Active = true
	switch strings.ToLower(h.Get(rec, "active")) {
	case "", "1", "true", "yes", "y", "हाँ":
	case "0", "false", "no", "n", "नहीं":
		w.Active = false
	default:
		errs.Add(line, "active", "must be yes or no, not %q", h.Get(rec, "active"))
	}
	wr.UnitCode = h.Get(rec, "unit_code")
	if wr.UnitCode == "" {
		errs.Add(line, "unit_code", "is required")
	}
	for _, r := range strings.Split(h.Get(rec, "roles"), ";") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		if !roles[r] {
			errs.Add(line, "roles", "unknown role %q", r)
			continue
		}
		wr.Roles = append(wr.Roles, r)
	}
	// Field rules shared with the edit form; unit is resolved by the caller.
	if errs.Total == before {
		w.UnitID = -1
		if err := w.Validate(); err != nil {
			errs.AddError(line, "", err)
		}
		w.UnitID = 0
	}
	return wr, errs.Total == before
}

// UnitRecord is one parsed row of a units file.
type UnitRecord struct {
	Unit       Unit
	ParentCode string
	Level      string
}

// ParseUnitRecord validates one units row, reporting problems to errs.
func ParseUnitRecord(h Header, line int, rec []string, errs *RowErrors) (UnitRecord, bool) {
	before := errs.Total
	ur := UnitRecord{
		Unit:       Unit{Code: h.Get(rec, "code"), Name: h.Get(rec, "name"), NameHi: h.Get(rec, "name_hi")},
		ParentCode: h.Get(rec, "parent_code"),
		Level:      h.Get(rec, "level"),
	}
	if err := ur.Unit.Validate(); err != nil {
		errs.AddError(line, "", err)
	}
	if ur.Level == "" {
		errs.Add(line, "level", "is required")
	}
	return ur, errs.Total == before
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
