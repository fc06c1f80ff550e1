package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// notOnline answers a good join link that cannot be heard on the page: the
// server has no LiveKit, the address has no rooms planned (yet), the event
// is not an online address at all, or it is over. It says which, truthfully,
// with the event and the worker's own audio bridge, instead of blaming the
// link. It reads the database (the join directory only knows addresses
// with rooms), which is fine off the hot path: a server without LiveKit
// has no mass listening to serve.
func (j *joinState) notOnline(c *gin.Context, claims schedule.LinkClaims, token string, now time.Time) {
	s := j.s
	ctx := c.Request.Context()
	li, err := s.store.InviteByLink(ctx, claims)
	if err != nil {
		s.joinRefused(c, err)
		return
	}
	p := joinPage{Base: s.base(c), NotOnline: true}
	p.Base.Lang = s.rsvpLang(c, li) // the worker's own language unless they chose one
	lang := p.Base.Lang
	ev := li.Event
	p.Title = eventTitle(ev, lang)
	p.When = s.zone().Moments(lang).Span(ev.Start, ev.End)
	p.HasBridge, p.HasPIN = ev.BridgeNumber != "", ev.BridgePIN != ""
	p.BridgeNumber, p.BridgePIN = ev.BridgeNumber, ev.BridgePIN
	status := http.StatusOK
	switch {
	case ev.Cancelled:
		p.ProblemKey, status = "join.cancelled", http.StatusGone
	case !now.Before(ev.End):
		p.ProblemKey, p.Problem, status = "offline.over", s.pages.Text(lang, "offline.over_text"), http.StatusGone
		p.HasBridge = false
	case ev.Type != store.AddressEventType:
		p.ProblemKey, p.Problem = "offline.in_person", s.pages.Text(lang, "offline.in_person_text")
		p.RSVPURL = "/i/" + token
	case j.cfg.Mint == nil:
		p.ProblemKey, p.Problem = "offline.not_online", s.pages.Text(lang, "offline.not_online_text")
	default:
		// LiveKit is there, but this address has no rooms planned yet.
		p.ProblemKey, p.Problem = "offline.not_ready", s.pages.Text(lang, "offline.not_ready_text")
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Referrer-Policy", "no-referrer")
	body, err := s.pages.Render("join", lang, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(status, "text/html; charset=utf-8", body)
}
