package roster

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/karyakram/karyakram/schedule"
)

// Reason is one cause of infeasibility: the constraint involved, a message
// for people and the districts and hosts concerned.
type Reason struct {
	Constraint string   `json:"constraint"`
	Message    string   `json:"message"`
	Districts  []string `json:"districts,omitempty"`
	Hosts      []string `json:"hosts,omitempty"`
}

// InfeasibleError says why no roster satisfies the constraints. It unwraps
// to a schedule.EINVALID error so adapters map it like any invalid input.
type InfeasibleError struct {
	Reasons []Reason
}

// Error lists every reason, constraint first.
func (e *InfeasibleError) Error() string {
	msgs := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		msgs[i] = r.Constraint + ": " + r.Message
	}
	return "no feasible roster: " + strings.Join(msgs, "; ")
}

// Unwrap exposes the domain error code.
func (e *InfeasibleError) Unwrap() error {
	return &schedule.Error{Code: schedule.EINVALID, Message: "no feasible roster"}
}

// precheck finds contradictions and capacity shortfalls before searching.
func (p *problem) precheck() error {
	in := p.in
	reasons := append([]Reason(nil), p.conflicts...)
	var forcedHosts []int
	for h := 0; h < p.nH; h++ {
		if !p.forced[h] {
			continue
		}
		forcedHosts = append(forcedHosts, h)
		if p.closed[h] {
			reasons = append(reasons, Reason{Constraint: "pins",
				Message: fmt.Sprintf("host %s must hold a workshop (pinned or fixed) but cannot: %s", in.Hosts[h].Name, p.closedWhy[h]),
				Hosts:   []string{in.Hosts[h].Name}})
		}
	}
	// Districts with nowhere to go.
	var homeless []string
	var details []string
	for d := 0; d < p.nD; d++ {
		ok := false
		for h := 0; h < p.nH && !ok; h++ {
			ok = !p.closed[h] && !math.IsInf(p.cost[d][h], 1)
		}
		if ok {
			continue
		}
		homeless = append(homeless, in.Districts[d].Name)
		if ph := p.pinHost[d]; ph >= 0 {
			details = append(details, fmt.Sprintf("%s is pinned to %s, which cannot host (%s)", in.Districts[d].Name, in.Hosts[ph].Name, p.closedWhy[ph]))
		} else {
			details = append(details, fmt.Sprintf("%s is excluded from or unreachable to every host that can hold a workshop", in.Districts[d].Name))
		}
	}
	if len(homeless) > 0 {
		reasons = append(reasons, Reason{Constraint: "availability",
			Message:   fmt.Sprintf("%d district(s) have no available host: %s", len(homeless), strings.Join(details, "; ")),
			Districts: homeless})
	}
	// Hosts that must hold workshops but do not fit the trainer teams.
	if len(forcedHosts) > 0 && !p.schedulable(forcedHosts) {
		names := p.hostNames(forcedHosts)
		reasons = append(reasons, Reason{Constraint: "teams per date",
			Message: fmt.Sprintf("%d hosts must hold workshops (%s) but the trainer teams per date (%s) and their available dates cannot cover them",
				len(forcedHosts), strings.Join(names, ", "), p.teamsText()),
			Hosts: names})
	}
	// Capacity: the largest total capacity any schedulable set of hosts has.
	if c := p.maxCapacity(func(h int) int { return p.capCount[h] }); c < p.nD {
		reasons = append(reasons, Reason{Constraint: "capacity",
			Message: fmt.Sprintf("%d districts need places but at most %d workshops (trainer teams %s) offer at most %d district places",
				p.nD, totalTeams(p), p.teamsText(), c)})
	}
	if p.hasAttCap {
		need := 0
		for _, a := range p.att {
			need += a
		}
		if c := p.maxCapacity(func(h int) int { return min(p.capAtt[h], 1<<40) }); c < need {
			reasons = append(reasons, Reason{Constraint: "capacity",
				Message: fmt.Sprintf("%d attendees need seats but at most %d workshops (trainer teams %s) seat at most %d",
					need, totalTeams(p), p.teamsText(), c)})
		}
	}
	if len(reasons) > 0 {
		return &InfeasibleError{Reasons: reasons}
	}
	return nil
}

// maxCapacity returns the largest total weight of a schedulable host set
// (greedy is optimal on the date-matching matroid).
func (p *problem) maxCapacity(weight func(h int) int) int {
	order := make([]int, 0, p.nH)
	for h := 0; h < p.nH; h++ {
		if !p.closed[h] {
			order = append(order, h)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return weight(order[i]) > weight(order[j]) })
	m := newDateMatching(p)
	total := 0
	for _, h := range order {
		if m.tryAdd(h) {
			total += weight(h)
		}
	}
	return total
}

func (p *problem) teamsText() string {
	parts := make([]string, p.nT)
	for t, n := range p.teams {
		parts[t] = fmt.Sprintf("%d on %s", n, p.in.Dates[t])
	}
	return strings.Join(parts, ", ")
}

func (p *problem) hostNames(hosts []int) []string {
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = p.in.Hosts[h].Name
	}
	return names
}

// explainStuck turns a failed assignment into a Hall-type explanation: the
// districts that could not all be placed and the only workshops open to them.
func (p *problem) explainStuck(a *assigner, open []int) error {
	in := p.in
	ds := make([]string, len(a.stuckDistricts))
	for i, d := range a.stuckDistricts {
		ds[i] = in.Districts[d].Name
	}
	hs := p.hostNames(a.stuckHosts)
	if len(hs) == 0 {
		return &InfeasibleError{Reasons: []Reason{{Constraint: "availability",
			Message:   fmt.Sprintf("district(s) %s can attend none of the %d workshops (exclusions, pins or own host)", strings.Join(ds, ", "), len(open)),
			Districts: ds}}}
	}
	places := 0
	for _, h := range a.stuckHosts {
		places += p.capCount[h]
	}
	return &InfeasibleError{Reasons: []Reason{{Constraint: "capacity",
		Message: fmt.Sprintf("%d districts (%s) can only attend workshops at %s, which have %d district places in all",
			len(ds), strings.Join(ds, ", "), strings.Join(hs, ", "), places),
		Districts: ds, Hosts: hs}}}
}

// result builds the Result for the incumbent, dates balanced.
func (s *search) result() (*Result, error) {
	p := s.p
	if s.bestOpen == nil || math.IsInf(s.bestCost, 1) {
		return nil, &InfeasibleError{Reasons: []Reason{{Constraint: "search", Message: "no feasible roster was found within the time limit"}}}
	}
	dateOf := p.assignDates(s.bestOpen, s.bestHostOf)
	res := &Result{Cost: s.bestCost, LowerBound: math.Min(s.lb, s.bestCost)}
	byHost := map[int]*Workshop{}
	var order []int
	for _, h := range s.bestOpen {
		byHost[h] = &Workshop{Host: p.in.Hosts[h].Name, Date: p.in.Dates[dateOf[h]]}
		order = append(order, h)
	}
	for d, h := range s.bestHostOf {
		w := byHost[h]
		w.Districts = append(w.Districts, p.in.Districts[d].Name)
		w.Attendees += p.att[d]
		w.TravelPersonKm += p.cost[d][h]
		res.TravelPersonKm += p.cost[d][h]
	}
	sort.SliceStable(order, func(i, j int) bool {
		return dateOf[order[i]] < dateOf[order[j]] || dateOf[order[i]] == dateOf[order[j]] && order[i] < order[j]
	})
	for _, h := range order {
		res.Workshops = append(res.Workshops, *byHost[h])
	}
	for _, h := range order {
		for d, hd := range s.bestHostOf {
			if hd == h {
				res.Assignments = append(res.Assignments, Assignment{Date: p.in.Dates[dateOf[h]], Host: p.in.Hosts[h].Name, District: p.in.Districts[d].Name})
			}
		}
	}
	res.FixedCost = p.fixedCost * float64(len(s.bestOpen))
	if res.Cost > 0 {
		res.Gap = math.Max(0, (res.Cost-res.LowerBound)/res.Cost)
	}
	res.Optimal = res.Gap <= 1e-6
	return res, nil
}

// explain gives each district's host, travel and next best option.
func (s *search) explain(res *Result) []Explanation {
	p := s.p
	a := s.asg
	exact := !p.hasAttCap
	if exact {
		if _, ok := a.solve(s.bestOpen); !ok {
			exact = false
		}
	}
	hostOf := s.bestHostOf
	dateByHost := map[string]string{}
	for _, w := range res.Workshops {
		dateByHost[w.Host] = w.Date
	}
	load := make([]int, p.nH)
	for _, h := range hostOf {
		load[h]++
	}
	out := make([]Explanation, 0, p.nD)
	for d, h := range hostOf {
		e := Explanation{District: p.in.Districts[d].Name, Host: p.in.Hosts[h].Name, Date: dateByHost[p.in.Hosts[h].Name],
			Km: p.km[d][h], PersonKm: p.cost[d][h]}
		switch {
		case p.home[d] == h:
			e.Reason = "own district of the host"
		case p.pinHost[d] == h:
			e.Reason = "pinned"
		default:
			next, extra := -1, math.Inf(1)
			if exact && a.hostOf[d] == h {
				next, extra = a.alternative(d)
			} else {
				for _, g := range s.bestOpen {
					if g == h || load[g] >= p.capCount[g] || math.IsInf(p.cost[d][g], 1) || (p.home[d] >= 0 && p.home[d] != g && slicesContains(s.bestOpen, p.home[d])) {
						continue
					}
					if delta := p.cost[d][g] - p.cost[d][h]; delta < extra {
						next, extra = g, delta
					}
				}
			}
			if next >= 0 {
				e.NextHost = p.in.Hosts[next].Name
				e.NextKm = p.km[d][next]
				e.ExtraCost = extra
			}
		}
		out = append(out, e)
	}
	return out
}

func slicesContains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// assignDates gives each open host a date, respecting availability and
// trainer teams, and among feasible choices balances the days: first the
// number of workshops per date, then the attendees per date.
func (p *problem) assignDates(open []int, hostOf []int) []int {
	dateOf := make([]int, p.nH)
	for h := range dateOf {
		dateOf[h] = -1
	}
	weight := make([]int, p.nH)
	for d, h := range hostOf {
		if h >= 0 {
			weight[h] += p.att[d]
		}
	}
	avail := make([][]bool, p.nH)
	for h := range avail {
		avail[h] = append([]bool(nil), p.avail[h]...)
	}
	feasible := func() bool {
		m := newDateMatching(p)
		m.avail = avail
		for _, h := range open {
			if !m.tryAdd(h) {
				return false
			}
		}
		return true
	}
	order := append([]int(nil), open...)
	sort.SliceStable(order, func(i, j int) bool { return weight[order[i]] > weight[order[j]] })
	count := make([]int, p.nT)
	load := make([]int, p.nT)
	for _, h := range order {
		dates := make([]int, 0, p.nT)
		for t, ok := range avail[h] {
			if ok && count[t] < p.teams[t] {
				dates = append(dates, t)
			}
		}
		sort.SliceStable(dates, func(i, j int) bool {
			a, b := dates[i], dates[j]
			return count[a] < count[b] || count[a] == count[b] && load[a] < load[b]
		})
		saved := append([]bool(nil), avail[h]...)
		for _, t := range dates {
			for u := range avail[h] {
				avail[h][u] = u == t
			}
			if feasible() {
				dateOf[h] = t
				count[t]++
				load[t] += weight[h]
				break
			}
			copy(avail[h], saved)
		}
	}
	// Improve attendee balance by swapping dates of two workshops.
	for improved, rounds := true, 0; improved && rounds < 50; rounds++ {
		improved = false
		for i, a := range open {
			for _, b := range open[i+1:] {
				ta, tb := dateOf[a], dateOf[b]
				if ta == tb || ta < 0 || tb < 0 || !p.avail[a][tb] || !p.avail[b][ta] {
					continue
				}
				before := sq(load[ta]) + sq(load[tb])
				la, lb := load[ta]-weight[a]+weight[b], load[tb]-weight[b]+weight[a]
				if sq(la)+sq(lb) < before {
					dateOf[a], dateOf[b] = tb, ta
					load[ta], load[tb] = la, lb
					improved = true
				}
			}
		}
	}
	return dateOf
}

func sq(x int) int { return x * x }
