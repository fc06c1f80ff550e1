package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// TurnoutConfig holds what the audio-bridge and turnout pages need.
type TurnoutConfig struct {
	// Webhooks verifies LiveKit's webhook POSTs; nil answers them with 503
	// (set KARYAKRAM_LIVEKIT_KEY and KARYAKRAM_LIVEKIT_SECRET).
	Webhooks WebhookReceiver
	// Bridges provisions audio bridges on the SIP side; nil records them
	// without provisioning (no LiveKit configured).
	Bridges schedule.BridgeProvisioner
	// Numbers is the dial-in number pool (KARYAKRAM_BRIDGE_NUMBERS).
	Numbers schedule.BridgeNumbers
	// Ingest, when set, takes verified webhook events for batched
	// recording (app/turnout.Ingest): the webhook is answered once the
	// event is queued, 503 when the queue is full. nil records each event
	// in its own transaction before answering.
	Ingest PresenceQueue
	// Refresh is how often the live turnout page updates; 0 means 5s.
	Refresh time.Duration
	// Now is the clock; nil means the store's (Store.Now).
	Now func() time.Time
}

// WebhookReceiver verifies the conference's signed webhook requests and
// hands each participant event to record (conferencing.Webhooks).
type WebhookReceiver interface {
	Handler(record func(context.Context, schedule.Presence) error) http.Handler
}

// PresenceQueue queues presence events for recording; an error wrapping
// turnout.ErrBusy means "not now, retry".
type PresenceQueue interface {
	Enqueue(store.PresenceEvent) error
}

// turnoutState is the turnout pages' share of the Server.
type turnoutState struct {
	cfg TurnoutConfig
}

// setupTurnout fills in the turnout defaults.
func (s *Server) setupTurnout() {
	cfg := s.cfg.Turnout
	if cfg.Refresh <= 0 {
		cfg.Refresh = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = s.store.Now
	}
	s.turn = &turnoutState{cfg: cfg}
}

// eventAddressRedirect sends /events/:id/<what> to the event's address.
func (s *Server) eventAddressRedirect(what string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := paramID(c, "id")
		if err != nil {
			s.fail(c, err)
			return
		}
		addr, err := s.store.AddressForEvent(c.Request.Context(), actor(c), id)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/addresses/"+strconv.FormatInt(addr, 10)+"/"+what)
	}
}

// loadTurnout reads the turnout for :id and ?unit=.
func (s *Server) loadTurnout(c *gin.Context) (store.Turnout, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return store.Turnout{}, err
	}
	var unit int64
	if u := c.Query("unit"); u != "" {
		if unit, err = strconv.ParseInt(u, 10, 64); err != nil || unit <= 0 {
			return store.Turnout{}, schedule.FieldError("unit", "give the unit's ID (a number), not %q", u)
		}
	}
	return s.store.Turnout(c.Request.Context(), actor(c), id, unit, s.turn.cfg.Now())
}

// turnoutTable is one table of the turnout page.
type turnoutTable struct {
	AddressID int64
	Lang      string
	Rows      []store.TurnoutRow
}

// turnoutBar is one bar of the turnout chart.
type turnoutBar struct {
	UnitID          int64
	Label           string
	Joined          int
	Invited         int
	Percent         int
	Y, Width, TextY int
}

// turnoutChartWidth is the width of a 100% bar in the SVG chart.
const turnoutChartWidth = 300

type turnoutPage struct {
	Base      basePage
	Title     string
	AddressID int64
	UnitQuery string
	T         store.Turnout
	Bars      []turnoutBar
	ChartH    int
	ChartW    int
	PctX      int
	BarMax    int
	// DistrictTable and MandalTable feed the "turnout_table" template.
	DistrictTable, MandalTable turnoutTable
	RefreshS                   int
	Updated                    string
	Scope                      string // the unit the view is narrowed to, "" for all of the viewer's scope
}

// chartBars lays out the rows as horizontal bars, joined as a share of
// invited.
func chartBars(rows []store.TurnoutRow, lang string) ([]turnoutBar, int) {
	const rowH = 22
	bars := make([]turnoutBar, len(rows))
	for i, r := range rows {
		pct := min(r.Percent(), 100)
		bars[i] = turnoutBar{UnitID: r.UnitID, Label: r.DisplayName(lang), Joined: r.Joined, Invited: r.Invited, Percent: r.Percent(),
			Y: i * rowH, Width: pct * turnoutChartWidth / 100, TextY: i*rowH + 15}
	}
	return bars, len(rows)*rowH + 4
}

func (s *Server) showTurnout(c *gin.Context) {
	t, err := s.loadTurnout(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := s.lang(c)
	rows := t.Districts
	if len(rows) <= 1 {
		rows = t.Mandals
	}
	bars, h := chartBars(rows, lang)
	p := turnoutPage{Base: s.base(c), Title: t.Address.DisplayTitle(lang), AddressID: t.Address.ID, T: t, Bars: bars, ChartH: h,
		BarMax: turnoutChartWidth, ChartW: 150 + turnoutChartWidth + 110, PctX: 156 + turnoutChartWidth,
		DistrictTable: turnoutTable{AddressID: t.Address.ID, Lang: lang, Rows: t.Districts},
		MandalTable:   turnoutTable{AddressID: t.Address.ID, Lang: lang, Rows: t.Mandals}, RefreshS: int(s.turn.cfg.Refresh / time.Second), Updated: s.zone().Moments(lang).ClockSeconds(t.At)}
	if u := c.Query("unit"); u != "" {
		p.UnitQuery = "?unit=" + u
		p.Scope = u
	}
	if p.RefreshS < 1 {
		p.RefreshS = 1
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, "turnout", p)
}

func (s *Server) turnoutCSV(c *gin.Context) {
	t, err := s.loadTurnout(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := store.WriteTurnoutCSV(&buf, t); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="turnout-%d.csv"`, t.Address.ID))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
