package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// One-click unsubscribe (RFC 8058): every bulk email carries
// List-Unsubscribe: <base/u/<token>> with the invite's own signed token.
// A mail provider POSTs "List-Unsubscribe=One-Click" there without cookies
// (so no CSRF check: the token is the credential, and the action only
// stops mail to its own owner); a person who opens the link gets a page
// with one button, since link scanners fetch GET links and must not
// unsubscribe anyone.

type unsubscribePage struct {
	Base    basePage
	Token   string
	Email   string // masked
	Done    bool
	Problem string
}

type repliesPage struct {
	Base    basePage
	Replies []store.ReplyRecord
}

// showCalendarReplies lists the calendar replies received by email and
// what became of each (state office only).
func (s *Server) showCalendarReplies(c *gin.Context) {
	rs, err := s.store.CalendarReplies(c.Request.Context(), actor(c), 200)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "replies", repliesPage{Base: s.base(c), Replies: rs})
}

// unsubscribeClaims verifies an unsubscribe token: a genuine invite token,
// expired or not (mail keeps arriving after an event).
func (s *Server) unsubscribeClaims(c *gin.Context) (schedule.LinkClaims, bool) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", "private, no-store")
	if s.inv == nil {
		s.fail(c, schedule.Errorf(schedule.ENOTFOUND, "no such page"))
		return schedule.LinkClaims{}, false
	}
	claims, err := s.inv.cfg.Signer.Verify(c.Param("token"), s.now())
	if err != nil && !schedule.IsLinkExpired(err) {
		s.renderStatus(c, http.StatusNotFound, "unsubscribe", unsubscribePage{Base: s.base(c), Problem: s.pages.Text(s.lang(c), "unsubscribe.invalid")})
		return claims, false
	}
	return claims, true
}

func (s *Server) showUnsubscribe(c *gin.Context) {
	if _, ok := s.unsubscribeClaims(c); !ok {
		return
	}
	s.render(c, "unsubscribe", unsubscribePage{Base: s.base(c), Token: c.Param("token")})
}

func (s *Server) unsubscribe(c *gin.Context) {
	claims, ok := s.unsubscribeClaims(c)
	if !ok {
		return
	}
	email, err := s.store.Unsubscribe(c.Request.Context(), claims)
	oneClick := c.PostForm("List-Unsubscribe") == "One-Click"
	if err != nil {
		if oneClick {
			c.String(statusFor(err), "%s\n", schedule.ErrorMessage(err))
			return
		}
		s.renderStatus(c, statusFor(err), "unsubscribe", unsubscribePage{Base: s.base(c), Problem: schedule.ErrorMessage(err)})
		return
	}
	s.log.Info("unsubscribed from bulk email", "invite", claims.InviteID, "one_click", oneClick)
	if oneClick {
		c.String(http.StatusOK, "unsubscribed\n")
		return
	}
	s.render(c, "unsubscribe", unsubscribePage{Base: s.base(c), Done: true, Email: maskEmail(email)})
}

// statusFor is the HTTP status of a domain error.
func statusFor(err error) int {
	if st, ok := statusOf[schedule.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// maskEmail shows enough of an address for its owner to recognise it:
// "s****@example.org".
func maskEmail(a string) string {
	at := strings.LastIndexByte(a, '@')
	if at <= 0 {
		return a
	}
	return a[:1] + strings.Repeat("*", min(at-1, 6)) + a[at:]
}
