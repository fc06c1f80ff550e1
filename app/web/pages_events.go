package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/ical"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// choice is one option of a select or checkbox list.
type choice struct {
	Value    string
	Label    string
	Selected bool
}

// eventForm is the event form's fields as typed (IST wall-clock dates and
// times).
type eventForm struct {
	ID          int64
	UnitID      int64
	Type        string
	Title       string
	TitleHi     string
	Description string
	Venue       string
	Lat, Lon    string
	Date        string // YYYY-MM-DD
	Start       string // HH:MM
	EndDate     string // empty: same day
	End         string
	Status      string
	Repeat      string // see repeatChoices
	Count       string
	Until       string
	RRule       string // raw, for Repeat == "custom"
	ExDates     string // one date per line
	Organisers  []int64
	OtherOrgs   string // more worker IDs, comma separated
	Guests      []int64
}

var repeatKeys = []string{"", "daily", "weekly", "monthly_day", "monthly_nth", "monthly_last", "monthly_last_sunday", "yearly", "custom"}

var dayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// ruleFor builds the RRULE of a simple repeat choice anchored at start on
// the organisation's clock.
func ruleFor(z schedule.Zone, f eventForm, start time.Time) (string, error) {
	t := z.In(start)
	day := dayCodes[t.Weekday()]
	var r string
	switch f.Repeat {
	case "":
		return "", nil
	case "daily":
		r = "FREQ=DAILY"
	case "weekly":
		r = "FREQ=WEEKLY;BYDAY=" + day
	case "monthly_day":
		r = fmt.Sprintf("FREQ=MONTHLY;BYMONTHDAY=%d", t.Day())
	case "monthly_nth":
		r = fmt.Sprintf("FREQ=MONTHLY;BYDAY=%d%s", (t.Day()-1)/7+1, day)
	case "monthly_last":
		r = "FREQ=MONTHLY;BYDAY=-1" + day
	case "monthly_last_sunday":
		r = "FREQ=MONTHLY;BYDAY=-1SU"
	case "yearly":
		r = "FREQ=YEARLY"
	case "custom":
		r = strings.TrimPrefix(strings.TrimSpace(f.RRule), "RRULE:")
		if r == "" {
			return "", schedule.FieldError("rrule", "type a recurrence rule, e.g. FREQ=MONTHLY;BYDAY=-1SU")
		}
	default:
		return "", schedule.FieldError("repeat", "unknown repeat choice %q", f.Repeat)
	}
	upper := strings.ToUpper(r)
	if n := strings.TrimSpace(f.Count); n != "" && !strings.Contains(upper, "COUNT=") {
		v, err := strconv.Atoi(n)
		if err != nil || v < 1 || v > schedule.MaxRRuleCount {
			return "", schedule.FieldError("count", "give a number of times from 1 to %d", schedule.MaxRRuleCount)
		}
		r += ";COUNT=" + strconv.Itoa(v)
	} else if u := strings.TrimSpace(f.Until); u != "" && !strings.Contains(upper, "UNTIL=") {
		d, err := time.Parse("2006-01-02", u)
		if err != nil {
			return "", schedule.FieldError("until", "could not read %q as a date (YYYY-MM-DD)", u)
		}
		r += ";UNTIL=" + d.Format("20060102")
	}
	return r, nil
}

func parseIDs(s string) ([]int64, error) {
	var out []int64
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == ';' }) {
		id, err := strconv.ParseInt(strings.TrimPrefix(p, "#"), 10, 64)
		if err != nil || id <= 0 {
			return nil, schedule.FieldError("organisers", "%q is not a worker ID", p)
		}
		out = append(out, id)
	}
	return out, nil
}

func formIDs(c *gin.Context, name string) []int64 {
	var out []int64
	for _, v := range c.PostFormArray(name) {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func readEventForm(c *gin.Context) eventForm {
	f := eventForm{Type: c.PostForm("type"), Title: c.PostForm("title"), TitleHi: c.PostForm("title_hi"),
		Description: c.PostForm("description"), Venue: c.PostForm("venue"), Lat: c.PostForm("lat"), Lon: c.PostForm("lon"),
		Date: c.PostForm("date"), Start: c.PostForm("start"), EndDate: c.PostForm("end_date"), End: c.PostForm("end"),
		Status: c.PostForm("status"), Repeat: c.PostForm("repeat"), Count: c.PostForm("count"), Until: c.PostForm("until"),
		RRule: c.PostForm("rrule"), ExDates: c.PostForm("exdates"), Organisers: formIDs(c, "organisers"),
		OtherOrgs: c.PostForm("other_organisers"), Guests: formIDs(c, "guests")}
	f.UnitID, _ = strconv.ParseInt(c.PostForm("unit"), 10, 64)
	return f
}

// event converts the form, typed on the organisation's clock (z), into an
// event; field problems come back as one joined error of *schedule.Error
// values.
func (f eventForm) event(z schedule.Zone) (schedule.Event, error) {
	e := schedule.Event{ID: f.ID, UnitID: f.UnitID, Type: f.Type, Title: f.Title, TitleHi: f.TitleHi,
		Description: f.Description, Venue: schedule.Venue{Name: f.Venue}, Status: schedule.EventStatus(f.Status),
		Guests: f.Guests, Zone: z}
	var errs []error
	var err error
	if e.Start, err = z.Parse(f.Date, f.Start); err != nil {
		errs = append(errs, schedule.FieldError("start", "give the date (YYYY-MM-DD) and start time (HH:MM)"))
	}
	endDate := f.EndDate
	if strings.TrimSpace(endDate) == "" {
		endDate = f.Date
	}
	if e.End, err = z.Parse(endDate, f.End); err != nil || strings.TrimSpace(f.End) == "" {
		errs = append(errs, schedule.FieldError("end", "give the end time (HH:MM)"))
	}
	if strings.TrimSpace(f.Lat) != "" || strings.TrimSpace(f.Lon) != "" {
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(f.Lat), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(f.Lon), 64)
		if err1 != nil || err2 != nil {
			errs = append(errs, schedule.FieldError("venue.lat", "give both latitude and longitude as numbers, e.g. 26.2183 and 78.1828"))
		} else {
			e.Venue.Geo = &schedule.LatLon{Lat: lat, Lon: lon}
		}
	}
	more, err := parseIDs(f.OtherOrgs)
	if err != nil {
		errs = append(errs, err)
	}
	e.Organisers = append(slices.Clone(f.Organisers), more...)
	if len(errs) == 0 {
		if e.RRule, err = ruleFor(z, f, e.Start); err != nil {
			errs = append(errs, err)
		}
	}
	if e.RRule != "" && len(errs) == 0 {
		clock := z.ClockKey(e.Start)
		for _, line := range strings.Fields(f.ExDates) {
			x, err := z.Parse(line, clock)
			if err != nil {
				errs = append(errs, schedule.FieldError("exdates", "could not read %q as a date (YYYY-MM-DD)", line))
				continue
			}
			e.ExDates = append(e.ExDates, x)
		}
	} else if strings.TrimSpace(f.ExDates) != "" && len(errs) == 0 {
		errs = append(errs, schedule.FieldError("exdates", "exception dates need a repeating event"))
	}
	if len(errs) > 0 {
		return e, joinErrs(errs)
	}
	return e, nil
}

func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return multiErr(errs)
}

type multiErr []error

func (m multiErr) Error() string {
	parts := make([]string, len(m))
	for i, e := range m {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

func (m multiErr) Unwrap() []error { return m }

// formOf fills the form from a stored event, on the organisation's clock.
func formOf(z schedule.Zone, r store.EventRecord) eventForm {
	s, e := z.In(r.Start), z.In(r.End)
	f := eventForm{ID: r.ID, UnitID: r.UnitID, Type: r.Type, Title: r.Title, TitleHi: r.TitleHi, Description: r.Description,
		Venue: r.Venue.Name, Date: s.Format("2006-01-02"), Start: s.Format("15:04"), End: e.Format("15:04"),
		Status: string(r.Status), Organisers: r.Organisers, Guests: r.Guests}
	if e.Format("2006-01-02") != f.Date {
		f.EndDate = e.Format("2006-01-02")
	}
	if g := r.Venue.Geo; g != nil {
		f.Lat, f.Lon = strconv.FormatFloat(g.Lat, 'f', -1, 64), strconv.FormatFloat(g.Lon, 'f', -1, 64)
	}
	if r.RRule != "" {
		f.Repeat, f.RRule = "custom", r.RRule
		var ds []string
		for _, x := range r.ExDates {
			ds = append(ds, z.DateKey(x))
		}
		f.ExDates = strings.Join(ds, "\n")
	}
	return f
}

type eventFormPage struct {
	Base      basePage
	Unit      schedule.Unit
	Form      eventForm
	Types     []choice
	Statuses  []choice
	Repeats   []choice
	Workers   []choice
	Guests    []choice
	Errors    map[string]string
	Window    string // programme window, for programme events
	Programme string
}

func (s *Server) eventFormPage(c *gin.Context, f eventForm, err error) (eventFormPage, error) {
	ctx := c.Request.Context()
	a := actor(c)
	lang := s.lang(c)
	page := eventFormPage{Base: s.base(c), Form: f, Errors: map[string]string{}}
	u, uerr := s.store.FindUnitByID(ctx, a, f.UnitID)
	if uerr != nil {
		return page, uerr
	}
	page.Unit = u
	types, terr := s.store.EventTypes(ctx)
	if terr != nil {
		return page, terr
	}
	for _, t := range types {
		label := t.Name
		if lang == "hi" && t.NameHi != "" {
			label = t.NameHi
		}
		page.Types = append(page.Types, choice{Value: t.Key, Label: label, Selected: t.Key == f.Type})
	}
	for _, st := range []schedule.EventStatus{schedule.EventConfirmed, schedule.EventTentative, schedule.EventCancelled} {
		page.Statuses = append(page.Statuses, choice{Value: string(st), Label: s.pages.Text(lang, "event.status."+string(st)), Selected: string(st) == f.Status})
	}
	for _, k := range repeatKeys {
		page.Repeats = append(page.Repeats, choice{Value: k, Label: s.pages.Text(lang, "event.repeat."+k), Selected: k == f.Repeat})
	}
	// Organisers: the unit's steering committee and officials, plus whoever
	// is already chosen.
	seen := map[int64]bool{}
	for _, role := range []string{"steering_committee", "president", "general_secretary", "office"} {
		ws, _, werr := s.store.FindWorkers(ctx, a, schedule.WorkerFilter{UnitID: u.ID, Role: role, Limit: 60})
		if werr != nil {
			return page, werr
		}
		for _, w := range ws {
			if !seen[w.ID] {
				seen[w.ID] = true
				page.Workers = append(page.Workers, choice{Value: strconv.FormatInt(w.ID, 10), Label: w.Name, Selected: slices.Contains(f.Organisers, w.ID)})
			}
		}
	}
	var others []string
	for _, id := range f.Organisers {
		if !seen[id] {
			others = append(others, strconv.FormatInt(id, 10))
		}
	}
	if len(others) > 0 && page.Form.OtherOrgs == "" {
		page.Form.OtherOrgs = strings.Join(others, ", ")
	}
	guests, gerr := s.store.FindGuests(ctx, a, "", 500)
	if gerr != nil {
		return page, gerr
	}
	for _, g := range guests {
		label := g.DisplayName(lang)
		if g.Title != "" {
			label += " (" + g.Title + ")"
		}
		page.Guests = append(page.Guests, choice{Value: strconv.FormatInt(g.ID, 10), Label: label, Selected: slices.Contains(f.Guests, g.ID)})
	}
	for _, fe := range schedule.ValidationErrors(err) {
		key := fe.Field
		if i := strings.IndexAny(key, ".["); i > 0 {
			key = key[:i]
		}
		if prev, ok := page.Errors[key]; ok {
			page.Errors[key] = prev + "; " + s.pages.Localize(lang, fe.Msg())
		} else {
			page.Errors[key] = s.pages.Localize(lang, fe.Msg())
		}
	}
	if err != nil {
		page.Base.Error = s.pages.Text(lang, "event.fix_errors")
		if len(page.Errors) == 0 {
			page.Base.Error = s.errText(c, err)
		}
	}
	return page, nil
}

func (s *Server) showNewEvent(c *gin.Context) {
	unit, _ := strconv.ParseInt(c.Query("unit"), 10, 64)
	day := c.DefaultQuery("date", s.zone().DateKey(s.now()))
	f := eventForm{UnitID: unit, Date: day, Start: "10:00", End: "12:00", Status: string(schedule.EventConfirmed), Type: "meeting"}
	page, err := s.eventFormPage(c, f, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "event_form", page)
}

func (s *Server) refillEvent(c *gin.Context, f eventForm, err error) {
	if code := schedule.ErrorCode(err); code != schedule.EINVALID {
		s.fail(c, err)
		return
	}
	page, perr := s.eventFormPage(c, f, err)
	if perr != nil {
		s.fail(c, perr)
		return
	}
	s.renderStatus(c, http.StatusUnprocessableEntity, "event_form", page)
}

func (s *Server) createEvent(c *gin.Context) {
	f := readEventForm(c)
	e, err := f.event(s.zone())
	if err != nil {
		s.refillEvent(c, f, err)
		return
	}
	saved, err := s.store.CreateEvent(c.Request.Context(), actor(c), e)
	if err != nil {
		s.refillEvent(c, f, err)
		return
	}
	s.afterSave(c, saved)
}

func (s *Server) afterSave(c *gin.Context, saved store.EventSaved) {
	if len(saved.Conflicts) > 0 {
		s.flash(c, "event.saved_with_conflicts")
	} else {
		s.flash(c, "event.saved")
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/events/%d", saved.Event.ID))
}

func (s *Server) showEditEvent(c *gin.Context) {
	rec, ok := s.eventParam(c)
	if !ok {
		return
	}
	if !actor(c).Can(schedule.ActWrite, rec.UnitPath) {
		s.fail(c, schedule.Errorf(schedule.ENOTFOUND, "event %d not found", rec.ID))
		return
	}
	page, err := s.eventFormPage(c, formOf(s.zone(), rec), nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.programmeNote(c, &page, rec)
	s.render(c, "event_form", page)
}

func (s *Server) programmeNote(c *gin.Context, page *eventFormPage, rec store.EventRecord) {
	if rec.ProgrammeID == 0 {
		return
	}
	if p, err := s.store.FindProgrammeByID(c.Request.Context(), actor(c), rec.ProgrammeID); err == nil {
		page.Programme = p.DisplayTitle(page.Base.Lang)
		page.Window = windowText(s.moments(c), p)
	}
}

func (s *Server) updateEvent(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	f := readEventForm(c)
	f.ID = id
	e, err := f.event(s.zone())
	if err != nil {
		s.refillEvent(c, f, err)
		return
	}
	saved, err := s.store.UpdateEvent(c.Request.Context(), actor(c), e)
	if err != nil {
		s.refillEvent(c, f, err)
		return
	}
	s.afterSave(c, saved)
}

func (s *Server) cancelEvent(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.store.CancelEvent(c.Request.Context(), actor(c), id); err != nil {
		s.fail(c, err)
		return
	}
	s.flash(c, "event.cancelled")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/events/%d", id))
}

func (s *Server) eventParam(c *gin.Context) (store.EventRecord, bool) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return store.EventRecord{}, false
	}
	rec, err := s.store.FindEventByID(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return rec, false
	}
	return rec, true
}

type occView struct {
	Date       string
	Time       string
	RID        int64
	Status     string
	Overridden bool
	Title      string
}

type eventPage struct {
	Base        basePage
	Event       store.EventRecord
	CanRead     bool // the event's unit is in the viewer's area (not an event of the units above)
	Title       string
	When        string
	Repeats     string // "every last Sunday, 11:00 IST"; "" for a single event
	Type        string
	Status      string
	Organisers  []string
	Guests      []string
	Conflicts   []conflictView
	Occurrences []occView
	CanWrite    bool
	Recurring   bool
	Programme   string
	ProgrammeID int64
	Window      string
}

// eventDetail is what an event's page and its API twin show, loaded once
// for both: the event, who may change it, its people, conflicts, next
// occurrences and programme.
type eventDetail struct {
	store.EventRecord
	CanWrite   bool
	CanRead    bool // the event's unit is in the viewer's area (not an event of the units above)
	Organisers []eventPerson
	Guests     []store.Guest // in the event's order
	Conflicts  []schedule.Conflict
	Upcoming   []schedule.Occurrence  // a repeating event's next occurrences, at most maxUpcoming
	Programme  *store.ProgrammeRecord // nil: not part of a programme (or one the viewer cannot see)
}

// eventPerson is an organiser; Name is "" when the worker is outside the
// viewer's area.
type eventPerson struct {
	ID   int64
	Name string
}

// maxUpcoming is how many next occurrences an event's page lists.
const maxUpcoming = 12

// loadEventDetail loads what an event's page shows about rec for a.
func (s *Server) loadEventDetail(ctx context.Context, a schedule.Actor, rec store.EventRecord) (eventDetail, error) {
	d := eventDetail{EventRecord: rec, CanWrite: a.Can(schedule.ActWrite, rec.UnitPath), CanRead: a.Can(schedule.ActRead, rec.UnitPath)}
	for _, id := range rec.Organisers {
		p := eventPerson{ID: id}
		if w, err := s.store.FindWorkerByID(ctx, a, id); err == nil {
			p.Name = w.Name
		}
		d.Organisers = append(d.Organisers, p)
	}
	guests, err := s.store.GuestsByID(ctx, a, rec.Guests)
	if err != nil {
		return d, err
	}
	for _, id := range rec.Guests {
		g := guests[id]
		g.ID = id
		d.Guests = append(d.Guests, g)
	}
	if d.Conflicts, err = s.store.EventConflicts(ctx, a, rec.ID); err != nil {
		return d, err
	}
	if rec.Recurring() {
		occs, err := rec.Occurrences(s.zone().Midnight(s.now(), -1), s.now().Add(store.ConflictHorizon))
		if err != nil {
			return d, err
		}
		d.Upcoming = occs[:min(len(occs), maxUpcoming)]
	}
	if rec.ProgrammeID != 0 {
		if p, err := s.store.FindProgrammeByID(ctx, a, rec.ProgrammeID); err == nil {
			d.Programme = &p
		}
	}
	return d, nil
}

func (s *Server) showEvent(c *gin.Context) {
	rec, ok := s.eventParam(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	d, err := s.loadEventDetail(ctx, actor(c), rec)
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := s.lang(c)
	page := eventPage{Base: s.base(c), Event: rec, Title: rec.DisplayTitle(lang), CanWrite: d.CanWrite,
		CanRead: d.CanRead, Recurring: rec.Recurring(),
		Status: s.pages.Text(lang, "event.status."+string(rec.Status))}
	m := s.zone().Moments(lang)
	page.When, page.Repeats = m.Span(rec.Start, rec.End), m.Repeats(&rec.Event)
	if types, err := s.store.EventTypes(ctx); err == nil {
		page.Type = s.typeName(types, rec.Type, lang)
	}
	for _, p := range d.Organisers {
		if p.Name != "" {
			page.Organisers = append(page.Organisers, p.Name)
		} else {
			page.Organisers = append(page.Organisers, "#"+strconv.FormatInt(p.ID, 10))
		}
	}
	for _, g := range d.Guests {
		label := g.DisplayName(lang)
		if g.Title != "" {
			label += " (" + g.Title + ")"
		}
		page.Guests = append(page.Guests, label)
	}
	page.Conflicts = s.conflictViews(c, d.Conflicts)
	for _, o := range d.Upcoming {
		title := o.Title
		if lang == "hi" && o.TitleHi != "" || title == "" {
			title = o.TitleHi
		}
		page.Occurrences = append(page.Occurrences, occView{Date: m.WeekdayDay(o.Start), Time: m.ClockSpan(o.Start, o.End),
			RID: o.RecurrenceID.Unix(), Status: s.pages.Text(lang, "event.status."+string(o.Status)), Overridden: o.Overridden, Title: title})
	}
	if p := d.Programme; p != nil {
		page.Programme, page.ProgrammeID = p.DisplayTitle(lang), p.ID
		page.Window = windowText(m, *p)
	}
	s.render(c, "event", page)
}

// downloadEvent sends one event as an .ics file.
func (s *Server) downloadEvent(c *gin.Context) {
	rec, ok := s.eventParam(c)
	if !ok {
		return
	}
	feed := ical.Feed{Name: rec.DisplayTitle(s.lang(c)), Lang: s.lang(c), Now: s.now(), Events: []schedule.Event{rec.Event}, Zone: s.zone()}
	body, err := ical.Render(&feed)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="event-%d.ics"`, rec.ID))
	c.Data(http.StatusOK, ical.ContentType, body)
}

type occurrencePage struct {
	Base     basePage
	Event    store.EventRecord
	RID      int64
	Original string
	Title    string // the series' title
	NewTitle string // this occurrence's own title, if edited
	Date     string
	Start    string
	End      string
	TitleHi  string
	Venue    string
	Status   string
	Errors   map[string]string
}

func (s *Server) occurrenceParam(c *gin.Context, rec store.EventRecord, raw string) (time.Time, bool) {
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || !rec.Recurring() {
		s.fail(c, schedule.FieldError("rid", "say which occurrence to edit"))
		return time.Time{}, false
	}
	return time.Unix(v, 0).UTC(), true
}

func (s *Server) showOccurrence(c *gin.Context) {
	rec, ok := s.eventParam(c)
	if !ok {
		return
	}
	if !actor(c).Can(schedule.ActWrite, rec.UnitPath) {
		s.fail(c, schedule.Errorf(schedule.ENOTFOUND, "event %d not found", rec.ID))
		return
	}
	rid, ok := s.occurrenceParam(c, rec, c.Query("rid"))
	if !ok {
		return
	}
	start, end := rid, rid.Add(rec.Duration())
	page := occurrencePage{Base: s.base(c), Event: rec, RID: rid.Unix(), Original: s.moments(c).DateTime(rid),
		Title: rec.DisplayTitle(s.lang(c)), Status: string(schedule.EventConfirmed)}
	for _, o := range rec.Overrides {
		if o.RecurrenceID.Equal(rid) {
			if !o.Start.IsZero() {
				start, end = o.Start, o.End
			}
			page.NewTitle, page.TitleHi = o.Title, o.TitleHi
			if o.Venue != nil {
				page.Venue = o.Venue.Name
			}
			if o.Status != "" {
				page.Status = string(o.Status)
			}
		}
	}
	z := s.zone()
	page.Date = z.DateKey(start)
	page.Start, page.End = z.ClockKey(start), z.ClockKey(end)
	s.render(c, "event_occurrence", page)
}

// editOccurrence changes or skips one occurrence of a recurring event.
func (s *Server) editOccurrence(c *gin.Context) {
	rec, ok := s.eventParam(c)
	if !ok {
		return
	}
	rid, ok := s.occurrenceParam(c, rec, c.PostForm("rid"))
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if c.PostForm("action") == "skip" {
		if _, err := s.store.SkipOccurrence(ctx, actor(c), rec.ID, rid); err != nil {
			s.fail(c, err)
			return
		}
		s.flash(c, "event.saved")
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/events/%d", rec.ID))
		return
	}
	o := schedule.Override{RecurrenceID: rid, Title: c.PostForm("title"), TitleHi: c.PostForm("title_hi"),
		Status: schedule.EventStatus(c.PostForm("status"))}
	var err error
	if o.Start, err = s.zone().Parse(c.PostForm("date"), c.PostForm("start")); err == nil {
		o.End, err = s.zone().Parse(c.PostForm("date"), c.PostForm("end"))
	}
	if err != nil {
		s.fail(c, schedule.FieldError("start", "give the date (YYYY-MM-DD) and times (HH:MM)"))
		return
	}
	if v := strings.TrimSpace(c.PostForm("venue")); v != "" {
		o.Venue = &schedule.Venue{Name: v, Geo: rec.Venue.Geo}
		if v != rec.Venue.Name {
			o.Venue.Geo = nil
		}
	}
	saved, err := s.store.EditOccurrence(ctx, actor(c), rec.ID, o)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.afterSave(c, saved)
}
