package schedule

import (
	"strings"
	"testing"
	"time"
)

// boothRule is the booth committee: 12 members, the president, the
// Mann Ki Baat and labharthi pramukhs, the president verified.
var boothRule = LevelRule{
	Level:    LevelBooth,
	Members:  12,
	Roles:    []RoleCount{{"booth_president", 1}, {"mann_ki_baat_pramukh", 1}, {"labharthi_pramukh", 1}},
	Verified: []string{"booth_president"},
	Fields:   []string{FieldMobile},
	Extras:   []string{ExtraSocial},
}

func TestCampaignRulesValidate(t *testing.T) {
	levels, roles := Levels(DefaultLevels()), DefaultRoles()
	for _, tc := range []struct {
		name  string
		rules CampaignRules
		want  string // "" when valid; else text the error must carry
	}{
		{"the issue's booth rule", CampaignRules{Levels: []LevelRule{boothRule}}, ""},
		{"no levels", CampaignRules{}, "at least one level"},
		{"unknown level", CampaignRules{Levels: []LevelRule{{Level: "ward", Members: 3}}}, `unknown level "ward"`},
		{"unknown role", CampaignRules{Levels: []LevelRule{{Level: LevelBooth, Roles: []RoleCount{{"chai_pramukh", 1}}}}}, `level "booth": unknown role "chai_pramukh"`},
		{"unknown verified role", CampaignRules{Levels: []LevelRule{{Level: LevelBooth, Roles: []RoleCount{{"booth_president", 1}}, Verified: []string{"treasurer"}}}}, `unknown role "treasurer"`},
		{"verified but not required", CampaignRules{Levels: []LevelRule{{Level: LevelBooth, Verified: []string{"booth_president"}}}}, `role "booth_president" must be verified but is not required`},
		{"two rules for a level", CampaignRules{Levels: []LevelRule{{Level: LevelBooth}, {Level: LevelBooth}}}, `level "booth" has two rules`},
		{"zero count", CampaignRules{Levels: []LevelRule{{Level: LevelBooth, Roles: []RoleCount{{"booth_president", 0}}}}}, "count of 1 to"},
		{"negative members", CampaignRules{Levels: []LevelRule{{Level: LevelBooth, Members: -1}}}, "members must be 0 to"},
		{"unknown field", CampaignRules{Levels: []LevelRule{{Level: LevelBooth, Fields: []string{"aadhaar"}}}}, `unknown field "aadhaar"`},
		{"unknown extra", CampaignRules{Levels: []LevelRule{{Level: LevelBooth, Extras: []string{"whatsapp_group"}}}}, `unknown extra "whatsapp_group"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rules.Validate(levels, roles)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("accepted, want an error with %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q does not say %q", err, tc.want)
			case tc.want != "" && ErrorCode(err) != EINVALID:
				t.Fatalf("code %s, want invalid", ErrorCode(err))
			}
		})
	}
}

func TestCampaignValidate(t *testing.T) {
	levels, roles := Levels(DefaultLevels()), DefaultRoles()
	day := time.Date(2030, 11, 20, 0, 0, 0, 0, time.UTC)
	ok := Campaign{Title: " Digital booth ", UnitID: 1, Start: day.AddDate(0, 0, -30), Target: day, Rules: CampaignRules{Levels: []LevelRule{boothRule}}}
	if err := ok.Validate(levels, roles); err != nil || ok.Title != "Digital booth" {
		t.Fatalf("valid campaign: %v, title %q", err, ok.Title)
	}
	for name, mut := range map[string]func(*Campaign){
		"title":  func(c *Campaign) { c.Title = "" },
		"unit":   func(c *Campaign) { c.UnitID = 0 },
		"target": func(c *Campaign) { c.Target = c.Start.AddDate(0, 0, -1) },
		"rules":  func(c *Campaign) { c.Rules.Levels[0].Level = "ward" },
	} {
		c := ok
		c.Rules = CampaignRules{Levels: []LevelRule{boothRule}}
		mut(&c)
		err := c.Validate(levels, roles)
		var e *Error
		if !asError(err, &e) || e.Field != name {
			t.Errorf("%s: error %v, want one about field %s", name, err, name)
		}
	}
}

func TestParseRoleCounts(t *testing.T) {
	got, _ := ParseRoleCounts("booth_president, labharthi_pramukh\ncommittee_member*9; it_cell × 2")
	want := []RoleCount{{"booth_president", 1}, {"labharthi_pramukh", 1}, {"committee_member", 9}, {"it_cell", 2}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestEvaluate(t *testing.T) {
	names := RoleNamesOf(DefaultRoles())
	full := UnitFacts{Members: 12, Holders: map[string]int{"booth_president": 1, "mann_ki_baat_pramukh": 1, "labharthi_pramukh": 1},
		Verified: map[string]int{"booth_president": 1}, MissingField: map[string]int{}}
	for _, tc := range []struct {
		name  string
		facts func(f *UnitFacts)
		ready bool
		says  string // the gaps as an English reader sees them
		extra string
	}{
		{"ready", func(*UnitFacts) {}, true, "", ""},
		{"the issue's booth 123", func(f *UnitFacts) {
			f.Members = 9
			f.Holders = map[string]int{"booth_president": 1, "mann_ki_baat_pramukh": 1}
			f.Verified = map[string]int{}
		}, false, "9/12 members, no Labharthi pramukh, Booth president unverified", ""},
		{"nobody yet", func(f *UnitFacts) {
			f.Members, f.Holders, f.Verified = 0, nil, nil
		}, false, "0/12 members, no Booth president, no Mann Ki Baat pramukh, no Labharthi pramukh", "0/0 with a social media handle"},
		{"two presidents, one verified", func(f *UnitFacts) { f.Holders["booth_president"] = 2 }, false, "Booth president unverified", ""},
		{"mobiles missing", func(f *UnitFacts) { f.MissingField = map[string]int{FieldMobile: 3, FieldSocial: 12} }, false, "9/12 records with mobile", "0/12 with a social media handle"},
		{"extras do not hold it back", func(f *UnitFacts) { f.MissingField = map[string]int{FieldSocial: 2} }, true, "", "10/12 with a social media handle"},
		{"more than wanted is ready", func(f *UnitFacts) { f.Members = 15 }, true, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := full
			f.Holders = map[string]int{}
			for k, v := range full.Holders {
				f.Holders[k] = v
			}
			f.Verified = map[string]int{"booth_president": 1}
			tc.facts(&f)
			r := Evaluate(boothRule, f)
			if r.Ready != tc.ready {
				t.Errorf("ready %v, want %v (gaps %v)", r.Ready, tc.ready, r.Gaps)
			}
			says := RenderArg(English, r.Msgs(names))
			if says != tc.says {
				t.Errorf("says %q, want %q", says, tc.says)
			}
			var ex []Msg
			for _, g := range r.Extras {
				ex = append(ex, g.Msg(names))
			}
			if got := RenderArg(English, ex); got != tc.extra {
				t.Errorf("extras say %q, want %q", got, tc.extra)
			}
		})
	}
}

func TestRollUpPutsLaggardsFirst(t *testing.T) {
	levels := Levels(DefaultLevels())
	m1 := Unit{ID: 10, Code: "M1", Path: "/1/10/"}
	m2 := Unit{ID: 20, Code: "M2", Path: "/1/20/"}
	m3 := Unit{ID: 30, Code: "M3", Path: "/1/30/"}
	booth := func(id int64, parent string, ready bool, gaps ...Gap) Evaluated {
		return Evaluated{Unit: Unit{ID: id, Path: parent + strings.Repeat("9/", 2) + string(rune('0'+id%10)) + "/"}, Level: LevelBooth,
			Readiness: Readiness{UnitID: id, Ready: ready, Gaps: gaps}}
	}
	noLabh := Gap{Kind: GapRole, Role: "labharthi_pramukh", Have: 0, Want: 1}
	unver := Gap{Kind: GapUnverified, Role: "booth_president", Have: 0, Want: 1}
	units := []Evaluated{
		// M1: 3 of 4 ready (75 %).
		booth(101, m1.Path, true), booth(102, m1.Path, true), booth(103, m1.Path, true), booth(104, m1.Path, false, noLabh),
		// M2: 1 of 4 (25 %), three miss the labharthi pramukh, one is unverified.
		booth(201, m2.Path, true), booth(202, m2.Path, false, noLabh, unver), booth(203, m2.Path, false, noLabh), booth(204, m2.Path, false, noLabh),
		// M3: 1 of 2 (50 %).
		booth(301, m3.Path, true), booth(302, m3.Path, false, unver),
		// Outside every child: ignored.
		booth(901, "/1/90/", false),
		// The mandal itself at a rule level.
		{Unit: m3, Level: LevelMandal, Readiness: Readiness{UnitID: 30, Ready: true}},
	}
	got := RollUp([]Unit{m1, m2, m3}, units, levels, 1)
	order := []string{got[0].Unit.Code, got[1].Unit.Code, got[2].Unit.Code}
	if strings.Join(order, ",") != "M2,M3,M1" {
		t.Fatalf("order %v, want M2,M3,M1", order)
	}
	if m := got[0].Main(); m.Ready != 1 || m.Total != 4 || m.Percent() != 25 || m.Level != LevelBooth {
		t.Errorf("M2 main %+v (%d%%), want 1/4 booths 25%%", m, m.Percent())
	}
	if c := got[0].Common; len(c) != 1 || c[0].Units != 3 || c[0].Gap.Role != "labharthi_pramukh" {
		t.Errorf("M2 common gaps %+v, want 3 units without labharthi pramukh", c)
	}
	m3p := got[1]
	if len(m3p.Levels) != 2 || m3p.Levels[0].Level != LevelBooth || m3p.Levels[1].Level != LevelMandal || m3p.Own == nil || !m3p.Own.Ready {
		t.Errorf("M3: levels %+v own %+v, want booth then its own mandal level, own ready", m3p.Levels, m3p.Own)
	}
	if m := got[2].Main(); m.Percent() != 75 {
		t.Errorf("M1 %d%%, want 75", m.Percent())
	}
}

func TestForecastDate(t *testing.T) {
	d0 := time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC)
	day := func(i int) time.Time { return d0.AddDate(0, 0, i) }
	hist := func(readies ...int) []DayCount {
		var h []DayCount
		for i, r := range readies {
			h = append(h, DayCount{Day: day(i), Ready: r, Total: 100})
		}
		return h
	}
	for _, tc := range []struct {
		name   string
		h      []DayCount
		target time.Time
		want   Forecast
	}{
		// Days 3..10: 30 → 58 in 7 days is 4 a day; 42 to go: 11 days.
		{"last seven days' pace", hist(0, 0, 0, 30, 34, 38, 42, 46, 50, 54, 58), day(30), Forecast{Pace: 4, Date: day(21)}},
		{"late at that pace", hist(0, 0, 0, 30, 34, 38, 42, 46, 50, 54, 58), day(20), Forecast{Pace: 4, Date: day(21), Late: true}},
		{"younger than a week", hist(10, 20, 30), day(30), Forecast{Pace: 10, Date: day(9)}},
		{"stalled", hist(10, 10, 10), day(30), Forecast{Pace: 0, Late: true}},
		{"going back", hist(20, 10), day(30), Forecast{Pace: -10, Late: true}},
		{"done", hist(50, 100), day(30), Forecast{Done: true, Date: day(1)}},
		{"one day only", hist(50), day(30), Forecast{Late: true}},
		{"no history", nil, day(30), Forecast{Late: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ForecastDate(tc.h, tc.target); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
