package tour

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/schedule"
)

func smallCampaign(t *testing.T) (*Instance, *Result) {
	t.Helper()
	in := Synthetic(SyntheticSpec{Seed: 11, Places: 90, Vistaraks: 30, Days: 4, Mandals: 3, TimeWindows: 0.1, Languages: 0.1, PartTime: 0.1})
	res, err := Plan(context.Background(), in, Options{Work: 100000, BoundRounds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Uncovered) > 0 {
		t.Fatalf("campaign leaves %d places out", len(res.Uncovered))
	}
	return in, res
}

// Moving a visit by hand reports the cost change exactly (as a full check
// of the plan before and after sees it) and names the broken rules.
func TestEditorMoveReportsDeltaAndBrokenRules(t *testing.T) {
	in, res := smallCampaign(t)
	rows := rowsOf(res.Routes)
	ed, err := NewEditor(in, rows)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ed.Cost()-res.Cost) > 1e-6 {
		t.Fatalf("editor cost %.4f, plan %.4f", ed.Cost(), res.Cost)
	}
	// Move the first visit of the first route to the last route's vistarak
	// on the first route's date, at the cheapest position.
	first, last := res.Routes[0], res.Routes[len(res.Routes)-1]
	place := first.Visits[0].Place
	mv, err := ed.Move(place, last.Vistarak, first.Date, 0)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := Check(in, rows)
	after, err := Check(in, ed.Rows())
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(mv.CostDelta-(after.Cost-before.Cost)) > 1e-6 {
		t.Fatalf("move says %+.4f, full checks say %+.4f", mv.CostDelta, after.Cost-before.Cost)
	}
	if math.Abs(mv.Cost-after.Cost) > 1e-6 {
		t.Fatalf("editor cost %.4f, check %.4f", mv.Cost, after.Cost)
	}
	// The broken rules of the move are exactly the new violations of the plan.
	if len(mv.Broken) != len(after.Violations) {
		t.Fatalf("move reports %d broken rules, the plan now has %d: %+v vs %+v", len(mv.Broken), len(after.Violations), mv.Broken, after.Violations)
	}
	// Moving it back restores the cost and fixes what broke.
	back, err := ed.Move(place, first.Vistarak, first.Date, 1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(back.Cost-res.Cost) > 1e-6 || len(back.Fixed) != len(mv.Broken) || len(back.Broken) != 0 {
		t.Fatalf("move back: cost %.4f (want %.4f), fixed %d broken %d", back.Cost, res.Cost, len(back.Fixed), len(back.Broken))
	}
}

func TestEditorNamesTheRuleAMoveBreaks(t *testing.T) {
	in := &Instance{Dates: []string{"2022-01-20", "2022-01-21"},
		Rules: Rules{MaxVisitsPerDay: 2, MaxKmPerDay: 60},
		Places: []Place{
			{ID: "B1", Lat: 23.10, Lon: 77.10, Areas: []string{"M1"}},
			{ID: "B2", Lat: 23.11, Lon: 77.10, Areas: []string{"M2"}, Languages: []string{"bhili"}},
			{ID: "B3", Lat: 23.12, Lon: 77.10, Areas: []string{"M2"}},
			{ID: "B4", Lat: 23.13, Lon: 77.11, Areas: []string{"M2"}, Days: []string{"2022-01-20"}},
		},
		Vistaraks: []Vistarak{
			{ID: "V1", Lat: 23.11, Lon: 77.12, Languages: []string{"hi"}, ExcludeAreas: []string{"M1"}},
			{ID: "V2", Lat: 23.12, Lon: 77.12, Languages: []string{"hi", "bhili"}},
		}}
	rows := []PlanRow{
		{Vistarak: "V2", Date: "2022-01-20", Seq: 1, Place: "B1"},
		{Vistarak: "V2", Date: "2022-01-20", Seq: 2, Place: "B2"},
		{Vistarak: "V1", Date: "2022-01-21", Seq: 1, Place: "B3"},
		{Vistarak: "V1", Date: "2022-01-20", Seq: 1, Place: "B4"},
	}
	rep, err := Check(in, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid {
		t.Fatalf("start plan invalid: %+v", rep.Violations)
	}
	cases := []struct {
		place, vistarak, date string
		rule                  string
	}{
		{"B1", "V1", "2022-01-21", RuleExcluded},
		{"B2", "V1", "2022-01-21", RuleLanguage},
		{"B4", "V1", "2022-01-21", RulePlaceDays},
		{"B3", "V2", "2022-01-20", RuleVisitsDay},
		{"B3", "", "", RuleCoverage},
	}
	for _, tc := range cases {
		ed, err := NewEditor(in, rows)
		if err != nil {
			t.Fatal(err)
		}
		mv, err := ed.Move(tc.place, tc.vistarak, tc.date, 0)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, v := range mv.Broken {
			found = found || (v.Rule == tc.rule && strings.Contains(v.Message, tc.place) || v.Rule == tc.rule && tc.rule == RuleVisitsDay)
		}
		if !found {
			t.Errorf("move %s → %s %s: want %q broken, got %+v", tc.place, tc.vistarak, tc.date, tc.rule, mv.Broken)
		}
	}
	ed, _ := NewEditor(in, rows)
	if _, err := ed.Move("B9", "V1", "2022-01-20", 0); schedule.ErrorCode(err) != schedule.EINVALID {
		t.Errorf("unknown place: %v", err)
	}
	if _, err := ed.Move("B1", "V1", "2022-01-20", 7); schedule.ErrorCode(err) != schedule.EINVALID {
		t.Errorf("bad position: %v", err)
	}
}

// Re-planning around a drop-out keeps every route before the cut exactly,
// gives the drop-out nothing from then on, and keeps all rules.
func TestReplanKeepsPastDaysAndCoversTheDropout(t *testing.T) {
	in, res := smallCampaign(t)
	rows := rowsOf(res.Routes)
	// The vistarak with the most visits on or after the third date drops
	// out on the third date.
	cut := in.Dates[2]
	count := map[string]int{}
	for _, r := range res.Routes {
		if r.Date >= cut {
			count[r.Vistarak] += len(r.Visits)
		}
	}
	drop, most := "", 0
	for _, v := range in.Vistaraks {
		if count[v.ID] > most {
			drop, most = v.ID, count[v.ID]
		}
	}
	if drop == "" {
		t.Fatal("nobody has visits after the cut")
	}
	rp, err := Replan(context.Background(), in, rows, []Dropout{{Vistarak: drop, From: cut}}, Options{Work: 50000, BoundRounds: 2})
	if err != nil {
		t.Fatal(err)
	}
	key := func(r Route) string {
		var ids []string
		for _, v := range r.Visits {
			ids = append(ids, v.Place+"@"+v.Start)
		}
		return r.Vistarak + " " + r.Date + " " + strings.Join(ids, ",")
	}
	past := map[string]bool{}
	for _, r := range res.Routes {
		if r.Date < cut {
			past[key(r)] = true
		}
	}
	kept := 0
	for _, r := range rp.Routes {
		if r.Date < cut {
			if !past[key(r)] {
				t.Fatalf("a past route changed: %s", key(r))
			}
			kept++
		} else if r.Vistarak == drop {
			t.Fatalf("the drop-out still has a route on %s", r.Date)
		}
	}
	if kept != len(past) {
		t.Fatalf("%d past routes kept of %d", kept, len(past))
	}
	if len(rp.Uncovered) != 0 {
		t.Fatalf("re-plan leaves places out: %+v", rp.Uncovered)
	}
	// The re-planned tour keeps every rule of the original campaign.
	rep, err := Check(in, rowsOf(rp.Routes))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid {
		t.Fatalf("re-planned tour breaks rules: %+v", rep.Violations)
	}
	if math.Abs(rep.Cost-rp.Cost) > 1e-6*rp.Cost || rp.LowerBound > rp.Cost || rp.LowerBound <= 0 {
		t.Fatalf("cost %.3f (check %.3f) bound %.3f", rp.Cost, rep.Cost, rp.LowerBound)
	}
	// Only the drop-out's visits had to move; local improvements may move
	// a few more, never most of the plan.
	if len(rp.Changed) < most || len(rp.Changed) > 3*most+len(in.Places)/10 {
		t.Errorf("%d visits changed for a drop-out with %d", len(rp.Changed), most)
	}
	if rp.Frozen == 0 || rp.Cut != cut {
		t.Errorf("frozen %d cut %s", rp.Frozen, rp.Cut)
	}
}

func TestReadCSVNamesLineAndColumn(t *testing.T) {
	cases := []struct {
		name, csv string
		read      func(string) error
		want      []string
	}{
		{"bad number", "id,name,lat,lon\nB1,x,23.1,77.1\nB2,y,abc,77.2\n", readPlaces, []string{"places.csv line 3, column 3 (lat)", `"abc" is not a number`}},
		{"missing id", "id,lat,lon\n,23.1,77.1\n", readPlaces, []string{"places.csv line 2, column 1 (id)", "is required"}},
		{"bad time", "id,lat,lon,open\nB1,23.1,77.1,25:00\n", readPlaces, []string{"line 2, column 4 (open)"}},
		{"missing column", "id,lat\nB1,23.1\n", readPlaces, []string{"places.csv line 1", "lon"}},
		{"quote error", "id,lat,lon\nB1,\"23.1,77.1\n", readPlaces, []string{"places.csv line 2, column"}},
		{"vistarak cap", "id,lat,lon,max_visits\nV1,23.1,77.1,many\n", readVistaraks, []string{"vistaraks.csv line 2, column 4 (max_visits)"}},
		{"matrix km", "from,to,km\nB1,B2,\n", readMatrix, []string{"matrix.csv line 2, column 3 (km)", "is required"}},
		{"plan seq", "vistarak,date,seq,place\nV1,2022-01-20,first,B1\n", readPlan, []string{"plan.csv line 2, column 3 (seq)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.read(tc.csv)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var se *schedule.Error
			if !errors.As(err, &se) {
				t.Errorf("not a schedule.Error: %T", err)
			}
		})
	}
}

func readPlaces(s string) error    { _, err := ReadPlacesCSV(strings.NewReader(s)); return err }
func readVistaraks(s string) error { _, err := ReadVistaraksCSV(strings.NewReader(s)); return err }
func readMatrix(s string) error    { _, err := ReadMatrixCSV(strings.NewReader(s)); return err }
func readPlan(s string) error      { _, err := ReadPlanCSV(strings.NewReader(s)); return err }

// CSV round trip: written files read back to the same campaign, and
// validation errors of CSV rows name their line.
func TestCSVRoundTripAndLineInValidation(t *testing.T) {
	in := Synthetic(SyntheticSpec{Seed: 3, Places: 40, Vistaraks: 10, Days: 3, TimeWindows: 0.3, DayWindows: 0.3, Languages: 0.2, PartTime: 0.3})
	var pb, vb strings.Builder
	if err := WritePlacesCSV(&pb, in.Places); err != nil {
		t.Fatal(err)
	}
	if err := WriteVistaraksCSV(&vb, in.Vistaraks); err != nil {
		t.Fatal(err)
	}
	places, err := ReadPlacesCSV(strings.NewReader(pb.String()))
	if err != nil {
		t.Fatal(err)
	}
	vists, err := ReadVistaraksCSV(strings.NewReader(vb.String()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range places {
		places[i].line = 0
		if !equalJSON(t, places[i], in.Places[i]) {
			t.Fatalf("place %d: %+v vs %+v", i, places[i], in.Places[i])
		}
	}
	for i := range vists {
		vists[i].line = 0
		if !equalJSON(t, vists[i], in.Vistaraks[i]) {
			t.Fatalf("vistarak %d: %+v vs %+v", i, vists[i], in.Vistaraks[i])
		}
	}
	// A duplicate ID in the CSV is reported with its line.
	bad := pb.String() + "B1,dup,,booth,23.1,77.1,,,,,,\n"
	places, err = ReadPlacesCSV(strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	c := &Instance{Dates: in.Dates, Places: places, Vistaraks: in.Vistaraks}
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), "line 42") || !strings.Contains(err.Error(), "duplicates") {
		t.Fatalf("want duplicate on line 42: %v", err)
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	var x, y strings.Builder
	if err := WriteJSON(&x, a); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&y, b); err != nil {
		t.Fatal(err)
	}
	return x.String() == y.String()
}
