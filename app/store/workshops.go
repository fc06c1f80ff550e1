package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/schedule/roster"
)

// DefaultWorkshopRoles returns the roles counted for expected attendance by
// default: district presidents, IT cell and social media pramukhs.
func DefaultWorkshopRoles() []string {
	return []string{"president", "it_cell", "social_media_pramukh"}
}

// WorkshopSpec is the editable part of a workshop series: dates, trainer
// teams, costs, candidate hosts, pins and exclusions.
type WorkshopSpec struct {
	Dates              []string              `json:"dates"`
	TeamsPerDate       []int                 `json:"teams_per_date"`
	RoadFactor         float64               `json:"road_factor,omitempty"`
	FixedCost          float64               `json:"fixed_cost,omitempty"`
	Roles              []string              `json:"roles,omitempty"`
	Hosts              []WorkshopHost        `json:"hosts"`
	DistrictPins       []roster.DistrictHost `json:"district_pins,omitempty"`
	DatePins           []roster.HostDate     `json:"date_pins,omitempty"`
	DistrictExclusions []roster.DistrictHost `json:"district_exclusions,omitempty"`
	DateExclusions     []roster.HostDate     `json:"date_exclusions,omitempty"`
}

// WorkshopHost is a candidate host city; UnitID is the district unit that
// owns the published workshop event (0 when no district has this HQ town).
type WorkshopHost struct {
	roster.Host
	UnitID int64 `json:"unit_id,omitempty"`
}

// WorkshopDistrict is a participating district unit with its HQ, expected
// attendance and current assignment (Host and Date empty when unassigned).
type WorkshopDistrict struct {
	UnitID    int64   `json:"unit_id"`
	UnitPath  string  `json:"-"`
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	NameHi    string  `json:"name_hi"`
	HQ        string  `json:"hq"`
	Lat       float64 `json:"lat"`
	Lon       float64 `json:"lon"`
	Attendees int     `json:"attendees"`
	Host      string  `json:"host,omitempty"`
	Date      string  `json:"date,omitempty"`
}

// WorkshopEvent links a published workshop (host, date) to its event.
type WorkshopEvent struct {
	Host    string `json:"host"`
	Date    string `json:"date"`
	EventID int64  `json:"event_id"`
}

// WorkshopSeries is a stored series with its districts, current roster,
// last plan and check, and published events.
type WorkshopSeries struct {
	ID        int64              `json:"id"`
	UnitID    int64              `json:"unit_id"`
	UnitPath  string             `json:"-"`
	Title     string             `json:"title"`
	TitleHi   string             `json:"title_hi"`
	Spec      WorkshopSpec       `json:"spec"`
	Districts []WorkshopDistrict `json:"districts"`
	// Plan is the last planner result (nil before the first plan).
	Plan *roster.Result `json:"plan,omitempty"`
	// Checked is the last roster checked against the series (uploaded,
	// the 2022 sample, or edited by hand), kept beside Plan: checking a
	// roster never replaces the plan. CheckedSource says where it came
	// from ("csv", "fixture", "hand") and Check is its verdict.
	Checked       []roster.Assignment `json:"checked,omitempty"`
	CheckedSource string              `json:"checked_source,omitempty"`
	Check         *roster.CheckReport `json:"check,omitempty"`
	// RosterSource says where the current roster came from: "plan",
	// "hand", "csv" or "fixture".
	RosterSource string          `json:"roster_source,omitempty"`
	PublishedAt  *time.Time      `json:"published_at,omitempty"`
	Events       []WorkshopEvent `json:"events,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

// DisplayTitle returns the title in lang, falling back to the other.
func (w *WorkshopSeries) DisplayTitle(lang string) string {
	if lang == "hi" && w.TitleHi != "" {
		return w.TitleHi
	}
	if w.Title == "" {
		return w.TitleHi
	}
	return w.Title
}

// Instance returns the series as a roster instance (no fixed workshops).
func (w *WorkshopSeries) Instance() *roster.Instance {
	in := &roster.Instance{Title: w.Title, Dates: w.Spec.Dates, TeamsPerDate: w.Spec.TeamsPerDate,
		RoadFactor: w.Spec.RoadFactor, FixedCostPerWorkshop: w.Spec.FixedCost,
		DistrictPins: w.Spec.DistrictPins, DatePins: w.Spec.DatePins,
		DistrictExclusions: w.Spec.DistrictExclusions, DateExclusions: w.Spec.DateExclusions}
	for _, h := range w.Spec.Hosts {
		in.Hosts = append(in.Hosts, h.Host)
	}
	for _, d := range w.Districts {
		in.Districts = append(in.Districts, roster.District{Name: d.Name, NameHi: d.NameHi, HQ: d.HQ, Lat: d.Lat, Lon: d.Lon, Attendees: d.Attendees})
	}
	return in
}

// Roster returns the current roster as rows (assigned districts only).
func (w *WorkshopSeries) Roster() []roster.RosterRow {
	hi := map[string]string{}
	for _, h := range w.Spec.Hosts {
		hi[strings.ToLower(h.Name)] = h.NameHi
	}
	var rows []roster.RosterRow
	for _, d := range w.Districts {
		if d.Host != "" {
			rows = append(rows, roster.RosterRow{Date: d.Date, Host: d.Host, HostHi: hi[strings.ToLower(d.Host)], District: d.Name, DistrictHi: d.NameHi})
		}
	}
	return rows
}

// TownLabel is the town called name (a host, a district's HQ) in lang:
// its Hindi name where the series' hosts have one.
func (w *WorkshopSeries) TownLabel(name, lang string) string {
	if h, ok := w.HostByName(name); ok && lang == schedule.LangHindi && h.NameHi != "" {
		return h.NameHi
	}
	return name
}

// HostByName returns the candidate host named name (case-insensitive),
// in English or in Hindi: a roster typed in either language reads alike.
func (w *WorkshopSeries) HostByName(name string) (WorkshopHost, bool) {
	name = strings.TrimSpace(name)
	for _, h := range w.Spec.Hosts {
		if strings.EqualFold(strings.TrimSpace(h.Name), name) || (h.NameHi != "" && strings.TrimSpace(h.NameHi) == name) {
			return h, true
		}
	}
	return WorkshopHost{}, false
}

type workshopSeriesRow struct {
	bun.BaseModel `bun:"table:workshop_series"`
	ID            int64      `bun:"id,pk,autoincrement"`
	UnitID        int64      `bun:"unit_id"`
	UnitPath      string     `bun:"unit_path"`
	Title         string     `bun:"title"`
	TitleHi       string     `bun:"title_hi"`
	Spec          string     `bun:"spec"`
	PlanResult    string     `bun:"plan_result"`
	CheckReport   string     `bun:"check_report"`
	CheckedRoster string     `bun:"checked_roster"`
	RosterSource  string     `bun:"roster_source"`
	PublishedAt   *time.Time `bun:"published_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

type workshopDistrictRow struct {
	bun.BaseModel `bun:"table:workshop_districts"`
	SeriesID      int64   `bun:"series_id,pk"`
	UnitID        int64   `bun:"unit_id,pk"`
	UnitPath      string  `bun:"unit_path"`
	Position      int     `bun:"position"`
	HQ            string  `bun:"hq"`
	Lat           float64 `bun:"lat"`
	Lon           float64 `bun:"lon"`
	Attendees     int     `bun:"attendees"`
	Host          string  `bun:"host"`
	Date          string  `bun:"date"`
}

type workshopEventRow struct {
	bun.BaseModel `bun:"table:workshop_events"`
	SeriesID      int64  `bun:"series_id,pk"`
	Host          string `bun:"host,pk"`
	Date          string `bun:"date,pk"`
	EventID       int64  `bun:"event_id"`
}

type districtHQRow struct {
	bun.BaseModel `bun:"table:district_hq"`
	Town          string  `bun:"town,pk"`
	TownHi        string  `bun:"town_hi"`
	Lat           float64 `bun:"lat"`
	Lon           float64 `bun:"lon"`
}

// DistrictHQs returns the headquarters towns with coordinates, by name.
func (s *Store) DistrictHQs(ctx context.Context) ([]roster.Host, error) {
	var rows []districtHQRow
	if err := s.db.NewSelect().Model(&rows).Order("town").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list district headquarters: %w", err)
	}
	out := make([]roster.Host, len(rows))
	for i, r := range rows {
		out[i] = roster.Host{Name: r.Town, NameHi: r.TownHi, Lat: r.Lat, Lon: r.Lon}
	}
	return out, nil
}

// rootUnit returns the root unit the actor manages (state office scope);
// others get EFORBIDDEN.
func (s *Store) workshopRoot(ctx context.Context, db bun.IDB, actor schedule.Actor) (schedule.Unit, error) {
	var r unitRow
	if err := db.NewSelect().Model(&r).Where("parent_id IS NULL").Order("id").Limit(1).Scan(ctx); err != nil {
		return schedule.Unit{}, mapErr(err, "root unit")
	}
	if !actor.Can(schedule.ActWrite, r.Path) {
		return schedule.Unit{}, schedule.Errorf(schedule.EFORBIDDEN, "only the state office plans workshop series")
	}
	return r.domain(), nil
}

// CanManageWorkshops reports whether the actor may create and edit
// workshop series (the state office: a root unit in scope).
func (s *Store) CanManageWorkshops(ctx context.Context, actor schedule.Actor) bool {
	_, err := s.workshopRoot(ctx, s.db, actor)
	return err == nil
}

// WorkshopDefaults builds a new series for the actor (state office): every
// district-level unit whose HQ town is known, expected attendance = the
// active workers in the district holding one of roles (at least 1), and every
// HQ town a candidate host taking at most maxDistricts districts. Districts
// without a known HQ town are returned by name in missing.
func (s *Store) WorkshopDefaults(ctx context.Context, actor schedule.Actor, roles []string, maxDistricts int) (w WorkshopSeries, missing []string, err error) {
	root, err := s.workshopRoot(ctx, s.db, actor)
	if err != nil {
		return w, nil, err
	}
	if len(roles) == 0 {
		roles = DefaultWorkshopRoles()
	}
	w.UnitID, w.UnitPath = root.ID, root.Path
	w.Spec.Roles = roles
	hqs, err := s.DistrictHQs(ctx)
	if err != nil {
		return w, nil, err
	}
	byTown := map[string]roster.Host{}
	for _, h := range hqs {
		byTown[strings.ToLower(h.Name)] = h
	}
	levels, err := s.Levels(ctx)
	if err != nil {
		return w, nil, err
	}
	lv, ok := levels.ByKey("district")
	if !ok {
		return w, nil, schedule.Errorf(schedule.EINVALID, "the organisation has no level with key \"district\"")
	}
	var units []unitRow
	lo, hi := schedule.SubtreeRange(root.Path)
	if err := s.db.NewSelect().Model(&units).Where("depth = ? AND path >= ? AND path < ?", lv.Depth, lo, hi).Order("id").Scan(ctx); err != nil {
		return w, nil, fmt.Errorf("list district units: %w", err)
	}
	hostUnit := map[string]int64{}
	for _, u := range units {
		town := roster.HQTown(u.Name)
		h, ok := byTown[strings.ToLower(town)]
		if !ok {
			missing = append(missing, u.Name)
			continue
		}
		n, err := s.countRoleHolders(ctx, s.db, u.Path, roles)
		if err != nil {
			return w, nil, err
		}
		w.Districts = append(w.Districts, WorkshopDistrict{UnitID: u.ID, UnitPath: u.Path, Code: u.Code, Name: u.Name, NameHi: u.NameHi,
			HQ: h.Name, Lat: h.Lat, Lon: h.Lon, Attendees: max(n, 1)})
		// The host event belongs to the town's city district ("X Nagar"),
		// else to the first district with that HQ.
		if _, seen := hostUnit[h.Name]; !seen || strings.HasSuffix(u.Name, " Nagar") {
			hostUnit[h.Name] = u.ID
		}
	}
	for _, h := range hqs {
		h.MaxDistricts = maxDistricts
		w.Spec.Hosts = append(w.Spec.Hosts, WorkshopHost{Host: h, UnitID: hostUnit[h.Name]})
	}
	return w, missing, nil
}

// countRoleHolders counts active workers under path holding any of roles.
func (s *Store) countRoleHolders(ctx context.Context, db bun.IDB, path string, roles []string) (int, error) {
	lo, hi := schedule.SubtreeRange(path)
	var n int
	err := db.NewSelect().TableExpr("worker_roles AS wr").Join("JOIN workers AS w ON w.id = wr.worker_id").
		ColumnExpr("count(DISTINCT wr.worker_id)").
		Where("wr.unit_path >= ? AND wr.unit_path < ? AND w.active", lo, hi).Where("wr.role_key IN (?)", bun.In(roles)).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("count role holders under %s: %w", path, err)
	}
	return n, nil
}

// validateWorkshop checks the series' own fields and, through the roster
// model, its dates, hosts, districts, pins and exclusions.
func validateWorkshop(w *WorkshopSeries) error {
	w.Title, w.TitleHi = strings.TrimSpace(w.Title), strings.TrimSpace(w.TitleHi)
	if w.Title == "" && w.TitleHi == "" {
		return schedule.FieldError("title", "a title (English or Hindi) is required")
	}
	if err := w.Instance().Validate(); err != nil {
		return fmt.Errorf("workshop series: %w", err)
	}
	return nil
}

// CreateWorkshopSeries stores a new series (state office only). Districts
// must be district units in the actor's scope; their names come from the
// units.
func (s *Store) CreateWorkshopSeries(ctx context.Context, actor schedule.Actor, w WorkshopSeries) (WorkshopSeries, error) {
	var id int64
	err := s.inTx(ctx, func(tx bun.Tx) error {
		root, err := s.workshopRoot(ctx, tx, actor)
		if err != nil {
			return err
		}
		w.UnitID, w.UnitPath = root.ID, root.Path
		if err := s.resolveWorkshopDistricts(ctx, tx, actor, &w); err != nil {
			return err
		}
		if err := validateWorkshop(&w); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Second)
		row, err := workshopRowFrom(&w)
		if err != nil {
			return err
		}
		row.ID, row.CreatedAt, row.UpdatedAt = 0, now, now
		if _, err := tx.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
			return mapErr(err, "workshop series")
		}
		id = row.ID
		if err := writeWorkshopDistricts(ctx, tx, id, w.Districts); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "create", "workshop_series", id, root.Path, w.Title)
	})
	if err != nil {
		return WorkshopSeries{}, err
	}
	return s.FindWorkshopSeries(ctx, actor, id)
}

// UpdateWorkshopSeries replaces the title, spec and districts (with their
// attendance and assignments) of series w.ID. The last plan and check are
// kept for reference; publish state is unchanged.
func (s *Store) UpdateWorkshopSeries(ctx context.Context, actor schedule.Actor, w WorkshopSeries) (WorkshopSeries, error) {
	err := s.inTx(ctx, func(tx bun.Tx) error {
		old, err := s.workshopByID(ctx, tx, actor, w.ID)
		if err != nil {
			return err
		}
		w.UnitID, w.UnitPath = old.UnitID, old.UnitPath
		if err := s.resolveWorkshopDistricts(ctx, tx, actor, &w); err != nil {
			return err
		}
		if err := validateWorkshop(&w); err != nil {
			return err
		}
		spec, err := json.Marshal(w.Spec)
		if err != nil {
			return fmt.Errorf("encode workshop spec: %w", err)
		}
		if _, err := tx.NewUpdate().Model((*workshopSeriesRow)(nil)).Set("title = ?, title_hi = ?, spec = ?, updated_at = ?",
			w.Title, w.TitleHi, string(spec), s.now().UTC().Truncate(time.Second)).Where("id = ?", w.ID).Exec(ctx); err != nil {
			return mapErr(err, "workshop series")
		}
		if _, err := tx.NewDelete().Model((*workshopDistrictRow)(nil)).Where("series_id = ?", w.ID).Exec(ctx); err != nil {
			return fmt.Errorf("replace workshop districts: %w", err)
		}
		if err := writeWorkshopDistricts(ctx, tx, w.ID, w.Districts); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "update", "workshop_series", w.ID, w.UnitPath, w.Title)
	})
	if err != nil {
		return WorkshopSeries{}, err
	}
	return s.FindWorkshopSeries(ctx, actor, w.ID)
}

// resolveWorkshopDistricts fills names and paths of the series' districts
// from their units, which must exist in the actor's scope.
func (s *Store) resolveWorkshopDistricts(ctx context.Context, db bun.IDB, actor schedule.Actor, w *WorkshopSeries) error {
	seen := map[int64]bool{}
	for i := range w.Districts {
		d := &w.Districts[i]
		u, err := s.unitByID(ctx, db, d.UnitID)
		if err != nil || !actor.Can(schedule.ActRead, u.Path) {
			return schedule.FieldError(fmt.Sprintf("districts[%d]", i), "unit %d not found", d.UnitID)
		}
		if seen[u.ID] {
			return schedule.FieldError(fmt.Sprintf("districts[%d]", i), "district %s is listed twice", u.Name)
		}
		seen[u.ID] = true
		d.UnitPath, d.Code, d.Name, d.NameHi = u.Path, u.Code, u.Name, u.NameHi
	}
	// A host added by hand gets the district unit of its HQ town (the city
	// district "X Nagar" first), which will hold its published event.
	for i := range w.Spec.Hosts {
		h := &w.Spec.Hosts[i]
		if h.UnitID != 0 {
			continue
		}
		for _, d := range w.Districts {
			if strings.EqualFold(d.HQ, h.Name) && (h.UnitID == 0 || strings.HasSuffix(d.Name, " Nagar")) {
				h.UnitID = d.UnitID
			}
		}
	}
	return nil
}

func workshopRowFrom(w *WorkshopSeries) (workshopSeriesRow, error) {
	spec, err := json.Marshal(w.Spec)
	if err != nil {
		return workshopSeriesRow{}, fmt.Errorf("encode workshop spec: %w", err)
	}
	return workshopSeriesRow{ID: w.ID, UnitID: w.UnitID, UnitPath: w.UnitPath, Title: w.Title, TitleHi: w.TitleHi, Spec: string(spec)}, nil
}

func writeWorkshopDistricts(ctx context.Context, db bun.IDB, id int64, ds []WorkshopDistrict) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([]workshopDistrictRow, len(ds))
	for i, d := range ds {
		rows[i] = workshopDistrictRow{SeriesID: id, UnitID: d.UnitID, UnitPath: d.UnitPath, Position: i, HQ: d.HQ,
			Lat: d.Lat, Lon: d.Lon, Attendees: d.Attendees, Host: d.Host, Date: d.Date}
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return mapErr(err, "workshop district")
	}
	return nil
}

// FindWorkshopSeries returns a series the actor manages; others (including
// district officials) get ENOTFOUND.
func (s *Store) FindWorkshopSeries(ctx context.Context, actor schedule.Actor, id int64) (WorkshopSeries, error) {
	return s.workshopByID(ctx, s.db, actor, id)
}

func (s *Store) workshopByID(ctx context.Context, db bun.IDB, actor schedule.Actor, id int64) (WorkshopSeries, error) {
	var r workshopSeriesRow
	if err := db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil || !actor.Can(schedule.ActWrite, r.UnitPath) {
		return WorkshopSeries{}, schedule.Errorf(schedule.ENOTFOUND, "workshop series %d not found", id)
	}
	w := WorkshopSeries{ID: r.ID, UnitID: r.UnitID, UnitPath: r.UnitPath, Title: r.Title, TitleHi: r.TitleHi,
		RosterSource: r.RosterSource, PublishedAt: r.PublishedAt, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Spec), &w.Spec); err != nil {
		return w, fmt.Errorf("workshop series %d: decode spec: %w", id, err)
	}
	if r.PlanResult != "" {
		w.Plan = new(roster.Result)
		if err := json.Unmarshal([]byte(r.PlanResult), w.Plan); err != nil {
			return w, fmt.Errorf("workshop series %d: decode plan: %w", id, err)
		}
	}
	if r.CheckReport != "" {
		w.Check = new(roster.CheckReport)
		if err := json.Unmarshal([]byte(r.CheckReport), w.Check); err != nil {
			return w, fmt.Errorf("workshop series %d: decode check: %w", id, err)
		}
	}
	if r.CheckedRoster != "" {
		var cr checkedRoster
		if err := json.Unmarshal([]byte(r.CheckedRoster), &cr); err != nil {
			return w, fmt.Errorf("workshop series %d: decode checked roster: %w", id, err)
		}
		w.Checked, w.CheckedSource = cr.Assignments, cr.Source
	}
	var ds []struct {
		workshopDistrictRow
		Code   string `bun:"code"`
		Name   string `bun:"name"`
		NameHi string `bun:"name_hi"`
	}
	if err := db.NewSelect().TableExpr("workshop_districts AS d").Join("JOIN units AS u ON u.id = d.unit_id").
		ColumnExpr("d.*, u.code, u.name, u.name_hi").Where("d.series_id = ?", id).Order("d.position").Scan(ctx, &ds); err != nil {
		return w, fmt.Errorf("workshop series %d districts: %w", id, err)
	}
	for _, d := range ds {
		w.Districts = append(w.Districts, WorkshopDistrict{UnitID: d.UnitID, UnitPath: d.UnitPath, Code: d.Code, Name: d.Name, NameHi: d.NameHi,
			HQ: d.HQ, Lat: d.Lat, Lon: d.Lon, Attendees: d.Attendees, Host: d.Host, Date: d.Date})
	}
	var evs []workshopEventRow
	if err := db.NewSelect().Model(&evs).Where("series_id = ?", id).Order("date", "host").Scan(ctx); err != nil {
		return w, fmt.Errorf("workshop series %d events: %w", id, err)
	}
	for _, e := range evs {
		w.Events = append(w.Events, WorkshopEvent{Host: e.Host, Date: e.Date, EventID: e.EventID})
	}
	return w, nil
}

// FindWorkshopSeriesList lists the series the actor manages, newest first.
func (s *Store) FindWorkshopSeriesList(ctx context.Context, actor schedule.Actor) ([]WorkshopSeries, error) {
	var rows []workshopSeriesRow
	q := whereScope(s.db.NewSelect().Model(&rows).Column("id", "unit_id", "unit_path", "title", "title_hi", "published_at", "updated_at"), "unit_path", actor.Scope)
	if actor.System {
		q = s.db.NewSelect().Model(&rows)
	}
	if err := q.Order("id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list workshop series: %w", err)
	}
	out := make([]WorkshopSeries, len(rows))
	for i, r := range rows {
		out[i] = WorkshopSeries{ID: r.ID, UnitID: r.UnitID, UnitPath: r.UnitPath, Title: r.Title, TitleHi: r.TitleHi, PublishedAt: r.PublishedAt, UpdatedAt: r.UpdatedAt.UTC()}
	}
	return out, nil
}

// WorkshopAssignment is one district's place in a series, as its officials
// see it.
type WorkshopAssignment struct {
	SeriesID   int64
	Title      string
	TitleHi    string
	District   string
	DistrictHi string
	Host       string
	HostHi     string
	Date       string
	EventID    int64 // 0 until published
	Published  bool
}

// MyWorkshopAssignments lists the assignments of the districts in the
// actor's scope across all series (district officials' view).
func (s *Store) MyWorkshopAssignments(ctx context.Context, actor schedule.Actor) ([]WorkshopAssignment, error) {
	var rows []struct {
		SeriesID    int64      `bun:"series_id"`
		Title       string     `bun:"title"`
		TitleHi     string     `bun:"title_hi"`
		Spec        string     `bun:"spec"`
		PublishedAt *time.Time `bun:"published_at"`
		Name        string     `bun:"name"`
		NameHi      string     `bun:"name_hi"`
		Host        string     `bun:"host"`
		Date        string     `bun:"date"`
		EventID     *int64     `bun:"event_id"`
	}
	q := s.db.NewSelect().TableExpr("workshop_districts AS d").
		Join("JOIN workshop_series AS s ON s.id = d.series_id").
		Join("JOIN units AS u ON u.id = d.unit_id").
		Join("LEFT JOIN workshop_events AS e ON e.series_id = d.series_id AND e.host = d.host AND e.date = d.date").
		ColumnExpr("d.series_id, s.title, s.title_hi, s.spec, s.published_at, u.name, u.name_hi, d.host, d.date, e.event_id").
		Where("d.host <> ''")
	if !actor.System {
		q = whereScope(q, "d.unit_path", actor.Scope)
	}
	if err := q.Order("d.series_id DESC", "d.position").Limit(500).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("list workshop assignments: %w", err)
	}
	out := make([]WorkshopAssignment, 0, len(rows))
	for _, r := range rows {
		a := WorkshopAssignment{SeriesID: r.SeriesID, Title: r.Title, TitleHi: r.TitleHi, District: r.Name, DistrictHi: r.NameHi,
			Host: r.Host, Date: r.Date, Published: r.PublishedAt != nil}
		var spec WorkshopSpec
		if json.Unmarshal([]byte(r.Spec), &spec) == nil {
			for _, h := range spec.Hosts {
				if h.Name == r.Host {
					a.HostHi = h.NameHi
				}
			}
		}
		if r.EventID != nil {
			a.EventID = *r.EventID
		}
		out = append(out, a)
	}
	return out, nil
}

// checkedRoster is the checked_roster column.
type checkedRoster struct {
	Source      string              `json:"source"`
	Assignments []roster.Assignment `json:"assignments"`
}

// SourceText says where the current roster came from, for people.
func (w WorkshopSeries) SourceText() schedule.Msg { return RosterSourceText(w.RosterSource) }

// CheckedSourceText says where the checked roster came from.
func (w WorkshopSeries) CheckedSourceText() schedule.Msg { return RosterSourceText(w.CheckedSource) }

// Rosters the series can publish (PublishWorkshopSeries' which).
const (
	RosterCurrent = ""        // the current roster
	RosterPlan    = "plan"    // the planner's roster
	RosterChecked = "checked" // the last checked roster
)

// PublishChoice reports whether publishing must say which roster: the
// series holds a plan and a checked roster that differ.
func (w *WorkshopSeries) PublishChoice() bool {
	return w.Plan != nil && len(w.Checked) > 0 && !sameAssignments(w.Plan.Assignments, w.Checked)
}

// sameAssignments reports whether a and b send every district to the same
// host on the same date.
func sameAssignments(a, b []roster.Assignment) bool {
	if len(a) != len(b) {
		return false
	}
	m := make(map[string]string, len(a))
	for _, x := range a {
		m[strings.ToLower(x.District)] = strings.ToLower(x.Host) + " " + x.Date
	}
	for _, x := range b {
		if m[strings.ToLower(x.District)] != strings.ToLower(x.Host)+" "+x.Date {
			return false
		}
	}
	return true
}

// SaveWorkshopRoster stores a roster of the series (every district of a
// row must be in the series; districts without a row are unassigned):
//   - with plan (source "plan"), rows are the planner's roster: they become
//     the plan and the current roster;
//   - with check (a roster made by people: "csv", "fixture", "hand"), rows
//     become the checked roster, kept beside the plan, with its verdict.
//     They become the current roster too when edited by hand or when there
//     is no plan: checking an uploaded roster against a plan compares it,
//     it never replaces the plan that Publish would otherwise publish.
func (s *Store) SaveWorkshopRoster(ctx context.Context, actor schedule.Actor, id int64, rows []roster.Assignment, plan *roster.Result, check *roster.CheckReport, source string) error {
	return s.inTx(ctx, func(tx bun.Tx) error {
		w, err := s.workshopByID(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		rows, err := resolveRoster(&w, rows)
		if err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Second)
		q := tx.NewUpdate().Model((*workshopSeriesRow)(nil)).Set("updated_at = ?", now).Where("id = ?", id)
		current := plan != nil || source == "hand" || w.Plan == nil
		if plan != nil {
			b, err := json.Marshal(plan)
			if err != nil {
				return fmt.Errorf("encode plan: %w", err)
			}
			q = q.Set("plan_result = ?", string(b))
		}
		if check != nil {
			b, err := json.Marshal(check)
			if err != nil {
				return fmt.Errorf("encode check: %w", err)
			}
			cr, err := json.Marshal(checkedRoster{Source: source, Assignments: rows})
			if err != nil {
				return fmt.Errorf("encode checked roster: %w", err)
			}
			q = q.Set("check_report = ?, checked_roster = ?", string(b), string(cr))
		}
		if current {
			if err := setCurrentRoster(ctx, tx, &w, rows); err != nil {
				return err
			}
			q = q.Set("roster_source = ?", source)
		}
		if _, err := q.Exec(ctx); err != nil {
			return mapErr(err, "workshop series")
		}
		return s.audit(ctx, tx, actor, "roster", "workshop_series", id, w.UnitPath, schedule.Msgf("%s, %d assignments", RosterSourceText(source), len(rows)))
	})
}

// resolveRoster checks rows against the series: known districts, known
// hosts (returned under the hosts' own names).
func resolveRoster(w *WorkshopSeries, rows []roster.Assignment) ([]roster.Assignment, error) {
	known := map[string]bool{}
	for _, d := range w.Districts {
		known[strings.ToLower(d.Name)] = true
	}
	out := make([]roster.Assignment, 0, len(rows))
	var unknown []string
	for _, a := range rows {
		if !known[strings.ToLower(strings.TrimSpace(a.District))] {
			unknown = append(unknown, a.District)
			continue
		}
		h, ok := w.HostByName(a.Host)
		if !ok {
			return nil, schedule.FieldError("host", "unknown host %q for district %s", a.Host, a.District)
		}
		a.Host = h.Name
		out = append(out, a)
	}
	if len(unknown) > 0 {
		return nil, schedule.FieldError("district", "unknown district(s) in this series: %s", strings.Join(unknown, ", "))
	}
	return out, nil
}

// setCurrentRoster makes rows (resolved) the series' current roster.
func setCurrentRoster(ctx context.Context, tx bun.Tx, w *WorkshopSeries, rows []roster.Assignment) error {
	unit := map[string]int64{}
	for _, d := range w.Districts {
		unit[strings.ToLower(d.Name)] = d.UnitID
	}
	if _, err := tx.NewUpdate().Model((*workshopDistrictRow)(nil)).Set("host = '', date = ''").Where("series_id = ?", w.ID).Exec(ctx); err != nil {
		return fmt.Errorf("clear workshop roster: %w", err)
	}
	for _, a := range rows {
		if _, err := tx.NewUpdate().Model((*workshopDistrictRow)(nil)).Set("host = ?, date = ?", a.Host, a.Date).
			Where("series_id = ? AND unit_id = ?", w.ID, unit[strings.ToLower(strings.TrimSpace(a.District))]).Exec(ctx); err != nil {
			return fmt.Errorf("save workshop roster: %w", err)
		}
	}
	for i := range w.Districts {
		w.Districts[i].Host, w.Districts[i].Date = "", ""
		for _, a := range rows {
			if strings.EqualFold(strings.TrimSpace(a.District), w.Districts[i].Name) {
				w.Districts[i].Host, w.Districts[i].Date = a.Host, a.Date
			}
		}
	}
	return nil
}

// WorkshopPublished is the outcome of publishing a series.
type WorkshopPublished struct {
	Created, Updated, Cancelled int
	Events                      []WorkshopEvent
}

// Workshop event times: 10:00–17:00 IST on the workshop day.
const (
	workshopStartHour = 10
	workshopEndHour   = 17
)

// PublishWorkshopSeries turns the current roster into events, in one
// transaction: one "training" event per (host, date) at the host's district
// unit, venue the host city, with the participating districts in its
// description. Re-publishing updates the same events (sequence bumped only
// when something changed) and cancels events of workshops no longer held.
func (s *Store) PublishWorkshopSeries(ctx context.Context, actor schedule.Actor, id int64, now time.Time) (WorkshopPublished, error) {
	return s.PublishWorkshopRoster(ctx, actor, id, RosterCurrent, now)
}

// PublishWorkshopRoster publishes one of the series' rosters (which:
// RosterPlan, RosterChecked, or RosterCurrent), making it the current
// roster first. A series holding a plan and a different checked roster
// must be told which (PublishChoice): an EINVALID error says so.
func (s *Store) PublishWorkshopRoster(ctx context.Context, actor schedule.Actor, id int64, which string, now time.Time) (WorkshopPublished, error) {
	var out WorkshopPublished
	err := s.inTx(ctx, func(tx bun.Tx) error {
		w, err := s.workshopByID(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		switch which {
		case RosterCurrent:
			if w.PublishChoice() {
				return schedule.FieldError("roster", "say which roster to publish: the planner's or the checked one")
			}
		case RosterPlan, RosterChecked:
			rows, source := w.Checked, w.CheckedSource
			if which == RosterPlan {
				if w.Plan == nil {
					return schedule.FieldError("roster", "the series has no plan to publish")
				}
				rows, source = w.Plan.Assignments, "plan"
			} else if len(rows) == 0 {
				return schedule.FieldError("roster", "the series has no checked roster to publish")
			}
			if err := setCurrentRoster(ctx, tx, &w, rows); err != nil {
				return err
			}
			if _, err := tx.NewUpdate().Model((*workshopSeriesRow)(nil)).Set("roster_source = ?", source).Where("id = ?", id).Exec(ctx); err != nil {
				return mapErr(err, "workshop series")
			}
		default:
			return schedule.FieldError("roster", "unknown roster %q (want plan or checked)", which)
		}
		type key struct{ host, date string }
		groups := map[key][]WorkshopDistrict{}
		var keys []key
		var unassigned []string
		for _, d := range w.Districts {
			if d.Host == "" {
				unassigned = append(unassigned, d.Name)
				continue
			}
			k := key{d.Host, d.Date}
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], d)
		}
		if len(unassigned) > 0 {
			return schedule.FieldError("roster", "plan or assign every district before publishing; unassigned: %s", strings.Join(unassigned, ", "))
		}
		if len(keys) == 0 {
			return schedule.FieldError("roster", "the series has no roster to publish")
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].date != keys[j].date {
				return keys[i].date < keys[j].date
			}
			return keys[i].host < keys[j].host
		})
		existing := map[key]int64{}
		for _, e := range w.Events {
			existing[key{e.Host, e.Date}] = e.EventID
		}
		for _, k := range keys {
			h, ok := w.HostByName(k.host)
			if !ok || h.UnitID == 0 {
				return schedule.FieldError("hosts", "host %s has no district unit to hold its event", k.host)
			}
			e, err := workshopEvent(s.zone, &w, h, k.date, groups[k])
			if err != nil {
				return err
			}
			if evID, ok := existing[k]; ok {
				changed, err := s.updateEventTx(ctx, tx, actor, evID, e, now)
				if err != nil {
					return err
				}
				if changed {
					out.Updated++
				}
				delete(existing, k)
				out.Events = append(out.Events, WorkshopEvent{Host: k.host, Date: k.date, EventID: evID})
				continue
			}
			evID, err := s.createEventTx(ctx, tx, actor, e, now)
			if err != nil {
				return err
			}
			if _, err := tx.NewInsert().Model(&workshopEventRow{SeriesID: id, Host: k.host, Date: k.date, EventID: evID}).Exec(ctx); err != nil {
				return mapErr(err, "workshop event")
			}
			out.Created++
			out.Events = append(out.Events, WorkshopEvent{Host: k.host, Date: k.date, EventID: evID})
		}
		for _, evID := range existing {
			old, err := s.eventByID(ctx, tx, evID)
			if err != nil {
				return err
			}
			if old.Status != schedule.EventCancelled {
				e := old.Event
				e.Status = schedule.EventCancelled
				if _, err := s.updateEventTx(ctx, tx, actor, evID, e, now); err != nil {
					return err
				}
				out.Cancelled++
			}
		}
		if _, err := tx.NewUpdate().Model((*workshopSeriesRow)(nil)).Set("published_at = ?", now.UTC().Truncate(time.Second)).Where("id = ?", id).Exec(ctx); err != nil {
			return mapErr(err, "workshop series")
		}
		return s.audit(ctx, tx, actor, "publish", "workshop_series", id, w.UnitPath,
			schedule.Msgf("%d created, %d updated, %d cancelled", out.Created, out.Updated, out.Cancelled))
	})
	return out, err
}

// workshopEvent builds the event of one workshop, its day read on the
// organisation's clock (zone).
func workshopEvent(zone schedule.Zone, w *WorkshopSeries, h WorkshopHost, date string, ds []WorkshopDistrict) (schedule.Event, error) {
	day, err := time.ParseInLocation(roster.DateLayout, date, zone.Location())
	if err != nil {
		return schedule.Event{}, schedule.FieldError("date", "%q is not a YYYY-MM-DD date", date)
	}
	start := day.Add(workshopStartHour * time.Hour)
	names := make([]string, len(ds))
	namesHi := make([]string, len(ds))
	people := 0
	for i, d := range ds {
		names[i], namesHi[i] = d.Name, d.NameHi
		people += d.Attendees
	}
	title, titleHi := w.Title, w.TitleHi
	if title == "" {
		title = titleHi
	}
	if titleHi == "" {
		titleHi = title
	}
	hostHi := h.NameHi
	if hostHi == "" {
		hostHi = h.Name
	}
	desc := fmt.Sprintf("Participating districts (%d, about %d people): %s\nभाग लेने वाले ज़िले: %s",
		len(ds), people, strings.Join(names, ", "), strings.Join(namesHi, ", "))
	return schedule.Event{UnitID: h.UnitID, Type: "training", Title: title + " — " + h.Name, TitleHi: titleHi + " — " + hostHi,
		Description: desc, Venue: schedule.Venue{Name: h.Name, Geo: &schedule.LatLon{Lat: h.Lat, Lon: h.Lon}},
		Start: start.UTC(), End: day.Add(workshopEndHour * time.Hour).UTC(), Status: schedule.EventConfirmed}, nil
}

// createEventTx is CreateEvent inside the caller's transaction.
func (s *Store) createEventTx(ctx context.Context, tx bun.Tx, actor schedule.Actor, e schedule.Event, now time.Time) (int64, error) {
	e.ID, e.Sequence = 0, 0
	e.Zone = s.zone
	e.Normalise()
	uid, err := schedule.NewEventUID(rand.Reader)
	if err != nil {
		return 0, err
	}
	e.UID = uid
	e.UpdatedAt = now.UTC().Truncate(time.Second)
	if err := e.Validate(); err != nil {
		return 0, err
	}
	u, err := s.checkEventRefs(ctx, tx, actor, &e, nil)
	if err != nil {
		return 0, err
	}
	row, err := eventRowFrom(&e, u, now)
	if err != nil {
		return 0, err
	}
	row.ID = 0
	if _, err := tx.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
		return 0, mapErr(err, schedule.Msgf("event with UID %s", e.UID))
	}
	e.ID = row.ID
	return row.ID, s.audit(ctx, tx, actor, "create", "event", e.ID, u.Path, s.auditEvent(&e))
}

// updateEventTx replaces the workshop fields of event id with e's inside
// the caller's transaction; it reports whether anything changed (only then
// are the sequence and updated time bumped, so feeds see no spurious edit).
func (s *Store) updateEventTx(ctx context.Context, tx bun.Tx, actor schedule.Actor, id int64, e schedule.Event, now time.Time) (bool, error) {
	old, err := s.eventByID(ctx, tx, id)
	if err != nil || !actor.Can(schedule.ActWrite, old.UnitPath) {
		return false, schedule.Errorf(schedule.ENOTFOUND, "event %d not found", id)
	}
	next := old.Event
	next.UnitID, next.Type, next.Title, next.TitleHi, next.Description = e.UnitID, e.Type, e.Title, e.TitleHi, e.Description
	next.Venue, next.Start, next.End, next.Status = e.Venue, e.Start, e.End, e.Status
	next.Zone = s.zone
	next.Normalise()
	if sameWorkshopEvent(&old.Event, &next) {
		return false, nil
	}
	next.Bump(now)
	if err := next.Validate(); err != nil {
		return false, err
	}
	u, err := s.checkEventRefs(ctx, tx, actor, &next, &old.Event)
	if err != nil {
		return false, err
	}
	row, err := eventRowFrom(&next, u, now)
	if err != nil {
		return false, err
	}
	if _, err := tx.NewUpdate().Model(&row).ExcludeColumn("id", "uid", "created_at", "programme_id").WherePK().Exec(ctx); err != nil {
		return false, mapErr(err, schedule.Msgf("event %d", id))
	}
	return true, s.audit(ctx, tx, actor, "update", "event", id, u.Path, s.auditEvent(&next))
}

func sameWorkshopEvent(a, b *schedule.Event) bool {
	geo := func(e *schedule.Event) [2]float64 {
		if e.Venue.Geo == nil {
			return [2]float64{}
		}
		return [2]float64{e.Venue.Geo.Lat, e.Venue.Geo.Lon}
	}
	return a.UnitID == b.UnitID && a.Type == b.Type && a.Title == b.Title && a.TitleHi == b.TitleHi &&
		a.Description == b.Description && a.Venue.Name == b.Venue.Name && geo(a) == geo(b) &&
		a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.Status == b.Status
}
