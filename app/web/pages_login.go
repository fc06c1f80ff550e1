package web

import (
	"errors"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/auth"
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
	if err := s.auth.RequestCode(c.Request.Context(), mobile, clientAddr(c)); err != nil {
		if s.floodRefused(c, err) {
			return
		}
		retryAfter(c, err)
		page := loginPage{Base: s.base(c), Mobile: mobile}
		page.Base.Error = s.errText(c, err)
		s.renderStatus(c, statusOf[schedule.ErrorCode(err)], "login", page)
		return
	}
	s.render(c, "login", loginPage{Base: s.base(c), Mobile: mobile, CodeSent: true})
}

func (s *Server) verifyCode(c *gin.Context) {
	mobile := c.PostForm("mobile")
	token, _, err := s.auth.Verify(c.Request.Context(), mobile, c.PostForm("code"), clientAddr(c))
	if err != nil {
		if s.floodRefused(c, err) {
			return
		}
		retryAfter(c, err)
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

// clientAddr is the address login limits count the client under: the
// connection's peer, or what a trusted proxy (Config.TrustedProxies) says
// it forwarded for; a forged X-Forwarded-For from anyone else is ignored.
func clientAddr(c *gin.Context) string { return auth.AddrKey(c.ClientIP()) }

// retryAfter sets Retry-After when err is a login limit.
func retryAfter(c *gin.Context, err error) {
	var le *auth.LimitError
	if errors.As(err, &le) {
		c.Header("Retry-After", strconv.Itoa(int(le.RetryAfter.Seconds())))
	}
}

// floodRefused answers a request refused because its address is over its
// login budget (a flood from one address) as cheaply as possible: a small
// page with the message, no template, logged at debug level (auth logs
// the first refusal of each run). It reports whether it answered.
func (s *Server) floodRefused(c *gin.Context, err error) bool {
	var le *auth.LimitError
	if !errors.As(err, &le) || !le.PerAddress {
		return false
	}
	retryAfter(c, err)
	c.Set(quietLogKey, true)
	lang := s.lang(c)
	var b strings.Builder
	b.Grow(512)
	b.WriteString(`<!doctype html><html lang="`)
	b.WriteString(lang)
	b.WriteString(`"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>`)
	b.WriteString(html.EscapeString(s.pages.Text(lang, "login.title")))
	b.WriteString(`</title><p class="error" role="alert">`)
	b.WriteString(html.EscapeString(s.errText(c, err)))
	b.WriteString(`</p><p><a href="/login">`)
	b.WriteString(html.EscapeString(s.pages.Text(lang, "login.title")))
	b.WriteString(`</a></p>`)
	c.Data(http.StatusTooManyRequests, "text/html; charset=utf-8", []byte(b.String()))
	return true
}
