package tour

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/karyakram/karyakram/schedule"
)

// Editor holds a plan being edited by hand. Every Move is validated at
// once: the cost change and the rules the changed routes now break (or no
// longer break), computed from the two routes involved only.
type Editor struct {
	ps   *planState
	km   map[[2]int]float64
	cost float64
}

// EditResult is the effect of one move.
type EditResult struct {
	// CostDelta is the change of the plan's cost (km, and the uncovered
	// penalty when a place is taken out of or put into the plan).
	CostDelta float64 `json:"cost_delta"`
	KmDelta   float64 `json:"km_delta"`
	Cost      float64 `json:"cost"`
	// Broken are rules the changed routes and vistaraks break after the
	// move and did not before; Fixed the reverse.
	Broken []Violation `json:"broken"`
	Fixed  []Violation `json:"fixed,omitempty"`
	// Routes are the changed routes after the move (an emptied route is
	// absent).
	Routes []Route `json:"routes"`
}

// NewEditor loads a plan for editing.
func NewEditor(in *Instance, rows []PlanRow) (*Editor, error) {
	ps, err := openPlan(in, rows)
	if err != nil {
		return nil, err
	}
	p := ps.p
	e := &Editor{ps: ps, km: map[[2]int]float64{}}
	uncovered := 0
	for _, n := range ps.count {
		if n == 0 {
			uncovered++
		}
	}
	for k, seq := range ps.routes {
		_, km := p.routeViolations(k[0], k[1], seq)
		e.km[k] = km
		e.cost += km
	}
	e.cost += p.rules.UncoveredPenaltyKm * float64(uncovered)
	return e, nil
}

// Cost is the plan's current cost.
func (e *Editor) Cost() float64 { return e.cost }

// Report checks the whole current plan.
func (e *Editor) Report() *CheckReport { return e.ps.report() }

// Rows returns the current plan as rows (by vistarak, date, visit order).
func (e *Editor) Rows() []PlanRow {
	p := e.ps.p
	var rows []PlanRow
	for _, k := range e.ps.sortedKeys() {
		for n, x := range e.ps.routes[k] {
			rows = append(rows, PlanRow{Vistarak: p.in.Vistaraks[k[0]].ID, Date: p.in.Dates[k[1]], Seq: n + 1, Place: p.in.Places[x].ID})
		}
	}
	return rows
}

// Move puts place into vistarak's route on date at position (1-based;
// 0 picks the position with the fewest broken rules, then the fewest km).
// An empty vistarak takes the place out of the plan. The place leaves its
// current route (every route, if it was listed twice).
func (e *Editor) Move(place, vistarak, date string, position int) (*EditResult, error) {
	p, ps := e.ps.p, e.ps
	i, ok := p.placeIdx[place]
	if !ok {
		return nil, schedule.FieldError("place", "unknown place %q", place)
	}
	target := [2]int{-1, -1}
	if vistarak != "" {
		v, ok := p.vIdx[vistarak]
		if !ok {
			return nil, schedule.FieldError("vistarak", "unknown vistarak %q", vistarak)
		}
		t, ok := p.dateIdx[date]
		if !ok {
			return nil, schedule.FieldError("date", "%q is not a date of the campaign", date)
		}
		target = [2]int{v, t}
		if n := len(ps.routes[target]); position < 0 || position > n+1 {
			return nil, schedule.FieldError("position", "%d is not a position in a route of %d visits (1 to %d, or 0 for the best)", position, n, n+1)
		}
	}
	// Routes the move touches.
	var touched [][2]int
	for k, seq := range ps.routes {
		if slices.Contains(seq, int32(i)) {
			touched = append(touched, k)
		}
	}
	if target[0] >= 0 && !slices.Contains(touched, target) {
		touched = append(touched, target)
	}
	sortKeys(touched)
	before := e.local(touched, i)
	oldCount := ps.count[i]
	// Take the place out everywhere, then insert.
	for _, k := range touched {
		seq := ps.routes[k][:0:0]
		for _, x := range ps.routes[k] {
			if int(x) != i {
				seq = append(seq, x)
			}
		}
		ps.routes[k] = seq
	}
	ps.count[i] = 0
	if target[0] >= 0 {
		seq := ps.routes[target]
		pos := position - 1
		if position == 0 {
			pos = e.bestPosition(target, seq, int32(i))
		}
		ps.routes[target] = slices.Insert(slices.Clone(seq), pos, int32(i))
		ps.count[i] = 1
	}
	after := e.local(touched, i)
	res := &EditResult{}
	penalty := p.rules.UncoveredPenaltyKm
	for _, k := range touched {
		oldKm := e.km[k]
		_, km := p.routeViolations(k[0], k[1], ps.routes[k])
		if len(ps.routes[k]) == 0 {
			km = 0
			delete(ps.routes, k)
			delete(e.km, k)
		} else {
			e.km[k] = km
			res.Routes = append(res.Routes, p.routeOutOrder(k[0], k[1], ps.routes[k]))
		}
		res.KmDelta += km - oldKm
	}
	res.CostDelta = res.KmDelta
	if oldCount == 0 && ps.count[i] > 0 {
		res.CostDelta -= penalty
	} else if oldCount > 0 && ps.count[i] == 0 {
		res.CostDelta += penalty
	}
	e.cost += res.CostDelta
	res.Cost = e.cost
	res.Broken = diffViolations(after, before)
	res.Fixed = diffViolations(before, after)
	if res.Broken == nil {
		res.Broken = []Violation{}
	}
	return res, nil
}

// local lists the violations of the given routes, of their vistaraks' caps
// and of the place's coverage.
func (e *Editor) local(keys [][2]int, place int) []Violation {
	p, ps := e.ps.p, e.ps
	var out []Violation
	seenV := map[int]bool{}
	for _, k := range keys {
		if seq := ps.routes[k]; len(seq) > 0 {
			vs, _ := p.routeViolations(k[0], k[1], seq)
			out = append(out, vs...)
		}
		seenV[k[0]] = true
	}
	vlist := make([]int, 0, len(seenV))
	for v := range seenV {
		vlist = append(vlist, v)
	}
	sort.Ints(vlist)
	for _, v := range vlist {
		n := 0
		for t := 0; t < p.nT; t++ {
			n += len(ps.routes[[2]int{v, t}])
		}
		if n > p.capV[v] {
			out = append(out, Violation{Rule: RuleBalance, Vistarak: p.in.Vistaraks[v].ID,
				Message: fmt.Sprintf("%s has %d visits, more than the cap of %d", p.in.Vistaraks[v].ID, n, p.capV[v])})
		}
	}
	id := p.in.Places[place].ID
	switch n := ps.count[place]; {
	case n > 1:
		out = append(out, Violation{Rule: RuleCoverage, Places: []string{id}, Message: fmt.Sprintf("%s is visited %d times", id, n)})
	case n == 0 && len(ps.c.pVists[place]) > 0:
		out = append(out, Violation{Rule: RuleCoverage, Places: []string{id},
			Message: fmt.Sprintf("%s is not visited although %d vistaraks may visit it", id, len(ps.c.pVists[place]))})
	}
	return out
}

// bestPosition picks where to insert x: fewest broken rules, then least km.
func (e *Editor) bestPosition(k [2]int, seq []int32, x int32) int {
	p := e.ps.p
	best, bestViol, bestKm := 0, math.MaxInt, math.Inf(1)
	for pos := 0; pos <= len(seq); pos++ {
		trial := slices.Insert(slices.Clone(seq), pos, x)
		vs, km := p.routeViolations(k[0], k[1], trial)
		if len(vs) < bestViol || (len(vs) == bestViol && km < bestKm-eps) {
			best, bestViol, bestKm = pos, len(vs), km
		}
	}
	return best
}

// diffViolations returns the violations in a that are not in b.
func diffViolations(a, b []Violation) []Violation {
	seen := map[string]int{}
	for _, v := range b {
		seen[v.Rule+"\x00"+v.Message]++
	}
	var out []Violation
	for _, v := range a {
		key := v.Rule + "\x00" + v.Message
		if seen[key] > 0 {
			seen[key]--
			continue
		}
		out = append(out, v)
	}
	return out
}
