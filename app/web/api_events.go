package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// The events API: the calendar's occurrences, an event as its page shows
// it, and the event form's writes, as JSON. Times are RFC 3339 on the
// organisation's clock (2026-05-04T10:00:00+05:30): what a program shows
// or compares needs no zone of its own.

// maxRangeDays bounds the window of one occurrences call.
const maxRangeDays = 366

// apiRange reads ?from= and ?to=: dates on the organisation's calendar
// (YYYY-MM-DD; to is the last day, included) or RFC 3339 times with their
// offset (to excluded). Without them: today and the 30 days after, the
// calendar's list view.
func (s *Server) apiRange(c *gin.Context) (from, to time.Time, err error) {
	z := s.zone()
	from = z.Midnight(s.now(), 0)
	if v := c.Query("from"); v != "" {
		if from, err = s.apiInstant("from", v, false); err != nil {
			return from, to, err
		}
	}
	to = z.Midnight(from, 31)
	if v := c.Query("to"); v != "" {
		if to, err = s.apiInstant("to", v, true); err != nil {
			return from, to, err
		}
	}
	if !to.After(from) {
		return from, to, schedule.FieldError("to", "must be after from")
	}
	if to.Sub(from) > maxRangeDays*24*time.Hour {
		return from, to, schedule.FieldError("to", "ask for at most %d days at a time", maxRangeDays)
	}
	return from, to, nil
}

// apiInstant reads a date (YYYY-MM-DD, midnight on the organisation's
// clock; with endOfDay the midnight after it) or an RFC 3339 time.
func (s *Server) apiInstant(field, v string, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := s.zone().Parse(v, ""); err == nil && len(strings.TrimSpace(v)) == len("2006-01-02") {
		if endOfDay {
			t = s.zone().Midnight(t, 1)
		}
		return t, nil
	}
	return time.Time{}, schedule.FieldError(field, "give a date (YYYY-MM-DD) or a time in RFC 3339 with its UTC offset, not %q", v)
}

// apiTime reads an RFC 3339 time with its offset.
func apiTime(field, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, schedule.FieldError(field, "give the time in RFC 3339 with its UTC offset, e.g. 2026-05-04T10:00:00+05:30, not %q", v)
	}
	return t.UTC(), nil
}

// apiOccurrence is one occurrence of an event on a calendar.
type apiOccurrence struct {
	EventID int64 `json:"event_id"`
	// RecurrenceID is the original start of a repeating event's
	// occurrence (what an occurrence edit names); absent for a single
	// event.
	RecurrenceID *time.Time `json:"recurrence_id,omitempty"`
	Start        time.Time  `json:"start"`
	End          time.Time  `json:"end"`
	Title        string     `json:"title,omitempty"`
	TitleHi      string     `json:"title_hi,omitempty"`
	Type         string     `json:"type"`
	Status       string     `json:"status"`
	Venue        string     `json:"venue,omitempty"`
	UnitID       int64      `json:"unit_id"`
	UnitCode     string     `json:"unit_code"`
	UnitName     string     `json:"unit_name"`
	UnitNameHi   string     `json:"unit_name_hi,omitempty"`
	Recurring    bool       `json:"recurring"`
	Overridden   bool       `json:"overridden,omitempty"`
}

func (s *Server) apiOccurrenceOf(r *store.EventRecord, o schedule.Occurrence) apiOccurrence {
	z := s.zone()
	out := apiOccurrence{EventID: r.ID, Start: z.In(o.Start), End: z.In(o.End), Title: o.Title, TitleHi: o.TitleHi, Type: r.Type,
		Status: string(o.Status), Venue: o.Venue.Name, UnitID: r.UnitID, UnitCode: r.UnitCode, UnitName: r.UnitName, UnitNameHi: r.UnitNameHi,
		Recurring: r.Recurring(), Overridden: o.Overridden}
	if !o.RecurrenceID.IsZero() {
		rid := z.In(o.RecurrenceID)
		out.RecurrenceID = &rid
	}
	return out
}

// apiProgrammeDay is a programme's one-off events at the units below on
// one day, counted as the calendar counts them.
type apiProgrammeDay struct {
	ProgrammeID int64  `json:"programme_id"`
	Type        string `json:"type"`
	Title       string `json:"title,omitempty"`
	TitleHi     string `json:"title_hi,omitempty"`
	// LevelDepth is the level of the units holding the events.
	LevelDepth int    `json:"level_depth"`
	Date       string `json:"date"` // YYYY-MM-DD on the organisation's calendar
	// Start and End are the day's earliest start and latest end.
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Units     int       `json:"units"`
	Tentative int       `json:"tentative"`
	Cancelled int       `json:"cancelled"`
}

// apiOccurrences is the answer of GET /units/{id}/events.
type apiOccurrences struct {
	Unit        schedule.Unit     `json:"unit"`
	Zone        string            `json:"zone"`
	From        time.Time         `json:"from"`
	To          time.Time         `json:"to"`
	Count       int               `json:"count"`
	Occurrences []apiOccurrence   `json:"occurrences"`
	Programmes  []apiProgrammeDay `json:"programme_days"`
}

// apiUnitEvents lists what the unit's calendar shows in a window: the
// occurrences of the unit's subtree's events and those of the units above
// it, cancelled ones included, by start; a programme's one-off events at
// the units below are counted per day.
func (s *Server) apiUnitEvents(c *gin.Context) {
	u, ok := s.unitParam(c)
	if !ok {
		return
	}
	from, to, err := s.apiRange(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := calendarFilter(u.ID, from, to)
	if t := c.Query("type"); t != "" {
		f.Types = []string{t}
	}
	if l := c.Query("level"); l != "" {
		d, err := strconv.Atoi(l)
		if err != nil || d < 0 {
			s.fail(c, schedule.FieldError("level", "give the level's depth as a number (0 for the state), not %q", l))
			return
		}
		f.Depth = &d
	}
	entries, err := s.calendarEntries(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	z := s.zone()
	out := apiOccurrences{Unit: u, Zone: z.Name(), From: z.In(from), To: z.In(to), Count: entries.Count(),
		Occurrences: make([]apiOccurrence, len(entries.Occurrences)), Programmes: make([]apiProgrammeDay, len(entries.ProgrammeDays))}
	for i, o := range entries.Occurrences {
		out.Occurrences[i] = s.apiOccurrenceOf(o.Rec, o.Occurrence)
	}
	for i, d := range entries.ProgrammeDays {
		out.Programmes[i] = apiProgrammeDay{ProgrammeID: d.ProgrammeID, Type: d.Type, Title: d.Title, TitleHi: d.TitleHi, LevelDepth: d.LevelDepth,
			Date: z.DateKey(d.Day), Start: z.In(d.Start), End: z.In(d.End), Units: d.Units, Tentative: d.Tentative, Cancelled: d.Cancelled}
	}
	slices.SortStableFunc(out.Occurrences, func(a, b apiOccurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return int(a.EventID - b.EventID)
	})
	c.JSON(http.StatusOK, out)
}

// apiVenue is an event's venue.
type apiVenue struct {
	Name string   `json:"name"`
	Lat  *float64 `json:"lat,omitempty"`
	Lon  *float64 `json:"lon,omitempty"`
}

// apiPerson is an organiser; the name is left out for a worker outside
// the caller's area.
type apiPerson struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
}

type apiGuest struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	NameHi string `json:"name_hi,omitempty"`
	Title  string `json:"title,omitempty"`
}

// apiConflictSide is one of the two occurrences in a conflict; EventID is
// 0 for an event outside the caller's area (named, not linked, as on the
// page).
type apiConflictSide struct {
	EventID int64     `json:"event_id,omitempty"`
	Title   string    `json:"title"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Venue   string    `json:"venue,omitempty"`
}

type apiConflict struct {
	Kind string `json:"kind"`
	// Reason is the page's sentence, in the request's language.
	Reason string          `json:"reason"`
	A      apiConflictSide `json:"a"`
	B      apiConflictSide `json:"b"`
}

// apiEvent is an event as its page shows it.
type apiEvent struct {
	ID          int64     `json:"id"`
	UID         string    `json:"uid"`
	UnitID      int64     `json:"unit_id"`
	UnitCode    string    `json:"unit_code"`
	UnitName    string    `json:"unit_name"`
	UnitNameHi  string    `json:"unit_name_hi,omitempty"`
	Type        string    `json:"type"`
	Title       string    `json:"title,omitempty"`
	TitleHi     string    `json:"title_hi,omitempty"`
	Description string    `json:"description,omitempty"`
	Venue       apiVenue  `json:"venue"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Status      string    `json:"status"`
	Sequence    int       `json:"sequence"`
	RRule       string    `json:"rrule,omitempty"`
	// Repeats says how the event repeats, in the request's language.
	Repeats     string          `json:"repeats,omitempty"`
	ExDates     []time.Time     `json:"exdates,omitempty"`
	ProgrammeID int64           `json:"programme_id,omitempty"`
	UpdatedAt   time.Time       `json:"updated_at"`
	CanWrite    bool            `json:"can_write"`
	Organisers  []apiPerson     `json:"organisers"`
	Guests      []apiGuest      `json:"guests"`
	Conflicts   []apiConflict   `json:"conflicts"`
	Upcoming    []apiOccurrence `json:"upcoming,omitempty"`
}

// apiEventOf loads what the event's page shows and puts it in JSON's
// terms.
func (s *Server) apiEventOf(c *gin.Context, rec store.EventRecord) (apiEvent, error) {
	d, err := s.loadEventDetail(c.Request.Context(), actor(c), rec)
	if err != nil {
		return apiEvent{}, err
	}
	z, lang := s.zone(), apiLang(c)
	e := apiEvent{ID: rec.ID, UID: rec.UID, UnitID: rec.UnitID, UnitCode: rec.UnitCode, UnitName: rec.UnitName, UnitNameHi: rec.UnitNameHi,
		Type: rec.Type, Title: rec.Title, TitleHi: rec.TitleHi, Description: rec.Description, Venue: apiVenue{Name: rec.Venue.Name},
		Start: z.In(rec.Start), End: z.In(rec.End), Status: string(rec.Status), Sequence: rec.Sequence, RRule: rec.RRule,
		Repeats: z.Moments(lang).Repeats(&rec.Event), ProgrammeID: rec.ProgrammeID, UpdatedAt: z.In(rec.UpdatedAt), CanWrite: d.CanWrite,
		Organisers: []apiPerson{}, Guests: []apiGuest{}, Conflicts: []apiConflict{}}
	if g := rec.Venue.Geo; g != nil {
		lat, lon := g.Lat, g.Lon
		e.Venue.Lat, e.Venue.Lon = &lat, &lon
	}
	for _, x := range rec.ExDates {
		e.ExDates = append(e.ExDates, z.In(x))
	}
	for _, p := range d.Organisers {
		e.Organisers = append(e.Organisers, apiPerson(p))
	}
	for _, g := range d.Guests {
		e.Guests = append(e.Guests, apiGuest{ID: g.ID, Name: g.Name, NameHi: g.NameHi, Title: g.Title})
	}
	side := func(it calItem, o schedule.Occurrence) apiConflictSide {
		return apiConflictSide{EventID: it.EventID, Title: it.Title, Start: z.In(o.Start), End: z.In(o.End), Venue: o.Venue.Name}
	}
	for _, v := range s.conflictViewsIn(c, lang, d.Conflicts) {
		e.Conflicts = append(e.Conflicts, apiConflict{Kind: v.Kind, Reason: v.Reason, A: side(v.A, v.Of.A), B: side(v.B, v.Of.B)})
	}
	for _, o := range d.Upcoming {
		e.Upcoming = append(e.Upcoming, s.apiOccurrenceOf(&rec, o))
	}
	return e, nil
}

func (s *Server) apiShowEvent(c *gin.Context) {
	rec, ok := s.eventParam(c)
	if !ok {
		return
	}
	s.answerEvent(c, http.StatusOK, rec)
}

// answerEvent answers with the event as GET /events/{id} shows it.
func (s *Server) answerEvent(c *gin.Context, status int, rec store.EventRecord) {
	e, err := s.apiEventOf(c, rec)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(status, e)
}

// eventRequest is the body of POST /events and PATCH /events/{id}: absent
// fields keep the event's (a new event's are empty).
type eventRequest struct {
	UnitID      *int64    `json:"unit_id"`
	Type        *string   `json:"type"`
	Title       *string   `json:"title"`
	TitleHi     *string   `json:"title_hi"`
	Description *string   `json:"description"`
	Venue       *apiVenue `json:"venue"`
	Start       *string   `json:"start"`
	End         *string   `json:"end"`
	Status      *string   `json:"status"`
	RRule       *string   `json:"rrule"`
	// ExDates are the skipped occurrences: their starts (RFC 3339) or
	// dates (YYYY-MM-DD, the occurrence on that day).
	ExDates    *[]string `json:"exdates"`
	Organisers *[]int64  `json:"organisers"`
	Guests     *[]int64  `json:"guests"`
}

// apply sets r's fields on e; every field that cannot be read is reported
// by name.
func (r eventRequest) apply(z schedule.Zone, e *schedule.Event) error {
	var errs []error
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if r.UnitID != nil {
		e.UnitID = *r.UnitID
	}
	set(&e.Type, r.Type)
	set(&e.Title, r.Title)
	set(&e.TitleHi, r.TitleHi)
	set(&e.Description, r.Description)
	set(&e.RRule, r.RRule)
	if r.Status != nil {
		e.Status = schedule.EventStatus(*r.Status)
	}
	if v := r.Venue; v != nil {
		e.Venue = schedule.Venue{Name: v.Name}
		switch {
		case v.Lat != nil && v.Lon != nil:
			e.Venue.Geo = &schedule.LatLon{Lat: *v.Lat, Lon: *v.Lon}
		case v.Lat != nil || v.Lon != nil:
			errs = append(errs, schedule.FieldError("venue.lat", "give both latitude and longitude as numbers, e.g. 26.2183 and 78.1828"))
		}
	}
	// A new start moves the end with it unless the end is given too.
	length := e.End.Sub(e.Start)
	if r.Start != nil {
		t, err := apiTime("start", *r.Start)
		if err != nil {
			errs = append(errs, err)
		}
		e.Start = t
		if r.End == nil && length > 0 {
			e.End = t.Add(length)
		}
	}
	if r.End != nil {
		t, err := apiTime("end", *r.End)
		if err != nil {
			errs = append(errs, err)
		}
		e.End = t
	}
	if r.ExDates != nil {
		e.ExDates = nil
		for _, v := range *r.ExDates {
			t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
			if err != nil {
				// A date: the occurrence that day, at the series' time.
				if t, err = z.Parse(v, z.ClockKey(e.Start)); err != nil || len(strings.TrimSpace(v)) != len("2006-01-02") {
					errs = append(errs, schedule.FieldError("exdates", "give the skipped occurrence's start in RFC 3339 or its date (YYYY-MM-DD), not %q", v))
					continue
				}
			}
			e.ExDates = append(e.ExDates, t.UTC())
		}
	}
	if r.Organisers != nil {
		e.Organisers = slices.Clone(*r.Organisers)
	}
	if r.Guests != nil {
		e.Guests = slices.Clone(*r.Guests)
	}
	if len(errs) > 0 {
		return joinErrs(errs)
	}
	return nil
}

func (s *Server) apiCreateEvent(c *gin.Context) {
	var body eventRequest
	if err := bindJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	e := schedule.Event{Status: schedule.EventConfirmed, Zone: s.zone()}
	if err := body.apply(s.zone(), &e); err != nil {
		s.fail(c, err)
		return
	}
	saved, err := s.store.CreateEvent(c.Request.Context(), actor(c), e)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerEvent(c, http.StatusCreated, saved.Event)
}

func (s *Server) apiUpdateEvent(c *gin.Context) {
	rec, ok := s.eventParam(c)
	if !ok {
		return
	}
	var body eventRequest
	if err := bindJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	e := rec.Event
	if err := body.apply(s.zone(), &e); err != nil {
		s.fail(c, err)
		return
	}
	saved, err := s.store.UpdateEvent(c.Request.Context(), actor(c), e)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerEvent(c, http.StatusOK, saved.Event)
}

func (s *Server) apiCancelEvent(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	saved, err := s.store.CancelEvent(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerEvent(c, http.StatusOK, saved.Event)
}
