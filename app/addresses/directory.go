// Package addresses runs mass addresses around the store: an
// in-memory directory that lets the join page (/j/<token>) pick a worker's
// listener room without touching the database, and a scheduler that
// creates the LiveKit rooms ahead of start, starts the relay and deletes
// the rooms after the end. The LiveKit side is behind the
// schedule.Conference port (conferencing.Conference, wired in cmd), so the
// web layer importing this package does not link LiveKit.
package addresses

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// Timing of an address's join window, relative to its event.
const (
	// DefaultJoinOpens is how long before the start the join page hands
	// out LiveKit tokens; before that it shows a countdown.
	DefaultJoinOpens = 15 * time.Minute
	// DefaultJoinGrace is how long after the scheduled end the page still
	// lets people in (speeches overrun); after it, the page says "ended".
	DefaultJoinGrace = 30 * time.Minute
)

// Phase is where an address stands for someone opening a join link.
type Phase uint8

// Phases of an address.
const (
	// PhaseBefore: too early, the page counts down to the opening.
	PhaseBefore Phase = iota
	// PhaseOpen: the page joins the listener room.
	PhaseOpen
	// PhaseEnded: after the end and grace.
	PhaseEnded
	// PhaseCancelled: the event was cancelled.
	PhaseCancelled
	// NumPhases counts the phases.
	NumPhases
)

// String names the phase as the page's data-phase attribute does.
func (p Phase) String() string {
	switch p {
	case PhaseBefore:
		return "before"
	case PhaseOpen:
		return "open"
	case PhaseEnded:
		return "ended"
	case PhaseCancelled:
		return "cancelled"
	}
	return "unknown"
}

// Bridge is an audio bridge's dial-in for one area.
type Bridge struct {
	Number string
	PIN    string
}

// Entry is one address as the join page sees it. Entries are immutable
// once published, except for Pages, a cache the web layer fills.
type Entry struct {
	AddressID   int64
	EventID     int64
	Title       string
	TitleHi     string
	Speakers    string
	SpeakersHi  string
	Start, End  time.Time
	Opens       time.Time // tokens are handed out from here
	Closes      time.Time // End plus grace
	Cancelled   bool
	LinkVersion uint32
	RoomState   string
	Plan        schedule.AddressPlan
	// Bridges maps area ids to their bridge; EventBridge is the event-wide
	// one from the invitation settings, used where an area has none.
	Bridges     map[int64]Bridge
	EventBridge Bridge
	// Pages caches rendered page parts per language and phase (owned by
	// the web layer).
	Pages sync.Map

	stamp   store.InviteStamp
	invites inviteTable
}

// inviteTable is an event's invites sorted by id: three parallel slices
// (24 bytes an invite: 3 million invites take 72 MB).
type inviteTable struct {
	ids     []int64
	workers []int64
	area    []int32 // index into Plan.Areas; -1 when the area is not in the plan
	revoked []bool
}

func (t *inviteTable) find(id int64) (int, bool) {
	return slices.BinarySearch(t.ids, id)
}

// Phase returns the phase at now.
func (e *Entry) Phase(now time.Time) Phase {
	switch {
	case e.Cancelled:
		return PhaseCancelled
	case now.Before(e.Opens):
		return PhaseBefore
	case !now.Before(e.Closes):
		return PhaseEnded
	}
	return PhaseOpen
}

// DisplayTitle returns the title in lang.
func (e *Entry) DisplayTitle(lang string) string {
	if lang == schedule.LangHindi && e.TitleHi != "" {
		return e.TitleHi
	}
	if e.Title == "" {
		return e.TitleHi
	}
	return e.Title
}

// SpeakerNames returns the speakers in lang.
func (e *Entry) SpeakerNames(lang string) string {
	if lang == schedule.LangHindi && e.SpeakersHi != "" {
		return e.SpeakersHi
	}
	if e.Speakers == "" {
		return e.SpeakersHi
	}
	return e.Speakers
}

// Invites returns how many invites the entry knows.
func (e *Entry) Invites() int { return len(e.invites.ids) }

// Seat is where one invited worker listens.
type Seat struct {
	WorkerID int64
	AreaID   int64 // 0 when the worker's area is not in the plan
	Room     string
	Bridge   Bridge
}

// seat picks the listener room of a worker: their area's room, or, for an
// invitee outside the address's audience areas, one of all listener rooms
// by the same hash.
func (e *Entry) seat(workerID int64, areaIdx int32) Seat {
	s := Seat{WorkerID: workerID, Bridge: e.EventBridge}
	if areaIdx >= 0 && int(areaIdx) < len(e.Plan.Areas) {
		a := e.Plan.Areas[areaIdx]
		s.AreaID = a.AreaID
		s.Room = a.Rooms[schedule.RoomIndex(workerID, len(a.Rooms))]
		if b, ok := e.Bridges[a.AreaID]; ok {
			s.Bridge = b
		}
		return s
	}
	all := e.Plan.ListenerRooms()
	if len(all) > 0 {
		s.Room = all[schedule.RoomIndex(workerID, len(all))]
	}
	return s
}

func (e *Entry) areaIndex(unitPath string) int32 {
	id, _, err := store.AddressAreaOf(unitPath)
	if err != nil {
		return -1
	}
	for i, a := range e.Plan.Areas {
		if a.AreaID == id {
			return int32(i)
		}
	}
	return -1
}

// Errors of Resolve besides the schedule link errors.
var (
	// ErrNoAddress: the link's event has no active mass address.
	ErrNoAddress = errors.New("this event has no online address")
)

// Loader is what the directory reads from the store.
type Loader interface {
	ActiveAddresses(ctx context.Context, since time.Time) ([]store.MassAddress, error)
	AddressInviteStamp(ctx context.Context, eventID int64) (store.InviteStamp, error)
	EachAddressInvite(ctx context.Context, eventID int64, fn func(*store.AddressInvite) error) error
	AddressInviteByID(ctx context.Context, inviteID int64) (int64, store.AddressInvite, error)
	AddressBridges(ctx context.Context, addressID int64) ([]store.AddressBridge, error)
}

// Directory maps events to their addresses and invites to their rooms, in
// memory, so a join needs no database. Refresh reloads it (the scheduler
// calls it every tick); readers never block.
type Directory struct {
	loader Loader
	log    *slog.Logger
	opens  time.Duration
	grace  time.Duration
	snap   atomic.Pointer[map[int64]*Entry] // by event id
	mu     sync.Mutex                       // serialises Refresh
}

// NewDirectory returns an empty directory reading from loader; opens and
// grace are the join window (DefaultJoinOpens and DefaultJoinGrace when 0).
func NewDirectory(loader Loader, opens, grace time.Duration, log *slog.Logger) *Directory {
	if opens <= 0 {
		opens = DefaultJoinOpens
	}
	if grace <= 0 {
		grace = DefaultJoinGrace
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Directory{loader: loader, log: log, opens: opens, grace: grace}
	empty := map[int64]*Entry{}
	d.snap.Store(&empty)
	return d
}

// Lookup returns the address entry of an event.
func (d *Directory) Lookup(eventID int64) (*Entry, bool) {
	e, ok := (*d.snap.Load())[eventID]
	return e, ok
}

// Entries returns every entry, by event id.
func (d *Directory) Entries() []*Entry {
	m := *d.snap.Load()
	out := make([]*Entry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *Entry) int { return int(a.EventID - b.EventID) })
	return out
}

// Refresh reloads the addresses active at now; an event's invites are
// reloaded only when their stamp (count, largest id, revoked count)
// changed since the last load.
func (d *Directory) Refresh(ctx context.Context, now time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	// Ended addresses stay a day so late visitors see "ended".
	as, err := d.loader.ActiveAddresses(ctx, now.Add(-d.grace-24*time.Hour))
	if err != nil {
		return fmt.Errorf("refresh join directory: %w", err)
	}
	old := *d.snap.Load()
	next := make(map[int64]*Entry, len(as))
	for _, a := range as {
		e := &Entry{
			AddressID: a.ID, EventID: a.EventID, Title: a.Event.Title, TitleHi: a.Event.TitleHi,
			Speakers: a.Speakers, SpeakersHi: a.SpeakersHi, Start: a.Event.Start, End: a.Event.End,
			Opens: a.Event.Start.Add(-d.opens), Closes: a.Event.End.Add(d.grace),
			Cancelled: a.Event.Cancelled, LinkVersion: a.Event.LinkVersion, RoomState: a.RoomState, Plan: a.Plan,
			EventBridge: Bridge{Number: a.Event.Settings.BridgeNumber, PIN: a.Event.Settings.BridgePIN},
			Bridges:     map[int64]Bridge{},
		}
		bs, err := d.loader.AddressBridges(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("refresh join directory: %w", err)
		}
		for _, b := range bs {
			if id, _, err := store.AddressAreaOf(b.UnitPath); err == nil && id == b.UnitID {
				e.Bridges[b.UnitID] = Bridge{Number: b.Number, PIN: b.PIN}
			}
		}
		stamp, err := d.loader.AddressInviteStamp(ctx, a.EventID)
		if err != nil {
			return fmt.Errorf("refresh join directory: %w", err)
		}
		if prev, ok := old[a.EventID]; ok && prev.stamp == stamp && prev.AddressID == a.ID && slices.Equal(prev.Plan.ListenerRooms(), a.Plan.ListenerRooms()) {
			e.stamp, e.invites = prev.stamp, prev.invites
		} else if err := d.loadInvites(ctx, e, stamp); err != nil {
			return err
		}
		next[a.EventID] = e
	}
	d.snap.Store(&next)
	return nil
}

func (d *Directory) loadInvites(ctx context.Context, e *Entry, stamp store.InviteStamp) error {
	n := int(stamp.Count)
	t := inviteTable{ids: make([]int64, 0, n), workers: make([]int64, 0, n), area: make([]int32, 0, n), revoked: make([]bool, 0, n)}
	areaOf := map[string]int32{}
	err := d.loader.EachAddressInvite(ctx, e.EventID, func(r *store.AddressInvite) error {
		ai, ok := areaOf[r.UnitPath]
		if !ok {
			ai = e.areaIndex(r.UnitPath)
			areaOf[r.UnitPath] = ai
		}
		t.ids = append(t.ids, r.InviteID)
		t.workers = append(t.workers, r.WorkerID)
		t.area = append(t.area, ai)
		t.revoked = append(t.revoked, r.Revoked)
		return nil
	})
	if err != nil {
		return fmt.Errorf("refresh join directory: %w", err)
	}
	e.stamp, e.invites = stamp, t
	d.log.DebugContext(ctx, "join directory loaded invites", "address", e.AddressID, "invites", len(t.ids))
	return nil
}

// Resolve finds the address and the seat of a verified link at now. It
// reads memory only, except for an invite newer than the last refresh,
// which is read from the store once. Errors: ErrNoAddress;
// schedule.IsLinkRevoked for a revoked invite or replaced link; ENOTFOUND
// for an invite that does not exist or belongs to another event.
func (d *Directory) Resolve(ctx context.Context, c schedule.LinkClaims) (*Entry, Seat, error) {
	e, ok := d.Lookup(c.EventID)
	if !ok {
		return nil, Seat{}, ErrNoAddress
	}
	var seat Seat
	var revoked bool
	if i, found := e.invites.find(c.InviteID); found {
		revoked = e.invites.revoked[i]
		seat = e.seat(e.invites.workers[i], e.invites.area[i])
	} else {
		eventID, inv, err := d.loader.AddressInviteByID(ctx, c.InviteID)
		if err != nil {
			return e, Seat{}, err
		}
		if eventID != c.EventID {
			return e, Seat{}, schedule.Errorf(schedule.ENOTFOUND, "this invitation no longer exists")
		}
		revoked = inv.Revoked
		seat = e.seat(inv.WorkerID, e.areaIndex(inv.UnitPath))
	}
	if err := c.CheckRevoked(e.LinkVersion, revoked); err != nil {
		return e, Seat{}, err
	}
	return e, seat, nil
}
