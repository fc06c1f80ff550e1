package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

type workerPage struct {
	Base     basePage
	Worker   schedule.Worker
	Path     []schedule.Unit
	Roles    []roleView
	AllRoles []schedule.Role
	// RoleUnits are where the actor may give this worker a role: the
	// worker's unit and the units above it inside the actor's scope.
	RoleUnits []schedule.Unit
}

type roleView struct {
	Key    string
	UnitID int64
	Label  string
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
	page := workerPage{Base: s.base(c), Worker: actor(c).View(w), Path: append(path, u), AllRoles: roles}
	for _, pu := range page.Path {
		if actor(c).Can(schedule.ActWrite, pu.Path) {
			page.RoleUnits = append(page.RoleUnits, pu)
		}
	}
	names := map[int64]string{}
	for _, pu := range page.Path {
		names[pu.ID] = pu.DisplayName(lang)
	}
	for _, ra := range w.Roles {
		label := ra.RoleKey
		for _, r := range roles {
			if r.Key == ra.RoleKey {
				label = r.Name
				if lang == "hi" {
					label = r.NameHi
				}
			}
		}
		if n, ok := names[ra.UnitID]; ok {
			label += " · " + n
		}
		page.Roles = append(page.Roles, roleView{Key: ra.RoleKey, UnitID: ra.UnitID, Label: label})
	}
	s.render(c, "worker", page)
}

// changeRole gives (POST /workers/:id/roles) or takes away
// (POST /workers/:id/roles/remove) a role at a unit; both the worker and
// the unit must be in the actor's scope.
func (s *Server) changeRole(remove bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := paramID(c, "id")
		if err != nil {
			s.fail(c, err)
			return
		}
		unitID, _ := strconv.ParseInt(c.PostForm("unit"), 10, 64)
		role := c.PostForm("role")
		if remove {
			err = s.store.RemoveRole(c.Request.Context(), actor(c), id, role, unitID)
		} else {
			err = s.store.AssignRole(c.Request.Context(), actor(c), id, role, unitID)
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		s.flash(c, "worker.saved")
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/workers/%d", id))
	}
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
	page.Base.Error = s.errText(c, err)
	s.renderStatus(c, statusOf[code], "worker_form", page)
}
