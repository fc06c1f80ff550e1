package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

type programmeRow struct {
	ID     int64
	Title  string
	Window string
	Root   string
	Level  string
}

type programmesPage struct {
	Base       basePage
	Programmes []programmeRow
}

func (s *Server) showProgrammes(c *gin.Context) {
	ctx := c.Request.Context()
	lang := s.lang(c)
	ps, err := s.store.FindProgrammes(ctx, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	levels, err := s.store.Levels(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	page := programmesPage{Base: s.base(c)}
	for _, p := range ps {
		page.Programmes = append(page.Programmes, programmeRow{ID: p.ID, Title: p.DisplayTitle(lang),
			Window: windowText(s.zone().Moments(lang), p), Level: levelLabel(levels, p.LevelDepth, lang)})
	}
	s.render(c, "programmes", page)
}

func levelLabel(ls schedule.Levels, depth int, lang string) string {
	l, ok := ls.ByDepth(depth)
	if !ok {
		return strconv.Itoa(depth)
	}
	if lang == "hi" && l.NameHi != "" {
		return l.NameHi
	}
	return l.Name
}

// windowText shows a programme's window by its days on the organisation's
// calendar, the end day inclusive: "5–9 जनवरी 2026".
func windowText(m schedule.Moments, p store.ProgrammeRecord) string {
	return m.DateRange(p.WindowStart, p.WindowEnd.Add(-time.Second))
}

type programmeFormPage struct {
	Base     basePage
	Units    []choice
	Levels   []choice
	Types    []choice
	Form     programmeForm
	Errors   map[string]string
	CanStart bool
}

// programmeForm is the statewide-programme form as typed: the unit it runs
// under, the level whose units each get an event, the window (first and
// last day, inclusive) and the proposed time and length.
type programmeForm struct {
	Root, Level, Type, Title, TitleHi, Description, From, To, Start, Hours string
}

func readProgrammeForm(c *gin.Context) programmeForm {
	return programmeForm{Root: c.PostForm("root"), Level: c.PostForm("level"), Type: c.PostForm("type"), Title: c.PostForm("title"),
		TitleHi: c.PostForm("title_hi"), Description: c.PostForm("description"), From: c.PostForm("from"), To: c.PostForm("to"),
		Start: c.PostForm("start"), Hours: c.PostForm("hours")}
}

// programme converts the form, typed on the organisation's clock (z); field
// problems come back as one joined error.
func (f programmeForm) programme(z schedule.Zone) (store.ProgrammeRecord, error) {
	p := store.ProgrammeRecord{Programme: schedule.Programme{Type: f.Type, Title: f.Title, TitleHi: f.TitleHi, Description: f.Description}}
	var errs []error
	p.RootUnitID, _ = strconv.ParseInt(f.Root, 10, 64)
	p.LevelDepth, _ = strconv.Atoi(f.Level)
	var err error
	if p.WindowStart, err = z.Parse(f.From, ""); err != nil {
		errs = append(errs, schedule.FieldError("window_start", "give the first day (YYYY-MM-DD)"))
	}
	if last, err := z.Parse(f.To, ""); err != nil {
		errs = append(errs, schedule.FieldError("window_end", "give the last day (YYYY-MM-DD)"))
	} else {
		p.WindowEnd = last.Add(24 * time.Hour) // the last day is inclusive
	}
	if strings.TrimSpace(f.Start) != "" && len(errs) == 0 {
		if p.ProposedStart, err = z.Parse(f.From, f.Start); err != nil {
			errs = append(errs, schedule.FieldError("proposed_start", "give the proposed time as HH:MM"))
		}
	}
	if h := strings.TrimSpace(f.Hours); h != "" {
		v, err := strconv.ParseFloat(h, 64)
		if err != nil || v <= 0 || v > 24 {
			errs = append(errs, schedule.FieldError("proposed_length", "give the length in hours, e.g. 2"))
		} else {
			p.ProposedLength = time.Duration(v * float64(time.Hour)).Round(time.Minute)
		}
	}
	return p, joinErrs(errs)
}

func (s *Server) programmeFormPage(c *gin.Context, form programmeForm, err error) (programmeFormPage, error) {
	ctx := c.Request.Context()
	lang := s.lang(c)
	page := programmeFormPage{Base: s.base(c), Form: form, Errors: map[string]string{}}
	roots, rerr := s.store.ScopeUnits(ctx, actor(c))
	if rerr != nil {
		return page, rerr
	}
	for _, u := range roots {
		v := strconv.FormatInt(u.ID, 10)
		page.Units = append(page.Units, choice{Value: v, Label: u.DisplayName(lang), Selected: v == form.Root})
	}
	levels, lerr := s.store.Levels(ctx)
	if lerr != nil {
		return page, lerr
	}
	for _, l := range levels {
		v := strconv.Itoa(l.Depth)
		page.Levels = append(page.Levels, choice{Value: v, Label: levelLabel(levels, l.Depth, lang), Selected: v == form.Level})
	}
	types, terr := s.store.EventTypes(ctx)
	if terr != nil {
		return page, terr
	}
	for _, t := range types {
		page.Types = append(page.Types, choice{Value: t.Key, Label: s.typeName(types, t.Key, lang), Selected: t.Key == form.Type})
	}
	for _, fe := range schedule.ValidationErrors(err) {
		page.Errors[fe.Field] = s.pages.Localize(lang, fe.Msg())
	}
	if err != nil {
		page.Base.Error = s.errText(c, err)
	}
	return page, nil
}

func (s *Server) showNewProgramme(c *gin.Context) {
	ctx := c.Request.Context()
	form := programmeForm{Type: "sports", Start: "10:00", Hours: "2"}
	if ls, err := s.store.Levels(ctx); err == nil {
		if l, ok := ls.ByKey("cluster"); ok {
			form.Level = strconv.Itoa(l.Depth)
		}
	}
	page, err := s.programmeFormPage(c, form, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "programme_form", page)
}

func (s *Server) createProgramme(c *gin.Context) {
	form := readProgrammeForm(c)
	p, err := form.programme(s.zone())
	if err == nil {
		var saved store.ProgrammeRecord
		if saved, err = s.store.CreateProgramme(c.Request.Context(), actor(c), p); err == nil {
			s.flash(c, "programme.created")
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d", saved.ID))
			return
		}
	}
	if schedule.ErrorCode(err) != schedule.EINVALID {
		s.fail(c, err)
		return
	}
	page, perr := s.programmeFormPage(c, form, err)
	if perr != nil {
		s.fail(c, perr)
		return
	}
	s.renderStatus(c, http.StatusUnprocessableEntity, "programme_form", page)
}

type unscheduledRow struct {
	Name    string
	Code    string
	EventID int64
}

type programmePage struct {
	Base        basePage
	Programme   store.ProgrammeRecord
	Title       string
	Window      string
	Level       string
	Root        string
	Progress    store.ProgrammeProgress
	Percent     int
	Unscheduled []unscheduledRow
	More        int
	CanRun      bool
	LastRun     string
	Run         *store.ProgrammeRun
}

func (s *Server) programmePage(c *gin.Context, id int64) (programmePage, error) {
	ctx := c.Request.Context()
	lang := s.lang(c)
	prog, err := s.store.ProgrammeStatus(ctx, actor(c), id, 500)
	if err != nil {
		return programmePage{}, err
	}
	levels, err := s.store.Levels(ctx)
	if err != nil {
		return programmePage{}, err
	}
	p := prog.Programme
	page := programmePage{Base: s.base(c), Programme: p, Title: p.DisplayTitle(lang), Window: windowText(s.zone().Moments(lang), p),
		Level: levelLabel(levels, p.LevelDepth, lang), Root: schedule.Unit{Name: p.RootName, NameHi: p.RootNameHi}.DisplayName(lang),
		Progress: prog, CanRun: actor(c).Can(schedule.ActWrite, p.RootPath)}
	if prog.Units > 0 {
		page.Percent = prog.Scheduled * 100 / prog.Units
	}
	for _, u := range prog.UnscheduledUnits {
		page.Unscheduled = append(page.Unscheduled, unscheduledRow{Name: u.DisplayName(lang), Code: u.Code, EventID: prog.EventIDs[u.ID]})
	}
	page.More = prog.Unscheduled - len(page.Unscheduled)
	if p.LastRunAt != nil {
		page.LastRun = s.zone().Moments(lang).Stamp(*p.LastRunAt)
	}
	return page, nil
}

func (s *Server) showProgramme(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.programmePage(c, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "programme", page)
}

// runProgramme creates the missing events in one action and shows what
// it did.
func (s *Server) runProgramme(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	run, err := s.store.RunProgramme(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.programmePage(c, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	page.Run = &run
	s.render(c, "programme", page)
}

type guestsPage struct {
	Base   basePage
	Guests []store.Guest
	Units  []choice
	Form   map[string]string
	Query  string
}

func (s *Server) guestsPage(c *gin.Context, form map[string]string) (guestsPage, error) {
	ctx := c.Request.Context()
	page := guestsPage{Base: s.base(c), Form: form, Query: c.Query("q")}
	var err error
	if page.Guests, err = s.store.FindGuests(ctx, actor(c), page.Query, 500); err != nil {
		return page, err
	}
	roots, err := s.store.ScopeUnits(ctx, actor(c))
	if err != nil {
		return page, err
	}
	for _, u := range roots {
		v := strconv.FormatInt(u.ID, 10)
		page.Units = append(page.Units, choice{Value: v, Label: u.DisplayName(page.Base.Lang), Selected: v == form["unit"]})
	}
	return page, nil
}

func (s *Server) showGuests(c *gin.Context) {
	page, err := s.guestsPage(c, map[string]string{})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "guests", page)
}

func (s *Server) createGuest(c *gin.Context) {
	form := map[string]string{}
	for _, k := range []string{"name", "name_hi", "title", "lat", "lon", "unit"} {
		form[k] = strings.TrimSpace(c.PostForm(k))
	}
	g := store.Guest{Name: form["name"], NameHi: form["name_hi"], Title: form["title"]}
	g.UnitID, _ = strconv.ParseInt(form["unit"], 10, 64)
	var err error
	if form["lat"] != "" || form["lon"] != "" {
		lat, e1 := strconv.ParseFloat(form["lat"], 64)
		lon, e2 := strconv.ParseFloat(form["lon"], 64)
		if e1 != nil || e2 != nil {
			err = schedule.FieldError("home", "give the home base as two numbers, latitude and longitude")
		}
		g.Home = &schedule.LatLon{Lat: lat, Lon: lon}
	}
	if err == nil {
		_, err = s.store.SaveGuest(c.Request.Context(), actor(c), g)
	}
	if err != nil {
		if schedule.ErrorCode(err) != schedule.EINVALID {
			s.fail(c, err)
			return
		}
		page, perr := s.guestsPage(c, form)
		if perr != nil {
			s.fail(c, perr)
			return
		}
		page.Base.Error = s.errText(c, err)
		s.renderStatus(c, http.StatusUnprocessableEntity, "guests", page)
		return
	}
	s.flash(c, "guest.saved")
	c.Redirect(http.StatusSeeOther, "/guests")
}
