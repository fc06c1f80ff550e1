package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// The invitations API: the status page's counts and invitees, the invite
// form's send, and revoking one invitation, as JSON.

// apiInviteCounts counts an event's invitations in the caller's area.
type apiInviteCounts struct {
	Total    int `json:"total"`
	Queued   int `json:"queued"`
	Sent     int `json:"sent"`
	Failed   int `json:"failed"`
	Revoked  int `json:"revoked"`
	Going    int `json:"going"`
	NotGoing int `json:"not_going"`
	Maybe    int `json:"maybe"`
	// Dead counts messages given up on.
	Dead int `json:"dead"`
}

func apiCountsOf(c store.InviteCounts) apiInviteCounts {
	return apiInviteCounts{Total: c.Total, Queued: c.Queued, Sent: c.Sent, Failed: c.Failed, Revoked: c.Revoked,
		Going: c.Going, NotGoing: c.NotGoing, Maybe: c.Maybe, Dead: c.Dead}
}

// apiInvite is one invitee as the status page lists them: the mobile is
// masked.
type apiInvite struct {
	ID         int64      `json:"id"`
	WorkerID   int64      `json:"worker_id"`
	Name       string     `json:"name"`
	Mobile     string     `json:"mobile"`
	UnitID     int64      `json:"unit_id"`
	UnitName   string     `json:"unit_name"`
	UnitNameHi string     `json:"unit_name_hi,omitempty"`
	Channel    string     `json:"channel"`
	Status     string     `json:"status"`
	RSVP       string     `json:"rsvp,omitempty"`
	RSVPAt     *time.Time `json:"rsvp_at,omitempty"`
	Revoked    bool       `json:"revoked"`
	LastError  string     `json:"last_error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// apiInvites is the answer of GET /events/{id}/invites.
type apiInvites struct {
	EventID int64           `json:"event_id"`
	Counts  apiInviteCounts `json:"counts"`
	// Total is how many invitations match the filter; Invites is the
	// page of them from Offset.
	Total   int         `json:"total"`
	Offset  int         `json:"offset"`
	Limit   int         `json:"limit"`
	Invites []apiInvite `json:"invites"`
}

// maxInvitesPage is the most invitees one call lists (the store's cap).
const maxInvitesPage = 500

// inviteFilter reads the status page's filters, refusing values it does
// not know.
func inviteFilter(c *gin.Context) (store.InviteFilter, error) {
	f := store.InviteFilter{Status: c.Query("status"), RSVP: c.Query("rsvp"), Limit: pageSize}
	switch f.Status {
	case "", store.InviteQueued, store.InviteSent, store.InviteFailed, store.InviteRSVP:
	default:
		return f, schedule.FieldError("status", "unknown status %q (want queued, sent, failed or rsvp)", f.Status)
	}
	if f.RSVP != "" && !store.ValidRSVP(f.RSVP) {
		return f, schedule.FieldError("rsvp", "unknown answer %q (want going, not_going or maybe)", f.RSVP)
	}
	if v := c.Query("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, schedule.FieldError("offset", "give a whole number from 0, not %q", v)
		}
		f.Offset = n
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxInvitesPage {
			return f, schedule.FieldError("limit", "give a whole number from 1 to %d, not %q", maxInvitesPage, v)
		}
		f.Limit = n
	}
	return f, nil
}

func (s *Server) apiInvites(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := inviteFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	st, err := s.loadInviteStatus(c.Request.Context(), actor(c), id, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	z := s.zone()
	out := apiInvites{EventID: id, Counts: apiCountsOf(st.Counts), Total: st.Total, Offset: f.Offset, Limit: f.Limit, Invites: make([]apiInvite, len(st.Rows))}
	for i, r := range st.Rows {
		out.Invites[i] = apiInvite{ID: r.ID, WorkerID: r.WorkerID, Name: r.Name, Mobile: r.Mobile, UnitID: r.UnitID, UnitName: r.UnitName,
			UnitNameHi: r.UnitNameHi, Channel: r.Channel, Status: r.Status, RSVP: r.RSVP, Revoked: r.Revoked, LastError: r.LastError, CreatedAt: z.In(r.CreatedAt)}
		if r.RSVPAt != nil {
			t := z.In(*r.RSVPAt)
			out.Invites[i].RSVPAt = &t
		}
	}
	c.JSON(http.StatusOK, out)
}

// inviteRequest is the body of POST /events/{id}/invites: the audience.
type inviteRequest struct {
	// Units are unit codes; none means the event's own unit.
	Units []string `json:"units"`
	Roles []string `json:"roles"`
	Level string   `json:"level"`
	// Channel is sms (the default), email or whatsapp.
	Channel string `json:"channel"`
	// OverBudget accepts the size and cost of an SMS longer than the
	// segment budget.
	OverBudget bool `json:"over_budget"`
}

// apiSMSPlan is an SMS send's size and cost, as the invite form shows it
// before sending.
type apiSMSPlan struct {
	Segments     int              `json:"segments"`
	CostPaise    int64            `json:"cost_paise"`
	Cost         string           `json:"cost"`
	Budget       int              `json:"budget"`
	Over         bool             `json:"over"`
	Shortened    bool             `json:"shortened"`
	Sample       string           `json:"sample"`
	ByLanguage   []apiSMSLanguage `json:"by_language"`
	SegmentPrice string           `json:"segment_price"`
}

type apiSMSLanguage struct {
	Lang       string `json:"lang"`
	People     int    `json:"people"`
	PerMessage int    `json:"per_message"`
	Segments   int    `json:"segments"`
	Unicode    bool   `json:"unicode"`
}

func apiSMSOf(p *smsPlan) *apiSMSPlan {
	if p == nil {
		return nil
	}
	out := &apiSMSPlan{Segments: p.Segments, CostPaise: p.CostPaise, Cost: p.Cost, Budget: p.Budget, Over: p.Over, Shortened: p.Shortened,
		Sample: p.Sample, SegmentPrice: p.Price, ByLanguage: make([]apiSMSLanguage, len(p.Rows))}
	for i, r := range p.Rows {
		out.ByLanguage[i] = apiSMSLanguage(r)
	}
	return out
}

// apiSendResult is the answer of POST /events/{id}/invites.
type apiSendResult struct {
	EventID int64              `json:"event_id"`
	Report  store.FanOutReport `json:"report"`
	// Counts are the event's invitations after the send.
	Counts apiInviteCounts `json:"counts"`
	SMS    *apiSMSPlan     `json:"sms,omitempty"`
}

func (s *Server) apiSendInvites(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var body inviteRequest
	if err := bindJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	ev, err := s.store.FindInviteEvent(ctx, actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := inviteForm{Units: strings.Join(body.Units, ","), Level: body.Level, Channel: body.Channel, Roles: map[string]bool{}}
	for _, r := range body.Roles {
		f.Roles[r] = true
	}
	if f.Channel == "" {
		f.Channel = string(schedule.ChannelSMS)
	}
	if len(body.Units) == 0 {
		f.Units = s.eventUnitCode(c, ev)
	}
	a, err := s.audience(c, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	sms, rep, err := s.sendToAudience(c, ev, a, body.OverBudget)
	if errors.Is(err, errOverBudget) {
		c.AbortWithStatusJSON(http.StatusConflict, gin.H{"error": s.apiError(c, err), "sms": apiSMSOf(sms)})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	counts, err := s.store.InviteCounts(ctx, actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiSendResult{EventID: id, Report: rep, Counts: apiCountsOf(counts), SMS: apiSMSOf(sms)})
}

// apiRevoked is the answer of POST /invites/{id}/revoke.
type apiRevoked struct {
	InviteID int64 `json:"invite_id"`
	Revoked  bool  `json:"revoked"`
}

func (s *Server) apiRevokeInvite(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.revoke(c, id); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiRevoked{InviteID: id, Revoked: true})
}
