package roster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/karyakram/karyakram/schedule"
)

// Violation is one broken rule in a hand-made roster.
type Violation struct {
	// Rule is one of: assignment, one workshop per host, teams per date,
	// availability, capacity, own district at home, district pin, date pin,
	// district exclusion, date exclusion.
	Rule    string `json:"rule"`
	Message string `json:"message"` // English
	// Text is Message in translatable form, naming districts and hosts
	// in both languages (pages show it in the reader's).
	Text      schedule.Msg `json:"text"`
	Districts []string     `json:"districts,omitempty"`
	Hosts     []string     `json:"hosts,omitempty"`
	Date      string       `json:"date,omitempty"`
}

// CheckReport is the verdict on a hand-made roster.
type CheckReport struct {
	Valid          bool        `json:"valid"`
	Violations     []Violation `json:"violations"`
	Workshops      int         `json:"workshops"`
	TravelPersonKm float64     `json:"travel_person_km"`
	Cost           float64     `json:"cost"`
	// Best is the planner's optimal roster with the same hosts and dates.
	Best *Result `json:"best,omitempty"`
	// BestError says why no best roster exists for those hosts and dates.
	BestError string `json:"best_error,omitempty"`
	// Saving is Cost − Best.Cost.
	Saving float64 `json:"saving"`
	// OpenBest is the planner's best roster when any candidate host may
	// hold a workshop (the series' dates, trainer teams, capacities, pins
	// and exclusions): the saving a new roster could bring.
	OpenBest *Result `json:"open_best,omitempty"`
	// OpenBestError says why no open-host roster exists.
	OpenBestError string `json:"open_best_error,omitempty"`
	// OpenSaving is Cost − OpenBest.Cost.
	OpenSaving float64 `json:"open_saving"`
}

// CheckOptions tunes CheckWith.
type CheckOptions struct {
	// SkipOpenHosts leaves out the open-host comparison. It depends on the
	// series only, not on the roster, so live validation while a roster is
	// edited need not repeat it.
	SkipOpenHosts bool
	// Plan tunes the planner runs behind both comparisons (explanations
	// are only made for the same-hosts roster).
	Plan Options
}

// Check validates a hand-made roster with CheckWith's default options.
func Check(ctx context.Context, in *Instance, rows []RosterRow) (*CheckReport, error) {
	return CheckWith(ctx, in, rows, CheckOptions{})
}

// CheckWith validates a hand-made roster against the instance (its pins,
// exclusions, capacities, availability and trainer teams; every district of
// the instance must be assigned), totals its travel and compares it with
// the planner's best roster for the same hosts and dates and, unless
// skipped, with the best roster when any candidate host may hold a
// workshop. Names unknown to the instance are an error naming them all.
func CheckWith(ctx context.Context, in *Instance, rows []RosterRow, opt CheckOptions) (*CheckReport, error) {
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("roster instance: %w", err)
	}
	base := *in
	base.FixedWorkshops = nil
	p := compile(&base)
	var unknownD, unknownH, unknownT []string
	seenU := map[string]bool{}
	addUnknown := func(list *[]string, kind, name string) {
		if !seenU[kind+name] {
			seenU[kind+name] = true
			*list = append(*list, name)
		}
	}
	for _, r := range rows {
		if _, ok := p.distIdx[normName(r.District)]; !ok {
			addUnknown(&unknownD, "d", r.District)
		}
		if _, ok := p.hostIdx[normName(r.Host)]; !ok {
			addUnknown(&unknownH, "h", r.Host)
		}
		if _, ok := p.dateIdx[r.Date]; !ok {
			addUnknown(&unknownT, "t", r.Date)
		}
	}
	var errs []error
	if len(unknownD) > 0 {
		errs = append(errs, schedule.FieldError("org_district", "unknown district(s): %s", strings.Join(unknownD, ", ")))
	}
	if len(unknownH) > 0 {
		errs = append(errs, schedule.FieldError("host_city", "unknown host(s): %s", strings.Join(unknownH, ", ")))
	}
	if len(unknownT) > 0 {
		errs = append(errs, schedule.FieldError("date", "date(s) not in the series: %s", strings.Join(unknownT, ", ")))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	rep := &CheckReport{}
	// Messages name districts and hosts in the reader's language.
	add := func(v Violation, text schedule.Msg) {
		v.Text, v.Message = text, text.String()
		rep.Violations = append(rep.Violations, v)
	}
	names := func(ds []int) []string {
		out := make([]string, len(ds))
		for i, d := range ds {
			out[i] = in.Districts[d].Name
		}
		return out
	}
	dNames := func(ds []int) []schedule.Names {
		out := make([]schedule.Names, len(ds))
		for i, d := range ds {
			out[i] = schedule.Names{En: in.Districts[d].Name, Hi: in.Districts[d].NameHi}
		}
		return out
	}
	dName := func(d int) schedule.Names {
		return schedule.Names{En: in.Districts[d].Name, Hi: in.Districts[d].NameHi}
	}
	hName := func(h int) schedule.Names { return schedule.Names{En: in.Hosts[h].Name, Hi: in.Hosts[h].NameHi} }
	hostOf := make([]int, p.nD)
	for d := range hostOf {
		hostOf[d] = -1
	}
	hostDates := make([]map[int]bool, p.nH)
	var twice []int
	for _, r := range rows {
		d, h, t := p.distIdx[normName(r.District)], p.hostIdx[normName(r.Host)], p.dateIdx[r.Date]
		if hostDates[h] == nil {
			hostDates[h] = map[int]bool{}
		}
		hostDates[h][t] = true
		if hostOf[d] >= 0 {
			twice = append(twice, d)
			continue
		}
		hostOf[d] = h
	}
	if len(twice) > 0 {
		add(Violation{Rule: "assignment", Districts: names(twice)}, schedule.Msgf("district(s) assigned more than once: %s", dNames(twice)))
	}
	var missing []int
	for d, h := range hostOf {
		if h < 0 {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		add(Violation{Rule: "assignment", Districts: names(missing)}, schedule.Msgf("district(s) not assigned: %s", dNames(missing)))
	}
	// Workshops: one per host; teams per date; availability; date pins and exclusions.
	perDate := make([][]string, p.nT)
	var open []int
	dateOf := make([]int, p.nH)
	for h := range dateOf {
		dateOf[h] = -1
	}
	for h, ds := range hostDates {
		if len(ds) == 0 {
			continue
		}
		open = append(open, h)
		var dates []string
		for t := range ds {
			dates = append(dates, in.Dates[t])
			perDate[t] = append(perDate[t], in.Hosts[h].Name)
			if dateOf[h] < 0 || t < dateOf[h] {
				dateOf[h] = t
			}
		}
		sort.Strings(dates)
		if len(ds) > 1 {
			add(Violation{Rule: "one workshop per host", Hosts: []string{in.Hosts[h].Name}}, schedule.Msgf("host %s holds workshops on %s", hName(h), dates))
		}
		for t := range ds {
			if !p.avail[h][t] {
				add(Violation{Rule: "availability", Hosts: []string{in.Hosts[h].Name}, Date: in.Dates[t]}, schedule.Msgf("host %s is not available on %s", hName(h), in.Dates[t]))
			}
		}
	}
	for t, hs := range perDate {
		if len(hs) > p.teams[t] {
			sort.Strings(hs)
			add(Violation{Rule: "teams per date", Hosts: hs, Date: in.Dates[t]}, schedule.Msgf("%d workshops on %s (%s) but only %d trainer teams", len(hs), in.Dates[t], hostNamesOf(in, hs), p.teams[t]))
		}
	}
	for _, pin := range in.DatePins {
		h := p.hostIdx[normName(pin.Host)]
		if !hostDates[h][p.dateIdx[pin.Date]] {
			add(Violation{Rule: "date pin", Hosts: []string{in.Hosts[h].Name}, Date: pin.Date}, schedule.Msgf("host %s is pinned to %s but holds no workshop that day", hName(h), pin.Date))
		}
	}
	for _, ex := range in.DateExclusions {
		h := p.hostIdx[normName(ex.Host)]
		if hostDates[h][p.dateIdx[ex.Date]] {
			add(Violation{Rule: "date exclusion", Hosts: []string{in.Hosts[h].Name}, Date: ex.Date}, schedule.Msgf("host %s must not hold a workshop on %s", hName(h), ex.Date))
		}
	}
	// Capacity and own districts.
	count := make([]int, p.nH)
	attendees := make([]int, p.nH)
	for d, h := range hostOf {
		if h >= 0 {
			count[h]++
			attendees[h] += p.att[d]
		}
	}
	sort.Ints(open)
	for _, h := range open {
		name := in.Hosts[h].Name
		if mx := in.Hosts[h].MaxDistricts; mx > 0 && count[h] > mx {
			add(Violation{Rule: "capacity", Hosts: []string{name}}, schedule.Msgf("workshop at %s has %d districts, capacity %d", hName(h), count[h], mx))
		}
		if mx := in.Hosts[h].MaxAttendees; mx > 0 && attendees[h] > mx {
			add(Violation{Rule: "capacity", Hosts: []string{name}}, schedule.Msgf("workshop at %s has %d attendees, capacity %d", hName(h), attendees[h], mx))
		}
		var away []int
		for _, d := range p.homes[h] {
			if hostOf[d] >= 0 && hostOf[d] != h {
				away = append(away, d)
			}
		}
		if len(away) > 0 {
			add(Violation{Rule: "own district at home", Districts: names(away), Hosts: []string{name}}, schedule.Msgf("%s hosts a workshop but its own district(s) %s attend elsewhere", hName(h), dNames(away)))
		}
	}
	// District pins and exclusions.
	for _, pin := range in.DistrictPins {
		d, h := p.distIdx[normName(pin.District)], p.hostIdx[normName(pin.Host)]
		if hostOf[d] >= 0 && hostOf[d] != h {
			add(Violation{Rule: "district pin", Districts: []string{in.Districts[d].Name}, Hosts: []string{in.Hosts[h].Name}}, schedule.Msgf("%s is pinned to %s but attends at %s", dName(d), hName(h), hName(hostOf[d])))
		}
	}
	for _, ex := range in.DistrictExclusions {
		d, h := p.distIdx[normName(ex.District)], p.hostIdx[normName(ex.Host)]
		if hostOf[d] == h {
			add(Violation{Rule: "district exclusion", Districts: []string{in.Districts[d].Name}, Hosts: []string{in.Hosts[h].Name}}, schedule.Msgf("%s must not attend at %s", dName(d), hName(h)))
		}
	}
	// Travel.
	for d, h := range hostOf {
		if h >= 0 {
			rep.TravelPersonKm += p.km[d][h] * float64(p.att[d])
		}
	}
	rep.Workshops = len(open)
	rep.Cost = rep.TravelPersonKm + p.fixedCost*float64(len(open))
	rep.Valid = len(rep.Violations) == 0
	if rep.Violations == nil {
		rep.Violations = []Violation{}
	}
	// The planner's best with the same hosts and dates.
	fixed := base
	fixed.FixedWorkshops = nil
	for _, h := range open {
		fixed.FixedWorkshops = append(fixed.FixedWorkshops, HostDate{Host: in.Hosts[h].Name, Date: in.Dates[dateOf[h]]})
	}
	// Date constraints broken by the roster itself must not block the
	// comparison: the hand-made dates are taken as given.
	fixed.DatePins = nil
	fixed.DateExclusions = nil
	fixed.TeamsPerDate = make([]int, p.nT)
	for t := range fixed.TeamsPerDate {
		fixed.TeamsPerDate[t] = max(p.teams[t], len(perDate[t]))
	}
	fixed.Hosts = append([]Host(nil), base.Hosts...)
	for i := range fixed.Hosts {
		fixed.Hosts[i].Dates = nil
	}
	best, err := Plan(ctx, &fixed, opt.Plan)
	if err != nil {
		rep.BestError = err.Error()
	} else {
		rep.Best = best
		rep.Saving = saving(rep.Cost, best.Cost)
	}
	if opt.SkipOpenHosts {
		return rep, nil
	}
	planOpen := opt.Plan
	planOpen.SkipExplanations = true
	openBest, err := Plan(ctx, &base, planOpen)
	if err != nil {
		rep.OpenBestError = err.Error()
	} else {
		rep.OpenBest = openBest
		rep.OpenSaving = saving(rep.Cost, openBest.Cost)
	}
	return rep, nil
}

// saving is cost − best, with rounding noise shown as zero.
func saving(cost, best float64) float64 {
	if d := cost - best; math.Abs(d) >= 1e-9*math.Max(1, math.Abs(cost)) {
		return d
	}
	return 0
}

// hostNamesOf is the hosts named (English names, as rows carry them) in
// both languages.
func hostNamesOf(in *Instance, names []string) []schedule.Names {
	hi := map[string]string{}
	for _, h := range in.Hosts {
		hi[normName(h.Name)] = h.NameHi
	}
	out := make([]schedule.Names, len(names))
	for i, n := range names {
		out[i] = schedule.Names{En: n, Hi: hi[normName(n)]}
	}
	return out
}
