// Package tour plans field tours: which vistarak (touring organiser) visits
// which place (a booth or a shakti kendra) on which day, and in what order
// each day's visits go. It is pure domain code (standard library only): the
// campaign as data, its rules, a planner that minimises total travel under
// those rules with a proven lower bound and gap, explanations, checks of
// hand-made or edited plans, re-planning around drop-outs, and CSV/JSON I/O.
//
// The model: every vistarak starts each working day at their stay location,
// visits at most MaxVisitsPerDay places in order (each for its visit length,
// inside the place's time window and on one of its days) and returns, within
// their day hours and MaxKmPerDay. Over the campaign a vistarak makes at most
// MaxVisits visits (the balance rule: by default ⌈Balance × places ÷
// vistaraks⌉). Vistaraks only visit places whose language they speak (when
// the place names one), never in their excluded areas (their own mandal) and
// only in their allowed areas (when given). The objective is the total road
// km of all day routes, plus UncoveredPenaltyKm for each place left out.
package tour

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// DateLayout is the layout of every date of a campaign (ISO 8601 day).
const DateLayout = "2006-01-02"

// Defaults of the campaign rules, used where Rules leaves a field zero.
const (
	DefaultVisitMinutes       = 150
	DefaultMaxVisitsPerDay    = 3
	DefaultMaxKmPerDay        = 60
	DefaultDayStart           = "09:00"
	DefaultDayEnd             = "19:00"
	DefaultBalance            = 1.25
	DefaultRoadFactor         = 1.3
	DefaultSpeedKmh           = 25
	DefaultUncoveredPenaltyKm = 1000
)

// Limits of the model (validated): days are bit masks, routes are ordered
// exactly by enumeration, a matrix is closed into shortest paths.
const (
	MaxDates           = 62
	MaxVisitsPerDayCap = 8
	MaxLanguages       = 64
	MaxMatrixLocations = 1600
)

// Instance is one tour campaign to plan.
type Instance struct {
	// Title names the campaign (free text).
	Title string `json:"title,omitempty"`
	// Dates lists the campaign days as YYYY-MM-DD, in order.
	Dates []string `json:"dates"`
	// Places are the booths or shakti kendras to visit, each once.
	Places []Place `json:"places"`
	// Vistaraks are the touring organisers.
	Vistaraks []Vistarak `json:"vistaraks"`
	// Rules are the campaign-wide defaults and the objective's settings.
	Rules Rules `json:"rules"`
	// Matrix optionally gives road distances and times between locations
	// (place or vistarak IDs); other pairs use great-circle × RoadFactor at
	// SpeedKmh. Routes use the shortest path through the matrix.
	Matrix []Leg `json:"matrix,omitempty"`
}

// Rules are campaign-wide rules and defaults. Zero fields take the defaults.
type Rules struct {
	// VisitMinutes is the default visit length.
	VisitMinutes int `json:"visit_minutes,omitempty"`
	// MaxVisitsPerDay is the default cap of visits per vistarak per day.
	MaxVisitsPerDay int `json:"max_visits_per_day,omitempty"`
	// MaxKmPerDay is the default cap of road km per vistarak per day.
	MaxKmPerDay float64 `json:"max_km_per_day,omitempty"`
	// DayStart and DayEnd (HH:MM) are the default working hours: a vistarak
	// leaves their stay at DayStart at the earliest and is back by DayEnd.
	DayStart string `json:"day_start,omitempty"`
	DayEnd   string `json:"day_end,omitempty"`
	// Balance sets the default cap of visits per vistarak over the campaign
	// to ⌈Balance × places ÷ vistaraks⌉ (≥ 1): nobody is loaded far above
	// the average, and the spare capacity absorbs drop-outs.
	Balance float64 `json:"balance,omitempty"`
	// RoadFactor multiplies great-circle distance to estimate road distance.
	RoadFactor float64 `json:"road_factor,omitempty"`
	// SpeedKmh converts road km to travel minutes where the matrix has none.
	SpeedKmh float64 `json:"speed_kmh,omitempty"`
	// UncoveredPenaltyKm is added to the objective for every place left out
	// (a place no vistarak can take, or one the capacities cannot fit).
	UncoveredPenaltyKm float64 `json:"uncovered_penalty_km,omitempty"`
}

// Place is a booth or shakti kendra to visit once.
type Place struct {
	// ID is the place's unique code (e.g. the booth's unit code).
	ID string `json:"id"`
	// Name and NameHi name the place for people.
	Name   string `json:"name,omitempty"`
	NameHi string `json:"name_hi,omitempty"`
	// Kind is "booth" or "shakti_kendra" (free text; informative).
	Kind string `json:"kind,omitempty"`
	// Lat and Lon locate the place in degrees.
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	// Areas are the codes of the units the place lies in (district, mandal,
	// …), matched against vistaraks' excluded and allowed areas.
	Areas []string `json:"areas,omitempty"`
	// VisitMinutes is the visit length; 0 takes the campaign default.
	VisitMinutes int `json:"visit_minutes,omitempty"`
	// Days restricts the visit to these dates; empty means any date.
	Days []string `json:"days,omitempty"`
	// Open and Close (HH:MM) bound the visit: it starts at Open at the
	// earliest and ends by Close. Empty means the vistarak's working hours.
	Open  string `json:"open,omitempty"`
	Close string `json:"close,omitempty"`
	// Languages lists the languages spoken at the place; a vistarak must
	// speak one of them. Empty means any vistarak.
	Languages []string `json:"languages,omitempty"`

	line int        // CSV line, for messages
	src  *csvSource // CSV file and columns, for messages
}

// Vistarak is a touring organiser.
type Vistarak struct {
	// ID is the vistarak's unique code.
	ID string `json:"id"`
	// Name and Mobile identify the person.
	Name   string `json:"name,omitempty"`
	Mobile string `json:"mobile,omitempty"`
	// Lat and Lon locate the stay location every day route starts and ends at.
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	// Days lists the dates the vistarak is available; empty means every date.
	Days []string `json:"days,omitempty"`
	// MaxVisitsPerDay, MaxKmPerDay and MaxVisits (over the campaign)
	// override the campaign rules when positive.
	MaxVisitsPerDay int     `json:"max_visits_per_day,omitempty"`
	MaxKmPerDay     float64 `json:"max_km_per_day,omitempty"`
	MaxVisits       int     `json:"max_visits,omitempty"`
	// DayStart and DayEnd (HH:MM) override the campaign's working hours.
	DayStart string `json:"day_start,omitempty"`
	DayEnd   string `json:"day_end,omitempty"`
	// Languages the vistarak speaks.
	Languages []string `json:"languages,omitempty"`
	// ExcludeAreas are unit codes the vistarak must not visit (their own
	// mandal): a place in any of them is not theirs.
	ExcludeAreas []string `json:"exclude_areas,omitempty"`
	// Areas, when given, are the only unit codes the vistarak may visit.
	Areas []string `json:"areas,omitempty"`

	line int        // CSV line, for messages
	src  *csvSource // CSV file and columns, for messages
}

// Leg is one entry of a distance/time matrix between two locations (place
// or vistarak IDs). It applies in both directions unless the reverse leg is
// listed too.
type Leg struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Km      float64 `json:"km"`
	Minutes float64 `json:"minutes,omitempty"`

	line int
	src  *csvSource
}

// withDefaults returns the rules with zero fields replaced by defaults.
func (r Rules) withDefaults() Rules {
	if r.VisitMinutes == 0 {
		r.VisitMinutes = DefaultVisitMinutes
	}
	if r.MaxVisitsPerDay == 0 {
		r.MaxVisitsPerDay = DefaultMaxVisitsPerDay
	}
	if r.MaxKmPerDay == 0 {
		r.MaxKmPerDay = DefaultMaxKmPerDay
	}
	if r.DayStart == "" {
		r.DayStart = DefaultDayStart
	}
	if r.DayEnd == "" {
		r.DayEnd = DefaultDayEnd
	}
	if r.Balance == 0 {
		r.Balance = DefaultBalance
	}
	if r.RoadFactor == 0 {
		r.RoadFactor = DefaultRoadFactor
	}
	if r.SpeedKmh == 0 {
		r.SpeedKmh = DefaultSpeedKmh
	}
	if r.UncoveredPenaltyKm == 0 {
		r.UncoveredPenaltyKm = DefaultUncoveredPenaltyKm
	}
	return r
}

// parseClock reads HH:MM as minutes after midnight (24:00 allowed).
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(m) != 2 || len(h) < 1 || len(h) > 2 {
		return 0, fmt.Errorf("%q is not a time HH:MM", s)
	}
	var hh, mm int
	if _, err := fmt.Sscanf(h+" "+m, "%d %d", &hh, &mm); err != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("%q is not a time HH:MM", s)
	}
	return hh*60 + mm, nil
}

// clock formats minutes after midnight as HH:MM.
func clock(min float64) string {
	m := int(math.Round(min))
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

func validLatLon(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !math.IsNaN(lat) && !math.IsNaN(lon) && !(lat == 0 && lon == 0)
}

// where names an input row for messages: "places[3] (id B12, line 5)".
func where(kind string, i int, id string, line int) string {
	s := fmt.Sprintf("%s[%d]", kind, i)
	switch {
	case id != "" && line > 0:
		s += fmt.Sprintf(" (id %s, line %d)", id, line)
	case id != "":
		s += fmt.Sprintf(" (id %s)", id)
	case line > 0:
		s += fmt.Sprintf(" (line %d)", line)
	}
	return s
}

// rowRef names another row of the same input: its line when read from a
// file, else its index.
func rowRef(kind string, i, line int) string {
	if line > 0 {
		return fmt.Sprintf("line %d", line)
	}
	return fmt.Sprintf("%s[%d]", kind, i)
}

// rowField names one field of an input row for messages. Rows read from a
// CSV file name the file, line and column(s), as the readers do:
// "p.csv line 5, column 3 (lat)"; other rows their index and ID:
// "places[3] (id B12).lat". A field "a/b" names both columns; "days[2]"
// the days column.
func rowField(kind string, i int, id string, line int, src *csvSource, field string) string {
	if src == nil || line <= 0 {
		if field == "" {
			return where(kind, i, id, line)
		}
		return where(kind, i, id, line) + "." + field
	}
	s := fmt.Sprintf("%s line %d", src.what, line)
	var cols []string
	for _, name := range strings.Split(field, "/") {
		if k := strings.IndexByte(name, '['); k >= 0 {
			name = name[:k]
		}
		if c, ok := src.cols[name]; ok {
			cols = append(cols, fmt.Sprintf("column %d (%s)", c+1, name))
		} else if name != "" {
			cols = append(cols, "("+name+")")
		}
	}
	if len(cols) > 0 {
		s += ", " + strings.Join(cols, " and ")
	}
	return s
}

// Validate reports every malformed field of the instance, each as a
// *schedule.Error naming the rule's field and the row (index, ID and CSV
// line when known), joined into one error (nil if valid).
func (in *Instance) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, schedule.FieldError(field, format, args...))
	}
	r := in.Rules
	if len(in.Dates) == 0 {
		add("dates", "at least one date is required")
	}
	if len(in.Dates) > MaxDates {
		add("dates", "%d dates: a campaign has at most %d", len(in.Dates), MaxDates)
	}
	dateSeen := map[string]bool{}
	var prev time.Time
	for i, d := range in.Dates {
		t, err := time.Parse(DateLayout, d)
		switch {
		case err != nil:
			add(fmt.Sprintf("dates[%d]", i), "%q is not a YYYY-MM-DD date", d)
		case dateSeen[d]:
			add(fmt.Sprintf("dates[%d]", i), "date %s is listed twice", d)
		case !prev.IsZero() && !t.After(prev):
			add(fmt.Sprintf("dates[%d]", i), "date %s is not after %s (dates go in order)", d, prev.Format(DateLayout))
		}
		if err == nil {
			prev = t
		}
		dateSeen[d] = true
	}
	checkDays := func(field func(string) string, days []string) {
		for j, d := range days {
			if !dateSeen[d] {
				add(field(fmt.Sprintf("days[%d]", j)), "%q is not a date of the campaign", d)
			}
		}
	}
	if r.VisitMinutes < 0 {
		add("rules.visit_minutes", "must not be negative (got %d)", r.VisitMinutes)
	}
	if r.MaxVisitsPerDay < 0 || r.MaxVisitsPerDay > MaxVisitsPerDayCap {
		add("rules.max_visits_per_day", "must be 1 to %d (got %d)", MaxVisitsPerDayCap, r.MaxVisitsPerDay)
	}
	if r.MaxKmPerDay < 0 || math.IsNaN(r.MaxKmPerDay) || math.IsInf(r.MaxKmPerDay, 0) {
		add("rules.max_km_per_day", "must be a positive number (got %v)", r.MaxKmPerDay)
	}
	ruleStart, ruleEnd := -1, -1
	if r.DayStart != "" {
		if m, err := parseClock(r.DayStart); err != nil {
			add("rules.day_start", "%v", err)
		} else {
			ruleStart = m
		}
	}
	if r.DayEnd != "" {
		if m, err := parseClock(r.DayEnd); err != nil {
			add("rules.day_end", "%v", err)
		} else {
			ruleEnd = m
		}
	}
	if ruleStart >= 0 && ruleEnd >= 0 && ruleEnd <= ruleStart {
		add("rules.day_end", "%s is not after day_start %s", r.DayEnd, r.DayStart)
	}
	if r.Balance != 0 && (r.Balance < 1 || math.IsNaN(r.Balance) || math.IsInf(r.Balance, 0)) {
		add("rules.balance", "must be at least 1 (got %v)", r.Balance)
	}
	if r.RoadFactor != 0 && (r.RoadFactor < 1 || math.IsNaN(r.RoadFactor) || math.IsInf(r.RoadFactor, 0)) {
		add("rules.road_factor", "must be at least 1 (got %v)", r.RoadFactor)
	}
	if r.SpeedKmh < 0 || math.IsNaN(r.SpeedKmh) || math.IsInf(r.SpeedKmh, 0) {
		add("rules.speed_kmh", "must be a positive number (got %v)", r.SpeedKmh)
	}
	if r.UncoveredPenaltyKm < 0 || math.IsNaN(r.UncoveredPenaltyKm) || math.IsInf(r.UncoveredPenaltyKm, 0) {
		add("rules.uncovered_penalty_km", "must be a positive number (got %v)", r.UncoveredPenaltyKm)
	}
	def := r.withDefaults()
	defStart, _ := parseClock(def.DayStart)
	defEnd, _ := parseClock(def.DayEnd)
	if ruleStart >= 0 {
		defStart = ruleStart
	}
	if ruleEnd >= 0 {
		defEnd = ruleEnd
	}

	langs := map[string]bool{}
	if len(in.Places) == 0 {
		add("places", "at least one place is required")
	}
	placeSeen := map[string]int{}
	for i, p := range in.Places {
		f := func(field string) string { return rowField("places", i, p.ID, p.line, p.src, field) }
		if strings.TrimSpace(p.ID) == "" {
			add(f("id"), "is empty")
		} else if j, dup := placeSeen[p.ID]; dup {
			add(f("id"), "place %q duplicates %s", p.ID, rowRef("places", j, in.Places[j].line))
		} else {
			placeSeen[p.ID] = i
		}
		if !validLatLon(p.Lat, p.Lon) {
			add(f("lat/lon"), "(%v, %v) is not a coordinate", p.Lat, p.Lon)
		}
		if p.VisitMinutes < 0 {
			add(f("visit_minutes"), "must not be negative (got %d)", p.VisitMinutes)
		}
		visit := p.VisitMinutes
		if visit == 0 {
			visit = def.VisitMinutes
		}
		checkDays(f, p.Days)
		open, close := defStart, defEnd
		if p.Open != "" {
			m, err := parseClock(p.Open)
			if err != nil {
				add(f("open"), "%v", err)
			}
			open = m
		}
		if p.Close != "" {
			m, err := parseClock(p.Close)
			if err != nil {
				add(f("close"), "%v", err)
			}
			close = m
		}
		if (p.Open != "" || p.Close != "") && close-open < visit {
			add(f("open/close"), "the window %s–%s is shorter than the %d-minute visit", clock(float64(open)), clock(float64(close)), visit)
		}
		for _, l := range p.Languages {
			langs[normLang(l)] = true
		}
	}
	if len(in.Vistaraks) == 0 {
		add("vistaraks", "at least one vistarak is required")
	}
	vSeen := map[string]int{}
	for i, v := range in.Vistaraks {
		f := func(field string) string { return rowField("vistaraks", i, v.ID, v.line, v.src, field) }
		if strings.TrimSpace(v.ID) == "" {
			add(f("id"), "is empty")
		} else if j, dup := vSeen[v.ID]; dup {
			add(f("id"), "vistarak %q duplicates %s", v.ID, rowRef("vistaraks", j, in.Vistaraks[j].line))
		} else if j, clash := placeSeen[v.ID]; clash {
			add(f("id"), "vistarak %q has the ID of a place (%s; IDs name matrix locations)", v.ID, rowRef("places", j, in.Places[j].line))
		} else {
			vSeen[v.ID] = i
		}
		if !validLatLon(v.Lat, v.Lon) {
			add(f("lat/lon"), "(%v, %v) is not a stay location", v.Lat, v.Lon)
		}
		checkDays(f, v.Days)
		if v.MaxVisitsPerDay < 0 || v.MaxVisitsPerDay > MaxVisitsPerDayCap {
			add(f("max_visits_per_day"), "must be 1 to %d (got %d)", MaxVisitsPerDayCap, v.MaxVisitsPerDay)
		}
		if v.MaxKmPerDay < 0 || math.IsNaN(v.MaxKmPerDay) || math.IsInf(v.MaxKmPerDay, 0) {
			add(f("max_km_per_day"), "must be a positive number (got %v)", v.MaxKmPerDay)
		}
		if v.MaxVisits < 0 {
			add(f("max_visits"), "must not be negative (got %d)", v.MaxVisits)
		}
		start, end := defStart, defEnd
		if v.DayStart != "" {
			m, err := parseClock(v.DayStart)
			if err != nil {
				add(f("day_start"), "%v", err)
			}
			start = m
		}
		if v.DayEnd != "" {
			m, err := parseClock(v.DayEnd)
			if err != nil {
				add(f("day_end"), "%v", err)
			}
			end = m
		}
		if end <= start {
			add(f("day_start/day_end"), "working hours %s–%s are empty", clock(float64(start)), clock(float64(end)))
		}
		for _, l := range v.Languages {
			langs[normLang(l)] = true
		}
	}
	if len(langs) > MaxLanguages {
		add("languages", "%d distinct languages: at most %d are supported", len(langs), MaxLanguages)
	}
	if len(in.Matrix) > 0 {
		locs := map[string]bool{}
		for i, l := range in.Matrix {
			f := func(field string) string { return rowField("matrix", i, "", l.line, l.src, field) }
			for k, id := range []string{l.From, l.To} {
				_, isP := placeSeen[id]
				_, isV := vSeen[id]
				if !isP && !isV {
					col := ""
					if l.src != nil {
						col = []string{"from", "to"}[k]
					}
					add(f(col), "%q is neither a place nor a vistarak", id)
				}
				locs[id] = true
			}
			if l.From == l.To {
				add(f(""), "leg from %q to itself", l.From)
			}
			if l.Km < 0 || math.IsNaN(l.Km) || math.IsInf(l.Km, 0) {
				add(f("km"), "must be a non-negative number (got %v)", l.Km)
			}
			if l.Minutes < 0 || math.IsNaN(l.Minutes) || math.IsInf(l.Minutes, 0) {
				add(f("minutes"), "must be a non-negative number (got %v)", l.Minutes)
			}
		}
		if n := len(in.Places) + len(in.Vistaraks); n > MaxMatrixLocations {
			add("matrix", "a distance matrix is supported for up to %d places and vistaraks together (this campaign has %d): plan by district, or use great-circle distances", MaxMatrixLocations, n)
		}
	}
	return errors.Join(errs...)
}

func normLang(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
