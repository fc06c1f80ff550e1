package tour

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"
)

// Exact completion for small campaigns. With prices λ, a proven bound L(λ)
// and a plan of cost UB, a vistarak's complete plan has reduced cost at
// least z_v (their best) and at least z_v + the reduced cost of any routes
// it contains, so every plan cheaper than UB uses only routes with reduced
// cost below UB − L(λ) (reduced-cost fixing). Pricing enumerates exactly
// those routes; a depth-first search over them — branching on the
// uncovered place with the fewest fitting routes, pruning with
// L(λ) + Σ_v max(0, reduced cost of v's chosen routes) — either finds a
// cheaper plan or proves there is none. When it finishes, the best plan is
// proven optimal.

// exactLimits bound the exact completion.
const (
	exactMaxPlaces = 500     // campaigns up to this size
	exactMaxGap    = 0.03    // relative gap up to which it is tried
	exactMaxRoutes = 400000  // routes below the reduced-cost threshold
	exactMaxNodes  = 3000000 // search nodes
	// exactMaxWork bounds the search's work (routes tested for fit and
	// combination-search nodes in the bounds), so that it ends within about
	// a second whatever the campaign, and deterministically.
	exactMaxWork = 40_000_000
)

type xroute struct {
	v      int
	off    int32 // places in the search's arena
	places []int32
	cost   float64
	rc     float64
	days   uint64
}

type exactSearch struct {
	p         *problem
	routes    []xroute
	byPlace   [][]int32 // place → routes containing it, by reduced cost
	need      []bool    // places that must be covered
	covered   []bool
	load      []int
	vRc       []float64
	vChosen   [][]int32
	chosen    []int32
	extra     float64 // Σ_v max(0, vRc[v])
	costSoFar float64
	base      float64 // L(λ)
	fixedCost float64 // penalty of places nobody may visit
	ub        float64
	best      []int32
	nodes     int
	work      int64
	aborted   bool
	ctx       context.Context
	cs        comboSearch // day matching in fits
	combo     comboSearch // residual plan values in bound
	items     []scored
	byV       [][]int32
	arena     []int32
	lam       []float64
	maxRoutes []int
}

// exactComplete tries to prove the incumbent optimal or find a better
// plan, given prices whose exact bound is lb. It returns the improved plan
// (or nil), whether optimality is proven, and the routes and nodes used.
func (b *bounder) exactComplete(ctx context.Context, lam []float64, lb float64, s *solution) (*solution, bool, int, int) {
	p := b.p
	ub := s.cost()
	// Only when every place anyone may visit is covered (no capacity
	// shortfall): then the slack of a coverable place never pays.
	for i := 0; i < p.nP; i++ {
		if s.routeOf[i] < 0 && len(b.c.pVists[i]) > 0 {
			return nil, false, 0, 0
		}
	}
	gap := ub - lb
	if gap <= 1e-9 {
		return nil, true, 0, 0
	}
	if p.nP > exactMaxPlaces || gap > exactMaxGap*ub {
		return nil, false, 0, 0
	}
	saved := b.lam
	b.lam = lam
	defer func() { b.lam = saved }()
	ws := newWorkspaces(p)
	found := make([]vpool, p.nV)
	zs := make([]float64, p.nV)
	lamMax := 0.0
	for i, lm := range lam {
		if !b.fixed[i] {
			lamMax = math.Max(lamMax, math.Min(lm, b.pen))
		}
	}
	total := 0
	okAll := make([]bool, p.nV)
	parallelWS(p.nV, ws, func(w *workspace, v int) {
		zs[v], found[v], _, okAll[v] = b.priceExact(v, w, gap+1e-7, lamMax, exactMaxRoutes/p.nV+1, true)
	})
	for _, ok := range okAll {
		if !ok {
			return nil, false, 0, 0
		}
	}
	l := 0.0
	for _, lm := range lam {
		l += math.Min(lm, b.pen)
	}
	for v := range found {
		l += zs[v]
		total += len(found[v].routes)
	}
	if total > exactMaxRoutes || l < lb-1e-6*math.Max(1, math.Abs(lb)) {
		return nil, false, total, 0
	}
	e := &exactSearch{p: p, byPlace: make([][]int32, p.nP), need: make([]bool, p.nP), covered: make([]bool, p.nP),
		load: make([]int, p.nV), vRc: make([]float64, p.nV), vChosen: make([][]int32, p.nV), base: l, ub: ub, ctx: ctx,
		byV: make([][]int32, p.nV), lam: lam, maxRoutes: make([]int, p.nV)}
	for v := 0; v < p.nV; v++ {
		e.maxRoutes[v] = bits.OnesCount64(p.vDays[v])
	}
	for i := 0; i < p.nP; i++ {
		if len(b.c.pVists[i]) > 0 {
			e.need[i] = true
		} else {
			e.fixedCost += p.rules.UncoveredPenaltyKm
		}
	}
	for v, pool := range found {
		for _, r := range pool.routes {
			places := pool.places[r.off : r.off+int32(r.n)]
			rc := r.cost
			for _, x := range places {
				rc -= lam[x]
			}
			k := int32(len(e.routes))
			off := int32(len(e.arena))
			e.arena = append(e.arena, places...)
			e.routes = append(e.routes, xroute{v: v, off: off, places: slices.Clone(places), cost: r.cost, rc: rc, days: r.days})
			for _, x := range places {
				e.byPlace[x] = append(e.byPlace[x], k)
			}
			e.byV[v] = append(e.byV[v], k)
		}
	}
	for i := range e.byPlace {
		slices.SortFunc(e.byPlace[i], func(a, c int32) int {
			if x := cmp.Compare(e.routes[a].rc, e.routes[c].rc); x != 0 {
				return x
			}
			return cmp.Compare(a, c)
		})
	}
	e.dfs()
	if e.aborted {
		if e.best != nil {
			return e.toSolution(b), false, total, e.nodes
		}
		return nil, false, total, e.nodes
	}
	if e.best != nil {
		return e.toSolution(b), true, total, e.nodes
	}
	return nil, true, total, e.nodes
}

// fits reports whether route k can join the current selection.
func (e *exactSearch) fits(k int32) bool {
	r := &e.routes[k]
	if e.load[r.v]+len(r.places) > e.p.capV[r.v] {
		return false
	}
	for _, x := range r.places {
		if e.covered[x] || !e.need[x] {
			return false
		}
	}
	// Distinct days for the vistarak's routes.
	items := e.cs.items[:0]
	for _, j := range e.vChosen[r.v] {
		items = append(items, scored{days: e.routes[j].days})
	}
	items = append(items, scored{days: r.days})
	e.cs.items = items
	e.cs.chosen = e.cs.chosen[:0]
	for i := range items {
		e.cs.chosen = append(e.cs.chosen, i)
	}
	return e.cs.daysOK()
}

func (e *exactSearch) dfs() {
	e.nodes++
	if e.nodes > exactMaxNodes || e.work > exactMaxWork || (e.nodes&1023 == 0 && e.ctx.Err() != nil) {
		e.aborted = true
		return
	}
	if e.bound() >= e.ub-improveEps {
		return
	}
	// Branch on the uncovered place with the fewest fitting routes.
	pick, pickN := -1, math.MaxInt
	for i := range e.need {
		if !e.need[i] || e.covered[i] {
			continue
		}
		n := 0
		for _, k := range e.byPlace[i] {
			e.work++
			if e.fits(k) {
				n++
				if n >= pickN {
					break
				}
			}
		}
		if n < pickN {
			pick, pickN = i, n
			if n == 0 {
				return // this place can no longer be covered below UB
			}
		}
	}
	if pick < 0 {
		cost := e.costSoFar + e.fixedCost
		if cost < e.ub-improveEps {
			e.ub = cost
			e.best = slices.Clone(e.chosen)
		}
		return
	}
	for _, k := range e.byPlace[pick] {
		if e.aborted {
			return
		}
		if !e.fits(k) {
			continue
		}
		e.apply(k, +1)
		e.dfs()
		e.apply(k, -1)
	}
}

// bound is a lower bound on every completion of the current selection:
// its cost, plus λ of each uncovered place, plus each vistarak's best
// reduced cost over the routes that still fit (with their remaining cap and
// days); only routes from the reduced set can be in a plan below UB.
func (e *exactSearch) bound() float64 {
	b := e.costSoFar + e.fixedCost
	for i, need := range e.need {
		if need && !e.covered[i] {
			b += e.lam[i]
		}
	}
	for v, ks := range e.byV {
		e.work += int64(len(ks))
		items := e.items[:0]
		for _, k := range ks {
			if r := &e.routes[k]; r.rc < 0 && e.fits(k) {
				items = append(items, scored{rc: r.rc, size: int32(len(r.places)), days: r.days, k: k, off: r.off})
			}
		}
		e.items = items
		if len(items) == 0 {
			continue
		}
		e.combo.arena = e.arena
		z, _ := e.combo.solveWith(items, e.p.capV[v]-e.load[v], e.maxRoutes[v]-len(e.vChosen[v]))
		e.work += int64(e.combo.nodes + len(items))
		b += z
	}
	return b
}

func (e *exactSearch) apply(k int32, sign int) {
	r := &e.routes[k]
	for _, x := range r.places {
		e.covered[x] = sign > 0
	}
	e.load[r.v] += sign * len(r.places)
	e.vRc[r.v] += float64(sign) * r.rc
	e.costSoFar += float64(sign) * r.cost
	if sign > 0 {
		e.chosen = append(e.chosen, k)
		e.vChosen[r.v] = append(e.vChosen[r.v], k)
	} else {
		e.chosen = e.chosen[:len(e.chosen)-1]
		e.vChosen[r.v] = e.vChosen[r.v][:len(e.vChosen[r.v])-1]
	}
}

// toSolution builds the best selection as a solution (days by matching).
func (e *exactSearch) toSolution(b *bounder) *solution {
	p := e.p
	s := newSolution(p, b.c)
	byV := make([][]int32, p.nV)
	for _, k := range e.best {
		byV[e.routes[k].v] = append(byV[e.routes[k].v], k)
	}
	for v, ks := range byV {
		days := assignDays(e.routes, ks)
		for j, k := range ks {
			r := e.routes[k]
			seq := slices.Clone(r.places)
			km, _ := s.order(v, seq)
			s.addRoute(v, days[j], seq, km)
		}
	}
	return s
}

// assignDays gives each route a distinct allowed day (bipartite matching).
func assignDays(routes []xroute, ks []int32) []int {
	n := len(ks)
	dayOf := make([]int, n)
	var taken [64]int
	for i := range taken {
		taken[i] = -1
	}
	var try func(j int, seen *uint64) bool
	try = func(j int, seen *uint64) bool {
		m := routes[ks[j]].days &^ *seen
		for m != 0 {
			d := 0
			for m&(1<<uint(d)) == 0 {
				d++
			}
			m &^= 1 << uint(d)
			*seen |= 1 << uint(d)
			if taken[d] < 0 || try(taken[d], seen) {
				taken[d], dayOf[j] = j, d
				return true
			}
		}
		return false
	}
	for j := 0; j < n; j++ {
		var seen uint64
		try(j, &seen)
	}
	return dayOf
}
