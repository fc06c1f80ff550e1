package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/schedule"
)

const (
	sessionCookie = "kk_session"
	csrfCookie    = "kk_csrf"
	langCookie    = "kk_lang"
	actorKey      = "actor"
	quietLogKey   = "quiet_log"
)

func (s *Server) recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic serving request", "path", logPath(c), "panic", r)
				c.AbortWithStatus(http.StatusInternalServerError)
			}
		}()
		c.Next()
	}
}

func (s *Server) requestLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		} else if c.GetBool(quietLogKey) {
			level = slog.LevelDebug // a flood's refusals: counted in metrics, logged once by auth
		}
		s.log.Log(c.Request.Context(), level, "request", "method", c.Request.Method, "path", logPath(c),
			"status", c.Writer.Status(), "duration", time.Since(start), "bytes", c.Writer.Size())
	}
}

// logPath is the request path for logs, with the credential of public
// token URLs (/i/<token>, /j/<token>, /feeds/<token>.ics) replaced by the
// route pattern: feed tokens are stored hashed, so logs must not keep them.
func logPath(c *gin.Context) string {
	p := c.Request.URL.Path
	if c.Param("token") != "" || strings.HasPrefix(p, "/feeds/") {
		if r := c.FullPath(); r != "" {
			return r
		}
		return "(token path)"
	}
	return p
}

// session loads the actor from the session cookie or a bearer token, and
// makes sure the browser holds a CSRF cookie.
func (s *Server) session() gin.HandlerFunc {
	return func(c *gin.Context) {
		token := bearer(c)
		if token == "" {
			token, _ = c.Cookie(sessionCookie)
		}
		if token != "" {
			if a, err := s.auth.Actor(c.Request.Context(), token); err == nil {
				c.Set(actorKey, a)
			}
		}
		// Feeds are fetched by calendar apps, which keep no cookies: a
		// CSRF cookie there only makes every response differ.
		if v, err := c.Cookie(csrfCookie); (err != nil || len(v) < 20) && !strings.HasPrefix(c.Request.URL.Path, "/feeds/") {
			b := make([]byte, 24)
			rand.Read(b)
			v = base64.RawURLEncoding.EncodeToString(b)
			s.setCookie(c, csrfCookie, v, 0)
			c.Request.AddCookie(&http.Cookie{Name: csrfCookie, Value: v})
		}
		c.Next()
	}
}

func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
}

// csrfToken is the value forms must echo back.
func csrfToken(c *gin.Context) string {
	v, _ := c.Cookie(csrfCookie)
	return v
}

// csrf refuses unsafe requests that do not echo the CSRF cookie in the form
// field "csrf" or the X-CSRF-Token header. Requests authenticated by a
// bearer token carry no ambient credentials and need no check.
func (s *Server) csrf() gin.HandlerFunc {
	return func(c *gin.Context) {
		if bearer(c) != "" {
			c.Next()
			return
		}
		want := csrfToken(c)
		got := c.GetHeader("X-CSRF-Token")
		if got == "" {
			got = c.PostForm("csrf")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			s.fail(c, &schedule.Error{Code: schedule.EFORBIDDEN, Message: s.pages.Text(s.lang(c), "error.csrf")})
			c.Abort()
			return
		}
		c.Next()
	}
}

// requireLogin sends people without a session to the login page (or 401
// for the API).
func (s *Server) requireLogin(api bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, ok := c.Get(actorKey); ok {
			c.Next()
			return
		}
		if api {
			s.fail(c, schedule.Errorf(schedule.EUNAUTH, "log in first: POST /api/v1/login/code, then /api/v1/login/verify"))
		} else {
			c.Redirect(http.StatusSeeOther, "/login")
		}
		c.Abort()
	}
}

// actor returns the logged-in official; only call behind requireLogin.
func actor(c *gin.Context) schedule.Actor {
	a, _ := c.Get(actorKey)
	act, _ := a.(schedule.Actor)
	return act
}

// lang is the page language: cookie, else the browser's preference, else
// Hindi.
func (s *Server) lang(c *gin.Context) string {
	if l, err := c.Cookie(langCookie); err == nil && (l == "hi" || l == "en") {
		return l
	}
	if q := c.Query("lang"); q == "hi" || q == "en" {
		return q
	}
	al := c.GetHeader("Accept-Language")
	if strings.HasPrefix(al, "en") {
		return "en"
	}
	return "hi"
}

// apiLang is the language of API messages: English, the language programs
// are written in, unless the client asks for Hindi (Accept-Language: hi or
// ?lang=hi), as the pages' own scripts do.
func apiLang(c *gin.Context) string {
	if q := c.Query("lang"); q == "hi" || q == "en" {
		return q
	}
	if strings.HasPrefix(c.GetHeader("Accept-Language"), "hi") {
		return "hi"
	}
	return "en"
}

func (s *Server) setLanguage(c *gin.Context) {
	l := c.Param("lang")
	if l != "hi" && l != "en" {
		s.fail(c, schedule.FieldError("lang", "must be hi or en"))
		return
	}
	s.setCookie(c, langCookie, l, 365*24*3600)
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next"), "/"))
}

// formNewlines makes the line breaks of url-encoded forms LF. Browsers
// send a textarea's line breaks as CR LF (HTML's form encoding), while the
// domain stores LF and refuses other control characters, so a
// description typed on several lines would otherwise always be refused.
// Multipart forms (uploads) keep their bytes; their text fields are
// single-line.
func formNewlines() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method == http.MethodPost && c.ContentType() == "application/x-www-form-urlencoded" {
			if err := c.Request.ParseForm(); err == nil {
				for _, vs := range []url.Values{c.Request.PostForm, c.Request.Form} {
					for _, v := range vs {
						for i, s := range v {
							if strings.IndexByte(s, '\r') >= 0 {
								v[i] = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
							}
						}
					}
				}
			}
		}
		c.Next()
	}
}

// Header values shared by every response (assigned, not copied: the join
// page's hot path must not allocate for them).
var (
	hdrNosniff     = []string{"nosniff"}
	hdrFrameDeny   = []string{"DENY"}
	hdrCSP         = []string{"frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"}
	hdrSameOrigin  = []string{"same-origin"}
	hdrNoStore     = []string{"no-store"}
	hdrHSTS        = []string{"max-age=31536000"}
	hdrPrivatePage = []string{"private, no-store"}
)

// securityHeaders sets the headers every response carries: no MIME
// sniffing, no framing by other sites (clickjacking), no referrer to
// other sites, HSTS over HTTPS. A logged-in person's pages, exports and
// API answers hold private data, so by default nobody stores them
// (handlers that know better, such as hashed static assets, override
// Cache-Control).
func (s *Server) securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h["X-Content-Type-Options"] = hdrNosniff
		h["X-Frame-Options"] = hdrFrameDeny
		h["Content-Security-Policy"] = hdrCSP
		h["Referrer-Policy"] = hdrSameOrigin
		if s.secure(c) {
			h["Strict-Transport-Security"] = hdrHSTS
		}
		if _, ok := c.Get(actorKey); ok {
			h["Cache-Control"] = hdrNoStore
		}
		c.Next()
	}
}

// secure reports whether the request came over HTTPS (directly or through
// a proxy that says so), or the server is configured to assume it.
func (s *Server) secure(c *gin.Context) bool {
	return s.cfg.SecureCookies || c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
}

// rotateCSRF gives the browser a fresh CSRF token (at login and logout),
// so a token planted or seen before the session started is worthless.
func (s *Server) rotateCSRF(c *gin.Context) {
	b := make([]byte, 24)
	rand.Read(b)
	s.setCookie(c, csrfCookie, base64.RawURLEncoding.EncodeToString(b), 0)
}
