package tour

// matrix holds road km and minutes between every pair of locations when a
// distance/time matrix is uploaded: the listed legs, great-circle × road
// factor for pairs it lacks, then closed into shortest paths (a vistarak may
// drive past another listed place). The closure makes distances obey the
// triangle inequality, which the lower bound relies on.
type matrix struct {
	n        int
	km, min  []float64
	listed   int // legs given
	shortcut int // pairs the closure shortened
}

func newMatrix(p *problem, legs []Leg) *matrix {
	n := p.nP + p.nV
	m := &matrix{n: n, km: make([]float64, n*n), min: make([]float64, n*n), listed: len(legs)}
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			if a != b {
				km := p.roadKm * greatCircleKm(p.loc[a], p.loc[b])
				m.km[a*n+b], m.min[a*n+b] = km, km*p.minPerKm
			}
		}
	}
	id := func(s string) int {
		if i, ok := p.placeIdx[s]; ok {
			return i
		}
		return p.nP + p.vIdx[s]
	}
	listed := make(map[[2]int]bool, len(legs))
	for _, l := range legs {
		listed[[2]int{id(l.From), id(l.To)}] = true
	}
	for _, l := range legs {
		a, b := id(l.From), id(l.To)
		mins := l.Minutes
		if mins == 0 {
			mins = l.Km * p.minPerKm
		}
		m.km[a*n+b], m.min[a*n+b] = l.Km, mins
		if !listed[[2]int{b, a}] {
			m.km[b*n+a], m.min[b*n+a] = l.Km, mins
		}
	}
	m.shortcut = closeShortestPaths(m.km, n) + closeShortestPaths(m.min, n)
	return m
}

// closeShortestPaths replaces d (n×n, row-major) by its shortest-path
// closure (Floyd–Warshall) and returns how many entries shrank.
func closeShortestPaths(d []float64, n int) int {
	before := make([]float64, len(d))
	copy(before, d)
	for k := 0; k < n; k++ {
		rowK := d[k*n : k*n+n]
		for i := 0; i < n; i++ {
			dik := d[i*n+k]
			if i == k {
				continue
			}
			rowI := d[i*n : i*n+n]
			for j, dkj := range rowK {
				if v := dik + dkj; v < rowI[j] {
					rowI[j] = v
				}
			}
		}
	}
	changed := 0
	for i := range d {
		if d[i] < before[i]-1e-9 {
			changed++
		}
	}
	return changed
}
