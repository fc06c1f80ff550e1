package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// campaignPages serves campaigns (issue 16): the list, the new-campaign
// form, the dashboard per unit (laggards first, burn-up, forecast), the
// booth checklist, the CSV and the JSON twins. Scope is the store's:
// every call carries the actor.
type campaignPages struct {
	s  *Server
	cs *store.Campaigns
}

// maxCommonGaps is how many shared gaps a laggard row names.
const maxCommonGaps = 3

type campaignListPage struct {
	Base      basePage
	Campaigns []schedule.Campaign
	Today     time.Time
}

func (p campaignPages) list(c *gin.Context) {
	list, err := p.cs.List(c.Request.Context(), actor(c))
	if err != nil {
		p.s.fail(c, err)
		return
	}
	p.s.render(c, "campaigns", campaignListPage{Base: p.s.base(c), Campaigns: list, Today: p.today()})
}

func (p campaignPages) apiList(c *gin.Context) {
	list, err := p.cs.List(c.Request.Context(), actor(c))
	if err != nil {
		p.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"campaigns": list})
}

func (p campaignPages) today() time.Time { return schedule.CivilDay(p.s.store.Now(), p.s.zone()) }

// campaignForm is the new-campaign form as typed.
type campaignForm struct {
	Unit, Title, TitleHi, Target, Level, Members, Roles, Verified, Fields string
	Extras                                                                []string
}

type campaignFormPage struct {
	Base   basePage
	Form   campaignForm
	Units  []choice
	Levels []choice
	Roles  []schedule.Role
	Errors map[string]string
}

func (p campaignPages) formOf(c *gin.Context) campaignForm {
	f := campaignForm{Unit: c.PostForm("unit"), Title: c.PostForm("title"), TitleHi: c.PostForm("title_hi"), Target: c.PostForm("target"),
		Level: c.PostForm("level"), Members: c.PostForm("members"), Roles: c.PostForm("roles"), Verified: c.PostForm("verified"),
		Fields: c.PostForm("fields"), Extras: c.PostFormArray("extras")}
	if c.Request.Method == http.MethodGet {
		f = campaignForm{Unit: c.Query("unit"), Level: schedule.LevelBooth, Members: "12",
			Roles: "booth_president, mann_ki_baat_pramukh, labharthi_pramukh", Verified: "booth_president", Fields: "mobile"}
	}
	return f
}

func (p campaignPages) showNew(c *gin.Context) { p.renderForm(c, p.formOf(c), nil) }

func (p campaignPages) renderForm(c *gin.Context, f campaignForm, err error) {
	ctx := c.Request.Context()
	s := p.s
	lang := s.lang(c)
	units, e1 := s.store.ScopeUnits(ctx, actor(c))
	levels, e2 := s.store.Levels(ctx)
	roles, e3 := s.store.Roles(ctx)
	for _, e := range []error{e1, e2, e3} {
		if e != nil {
			s.fail(c, e)
			return
		}
	}
	page := campaignFormPage{Base: s.base(c), Form: f, Roles: roles, Errors: map[string]string{}}
	for _, u := range units {
		page.Units = append(page.Units, choice{Value: strconv.FormatInt(u.ID, 10), Label: u.DisplayName(lang), Selected: f.Unit == strconv.FormatInt(u.ID, 10)})
	}
	for _, l := range levels {
		name := l.Name
		if lang == schedule.LangHindi {
			name = l.NameHi
		}
		page.Levels = append(page.Levels, choice{Value: l.Key, Label: name, Selected: f.Level == l.Key})
	}
	status := http.StatusOK
	if err != nil {
		status = statusOf[schedule.ErrorCode(err)]
		for _, e := range schedule.ValidationErrors(err) {
			page.Errors[e.Field] = s.pages.Localize(lang, e.Msg())
		}
		if len(page.Errors) == 0 {
			page.Errors["title"] = s.errText(c, err)
		}
	}
	s.renderStatus(c, status, "campaign_form", page)
}

// campaignOf builds the campaign the form describes.
func campaignOf(f campaignForm) (schedule.Campaign, error) {
	camp := schedule.Campaign{Title: f.Title, TitleHi: f.TitleHi}
	camp.UnitID, _ = strconv.ParseInt(f.Unit, 10, 64)
	if strings.TrimSpace(f.Target) != "" {
		d, err := schedule.ParseDay("target", f.Target)
		if err != nil {
			return camp, err
		}
		camp.Target = d
	}
	members, err := strconv.Atoi(strings.TrimSpace(f.Members))
	if err != nil && strings.TrimSpace(f.Members) != "" {
		return camp, schedule.FieldError("rules", "members: %q is not a number", f.Members)
	}
	roles, _ := schedule.ParseRoleCounts(f.Roles)
	camp.Rules = schedule.CampaignRules{Levels: []schedule.LevelRule{{Level: f.Level, Members: members, Roles: roles,
		Verified: schedule.ParseKeys(f.Verified), Fields: schedule.ParseKeys(f.Fields), Extras: f.Extras}}}
	return camp, nil
}

func (p campaignPages) create(c *gin.Context) {
	f := p.formOf(c)
	camp, err := campaignOf(f)
	if err == nil {
		camp, err = p.cs.Create(c.Request.Context(), actor(c), camp)
	}
	if err != nil {
		p.renderForm(c, f, err)
		return
	}
	p.s.flash(c, "campaign.created")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/campaigns/%d", camp.ID))
}

// campaignInput is the API's new campaign.
type campaignInput struct {
	Title   string                 `json:"title"`
	TitleHi string                 `json:"title_hi"`
	UnitID  int64                  `json:"unit_id"`
	Target  string                 `json:"target"`
	Rules   schedule.CampaignRules `json:"rules"`
}

func (p campaignPages) apiCreate(c *gin.Context) {
	var in campaignInput
	if err := bindJSON(c, &in); err != nil {
		p.s.fail(c, err)
		return
	}
	camp := schedule.Campaign{Title: in.Title, TitleHi: in.TitleHi, UnitID: in.UnitID, Rules: in.Rules}
	if in.Target != "" {
		d, err := schedule.ParseDay("target", in.Target)
		if err != nil {
			p.s.fail(c, err)
			return
		}
		camp.Target = d
	}
	camp, err := p.cs.Create(c.Request.Context(), actor(c), camp)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, camp)
}

// childRow is one child unit on a dashboard: its progress, what it misses
// and whom to call.
type childRow struct {
	schedule.ChildProgress
	Missing     []schedule.Msg      `json:"-"`
	MissingText []string            `json:"missing"`
	Responsible []store.Responsible `json:"responsible"`
}

// campaignDashboard is what the dashboard, its JSON twin and the CSV show.
type campaignDashboard struct {
	Campaign schedule.Campaign      `json:"campaign"`
	Unit     schedule.Unit          `json:"unit"`
	Level    string                 `json:"level"`
	Progress schedule.LevelProgress `json:"progress"`
	// Own is the unit's own readiness when it sits at a rule level (the
	// booth checklist).
	Own         *schedule.Evaluated `json:"own,omitempty"`
	OwnMissing  []string            `json:"own_missing,omitempty"`
	OwnExtras   []string            `json:"own_extras,omitempty"`
	Children    []childRow          `json:"children"`
	Responsible []store.Responsible `json:"responsible"`
	History     []schedule.DayCount `json:"history"`
	Forecast    schedule.Forecast   `json:"forecast"`
	Today       time.Time           `json:"today"`
	Chart       burnUp              `json:"-"`
	Checklist   []checkItem         `json:"-"`
}

// load reads the dashboard of the campaign at :id for the unit in ?unit=
// (default: the campaign's unit, or the actor's area inside it).
func (p campaignPages) load(c *gin.Context, lang string) (campaignDashboard, error) {
	ctx := c.Request.Context()
	a := actor(c)
	var d campaignDashboard
	id, err := paramID(c, "id")
	if err != nil {
		return d, err
	}
	if d.Campaign, err = p.cs.Find(ctx, a, id); err != nil {
		return d, err
	}
	var unitID int64
	if v := c.Query("unit"); v != "" {
		if unitID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return d, schedule.Errorf(schedule.ENOTFOUND, "unit %q not found", v)
		}
	}
	if d.Unit, err = p.cs.Where(ctx, a, d.Campaign, unitID); err != nil {
		return d, err
	}
	levels, err := p.s.store.Levels(ctx)
	if err != nil {
		return d, err
	}
	roles, err := p.s.store.Roles(ctx)
	if err != nil {
		return d, err
	}
	names := schedule.RoleNamesOf(roles)
	reader := p.s.pages.Reader(lang)
	if l, ok := levels.ByDepth(d.Unit.Depth); ok {
		d.Level = l.Key
	}
	evaluated, err := p.cs.Evaluate(ctx, a, d.Campaign, d.Unit)
	if err != nil {
		return d, err
	}
	kids, err := p.s.store.Children(ctx, a, d.Unit.ID)
	if err != nil {
		return d, err
	}
	var children []schedule.Unit
	ids := []int64{d.Unit.ID}
	for _, k := range kids {
		children = append(children, k.Unit)
		ids = append(ids, k.ID)
	}
	resp, err := p.cs.Responsibles(ctx, a, ids)
	if err != nil {
		return d, err
	}
	d.Responsible = resp[d.Unit.ID]
	// The unit's own standing and its progress at the deepest level.
	deepest := -1
	for _, e := range evaluated {
		if l, ok := levels.ByKey(e.Level); ok && l.Depth > deepest {
			deepest, d.Progress = l.Depth, schedule.LevelProgress{Level: e.Level}
		}
	}
	for _, e := range evaluated {
		if e.Unit.ID == d.Unit.ID {
			own := e
			d.Own = &own
			d.OwnMissing = render(reader, own.Msgs(names))
			for _, g := range own.Extras {
				d.OwnExtras = append(d.OwnExtras, g.Msg(names).Render(reader))
			}
			if rule, ok := d.Campaign.Rules.Rule(e.Level); ok {
				d.Checklist = checklist(rule, own.Readiness, names, reader)
			}
		}
		if e.Level == d.Progress.Level {
			d.Progress.Total++
			if e.Ready {
				d.Progress.Ready++
			}
		}
	}
	for _, cp := range schedule.RollUp(children, evaluated, levels, maxCommonGaps) {
		row := childRow{ChildProgress: cp, Responsible: resp[cp.Unit.ID]}
		if cp.Own != nil {
			row.Missing = cp.Own.Msgs(names)
		} else {
			for _, g := range cp.Common {
				row.Missing = append(row.Missing, g.Msg(names))
			}
		}
		row.MissingText = render(reader, row.Missing)
		if row.Main().Total > 0 || cp.Own != nil {
			d.Children = append(d.Children, row)
		}
	}
	// History from the snapshots, today's live count last.
	d.Today = p.today()
	if d.History, _, err = p.cs.History(ctx, a, d.Campaign, d.Unit); err != nil {
		return d, err
	}
	live := schedule.DayCount{Day: d.Today, Ready: d.Progress.Ready, Total: d.Progress.Total}
	if n := len(d.History); n > 0 && !d.History[n-1].Day.Before(d.Today) {
		d.History[n-1] = live
	} else {
		d.History = append(d.History, live)
	}
	d.Forecast = schedule.ForecastDate(d.History, d.Campaign.Target)
	d.Chart = newBurnUp(d.Campaign, d.History, d.Forecast)
	return d, nil
}

func render(r schedule.Reader, ms []schedule.Msg) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Render(r)
	}
	return out
}

// checkItem is one line of a booth's checklist.
type checkItem struct {
	Done bool
	Text string
}

// checklist lists every requirement of rule with whether r meets it.
func checklist(rule schedule.LevelRule, r schedule.Readiness, names schedule.RoleNames, reader schedule.Reader) []checkItem {
	gaps := map[string]bool{}
	for _, g := range r.Gaps {
		gaps[g.Kind+"/"+g.Role+g.Field] = true
	}
	var out []checkItem
	if rule.Members > 0 {
		out = append(out, checkItem{!gaps[schedule.GapMembers+"/"], schedule.Msgf("%d/%d members", r.Members, rule.Members).Render(reader)})
	}
	for _, rc := range rule.Roles {
		out = append(out, checkItem{!gaps[schedule.GapRole+"/"+rc.Role], names(rc.Role).In(reader.Lang)})
	}
	for _, v := range rule.Verified {
		out = append(out, checkItem{!gaps[schedule.GapRole+"/"+v] && !gaps[schedule.GapUnverified+"/"+v], schedule.Msgf("%s verified", names(v)).Render(reader)})
	}
	for _, f := range rule.Fields {
		out = append(out, checkItem{!gaps[schedule.GapField+"/"+f], schedule.Msgf("every record has %s", schedule.FieldLabel(f)).Render(reader)})
	}
	return out
}

// burnUp is the chart's geometry: ready units per day against the line
// from none at the start to all at the target.
type burnUp struct {
	W, H             int
	Points           string // the history polyline
	TargetX, TargetY int    // the target line ends here
	StartY           int
	Forecast         string // dashed line from today to the forecast day
	TodayX           int
}

func newBurnUp(c schedule.Campaign, h []schedule.DayCount, f schedule.Forecast) burnUp {
	b := burnUp{W: 320, H: 160}
	start := c.Start
	if len(h) > 0 && h[0].Day.Before(start) {
		start = h[0].Day
	}
	end := c.Target
	if !f.Date.IsZero() && f.Date.After(end) {
		end = f.Date
	}
	if n := len(h); n > 0 && h[n-1].Day.After(end) {
		end = h[n-1].Day
	}
	span := end.Sub(start).Hours() / 24
	if span < 1 {
		span = 1
	}
	total := 1
	if n := len(h); n > 0 && h[n-1].Total > 0 {
		total = h[n-1].Total
	}
	x := func(d time.Time) int { return int(d.Sub(start).Hours() / 24 / span * float64(b.W)) }
	y := func(n int) int { return b.H - n*b.H/total }
	var pts []string
	for _, d := range h {
		pts = append(pts, fmt.Sprintf("%d,%d", x(d.Day), y(d.Ready)))
	}
	b.Points = strings.Join(pts, " ")
	b.StartY, b.TargetX, b.TargetY = b.H, x(c.Target), 0
	if n := len(h); n > 0 {
		b.TodayX = x(h[n-1].Day)
		if !f.Date.IsZero() && !f.Done {
			b.Forecast = fmt.Sprintf("%d,%d %d,%d", x(h[n-1].Day), y(h[n-1].Ready), x(f.Date), 0)
		}
	}
	return b
}

type campaignPage struct {
	Base basePage
	campaignDashboard
	Levels    schedule.Levels
	Ancestors []schedule.Unit
	CanCount  bool
}

func (p campaignPages) show(c *gin.Context) {
	lang := p.s.lang(c)
	d, err := p.load(c, lang)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	levels, err := p.s.store.Levels(ctx)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	anc, err := p.s.store.Ancestors(ctx, d.Unit)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	var inCampaign []schedule.Unit
	for _, u := range anc {
		if schedule.IsWithin(u.Path, d.Campaign.UnitPath) && actor(c).Can(schedule.ActRead, u.Path) {
			inCampaign = append(inCampaign, u)
		}
	}
	p.s.render(c, "campaign", campaignPage{Base: p.s.base(c), campaignDashboard: d, Levels: levels, Ancestors: inCampaign,
		CanCount: actor(c).Can(schedule.ActRead, d.Campaign.UnitPath)})
}

func (p campaignPages) apiShow(c *gin.Context) {
	d, err := p.load(c, apiLang(c))
	if err != nil {
		p.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// exportCSV writes the dashboard's table for meetings.
func (p campaignPages) exportCSV(c *gin.Context) {
	lang := p.s.lang(c)
	d, err := p.load(c, lang)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	T := func(k string) string { return p.s.pages.Text(lang, k) }
	var buf bytes.Buffer
	w := schedule.NewCSVWriter(&buf)
	w.Write([]string{T("campaign.col_code"), T("campaign.col_unit"), T("campaign.col_ready"), T("campaign.col_total"), T("campaign.col_percent"), T("campaign.col_missing"), T("campaign.col_responsible")})
	for _, r := range d.Children {
		m := r.Main()
		var who []string
		for _, x := range r.Responsible {
			who = append(who, x.Name+" "+x.Mobile)
		}
		w.Write([]string{r.Unit.Code, r.Unit.DisplayName(lang), strconv.Itoa(m.Ready), strconv.Itoa(m.Total), strconv.Itoa(m.Percent()),
			strings.Join(r.MissingText, "; "), strings.Join(who, "; ")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		p.s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="campaign-%d-%s.csv"`, d.Campaign.ID, d.Unit.Code))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", append([]byte("\uFEFF"), buf.Bytes()...))
}

// snapshot records today's standing now (the daily job does it too).
func (p campaignPages) snapshot(c *gin.Context) {
	id, err := paramID(c, "id")
	if err == nil {
		_, err = p.cs.Snapshot(c.Request.Context(), actor(c), id, p.today())
	}
	if err != nil {
		p.s.fail(c, err)
		return
	}
	p.s.flash(c, "campaign.snapshot_taken")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/campaigns/%d", id))
}

// maxNudgeUnits is how many units one nudge names before "and N more".
const maxNudgeUnits = 3

// nudges composes, for each person responsible for a lagging child unit
// (its officials, or when it has none the officials of the unit shown),
// one SMS in their language naming the units and what each misses.
func (p campaignPages) nudges(d campaignDashboard, roles []schedule.Role) []store.Nudge {
	names := schedule.RoleNamesOf(roles)
	type person struct {
		r     store.Responsible
		units []schedule.ChildProgress
	}
	var order []int64
	people := map[int64]*person{}
	add := func(r store.Responsible, cp schedule.ChildProgress) {
		pp := people[r.WorkerID]
		if pp == nil {
			pp = &person{r: r}
			people[r.WorkerID] = pp
			order = append(order, r.WorkerID)
		}
		if len(pp.units) == 0 || pp.units[len(pp.units)-1].Unit.ID != cp.Unit.ID {
			pp.units = append(pp.units, cp)
		}
	}
	for _, ch := range d.Children {
		m := ch.Main()
		if (ch.Own == nil || ch.Own.Ready) && m.Ready >= m.Total {
			continue
		}
		who := ch.Responsible
		if len(who) == 0 {
			who = d.Responsible
		}
		for _, r := range who {
			add(r, ch.ChildProgress)
		}
	}
	title := schedule.Names{En: d.Campaign.Title, Hi: d.Campaign.TitleHi}
	var out []store.Nudge
	for _, id := range order {
		pp := people[id]
		lang := pp.r.Language
		if lang == "" {
			lang = schedule.LangHindi
		}
		reader := p.s.pages.Reader(lang)
		var items []schedule.Msg
		for i, cp := range pp.units {
			if i == maxNudgeUnits {
				items = append(items, schedule.Msgf("and %d more", len(pp.units)-maxNudgeUnits))
				break
			}
			var gaps []schedule.Msg
			if cp.Own != nil {
				gaps = cp.Own.Msgs(names)
			} else {
				for _, g := range cp.Common {
					gaps = append(gaps, g.Msg(names))
				}
			}
			items = append(items, schedule.Msgf("%s — %s", schedule.Names{En: cp.Unit.Name, Hi: cp.Unit.NameHi}, gaps))
		}
		target := p.s.zone().Moments(lang).Date(time.Date(d.Campaign.Target.Year(), d.Campaign.Target.Month(), d.Campaign.Target.Day(), 12, 0, 0, 0, p.s.zone().Location()))
		text := schedule.Msgf("%s: %s. Target date %s; please complete the records.", title, items, target).Render(reader)
		out = append(out, store.Nudge{WorkerID: id, Text: text})
	}
	return out
}

func (p campaignPages) sendNudges(c *gin.Context) (store.NudgeReport, campaignDashboard, error) {
	d, err := p.load(c, p.s.lang(c))
	if err != nil {
		return store.NudgeReport{}, d, err
	}
	roles, err := p.s.store.Roles(c.Request.Context())
	if err != nil {
		return store.NudgeReport{}, d, err
	}
	rep, err := p.cs.Nudge(c.Request.Context(), actor(c), d.Campaign.ID, p.today(), p.nudges(d, roles))
	return rep, d, err
}

// nudge queues today's reminders to the people responsible for the
// laggards below the unit shown.
func (p campaignPages) nudge(c *gin.Context) {
	rep, d, err := p.sendNudges(c)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	key := "campaign.nudged"
	if rep.Queued == 0 {
		key = "campaign.nudged_none"
	}
	p.s.flash(c, key)
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/campaigns/%d?unit=%d", d.Campaign.ID, d.Unit.ID))
}

func (p campaignPages) apiNudge(c *gin.Context) {
	rep, _, err := p.sendNudges(c)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// apiSetRules makes the body the campaign's next rules version; the
// snapshots taken so far keep theirs. Only those who may write at the
// campaign's unit change its rules.
func (p campaignPages) apiSetRules(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		p.s.fail(c, err)
		return
	}
	var rules schedule.CampaignRules
	if err := bindJSON(c, &rules); err != nil {
		p.s.fail(c, err)
		return
	}
	camp, err := p.cs.SetRules(c.Request.Context(), actor(c), id, rules)
	if err != nil {
		p.s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, camp)
}
