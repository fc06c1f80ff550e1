package tour

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// Dropout says a vistarak stops touring from a date on.
type Dropout struct {
	Vistarak string `json:"vistarak"`
	From     string `json:"from"`
}

// ReplanResult is a re-planned tour and what changed.
type ReplanResult struct {
	*Result
	// Cut is the first date that could change: the earliest drop-out.
	// Every route before it is kept exactly.
	Cut    string `json:"cut"`
	Frozen int    `json:"frozen_visits"`
	// Changed lists the places whose vistarak or date changed.
	Changed []Change `json:"changed"`
}

// Change is one place moved by re-planning.
type Change struct {
	Place        string `json:"place"`
	FromVistarak string `json:"from_vistarak,omitempty"`
	FromDate     string `json:"from_date,omitempty"`
	ToVistarak   string `json:"to_vistarak,omitempty"`
	ToDate       string `json:"to_date,omitempty"`
}

// Replan re-plans a tour around vistaraks who drop out. Routes before the
// earliest drop-out date are kept exactly (they happened). From that date
// on, the drop-outs' visits go to others and the rest of the plan is kept
// where it still keeps the rules and improved only by local moves, so few
// visits change; every vistarak keeps their visit cap counting the visits
// already made. The bound covers the kept past plus the re-planned rest.
func Replan(ctx context.Context, in *Instance, rows []PlanRow, drops []Dropout, opt Options) (*ReplanResult, error) {
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("tour campaign: %w", err)
	}
	start := time.Now()
	p := compile(in)
	ps, err := loadPlan(p, rows)
	if err != nil {
		return nil, err
	}
	if len(drops) == 0 {
		return nil, schedule.FieldError("dropouts", "name at least one vistarak and the date they stop")
	}
	cut := p.nT
	dropFrom := map[int]int{}
	for i, d := range drops {
		v, ok := p.vIdx[d.Vistarak]
		if !ok {
			return nil, schedule.FieldError(fmt.Sprintf("dropouts[%d].vistarak", i), "unknown vistarak %q", d.Vistarak)
		}
		t, ok := p.dateIdx[d.From]
		if !ok {
			return nil, schedule.FieldError(fmt.Sprintf("dropouts[%d].from", i), "%q is not a date of the campaign", d.From)
		}
		dropFrom[v] = t
		cut = min(cut, t)
	}
	// The reduced campaign: places not yet visited, days from the cut on,
	// caps less the visits made.
	frozenLoad := make([]int, p.nV)
	visited := make([]bool, p.nP)
	var frozenKeys [][2]int
	for k, seq := range ps.routes {
		if k[1] < cut {
			frozenKeys = append(frozenKeys, k)
			frozenLoad[k[0]] += len(seq)
			for _, x := range seq {
				visited[x] = true
			}
		}
	}
	in2 := &Instance{Title: in.Title + " (re-planned)", Dates: in.Dates, Rules: in.Rules}
	for i, pl := range in.Places {
		if !visited[i] {
			in2.Places = append(in2.Places, pl)
		}
	}
	for v, vk := range in.Vistaraks {
		days := p.vDays[v] &^ (uint64(1)<<uint(cut) - 1)
		if t, ok := dropFrom[v]; ok {
			days &= uint64(1)<<uint(t) - 1
		}
		capLeft := p.capV[v] - frozenLoad[v]
		if days == 0 || capLeft <= 0 {
			continue
		}
		vk.Days = nil
		for t := 0; t < p.nT; t++ {
			if days&(1<<uint(t)) != 0 {
				vk.Days = append(vk.Days, in.Dates[t])
			}
		}
		vk.MaxVisits = capLeft
		in2.Vistaraks = append(in2.Vistaraks, vk)
	}
	res := &ReplanResult{Cut: in.Dates[min(cut, p.nT-1)]}
	if len(in2.Places) == 0 || len(in2.Vistaraks) == 0 {
		// Nothing left to plan or nobody left to plan it with.
		res.Result = &Result{}
		if len(in2.Places) > 0 {
			for _, pl := range in2.Places {
				res.Uncovered = append(res.Uncovered, Uncovered{Place: pl.ID, Name: pl.Name, Rule: RuleAvailable, Reason: "no vistarak is available from " + res.Cut})
			}
		}
	} else {
		keep := map[string]bool{}
		for _, pl := range in2.Places {
			keep[pl.ID] = true
		}
		for _, vk := range in2.Vistaraks {
			keep[vk.ID] = true
		}
		for _, l := range in.Matrix {
			if keep[l.From] && keep[l.To] {
				in2.Matrix = append(in2.Matrix, l)
			}
		}
		p2 := compile(in2)
		c2 := p2.buildCands()
		s := newSolution(p2, c2)
		// Warm start: the old plan from the cut on, where it still fits.
		keys := make([][2]int, 0, len(ps.routes))
		for k := range ps.routes {
			if k[1] >= cut {
				keys = append(keys, k)
			}
		}
		sortKeys(keys)
		for _, k := range keys {
			v2, ok := p2.vIdx[in.Vistaraks[k[0]].ID]
			if !ok || s.used[v2]&(1<<uint(k[1])) != 0 {
				continue
			}
			var seq []int32
			for _, x := range ps.routes[k] {
				if i2, ok := p2.placeIdx[in.Places[x].ID]; ok && s.routeOf[i2] < 0 && p2.ruleBlock(v2, i2) == "" && !containsInt32Slice(seq, int32(i2)) {
					seq = append(seq, int32(i2))
				}
			}
			if len(seq) == 0 || p2.routeDays(v2, seq)&(1<<uint(k[1])) == 0 || int(s.load[v2])+len(seq) > p2.capV[v2] {
				continue
			}
			km, ok := p2.schedule(v2, seq, nil)
			if !ok {
				continue
			}
			s.addRoute(v2, k[1], seq, km)
		}
		r2, err := planFrom(ctx, p2, c2, s, opt, start, true)
		if err != nil {
			return nil, err
		}
		res.Result = r2
	}
	// Put the kept past in front and total everything.
	sortKeys(frozenKeys)
	var past []Route
	pastKm := 0.0
	for _, k := range frozenKeys {
		r := p.routeOutOrder(k[0], k[1], ps.routes[k])
		past = append(past, r)
		pastKm += r.Km
		res.Frozen += len(r.Visits)
	}
	res.Routes = append(past, res.Routes...)
	sort.SliceStable(res.Routes, func(a, b int) bool {
		va, vb := p.vIdx[res.Routes[a].Vistarak], p.vIdx[res.Routes[b].Vistarak]
		if va != vb {
			return va < vb
		}
		return res.Routes[a].Date < res.Routes[b].Date
	})
	res.Visits += res.Frozen
	res.TravelKm += pastKm
	res.Cost += pastKm
	if res.LowerBound > 0 {
		res.LowerBound += pastKm
	}
	if res.Cost > 0 {
		res.Gap = math.Max(0, (res.Cost-res.LowerBound)/res.Cost)
	}
	// What changed from the cut on.
	before := map[string][2]string{}
	for k, seq := range ps.routes {
		if k[1] >= cut {
			for _, x := range seq {
				before[in.Places[x].ID] = [2]string{in.Vistaraks[k[0]].ID, in.Dates[k[1]]}
			}
		}
	}
	after := map[string][2]string{}
	for _, r := range res.Routes {
		if p.dateIdx[r.Date] >= cut {
			for _, v := range r.Visits {
				after[v.Place] = [2]string{r.Vistarak, r.Date}
			}
		}
	}
	for _, pl := range in.Places {
		b, a := before[pl.ID], after[pl.ID]
		if b != a {
			res.Changed = append(res.Changed, Change{Place: pl.ID, FromVistarak: b[0], FromDate: b[1], ToVistarak: a[0], ToDate: a[1]})
		}
	}
	res.Changed = append([]Change{}, res.Changed...)
	load := make([]int, p.nV)
	for _, r := range res.Routes {
		load[p.vIdx[r.Vistarak]] += len(r.Visits)
	}
	res.Load = loadSummaryOf(p, load)
	return res, nil
}

func sortKeys(keys [][2]int) {
	sort.Slice(keys, func(a, b int) bool {
		if keys[a][0] != keys[b][0] {
			return keys[a][0] < keys[b][0]
		}
		return keys[a][1] < keys[b][1]
	})
}

func containsInt32Slice(s []int32, x int32) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
