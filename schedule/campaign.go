package schedule

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Campaign is a goal the organisation works to by a date over one unit's
// subtree: "a digital network at every booth by 20 November". What makes a
// unit ready is data (CampaignRules), versioned: a change of rules makes a
// new version and the snapshots taken before keep the version they were
// counted with.
type Campaign struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	TitleHi string `json:"title_hi,omitempty"`
	// UnitID is the campaign's scope: the unit whose subtree it covers.
	UnitID   int64  `json:"unit_id"`
	UnitPath string `json:"-"`
	// Start and Target are calendar days (00:00 UTC stands for the day).
	Start  time.Time     `json:"start"`
	Target time.Time     `json:"target"`
	Rules  CampaignRules `json:"rules"`
}

// CampaignRules say what makes a unit ready, per level.
type CampaignRules struct {
	// Version counts the campaign's rule changes from 1.
	Version int         `json:"version"`
	Levels  []LevelRule `json:"levels"`
}

// LevelRule is what a unit of one level needs to be ready.
type LevelRule struct {
	// Level is a level key ("booth").
	Level string `json:"level"`
	// Members is how many active members the unit's committee needs.
	Members int `json:"members"`
	// Roles are the positions that must be filled, with how many holders.
	Roles []RoleCount `json:"roles,omitempty"`
	// Verified are the roles whose holders' mobiles must be verified.
	Verified []string `json:"verified,omitempty"`
	// Fields every member's record must have, besides the name (see
	// RecordFields).
	Fields []string `json:"fields,omitempty"`
	// Extras are reported but do not hold readiness back (see
	// CampaignExtras).
	Extras []string `json:"extras,omitempty"`
}

// RoleCount is a required role and how many must hold it.
type RoleCount struct {
	Role  string `json:"role"`
	Count int    `json:"count"`
}

// Record fields a rule may require of every member.
const (
	FieldMobile  = "mobile"
	FieldVoterID = "voter_id"
	FieldGender  = "gender"
	FieldSocial  = "social"
)

// RecordFields are the fields a LevelRule may require.
var RecordFields = []string{FieldMobile, FieldVoterID, FieldGender, FieldSocial}

// Optional extras a rule may ask for.
const (
	// ExtraSocial: every member has a social media handle.
	ExtraSocial = "social"
	// ExtraAllVerified: every member's mobile is verified, not only the
	// required roles'.
	ExtraAllVerified = "all_verified"
)

// CampaignExtras are the extras a LevelRule may ask for.
var CampaignExtras = []string{ExtraSocial, ExtraAllVerified}

// Campaign limits.
const (
	MaxCampaignTitle   = 200
	MaxCampaignMembers = 1000
)

// Validate checks the campaign's own fields and its rules against the
// organisation's levels and roles; the error names the field and the
// unknown level or role.
func (c *Campaign) Validate(levels Levels, roles []Role) error {
	c.Title, c.TitleHi = strings.TrimSpace(c.Title), strings.TrimSpace(c.TitleHi)
	if c.Title == "" && c.TitleHi == "" {
		return FieldError("title", "give a title in Hindi or English")
	}
	for field, v := range map[string]string{"title": c.Title, "title_hi": c.TitleHi} {
		if utf8.RuneCountInString(v) > MaxCampaignTitle {
			return FieldError(field, "is longer than %d characters", MaxCampaignTitle)
		}
		if p := TextProblem(v, false); !p.IsZero() {
			return NewError(EINVALID, field, p)
		}
	}
	if c.UnitID == 0 {
		return FieldError("unit", "is required")
	}
	if c.Target.IsZero() {
		return FieldError("target", "give the target date")
	}
	if !c.Start.IsZero() && c.Target.Before(c.Start) {
		return FieldError("target", "the target date %s is before the campaign starts (%s)", c.Target.Format(time.DateOnly), c.Start.Format(time.DateOnly))
	}
	return c.Rules.Validate(levels, roles)
}

// Validate checks rules against the organisation's levels and roles.
func (r CampaignRules) Validate(levels Levels, roles []Role) error {
	if len(r.Levels) == 0 {
		return FieldError("rules", "give the rules of at least one level")
	}
	known := map[string]bool{}
	for _, ro := range roles {
		known[ro.Key] = true
	}
	seen := map[string]bool{}
	for _, lr := range r.Levels {
		if _, ok := levels.ByKey(lr.Level); !ok {
			return FieldError("rules", "unknown level %q", lr.Level)
		}
		if seen[lr.Level] {
			return FieldError("rules", "level %q has two rules", lr.Level)
		}
		seen[lr.Level] = true
		if lr.Members < 0 || lr.Members > MaxCampaignMembers {
			return FieldError("rules", "level %q: members must be 0 to %d", lr.Level, MaxCampaignMembers)
		}
		roleSeen := map[string]bool{}
		need := 0
		for _, rc := range lr.Roles {
			if !known[rc.Role] {
				return FieldError("rules", "level %q: unknown role %q", lr.Level, rc.Role)
			}
			if roleSeen[rc.Role] {
				return FieldError("rules", "level %q: role %q is named twice", lr.Level, rc.Role)
			}
			roleSeen[rc.Role] = true
			if rc.Count < 1 || rc.Count > MaxCampaignMembers {
				return FieldError("rules", "level %q: role %q needs a count of 1 to %d", lr.Level, rc.Role, MaxCampaignMembers)
			}
			need += rc.Count
		}
		for _, v := range lr.Verified {
			if !known[v] {
				return FieldError("rules", "level %q: unknown role %q", lr.Level, v)
			}
			if !roleSeen[v] {
				return FieldError("rules", "level %q: role %q must be verified but is not required", lr.Level, v)
			}
		}
		for _, f := range lr.Fields {
			if !slices.Contains(RecordFields, f) {
				return FieldError("rules", "level %q: unknown field %q", lr.Level, f)
			}
		}
		for _, x := range lr.Extras {
			if !slices.Contains(CampaignExtras, x) {
				return FieldError("rules", "level %q: unknown extra %q", lr.Level, x)
			}
		}
	}
	return nil
}

// Rule returns the rule of the level with key, if any.
func (r CampaignRules) Rule(level string) (LevelRule, bool) {
	for _, lr := range r.Levels {
		if lr.Level == level {
			return lr, true
		}
	}
	return LevelRule{}, false
}

// RoleKeys are the roles any rule names, sorted.
func (r CampaignRules) RoleKeys() []string {
	var ks []string
	for _, lr := range r.Levels {
		for _, rc := range lr.Roles {
			ks = append(ks, rc.Role)
		}
	}
	slices.Sort(ks)
	return slices.Compact(ks)
}

// ParseRoleCounts reads required roles as typed in a form: keys separated
// by commas or new lines, each optionally with "*N" or "xN" for a count
// ("booth_president, labharthi_pramukh, committee_member*9").
func ParseRoleCounts(s string) ([]RoleCount, error) {
	var out []RoleCount
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, count := part, 1
		if i := strings.LastIndexAny(part, "*×x"); i > 0 {
			if n, err := strconv.Atoi(strings.TrimSpace(part[i+utf8.RuneLen([]rune(part[i:])[0]):])); err == nil {
				key, count = strings.TrimSpace(part[:i]), n
			}
		}
		out = append(out, RoleCount{Role: key, Count: count})
	}
	return out, nil
}

// ParseKeys reads a list of keys separated by commas, spaces or new lines.
func ParseKeys(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// UnitFacts are what the records say about one unit, counted by the store:
// its active members and the holders of each role.
type UnitFacts struct {
	Unit Unit
	// Members counts the active workers recorded at the unit.
	Members int
	// MissingField counts members lacking each record field.
	MissingField map[string]int
	// Unverified counts members whose mobile is not verified.
	Unverified int
	// Holders counts active holders of each role at the unit; Verified
	// those of them with a verified mobile.
	Holders  map[string]int
	Verified map[string]int
}

// Gap kinds: what keeps a unit from being ready.
const (
	GapMembers    = "members"    // fewer members than the rule wants
	GapRole       = "role"       // a required role has too few holders
	GapUnverified = "unverified" // a required role's holder is not verified
	GapField      = "field"      // members lack a required record field
	GapExtra      = "extra"      // an optional extra is not met (not blocking)
)

// Gap is one thing a unit misses.
type Gap struct {
	Kind string `json:"kind"`
	// Role, Field or Extra names what is missing.
	Role  string `json:"role,omitempty"`
	Field string `json:"field,omitempty"`
	Extra string `json:"extra,omitempty"`
	Have  int    `json:"have"`
	Want  int    `json:"want"`
}

// Readiness is one unit's standing under a level rule.
type Readiness struct {
	UnitID  int64 `json:"unit_id"`
	Ready   bool  `json:"ready"`
	Members int   `json:"members"`
	Want    int   `json:"want"`
	// Gaps hold readiness back; Extras are the optional extras not met.
	Gaps   []Gap `json:"gaps,omitempty"`
	Extras []Gap `json:"extras,omitempty"`
}

// Evaluate says whether the unit f describes meets rule, and what it
// misses, in the rule's order: members, roles, verification, fields.
func Evaluate(rule LevelRule, f UnitFacts) Readiness {
	r := Readiness{UnitID: f.Unit.ID, Members: f.Members, Want: rule.Members}
	if f.Members < rule.Members {
		r.Gaps = append(r.Gaps, Gap{Kind: GapMembers, Have: f.Members, Want: rule.Members})
	}
	for _, rc := range rule.Roles {
		if have := f.Holders[rc.Role]; have < rc.Count {
			r.Gaps = append(r.Gaps, Gap{Kind: GapRole, Role: rc.Role, Have: have, Want: rc.Count})
		}
	}
	for _, v := range rule.Verified {
		holders := f.Holders[v]
		if holders == 0 {
			continue // already reported as a missing role
		}
		if ver := f.Verified[v]; ver < holders {
			r.Gaps = append(r.Gaps, Gap{Kind: GapUnverified, Role: v, Have: ver, Want: holders})
		}
	}
	for _, fd := range rule.Fields {
		if n := f.MissingField[fd]; n > 0 {
			r.Gaps = append(r.Gaps, Gap{Kind: GapField, Field: fd, Have: f.Members - n, Want: f.Members})
		}
	}
	for _, x := range rule.Extras {
		switch x {
		case ExtraSocial:
			if n := f.MissingField[FieldSocial]; n > 0 || f.Members == 0 {
				r.Extras = append(r.Extras, Gap{Kind: GapExtra, Extra: x, Have: f.Members - n, Want: f.Members})
			}
		case ExtraAllVerified:
			if f.Unverified > 0 || f.Members == 0 {
				r.Extras = append(r.Extras, Gap{Kind: GapExtra, Extra: x, Have: f.Members - f.Unverified, Want: f.Members})
			}
		}
	}
	r.Ready = len(r.Gaps) == 0
	return r
}

// RoleNames finds a role's names for messages.
type RoleNames func(key string) Names

// RoleNamesOf returns a RoleNames over roles; unknown keys name themselves.
func RoleNamesOf(roles []Role) RoleNames {
	m := map[string]Names{}
	for _, r := range roles {
		m[r.Key] = Names{En: r.Name, Hi: r.NameHi}
	}
	return func(k string) Names {
		if n, ok := m[k]; ok {
			return n
		}
		return Names{En: k}
	}
}

// Msg says the gap for a reader: "9/12 members", "no Labharthi pramukh",
// "President unverified".
func (g Gap) Msg(names RoleNames) Msg {
	switch g.Kind {
	case GapMembers:
		return Msgf("%d/%d members", g.Have, g.Want)
	case GapRole:
		if g.Have == 0 && g.Want == 1 {
			return Msgf("no %s", names(g.Role))
		}
		return Msgf("%s %d/%d", names(g.Role), g.Have, g.Want)
	case GapUnverified:
		return Msgf("%s unverified", names(g.Role))
	case GapField:
		return Msgf("%d/%d records with %s", g.Have, g.Want, FieldLabel(g.Field))
	case GapExtra:
		if g.Extra == ExtraAllVerified {
			return Msgf("%d/%d mobiles verified", g.Have, g.Want)
		}
		return Msgf("%d/%d with a social media handle", g.Have, g.Want)
	}
	return Msgf("unknown gap %q", g.Kind)
}

// FieldLabel names a record field for a reader.
func FieldLabel(f string) Msg {
	switch f {
	case FieldMobile:
		return Msgf("mobile")
	case FieldVoterID:
		return Msgf("voter ID")
	case FieldGender:
		return Msgf("gender")
	}
	return Msgf("social media handle")
}

// Msgs says all of r's gaps, blocking ones first.
func (r Readiness) Msgs(names RoleNames) []Msg {
	var out []Msg
	for _, g := range r.Gaps {
		out = append(out, g.Msg(names))
	}
	return out
}

// LevelProgress counts the ready units of one level inside a subtree.
type LevelProgress struct {
	Level string `json:"level"`
	Ready int    `json:"ready"`
	Total int    `json:"total"`
}

// Percent is the share of ready units, rounded down (so 100 means all).
func (p LevelProgress) Percent() int {
	if p.Total == 0 {
		return 0
	}
	return p.Ready * 100 / p.Total
}

// GapCount is how many units of a subtree miss the same thing.
type GapCount struct {
	Gap   Gap `json:"gap"` // Have and Want are zero: the kind and what
	Units int `json:"units"`
}

// ChildProgress is one child unit's standing on a dashboard.
type ChildProgress struct {
	Unit Unit `json:"unit"`
	// Levels are the rule levels at or below the child, deepest first.
	Levels []LevelProgress `json:"levels"`
	// Own is the child's own readiness when the child sits at a rule level.
	Own *Readiness `json:"own,omitempty"`
	// Common are the gaps most units under the child share, most first.
	Common []GapCount `json:"common,omitempty"`
}

// Main is the progress the dashboard ranks by: the deepest rule level.
func (c ChildProgress) Main() LevelProgress {
	if len(c.Levels) == 0 {
		return LevelProgress{}
	}
	return c.Levels[0]
}

// Evaluated is a unit's readiness under the rule of its level.
type Evaluated struct {
	Unit  Unit
	Level string
	Readiness
}

// RollUp counts, for each child, the ready units of each rule level in its
// subtree, and the gaps they share (at most maxCommon of them; -1 for
// all). The children come laggards first (SortLaggardsFirst).
func RollUp(children []Unit, units []Evaluated, levels Levels, maxCommon int) []ChildProgress {
	type acc struct {
		cp     ChildProgress
		byLvl  map[string]*LevelProgress
		common map[Gap]int
	}
	accs := make([]*acc, len(children))
	byPath := map[string]int{}
	for i, c := range children {
		accs[i] = &acc{cp: ChildProgress{Unit: c}, byLvl: map[string]*LevelProgress{}, common: map[Gap]int{}}
		byPath[c.Path] = i
	}
	for _, u := range units {
		i, ok := childOf(u.Unit.Path, byPath)
		if !ok {
			continue
		}
		a := accs[i]
		lp := a.byLvl[u.Level]
		if lp == nil {
			lp = &LevelProgress{Level: u.Level}
			a.byLvl[u.Level] = lp
		}
		lp.Total++
		if u.Ready {
			lp.Ready++
		}
		if u.Unit.ID == a.cp.Unit.ID {
			r := u.Readiness
			a.cp.Own = &r
		}
		for _, g := range u.Gaps {
			g.Have, g.Want = 0, 0
			a.common[g]++
		}
	}
	out := make([]ChildProgress, len(children))
	for i, a := range accs {
		for _, lp := range a.byLvl {
			a.cp.Levels = append(a.cp.Levels, *lp)
		}
		slices.SortFunc(a.cp.Levels, func(x, y LevelProgress) int {
			dx, _ := levels.ByKey(x.Level)
			dy, _ := levels.ByKey(y.Level)
			return cmp.Compare(dy.Depth, dx.Depth)
		})
		for g, n := range a.common {
			a.cp.Common = append(a.cp.Common, GapCount{Gap: g, Units: n})
		}
		slices.SortFunc(a.cp.Common, func(x, y GapCount) int {
			if c := cmp.Compare(y.Units, x.Units); c != 0 {
				return c
			}
			return cmp.Compare(x.Gap.Kind+x.Gap.Role+x.Gap.Field, y.Gap.Kind+y.Gap.Role+y.Gap.Field)
		})
		if maxCommon >= 0 && len(a.cp.Common) > maxCommon {
			a.cp.Common = a.cp.Common[:maxCommon]
		}
		out[i] = a.cp
	}
	SortLaggardsFirst(out)
	return out
}

// SortLaggardsFirst orders children by share ready at their deepest rule
// level (lowest first), then by units not ready (most first), then code.
func SortLaggardsFirst(cs []ChildProgress) {
	slices.SortStableFunc(cs, func(x, y ChildProgress) int {
		mx, my := x.Main(), y.Main()
		// Compare shares exactly: Ready/Total as cross products.
		if c := cmp.Compare(mx.Ready*max(my.Total, 1), my.Ready*max(mx.Total, 1)); c != 0 && (mx.Total > 0 || my.Total > 0) {
			return c
		}
		if c := cmp.Compare(my.Total-my.Ready, mx.Total-mx.Ready); c != 0 {
			return c
		}
		return cmp.Compare(x.Unit.Code, y.Unit.Code)
	})
}

// childOf finds the child whose subtree holds path.
func childOf(path string, byPath map[string]int) (int, bool) {
	// Walk the path's prefixes: "/1/7/42/" → "/1/", "/1/7/", "/1/7/42/".
	for i := 1; i < len(path); i++ {
		if path[i] == '/' {
			if c, ok := byPath[path[:i+1]]; ok {
				return c, true
			}
		}
	}
	return 0, false
}

// DayCount is a unit's count of ready units on one day (a snapshot).
type DayCount struct {
	Day   time.Time `json:"day"` // 00:00 UTC stands for the day
	Ready int       `json:"ready"`
	Total int       `json:"total"`
}

// PaceDays is the window the forecast's pace is measured over.
const PaceDays = 7

// Forecast is when a unit reaches all ready at the recent pace.
type Forecast struct {
	// Pace is ready units gained per day over the last PaceDays days.
	Pace float64 `json:"pace"`
	// Date is the forecast day; zero when the pace is not positive (never
	// at this pace) or the history is shorter than a day.
	Date time.Time `json:"date,omitzero"`
	// Done: every unit is ready already.
	Done bool `json:"done"`
	// Late: the forecast day (or never) is after the target.
	Late bool `json:"late"`
}

// ForecastDate projects history (days ascending, the last one today) to
// the day every unit is ready, at the pace of the last PaceDays days (or
// of the days there are, when the campaign is younger).
func ForecastDate(history []DayCount, target time.Time) Forecast {
	if len(history) == 0 {
		return Forecast{Late: true}
	}
	last := history[len(history)-1]
	if last.Total > 0 && last.Ready >= last.Total {
		return Forecast{Done: true, Date: last.Day, Late: last.Day.After(target)}
	}
	from := last.Day.AddDate(0, 0, -PaceDays)
	base := history[0]
	for _, h := range history {
		if !h.Day.After(from) {
			base = h
		}
	}
	days := last.Day.Sub(base.Day).Hours() / 24
	if days < 1 {
		return Forecast{Late: true}
	}
	pace := float64(last.Ready-base.Ready) / days
	if pace <= 0 {
		return Forecast{Pace: pace, Late: true}
	}
	need := math.Ceil(float64(last.Total-last.Ready) / pace)
	d := last.Day.AddDate(0, 0, int(need))
	return Forecast{Pace: pace, Date: d, Late: d.After(target)}
}

// CivilDay returns the calendar day t falls on in zone z, as 00:00 UTC.
func CivilDay(t time.Time, z Zone) time.Time {
	y, m, d := t.In(z.Location()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDay reads a calendar day "2006-01-02" as 00:00 UTC.
func ParseDay(field, s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, FieldError(field, "%q is not a date (YYYY-MM-DD)", s)
	}
	return d, nil
}

// Msg says how many units share the gap: "3 without Labharthi pramukh".
func (gc GapCount) Msg(names RoleNames) Msg {
	switch gc.Gap.Kind {
	case GapMembers:
		return Msgf("%d short of members", gc.Units)
	case GapRole:
		return Msgf("%d without %s", gc.Units, names(gc.Gap.Role))
	case GapUnverified:
		return Msgf("%d with %s unverified", gc.Units, names(gc.Gap.Role))
	case GapField:
		return Msgf("%d with records lacking %s", gc.Units, FieldLabel(gc.Gap.Field))
	}
	return Msgf("unknown gap %q", gc.Gap.Kind)
}
