package roster

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/karyakram/karyakram/schedule"
)

// RosterRow is one row of a roster CSV
// (date,host_city,host_city_hi,org_district,org_district_hi).
type RosterRow struct {
	Date       string `json:"date"`
	Host       string `json:"host_city"`
	HostHi     string `json:"host_city_hi,omitempty"`
	District   string `json:"org_district"`
	DistrictHi string `json:"org_district_hi,omitempty"`
}

// csvTable reads a CSV with a header and gives access by column name.
type csvTable struct {
	cols map[string]int
	rows [][]string
}

func readTable(r io.Reader, what string, required ...string) (*csvTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	records, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, schedule.CellError(what, pe.Line, "", schedule.CSVProblem(err))
		}
		return nil, fmt.Errorf("read %s csv: %w", what, err)
	}
	if len(records) == 0 {
		return nil, schedule.FieldError(what, "csv is empty (a header row is required)")
	}
	t := &csvTable{cols: map[string]int{}, rows: records[1:]}
	for i, name := range records[0] {
		t.cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, schedule.FieldError(what, "missing column(s) %s", strings.Join(missing, ", "))
	}
	return t, nil
}

func (t *csvTable) get(row []string, col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(schedule.UncellCSV(row[i]))
}

// ReadRosterCSV reads roster rows (the fixture format).
func ReadRosterCSV(r io.Reader) ([]RosterRow, error) {
	t, err := readTable(r, "roster", "date", "host_city", "org_district")
	if err != nil {
		return nil, err
	}
	var errs []error
	rows := make([]RosterRow, 0, len(t.rows))
	for i, rec := range t.rows {
		row := RosterRow{Date: t.get(rec, "date"), Host: t.get(rec, "host_city"), HostHi: t.get(rec, "host_city_hi"),
			District: t.get(rec, "org_district"), DistrictHi: t.get(rec, "org_district_hi")}
		line := i + 2
		if row.Date == "" || row.Host == "" || row.District == "" {
			errs = append(errs, schedule.CellError("roster", line, "", schedule.Msgf("date, host_city and org_district are required")))
			continue
		}
		rows = append(rows, row)
	}
	return rows, errors.Join(errs...)
}

// WriteRosterCSV writes assignments in the fixture format, with Hindi names
// from the instance.
func WriteRosterCSV(w io.Writer, in *Instance, rows []Assignment) error {
	hostHi := map[string]string{}
	for _, h := range in.Hosts {
		hostHi[normName(h.Name)] = h.NameHi
	}
	distHi := map[string]string{}
	for _, d := range in.Districts {
		distHi[normName(d.Name)] = d.NameHi
	}
	cw := schedule.NewCSVWriter(w)
	if err := cw.Write([]string{"date", "host_city", "host_city_hi", "org_district", "org_district_hi"}); err != nil {
		return fmt.Errorf("write roster csv: %w", err)
	}
	for _, a := range rows {
		if err := cw.Write([]string{a.Date, a.Host, hostHi[normName(a.Host)], a.District, distHi[normName(a.District)]}); err != nil {
			return fmt.Errorf("write roster csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write roster csv: %w", err)
	}
	return nil
}

// ReadHostsCSV reads candidate hosts: town,town_hi,lat,lon and optionally
// max_districts, max_attendees and dates (';'-separated). The headquarters
// file (mp-district-hq.csv) is a valid hosts file.
func ReadHostsCSV(r io.Reader) ([]Host, error) {
	t, err := readTable(r, "hosts", "town", "lat", "lon")
	if err != nil {
		return nil, err
	}
	var errs []error
	hosts := make([]Host, 0, len(t.rows))
	for i, rec := range t.rows {
		line := i + 2
		h := Host{Name: t.get(rec, "town"), NameHi: t.get(rec, "town_hi")}
		if v := t.get(rec, "lat"); !parseFloat(v, &h.Lat) {
			errs = append(errs, schedule.CellError("hosts", line, "lat", schedule.NotANumber(v)))
		}
		if v := t.get(rec, "lon"); !parseFloat(v, &h.Lon) {
			errs = append(errs, schedule.CellError("hosts", line, "lon", schedule.NotANumber(v)))
		}
		for _, col := range []struct {
			name string
			dst  *int
		}{{"max_districts", &h.MaxDistricts}, {"max_attendees", &h.MaxAttendees}} {
			if v := t.get(rec, col.name); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					errs = append(errs, schedule.CellError("hosts", line, col.name, schedule.Msgf("%q is not a whole number", v)))
				}
				*col.dst = n
			}
		}
		if v := t.get(rec, "dates"); v != "" {
			for _, d := range strings.Split(v, ";") {
				if d = strings.TrimSpace(d); d != "" {
					h.Dates = append(h.Dates, d)
				}
			}
		}
		hosts = append(hosts, h)
	}
	return hosts, errors.Join(errs...)
}

// WriteHostsCSV writes hosts in the format ReadHostsCSV reads.
func WriteHostsCSV(w io.Writer, hosts []Host) error {
	cw := schedule.NewCSVWriter(w)
	_ = cw.Write([]string{"town", "town_hi", "lat", "lon", "max_districts", "max_attendees", "dates"})
	for _, h := range hosts {
		_ = cw.Write([]string{h.Name, h.NameHi, ff(h.Lat), ff(h.Lon), strconv.Itoa(h.MaxDistricts), strconv.Itoa(h.MaxAttendees), strings.Join(h.Dates, ";")})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write hosts csv: %w", err)
	}
	return nil
}

// ReadDistrictsCSV reads districts: district,district_hi,hq and optionally
// lat, lon (else the HQ host's) and attendees (default 1).
func ReadDistrictsCSV(r io.Reader) ([]District, error) {
	t, err := readTable(r, "districts", "district", "hq")
	if err != nil {
		return nil, err
	}
	var errs []error
	out := make([]District, 0, len(t.rows))
	for i, rec := range t.rows {
		line := i + 2
		d := District{Name: t.get(rec, "district"), NameHi: t.get(rec, "district_hi"), HQ: t.get(rec, "hq"), Attendees: 1}
		if v := t.get(rec, "lat"); v != "" && !parseFloat(v, &d.Lat) {
			errs = append(errs, schedule.CellError("districts", line, "lat", schedule.NotANumber(v)))
		}
		if v := t.get(rec, "lon"); v != "" && !parseFloat(v, &d.Lon) {
			errs = append(errs, schedule.CellError("districts", line, "lon", schedule.NotANumber(v)))
		}
		if v := t.get(rec, "attendees"); v != "" {
			if d.Attendees, err = strconv.Atoi(v); err != nil {
				errs = append(errs, schedule.CellError("districts", line, "attendees", schedule.Msgf("%q is not a whole number", v)))
			}
		}
		out = append(out, d)
	}
	return out, errors.Join(errs...)
}

// WriteDistrictsCSV writes districts in the format ReadDistrictsCSV reads.
func WriteDistrictsCSV(w io.Writer, districts []District) error {
	cw := schedule.NewCSVWriter(w)
	_ = cw.Write([]string{"district", "district_hi", "hq", "lat", "lon", "attendees"})
	for _, d := range districts {
		_ = cw.Write([]string{d.Name, d.NameHi, d.HQ, ff(d.Lat), ff(d.Lon), strconv.Itoa(d.Attendees)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write districts csv: %w", err)
	}
	return nil
}

// ReadDistanceCSV reads a road distance matrix as rows from,to,km (from is
// a district or HQ town, to a host).
func ReadDistanceCSV(r io.Reader) (map[string]map[string]float64, error) {
	t, err := readTable(r, "distances", "from", "to", "km")
	if err != nil {
		return nil, err
	}
	var errs []error
	m := map[string]map[string]float64{}
	for i, rec := range t.rows {
		var km float64
		if v := t.get(rec, "km"); !parseFloat(v, &km) {
			errs = append(errs, schedule.CellError("distances", i+2, "km", schedule.NotANumber(v)))
			continue
		}
		from, to := t.get(rec, "from"), t.get(rec, "to")
		if m[from] == nil {
			m[from] = map[string]float64{}
		}
		m[from][to] = km
	}
	return m, errors.Join(errs...)
}

// HQTown derives a district's headquarters town from its name: the
// "X Nagar" (city) and "X Gramin" (rural) districts share town X.
func HQTown(district string) string {
	name := strings.TrimSpace(district)
	for _, suffix := range []string{" Nagar", " Gramin"} {
		if strings.HasSuffix(name, suffix) {
			return strings.TrimSuffix(name, suffix)
		}
	}
	return name
}

// DistrictsFromRoster lists the districts of a roster (first appearance
// order) with HQ towns derived by HQTown and the given attendance each.
// Districts whose HQ town is not among towns are reported by name.
func DistrictsFromRoster(rows []RosterRow, towns []Host, attendees int) ([]District, error) {
	known := map[string]bool{}
	for _, t := range towns {
		known[normName(t.Name)] = true
	}
	seen := map[string]bool{}
	var out []District
	var unknown []string
	for _, r := range rows {
		if seen[normName(r.District)] {
			continue
		}
		seen[normName(r.District)] = true
		hq := HQTown(r.District)
		if !known[normName(hq)] {
			unknown = append(unknown, fmt.Sprintf("%s (HQ %s)", r.District, hq))
		}
		out = append(out, District{Name: r.District, NameHi: r.DistrictHi, HQ: hq, Attendees: attendees})
	}
	if len(unknown) > 0 {
		return nil, schedule.FieldError("org_district", "no headquarters coordinates for %s", strings.Join(unknown, ", "))
	}
	return out, nil
}

// RosterDates returns the distinct dates of a roster, sorted, and the number
// of distinct hosts on each.
func RosterDates(rows []RosterRow) ([]string, []int) {
	hosts := map[string]map[string]bool{}
	for _, r := range rows {
		if hosts[r.Date] == nil {
			hosts[r.Date] = map[string]bool{}
		}
		hosts[r.Date][normName(r.Host)] = true
	}
	dates := make([]string, 0, len(hosts))
	for d := range hosts {
		dates = append(dates, d)
	}
	sort.Strings(dates)
	counts := make([]int, len(dates))
	for i, d := range dates {
		counts[i] = len(hosts[d])
	}
	return dates, counts
}

// RosterWorkshops returns the distinct (host, date) pairs of a roster in
// first-appearance order.
func RosterWorkshops(rows []RosterRow) []HostDate {
	seen := map[HostDate]bool{}
	var out []HostDate
	for _, r := range rows {
		w := HostDate{Host: r.Host, Date: r.Date}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// ReadInstanceJSON decodes an instance, rejecting unknown fields.
func ReadInstanceJSON(r io.Reader) (*Instance, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var in Instance
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("read instance json: %w", err)
	}
	return &in, nil
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

// parseFloat reads s into dst and reports whether it was a number.
func parseFloat(s string, dst *float64) bool {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return false
	}
	*dst = v
	return true
}

func ff(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// InstanceFromRoster builds a series from a roster and the headquarters
// towns: the roster's dates and districts (one attendee each), every town a
// candidate host taking at most maxDistricts districts (0 = no cap), and as
// many trainer teams per date as the roster used workshops that day.
func InstanceFromRoster(title string, rows []RosterRow, towns []Host, maxDistricts int) (*Instance, error) {
	districts, err := DistrictsFromRoster(rows, towns, 1)
	if err != nil {
		return nil, err
	}
	dates, teams := RosterDates(rows)
	hosts := make([]Host, len(towns))
	for i, t := range towns {
		t.MaxDistricts = maxDistricts
		hosts[i] = t
	}
	return &Instance{Title: title, Dates: dates, TeamsPerDate: teams, Hosts: hosts, Districts: districts}, nil
}
