package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

type homePage struct {
	Base   basePage
	Units  []schedule.UnitCount
	Levels schedule.Levels
}

func (s *Server) showHome(c *gin.Context) {
	ctx := c.Request.Context()
	units, err := s.store.ScopeUnits(ctx, actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(units) == 1 {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/units/%d", units[0].ID))
		return
	}
	levels, err := s.store.Levels(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "home", homePage{Base: s.base(c), Units: units, Levels: levels})
}

type levelCount struct {
	Label string
	Count int
}

type unitPage struct {
	Base      basePage
	Unit      schedule.Unit
	Ancestors []schedule.Unit
	Children  []schedule.UnitCount
	Levels    schedule.Levels
	Summary   []levelCount
	Workers   int
}

func (s *Server) showUnit(c *gin.Context) {
	ctx := c.Request.Context()
	u, ok := s.unitParam(c)
	if !ok {
		return
	}
	var err error
	page := unitPage{Base: s.base(c), Unit: u}
	if page.Ancestors, err = s.store.Ancestors(ctx, u); err == nil {
		if page.Children, err = s.store.Children(ctx, actor(c), u.ID); err == nil {
			if page.Levels, err = s.store.Levels(ctx); err == nil {
				page.Workers, err = s.store.CountWorkers(ctx, actor(c), u.ID)
			}
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	byDepth, err := s.store.UnitCountsByDepth(ctx, u)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, l := range page.Levels {
		if n := byDepth[l.Depth]; l.Depth > u.Depth && n > 0 {
			label := l.Name
			if page.Base.Lang == "hi" {
				label = l.NameHi
			}
			page.Summary = append(page.Summary, levelCount{Label: label, Count: n})
		}
	}
	s.render(c, "unit", page)
}

type workerListPage struct {
	Base             basePage
	Unit             schedule.Unit
	Workers          []schedule.Worker
	Total            int
	TotalMore        bool // Total is a floor: the search was not counted to the end
	Query, Role      string
	Roles            []schedule.Role
	PrevURL, NextURL string
}

const pageSize = 50

func (s *Server) showWorkerList(c *gin.Context) {
	ctx := c.Request.Context()
	u, ok := s.unitParam(c)
	if !ok {
		return
	}
	offset, _ := strconv.Atoi(c.Query("offset"))
	if offset < 0 {
		offset = 0
	}
	f := schedule.WorkerFilter{UnitID: u.ID, Query: c.Query("q"), Role: c.Query("role"), Offset: offset, Limit: pageSize}
	res, err := s.store.SearchWorkers(ctx, actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	ws, total := res.Workers, res.Total
	roles, err := s.store.Roles(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	page := workerListPage{Base: s.base(c), Unit: u, Workers: ws, Total: total, TotalMore: res.More, Query: f.Query, Role: f.Role, Roles: roles}
	link := func(off int) string {
		q := url.Values{"q": {f.Query}, "role": {f.Role}, "offset": {strconv.Itoa(off)}}
		return fmt.Sprintf("/units/%d/workers?%s", u.ID, q.Encode())
	}
	if offset > 0 {
		page.PrevURL = link(max(0, offset-pageSize))
	}
	if (offset+pageSize < total || res.More) && len(ws) == pageSize {
		page.NextURL = link(offset + pageSize)
	}
	s.render(c, "workers", page)
}

// exportWorkers streams the subtree's workers as CSV in the import format,
// so an export can be edited and imported back.
func (s *Server) exportWorkers(c *gin.Context) {
	ctx := c.Request.Context()
	u, ok := s.unitParam(c)
	if !ok {
		return
	}
	var err error
	codes := map[int64]string{}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "workers-"+u.Code+".csv"))
	w := schedule.NewCSVWriter(c.Writer)
	w.Write([]string{"name", "mobile", "voter_id", "gender", "social", "email", "language", "unit_code", "work", "active"})
	err = s.store.EachWorker(ctx, actor(c), schedule.WorkerFilter{UnitID: u.ID}, func(wk schedule.Worker) error {
		code, ok := codes[wk.UnitID]
		if !ok {
			unit, err := s.store.FindUnitByID(ctx, actor(c), wk.UnitID)
			if err != nil {
				return err
			}
			code, codes[wk.UnitID] = unit.Code, unit.Code
		}
		return w.Write([]string{wk.Name, wk.Mobile, wk.VoterID, wk.Gender, wk.Social, wk.Email, wk.Language, code, wk.Work, strconv.FormatBool(wk.Active)})
	})
	w.Flush()
	if err != nil {
		s.log.Error("export workers", "unit", u.ID, "err", err)
	}
}
