package tour

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// An uploaded matrix sets road km and minutes; a listed leg longer than a
// way through another listed place is shortened (the vistarak drives past).
func TestMatrixDistancesAndShortestPaths(t *testing.T) {
	in := &Instance{Dates: []string{"2022-01-20"}, Rules: Rules{MaxVisitsPerDay: 2, MaxKmPerDay: 100},
		Places:    []Place{{ID: "B1", Lat: 23.10, Lon: 77.10}, {ID: "B2", Lat: 23.11, Lon: 77.10}},
		Vistaraks: []Vistarak{{ID: "V1", Lat: 23.12, Lon: 77.10}},
		Matrix: []Leg{
			{From: "V1", To: "B1", Km: 9, Minutes: 30},
			{From: "B1", To: "B2", Km: 4, Minutes: 10},
			{From: "V1", To: "B2", Km: 20, Minutes: 60}, // longer than V1→B1→B2 = 13
		}}
	res, err := Plan(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Routes) != 1 || len(res.Routes[0].Visits) != 2 {
		t.Fatalf("want one route with both places: %+v", res.Routes)
	}
	// V1→B1 9, B1→B2 4, B2→V1 shortened to 13: 26 km in either order.
	if math.Abs(res.TravelKm-26) > 1e-9 || !res.Optimal {
		t.Fatalf("travel %.3f km (want 26), optimal %v", res.TravelKm, res.Optimal)
	}
	rep, err := Check(in, rowsOf(res.Routes))
	if err != nil || !rep.Valid || math.Abs(rep.TravelKm-26) > 1e-9 {
		t.Fatalf("check: %v %+v", err, rep)
	}
}

// On a small campaign COIN-OR CBC proves the optimum of the route MILP
// (WriteMILP) and the planner reaches the same cost with its own proof.
func TestPlannerMatchesCBCOptimum(t *testing.T) {
	cbc, err := exec.LookPath("cbc")
	if err != nil {
		t.Skip("cbc not installed (apt-get install -y coinor-cbc): skipping the comparison with CBC")
	}
	for _, spec := range []SyntheticSpec{
		{Seed: 21, Places: 18, Vistaraks: 6, Days: 2, Mandals: 2, TimeWindows: 0.2, Languages: 0.1, DayWindows: 0.2},
		{Seed: 22, Places: 24, Vistaraks: 8, Days: 3, Mandals: 1, TimeWindows: 0.1, PartTime: 0.3},
	} {
		in := Synthetic(spec)
		res, err := Plan(context.Background(), in, Options{})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		lp := filepath.Join(dir, "tour.lp")
		f, err := os.Create(lp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := WriteMILP(f, in, 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command(cbc, lp, "sec", "120", "solve", "quit").CombinedOutput()
		if err != nil {
			t.Fatalf("cbc: %v\n%s", err, out)
		}
		if !bytes.Contains(out, []byte("Optimal solution found")) {
			t.Fatalf("cbc did not prove optimality:\n%s", out)
		}
		m := regexp.MustCompile(`Objective value:\s+([0-9.eE+-]+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("no objective in cbc output:\n%s", out)
		}
		opt, _ := strconv.ParseFloat(string(m[1]), 64)
		if math.Abs(res.Cost-opt) > 1e-4*math.Max(1, opt) {
			t.Errorf("%s: planner %.6f, CBC optimum %.6f", in.Title, res.Cost, opt)
		}
		if !res.Optimal || res.LowerBound > opt+1e-4 {
			t.Errorf("%s: planner bound %.6f (optimal %v), CBC optimum %.6f", in.Title, res.LowerBound, res.Optimal, opt)
		}
	}
}
