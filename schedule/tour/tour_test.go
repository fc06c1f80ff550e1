package tour

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/schedule"
)

// haversineKm is the test's own great-circle distance (not the planner's
// chord formula), so the brute force below shares no travel code with it.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	r := math.Pi / 180
	dLat, dLon := (lat2-lat1)*r, (lon2-lon1)*r
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*r)*math.Cos(lat2*r)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * 6371 * math.Asin(math.Sqrt(a))
}

// oracle evaluates plans of an instance independently of the planner: its
// own distances, clock and rules, read straight from the Instance fields.
type oracle struct {
	in   *Instance
	rf   float64
	spd  float64
	cap  []int
	pen  float64
	dIdx map[string]int
}

func newOracle(in *Instance) *oracle {
	r := in.Rules.withDefaults()
	o := &oracle{in: in, rf: r.RoadFactor, spd: r.SpeedKmh, pen: r.UncoveredPenaltyKm, dIdx: map[string]int{}}
	for t, d := range in.Dates {
		o.dIdx[d] = t
	}
	avg := float64(len(in.Places)) / float64(len(in.Vistaraks))
	for _, v := range in.Vistaraks {
		c := int(math.Ceil(r.Balance*avg - 1e-9))
		if v.MaxVisits > 0 {
			c = v.MaxVisits
		}
		q := r.MaxVisitsPerDay
		if v.MaxVisitsPerDay > 0 {
			q = v.MaxVisitsPerDay
		}
		days := len(v.Days)
		if days == 0 {
			days = len(in.Dates)
		}
		o.cap = append(o.cap, max(1, min(c, q*days)))
	}
	return o
}

func mins(s string, def string) float64 {
	if s == "" {
		s = def
	}
	var h, m int
	fmt.Sscanf(s, "%d:%d", &h, &m)
	return float64(h*60 + m)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// allowed says whether vistarak v may visit place i on date t (static
// rules only: day, language, areas).
func (o *oracle) allowed(v, i, t int) bool {
	vk, pl := o.in.Vistaraks[v], o.in.Places[i]
	date := o.in.Dates[t]
	if len(vk.Days) > 0 && !contains(vk.Days, date) {
		return false
	}
	if len(pl.Days) > 0 && !contains(pl.Days, date) {
		return false
	}
	if len(pl.Languages) > 0 {
		ok := false
		for _, l := range pl.Languages {
			ok = ok || contains(vk.Languages, l)
		}
		if !ok {
			return false
		}
	}
	for _, a := range pl.Areas {
		if contains(vk.ExcludeAreas, a) {
			return false
		}
	}
	if len(vk.Areas) > 0 {
		ok := false
		for _, a := range pl.Areas {
			ok = ok || contains(vk.Areas, a)
		}
		if !ok {
			return false
		}
	}
	return true
}

// routeKm walks places in order for vistarak v; ok is false if a day rule
// breaks.
func (o *oracle) routeKm(v int, order []int) (float64, bool) {
	r := o.in.Rules.withDefaults()
	vk := o.in.Vistaraks[v]
	q := r.MaxVisitsPerDay
	if vk.MaxVisitsPerDay > 0 {
		q = vk.MaxVisitsPerDay
	}
	maxKm := r.MaxKmPerDay
	if vk.MaxKmPerDay > 0 {
		maxKm = vk.MaxKmPerDay
	}
	if len(order) > q {
		return 0, false
	}
	t := mins(vk.DayStart, r.DayStart)
	end := mins(vk.DayEnd, r.DayEnd)
	lat, lon := vk.Lat, vk.Lon
	km := 0.0
	for _, i := range order {
		pl := o.in.Places[i]
		d := o.rf * haversineKm(lat, lon, pl.Lat, pl.Lon)
		km += d
		t += d / o.spd * 60
		if pl.Open != "" {
			t = math.Max(t, mins(pl.Open, ""))
		}
		visit := float64(r.VisitMinutes)
		if pl.VisitMinutes > 0 {
			visit = float64(pl.VisitMinutes)
		}
		t += visit
		if pl.Close != "" && t > mins(pl.Close, "")+1e-6 {
			return 0, false
		}
		lat, lon = pl.Lat, pl.Lon
	}
	d := o.rf * haversineKm(lat, lon, vk.Lat, vk.Lon)
	km += d
	t += d / o.spd * 60
	return km, t <= end+1e-6 && km <= maxKm+1e-6
}

// bestRouteKm tries every order.
func (o *oracle) bestRouteKm(v int, set []int) (float64, bool) {
	best, found := math.Inf(1), false
	var perm func(k int)
	perm = func(k int) {
		if k == len(set) {
			if km, ok := o.routeKm(v, set); ok && km < best {
				best, found = km, true
			}
			return
		}
		for j := k; j < len(set); j++ {
			set[k], set[j] = set[j], set[k]
			perm(k + 1)
			set[k], set[j] = set[j], set[k]
		}
	}
	perm(0)
	return best, found
}

// optimum finds the cheapest plan by trying every assignment of places to
// (vistarak, date) or to nobody.
func (o *oracle) optimum() float64 {
	nP, nV, nT := len(o.in.Places), len(o.in.Vistaraks), len(o.in.Dates)
	assign := make([]int, nP) // −1 = uncovered, else v*nT+t
	best := math.Inf(1)
	var rec func(i int)
	rec = func(i int) {
		if i == nP {
			groups := map[int][]int{}
			uncovered := 0
			load := make([]int, nV)
			for j, a := range assign {
				if a < 0 {
					uncovered++
					continue
				}
				groups[a] = append(groups[a], j)
				load[a/nT]++
			}
			for v := range load {
				if load[v] > o.cap[v] {
					return
				}
			}
			total := o.pen * float64(uncovered)
			for a, set := range groups {
				km, ok := o.bestRouteKm(a/nT, set)
				if !ok {
					return
				}
				total += km
			}
			best = math.Min(best, total)
			return
		}
		assign[i] = -1
		rec(i + 1)
		for v := 0; v < nV; v++ {
			for t := 0; t < nT; t++ {
				if o.allowed(v, i, t) {
					assign[i] = v*nT + t
					rec(i + 1)
				}
			}
		}
		assign[i] = -1
	}
	rec(0)
	return best
}

// planCost re-evaluates a Result's routes with the oracle (its own
// distances and rules) and fails on any broken rule.
func (o *oracle) planCost(t *testing.T, res *Result) float64 {
	t.Helper()
	pIdx, vIdx := map[string]int{}, map[string]int{}
	for i, p := range o.in.Places {
		pIdx[p.ID] = i
	}
	for i, v := range o.in.Vistaraks {
		vIdx[v.ID] = i
	}
	seen := map[string]int{}
	load := make([]int, len(o.in.Vistaraks))
	days := map[string]bool{}
	total := 0.0
	for _, r := range res.Routes {
		v := vIdx[r.Vistarak]
		key := r.Vistarak + "@" + r.Date
		if days[key] {
			t.Fatalf("%s has two routes on %s", r.Vistarak, r.Date)
		}
		days[key] = true
		var order []int
		for _, vis := range r.Visits {
			i := pIdx[vis.Place]
			if !o.allowed(v, i, o.dIdx[r.Date]) {
				t.Fatalf("%s may not visit %s on %s", r.Vistarak, vis.Place, r.Date)
			}
			seen[vis.Place]++
			order = append(order, i)
		}
		km, ok := o.routeKm(v, order)
		if !ok {
			t.Fatalf("route %s %s breaks a day rule: %+v", r.Vistarak, r.Date, r)
		}
		if math.Abs(km-r.Km) > 1e-6*math.Max(1, km) {
			t.Fatalf("route %s %s: planner says %.6f km, oracle %.6f", r.Vistarak, r.Date, r.Km, km)
		}
		total += km
		load[v] += len(order)
	}
	for v, n := range load {
		if n > o.cap[v] {
			t.Fatalf("%s has %d visits, cap %d", o.in.Vistaraks[v].ID, n, o.cap[v])
		}
	}
	uncovered := 0
	for _, p := range o.in.Places {
		switch seen[p.ID] {
		case 0:
			uncovered++
		case 1:
		default:
			t.Fatalf("%s visited %d times", p.ID, seen[p.ID])
		}
	}
	if uncovered != len(res.Uncovered) {
		t.Fatalf("%d places unvisited, result lists %d", uncovered, len(res.Uncovered))
	}
	return total + o.pen*float64(uncovered)
}

// tinyInstance is a random campaign small enough for the brute force,
// with every rule in play.
func tinyInstance(seed uint64) *Instance {
	rng := rand.New(rand.NewPCG(seed, 99))
	nP := 3 + rng.IntN(4) // 3–6 places
	nV := 1 + rng.IntN(3) // 1–3 vistaraks
	nT := 1 + rng.IntN(2) // 1–2 days
	in := &Instance{Title: fmt.Sprintf("tiny %d", seed), Rules: Rules{MaxVisitsPerDay: 1 + rng.IntN(3), MaxKmPerDay: 25 + 20*rng.Float64(),
		VisitMinutes: 60 + rng.IntN(120), Balance: 1 + rng.Float64(), UncoveredPenaltyKm: 200}}
	for t := 0; t < nT; t++ {
		in.Dates = append(in.Dates, fmt.Sprintf("2022-01-%02d", 20+t))
	}
	pt := func() (float64, float64) { return 23 + 0.08*rng.Float64(), 77 + 0.08*rng.Float64() }
	for i := 0; i < nP; i++ {
		lat, lon := pt()
		pl := Place{ID: fmt.Sprintf("P%d", i), Lat: lat, Lon: lon, Areas: []string{fmt.Sprintf("M%d", rng.IntN(2))}}
		switch rng.IntN(6) {
		case 0:
			pl.Open, pl.Close = "09:00", "13:00"
		case 1:
			pl.Open, pl.Close = "13:00", "19:00"
		case 2:
			pl.Languages = []string{"bhili"}
		case 3:
			if nT > 1 {
				pl.Days = []string{in.Dates[rng.IntN(nT)]}
			}
		}
		in.Places = append(in.Places, pl)
	}
	for v := 0; v < nV; v++ {
		lat, lon := pt()
		vk := Vistarak{ID: fmt.Sprintf("V%d", v), Lat: lat, Lon: lon, Languages: []string{"hi"}}
		if rng.IntN(2) == 0 {
			vk.Languages = append(vk.Languages, "bhili")
		}
		if rng.IntN(3) == 0 {
			vk.ExcludeAreas = []string{"M0"}
		}
		if nT > 1 && rng.IntN(4) == 0 {
			vk.Days = []string{in.Dates[0]}
		}
		in.Vistaraks = append(in.Vistaraks, vk)
	}
	return in
}

// The bound is a valid bound and the planner finds the optimum: on random
// tiny campaigns the brute-force optimum lies between them.
func TestBoundIsValidAndPlanOptimalOnTinyCampaigns(t *testing.T) {
	const n = 150
	optimal := 0
	for seed := uint64(1); seed <= n; seed++ {
		in := tinyInstance(seed)
		o := newOracle(in)
		opt := o.optimum()
		res, err := Plan(context.Background(), in, Options{Work: 20000})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		cost := o.planCost(t, res)
		if math.Abs(cost-res.Cost) > 1e-6*math.Max(1, cost) {
			t.Fatalf("seed %d: result says cost %.6f, oracle %.6f", seed, res.Cost, cost)
		}
		if res.LowerBound > opt+1e-6*math.Max(1, opt) {
			t.Fatalf("seed %d: lower bound %.6f exceeds the optimum %.6f", seed, res.LowerBound, opt)
		}
		if cost < opt-1e-6*math.Max(1, opt) {
			t.Fatalf("seed %d: plan %.6f beats the brute-force optimum %.6f (oracle and planner disagree on the rules)", seed, cost, opt)
		}
		if math.Abs(cost-opt) <= 1e-6*math.Max(1, opt) {
			optimal++
		}
		if res.Optimal && math.Abs(cost-opt) > 1e-6*math.Max(1, opt) {
			t.Fatalf("seed %d: claims optimal at %.6f, optimum %.6f", seed, cost, opt)
		}
	}
	if optimal < n*95/100 {
		t.Errorf("planner optimal on %d of %d tiny campaigns, want ≥ 95%%", optimal, n)
	}
}

// The Lagrangian bound alone (no exact completion) is valid too.
func TestLagrangianBoundBelowOptimum(t *testing.T) {
	for seed := uint64(200); seed < 260; seed++ {
		in := tinyInstance(seed)
		opt := newOracle(in).optimum()
		p := compile(in)
		c := p.buildCands()
		s := newSolution(p, c)
		s.search(5000, func() bool { return false }, 1, false)
		b := newBounder(s)
		lb := b.run(context.Background(), Options{})
		if lb > opt+1e-6*math.Max(1, opt) {
			t.Fatalf("seed %d: Lagrangian bound %.6f exceeds the optimum %.6f", seed, lb, opt)
		}
	}
}

func TestValidateNamesRuleAndRow(t *testing.T) {
	base := func() *Instance {
		return &Instance{Dates: []string{"2022-01-20", "2022-01-21"},
			Places:    []Place{{ID: "B1", Lat: 23.1, Lon: 77.1}, {ID: "B2", Lat: 23.2, Lon: 77.2}},
			Vistaraks: []Vistarak{{ID: "V1", Lat: 23.15, Lon: 77.15}}}
	}
	cases := []struct {
		name  string
		edit  func(in *Instance)
		field string
	}{
		{"no dates", func(in *Instance) { in.Dates = nil }, "dates"},
		{"bad date", func(in *Instance) { in.Dates[1] = "2022-13-01" }, "dates[1]"},
		{"dates out of order", func(in *Instance) { in.Dates = []string{"2022-01-21", "2022-01-20"} }, "dates[1]"},
		{"duplicate place", func(in *Instance) { in.Places[1].ID = "B1" }, "places[1] (id B1).id"},
		{"place without coordinates", func(in *Instance) { in.Places[0].Lat, in.Places[0].Lon = 0, 0 }, "places[0] (id B1).lat/lon"},
		{"place day not in campaign", func(in *Instance) { in.Places[0].Days = []string{"2022-02-01"} }, "places[0] (id B1).days[0]"},
		{"bad open time", func(in *Instance) { in.Places[0].Open = "9am" }, "places[0] (id B1).open"},
		{"window shorter than visit", func(in *Instance) { in.Places[0].Open, in.Places[0].Close = "10:00", "11:00" }, "places[0] (id B1).open/close"},
		{"negative visit", func(in *Instance) { in.Places[1].VisitMinutes = -5 }, "places[1] (id B2).visit_minutes"},
		{"duplicate vistarak", func(in *Instance) { in.Vistaraks = append(in.Vistaraks, in.Vistaraks[0]) }, "vistaraks[1] (id V1).id"},
		{"vistarak id of a place", func(in *Instance) { in.Vistaraks[0].ID = "B2" }, "vistaraks[0] (id B2).id"},
		{"too many visits per day", func(in *Instance) { in.Vistaraks[0].MaxVisitsPerDay = 20 }, "vistaraks[0] (id V1).max_visits_per_day"},
		{"empty working day", func(in *Instance) { in.Vistaraks[0].DayStart, in.Vistaraks[0].DayEnd = "18:00", "09:00" }, "vistaraks[0] (id V1).day_start/day_end"},
		{"unavailable date", func(in *Instance) { in.Vistaraks[0].Days = []string{"2022-01-25"} }, "vistaraks[0] (id V1).days[0]"},
		{"balance below 1", func(in *Instance) { in.Rules.Balance = 0.5 }, "rules.balance"},
		{"road factor below 1", func(in *Instance) { in.Rules.RoadFactor = 0.9 }, "rules.road_factor"},
		{"matrix unknown id", func(in *Instance) { in.Matrix = []Leg{{From: "B1", To: "X9", Km: 3}} }, "matrix[0]"},
		{"matrix negative km", func(in *Instance) { in.Matrix = []Leg{{From: "B1", To: "B2", Km: -3}} }, "matrix[0].km"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			if err := in.Validate(); err != nil {
				t.Fatalf("base instance invalid: %v", err)
			}
			tc.edit(in)
			err := in.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			var se *schedule.Error
			if !errors.As(err, &se) || se.Code != schedule.EINVALID {
				t.Fatalf("not an EINVALID schedule.Error: %v", err)
			}
			found := false
			for _, e := range unjoin(err) {
				if errors.As(e, &se) && se.Field == tc.field {
					found = true
				}
			}
			if !found {
				t.Errorf("no error for field %q in %v", tc.field, err)
			}
		})
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Each rule keeps the right vistarak away, and the uncovered place names it.
func TestRulesKeepVistaraksAwayAndUncoveredNamesTheRule(t *testing.T) {
	base := func() *Instance {
		return &Instance{Dates: []string{"2022-01-20", "2022-01-21"},
			Places:    []Place{{ID: "B1", Lat: 23.10, Lon: 77.10, Areas: []string{"D1", "M1"}}},
			Vistaraks: []Vistarak{{ID: "V1", Lat: 23.12, Lon: 77.11, Languages: []string{"hi"}}}}
	}
	cases := []struct {
		name string
		edit func(in *Instance)
		rule string // "" = covered
	}{
		{"everything allowed", func(in *Instance) {}, ""},
		{"language", func(in *Instance) { in.Places[0].Languages = []string{"gondi"} }, RuleLanguage},
		{"language spoken", func(in *Instance) {
			in.Places[0].Languages = []string{"gondi"}
			in.Vistaraks[0].Languages = []string{"hi", "Gondi"}
		}, ""},
		{"own mandal", func(in *Instance) { in.Vistaraks[0].ExcludeAreas = []string{"M1"} }, RuleExcluded},
		{"other mandal excluded", func(in *Instance) { in.Vistaraks[0].ExcludeAreas = []string{"M2"} }, ""},
		{"allowed areas", func(in *Instance) { in.Vistaraks[0].Areas = []string{"D2"} }, RuleAllowed},
		{"allowed district", func(in *Instance) { in.Vistaraks[0].Areas = []string{"D1"} }, ""},
		{"not available", func(in *Instance) {
			in.Vistaraks[0].Days = []string{"2022-01-20"}
			in.Places[0].Days = []string{"2022-01-21"}
		}, RulePlaceDays},
		{"too far", func(in *Instance) { in.Vistaraks[0].Lat = 23.6 }, RuleKmDay},
		{"window too early", func(in *Instance) {
			in.Places[0].Open, in.Places[0].Close = "07:00", "09:30"
			in.Places[0].VisitMinutes = 30
		}, RuleTimeWindow},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.edit(in)
			res, err := Plan(context.Background(), in, Options{Work: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if tc.rule == "" {
				if len(res.Uncovered) != 0 || res.Visits != 1 {
					t.Fatalf("place not covered: %+v", res.Uncovered)
				}
				return
			}
			if len(res.Uncovered) != 1 || res.Uncovered[0].Rule != tc.rule {
				t.Fatalf("want uncovered by %q, got %+v", tc.rule, res.Uncovered)
			}
			if !strings.Contains(res.Uncovered[0].Reason, "V1") {
				t.Errorf("reason does not name the vistarak: %s", res.Uncovered[0].Reason)
			}
			if res.LowerBound != res.Cost || res.Cost != in.Rules.withDefaults().UncoveredPenaltyKm {
				t.Errorf("cost %.1f bound %.1f: the penalty is the whole (proven) cost", res.Cost, res.LowerBound)
			}
		})
	}
}

// Plans of synthetic campaigns with every rule in play keep all rules
// (checked by Check and by the oracle) and are the same on every run.
func TestPlansKeepRulesAndAreDeterministic(t *testing.T) {
	in := Synthetic(SyntheticSpec{Seed: 7, Places: 180, Vistaraks: 60, Days: 5, TimeWindows: 0.15, DayWindows: 0.1, Languages: 0.1, PartTime: 0.2})
	opt := Options{Work: 150000, BoundRounds: 3}
	a, err := Plan(context.Background(), in, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Plan(context.Background(), in, opt)
	if err != nil {
		t.Fatal(err)
	}
	if a.Cost != b.Cost || a.LowerBound != b.LowerBound || !reflect.DeepEqual(a.Routes, b.Routes) {
		t.Fatalf("two runs differ: %.6f/%.6f vs %.6f/%.6f", a.Cost, a.LowerBound, b.Cost, b.LowerBound)
	}
	o := newOracle(in)
	if cost := o.planCost(t, a); math.Abs(cost-a.Cost) > 1e-6*cost {
		t.Fatalf("oracle cost %.4f, result %.4f", cost, a.Cost)
	}
	rep, err := Check(in, rowsOf(a.Routes))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid {
		t.Fatalf("planned tour breaks rules: %+v", rep.Violations)
	}
	if math.Abs(rep.Cost-a.Cost) > 1e-6*a.Cost {
		t.Errorf("check cost %.4f, plan cost %.4f", rep.Cost, a.Cost)
	}
	if a.LowerBound <= 0 || a.LowerBound > a.Cost || a.Gap > 0.05 {
		t.Errorf("bound %.1f cost %.1f gap %.2f%%", a.LowerBound, a.Cost, 100*a.Gap)
	}
	if len(a.Vistaraks) != len(in.Vistaraks) || a.Vistaraks[0].Why == "" {
		t.Fatalf("explanations missing")
	}
	// Every vistarak's explanation adds up to their routes.
	for _, e := range a.Vistaraks {
		km, visits := 0.0, 0
		for _, r := range a.Routes {
			if r.Vistarak == e.Vistarak {
				km += r.Km
				visits += len(r.Visits)
			}
		}
		if math.Abs(km-e.Km) > 1e-6 || visits != e.Visits || visits > e.MaxVisits {
			t.Fatalf("explanation %+v vs routes %.3f km %d visits", e, km, visits)
		}
	}
}

func rowsOf(routes []Route) []PlanRow {
	var rows []PlanRow
	for _, r := range routes {
		for k, v := range r.Visits {
			rows = append(rows, PlanRow{Vistarak: r.Vistarak, Date: r.Date, Seq: k + 1, Place: v.Place})
		}
	}
	return rows
}
