package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
)

// The mass address API: an address with its plan and rooms' state, its
// live turnout (which the turnout page's own script polls) and its audio
// bridges, as JSON.

// apiAddressArea is one area's (district's) share of an address's plan.
type apiAddressArea struct {
	AreaID   int64  `json:"area_id"`
	Name     string `json:"name"`
	NameHi   string `json:"name_hi,omitempty"`
	Audience int    `json:"audience"`
	// Rooms are the area's listener rooms (LiveKit room names).
	Rooms []string `json:"rooms"`
}

// apiAddressPlan is how an address's listeners are spread over rooms.
type apiAddressPlan struct {
	// Cap is the listeners each listener room is sized for; RoomLimit
	// the participant limit set on each.
	Cap       int              `json:"cap"`
	RoomLimit int              `json:"room_limit"`
	Stage     string           `json:"stage"`
	Audience  int              `json:"audience"`
	Rooms     int              `json:"rooms"`
	Areas     []apiAddressArea `json:"areas"`
}

// apiAddress is the answer of GET /addresses/{id}.
type apiAddress struct {
	ID               int64     `json:"id"`
	EventID          int64     `json:"event_id"`
	Title            string    `json:"title"`
	TitleHi          string    `json:"title_hi,omitempty"`
	Start            time.Time `json:"start"`
	End              time.Time `json:"end"`
	Speakers         string    `json:"speakers,omitempty"`
	SpeakersHi       string    `json:"speakers_hi,omitempty"`
	ListenersPerRoom int       `json:"listeners_per_room"`
	ExpectedAudience int       `json:"expected_audience"`
	// RoomState is the rooms' state: planned, creating, ready, failed
	// (RoomError says why) or closed.
	RoomState    string     `json:"room_state"`
	RoomError    string     `json:"room_error,omitempty"`
	RoomAttempts int        `json:"room_attempts"`
	RoomsReadyAt *time.Time `json:"rooms_ready_at,omitempty"`
	StartedAt    *time.Time `json:"started_at,omitempty"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// What this server can do for it: LiveKit rooms and dial-in numbers
	// are configured or not (the page then says the address runs by
	// phone and letter); Over: the event has ended.
	LiveKit       bool           `json:"livekit"`
	BridgeNumbers bool           `json:"bridge_numbers"`
	Over          bool           `json:"over"`
	CanModerate   bool           `json:"can_moderate"`
	Plan          apiAddressPlan `json:"plan"`
}

func (s *Server) apiAddress(c *gin.Context) {
	v, err := s.loadAddress(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	a, z := v.Address, s.zone()
	out := apiAddress{ID: a.ID, EventID: a.EventID, Title: a.Event.Title, TitleHi: a.Event.TitleHi, Start: z.In(a.Event.Start), End: z.In(a.Event.End),
		Speakers: a.Speakers, SpeakersHi: a.SpeakersHi, ListenersPerRoom: a.ListenersPerRoom, ExpectedAudience: a.ExpectedAudience,
		RoomState: a.RoomState, RoomError: a.RoomError, RoomAttempts: a.RoomAttempts, RoomsReadyAt: zonedPtr(z.In, a.RoomsReadyAt),
		StartedAt: zonedPtr(z.In, a.StartedAt), EndedAt: zonedPtr(z.In, a.EndedAt), CreatedAt: z.In(a.CreatedAt), UpdatedAt: z.In(a.UpdatedAt),
		LiveKit: !v.LiveKitOff, BridgeNumbers: !v.NoBridgeNumbers, Over: v.Over, CanModerate: v.CanModerate,
		Plan: apiAddressPlan{Cap: a.Plan.Cap, RoomLimit: a.Plan.RoomLimit, Stage: a.Plan.Stage, Areas: make([]apiAddressArea, len(a.Areas))}}
	rooms := map[int64][]string{}
	for _, ar := range a.Plan.Areas {
		rooms[ar.AreaID] = ar.Rooms
	}
	for i, ar := range a.Areas {
		out.Plan.Areas[i] = apiAddressArea{AreaID: ar.AreaID, Name: ar.Name, NameHi: ar.NameHi, Audience: ar.Audience, Rooms: rooms[ar.AreaID]}
		if out.Plan.Areas[i].Rooms == nil {
			out.Plan.Areas[i].Rooms = []string{}
		}
		out.Plan.Audience += ar.Audience
		out.Plan.Rooms += ar.Rooms
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, out)
}

// apiTurnoutAnswer is the answer of GET /addresses/{id}/turnout: the
// turnout page's numbers (joined, invited, online, by phone per district
// and mandal of the caller's view, ?unit= narrowing it).
type apiTurnoutAnswer struct {
	AddressID int64         `json:"address_id"`
	Turnout   store.Turnout `json:"turnout"`
	// Updated is the time of the count as the page prints it, in the
	// request's language.
	Updated string `json:"updated"`
}

func (s *Server) apiTurnout(c *gin.Context) {
	t, err := s.loadTurnout(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	z := s.zone()
	t.At = z.In(t.At)
	if !t.PeakAt.IsZero() {
		t.PeakAt = z.In(t.PeakAt)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, apiTurnoutAnswer{AddressID: t.Address.ID, Turnout: t, Updated: z.Moments(apiLang(c)).ClockSeconds(t.At)})
}

// apiBridge is one area's audio bridge: the number to dial and the PIN.
type apiBridge struct {
	ID         int64  `json:"id"`
	UnitID     int64  `json:"unit_id"`
	UnitCode   string `json:"unit_code"`
	UnitName   string `json:"unit_name"`
	UnitNameHi string `json:"unit_name_hi,omitempty"`
	Number     string `json:"number"`
	PIN        string `json:"pin"`
	Room       string `json:"room"`
	// State is pending, ready or failed (LastError says why).
	State     string    `json:"state"`
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// apiBridges is the answer of GET /addresses/{id}/bridges.
type apiBridges struct {
	AddressID int64  `json:"address_id"`
	Title     string `json:"title"`
	TitleHi   string `json:"title_hi,omitempty"`
	// Provisioned: a SIP side is configured, so bridges are set up on it;
	// Numbers is the size of the dial-in pool (0: none configured).
	Provisioned bool        `json:"provisioned"`
	Numbers     int         `json:"numbers"`
	Bridges     []apiBridge `json:"bridges"`
}

func (s *Server) apiBridges(c *gin.Context) {
	a, list, err := s.loadBridges(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	z := s.zone()
	out := apiBridges{AddressID: a.ID, Title: a.Title, TitleHi: a.TitleHi, Provisioned: s.turn.cfg.Bridges != nil, Numbers: s.turn.cfg.Numbers.Size(),
		Bridges: make([]apiBridge, len(list))}
	for i, b := range list {
		out.Bridges[i] = apiBridge{ID: b.ID, UnitID: b.UnitID, UnitCode: b.UnitCode, UnitName: b.UnitName, UnitNameHi: b.UnitNameHi, Number: b.Number,
			PIN: b.PIN, Room: b.Room, State: b.State, LastError: b.LastError, CreatedAt: z.In(b.CreatedAt), UpdatedAt: z.In(b.UpdatedAt)}
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, out)
}
