package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/schedule/roster"
	"github.com/karyakram/karyakram/templates"
)

// maxRosterUpload caps an uploaded roster CSV.
const maxRosterUpload = 1 << 20

func (s *Server) limitRosterUpload() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxRosterUpload+64<<10)
		c.Next()
	}
}

// ---- list -----------------------------------------------------------------

type workshopsPage struct {
	Base      basePage
	CanManage bool
	Series    []workshopListRow
	Mine      []store.WorkshopAssignment
}

type workshopListRow struct {
	ID        int64
	Title     string
	Published bool
	Updated   time.Time
}

// workshopList is what the workshops page lists, for the page and its API
// twin: the series the actor manages (the state office) and the
// assignments of the districts in the actor's area across all series.
type workshopList struct {
	CanManage bool
	Series    []store.WorkshopSeries
	Mine      []store.WorkshopAssignment
}

func (s *Server) loadWorkshopList(ctx context.Context, a schedule.Actor) (workshopList, error) {
	l := workshopList{CanManage: s.store.CanManageWorkshops(ctx, a)}
	var err error
	if l.CanManage {
		if l.Series, err = s.store.FindWorkshopSeriesList(ctx, a); err != nil {
			return l, err
		}
	}
	l.Mine, err = s.store.MyWorkshopAssignments(ctx, a)
	return l, err
}

func (s *Server) showWorkshops(c *gin.Context) {
	l, err := s.loadWorkshopList(c.Request.Context(), actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	page := workshopsPage{Base: s.base(c), CanManage: l.CanManage, Mine: l.Mine}
	for _, w := range l.Series {
		page.Series = append(page.Series, workshopListRow{ID: w.ID, Title: w.DisplayTitle(page.Base.Lang), Published: w.PublishedAt != nil, Updated: w.UpdatedAt})
	}
	s.render(c, "workshops", page)
}

// ---- create / edit form ---------------------------------------------------

type workshopFormPage struct {
	Base      basePage
	ID        int64
	Form      map[string]string
	Districts []store.WorkshopDistrict
	Roles     []choice
	Missing   []string
	Errors    []string
}

// workshopForm renders a series into form fields.
func workshopForm(w *store.WorkshopSeries) map[string]string {
	f := map[string]string{"title": w.Title, "title_hi": w.TitleHi, "dates": strings.Join(w.Spec.Dates, ", ")}
	teams := make([]string, len(w.Spec.TeamsPerDate))
	for i, n := range w.Spec.TeamsPerDate {
		teams[i] = strconv.Itoa(n)
	}
	f["teams"] = strings.Join(teams, ", ")
	f["road_factor"] = formatNum(w.Spec.RoadFactor)
	f["fixed_cost"] = formatNum(w.Spec.FixedCost)
	hosts := make([]roster.Host, len(w.Spec.Hosts))
	for i, h := range w.Spec.Hosts {
		hosts[i] = h.Host
	}
	var b bytes.Buffer
	if err := roster.WriteHostsCSV(&b, hosts); err == nil {
		f["hosts"] = b.String()
	}
	f["pins"] = pairLines(w.Spec.DistrictPins)
	f["exclusions"] = pairLines(w.Spec.DistrictExclusions)
	f["date_pins"] = dateLines(w.Spec.DatePins)
	f["date_exclusions"] = dateLines(w.Spec.DateExclusions)
	return f
}

func formatNum(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func pairLines(ps []roster.DistrictHost) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s = %s\n", p.District, p.Host)
	}
	return b.String()
}

func dateLines(ps []roster.HostDate) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s = %s\n", p.Host, p.Date)
	}
	return b.String()
}

// parseWorkshopForm reads the form into w (whose districts are already
// loaded); every bad field is reported by name.
func parseWorkshopForm(c *gin.Context, w *store.WorkshopSeries) error {
	var errs []error
	w.Title = strings.TrimSpace(c.PostForm("title"))
	w.TitleHi = strings.TrimSpace(c.PostForm("title_hi"))
	w.Spec.Dates = splitList(c.PostForm("dates"))
	w.Spec.TeamsPerDate = nil
	for _, v := range splitList(c.PostForm("teams")) {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, schedule.FieldError("teams", "%q is not a whole number", v))
			continue
		}
		w.Spec.TeamsPerDate = append(w.Spec.TeamsPerDate, n)
	}
	num := func(field string) float64 {
		v := strings.TrimSpace(c.PostForm(field))
		if v == "" {
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, schedule.FieldError(field, "%q is not a number", v))
		}
		return f
	}
	w.Spec.RoadFactor = num("road_factor")
	w.Spec.FixedCost = num("fixed_cost")
	if text := strings.TrimSpace(c.PostForm("hosts")); text != "" {
		hosts, err := roster.ReadHostsCSV(strings.NewReader(text))
		if err != nil {
			errs = append(errs, err)
		}
		old := w.Spec.Hosts
		w.Spec.Hosts = nil
		for _, h := range hosts {
			wh := store.WorkshopHost{Host: h}
			for _, o := range old {
				if strings.EqualFold(o.Name, h.Name) {
					wh.UnitID = o.UnitID
				}
			}
			w.Spec.Hosts = append(w.Spec.Hosts, wh)
		}
	}
	for i := range w.Districts {
		d := &w.Districts[i]
		field := "att_" + strconv.FormatInt(d.UnitID, 10)
		if v := strings.TrimSpace(c.PostForm(field)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				errs = append(errs, schedule.FieldError("attendees of "+d.Name, "%q is not a whole number of at least 1", v))
				continue
			}
			d.Attendees = n
		}
	}
	var err error
	if w.Spec.DistrictPins, err = parsePairs("pins", c.PostForm("pins")); err != nil {
		errs = append(errs, err)
	}
	if w.Spec.DistrictExclusions, err = parsePairs("exclusions", c.PostForm("exclusions")); err != nil {
		errs = append(errs, err)
	}
	if w.Spec.DatePins, err = parseDates("date_pins", c.PostForm("date_pins")); err != nil {
		errs = append(errs, err)
	}
	if w.Spec.DateExclusions, err = parseDates("date_exclusions", c.PostForm("date_exclusions")); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// linePairs splits "A = B" lines; blank lines are skipped.
func linePairs(field, text string) ([][2]string, error) {
	var out [][2]string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		a, b, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
			return nil, schedule.FieldError(fmt.Sprintf("%s line %d", field, i+1), "%q is not of the form \"A = B\"", line)
		}
		out = append(out, [2]string{strings.TrimSpace(a), strings.TrimSpace(b)})
	}
	return out, nil
}

func parsePairs(field, text string) ([]roster.DistrictHost, error) {
	ps, err := linePairs(field, text)
	out := make([]roster.DistrictHost, len(ps))
	for i, p := range ps {
		out[i] = roster.DistrictHost{District: p[0], Host: p[1]}
	}
	return out, err
}

func parseDates(field, text string) ([]roster.HostDate, error) {
	ps, err := linePairs(field, text)
	out := make([]roster.HostDate, len(ps))
	for i, p := range ps {
		out[i] = roster.HostDate{Host: p[0], Date: p[1]}
	}
	return out, err
}

// errorList is every problem in err, one line each, in the page's
// language.
func (s *Server) errorList(c *gin.Context, err error) []string {
	if err == nil {
		return nil
	}
	lang := s.lang(c)
	var out []string
	if fes := schedule.ValidationErrors(err); len(fes) > 0 {
		for _, fe := range fes {
			out = append(out, s.pages.Localize(lang, fe))
		}
		return out
	}
	return []string{s.errText(c, err)}
}

func (s *Server) roleChoices(ctx context.Context, lang string, selected []string) ([]choice, error) {
	roles, err := s.store.Roles(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]choice, len(roles))
	for i, r := range roles {
		label := r.Name
		if lang == "hi" && r.NameHi != "" {
			label = r.NameHi
		}
		out[i] = choice{Value: r.Key, Label: label, Selected: slices.Contains(selected, r.Key)}
	}
	return out, nil
}

func (s *Server) showNewWorkshop(c *gin.Context) {
	ctx := c.Request.Context()
	roles := c.QueryArray("role")
	maxD := 6
	if v, err := strconv.Atoi(c.Query("max_districts")); err == nil && v >= 0 {
		maxD = v
	}
	w, missing, err := s.store.WorkshopDefaults(ctx, actor(c), roles, maxD)
	if err != nil {
		s.fail(c, err)
		return
	}
	w.Spec.Dates, w.Spec.TeamsPerDate = nil, nil
	page := workshopFormPage{Base: s.base(c), Form: workshopForm(&w), Districts: districtsShown(&w, s.lang(c)), Missing: missing}
	page.Form["roles"] = strings.Join(w.Spec.Roles, ",")
	if page.Roles, err = s.roleChoices(ctx, page.Base.Lang, w.Spec.Roles); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "workshop_form", page)
}

func (s *Server) createWorkshop(c *gin.Context) {
	ctx := c.Request.Context()
	roles := splitList(c.PostForm("roles"))
	w, missing, err := s.store.WorkshopDefaults(ctx, actor(c), roles, 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	err = parseWorkshopForm(c, &w)
	if err == nil {
		var created store.WorkshopSeries
		created, err = s.store.CreateWorkshopSeries(ctx, actor(c), w)
		if err == nil {
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workshops/%d", created.ID))
			return
		}
	}
	s.workshopFormError(c, &w, missing, err)
}

func (s *Server) workshopFormError(c *gin.Context, w *store.WorkshopSeries, missing []string, err error) {
	if code := schedule.ErrorCode(err); code != schedule.EINVALID {
		s.fail(c, err)
		return
	}
	page := workshopFormPage{Base: s.base(c), ID: w.ID, Form: map[string]string{}, Districts: districtsShown(w, s.lang(c)), Missing: missing, Errors: s.errorList(c, err)}
	for k := range c.Request.PostForm {
		page.Form[k] = c.PostForm(k)
	}
	page.Base.Error = s.pages.Text(page.Base.Lang, "workshop.form_errors")
	page.Roles, _ = s.roleChoices(c.Request.Context(), page.Base.Lang, splitList(c.PostForm("roles")))
	s.renderStatus(c, http.StatusUnprocessableEntity, "workshop_form", page)
}

func (s *Server) showEditWorkshop(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	page := workshopFormPage{Base: s.base(c), ID: w.ID, Form: workshopForm(&w), Districts: districtsShown(&w, s.lang(c))}
	s.render(c, "workshop_form", page)
}

func (s *Server) updateWorkshop(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	err := parseWorkshopForm(c, &w)
	if err == nil {
		if _, err = s.store.UpdateWorkshopSeries(c.Request.Context(), actor(c), w); err == nil {
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workshops/%d", w.ID))
			return
		}
	}
	s.workshopFormError(c, &w, nil, err)
}

// createSampleWorkshop creates a series from the real January 2022 roster:
// its dates and trainer teams, every HQ town a candidate host taking as many
// districts as the largest 2022 workshop, and the 2022 roster as the current
// (hand-made) roster, checked.
func (s *Server) createSampleWorkshop(c *gin.Context) {
	ctx := c.Request.Context()
	rows, err := roster.ReadRosterCSV(strings.NewReader(seed.Roster2022()))
	if err != nil {
		s.fail(c, fmt.Errorf("sample roster: %w", err))
		return
	}
	maxD := 0
	per := map[roster.HostDate]int{}
	for _, r := range rows {
		k := roster.HostDate{Host: r.Host, Date: r.Date}
		per[k]++
		maxD = max(maxD, per[k])
	}
	w, _, err := s.store.WorkshopDefaults(ctx, actor(c), nil, maxD)
	if err != nil {
		s.fail(c, err)
		return
	}
	w.Title, w.TitleHi = "Digital working training workshops", "डिजिटल कार्य प्रशिक्षण कार्यशाला"
	w.Spec.Dates, w.Spec.TeamsPerDate = roster.RosterDates(rows)
	// Only the districts of the roster take part.
	inRoster := map[string]bool{}
	for _, r := range rows {
		inRoster[strings.ToLower(r.District)] = true
	}
	w.Districts = slices.DeleteFunc(w.Districts, func(d store.WorkshopDistrict) bool { return !inRoster[strings.ToLower(d.Name)] })
	created, err := s.store.CreateWorkshopSeries(ctx, actor(c), w)
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.checkAndSave(ctx, c, &created, rows, "fixture"); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workshops/%d", created.ID))
}

// ---- series page ----------------------------------------------------------

type workshopPage struct {
	Base basePage
	workshopView
	HostOptions []choice
	Feed        *workshopFeedLink
	Published   *store.WorkshopPublished
	CheckErrors []string
	Violations  []roster.Violation
	// ChooseRoster: publishing was asked without choosing.
	ChooseRoster bool
}

// workshopView is what a series' page shows of it in one language, for the
// page and its API twin: the roster rows, the workshops held, the plan's
// and the check's summary.
type workshopView struct {
	W           store.WorkshopSeries
	Title       string
	Rows        []workshopRosterRow
	Hosts       []workshopHostRow
	Plan        *roster.Result
	PlanCurrent bool
	GapPct      float64
	Check       *roster.CheckReport
	// OpenSavingPct is the check's open-host saving in % of the roster's cost.
	OpenSavingPct float64
	CheckRows     []checkSide
	Travel        float64
	Cost          float64
	Assigned      int
	// PublishOptions are the rosters Publish must choose between (the
	// planner's and the checked one), empty when there is one roster.
	PublishOptions []publishOption
}

// publishOption is one roster Publish can publish.
type publishOption struct {
	Value     string       // store.RosterPlan or store.RosterChecked
	Label     schedule.Msg // where it came from
	TravelKm  float64
	Workshops int
	Valid     bool
	IsCurrent bool
}

type workshopRosterRow struct {
	UnitID    int64
	District  string
	HQ        string
	Attendees int
	Host      string
	HostLabel string
	Date      string
	Km        float64
	NextHost  string
	NextKm    float64
	Extra     float64
	Reason    string
	Dates     []choice
}

type workshopHostRow struct {
	Host      string
	Label     string
	Date      string
	Districts []string
	Attendees int
	EventID   int64
	UnitID    int64
}

type checkSide struct {
	District string
	Hand     string
	Best     string
	Same     bool
}

type workshopFeedLink struct {
	Host, HTTPS, Webcal string
}

// loadWorkshop loads the series named by :id for a manager; others get 404.
func (s *Server) loadWorkshop(c *gin.Context) (store.WorkshopSeries, bool) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return store.WorkshopSeries{}, false
	}
	w, err := s.store.FindWorkshopSeries(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return w, false
	}
	return w, true
}

// districtsShown is the series' districts for the form, HQ towns named in
// lang.
func districtsShown(w *store.WorkshopSeries, lang string) []store.WorkshopDistrict {
	out := slices.Clone(w.Districts)
	for i := range out {
		out[i].HQ = w.TownLabel(out[i].HQ, lang)
	}
	return out
}

// roadKm is the series' road distance from a district HQ to a host.
func roadKm(w *store.WorkshopSeries, d store.WorkshopDistrict, h store.WorkshopHost) float64 {
	f := w.Spec.RoadFactor
	if f == 0 {
		f = roster.DefaultRoadFactor
	}
	return roster.GreatCircleKm(d.Lat, d.Lon, h.Lat, h.Lon) * f
}

func hostLabel(h store.WorkshopHost, lang string) string {
	if lang == "hi" && h.NameHi != "" {
		return h.NameHi
	}
	return h.Name
}

func districtLabel(d store.WorkshopDistrict, lang string) string {
	if lang == "hi" && d.NameHi != "" {
		return d.NameHi
	}
	return d.Name
}

func (s *Server) workshopPage(c *gin.Context, w store.WorkshopSeries) workshopPage {
	lang := s.lang(c)
	page := workshopPage{Base: s.base(c), workshopView: workshopViewOf(w, lang)}
	for _, h := range w.Spec.Hosts {
		page.HostOptions = append(page.HostOptions, choice{Value: h.Name, Label: hostLabel(h, lang)})
	}
	return page
}

// workshopViewOf lays out series w for its page in lang.
func workshopViewOf(w store.WorkshopSeries, lang string) workshopView {
	page := workshopView{W: w, Title: w.DisplayTitle(lang), Plan: w.Plan, Check: w.Check}
	page.PlanCurrent = w.RosterSource == "plan" && w.Plan != nil
	if w.Plan != nil {
		page.GapPct = 100 * w.Plan.Gap
	}
	if w.Check != nil && w.Check.Cost > 0 {
		page.OpenSavingPct = 100 * w.Check.OpenSaving / w.Check.Cost
	}
	expl := map[string]roster.Explanation{}
	if page.PlanCurrent {
		for _, e := range w.Plan.Explanations {
			expl[strings.ToLower(e.District)] = e
		}
	}
	hostIdx := map[roster.HostDate]int{}
	for _, d := range w.Districts {
		r := workshopRosterRow{UnitID: d.UnitID, District: districtLabel(d, lang), HQ: w.TownLabel(d.HQ, lang), Attendees: d.Attendees, Host: d.Host, Date: d.Date}
		for _, date := range w.Spec.Dates {
			r.Dates = append(r.Dates, choice{Value: date, Label: date, Selected: date == d.Date})
		}
		if h, ok := w.HostByName(d.Host); ok {
			page.Assigned++
			r.HostLabel = hostLabel(h, lang)
			r.Km = roadKm(&w, d, h)
			page.Travel += r.Km * float64(d.Attendees)
			k := roster.HostDate{Host: h.Name, Date: d.Date}
			i, seen := hostIdx[k]
			if !seen {
				i = len(page.Hosts)
				hostIdx[k] = i
				page.Hosts = append(page.Hosts, workshopHostRow{Host: h.Name, Label: hostLabel(h, lang), Date: d.Date, UnitID: h.UnitID})
			}
			page.Hosts[i].Districts = append(page.Hosts[i].Districts, districtLabel(d, lang))
			page.Hosts[i].Attendees += d.Attendees
		}
		if e, ok := expl[strings.ToLower(d.Name)]; ok && strings.EqualFold(e.Host, d.Host) {
			r.NextHost, r.NextKm, r.Extra, r.Reason = e.NextHost, e.NextKm, e.ExtraCost, e.Reason
			if h, ok := w.HostByName(e.NextHost); ok {
				r.NextHost = hostLabel(h, lang)
			}
		}
		page.Rows = append(page.Rows, r)
	}
	page.Cost = page.Travel + w.Spec.FixedCost*float64(len(page.Hosts))
	sort.SliceStable(page.Hosts, func(i, j int) bool {
		if page.Hosts[i].Date != page.Hosts[j].Date {
			return page.Hosts[i].Date < page.Hosts[j].Date
		}
		return page.Hosts[i].Host < page.Hosts[j].Host
	})
	for i := range page.Hosts {
		for _, e := range w.Events {
			if e.Host == page.Hosts[i].Host && e.Date == page.Hosts[i].Date {
				page.Hosts[i].EventID = e.EventID
			}
		}
	}
	if w.Check != nil && w.Check.Best != nil {
		best := map[string]roster.Assignment{}
		for _, a := range w.Check.Best.Assignments {
			best[strings.ToLower(a.District)] = a
		}
		checked := map[string]roster.Assignment{}
		for _, a := range w.Checked {
			checked[strings.ToLower(a.District)] = a
		}
		label := func(a roster.Assignment) string {
			if a.Host == "" {
				return "—"
			}
			return w.TownLabel(a.Host, lang) + " " + a.Date
		}
		for _, d := range w.Districts {
			h, b := checked[strings.ToLower(d.Name)], best[strings.ToLower(d.Name)]
			page.CheckRows = append(page.CheckRows, checkSide{District: districtLabel(d, lang), Hand: label(h), Best: label(b),
				Same: strings.EqualFold(h.Host, b.Host) && h.Date == b.Date})
		}
	}
	if w.PublishChoice() {
		current := strings.ToLower(w.RosterSource)
		page.PublishOptions = []publishOption{
			{Value: store.RosterPlan, Label: store.RosterSourceText("plan"), TravelKm: w.Plan.TravelPersonKm, Workshops: len(w.Plan.Workshops),
				Valid: true, IsCurrent: current == "plan"},
			{Value: store.RosterChecked, Label: w.CheckedSourceText(), TravelKm: w.Check.TravelPersonKm, Workshops: w.Check.Workshops,
				Valid: w.Check.Valid, IsCurrent: current != "plan"},
		}
	}
	return page
}

func (s *Server) showWorkshop(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	s.render(c, "workshop", s.workshopPage(c, w))
}

// ---- plan / check / edit --------------------------------------------------

func (s *Server) planWorkshop(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	in := w.Instance()
	if c.PostForm("keep_hosts") != "" {
		in.FixedWorkshops = roster.RosterWorkshops(w.Roster())
		if len(in.FixedWorkshops) == 0 {
			s.fail(c, schedule.FieldError("keep_hosts", "there is no current roster whose hosts could be kept"))
			return
		}
	}
	// The default work limit (not a wall-clock one): the same series gives
	// the same roster however busy the server is.
	res, err := roster.Plan(ctx, in, roster.Options{})
	if err != nil {
		s.workshopError(c, w, err)
		return
	}
	if err := s.store.SaveWorkshopRoster(ctx, actor(c), w.ID, res.Assignments, res, nil, "plan"); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workshops/%d", w.ID))
}

// workshopError shows the series page with a domain error (infeasible,
// invalid input) as a 422 listing every reason.
func (s *Server) workshopError(c *gin.Context, w store.WorkshopSeries, err error) {
	var inf *roster.InfeasibleError
	if !errors.As(err, &inf) && schedule.ErrorCode(err) != schedule.EINVALID {
		s.fail(c, err)
		return
	}
	page := s.workshopPage(c, w)
	page.Base.Error = s.pages.Text(page.Base.Lang, "workshop.problem")
	page.CheckErrors = s.errorList(c, err)
	if inf != nil {
		page.CheckErrors = strings.Split(inf.Error(), "\n")
	}
	s.renderStatus(c, http.StatusUnprocessableEntity, "workshop", page)
}

// checkAndSave checks rows against the series and stores them as the
// current roster with the report.
func (s *Server) checkAndSave(ctx context.Context, c *gin.Context, w *store.WorkshopSeries, rows []roster.RosterRow, source string) (*roster.CheckReport, error) {
	rep, err := roster.Check(ctx, w.Instance(), rows)
	if err != nil {
		return nil, err
	}
	asg := make([]roster.Assignment, len(rows))
	for i, r := range rows {
		asg[i] = roster.Assignment{Date: r.Date, Host: r.Host, District: r.District}
	}
	return rep, s.store.SaveWorkshopRoster(ctx, actor(c), w.ID, asg, nil, rep, source)
}

func (s *Server) checkWorkshop(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	var text string
	source := "csv"
	if c.PostForm("sample") != "" {
		text, source = seed.Roster2022(), "fixture"
	} else {
		fh, err := c.FormFile("file")
		if err != nil {
			s.workshopError(c, w, schedule.FieldError("file", "choose a roster CSV (date,host_city,host_city_hi,org_district,org_district_hi) or use the 2022 sample"))
			return
		}
		f, err := fh.Open()
		if err != nil {
			s.fail(c, fmt.Errorf("open upload: %w", err))
			return
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxRosterUpload+1))
		if err != nil {
			s.fail(c, fmt.Errorf("read upload: %w", err))
			return
		}
		if len(b) > maxRosterUpload {
			s.workshopError(c, w, schedule.FieldError("file", "the roster CSV is larger than 1 MB"))
			return
		}
		text = string(b)
	}
	rows, err := roster.ReadRosterCSV(strings.NewReader(text))
	if err == nil && len(rows) == 0 {
		err = schedule.FieldError("file", "the roster CSV has no rows")
	}
	if err != nil {
		s.workshopError(c, w, err)
		return
	}
	if _, err := s.checkAndSave(c.Request.Context(), c, &w, rows, source); err != nil {
		s.workshopError(c, w, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workshops/%d#check", w.ID))
}

// formRoster reads the hand-edit form: host_<unit> and date_<unit> per
// district; a district left without a host is unassigned.
func formRoster(c *gin.Context, w *store.WorkshopSeries) []roster.RosterRow {
	var rows []roster.RosterRow
	for _, d := range w.Districts {
		id := strconv.FormatInt(d.UnitID, 10)
		host := strings.TrimSpace(c.PostForm("host_" + id))
		if host == "" {
			continue
		}
		rows = append(rows, roster.RosterRow{Date: strings.TrimSpace(c.PostForm("date_" + id)), Host: host, District: d.Name})
	}
	return rows
}

func (s *Server) saveWorkshopRoster(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	rows := formRoster(c, &w)
	if _, err := s.checkAndSave(c.Request.Context(), c, &w, rows, "hand"); err != nil {
		s.workshopError(c, w, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workshops/%d#check", w.ID))
}

// liveCheckRequest is the JSON body of the live validation endpoint: per
// district (its unit id, so the page's language does not matter) the host
// typed (English or Hindi name) and the date.
type liveCheckRequest struct {
	Assignments []struct {
		Unit int64  `json:"unit"`
		Host string `json:"host"`
		Date string `json:"date"`
	} `json:"assignments"`
}

// liveCheckWorkshop runs roster.Check on a roster being edited (JSON in,
// JSON out) without saving it and without the best-roster comparison's
// explanations. The answer carries what the page shows, in its language:
// summary and problems.
func (s *Server) liveCheckWorkshop(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		c.JSON(http.StatusNotFound, gin.H{"error": s.errText(c, err)})
		return
	}
	w, err := s.store.FindWorkshopSeries(c.Request.Context(), actor(c), id)
	if err != nil {
		c.JSON(statusOf[schedule.ErrorCode(err)], gin.H{"error": s.errText(c, err)})
		return
	}
	var req liveCheckRequest
	dec := json.NewDecoder(io.LimitReader(c.Request.Body, maxRosterUpload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		c.JSON(http.StatusUnprocessableEntity, gin.H{"error": s.errText(c, schedule.FieldError("body", "is not the expected JSON: %v", err.Error()))})
		return
	}
	byUnit := map[int64]string{}
	for _, d := range w.Districts {
		byUnit[d.UnitID] = d.Name
	}
	rows := make([]roster.RosterRow, 0, len(req.Assignments))
	for _, a := range req.Assignments {
		district, ok := byUnit[a.Unit]
		if !ok {
			c.JSON(http.StatusUnprocessableEntity, gin.H{"error": s.errText(c, schedule.FieldError("unit", "unit %d not found", a.Unit))})
			return
		}
		if strings.TrimSpace(a.Host) == "" {
			continue
		}
		host := a.Host
		if h, ok := w.HostByName(a.Host); ok {
			host = h.Name
		}
		rows = append(rows, roster.RosterRow{Date: a.Date, Host: host, District: district})
	}
	// The open-host comparison depends on the series only: not repeated
	// on every edit.
	rep, err := roster.CheckWith(c.Request.Context(), w.Instance(), rows, roster.CheckOptions{SkipOpenHosts: true})
	if err != nil {
		c.JSON(http.StatusUnprocessableEntity, gin.H{"error": s.errText(c, err)})
		return
	}
	lang := s.lang(c)
	summary := s.pages.Text(lang, "rosters.live_cost", templates.FormatCount(int(math.Round(rep.Cost))))
	if rep.Best != nil {
		summary += " · " + s.pages.Text(lang, "rosters.live_best", templates.FormatCount(int(math.Round(rep.Best.Cost))), templates.FormatCount(int(math.Round(rep.Saving))))
	}
	problems := make([]string, len(rep.Violations))
	for i, v := range rep.Violations {
		problems[i] = s.pages.Localize(lang, schedule.Msg{Format: v.Rule}) + ": " + s.pages.Localize(lang, v.Text)
	}
	out := gin.H{"valid": rep.Valid, "violations": rep.Violations, "travel_person_km": math.Round(rep.TravelPersonKm),
		"cost": math.Round(rep.Cost), "workshops": rep.Workshops, "summary": summary, "problems": problems}
	if rep.Best != nil {
		out["best_cost"] = math.Round(rep.Best.Cost)
		out["saving"] = math.Round(rep.Saving)
	}
	c.JSON(http.StatusOK, out)
}

// ---- publish, feeds, downloads ---------------------------------------------

func rosterRows(asg []roster.Assignment) []roster.RosterRow {
	rows := make([]roster.RosterRow, len(asg))
	for i, a := range asg {
		rows[i] = roster.RosterRow{Date: a.Date, Host: a.Host, District: a.District}
	}
	return rows
}

// publishWorkshop publishes the series' roster; when it holds the
// planner's roster and a different checked one, the form says which
// (roster=plan|checked) and without it the page asks.
func (s *Server) publishWorkshop(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	which := c.PostForm("roster")
	if which == store.RosterCurrent && w.PublishChoice() {
		page := s.workshopPage(c, w)
		page.Base.Error = s.pages.Text(page.Base.Lang, "rosters.choose")
		page.ChooseRoster = true
		s.renderStatus(c, http.StatusUnprocessableEntity, "workshop", page)
		return
	}
	rows := w.Roster()
	switch which {
	case store.RosterPlan:
		if w.Plan != nil {
			rows = rosterRows(w.Plan.Assignments)
		}
	case store.RosterChecked:
		rows = rosterRows(w.Checked)
	}
	rep, err := roster.Check(ctx, w.Instance(), rows)
	if err != nil {
		s.workshopError(c, w, err)
		return
	}
	if !rep.Valid {
		page := s.workshopPage(c, w)
		page.Base.Error = s.pages.Text(page.Base.Lang, "workshop.publish_invalid")
		page.Violations = rep.Violations
		s.renderStatus(c, http.StatusUnprocessableEntity, "workshop", page)
		return
	}
	pub, err := s.store.PublishWorkshopRoster(ctx, actor(c), w.ID, which, s.now())
	if err != nil {
		s.workshopError(c, w, err)
		return
	}
	w, err = s.store.FindWorkshopSeries(ctx, actor(c), w.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	page := s.workshopPage(c, w)
	page.Published = &pub
	s.render(c, "workshop", page)
}

func (s *Server) workshopFeed(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	h, found := w.HostByName(c.PostForm("host"))
	if !found || h.UnitID == 0 {
		s.workshopError(c, w, schedule.FieldError("host", "unknown host %q", c.PostForm("host")))
		return
	}
	// The host district's own events (a "cluster"-kind feed of that unit):
	// its workshops and nothing from the units below it.
	token, _, err := s.store.CreateFeedToken(c.Request.Context(), actor(c), store.FeedCluster, h.UnitID, s.lang(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	page := s.workshopPage(c, w)
	https, webcal := feedURLs(c, token)
	page.Feed = &workshopFeedLink{Host: hostLabel(h, page.Base.Lang), HTTPS: https, Webcal: webcal}
	s.render(c, "workshop", page)
}

// workshopPDF serves the roster as PDF (?lang=hi|en, ?host= one city).
func (s *Server) workshopPDF(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	lang := c.Query("lang")
	if lang != "hi" && lang != "en" {
		lang = s.lang(c)
	}
	only := c.Query("host")
	rs, err := s.rosterPrint(c, w, lang, only)
	if err != nil {
		s.fail(c, err)
		return
	}
	eng, err := s.pdfEngine()
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := eng.WriteRosterSeries(&buf, rs); err != nil {
		s.fail(c, fmt.Errorf("workshop roster pdf: %w", err))
		return
	}
	name := "roster"
	if only != "" {
		name += "-" + strings.ToLower(strings.ReplaceAll(only, " ", "-"))
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.pdf"; filename*=UTF-8''%s`, name, lang, url.PathEscape(name+"-"+lang+".pdf")))
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}

func (s *Server) workshopCSV(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	rows := w.Roster()
	asg := make([]roster.Assignment, len(rows))
	for i, r := range rows {
		asg[i] = roster.Assignment{Date: r.Date, Host: r.Host, District: r.District}
	}
	if err := roster.WriteRosterCSV(&buf, w.Instance(), asg); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="roster.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
