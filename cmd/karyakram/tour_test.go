package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/schedule/tour"
)

func runTourCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), append([]string{"tour"}, args...), func(string) string { return "" }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// reportNumber reads the number after label in a report ("total travel:
// 284.7 km" → 284.7).
func reportNumber(t *testing.T, report, label string) float64 {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `\s*([0-9.]+)`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no %q in report:\n%s", label, report)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A generated mandal campaign goes through synthetic → plan → check: the
// plan file holds every place once, the report's km, bound and per-day
// loads agree with the plan file, the check finds the plan valid at the
// same km, and the same input gives the same plan file.
func TestTourSyntheticPlanCheckEndToEnd(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runTourCLI(t, "synthetic", "-scale", "mandal", "-out", dir)
	if err != nil {
		t.Fatal(err)
	}
	places, vists := filepath.Join(dir, "places.csv"), filepath.Join(dir, "vistaraks.csv")
	if !strings.Contains(out, "60 places, 20 vistaraks, 3 days") || !strings.Contains(out, "-days 2022-01-20..2022-01-22") {
		t.Fatalf("synthetic said:\n%s", out)
	}
	plan := func(name string) (string, []byte) {
		path := filepath.Join(dir, name)
		report, stderr, err := runTourCLI(t, "plan", "-places", places, "-vistaraks", vists, "-days", "2022-01-20..2022-01-22",
			"-work", "200000", "-out", path, "-json", path+".json", "-explain", path+".explain.csv")
		if err != nil {
			t.Fatalf("plan: %v\n%s", err, stderr)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return report, data
	}
	report, planCSV := plan("plan.csv")
	_, again := plan("again.csv")
	if !bytes.Equal(planCSV, again) {
		t.Fatal("two runs on the same input wrote different plans")
	}
	rows, err := tour.ReadPlanCSV(bytes.NewReader(planCSV))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	perDay := map[string]int{}
	routeKm := map[string]float64{}
	for _, r := range rows {
		seen[r.Place]++
		perDay[r.Date]++
	}
	// route_km is the last column; sum it once per route.
	for _, line := range strings.Split(strings.TrimSpace(string(planCSV)), "\n")[1:] {
		f := strings.Split(line, ",")
		km, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			t.Fatalf("route_km in %q: %v", line, err)
		}
		routeKm[f[0]+"@"+f[2]] = km
	}
	total := 0.0
	for _, km := range routeKm {
		total += km
	}
	if len(seen) != 60 {
		t.Errorf("%d places in the plan, want 60", len(seen))
	}
	for p, n := range seen {
		if n != 1 {
			t.Errorf("%s visited %d times", p, n)
		}
	}
	travel := reportNumber(t, report, "total travel:")
	if math.Abs(travel-total) > 0.05 {
		t.Errorf("report says %.1f km, the plan's routes add up to %.2f", travel, total)
	}
	bound := reportNumber(t, report, "lower bound:")
	if bound <= 0 || bound > travel+1e-6 {
		t.Errorf("lower bound %.1f, travel %.1f", bound, travel)
	}
	if !strings.Contains(report, "visits: 60 of 60 places") || !strings.Contains(report, "gap") && !strings.Contains(report, "proven optimal") {
		t.Errorf("report:\n%s", report)
	}
	for _, date := range []string{"2022-01-20", "2022-01-21", "2022-01-22"} {
		m := regexp.MustCompile(`(?m)^  ` + date + `\s+(\d+)\s+(\d+)`).FindStringSubmatch(report)
		if m == nil {
			t.Fatalf("no line for %s in:\n%s", date, report)
		}
		if n, _ := strconv.Atoi(m[2]); n != perDay[date] {
			t.Errorf("%s: report says %d visits, plan has %d", date, n, perDay[date])
		}
	}
	var res tour.Result
	data, err := os.ReadFile(filepath.Join(dir, "plan.csv.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if res.Visits != 60 || math.Abs(res.TravelKm-travel) > 0.05 || len(res.Vistaraks) != 20 {
		t.Errorf("json: visits %d km %.2f explanations %d", res.Visits, res.TravelKm, len(res.Vistaraks))
	}
	explain, err := os.ReadFile(filepath.Join(dir, "plan.csv.explain.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(strings.TrimSpace(string(explain)), "\n"); n != 20 || !strings.HasPrefix(string(explain), "vistarak,name,visits") {
		t.Errorf("explanations: %d rows\n%s", n, explain)
	}

	// The planned tour passes the check at the same km.
	check, _, err := runTourCLI(t, "check", "-places", places, "-vistaraks", vists, "-days", "2022-01-20..2022-01-22",
		"-plan", filepath.Join(dir, "plan.csv"), "-work", "200000")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(check, "valid:") || math.Abs(reportNumber(t, check, "total travel:")-travel) > 0.05 {
		t.Fatalf("check:\n%s", check)
	}
	if !strings.Contains(check, "this plan costs +0.0 (+0.00%) against it") {
		t.Errorf("check does not compare with the planner:\n%s", check)
	}

	// A place visited twice and a visit on a date the vistarak may not
	// tour break rules, named by the check.
	lines := strings.Split(strings.TrimSpace(string(planCSV)), "\n")
	f := strings.Split(lines[1], ",")
	other := "V1"
	if f[0] == "V1" {
		other = "V2"
	}
	dup := fmt.Sprintf("%s,,2022-01-22,9,%s,,,,,\n", other, f[4])
	bad := writeFile(t, dir, "bad.csv", string(planCSV)+dup)
	check, _, err = runTourCLI(t, "check", "-places", places, "-vistaraks", vists, "-days", "2022-01-20..2022-01-22", "-plan", bad, "-compare=false")
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(check, "valid:") || !strings.Contains(check, "[coverage] "+f[4]+" is visited 2 times") {
		t.Errorf("double visit not reported:\n%s", check)
	}
}

// Bad uploads are refused with every problem named by file, line and
// column; nothing is planned.
func TestTourPlanErrorsNameFileLineAndColumn(t *testing.T) {
	dir := t.TempDir()
	goodV := writeFile(t, dir, "v.csv", "id,lat,lon\nV1,23.12,77.11\n")
	cases := []struct {
		name   string
		places string
		vists  string
		days   string
		want   []string
	}{
		{"bad number", "id,name,lat,lon\nB1,x,23.1,77.1\nB2,y,abc,77.2\n", "", "2022-01-20", []string{"p.csv line 3, column 3 (lat)", `"abc" is not a number`}},
		{"bad time", "id,lat,lon,open\nB1,23.1,77.1,25:00\n", "", "2022-01-20", []string{"p.csv line 2, column 4 (open)"}},
		{"missing column", "id,lat\nB1,23.1\n", "", "2022-01-20", []string{"p.csv line 1", "lon"}},
		{"duplicate id", "id,lat,lon\nB1,23.1,77.1\nB2,23.2,77.2\nB1,23.3,77.3\n", "", "2022-01-20", []string{"p.csv line 4, column 1 (id)", `"B1" duplicates line 2`}},
		{"window shorter than visit", "id,lat,lon,visit_minutes,open,close\nB1,23.1,77.1,90,10:00,11:00\n", "", "2022-01-20",
			[]string{"p.csv line 2, column 5 (open) and column 6 (close)", "shorter than the 90-minute visit"}},
		{"place day outside the campaign", "id,lat,lon,days\nB1,23.1,77.1,2022-01-20;2022-02-01\n", "", "2022-01-20..2022-01-21",
			[]string{"p.csv line 2, column 4 (days)", `"2022-02-01" is not a date of the campaign`}},
		{"vistarak day outside the campaign", "id,lat,lon\nB1,23.1,77.1\n", "id,lat,lon,days\nV1,23.12,77.11,2022-01-25\n", "2022-01-20",
			[]string{"v.csv line 2, column 4 (days)"}},
		{"no coordinates", "id,lat,lon\nB1,0,0\n", "", "2022-01-20", []string{"p.csv line 2, column 2 (lat) and column 3 (lon)"}},
		{"bad days flag", "id,lat,lon\nB1,23.1,77.1\n", "", "2022-01-30..2022-01-20", []string{"-days", "ends before it starts"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, dir, "p.csv", tc.places)
			v := goodV
			if tc.vists != "" {
				v = writeFile(t, dir, "v.csv", tc.vists)
				defer writeFile(t, dir, "v.csv", "id,lat,lon\nV1,23.12,77.11\n")
			}
			out := filepath.Join(dir, "plan.csv")
			os.Remove(out)
			_, _, err := runTourCLI(t, "plan", "-places", p, "-vistaraks", v, "-days", tc.days, "-out", out)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), strings.ReplaceAll(strings.ReplaceAll(w, "p.csv", p), "v.csv", v)) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if _, statErr := os.Stat(out); statErr == nil {
				t.Error("a plan was written despite the error")
			}
			var se *schedule.Error
			if !strings.Contains(tc.name, "flag") && !errors.As(err, &se) {
				t.Errorf("not a schedule.Error: %T", err)
			}
		})
	}
	// A plan naming an unknown place is refused by check with its line.
	p := writeFile(t, dir, "p.csv", "id,lat,lon\nB1,23.1,77.1\n")
	plan := writeFile(t, dir, "plan.csv", "vistarak,date,seq,place\nV1,2022-01-20,1,B1\nV1,2022-01-20,2,B9\n")
	_, _, err := runTourCLI(t, "check", "-places", p, "-vistaraks", goodV, "-days", "2022-01-20", "-plan", plan)
	if err == nil || !strings.Contains(err.Error(), plan+" line 3, column 4 (place)") || !strings.Contains(err.Error(), `unknown place "B9"`) {
		t.Errorf("check of an unknown place: %v", err)
	}
}

// A place no vistarak may visit is listed as uncovered with the rule and
// the nearest vistaraks; the rest is planned.
func TestTourPlanListsUncoveredPlacesWithReasons(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "p.csv", "id,name,lat,lon,languages\nB1,Booth 1,23.10,77.10,\nB2,Booth 2,23.11,77.10,gondi\nB3,Booth 3,23.40,77.90,\n")
	v := writeFile(t, dir, "v.csv", "id,name,lat,lon,languages\nV1,Vistarak 1,23.12,77.11,hi\n")
	_, report, err := runTourCLI(t, "plan", "-places", p, "-vistaraks", v, "-days", "2022-01-20,2022-01-21")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"visits: 1 of 3 places",
		"uncovered places: 2 (by rule: language 1, max km per day 1)",
		"B2 [language] no vistarak may visit it; nearest: V1",
		"speaks hi, the place needs gondi",
		"B3 [max km per day]",
		"proven optimal",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}
