package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// The speakers' stage console (GET /addresses/:id/stage) and moderation of
// an address's rooms (the participant lists on the address page and POST
// /addresses/:id/moderate). Both are for officials whose scope covers the
// address's unit (a state address: state officials); everyone else gets
// 404, as for anything out of scope. Without LiveKit both say so.

// RoomModerator lists, mutes and removes participants of LiveKit rooms
// (conferencing.Rooms, wired in cmd).
type RoomModerator interface {
	// Participants lists who is in room.
	Participants(ctx context.Context, room string) ([]schedule.Participant, error)
	// Mute mutes (muted true) every track identity publishes in room.
	Mute(ctx context.Context, room, identity string, muted bool) error
	// Remove disconnects identity from room.
	Remove(ctx context.Context, room, identity string) error
}

// moderationTimeout bounds one LiveKit call of a moderation page or
// action: the room client retries while LiveKit is down, the page must not
// hang on it.
const moderationTimeout = 5 * time.Second

// maxListedParticipants caps the rows of one room's participant list (a
// listener room holds thousands).
const maxListedParticipants = 200

// stagePage is the stage console template's data.
type stagePage struct {
	Base         basePage
	AddressID    int64
	Title        string
	Speakers     string
	Stage        string
	RoomState    string
	Problem      string // LiveKit off, address over: shown instead of the console
	LiveKitURL   string
	LiveKitToken string
	Camera       bool
	Script       pageScript
}

// moderation is the address page's moderation section.
type moderation struct {
	Off      bool   // LiveKit not configured
	Error    string // LiveKit unreachable
	Rooms    []string
	Selected string
	Lists    []roomList
}

// roomList is one room's participants.
type roomList struct {
	Room     string
	Stage    bool
	Total    int
	Shown    []participantRow
	Overflow int
}

// participantRow is one participant as the moderation list shows them.
type participantRow struct {
	Identity   string
	Name       string
	Publishing bool
	Audio      bool
	Muted      bool
	SIP        bool
}

// moderatedAddress loads the address of :id for an official who may speak
// on and moderate it; anyone else gets ENOTFOUND.
func (s *Server) moderatedAddress(c *gin.Context) (store.MassAddress, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return store.MassAddress{}, err
	}
	return s.store.FindAddressToModerate(c.Request.Context(), actor(c), id)
}

// stage serves GET /addresses/:id/stage.
func (j *joinState) stage(c *gin.Context) {
	s, script := j.s, j.stageScript
	a, err := s.moderatedAddress(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := s.lang(c)
	p := stagePage{Base: s.base(c), AddressID: a.ID, Title: eventTitle(a.Event, lang), Speakers: a.SpeakerNames(lang),
		Stage: a.Plan.Stage, RoomState: a.RoomState, LiveKitURL: j.cfg.LiveKitURL, Camera: true, Script: script}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Referrer-Policy", "no-referrer")
	status := http.StatusOK
	switch {
	case j.cfg.MintSpeaker == nil:
		p.Problem, status = s.pages.Text(lang, "stage.livekit_off"), http.StatusServiceUnavailable
	case a.RoomState == "closed":
		p.Problem, status = s.pages.Text(lang, "stage.closed"), http.StatusGone
	default:
		me := actor(c)
		identity := schedule.SpeakerIdentity(me.WorkerID)
		p.LiveKitToken, err = j.cfg.MintSpeaker(identity, me.Name, a.Plan.Stage, time.Now())
		if err != nil {
			s.log.Error("stage console: mint speaker token", "address", a.ID, "err", err)
			p.Problem, status = s.pages.Text(lang, "stage.unavailable"), http.StatusServiceUnavailable
		}
	}
	s.renderStatus(c, status, "stage", p)
}

// moderationFor builds the address page's moderation section: the stage's
// participants and those of one listener room (?room=, else the first).
func (j *joinState) moderationFor(c *gin.Context, a store.MassAddress) *moderation {
	m := &moderation{Rooms: a.Plan.ListenerRooms()}
	if j.cfg.Rooms == nil {
		m.Off = true
		return m
	}
	if len(m.Rooms) > 0 {
		m.Selected = m.Rooms[0]
		if r := c.Query("room"); slices.Contains(m.Rooms, r) {
			m.Selected = r
		}
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), moderationTimeout)
	defer cancel()
	for _, room := range []string{a.Plan.Stage, m.Selected} {
		if room == "" {
			continue
		}
		ps, err := j.cfg.Rooms.Participants(ctx, room)
		if err != nil {
			j.s.log.Warn("moderation: list participants", "address", a.ID, "room", room, "err", err)
			m.Error = j.s.pages.Text(j.s.lang(c), "moderation.unreachable")
			m.Lists = nil
			return m
		}
		l := roomList{Room: room, Stage: room == a.Plan.Stage, Total: len(ps)}
		for i, p := range ps {
			if i == maxListedParticipants {
				l.Overflow = len(ps) - i
				break
			}
			r := participantRow{Identity: p.Identity, Name: p.Name, SIP: p.SIP, Publishing: len(p.Tracks) > 0}
			if len(p.Tracks) > 0 {
				r.Muted = true
			}
			for _, t := range p.Tracks {
				r.Audio = r.Audio || t.Audio
				r.Muted = r.Muted && t.Muted
			}
			l.Shown = append(l.Shown, r)
		}
		m.Lists = append(m.Lists, l)
	}
	return m
}

// moderate serves POST /addresses/:id/moderate: action "mute" or "remove"
// for identity in room, which must be one of the address's rooms.
func (j *joinState) moderate(c *gin.Context) {
	s := j.s
	a, err := s.moderatedAddress(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	room, identity, action := c.PostForm("room"), c.PostForm("identity"), c.PostForm("action")
	switch {
	case room != a.Plan.Stage && !slices.Contains(a.Plan.ListenerRooms(), room):
		s.fail(c, schedule.FieldError("room", "%q is not a room of address %d", room, a.ID))
		return
	case identity == "":
		s.fail(c, schedule.FieldError("identity", "is empty"))
		return
	case action != "mute" && action != "remove":
		s.fail(c, schedule.FieldError("action", "%q is not mute or remove", action))
		return
	}
	if j.cfg.Rooms == nil {
		s.moderationUnavailable(c, s.pages.Text(s.lang(c), "moderation.off"))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), moderationTimeout)
	defer cancel()
	if action == "mute" {
		err = j.cfg.Rooms.Mute(ctx, room, identity, true)
	} else {
		err = j.cfg.Rooms.Remove(ctx, room, identity)
	}
	if err != nil {
		s.log.Error("moderation", "address", a.ID, "room", room, "identity", identity, "action", action, "err", err)
		// The cause (server address, RPC) is for the log, not the page.
		s.moderationUnavailable(c, s.pages.Text(s.lang(c), "moderation.failed"))
		return
	}
	s.log.Info("moderation", "address", a.ID, "room", room, "identity", identity, "action", action, "by", actor(c).WorkerID)
	s.flash(c, "moderation.done_"+action)
	back := "/addresses/" + strconv.FormatInt(a.ID, 10)
	if room != a.Plan.Stage {
		back += "?room=" + url.QueryEscape(room)
	}
	c.Redirect(http.StatusSeeOther, back+"#moderation")
}

// moderationUnavailable answers 503 with msg: LiveKit is off or failed.
func (s *Server) moderationUnavailable(c *gin.Context, msg string) {
	lang := s.lang(c)
	s.renderStatus(c, http.StatusServiceUnavailable, "error", errorPage{Base: s.base(c), Title: s.pages.Text(lang, "moderation.title"), Message: msg})
	c.Abort()
}
