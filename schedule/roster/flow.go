package roster

import (
	"cmp"
	"math"
	"slices"
)

// assigner solves the district-to-workshop assignment for a set of open
// hosts exactly under district-count capacities: a min-cost flow in which
// districts are unit supplies and hosts capacitated arcs into one sink T,
// by successive shortest paths (Dijkstra on reduced costs).
//
// It keeps the flow and the node potentials between calls, so that a
// local-search move (open a host, close a host) re-places only the
// districts it disturbs. The flow stays optimal because every residual arc
// keeps a non-negative reduced cost: districts whose arcs would turn
// negative are un-placed first and placed again by shortest paths.
//
// Reduced costs (φ the potentials): district d → host h: c(d,h) + φd − φh;
// host h → its member d: φh − c(d,h) − φd; h → T while h has room: φh − φT;
// T → h while h has members: φT − φh.
type assigner struct {
	p *problem
	// cost is the cost matrix the flow minimises: the problem's, or one
	// with seat penalties (see seatFitter.penalised).
	cost    [][]float64
	costT   [][]float64 // host → cost column, filled by column
	isOpen  []bool
	open    []int
	hostOf  []int // -1: not placed
	load    []int
	members [][]int
	piD     []float64
	piH     []float64
	piT     float64
	// maxPiH bounds φh over open hosts from above (prunes arc scans).
	maxPiH   float64
	unplaced []int
	// abortAbove stops placeAll early once the cost is sure to reach it
	// (+Inf: never); set it to price trial moves.
	abortAbove float64
	// arcs lists, per district, the hosts open at the last rebase in order
	// of cost (closed ones are skipped while scanning); extra holds hosts
	// opened since, scanned for every district.
	arcs   [][]int32
	inBase []bool
	extra  []int
	// forbidD/forbidH: one district–host arc switched off (explanations).
	forbidD, forbidH int
	paths
	cascade []int
	// failure: districts and hosts reachable from the district that could
	// not be placed (a Hall violator), filled when a placement fails.
	stuckDistricts []int
	stuckHosts     []int
	// work, when set, counts arcs scanned and nodes settled.
	work *int64
}

func newAssigner(p *problem) *assigner {
	p.sortArcs()
	a := &assigner{p: p, cost: p.cost,
		isOpen: make([]bool, p.nH), hostOf: make([]int, p.nD),
		load: make([]int, p.nH), members: make([][]int, p.nH),
		piD: make([]float64, p.nD), piH: make([]float64, p.nH), paths: newPaths(p.nD, p.nH),
		forbidD: -1, forbidH: -1, abortAbove: math.Inf(1), arcs: make([][]int32, p.nD), inBase: make([]bool, p.nH),
	}
	return a
}

func (a *assigner) count(n int) {
	if a.work != nil {
		*a.work += int64(n)
	}
}

// allowed reports whether district d may attend open host h: a finite
// cost, and its own host if that one is open.
func (a *assigner) allowed(d, h int) bool {
	if !a.isOpen[h] || math.IsInf(a.cost[d][h], 1) || (d == a.forbidD && h == a.forbidH) {
		return false
	}
	hh := a.p.home[d]
	return hh < 0 || !a.isOpen[hh] || hh == h
}

// solve assigns every district to one of the open hosts at minimum cost,
// from scratch. It returns the travel cost and false if some district
// cannot be placed (then stuckDistricts/stuckHosts describe why).
func (a *assigner) solve(open []int) (float64, bool) {
	p := a.p
	for h := range a.isOpen {
		a.isOpen[h] = false
		a.load[h] = 0
		a.members[h] = a.members[h][:0]
		a.piH[h] = 0
	}
	a.piT, a.maxPiH = 0, 0
	a.open = append(a.open[:0], open...)
	for _, h := range open {
		a.isOpen[h] = true
	}
	a.rebase()
	a.unplaced = a.unplaced[:0]
	// Every district whose cheapest allowed host still has room goes
	// there: such a partial flow is optimal with all host potentials 0.
	for d := 0; d < p.nD; d++ {
		a.hostOf[d] = -1
		best := a.cheapest(d)
		if best >= 0 && a.load[best] < p.capCount[best] {
			a.attach(d, best)
			a.piD[d] = -a.cost[d][best]
			continue
		}
		a.unplaced = append(a.unplaced, d)
	}
	a.count(p.nD)
	if !a.placeAll() {
		return math.Inf(1), false
	}
	return a.travel(), true
}

// rebase rebuilds the per-district arc lists for the current open set.
// Snapshots taken before a rebase must not be restored after it.
func (a *assigner) rebase() {
	p := a.p
	for h := range a.inBase {
		a.inBase[h] = a.isOpen[h]
	}
	own := &a.cost[0] == &p.cost[0]
	for d, all := range p.byCost {
		arcs := a.arcs[d][:0]
		for _, h := range all {
			if a.isOpen[h] {
				arcs = append(arcs, h)
			}
		}
		if !own {
			// Penalised costs: the lists must follow them (the scans stop
			// at the first arc too dear to help).
			row := a.cost[d]
			slices.SortStableFunc(arcs, func(x, y int32) int { return cmp.Compare(row[x], row[y]) })
			a.count(4 * len(arcs))
		}
		a.arcs[d] = arcs
		a.count(len(all))
	}
	a.extra = a.extra[:0]
}

// cheapest returns d's cheapest allowed open host or -1.
func (a *assigner) cheapest(d int) int {
	if hh := a.p.home[d]; hh >= 0 && a.isOpen[hh] {
		if a.allowed(d, hh) {
			return hh
		}
		return -1
	}
	best, bestC := -1, math.Inf(1)
	for i, h := range a.arcs[d] {
		if a.allowed(d, int(h)) {
			a.count(i + 1)
			best, bestC = int(h), a.cost[d][h]
			break
		}
	}
	for _, h := range a.extra {
		if c := a.cost[d][h]; c < bestC && a.allowed(d, h) {
			best, bestC = h, c
		}
	}
	return best
}

func (a *assigner) attach(d, h int) {
	a.hostOf[d] = h
	a.members[h] = append(a.members[h], d)
	a.load[h]++
}

// travel is the current assignment's cost (every district placed).
func (a *assigner) travel() float64 {
	total := 0.0
	for d, h := range a.hostOf {
		total += a.cost[d][h]
	}
	a.count(len(a.hostOf))
	return total
}

// placeAll places every unplaced district along shortest paths, in
// district order. It returns false at the first that cannot be placed, or
// as soon as the cost is sure to reach abortAbove: the placed districts'
// optimal cost plus each unplaced district's cheapest option bounds the
// final cost from below.
func (a *assigner) placeAll() bool {
	slices.Sort(a.unplaced)
	bound := !math.IsInf(a.abortAbove, 1)
	var partial, rest float64
	if bound {
		for d, h := range a.hostOf {
			if h >= 0 {
				partial += a.cost[d][h]
			}
		}
		for _, d := range a.unplaced {
			if h := a.cheapest(d); h >= 0 {
				rest += a.cost[d][h]
			}
		}
		a.count(a.p.nD)
	}
	for i, d := range a.unplaced {
		if a.hostOf[d] >= 0 {
			continue
		}
		if bound && partial+rest >= a.abortAbove {
			a.unplaced = append(a.unplaced[:0], a.unplaced[i:]...)
			return false
		}
		var ok bool
		var pathCost float64
		if bound {
			if h := a.cheapest(d); h >= 0 {
				rest -= a.cost[d][h]
			}
		}
		if pathCost, ok = a.place(d); !ok {
			a.unplaced = append(a.unplaced[:0], a.unplaced[i:]...)
			return false
		}
		partial += pathCost
	}
	a.unplaced = a.unplaced[:0]
	return !bound || partial+rest < a.abortAbove
}

// place routes district s along a shortest augmenting path and returns
// the path's cost (the total cost's increase).
func (a *assigner) place(s int) (float64, bool) {
	p := a.p
	// The new source's potential keeps its arcs' reduced costs ≥ 0.
	best := math.Inf(-1)
	if hh := p.home[s]; hh >= 0 && a.isOpen[hh] {
		if a.allowed(s, hh) {
			best = a.piH[hh] - a.cost[s][hh]
		}
	} else {
		for i, h32 := range a.arcs[s] {
			h := int(h32)
			c := a.cost[s][h]
			if a.maxPiH-c <= best {
				a.count(i)
				break
			}
			if a.allowed(s, h) {
				best = math.Max(best, a.piH[h]-c)
			}
		}
		for _, h := range a.extra {
			if a.allowed(s, h) {
				best = math.Max(best, a.piH[h]-a.cost[s][h])
			}
		}
		a.count(1 + len(a.extra))
	}
	if math.IsInf(best, -1) {
		a.stuckDistricts, a.stuckHosts = []int{s}, nil
		return 0, false
	}
	a.piD[s] = best
	target, D := a.shortestPath(s)
	if target < 0 {
		a.collectStuck()
		a.clearScratch()
		return 0, false
	}
	// Reduced length = real length + φs − φT.
	pathCost := D - a.piD[s] + a.piT
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
	return pathCost, true
}

// shortestPath searches from the unplaced district s for the cheapest path
// to the sink; it returns the host through which the path enters the sink
// (-1 if none) and the path's reduced length.
func (a *assigner) shortestPath(s int) (int, float64) {
	p := a.p
	steps := 0
	bestT, bestHost := math.Inf(1), -1
	a.start(s)
	for a.pq.Len() > 0 {
		it := a.pq.pop()
		steps++
		if it.dist >= bestT {
			break
		}
		if it.node < p.nD {
			d := it.node
			if a.doneD[d] || it.dist > a.distD[d] {
				continue
			}
			a.doneD[d] = true
			if hh := p.home[d]; hh >= 0 && a.isOpen[hh] {
				if hh != a.hostOf[d] && !a.doneH[hh] && a.allowed(d, hh) {
					rc := math.Max(0, a.cost[d][hh]+a.piD[d]-a.piH[hh])
					a.reachHost(hh, d, it.dist+rc)
				}
				continue
			}
			// Hosts in order of cost: stop once no arc can beat bestT.
			base := it.dist + a.piD[d]
			lim := bestT - base + a.maxPiH
			row := a.cost[d]
			isOpen, doneH, piH := a.isOpen, a.doneH, a.piH
			at := a.hostOf[d]
			n := 0
			for _, h32 := range a.arcs[d] {
				h := int(h32)
				c := row[h]
				if c >= lim {
					break
				}
				n++
				if !isOpen[h] || h == at || doneH[h] || (d == a.forbidD && h == a.forbidH) {
					continue
				}
				a.reachHost(h, d, math.Max(it.dist, base+c-piH[h]))
			}
			for _, h := range a.extra {
				if isOpen[h] && h != at && !doneH[h] && a.allowed(d, h) {
					a.reachHost(h, d, math.Max(it.dist, base+row[h]-piH[h]))
				}
			}
			steps += n + len(a.extra)
			continue
		}
		h := it.node - p.nD
		if a.doneH[h] || it.dist > a.distH[h] {
			continue
		}
		a.doneH[h] = true
		if a.load[h] < p.capCount[h] {
			if t := it.dist + math.Max(0, a.piH[h]-a.piT); t < bestT {
				bestT, bestHost = t, h
			}
		}
		steps += len(a.members[h])
		for _, d := range a.members[h] {
			if !a.doneD[d] {
				a.reachDistrict(d, h, it.dist+math.Max(0, a.piH[h]-a.cost[d][h]-a.piD[d]))
			}
		}
	}
	a.count(steps)
	return bestHost, bestT
}

// updatePotentials applies paths.lowerPotentials to the flow's potentials.
func (a *assigner) updatePotentials(D float64) {
	a.count(a.lowerPotentials(D, a.piD, a.piH))
}

func (a *assigner) collectStuck() {
	a.stuckDistricts, a.stuckHosts = nil, nil
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

func (a *assigner) clearScratch() { a.clear() }

func (a *assigner) removeMember(h, d int) {
	ms := a.members[h]
	for i, x := range ms {
		if x == d {
			// Keep the order: Dijkstra's ties, hence the roster, depend on it.
			a.members[h] = append(ms[:i], ms[i+1:]...)
			a.count(len(ms))
			return
		}
	}
}

// unassign takes district d off its host (and whatever that cascades to).
func (a *assigner) unassign(d int) {
	a.cascade = append(a.cascade[:0], d)
	a.drain()
}

// drain un-places the queued districts. A host that gets room again must
// not offer the sink a shortcut (φh ≥ φT): if it would, φh is raised and
// the districts whose arcs into it turn negative are queued in turn.
func (a *assigner) drain() {
	for len(a.cascade) > 0 {
		d := a.cascade[len(a.cascade)-1]
		a.cascade = a.cascade[:len(a.cascade)-1]
		h := a.hostOf[d]
		if h < 0 {
			continue
		}
		wasFull := a.load[h] >= a.p.capCount[h]
		a.removeMember(h, d)
		a.load[h]--
		a.hostOf[d] = -1
		a.unplaced = append(a.unplaced, d)
		if wasFull && a.isOpen[h] && a.piH[h] < a.piT {
			a.piH[h] = a.piT
			a.maxPiH = math.Max(a.maxPiH, a.piT)
			a.collectViolators(h)
		}
	}
}

// collectViolators queues the placed districts whose arc into host h has a
// negative reduced cost.
func (a *assigner) collectViolators(h int) {
	col := a.column(h)
	thr := a.piH[h] - a.eps()
	for d, at := range a.hostOf {
		// Most arcs are fine: test the reduced cost before the rules.
		if at < 0 || at == h || col[d]+a.piD[d] >= thr || !a.allowed(d, h) {
			continue
		}
		a.cascade = append(a.cascade, d)
	}
	a.count(a.p.nD)
}

// column returns the costs of every district at host h (a transposed copy
// of the cost matrix, made on first use: scanning a host's arcs then reads
// memory in order).
func (a *assigner) column(h int) []float64 {
	if a.costT == nil {
		a.costT = make([][]float64, a.p.nH)
	}
	if a.costT[h] == nil {
		col := make([]float64, a.p.nD)
		for d := range col {
			col[d] = a.cost[d][h]
		}
		a.costT[h] = col
		a.count(4 * a.p.nD)
	}
	return a.costT[h]
}

// eps is the tolerance on reduced costs, relative to the cost scale.
func (a *assigner) eps() float64 { return 1e-9 * (1 + math.Abs(a.piT)) }

// openHost adds host g to the open set and restores optimality by
// un-placing the districts that would rather be at g (its own districts
// always). Call placeAll afterwards.
func (a *assigner) openHost(g int) {
	p := a.p
	if a.isOpen[g] {
		return
	}
	a.isOpen[g] = true
	a.open = append(a.open, g)
	if !a.inBase[g] {
		a.extra = append(a.extra, g)
	}
	a.load[g] = 0
	a.members[g] = a.members[g][:0]
	a.piH[g] = a.piT
	a.maxPiH = math.Max(a.maxPiH, a.piT)
	a.cascade = append(a.cascade[:0], p.homes[g]...)
	a.collectViolators(g)
	a.drain()
}

// closeHost removes host h from the open set; its districts become
// unplaced. Call placeAll afterwards.
func (a *assigner) closeHost(h int) {
	if !a.isOpen[h] {
		return
	}
	for _, d := range a.members[h] {
		a.hostOf[d] = -1
		a.unplaced = append(a.unplaced, d)
	}
	a.members[h] = a.members[h][:0]
	a.load[h] = 0
	a.isOpen[h] = false
	if i := slices.Index(a.open, h); i >= 0 {
		a.open = append(a.open[:i], a.open[i+1:]...)
	}
}

// assignSnapshot saves an assigner's state so a trial move can be undone.
type assignSnapshot struct {
	isOpen       []bool
	open         []int
	hostOf, load []int
	members      [][]int
	piD, piH     []float64
	piT, maxPiH  float64
	unplaced     []int
	extra        []int
}

func (a *assigner) save(s *assignSnapshot) {
	s.isOpen = append(s.isOpen[:0], a.isOpen...)
	s.open = append(s.open[:0], a.open...)
	s.hostOf = append(s.hostOf[:0], a.hostOf...)
	s.load = append(s.load[:0], a.load...)
	if len(s.members) != len(a.members) {
		s.members = make([][]int, len(a.members))
	}
	for h, ms := range a.members {
		s.members[h] = append(s.members[h][:0], ms...)
	}
	s.piD = append(s.piD[:0], a.piD...)
	s.piH = append(s.piH[:0], a.piH...)
	s.piT, s.maxPiH = a.piT, a.maxPiH
	s.unplaced = append(s.unplaced[:0], a.unplaced...)
	s.extra = append(s.extra[:0], a.extra...)
	a.count(2*a.p.nD + 4*a.p.nH)
}

func (a *assigner) restore(s *assignSnapshot) {
	copy(a.isOpen, s.isOpen)
	a.open = append(a.open[:0], s.open...)
	copy(a.hostOf, s.hostOf)
	copy(a.load, s.load)
	for h, ms := range s.members {
		a.members[h] = append(a.members[h][:0], ms...)
	}
	copy(a.piD, s.piD)
	copy(a.piH, s.piH)
	a.piT, a.maxPiH = s.piT, s.maxPiH
	a.unplaced = append(a.unplaced[:0], s.unplaced...)
	a.extra = append(a.extra[:0], s.extra...)
	a.count(2*a.p.nD + 4*a.p.nH)
}

// alternative finds the cheapest way to move district d off its current
// host, re-optimising the others: it returns d's host in that roster and
// the extra cost over the current optimum (Inf if d cannot move).
func (a *assigner) alternative(d int) (int, float64) {
	h0 := a.hostOf[d]
	if h0 < 0 {
		return -1, math.Inf(1)
	}
	var snap assignSnapshot
	a.save(&snap)
	before := a.travel()
	a.forbidD, a.forbidH = d, h0
	a.unplaced = a.unplaced[:0]
	a.unassign(d)
	next, extra := -1, math.Inf(1)
	if a.placeAll() {
		next, extra = a.hostOf[d], a.travel()-before
	}
	a.forbidD, a.forbidH = -1, -1
	a.restore(&snap)
	if extra < 0 && extra > -1e-6 {
		extra = 0
	}
	return next, extra
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
