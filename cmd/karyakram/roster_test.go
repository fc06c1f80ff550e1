package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule/roster"
)

var (
	fixtureRoster = filepath.Join("..", "..", "schedule", "roster", "testdata", "mp-workshops-2022-01.csv")
	fixtureTowns  = filepath.Join("..", "..", "schedule", "roster", "testdata", "mp-district-hq.csv")
)

func runRosterCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runRoster(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestRosterPlanCSVIsAValidRoster(t *testing.T) {
	out, summary, err := runRosterCLI(t, "plan", "-towns", fixtureTowns, "-roster", fixtureRoster, "-max-districts", "6")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, summary)
	}
	rows, err := roster.ReadRosterCSV(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 57 {
		t.Fatalf("%d roster rows, want 57", len(rows))
	}
	if rows[0].HostHi == "" || rows[0].DistrictHi == "" {
		t.Errorf("Hindi names missing: %+v", rows[0])
	}
	if !strings.Contains(summary, "57 districts") || !strings.Contains(summary, "lower bound") {
		t.Errorf("summary %q", summary)
	}
	// The planned roster passes "roster check" with the same series.
	path := filepath.Join(t.TempDir(), "planned.csv")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	text, _, err := runRosterCLI(t, "check", "-towns", fixtureTowns, "-roster", path, "-max-districts", "6", "-teams", "9,5", "-dates", "2022-01-05,2022-01-06")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "valid:") {
		t.Errorf("planned roster not valid:\n%s", text)
	}
}

func TestRosterPlanJSONKeepHosts(t *testing.T) {
	out, _, err := runRosterCLI(t, "plan", "-towns", fixtureTowns, "-roster", fixtureRoster, "-keep-hosts", "-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res roster.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("bad json: %v", err)
	}
	if len(res.Workshops) != 14 || !res.Optimal || len(res.Explanations) != 57 {
		t.Errorf("workshops %d optimal %v explanations %d", len(res.Workshops), res.Optimal, len(res.Explanations))
	}
}

func TestRosterCheckFixture(t *testing.T) {
	out, _, err := runRosterCLI(t, "check", "-towns", fixtureTowns, "-roster", fixtureRoster, "-max-districts", "6", "-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep roster.CheckReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || rep.Best == nil || rep.Saving < 0 || rep.Cost <= 0 {
		t.Errorf("report: valid %v saving %.1f cost %.1f", rep.Valid, rep.Saving, rep.Cost)
	}
	// A capacity of 4 breaks the fixture's bigger workshops.
	csvOut, _, err := runRosterCLI(t, "check", "-towns", fixtureTowns, "-roster", fixtureRoster, "-max-districts", "4", "-format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvOut, `capacity,"workshop at Bhopal has 6 districts, capacity 4"`) {
		t.Errorf("capacity violation missing:\n%s", csvOut)
	}
}

// TestRosterCheckTakesTheOrganisationsDistricts: with no -districts, a
// district of the organisation missing from the roster is a violation (it
// used to pass unseen when the list came from the roster itself), and the
// report sets the open-host optimum beside the same-hosts one.
func TestRosterCheckTakesTheOrganisationsDistricts(t *testing.T) {
	full, err := os.ReadFile(fixtureRoster)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(strings.TrimSpace(string(full)), "\n") {
		if !strings.Contains(line, ",Jhabua,") {
			kept = append(kept, line)
		}
	}
	path := filepath.Join(t.TempDir(), "without-jhabua.csv")
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	text, _, err := runRosterCLI(t, "check", "-roster", path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(text, "valid:") || !strings.Contains(text, "not assigned: Jhabua") {
		t.Errorf("missing district not reported:\n%s", text)
	}
	// The old behaviour stays available, and is blind to the gap.
	text, _, err = runRosterCLI(t, "check", "-roster", path, "-districts-from-roster")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "valid:") {
		t.Errorf("-districts-from-roster:\n%s", text)
	}

	// The full roster: the open-host optimum is the planner's own (any HQ
	// town, the roster's dates, trainer teams and largest workshop).
	out, _, err := runRosterCLI(t, "check", "-roster", fixtureRoster, "-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep roster.CheckReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	rows, err := roster.ReadRosterCSV(strings.NewReader(string(full)))
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.Open(fixtureTowns)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	towns, err := roster.ReadHostsCSV(g)
	if err != nil {
		t.Fatal(err)
	}
	in, err := roster.InstanceFromRoster("2022", rows, towns, 6)
	if err != nil {
		t.Fatal(err)
	}
	want, err := roster.Plan(context.Background(), in, roster.Options{SkipExplanations: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || rep.OpenBest == nil || !rep.OpenBest.Optimal || math.Abs(rep.OpenBest.Cost-want.Cost) > 1e-6 {
		t.Fatalf("valid %v, open-host roster %+v, planner %.3f", rep.Valid, rep.OpenBest, want.Cost)
	}
	if math.Abs(rep.OpenSaving-(rep.Cost-want.Cost)) > 1e-6 || rep.OpenSaving <= rep.Saving {
		t.Errorf("open saving %.3f, same-hosts saving %.3f", rep.OpenSaving, rep.Saving)
	}
	text, _, err = runRosterCLI(t, "check", "-roster", fixtureRoster)
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("any hosts (same dates and trainer teams): cost %.1f in %d workshops (proven optimal), %+.1f (%+.1f%%)",
		want.Cost, len(want.Workshops), want.Cost-rep.Cost, 100*(want.Cost-rep.Cost)/rep.Cost)
	if !strings.Contains(text, line) {
		t.Errorf("text report lacks %q:\n%s", line, text)
	}
}

// TestRosterCheckReadsTheOrganisationFromTheDatabase: with -dsn the
// default districts are the database's district units (here Gwalior Nagar
// and Bhopal Nagar of the test tree), so a roster naming only one of them
// misses the other.
func TestRosterCheckReadsTheOrganisationFromTheDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	st, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.Seed(t, st)
	path := filepath.Join(t.TempDir(), "one.csv")
	csv := "date,host_city,host_city_hi,org_district,org_district_hi\n2022-01-05,Gwalior,ग्वालियर,Gwalior Nagar,ग्वालियर नगर\n"
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	text, _, err := runRosterCLI(t, "check", "-dsn", dsn, "-roster", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "not assigned: Bhopal Nagar") {
		t.Errorf("Bhopal Nagar not reported missing:\n%s", text)
	}
	// The same roster against the built-in organisation misses 56.
	text, _, err = runRosterCLI(t, "check", "-roster", path, "-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep roster.CheckReport
	if err := json.Unmarshal([]byte(text), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Violations) == 0 || len(rep.Violations[0].Districts) != 56 {
		t.Errorf("built-in organisation: %+v", rep.Violations)
	}
}

func TestRosterErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "subcommand"},
		{"unknown subcommand", []string{"publish"}, "publish"},
		{"bad format", []string{"plan", "-towns", fixtureTowns, "-roster", fixtureRoster, "-format", "xml"}, "xml"},
		{"check without roster", []string{"check", "-towns", fixtureTowns}, "-roster is required"},
		{"districts from no roster", []string{"plan", "-districts-from-roster"}, "needs -roster"},
		{"unknown pinned district", []string{"plan", "-towns", fixtureTowns, "-roster", fixtureRoster, "-pin", "Atlantis=Bhopal"}, "Atlantis"},
		{"infeasible", []string{"plan", "-towns", fixtureTowns, "-roster", fixtureRoster, "-max-districts", "3"}, "capacity"},
		{"missing file", []string{"plan", "-towns", "nope.csv", "-roster", fixtureRoster}, "nope.csv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runRosterCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want mention of %q", err, tc.want)
			}
		})
	}
}
