package tour

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// VistarakPlan explains one vistarak's plan: load, km per day and why these
// places.
type VistarakPlan struct {
	Vistarak  string   `json:"vistarak"`
	Name      string   `json:"name,omitempty"`
	Visits    int      `json:"visits"`
	MaxVisits int      `json:"max_visits"`
	Km        float64  `json:"km"`
	Days      []DayKm  `json:"days,omitempty"`
	Areas     []string `json:"areas,omitempty"` // areas visited, most visits first
	// MeanKmFromStay is the mean road km from the stay to the places.
	MeanKmFromStay float64 `json:"mean_km_from_stay"`
	// Nearest counts the places for which this vistarak is the nearest of
	// those allowed to visit them.
	Nearest int `json:"nearest"`
	// Why says in words why these places went to this vistarak.
	Why string `json:"why"`
}

// DayKm is one day of a vistarak's plan.
type DayKm struct {
	Date   string  `json:"date"`
	Visits int     `json:"visits"`
	Km     float64 `json:"km"`
}

// explain builds the per-vistarak explanations.
func (s *solution) explain() []VistarakPlan {
	p, c := s.p, s.c
	out := make([]VistarakPlan, 0, p.nV)
	for v := 0; v < p.nV; v++ {
		vk := p.in.Vistaraks[v]
		e := VistarakPlan{Vistarak: vk.ID, Name: vk.Name, Visits: int(s.load[v]), MaxVisits: p.capV[v]}
		ids := append([]int32(nil), s.vRoutes[v]...)
		sort.Slice(ids, func(a, b int) bool { return s.routes[ids[a]].day < s.routes[ids[b]].day })
		areaCount := map[string]int{}
		full, shared := 0, 0
		var nearerFull []string
		sumKm := 0.0
		for _, id := range ids {
			r := &s.routes[id]
			e.Km += r.km
			e.Days = append(e.Days, DayKm{Date: p.in.Dates[r.day], Visits: len(r.seq), Km: r.km})
			for _, x := range r.seq {
				sumKm += p.km(p.home(v), int(x))
				for _, a := range p.pAreas[x] {
					areaCount[p.areaNames[a]]++
				}
				rank := -1
				for k, u := range c.pVists[x] {
					if int(u) == v {
						rank = k
						break
					}
				}
				if rank == 0 {
					e.Nearest++
					continue
				}
				// A nearer vistarak was allowed: full, or routes share km.
				isFull := false
				for k := 0; k < rank; k++ {
					u := int(c.pVists[x][k])
					if s.load[u] >= int32(p.capV[u]) {
						isFull = true
						if len(nearerFull) < 3 && !containsString(nearerFull, p.in.Vistaraks[u].ID) {
							nearerFull = append(nearerFull, p.in.Vistaraks[u].ID)
						}
						break
					}
				}
				if isFull {
					full++
				} else {
					shared++
				}
			}
		}
		if e.Visits > 0 {
			e.MeanKmFromStay = sumKm / float64(e.Visits)
		}
		e.Areas = topKeys(areaCount)
		e.Why = s.why(v, e, full, shared, nearerFull)
		out = append(out, e)
	}
	return out
}

func (s *solution) why(v int, e VistarakPlan, full, shared int, nearerFull []string) string {
	p := s.p
	if e.Visits == 0 {
		n := len(s.c.vPlaces[v])
		if n == 0 {
			return "no place is within reach under the rules (max km per day, languages, areas, days)"
		}
		return fmt.Sprintf("kept in reserve: the %d places within reach are covered by vistaraks nearer to them or on shared routes", n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d places are nearest to this stay among the vistaraks allowed to visit them", e.Nearest, e.Visits)
	if full > 0 {
		fmt.Fprintf(&b, "; %d come from nearer vistaraks who are full (%s)", full, strings.Join(nearerFull, ", "))
	}
	if shared > 0 {
		fmt.Fprintf(&b, "; %d ride along on a day route with nearby places (fewer km in total)", shared)
	}
	if len(e.Areas) > 0 {
		fmt.Fprintf(&b, "; visits %s", strings.Join(e.Areas, ", "))
	}
	if ex := p.in.Vistaraks[v].ExcludeAreas; len(ex) > 0 {
		fmt.Fprintf(&b, "; never %s (excluded)", strings.Join(ex, ", "))
	}
	fmt.Fprintf(&b, "; mean %.1f km from the stay", e.MeanKmFromStay)
	return b.String()
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// topKeys lists keys by count (then name), as "key (n)".
func topKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s (%d)", k, m[k]))
	}
	return out
}

// uncovered lists the places no route visits, each with its reason.
func (s *solution) uncovered() []Uncovered {
	p, c := s.p, s.c
	var out []Uncovered
	for i := 0; i < p.nP; i++ {
		if s.routeOf[i] >= 0 {
			continue
		}
		pl := p.in.Places[i]
		u := Uncovered{Place: pl.ID, Name: pl.Name}
		if len(c.pVists[i]) == 0 {
			u.Rule, u.Reason = p.whyUnreachable(i)
		} else {
			u.Rule = RuleBalance
			var names []string
			for k, v := range c.pVists[i] {
				if k == 5 {
					names = append(names, "…")
					break
				}
				names = append(names, p.in.Vistaraks[v].ID)
			}
			u.Reason = fmt.Sprintf("all %d vistaraks who may visit it (%s) are at their visit cap or have no free day that fits",
				len(c.pVists[i]), strings.Join(names, ", "))
		}
		out = append(out, u)
	}
	return out
}

// whyUnreachable explains why no vistarak may visit place i: the rule that
// stops the nearest vistaraks, with the nearest three named.
func (p *problem) whyUnreachable(i int) (string, string) {
	type blocked struct {
		v    int
		km   float64
		rule string
	}
	var list []blocked
	counts := map[string]int{}
	for v := 0; v < p.nV; v++ {
		rule := p.ruleBlock(v, i)
		if rule == "" {
			rule = p.reachBlock(v, i)
		}
		counts[rule]++
		list = append(list, blocked{v, p.km(p.home(v), i), rule})
	}
	sort.Slice(list, func(a, b int) bool {
		if list[a].km != list[b].km {
			return list[a].km < list[b].km
		}
		return list[a].v < list[b].v
	})
	if len(list) == 0 {
		return RuleCoverage, "there are no vistaraks"
	}
	var parts []string
	for _, b := range list[:min(3, len(list))] {
		parts = append(parts, fmt.Sprintf("%s (%.1f km away): %s", p.in.Vistaraks[b.v].ID, b.km, p.ruleDetail(b.v, i, b.rule)))
	}
	rules := make([]string, 0, len(counts))
	for r, n := range counts {
		rules = append(rules, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(rules)
	return list[0].rule, fmt.Sprintf("no vistarak may visit it; nearest: %s (all vistaraks by rule: %s)",
		strings.Join(parts, "; "), strings.Join(rules, ", "))
}

// ruleDetail says how rule stops vistarak v from visiting place i.
func (p *problem) ruleDetail(v, i int, rule string) string {
	pl, vk := p.in.Places[i], p.in.Vistaraks[v]
	switch rule {
	case RuleLanguage:
		return fmt.Sprintf("speaks %s, the place needs %s", orNone(vk.Languages), strings.Join(pl.Languages, " or "))
	case RuleExcluded:
		return fmt.Sprintf("the place is in an excluded area (%s)", strings.Join(vk.ExcludeAreas, ", "))
	case RuleAllowed:
		return fmt.Sprintf("may only visit %s", strings.Join(vk.Areas, ", "))
	case RuleAvailable, RulePlaceDays:
		return "no date when both the vistarak is available and the place may be visited"
	case RuleKmDay:
		rt := p.km(p.home(v), i) + p.km(i, p.home(v))
		return fmt.Sprintf("round trip %.1f km exceeds max %.0f km per day", rt, p.maxKm[v])
	case RuleTimeWindow:
		return fmt.Sprintf("the %.0f-minute visit and travel do not fit the window and working hours (%s–%s)",
			p.visit[i], clock(math.Max(p.open[i], p.start[v])), clock(math.Min(p.close[i], p.end[v])))
	}
	return rule
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "no listed language"
	}
	return strings.Join(list, ", ")
}
