package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

// basePage is what every page's layout needs.
type basePage struct {
	Lang  string
	User  *schedule.Actor
	CSRF  string
	Flash string
	Error string
	Path  string
}

func (s *Server) base(c *gin.Context) basePage {
	b := basePage{Lang: s.lang(c), CSRF: csrfToken(c), Path: c.Request.URL.RequestURI()}
	if a, ok := c.Get(actorKey); ok {
		act := a.(schedule.Actor)
		b.User = &act
	}
	if f, err := c.Cookie("kk_flash"); err == nil && f != "" {
		b.Flash = s.pages.Text(b.Lang, f)
		s.setCookie(c, "kk_flash", "", -1)
	}
	return b
}

// flash shows a catalogue message on the next page.
func (s *Server) flash(c *gin.Context, key string) { s.setCookie(c, "kk_flash", key, 60) }

// render writes a page with status 200.
func (s *Server) render(c *gin.Context, page string, data any) {
	s.renderStatus(c, http.StatusOK, page, data)
}

func (s *Server) renderStatus(c *gin.Context, status int, page string, data any) {
	body, err := s.pages.Render(page, s.lang(c), data)
	if err != nil {
		s.log.Error("render page", "page", page, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Data(status, "text/html; charset=utf-8", body)
}

// statusOf maps domain error codes to HTTP statuses.
var statusOf = map[schedule.Code]int{
	schedule.EINVALID:   http.StatusUnprocessableEntity,
	schedule.ENOTFOUND:  http.StatusNotFound,
	schedule.ECONFLICT:  http.StatusConflict,
	schedule.EFORBIDDEN: http.StatusForbidden,
	schedule.EUNAUTH:    http.StatusUnauthorized,
	schedule.ETOOLARGE:  http.StatusRequestEntityTooLarge,
	schedule.ELIMIT:     http.StatusTooManyRequests,
	schedule.EINTERNAL:  http.StatusInternalServerError,
}

type errorPage struct {
	Base    basePage
	Title   string
	Message string
}

// fail answers with the error's status: JSON under /api, a page otherwise.
// Only internal errors are logged; users see the domain message.
func (s *Server) fail(c *gin.Context, err error) {
	code := schedule.ErrorCode(err)
	status := statusOf[code]
	if code == schedule.EINTERNAL {
		s.log.Error("request failed", "path", logPath(c), "err", err)
	}
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		c.AbortWithStatusJSON(status, gin.H{"error": s.apiError(c, err)})
		return
	}
	lang := s.lang(c)
	s.renderStatus(c, status, "error", errorPage{Base: s.base(c), Title: s.pages.Text(lang, "error."+string(code)), Message: s.pages.LocalizeError(lang, err)})
	c.Abort()
}

// apiError is the API's account of err: its code, the message in the
// request's language and the field at fault, if any.
func (s *Server) apiError(c *gin.Context, err error) gin.H {
	body := gin.H{"code": schedule.ErrorCode(err), "message": s.pages.LocalizeError(apiLang(c), err)}
	if list := schedule.ValidationErrors(err); len(list) > 0 && list[0].Field != "" {
		body["field"] = list[0].Field
	}
	return body
}

// errText is what the person is told about err, in the page's language.
func (s *Server) errText(c *gin.Context, err error) string {
	return s.pages.LocalizeError(s.lang(c), err)
}

func paramID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, schedule.Errorf(schedule.ENOTFOUND, "no %s %q", name, c.Param(name))
	}
	return id, nil
}

// unitParam loads the unit named by the :id parameter if the actor may see
// it; otherwise it answers with the error (404 outside scope) and reports
// false.
func (s *Server) unitParam(c *gin.Context) (schedule.Unit, bool) {
	id, err := paramID(c, "id")
	if err == nil {
		var u schedule.Unit
		if u, err = s.store.FindUnitByID(c.Request.Context(), actor(c), id); err == nil {
			return u, true
		}
	}
	s.fail(c, err)
	return schedule.Unit{}, false
}
