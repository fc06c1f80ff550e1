package tour

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// Options tunes Plan. The zero value is usable and deterministic: the
// search is bounded by work (route evaluations), not by the clock, so the
// same instance always gives the same plan.
type Options struct {
	// Work bounds the search, in route evaluations (default
	// DefaultWorkPerPlace × places, at least DefaultMinWork).
	Work int64
	// BoundRounds bounds the lower-bound computation, in rounds of exact
	// pricing (default DefaultBoundRounds); each round runs up to
	// BoundStepsPerRound subgradient steps on the pooled routes.
	BoundRounds int
	// TimeLimit, when positive, also stops the search by the wall clock
	// (the plan then depends on machine load).
	TimeLimit time.Duration
	// SkipBound leaves LowerBound at zero (saves the bound's time).
	SkipBound bool
	// SkipExplanations leaves Result.Vistaraks empty.
	SkipExplanations bool
}

// Planner defaults.
const (
	DefaultWorkPerPlace = 600
	DefaultMinWork      = 1_000_000
	DefaultBoundRounds  = 6
	BoundStepsPerRound  = 30
)

// Result is a planned tour with its cost, bound and explanations.
type Result struct {
	// Routes lists every day route, by vistarak then date.
	Routes []Route `json:"routes"`
	// Uncovered lists the places no route visits, with the reason.
	Uncovered []Uncovered `json:"uncovered,omitempty"`
	// Visits is the number of places visited.
	Visits int `json:"visits"`
	// TravelKm is the total road km of all routes.
	TravelKm float64 `json:"travel_km"`
	// Cost is TravelKm plus UncoveredPenaltyKm per uncovered place: the
	// objective, comparable with LowerBound.
	Cost float64 `json:"cost"`
	// LowerBound is a proven lower bound on the cost of any plan that keeps
	// the rules (0 when skipped).
	LowerBound float64 `json:"lower_bound"`
	// Gap is (Cost − LowerBound) / Cost.
	Gap float64 `json:"gap"`
	// Optimal reports a proven optimum (gap ≤ 1e-6).
	Optimal bool `json:"optimal"`
	// Load summarises visits per vistarak.
	Load LoadSummary `json:"load"`
	// Vistaraks explains each vistarak's plan.
	Vistaraks []VistarakPlan `json:"vistaraks,omitempty"`
	// Stats describes the search.
	Stats Stats `json:"stats"`
}

// Route is one vistarak's visits on one date, in order.
type Route struct {
	Vistarak string  `json:"vistarak"`
	Date     string  `json:"date"`
	Km       float64 `json:"km"`
	// Leave and Return are the times the vistarak leaves and is back at
	// their stay (HH:MM).
	Leave  string  `json:"leave"`
	Return string  `json:"return"`
	Visits []Visit `json:"visits"`
}

// Visit is one stop of a route.
type Visit struct {
	Place string `json:"place"`
	Name  string `json:"name,omitempty"`
	// Start and End of the visit (HH:MM).
	Start string `json:"start"`
	End   string `json:"end"`
	// KmFromPrev is the road km from the previous stop (or the stay).
	KmFromPrev float64 `json:"km_from_prev"`
}

// Uncovered is a place left out of the plan and why.
type Uncovered struct {
	Place string `json:"place"`
	Name  string `json:"name,omitempty"`
	// Rule is the rule that keeps it out (language, excluded area, max km
	// per day, …, or max visits when every vistarak who could go is full).
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// LoadSummary describes visits per vistarak over the campaign.
type LoadSummary struct {
	Min       int     `json:"min"`
	Max       int     `json:"max"`
	Mean      float64 `json:"mean"`
	Cap       int     `json:"cap"` // the balance rule's cap (most vistaraks)
	Idle      int     `json:"idle"`
	AtCap     int     `json:"at_cap"`
	Vistaraks int     `json:"vistaraks"`
}

// Stats describes how a Result was found.
type Stats struct {
	Method        string        `json:"method"`
	Elapsed       time.Duration `json:"elapsed_ns"`
	SearchTime    time.Duration `json:"search_ns"`
	BoundTime     time.Duration `json:"bound_ns"`
	Evaluations   int64         `json:"evaluations"`
	StoppedByWork bool          `json:"stopped_by_work"`
	BoundRounds   int           `json:"bound_rounds"`
	BoundSteps    int           `json:"bound_steps"`
	PricedRoutes  int64         `json:"priced_routes"`
	Pairs         int           `json:"eligible_pairs"`
	ExactRoutes   int           `json:"exact_routes,omitempty"`
	ExactNodes    int           `json:"exact_nodes,omitempty"`
}

// Plan assigns every place to a vistarak and a day and orders each day's
// visits, minimising total road km under the rules, and proves a lower
// bound on the cost of any plan. Places no vistarak may visit are listed as
// uncovered with the rule that keeps them out.
//
// Method: regret insertion and local search, then large-neighbourhood
// search; a Lagrangian bound (see bound.go) whose prices also seed a second
// plan (a Lagrangian heuristic) that gets the rest of the search budget;
// on small campaigns an exact completion that proves the best plan optimal.
func Plan(ctx context.Context, in *Instance, opt Options) (*Result, error) {
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("tour campaign: %w", err)
	}
	start := time.Now()
	p := compile(in)
	c := p.buildCands()
	return planFrom(ctx, p, c, newSolution(p, c), opt, start, false)
}

// planFrom improves the (possibly partial) solution s and returns the
// result. Re-planning starts it from the old plan with stable set: then
// only improving local moves change it (no large-neighbourhood search, no
// plan rebuilt from prices), so little moves.
func planFrom(ctx context.Context, p *problem, c *cands, s *solution, opt Options, start time.Time, stable bool) (*Result, error) {
	work := opt.Work
	if work <= 0 {
		// Small campaigns get more work per place (still under a second).
		work = max(DefaultWorkPerPlace*int64(p.nP), min(DefaultMinWork, 20000*int64(p.nP)))
	}
	stop := func() bool {
		return ctx.Err() != nil || (opt.TimeLimit > 0 && time.Since(start) > opt.TimeLimit)
	}
	st := Stats{Method: "regret insertion + local search + large-neighbourhood search; Lagrangian bound and heuristic"}
	for _, l := range c.vPlaces {
		st.Pairs += len(l)
	}
	firstShare := work
	if !opt.SkipBound && !stable {
		firstShare = work * 2 / 5
	}
	s.search(firstShare, stop, 1, stable)
	st.SearchTime = time.Since(start)
	lb := 0.0
	if !opt.SkipBound && !stop() {
		t0 := time.Now()
		b := newBounder(s)
		lb = b.run(ctx, opt)
		st.BoundRounds, st.BoundSteps, st.PricedRoutes = b.rounds, b.steps, b.priced
		proven := false
		var second time.Duration
		exact := func() {
			if stable || proven || b.bestLm == nil {
				return
			}
			better, ok, routes, nodes := b.exactComplete(ctx, b.bestLm, lb, s)
			st.ExactRoutes, st.ExactNodes = st.ExactRoutes+routes, st.ExactNodes+nodes
			if better != nil {
				better.evals = s.evals
				s = better
			}
			if ok {
				proven, lb = true, s.cost()
				st.Method += "; exact completion proved the optimum"
			}
		}
		exact()
		if b.bestLm != nil && !stable && !proven && !stop() {
			// A second plan from the prices, given the rest of the budget.
			t1 := time.Now()
			s2 := b.lagrangianPlan(b.bestLm)
			s2.evals = s.evals
			s2.search(work-firstShare, stop, 2, false)
			total := s2.evals
			if s2.cost() < s.cost()-improveEps {
				s = s2
			}
			s.evals = total
			second = time.Since(t1)
			st.SearchTime += second
			exact()
		}
		st.BoundTime = time.Since(t0) - second
	}
	st.Evaluations = s.evals
	st.StoppedByWork = !stop()
	res := s.result()
	if !opt.SkipBound {
		res.LowerBound = math.Min(lb, res.Cost)
		s.fillGap(res)
	}
	st.Elapsed = time.Since(start)
	res.Stats = st
	if !opt.SkipExplanations {
		res.Vistaraks = s.explain()
	}
	return res, nil
}

// search inserts what is uncovered, then runs local search and
// large-neighbourhood search for the given work (route evaluations).
func (s *solution) search(work int64, stop func() bool, seed uint64, localOnly bool) {
	p := s.p
	budget := s.evals + work
	sc := &scratch{}
	s.construct(sc)
	q := newPlaceQueue(p.nP)
	for i := 0; i < p.nP; i++ {
		q.push(int32(i))
	}
	for !stop() {
		if s.localSearch(q, min(budget, s.evals+20000), sc) || s.evals >= budget {
			break
		}
	}
	if localOnly {
		return
	}
	rng := rand.New(rand.NewPCG(seed, uint64(p.nP)<<20|uint64(p.nV)))
	s.lns(budget, sc, rng, q, stop)
}

func (s *solution) fillGap(res *Result) {
	if res.Cost > 0 {
		res.Gap = math.Max(0, (res.Cost-res.LowerBound)/res.Cost)
	}
	res.Optimal = res.Gap <= 1e-6
}

// result converts the working solution to a Result (routes by vistarak
// then date, visits with times).
func (s *solution) result() *Result {
	p := s.p
	res := &Result{}
	starts := make([]float64, MaxVisitsPerDayCap)
	for v := 0; v < p.nV; v++ {
		ids := append([]int32(nil), s.vRoutes[v]...)
		sort.Slice(ids, func(a, b int) bool { return s.routes[ids[a]].day < s.routes[ids[b]].day })
		for _, id := range ids {
			res.Routes = append(res.Routes, s.routeOut(id, starts))
		}
	}
	for i := 0; i < p.nP; i++ {
		if s.routeOf[i] >= 0 {
			res.Visits++
		}
	}
	res.TravelKm = s.km
	res.Cost = s.cost()
	res.Uncovered = s.uncovered()
	res.Load = s.loadSummary()
	return res
}

func (s *solution) routeOut(id int32, starts []float64) Route {
	p := s.p
	r := &s.routes[id]
	v := int(r.v)
	km, _ := p.schedule(v, r.seq, starts)
	out := Route{Vistarak: p.in.Vistaraks[v].ID, Date: p.in.Dates[r.day], Km: km}
	prev := p.home(v)
	// Leave as late as the first visit allows (no waiting at the door).
	out.Leave = clock(math.Max(p.start[v], starts[0]-p.minutes(prev, int(r.seq[0]))))
	for k, x := range r.seq {
		i := int(x)
		out.Visits = append(out.Visits, Visit{Place: p.in.Places[i].ID, Name: p.in.Places[i].Name,
			Start: clock(starts[k]), End: clock(starts[k] + p.visit[i]), KmFromPrev: p.km(prev, i)})
		prev = i
	}
	last := int(r.seq[len(r.seq)-1])
	out.Return = clock(starts[len(r.seq)-1] + p.visit[last] + p.minutes(last, p.home(v)))
	return out
}

func (s *solution) loadSummary() LoadSummary {
	load := make([]int, s.p.nV)
	for v, n := range s.load {
		load[v] = int(n)
	}
	return loadSummaryOf(s.p, load)
}
