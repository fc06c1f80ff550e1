package roster

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
)

// problem is an Instance compiled to indices for the solver. Cost is
// attendees × road km; +Inf marks a forbidden (district, host) pair.
type problem struct {
	in         *Instance
	nD, nH, nT int
	km         [][]float64 // [district][host] road km
	cost       [][]float64 // [district][host] person-km or +Inf
	att        []int
	capCount   []int // per host; nD when uncapped
	capAtt     []int // per host; math.MaxInt when uncapped
	hasAttCap  bool
	home       []int   // district → its HQ host, -1 when the HQ is no host
	homes      [][]int // host → its own districts
	pinHost    []int   // district → pinned host or -1
	pinned     [][]int // host → districts pinned to it
	avail      [][]bool
	teams      []int
	fixedCost  float64
	forced     []bool   // host must hold a workshop
	closed     []bool   // host cannot hold a workshop
	closedWhy  []string // reason per closed host
	fixedMode  bool
	fixedDate  []int // fixed mode: host → its date or -1
	hostIdx    map[string]int
	distIdx    map[string]int
	dateIdx    map[string]int
	conflicts  []Reason // contradictions found while compiling
	nearHosts  [][]int  // host → other hosts by distance (for local search)
	mandatory  [][]int  // host → homes ∪ pinned (districts that must come if it opens)
	mandAtt    []int    // attendees of mandatory
	roadFactor float64
	// byCost lists, per district, the hosts it may attend (finite cost,
	// not closed) from the cheapest; filled by sortArcs.
	byCost [][]int32
}

func (in *Instance) roadFactor() float64 {
	if in.RoadFactor == 0 {
		return DefaultRoadFactor
	}
	return in.RoadFactor
}

// compile turns a validated instance into a problem.
func compile(in *Instance) *problem {
	p := &problem{in: in, nD: len(in.Districts), nH: len(in.Hosts), nT: len(in.Dates), roadFactor: in.roadFactor()}
	p.hostIdx = map[string]int{}
	p.distIdx = map[string]int{}
	p.dateIdx = map[string]int{}
	for i, h := range in.Hosts {
		p.hostIdx[normName(h.Name)] = i
	}
	for i, d := range in.Districts {
		p.distIdx[normName(d.Name)] = i
	}
	for i, d := range in.Dates {
		p.dateIdx[d] = i
	}
	p.teams = append([]int(nil), in.TeamsPerDate...)
	p.fixedCost = in.FixedCostPerWorkshop
	p.att = make([]int, p.nD)
	p.home = make([]int, p.nD)
	p.pinHost = make([]int, p.nD)
	p.homes = make([][]int, p.nH)
	p.pinned = make([][]int, p.nH)
	for d, dist := range in.Districts {
		p.att[d] = dist.Attendees
		p.pinHost[d] = -1
		p.home[d] = -1
		if h, ok := p.hostIdx[normName(dist.HQ)]; ok {
			p.home[d] = h
			p.homes[h] = append(p.homes[h], d)
		}
	}
	p.capCount = make([]int, p.nH)
	p.capAtt = make([]int, p.nH)
	for h, host := range in.Hosts {
		p.capCount[h] = p.nD
		if host.MaxDistricts > 0 {
			p.capCount[h] = host.MaxDistricts
		}
		p.capAtt[h] = math.MaxInt
		if host.MaxAttendees > 0 {
			p.capAtt[h] = host.MaxAttendees
			p.hasAttCap = true
		}
	}
	p.tightenSeats()
	// Distances.
	p.km = make([][]float64, p.nD)
	p.cost = make([][]float64, p.nD)
	for d, dist := range in.Districts {
		lat, lon := dist.Lat, dist.Lon
		if lat == 0 && lon == 0 && p.home[d] >= 0 {
			lat, lon = in.Hosts[p.home[d]].Lat, in.Hosts[p.home[d]].Lon
		}
		rowByName := lookupRow(in.DistanceKm, dist.Name)
		rowByHQ := lookupRow(in.DistanceKm, dist.HQ)
		p.km[d] = make([]float64, p.nH)
		p.cost[d] = make([]float64, p.nH)
		for h, host := range in.Hosts {
			var km float64
			if v, ok := lookupKm(rowByName, host.Name); ok {
				km = v
			} else if v, ok := lookupKm(rowByHQ, host.Name); ok {
				km = v
			} else if p.home[d] == h {
				km = 0
			} else {
				km = p.roadFactor * GreatCircleKm(lat, lon, host.Lat, host.Lon)
			}
			p.km[d][h] = km
			p.cost[d][h] = float64(p.att[d]) * km
		}
	}
	// Availability.
	p.avail = make([][]bool, p.nH)
	for h, host := range in.Hosts {
		p.avail[h] = make([]bool, p.nT)
		if len(host.Dates) == 0 {
			for t := range p.avail[h] {
				p.avail[h][t] = true
			}
		}
		for _, ds := range host.Dates {
			p.avail[h][p.dateIdx[ds]] = true
		}
	}
	for _, ex := range in.DateExclusions {
		p.avail[p.hostIdx[normName(ex.Host)]][p.dateIdx[ex.Date]] = false
	}
	p.forced = make([]bool, p.nH)
	p.closed = make([]bool, p.nH)
	p.closedWhy = make([]string, p.nH)
	closeHost := func(h int, why string) {
		if !p.closed[h] {
			p.closed[h] = true
			p.closedWhy[h] = why
		}
	}
	datePin := make([]int, p.nH)
	for h := range datePin {
		datePin[h] = -1
	}
	for _, pin := range in.DatePins {
		h, t := p.hostIdx[normName(pin.Host)], p.dateIdx[pin.Date]
		if datePin[h] >= 0 && datePin[h] != t {
			p.conflicts = append(p.conflicts, Reason{Constraint: "date pins",
				Message: fmt.Sprintf("host %s is pinned to both %s and %s", in.Hosts[h].Name, in.Dates[datePin[h]], pin.Date),
				Hosts:   []string{in.Hosts[h].Name}})
			continue
		}
		if !p.avail[h][t] {
			p.conflicts = append(p.conflicts, Reason{Constraint: "availability",
				Message: fmt.Sprintf("host %s is pinned to %s but is not available that day", in.Hosts[h].Name, pin.Date),
				Hosts:   []string{in.Hosts[h].Name}})
			continue
		}
		datePin[h] = t
		p.forced[h] = true
	}
	for h, t := range datePin {
		if t >= 0 {
			for u := range p.avail[h] {
				p.avail[h][u] = u == t
			}
		}
	}
	p.fixedDate = make([]int, p.nH)
	for h := range p.fixedDate {
		p.fixedDate[h] = -1
	}
	if len(in.FixedWorkshops) > 0 {
		p.fixedMode = true
		for _, w := range in.FixedWorkshops {
			h, t := p.hostIdx[normName(w.Host)], p.dateIdx[w.Date]
			p.fixedDate[h] = t
		}
		for h := range p.avail {
			if p.fixedDate[h] < 0 {
				closeHost(h, "not one of the fixed workshops")
				continue
			}
			if !p.avail[h][p.fixedDate[h]] {
				p.conflicts = append(p.conflicts, Reason{Constraint: "availability",
					Message: fmt.Sprintf("fixed workshop at %s on %s: the host is not available that day", in.Hosts[h].Name, in.Dates[p.fixedDate[h]]),
					Hosts:   []string{in.Hosts[h].Name}})
			}
			for u := range p.avail[h] {
				p.avail[h][u] = u == p.fixedDate[h]
			}
			p.forced[h] = true
		}
	}
	// District pins and exclusions.
	for _, pin := range in.DistrictPins {
		d, h := p.distIdx[normName(pin.District)], p.hostIdx[normName(pin.Host)]
		if p.pinHost[d] >= 0 && p.pinHost[d] != h {
			p.conflicts = append(p.conflicts, Reason{Constraint: "district pins",
				Message:   fmt.Sprintf("district %s is pinned to both %s and %s", in.Districts[d].Name, in.Hosts[p.pinHost[d]].Name, in.Hosts[h].Name),
				Districts: []string{in.Districts[d].Name}, Hosts: []string{in.Hosts[p.pinHost[d]].Name, in.Hosts[h].Name}})
			continue
		}
		if p.pinHost[d] < 0 {
			p.pinHost[d] = h
			p.pinned[h] = append(p.pinned[h], d)
			p.forced[h] = true
		}
	}
	for d, h := range p.pinHost {
		if h < 0 {
			continue
		}
		for g := range p.cost[d] {
			if g != h {
				p.cost[d][g] = math.Inf(1)
			}
		}
		if hh := p.home[d]; hh >= 0 && hh != h {
			closeHost(hh, fmt.Sprintf("its own district %s is pinned to %s", in.Districts[d].Name, in.Hosts[h].Name))
		}
	}
	for _, ex := range in.DistrictExclusions {
		d, h := p.distIdx[normName(ex.District)], p.hostIdx[normName(ex.Host)]
		p.cost[d][h] = math.Inf(1)
		if p.pinHost[d] == h {
			p.conflicts = append(p.conflicts, Reason{Constraint: "district pins",
				Message:   fmt.Sprintf("district %s is both pinned to and excluded from %s", in.Districts[d].Name, in.Hosts[h].Name),
				Districts: []string{in.Districts[d].Name}, Hosts: []string{in.Hosts[h].Name}})
		}
		if p.home[d] == h {
			closeHost(h, fmt.Sprintf("its own district %s is excluded from it", in.Districts[d].Name))
		}
	}
	// Mandatory districts per host and hosts that cannot take them.
	p.mandatory = make([][]int, p.nH)
	p.mandAtt = make([]int, p.nH)
	for h := range p.mandatory {
		seen := map[int]bool{}
		for _, d := range append(append([]int(nil), p.homes[h]...), p.pinned[h]...) {
			if !seen[d] {
				seen[d] = true
				p.mandatory[h] = append(p.mandatory[h], d)
				p.mandAtt[h] += p.att[d]
			}
		}
		sort.Ints(p.mandatory[h])
		if len(p.mandatory[h]) > p.capCount[h] {
			closeHost(h, fmt.Sprintf("its own and pinned districts (%d) exceed its capacity of %d districts", len(p.mandatory[h]), p.capCount[h]))
		}
		if p.mandAtt[h] > p.capAtt[h] {
			closeHost(h, fmt.Sprintf("its own and pinned districts bring %d attendees, more than its capacity of %d", p.mandAtt[h], p.capAtt[h]))
		}
		anyDate := false
		for _, ok := range p.avail[h] {
			anyDate = anyDate || ok
		}
		if !anyDate {
			closeHost(h, "it is available on no date of the series")
		}
	}
	// Hosts by proximity, for local search neighbourhoods.
	p.nearHosts = make([][]int, p.nH)
	for h := range p.nearHosts {
		others := make([]int, 0, p.nH-1)
		for g := range p.nearHosts {
			if g != h && !p.closed[g] {
				others = append(others, g)
			}
		}
		a := in.Hosts[h]
		far := make([]float64, p.nH)
		for _, g := range others {
			far[g] = GreatCircleKm(a.Lat, a.Lon, in.Hosts[g].Lat, in.Hosts[g].Lon)
		}
		sort.Slice(others, func(i, j int) bool { return far[others[i]] < far[others[j]] })
		p.nearHosts[h] = others
	}
	return p
}

// tightenSeats puts seat capacities into the district counts, where the
// flow handles them exactly: a workshop with S seats takes at most as many
// districts as the smallest attendances fit in S. When every district
// brings the same number of people that is all a seat capacity says, and
// it is dropped (no seat fitting needed).
func (p *problem) tightenSeats() {
	if !p.hasAttCap {
		return
	}
	sorted := slices.Clone(p.att)
	slices.Sort(sorted)
	for h := range p.capAtt {
		if p.capAtt[h] == math.MaxInt {
			continue
		}
		k, sum := 0, 0
		for _, a := range sorted {
			if sum+a > p.capAtt[h] {
				break
			}
			sum += a
			k++
		}
		p.capCount[h] = min(p.capCount[h], k)
	}
	if sorted[0] == sorted[len(sorted)-1] {
		for h := range p.capAtt {
			p.capAtt[h] = math.MaxInt
		}
		p.hasAttCap = false
	}
}

// sortArcs fills byCost (once; the assignment scans arcs in that order and
// stops as soon as no further arc can help).
func (p *problem) sortArcs() {
	if p.byCost != nil {
		return
	}
	p.byCost = make([][]int32, p.nD)
	for d := range p.byCost {
		row := p.cost[d]
		hs := make([]int32, 0, p.nH)
		for h := 0; h < p.nH; h++ {
			if !p.closed[h] && !math.IsInf(row[h], 1) {
				hs = append(hs, int32(h))
			}
		}
		slices.SortFunc(hs, func(a, b int32) int {
			if c := cmp.Compare(row[a], row[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		p.byCost[d] = hs
	}
}

func lookupRow(m map[string]map[string]float64, name string) map[string]float64 {
	if m == nil {
		return nil
	}
	if row, ok := m[name]; ok {
		return row
	}
	for k, row := range m {
		if normName(k) == normName(name) {
			return row
		}
	}
	return nil
}

func lookupKm(row map[string]float64, host string) (float64, bool) {
	if row == nil {
		return 0, false
	}
	if v, ok := row[host]; ok {
		return v, true
	}
	for k, v := range row {
		if normName(k) == normName(host) {
			return v, true
		}
	}
	return 0, false
}

// dateMatching schedules open hosts onto dates (one trainer team per
// workshop). The sets of hosts it can schedule form a transversal matroid,
// which the Lagrangian subproblem exploits with a greedy algorithm.
type dateMatching struct {
	p       *problem
	avail   [][]bool // [host][date]; the problem's unless overridden
	dateOf  []int
	members [][]int
	seen    []bool
}

func newDateMatching(p *problem) *dateMatching {
	m := &dateMatching{p: p, avail: p.avail, dateOf: make([]int, p.nH), members: make([][]int, p.nT), seen: make([]bool, p.nT)}
	for h := range m.dateOf {
		m.dateOf[h] = -1
	}
	return m
}

func (m *dateMatching) reset() {
	for h := range m.dateOf {
		m.dateOf[h] = -1
	}
	for t := range m.members {
		m.members[t] = m.members[t][:0]
	}
}

// tryAdd schedules host h if the hosts already scheduled plus h can all be
// given a date; otherwise it leaves the matching unchanged.
func (m *dateMatching) tryAdd(h int) bool {
	if m.dateOf[h] >= 0 {
		return true
	}
	for t := range m.seen {
		m.seen[t] = false
	}
	return m.augment(h)
}

func (m *dateMatching) augment(h int) bool {
	for t, ok := range m.avail[h] {
		if !ok || m.seen[t] {
			continue
		}
		m.seen[t] = true
		if len(m.members[t]) < m.p.teams[t] {
			m.place(h, t)
			return true
		}
		for i, g := range m.members[t] {
			if m.augmentExcept(g, t) {
				m.members[t][i] = h
				m.dateOf[h] = t
				return true
			}
		}
	}
	return false
}

// augmentExcept moves host g (currently on date from) to another date.
func (m *dateMatching) augmentExcept(g, from int) bool {
	for t, ok := range m.avail[g] {
		if !ok || m.seen[t] || t == from {
			continue
		}
		m.seen[t] = true
		if len(m.members[t]) < m.p.teams[t] {
			m.place(g, t)
			return true
		}
		for i, k := range m.members[t] {
			if m.augmentExcept(k, t) {
				m.members[t][i] = g
				m.dateOf[g] = t
				return true
			}
		}
	}
	return false
}

func (m *dateMatching) place(h, t int) {
	m.members[t] = append(m.members[t], h)
	m.dateOf[h] = t
}

func (m *dateMatching) remove(h int) {
	t := m.dateOf[h]
	if t < 0 {
		return
	}
	for i, g := range m.members[t] {
		if g == h {
			m.members[t] = append(m.members[t][:i], m.members[t][i+1:]...)
			break
		}
	}
	m.dateOf[h] = -1
}

// schedulable reports whether all hosts in set can be given dates.
func (p *problem) schedulable(set []int) bool {
	m := newDateMatching(p)
	for _, h := range set {
		if !m.tryAdd(h) {
			return false
		}
	}
	return true
}
