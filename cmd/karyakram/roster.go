package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/schedule/roster"
)

const rosterUsage = `usage: karyakram roster <plan|check> [flags]

  plan   choose hosts and dates and assign every district (or, with
         -keep-hosts, only assign districts to the roster's workshops)
  check  validate a hand-made roster (-roster) and compare it with the
         planner's best roster for the same hosts and dates

The series comes from -instance (JSON) or from CSV files: -towns (HQ towns
and candidate hosts), -districts, -dates and -teams (default: the roster's
dates and workshops per date). Without -towns and -districts they are the
organisation's: its district units and their HQ towns in the database given
by -dsn or KARYAKRAM_DSN, else the built-in organisation that "demo" seeds
(57 districts, 52 HQ towns). So a district missing from a checked roster
is reported. -districts-from-roster takes the roster's districts instead.
Run "karyakram roster plan -h" for the flags.`

// runRoster implements "karyakram roster plan|check".
func runRoster(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, rosterUsage)
		if len(args) == 0 {
			return errors.New("roster: a subcommand (plan or check) is required")
		}
		return nil
	}
	switch args[0] {
	case "plan":
		return rosterPlan(ctx, args[1:], getenv, stdout, stderr)
	case "check":
		return rosterCheck(ctx, args[1:], getenv, stdout, stderr)
	default:
		fmt.Fprintln(stderr, rosterUsage)
		return fmt.Errorf("roster: unknown subcommand %q (want plan or check)", args[0])
	}
}

// rosterListFlag collects a repeatable flag.
type rosterListFlag []string

// String joins the collected values (flag.Value).
func (l *rosterListFlag) String() string { return strings.Join(*l, ",") }

// Set appends one occurrence of the flag (flag.Value).
func (l *rosterListFlag) Set(v string) error { *l = append(*l, v); return nil }

// rosterSeriesFlags are the flags that assemble an Instance.
type rosterSeriesFlags struct {
	instance, towns, districts, rosterFile, distances string
	dates, teams                                      string
	maxDistricts, maxAttendees, attendees             int
	roadFactor, fixedCost                             float64
	pins, pinDates, excludes, excludeDates            rosterListFlag
	title                                             string
	dsn                                               string
	fromRoster                                        bool
}

func (s *rosterSeriesFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&s.dsn, "dsn", getenv("KARYAKRAM_DSN"), "database whose organisation gives the default districts and towns (postgres://… or SQLite file); empty: the built-in organisation")
	fs.BoolVar(&s.fromRoster, "districts-from-roster", false, "take the districts from -roster instead of the organisation (a district missing from the roster then goes unnoticed)")
	fs.StringVar(&s.instance, "instance", "", "series as JSON (roster.Instance); CSV flags below add to or override it")
	fs.StringVar(&s.towns, "towns", "", "CSV of HQ towns / candidate hosts: town,town_hi,lat,lon[,max_districts,max_attendees,dates]")
	fs.StringVar(&s.districts, "districts", "", "CSV of districts: district,district_hi,hq[,lat,lon,attendees]")
	fs.StringVar(&s.rosterFile, "roster", "", "roster CSV (date,host_city,host_city_hi,org_district,org_district_hi)")
	fs.StringVar(&s.distances, "distances", "", "CSV road distance matrix: from,to,km (overrides great-circle × road factor)")
	fs.StringVar(&s.dates, "dates", "", "comma-separated workshop dates YYYY-MM-DD (default: the roster's)")
	fs.StringVar(&s.teams, "teams", "", "comma-separated trainer teams per date (default: the roster's workshops per date)")
	fs.IntVar(&s.maxDistricts, "max-districts", -1, "districts per workshop for hosts without their own capacity (0 = no cap; default: the roster's largest workshop, else no cap)")
	fs.IntVar(&s.maxAttendees, "max-attendees", 0, "attendees per workshop for hosts without their own capacity (0 = no cap)")
	fs.IntVar(&s.attendees, "attendees", 1, "expected attendees per district when the districts come from the organisation or -roster")
	fs.Float64Var(&s.roadFactor, "road-factor", 0, "road distance = great-circle × factor (default 1.3)")
	fs.Float64Var(&s.fixedCost, "fixed-cost", 0, "fixed cost per workshop, in person-km")
	fs.Var(&s.pins, "pin", "District=Host: the district must attend at the host (repeatable)")
	fs.Var(&s.pinDates, "pin-date", "Host=YYYY-MM-DD: the host holds a workshop that day (repeatable)")
	fs.Var(&s.excludes, "exclude", "District=Host: the district must not attend at the host (repeatable)")
	fs.Var(&s.excludeDates, "exclude-date", "Host=YYYY-MM-DD: the host cannot hold a workshop that day (repeatable)")
	fs.StringVar(&s.title, "title", "", "series title")
}

// build assembles the instance and returns the roster rows if -roster was given.
func (s *rosterSeriesFlags) build(ctx context.Context) (*roster.Instance, []roster.RosterRow, error) {
	var in *roster.Instance
	var rows []roster.RosterRow
	if s.rosterFile != "" {
		err := rosterReadFile(s.rosterFile, func(r io.Reader) (err error) { rows, err = roster.ReadRosterCSV(r); return err })
		if err != nil {
			return nil, nil, err
		}
	}
	if s.instance != "" {
		err := rosterReadFile(s.instance, func(r io.Reader) (err error) { in, err = roster.ReadInstanceJSON(r); return err })
		if err != nil {
			return nil, nil, err
		}
	} else {
		in = &roster.Instance{}
	}
	if s.towns != "" {
		err := rosterReadFile(s.towns, func(r io.Reader) (err error) { in.Hosts, err = roster.ReadHostsCSV(r); return err })
		if err != nil {
			return nil, nil, err
		}
	}
	var org *rosterOrg
	if len(in.Hosts) == 0 {
		var err error
		if org, err = loadRosterOrg(ctx, s.dsn); err != nil {
			return nil, nil, err
		}
		in.Hosts = org.towns
	}
	switch {
	case s.districts != "":
		err := rosterReadFile(s.districts, func(r io.Reader) (err error) { in.Districts, err = roster.ReadDistrictsCSV(r); return err })
		if err != nil {
			return nil, nil, err
		}
	case len(in.Districts) > 0:
	case s.fromRoster:
		if rows == nil {
			return nil, nil, errors.New("-districts-from-roster needs -roster")
		}
		ds, err := roster.DistrictsFromRoster(rows, in.Hosts, s.attendees)
		if err != nil {
			return nil, nil, fmt.Errorf("districts from roster %s: %w", s.rosterFile, err)
		}
		in.Districts = ds
	default:
		if org == nil {
			var err error
			if org, err = loadRosterOrg(ctx, s.dsn); err != nil {
				return nil, nil, err
			}
		}
		for _, d := range org.districts {
			d.Attendees = s.attendees
			in.Districts = append(in.Districts, d)
		}
	}
	if len(in.Districts) == 0 {
		return nil, nil, errors.New("no districts: give -districts or -instance")
	}
	if s.maxDistricts < 0 {
		s.maxDistricts = largestWorkshop(rows)
	}
	rosterDates, rosterTeams := roster.RosterDates(rows)
	if s.dates != "" {
		in.Dates = rosterSplitList(s.dates)
	} else if len(in.Dates) == 0 {
		in.Dates = rosterDates
	}
	if s.teams != "" {
		in.TeamsPerDate = nil
		for _, v := range rosterSplitList(s.teams) {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, nil, fmt.Errorf("-teams: %q is not a whole number", v)
			}
			in.TeamsPerDate = append(in.TeamsPerDate, n)
		}
	} else if len(in.TeamsPerDate) == 0 && strings.Join(in.Dates, ",") == strings.Join(rosterDates, ",") {
		in.TeamsPerDate = rosterTeams
	}
	for i := range in.Hosts {
		if in.Hosts[i].MaxDistricts == 0 {
			in.Hosts[i].MaxDistricts = s.maxDistricts
		}
		if in.Hosts[i].MaxAttendees == 0 {
			in.Hosts[i].MaxAttendees = s.maxAttendees
		}
	}
	if s.distances != "" {
		err := rosterReadFile(s.distances, func(r io.Reader) (err error) { in.DistanceKm, err = roster.ReadDistanceCSV(r); return err })
		if err != nil {
			return nil, nil, err
		}
	}
	if s.roadFactor != 0 {
		in.RoadFactor = s.roadFactor
	}
	if s.fixedCost != 0 {
		in.FixedCostPerWorkshop = s.fixedCost
	}
	if s.title != "" {
		in.Title = s.title
	}
	pairs := func(flagName string, list rosterListFlag, add func(a, b string)) error {
		for _, v := range list {
			a, b, ok := strings.Cut(v, "=")
			if !ok || strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
				return fmt.Errorf("-%s %q: want Name=Value", flagName, v)
			}
			add(strings.TrimSpace(a), strings.TrimSpace(b))
		}
		return nil
	}
	if err := errors.Join(
		pairs("pin", s.pins, func(a, b string) {
			in.DistrictPins = append(in.DistrictPins, roster.DistrictHost{District: a, Host: b})
		}),
		pairs("exclude", s.excludes, func(a, b string) {
			in.DistrictExclusions = append(in.DistrictExclusions, roster.DistrictHost{District: a, Host: b})
		}),
		pairs("pin-date", s.pinDates, func(a, b string) { in.DatePins = append(in.DatePins, roster.HostDate{Host: a, Date: b}) }),
		pairs("exclude-date", s.excludeDates, func(a, b string) {
			in.DateExclusions = append(in.DateExclusions, roster.HostDate{Host: a, Date: b})
		}),
	); err != nil {
		return nil, nil, err
	}
	return in, rows, nil
}

func rosterPlan(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("roster plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var series rosterSeriesFlags
	series.register(fs, getenv)
	keepHosts := fs.Bool("keep-hosts", false, "keep the -roster's hosts and dates; only assign districts")
	format := fs.String("format", "csv", "output: csv (roster rows) or json (roster, workshops, explanations, bound)")
	output := fs.String("o", "", "write the output to this file instead of stdout")
	work := fs.Int64("work", 0, fmt.Sprintf("search budget in work units when choosing hosts (0 = %d); the same input always gives the same roster", roster.DefaultWorkLimit))
	timeLimit := fs.Duration("time-limit", 0, "also stop the search after this wall-clock time (0 = none; the roster then depends on machine load)")
	gap := fs.Float64("gap", 0, "stop when the proven relative gap is at most this (0 = prove optimality)")
	writeInstance := fs.String("write-instance", "", "also write the assembled series as JSON to this file")
	writeLP := fs.String("write-lp", "", "also write the series as a CPLEX-LP model (for glpsol) to this file")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("roster plan: %w", err)
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("roster plan: -format %q: want csv or json", *format)
	}
	in, rows, err := series.build(ctx)
	if err != nil {
		return fmt.Errorf("roster plan: %w", err)
	}
	if *keepHosts {
		if rows == nil {
			return errors.New("roster plan: -keep-hosts needs -roster")
		}
		in.FixedWorkshops = roster.RosterWorkshops(rows)
	}
	if *writeInstance != "" {
		if err := rosterWriteFile(*writeInstance, func(w io.Writer) error { return roster.WriteJSON(w, in) }); err != nil {
			return fmt.Errorf("roster plan: %w", err)
		}
	}
	if *writeLP != "" {
		if err := rosterWriteFile(*writeLP, func(w io.Writer) error { return roster.WriteLP(w, in, roster.LPOptions{Strong: true}) }); err != nil {
			return fmt.Errorf("roster plan: %w", err)
		}
	}
	res, err := roster.Plan(ctx, in, roster.Options{WorkLimit: *work, TimeLimit: *timeLimit, GapTolerance: *gap})
	if err != nil {
		return fmt.Errorf("roster plan: %w", err)
	}
	status := fmt.Sprintf("gap %.3f%%", 100*res.Gap)
	if res.Optimal {
		status = "proven optimal"
	}
	if !res.Optimal {
		status += ", stopped by " + res.Stats.StoppedBy
	}
	fmt.Fprintf(stderr, "%d districts in %d workshops: %.1f person-km travel, cost %.1f, lower bound %.1f (%s) in %v, %d work units\n",
		len(res.Assignments), len(res.Workshops), res.TravelPersonKm, res.Cost, res.LowerBound, status, res.Stats.Elapsed.Round(time.Millisecond), res.Stats.Work)
	return rosterWriteOutput(*output, stdout, func(w io.Writer) error {
		if *format == "json" {
			return roster.WriteJSON(w, res)
		}
		return roster.WriteRosterCSV(w, in, res.Assignments)
	})
}

func rosterCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("roster check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var series rosterSeriesFlags
	series.register(fs, getenv)
	format := fs.String("format", "text", "output: text (report), json (full report) or csv (violations: rule,message)")
	output := fs.String("o", "", "write the output to this file instead of stdout")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("roster check: %w", err)
	}
	if *format != "text" && *format != "json" && *format != "csv" {
		return fmt.Errorf("roster check: -format %q: want text, json or csv", *format)
	}
	if series.rosterFile == "" {
		return errors.New("roster check: -roster is required")
	}
	in, rows, err := series.build(ctx)
	if err != nil {
		return fmt.Errorf("roster check: %w", err)
	}
	rep, err := roster.Check(ctx, in, rows)
	if err != nil {
		return fmt.Errorf("roster check: %w", err)
	}
	return rosterWriteOutput(*output, stdout, func(w io.Writer) error {
		switch *format {
		case "json":
			return roster.WriteJSON(w, rep)
		case "csv":
			cw := schedule.NewCSVWriter(w)
			_ = cw.Write([]string{"rule", "message", "districts", "hosts", "date"})
			for _, v := range rep.Violations {
				_ = cw.Write([]string{v.Rule, v.Message, strings.Join(v.Districts, ";"), strings.Join(v.Hosts, ";"), v.Date})
			}
			cw.Flush()
			return cw.Error()
		}
		return rosterCheckText(w, rep)
	})
}

func rosterCheckText(w io.Writer, rep *roster.CheckReport) error {
	var b strings.Builder
	if rep.Valid {
		fmt.Fprintf(&b, "valid: no rule violated (%d workshops)\n", rep.Workshops)
	} else {
		fmt.Fprintf(&b, "%d violation(s):\n", len(rep.Violations))
		for _, v := range rep.Violations {
			fmt.Fprintf(&b, "  [%s] %s\n", v.Rule, v.Message)
		}
	}
	fmt.Fprintf(&b, "travel: %.1f person-km, cost %.1f\n", rep.TravelPersonKm, rep.Cost)
	if rep.Best != nil {
		fmt.Fprintf(&b, "planner, same hosts and dates: cost %.1f (%s), %s\n", rep.Best.Cost, rosterProof(rep.Best), rosterSaving(rep.Saving, rep.Cost))
	} else if rep.BestError != "" {
		fmt.Fprintf(&b, "planner, same hosts and dates: %s\n", rep.BestError)
	}
	if rep.OpenBest != nil {
		fmt.Fprintf(&b, "planner, any hosts (same dates and trainer teams): cost %.1f in %d workshops (%s), %s\n",
			rep.OpenBest.Cost, len(rep.OpenBest.Workshops), rosterProof(rep.OpenBest), rosterSaving(rep.OpenSaving, rep.Cost))
	} else if rep.OpenBestError != "" {
		fmt.Fprintf(&b, "planner, any hosts: %s\n", rep.OpenBestError)
	}
	if rep.Best != nil {
		fmt.Fprintln(&b, "same hosts and dates, district by district:")
		for _, e := range rep.Best.Explanations {
			fmt.Fprintf(&b, "  %-18s → %-12s %s %6.1f km\n", e.District, e.Host, e.Date, e.Km)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// rosterProof says how good a planned roster is known to be.
func rosterProof(r *roster.Result) string {
	if r.Optimal {
		return "proven optimal"
	}
	return fmt.Sprintf("within %.2f%% of the lower bound %.1f", 100*r.Gap, r.LowerBound)
}

// rosterSaving phrases cost − best as a change against the checked roster.
func rosterSaving(saving, cost float64) string {
	if saving == 0 {
		return "the same as this roster"
	}
	return fmt.Sprintf("%+.1f (%+.1f%%) against this roster", -saving, -100*saving/max(cost, 1e-9))
}

func rosterSplitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func rosterReadFile(path string, read func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if err := read(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func rosterWriteFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

func rosterWriteOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" {
		return write(stdout)
	}
	return rosterWriteFile(path, write)
}
