package tour

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/karyakram/karyakram/schedule"
)

// CSV formats (a header row names the columns; order is free; ';'
// separates list values):
//
//	places.csv     id,name,name_hi,kind,lat,lon,areas,visit_minutes,days,open,close,languages
//	vistaraks.csv  id,name,mobile,lat,lon,days,max_visits_per_day,max_km_per_day,max_visits,day_start,day_end,languages,exclude_areas,areas
//	matrix.csv     from,to,km,minutes
//	plan.csv       vistarak,vistarak_name,date,seq,place,place_name,start,end,km_from_prev,route_km
//
// Only id, lat and lon (places, vistaraks), from, to and km (matrix) and
// vistarak, date, seq and place (plan) are required. Readers are
// all-or-nothing: every bad cell is reported by file, line and column.

// PlaceColumns, VistarakColumns, MatrixColumns and PlanColumns are the CSV
// headers the writers produce.
var (
	PlaceColumns    = []string{"id", "name", "name_hi", "kind", "lat", "lon", "areas", "visit_minutes", "days", "open", "close", "languages"}
	VistarakColumns = []string{"id", "name", "mobile", "lat", "lon", "days", "max_visits_per_day", "max_km_per_day", "max_visits", "day_start", "day_end", "languages", "exclude_areas", "areas"}
	MatrixColumns   = []string{"from", "to", "km", "minutes"}
	PlanColumns     = []string{"vistarak", "vistarak_name", "date", "seq", "place", "place_name", "start", "end", "km_from_prev", "route_km"}
)

// csvTable is a parsed CSV with its header and the line of every record.
type csvTable struct {
	what  string
	cols  map[string]int
	names []string
	rows  [][]string
	lines []int
	src   *csvSource
}

// csvSource is the file a row was read from and its columns, so that
// validation names the file, line and column of a bad value.
type csvSource struct {
	what string         // the file's name
	cols map[string]int // column name → index
}

func readTable(r io.Reader, what string, required ...string) (*csvTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	t := &csvTable{what: what, cols: map[string]int{}}
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, schedule.FieldError(fmt.Sprintf("%s line %d, column %d", what, pe.Line, pe.Column), "%v", pe.Err)
			}
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			for i, name := range rec {
				name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
				if _, dup := t.cols[name]; dup && name != "" {
					return nil, schedule.FieldError(fmt.Sprintf("%s line %d, column %d", what, line, i+1), "column %q appears twice", name)
				}
				t.cols[name] = i
				t.names = append(t.names, name)
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	if first {
		return nil, schedule.FieldError(what, "the file is empty (a header row is required)")
	}
	t.src = &csvSource{what: what, cols: t.cols}
	var missing []string
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, schedule.FieldError(what+" line 1", "missing column(s) %s", strings.Join(missing, ", "))
	}
	return t, nil
}

// cell reads one row's cells and collects errors naming line and column.
type cell struct {
	t    *csvTable
	row  int
	errs *[]error
}

func (c cell) str(col string) string {
	i, ok := c.t.cols[col]
	rec := c.t.rows[c.row]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(schedule.UncellCSV(rec[i]))
}

func (c cell) fail(col, format string, args ...any) {
	*c.errs = append(*c.errs, schedule.FieldError(
		fmt.Sprintf("%s line %d, column %d (%s)", c.t.what, c.t.lines[c.row], c.t.cols[col]+1, col), format, args...))
}

func (c cell) float(col string, required bool) float64 {
	s := c.str(col)
	if s == "" {
		if required {
			c.fail(col, "is required")
		}
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		c.fail(col, "%q is not a number", s)
	}
	return v
}

func (c cell) int(col string) int {
	s := c.str(col)
	if s == "" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		c.fail(col, "%q is not a whole number", s)
	}
	return v
}

func (c cell) list(col string) []string {
	s := c.str(col)
	if s == "" {
		return nil
	}
	var out []string
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (c cell) clock(col string) string {
	s := c.str(col)
	if s == "" {
		return ""
	}
	if _, err := parseClock(s); err != nil {
		c.fail(col, "%v", err)
	}
	return s
}

func (c cell) required(col string) string {
	s := c.str(col)
	if s == "" {
		c.fail(col, "is required")
	}
	return s
}

// ReadPlacesCSV reads places.csv.
func ReadPlacesCSV(r io.Reader) ([]Place, error) { return ReadPlacesCSVNamed(r, "places.csv") }

// ReadPlacesCSVNamed is ReadPlacesCSV with the file named name in messages.
func ReadPlacesCSVNamed(r io.Reader, name string) ([]Place, error) {
	t, err := readTable(r, name, "id", "lat", "lon")
	if err != nil {
		return nil, err
	}
	var errs []error
	out := make([]Place, 0, len(t.rows))
	for i := range t.rows {
		c := cell{t, i, &errs}
		out = append(out, Place{ID: c.required("id"), Name: c.str("name"), NameHi: c.str("name_hi"), Kind: c.str("kind"),
			Lat: c.float("lat", true), Lon: c.float("lon", true), Areas: c.list("areas"), VisitMinutes: c.int("visit_minutes"),
			Days: c.list("days"), Open: c.clock("open"), Close: c.clock("close"), Languages: c.list("languages"), line: t.lines[i], src: t.src})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// ReadVistaraksCSV reads vistaraks.csv.
func ReadVistaraksCSV(r io.Reader) ([]Vistarak, error) {
	return ReadVistaraksCSVNamed(r, "vistaraks.csv")
}

// ReadVistaraksCSVNamed is ReadVistaraksCSV with the file named name in messages.
func ReadVistaraksCSVNamed(r io.Reader, name string) ([]Vistarak, error) {
	t, err := readTable(r, name, "id", "lat", "lon")
	if err != nil {
		return nil, err
	}
	var errs []error
	out := make([]Vistarak, 0, len(t.rows))
	for i := range t.rows {
		c := cell{t, i, &errs}
		out = append(out, Vistarak{ID: c.required("id"), Name: c.str("name"), Mobile: c.str("mobile"),
			Lat: c.float("lat", true), Lon: c.float("lon", true), Days: c.list("days"),
			MaxVisitsPerDay: c.int("max_visits_per_day"), MaxKmPerDay: c.float("max_km_per_day", false), MaxVisits: c.int("max_visits"),
			DayStart: c.clock("day_start"), DayEnd: c.clock("day_end"), Languages: c.list("languages"),
			ExcludeAreas: c.list("exclude_areas"), Areas: c.list("areas"), line: t.lines[i], src: t.src})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// ReadMatrixCSV reads matrix.csv (road km and optionally minutes between
// place or vistarak IDs).
func ReadMatrixCSV(r io.Reader) ([]Leg, error) { return ReadMatrixCSVNamed(r, "matrix.csv") }

// ReadMatrixCSVNamed is ReadMatrixCSV with the file named name in messages.
func ReadMatrixCSVNamed(r io.Reader, name string) ([]Leg, error) {
	t, err := readTable(r, name, "from", "to", "km")
	if err != nil {
		return nil, err
	}
	var errs []error
	out := make([]Leg, 0, len(t.rows))
	for i := range t.rows {
		c := cell{t, i, &errs}
		out = append(out, Leg{From: c.required("from"), To: c.required("to"), Km: c.float("km", true), Minutes: c.float("minutes", false), line: t.lines[i], src: t.src})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// PlanRow is one visit of a plan as read from plan.csv.
type PlanRow struct {
	Vistarak string `json:"vistarak"`
	Date     string `json:"date"`
	Seq      int    `json:"seq"`
	Place    string `json:"place"`
	Line     int    `json:"line,omitempty"`

	src *csvSource
}

// ReadPlanCSV reads plan.csv (as written by WritePlanCSV, or made by hand:
// vistarak, date, seq and place are enough).
func ReadPlanCSV(r io.Reader) ([]PlanRow, error) { return ReadPlanCSVNamed(r, "plan.csv") }

// ReadPlanCSVNamed is ReadPlanCSV with the file named name in messages.
func ReadPlanCSVNamed(r io.Reader, name string) ([]PlanRow, error) {
	t, err := readTable(r, name, "vistarak", "date", "seq", "place")
	if err != nil {
		return nil, err
	}
	var errs []error
	out := make([]PlanRow, 0, len(t.rows))
	for i := range t.rows {
		c := cell{t, i, &errs}
		row := PlanRow{Vistarak: c.required("vistarak"), Date: c.required("date"), Place: c.required("place"), Line: t.lines[i], src: t.src}
		if s := c.str("seq"); s == "" {
			c.fail("seq", "is required")
		} else if n, err := strconv.Atoi(s); err != nil || n < 1 {
			c.fail("seq", "%q is not a visit number (1, 2, …)", s)
		} else {
			row.Seq = n
		}
		out = append(out, row)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func joinList(l []string) string { return strings.Join(l, ";") }

func fnum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func inum(v int) string {
	if v == 0 {
		return ""
	}
	return strconv.Itoa(v)
}

// WritePlacesCSV writes places.csv.
func WritePlacesCSV(w io.Writer, places []Place) error {
	cw := schedule.NewCSVWriter(w)
	_ = cw.Write(PlaceColumns)
	for _, p := range places {
		_ = cw.Write([]string{p.ID, p.Name, p.NameHi, p.Kind, fnum(p.Lat), fnum(p.Lon), joinList(p.Areas), inum(p.VisitMinutes),
			joinList(p.Days), p.Open, p.Close, joinList(p.Languages)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write places.csv: %w", err)
	}
	return nil
}

// WriteVistaraksCSV writes vistaraks.csv.
func WriteVistaraksCSV(w io.Writer, vs []Vistarak) error {
	cw := schedule.NewCSVWriter(w)
	_ = cw.Write(VistarakColumns)
	for _, v := range vs {
		km := ""
		if v.MaxKmPerDay > 0 {
			km = fnum(v.MaxKmPerDay)
		}
		_ = cw.Write([]string{v.ID, v.Name, v.Mobile, fnum(v.Lat), fnum(v.Lon), joinList(v.Days), inum(v.MaxVisitsPerDay), km,
			inum(v.MaxVisits), v.DayStart, v.DayEnd, joinList(v.Languages), joinList(v.ExcludeAreas), joinList(v.Areas)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write vistaraks.csv: %w", err)
	}
	return nil
}

// WritePlanCSV writes a plan's visits, one row per visit, routes by
// vistarak and date.
func WritePlanCSV(w io.Writer, in *Instance, routes []Route) error {
	names := make(map[string]string, len(in.Vistaraks))
	for _, v := range in.Vistaraks {
		names[v.ID] = v.Name
	}
	cw := schedule.NewCSVWriter(w)
	_ = cw.Write(PlanColumns)
	for _, r := range routes {
		for k, v := range r.Visits {
			_ = cw.Write([]string{r.Vistarak, names[r.Vistarak], r.Date, strconv.Itoa(k + 1), v.Place, v.Name, v.Start, v.End,
				strconv.FormatFloat(v.KmFromPrev, 'f', 2, 64), strconv.FormatFloat(r.Km, 'f', 2, 64)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write plan.csv: %w", err)
	}
	return nil
}

// ReadInstanceJSON reads a campaign as JSON (Instance); syntax and type
// errors name the line and column.
func ReadInstanceJSON(r io.Reader) (*Instance, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read campaign json: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var in Instance
	if err := dec.Decode(&in); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(data, se.Offset)
			return nil, schedule.FieldError(fmt.Sprintf("campaign json line %d, column %d", line, col), "%v", se)
		case errors.As(err, &te):
			line, col := lineCol(data, te.Offset)
			return nil, schedule.FieldError(fmt.Sprintf("campaign json line %d, column %d (%s)", line, col, te.Field), "%s cannot be %s", te.Value, te.Type)
		}
		return nil, schedule.FieldError("campaign json", "%v", err)
	}
	return &in, nil
}

// lineCol converts a byte offset to a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// WriteJSON writes v as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
