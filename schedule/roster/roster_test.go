package roster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/karyakram/karyakram/internal/testtool"
	"github.com/karyakram/karyakram/schedule"
)

func loadFixture(t testing.TB) ([]RosterRow, []Host) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "mp-workshops-2022-01.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ReadRosterCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.Open(filepath.Join("testdata", "mp-district-hq.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	towns, err := ReadHostsCSV(g)
	if err != nil {
		t.Fatal(err)
	}
	return rows, towns
}

// fixtureInstance is the 2022 series with every HQ town a candidate host
// taking at most maxDistricts districts and the 2022 trainer teams.
func fixtureInstance(t testing.TB, maxDistricts int) (*Instance, []RosterRow) {
	t.Helper()
	rows, towns := loadFixture(t)
	in, err := InstanceFromRoster("2022", rows, towns, maxDistricts)
	if err != nil {
		t.Fatal(err)
	}
	return in, rows
}

// independentTravel recomputes a roster's person-km from raw coordinates.
func independentTravel(t *testing.T, in *Instance, rows []RosterRow) float64 {
	t.Helper()
	town := map[string]Host{}
	for _, h := range in.Hosts {
		town[h.Name] = h
	}
	att := map[string]int{}
	for _, d := range in.Districts {
		att[d.Name] = d.Attendees
	}
	total := 0.0
	for _, r := range rows {
		from, ok := town[HQTown(r.District)]
		if !ok {
			t.Fatalf("no town for %s", r.District)
		}
		to := town[r.Host]
		total += float64(att[r.District]) * 1.3 * GreatCircleKm(from.Lat, from.Lon, to.Lat, to.Lon)
	}
	return total
}

func TestFixtureRosterValidatesAndPlannerIsNoWorse(t *testing.T) {
	in, rows := fixtureInstance(t, 0)
	// Capacities derived from the fixture: each host takes what it took.
	took := map[string]int{}
	for _, r := range rows {
		took[r.Host]++
	}
	for i := range in.Hosts {
		in.Hosts[i].MaxDistricts = took[in.Hosts[i].Name]
		if in.Hosts[i].MaxDistricts == 0 {
			in.Hosts[i].MaxDistricts = 1
		}
	}
	if got := fmt.Sprint(in.TeamsPerDate); got != "[9 5]" {
		t.Fatalf("teams per date from fixture = %s, want [9 5]", got)
	}
	rep, err := Check(context.Background(), in, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || len(rep.Violations) != 0 {
		t.Fatalf("fixture roster has violations: %+v", rep.Violations)
	}
	if rep.Workshops != 14 {
		t.Errorf("workshops = %d, want 14", rep.Workshops)
	}
	if want := independentTravel(t, in, rows); math.Abs(rep.TravelPersonKm-want) > 1e-6 {
		t.Errorf("travel = %.3f, want %.3f", rep.TravelPersonKm, want)
	}
	if rep.Best == nil {
		t.Fatalf("no best roster: %s", rep.BestError)
	}
	if rep.Best.Cost > rep.Cost+1e-9 {
		t.Errorf("planner with the same hosts costs %.1f > hand-made %.1f", rep.Best.Cost, rep.Cost)
	}
	if !rep.Best.Optimal {
		t.Errorf("fixed-host assignment not reported optimal")
	}
	// The planner's roster keeps the fixture's workshops.
	want := map[HostDate]bool{}
	for _, w := range RosterWorkshops(rows) {
		want[w] = true
	}
	for _, w := range rep.Best.Workshops {
		if !want[HostDate{Host: w.Host, Date: w.Date}] {
			t.Errorf("planner moved workshop %s %s", w.Host, w.Date)
		}
	}
	if math.Abs(rep.Saving-(rep.Cost-rep.Best.Cost)) > 1e-9 {
		t.Errorf("saving %.3f inconsistent", rep.Saving)
	}
}

func TestOpenHostChoiceBeatsFixture(t *testing.T) {
	in, rows := fixtureInstance(t, 6)
	hand, err := Check(context.Background(), in, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !hand.Valid {
		t.Fatalf("fixture violates capacity 6 / teams 9,5: %+v", hand.Violations)
	}
	res, err := Plan(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cost > hand.Cost+1e-9 || res.Cost > hand.Best.Cost+1e-9 {
		t.Errorf("open choice %.1f worse than fixture %.1f / fixed best %.1f", res.Cost, hand.Cost, hand.Best.Cost)
	}
	if res.LowerBound > res.Cost+1e-6 || res.Gap > 0.01 {
		t.Errorf("bound %.1f cost %.1f gap %.4f", res.LowerBound, res.Cost, res.Gap)
	}
	t.Logf("fixture %.1f, same hosts %.1f, open %.1f (bound %.1f, optimal %v, %v)", hand.Cost, hand.Best.Cost, res.Cost, res.LowerBound, res.Optimal, res.Stats.Elapsed)
	// The check shows the same open-host optimum beside the same-hosts one.
	if hand.OpenBest == nil {
		t.Fatalf("check has no open-host roster: %s", hand.OpenBestError)
	}
	if !res.Optimal || !hand.OpenBest.Optimal || math.Abs(hand.OpenBest.Cost-res.Cost) > 1e-6 {
		t.Errorf("check's open-host roster %.3f (optimal %v), plan %.3f (optimal %v)", hand.OpenBest.Cost, hand.OpenBest.Optimal, res.Cost, res.Optimal)
	}
	if math.Abs(hand.OpenSaving-(hand.Cost-res.Cost)) > 1e-6 || hand.OpenSaving <= hand.Saving {
		t.Errorf("open saving %.3f, same-hosts saving %.3f, hand %.3f, open %.3f", hand.OpenSaving, hand.Saving, hand.Cost, res.Cost)
	}
	live, err := CheckWith(context.Background(), in, rows, CheckOptions{SkipOpenHosts: true})
	if err != nil || live.OpenBest != nil || live.Best == nil {
		t.Errorf("SkipOpenHosts: err %v, open %v, best %v", err, live.OpenBest, live.Best)
	}
	// The planned roster passes the checker.
	again, err := Check(context.Background(), in, toRows(res))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Valid {
		t.Fatalf("planned roster violates: %+v", again.Violations)
	}
	if math.Abs(again.Cost-res.Cost) > 1e-6 {
		t.Errorf("checker cost %.3f != planner cost %.3f", again.Cost, res.Cost)
	}
	teams := map[string]int{}
	for _, w := range res.Workshops {
		teams[w.Date]++
	}
	if teams["2022-01-05"] > 9 || teams["2022-01-06"] > 5 {
		t.Errorf("teams per date exceeded: %v", teams)
	}
}

func toRows(res *Result) []RosterRow {
	rows := make([]RosterRow, len(res.Assignments))
	for i, a := range res.Assignments {
		rows[i] = RosterRow{Date: a.Date, Host: a.Host, District: a.District}
	}
	return rows
}

// randomInstance makes a small instance with random pins and exclusions
// that is feasible by construction often enough.
func randomInstance(rng *rand.Rand, nD, nH, nT int) *Instance {
	in := Synthetic(SyntheticSpec{Seed: rng.Uint64(), Districts: nD, Hosts: nH, Dates: nT, TeamsPerDate: 1 + nH/nT,
		MaxDistricts: 1 + nD/nH + rng.IntN(4), MinAttendees: 1, MaxAttendance: 30})
	for i := range in.Hosts {
		if rng.IntN(4) == 0 {
			in.Hosts[i].Dates = []string{in.Dates[rng.IntN(nT)]}
		}
	}
	if rng.IntN(2) == 0 {
		in.FixedCostPerWorkshop = float64(rng.IntN(2000))
	}
	if rng.IntN(2) == 0 {
		d := rng.IntN(nD)
		in.DistrictPins = append(in.DistrictPins, DistrictHost{District: in.Districts[d].Name, Host: in.Hosts[rng.IntN(nH)].Name})
	}
	for k := rng.IntN(3); k > 0; k-- {
		in.DistrictExclusions = append(in.DistrictExclusions, DistrictHost{District: in.Districts[rng.IntN(nD)].Name, Host: in.Hosts[rng.IntN(nH)].Name})
	}
	if rng.IntN(3) == 0 {
		h := in.Hosts[rng.IntN(nH)]
		date := in.Dates[rng.IntN(nT)]
		if len(h.Dates) == 0 || h.Dates[0] == date {
			in.DatePins = append(in.DatePins, HostDate{Host: h.Name, Date: date})
		}
	}
	return in
}

func TestPlanPropertiesOnRandomInstances(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	solved, infeasible := 0, 0
	for i := 0; i < 60; i++ {
		in := randomInstance(rng, 8+rng.IntN(25), 4+rng.IntN(12), 1+rng.IntN(3))
		res, err := Plan(context.Background(), in, Options{})
		var inf *InfeasibleError
		if errors.As(err, &inf) {
			infeasible++
			if infeasible <= 3 {
				t.Logf("instance %d infeasible: %v", i, err)
			}
			if len(inf.Reasons) == 0 || inf.Reasons[0].Message == "" {
				t.Errorf("instance %d: infeasible without a reason", i)
			}
			continue
		}
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		solved++
		assertRosterHolds(t, in, res)
	}
	if solved < 30 {
		t.Errorf("only %d of 60 random instances solved (%d infeasible)", solved, infeasible)
	}
}

// assertRosterHolds checks a planned roster directly against the instance.
func assertRosterHolds(t *testing.T, in *Instance, res *Result) {
	t.Helper()
	count := map[string]int{}
	hostOf := map[string]string{}
	for _, a := range res.Assignments {
		count[a.District]++
		hostOf[a.District] = a.Host
	}
	for _, d := range in.Districts {
		if count[d.Name] != 1 {
			t.Errorf("%s: district %s assigned %d times", in.Title, d.Name, count[d.Name])
		}
	}
	hosts := map[string]Host{}
	for _, h := range in.Hosts {
		hosts[h.Name] = h
	}
	perDate := map[string]int{}
	for _, w := range res.Workshops {
		perDate[w.Date]++
		h := hosts[w.Host]
		if h.MaxDistricts > 0 && len(w.Districts) > h.MaxDistricts {
			t.Errorf("%s: %s over capacity: %d > %d", in.Title, w.Host, len(w.Districts), h.MaxDistricts)
		}
		seats := 0
		for _, name := range w.Districts {
			for _, d := range in.Districts {
				if d.Name == name {
					seats += d.Attendees
				}
			}
		}
		if seats != w.Attendees {
			t.Errorf("%s: %s reports %d attendees, its districts bring %d", in.Title, w.Host, w.Attendees, seats)
		}
		if h.MaxAttendees > 0 && seats > h.MaxAttendees {
			t.Errorf("%s: %s over seat capacity: %d > %d", in.Title, w.Host, seats, h.MaxAttendees)
		}
		if len(h.Dates) > 0 && !strings.Contains(strings.Join(h.Dates, ","), w.Date) {
			t.Errorf("%s: %s held on unavailable %s", in.Title, w.Host, w.Date)
		}
		for _, d := range in.Districts {
			if d.HQ == w.Host && hostOf[d.Name] != w.Host {
				t.Errorf("%s: %s hosts but its own %s goes to %s", in.Title, w.Host, d.Name, hostOf[d.Name])
			}
		}
	}
	for i, date := range in.Dates {
		if perDate[date] > in.TeamsPerDate[i] {
			t.Errorf("%s: %d workshops on %s > %d teams", in.Title, perDate[date], date, in.TeamsPerDate[i])
		}
	}
	for _, pin := range in.DistrictPins {
		if hostOf[pin.District] != pin.Host {
			t.Errorf("%s: pin %s→%s broken (%s)", in.Title, pin.District, pin.Host, hostOf[pin.District])
		}
	}
	for _, pin := range in.DatePins {
		found := false
		for _, w := range res.Workshops {
			found = found || (w.Host == pin.Host && w.Date == pin.Date)
		}
		if !found {
			t.Errorf("%s: date pin %s on %s broken", in.Title, pin.Host, pin.Date)
		}
	}
	for _, ex := range in.DistrictExclusions {
		if hostOf[ex.District] == ex.Host {
			t.Errorf("%s: exclusion %s↛%s broken", in.Title, ex.District, ex.Host)
		}
	}
	if res.LowerBound > res.Cost+1e-6*math.Max(1, res.Cost) {
		t.Errorf("%s: lower bound %.3f > cost %.3f", in.Title, res.LowerBound, res.Cost)
	}
	rep, err := CheckWith(context.Background(), in, toRows(res), CheckOptions{SkipOpenHosts: true})
	if err != nil {
		t.Fatalf("%s: check: %v", in.Title, err)
	}
	if !rep.Valid {
		t.Errorf("%s: checker rejects planned roster: %+v", in.Title, rep.Violations)
	}
	if math.Abs(rep.Cost-res.Cost) > 1e-6*math.Max(1, res.Cost) {
		t.Errorf("%s: checker cost %.3f != planner cost %.3f", in.Title, rep.Cost, res.Cost)
	}
}

// bruteForce enumerates every roster of a tiny instance (each district to
// each host, then checks hosts' dates by the same rules as Check).
func bruteForce(in *Instance) float64 {
	p := compile(in)
	best := math.Inf(1)
	hostOf := make([]int, p.nD)
	var rec func(d int)
	rec = func(d int) {
		if d == p.nD {
			var open []int
			load := make([]int, p.nH)
			seats := make([]int, p.nH)
			cost := 0.0
			for dd, h := range hostOf {
				if load[h] == 0 {
					open = append(open, h)
				}
				load[h]++
				seats[h] += p.att[dd]
				cost += p.cost[dd][h]
			}
			for _, h := range open {
				if load[h] > p.capCount[h] || seats[h] > p.capAtt[h] || p.closed[h] {
					return
				}
				for _, dd := range p.homes[h] {
					if hostOf[dd] != h {
						return
					}
				}
			}
			for h := range p.forced {
				if p.forced[h] && load[h] == 0 {
					return
				}
			}
			if !p.schedulable(open) {
				return
			}
			cost += p.fixedCost * float64(len(open))
			best = math.Min(best, cost)
			return
		}
		for h := 0; h < p.nH; h++ {
			if !math.IsInf(p.cost[d][h], 1) {
				hostOf[d] = h
				rec(d + 1)
			}
		}
	}
	rec(0)
	return best
}

func TestPlanMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	compared := 0
	defer func() {
		if compared < 20 {
			t.Errorf("only %d of 40 instances feasible to compare", compared)
		}
	}()
	for i := 0; i < 40; i++ {
		in := randomInstance(rng, 3+rng.IntN(5), 2+rng.IntN(3), 1+rng.IntN(2))
		fixed := i%2 == 0
		if fixed {
			for h := 0; h < len(in.Hosts)-1; h++ {
				in.FixedWorkshops = append(in.FixedWorkshops, HostDate{Host: in.Hosts[h].Name, Date: in.Dates[h%len(in.Dates)]})
			}
			in.DatePins = nil
			for h := range in.Hosts {
				in.Hosts[h].Dates = nil
			}
			in.TeamsPerDate = make([]int, len(in.Dates))
			for k := range in.TeamsPerDate {
				in.TeamsPerDate[k] = len(in.Hosts)
			}
		}
		want := bruteForce(in)
		res, err := Plan(context.Background(), in, Options{})
		if math.IsInf(want, 1) {
			var inf *InfeasibleError
			if !errors.As(err, &inf) {
				t.Errorf("instance %d (fixed=%v): brute force finds nothing, Plan says %v", i, fixed, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("instance %d (fixed=%v): %v (brute force %.3f)", i, fixed, err, want)
		}
		compared++
		if math.Abs(res.Cost-want) > 1e-6*math.Max(1, want) {
			t.Errorf("instance %d (fixed=%v): Plan %.3f, brute force %.3f", i, fixed, res.Cost, want)
		}
		if !res.Optimal {
			t.Errorf("instance %d: not proven optimal (gap %.4f)", i, res.Gap)
		}
	}
}

func TestAttendeeCapacityHeldAndBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	compared := 0
	for i := 0; i < 30; i++ {
		in := randomInstance(rng, 4+rng.IntN(4), 2+rng.IntN(3), 1+rng.IntN(2))
		for h := range in.Hosts {
			in.Hosts[h].MaxAttendees = 40 + rng.IntN(60)
		}
		if i%2 == 0 {
			in.DatePins = nil
			in.FixedWorkshops = nil
			for h := range in.Hosts {
				in.Hosts[h].Dates = nil
				in.FixedWorkshops = append(in.FixedWorkshops, HostDate{Host: in.Hosts[h].Name, Date: in.Dates[0]})
			}
			in.TeamsPerDate[0] = len(in.Hosts)
		}
		want := bruteForce(in)
		res, err := Plan(context.Background(), in, Options{})
		if err != nil || math.IsInf(want, 1) {
			continue // the seat repair is a heuristic: it may miss tight packings
		}
		compared++
		seats := map[string]int{}
		for _, w := range res.Workshops {
			seats[w.Host] = w.Attendees
		}
		for _, h := range in.Hosts {
			if seats[h.Name] > h.MaxAttendees {
				t.Errorf("instance %d: %s seats %d > %d", i, h.Name, seats[h.Name], h.MaxAttendees)
			}
		}
		if res.Cost < want-1e-6 || res.LowerBound > want+1e-6 {
			t.Errorf("instance %d: cost %.2f bound %.2f, brute-force optimum %.2f", i, res.Cost, res.LowerBound, want)
		}
	}
	if compared < 8 {
		t.Errorf("only %d instances compared", compared)
	}
}

func TestExplanationsExtraCostIsExact(t *testing.T) {
	in, rows := fixtureInstance(t, 6)
	in.FixedWorkshops = RosterWorkshops(rows)
	res, err := Plan(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Explanations) != len(in.Districts) {
		t.Fatalf("%d explanations for %d districts", len(res.Explanations), len(in.Districts))
	}
	checked := 0
	for _, e := range res.Explanations {
		if e.Reason != "" {
			if e.Reason == "own district of the host" && HQTown(e.District) != e.Host {
				t.Errorf("%s: reason %q but host %s", e.District, e.Reason, e.Host)
			}
			continue
		}
		if e.NextHost == "" || e.NextHost == e.Host || e.ExtraCost < 0 {
			t.Errorf("%s: bad next option %+v", e.District, e)
			continue
		}
		if checked >= 6 {
			continue
		}
		checked++
		// Forbid the current host and re-plan: the rise must equal ExtraCost.
		moved := *in
		moved.DistrictExclusions = []DistrictHost{{District: e.District, Host: e.Host}}
		alt, err := Plan(context.Background(), &moved, Options{SkipExplanations: true})
		if err != nil {
			t.Fatalf("%s moved: %v", e.District, err)
		}
		if got := alt.Cost - res.Cost; math.Abs(got-e.ExtraCost) > 1e-6 {
			t.Errorf("%s: explanation extra %.3f, re-plan rise %.3f", e.District, e.ExtraCost, got)
		}
	}
	if checked == 0 {
		t.Fatal("no movable district checked")
	}
}

func TestInfeasibilityIsExplained(t *testing.T) {
	base := func() *Instance {
		return &Instance{Dates: []string{"2022-01-05", "2022-01-06"}, TeamsPerDate: []int{1, 1},
			Hosts: []Host{{Name: "Alpha", Lat: 23, Lon: 77, MaxDistricts: 3}, {Name: "Beta", Lat: 24, Lon: 78, MaxDistricts: 3}, {Name: "Gamma", Lat: 22, Lon: 79, MaxDistricts: 3}},
			Districts: []District{{Name: "Alpha Nagar", HQ: "Alpha", Attendees: 10}, {Name: "Beta", HQ: "Beta", Attendees: 10},
				{Name: "Delta", HQ: "Delta", Lat: 23.5, Lon: 77.5, Attendees: 10}, {Name: "Epsilon", HQ: "Epsilon", Lat: 22.5, Lon: 78.5, Attendees: 10}}}
	}
	tests := []struct {
		name       string
		mutate     func(*Instance)
		constraint string
		mentions   []string
	}{
		{"capacity short", func(in *Instance) {
			for i := range in.Hosts {
				in.Hosts[i].MaxDistricts = 1
			}
		}, "capacity", []string{"4 districts", "2 district places"}},
		{"district with no host", func(in *Instance) {
			for _, h := range in.Hosts {
				in.DistrictExclusions = append(in.DistrictExclusions, DistrictHost{District: "Delta", Host: h.Name})
			}
		}, "availability", []string{"Delta"}},
		{"pinned to two hosts", func(in *Instance) {
			in.DistrictPins = []DistrictHost{{"Delta", "Alpha"}, {"Delta", "Beta"}}
		}, "district pins", []string{"Delta", "Alpha", "Beta"}},
		{"pinned and excluded", func(in *Instance) {
			in.DistrictPins = []DistrictHost{{"Delta", "Gamma"}}
			in.DistrictExclusions = []DistrictHost{{"Delta", "Gamma"}}
		}, "district pins", []string{"Delta", "Gamma"}},
		{"host pinned but own district pinned away", func(in *Instance) {
			in.DatePins = []HostDate{{"Alpha", "2022-01-05"}}
			in.DistrictPins = []DistrictHost{{"Alpha Nagar", "Beta"}}
		}, "pins", []string{"Alpha", "Alpha Nagar"}},
		{"too many pinned hosts for the teams", func(in *Instance) {
			in.DatePins = []HostDate{{"Alpha", "2022-01-05"}, {"Beta", "2022-01-05"}}
		}, "teams per date", []string{"Alpha", "Beta"}},
		{"pinned to an unavailable date", func(in *Instance) {
			in.Hosts[0].Dates = []string{"2022-01-06"}
			in.DatePins = []HostDate{{"Alpha", "2022-01-05"}}
		}, "availability", []string{"Alpha", "2022-01-05"}},
		{"Hall violation with fixed hosts", func(in *Instance) {
			in.FixedWorkshops = []HostDate{{"Gamma", "2022-01-05"}, {"Beta", "2022-01-06"}}
			in.Hosts[2].MaxDistricts = 1
			in.DistrictExclusions = []DistrictHost{{"Delta", "Beta"}, {"Epsilon", "Beta"}}
		}, "capacity", []string{"Delta", "Epsilon", "Gamma", "1 district places"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.mutate(in)
			_, err := Plan(context.Background(), in, Options{})
			var inf *InfeasibleError
			if !errors.As(err, &inf) {
				t.Fatalf("want InfeasibleError, got %v", err)
			}
			if schedule.ErrorCode(err) != schedule.EINVALID {
				t.Errorf("code %q, want invalid", schedule.ErrorCode(err))
			}
			found := false
			for _, r := range inf.Reasons {
				found = found || r.Constraint == tc.constraint
			}
			if !found {
				t.Errorf("no %q reason in %v", tc.constraint, err)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestCheckReportsViolationsAndUnknownNames(t *testing.T) {
	in, rows := fixtureInstance(t, 4)
	in.DistrictPins = []DistrictHost{{District: "Bhind", Host: "Morena"}}
	in.DistrictExclusions = []DistrictHost{{District: "Datia", Host: "Gwalior"}}
	in.DatePins = []HostDate{{Host: "Rewa", Date: "2022-01-06"}}
	in.TeamsPerDate = []int{8, 5}
	bad := append([]RosterRow(nil), rows...)
	bad = append(bad, RosterRow{Date: "2022-01-06", Host: "Bhopal", District: "Harda"}) // Harda twice, Bhopal on two dates
	for i := range bad {
		if bad[i].District == "Ujjain Gramin" {
			bad[i].Host = "Dewas" // Ujjain hosts but its own district goes away
		}
	}
	rep, err := Check(context.Background(), in, bad)
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]string{}
	for _, v := range rep.Violations {
		rules[v.Rule] += v.Message + " | "
	}
	for rule, mention := range map[string]string{
		"capacity":              "Gwalior",
		"teams per date":        "9 workshops on 2022-01-05",
		"district pin":          "Bhind",
		"district exclusion":    "Datia",
		"date pin":              "Rewa",
		"own district at home":  "Ujjain Gramin",
		"assignment":            "Harda",
		"one workshop per host": "Bhopal",
	} {
		if !strings.Contains(rules[rule], mention) {
			t.Errorf("rule %q: %q does not mention %q", rule, rules[rule], mention)
		}
	}
	if rep.Valid {
		t.Error("roster with violations reported valid")
	}

	unknown := append([]RosterRow(nil), rows...)
	unknown = append(unknown, RosterRow{Date: "2022-01-07", Host: "Atlantis", District: "Nowhere Nagar"})
	_, err = Check(context.Background(), in, unknown)
	if err == nil {
		t.Fatal("unknown names accepted")
	}
	for _, m := range []string{"Atlantis", "Nowhere Nagar", "2022-01-07"} {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not name %q", err, m)
		}
	}
}

func TestValidateNamesFields(t *testing.T) {
	valid := func() *Instance {
		return &Instance{Dates: []string{"2022-01-05"}, TeamsPerDate: []int{1},
			Hosts:     []Host{{Name: "Alpha", Lat: 23, Lon: 77}},
			Districts: []District{{Name: "Alpha", HQ: "Alpha", Attendees: 1}}}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid instance rejected: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*Instance)
		field  string
	}{
		{"bad date", func(in *Instance) { in.Dates[0] = "5 Jan" }, "dates[0]"},
		{"teams mismatch", func(in *Instance) { in.TeamsPerDate = nil }, "teams_per_date"},
		{"negative capacity", func(in *Instance) { in.Hosts[0].MaxDistricts = -1 }, "hosts[0].max_districts"},
		{"duplicate host", func(in *Instance) { in.Hosts = append(in.Hosts, Host{Name: "alpha", Lat: 1, Lon: 1}) }, "hosts[1].name"},
		{"host date outside series", func(in *Instance) { in.Hosts[0].Dates = []string{"2022-02-01"} }, "hosts[0].dates[0]"},
		{"zero attendees", func(in *Instance) { in.Districts[0].Attendees = 0 }, "districts[0].attendees"},
		{"no coordinates", func(in *Instance) { in.Districts[0].HQ = "Elsewhere" }, "districts[0].lat/lon"},
		{"unknown pinned district", func(in *Instance) { in.DistrictPins = []DistrictHost{{"Ghost", "Alpha"}} }, "district_pins[0].district"},
		{"unknown excluded host", func(in *Instance) { in.DistrictExclusions = []DistrictHost{{"Alpha", "Ghost"}} }, "district_exclusions[0].host"},
		{"road factor below 1", func(in *Instance) { in.RoadFactor = 0.5 }, "road_factor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			tc.mutate(in)
			err := in.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %v does not name %s", err, tc.field)
			}
			if schedule.ErrorCode(err) != schedule.EINVALID {
				t.Errorf("code %q", schedule.ErrorCode(err))
			}
		})
	}
}

func TestRosterCSVRoundTrip(t *testing.T) {
	in, rows := fixtureInstance(t, 6)
	assignments := make([]Assignment, len(rows))
	for i, r := range rows {
		assignments[i] = Assignment{Date: r.Date, Host: r.Host, District: r.District}
	}
	var buf bytes.Buffer
	if err := WriteRosterCSV(&buf, in, assignments); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "mp-workshops-2022-01.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(raw) {
		t.Errorf("rewritten roster differs from the fixture:\n%s", buf.String())
	}
	if _, err := ReadRosterCSV(strings.NewReader("date,host\n2022-01-05,Bhopal\n")); err == nil || !strings.Contains(err.Error(), "org_district") {
		t.Errorf("missing column not named: %v", err)
	}
}

func TestInstanceJSONRoundTrip(t *testing.T) {
	in, _ := fixtureInstance(t, 6)
	in.DistrictPins = []DistrictHost{{District: "Bhopal Nagar", Host: "Bhopal"}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, in); err != nil {
		t.Fatal(err)
	}
	back, err := ReadInstanceJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Districts) != 57 || len(back.Hosts) != 52 || back.DistrictPins[0].Host != "Bhopal" || back.Districts[0].NameHi != in.Districts[0].NameHi {
		t.Errorf("round trip lost data: %d districts, %d hosts", len(back.Districts), len(back.Hosts))
	}
	if _, err := ReadInstanceJSON(strings.NewReader(`{"dates":[],"colour":1}`)); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestTiesBreakTowardBalancedDays(t *testing.T) {
	in := &Instance{Dates: []string{"2022-01-05", "2022-01-06"}, TeamsPerDate: []int{4, 4}}
	for i := 0; i < 4; i++ {
		name := fmt.Sprintf("H%d", i)
		in.Hosts = append(in.Hosts, Host{Name: name, Lat: 22 + float64(i), Lon: 77})
		in.Districts = append(in.Districts, District{Name: name, HQ: name, Attendees: 10 * (i + 1)})
	}
	res, err := Plan(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	people := map[string]int{}
	for _, w := range res.Workshops {
		count[w.Date]++
		people[w.Date] += w.Attendees
	}
	if count["2022-01-05"] != 2 || count["2022-01-06"] != 2 || people["2022-01-05"] != 50 {
		t.Errorf("days not balanced: workshops %v attendees %v", count, people)
	}
}

// TestLPModelAgreesWithGlpsol solves small instances with glpsol (when
// installed) from the LP the package writes and compares optima.
func TestLPModelAgreesWithGlpsol(t *testing.T) {
	glpsol := testtool.Program(t, "glpsol")
	rng := rand.New(rand.NewPCG(21, 8))
	compared := 0
	defer func() {
		if compared < 3 {
			t.Errorf("only %d feasible instances compared with glpsol", compared)
		}
	}()
	for i := 0; i < 6; i++ {
		in := randomInstance(rng, 6+rng.IntN(8), 3+rng.IntN(4), 1+rng.IntN(2))
		res, planErr := Plan(context.Background(), in, Options{})
		path := filepath.Join(t.TempDir(), "m.lp")
		var buf bytes.Buffer
		if err := WriteLP(&buf, in, LPOptions{Strong: true}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command(glpsol, "--lp", path, "--tmlim", "60").CombinedOutput()
		text := string(out)
		if planErr != nil {
			if !strings.Contains(text, "NO PRIMAL FEASIBLE") && !strings.Contains(text, "NO INTEGER FEASIBLE") && !strings.Contains(text, "PROBLEM HAS NO") {
				t.Errorf("instance %d: Plan infeasible (%v) but glpsol:\n%s", i, planErr, tail(text))
			}
			continue
		}
		m := regexp.MustCompile(`mip =\s+(\S+)`).FindAllStringSubmatch(text, -1)
		if len(m) == 0 || !strings.Contains(text, "INTEGER OPTIMAL") {
			t.Fatalf("instance %d: glpsol did not solve:\n%s", i, tail(text))
		}
		obj, _ := strconv.ParseFloat(m[len(m)-1][1], 64)
		compared++
		if math.Abs(obj-res.Cost) > 1e-4*math.Max(1, res.Cost) {
			t.Errorf("instance %d: glpsol %.3f, Plan %.3f", i, obj, res.Cost)
		}
	}
}

func tail(s string) string {
	if len(s) > 1500 {
		return s[len(s)-1500:]
	}
	return s
}

// TestPlanIsDeterministicUnderLoad: the search stops on work, not on time,
// so an instance too large to prove within the budget gives the same roster
// twice, once on a quiet CPU and once while other goroutines keep every core
// busy.
func TestPlanIsDeterministicUnderLoad(t *testing.T) {
	in := Synthetic(SyntheticSpec{Seed: 5, Districts: 300, Hosts: 120, Dates: 3, TeamsPerDate: 20, MaxDistricts: 6, MinAttendees: 10, MaxAttendance: 50})
	opt := Options{WorkLimit: 10_000_000, SkipExplanations: true}
	quiet, err := Plan(context.Background(), in, opt)
	if err != nil {
		t.Fatal(err)
	}
	if quiet.Stats.StoppedBy != "work limit" {
		t.Fatalf("stopped by %q (gap %.4f): the instance must exercise the work limit", quiet.Stats.StoppedBy, quiet.Gap)
	}
	stop := make(chan struct{})
	var busy sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		busy.Add(1)
		go func() {
			defer busy.Done()
			x := 1.0
			for {
				select {
				case <-stop:
					return
				default:
					for range 10000 {
						x = math.Sqrt(x + 1)
					}
				}
			}
		}()
	}
	loaded, err := Plan(context.Background(), in, opt)
	close(stop)
	busy.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if quiet.Cost != loaded.Cost || quiet.LowerBound != loaded.LowerBound || quiet.Stats.Work != loaded.Stats.Work {
		t.Errorf("quiet: cost %.3f bound %.3f work %d; loaded: cost %.3f bound %.3f work %d",
			quiet.Cost, quiet.LowerBound, quiet.Stats.Work, loaded.Cost, loaded.LowerBound, loaded.Stats.Work)
	}
	if !slices.Equal(quiet.Assignments, loaded.Assignments) {
		t.Error("the two runs give different rosters")
	}
}

// TestTimeLimitIsAnOption: a wall-clock limit still stops the search when
// asked for, and says so.
func TestTimeLimitIsAnOption(t *testing.T) {
	in := Synthetic(SyntheticSpec{Seed: 5, Districts: 300, Hosts: 120, Dates: 3, TeamsPerDate: 20, MaxDistricts: 6, MinAttendees: 10, MaxAttendance: 50})
	res, err := Plan(context.Background(), in, Options{WorkLimit: math.MaxInt64, TimeLimit: time.Millisecond, SkipExplanations: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.StoppedBy != "time limit" || res.Optimal {
		t.Errorf("stopped by %q, optimal %v", res.Stats.StoppedBy, res.Optimal)
	}
	assertRosterHolds(t, in, res)
}

// TestTightSeatsAreFitted: seats for only 3 % more attendees than come,
// districts of 20–60 people. The planner must seat everyone (a roster the
// checker accepts) with a valid bound.
func TestTightSeatsAreFitted(t *testing.T) {
	in := Synthetic(SyntheticSpec{Seed: 9, Districts: 150, Hosts: 60, Dates: 3, TeamsPerDate: 10, MaxDistricts: 8, MinAttendees: 20, MaxAttendance: 60})
	total := 0
	for _, d := range in.Districts {
		total += d.Attendees
	}
	seats := (total*103/100 + 29) / 30
	for i := range in.Hosts {
		in.Hosts[i].MaxAttendees = seats
	}
	res, err := Plan(context.Background(), in, Options{WorkLimit: 30_000_000, SkipExplanations: true})
	if err != nil {
		t.Fatalf("%d attendees, 30 workshops of %d seats: %v", total, seats, err)
	}
	assertRosterHolds(t, in, res)
	t.Logf("cost %.1f bound %.1f gap %.2f%%", res.Cost, res.LowerBound, 100*res.Gap)
}

// TestUniformSeatsAreDistrictPlaces: when every district brings the same
// number of people, seats are district places and the flow handles them
// exactly — the same optimum, proven, as with the equivalent district cap.
func TestUniformSeatsAreDistrictPlaces(t *testing.T) {
	seats := Synthetic(SyntheticSpec{Seed: 4, Districts: 60, Hosts: 25, Dates: 2, TeamsPerDate: 6, MinAttendees: 3, MaxAttendance: 3})
	places := Synthetic(SyntheticSpec{Seed: 4, Districts: 60, Hosts: 25, Dates: 2, TeamsPerDate: 6, MinAttendees: 3, MaxAttendance: 3})
	for i := range seats.Hosts {
		seats.Hosts[i].MaxAttendees = 17 // 5 districts of 3
		places.Hosts[i].MaxDistricts = 5
	}
	a, err := Plan(context.Background(), seats, Options{SkipExplanations: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Plan(context.Background(), places, Options{SkipExplanations: true})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Optimal || !b.Optimal || math.Abs(a.Cost-b.Cost) > 1e-6 {
		t.Errorf("seats: %.3f (optimal %v); places: %.3f (optimal %v)", a.Cost, a.Optimal, b.Cost, b.Optimal)
	}
	assertRosterHolds(t, seats, a)
}
