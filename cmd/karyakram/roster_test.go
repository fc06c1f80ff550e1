package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/schedule/roster"
)

var (
	fixtureRoster = filepath.Join("..", "..", "schedule", "roster", "testdata", "mp-workshops-2022-01.csv")
	fixtureTowns  = filepath.Join("..", "..", "schedule", "roster", "testdata", "mp-district-hq.csv")
)

func runRosterCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runRoster(context.Background(), args, &stdout, &stderr)
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
