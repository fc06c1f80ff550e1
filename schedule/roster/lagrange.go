package roster

import (
	"cmp"
	"math"
	"slices"
)

// The lower bound comes from a Lagrangian relaxation of "every district
// attends exactly one workshop" with multipliers λ (one per district).
// What is left splits by host: each host's best set of districts under its
// capacities at reduced costs c − λ, then the best set of hosts the trainer
// teams can schedule (a matroid, so greedy is exact). For any λ,
//
//	L(λ) = Σd λd + min over schedulable host sets of Σh vh(λ)
//
// is a lower bound on every roster's cost. The volume algorithm (Barahona
// and Anbil, 2000) climbs L; its averaged subproblem solutions approximate
// the LP relaxation's optimum, whose open-host values ȳ guide rounding
// (the primal heuristic) and branching.

// pick is one district a host takes in the subproblem.
type pick struct {
	d int
	r float64 // reduced cost c − λ
	w float64 // weight taken (1, or a fraction for seat capacities)
}

// relaxation holds the subproblem's scratch and its last solution.
type relaxation struct {
	v []float64 // host value vh(λ)
	// seatPrice is, per host, the LP price of one seat in its subproblem
	// (−r/attendees of the district the seats run out on; 0 when seats do
	// not bind): what the relaxation says a seat there is worth.
	seatPrice []float64
	picks     [][]pick  // host → districts taken
	cover     []float64 // district → weight covered by open hosts
	y         []float64 // host → 1 if open in the subproblem
	order     []int
	cands     []pick
	m         *dateMatching
	kmRank    [][]int32 // host → districts by road km (finite cost only)
}

func newRelaxation(p *problem) *relaxation {
	r := &relaxation{v: make([]float64, p.nH), seatPrice: make([]float64, p.nH), picks: make([][]pick, p.nH), cover: make([]float64, p.nD),
		y: make([]float64, p.nH), m: newDateMatching(p), kmRank: make([][]int32, p.nH)}
	for h := range r.kmRank {
		if p.closed[h] {
			continue
		}
		ds := make([]int32, 0, p.nD)
		for d := 0; d < p.nD; d++ {
			if !math.IsInf(p.cost[d][h], 1) {
				ds = append(ds, int32(d))
			}
		}
		slices.SortFunc(ds, func(a, b int32) int {
			if c := cmp.Compare(p.km[a][h], p.km[b][h]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		r.kmRank[h] = ds
	}
	return r
}

// relax evaluates L(λ) at a branch-and-bound node (hosts forced open or
// closed) and leaves the subproblem's solution in s.rel. It returns +Inf
// if the node admits no schedulable host set.
func (s *search) relax(lambda []float64, nd *node) float64 {
	p, r := s.p, s.rel
	// A district can only lower a host's value if c(d,h) < λd, i.e. its
	// road km is below λd / attendees: scan each host's districts by km
	// and stop at the largest such km.
	kmCut := 0.0
	for d, l := range lambda {
		kmCut = math.Max(kmCut, l/float64(p.att[d]))
	}
	steps := p.nD
	for h := 0; h < p.nH; h++ {
		r.picks[h] = r.picks[h][:0]
		if p.closed[h] || nd.out[h] {
			r.v[h] = math.Inf(1)
			continue
		}
		val := p.fixedCost
		for _, d := range p.mandatory[h] {
			val += p.cost[d][h] - lambda[d]
			r.picks[h] = append(r.picks[h], pick{d: d, r: p.cost[d][h] - lambda[d], w: 1})
		}
		remC := p.capCount[h] - len(p.mandatory[h])
		remA := p.capAtt[h] - p.mandAtt[h]
		cands := r.cands[:0]
		for i, d32 := range r.kmRank[h] {
			d := int(d32)
			if p.km[d][h] >= kmCut {
				steps += i
				break
			}
			rc := p.cost[d][h] - lambda[d]
			if rc >= 0 {
				continue
			}
			if hh := p.home[d]; hh >= 0 && (hh == h || p.forced[hh] || nd.in[hh]) {
				continue // own districts are mandatory; others' stay at their open home
			}
			if p.pinHost[d] == h {
				continue
			}
			cands = append(cands, pick{d: d, r: rc, w: 1})
		}
		steps += 8 + 2*len(cands)
		if p.capAtt[h] == math.MaxInt {
			if len(cands) > remC {
				slices.SortFunc(cands, func(a, b pick) int { return cmp.Compare(a.r, b.r) })
				cands = cands[:max(remC, 0)]
			}
			for _, c := range cands {
				val += c.r
				r.picks[h] = append(r.picks[h], c)
			}
		} else {
			// Fractional knapsack on attendees, also capped by count: a
			// valid (LP) relaxation of the host's selection.
			slices.SortFunc(cands, func(a, b pick) int {
				return cmp.Compare(a.r/float64(p.att[a.d]), b.r/float64(p.att[b.d]))
			})
			capA := float64(remA)
			count := 0.0
			r.seatPrice[h] = 0
			for _, c := range cands {
				if count >= float64(remC) {
					break
				}
				if capA <= 0 {
					r.seatPrice[h] = -c.r / float64(p.att[c.d])
					break
				}
				if capA < float64(p.att[c.d]) {
					r.seatPrice[h] = -c.r / float64(p.att[c.d])
				}
				w := math.Min(1, capA/float64(p.att[c.d]))
				w = math.Min(w, float64(remC)-count)
				c.w = w
				val += w * c.r
				capA -= w * float64(p.att[c.d])
				count += w
				r.picks[h] = append(r.picks[h], c)
			}
		}
		r.cands = cands
		r.v[h] = val
	}
	s.work += int64(steps)
	// Greedy over the matroid: forced hosts first, then by value.
	m := r.m
	m.reset()
	for h := 0; h < p.nH; h++ {
		if p.forced[h] || nd.in[h] {
			if math.IsInf(r.v[h], 1) || !m.tryAdd(h) {
				return math.Inf(1)
			}
		}
	}
	r.order = r.order[:0]
	for h := 0; h < p.nH; h++ {
		if m.dateOf[h] < 0 && r.v[h] < 0 {
			r.order = append(r.order, h)
		}
	}
	slices.SortFunc(r.order, func(a, b int) int {
		if c := cmp.Compare(r.v[a], r.v[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	placed, rank := 0, totalTeams(p)
	for h := 0; h < p.nH; h++ {
		if m.dateOf[h] >= 0 {
			placed++
		}
	}
	for _, h := range r.order {
		if placed >= rank {
			break // every trainer team is used: nothing more can be added
		}
		if m.tryAdd(h) {
			placed++
		}
	}
	s.work += int64(p.nH + len(r.order)*(2+p.nT))
	L := 0.0
	for d := range lambda {
		L += lambda[d]
		r.cover[d] = 0
	}
	for h := 0; h < p.nH; h++ {
		r.y[h] = 0
		if m.dateOf[h] < 0 {
			continue
		}
		r.y[h] = 1
		L += r.v[h]
		for _, c := range r.picks[h] {
			r.cover[c.d] += c.w
		}
	}
	return L
}

// dualResult is what a run of the volume algorithm leaves behind.
type dualResult struct {
	bound float64   // best L(λ) found (the node's lower bound)
	ybar  []float64 // averaged open-host values (≈ LP relaxation)
}

// dual climbs L(λ) at a node from nd.lambda by the volume algorithm for
// at most iters steps, leaves the best λ in nd.lambda, and (roundEvery >
// 0) rounds the averaged host values into a roster every roundEvery steps.
func (s *search) dual(nd *node, iters, roundEvery int) dualResult {
	p, r := s.p, s.rel
	lambda := slices.Clone(nd.lambda)
	best := s.relax(lambda, nd)
	s.iterations++
	res := dualResult{bound: best, ybar: slices.Clone(r.y)}
	if math.IsInf(best, 1) {
		return res
	}
	xbar := slices.Clone(r.cover) // averaged coverage per district
	g := make([]float64, p.nD)
	gNew := make([]float64, p.nD)
	f := 0.1
	reds, stall := 0, 0
	for it := 1; it < iters; it++ {
		if s.closed(best) || s.expired() {
			break
		}
		norm := 0.0
		for d := range g {
			g[d] = 1 - xbar[d]
			norm += g[d] * g[d]
		}
		if norm < 1e-9 {
			break
		}
		target := s.bestCost
		if math.IsInf(target, 1) || target <= best {
			target = best + 0.05*math.Abs(best) + 1
		}
		step := f * (target - best) / norm
		for d := range lambda {
			lambda[d] = nd.lambda[d] + step*g[d]
		}
		L := s.relax(lambda, nd)
		s.iterations++
		if math.IsInf(L, 1) {
			res.bound = L
			return res
		}
		// α: the convex combination of old and new coverage with the
		// smallest violation, within [0.01, 0.1].
		num, den := 0.0, 0.0
		for d := range gNew {
			gNew[d] = 1 - r.cover[d]
			diff := g[d] - gNew[d]
			num += g[d] * diff
			den += diff * diff
		}
		alpha := 0.1
		if den > 0 {
			alpha = math.Min(0.1, math.Max(0.01, num/den))
		}
		for d := range xbar {
			xbar[d] = alpha*r.cover[d] + (1-alpha)*xbar[d]
		}
		for h := range res.ybar {
			res.ybar[h] = alpha*r.y[h] + (1-alpha)*res.ybar[h]
		}
		if L > best+1e-9*math.Abs(best) {
			dot := 0.0
			for d := range g {
				dot += g[d] * gNew[d]
			}
			if dot >= 0 {
				f = math.Min(2, 1.1*f) // green: the step could be longer
			}
			best = L
			copy(nd.lambda, lambda)
			reds, stall = 0, 0
		} else {
			stall++
			if reds++; reds >= 20 {
				f *= 0.66
				reds = 0
			}
		}
		if roundEvery > 0 && it%roundEvery == 0 {
			s.roundPrimal(nd, res.ybar)
		}
		if f < 1e-4 || stall > 200 {
			break
		}
	}
	res.bound = best
	return res
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
	s.work += int64(p.nD * p.nH)
	return lambda
}

func totalTeams(p *problem) int {
	n := 0
	for _, t := range p.teams {
		n += t
	}
	return n
}
