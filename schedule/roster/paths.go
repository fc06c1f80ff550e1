package roster

import "math"

// paths is the scratch of one shortest-path search over districts and
// hosts (Dijkstra on reduced costs), shared by the district-count flow
// (assigner) and the seat transportation flow (seatFlow). Only the nodes a
// search touched are reset afterwards.
type paths struct {
	nD           int
	distD, distH []float64
	doneD, doneH []bool
	predH        []int // host → district it was reached from
	predD        []int // district → host it was reached from
	touchedD     []int
	touchedH     []int
	pq           nodeHeap
}

func newPaths(nD, nH int) paths {
	ps := paths{nD: nD, distD: make([]float64, nD), distH: make([]float64, nH), doneD: make([]bool, nD), doneH: make([]bool, nH),
		predH: make([]int, nH), predD: make([]int, nD)}
	for i := range ps.distD {
		ps.distD[i] = math.Inf(1)
	}
	for i := range ps.distH {
		ps.distH[i] = math.Inf(1)
	}
	return ps
}

// start begins a search at district s.
func (ps *paths) start(s int) {
	ps.pq = ps.pq[:0]
	ps.distD[s] = 0
	ps.touchedD = append(ps.touchedD, s)
	ps.pq.push(heapNode{node: s, dist: 0})
}

// reachHost offers host h the label dist via district d.
func (ps *paths) reachHost(h, d int, dist float64) {
	if dist < ps.distH[h] {
		if math.IsInf(ps.distH[h], 1) {
			ps.touchedH = append(ps.touchedH, h)
		}
		ps.distH[h] = dist
		ps.predH[h] = d
		ps.pq.push(heapNode{node: ps.nD + h, dist: dist})
	}
}

// reachDistrict offers district d the label dist via host h.
func (ps *paths) reachDistrict(d, h int, dist float64) {
	if dist < ps.distD[d] {
		if math.IsInf(ps.distD[d], 1) {
			ps.touchedD = append(ps.touchedD, d)
		}
		ps.distD[d] = dist
		ps.predD[d] = h
		ps.pq.push(heapNode{node: d, dist: dist})
	}
}

// lowerPotentials lowers the potential of every node settled closer than
// D by D − dist (the usual φ += min(dist, D), shifted by the constant −D),
// which keeps all residual reduced costs non-negative after a search
// stopped at D and leaves the sink's potential unchanged. It returns the
// nodes visited (for work counting).
func (ps *paths) lowerPotentials(D float64, piD, piH []float64) int {
	for _, d := range ps.touchedD {
		if ps.doneD[d] && ps.distD[d] < D {
			piD[d] += ps.distD[d] - D
		}
	}
	for _, h := range ps.touchedH {
		if ps.doneH[h] && ps.distH[h] < D {
			piH[h] += ps.distH[h] - D
		}
	}
	return len(ps.touchedD) + len(ps.touchedH)
}

// clear resets the nodes the last search touched.
func (ps *paths) clear() {
	for _, d := range ps.touchedD {
		ps.distD[d] = math.Inf(1)
		ps.doneD[d] = false
	}
	for _, h := range ps.touchedH {
		ps.distH[h] = math.Inf(1)
		ps.doneH[h] = false
	}
	ps.touchedD = ps.touchedD[:0]
	ps.touchedH = ps.touchedH[:0]
}
