package tour

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// The lower bound is Lagrangian: relax "every place is covered exactly
// once" with a price λ per place. What is left splits by vistarak: each
// picks the plan (disjoint day routes, one per day, at most their visit
// cap) with the least cost − Σλ, which is at most 0 (the empty plan). For
// any λ ≥ 0,
//
//	L(λ) = Σ_places min(λ, penalty) + Σ_vistaraks min_plan (cost − Σλ)
//
// is at most the cost of every plan keeping the rules, so it is a proven
// bound whenever each vistarak's minimum is computed exactly. It is at least
// as strong as the LP relaxation of the route (set-partitioning) model,
// because each vistarak's plan is solved as an integer problem.
//
// λ is improved by subgradient steps on a pool of promising routes per
// vistarak (cheap), and each round ends with exact pricing: every route a
// vistarak could run with negative reduced cost is enumerated (the valid
// bound) and the near-negative ones join the pool.

// proute is a pooled route: its places, cost and the days it may run.
type proute struct {
	off  int32 // into the vistarak's place arena
	n    int8
	cost float64
	days uint64
}

type vpool struct {
	routes []proute
	places []int32
	order  []int32 // routes by reduced cost at the last steering step
}

// boundRoundGain is the relative gain below which another bound round is
// not worth its time.
const boundRoundGain = 2e-4

// boundTargetShare places the subgradient steps' target between the best
// proven bound (0) and the plan's km (1).
const boundTargetShare = 0.75

// poolRouteLimit caps the routes one exact pricing keeps for a vistarak's
// pool (past it only negative routes are kept).
const poolRouteLimit = 2000

type bounder struct {
	s      *solution
	p      *problem
	c      *cands
	lam    []float64
	pools  []vpool
	best   float64
	bestLm []float64
	rounds int
	steps  int
	priced int64
	pen    float64
	ub     float64
	ubAdj  float64 // ub without the penalty of coverable places left out
	margin float64 // routes priced below margin × mean λ join the pools
	fixed  []bool  // places no vistarak can visit (λ = penalty)
	trace  func(round int, pooled, exact float64)
}

func newBounder(s *solution) *bounder {
	p := s.p
	b := &bounder{s: s, p: p, c: s.c, lam: make([]float64, p.nP), pools: make([]vpool, p.nV),
		best: math.Inf(-1), pen: p.rules.UncoveredPenaltyKm, ub: s.cost(), fixed: make([]bool, p.nP)}
	// Start from prices under which no route has a negative reduced cost,
	// so the first bound costs no enumeration: a route through place i
	// costs at least the round trip to each of its places, so at least
	// their mean, and a place's price of its nearest round trip ÷ the
	// most visits a day (of the vistarak making it) is below that. Places
	// nobody may visit pay the penalty.
	for i := 0; i < p.nP; i++ {
		if len(s.c.pVists[i]) == 0 {
			b.fixed[i] = true
			b.lam[i] = b.pen
			continue
		}
		lm := math.Inf(1)
		for k, v := range s.c.pVists[i] {
			lm = math.Min(lm, float64(s.c.pRT[i][k])*(1-1e-6)/float64(p.q[v]))
		}
		b.lam[i] = math.Min(lm, b.pen)
	}
	b.margin = 0.25
	b.ubAdj = s.km
	for i := 0; i < p.nP; i++ {
		if b.fixed[i] {
			b.ubAdj += b.pen
		}
	}
	// Seed the pools with the plan's routes.
	for v := 0; v < p.nV; v++ {
		for _, id := range s.vRoutes[v] {
			rt := &s.routes[id]
			pl := &b.pools[v]
			pl.routes = append(pl.routes, proute{off: int32(len(pl.places)), n: int8(len(rt.seq)), cost: rt.km, days: p.routeDays(v, rt.seq)})
			pl.places = append(pl.places, rt.seq...)
		}
	}
	return b
}

// run improves λ for the given rounds and returns the best proven bound.
func (b *bounder) run(ctx context.Context, opt Options) float64 {
	rounds := opt.BoundRounds
	if rounds <= 0 {
		rounds = DefaultBoundRounds
	}
	theta := 0.5
	ws := newWorkspaces(b.p)
	zs := make([]float64, b.p.nV)
	cover := make([]int32, b.p.nP)
	chosen := make([][]int32, b.p.nV) // pool routes chosen per vistarak
	g := make([]float64, b.p.nP)
	prevExact := math.Inf(-1)
	converged := false
	for round := 0; round <= rounds; round++ { // round 0 prices the start
		if ctx.Err() != nil {
			break
		}
		b.rounds++
		// Subgradient steps on the pools.
		bestPool, bestPoolLam := math.Inf(-1), append([]float64(nil), b.lam...)
		stall := 0
		steps := BoundStepsPerRound
		switch {
		case round == 0:
			steps = 0 // the pools hold only the plan's routes yet: price first
		case converged:
			steps = 4 * BoundStepsPerRound
		}
		for k := 0; k < steps; k++ {
			b.steps++
			parallelWS(b.p.nV, ws, func(w *workspace, v int) {
				zs[v], chosen[v] = b.poolBest(v, w, chosen[v][:0])
			})
			l := b.valueAndCover(zs, chosen, cover)
			if l > bestPool+1e-9 {
				bestPool = l
				copy(bestPoolLam, b.lam)
				stall = 0
			} else if stall++; stall >= 8 {
				theta /= 2
				stall = 0
			}
			norm := 0.0
			for i := range g {
				if b.fixed[i] {
					g[i] = 0
					continue
				}
				gi := 1 - float64(cover[i])
				if b.lam[i] > b.pen {
					gi--
				}
				g[i] = gi
				norm += gi * gi
			}
			if norm == 0 {
				break
			}
			// Polyak step towards a target three quarters of the way from
			// the best proven bound to the plan's km (without penalties of places it left
			// out), not the plan's cost: the pooled value overstates L and
			// a far target overshoots (λ so high that the next pricing
			// enumerates nearly every route).
			target := b.ub
			if b.best > 0 {
				target = math.Max(math.Min(target, b.best+boundTargetShare*(b.ubAdj-b.best)), l*1.01)
			}
			t := theta * math.Max(target-l, 1e-6*math.Max(1, math.Abs(b.ub))) / norm
			for i := range b.lam {
				if !b.fixed[i] {
					b.lam[i] = math.Max(0, b.lam[i]+t*g[i])
				}
			}
		}
		copy(b.lam, bestPoolLam)
		// Exact pricing at the best pooled λ: a proven bound, and new routes.
		lb := b.exact(ws, zs)
		// Once the pools price λ nearly as well as exact pricing, they hold
		// the routes that matter: steer longer on them between pricings.
		converged = !math.IsInf(bestPool, -1) && bestPool-lb < 0.002*math.Abs(lb)
		if b.trace != nil {
			b.trace(round, bestPool, lb)
		}
		if lb > b.best {
			b.best = lb
			b.bestLm = append(b.bestLm[:0], b.lam...)
		}
		if b.ub-b.best <= 1e-6*math.Abs(b.ub) {
			break
		}
		// Stop when a round no longer moves the bound.
		if round >= 2 && lb-prevExact < boundRoundGain*math.Abs(lb) {
			break
		}
		prevExact = lb
	}
	return b.best
}

// valueAndCover sums L over the pools' choices and counts how often the
// chosen routes cover each place.
func (b *bounder) valueAndCover(zs []float64, chosen [][]int32, cover []int32) float64 {
	for i := range cover {
		cover[i] = 0
	}
	l := 0.0
	for _, lm := range b.lam {
		l += math.Min(lm, b.pen)
	}
	for v, z := range zs {
		l += z
		pl := &b.pools[v]
		for _, k := range chosen[v] {
			r := pl.routes[k]
			for _, x := range pl.places[r.off : r.off+int32(r.n)] {
				cover[x]++
			}
		}
	}
	return l
}

// exact prices every vistarak exactly at the current λ, adds the
// near-negative routes to the pools and returns the proven bound L(λ).
func (b *bounder) exact(ws []*workspace, zs []float64) float64 {
	p := b.p
	// Routes with reduced cost below delta join the pool.
	mean, n := 0.0, 0
	for i, lm := range b.lam {
		if !b.fixed[i] && lm > 0 {
			mean += lm
			n++
		}
	}
	if n > 0 {
		mean /= float64(n)
	}
	delta := b.margin * mean
	lamMax := 0.0
	for i, lm := range b.lam {
		if !b.fixed[i] {
			lamMax = math.Max(lamMax, math.Min(lm, b.pen))
		}
	}
	found := make([]vpool, p.nV)
	priced := make([]int64, p.nV)
	parallelWS(p.nV, ws, func(w *workspace, v int) {
		zs[v], found[v], priced[v], _ = b.priceExact(v, w, delta, lamMax, poolRouteLimit, false)
	})
	l := 0.0
	for _, lm := range b.lam {
		l += math.Min(lm, b.pen)
	}
	for v := range zs {
		l += zs[v]
		b.priced += priced[v]
		b.mergePool(v, found[v])
	}
	return l
}

// mergePool adds new routes to vistarak v's pool (skipping duplicates).
func (b *bounder) mergePool(v int, add vpool) {
	pl := &b.pools[v]
	seen := make(map[[MaxVisitsPerDayCap]int32]bool, len(pl.routes)+len(add.routes))
	key := func(places []int32) [MaxVisitsPerDayCap]int32 {
		var k [MaxVisitsPerDayCap]int32
		for i := range k {
			k[i] = -1
		}
		s := append([]int32(nil), places...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		copy(k[:], s)
		return k
	}
	for _, r := range pl.routes {
		seen[key(pl.places[r.off:r.off+int32(r.n)])] = true
	}
	for _, r := range add.routes {
		places := add.places[r.off : r.off+int32(r.n)]
		k := key(places)
		if seen[k] {
			continue
		}
		seen[k] = true
		pl.routes = append(pl.routes, proute{off: int32(len(pl.places)), n: r.n, cost: r.cost, days: r.days})
		pl.places = append(pl.places, places...)
	}
}

// workspace is one goroutine's scratch for pricing.
type workspace struct {
	cand   []int32   // candidate places (global ids)
	lam    []float64 // their λ
	rt     []float64
	km     []float64 // local (N+1)² km, NaN = not yet computed; index N is the stay
	mins   []float64
	n      int
	set    [MaxVisitsPerDayCap]int
	order  localOrder
	found  vpool
	combo  comboSearch
	scored []scored
	sufMax []float64
	sufLR  []float64
	rmq    rangeMax
	rcs    []float64
}

// scored is a route with negative reduced cost offered to comboSearch; its
// places are arena[off : off+size] of the arena passed with it.
type scored struct {
	rc   float64
	days uint64
	k    int32 // index into the pool's or the enumeration's routes
	off  int32
	size int32
}

func newWorkspaces(p *problem) []*workspace {
	n := runtime.GOMAXPROCS(0)
	ws := make([]*workspace, n)
	for i := range ws {
		ws[i] = &workspace{}
	}
	return ws
}

// parallelWS runs fn(ws, i) for i in [0, n) with one workspace per worker.
// fn writes only to index i, so results do not depend on scheduling.
func parallelWS(n int, ws []*workspace, fn func(w *workspace, i int)) {
	var wg sync.WaitGroup
	next := make(chan int, 512)
	for _, w := range ws {
		wg.Add(1)
		go func(w *workspace) {
			defer wg.Done()
			for i := range next {
				fn(w, i)
			}
		}(w)
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// poolBest solves vistarak v's plan over its pooled routes only (an upper
// estimate of its true minimum, used to steer λ) and returns the value and
// the chosen pool routes.
func (b *bounder) poolBest(v int, w *workspace, chosen []int32) (float64, []int32) {
	pl := &b.pools[v]
	if len(pl.routes) == 0 {
		return 0, chosen
	}
	// Reduced costs, and the routes in increasing reduced cost: the order
	// from the last step, repaired by insertion sort (λ moves little
	// between steps, so it is nearly sorted already).
	rc := w.rcs[:0]
	for _, r := range pl.routes {
		x := r.cost
		for _, y := range pl.places[r.off : r.off+int32(r.n)] {
			x -= b.lam[y]
		}
		rc = append(rc, x)
	}
	w.rcs = rc
	order := pl.order
	for k := len(order); k < len(pl.routes); k++ {
		order = append(order, int32(k))
	}
	// Insertion sort while the order is nearly right; a full sort when it
	// is not (new routes, or a large step of λ).
	shifts, budget := 0, 16*len(order)
	for i := 1; i < len(order) && shifts <= budget; i++ {
		k := order[i]
		j := i - 1
		for j >= 0 && (rc[order[j]] > rc[k] || (rc[order[j]] == rc[k] && order[j] > k)) {
			order[j+1] = order[j]
			j--
			shifts++
		}
		order[j+1] = k
	}
	if shifts > budget {
		slices.SortFunc(order, func(a, c int32) int {
			if x := cmp.Compare(rc[a], rc[c]); x != 0 {
				return x
			}
			return cmp.Compare(a, c)
		})
	}
	pl.order = order
	w.scored = w.scored[:0]
	for _, k := range order {
		if rc[k] >= -1e-12 {
			break
		}
		r := pl.routes[k]
		w.scored = append(w.scored, scored{rc: rc[k], size: int32(r.n), days: r.days, k: k, off: r.off})
	}
	w.combo.arena = pl.places
	z, picks := w.combo.solveSorted(b.p.capV[v], bits.OnesCount64(b.p.vDays[v]), w.scored)
	for _, k := range picks {
		chosen = append(chosen, w.scored[k].k)
	}
	return z, chosen
}

// priceExact enumerates every feasible route of vistarak v whose reduced
// cost is below delta, returns v's exact plan minimum (≤ 0) and the routes
// found (for the pool).
//
// At most maxRoutes routes are kept: past soft limits the margin shrinks to
// 0 (only negative routes, which the exact minimum needs); with strict set,
// the enumeration gives up instead and ok is false.
func (b *bounder) priceExact(v int, w *workspace, delta, lamMax float64, maxRoutes int, strict bool) (z float64, found vpool, count int64, ok bool) {
	p, c := b.p, b.c
	q := p.q[v]
	// Candidates: eligible places with λ > 0 near enough that some route
	// through them could have reduced cost below delta. A route's cost is at
	// least the round trip to its farthest place (triangle inequality) and
	// its λ at most the sum of its q largest, so scanning places by round
	// trip we can stop once the round trip exceeds q·λmax + delta, and keep
	// places up to the last one whose round trip is below the prefix's top-q
	// λ sum + delta.
	w.cand, w.lam, w.rt = w.cand[:0], w.lam[:0], w.rt[:0]
	var top [MaxVisitsPerDayCap]float64
	topSum, last := 0.0, -1
	list, rts := c.vPlaces[v], c.vRT[v]
	limit := float64(q)*lamMax + delta
	for k, x := range list {
		rt := float64(rts[k]) * (1 - 1e-6) // stored as float32: never overstate it
		if rt >= limit {
			break
		}
		lm := b.lam[x]
		if lm <= 0 {
			continue
		}
		// Insert lm into the top-q list.
		if j := q - 1; lm > top[j] {
			topSum += lm - top[j]
			top[j] = lm
			for ; j > 0 && top[j] > top[j-1]; j-- {
				top[j], top[j-1] = top[j-1], top[j]
			}
		}
		w.cand = append(w.cand, x)
		w.lam = append(w.lam, lm)
		w.rt = append(w.rt, rt)
		if rt < topSum+delta {
			last = len(w.cand) - 1
		}
	}
	w.cand, w.lam, w.rt = w.cand[:last+1], w.lam[:last+1], w.rt[:last+1]
	n := len(w.cand)
	w.n = n
	if cap(w.km) < (n+1)*(n+1) {
		w.km = make([]float64, (n+1)*(n+1))
		w.mins = make([]float64, (n+1)*(n+1))
	}
	w.km, w.mins = w.km[:(n+1)*(n+1)], w.mins[:(n+1)*(n+1)]
	for i := range w.km {
		w.km[i] = math.NaN()
	}
	w.found.routes, w.found.places = w.found.routes[:0], w.found.places[:0]
	w.order.init(p, v, w)
	e := enumerator{b: b, w: w, v: v, q: q, delta: delta, limit: maxRoutes, strict: strict, rmq: &w.rmq}
	// Suffix maxima of λ and of λ − round trip, and range maxima of λ, for
	// the completion bound.
	e.sufMax = growFloats(&w.sufMax, n+1)
	e.sufLR = growFloats(&w.sufLR, n+1)
	e.sufMax[n], e.sufLR[n] = 0, math.Inf(-1)
	for i := n - 1; i >= 0; i-- {
		e.sufMax[i] = math.Max(e.sufMax[i+1], w.lam[i])
		e.sufLR[i] = math.Max(e.sufLR[i+1], w.lam[i]-w.rt[i])
	}
	e.rmq.build(w.lam[:n])
	e.dfs(0, 0, 0, 0, p.vDays[v])
	if e.over {
		return 0, vpool{}, e.count, false
	}
	found = vpool{routes: append([]proute(nil), w.found.routes...), places: append([]int32(nil), w.found.places...)}
	// Combine the negative routes into the best plan.
	w.scored = w.scored[:0]
	for k, r := range found.routes {
		places := found.places[r.off : r.off+int32(r.n)]
		rc := r.cost
		for _, x := range places {
			rc -= b.lam[x]
		}
		if rc < -1e-12 {
			w.scored = append(w.scored, scored{rc: rc, size: int32(r.n), days: r.days, k: int32(k), off: r.off})
		}
	}
	w.combo.arena = found.places
	z, _ = w.combo.solve(p, v, w.scored)
	if !strict && len(found.routes) > maxRoutes {
		// Keep the pool small: the most negative routes only (the exact
		// minimum z is already computed over all of them).
		found = trimPool(found, w.scored, maxRoutes)
	}
	return z, found, e.count, true
}

// rangeMax answers maxima over ranges of a slice (sparse table).
type rangeMax struct {
	levels [][]float64
}

func (r *rangeMax) build(x []float64) {
	n := len(x)
	nl := 1
	for 1<<nl <= n {
		nl++
	}
	for len(r.levels) < nl {
		r.levels = append(r.levels, nil)
	}
	r.levels = r.levels[:nl]
	r.levels[0] = append(r.levels[0][:0], x...)
	for l := 1; l < nl; l++ {
		prev, w := r.levels[l-1], 1<<(l-1)
		cur := r.levels[l][:0]
		for i := 0; i+2*w <= n; i++ {
			cur = append(cur, math.Max(prev[i], prev[i+w]))
		}
		r.levels[l] = cur
	}
}

// max is the maximum over [a, b) (−Inf when empty).
func (r *rangeMax) max(a, b int) float64 {
	if a >= b {
		return math.Inf(-1)
	}
	l := bits.Len(uint(b-a)) - 1
	return math.Max(r.levels[l][a], r.levels[l][b-1<<l])
}

func growFloats(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

// trimPool keeps the routes of sorted (scored, most negative first) up to
// limit.
func trimPool(found vpool, sorted []scored, limit int) vpool {
	var out vpool
	for _, sc := range sorted[:min(limit, len(sorted))] {
		r := found.routes[sc.k]
		out.routes = append(out.routes, proute{off: int32(len(out.places)), n: r.n, cost: r.cost, days: r.days})
		out.places = append(out.places, found.places[r.off:r.off+int32(r.n)]...)
	}
	return out
}

// enumerator walks the subsets of a vistarak's candidates in index order.
type enumerator struct {
	b      *bounder
	w      *workspace
	v, q   int
	delta  float64
	sufMax []float64 // max λ over candidates i…
	sufLR  []float64 // max λ − round trip over candidates i…
	rmq    *rangeMax
	count  int64
	limit  int  // routes kept before the margin drops to 0 (or, strict, before giving up)
	strict bool // give up past limit
	over   bool // gave up
}

// dfs extends the current set (w.set[:depth], its best cost costS, Σλ
// lamSum, days mask) with candidates from index from on. With distances
// obeying the triangle inequality a superset never costs less than a set,
// nor less than the round trip to any of its places, and a set that cannot
// be routed has no routable superset.
func (e *enumerator) dfs(depth, from int, lamSum, costS float64, days uint64) {
	w := e.w
	for i := from; i < w.n && !e.over; i++ {
		// Candidates are sorted by round trip: once even the largest λ
		// cannot pay for the round trip to i, no later candidate can help.
		if w.rt[i]-lamSum-float64(e.q-depth)*e.sufMax[i] >= e.delta {
			break
		}
		// Lower bound on the reduced cost of any route containing the set
		// and candidate i (and maybe more after i).
		lbCost := math.Max(costS, w.rt[i])
		rest := e.gain(i, lbCost, e.q-depth-1)
		if lbCost-lamSum-w.lam[i]-rest >= e.delta {
			continue
		}
		m := days & e.b.p.pDays[w.cand[i]]
		if m == 0 {
			continue
		}
		w.set[depth] = i
		e.count++
		cost, ok := w.order.best(w.set[:depth+1])
		if !ok {
			continue // supersets are infeasible too
		}
		rc := cost - lamSum - w.lam[i]
		if rc < e.delta {
			e.record(depth+1, cost, m)
		}
		if depth+1 < e.q && cost-lamSum-w.lam[i]-e.gain(i, cost, e.q-depth-1) < e.delta {
			e.dfs(depth+1, i+1, lamSum+w.lam[i], cost, m)
		}
	}
}

// gain bounds what adding up to m more candidates after i can take off the
// reduced cost of a set whose route costs at least c: each brings its λ,
// and the route then costs at least the round trip to the farthest, so
// the one with the largest round trip brings at most λ − (round trip − c)
// when that is beyond c. Adding nothing brings 0.
func (e *enumerator) gain(i int, c float64, m int) float64 {
	if m <= 0 {
		return 0
	}
	w := e.w
	// k: the first candidate after i whose round trip exceeds c.
	lo, hi := i+1, w.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if w.rt[mid] <= c {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	g := math.Max(e.rmq.max(i+1, lo), e.sufLR[lo]+c)
	return math.Max(0, g+float64(m-1)*e.sufMax[i+1])
}

func (e *enumerator) record(n int, cost float64, days uint64) {
	w := e.w
	if len(w.found.routes) >= e.limit {
		if e.strict {
			e.over = true
			return
		}
		e.delta = math.Min(e.delta, 0)
		if cost-e.lamOf(n) >= 0 {
			return
		}
	}
	w.found.routes = append(w.found.routes, proute{off: int32(len(w.found.places)), n: int8(n), cost: cost, days: days})
	for _, i := range w.set[:n] {
		w.found.places = append(w.found.places, w.cand[i])
	}
}

// localOrder computes best route orders over a workspace's candidates with
// lazily cached local distances; results are cached per set in the dfs by
// recomputing (sets are tiny).
type localOrder struct {
	p      *problem
	v      int
	w      *workspace
	home   int
	bestKm float64
	found  bool
	set    []int
	used   uint32
}

func (o *localOrder) init(p *problem, v int, w *workspace) {
	o.p, o.v, o.w, o.home = p, v, w, w.n
}

func (o *localOrder) glob(i int) int {
	if i == o.home {
		return o.p.home(o.v)
	}
	return int(o.w.cand[i])
}

func (o *localOrder) dist(a, b int) (float64, float64) {
	k := a*(o.w.n+1) + b
	d := o.w.km[k]
	if d != d { // NaN: not computed yet
		ga, gb := o.glob(a), o.glob(b)
		d = o.p.km(ga, gb)
		o.w.km[k] = d
		o.w.mins[k] = o.p.minutes(ga, gb)
	}
	return d, o.w.mins[k]
}

// best returns the shortest feasible order's km of set, or ok=false.
func (o *localOrder) best(set []int) (float64, bool) {
	o.set, o.bestKm, o.found, o.used = set, math.Inf(1), false, 0
	o.search(0, o.home, o.p.start[o.v], 0)
	return o.bestKm, o.found
}

func (o *localOrder) search(depth, prev int, t, km float64) {
	p, v := o.p, o.v
	if depth == len(o.set) {
		dk, dm := o.dist(prev, o.home)
		km += dk
		if km > p.maxKm[v]+eps || t+dm > p.end[v]+eps {
			return
		}
		if km < o.bestKm {
			o.bestKm, o.found = km, true
		}
		return
	}
	for k, i := range o.set {
		if o.used&(1<<uint(k)) != 0 {
			continue
		}
		dk, dm := o.dist(prev, i)
		nk := km + dk
		back, backMin := o.dist(i, o.home)
		if nk+back >= o.bestKm || nk+back > p.maxKm[v]+eps {
			continue
		}
		g := int(o.w.cand[i])
		nt := t + dm
		if nt < p.open[g] {
			nt = p.open[g]
		}
		nt += p.visit[g]
		if nt > p.close[g]+eps || nt+backMin > p.end[v]+eps {
			continue
		}
		o.used |= 1 << uint(k)
		o.search(depth+1, i, nt, nk)
		o.used &^= 1 << uint(k)
	}
}

// comboSearch picks pairwise-disjoint routes, at most one per available
// day (assignable to distinct days) and at most the visit cap in total,
// with the least total reduced cost — exactly, by depth-first search over
// the routes by size in increasing reduced cost, bounded by a relaxation
// (the best routes of each size that fit the capacity left, overlaps and
// days ignored), falling back to that relaxation (still a valid bound) when
// the search grows too large.
type comboSearch struct {
	items   []scored
	bySize  [MaxVisitsPerDayCap + 1][]int32 // indices into items, by reduced cost
	relax   []float64                       // relax[c]: relaxed best value with capacity c
	prefix  []float64
	next    []float64
	chosen  []int
	best    float64
	bestSet []int
	cap     int
	maxN    int
	nodes   int
	aborted bool
	arena   []int32 // places of the items
	// day matching scratch
	taken [64]int
}

// comboNodeLimit bounds one search, in routes examined.
const comboNodeLimit = 200000

func (cs *comboSearch) solve(p *problem, v int, items []scored) (float64, []int) {
	return cs.solveWith(items, p.capV[v], bits.OnesCount64(p.vDays[v]))
}

// solveWith is solve with an explicit visit cap and number of routes.
func (cs *comboSearch) solveWith(items []scored, capVisits, maxRoutes int) (float64, []int) {
	if len(items) == 0 || capVisits <= 0 || maxRoutes <= 0 {
		return 0, nil
	}
	slices.SortFunc(items, func(a, b scored) int {
		if c := cmp.Compare(a.rc, b.rc); c != 0 {
			return c
		}
		return cmp.Compare(a.k, b.k) // a total order: the same picks on every run
	})
	return cs.solveSorted(capVisits, maxRoutes, items)
}

// solveSorted is solveWith for items already in increasing reduced cost
// (all negative). When the search stops at its limit it returns the
// relaxation's value (a valid lower bound) and the best picks found.
func (cs *comboSearch) solveSorted(capVisits, maxRoutes int, items []scored) (float64, []int) {
	cs.nodes, cs.aborted = 0, false
	if len(items) == 0 || capVisits <= 0 || maxRoutes <= 0 {
		return 0, nil
	}
	cs.items, cs.cap, cs.maxN = items, capVisits, maxRoutes
	maxSize := 0
	for s := range cs.bySize {
		cs.bySize[s] = cs.bySize[s][:0]
	}
	for i, it := range items {
		if s := int(it.size); s <= capVisits && s < len(cs.bySize) {
			cs.bySize[s] = append(cs.bySize[s], int32(i))
			maxSize = max(maxSize, s)
		}
	}
	// relax[c] = min Σ rc over multisets of routes (distinct routes, any
	// overlap, any days) with total size ≤ c: a bounded knapsack over the
	// sizes, each size taking its most negative routes first.
	cs.relax = append(cs.relax[:0], make([]float64, capVisits+1)...)
	for s := 1; s <= maxSize; s++ {
		list := cs.bySize[s]
		if len(list) == 0 {
			continue
		}
		n := min(len(list), capVisits/s)
		cs.prefix = append(cs.prefix[:0], 0)
		for j := 0; j < n; j++ {
			cs.prefix = append(cs.prefix, cs.prefix[j]+items[list[j]].rc)
		}
		cs.next = append(cs.next[:0], cs.relax...)
		for c := 0; c <= capVisits; c++ {
			for k := 1; k <= n && k*s <= c; k++ {
				if x := cs.relax[c-k*s] + cs.prefix[k]; x < cs.next[c] {
					cs.next[c] = x
				}
			}
		}
		copy(cs.relax, cs.next)
	}
	cs.best, cs.bestSet, cs.chosen = 0, cs.bestSet[:0], cs.chosen[:0]
	cs.dfs(-1, 0, 0)
	if cs.aborted {
		return cs.relax[capVisits], append([]int(nil), cs.bestSet...)
	}
	return cs.best, append([]int(nil), cs.bestSet...)
}

// dfs extends the chosen routes (all of index ≤ after) with routes of
// larger index.
func (cs *comboSearch) dfs(after int, used int, val float64) {
	if val < cs.best-1e-12 {
		cs.best = val
		cs.bestSet = append(cs.bestSet[:0], cs.chosen...)
	}
	c := cs.cap - used
	if len(cs.chosen) >= cs.maxN || c <= 0 || val+cs.relax[c] >= cs.best-1e-12 {
		return
	}
	for s := 1; s <= c && s < len(cs.bySize); s++ {
		list := cs.bySize[s]
		j0, _ := slices.BinarySearch(list, int32(after+1))
		for j := j0; j < len(list); j++ {
			if cs.nodes++; cs.nodes > comboNodeLimit {
				cs.aborted = true
				return
			}
			i := int(list[j])
			it := cs.items[i]
			// Routes of this size come in increasing reduced cost: once
			// one cannot beat the best even with the relaxed rest, none
			// after it can.
			if val+it.rc+cs.relax[c-s] >= cs.best-1e-12 {
				break
			}
			if !cs.disjoint(it) {
				continue
			}
			cs.chosen = append(cs.chosen, i)
			if cs.daysOK() {
				cs.dfs(i, used+s, val+it.rc)
			}
			cs.chosen = cs.chosen[:len(cs.chosen)-1]
			if cs.aborted {
				return
			}
		}
	}
}

func (cs *comboSearch) disjoint(it scored) bool {
	for _, k := range cs.chosen {
		o := cs.items[k]
		for _, x := range cs.arena[o.off : o.off+o.size] {
			for _, y := range cs.arena[it.off : it.off+it.size] {
				if x == y {
					return false
				}
			}
		}
	}
	return true
}

// daysOK checks that the chosen routes can run on distinct days (bipartite
// matching by augmenting paths over day masks).
func (cs *comboSearch) daysOK() bool {
	n := len(cs.chosen)
	// Hall's condition holds at once when every route has at least n days.
	fewest := 64
	for _, k := range cs.chosen {
		fewest = min(fewest, bits.OnesCount64(cs.items[k].days))
	}
	if fewest >= n {
		return true
	}
	if fewest == 0 {
		return false
	}
	for i := range cs.taken {
		cs.taken[i] = -1
	}
	for k := 0; k < n; k++ {
		if ok, _ := cs.augment(k, 0); !ok {
			return false
		}
	}
	return true
}

// augment finds a day for chosen route k, moving others along an
// augmenting path; seen marks days visited on this path.
func (cs *comboSearch) augment(k int, seen uint64) (bool, uint64) {
	m := cs.items[cs.chosen[k]].days &^ seen
	for m != 0 {
		d := bits.TrailingZeros64(m)
		m &^= 1 << uint(d)
		seen |= 1 << uint(d)
		if cs.taken[d] < 0 {
			cs.taken[d] = k
			return true, seen
		}
		var ok bool
		if ok, seen = cs.augment(cs.taken[d], seen); ok {
			cs.taken[d] = k
			return true, seen
		}
	}
	return false, seen
}

// lagrangianPlan builds a plan from the vistaraks' best plans under λ (a
// Lagrangian heuristic): their chosen routes, most negative reduced cost
// first, are taken while they cover only uncovered places and keep the
// vistarak's cap and days; the places left go in by regret insertion.
func (b *bounder) lagrangianPlan(lam []float64) *solution {
	p := b.p
	saved := b.lam
	b.lam = lam
	ws := newWorkspaces(p)
	chosen := make([][]int32, p.nV)
	zs := make([]float64, p.nV)
	parallelWS(p.nV, ws, func(w *workspace, v int) {
		zs[v], chosen[v] = b.poolBest(v, w, nil)
	})
	type pick struct {
		v  int
		k  int32
		rc float64
	}
	var picks []pick
	for v, ks := range chosen {
		pl := &b.pools[v]
		for _, k := range ks {
			r := pl.routes[k]
			rc := r.cost
			for _, x := range pl.places[r.off : r.off+int32(r.n)] {
				rc -= lam[x]
			}
			picks = append(picks, pick{v, k, rc})
		}
	}
	b.lam = saved
	slices.SortFunc(picks, func(a, c pick) int {
		if x := cmp.Compare(a.rc, c.rc); x != 0 {
			return x
		}
		if a.v != c.v {
			return cmp.Compare(a.v, c.v)
		}
		return cmp.Compare(a.k, c.k)
	})
	s := newSolution(p, b.c)
	buf := make([]int32, 0, MaxVisitsPerDayCap)
	for _, pk := range picks {
		r := b.pools[pk.v].routes[pk.k]
		places := b.pools[pk.v].places[r.off : r.off+int32(r.n)]
		free := true
		for _, x := range places {
			if s.routeOf[x] >= 0 {
				free = false
				break
			}
		}
		if !free || s.load[pk.v]+int32(r.n) > int32(p.capV[pk.v]) {
			continue
		}
		day, ok := s.dayFor(pk.v, r.days, -1)
		if !ok {
			continue
		}
		buf = append(buf[:0], places...)
		km, ok := s.order(pk.v, buf)
		if !ok {
			continue
		}
		s.addRoute(pk.v, day, buf, km)
	}
	var rest []int32
	for i := 0; i < p.nP; i++ {
		if s.routeOf[i] < 0 && len(b.c.pVists[i]) > 0 {
			rest = append(rest, int32(i))
		}
	}
	s.recreate(rest, &scratch{}, rand.New(rand.NewPCG(1, 2)))
	return s
}

// lamOf sums λ over the first n places of the current set.
func (e *enumerator) lamOf(n int) float64 {
	t := 0.0
	for _, i := range e.w.set[:n] {
		t += e.w.lam[i]
	}
	return t
}
