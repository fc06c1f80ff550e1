package roster

import (
	"math"
	"slices"
)

// seatFlow sends every district's attendees to the open hosts within
// their seats at the least person-km, letting a district split over
// hosts: a transportation problem (supplies = attendees, capacities =
// seats) solved by successive shortest paths that push as many people as
// the path allows. It is the seat capacities' own relaxation for a fixed
// open set; an optimal basic solution splits at most one district per
// host, and rounding those gives the seat fitter an almost seated start.
type seatFlow struct {
	p       *problem
	work    *int64
	parts   [][]seatPart // district → hosts it sends people to
	load    []int        // host → attendees received
	room    []int        // host → seats (capacity)
	piD     []float64
	piH     []float64
	piT     float64
	members [][]int // host → districts sending people to it
	paths
}

type seatPart struct {
	h, n int
}

func newSeatFlow(p *problem, work *int64) *seatFlow {
	f := &seatFlow{p: p, work: work, parts: make([][]seatPart, p.nD), load: make([]int, p.nH), room: make([]int, p.nH),
		piD: make([]float64, p.nD), piH: make([]float64, p.nH), paths: newPaths(p.nD, p.nH), members: make([][]int, p.nH)}
	return f
}

// solve routes everybody for a's open set (a decides which arcs exist). It
// returns the rounded assignment (each district to the host taking most of
// its people) or false if the seats cannot hold everyone.
func (f *seatFlow) solve(a *assigner, hostOf []int) bool {
	p := f.p
	for h := 0; h < p.nH; h++ {
		f.load[h], f.piH[h] = 0, 0
		f.members[h] = f.members[h][:0]
		f.room[h] = 0
		if a.isOpen[h] {
			f.room[h] = p.capAtt[h]
		}
	}
	f.piT = 0
	steps := 0
	for d := 0; d < p.nD; d++ {
		f.parts[d] = f.parts[d][:0]
		rest := p.att[d]
		for rest > 0 {
			n, ok := f.push(d, rest, a, &steps)
			if !ok {
				*f.work += int64(steps)
				return false
			}
			rest -= n
		}
	}
	*f.work += int64(steps)
	for d, ps := range f.parts {
		best := ps[0]
		for _, q := range ps[1:] {
			if q.n > best.n || q.n == best.n && p.cost[d][q.h] < p.cost[d][best.h] {
				best = q
			}
		}
		hostOf[d] = best.h
	}
	return true
}

func (f *seatFlow) km(d, h int) float64 { return f.p.cost[d][h] / float64(f.p.att[d]) }

// push sends up to want people of district s along one shortest path and
// returns how many went.
func (f *seatFlow) push(s, want int, a *assigner, steps *int) (int, bool) {
	p := f.p
	// φs keeps s's arcs non-negative.
	best := math.Inf(-1)
	for _, h32 := range a.arcs[s] {
		h := int(h32)
		if a.allowed(s, h) {
			best = math.Max(best, f.piH[h]-f.km(s, h))
		}
	}
	for _, h := range a.extra {
		if a.allowed(s, h) {
			best = math.Max(best, f.piH[h]-f.km(s, h))
		}
	}
	if math.IsInf(best, -1) {
		return 0, false
	}
	f.piD[s] = best
	bestT, target := math.Inf(1), -1
	f.start(s)
	for f.pq.Len() > 0 {
		it := f.pq.pop()
		*steps++
		if it.dist >= bestT {
			break
		}
		if it.node < p.nD {
			d := it.node
			if f.doneD[d] || it.dist > f.distD[d] {
				continue
			}
			f.doneD[d] = true
			relax := func(h int) {
				*steps++
				if f.doneH[h] || !a.allowed(d, h) {
					return
				}
				f.reachHost(h, d, it.dist+math.Max(0, f.km(d, h)+f.piD[d]-f.piH[h]))
			}
			for _, h32 := range a.arcs[d] {
				relax(int(h32))
			}
			for _, h := range a.extra {
				relax(h)
			}
			continue
		}
		h := it.node - p.nD
		if f.doneH[h] || it.dist > f.distH[h] {
			continue
		}
		f.doneH[h] = true
		if f.load[h] < f.room[h] {
			if t := it.dist + math.Max(0, f.piH[h]-f.piT); t < bestT {
				bestT, target = t, h
			}
		}
		for _, d := range f.members[h] {
			*steps++
			if f.doneD[d] {
				continue
			}
			f.reachDistrict(d, h, it.dist+math.Max(0, f.piH[h]-f.km(d, h)-f.piD[d]))
		}
	}
	if target < 0 {
		f.clear()
		return 0, false
	}
	// Bottleneck: the people s still has, the room at the end, and the
	// people each rerouted district sends along the reversed arcs.
	n := min(want, f.room[target]-f.load[target])
	for h := target; ; {
		d := f.predH[h]
		if d == s {
			break
		}
		from := f.predD[d]
		n = min(n, f.amount(d, from))
		h = from
	}
	*steps += f.lowerPotentials(bestT, f.piD, f.piH)
	f.load[target] += n
	for h := target; ; {
		d := f.predH[h]
		f.add(d, h, n)
		if d == s {
			break
		}
		from := f.predD[d]
		f.add(d, from, -n)
		h = from
	}
	f.clear()
	return n, true
}

func (f *seatFlow) amount(d, h int) int {
	for _, q := range f.parts[d] {
		if q.h == h {
			return q.n
		}
	}
	return 0
}

// add changes the people d sends to h by n, keeping h's member list.
func (f *seatFlow) add(d, h, n int) {
	for i, q := range f.parts[d] {
		if q.h == h {
			f.parts[d][i].n += n
			if f.parts[d][i].n == 0 {
				f.parts[d] = slices.Delete(f.parts[d], i, i+1)
				if j := slices.Index(f.members[h], d); j >= 0 {
					f.members[h] = slices.Delete(f.members[h], j, j+1)
				}
			}
			return
		}
	}
	f.parts[d] = append(f.parts[d], seatPart{h: h, n: n})
	f.members[h] = append(f.members[h], d)
}
