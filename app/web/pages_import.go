package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

type importPage struct {
	Base   basePage
	MaxMB  int64
	Report *store.ImportReport
}

func (s *Server) showImport(c *gin.Context) {
	s.render(c, "import", importPage{Base: s.base(c), MaxMB: s.cfg.MaxUploadBytes >> 20})
}

func (s *Server) importCSV(c *gin.Context) {
	page := importPage{Base: s.base(c), MaxMB: s.cfg.MaxUploadBytes >> 20}
	fh, err := c.FormFile("file")
	if err != nil {
		s.importFailed(c, page, schedule.FieldError("file", "choose a CSV file to upload"))
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.importFailed(c, page, fmt.Errorf("open upload: %w", err))
		return
	}
	defer f.Close()
	rep, err := s.importAs(c, c.PostForm("kind"), f)
	page.Report = &rep
	if err != nil {
		s.importFailed(c, page, err)
		return
	}
	s.render(c, "import", page)
}

func (s *Server) importFailed(c *gin.Context, page importPage, err error) {
	s.logInternal(c, "import failed", err)
	page.Base.Error = s.errText(c, err)
	if page.Report != nil && page.Report.Rows == 0 && page.Report.Total == 0 {
		page.Report = nil
	}
	s.renderStatus(c, statusOf[schedule.ErrorCode(err)], "import", page)
}

// logInternal logs err when it is not the user's doing (a database or
// disk failure): the user sees only "internal error", the log the cause.
func (s *Server) logInternal(c *gin.Context, what string, err error) {
	if schedule.ErrorCode(err) == schedule.EINTERNAL {
		s.log.ErrorContext(c.Request.Context(), what, "path", logPath(c), "err", err)
	}
}

// importAs runs an import of kind ("units" or "workers") as the actor.
func (s *Server) importAs(c *gin.Context, kind string, r io.Reader) (store.ImportReport, error) {
	switch kind {
	case "units":
		return s.store.ImportUnits(c.Request.Context(), actor(c), r, nil)
	case "workers":
		rep, err := s.store.ImportWorkers(c.Request.Context(), actor(c), r, nil)
		if isTooLarge(err) {
			err = s.tooLarge(c)
		}
		return rep, err
	}
	return store.ImportReport{}, schedule.FieldError("kind", "must be units or workers, not %q", kind)
}

// limitUpload refuses bodies over the upload cap with 413 and a clear
// message, before anything (the CSRF check included) reads the form.
func (s *Server) limitUpload() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > s.cfg.MaxUploadBytes {
			s.fail(c, s.tooLarge(c))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxUploadBytes)
		if strings.HasPrefix(c.ContentType(), "multipart/") {
			if err := c.Request.ParseMultipartForm(32 << 20); isTooLarge(err) {
				s.fail(c, s.tooLarge(c))
				return
			}
		}
		c.Next()
	}
}

func (s *Server) tooLarge(c *gin.Context) error {
	return schedule.Errorf(schedule.ETOOLARGE, "the file is larger than %d MB; split it into smaller files", s.cfg.MaxUploadBytes>>20)
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

type auditPage struct {
	Base    basePage
	Entries []store.AuditEntry
}

func (s *Server) showAudit(c *gin.Context) {
	entries, err := s.store.FindAudit(c.Request.Context(), actor(c), 200)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "audit", auditPage{Base: s.base(c), Entries: entries})
}
