package roster

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultWorkLimit is the search budget when Options.WorkLimit is zero: on
// the 2-core reference machine (docs/benchmarks-roster.md) it ends the
// largest benchmark instances in a few seconds.
const DefaultWorkLimit int64 = 4_000_000_000

// Options tunes Plan. The zero value is usable.
type Options struct {
	// WorkLimit bounds the search for hosts in work units (arcs scanned by
	// the assignment, district–host pairs priced by the relaxation, …), so
	// that the same instance always gives the same roster whatever the
	// machine's load. Zero means DefaultWorkLimit. The fixed-host
	// assignment is always solved to optimality.
	WorkLimit int64
	// TimeLimit, when positive, also stops the search after this wall-clock
	// time (then the result depends on the machine's speed and load).
	TimeLimit time.Duration
	// GapTolerance stops the search once (cost − bound)/cost ≤ it
	// (default 1e-9: prove optimality).
	GapTolerance float64
	// SkipExplanations leaves Result.Explanations empty (saves time on
	// large instances).
	SkipExplanations bool
}

// Result is a planned roster with its cost, bound and explanations.
type Result struct {
	// Assignments lists every district's workshop (the roster rows).
	Assignments []Assignment `json:"assignments"`
	// Workshops lists each (host, date) held, with its districts.
	Workshops []Workshop `json:"workshops"`
	// TravelPersonKm is Σ attendees × road km.
	TravelPersonKm float64 `json:"travel_person_km"`
	// FixedCost is FixedCostPerWorkshop × number of workshops.
	FixedCost float64 `json:"fixed_cost"`
	// Cost is TravelPersonKm + FixedCost, the objective.
	Cost float64 `json:"cost"`
	// LowerBound is a proven lower bound on the cost of any feasible roster.
	LowerBound float64 `json:"lower_bound"`
	// Gap is (Cost − LowerBound)/Cost.
	Gap float64 `json:"gap"`
	// Optimal reports that the roster is proven optimal (relative gap ≤ 1e-6).
	Optimal bool `json:"optimal"`
	// Explanations gives, per district, why it goes where it goes.
	Explanations []Explanation `json:"explanations,omitempty"`
	// Stats describes the search.
	Stats Stats `json:"stats"`
}

// Assignment is one roster row: a district attends the workshop at host on date.
type Assignment struct {
	Date     string `json:"date"`
	Host     string `json:"host"`
	District string `json:"district"`
}

// Workshop is one (host, date) held and the districts attending it.
type Workshop struct {
	Host           string   `json:"host"`
	Date           string   `json:"date"`
	Districts      []string `json:"districts"`
	Attendees      int      `json:"attendees"`
	TravelPersonKm float64  `json:"travel_person_km"`
}

// Explanation says why a district attends its workshop.
type Explanation struct {
	District string  `json:"district"`
	Host     string  `json:"host"`
	Date     string  `json:"date"`
	Km       float64 `json:"km"`
	PersonKm float64 `json:"person_km"`
	// Reason is set when the district cannot move: "own district of the host"
	// or "pinned".
	Reason string `json:"reason,omitempty"`
	// NextHost is the best other workshop for this district (empty if none).
	NextHost string  `json:"next_host,omitempty"`
	NextKm   float64 `json:"next_km,omitempty"`
	// ExtraCost is how much the whole roster's cost rises if the district
	// moves, others re-optimised (exact for district-count capacities).
	ExtraCost float64 `json:"extra_cost,omitempty"`
}

// Stats describes how a Result was found.
type Stats struct {
	Method             string        `json:"method"`
	Elapsed            time.Duration `json:"elapsed_ns"`
	LagrangeIterations int           `json:"lagrange_iterations"`
	Nodes              int           `json:"nodes"`
	// Work is the work units spent (see Options.WorkLimit).
	Work int64 `json:"work"`
	// StoppedBy says why the search ended: "optimal", "gap tolerance",
	// "work limit", "time limit" or "cancelled".
	StoppedBy   string  `json:"stopped_by"`
	Evaluations int     `json:"evaluations"`
	RootBound   float64 `json:"root_bound"`
}

// Plan finds a minimum-cost roster for the instance. With FixedWorkshops it
// solves the assignment exactly; otherwise it chooses hosts and dates too,
// by Lagrangian relaxation (lower bound), local search (upper bound) and
// branch-and-bound until optimality is proven or TimeLimit passes. An
// infeasible instance yields an *InfeasibleError explaining why.
func Plan(ctx context.Context, in *Instance, opt Options) (*Result, error) {
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("roster instance: %w", err)
	}
	start := time.Now()
	p := compile(in)
	if err := p.precheck(); err != nil {
		return nil, err
	}
	if opt.WorkLimit <= 0 {
		opt.WorkLimit = DefaultWorkLimit
	}
	if opt.GapTolerance <= 0 {
		opt.GapTolerance = 1e-9
	}
	s := newSearch(ctx, p, opt, start)
	var stats Stats
	if p.fixedMode {
		var open []int
		for h := range p.forced {
			if p.forced[h] {
				open = append(open, h)
			}
		}
		cost := s.evaluate(open)
		if math.IsInf(cost, 1) {
			s.asg.solve(open)
			return nil, p.explainStuck(s.asg, open)
		}
		s.lb = cost
		if p.hasAttCap {
			s.lb = s.relaxedCost // the repair is heuristic; the flow without seat limits bounds it
		}
		stats.Method = "assignment (min-cost flow)"
	} else {
		if err := s.run(); err != nil {
			return nil, err
		}
		stats.Method = "lagrangian relaxation + local search + branch-and-bound"
	}
	res, err := s.result()
	if err != nil {
		return nil, err
	}
	if !opt.SkipExplanations {
		res.Explanations = s.explain(res)
	}
	stats.Elapsed = time.Since(start)
	stats.LagrangeIterations = s.iterations
	stats.Nodes = s.nodes
	stats.Work = s.work
	stats.StoppedBy = s.stoppedBy(res)
	stats.Evaluations = s.evals
	stats.RootBound = s.rootBound
	res.Stats = stats
	return res, nil
}

// search holds the state of one facility-location search.
type search struct {
	ctx      context.Context
	p        *problem
	opt      Options
	deadline time.Time // zero: no wall-clock limit
	// work counts work units; every stop decision depends on it (or on
	// the optional deadline and ctx), never on time alone.
	work       int64
	asg        *assigner
	cache      map[string]float64
	bestOpen   []int
	bestCost   float64
	bestHostOf []int
	lb         float64
	rootBound  float64
	evals      int
	iterations int
	// relaxedCost is the last evaluation's cost under district-count
	// capacities only (a lower bound when attendee capacities bind).
	relaxedCost float64
	nodes       int
	// Lagrangian scratch.
	v     []float64
	picks [][]pick
	cover []float64
	order []int
	cands []pick
	m     *dateMatching
}

type pick struct {
	d int
	r float64 // reduced cost c − λ
	w float64 // weight taken (1 or fractional)
}

func newSearch(ctx context.Context, p *problem, opt Options, start time.Time) *search {
	s := &search{ctx: ctx, p: p, opt: opt,
		asg: newAssigner(p), cache: map[string]float64{}, bestCost: math.Inf(1), lb: math.Inf(-1),
		v: make([]float64, p.nH), picks: make([][]pick, p.nH), cover: make([]float64, p.nD),
		m: newDateMatching(p)}
	if opt.TimeLimit > 0 {
		s.deadline = start.Add(opt.TimeLimit)
	}
	s.asg.work = &s.work
	return s
}

// expired reports whether the work budget is spent (or the optional
// deadline passed, or ctx was cancelled).
func (s *search) expired() bool {
	return s.work >= s.opt.WorkLimit || (!s.deadline.IsZero() && time.Now().After(s.deadline)) || s.ctx.Err() != nil
}

// stoppedBy names why the search ended.
func (s *search) stoppedBy(res *Result) string {
	switch {
	case res.Optimal:
		return "optimal"
	case s.ctx.Err() != nil:
		return "cancelled"
	case s.work >= s.opt.WorkLimit:
		return "work limit"
	case !s.deadline.IsZero() && time.Now().After(s.deadline):
		return "time limit"
	}
	return "gap tolerance"
}

func setKey(open []int) string {
	var b strings.Builder
	for _, h := range open {
		b.WriteString(strconv.Itoa(h))
		b.WriteByte(',')
	}
	return b.String()
}

// evaluate returns the optimal cost with exactly the given hosts open
// (+Inf if infeasible) and records a new incumbent.
func (s *search) evaluate(open []int) float64 {
	set := slices.Clone(open)
	sort.Ints(set)
	key := setKey(set)
	if c, ok := s.cache[key]; ok {
		return c
	}
	s.evals++
	travel, ok := s.asg.solve(set)
	cost := math.Inf(1)
	if ok {
		cost = travel + s.p.fixedCost*float64(len(set))
		s.relaxedCost = cost
		if s.p.hasAttCap {
			cost = s.repairAttendees(set)
		}
	}
	s.cache[key] = cost
	if cost < s.bestCost-1e-9 {
		s.bestCost = cost
		s.bestOpen = set
		s.bestHostOf = slices.Clone(s.asg.hostOf)
	}
	return cost
}

// repairAttendees moves districts off workshops over their attendee
// capacity (a heuristic: the flow only knows district counts). It returns
// the repaired cost or +Inf if it cannot fit everybody.
func (s *search) repairAttendees(open []int) float64 {
	p, a := s.p, s.asg
	loadAtt := make([]int, p.nH)
	for d, h := range a.hostOf {
		loadAtt[h] += p.att[d]
	}
	for _, h := range open {
		for loadAtt[h] > p.capAtt[h] {
			bestD, bestH, bestDelta := -1, -1, math.Inf(1)
			for _, d := range a.members[h] {
				if p.home[d] == h || p.pinHost[d] == h {
					continue
				}
				for _, g := range a.arcs[d] {
					if g == h || a.load[g] >= p.capCount[g] || loadAtt[g]+p.att[d] > p.capAtt[g] {
						continue
					}
					if delta := p.cost[d][g] - p.cost[d][h]; delta < bestDelta {
						bestD, bestH, bestDelta = d, g, delta
					}
				}
			}
			if bestD < 0 {
				return math.Inf(1)
			}
			a.removeMember(h, bestD)
			a.load[h]--
			loadAtt[h] -= p.att[bestD]
			a.hostOf[bestD] = bestH
			a.members[bestH] = append(a.members[bestH], bestD)
			a.load[bestH]++
			loadAtt[bestH] += p.att[bestD]
		}
	}
	total := s.p.fixedCost * float64(len(open))
	for d, h := range a.hostOf {
		total += p.cost[d][h]
	}
	return total
}

// node is a branch-and-bound node: hosts forced open / closed.
type node struct {
	in, out []bool
	bound   float64
	lambda  []float64
}

// run performs the host search: root Lagrangian, local search, then
// depth-first branch-and-bound until proven or out of time.
func (s *search) run() error {
	p := s.p
	root := &node{in: make([]bool, p.nH), out: make([]bool, p.nH), bound: math.Inf(-1), lambda: s.initialLambda()}
	// A first incumbent from the relaxation's open set.
	s.lagrangeValue(root.lambda, root)
	s.primalFromRelaxation(root)
	if math.IsInf(s.bestCost, 1) {
		return s.explainNoFeasibleSet()
	}
	iters := 600
	if p.nD*p.nH > 100000 {
		iters = 300
	}
	L, ybar := s.lagrange(root, iters, 2)
	s.rootBound = L
	root.bound = L
	s.localSearch()
	if s.closed(L) {
		s.lb = math.Min(L, s.bestCost)
		return nil
	}
	// Depth-first branch-and-bound.
	stack := s.children(root, ybar, L)
	finished := true
	// Nodes pruned within the gap tolerance may hide rosters slightly
	// cheaper than the incumbent: the proven bound is the least pruned one.
	prunedMin := math.Inf(1)
	for len(stack) > 0 {
		if s.expired() {
			finished = false
			break
		}
		nd := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.closed(nd.bound) {
			prunedMin = math.Min(prunedMin, nd.bound)
			continue
		}
		s.nodes++
		L, ybar := s.lagrange(nd, 150, 2)
		nd.bound = math.Max(nd.bound, L)
		if s.closed(nd.bound) {
			prunedMin = math.Min(prunedMin, nd.bound)
			continue
		}
		if s.expired() {
			stack = append(stack, nd)
			finished = false
			break
		}
		stack = append(stack, s.children(nd, ybar, nd.bound)...)
	}
	s.lb = math.Max(root.bound, math.Min(s.bestCost, prunedMin))
	if !finished {
		s.lb = math.Max(root.bound, math.Min(minBound(stack, s.bestCost), prunedMin))
	}
	return nil
}

func minBound(stack []*node, upper float64) float64 {
	lo := upper
	for _, nd := range stack {
		lo = math.Min(lo, nd.bound)
	}
	return lo
}

// closed reports whether a bound proves nothing better than the incumbent
// exists (within the gap tolerance).
func (s *search) closed(bound float64) bool {
	return bound >= s.bestCost-s.opt.GapTolerance*math.Abs(s.bestCost)-1e-9
}

// children branches on the undecided host whose averaged relaxation value
// is most fractional; the more promising child is explored first.
func (s *search) children(nd *node, ybar []float64, bound float64) []*node {
	p := s.p
	branch, bestFrac := -1, -1.0
	for h := 0; h < p.nH; h++ {
		if p.closed[h] || p.forced[h] || nd.in[h] || nd.out[h] {
			continue
		}
		frac := math.Min(ybar[h], 1-ybar[h])
		if frac > bestFrac {
			branch, bestFrac = h, frac
		}
	}
	if branch < 0 || bestFrac <= 1e-3 {
		// Nothing fractional: the relaxation agrees on every host; evaluate
		// that set and branch on the host whose districts conflict most.
		var open []int
		for h := 0; h < p.nH; h++ {
			if (nd.in[h] || p.forced[h] || ybar[h] > 0.5) && !p.closed[h] && !nd.out[h] {
				open = append(open, h)
			}
		}
		if p.schedulable(open) {
			s.evaluate(open)
		}
		if branch < 0 {
			return nil
		}
	}
	openChild := &node{in: slices.Clone(nd.in), out: slices.Clone(nd.out), bound: bound, lambda: slices.Clone(nd.lambda)}
	openChild.in[branch] = true
	closeChild := &node{in: slices.Clone(nd.in), out: slices.Clone(nd.out), bound: bound, lambda: slices.Clone(nd.lambda)}
	closeChild.out[branch] = true
	if ybar[branch] >= 0.5 {
		return []*node{closeChild, openChild}
	}
	return []*node{openChild, closeChild}
}

// initialLambda starts each multiplier at the district's second-cheapest
// host cost plus a share of the fixed cost.
func (s *search) initialLambda() []float64 {
	p := s.p
	lambda := make([]float64, p.nD)
	share := p.fixedCost / math.Max(1, float64(p.nD)/math.Max(1, float64(totalTeams(p))))
	for d := range lambda {
		first, second := math.Inf(1), math.Inf(1)
		for h := 0; h < p.nH; h++ {
			c := p.cost[d][h]
			if p.closed[h] || math.IsInf(c, 1) {
				continue
			}
			if c < first {
				first, second = c, first
			} else if c < second {
				second = c
			}
		}
		if math.IsInf(second, 1) {
			second = first
		}
		if math.IsInf(second, 1) {
			second = 0
		}
		lambda[d] = second + share
	}
	return lambda
}

func totalTeams(p *problem) int {
	n := 0
	for _, t := range p.teams {
		n += t
	}
	return n
}

// lagrangeValue evaluates the Lagrangian dual at lambda (assignment
// constraints relaxed): each host's best district selection under its
// capacities, then a maximum-value schedulable set of hosts (greedy on the
// date-matching matroid). It fills s.v, s.picks, s.cover and s.m, and
// returns the bound (−Inf... +Inf if the node is infeasible).
func (s *search) lagrangeValue(lambda []float64, nd *node) float64 {
	p := s.p
	for h := 0; h < p.nH; h++ {
		s.picks[h] = s.picks[h][:0]
		if p.closed[h] || nd.out[h] {
			s.v[h] = math.Inf(1)
			continue
		}
		val := p.fixedCost
		for _, d := range p.mandatory[h] {
			val += p.cost[d][h] - lambda[d]
			s.picks[h] = append(s.picks[h], pick{d: d, r: p.cost[d][h] - lambda[d], w: 1})
		}
		remC := p.capCount[h] - len(p.mandatory[h])
		remA := p.capAtt[h] - p.mandAtt[h]
		cands := s.cands[:0]
		costRow := p.cost
		for d := 0; d < p.nD; d++ {
			r := costRow[d][h] - lambda[d]
			if r >= 0 {
				continue
			}
			if hh := p.home[d]; hh >= 0 && (hh == h || p.forced[hh] || nd.in[hh]) {
				continue // own districts are mandatory; others' stay at their open home
			}
			if p.pinHost[d] == h {
				continue
			}
			cands = append(cands, pick{d: d, r: r, w: 1})
		}
		if p.capAtt[h] == math.MaxInt {
			if len(cands) > remC {
				slices.SortFunc(cands, func(a, b pick) int { return cmp.Compare(a.r, b.r) })
				cands = cands[:remC]
			}
			for _, c := range cands {
				val += c.r
				s.picks[h] = append(s.picks[h], c)
			}
		} else {
			// Fractional knapsack on attendees, also capped by count: a
			// valid (LP) relaxation of the host's selection.
			slices.SortFunc(cands, func(a, b pick) int {
				return cmp.Compare(a.r/float64(p.att[a.d]), b.r/float64(p.att[b.d]))
			})
			capA := float64(remA)
			count := 0.0
			for _, c := range cands {
				if capA <= 0 || count >= float64(remC) {
					break
				}
				w := math.Min(1, capA/float64(p.att[c.d]))
				w = math.Min(w, float64(remC)-count)
				c.w = w
				val += w * c.r
				capA -= w * float64(p.att[c.d])
				count += w
				s.picks[h] = append(s.picks[h], c)
			}
		}
		s.cands = cands
		s.v[h] = val
		s.work += int64(p.nD + 4*len(cands))
	}
	// Greedy over the matroid: forced hosts first, then by value.
	s.m.reset()
	for h := 0; h < p.nH; h++ {
		if (p.forced[h] || nd.in[h]) && !s.m.tryAdd(h) {
			return math.Inf(1)
		}
		if (p.forced[h] || nd.in[h]) && math.IsInf(s.v[h], 1) {
			return math.Inf(1)
		}
	}
	s.order = s.order[:0]
	for h := 0; h < p.nH; h++ {
		if s.m.dateOf[h] < 0 && s.v[h] < 0 {
			s.order = append(s.order, h)
		}
	}
	slices.SortFunc(s.order, func(a, b int) int { return cmp.Compare(s.v[a], s.v[b]) })
	placed, rank := 0, totalTeams(p)
	for h := 0; h < p.nH; h++ {
		if s.m.dateOf[h] >= 0 {
			placed++
		}
	}
	for _, h := range s.order {
		if placed >= rank {
			break // every trainer team is used: nothing more can be added
		}
		if s.m.tryAdd(h) {
			placed++
		}
	}
	L := 0.0
	for d := range lambda {
		L += lambda[d]
		s.cover[d] = 0
	}
	for h := 0; h < p.nH; h++ {
		if s.m.dateOf[h] < 0 {
			continue
		}
		L += s.v[h]
		for _, c := range s.picks[h] {
			s.cover[c.d] += c.w
		}
	}
	return L
}

// lagrange runs subgradient optimisation at a node, updating nd.lambda in
// place, and returns the best bound and the averaged host-open values.
func (s *search) lagrange(nd *node, iters int, theta float64) (float64, []float64) {
	p := s.p
	ybar := make([]float64, p.nH)
	best := math.Inf(-1)
	bestLambda := slices.Clone(nd.lambda)
	patience, stall := 10, 0
	const primalEvery = 5
	lambda := nd.lambda
	g := make([]float64, p.nD)
	for it := 0; it < iters; it++ {
		s.iterations++
		L := s.lagrangeValue(lambda, nd)
		if math.IsInf(L, 1) {
			return L, ybar
		}
		for h := range ybar {
			y := 0.0
			if s.m.dateOf[h] >= 0 {
				y = 1
			}
			if it == 0 {
				ybar[h] = y
			} else {
				ybar[h] = 0.9*ybar[h] + 0.1*y
			}
		}
		if L > best+1e-9 {
			best = L
			copy(bestLambda, lambda)
			stall = 0
		} else if stall++; stall >= patience {
			theta /= 2
			stall = 0
		}
		if it%primalEvery == 0 {
			s.primalFromRelaxation(nd)
		}
		if s.closed(best) || theta < 1e-3 || (it%8 == 0 && s.expired()) {
			break
		}
		norm := 0.0
		for d := range g {
			g[d] = 1 - s.cover[d]
			norm += g[d] * g[d]
		}
		if norm < 1e-12 {
			// The relaxed solution covers every district once: it is feasible.
			break
		}
		target := s.bestCost
		if math.IsInf(target, 1) {
			target = math.Abs(L)*1.1 + 1
		}
		step := theta * math.Max(target-L, 1e-6*math.Abs(target)+1e-9) / norm
		for d := range lambda {
			lambda[d] += step * g[d]
		}
	}
	copy(nd.lambda, bestLambda)
	return best, ybar
}

// primalFromRelaxation turns the hosts the relaxation opened into a
// feasible open set (adding hosts by relaxation value while capacity is
// short, or filling every team slot when workshops cost nothing) and
// evaluates it.
func (s *search) primalFromRelaxation(nd *node) {
	p := s.p
	m := newDateMatching(p)
	var open []int
	capTotal := 0
	for h := 0; h < p.nH; h++ {
		if s.m.dateOf[h] >= 0 && m.tryAdd(h) {
			open = append(open, h)
			capTotal += p.capCount[h]
		}
	}
	order := make([]int, 0, p.nH)
	for h := 0; h < p.nH; h++ {
		if m.dateOf[h] < 0 && !p.closed[h] && !nd.out[h] {
			order = append(order, h)
		}
	}
	sort.Slice(order, func(i, j int) bool { return s.v[order[i]] < s.v[order[j]] })
	fill := p.fixedCost == 0
	rank := totalTeams(p)
	for _, h := range order {
		if (!fill && capTotal >= p.nD) || len(open) >= rank {
			break
		}
		if m.tryAdd(h) {
			open = append(open, h)
			capTotal += p.capCount[h]
		}
	}
	if math.IsInf(s.evaluate(open), 1) && !fill {
		for _, h := range order {
			if m.dateOf[h] < 0 && m.tryAdd(h) {
				open = append(open, h)
				if !math.IsInf(s.evaluate(open), 1) {
					break
				}
			}
		}
	}
}

// localSearch improves the incumbent by swapping, dropping and adding hosts,
// each move evaluated by an exact assignment.
func (s *search) localSearch() {
	p := s.p
	k := 10 // swap a host only for one of its nearest closed candidates
	if p.nH > 80 {
		k = 8
	}
	for improved := true; improved && !s.expired() && !s.closed(s.rootBound); {
		improved = false
		cur := slices.Clone(s.bestOpen)
		in := make([]bool, p.nH)
		for _, h := range cur {
			in[h] = true
		}
		curCost := s.bestCost
		// Drop moves (only useful with a fixed cost per workshop).
		if p.fixedCost > 0 {
			for i, out := range cur {
				if p.forced[out] {
					continue
				}
				set := append(slices.Clone(cur[:i]), cur[i+1:]...)
				if s.evaluate(set) < curCost-1e-9 {
					improved = true
					break
				}
			}
			if improved {
				continue
			}
		}
		// Add moves.
		m := newDateMatching(p)
		for _, h := range cur {
			m.tryAdd(h)
		}
		for h := 0; h < p.nH && !improved; h++ {
			if in[h] || p.closed[h] {
				continue
			}
			if m.tryAdd(h) {
				if s.evaluate(append(slices.Clone(cur), h)) < curCost-1e-9 {
					improved = true
				}
				m.remove(h)
			}
		}
		// Swap moves.
		for i, out := range cur {
			if improved || s.expired() {
				break
			}
			if p.forced[out] {
				continue
			}
			tried := 0
			for _, h := range p.nearHosts[out] {
				if in[h] {
					continue
				}
				if tried++; tried > k {
					break
				}
				set := slices.Clone(cur)
				set[i] = h
				if !p.schedulable(set) {
					continue
				}
				if s.evaluate(set) < curCost-1e-9 {
					improved = true
					break
				}
			}
		}
	}
}

// explainNoFeasibleSet is called when no open set admits an assignment.
func (s *search) explainNoFeasibleSet() error {
	p := s.p
	m := newDateMatching(p)
	var open []int
	for h := 0; h < p.nH; h++ {
		if p.forced[h] && m.tryAdd(h) {
			open = append(open, h)
		}
	}
	for h := 0; h < p.nH; h++ {
		if !p.closed[h] && m.dateOf[h] < 0 && m.tryAdd(h) {
			open = append(open, h)
		}
	}
	s.asg.solve(open)
	return p.explainStuck(s.asg, open)
}
