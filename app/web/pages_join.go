package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/schedule"
)

// The join page of a mass address: GET /j/<token>, where token is the
// worker's personal invite link token (the same one /i/<token> takes). The
// hot path touches no database: the signature and expiry are checked by
// schedule.Signer, the invite, its revocation and the worker's room come
// from the in-memory addresses.Directory, the LiveKit token is minted in
// memory, and the page is a pre-rendered template with the per-request
// values spliced in. Every refusal is a page, never a 500.

// JoinConfig configures the join page.
type JoinConfig struct {
	// Directory resolves links to rooms; nil turns the join page into a
	// "no online address" page.
	Directory *addresses.Directory
	// Mint returns a short-lived subscribe-only LiveKit token for identity
	// in room, issued at now; nil (LiveKit not configured) also disables
	// joining.
	Mint func(identity, room string, now time.Time) (string, error)
	// LiveKitURL is the ws(s):// address browsers connect to.
	LiveKitURL string
	// MintSpeaker returns a short-lived publishing LiveKit token for the
	// stage console (identity, display name, stage room, issued at now);
	// nil (LiveKit not configured) makes the console say so.
	MintSpeaker func(identity, name, room string, now time.Time) (string, error)
	// Rooms lists, mutes and removes participants for the moderation on
	// the address page; nil (LiveKit not configured) makes it say so.
	Rooms RoomModerator
}

// joinPage is the join template's data. For the pre-rendered pages the
// per-request fields hold slot markers (see joinSlots).
type joinPage struct {
	Base       basePage
	ProblemKey string
	Problem    string
	// NotOnline is set when the link is good but the address cannot be
	// heard on this page (see notOnline): the page then shows the event,
	// the worker's audio bridge and, for an event held in person, RSVPURL.
	NotOnline    bool
	RSVPURL      string
	Title        string
	Speakers     string
	When         string
	Phase        string
	LiveKitURL   string
	LiveKitToken string
	Room         string
	NowMillis    string
	OpensMillis  int64
	ClosesMillis int64
	HasBridge    bool
	HasPIN       bool
	BridgeNumber string
	BridgePIN    string
	Script       pageScript
}

// Slots of a pre-rendered join page: markers that survive html/template
// escaping in every context they are used in (letters only).
const (
	slotToken = iota
	slotRoom
	slotLink
	slotNow
	slotBridgeNumber
	slotBridgePIN
	numSlots
)

var joinSlotMarkers = [numSlots]string{"KKSLOTTOKENKK", "KKSLOTROOMKK", "KKSLOTLINKKK", "KKSLOTNOWKK", "KKSLOTBRIDGENUMKK", "KKSLOTBRIDGEPINKK"}

// joinSegment is literal page bytes followed by a slot (or -1 at the end).
type joinSegment struct {
	lit  []byte
	slot int
}

// joinParts is one pre-rendered page: the same for everyone opening a link
// of this address in this language and phase (and with or without bridge).
type joinParts struct {
	segs []joinSegment
	size int
}

type joinPartsKey struct {
	lang   string
	phase  addresses.Phase
	bridge bool
	pin    bool
}

// joinBufs pools the response buffers of the join page.
type joinBufs struct{ pool sync.Pool }

func (b *joinBufs) get() *bytes.Buffer {
	if v := b.pool.Get(); v != nil {
		return v.(*bytes.Buffer)
	}
	return bytes.NewBuffer(make([]byte, 0, 8<<10))
}

func (b *joinBufs) put(buf *bytes.Buffer) {
	if buf.Cap() <= 64<<10 {
		buf.Reset()
		b.pool.Put(buf)
	}
}

// joinState is the join page's handler state.
type joinState struct {
	s           *Server
	cfg         JoinConfig
	signer      *schedule.Signer
	script      pageScript // the join page's script
	stageScript pageScript // the stage console's
	bufs        joinBufs
}

// setupJoin prepares the join page and the stage console from Config.Join;
// links are verified with the invite signer. The zero JoinConfig (LiveKit
// not configured) still serves them: they say what is missing.
func (s *Server) setupJoin() error {
	for _, p := range []string{"join", "address", "stage"} {
		if !s.pages.Has(p) {
			return fmt.Errorf("template for page %q is missing", p)
		}
	}
	j := &joinState{s: s, cfg: s.cfg.Join, signer: s.inv.cfg.Signer}
	var err error
	if j.script, err = scriptFor("join"); err != nil {
		return err
	}
	if j.stageScript, err = scriptFor("stage"); err != nil {
		return err
	}
	s.join = j
	return nil
}

// join serves GET /j/<token>.
func (j *joinState) join(c *gin.Context) {
	s := j.s
	now := s.now()
	token := c.Param("token")
	claims, err := j.signer.Verify(token, now)
	if err != nil {
		s.joinRefused(c, err)
		return
	}
	jc := j.cfg
	if jc.Directory == nil || jc.Mint == nil {
		j.notOnline(c, claims, token, now) // LiveKit not configured
		return
	}
	e, seat, err := jc.Directory.Resolve(c.Request.Context(), claims)
	if errors.Is(err, addresses.ErrNoAddress) {
		j.notOnline(c, claims, token, now) // no rooms planned, or over
		return
	}
	if err != nil {
		s.joinRefused(c, err)
		return
	}
	lang := s.lang(c)
	phase := e.Phase(now)
	var vals [numSlots]string
	vals[slotLink], vals[slotRoom] = token, seat.Room
	vals[slotBridgeNumber], vals[slotBridgePIN] = seat.Bridge.Number, seat.Bridge.PIN
	var nowBuf [20]byte
	vals[slotNow] = string(strconv.AppendInt(nowBuf[:0], now.UnixMilli(), 10))
	if phase == addresses.PhaseOpen {
		if seat.Room == "" {
			s.joinRefused(c, fmt.Errorf("address %d has no listener room", e.AddressID))
			return
		}
		var idBuf [24]byte
		identity := string(schedule.AppendListenerIdentity(idBuf[:0], seat.WorkerID))
		// LiveKit checks the token's validity against its own (wall)
		// clock, not the application's.
		if vals[slotToken], err = jc.Mint(identity, seat.Room, time.Now()); err != nil {
			s.joinRefused(c, fmt.Errorf("mint listener token: %w", err))
			return
		}
	}
	parts, err := j.partsFor(e, joinPartsKey{lang: lang, phase: phase, bridge: seat.Bridge.Number != "", pin: seat.Bridge.PIN != ""})
	if err != nil {
		s.joinRefused(c, err)
		return
	}
	buf := j.bufs.get()
	buf.Grow(parts.size + 1024)
	for _, sg := range parts.segs {
		buf.Write(sg.lit)
		if sg.slot >= 0 {
			writeAttrSafe(buf, vals[sg.slot])
		}
	}
	h := c.Writer.Header()
	h["Cache-Control"] = joinNoStore
	h["Referrer-Policy"] = joinNoReferrer
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	j.bufs.put(buf)
}

var (
	joinNoStore    = []string{"private, no-store"}
	joinNoReferrer = []string{"no-referrer"}
)

// writeAttrSafe writes v HTML-escaped (values are tokens, room names and
// phone numbers, so the loop almost never finds anything to escape).
func writeAttrSafe(buf *bytes.Buffer, v string) {
	start := 0
	for i := 0; i < len(v); i++ {
		var esc string
		switch v[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		default:
			continue
		}
		buf.WriteString(v[start:i])
		buf.WriteString(esc)
		start = i + 1
	}
	buf.WriteString(v[start:])
}

// joinPartsFor returns the pre-rendered page for key, rendering it on
// first use and caching it in the directory entry (a refreshed entry
// renders afresh, so title or time changes show up).
func (j *joinState) partsFor(e *addresses.Entry, key joinPartsKey) (*joinParts, error) {
	if v, ok := e.Pages.Load(key); ok {
		return v.(*joinParts), nil
	}
	p := joinPage{
		Base:  basePage{Lang: key.lang, Path: "/j/" + joinSlotMarkers[slotLink]},
		Title: e.DisplayTitle(key.lang), Speakers: e.SpeakerNames(key.lang),
		When:  j.s.zone().Moments(key.lang).Span(e.Start, e.End),
		Phase: key.phase.String(), LiveKitURL: j.cfg.LiveKitURL,
		LiveKitToken: joinSlotMarkers[slotToken], Room: joinSlotMarkers[slotRoom], NowMillis: joinSlotMarkers[slotNow],
		OpensMillis: e.Opens.UnixMilli(), ClosesMillis: e.Closes.UnixMilli(),
		HasBridge: key.bridge, HasPIN: key.pin,
		BridgeNumber: joinSlotMarkers[slotBridgeNumber], BridgePIN: joinSlotMarkers[slotBridgePIN],
		Script: j.script,
	}
	body, err := j.s.pages.Render("join", key.lang, p)
	if err != nil {
		return nil, err
	}
	parts := splitJoinPage(body)
	v, _ := e.Pages.LoadOrStore(key, parts)
	return v.(*joinParts), nil
}

// splitJoinPage cuts a rendered page at its slot markers.
func splitJoinPage(body []byte) *joinParts {
	p := &joinParts{size: len(body)}
	for {
		at, slot := -1, -1
		for i, m := range joinSlotMarkers {
			if j := bytes.Index(body, []byte(m)); j >= 0 && (at < 0 || j < at) {
				at, slot = j, i
			}
		}
		if at < 0 {
			p.segs = append(p.segs, joinSegment{lit: body, slot: -1})
			return p
		}
		p.segs = append(p.segs, joinSegment{lit: body[:at], slot: slot})
		body = body[at+len(joinSlotMarkers[slot]):]
	}
}

// joinRefused renders the page for a refused or failed join.
func (s *Server) joinRefused(c *gin.Context, err error) {
	p := joinPage{Base: s.base(c), Problem: s.errText(c, err)}
	status := http.StatusForbidden
	switch {
	case schedule.IsLinkInvalid(err):
		p.ProblemKey, status = "join.invalid", http.StatusNotFound
	case schedule.IsLinkExpired(err):
		p.ProblemKey, status = "join.expired", http.StatusGone
	case schedule.IsLinkRevoked(err):
		p.ProblemKey = "join.revoked"
	case schedule.ErrorCode(err) == schedule.ENOTFOUND:
		p.ProblemKey, status = "join.revoked", http.StatusGone
	case errors.Is(err, addresses.ErrNoAddress):
		p.ProblemKey, p.Problem, status = "join.no_address", s.pages.Text(p.Base.Lang, "join.no_address_text"), http.StatusNotFound
	default:
		s.log.Error("join link", "err", err)
		p.ProblemKey, p.Problem, status = "join.unavailable", s.pages.Text(p.Base.Lang, "join.try_later"), http.StatusServiceUnavailable
	}
	c.Header("Cache-Control", "private, no-store")
	s.renderStatus(c, status, "join", p)
	c.Abort()
}

// refreshJoin reloads the join directory now, in the background, after a
// change that must reach join links at once (a revoked invitation): this
// server refuses the link as soon as the reload ends; other servers do on
// their scheduler's next tick (addresses.DefaultTick).
func (s *Server) refreshJoin() {
	if s.join == nil || s.join.cfg.Directory == nil {
		return
	}
	dir, now := s.join.cfg.Directory, s.now()
	go func() {
		if err := dir.Refresh(context.Background(), now); err != nil {
			s.log.Error("refresh join directory after a revocation", "err", err)
		}
	}()
}
