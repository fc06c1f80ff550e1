package web

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

// zone is the organisation's time zone (Config.Zone).
func (s *Server) zone() schedule.Zone { return s.cfg.Zone }

// moments shows times on the organisation's clock in the page's language.
func (s *Server) moments(c *gin.Context) schedule.Moments { return s.cfg.Zone.Moments(s.lang(c)) }

// now is the server's clock: Config.Now, else the store's (Store.Now),
// which tests move with internal/testclock.
func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return s.store.Now()
}
