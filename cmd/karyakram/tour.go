package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/schedule/tour"
)

const tourUsage = `usage: karyakram tour <plan|check|synthetic> [flags]

  plan       assign every place (booth or shakti kendra) to a vistarak and
             a day and order each day's visits, minimising road km; prints
             total km, the load per day, the lower bound and gap, and the
             places that cannot be covered with the rule that keeps them out
  check      validate a hand-made or edited plan (-plan) against the rules
             and compare it with the planner's plan and bound
  synthetic  write a generated campaign (-scale mandal|district|state)

The campaign comes from CSV files -places and -vistaraks (and optionally a
road distance/time matrix -matrix) with the dates -days, or from -instance
(JSON); rule flags override the campaign's rules. The plan is
deterministic: the search stops after -work route evaluations, so the same
input gives the same plan on any machine. Run "karyakram tour plan -h" for
the flags and the CSV columns.`

const tourCSVHelp = `
CSV columns (header row required, any order; ';' separates list values):
  places     id,lat,lon[,name,name_hi,kind,areas,visit_minutes,days,open,close,languages]
  vistaraks  id,lat,lon[,name,mobile,days,max_visits_per_day,max_km_per_day,max_visits,
             day_start,day_end,languages,exclude_areas,areas]
  matrix     from,to,km[,minutes]
  plan       vistarak,date,seq,place[,vistarak_name,place_name,start,end,km_from_prev,route_km]
`

// runTour implements "karyakram tour plan|check|synthetic".
func runTour(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, tourUsage)
		if len(args) == 0 {
			return errors.New("tour: a subcommand (plan, check or synthetic) is required")
		}
		return nil
	}
	switch args[0] {
	case "plan":
		return tourPlan(ctx, args[1:], stdout, stderr)
	case "check":
		return tourCheck(ctx, args[1:], stdout, stderr)
	case "synthetic":
		return tourSynthetic(args[1:], stdout, stderr)
	default:
		fmt.Fprintln(stderr, tourUsage)
		return fmt.Errorf("tour: unknown subcommand %q (want plan, check or synthetic)", args[0])
	}
}

// tourCampaignFlags are the flags that assemble a campaign.
type tourCampaignFlags struct {
	instance, places, vistaraks, matrix, days, title string
	rules                                            tour.Rules
}

func (c *tourCampaignFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.instance, "instance", "", "campaign as JSON (tour.Instance); the CSV and rule flags below add to or override it")
	fs.StringVar(&c.places, "places", "", "CSV of places to visit (booths or shakti kendras)")
	fs.StringVar(&c.vistaraks, "vistaraks", "", "CSV of vistaraks (touring organisers)")
	fs.StringVar(&c.matrix, "matrix", "", "CSV road distance/time matrix between place and vistarak IDs (default: great-circle × road factor)")
	fs.StringVar(&c.days, "days", "", "campaign dates: YYYY-MM-DD, comma-separated, or FROM..TO (e.g. 2022-01-20..2022-01-30)")
	fs.StringVar(&c.title, "title", "", "campaign title")
	r := &c.rules
	fs.IntVar(&r.VisitMinutes, "visit-minutes", 0, fmt.Sprintf("default visit length in minutes (0 = %d)", tour.DefaultVisitMinutes))
	fs.IntVar(&r.MaxVisitsPerDay, "max-visits-per-day", 0, fmt.Sprintf("default visits per vistarak per day (0 = %d)", tour.DefaultMaxVisitsPerDay))
	fs.Float64Var(&r.MaxKmPerDay, "max-km-per-day", 0, fmt.Sprintf("default road km per vistarak per day (0 = %d)", tour.DefaultMaxKmPerDay))
	fs.StringVar(&r.DayStart, "day-start", "", "working day starts (HH:MM, default "+tour.DefaultDayStart+")")
	fs.StringVar(&r.DayEnd, "day-end", "", "working day ends (HH:MM, default "+tour.DefaultDayEnd+")")
	fs.Float64Var(&r.Balance, "balance", 0, fmt.Sprintf("visits per vistarak over the campaign at most ⌈balance × places ÷ vistaraks⌉ (0 = %g)", tour.DefaultBalance))
	fs.Float64Var(&r.RoadFactor, "road-factor", 0, fmt.Sprintf("road km = great-circle km × factor where the matrix has no leg (0 = %g)", tour.DefaultRoadFactor))
	fs.Float64Var(&r.SpeedKmh, "speed-kmh", 0, fmt.Sprintf("road speed where the matrix has no minutes (0 = %d)", tour.DefaultSpeedKmh))
	fs.Float64Var(&r.UncoveredPenaltyKm, "uncovered-penalty-km", 0, fmt.Sprintf("cost of leaving a place out, in km (0 = %d)", tour.DefaultUncoveredPenaltyKm))
}

// build reads the files and assembles the campaign.
func (c *tourCampaignFlags) build() (*tour.Instance, error) {
	in := &tour.Instance{}
	if c.instance != "" {
		err := rosterReadFile(c.instance, func(r io.Reader) (err error) { in, err = tour.ReadInstanceJSON(r); return err })
		if err != nil {
			return nil, err
		}
	}
	var errs []error
	if c.places != "" {
		errs = append(errs, tourReadCSV(c.places, func(r io.Reader, name string) (err error) {
			in.Places, err = tour.ReadPlacesCSVNamed(r, name)
			return err
		}))
	}
	if c.vistaraks != "" {
		errs = append(errs, tourReadCSV(c.vistaraks, func(r io.Reader, name string) (err error) {
			in.Vistaraks, err = tour.ReadVistaraksCSVNamed(r, name)
			return err
		}))
	}
	if c.matrix != "" {
		errs = append(errs, tourReadCSV(c.matrix, func(r io.Reader, name string) (err error) {
			in.Matrix, err = tour.ReadMatrixCSVNamed(r, name)
			return err
		}))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if c.days != "" {
		days, err := tourParseDays(c.days)
		if err != nil {
			return nil, fmt.Errorf("-days: %w", err)
		}
		in.Dates = days
	}
	if c.title != "" {
		in.Title = c.title
	}
	r, f := &in.Rules, c.rules
	setInt := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	setFloat := func(dst *float64, v float64) {
		if v != 0 {
			*dst = v
		}
	}
	setInt(&r.VisitMinutes, f.VisitMinutes)
	setInt(&r.MaxVisitsPerDay, f.MaxVisitsPerDay)
	setFloat(&r.MaxKmPerDay, f.MaxKmPerDay)
	setFloat(&r.Balance, f.Balance)
	setFloat(&r.RoadFactor, f.RoadFactor)
	setFloat(&r.SpeedKmh, f.SpeedKmh)
	setFloat(&r.UncoveredPenaltyKm, f.UncoveredPenaltyKm)
	if f.DayStart != "" {
		r.DayStart = f.DayStart
	}
	if f.DayEnd != "" {
		r.DayEnd = f.DayEnd
	}
	switch {
	case len(in.Places) == 0 && c.instance == "":
		return nil, errors.New("no places: give -places (or -instance)")
	case len(in.Vistaraks) == 0 && c.instance == "":
		return nil, errors.New("no vistaraks: give -vistaraks (or -instance)")
	case len(in.Dates) == 0:
		return nil, errors.New("no dates: give -days (e.g. -days 2022-01-20..2022-01-30)")
	}
	if err := in.Validate(); err != nil {
		return nil, tourListErrors(err)
	}
	return in, nil
}

// tourReadCSV opens a CSV file and reads it with the file's path in every
// message (file, line and column).
func tourReadCSV(path string, read func(r io.Reader, name string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if err := read(f, path); err != nil {
		return tourListErrors(err)
	}
	return nil
}

// tourMaxErrors caps the problems listed from one input; the count of the
// rest is given.
const tourMaxErrors = 50

// tourListErrors formats joined errors one per line (at most
// tourMaxErrors), so a bad upload reads as a list of lines to fix.
func tourListErrors(err error) error {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s):", len(list))
	for i, e := range list {
		if i == tourMaxErrors {
			fmt.Fprintf(&b, "\n  … and %d more", len(list)-i)
			break
		}
		b.WriteString("\n  " + e.Error())
	}
	return &tourErrors{text: b.String(), errs: list}
}

// tourErrors is a list of input problems printed one per line; errors.As
// still reaches each (a *schedule.Error).
type tourErrors struct {
	text string
	errs []error
}

func (e *tourErrors) Error() string   { return e.text }
func (e *tourErrors) Unwrap() []error { return e.errs }

// tourParseDays reads "2022-01-20,2022-01-22" and "2022-01-20..2022-01-30"
// (both ends included), mixed.
func tourParseDays(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, isRange := strings.Cut(part, "..")
		if !isRange {
			if _, err := time.Parse(tour.DateLayout, part); err != nil {
				return nil, fmt.Errorf("%q is not a date YYYY-MM-DD", part)
			}
			out = append(out, part)
			continue
		}
		a, err := time.Parse(tour.DateLayout, strings.TrimSpace(from))
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a date YYYY-MM-DD", part, from)
		}
		b, err := time.Parse(tour.DateLayout, strings.TrimSpace(to))
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a date YYYY-MM-DD", part, to)
		}
		if b.Before(a) {
			return nil, fmt.Errorf("%q: the range ends before it starts", part)
		}
		if n := int(b.Sub(a).Hours()/24) + 1; n > tour.MaxDates {
			return nil, fmt.Errorf("%q: %d dates, a campaign has at most %d", part, n, tour.MaxDates)
		}
		for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
			out = append(out, d.Format(tour.DateLayout))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no dates")
	}
	return out, nil
}

func tourPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tour plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var camp tourCampaignFlags
	camp.register(fs)
	out := fs.String("out", "", "write the plan (CSV, one row per visit) to this file; empty: to stdout, with the report on stderr")
	jsonOut := fs.String("json", "", "also write the whole result (routes, bound, explanations, stats) as JSON to this file")
	explainOut := fs.String("explain", "", "also write each vistarak's plan explained (km per day, areas, why) as CSV to this file")
	uncoveredOut := fs.String("uncovered", "", "also write every uncovered place with its rule and reason as CSV to this file")
	show := fs.Int("show", 20, "uncovered places listed in the report")
	work := fs.Int64("work", 0, fmt.Sprintf("search budget in route evaluations (0 = %d per place, at least %d); the same input always gives the same plan", tour.DefaultWorkPerPlace, tour.DefaultMinWork))
	boundRounds := fs.Int("bound-rounds", 0, fmt.Sprintf("rounds of exact pricing for the lower bound (0 = %d)", tour.DefaultBoundRounds))
	timeLimit := fs.Duration("time-limit", 0, "also stop the search after this wall-clock time (0 = none; the plan then depends on machine load)")
	noBound := fs.Bool("no-bound", false, "skip the lower bound (faster; no gap is reported)")
	writeInstance := fs.String("write-instance", "", "also write the assembled campaign as JSON to this file")
	writeLP := fs.String("write-lp", "", "also write the campaign's route MILP (CPLEX LP, for cbc or glpsol) to this file; exact, so only for small campaigns")
	lpMax := fs.Int("lp-max-columns", 2_000_000, "refuse -write-lp when the model has more route columns than this")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the planning to this file (go tool pprof)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: karyakram tour plan -places FILE -vistaraks FILE -days DATES [-matrix FILE] [-out plan.csv] [flags]")
		fs.PrintDefaults()
		fmt.Fprint(stderr, tourCSVHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("tour plan: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("tour plan: unexpected argument %q (flags go before files: -places FILE …)", fs.Arg(0))
	}
	in, err := camp.build()
	if err != nil {
		return fmt.Errorf("tour plan: %w", err)
	}
	if *writeInstance != "" {
		if err := rosterWriteFile(*writeInstance, func(w io.Writer) error { return tour.WriteJSON(w, in) }); err != nil {
			return fmt.Errorf("tour plan: %w", err)
		}
	}
	if *writeLP != "" {
		var st tour.MILPStats
		err := rosterWriteFile(*writeLP, func(w io.Writer) (err error) { st, err = tour.WriteMILP(w, in, *lpMax); return err })
		if err != nil {
			if errors.Is(err, tour.ErrMILPTooLarge) {
				os.Remove(*writeLP)
				return fmt.Errorf("tour plan: -write-lp: %w (raise -lp-max-columns, or plan a smaller scope)", err)
			}
			return fmt.Errorf("tour plan: %w", err)
		}
		fmt.Fprintf(stderr, "route MILP: %d columns, %d rows, %d nonzeros written to %s\n", st.Columns, st.Rows, st.Nonzeros, *writeLP)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("tour plan: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("tour plan: cpu profile: %w", err)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	res, err := tour.Plan(ctx, in, tour.Options{Work: *work, BoundRounds: *boundRounds, TimeLimit: *timeLimit, SkipBound: *noBound})
	if err != nil {
		return fmt.Errorf("tour plan: %w", err)
	}
	planPath, report := *out, stdout
	if planPath == "-" {
		planPath = ""
	}
	if planPath == "" {
		report = stderr
	}
	if err := rosterWriteOutput(planPath, stdout, func(w io.Writer) error { return tour.WritePlanCSV(w, in, res.Routes) }); err != nil {
		return fmt.Errorf("tour plan: %w", err)
	}
	if *jsonOut != "" {
		if err := rosterWriteFile(*jsonOut, func(w io.Writer) error { return tour.WriteJSON(w, res) }); err != nil {
			return fmt.Errorf("tour plan: %w", err)
		}
	}
	if *explainOut != "" {
		if err := rosterWriteFile(*explainOut, func(w io.Writer) error { return tourWriteExplanations(w, res.Vistaraks) }); err != nil {
			return fmt.Errorf("tour plan: %w", err)
		}
	}
	if *uncoveredOut != "" {
		if err := rosterWriteFile(*uncoveredOut, func(w io.Writer) error { return tourWriteUncovered(w, res.Uncovered) }); err != nil {
			return fmt.Errorf("tour plan: %w", err)
		}
	}
	var b strings.Builder
	tourCampaignLine(&b, in)
	tourSummary(&b, in, res.Routes, res.Visits, res.TravelKm, res.Cost, res.Load)
	switch {
	case *noBound:
		fmt.Fprintln(&b, "lower bound: not computed (-no-bound)")
	case res.Optimal:
		fmt.Fprintf(&b, "lower bound: %.1f — proven optimal (no plan keeping the rules costs less)\n", res.LowerBound)
	default:
		fmt.Fprintf(&b, "lower bound: %.1f — gap %.2f%% (no plan keeping the rules costs less than the bound)\n", res.LowerBound, 100*res.Gap)
	}
	st := res.Stats
	stop := "work limit"
	if !st.StoppedByWork {
		stop = "time limit or interrupt"
	}
	fmt.Fprintf(&b, "search: %d route evaluations (stopped by %s), bound %d rounds; %v (search %v, bound %v)\n",
		st.Evaluations, stop, st.BoundRounds, st.Elapsed.Round(time.Millisecond), st.SearchTime.Round(time.Millisecond), st.BoundTime.Round(time.Millisecond))
	tourUncoveredList(&b, res.Uncovered, *show, *uncoveredOut)
	if planPath != "" {
		fmt.Fprintf(&b, "plan: %d visits in %d day routes written to %s\n", res.Visits, len(res.Routes), *out)
	}
	_, err = io.WriteString(report, b.String())
	return err
}

func tourCampaignLine(b *strings.Builder, in *tour.Instance) {
	fmt.Fprintf(b, "campaign: %d places, %d vistaraks, %d days (%s … %s)\n", len(in.Places), len(in.Vistaraks), len(in.Dates), in.Dates[0], in.Dates[len(in.Dates)-1])
}

// tourSummary prints what a plan costs and how it loads the days and the
// vistaraks.
func tourSummary(b *strings.Builder, in *tour.Instance, routes []tour.Route, visits int, travelKm, cost float64, load tour.LoadSummary) {
	uncovered := len(in.Places) - visits
	fmt.Fprintf(b, "visits: %d of %d places in %d day routes, %d uncovered\n", visits, len(in.Places), len(routes), uncovered)
	fmt.Fprintf(b, "total travel: %.1f km", travelKm)
	if cost != travelKm {
		fmt.Fprintf(b, " (cost %.1f with %d uncovered place(s) at %.0f km each)", cost, uncovered, (cost-travelKm)/float64(max(uncovered, 1)))
	}
	b.WriteString("\n")
	fmt.Fprintf(b, "load per vistarak: %d–%d visits (mean %.2f, cap %d); %d at the cap, %d idle\n",
		load.Min, load.Max, load.Mean, load.Cap, load.AtCap, load.Idle)
	type day struct {
		routes, visits, most int
		km, longest          float64
	}
	days := map[string]*day{}
	for _, d := range in.Dates {
		days[d] = &day{}
	}
	for _, r := range routes {
		d := days[r.Date]
		if d == nil {
			continue
		}
		d.routes++
		d.visits += len(r.Visits)
		d.km += r.Km
		d.most = max(d.most, len(r.Visits))
		d.longest = max(d.longest, r.Km)
	}
	b.WriteString("per day:\n  date        vistaraks   visits         km  km/visit  longest route\n")
	for _, date := range in.Dates {
		d := days[date]
		perVisit := 0.0
		if d.visits > 0 {
			perVisit = d.km / float64(d.visits)
		}
		fmt.Fprintf(b, "  %s  %9d  %7d  %9.1f  %8.2f  %6.1f km, %d visits\n", date, d.routes, d.visits, d.km, perVisit, d.longest, d.most)
	}
}

func tourUncoveredList(b *strings.Builder, list []tour.Uncovered, show int, file string) {
	if len(list) == 0 {
		return
	}
	byRule := map[string]int{}
	for _, u := range list {
		byRule[u.Rule]++
	}
	rules := make([]string, 0, len(byRule))
	for r := range byRule {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	var parts []string
	for _, r := range rules {
		parts = append(parts, fmt.Sprintf("%s %d", r, byRule[r]))
	}
	fmt.Fprintf(b, "uncovered places: %d (by rule: %s)\n", len(list), strings.Join(parts, ", "))
	for i, u := range list {
		if i == show {
			fmt.Fprintf(b, "  … and %d more", len(list)-i)
			if file != "" {
				fmt.Fprintf(b, " (all in %s)", file)
			} else {
				b.WriteString(" (-uncovered FILE lists all)")
			}
			b.WriteString("\n")
			break
		}
		fmt.Fprintf(b, "  %s [%s] %s\n", u.Place, u.Rule, u.Reason)
	}
}

func tourWriteUncovered(w io.Writer, list []tour.Uncovered) error {
	cw := schedule.NewCSVWriter(w)
	_ = cw.Write([]string{"place", "place_name", "rule", "reason"})
	for _, u := range list {
		_ = cw.Write([]string{u.Place, u.Name, u.Rule, u.Reason})
	}
	cw.Flush()
	return cw.Error()
}

func tourWriteExplanations(w io.Writer, list []tour.VistarakPlan) error {
	cw := schedule.NewCSVWriter(w)
	_ = cw.Write([]string{"vistarak", "name", "visits", "max_visits", "km", "days", "areas", "mean_km_from_stay", "nearest", "why"})
	for _, e := range list {
		var days []string
		for _, d := range e.Days {
			days = append(days, fmt.Sprintf("%s:%d:%.1f", d.Date, d.Visits, d.Km))
		}
		_ = cw.Write([]string{e.Vistarak, e.Name, strconv.Itoa(e.Visits), strconv.Itoa(e.MaxVisits), strconv.FormatFloat(e.Km, 'f', 2, 64),
			strings.Join(days, ";"), strings.Join(e.Areas, ";"), strconv.FormatFloat(e.MeanKmFromStay, 'f', 2, 64), strconv.Itoa(e.Nearest), e.Why})
	}
	cw.Flush()
	return cw.Error()
}

func tourCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tour check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var camp tourCampaignFlags
	camp.register(fs)
	planFile := fs.String("plan", "", "the plan to check (CSV: vistarak,date,seq,place)")
	format := fs.String("format", "text", "output: text (report), json (full report) or csv (violations: rule,message,vistarak,date,places)")
	output := fs.String("o", "", "write the output to this file instead of stdout")
	show := fs.Int("show", 50, "violations and uncovered places listed in the text report")
	compare := fs.Bool("compare", true, "also run the planner on the campaign: its cost and lower bound beside the checked plan's")
	work := fs.Int64("work", 0, "the planner's search budget for -compare (0 = the default)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: karyakram tour check -places FILE -vistaraks FILE -days DATES -plan plan.csv [flags]")
		fs.PrintDefaults()
		fmt.Fprint(stderr, tourCSVHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("tour check: %w", err)
	}
	if *format != "text" && *format != "json" && *format != "csv" {
		return fmt.Errorf("tour check: -format %q: want text, json or csv", *format)
	}
	if *planFile == "" {
		return errors.New("tour check: -plan is required")
	}
	in, err := camp.build()
	if err != nil {
		return fmt.Errorf("tour check: %w", err)
	}
	var rows []tour.PlanRow
	if err := tourReadCSV(*planFile, func(r io.Reader, name string) (err error) { rows, err = tour.ReadPlanCSVNamed(r, name); return err }); err != nil {
		return fmt.Errorf("tour check: %w", err)
	}
	rep, err := tour.Check(in, rows)
	if err != nil {
		return fmt.Errorf("tour check: %w", tourListErrors(err))
	}
	var best *tour.Result
	if *compare {
		if best, err = tour.Plan(ctx, in, tour.Options{Work: *work, SkipExplanations: true}); err != nil {
			return fmt.Errorf("tour check: planner: %w", err)
		}
	}
	return rosterWriteOutput(*output, stdout, func(w io.Writer) error {
		switch *format {
		case "json":
			return tour.WriteJSON(w, struct {
				*tour.CheckReport
				Planner *tour.Result `json:"planner,omitempty"`
			}{rep, best})
		case "csv":
			cw := schedule.NewCSVWriter(w)
			_ = cw.Write([]string{"rule", "message", "vistarak", "date", "places"})
			for _, v := range rep.Violations {
				_ = cw.Write([]string{v.Rule, v.Message, v.Vistarak, v.Date, strings.Join(v.Places, ";")})
			}
			cw.Flush()
			return cw.Error()
		}
		var b strings.Builder
		if rep.Valid {
			fmt.Fprintf(&b, "valid: no rule broken (%d visits in %d day routes)\n", rep.Visits, len(rep.Routes))
		} else {
			fmt.Fprintf(&b, "%d violation(s):\n", len(rep.Violations))
			for i, v := range rep.Violations {
				if i == *show {
					fmt.Fprintf(&b, "  … and %d more (-format csv lists all)\n", len(rep.Violations)-i)
					break
				}
				fmt.Fprintf(&b, "  [%s] %s\n", v.Rule, v.Message)
			}
		}
		tourCampaignLine(&b, in)
		tourSummary(&b, in, rep.Routes, rep.Visits, rep.TravelKm, rep.Cost, rep.Load)
		tourUncoveredList(&b, rep.Uncovered, *show, "")
		if best != nil {
			proof := fmt.Sprintf("lower bound %.1f, gap %.2f%%", best.LowerBound, 100*best.Gap)
			if best.Optimal {
				proof = "proven optimal"
			}
			fmt.Fprintf(&b, "planner: cost %.1f (%s); this plan costs %+.1f (%+.2f%%) against it", best.Cost, proof,
				rep.Cost-best.Cost, 100*(rep.Cost-best.Cost)/max(best.Cost, 1e-9))
			if best.LowerBound > 0 {
				fmt.Fprintf(&b, " and is at most %.2f%% above the best possible plan", 100*(rep.Cost-best.LowerBound)/max(rep.Cost, 1e-9))
			}
			b.WriteString("\n")
		}
		_, err := io.WriteString(w, b.String())
		return err
	})
}

func tourSynthetic(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tour synthetic", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scale := fs.String("scale", "", "mandal (60 booths, 20 vistaraks, 3 days), district (1,150 booths, 350 vistaraks, 11 days) or state (65,015 booths, 20,000 vistaraks, 11 days)")
	seed := fs.Uint64("seed", 1, "random seed (the same seed gives the same campaign)")
	places := fs.Int("places", 0, "places instead of the scale's")
	vistaraks := fs.Int("vistaraks", 0, "vistaraks instead of the scale's")
	days := fs.Int("days", 0, "days instead of the scale's")
	outDir := fs.String("out", "", "directory to write places.csv and vistaraks.csv to (created)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("tour synthetic: %w", err)
	}
	if *outDir == "" {
		return errors.New("tour synthetic: -out DIR is required")
	}
	name := *scale
	if name == "" {
		name = "mandal"
	}
	spec, err := tour.ScaleSpec(name, *seed)
	if err != nil {
		return fmt.Errorf("tour synthetic: -scale: %w", err)
	}
	if *places > 0 {
		spec.Places, spec.Mandals = *places, 0
		if name == "mandal" {
			spec.Mandals = 1
		}
	}
	if *vistaraks > 0 {
		spec.Vistaraks = *vistaraks
	}
	if *days > 0 {
		if *days > tour.MaxDates {
			return fmt.Errorf("tour synthetic: -days %d: at most %d", *days, tour.MaxDates)
		}
		spec.Days = *days
	}
	in := tour.Synthetic(spec)
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return fmt.Errorf("tour synthetic: %w", err)
	}
	pf, vf := filepath.Join(*outDir, "places.csv"), filepath.Join(*outDir, "vistaraks.csv")
	if err := rosterWriteFile(pf, func(w io.Writer) error { return tour.WritePlacesCSV(w, in.Places) }); err != nil {
		return fmt.Errorf("tour synthetic: %w", err)
	}
	if err := rosterWriteFile(vf, func(w io.Writer) error { return tour.WriteVistaraksCSV(w, in.Vistaraks) }); err != nil {
		return fmt.Errorf("tour synthetic: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %d places, %d vistaraks, %d days written to %s and %s\nplan it with:\n  karyakram tour plan -places %s -vistaraks %s -days %s..%s -out plan.csv\n",
		in.Title, len(in.Places), len(in.Vistaraks), len(in.Dates), pf, vf, pf, vf, in.Dates[0], in.Dates[len(in.Dates)-1])
	return nil
}
