package tour

import (
	"math"
	"runtime"
	"sort"
	"sync"
)

// grid is a spatial index of locations in cells of about cellKm.
type grid struct {
	lat0, lon0   float64
	dLat, dLon   float64
	nLat, nLon   int
	cells        [][]int32
	latOf, lonOf []float64
}

const cellKm = 5.0

func newGrid(lat, lon []float64, ids []int32) *grid {
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, id := range ids {
		minLat, maxLat = math.Min(minLat, lat[id]), math.Max(maxLat, lat[id])
		minLon, maxLon = math.Min(minLon, lon[id]), math.Max(maxLon, lon[id])
	}
	g := &grid{lat0: minLat, lon0: minLon, latOf: lat, lonOf: lon}
	g.dLat = cellKm / 111.2
	cosMax := math.Cos(math.Max(math.Abs(minLat), math.Abs(maxLat)) * math.Pi / 180)
	g.dLon = cellKm / (111.2 * math.Max(cosMax, 0.05))
	g.nLat = int((maxLat-minLat)/g.dLat) + 1
	g.nLon = int((maxLon-minLon)/g.dLon) + 1
	if g.nLat*g.nLon > 4_000_000 { // a campaign spread over a continent: coarser cells
		f := math.Sqrt(float64(g.nLat*g.nLon) / 4_000_000)
		g.dLat, g.dLon = g.dLat*f, g.dLon*f
		g.nLat = int((maxLat-minLat)/g.dLat) + 1
		g.nLon = int((maxLon-minLon)/g.dLon) + 1
	}
	g.cells = make([][]int32, g.nLat*g.nLon)
	for _, id := range ids {
		c := g.cell(lat[id], lon[id])
		g.cells[c] = append(g.cells[c], id)
	}
	return g
}

func (g *grid) cell(lat, lon float64) int {
	i := min(max(int((lat-g.lat0)/g.dLat), 0), g.nLat-1)
	j := min(max(int((lon-g.lon0)/g.dLon), 0), g.nLon-1)
	return i*g.nLon + j
}

// near calls fn for every indexed location whose cell lies within radiusKm
// (great-circle) of (lat, lon); fn must still check the distance.
func (g *grid) near(lat, lon, radiusKm float64, fn func(id int32)) {
	rLat := radiusKm / 111.0 // a little under 1° of latitude: the box errs on the large side
	cosL := math.Max(math.Cos((math.Abs(lat)+rLat)*math.Pi/180), 0.01)
	rLon := radiusKm / (111.0 * cosL)
	i0 := max(int(math.Floor((lat-rLat-g.lat0)/g.dLat)), 0)
	i1 := min(int(math.Floor((lat+rLat-g.lat0)/g.dLat)), g.nLat-1)
	j0 := max(int(math.Floor((lon-rLon-g.lon0)/g.dLon)), 0)
	j1 := min(int(math.Floor((lon+rLon-g.lon0)/g.dLon)), g.nLon-1)
	for i := i0; i <= i1; i++ {
		for j := j0; j <= j1; j++ {
			for _, id := range g.cells[i*g.nLon+j] {
				fn(id)
			}
		}
	}
}

// cands are the eligible (vistarak, place) pairs in both directions, each
// list sorted by round-trip km (stay → place → stay), and every place's
// nearest other places.
type cands struct {
	vPlaces [][]int32   // vistarak → eligible places by round trip
	vRT     [][]float32 // their round-trip km
	pVists  [][]int32   // place → eligible vistaraks by round trip
	pRT     [][]float32
	near    [][]int32 // place → nearest other places (by road km)
}

const nearPlaces = 10

// parallel runs fn(i) for i in [0, n) on all cores; results must be written
// to index i only, so the outcome does not depend on scheduling.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(n, 1))
	var wg sync.WaitGroup
	next := make(chan int, 256)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

func (p *problem) buildCands() *cands {
	c := &cands{vPlaces: make([][]int32, p.nV), vRT: make([][]float32, p.nV),
		pVists: make([][]int32, p.nP), pRT: make([][]float32, p.nP), near: make([][]int32, p.nP)}
	lat := make([]float64, p.nP+p.nV)
	lon := make([]float64, p.nP+p.nV)
	for i, pl := range p.in.Places {
		lat[i], lon[i] = pl.Lat, pl.Lon
	}
	for v, vk := range p.in.Vistaraks {
		lat[p.nP+v], lon[p.nP+v] = vk.Lat, vk.Lon
	}
	placeIDs := make([]int32, p.nP)
	for i := range placeIDs {
		placeIDs[i] = int32(i)
	}
	var g *grid
	if p.mat == nil {
		g = newGrid(lat, lon, placeIDs)
	}
	type cand struct {
		i  int32
		rt float32
	}
	parallel(p.nV, func(v int) {
		h := p.home(v)
		var list []cand
		consider := func(i int32) {
			if p.ruleBlock(v, int(i)) != "" {
				return
			}
			rt := p.km(h, int(i)) + p.km(int(i), h)
			if rt > p.maxKm[v]+eps {
				return
			}
			if _, ok := p.schedule(v, []int32{i}, nil); !ok {
				return
			}
			list = append(list, cand{i, float32(rt)})
		}
		if g == nil {
			for i := range p.nP {
				consider(int32(i))
			}
		} else {
			g.near(lat[h], lon[h], p.maxKm[v]/(2*p.roadKm)+0.5, consider)
		}
		sort.Slice(list, func(a, b int) bool {
			if list[a].rt != list[b].rt {
				return list[a].rt < list[b].rt
			}
			return list[a].i < list[b].i
		})
		c.vPlaces[v] = make([]int32, len(list))
		c.vRT[v] = make([]float32, len(list))
		for k, e := range list {
			c.vPlaces[v][k], c.vRT[v][k] = e.i, e.rt
		}
	})
	count := make([]int32, p.nP)
	for v := range c.vPlaces {
		for _, i := range c.vPlaces[v] {
			count[i]++
		}
	}
	for i := range c.pVists {
		c.pVists[i] = make([]int32, 0, count[i])
		c.pRT[i] = make([]float32, 0, count[i])
	}
	for v := range c.vPlaces {
		for k, i := range c.vPlaces[v] {
			c.pVists[i] = append(c.pVists[i], int32(v))
			c.pRT[i] = append(c.pRT[i], c.vRT[v][k])
		}
	}
	parallel(p.nP, func(i int) {
		vs, rts := c.pVists[i], c.pRT[i]
		idx := make([]int, len(vs))
		for k := range idx {
			idx[k] = k
		}
		sort.Slice(idx, func(a, b int) bool {
			if rts[idx[a]] != rts[idx[b]] {
				return rts[idx[a]] < rts[idx[b]]
			}
			return vs[idx[a]] < vs[idx[b]]
		})
		nv, nr := make([]int32, len(vs)), make([]float32, len(vs))
		for k, j := range idx {
			nv[k], nr[k] = vs[j], rts[j]
		}
		c.pVists[i], c.pRT[i] = nv, nr
		// Nearest places.
		var list []cand
		consider := func(j int32) {
			if int(j) != i {
				list = append(list, cand{j, float32(p.km(i, int(j)) + p.km(int(j), i))})
			}
		}
		if g == nil {
			for j := range p.nP {
				consider(int32(j))
			}
		} else {
			for r := cellKm; ; r *= 2 {
				list = list[:0]
				g.near(lat[i], lon[i], r, func(j int32) {
					if int(j) != i && greatCircleKm(p.loc[i], p.loc[j]) <= r {
						consider(j)
					}
				})
				if len(list) >= nearPlaces || len(list) == p.nP-1 || r > 2*math.Pi*earthRadiusKm {
					break
				}
			}
		}
		sort.Slice(list, func(a, b int) bool {
			if list[a].rt != list[b].rt {
				return list[a].rt < list[b].rt
			}
			return list[a].i < list[b].i
		})
		n := min(nearPlaces, len(list))
		c.near[i] = make([]int32, n)
		for k := 0; k < n; k++ {
			c.near[i][k] = list[k].i
		}
	})
	return c
}
