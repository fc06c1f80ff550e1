package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

type workerPage struct {
	Base   basePage
	Worker schedule.Worker
	Path   []schedule.Unit
	Roles  []string
}

func (s *Server) showWorker(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	w, err := s.store.FindWorkerByID(ctx, actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.store.FindUnitByID(ctx, actor(c), w.UnitID)
	if err != nil {
		s.fail(c, err)
		return
	}
	path, err := s.store.Ancestors(ctx, u)
	if err != nil {
		s.fail(c, err)
		return
	}
	roles, err := s.store.Roles(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := s.lang(c)
	page := workerPage{Base: s.base(c), Worker: actor(c).View(w), Path: append(path, u)}
	for _, ra := range w.Roles {
		name := ra.RoleKey
		for _, r := range roles {
			if r.Key == ra.RoleKey {
				name = r.Name
				if lang == "hi" {
					name = r.NameHi
				}
			}
		}
		at, err := s.store.FindUnitByID(ctx, schedule.SystemActor("names"), ra.UnitID)
		if err == nil {
			name += " · " + at.DisplayName(lang)
		}
		page.Roles = append(page.Roles, name)
	}
	s.render(c, "worker", page)
}

type workerFormPage struct {
	Base    basePage
	Worker  schedule.Worker
	Action  string
	Genders []string
}

var genders = []string{schedule.GenderFemale, schedule.GenderMale, schedule.GenderOther}

func (s *Server) showEditWorker(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	w, err := s.store.FindWorkerByID(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "worker_form", workerFormPage{Base: s.base(c), Worker: w, Action: fmt.Sprintf("/workers/%d", id), Genders: genders})
}

func (s *Server) showNewWorker(c *gin.Context) {
	unitID, _ := strconv.ParseInt(c.Query("unit"), 10, 64)
	if _, err := s.store.FindUnitByID(c.Request.Context(), actor(c), unitID); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "worker_form", workerFormPage{Base: s.base(c), Worker: schedule.Worker{UnitID: unitID, Active: true}, Action: "/workers", Genders: genders})
}

// workerFromForm reads the edit form into a patch.
func workerFromForm(c *gin.Context) schedule.WorkerPatch {
	str := func(k string) *string { v := c.PostForm(k); return &v }
	active := c.PostForm("active") == "1"
	return schedule.WorkerPatch{Name: str("name"), Mobile: str("mobile"), VoterID: str("voter_id"), Gender: str("gender"),
		Social: str("social"), Email: str("email"), Work: str("work"), Active: &active}
}

func (s *Server) updateWorker(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	patch := workerFromForm(c)
	if _, err := s.store.UpdateWorker(c.Request.Context(), actor(c), id, patch); err != nil {
		s.refillWorkerForm(c, err, id, patch)
		return
	}
	s.flash(c, "worker.saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workers/%d", id))
}

func (s *Server) createWorker(c *gin.Context) {
	unitID, _ := strconv.ParseInt(c.PostForm("unit"), 10, 64)
	patch := workerFromForm(c)
	w := schedule.Worker{UnitID: unitID}
	err := patch.Apply(&w)
	if err == nil {
		w, err = s.store.CreateWorker(c.Request.Context(), actor(c), w)
	}
	if err != nil {
		s.refillWorkerForm(c, err, 0, patch)
		return
	}
	s.flash(c, "worker.created")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workers/%d", w.ID))
}

// refillWorkerForm shows the form again with the user's input and the
// problem; errors other than bad input go to the error page.
func (s *Server) refillWorkerForm(c *gin.Context, err error, id int64, patch schedule.WorkerPatch) {
	code := schedule.ErrorCode(err)
	if code != schedule.EINVALID && code != schedule.ECONFLICT {
		s.fail(c, err)
		return
	}
	unitID, _ := strconv.ParseInt(c.PostForm("unit"), 10, 64)
	w := schedule.Worker{ID: id, UnitID: unitID, Name: *patch.Name, Mobile: *patch.Mobile, VoterID: *patch.VoterID,
		Gender: *patch.Gender, Social: *patch.Social, Email: *patch.Email, Work: *patch.Work, Active: *patch.Active}
	action := "/workers"
	if id != 0 {
		action = fmt.Sprintf("/workers/%d", id)
	}
	page := workerFormPage{Base: s.base(c), Worker: w, Action: action, Genders: genders}
	page.Base.Error = schedule.ErrorMessage(err)
	s.renderStatus(c, statusOf[code], "worker_form", page)
}
