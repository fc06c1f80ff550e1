// Command roster compares karyakram's roster planner with glpsol (GLPK's
// MILP solver) on the same instances: the 2022 roster with its hosts fixed,
// the 2022 districts with host choice open, and a synthetic 1,000-district
// instance. It writes each instance as a CPLEX-LP model, solves it with both,
// and prints a Markdown table with objective gap and time ratio.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule/roster"
)

func main() {
	testdata := flag.String("testdata", "schedule/roster/testdata", "directory with mp-workshops-2022-01.csv and mp-district-hq.csv")
	glpsol := flag.String("glpsol", "glpsol", "glpsol binary (empty to skip the comparison)")
	tmlim := flag.Int("tmlim", 300, "glpsol time limit in seconds")
	cases := flag.String("cases", "fixed2022,open2022,synthetic1000", "comma-separated cases to run (also: synthetic1000-weakLP)")
	workdir := flag.String("workdir", "", "where to write the LP models and glpsol logs (default: a temp dir)")
	flag.Parse()
	if err := run(*testdata, *glpsol, *tmlim, strings.Split(*cases, ","), *workdir); err != nil {
		fmt.Fprintln(os.Stderr, "bench roster:", err)
		os.Exit(1)
	}
}

type benchCase struct {
	name    string
	in      *roster.Instance
	opt     roster.Options
	reps    int
	strong  bool
	comment string
}

func run(testdata, glpsol string, tmlim int, names []string, workdir string) error {
	if workdir == "" {
		dir, err := os.MkdirTemp("", "roster-bench-")
		if err != nil {
			return fmt.Errorf("temp dir: %w", err)
		}
		workdir = dir
	}
	if err := os.MkdirAll(workdir, 0o755); err != nil {
		return fmt.Errorf("workdir: %w", err)
	}
	fixed, open, err := load2022(testdata)
	if err != nil {
		return err
	}
	all := map[string]benchCase{
		"fixed2022": {name: "fixed2022", in: fixed, reps: 200, strong: true,
			comment: "2022: 57 districts, the roster's 14 workshops fixed"},
		"open2022": {name: "open2022", in: open, reps: 10, strong: true, opt: roster.Options{},
			comment: "2022: 57 districts, any of 52 HQ towns may host, teams 9+5, 6 districts/workshop"},
		"synthetic1000": {name: "synthetic1000", reps: 1, strong: true,
			in: roster.Synthetic(roster.SyntheticSpec{Seed: 1, Districts: 1000, Hosts: 400, Dates: 5, TeamsPerDate: 40,
				MaxDistricts: 8, MinAttendees: 20, MaxAttendance: 60}),
			opt:     roster.Options{GapTolerance: 0.005},
			comment: "synthetic: 1,000 districts, 400 candidate hosts, 5 dates × 40 teams, 8 districts/workshop"},
	}
	weak := all["synthetic1000"]
	weak.name, weak.strong = "synthetic1000-weakLP", false
	weak.comment += "; glpsol gets the weak model (capacity rows only link x to y: smaller LP)"
	all[weak.name] = weak
	fmt.Println("| case | planner cost | planner bound | planner gap | planner time | glpsol objective | glpsol bound | glpsol status | glpsol time | planner vs glpsol | time ratio |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	for _, name := range names {
		c, ok := all[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("unknown case %q", name)
		}
		c.opt.SkipExplanations = true
		res, elapsed, err := timePlan(c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		row := []string{c.name, fmt.Sprintf("%.1f", res.Cost), fmt.Sprintf("%.1f", res.LowerBound),
			gapText(res), fmtDur(elapsed)}
		if glpsol == "" {
			row = append(row, "-", "-", "skipped", "-", "-", "-")
		} else {
			g, err := runGlpsol(glpsol, tmlim, workdir, c)
			if err != nil {
				return fmt.Errorf("%s: glpsol: %w", c.name, err)
			}
			obj, bound := "none", "-"
			if g.found {
				obj = fmt.Sprintf("%.1f", g.objective)
			}
			if g.hasBound {
				bound = fmt.Sprintf("%.1f", g.bound)
			}
			vs := "-"
			if g.found {
				vs = fmt.Sprintf("%+.3f%%", 100*(res.Cost-g.objective)/g.objective)
			}
			row = append(row, obj, bound, g.status, fmtDur(g.elapsed), vs, fmt.Sprintf("%.0f×", g.elapsed.Seconds()/elapsed.Seconds()))
		}
		fmt.Println("| " + strings.Join(row, " | ") + " |")
		fmt.Fprintf(os.Stderr, "%s: %s; planner: %d Lagrange iterations, %d nodes, %d assignment solves\n",
			c.name, c.comment, res.Stats.LagrangeIterations, res.Stats.Nodes, res.Stats.Evaluations)
	}
	fmt.Fprintf(os.Stderr, "LP models and glpsol logs in %s\n", workdir)
	return nil
}

func load2022(dir string) (fixed, open *roster.Instance, err error) {
	rf, err := os.Open(filepath.Join(dir, "mp-workshops-2022-01.csv"))
	if err != nil {
		return nil, nil, fmt.Errorf("open fixture: %w", err)
	}
	defer rf.Close()
	rows, err := roster.ReadRosterCSV(rf)
	if err != nil {
		return nil, nil, fmt.Errorf("read fixture: %w", err)
	}
	tf, err := os.Open(filepath.Join(dir, "mp-district-hq.csv"))
	if err != nil {
		return nil, nil, fmt.Errorf("open towns: %w", err)
	}
	defer tf.Close()
	towns, err := roster.ReadHostsCSV(tf)
	if err != nil {
		return nil, nil, fmt.Errorf("read towns: %w", err)
	}
	open, err = roster.InstanceFromRoster("MP workshops January 2022", rows, towns, 6)
	if err != nil {
		return nil, nil, err
	}
	fixedCopy := *open
	fixedCopy.FixedWorkshops = roster.RosterWorkshops(rows)
	return &fixedCopy, open, nil
}

// timePlan runs the planner reps times and returns the median time.
func timePlan(c benchCase) (*roster.Result, time.Duration, error) {
	var times []time.Duration
	var res *roster.Result
	for i := 0; i < c.reps; i++ {
		start := time.Now()
		r, err := roster.Plan(context.Background(), c.in, c.opt)
		if err != nil {
			return nil, 0, err
		}
		times = append(times, time.Since(start))
		res = r
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return res, times[len(times)/2], nil
}

type glpsolResult struct {
	found, hasBound, optimal bool
	objective, bound         float64
	status                   string
	elapsed                  time.Duration
}

var (
	mipLine     = regexp.MustCompile(`mip =\s+(\S+)\s+>=\s+(\S+)`)
	mipNotFound = regexp.MustCompile(`mip =\s+not found yet\s+>=\s+(\S+)`)
)

func runGlpsol(bin string, tmlim int, dir string, c benchCase) (*glpsolResult, error) {
	model := filepath.Join(dir, c.name+".lp")
	f, err := os.Create(model)
	if err != nil {
		return nil, err
	}
	if err := roster.WriteLP(f, c.in, roster.LPOptions{Strong: c.strong}); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	start := time.Now()
	out, err := exec.Command(bin, "--lp", model, "--tmlim", strconv.Itoa(tmlim)).CombinedOutput()
	elapsed := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, err
	}
	if werr := os.WriteFile(filepath.Join(dir, c.name+".glpsol.log"), out, 0o644); werr != nil {
		return nil, werr
	}
	text := string(out)
	g := &glpsolResult{elapsed: elapsed}
	if m := mipLine.FindAllStringSubmatch(text, -1); len(m) > 0 {
		last := m[len(m)-1]
		if v, err := strconv.ParseFloat(last[1], 64); err == nil {
			g.objective, g.found = v, true
		}
		if v, err := strconv.ParseFloat(last[2], 64); err == nil {
			g.bound, g.hasBound = v, true
		}
	} else if m := mipNotFound.FindAllStringSubmatch(text, -1); len(m) > 0 {
		if v, err := strconv.ParseFloat(m[len(m)-1][1], 64); err == nil {
			g.bound, g.hasBound = v, true
		}
	}
	switch {
	case strings.Contains(text, "INTEGER OPTIMAL SOLUTION FOUND"):
		g.status, g.optimal = "optimal", true
		if g.found {
			g.bound, g.hasBound = g.objective, true
		}
	case strings.Contains(text, "TIME LIMIT EXCEEDED"):
		g.status = fmt.Sprintf("time limit %ds", tmlim)
	case strings.Contains(text, "NO INTEGER FEASIBLE") || strings.Contains(text, "NO PRIMAL FEASIBLE"):
		g.status = "infeasible"
	default:
		g.status = "unknown (see log)"
	}
	return g, nil
}

func gapText(res *roster.Result) string {
	if res.Optimal {
		return "0 (proven optimal)"
	}
	return fmt.Sprintf("%.3f%%", 100*res.Gap)
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}
