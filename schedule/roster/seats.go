package roster

import (
	"cmp"
	"math"
	"slices"
)

// seatFitter fits a roster to seat (attendee) capacities. The flow is exact
// for district counts only; districts are whole (a district's attendees
// all go to one workshop), which makes seats a bin-packing side constraint.
// Starting from the count-optimal assignment, the fitter moves or swaps
// districts off over-full workshops at the least extra cost, then improves
// the result by cost-lowering moves and swaps that keep every capacity.
// It is a heuristic: the lower bound never relies on it.
type seatFitter struct {
	p       *problem
	work    *int64
	hostOf  []int
	load    []int // districts per host
	seats   []int // attendees per host
	members [][]int
	near    [][]int
	nearOK  []bool
	// dirty queues the hosts whose districts changed (for polish).
	dirty   []int
	isDirty []bool
	// pen is a second flow on costs with seat penalties (penalised).
	pen     *assigner
	penCost [][]float64
	// mu starts the penalised flow's seat prices (the root relaxation's).
	mu []float64
	// log records moves so an ejection chain can be undone.
	log []seatMove
	// flow and start: the seat transportation problem and its rounding.
	flow  *seatFlow
	start []int
}

type seatMove struct{ d, from int }

func newSeatFitter(p *problem, work *int64) *seatFitter {
	return &seatFitter{p: p, work: work, hostOf: make([]int, p.nD), load: make([]int, p.nH), seats: make([]int, p.nH),
		members: make([][]int, p.nH), near: make([][]int, p.nD), nearOK: make([]bool, p.nD),
		isDirty: make([]bool, p.nH)}
}

// fit fits the assigner's count-optimal roster to the seats (see fitFrom).
func (f *seatFitter) fit(a *assigner) (float64, []int, bool) {
	return f.fitFrom(a.hostOf, a)
}

// fitTransport fits the rounded seat transportation solution for a's open
// set (seatFlow): every workshop starts within or near its seats.
func (f *seatFitter) fitTransport(a *assigner) (float64, []int, bool) {
	if f.flow == nil {
		f.flow = newSeatFlow(f.p, f.work)
		f.start = make([]int, f.p.nD)
	}
	if !f.flow.solve(a, f.start) {
		return 0, nil, false
	}
	f.roundSplit(a)
	return f.fitFrom(f.start, a)
}

// roundSplit places the districts the transportation solution split (the
// biggest first) at the cheapest of their hosts, or of their near hosts,
// that still has the seats and a district place for them; f.start keeps
// the largest share for those that fit nowhere (the fitter repairs them).
func (f *seatFitter) roundSplit(a *assigner) {
	p := f.p
	seats := make([]int, p.nH)
	load := make([]int, p.nH)
	var split []int
	for d, ps := range f.flow.parts {
		if len(ps) > 1 {
			split = append(split, d)
			continue
		}
		seats[ps[0].h] += p.att[d]
		load[ps[0].h]++
	}
	slices.SortFunc(split, func(x, y int) int {
		if c := cmp.Compare(p.att[y], p.att[x]); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	clear(f.nearOK)
	for _, d := range split {
		best, bestC := -1, math.Inf(1)
		try := func(h int) {
			if seats[h]+p.att[d] <= p.capAtt[h] && load[h] < p.capCount[h] && p.cost[d][h] < bestC && a.allowed(d, h) {
				best, bestC = h, p.cost[d][h]
			}
		}
		for _, q := range f.flow.parts[d] {
			try(q.h)
		}
		for _, h := range f.nearOf(d, a) {
			try(h)
		}
		if best >= 0 {
			f.start[d] = best
		}
		seats[f.start[d]] += p.att[d]
		load[f.start[d]]++
	}
	f.count(p.nD + 16*len(split))
}

// fitFrom starts from the assignment start on a's open hosts, brings every
// workshop within its seats and district places (settle), then lowers the
// cost by moves and swaps that keep them (polish). It returns the travel
// and assignment (owned by the fitter until the next call), or false if it
// found no way to seat everyone.
func (f *seatFitter) fitFrom(start []int, a *assigner) (float64, []int, bool) {
	p := f.p
	copy(f.hostOf, start)
	clear(f.load)
	clear(f.seats)
	for h := range f.members {
		f.members[h] = f.members[h][:0]
	}
	for d, h := range f.hostOf {
		f.load[h]++
		f.seats[h] += p.att[d]
		f.members[h] = append(f.members[h], d)
	}
	f.count(2 * p.nD)
	clear(f.nearOK)
	clear(f.isDirty)
	f.dirty = f.dirty[:0]
	f.log = f.log[:0]
	for _, h := range a.open {
		if !f.settle(h, a, 3, nil) {
			return 0, nil, false
		}
	}
	f.polish(a)
	total := 0.0
	for d, h := range f.hostOf {
		total += p.cost[d][h]
	}
	return total, f.hostOf, true
}

func (f *seatFitter) count(n int) { *f.work += int64(n) }

// nearOf lists d's open hosts from the cheapest (the candidates for its
// moves and swaps), computed when first needed.
func (f *seatFitter) nearOf(d int, a *assigner) []int {
	if f.nearOK[d] {
		return f.near[d]
	}
	const k = 12
	hs := f.near[d][:0]
	if hh := f.p.home[d]; hh >= 0 && a.isOpen[hh] {
		hs = append(hs, hh)
	} else {
		for i, h := range f.p.byCost[d] {
			if a.isOpen[int(h)] {
				if hs = append(hs, int(h)); len(hs) >= k {
					f.count(i)
					break
				}
			}
		}
	}
	f.near[d], f.nearOK[d] = hs, true
	f.count(k)
	return hs
}

// movable reports whether d may leave its host for g.
func (f *seatFitter) movable(d, g int, a *assigner) bool {
	return a.allowed(d, g)
}

// fits reports whether host g can take district d in exchange for e
// (e = -1: nothing leaves).
func (f *seatFitter) fits(g, d, e int) bool {
	p := f.p
	load, seats := f.load[g]+1, f.seats[g]+p.att[d]
	if e >= 0 {
		load, seats = load-1, seats-p.att[e]
	}
	return load <= p.capCount[g] && seats <= p.capAtt[g]
}

func (f *seatFitter) move(d, g int) {
	p := f.p
	h := f.hostOf[d]
	f.log = append(f.log, seatMove{d: d, from: h})
	f.load[h]--
	f.seats[h] -= p.att[d]
	if i := slices.Index(f.members[h], d); i >= 0 {
		f.members[h] = slices.Delete(f.members[h], i, i+1)
	}
	f.members[g] = append(f.members[g], d)
	f.hostOf[d] = g
	for _, x := range [2]int{h, g} {
		if !f.isDirty[x] {
			f.isDirty[x] = true
			f.dirty = append(f.dirty, x)
		}
	}
	f.load[g]++
	f.seats[g] += p.att[d]
}

// settle brings host h within its seats: by the cheapest moves and swaps
// that fit (relieve) while there are any, else by an ejection chain —
// move one of h's districts to a near host that has a district place but
// then holds too many people, and settle that host in turn (never back
// along the chain, depth hosts deep, the three cheapest first moves
// tried). A failed chain is undone.
func (f *seatFitter) settle(h int, a *assigner, depth int, path []int) bool {
	p := f.p
	for f.seats[h] > p.capAtt[h] || f.load[h] > p.capCount[h] {
		if f.relieve(h, a) {
			continue
		}
		if depth == 0 {
			return false
		}
		type firstMove struct {
			d, g  int
			delta float64
		}
		var moves []firstMove
		for _, d := range f.members[h] {
			for _, g := range f.nearOf(d, a) {
				if g != h && !slices.Contains(path, g) && f.load[g] < p.capCount[g] && a.allowed(d, g) {
					moves = append(moves, firstMove{d, g, p.cost[d][g] - p.cost[d][h]})
				}
			}
		}
		f.count(8 * len(moves))
		slices.SortFunc(moves, func(x, y firstMove) int {
			if c := cmp.Compare(x.delta, y.delta); c != 0 {
				return c
			}
			return cmp.Compare(x.d, y.d)
		})
		settled := false
		for _, m := range moves[:min(3, len(moves))] {
			mark := len(f.log)
			f.move(m.d, m.g)
			if f.settle(m.g, a, depth-1, append(path, h)) {
				settled = true
				break
			}
			f.undo(mark)
		}
		if !settled {
			return false
		}
	}
	return true
}

// undo takes back the moves logged since mark.
func (f *seatFitter) undo(mark int) {
	for len(f.log) > mark {
		m := f.log[len(f.log)-1]
		f.move(m.d, m.from)
		f.log = f.log[:len(f.log)-2] // the undoing move logged itself too
	}
}

// relieve lowers host h's excess seats by the cheapest single move of one
// of its districts or swap with a smaller district elsewhere.
func (f *seatFitter) relieve(h int, a *assigner) bool {
	p := f.p
	bestDelta, bestD, bestG, bestE := math.Inf(1), -1, -1, -1
	steps := 0
	countOver := f.load[h] > p.capCount[h]
	for _, d := range f.members[h] {
		f.scanPartners(d, a, &steps, func(g, e int, delta float64) {
			if e >= 0 && (countOver || p.att[e] >= p.att[d]) {
				return // the swap must lower h's seats (or a move its districts)
			}
			if delta < bestDelta {
				bestDelta, bestD, bestG, bestE = delta, d, g, e
			}
		})
	}
	f.count(steps)
	if bestD < 0 {
		return false
	}
	if bestE >= 0 {
		f.move(bestE, h)
	}
	f.move(bestD, bestG)
	return true
}

// scanPartners calls found for every feasible move of d to a near host g
// (e = -1) and every feasible swap with a district e at g, with the cost
// change.
func (f *seatFitter) scanPartners(d int, a *assigner, steps *int, found func(g, e int, delta float64)) {
	p := f.p
	h := f.hostOf[d]
	for _, g := range f.nearOf(d, a) {
		if g == h {
			continue
		}
		*steps += 4
		base := p.cost[d][g] - p.cost[d][h]
		if f.fits(g, d, -1) {
			found(g, -1, base)
		}
		for _, e := range f.members[g] {
			*steps += 4
			if !f.movable(e, h, a) {
				continue
			}
			if f.fits(g, d, e) && f.fitsBack(h, e, d) {
				found(g, e, base+p.cost[e][h]-p.cost[e][g])
			}
		}
	}
}

// fitsBack reports whether h can take e once d has left it (counts and
// seats may exceed capacity before, as long as they do not grow).
func (f *seatFitter) fitsBack(h, e, d int) bool {
	p := f.p
	seats := f.seats[h] - p.att[d] + p.att[e]
	return seats <= max(p.capAtt[h], f.seats[h]-1) && f.load[h] <= p.capCount[h]
}

// polish applies cost-lowering moves and swaps that keep all capacities,
// around the hosts whose districts changed (each such host and its nearest
// open neighbours), until none is left.
func (f *seatFitter) polish(a *assigner) {
	p := f.p
	steps := 0
	for len(f.dirty) > 0 && steps < 50*p.nD {
		g := f.dirty[0]
		f.dirty = f.dirty[1:]
		f.isDirty[g] = false
		hosts := []int{g}
		for _, h := range p.nearHosts[g] {
			if len(hosts) > 8 {
				break
			}
			if a.isOpen[h] {
				hosts = append(hosts, h)
			}
		}
		for _, h := range hosts {
			for _, d := range slices.Clone(f.members[h]) {
				if f.hostOf[d] != h {
					continue
				}
				bestDelta, bestG, bestE := -1e-9, -1, -1
				f.scanPartners(d, a, &steps, func(g, e int, delta float64) {
					if e >= 0 && f.seats[h]-p.att[d]+p.att[e] > p.capAtt[h] {
						return
					}
					if delta < bestDelta {
						bestDelta, bestG, bestE = delta, g, e
					}
				})
				if bestG >= 0 {
					if bestE >= 0 {
						f.move(bestE, h)
					}
					f.move(d, bestG)
				}
			}
		}
	}
	f.count(steps)
}

// penalised re-solves the assignment for a's open set on costs with seat
// penalties: each attendee at host h costs μh more, μh rising on hosts the
// flow over-fills and falling on hosts with seats to spare (a Lagrangian
// treatment of the seat limits inside the flow), and fits each flow in
// turn. It returns the cheapest fitted roster found in the given rounds.
func (f *seatFitter) penalised(a *assigner, rounds int) (float64, []int, bool) {
	p := f.p
	if f.pen == nil {
		f.penCost = make([][]float64, p.nD)
		for d := range f.penCost {
			f.penCost[d] = slices.Clone(p.cost[d])
		}
		f.pen = newAssigner(p)
		f.pen.cost = f.penCost
		f.pen.work = f.work
	}
	open := slices.Clone(a.open)
	// Penalty scale: the mean km from a district to its nearest open host.
	scale := 0.0
	for d := 0; d < p.nD; d++ {
		scale += p.km[d][a.hostOf[d]]
	}
	scale = math.Max(1, scale/float64(p.nD))
	mu := make([]float64, p.nH)
	if f.mu != nil {
		copy(mu, f.mu)
	}
	seats := make([]int, p.nH)
	src := a
	best, bestHostOf := math.Inf(1), []int(nil)
	for r := 0; r < rounds; r++ {
		clear(seats)
		for d, h := range src.hostOf {
			seats[h] += p.att[d]
		}
		step := scale * 2 / float64(1+r)
		for _, h := range open {
			mu[h] = math.Max(0, mu[h]+step*float64(seats[h]-p.capAtt[h])/float64(p.capAtt[h]))
		}
		for d := 0; d < p.nD; d++ {
			for _, h := range open {
				f.penCost[d][h] = p.cost[d][h] + mu[h]*float64(p.att[d])
			}
		}
		f.count(p.nD * len(open))
		f.pen.costT = nil // the penalties changed
		if _, ok := f.pen.solve(open); !ok {
			break
		}
		src = f.pen
		if c, hostOf, ok := f.fit(f.pen); ok && c < best {
			best, bestHostOf = c, slices.Clone(hostOf)
		}
	}
	if bestHostOf == nil {
		return 0, nil, false
	}
	copy(f.hostOf, bestHostOf)
	return best, f.hostOf, true
}
