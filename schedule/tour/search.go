package tour

import (
	"math"
	"math/bits"
	"slices"
	"sort"
)

// change is one route's new state in a move: route id (−1 for a new
// route), its vistarak, places in order, km and day.
type change struct {
	route int32
	v     int
	seq   []int32
	km    float64
	day   int
}

// move is a local-search step: up to two route changes and the objective
// change they bring. Routes listed in drop disappear.
type move struct {
	delta   float64
	changes [2]change
	n       int
	drop    [2]int32
	nDrop   int
}

func (m *move) add(c change) {
	c.seq = slices.Clone(c.seq)
	m.changes[m.n] = c
	m.n++
}

const improveEps = 1e-7

// applyMove performs m. Places moved between routes are never left
// uncovered at the end because every change lists its full new sequence.
func (s *solution) applyMove(m *move) {
	for k := 0; k < m.nDrop; k++ {
		s.dropRoute(m.drop[k])
	}
	for k := 0; k < m.n; k++ {
		c := m.changes[k]
		if c.route < 0 || !s.alive[c.route] || int(s.routes[c.route].v) != c.v {
			if c.route >= 0 && s.alive[c.route] {
				s.dropRoute(c.route)
			}
			if len(c.seq) > 0 {
				// Places still attached elsewhere are detached first.
				for _, x := range c.seq {
					if r := s.routeOf[x]; r >= 0 {
						s.detach(r, x)
					}
				}
				s.addRoute(c.v, c.day, c.seq, c.km)
			}
			continue
		}
		s.setRoute(c.route, c.seq, c.km, c.day)
	}
}

// detach removes x from route r keeping r's current order (used only when a
// move's other change re-sequences r anyway).
func (s *solution) detach(r int32, x int32) {
	rt := &s.routes[r]
	seq := make([]int32, 0, len(rt.seq))
	for _, y := range rt.seq {
		if y != x {
			seq = append(seq, y)
		}
	}
	km, _ := s.p.schedule(int(rt.v), seq, nil)
	s.setRoute(r, seq, km, int(rt.day))
}

// construct inserts every uncovered coverable place at its cheapest
// position, hardest places (fewest eligible vistaraks, then farthest) first.
func (s *solution) construct(sc *scratch) {
	p, c := s.p, s.c
	order := make([]int32, 0, p.nP)
	for i := 0; i < p.nP; i++ {
		if s.routeOf[i] < 0 && len(c.pVists[i]) > 0 {
			order = append(order, int32(i))
		}
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := order[a], order[b]
		nx, ny := min(len(c.pVists[x]), 4*candidateVistaraks), min(len(c.pVists[y]), 4*candidateVistaraks)
		if nx != ny {
			return nx < ny
		}
		return c.pRT[x][0] > c.pRT[y][0]
	})
	for _, x := range order {
		sc.ins = s.bestInsertions(x, sc.ins, 1, sc)
		if len(sc.ins) > 0 {
			s.apply(x, sc.ins[0])
		}
	}
}

// placeQueue is a FIFO of places with membership flags.
type placeQueue struct {
	items []int32
	head  int
	in    []bool
}

func newPlaceQueue(n int) *placeQueue { return &placeQueue{in: make([]bool, n)} }

func (q *placeQueue) push(x int32) {
	if !q.in[x] {
		q.in[x] = true
		q.items = append(q.items, x)
	}
}

func (q *placeQueue) pop() (int32, bool) {
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
		return 0, false
	}
	x := q.items[q.head]
	q.head++
	q.in[x] = false
	if q.head > 1<<16 && q.head*2 > len(q.items) {
		q.items = append(q.items[:0], q.items[q.head:]...)
		q.head = 0
	}
	return x, true
}

// localSearch applies improving relocate, swap, new-route, route transfer,
// route swap and merge moves until none improves or the work budget (route
// evaluations) is spent. It returns false if it stopped on the budget.
func (s *solution) localSearch(q *placeQueue, budget int64, sc *scratch) bool {
	for {
		if s.evals >= budget {
			return false
		}
		x, ok := q.pop()
		if !ok {
			return true
		}
		var best move
		best.delta = -improveEps
		if s.routeOf[x] < 0 {
			if len(s.c.pVists[x]) == 0 {
				continue
			}
			sc.ins = s.bestInsertions(x, sc.ins, 1, sc)
			if len(sc.ins) > 0 {
				e := sc.ins[0]
				s.apply(x, e)
				s.touch(q, e.seq)
			} else if s.ejectInsert(x, sc) {
				s.touch(q, []int32{x})
			}
			continue
		}
		s.bestPlaceMove(x, &best, sc)
		r := s.routeOf[x]
		if s.routes[r].seq[0] == x {
			s.bestRouteMove(r, &best, sc)
		}
		if best.n > 0 || best.nDrop > 0 {
			s.applyMove(&best)
			for k := 0; k < best.n; k++ {
				s.touch(q, best.changes[k].seq)
			}
			q.push(x)
		}
	}
}

// touch queues the places of a changed route and their neighbours.
func (s *solution) touch(q *placeQueue, seq []int32) {
	for _, y := range seq {
		q.push(y)
		for _, z := range s.c.near[y] {
			q.push(z)
		}
	}
}

// bestPlaceMove looks at relocating covered place x into another route or a
// new route, and at swapping it with a nearby place.
func (s *solution) bestPlaceMove(x int32, best *move, sc *scratch) {
	p, c := s.p, s.c
	r := s.routeOf[x]
	rt := &s.routes[r]
	v := int(rt.v)
	rest, restKm := s.without(sc.buf2[:0], r, x)
	sc.buf2 = rest
	restDay := int(rt.day)
	if len(rest) > 0 {
		restDay, _ = s.dayFor(v, p.routeDays(v, rest), int(rt.day))
	}
	removeGain := restKm - rt.km // ≤ 0
	sc.stamp++
	sc.markRoute(r)
	relocate := func(r2 int32) {
		if r2 < 0 || sc.routeStamp(r2) == sc.stamp {
			return
		}
		sc.markRoute(r2)
		rt2 := &s.routes[r2]
		v2 := int(rt2.v)
		if (v2 != v && s.load[v2] >= int32(p.capV[v2])) || p.ruleBlock(v2, int(x)) != "" {
			return
		}
		seq, km, day, ok := s.with(sc.buf[:0], r2, x)
		sc.buf = seq
		if !ok {
			return
		}
		if v2 == v && len(rest) > 0 && day == restDay && r2 != r {
			return
		}
		if d := removeGain + km - rt2.km; d < best.delta {
			*best = move{delta: d}
			best.add(change{route: r, v: v, seq: rest, km: restKm, day: restDay})
			best.add(change{route: r2, v: v2, seq: seq, km: km, day: day})
		}
	}
	for _, y := range c.near[x] {
		relocate(s.routeOf[y])
	}
	vs := c.pVists[x]
	for k := 0; k < len(vs) && k < candidateVistaraks; k++ {
		v2 := int(vs[k])
		for _, r2 := range s.vRoutes[v2] {
			relocate(r2)
		}
		// A new route of its own.
		if v2 == v && len(rest) == 0 {
			continue
		}
		if v2 != v && s.load[v2] >= int32(p.capV[v2]) {
			continue
		}
		m := p.vDays[v2] & p.pDays[x]
		if v2 == v {
			m &^= 1 << uint(restDay)
		}
		day, ok := s.dayFor(v2, m, -1)
		if !ok {
			continue
		}
		km := float64(c.pRT[x][k])
		if d := removeGain + km; d < best.delta {
			*best = move{delta: d}
			best.add(change{route: r, v: v, seq: rest, km: restKm, day: restDay})
			best.add(change{route: -1, v: v2, seq: []int32{x}, km: km, day: day})
		}
	}
	// Swaps with nearby places in other routes.
	for _, y := range c.near[x] {
		r2 := s.routeOf[y]
		if r2 < 0 || r2 == r {
			continue
		}
		rt2 := &s.routes[r2]
		v2 := int(rt2.v)
		if p.ruleBlock(v, int(y)) != "" || p.ruleBlock(v2, int(x)) != "" {
			continue
		}
		a := append(append(sc.buf3[:0], rest...), y)
		sc.buf3 = a
		dayA, ok := s.dayFor(v, p.routeDays(v, a), int(rt.day))
		if !ok {
			continue
		}
		kmA, ok := s.order(v, a)
		if !ok {
			continue
		}
		b := sc.buf4[:0]
		for _, z := range rt2.seq {
			if z != y {
				b = append(b, z)
			}
		}
		b = append(b, x)
		sc.buf4 = b
		dayB, ok := s.dayFor(v2, p.routeDays(v2, b), int(rt2.day))
		if !ok || (v2 == v && dayA == dayB) {
			continue
		}
		kmB, ok := s.order(v2, b)
		if !ok {
			continue
		}
		if d := kmA - rt.km + kmB - rt2.km; d < best.delta {
			*best = move{delta: d}
			best.add(change{route: r, v: v, seq: a, km: kmA, day: dayA})
			best.add(change{route: r2, v: v2, seq: b, km: kmB, day: dayB})
		}
	}
}

// bestRouteMove looks at giving route r whole to another vistarak, swapping
// it with another vistarak's route, and merging it with another route of
// its own vistarak.
func (s *solution) bestRouteMove(r int32, best *move, sc *scratch) {
	p, c := s.p, s.c
	rt := &s.routes[r]
	v := int(rt.v)
	n := int32(len(rt.seq))
	eligibleAll := func(v2 int, seq []int32) bool {
		for _, y := range seq {
			if p.ruleBlock(v2, int(y)) != "" {
				return false
			}
		}
		return true
	}
	seen := sc.buf[:0]
	for _, x := range rt.seq {
		vs := c.pVists[x]
		for k := 0; k < len(vs) && k < candidateVistaraks; k++ {
			v2 := vs[k]
			if int(v2) == v || slices.Contains(seen, v2) {
				continue
			}
			seen = append(seen, v2)
		}
	}
	sc.buf = seen
	for _, v2i := range seen {
		v2 := int(v2i)
		if !eligibleAll(v2, rt.seq) {
			continue
		}
		// Transfer.
		if s.load[v2]+n <= int32(p.capV[v2]) {
			a := append(sc.buf3[:0], rt.seq...)
			sc.buf3 = a
			if day, ok := s.dayFor(v2, p.routeDays(v2, a), -1); ok {
				if km, ok := s.order(v2, a); ok {
					if d := km - rt.km; d < best.delta {
						*best = move{delta: d, nDrop: 1}
						best.drop[0] = r
						best.add(change{route: -1, v: v2, seq: a, km: km, day: day})
					}
				}
			}
		}
		// Swap with each route of v2.
		for _, r2 := range s.vRoutes[v2] {
			rt2 := &s.routes[r2]
			n2 := int32(len(rt2.seq))
			if s.load[v2]-n2+n > int32(p.capV[v2]) || s.load[v]-n+n2 > int32(p.capV[v]) || !eligibleAll(v, rt2.seq) {
				continue
			}
			a := append(sc.buf3[:0], rt2.seq...) // for v
			sc.buf3 = a
			b := append(sc.buf4[:0], rt.seq...) // for v2
			sc.buf4 = b
			dayA, ok1 := s.dayFor(v, p.routeDays(v, a), int(rt.day))
			dayB, ok2 := s.dayFor(v2, p.routeDays(v2, b), int(rt2.day))
			if !ok1 || !ok2 {
				continue
			}
			kmA, ok1 := s.order(v, a)
			if !ok1 {
				continue
			}
			kmB, ok2 := s.order(v2, b)
			if !ok2 {
				continue
			}
			if d := kmA + kmB - rt.km - rt2.km; d < best.delta {
				*best = move{delta: d, nDrop: 2}
				best.drop[0], best.drop[1] = r, r2
				best.add(change{route: -1, v: v, seq: a, km: kmA, day: dayA})
				best.add(change{route: -1, v: v2, seq: b, km: kmB, day: dayB})
			}
		}
	}
	// Merge with another route of v.
	for _, r2 := range s.vRoutes[v] {
		if r2 == r {
			continue
		}
		rt2 := &s.routes[r2]
		if len(rt.seq)+len(rt2.seq) > p.q[v] {
			continue
		}
		a := append(append(sc.buf3[:0], rt.seq...), rt2.seq...)
		sc.buf3 = a
		m := p.routeDays(v, a)
		day := -1
		switch {
		case m&(1<<uint(rt.day)) != 0:
			day = int(rt.day)
		case m&(1<<uint(rt2.day)) != 0:
			day = int(rt2.day)
		default:
			if d, ok := s.dayFor(v, m, -1); ok {
				day = d
			}
		}
		if day < 0 {
			continue
		}
		km, ok := s.order(v, a)
		if !ok {
			continue
		}
		if d := km - rt.km - rt2.km; d < best.delta {
			*best = move{delta: d, nDrop: 2}
			best.drop[0], best.drop[1] = r, r2
			best.add(change{route: -1, v: v, seq: a, km: km, day: day})
		}
	}
}

// ejectInsert covers uncovered place x when no vistarak who may visit it
// has room (all at their visit cap, or no free day that fits): vistarak v
// takes x in place of one of their places y, and y goes to its cheapest
// insertion with another vistarak. It applies the cheapest such exchange if
// it costs less than leaving x out and reports whether it did.
func (s *solution) ejectInsert(x int32, sc *scratch) bool {
	p, c := s.p, s.c
	type plan struct {
		v       int
		r       int32   // v's route losing y
		y       int32   // the place ejected
		rest    []int32 // r without y (re-ordered); x joins it when r2 < 0 && newDay < 0
		restKm  float64
		restDay int
		r2      int32 // another route of v taking x (−1: none)
		seq2    []int32
		km2     float64
		day2    int
		newDay  int // x alone on this day (−1: none)
		newKm   float64
		yIns    insertion
		delta   float64
	}
	best := plan{delta: -improveEps}
	found := false
	pen := p.rules.UncoveredPenaltyKm
	for k, vi := range c.pVists[x] {
		v := int(vi)
		for _, r := range s.vRoutes[v] {
			rt := &s.routes[r]
			for _, y := range rt.seq {
				// y elsewhere (not with v).
				sc.ins = s.bestInsertions(y, sc.ins, 3, sc)
				yIns, ok := insertion{}, false
				for _, e := range sc.ins {
					if e.v != v {
						yIns, ok = e, true
						break
					}
				}
				if !ok || yIns.delta+rt.km >= pen+best.delta { // cannot beat the best
					continue
				}
				rest, restKm := s.without(nil, r, y)
				restDay := int(rt.day)
				if len(rest) > 0 {
					if d, ok := s.dayFor(v, p.routeDays(v, rest), int(rt.day)); ok {
						restDay = d
					}
				}
				base := restKm - rt.km + yIns.delta - pen
				cand := plan{v: v, r: r, y: y, rest: rest, restKm: restKm, restDay: restDay, r2: -1, newDay: -1, yIns: yIns, delta: math.Inf(1)}
				// x into the rest of r.
				if len(rest) > 0 && len(rest) < p.q[v] {
					a := append(slices.Clone(rest), x)
					if d, ok := s.dayFor(v, p.routeDays(v, a), int(rt.day)); ok {
						if km, ok := s.order(v, a); ok && base+km-restKm < cand.delta {
							cand.delta = base + km - restKm
							cand.seq2, cand.km2, cand.day2 = a, km, d
						}
					}
				}
				// x into another route of v.
				for _, r2 := range s.vRoutes[v] {
					if r2 == r {
						continue
					}
					seq, km, day, ok := s.with(nil, r2, x)
					if ok && base+km-s.routes[r2].km < cand.delta {
						cand.delta = base + km - s.routes[r2].km
						cand.r2, cand.seq2, cand.km2, cand.day2 = r2, seq, km, day
					}
				}
				// x alone on a free day (r's day is free when r empties).
				free := p.vDays[v] & p.pDays[x] &^ s.used[v]
				if len(rest) == 0 {
					free |= p.vDays[v] & p.pDays[x] & (1 << uint(rt.day))
				}
				if free != 0 {
					km := float64(c.pRT[x][k])
					if base+km < cand.delta {
						cand.delta = base + km
						cand.r2, cand.seq2 = -1, nil
						cand.newDay, cand.newKm = bits.TrailingZeros64(free), km
					}
				}
				if cand.delta < best.delta {
					best, found = cand, true
					best.yIns.seq = slices.Clone(best.yIns.seq)
				}
			}
		}
	}
	if !found {
		return false
	}
	// Apply: y leaves r (y's new route belongs to another vistarak, so
	// its precomputed insertion stays valid), x joins v.
	switch {
	case best.newDay >= 0:
		s.setRoute(best.r, best.rest, best.restKm, best.restDay)
		s.addRoute(best.v, best.newDay, []int32{x}, best.newKm)
	case best.r2 >= 0:
		s.setRoute(best.r, best.rest, best.restKm, best.restDay)
		s.setRoute(best.r2, best.seq2, best.km2, best.day2)
	default:
		s.setRoute(best.r, best.seq2, best.km2, best.day2)
	}
	s.apply(best.y, best.yIns)
	return true
}
