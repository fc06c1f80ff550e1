// Command roster compares karyakram's roster planner with glpsol (GLPK's
// MILP solver) on the same instances, in the same run: the 2022 roster with
// its hosts fixed, the 2022 districts with host choice open, and synthetic
// instances of 1,000 and 2,000 districts, loose and tightly capacitated. It
// writes each instance as a CPLEX-LP model, solves it with both, and prints
// a Markdown table: costs, bounds, gaps, work and time (wall and CPU, with
// the load average around the run), whether two runs gave the same roster.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/karyakram/karyakram/schedule/roster"
)

func main() {
	testdata := flag.String("testdata", "schedule/roster/testdata", "directory with mp-workshops-2022-01.csv and mp-district-hq.csv")
	glpsol := flag.String("glpsol", "glpsol", "glpsol binary (empty to skip the comparison)")
	tmlim := flag.Int("tmlim", 300, "glpsol time limit in seconds")
	cases := flag.String("cases", "fixed2022,open2022,synthetic1000,tight1000,seats1000,synthetic2000", "comma-separated cases (also: synthetic1000-weakLP, seats1000-tight)")
	workdir := flag.String("workdir", "", "where to write the LP models and glpsol logs (default: a temp dir)")
	long := flag.Int64("long", 0, "also run the planner with this many times the default work (the best-known reference), 0: no")
	cbc := flag.String("cbc", "", "also solve the strong model's LP relaxation with this COIN-OR cbc binary: the LP bound, and the roster from rounding it (open the hosts with the largest LP values)")
	flag.Parse()
	if err := run(*testdata, *glpsol, *tmlim, strings.Split(*cases, ","), *workdir, *long, *cbc); err != nil {
		fmt.Fprintln(os.Stderr, "bench roster:", err)
		os.Exit(1)
	}
}

type benchCase struct {
	name    string
	in      *roster.Instance
	opt     roster.Options
	reps    int
	strong  bool // glpsol gets the strong model (x ≤ y rows)
	comment string
}

// synthetic1000 is the large instance: 1,000 districts, 400
// candidate hosts, 5 dates × 40 trainer teams, 8 districts a workshop,
// 20–60 attendees a district.
func synthetic1000() roster.SyntheticSpec {
	return roster.SyntheticSpec{Seed: 1, Districts: 1000, Hosts: 400, Dates: 5, TeamsPerDate: 40,
		MaxDistricts: 8, MinAttendees: 20, MaxAttendance: 60}
}

func cases(fixed, open *roster.Instance) map[string]benchCase {
	all := map[string]benchCase{
		"fixed2022": {name: "fixed2022", in: fixed, reps: 200, strong: true,
			comment: "2022: 57 districts, the roster's 14 workshops fixed"},
		"open2022": {name: "open2022", in: open, reps: 10, strong: true,
			comment: "2022: 57 districts, any of 52 HQ towns may host, teams 9+5, 6 districts/workshop"},
		"synthetic1000": {name: "synthetic1000", reps: 1, strong: true, in: roster.Synthetic(synthetic1000()),
			comment: "1,000 districts, 400 candidate hosts, 5 dates × 40 teams, 8 districts/workshop (1,600 places)"},
	}
	tight := synthetic1000()
	tight.TeamsPerDate, tight.MaxDistricts = 34, 6
	all["tight1000"] = benchCase{name: "tight1000", reps: 1, in: roster.Synthetic(tight),
		comment: "1,000 districts, 400 hosts, 5 dates × 34 teams × 6 districts = 1,020 places for 1,000 districts"}
	seats := synthetic1000()
	seats.MaxAttendees = 250
	all["seats1000"] = benchCase{name: "seats1000", reps: 1, in: roster.Synthetic(seats),
		comment: "synthetic1000 with 250 seats a workshop (40,207 attendees, 50,000 seats at most)"}
	tightSeats := synthetic1000()
	in := roster.Synthetic(tightSeats)
	need := 0
	for _, d := range in.Districts {
		need += d.Attendees
	}
	perWorkshop := (need*102/100 + 199) / 200
	for i := range in.Hosts {
		in.Hosts[i].MaxAttendees = perWorkshop
	}
	all["seats1000-tight"] = benchCase{name: "seats1000-tight", reps: 1, in: in,
		comment: fmt.Sprintf("synthetic1000 with %d seats a workshop: 2 %% more seats than attendees over all 200 workshops", perWorkshop)}
	big := synthetic1000()
	big.Districts, big.Hosts, big.TeamsPerDate = 2000, 800, 80
	all["synthetic2000"] = benchCase{name: "synthetic2000", reps: 1, in: roster.Synthetic(big),
		comment: "2,000 districts, 800 hosts, 5 dates × 80 teams, 8 districts/workshop"}
	weak := all["synthetic1000"]
	weak.name, weak.strong = "synthetic1000-weakLP", false
	weak.comment += "; glpsol gets the weak model (capacity rows only link x to y: smaller LP)"
	all[weak.name] = weak
	// glpsol gets the strong model where it can read and start it; on the
	// large instances it cannot finish the strong root LP in 300 s (a
	// 400,000-row model), so it gets the weak one and at least a bound.
	return all
}

func run(testdata, glpsol string, tmlim int, names []string, workdir string, long int64, cbc string) error {
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
	all := cases(fixed, open)
	header := []string{"case", "planner cost", "planner bound", "planner gap", "work units", "planner time (CPU)", "load avg", "same roster twice",
		"at 1/10 of the work: gap (CPU)",
		"glpsol model", "glpsol objective", "glpsol bound", "glpsol status", "glpsol time", "planner vs glpsol"}
	if long > 0 {
		header = append(header, fmt.Sprintf("planner ×%d work: cost / bound", long), "default vs ×work")
	}
	if cbc != "" {
		header = append(header, "LP bound (cbc)", "LP-rounding roster", "planner vs LP rounding")
	}
	fmt.Println("| " + strings.Join(header, " | ") + " |")
	fmt.Println("|" + strings.Repeat("---|", len(header)))
	for _, name := range names {
		c, ok := all[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("unknown case %q", name)
		}
		c.opt.SkipExplanations = true
		load0 := loadAvg()
		res, wall, cpu, err := timePlan(c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		again, err := roster.Plan(context.Background(), c.in, c.opt)
		if err != nil {
			return fmt.Errorf("%s (second run): %w", c.name, err)
		}
		load := loadAvg()
		same := "yes"
		if again.Cost != res.Cost || again.LowerBound != res.LowerBound || !slices.Equal(again.Assignments, res.Assignments) {
			same = fmt.Sprintf("NO (%.1f / %.1f)", res.Cost, again.Cost)
		}
		// How early the gap closes: the same instance on a tenth of the
		// default work.
		tenth := c.opt
		tenth.WorkLimit = roster.DefaultWorkLimit / 10
		cpu0 := cpuTime()
		early, err := roster.Plan(context.Background(), c.in, tenth)
		if err != nil {
			return fmt.Errorf("%s (tenth): %w", c.name, err)
		}
		earlyCPU := cpuTime() - cpu0
		row := []string{c.name, fmt.Sprintf("%.1f", res.Cost), fmt.Sprintf("%.1f", res.LowerBound), gapText(res),
			fmt.Sprintf("%.3g", float64(res.Stats.Work)), fmtDur(wall) + " (" + fmtDur(cpu) + ")", load0 + " → " + load, same,
			gapText(early) + " (" + fmtDur(earlyCPU) + ")"}
		model := "weak"
		if c.strong {
			model = "strong"
		}
		if glpsol == "" {
			row = append(row, "-", "-", "-", "skipped", "-", "-")
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
			row = append(row, model, obj, bound, g.status, fmtDur(g.elapsed), vs)
		}
		if long > 0 {
			opt := c.opt
			opt.WorkLimit = long * roster.DefaultWorkLimit
			best, err := roster.Plan(context.Background(), c.in, opt)
			if err != nil {
				return fmt.Errorf("%s (long run): %w", c.name, err)
			}
			row = append(row, fmt.Sprintf("%.1f / %.1f", best.Cost, best.LowerBound), fmt.Sprintf("%+.3f%%", 100*(res.Cost-best.Cost)/best.Cost))
		}
		if cbc != "" {
			lp, rounded, err := lpRounding(cbc, workdir, c)
			if err != nil {
				return fmt.Errorf("%s: cbc: %w", c.name, err)
			}
			vs := "-"
			if rounded > 0 {
				vs = fmt.Sprintf("%+.3f%%", 100*(res.Cost-rounded)/rounded)
			}
			row = append(row, fmt.Sprintf("%.1f", lp), fmt.Sprintf("%.1f", rounded), vs)
		}
		fmt.Println("| " + strings.Join(row, " | ") + " |")
		fmt.Fprintf(os.Stderr, "%s: %s; planner: %s, %d Lagrange iterations, %d nodes, %d evaluations, stopped by %s\n",
			c.name, c.comment, res.Stats.Method, res.Stats.LagrangeIterations, res.Stats.Nodes, res.Stats.Evaluations, res.Stats.StoppedBy)
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

// timePlan runs the planner reps times and returns the median wall and
// CPU time.
func timePlan(c benchCase) (*roster.Result, time.Duration, time.Duration, error) {
	var walls, cpus []time.Duration
	var res *roster.Result
	for i := 0; i < c.reps; i++ {
		cpu0 := cpuTime()
		start := time.Now()
		r, err := roster.Plan(context.Background(), c.in, c.opt)
		if err != nil {
			return nil, 0, 0, err
		}
		walls = append(walls, time.Since(start))
		cpus = append(cpus, cpuTime()-cpu0)
		res = r
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	sort.Slice(cpus, func(i, j int) bool { return cpus[i] < cpus[j] })
	return res, walls[len(walls)/2], cpus[len(cpus)/2], nil
}

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is the 1-minute load average (Linux), or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
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
		if v, err := strconv.ParseFloat(last[2], 64); err == nil && !math.IsInf(v, 0) {
			g.bound, g.hasBound = v, true
		}
	} else if m := mipNotFound.FindAllStringSubmatch(text, -1); len(m) > 0 {
		if v, err := strconv.ParseFloat(m[len(m)-1][1], 64); err == nil && !math.IsInf(v, 0) {
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

var cbcObjective = regexp.MustCompile(`Optimal - objective value\s+(\S+)`)

// lpRounding solves the strong model's LP relaxation with cbc and rounds
// it the simple way: hosts by their LP value Σt y[h,t], largest first, each
// on its LP date (or the first date with a team left) while trainer teams
// last; the districts are then assigned exactly by the planner. It returns
// the LP bound and the rounded roster's cost (0 if it is infeasible).
func lpRounding(bin, dir string, c benchCase) (float64, float64, error) {
	model := filepath.Join(dir, c.name+".strong.lp")
	f, err := os.Create(model)
	if err != nil {
		return 0, 0, err
	}
	if err := roster.WriteLP(f, c.in, roster.LPOptions{Strong: true}); err != nil {
		f.Close()
		return 0, 0, err
	}
	if err := f.Close(); err != nil {
		return 0, 0, err
	}
	sol := filepath.Join(dir, c.name+".lpsol")
	out, err := exec.Command(bin, model, "initialSolve", "solu", sol, "quit").CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %s", err, out)
	}
	m := cbcObjective.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("no optimal LP: %s", out)
	}
	lp, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		return 0, 0, err
	}
	data, err := os.ReadFile(sol)
	if err != nil {
		return 0, 0, err
	}
	yHost := map[int]float64{}
	bestDate := map[int]int{}
	bestY := map[int]float64{}
	for _, line := range strings.Split(string(data), "\n") {
		fs := strings.Fields(line)
		if len(fs) < 3 || !strings.HasPrefix(fs[1], "y_") {
			continue
		}
		var h, t int
		if _, err := fmt.Sscanf(fs[1], "y_%d_%d", &h, &t); err != nil {
			continue
		}
		v, err := strconv.ParseFloat(fs[2], 64)
		if err != nil || v <= 1e-9 {
			continue
		}
		yHost[h] += v
		if v > bestY[h] {
			bestY[h], bestDate[h] = v, t
		}
	}
	hosts := make([]int, 0, len(yHost))
	for h := range yHost {
		hosts = append(hosts, h)
	}
	sort.Slice(hosts, func(i, j int) bool {
		if yHost[hosts[i]] != yHost[hosts[j]] {
			return yHost[hosts[i]] > yHost[hosts[j]]
		}
		return hosts[i] < hosts[j]
	})
	in := *c.in
	in.FixedWorkshops = nil
	used := make([]int, len(in.Dates))
	for _, h := range hosts {
		t := bestDate[h]
		if used[t] >= in.TeamsPerDate[t] {
			t = -1
			for u := range used {
				if used[u] < in.TeamsPerDate[u] {
					t = u
					break
				}
			}
			if t < 0 {
				break
			}
		}
		used[t]++
		in.FixedWorkshops = append(in.FixedWorkshops, roster.HostDate{Host: in.Hosts[h].Name, Date: in.Dates[t]})
	}
	res, err := roster.Plan(context.Background(), &in, roster.Options{SkipExplanations: true})
	if err != nil {
		return lp, 0, nil
	}
	return lp, res.Cost, nil
}
