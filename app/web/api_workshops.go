package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

// The workshops API: the workshops page's list and a series as its page
// shows it (the roster rows, the workshops held, the plan's and the
// check's summary), as JSON. Names are in the request's language.

type apiWorkshopSeries struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	TitleHi     string     `json:"title_hi,omitempty"`
	Published   bool       `json:"published"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// apiWorkshopAssignment is a district's workshop in one series.
type apiWorkshopAssignment struct {
	SeriesID   int64  `json:"series_id"`
	Title      string `json:"title"`
	TitleHi    string `json:"title_hi,omitempty"`
	District   string `json:"district"`
	DistrictHi string `json:"district_hi,omitempty"`
	Host       string `json:"host"`
	HostHi     string `json:"host_hi,omitempty"`
	Date       string `json:"date"`
	// EventID is the published workshop's event (0 until published).
	EventID   int64 `json:"event_id,omitempty"`
	Published bool  `json:"published"`
}

// apiWorkshops is the answer of GET /workshops.
type apiWorkshops struct {
	// CanManage: the caller plans series (the state office); Series
	// lists them.
	CanManage   bool                    `json:"can_manage"`
	Series      []apiWorkshopSeries     `json:"series"`
	Assignments []apiWorkshopAssignment `json:"assignments"`
}

func (s *Server) apiWorkshops(c *gin.Context) {
	l, err := s.loadWorkshopList(c.Request.Context(), actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	z := s.zone()
	out := apiWorkshops{CanManage: l.CanManage, Series: make([]apiWorkshopSeries, len(l.Series)), Assignments: make([]apiWorkshopAssignment, len(l.Mine))}
	for i, w := range l.Series {
		out.Series[i] = apiWorkshopSeries{ID: w.ID, Title: w.Title, TitleHi: w.TitleHi, Published: w.PublishedAt != nil, PublishedAt: zonedPtr(z.In, w.PublishedAt), UpdatedAt: z.In(w.UpdatedAt)}
	}
	for i, m := range l.Mine {
		out.Assignments[i] = apiWorkshopAssignment(m)
	}
	c.JSON(http.StatusOK, out)
}

// zonedPtr is t on the organisation's clock (in), nil for nil.
func zonedPtr(in func(time.Time) time.Time, t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	z := in(*t)
	return &z
}

// apiRosterRow is one district of a series: where and when it attends,
// how far it travels and, for the planner's roster, its next best
// workshop and what moving there would cost.
type apiRosterRow struct {
	UnitID    int64   `json:"unit_id"`
	District  string  `json:"district"`
	HQ        string  `json:"hq"`
	Attendees int     `json:"attendees"`
	Host      string  `json:"host,omitempty"`
	HostLabel string  `json:"host_label,omitempty"`
	Date      string  `json:"date,omitempty"`
	Km        float64 `json:"km"`
	NextHost  string  `json:"next_host,omitempty"`
	NextKm    float64 `json:"next_km,omitempty"`
	ExtraCost float64 `json:"extra_cost,omitempty"`
	// Reason says why the district cannot move, in the request's
	// language.
	Reason string `json:"reason,omitempty"`
}

// apiWorkshopHeld is one workshop (host, date) of the current roster.
type apiWorkshopHeld struct {
	Host      string   `json:"host"`
	Label     string   `json:"label"`
	Date      string   `json:"date"`
	Districts []string `json:"districts"`
	Attendees int      `json:"attendees"`
	EventID   int64    `json:"event_id,omitempty"`
}

// apiPlanSummary is the planner's last roster.
type apiPlanSummary struct {
	// Current: the planner's roster is the series' current roster.
	Current        bool    `json:"current"`
	Workshops      int     `json:"workshops"`
	TravelPersonKm float64 `json:"travel_person_km"`
	FixedCost      float64 `json:"fixed_cost"`
	Cost           float64 `json:"cost"`
	LowerBound     float64 `json:"lower_bound"`
	GapPct         float64 `json:"gap_pct"`
	Optimal        bool    `json:"optimal"`
}

type apiViolation struct {
	Rule string `json:"rule"`
	// Message is the violation in the request's language.
	Message   string   `json:"message"`
	Districts []string `json:"districts,omitempty"`
	Hosts     []string `json:"hosts,omitempty"`
}

// apiCheckSummary is the verdict on the last checked roster.
type apiCheckSummary struct {
	Source         string         `json:"source"` // csv, fixture or hand
	Valid          bool           `json:"valid"`
	Violations     []apiViolation `json:"violations"`
	Workshops      int            `json:"workshops"`
	TravelPersonKm float64        `json:"travel_person_km"`
	Cost           float64        `json:"cost"`
	BestCost       *float64       `json:"best_cost,omitempty"`
	Saving         float64        `json:"saving"`
	OpenBestCost   *float64       `json:"open_best_cost,omitempty"`
	OpenSaving     float64        `json:"open_saving"`
	OpenSavingPct  float64        `json:"open_saving_pct"`
}

// apiWorkshop is the answer of GET /workshops/{id}.
type apiWorkshop struct {
	ID           int64      `json:"id"`
	Title        string     `json:"title"`
	TitleHi      string     `json:"title_hi,omitempty"`
	Dates        []string   `json:"dates"`
	TeamsPerDate []int      `json:"teams_per_date"`
	RosterSource string     `json:"roster_source,omitempty"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// The current roster's summary, as the page's figures: districts
	// assigned of all, Σ attendees × road km, and that plus the fixed
	// cost of each workshop.
	Districts      int               `json:"districts"`
	Assigned       int               `json:"assigned"`
	TravelPersonKm float64           `json:"travel_person_km"`
	Cost           float64           `json:"cost"`
	Plan           *apiPlanSummary   `json:"plan,omitempty"`
	Check          *apiCheckSummary  `json:"check,omitempty"`
	Rows           []apiRosterRow    `json:"rows"`
	Workshops      []apiWorkshopHeld `json:"workshops"`
}

func (s *Server) apiWorkshop(c *gin.Context) {
	w, ok := s.loadWorkshop(c)
	if !ok {
		return
	}
	lang, z := apiLang(c), s.zone()
	v := workshopViewOf(w, lang)
	out := apiWorkshop{ID: w.ID, Title: w.Title, TitleHi: w.TitleHi, Dates: w.Spec.Dates, TeamsPerDate: w.Spec.TeamsPerDate, RosterSource: w.RosterSource,
		PublishedAt: zonedPtr(z.In, w.PublishedAt), UpdatedAt: z.In(w.UpdatedAt), Districts: len(w.Districts), Assigned: v.Assigned,
		TravelPersonKm: v.Travel, Cost: v.Cost, Rows: make([]apiRosterRow, len(v.Rows)), Workshops: make([]apiWorkshopHeld, len(v.Hosts))}
	for i, r := range v.Rows {
		out.Rows[i] = apiRosterRow{UnitID: r.UnitID, District: r.District, HQ: r.HQ, Attendees: r.Attendees, Host: r.Host, HostLabel: r.HostLabel,
			Date: r.Date, Km: r.Km, NextHost: r.NextHost, NextKm: r.NextKm, ExtraCost: r.Extra}
		if r.Reason != "" {
			out.Rows[i].Reason = s.pages.Localize(lang, schedule.Msg{Format: r.Reason})
		}
	}
	for i, h := range v.Hosts {
		out.Workshops[i] = apiWorkshopHeld{Host: h.Host, Label: h.Label, Date: h.Date, Districts: h.Districts, Attendees: h.Attendees, EventID: h.EventID}
	}
	if p := w.Plan; p != nil {
		out.Plan = &apiPlanSummary{Current: v.PlanCurrent, Workshops: len(p.Workshops), TravelPersonKm: p.TravelPersonKm, FixedCost: p.FixedCost,
			Cost: p.Cost, LowerBound: p.LowerBound, GapPct: v.GapPct, Optimal: p.Optimal}
	}
	if ck := w.Check; ck != nil {
		cs := &apiCheckSummary{Source: w.CheckedSource, Valid: ck.Valid, Violations: []apiViolation{}, Workshops: ck.Workshops, TravelPersonKm: ck.TravelPersonKm,
			Cost: ck.Cost, Saving: ck.Saving, OpenSaving: ck.OpenSaving, OpenSavingPct: v.OpenSavingPct}
		if ck.Best != nil {
			cs.BestCost = &ck.Best.Cost
		}
		if ck.OpenBest != nil {
			cs.OpenBestCost = &ck.OpenBest.Cost
		}
		for _, x := range ck.Violations {
			cs.Violations = append(cs.Violations, apiViolation{Rule: x.Rule, Message: s.pages.Localize(lang, x.Text), Districts: x.Districts, Hosts: x.Hosts})
		}
		out.Check = cs
	}
	c.JSON(http.StatusOK, out)
}
