package roster

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultWorkLimit is the search budget when Options.WorkLimit is zero.
// A work unit is one elementary step (an arc scanned by the assignment, a
// district–host pair priced by the relaxation, …); on the 2-core
// reference machine (docs/benchmarks-roster.md) 10⁹ units take about 5 s
// of one core, and the largest benchmark instances are within 1 % of their
// lower bound long before.
const DefaultWorkLimit int64 = 1_000_000_000

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
// solves the assignment exactly; otherwise it chooses hosts and dates too:
// a Lagrangian relaxation climbed by the volume algorithm gives the lower
// bound and, rounded, first rosters; a local search over open hosts (each
// move priced by an incrementally repaired min-cost flow) improves them;
// best-bound branch-and-bound on "host open / closed" follows until the
// gap closes or the work budget is spent. The same instance and options
// always give the same roster. An infeasible instance yields an
// *InfeasibleError explaining why.
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
		stats.Method = "lagrangian relaxation (volume) + rounding + local search + branch-and-bound"
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
	work int64
	// asg holds the flow of the open set last evaluated; moves from one
	// open set to the next are made incrementally.
	asg        *assigner
	rel        *relaxation
	cache      map[string]float64
	bestOpen   []int
	bestCost   float64
	bestHostOf []int
	lb         float64
	rootBound  float64
	evals      int
	iterations int
	nodes      int
	// relaxedCost is the last evaluation's cost under district-count
	// capacities only (a lower bound for that open set when seat
	// capacities bind).
	relaxedCost float64
	seats       *seatFitter
	// trial is set while local search prices a move: no deep seat fitting.
	trial bool
}

func newSearch(ctx context.Context, p *problem, opt Options, start time.Time) *search {
	s := &search{ctx: ctx, p: p, opt: opt,
		asg: newAssigner(p), cache: map[string]float64{}, bestCost: math.Inf(1), lb: math.Inf(-1)}
	if opt.TimeLimit > 0 {
		s.deadline = start.Add(opt.TimeLimit)
	}
	s.asg.work = &s.work
	if p.hasAttCap {
		s.seats = newSeatFitter(p, &s.work)
	}
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

// evaluate returns the cost of the best roster found with exactly the
// given hosts open (+Inf if none): optimal under district-count
// capacities, fitted to seat capacities by seatFitter when there are any.
// It records a new incumbent and leaves s.asg on that open set.
func (s *search) evaluate(open []int) float64 {
	set := slices.Clone(open)
	sort.Ints(set)
	key := setKey(set)
	if c, ok := s.cache[key]; ok {
		return c
	}
	s.evals++
	s.moveTo(set)
	cost := s.current()
	s.cache[key] = cost
	return cost
}

// moveTo sets s.asg's open set to set: incrementally when few hosts
// change, from scratch otherwise.
func (s *search) moveTo(set []int) bool {
	a := s.asg
	in := make([]bool, s.p.nH)
	for _, h := range set {
		in[h] = true
	}
	var closing, opening []int
	for _, h := range a.open {
		if !in[h] {
			closing = append(closing, h)
		}
	}
	for _, h := range set {
		if !a.isOpen[h] {
			opening = append(opening, h)
		}
	}
	if len(a.open) == 0 || len(a.unplaced) > 0 || 4*(len(closing)+len(opening)) > len(set)+4 {
		_, ok := a.solve(set)
		return ok
	}
	for _, h := range closing {
		a.closeHost(h)
	}
	for _, h := range opening {
		a.openHost(h)
	}
	ok := a.placeAll()
	if ok && len(a.extra) > 0 {
		a.rebase()
	}
	return ok
}

// current prices s.asg's roster (seat capacities fitted), records it if it
// is the best so far, and returns its cost (+Inf if infeasible).
func (s *search) current() float64 {
	a := s.asg
	if len(a.unplaced) > 0 {
		return math.Inf(1)
	}
	fixed := s.p.fixedCost * float64(len(a.open))
	travel := a.travel() // with priced seats, the fitter gives the true cost
	s.relaxedCost = travel + fixed
	hostOf := a.hostOf
	if s.seats != nil {
		var ok bool
		travel, hostOf, ok = s.seats.fit(a)
		if !ok && !s.trial {
			// Outside local-search trials, try harder: from the seat
			// transportation problem's rounding, then with seat
			// penalties in the flow; keep the better.
			travel, hostOf, ok = s.seats.fitTransport(a)
			saved := slices.Clone(hostOf)
			if t, h, pok := s.seats.penalised(a, 12); pok && (!ok || t < travel) {
				travel, hostOf, ok = t, h, true
			} else if ok {
				hostOf = saved
			}
		}
		if !ok {
			return math.Inf(1)
		}
	}
	cost := travel + fixed
	if cost < s.bestCost-1e-9*math.Max(1, math.Abs(cost)) {
		s.bestCost = cost
		s.bestOpen = slices.Sorted(slices.Values(a.open))
		s.bestHostOf = slices.Clone(hostOf)
	}
	return cost
}

// node is a branch-and-bound node: hosts forced open / closed.
type node struct {
	in, out []bool
	bound   float64
	lambda  []float64
	depth   int
	id      int
}

// run performs the host search: the root relaxation with rounding, local
// search from the best rounding, then best-bound branch-and-bound on "host
// open / closed" until the gap closes or the budget is spent.
func (s *search) run() error {
	p := s.p
	s.rel = newRelaxation(p)
	root := &node{in: make([]bool, p.nH), out: make([]bool, p.nH), bound: math.Inf(-1), lambda: s.initialLambda()}
	// A first incumbent from the relaxation's open set at the start.
	if math.IsInf(s.relax(root.lambda, root), 1) {
		return s.explainNoFeasibleSet()
	}
	s.roundPrimal(root, s.rel.y)
	iters := 1500 // the volume algorithm stops earlier once it converges
	dr := s.dual(root, iters, 25)
	s.roundPrimal(root, dr.ybar)
	if math.IsInf(s.bestCost, 1) {
		return s.explainNoFeasibleSet()
	}
	s.rootBound = dr.bound
	root.bound = dr.bound
	if p.hasAttCap {
		s.priceSeats(root)
	}
	if !s.closed(root.bound) {
		s.improve(root)
	}
	s.branchAndBound(root, dr.ybar)
	return nil
}

// priceSeats makes the flow see seat capacities: from now on it minimises
// cost plus, per attendee, the seat price the root relaxation puts on the
// host (its Lagrangian multiplier), so crowded hosts cost more and the
// seat fitting has less to repair. Rosters are still priced at their true
// cost by the fitter.
func (s *search) priceSeats(root *node) {
	p := s.p
	s.relax(root.lambda, root)
	price := s.rel.seatPrice
	if !slices.ContainsFunc(price, func(v float64) bool { return v > 0 }) {
		return
	}
	pen := make([][]float64, p.nD)
	for d := range pen {
		pen[d] = make([]float64, p.nH)
		for h, c := range p.cost[d] {
			pen[d][h] = c + price[h]*float64(p.att[d])
		}
	}
	s.work += int64(p.nD * p.nH)
	s.asg.cost, s.asg.costT = pen, nil
	s.asg.open = s.asg.open[:0] // the next move solves from scratch
	s.seats.mu = slices.Clone(price)
}

// closed reports whether a bound proves nothing better than the incumbent
// exists (within the gap tolerance).
func (s *search) closed(bound float64) bool {
	return bound >= s.bestCost-s.opt.GapTolerance*math.Abs(s.bestCost)-1e-9
}

// nodeQueue orders open nodes by bound (best first), deeper first on ties.
type nodeQueue []*node

func (q nodeQueue) less(i, j int) bool {
	if q[i].bound != q[j].bound {
		return q[i].bound < q[j].bound
	}
	if q[i].depth != q[j].depth {
		return q[i].depth > q[j].depth
	}
	return q[i].id < q[j].id
}

func (q *nodeQueue) push(nd *node) {
	*q = append(*q, nd)
	a := *q
	for i := len(a) - 1; i > 0; {
		parent := (i - 1) / 2
		if !a.less(i, parent) {
			break
		}
		a[parent], a[i] = a[i], a[parent]
		i = parent
	}
}

func (q *nodeQueue) pop() *node {
	a := *q
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(a) && a.less(l, small) {
			small = l
		}
		if r := l + 1; r < len(a) && a.less(r, small) {
			small = r
		}
		if small == i {
			break
		}
		a[i], a[small] = a[small], a[i]
		i = small
	}
	*q = a
	return top
}

// branchAndBound explores nodes best bound first. The proven lower bound
// is the least bound over open nodes and nodes pruned within the gap
// tolerance (they may hide rosters slightly cheaper than the incumbent).
func (s *search) branchAndBound(root *node, ybar []float64) {
	var queue nodeQueue
	prunedMin := math.Inf(1)
	ids := 0
	for _, c := range s.children(root, ybar, &prunedMin) {
		ids++
		c.id = ids
		queue.push(c)
	}
	for len(queue) > 0 && !s.expired() {
		nd := queue.pop()
		if s.closed(nd.bound) {
			prunedMin = math.Min(prunedMin, nd.bound)
			continue
		}
		s.nodes++
		dr := s.dual(nd, 60, 0)
		if math.IsInf(dr.bound, 1) {
			continue // no schedulable host set in this branch
		}
		nd.bound = math.Max(nd.bound, dr.bound)
		if s.closed(nd.bound) {
			prunedMin = math.Min(prunedMin, nd.bound)
			continue
		}
		// Round the node's relaxation; a new incumbent gets a local search.
		incumbent := s.bestCost
		s.roundPrimal(nd, dr.ybar)
		if s.bestCost < incumbent {
			s.improve(root)
		}
		if s.expired() {
			queue.push(nd)
			break
		}
		for _, c := range s.children(nd, dr.ybar, &prunedMin) {
			ids++
			c.id = ids
			queue.push(c)
		}
	}
	lo := math.Min(s.bestCost, prunedMin)
	for _, nd := range queue {
		lo = math.Min(lo, nd.bound)
	}
	s.lb = math.Max(root.bound, lo)
}

// children branches on the undecided host whose averaged relaxation value
// is most fractional. A node with every host decided is a leaf: its one
// open set is evaluated and the node is resolved, except that with seat
// capacities (fitted heuristically) its bound stays in unresolved.
func (s *search) children(nd *node, ybar []float64, unresolved *float64) []*node {
	p := s.p
	branch, bestFrac := -1, -1.0
	for h := 0; h < p.nH; h++ {
		if p.closed[h] || p.forced[h] || nd.in[h] || nd.out[h] {
			continue
		}
		if frac := math.Min(ybar[h], 1-ybar[h]); frac > bestFrac {
			branch, bestFrac = h, frac
		}
	}
	if branch < 0 {
		var open []int
		for h := 0; h < p.nH; h++ {
			if !p.closed[h] && (p.forced[h] || nd.in[h]) {
				open = append(open, h)
			}
		}
		if p.schedulable(open) {
			s.evaluate(open)
		}
		if p.hasAttCap {
			*unresolved = math.Min(*unresolved, nd.bound)
		}
		return nil
	}
	openChild := &node{in: slices.Clone(nd.in), out: slices.Clone(nd.out), bound: nd.bound, lambda: slices.Clone(nd.lambda), depth: nd.depth + 1}
	openChild.in[branch] = true
	closeChild := &node{in: slices.Clone(nd.in), out: slices.Clone(nd.out), bound: nd.bound, lambda: slices.Clone(nd.lambda), depth: nd.depth + 1}
	closeChild.out[branch] = true
	return []*node{openChild, closeChild}
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
	if _, ok := s.asg.solve(open); ok && p.hasAttCap {
		return &InfeasibleError{Reasons: []Reason{{Constraint: "capacity",
			Message: fmt.Sprintf("no way was found to seat every district's attendees within the workshops' seat capacities (%d workshops tried at most)", len(open))}}}
	}
	return p.explainStuck(s.asg, open)
}
