package tour

import "math"

const eps = 1e-9

// schedule walks seq in order for vistarak v: leave the stay at the day
// start, at each place wait for its opening if early, visit, move on, and
// return to the stay. It returns the route's road km and whether the route
// keeps every rule of a day: at most q visits, every visit inside its window,
// back by the day's end, at most maxKm. If starts is non-nil it receives the
// start time of each visit.
func (p *problem) schedule(v int, seq []int32, starts []float64) (float64, bool) {
	if len(seq) > p.q[v] {
		return math.Inf(1), false
	}
	h := p.home(v)
	prev, t, km := h, p.start[v], 0.0
	ok := true
	for k, x := range seq {
		i := int(x)
		km += p.km(prev, i)
		t += p.minutes(prev, i)
		if t < p.open[i] {
			t = p.open[i]
		}
		if starts != nil {
			starts[k] = t
		}
		t += p.visit[i]
		if t > p.close[i]+eps {
			ok = false
		}
		prev = i
	}
	km += p.km(prev, h)
	t += p.minutes(prev, h)
	if t > p.end[v]+eps || km > p.maxKm[v]+eps {
		ok = false
	}
	return km, ok
}

// orderer finds the shortest feasible order of a small set of places for a
// vistarak by depth-first search over permutations (at most
// MaxVisitsPerDayCap places), pruning on km: with distances obeying the
// triangle inequality, km so far plus the way home bounds any completion.
type orderer struct {
	p     *problem
	v     int
	set   []int32
	cur   [MaxVisitsPerDayCap]int32
	best  [MaxVisitsPerDayCap]int32
	bestK float64
	found bool
	evals int
}

// bestOrder reorders set in place into its shortest feasible order for
// vistarak v and returns its km; ok is false when no order is feasible.
func (p *problem) bestOrder(v int, set []int32) (km float64, ok bool) {
	n := len(set)
	if n == 0 {
		return 0, true
	}
	if n > p.q[v] {
		return math.Inf(1), false
	}
	if n == 1 {
		return p.schedule(v, set, nil)
	}
	o := orderer{p: p, v: v, set: set, bestK: math.Inf(1)}
	o.search(0, p.home(v), p.start[v], 0, 0)
	if !o.found {
		return math.Inf(1), false
	}
	copy(set, o.best[:n])
	return o.bestK, true
}

func (o *orderer) search(depth, prev int, t, km float64, used uint32) {
	p, n := o.p, len(o.set)
	h := p.home(o.v)
	if depth == n {
		km += p.km(prev, h)
		if km > p.maxKm[o.v]+eps || t+p.minutes(prev, h) > p.end[o.v]+eps {
			return
		}
		if km < o.bestK-eps || (!o.found && km < math.Inf(1)) {
			o.bestK, o.found = km, true
			copy(o.best[:n], o.cur[:n])
		}
		return
	}
	for k := 0; k < n; k++ {
		if used&(1<<uint(k)) != 0 {
			continue
		}
		i := int(o.set[k])
		nk := km + p.km(prev, i)
		if nk+p.km(i, h) >= o.bestK-eps || nk+p.km(i, h) > p.maxKm[o.v]+eps {
			continue
		}
		nt := t + p.minutes(prev, i)
		if nt < p.open[i] {
			nt = p.open[i]
		}
		nt += p.visit[i]
		if nt > p.close[i]+eps || nt+p.minutes(i, h) > p.end[o.v]+eps {
			continue
		}
		o.cur[depth] = o.set[k]
		o.search(depth+1, i, nt, nk, used|1<<uint(k))
	}
}

// routeDays is the set of dates a route of these places may run for
// vistarak v (the vistarak's days and every place's days).
func (p *problem) routeDays(v int, set []int32) uint64 {
	m := p.vDays[v]
	for _, x := range set {
		m &= p.pDays[x]
	}
	return m
}
