package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

type loginPage struct {
	Base     basePage
	Mobile   string
	CodeSent bool
}

func (s *Server) showLogin(c *gin.Context) {
	s.render(c, "login", loginPage{Base: s.base(c)})
}

func (s *Server) requestCode(c *gin.Context) {
	mobile := c.PostForm("mobile")
	page := loginPage{Base: s.base(c), Mobile: mobile}
	if err := s.auth.RequestCode(c.Request.Context(), mobile); err != nil {
		page.Base.Error = s.errText(c, err)
		s.renderStatus(c, statusOf[schedule.ErrorCode(err)], "login", page)
		return
	}
	page.CodeSent = true
	s.render(c, "login", page)
}

func (s *Server) verifyCode(c *gin.Context) {
	mobile := c.PostForm("mobile")
	token, _, err := s.auth.Verify(c.Request.Context(), mobile, c.PostForm("code"))
	if err != nil {
		page := loginPage{Base: s.base(c), Mobile: mobile, CodeSent: schedule.ErrorCode(err) == schedule.EUNAUTH}
		page.Base.Error = s.errText(c, err)
		s.renderStatus(c, statusOf[schedule.ErrorCode(err)], "login", page)
		return
	}
	s.setCookie(c, sessionCookie, token, 12*3600)
	s.rotateCSRF(c)
	c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) logout(c *gin.Context) {
	if token, err := c.Cookie(sessionCookie); err == nil {
		if err := s.auth.Logout(c.Request.Context(), token); err != nil {
			s.log.Error("logout", "err", err)
		}
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.rotateCSRF(c)
	c.Redirect(http.StatusSeeOther, "/login")
}
