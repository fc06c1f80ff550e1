package tour

import (
	"math"
	"math/bits"
	"slices"
)

// sroute is one day route of the working solution.
type sroute struct {
	v   int32
	day int32
	seq []int32
	km  float64
}

// solution is the planner's working plan: routes per vistarak, the route of
// every place (−1 when uncovered), loads, days used and total km.
type solution struct {
	p       *problem
	c       *cands
	routes  []sroute
	alive   []bool
	free    []int32
	vRoutes [][]int32
	routeOf []int32
	load    []int32
	used    []uint64
	km      float64
	uncov   int
	evals   int64 // route evaluations (the work counter)

	journaling bool   // record mutations for rollback (large-neighbourhood search)
	journal    []undo // mutations since journaling started
}

func newSolution(p *problem, c *cands) *solution {
	s := &solution{p: p, c: c, vRoutes: make([][]int32, p.nV), routeOf: make([]int32, p.nP),
		load: make([]int32, p.nV), used: make([]uint64, p.nV), uncov: p.nP}
	for i := range s.routeOf {
		s.routeOf[i] = -1
	}
	return s
}

// cost is the objective: road km plus the penalty for uncovered places.
func (s *solution) cost() float64 {
	return s.km + s.p.rules.UncoveredPenaltyKm*float64(s.uncov)
}

func (s *solution) addRoute(v, day int, seq []int32, km float64) int32 {
	var id int32
	if n := len(s.free); n > 0 {
		id = s.free[n-1]
		s.free = s.free[:n-1]
		s.routes[id] = sroute{v: int32(v), day: int32(day), seq: append(s.routes[id].seq[:0], seq...), km: km}
		s.alive[id] = true
	} else {
		id = int32(len(s.routes))
		s.routes = append(s.routes, sroute{v: int32(v), day: int32(day), seq: slices.Clone(seq), km: km})
		s.alive = append(s.alive, true)
	}
	s.journalAdd(undo{kind: 'a', id: id})
	s.attach(id)
	return id
}

// attach books live route id (already stored) on its vistarak and places.
func (s *solution) attach(id int32) {
	r := &s.routes[id]
	v := r.v
	s.vRoutes[v] = append(s.vRoutes[v], id)
	s.used[v] |= 1 << uint(r.day)
	s.load[v] += int32(len(r.seq))
	s.km += r.km
	for _, x := range r.seq {
		if s.routeOf[x] < 0 {
			s.uncov--
		}
		s.routeOf[x] = id
	}
}

func (s *solution) dropRoute(id int32) {
	r := &s.routes[id]
	v := r.v
	s.journalAdd(undo{kind: 'd', id: id, v: v, day: r.day, seq: slices.Clone(r.seq), km: r.km})
	for _, x := range r.seq {
		if s.routeOf[x] == id {
			s.routeOf[x] = -1
			s.uncov++
		}
	}
	s.km -= r.km
	s.load[v] -= int32(len(r.seq))
	s.used[v] &^= 1 << uint(r.day)
	list := s.vRoutes[v]
	for k, rid := range list {
		if rid == id {
			s.vRoutes[v] = append(list[:k], list[k+1:]...)
			break
		}
	}
	s.alive[id] = false
	r.seq = r.seq[:0]
	s.free = append(s.free, id)
}

// setRoute replaces route id's places (which the caller has detached from
// other routes) and km; an empty seq drops the route.
func (s *solution) setRoute(id int32, seq []int32, km float64, day int) {
	r := &s.routes[id]
	if len(seq) == 0 {
		s.dropRoute(id)
		return
	}
	s.journalAdd(undo{kind: 's', id: id, v: r.v, day: r.day, seq: slices.Clone(r.seq), km: r.km})
	for _, x := range r.seq {
		if s.routeOf[x] == id {
			s.routeOf[x] = -1
			s.uncov++
		}
	}
	s.load[r.v] += int32(len(seq) - len(r.seq))
	s.km += km - r.km
	s.used[r.v] &^= 1 << uint(r.day)
	s.used[r.v] |= 1 << uint(day)
	r.day = int32(day)
	r.seq = append(r.seq[:0], seq...)
	r.km = km
	for _, x := range seq {
		if s.routeOf[x] < 0 {
			s.uncov--
		}
		s.routeOf[x] = id
	}
}

// order evaluates a set of places for vistarak v (reordering it in place)
// and counts the work.
func (s *solution) order(v int, set []int32) (float64, bool) {
	s.evals++
	return s.p.bestOrder(v, set)
}

// dayFor picks the day a route with day mask m runs on for vistarak v when
// it replaces a route on day cur (−1 for a new route): the current day if
// allowed, else the first free allowed day; ok is false when none is.
func (s *solution) dayFor(v int, m uint64, cur int) (int, bool) {
	if cur >= 0 && m&(1<<uint(cur)) != 0 {
		return cur, true
	}
	free := m &^ s.used[v]
	if cur >= 0 {
		free = m &^ (s.used[v] &^ (1 << uint(cur)))
	}
	if free == 0 {
		return -1, false
	}
	return bits.TrailingZeros64(free), true
}

// with returns route r's places plus x in their best order, its km and day.
func (s *solution) with(buf []int32, r int32, x int32) ([]int32, float64, int, bool) {
	rt := &s.routes[r]
	v := int(rt.v)
	if len(rt.seq)+1 > s.p.q[v] {
		return buf, 0, 0, false
	}
	buf = append(append(buf[:0], rt.seq...), x)
	day, ok := s.dayFor(v, s.p.routeDays(v, buf), int(rt.day))
	if !ok {
		return buf, 0, 0, false
	}
	km, ok := s.order(v, buf)
	return buf, km, day, ok
}

// without returns route r's places minus x in their best order and its km.
func (s *solution) without(buf []int32, r int32, x int32) ([]int32, float64) {
	rt := &s.routes[r]
	buf = buf[:0]
	for _, y := range rt.seq {
		if y != x {
			buf = append(buf, y)
		}
	}
	if len(buf) == 0 {
		return buf, 0
	}
	km, ok := s.order(int(rt.v), buf)
	if !ok { // cannot happen with triangle-inequality distances; keep the old order
		buf = buf[:0]
		for _, y := range rt.seq {
			if y != x {
				buf = append(buf, y)
			}
		}
		km, _ = s.p.schedule(int(rt.v), buf, nil)
	}
	return buf, km
}

// insertCost is the cheapest way to add uncovered place x: into an
// existing route of a candidate vistarak or as a new route. It returns the
// km increase and a function applying it; ok is false when nothing fits.
type insertion struct {
	delta float64
	route int32 // −1: new route
	v     int
	day   int
	seq   []int32
	km    float64
}

// candidateVistaraks is how many of a place's nearest eligible vistaraks the
// planner tries for it.
const candidateVistaraks = 12

// bestInsertions fills out with the cheapest insertion of x per distinct
// option, cheapest first (at most limit entries), considering routes near x
// and new routes of its nearest eligible vistaraks.
func (s *solution) bestInsertions(x int32, out []insertion, limit int, scratch *scratch) []insertion {
	p, c := s.p, s.c
	out = out[:0]
	scratch.stamp++
	consider := func(r int32) {
		if r < 0 || scratch.routeStamp(r) == scratch.stamp {
			return
		}
		scratch.markRoute(r)
		rt := &s.routes[r]
		v := int(rt.v)
		if s.load[v] >= int32(p.capV[v]) || p.ruleBlock(v, int(x)) != "" {
			return
		}
		seq, km, day, ok := s.with(scratch.buf[:0], r, x)
		scratch.buf = seq
		if !ok {
			return
		}
		out = pushInsertion(out, limit, insertion{delta: km - rt.km, route: r, v: v, day: day, seq: slices.Clone(seq), km: km})
	}
	for _, y := range c.near[x] {
		consider(s.routeOf[y])
	}
	vs := c.pVists[x]
	for k := 0; k < len(vs) && k < candidateVistaraks; k++ {
		v := int(vs[k])
		for _, r := range s.vRoutes[v] {
			consider(r)
		}
		if s.load[v] >= int32(p.capV[v]) {
			continue
		}
		day, ok := s.dayFor(v, p.vDays[v]&p.pDays[x], -1)
		if !ok {
			continue
		}
		out = pushInsertion(out, limit, insertion{delta: float64(c.pRT[x][k]), route: -1, v: v, day: day, seq: []int32{x}, km: float64(c.pRT[x][k])})
	}
	return out
}

// pushInsertion keeps out sorted by delta with at most limit entries.
func pushInsertion(out []insertion, limit int, e insertion) []insertion {
	k := len(out)
	for k > 0 && out[k-1].delta > e.delta {
		k--
	}
	if k >= limit {
		return out
	}
	out = slices.Insert(out, k, e)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func (s *solution) apply(x int32, e insertion) {
	if e.route < 0 {
		s.addRoute(e.v, e.day, e.seq, e.km)
		return
	}
	s.setRoute(e.route, e.seq, e.km, e.day)
	_ = x
}

// scratch holds per-goroutine buffers of the local search.
type scratch struct {
	stamp  int32
	stamps []int32 // per route id
	buf    []int32
	buf2   []int32
	buf3   []int32
	buf4   []int32
	ins    []insertion
}

func (sc *scratch) routeStamp(r int32) int32 {
	if int(r) >= len(sc.stamps) {
		return -1
	}
	return sc.stamps[r]
}

func (sc *scratch) markRoute(r int32) {
	for int(r) >= len(sc.stamps) {
		sc.stamps = append(sc.stamps, -1)
	}
	sc.stamps[r] = sc.stamp
}

// infeasibleKm marks impossible moves.
var infeasibleKm = math.Inf(1)
