package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/ical"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// calItem is one occurrence on a calendar page.
type calItem struct {
	EventID   int64
	Title     string
	Time      string // "10:00–13:00"
	Date      string // "Sun 4 May"
	Unit      string
	Type      string
	Status    string
	Cancelled bool
	Tentative bool
	Recurring bool
	Venue     string
	// A programme's events at the units below, counted (store.ProgrammeDay):
	// the item links to the programme instead of one event.
	ProgrammeID int64
	Units       int    // how many units hold it that day
	Level       string // the level of those units, in the page's language
	Unconfirmed int    // of them, still tentative
}

// URL is where the item leads: its event, or its programme when it
// stands for a programme's events at many units.
func (it calItem) URL() string {
	if it.ProgrammeID != 0 {
		return fmt.Sprintf("/programmes/%d", it.ProgrammeID)
	}
	return fmt.Sprintf("/events/%d", it.EventID)
}

// calDay is one day of a month or week view.
type calDay struct {
	Day     int
	Label   string // "Mon 4 May"
	InRange bool   // inside the month shown
	Today   bool
	Items   []calItem
	More    int    // items of the day not shown (month view)
	DayURL  string // the day's own page, listing them all
}

// monthDayItems is how many items a day shows in the month view (on a
// phone's agenda and in the grid); the rest are a link to the day. A
// state's month must stay a few screens long on a 360 px phone
// (TestStateMonthOnAPhone).
const monthDayItems = 3

type calendarPage struct {
	Base       basePage
	Unit       schedule.Unit
	View       string // month, week, list
	Heading    string
	Weeks      [][]calDay // month view
	Days       []calDay   // week and list views (list: only days with items)
	Types      []store.EventType
	Levels     schedule.Levels
	Type       string
	Level      string
	PrevURL    string
	NextURL    string
	TodayURL   string
	ViewURLs   map[string]string
	Count      int
	CanWrite   bool
	WeekdayHdr []string
}

func (s *Server) showCalendar(c *gin.Context) {
	ctx := c.Request.Context()
	a := actor(c)
	u, ok := s.unitParam(c)
	if !ok {
		return
	}
	var err error
	lang := s.lang(c)
	z, m := s.zone(), s.moments(c)
	anchor := s.now()
	if d := c.Query("date"); d != "" {
		t, err := z.Parse(d, "")
		if err != nil {
			s.fail(c, schedule.FieldError("date", "could not read %q as a date (YYYY-MM-DD)", d))
			return
		}
		anchor = t
	}
	cv := z.CalendarView(c.DefaultQuery("view", "month"), anchor)
	view, from, to := cv.Kind, cv.From, cv.To
	page := calendarPage{Base: s.base(c), Unit: u, View: view, Type: c.Query("type"), Level: c.Query("level"),
		CanWrite: a.Can(schedule.ActWrite, u.Path), WeekdayHdr: m.WeekdayHeader(time.Monday)}
	f := calendarFilter(u.ID, from, to)
	if page.Type != "" {
		f.Types = []string{page.Type}
	}
	if page.Level != "" {
		if d, err := strconv.Atoi(page.Level); err == nil {
			f.Depth = &d
		}
	}
	if page.Types, err = s.store.EventTypes(ctx); err == nil {
		page.Levels, err = s.store.Levels(ctx)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	entries, err := s.calendarEntries(ctx, a, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	byDay := map[string][]calItem{}
	for _, o := range entries.Occurrences {
		r := o.Rec
		title := o.Title
		if lang == "hi" && o.TitleHi != "" || title == "" {
			title = o.TitleHi
		}
		it := calItem{EventID: r.ID, Title: title, Time: m.ClockSpan(o.Start, o.End), Date: m.WeekdayDay(o.Start),
			Unit: r.UnitDisplayName(lang), Type: s.typeName(page.Types, r.Type, lang), Status: string(o.Status),
			Cancelled: o.Status == schedule.EventCancelled, Tentative: o.Status == schedule.EventTentative,
			Recurring: r.Recurring(), Venue: o.Venue.Name}
		key := z.DateKey(o.Start)
		byDay[key] = append(byDay[key], it)
	}
	for _, d := range entries.ProgrammeDays {
		level := ""
		if lv, ok := page.Levels.ByDepth(d.LevelDepth); ok {
			level = lv.Name
			if lang == "hi" && lv.NameHi != "" {
				level = lv.NameHi
			}
		}
		it := calItem{ProgrammeID: d.ProgrammeID, Title: d.DisplayTitle(lang), Time: m.ClockSpan(d.Start, d.End), Date: m.WeekdayDay(d.Start),
			Type: s.typeName(page.Types, d.Type, lang), Units: d.Units, Level: level, Unconfirmed: d.Tentative,
			Cancelled: d.Cancelled == d.Units, Tentative: d.Tentative == d.Units}
		key := z.DateKey(d.Day)
		byDay[key] = append(byDay[key], it)
	}
	page.Count = entries.Count()
	for k := range byDay {
		slices.SortStableFunc(byDay[k], func(a, b calItem) int { return strings.Compare(a.Time, b.Time) })
	}
	link := func(v string, d time.Time) string {
		q := url.Values{"view": {v}, "date": {z.DateKey(d)}}
		if page.Type != "" {
			q.Set("type", page.Type)
		}
		if page.Level != "" {
			q.Set("level", page.Level)
		}
		return fmt.Sprintf("/units/%d/calendar?%s", u.ID, q.Encode())
	}
	today := z.DateKey(s.now())
	mkDay := func(d time.Time, inRange bool) calDay {
		key := z.DateKey(d)
		day := calDay{Day: z.In(d).Day(), Label: m.WeekdayDay(d), InRange: inRange, Today: key == today, Items: byDay[key]}
		if view == "month" && len(day.Items) > monthDayItems {
			day.Items, day.More, day.DayURL = day.Items[:monthDayItems], len(day.Items)-monthDayItems, link("day", d)
		}
		return day
	}
	switch view {
	case "month":
		page.Heading = m.MonthYear(anchor)
		for _, week := range cv.Weeks() {
			row := make([]calDay, len(week))
			for i, d := range week {
				row[i] = mkDay(d, cv.InMonth(d))
			}
			page.Weeks = append(page.Weeks, row)
		}
		for _, d := range cv.Days() {
			if day := mkDay(d, true); len(day.Items) > 0 && cv.InMonth(d) {
				page.Days = append(page.Days, day)
			}
		}
	case "day":
		page.Heading = m.WeekdayDay(from)
		page.Days = append(page.Days, mkDay(from, true))
	case "week":
		page.Heading = m.WeekdayDay(from) + " – " + m.WeekdayDay(z.Midnight(to, -1))
		for _, d := range cv.Days() {
			page.Days = append(page.Days, mkDay(d, true))
		}
	default:
		page.Heading = m.WeekdayDay(from) + " – " + m.WeekdayDay(z.Midnight(to, -1))
		for _, d := range cv.Days() {
			if day := mkDay(d, true); len(day.Items) > 0 {
				page.Days = append(page.Days, day)
			}
		}
	}
	page.PrevURL, page.NextURL, page.TodayURL = link(view, cv.Prev), link(view, cv.Next), link(view, s.now())
	page.ViewURLs = map[string]string{"month": link("month", anchor), "week": link("week", anchor), "list": link("list", anchor), "day": link("day", anchor)}

	s.render(c, "calendar", page)
}

// calendarFilter selects what a unit's calendar shows in [from, to): the
// events of the unit's subtree and of the units above it, cancelled ones
// included (they are shown struck through), a programme's one-off events
// at the units below counted per day rather than listed.
func calendarFilter(unitID int64, from, to time.Time) store.EventFilter {
	return store.EventFilter{UnitID: unitID, From: from, To: to, Cancelled: true, WithAbove: true, CountProgrammes: true}
}

// calOccurrence is one occurrence on a calendar, with its event.
type calOccurrence struct {
	Rec *store.EventRecord
	schedule.Occurrence
}

// calendarEntries is what a unit's calendar shows in a window.
type calendarEntries struct {
	Occurrences   []calOccurrence
	ProgrammeDays []store.ProgrammeDay
}

// Count is the number of occurrences, a programme's events at the units
// below each counted once: the page's "N events in this period".
func (e calendarEntries) Count() int {
	n := len(e.Occurrences)
	for _, d := range e.ProgrammeDays {
		n += d.Units
	}
	return n
}

// calendarEntries loads the events f selects in the actor's scope,
// expanded into their occurrences in [f.From, f.To) (series by series,
// each by start), and the programme days f counts: the calendar page and
// its API twin show these.
func (s *Server) calendarEntries(ctx context.Context, a schedule.Actor, f store.EventFilter) (calendarEntries, error) {
	var out calendarEntries
	recs, err := s.store.FindEvents(ctx, a, f)
	if err != nil {
		return out, err
	}
	for i := range recs {
		occs, err := recs[i].Occurrences(f.From, f.To)
		if err != nil {
			return out, err
		}
		for _, o := range occs {
			out.Occurrences = append(out.Occurrences, calOccurrence{Rec: &recs[i], Occurrence: o})
		}
	}
	if out.ProgrammeDays, err = s.store.ProgrammeDays(ctx, a, f); err != nil {
		return out, err
	}
	return out, nil
}

func (s *Server) typeName(types []store.EventType, key, lang string) string {
	for _, t := range types {
		if t.Key == key {
			if lang == "hi" && t.NameHi != "" {
				return t.NameHi
			}
			return t.Name
		}
	}
	return key
}

// conflictView is one conflict for a page.
type conflictView struct {
	Kind   string
	Reason string
	A, B   calItem
	// Of is the conflict shown, for the API's times.
	Of schedule.Conflict
}

// conflictViews turns conflicts into page rows, naming guests instead of
// "Guest #12".
func (s *Server) conflictViews(c *gin.Context, cs []schedule.Conflict) []conflictView {
	return s.conflictViewsIn(c, s.lang(c), cs)
}

// conflictViewsIn is conflictViews in lang (the API's language).
func (s *Server) conflictViewsIn(c *gin.Context, lang string, cs []schedule.Conflict) []conflictView {
	m := s.zone().Moments(lang)
	var ids []int64
	for _, x := range cs {
		if x.GuestID != 0 {
			ids = append(ids, x.GuestID)
		}
	}
	guests, err := s.store.GuestsByID(c.Request.Context(), actor(c), ids)
	if err != nil {
		s.log.Error("conflict guests", "err", err)
	}
	// Events outside the viewer's area are named but not linked: their
	// pages would answer 404.
	visible := map[int64]bool{}
	canSee := func(id int64) bool {
		v, ok := visible[id]
		if !ok {
			_, err := s.store.FindEventByID(c.Request.Context(), actor(c), id)
			v = err == nil
			visible[id] = v
		}
		return v
	}
	item := func(o schedule.Occurrence) calItem {
		title := o.Title
		if lang == "hi" && o.TitleHi != "" || title == "" {
			title = o.TitleHi
		}
		it := calItem{Title: title, Date: m.WeekdayDay(o.Start), Time: m.ClockSpan(o.Start, o.End), Venue: o.Venue.Name}
		if canSee(o.Event.ID) {
			it.EventID = o.Event.ID
		}
		return it
	}
	out := make([]conflictView, len(cs))
	for i, x := range cs {
		var guest, unit schedule.Names
		if g, ok := guests[x.GuestID]; ok {
			guest = schedule.Names{En: g.Name, Hi: g.NameHi}
		}
		if x.Kind == schedule.ConflictUnit {
			if u, err := s.store.FindUnitByID(c.Request.Context(), actor(c), x.A.Event.UnitID); err == nil {
				unit = schedule.Names{En: u.Name, Hi: u.NameHi}
			}
		}
		out[i] = conflictView{Kind: string(x.Kind), Reason: s.pages.Localize(lang, x.Text(guest, unit)), A: item(x.A), B: item(x.B), Of: x}
	}
	return out
}

type conflictsPage struct {
	Base      basePage
	Unit      schedule.Unit
	From, To  string
	Conflicts []conflictView
	Events    int
	Truncated bool
}

func (s *Server) showConflicts(c *gin.Context) {
	ctx := c.Request.Context()
	u, ok := s.unitParam(c)
	if !ok {
		return
	}
	var err error
	z := s.zone()
	from, to := z.Midnight(s.now(), 0), z.Midnight(s.now(), 60)
	if v := c.Query("from"); v != "" {
		if from, err = z.Parse(v, ""); err != nil {
			s.fail(c, schedule.FieldError("from", "could not read %q as a date (YYYY-MM-DD)", v))
			return
		}
	}
	if v := c.Query("to"); v != "" {
		t, err := z.Parse(v, "")
		if err != nil {
			s.fail(c, schedule.FieldError("to", "could not read %q as a date (YYYY-MM-DD)", v))
			return
		}
		to = t.Add(24 * time.Hour) // inclusive last day
	}
	rep, err := s.store.Conflicts(ctx, actor(c), u.ID, from, to)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "calendar_conflicts", conflictsPage{Base: s.base(c), Unit: u,
		From: z.DateKey(from), To: z.DateKey(to.Add(-time.Second)),
		Conflicts: s.conflictViews(c, rep.Conflicts), Events: rep.Events, Truncated: rep.Truncated})
}

type checkPage struct {
	Base      basePage
	Unit      schedule.Unit
	Guests    []store.Guest
	GuestID   int64
	Checked   bool
	Name      string
	Imported  int
	Skipped   []string
	Conflicts []conflictView
}

// maxICSUpload bounds an uploaded .ics.
const maxICSUpload = ical.DefaultMaxImportBytes

// limitICS refuses calendar uploads over maxICSUpload with 413 and "file
// too large", before the CSRF check reads the form (which, cut short,
// would otherwise read as a missing token: "the form has expired").
func (s *Server) limitICS() gin.HandlerFunc {
	const limit = maxICSUpload + 64<<10 // the file and the form around it
	return func(c *gin.Context) {
		tooLarge := c.Request.ContentLength > limit
		if !tooLarge {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
			if strings.HasPrefix(c.ContentType(), "multipart/") {
				tooLarge = isTooLarge(c.Request.ParseMultipartForm(8 << 20))
			}
		}
		if tooLarge {
			s.fail(c, schedule.Errorf(schedule.ETOOLARGE, "the file is too large (at most %d MB)", maxICSUpload>>20))
			return
		}
		c.Next()
	}
}

func (s *Server) checkPageFor(c *gin.Context) (checkPage, bool) {
	ctx := c.Request.Context()
	u, ok := s.unitParam(c)
	if !ok {
		return checkPage{}, false
	}
	guests, err := s.store.FindGuests(ctx, actor(c), "", 500)
	if err != nil {
		s.fail(c, err)
		return checkPage{}, false
	}
	return checkPage{Base: s.base(c), Unit: u, Guests: guests}, true
}

func (s *Server) showCheck(c *gin.Context) {
	if page, ok := s.checkPageFor(c); ok {
		s.render(c, "calendar_check", page)
	}
}

// checkICS decodes an uploaded calendar (a VIP's, say) and shows its
// conflicts with this unit's events and the VIP's bookings.
func (s *Server) checkICS(c *gin.Context) {
	page, ok := s.checkPageFor(c)
	if !ok {
		return
	}
	page.GuestID, _ = strconv.ParseInt(c.PostForm("guest"), 10, 64)
	fh, err := c.FormFile("file")
	if err != nil {
		if isTooLarge(err) {
			page.Base.Error = s.pages.Text(page.Base.Lang, "calendar.check_too_large")
		} else {
			page.Base.Error = s.pages.Text(page.Base.Lang, "calendar.check_nofile")
		}
		s.renderStatus(c, http.StatusUnprocessableEntity, "calendar_check", page)
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.fail(c, fmt.Errorf("open upload: %w", err))
		return
	}
	defer f.Close()
	imp, err := ical.Decode(f, ical.DecodeOptions{GuestID: page.GuestID, Zone: s.zone()})
	if err != nil {
		page.Base.Error = s.errText(c, err)
		s.renderStatus(c, http.StatusUnprocessableEntity, "calendar_check", page)
		return
	}
	page.Checked, page.Name, page.Imported, page.Skipped = true, imp.Name, len(imp.Events), imp.Skipped
	if len(imp.Events) > 0 {
		now := s.now()
		from, to := now.Add(-24*time.Hour), now.Add(store.ConflictHorizon-48*time.Hour)
		// Check the period the file covers, at most a year from its start
		// or from today, whichever is later.
		first := imp.Events[0].Start
		for _, e := range imp.Events {
			if e.Start.Before(first) {
				first = e.Start
			}
		}
		if first.After(from) {
			from, to = first.Add(-24*time.Hour), first.Add(store.ConflictHorizon-48*time.Hour)
		}
		cs, err := s.store.CheckImported(c.Request.Context(), actor(c), page.Unit.ID, imp.Events, from, to)
		if err != nil {
			s.fail(c, err)
			return
		}
		page.Conflicts = s.conflictViews(c, cs)
	}
	s.render(c, "calendar_check", page)
}

type feedRow struct {
	store.FeedToken
	KindLabel string
	Created   string
	Revoked   string
}

type feedsPage struct {
	Base       basePage
	Unit       schedule.Unit
	Tokens     []feedRow
	Guests     []store.Guest
	NewHTTPS   string
	NewWebcal  template.URL // built here from the host and a token, so trusted
	NewLabel   string
	IsCluster  bool
	ClusterLvl bool
}

func (s *Server) feedsPageFor(c *gin.Context) (feedsPage, bool) {
	ctx := c.Request.Context()
	a := actor(c)
	u, ok := s.unitParam(c)
	if !ok {
		return feedsPage{}, false
	}
	page := feedsPage{Base: s.base(c), Unit: u}
	toks, err := s.store.FeedTokens(ctx, a, "", 0)
	if err != nil {
		s.fail(c, err)
		return page, false
	}
	for _, t := range toks {
		if !schedule.IsWithin(t.UnitPath, u.Path) && t.CreatedBy != a.WorkerID {
			continue
		}
		r := feedRow{FeedToken: t, KindLabel: s.pages.Text(page.Base.Lang, "feed.kind."+string(t.Kind)),
			Created: s.zone().Moments(page.Base.Lang).Stamp(t.CreatedAt)}
		if t.RevokedAt != nil {
			r.Revoked = s.zone().Moments(page.Base.Lang).Stamp(*t.RevokedAt)
		}
		page.Tokens = append(page.Tokens, r)
	}
	if page.Guests, err = s.store.FindGuests(ctx, a, "", 500); err != nil {
		s.fail(c, err)
		return page, false
	}
	return page, true
}

func (s *Server) showFeeds(c *gin.Context) {
	if page, ok := s.feedsPageFor(c); ok {
		s.render(c, "calendar_feeds", page)
	}
}

// createFeed issues a token and shows its links once.
func (s *Server) createFeed(c *gin.Context) {
	page, ok := s.feedsPageFor(c)
	if !ok {
		return
	}
	kind := store.FeedKind(c.PostForm("kind"))
	subject := page.Unit.ID
	switch kind {
	case store.FeedPerson:
		subject = actor(c).WorkerID
		if v := c.PostForm("worker"); v != "" {
			subject, _ = strconv.ParseInt(v, 10, 64)
		}
	case store.FeedGuest:
		subject, _ = strconv.ParseInt(c.PostForm("guest"), 10, 64)
	}
	token, rec, err := s.store.CreateFeedToken(c.Request.Context(), actor(c), kind, subject, page.Base.Lang)
	if err != nil {
		if schedule.ErrorCode(err) == schedule.EINVALID {
			page.Base.Error = s.errText(c, err)
			s.renderStatus(c, http.StatusUnprocessableEntity, "calendar_feeds", page)
			return
		}
		s.fail(c, err)
		return
	}
	page, _ = s.feedsPageFor(c)
	var webcal string
	page.NewHTTPS, webcal = feedURLs(c, token)
	page.NewWebcal = template.URL(webcal)
	page.NewLabel = rec.Label
	s.render(c, "calendar_feeds", page)
}

func (s *Server) revokeFeed(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.store.RevokeFeedToken(c.Request.Context(), actor(c), c.PostForm("token")); err != nil {
		s.fail(c, err)
		return
	}
	s.flash(c, "feed.revoked")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/units/%d/feeds", id))
}
