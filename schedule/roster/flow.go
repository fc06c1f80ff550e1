package roster

import "math"

// assigner solves the district-to-workshop assignment for a fixed set of
// open hosts exactly, as a min-cost flow (districts are unit supplies, hosts
// capacitated sinks) by successive shortest paths with Dijkstra on reduced
// costs. Adding districts one at a time keeps the flow optimal, so the result
// is an optimal assignment under district-count capacities.
type assigner struct {
	p       *problem
	open    []int
	isOpen  []bool
	arcs    [][]int // district → allowed open hosts
	hostOf  []int
	load    []int
	members [][]int
	piD     []float64
	piH     []float64
	// Dijkstra scratch.
	distD, distH []float64
	doneD, doneH []bool
	predH        []int // host → district it was reached from
	touchedD     []int
	touchedH     []int
	pq           nodeHeap
	// failure: districts and hosts reachable from the district that could
	// not be placed (a Hall violator), filled when assign fails.
	stuckDistricts []int
	stuckHosts     []int
	// work, when set, counts arcs scanned and heap operations.
	work *int64
}

func newAssigner(p *problem) *assigner {
	a := &assigner{p: p,
		isOpen: make([]bool, p.nH), arcs: make([][]int, p.nD), hostOf: make([]int, p.nD),
		load: make([]int, p.nH), members: make([][]int, p.nH),
		piD: make([]float64, p.nD), piH: make([]float64, p.nH),
		distD: make([]float64, p.nD), distH: make([]float64, p.nH),
		doneD: make([]bool, p.nD), doneH: make([]bool, p.nH), predH: make([]int, p.nH),
	}
	for i := range a.distD {
		a.distD[i] = math.Inf(1)
	}
	for i := range a.distH {
		a.distH[i] = math.Inf(1)
	}
	return a
}

// solve assigns every district to one of the open hosts at minimum cost. It
// returns the travel cost and false if some district cannot be placed (then
// stuckDistricts/stuckHosts describe why).
func (a *assigner) solve(open []int) (float64, bool) {
	p := a.p
	for h := range a.isOpen {
		a.isOpen[h] = false
		a.load[h] = 0
		a.members[h] = a.members[h][:0]
		a.piH[h] = 0
	}
	a.open = append(a.open[:0], open...)
	for _, h := range open {
		a.isOpen[h] = true
	}
	for d := 0; d < p.nD; d++ {
		a.hostOf[d] = -1
		a.piD[d] = 0
		a.arcs[d] = a.arcs[d][:0]
		if hh := p.home[d]; hh >= 0 && a.isOpen[hh] {
			if !math.IsInf(p.cost[d][hh], 1) {
				a.arcs[d] = append(a.arcs[d], hh)
			}
			continue
		}
		for _, h := range open {
			if !math.IsInf(p.cost[d][h], 1) {
				a.arcs[d] = append(a.arcs[d], h)
			}
		}
	}
	a.stuckDistricts, a.stuckHosts = nil, nil
	// Place constrained districts first: it does not change optimality but
	// makes a failure point at the tightest districts.
	total := 0.0
	for d := 0; d < p.nD; d++ {
		if !a.place(d) {
			return math.Inf(1), false
		}
	}
	for d := 0; d < p.nD; d++ {
		total += p.cost[d][a.hostOf[d]]
	}
	return total, true
}

// place routes district s along a shortest augmenting path.
func (a *assigner) place(s int) bool {
	p := a.p
	// Potential of the new source keeps its arcs' reduced costs ≥ 0.
	best := math.Inf(-1)
	for _, h := range a.arcs[s] {
		if v := a.piH[h] - p.cost[s][h]; v > best {
			best = v
		}
	}
	if math.IsInf(best, -1) {
		a.stuckDistricts = []int{s}
		return false
	}
	a.piD[s] = best
	target, D := a.dijkstra(s, -1)
	if target < 0 {
		a.collectStuck()
		a.clearScratch()
		return false
	}
	a.updatePotentials(D)
	// Augment along the predecessor chain.
	h := target
	a.load[target]++
	for {
		d := a.predH[h]
		prev := a.hostOf[d]
		if prev >= 0 {
			a.removeMember(prev, d)
		}
		a.hostOf[d] = h
		a.members[h] = append(a.members[h], d)
		if d == s {
			break
		}
		h = prev
	}
	a.clearScratch()
	return true
}

// dijkstra searches from district s (which must be unassigned) for the
// nearest host with spare capacity, never using the arc to forbidden.
func (a *assigner) dijkstra(s, forbidden int) (int, float64) {
	p := a.p
	steps := 0
	if a.work != nil {
		defer func() { *a.work += int64(steps) }()
	}
	a.pq = a.pq[:0]
	a.distD[s] = 0
	a.touchedD = append(a.touchedD, s)
	a.pq.push(heapNode{node: s, dist: 0})
	for a.pq.Len() > 0 {
		it := a.pq.pop()
		if it.node < p.nD {
			d := it.node
			if a.doneD[d] || it.dist > a.distD[d] {
				continue
			}
			a.doneD[d] = true
			steps += 2 + len(a.arcs[d])
			for _, h := range a.arcs[d] {
				if h == a.hostOf[d] || (d == s && h == forbidden) || a.doneH[h] {
					continue
				}
				rc := p.cost[d][h] + a.piD[d] - a.piH[h]
				if rc < 0 {
					rc = 0
				}
				nd := it.dist + rc
				if nd < a.distH[h] {
					if math.IsInf(a.distH[h], 1) {
						a.touchedH = append(a.touchedH, h)
					}
					a.distH[h] = nd
					a.predH[h] = d
					a.pq.push(heapNode{node: p.nD + h, dist: nd})
				}
			}
			continue
		}
		h := it.node - p.nD
		if a.doneH[h] || it.dist > a.distH[h] {
			continue
		}
		a.doneH[h] = true
		steps += 2 + len(a.members[h])
		if a.load[h] < a.p.capCount[h] {
			return h, it.dist
		}
		for _, d := range a.members[h] {
			if a.doneD[d] {
				continue
			}
			rc := -p.cost[d][h] + a.piH[h] - a.piD[d]
			if rc < 0 {
				rc = 0
			}
			nd := it.dist + rc
			if nd < a.distD[d] {
				if math.IsInf(a.distD[d], 1) {
					a.touchedD = append(a.touchedD, d)
				}
				a.distD[d] = nd
				a.pq.push(heapNode{node: d, dist: nd})
			}
		}
	}
	return -1, 0
}

// updatePotentials adds min(dist, D) to every potential, which keeps all
// residual reduced costs non-negative after an early-stopped Dijkstra.
func (a *assigner) updatePotentials(D float64) {
	for d := range a.piD {
		if a.doneD[d] && a.distD[d] < D {
			a.piD[d] += a.distD[d]
		} else if a.hostOf[d] >= 0 || a.doneD[d] {
			a.piD[d] += D
		}
	}
	for h := range a.piH {
		if a.doneH[h] && a.distH[h] < D {
			a.piH[h] += a.distH[h]
		} else {
			a.piH[h] += D
		}
	}
}

func (a *assigner) collectStuck() {
	for _, d := range a.touchedD {
		if a.doneD[d] {
			a.stuckDistricts = append(a.stuckDistricts, d)
		}
	}
	for _, h := range a.touchedH {
		if a.doneH[h] {
			a.stuckHosts = append(a.stuckHosts, h)
		}
	}
}

func (a *assigner) clearScratch() {
	for _, d := range a.touchedD {
		a.distD[d] = math.Inf(1)
		a.doneD[d] = false
	}
	for _, h := range a.touchedH {
		a.distH[h] = math.Inf(1)
		a.doneH[h] = false
	}
	a.touchedD = a.touchedD[:0]
	a.touchedH = a.touchedH[:0]
}

func (a *assigner) removeMember(h, d int) {
	ms := a.members[h]
	for i, x := range ms {
		if x == d {
			ms[i] = ms[len(ms)-1]
			a.members[h] = ms[:len(ms)-1]
			return
		}
	}
}

// alternative finds the cheapest way to move district d off its current
// host, re-optimising the others: it returns the first host on that path
// and the extra cost over the current optimum (Inf if d cannot move).
func (a *assigner) alternative(d int) (int, float64) {
	p := a.p
	h0 := a.hostOf[d]
	if h0 < 0 {
		return -1, math.Inf(1)
	}
	savedPi := a.piD[d]
	a.removeMember(h0, d)
	a.load[h0]--
	a.hostOf[d] = -1
	best := math.Inf(-1)
	for _, h := range a.arcs[d] {
		if h == h0 {
			continue
		}
		if v := a.piH[h] - p.cost[d][h]; v > best {
			best = v
		}
	}
	firstHost, extra := -1, math.Inf(1)
	if !math.IsInf(best, -1) {
		a.piD[d] = best
		target, D := a.dijkstra(d, h0)
		if target >= 0 {
			// Reduced path length = real length + π(source) − π(target).
			real := D - a.piD[d] + a.piH[target]
			extra = real - p.cost[d][h0]
			h := target
			for {
				dd := a.predH[h]
				if dd == d {
					firstHost = h
					break
				}
				h = a.hostOf[dd]
			}
		}
		a.clearScratch()
	}
	a.piD[d] = savedPi
	a.hostOf[d] = h0
	a.load[h0]++
	a.members[h0] = append(a.members[h0], d)
	if extra < 0 && extra > -1e-6 {
		extra = 0
	}
	return firstHost, extra
}

type heapNode struct {
	node int
	dist float64
}

// nodeHeap is a binary min-heap on dist (typed, so pushes do not allocate).
type nodeHeap []heapNode

// Len is the number of queued nodes.
func (h nodeHeap) Len() int { return len(h) }

func (h *nodeHeap) push(x heapNode) {
	*h = append(*h, x)
	a := *h
	i := len(a) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if a[parent].dist <= a[i].dist {
			break
		}
		a[parent], a[i] = a[i], a[parent]
		i = parent
	}
}

func (h *nodeHeap) pop() heapNode {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(a) {
			break
		}
		small := l
		if r := l + 1; r < len(a) && a[r].dist < a[l].dist {
			small = r
		}
		if a[i].dist <= a[small].dist {
			break
		}
		a[i], a[small] = a[small], a[i]
		i = small
	}
	*h = a
	return top
}
