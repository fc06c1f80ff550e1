package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/ical"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// The public RSVP page: GET /i/<token>. No login: the token is checked
// without the database (signature, expiry), then against the invite row
// and the event's link version (revocation). Every refusal is a page that
// says what happened, never a 500.

type rsvpPage struct {
	Base    basePage
	Token   string
	Invite  store.LinkInvite
	Title   string
	Venue   string
	When    string
	EndTime string
	Repeats string // "every last Sunday" for a series
	// Problem is set when the link is refused; ProblemKey picks the
	// heading.
	Problem    string
	ProblemKey string
	Saved      bool
	GoogleURL  string
	Answers    []string
}

// linkInvite verifies the token and loads its invite, or renders the
// refusal page and returns false.
func (s *Server) linkInvite(c *gin.Context) (schedule.LinkClaims, store.LinkInvite, bool) {
	token := c.Param("token")
	// The address is the credential: never pass it on in a Referer.
	c.Header("Referrer-Policy", "no-referrer")
	now := s.now()
	claims, err := s.inv.cfg.Signer.Verify(token, now)
	var li store.LinkInvite
	if err == nil {
		li, err = s.store.InviteByLink(c.Request.Context(), claims)
	}
	if err == nil {
		return claims, li, true
	}
	p := rsvpPage{Base: s.base(c), Problem: s.errText(c, err)}
	status := http.StatusForbidden
	switch {
	case schedule.IsLinkInvalid(err):
		p.ProblemKey, status = "rsvp.invalid", http.StatusNotFound
	case schedule.IsLinkExpired(err):
		p.ProblemKey, status = "rsvp.expired", http.StatusGone
		p.Problem = s.pages.Text(p.Base.Lang, "rsvp.expired_on", s.zone().Moments(p.Base.Lang).DateTime(claims.Expires))
	case schedule.IsLinkRevoked(err):
		p.ProblemKey = "rsvp.revoked"
	case schedule.ErrorCode(err) == schedule.ENOTFOUND:
		p.ProblemKey, status = "rsvp.revoked", http.StatusGone
	default:
		s.log.Error("invite link lookup", "err", err)
		p.ProblemKey, p.Problem, status = "rsvp.unavailable", s.pages.Text(p.Base.Lang, "rsvp.try_later"), http.StatusServiceUnavailable
	}
	s.renderStatus(c, status, "rsvp", p)
	c.Abort()
	return claims, li, false
}

// rsvpLang is the page language: the invitee's own unless they chose one.
func (s *Server) rsvpLang(c *gin.Context, li store.LinkInvite) string {
	if _, err := c.Cookie(langCookie); err == nil {
		return s.lang(c)
	}
	if li.Lang == "en" || li.Lang == "hi" {
		return li.Lang
	}
	return s.lang(c)
}

func (s *Server) rsvpPageFor(c *gin.Context, token string, li store.LinkInvite) rsvpPage {
	p := rsvpPage{Base: s.base(c), Token: token, Invite: li, Answers: []string{store.RSVPGoing, store.RSVPMaybe, store.RSVPNotGoing}}
	if li.Event.Type == store.AddressEventType && p.Invite.Event.Settings.JoinURL == "" {
		// A mass address: the same personal token opens the join page.
		p.Invite.Event.Settings.JoinURL = "/j/" + token
	}
	p.Base.Lang = s.rsvpLang(c, li)
	d := schedule.NewMessageData(schedule.MessageContext{Event: li.Event.MessageEvent}, s.zone().Moments(p.Base.Lang))
	p.Title, p.Venue, p.When, p.EndTime, p.Repeats = d.Title, d.Venue, d.When, d.EndTime, d.Repeats
	q := url.Values{}
	q.Set("action", "TEMPLATE")
	q.Set("text", p.Title)
	q.Set("dates", li.Event.Start.UTC().Format("20060102T150405Z")+"/"+li.Event.End.UTC().Format("20060102T150405Z"))
	q.Set("location", p.Venue)
	p.GoogleURL = "https://calendar.google.com/calendar/render?" + q.Encode()
	return p
}

func (s *Server) showRSVP(c *gin.Context) {
	_, li, ok := s.linkInvite(c)
	if !ok {
		return
	}
	p := s.rsvpPageFor(c, c.Param("token"), li)
	c.Header("Cache-Control", "private, no-store")
	c.Header("Referrer-Policy", "no-referrer")
	body, err := s.pages.Render("rsvp", p.Base.Lang, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", body)
}

func (s *Server) answerRSVP(c *gin.Context) {
	claims, li, ok := s.linkInvite(c)
	if !ok {
		return
	}
	answer := c.PostForm("rsvp")
	err := s.store.RecordRSVP(c.Request.Context(), claims, answer, s.now())
	p := s.rsvpPageFor(c, c.Param("token"), li)
	status := http.StatusOK
	if err != nil {
		if schedule.ErrorCode(err) == schedule.EINTERNAL {
			s.log.Error("record rsvp", "err", err)
			p.Problem = s.pages.Text(p.Base.Lang, "rsvp.try_later")
			status = http.StatusServiceUnavailable
		} else {
			p.Problem = s.errText(c, err)
			status = http.StatusUnprocessableEntity
		}
	} else {
		now := s.now()
		p.Invite.RSVP, p.Invite.RSVPAt, p.Saved = answer, &now, true
	}
	body, rerr := s.pages.Render("rsvp", p.Base.Lang, p)
	if rerr != nil {
		s.fail(c, rerr)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(status, "text/html; charset=utf-8", body)
}

func (s *Server) rsvpICS(c *gin.Context) {
	_, li, ok := s.linkInvite(c)
	if !ok {
		return
	}
	lang := s.rsvpLang(c, li)
	ev := li.Event.Event()
	body, err := ical.Render(&ical.Feed{Name: eventTitle(li.Event, lang), Lang: lang, Now: s.now(), Events: []schedule.Event{ev}, Zone: s.zone()})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="event-%d.ics"`, ev.ID))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", body)
}
