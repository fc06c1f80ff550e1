package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// Mass address pages: plan an address for an event of type "address"
// (speakers, per-room cap, audience scope) and see its rooms: the plan per
// district and the state of the LiveKit rooms the scheduler creates
// (planned, creating, ready, failed with the last error, closed).

type addressPage struct {
	Base    basePage
	Event   store.InviteEvent
	Address *store.MassAddress
	Form    addressForm
	Title   string
	// Moderation is the participant lists and actions, for officials who
	// may moderate the address (nil for others).
	Moderation *moderation
	// LiveKitOff: this server creates no rooms (LiveKit not configured);
	// the page says so instead of promising rooms. NoBridgeNumbers: no
	// dial-in numbers are configured. Over: the event has ended.
	LiveKitOff, NoBridgeNumbers, Over bool
}

type addressForm struct {
	Speakers, SpeakersHi, Cap, Scope, Expected string
}

func (s *Server) showEventAddress(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if a, err := s.store.FindAddressByEvent(ctx, actor(c), id); err == nil {
		c.Redirect(http.StatusSeeOther, "/addresses/"+strconv.FormatInt(a.ID, 10))
		return
	}
	e, err := s.store.FindInviteEvent(ctx, actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := addressPage{Base: s.base(c), Event: e, Title: eventTitle(e, s.lang(c)),
		Form: addressForm{Cap: strconv.Itoa(schedule.DefaultListenersPerRoom)}}
	s.render(c, "address", p)
}

func (s *Server) createAddress(c *gin.Context) {
	j := s.join
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	f := addressForm{Speakers: c.PostForm("speakers"), SpeakersHi: c.PostForm("speakers_hi"), Cap: strings.TrimSpace(c.PostForm("listeners_per_room")),
		Scope: c.PostForm("scope"), Expected: strings.TrimSpace(c.PostForm("expected_audience"))}
	in, err := s.addressInput(c, id, f)
	var a store.MassAddress
	if err == nil {
		a, err = s.store.CreateAddress(ctx, actor(c), in)
	}
	if err != nil {
		e, ferr := s.store.FindInviteEvent(ctx, actor(c), id)
		if ferr != nil {
			s.fail(c, ferr)
			return
		}
		p := addressPage{Base: s.base(c), Event: e, Title: eventTitle(e, s.lang(c)), Form: f}
		p.Base.Error = s.errText(c, err)
		s.renderStatus(c, addressStatus(err), "address", p)
		return
	}
	if j.cfg.Mint == nil {
		s.flash(c, "offline.created")
	} else {
		s.flash(c, "address.created")
	}
	c.Redirect(http.StatusSeeOther, "/addresses/"+strconv.FormatInt(a.ID, 10))
}

// addressInput parses the form: the cap and expected audience as numbers,
// the scope as unit codes separated by commas or spaces.
func (s *Server) addressInput(c *gin.Context, eventID int64, f addressForm) (store.AddressInput, error) {
	in := store.AddressInput{EventID: eventID, Speakers: f.Speakers, SpeakersHi: f.SpeakersHi}
	if f.Cap != "" {
		n, err := strconv.Atoi(f.Cap)
		if err != nil {
			return in, schedule.FieldError("listeners_per_room", "%q is not a number", f.Cap)
		}
		in.ListenersPerRoom = n
	}
	if f.Expected != "" {
		n, err := strconv.Atoi(f.Expected)
		if err != nil {
			return in, schedule.FieldError("expected_audience", "%q is not a number", f.Expected)
		}
		in.ExpectedAudience = n
	}
	for _, code := range strings.FieldsFunc(f.Scope, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		u, err := s.store.FindUnitByCode(c.Request.Context(), actor(c), code)
		if err != nil {
			return in, schedule.FieldError("scope", "unit %q not found", code)
		}
		in.ScopeUnitIDs = append(in.ScopeUnitIDs, u.ID)
	}
	return in, nil
}

// addressView is what an address's page shows, for the page and its API
// twin: the address, what this server cannot do for it (no LiveKit rooms,
// no dial-in numbers), whether it is over and whether the viewer may
// moderate it.
type addressView struct {
	Address                           store.MassAddress
	LiveKitOff, NoBridgeNumbers, Over bool
	CanModerate                       bool
}

// loadAddress loads the address named by :id in the actor's scope.
func (s *Server) loadAddress(c *gin.Context) (addressView, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return addressView{}, err
	}
	a, err := s.store.FindAddress(c.Request.Context(), actor(c), id)
	if err != nil {
		return addressView{}, err
	}
	return addressView{Address: a, LiveKitOff: s.join.cfg.Mint == nil, NoBridgeNumbers: s.turn == nil || s.turn.cfg.Numbers.Size() == 0,
		Over: !s.now().Before(a.Event.End), CanModerate: a.ModeratedBy(actor(c))}, nil
}

func (s *Server) showAddress(c *gin.Context) {
	v, err := s.loadAddress(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	a := v.Address
	p := addressPage{Base: s.base(c), Event: a.Event, Address: &a, Title: eventTitle(a.Event, s.lang(c)),
		LiveKitOff: v.LiveKitOff, NoBridgeNumbers: v.NoBridgeNumbers, Over: v.Over}
	if v.CanModerate {
		p.Moderation = s.join.moderationFor(c, a)
	}
	c.Header("Cache-Control", "private, no-store")
	s.render(c, "address", p)
}

// addressStatus is the HTTP status of a domain error.
func addressStatus(err error) int {
	if st, ok := statusOf[schedule.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}
