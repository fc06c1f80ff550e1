package web

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

//go:embed openapi.json
var openapiDoc []byte

type loginRequest struct {
	Mobile string `json:"mobile"`
	Code   string `json:"code"`
}

// maxJSONBody bounds an API request body.
const maxJSONBody = 1 << 20

// bindJSON decodes the request body into v strictly: one JSON value of the
// expected shape (unknown fields refused), nothing after it, and valid
// UTF-8 throughout (Go's decoder would silently turn bad bytes into
// U+FFFD and store text nobody typed).
func bindJSON(c *gin.Context, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	if err != nil {
		if isTooLarge(err) {
			return schedule.Errorf(schedule.ETOOLARGE, "the request body is larger than %d bytes", maxJSONBody)
		}
		return schedule.FieldError("body", "could not be read: %v", err)
	}
	if !utf8.Valid(body) {
		return schedule.FieldError("body", "is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return schedule.FieldError("body", "is not the expected JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return schedule.FieldError("body", "has more after the JSON value (offset %d)", dec.InputOffset())
	}
	return nil
}

func (s *Server) apiRequestCode(c *gin.Context) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.auth.RequestCode(c.Request.Context(), req.Mobile, clientAddr(c)); err != nil {
		retryAfter(c, err)
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "if the number belongs to an official, a code was sent"})
}

func (s *Server) apiVerify(c *gin.Context) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	token, a, err := s.auth.Verify(c.Request.Context(), req.Mobile, req.Code, clientAddr(c))
	if err != nil {
		retryAfter(c, err)
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"token": token, "actor": a})
}

func (s *Server) apiLevels(c *gin.Context) {
	ls, err := s.store.Levels(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ls)
}

func (s *Server) apiRoles(c *gin.Context) {
	rs, err := s.store.Roles(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rs)
}

func (s *Server) apiScopeUnits(c *gin.Context) {
	us, err := s.store.ScopeUnits(c.Request.Context(), actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"units": us})
}

func (s *Server) apiUnit(c *gin.Context) {
	u, ok := s.unitParam(c)
	if !ok {
		return
	}
	n, err := s.store.CountWorkers(c.Request.Context(), actor(c), u.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"unit": u, "workers": n})
}

func (s *Server) apiChildren(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	kids, err := s.store.Children(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"units": kids})
}

func (s *Server) apiWorkers(c *gin.Context) {
	f := schedule.WorkerFilter{Query: c.Query("q"), Role: c.Query("role")}
	f.UnitID, _ = strconv.ParseInt(c.Query("unit"), 10, 64)
	f.Offset, _ = strconv.Atoi(c.Query("offset"))
	f.Limit, _ = strconv.Atoi(c.Query("limit"))
	p, err := s.store.SearchWorkers(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"workers": p.Workers, "total": p.Total, "more": p.More})
}

func (s *Server) apiWorker(c *gin.Context) {
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
	c.JSON(http.StatusOK, actor(c).View(w))
}

// workerJSON is the body of create and patch; absent fields are unchanged.
type workerJSON struct {
	Name    *string `json:"name"`
	Mobile  *string `json:"mobile"`
	VoterID *string `json:"voter_id"`
	Gender  *string `json:"gender"`
	Social  *string `json:"social"`
	Email   *string `json:"email"`
	Work    *string `json:"work"`
	Active  *bool   `json:"active"`
	UnitID  *int64  `json:"unit_id"`
}

func (j workerJSON) patch() schedule.WorkerPatch {
	return schedule.WorkerPatch{Name: j.Name, Mobile: j.Mobile, VoterID: j.VoterID, Gender: j.Gender,
		Social: j.Social, Email: j.Email, Work: j.Work, Active: j.Active, UnitID: j.UnitID}
}

func (s *Server) apiCreateWorker(c *gin.Context) {
	var body workerJSON
	if err := bindJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	w := schedule.Worker{Active: true}
	if err := body.patch().Apply(&w); err != nil {
		s.fail(c, err)
		return
	}
	w, err := s.store.CreateWorker(c.Request.Context(), actor(c), w)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, w)
}

func (s *Server) apiUpdateWorker(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var body workerJSON
	if err := bindJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	w, err := s.store.UpdateWorker(c.Request.Context(), actor(c), id, body.patch())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *Server) apiImport(c *gin.Context) {
	rep, err := s.importAs(c, c.Param("kind"), c.Request.Body)
	if err != nil {
		s.logInternal(c, "import failed", err)
		code := schedule.ErrorCode(err)
		c.AbortWithStatusJSON(statusOf[code], gin.H{"error": gin.H{"code": code, "message": schedule.ErrorMessage(err)}, "report": rep})
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (s *Server) apiAudit(c *gin.Context) {
	limit, _ := strconv.Atoi(c.Query("limit"))
	es, err := s.store.FindAudit(c.Request.Context(), actor(c), limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"entries": es})
}
