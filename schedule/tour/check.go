package tour

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/karyakram/karyakram/schedule"
)

// Violation is one broken rule in a plan.
type Violation struct {
	// Rule is one of the Rule* names (language, excluded area, max km per
	// day, …).
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
	Vistarak string   `json:"vistarak,omitempty"`
	Date     string   `json:"date,omitempty"`
	Places   []string `json:"places,omitempty"`
}

// CheckReport is the verdict on a plan (hand-made or edited).
type CheckReport struct {
	Valid      bool        `json:"valid"`
	Violations []Violation `json:"violations"`
	// Routes are the plan's routes in its order, with times and km.
	Routes    []Route     `json:"routes"`
	Visits    int         `json:"visits"`
	TravelKm  float64     `json:"travel_km"`
	Cost      float64     `json:"cost"`
	Uncovered []Uncovered `json:"uncovered,omitempty"`
	Load      LoadSummary `json:"load"`
}

// planState is a plan laid out on a compiled problem: routes keyed by
// (vistarak, day) with places in the plan's order.
type planState struct {
	p      *problem
	c      *cands
	routes map[[2]int][]int32 // (vistarak, day) → places in order
	count  []int              // place → times visited
}

// loadPlan resolves plan rows against the problem. Unknown vistaraks,
// places and dates and repeated (vistarak, date, seq) are errors naming
// every offending line.
func loadPlan(p *problem, rows []PlanRow) (*planState, error) {
	var errs []error
	bad := func(r PlanRow, field, format string, args ...any) {
		where := "plan"
		switch {
		case r.src != nil && r.Line > 0:
			where = rowField("plan", 0, "", r.Line, r.src, field)
		case r.Line > 0:
			where = fmt.Sprintf("plan line %d (%s)", r.Line, field)
		default:
			where += " (" + field + ")"
		}
		errs = append(errs, schedule.FieldError(where, format, args...))
	}
	type key struct {
		v, t int
	}
	seqs := map[key]map[int]int32{}
	for _, r := range rows {
		v, okV := p.vIdx[r.Vistarak]
		t, okT := p.dateIdx[r.Date]
		i, okP := p.placeIdx[r.Place]
		if !okV {
			bad(r, "vistarak", "unknown vistarak %q", r.Vistarak)
		}
		if !okT {
			bad(r, "date", "%q is not a date of the campaign", r.Date)
		}
		if !okP {
			bad(r, "place", "unknown place %q", r.Place)
		}
		if !okV || !okT || !okP {
			continue
		}
		k := key{v, t}
		if seqs[k] == nil {
			seqs[k] = map[int]int32{}
		}
		if _, dup := seqs[k][r.Seq]; dup {
			bad(r, "seq", "vistarak %s has two visits numbered %d on %s", r.Vistarak, r.Seq, r.Date)
			continue
		}
		seqs[k][r.Seq] = int32(i)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	ps := &planState{p: p, routes: map[[2]int][]int32{}, count: make([]int, p.nP)}
	for k, m := range seqs {
		nums := make([]int, 0, len(m))
		for n := range m {
			nums = append(nums, n)
		}
		sort.Ints(nums)
		seq := make([]int32, 0, len(nums))
		for _, n := range nums {
			seq = append(seq, m[n])
			ps.count[m[n]]++
		}
		ps.routes[[2]int{k.v, k.t}] = seq
	}
	return ps, nil
}

// routeViolations lists the rules one route breaks (vistarak v, day t,
// places in order) and returns its km.
func (p *problem) routeViolations(v, t int, seq []int32) ([]Violation, float64) {
	var out []Violation
	vk := p.in.Vistaraks[v]
	date := p.in.Dates[t]
	add := func(rule string, places []int32, format string, args ...any) {
		var ids []string
		for _, x := range places {
			ids = append(ids, p.in.Places[x].ID)
		}
		out = append(out, Violation{Rule: rule, Message: fmt.Sprintf(format, args...), Vistarak: vk.ID, Date: date, Places: ids})
	}
	if p.vDays[v]&(1<<uint(t)) == 0 {
		add(RuleAvailable, seq, "%s is not available on %s", vk.ID, date)
	}
	for _, x := range seq {
		i := int(x)
		pl := p.in.Places[i]
		if p.pDays[i]&(1<<uint(t)) == 0 {
			add(RulePlaceDays, []int32{x}, "%s may be visited only on %s, not %s", pl.ID, strings.Join(pl.Days, ", "), date)
		}
		switch rule := p.ruleBlock(v, i); rule {
		case RuleLanguage, RuleExcluded, RuleAllowed:
			add(rule, []int32{x}, "%s cannot visit %s: %s", vk.ID, pl.ID, p.ruleDetail(v, i, rule))
		}
	}
	if len(seq) > p.q[v] {
		add(RuleVisitsDay, seq, "%d visits on %s, more than %s's %d per day", len(seq), date, vk.ID, p.q[v])
	}
	// Walk the day: late visits and the way home.
	starts := make([]float64, len(seq))
	km := p.walk(v, seq, starts)
	for k, x := range seq {
		i := int(x)
		if end := starts[k] + p.visit[i]; end > p.close[i]+eps {
			add(RuleTimeWindow, []int32{x}, "visit %d (%s) runs %s–%s, past its window closing at %s", k+1, p.in.Places[i].ID,
				clock(starts[k]), clock(end), clock(p.close[i]))
		}
	}
	if n := len(seq); n > 0 {
		last := int(seq[n-1])
		if back := starts[n-1] + p.visit[last] + p.minutes(last, p.home(v)); back > p.end[v]+eps {
			add(RuleTimeWindow, nil, "%s is back at %s, after the working day ends at %s", vk.ID, clock(back), clock(p.end[v]))
		}
		if km > p.maxKm[v]+eps {
			add(RuleKmDay, seq, "%.1f km on %s, more than %s's %.0f km per day", km, date, vk.ID, p.maxKm[v])
		}
	}
	return out, km
}

// Check validates a plan against the campaign's rules: every route's
// availability, place days, languages, areas, visits and km per day, time
// windows and working hours; every vistarak's visit cap; every place
// visited once. It totals km and cost like Plan does, so a checked plan
// compares with a planned one. Unknown IDs and dates are an error naming
// every offending line.
func Check(in *Instance, rows []PlanRow) (*CheckReport, error) {
	ps, err := openPlan(in, rows)
	if err != nil {
		return nil, err
	}
	return ps.report(), nil
}

// openPlan validates the campaign, compiles it and lays out the plan.
func openPlan(in *Instance, rows []PlanRow) (*planState, error) {
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("tour campaign: %w", err)
	}
	p := compile(in)
	ps, err := loadPlan(p, rows)
	if err != nil {
		return nil, err
	}
	ps.c = p.buildCands()
	return ps, nil
}

// sortedKeys lists route keys by vistarak, then date.
func (ps *planState) sortedKeys() [][2]int {
	keys := make([][2]int, 0, len(ps.routes))
	for k := range ps.routes {
		keys = append(keys, k)
	}
	sortKeys(keys)
	return keys
}

// report evaluates the whole plan.
func (ps *planState) report() *CheckReport {
	p := ps.p
	rep := &CheckReport{}
	load := make([]int, p.nV)
	for _, k := range ps.sortedKeys() {
		seq := ps.routes[k]
		if len(seq) == 0 {
			continue
		}
		vs, km := p.routeViolations(k[0], k[1], seq)
		rep.Violations = append(rep.Violations, vs...)
		rep.TravelKm += km
		load[k[0]] += len(seq)
		rep.Routes = append(rep.Routes, p.routeOutOrder(k[0], k[1], seq))
	}
	for v, n := range load {
		if n > p.capV[v] {
			rep.Violations = append(rep.Violations, Violation{Rule: RuleBalance, Vistarak: p.in.Vistaraks[v].ID,
				Message: fmt.Sprintf("%s has %d visits, more than the cap of %d", p.in.Vistaraks[v].ID, n, p.capV[v])})
		}
	}
	for i, n := range ps.count {
		if n > 1 {
			rep.Violations = append(rep.Violations, Violation{Rule: RuleCoverage, Places: []string{p.in.Places[i].ID},
				Message: fmt.Sprintf("%s is visited %d times", p.in.Places[i].ID, n)})
		}
		if n > 0 {
			rep.Visits++
			continue
		}
		pl := p.in.Places[i]
		u := Uncovered{Place: pl.ID, Name: pl.Name}
		if len(ps.c.pVists[i]) == 0 {
			u.Rule, u.Reason = p.whyUnreachable(i)
		} else {
			u.Rule = RuleCoverage
			u.Reason = fmt.Sprintf("not in the plan; %d vistaraks may visit it (nearest %s)", len(ps.c.pVists[i]), p.in.Vistaraks[ps.c.pVists[i][0]].ID)
			rep.Violations = append(rep.Violations, Violation{Rule: RuleCoverage, Places: []string{pl.ID},
				Message: fmt.Sprintf("%s is not visited although %d vistaraks may visit it", pl.ID, len(ps.c.pVists[i]))})
		}
		rep.Uncovered = append(rep.Uncovered, u)
	}
	rep.Cost = rep.TravelKm + p.rules.UncoveredPenaltyKm*float64(len(rep.Uncovered))
	rep.Valid = len(rep.Violations) == 0
	rep.Load = loadSummaryOf(p, load)
	return rep
}

// routeOutOrder is a Route in the given order (times as walked; a broken
// rule shows in the violations, not here).
func (p *problem) routeOutOrder(v, t int, seq []int32) Route {
	starts := make([]float64, len(seq))
	km, _ := p.schedule(v, seq, starts)
	if len(seq) > p.q[v] { // schedule refuses; walk anyway for the times
		km = p.walk(v, seq, starts)
	}
	out := Route{Vistarak: p.in.Vistaraks[v].ID, Date: p.in.Dates[t], Km: km}
	h := p.home(v)
	out.Leave = clock(math.Max(p.start[v], starts[0]-p.minutes(h, int(seq[0]))))
	prev := h
	for k, x := range seq {
		i := int(x)
		out.Visits = append(out.Visits, Visit{Place: p.in.Places[i].ID, Name: p.in.Places[i].Name,
			Start: clock(starts[k]), End: clock(starts[k] + p.visit[i]), KmFromPrev: p.km(prev, i)})
		prev = i
	}
	last := int(seq[len(seq)-1])
	out.Return = clock(starts[len(seq)-1] + p.visit[last] + p.minutes(last, h))
	return out
}

// walk fills visit start times and returns km ignoring every limit.
func (p *problem) walk(v int, seq []int32, starts []float64) float64 {
	h := p.home(v)
	prev, tm, km := h, p.start[v], 0.0
	for k, x := range seq {
		i := int(x)
		km += p.km(prev, i)
		tm += p.minutes(prev, i)
		tm = math.Max(tm, p.open[i])
		starts[k] = tm
		tm += p.visit[i]
		prev = i
	}
	return km + p.km(prev, h)
}

func loadSummaryOf(p *problem, load []int) LoadSummary {
	l := LoadSummary{Vistaraks: p.nV}
	if p.nV == 0 {
		return l
	}
	l.Min = math.MaxInt
	total := 0
	capCount := map[int]int{}
	for v, n := range load {
		total += n
		l.Min, l.Max = min(l.Min, n), max(l.Max, n)
		if n == 0 {
			l.Idle++
		}
		if n >= p.capV[v] {
			l.AtCap++
		}
		capCount[p.capV[v]]++
	}
	l.Mean = float64(total) / float64(p.nV)
	best := -1
	for c, n := range capCount {
		if best < 0 || n > capCount[best] || (n == capCount[best] && c < best) {
			best = c
		}
	}
	l.Cap = best
	return l
}
