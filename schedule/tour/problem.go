package tour

import (
	"math"
	"math/bits"
	"sort"
	"strings"
)

// problem is a validated Instance compiled to indices for the planner.
// Locations are numbered places first (0…nP−1), then vistaraks' stays
// (nP…nP+nV−1). Times are minutes after midnight.
type problem struct {
	in         *Instance
	rules      Rules
	nP, nV, nT int

	// Travel.
	loc      []vec3 // unit vectors of every location
	roadKm   float64
	minPerKm float64
	mat      *matrix // nil without a matrix

	// Places.
	visit, open, close []float64
	pDays              []uint64 // dates a place may be visited (bit t = Dates[t])
	pLang              []uint64 // languages spoken at the place (0 = any)
	pAreas             [][]int32

	// Vistaraks.
	vDays        []uint64 // available dates
	q            []int    // max visits per day
	maxKm        []float64
	capV         []int // max visits over the campaign
	vLang        []uint64
	vExcl, vOnly [][]int32 // excluded and allowed areas (sorted)
	start, end   []float64

	placeIdx, vIdx, dateIdx map[string]int
	areaNames               []string
	langNames               []string
	allDays                 uint64
}

// vec3 is a point on the unit sphere.
type vec3 struct{ x, y, z float64 }

const earthRadiusKm = 6371.0

func unitVec(lat, lon float64) vec3 {
	la, lo := lat*math.Pi/180, lon*math.Pi/180
	return vec3{math.Cos(la) * math.Cos(lo), math.Cos(la) * math.Sin(lo), math.Sin(la)}
}

// greatCircleKm is the great-circle distance between two unit vectors
// (from the chord, which stays accurate for short distances).
func greatCircleKm(a, b vec3) float64 {
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	c := math.Sqrt(dx*dx+dy*dy+dz*dz) / 2
	if c >= 1 {
		return math.Pi * earthRadiusKm
	}
	return 2 * earthRadiusKm * asin(c)
}

// asin is math.Asin, with its Taylor series for the small arguments of
// distances under about 130 km (x < 0.01: the first omitted term is below
// 1e-18 of the result, so both agree to rounding).
func asin(x float64) float64 {
	if x >= 0.01 {
		return math.Asin(x)
	}
	x2 := x * x
	return x * (1 + x2*(1.0/6+x2*(3.0/40+x2*(15.0/336))))
}

// GreatCircleKm returns the great-circle distance in km between two points
// given in degrees.
func GreatCircleKm(lat1, lon1, lat2, lon2 float64) float64 {
	return greatCircleKm(unitVec(lat1, lon1), unitVec(lat2, lon2))
}

// km is the road distance from location a to location b.
func (p *problem) km(a, b int) float64 {
	if a == b {
		return 0
	}
	if p.mat != nil {
		return p.mat.km[a*p.mat.n+b]
	}
	return p.roadKm * greatCircleKm(p.loc[a], p.loc[b])
}

// minutes is the travel time from location a to location b.
func (p *problem) minutes(a, b int) float64 {
	if a == b {
		return 0
	}
	if p.mat != nil {
		return p.mat.min[a*p.mat.n+b]
	}
	return p.km(a, b) * p.minPerKm
}

// home is the location index of vistarak v's stay.
func (p *problem) home(v int) int { return p.nP + v }

// compile turns a validated instance into a problem.
func compile(in *Instance) *problem {
	r := in.Rules.withDefaults()
	p := &problem{in: in, rules: r, nP: len(in.Places), nV: len(in.Vistaraks), nT: len(in.Dates),
		roadKm: r.RoadFactor, minPerKm: 60 / r.SpeedKmh,
		placeIdx: make(map[string]int, len(in.Places)), vIdx: make(map[string]int, len(in.Vistaraks)), dateIdx: map[string]int{}}
	for t, d := range in.Dates {
		p.dateIdx[d] = t
	}
	p.allDays = uint64(1)<<uint(p.nT) - 1
	areaIdx := map[string]int32{}
	area := func(code string) int32 {
		code = strings.TrimSpace(code)
		if i, ok := areaIdx[code]; ok {
			return i
		}
		i := int32(len(p.areaNames))
		areaIdx[code] = i
		p.areaNames = append(p.areaNames, code)
		return i
	}
	langIdx := map[string]int{}
	lang := func(l string) uint64 {
		l = normLang(l)
		i, ok := langIdx[l]
		if !ok {
			i = len(p.langNames)
			langIdx[l] = i
			p.langNames = append(p.langNames, l)
		}
		return 1 << uint(i)
	}
	days := func(list []string) uint64 {
		if len(list) == 0 {
			return p.allDays
		}
		var m uint64
		for _, d := range list {
			m |= 1 << uint(p.dateIdx[d])
		}
		return m
	}
	defStart, _ := parseClock(r.DayStart)
	defEnd, _ := parseClock(r.DayEnd)

	p.loc = make([]vec3, p.nP+p.nV)
	p.visit = make([]float64, p.nP)
	p.open = make([]float64, p.nP)
	p.close = make([]float64, p.nP)
	p.pDays = make([]uint64, p.nP)
	p.pLang = make([]uint64, p.nP)
	p.pAreas = make([][]int32, p.nP)
	for i, pl := range in.Places {
		p.placeIdx[pl.ID] = i
		p.loc[i] = unitVec(pl.Lat, pl.Lon)
		p.visit[i] = float64(r.VisitMinutes)
		if pl.VisitMinutes > 0 {
			p.visit[i] = float64(pl.VisitMinutes)
		}
		p.open[i], p.close[i] = math.Inf(-1), math.Inf(1)
		if pl.Open != "" {
			m, _ := parseClock(pl.Open)
			p.open[i] = float64(m)
		}
		if pl.Close != "" {
			m, _ := parseClock(pl.Close)
			p.close[i] = float64(m)
		}
		p.pDays[i] = days(pl.Days)
		for _, l := range pl.Languages {
			p.pLang[i] |= lang(l)
		}
		for _, a := range pl.Areas {
			p.pAreas[i] = append(p.pAreas[i], area(a))
		}
	}
	avgLoad := float64(p.nP) / float64(max(1, p.nV))
	balanceCap := max(1, int(math.Ceil(r.Balance*avgLoad-1e-9)))
	p.vDays = make([]uint64, p.nV)
	p.q = make([]int, p.nV)
	p.maxKm = make([]float64, p.nV)
	p.capV = make([]int, p.nV)
	p.vLang = make([]uint64, p.nV)
	p.vExcl = make([][]int32, p.nV)
	p.vOnly = make([][]int32, p.nV)
	p.start = make([]float64, p.nV)
	p.end = make([]float64, p.nV)
	for v, vk := range in.Vistaraks {
		p.vIdx[vk.ID] = v
		p.loc[p.nP+v] = unitVec(vk.Lat, vk.Lon)
		p.vDays[v] = days(vk.Days)
		p.q[v] = r.MaxVisitsPerDay
		if vk.MaxVisitsPerDay > 0 {
			p.q[v] = vk.MaxVisitsPerDay
		}
		p.maxKm[v] = r.MaxKmPerDay
		if vk.MaxKmPerDay > 0 {
			p.maxKm[v] = vk.MaxKmPerDay
		}
		p.capV[v] = balanceCap
		if vk.MaxVisits > 0 {
			p.capV[v] = vk.MaxVisits
		}
		p.capV[v] = min(p.capV[v], p.q[v]*bits.OnesCount64(p.vDays[v]))
		for _, l := range vk.Languages {
			p.vLang[v] |= lang(l)
		}
		for _, a := range vk.ExcludeAreas {
			p.vExcl[v] = append(p.vExcl[v], area(a))
		}
		for _, a := range vk.Areas {
			p.vOnly[v] = append(p.vOnly[v], area(a))
		}
		sortInt32(p.vExcl[v])
		sortInt32(p.vOnly[v])
		p.start[v], p.end[v] = float64(defStart), float64(defEnd)
		if vk.DayStart != "" {
			m, _ := parseClock(vk.DayStart)
			p.start[v] = float64(m)
		}
		if vk.DayEnd != "" {
			m, _ := parseClock(vk.DayEnd)
			p.end[v] = float64(m)
		}
	}
	if len(in.Matrix) > 0 {
		p.mat = newMatrix(p, in.Matrix)
	}
	return p
}

func sortInt32(s []int32) { sort.Slice(s, func(i, j int) bool { return s[i] < s[j] }) }

func containsInt32(sorted []int32, x int32) bool {
	i := sort.Search(len(sorted), func(i int) bool { return sorted[i] >= x })
	return i < len(sorted) && sorted[i] == x
}

// Rule names, used in violations, uncoverable reasons and explanations.
const (
	RuleCoverage    = "coverage"           // every place visited exactly once
	RuleLanguage    = "language"           // the vistarak speaks a language of the place
	RuleExcluded    = "excluded area"      // not in the vistarak's excluded areas (own mandal)
	RuleAllowed     = "allowed areas"      // inside the vistarak's allowed areas
	RuleAvailable   = "availability"       // the vistarak works that day
	RulePlaceDays   = "place days"         // the place may be visited that day
	RuleTimeWindow  = "time window"        // the visit fits the place's window and the working hours
	RuleVisitsDay   = "max visits per day" // visits per day
	RuleKmDay       = "max km per day"     // road km per day
	RuleBalance     = "max visits"         // visits over the campaign (balance)
	RuleOneRouteDay = "one route per day"  // a vistarak has one day route per date
	RuleUnknown     = "unknown"            // a plan names something the campaign lacks
	RuleReplan      = "past days fixed"    // re-planning never changes days before the drop-out
)

// ruleBlock returns the static rule that forbids vistarak v from visiting
// place i (language, areas, no common day), or "".
func (p *problem) ruleBlock(v, i int) string {
	if p.pLang[i] != 0 && p.pLang[i]&p.vLang[v] == 0 {
		return RuleLanguage
	}
	for _, a := range p.pAreas[i] {
		if containsInt32(p.vExcl[v], a) {
			return RuleExcluded
		}
	}
	if len(p.vOnly[v]) > 0 {
		ok := false
		for _, a := range p.pAreas[i] {
			if containsInt32(p.vOnly[v], a) {
				ok = true
				break
			}
		}
		if !ok {
			return RuleAllowed
		}
	}
	if p.pDays[i]&p.vDays[v] == 0 {
		if p.pDays[i] == p.allDays {
			return RuleAvailable
		}
		return RulePlaceDays
	}
	return ""
}

// reachBlock returns why vistarak v cannot visit place i even alone in a
// day (too far for the km cap, or no time), or "".
func (p *problem) reachBlock(v, i int) string {
	h := p.home(v)
	if p.km(h, i)+p.km(i, h) > p.maxKm[v]+1e-9 {
		return RuleKmDay
	}
	if _, ok := p.schedule(v, []int32{int32(i)}, nil); !ok {
		return RuleTimeWindow
	}
	return ""
}

// eligible reports whether vistarak v may visit place i at all.
func (p *problem) eligible(v, i int) bool {
	return p.ruleBlock(v, i) == "" && p.reachBlock(v, i) == ""
}
