package roster

import (
	"cmp"
	"math"
	"slices"
)

// roundPrimal turns averaged relaxation values into an open set: hosts the
// node forces, then hosts by ȳ (the LP-like share of iterations in which
// the relaxation opened them) while the trainer teams allow, stopping once
// the places and seats suffice and ȳ runs out. It evaluates that set.
func (s *search) roundPrimal(nd *node, ybar []float64) {
	p := s.p
	m := newDateMatching(p)
	var open []int
	places, seats, needSeats := 0, 0, 0
	for _, a := range p.att {
		needSeats += a
	}
	add := func(h int) {
		open = append(open, h)
		places += p.capCount[h]
		seats += min(p.capAtt[h], needSeats)
	}
	for h := 0; h < p.nH; h++ {
		if !p.closed[h] && (p.forced[h] || nd.in[h]) && m.tryAdd(h) {
			add(h)
		}
	}
	order := make([]int, 0, p.nH)
	for h := 0; h < p.nH; h++ {
		if !p.closed[h] && !nd.out[h] && m.dateOf[h] < 0 {
			order = append(order, h)
		}
	}
	v := s.rel.v
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(ybar[b], ybar[a]); c != 0 {
			return c
		}
		if c := cmp.Compare(v[a], v[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	rank := totalTeams(p)
	short := func() bool { return places < p.nD || seats < needSeats }
	i := 0
	for ; i < len(order) && len(open) < rank; i++ {
		h := order[i]
		if !short() && (ybar[h] <= 0 || p.fixedCost > 0) {
			break
		}
		if m.tryAdd(h) {
			add(h)
		}
	}
	s.work += int64(p.nH * 4)
	// Home districts or exclusions may still leave someone without a
	// place: add hosts in the same order until the set is feasible.
	for math.IsInf(s.evaluate(open), 1) {
		added := false
		for ; i < len(order) && !added; i++ {
			if m.tryAdd(order[i]) {
				add(order[i])
				added = true
			}
		}
		if !added {
			return
		}
	}
}

// improve is a local search from the incumbent: swap an open host for one
// of its nearest closed ones, open a host while the trainer teams allow,
// and (when workshops cost something) close one. Every move is priced by
// the incrementally repaired flow, so each costs a few shortest paths.
func (s *search) improve(nd *node) {
	p, a := s.p, s.asg
	if s.bestOpen == nil {
		return
	}
	cur := slices.Clone(s.bestOpen)
	if !s.moveTo(cur) {
		return
	}
	curCost := s.current()
	m := newDateMatching(p)
	for _, h := range cur {
		m.tryAdd(h)
	}
	k := 10
	if p.nH > 80 {
		k = 8
	}
	rank := totalTeams(p)
	var snap assignSnapshot
	better := func(c float64) bool { return c < curCost-1e-9*math.Max(1, math.Abs(curCost)) }
	// try applies a move, keeps it if it lowers the cost, and undoes it
	// otherwise.
	try := func(closeH, openH int) bool {
		a.save(&snap)
		if closeH >= 0 {
			a.closeHost(closeH)
		}
		if openH >= 0 {
			a.openHost(openH)
		}
		c := math.Inf(1)
		if &a.cost[0] == &s.p.cost[0] { // priced seats: the flow's cost bounds nothing
			a.abortAbove = curCost - s.p.fixedCost*float64(len(a.open))
		}
		ok := a.placeAll()
		a.abortAbove = math.Inf(1)
		if ok {
			s.trial = true
			c = s.current()
			s.trial = false
		}
		if better(c) {
			curCost = c
			a.rebase()
			return true
		}
		a.restore(&snap)
		return false
	}
	movable := func(h int) bool { return !p.forced[h] && !nd.in[h] }
	for !s.expired() && !s.closed(nd.bound) {
		improved := false
		for h := 0; h < p.nH && len(cur) < rank && !s.expired(); h++ {
			if a.isOpen[h] || p.closed[h] || nd.out[h] || !m.tryAdd(h) {
				continue
			}
			if try(-1, h) {
				cur = append(cur, h)
				improved = true
			} else {
				m.remove(h)
			}
		}
		if p.fixedCost > 0 {
			for i := 0; i < len(cur) && !s.expired(); i++ {
				if h := cur[i]; movable(h) && try(h, -1) {
					m.remove(h)
					cur = append(cur[:i], cur[i+1:]...)
					i--
					improved = true
				}
			}
		}
		for i := 0; i < len(cur) && !s.expired(); i++ {
			out := cur[i]
			if !movable(out) {
				continue
			}
			tried := 0
			for _, in := range p.nearHosts[out] {
				if a.isOpen[in] || nd.out[in] {
					continue
				}
				if tried++; tried > k {
					break
				}
				m.remove(out)
				if !m.tryAdd(in) {
					m.tryAdd(out)
					continue
				}
				if try(out, in) {
					cur[i] = in
					improved = true
					break
				}
				m.remove(in)
				m.tryAdd(out)
			}
			s.work += int64(4 * p.nT * tried)
		}
		if !improved {
			break
		}
	}
}
