package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Mass addresses (issue 7). An address belongs to an event of type
// "address". Creating it plans the LiveKit rooms with schedule.PlanAddress:
// each area (the district a worker belongs to; people above districts form
// the area of the state unit itself) gets rooms for its expected audience,
// which defaults to the active workers of the address scope in that area.
// The scheduler (package app/addresses) creates the rooms ahead of start and
// records their state here; the join page reads addresses and invites
// through an in-memory directory loaded from here, never per request.

// AddressEventType is the event type that carries a mass address.
const AddressEventType = schedule.AddressEventType

// Room states of an address (addresses.room_state).
const (
	// RoomsPlanned: planned, not yet created on livekit-server.
	RoomsPlanned = "planned"
	// RoomsCreating: the scheduler is creating them (or retrying).
	RoomsCreating = "creating"
	// RoomsReady: every room exists.
	RoomsReady = "ready"
	// RoomsFailed: the last attempt failed; the scheduler retries.
	RoomsFailed = "failed"
	// RoomsClosed: the address ended and its rooms were deleted.
	RoomsClosed = "closed"
)

// MaxAddressScopeUnits caps the units an address scope may name.
const MaxAddressScopeUnits = 50

// AddressInput is what the office fills in to create an address.
type AddressInput struct {
	EventID    int64
	Speakers   string
	SpeakersHi string
	// ListenersPerRoom is the per-room cap; 0 means
	// schedule.DefaultListenersPerRoom.
	ListenersPerRoom int
	// ScopeUnitIDs are the units whose workers are the audience; empty
	// means the event's own unit.
	ScopeUnitIDs []int64
	// ExpectedAudience, when positive, overrides the worker count: the
	// per-area audience is scaled so the areas add up to it.
	ExpectedAudience int
}

// AddressArea is one area's share of an address.
type AddressArea struct {
	AreaID   int64  `json:"area_id"`
	Path     string `json:"path"`
	Name     string `json:"name"`
	NameHi   string `json:"name_hi"`
	Audience int    `json:"audience"`
	Rooms    int    `json:"rooms"`
}

// DisplayName returns the area's name in lang.
func (a AddressArea) DisplayName(lang string) string {
	return schedule.Unit{Name: a.Name, NameHi: a.NameHi}.DisplayName(lang)
}

// MassAddress is a stored mass address with the event it belongs to.
type MassAddress struct {
	ID               int64                `json:"id"`
	EventID          int64                `json:"event_id"`
	UnitPath         string               `json:"unit_path"`
	Speakers         string               `json:"speakers"`
	SpeakersHi       string               `json:"speakers_hi"`
	ListenersPerRoom int                  `json:"listeners_per_room"`
	ScopeUnitIDs     []int64              `json:"scope_unit_ids"`
	ExpectedAudience int                  `json:"expected_audience"`
	Plan             schedule.AddressPlan `json:"plan"`
	Areas            []AddressArea        `json:"areas"`
	RoomState        string               `json:"room_state"`
	RoomError        string               `json:"room_error,omitempty"`
	RoomAttempts     int                  `json:"room_attempts"`
	RoomsReadyAt     *time.Time           `json:"rooms_ready_at,omitempty"`
	CreatedBy        string               `json:"created_by"`
	CreatedAt        time.Time            `json:"created_at"`
	UpdatedAt        time.Time            `json:"updated_at"`
	StartedAt        *time.Time           `json:"started_at,omitempty"`
	EndedAt          *time.Time           `json:"ended_at,omitempty"`
	// Event is the address's event with its invitation settings (title,
	// start, end, link version, event-wide bridge).
	Event InviteEvent `json:"-"`
}

// SpeakerNames returns the speakers in lang, falling back to the other.
func (a MassAddress) SpeakerNames(lang string) string {
	if lang == schedule.LangHindi && a.SpeakersHi != "" {
		return a.SpeakersHi
	}
	if a.Speakers == "" {
		return a.SpeakersHi
	}
	return a.Speakers
}

// AddressAreaOf returns the area of a unit path: the district (depth-1
// unit) it lies in, or the root unit itself for people above districts.
func AddressAreaOf(unitPath string) (id int64, areaPath string, err error) {
	// Paths look like "/1/7/42/": the area is the second component.
	if len(unitPath) < 3 || unitPath[0] != '/' || unitPath[len(unitPath)-1] != '/' {
		return 0, "", fmt.Errorf("unit path %q is not a materialised path", unitPath)
	}
	rest := unitPath[1:]
	i := strings.IndexByte(rest, '/')
	if j := strings.IndexByte(rest[i+1:], '/'); j >= 0 {
		rest, i = rest[i+1:], j
		areaPath = unitPath[:len(unitPath)-len(rest)+i+1]
	} else {
		areaPath = unitPath
	}
	id, err = strconv.ParseInt(rest[:i], 10, 64)
	if err != nil || id <= 0 {
		return 0, "", fmt.Errorf("unit path %q: bad unit id", unitPath)
	}
	return id, areaPath, nil
}

// CreateAddress creates the mass address of an event of type "address" and
// plans its rooms. The actor must be able to write the event's unit; the
// scope units must lie inside the event's unit and the actor's scope.
func (s *Store) CreateAddress(ctx context.Context, actor schedule.Actor, in AddressInput) (MassAddress, error) {
	if len(in.Speakers) > 500 || len(in.SpeakersHi) > 500 {
		return MassAddress{}, schedule.FieldError("speakers", "at most 500 characters")
	}
	if in.ExpectedAudience < 0 {
		return MassAddress{}, schedule.FieldError("expected_audience", "must not be negative, got %d", in.ExpectedAudience)
	}
	if len(in.ScopeUnitIDs) > MaxAddressScopeUnits {
		return MassAddress{}, schedule.FieldError("scope", "at most %d units, got %d", MaxAddressScopeUnits, len(in.ScopeUnitIDs))
	}
	var id int64
	err := s.inTx(ctx, func(tx bun.Tx) error {
		e, err := inviteEvent(ctx, tx, in.EventID)
		if err != nil || !actor.Can(schedule.ActRead, e.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "event %d not found", in.EventID)
		}
		if !actor.Can(schedule.ActWrite, e.UnitPath) {
			return schedule.Errorf(schedule.EFORBIDDEN, "only the event's organising unit can plan its address")
		}
		if e.Type != AddressEventType {
			return schedule.FieldError("event_id", "event %d is a %q event; a mass address needs an event of type %q", e.ID, e.Type, AddressEventType)
		}
		if e.Cancelled {
			return schedule.FieldError("event_id", "event %d is cancelled", e.ID)
		}
		scope := in.ScopeUnitIDs
		if len(scope) == 0 {
			scope = []int64{e.UnitID}
		}
		units := make([]schedule.Unit, 0, len(scope))
		for _, uid := range scope {
			u, err := s.unitByID(ctx, tx, uid)
			if err != nil || !actor.Can(schedule.ActRead, u.Path) {
				return schedule.Errorf(schedule.ENOTFOUND, "unit %d not found", uid)
			}
			if !strings.HasPrefix(u.Path, e.UnitPath) {
				return schedule.FieldError("scope", "unit %s is outside the event's unit; an address reaches only its organisers' subtree", u.Name)
			}
			units = append(units, u)
		}
		units = outermostUnits(units)
		areas, err := s.addressAudience(ctx, tx, units)
		if err != nil {
			return err
		}
		scaleAudience(areas, in.ExpectedAudience)
		now := s.now().UTC()
		scopeIDs := make([]string, len(units))
		for i, u := range units {
			scopeIDs[i] = strconv.FormatInt(u.ID, 10)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO addresses (event_id, unit_path, speakers, speakers_hi, listeners_per_room, scope_unit_ids,
			room_state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			e.ID, e.UnitPath, strings.TrimSpace(in.Speakers), strings.TrimSpace(in.SpeakersHi), max(in.ListenersPerRoom, 0),
			strings.Join(scopeIDs, ","), RoomsPlanned, actor.Name, now, now).Scan(&id)
		if err != nil {
			return mapErr(err, schedule.Msgf("address for event %d", e.ID))
		}
		audience := make(map[int64]int, len(areas))
		total := 0
		for _, a := range areas {
			audience[a.AreaID] = a.Audience
			total += a.Audience
		}
		plan, err := schedule.PlanAddress(id, audience, in.ListenersPerRoom)
		if err != nil {
			return err
		}
		planJSON, err := json.Marshal(plan)
		if err != nil {
			return fmt.Errorf("encode address plan: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE addresses SET listeners_per_room = ?, expected_audience = ?, room_count = ?, plan = ? WHERE id = ?`,
			plan.Cap, total, len(plan.ListenerRooms()), string(planJSON), id); err != nil {
			return mapErr(err, "address")
		}
		for _, a := range areas {
			ar, _ := plan.Area(a.AreaID)
			if _, err := tx.ExecContext(ctx, `INSERT INTO address_areas (address_id, area_id, area_path, audience, rooms) VALUES (?, ?, ?, ?, ?)`,
				id, a.AreaID, a.Path, a.Audience, len(ar.Rooms)); err != nil {
				return mapErr(err, "address area")
			}
		}
		return s.audit(ctx, tx, actor, "create", "address", id, e.UnitPath,
			schedule.Msgf("event %d: %d listeners expected in %d areas, %d listener rooms of %d", e.ID, total, len(areas), len(plan.ListenerRooms()), plan.Cap))
	})
	if err != nil {
		return MassAddress{}, err
	}
	return s.FindAddress(ctx, actor, id)
}

// outermostUnits drops units that lie inside another chosen unit, so no
// worker is counted twice.
func outermostUnits(units []schedule.Unit) []schedule.Unit {
	slices.SortFunc(units, func(a, b schedule.Unit) int { return strings.Compare(a.Path, b.Path) })
	out := units[:0]
	for _, u := range units {
		if len(out) > 0 && strings.HasPrefix(u.Path, out[len(out)-1].Path) {
			continue
		}
		out = append(out, u)
	}
	return out
}

// addressAudience counts the active workers of the scope units per area.
func (s *Store) addressAudience(ctx context.Context, db bun.IDB, units []schedule.Unit) ([]AddressArea, error) {
	var conds []string
	args := []any{true}
	for _, u := range units {
		lo, hi := schedule.SubtreeRange(u.Path)
		conds = append(conds, "(unit_path >= ? AND unit_path < ?)")
		args = append(args, lo, hi)
	}
	rows, err := db.QueryContext(ctx, `SELECT unit_path, COUNT(*) FROM workers WHERE active = ? AND (`+strings.Join(conds, " OR ")+`) GROUP BY unit_path`, args...)
	if err != nil {
		return nil, fmt.Errorf("count address audience: %w", err)
	}
	defer rows.Close()
	byArea := map[int64]*AddressArea{}
	for rows.Next() {
		var path string
		var n int
		if err := rows.Scan(&path, &n); err != nil {
			return nil, fmt.Errorf("count address audience: %w", err)
		}
		id, ap, err := AddressAreaOf(path)
		if err != nil {
			return nil, err
		}
		a := byArea[id]
		if a == nil {
			a = &AddressArea{AreaID: id, Path: ap}
			byArea[id] = a
		}
		a.Audience += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count address audience: %w", err)
	}
	// Every scope unit's area is in the plan, even with nobody in it yet.
	for _, u := range units {
		id, ap, err := AddressAreaOf(u.Path)
		if err != nil {
			return nil, err
		}
		if byArea[id] == nil {
			byArea[id] = &AddressArea{AreaID: id, Path: ap}
		}
	}
	out := make([]AddressArea, 0, len(byArea))
	for _, a := range byArea {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b AddressArea) int { return int(a.AreaID - b.AreaID) })
	return out, nil
}

// scaleAudience rescales the areas so they add up to total (when total is
// positive), keeping their proportions; with nobody counted it splits
// total evenly.
func scaleAudience(areas []AddressArea, total int) {
	if total <= 0 || len(areas) == 0 {
		return
	}
	counted := 0
	for _, a := range areas {
		counted += a.Audience
	}
	left := total
	for i := range areas {
		var n int
		if counted == 0 {
			n = total / len(areas)
		} else {
			n = int(int64(areas[i].Audience) * int64(total) / int64(counted))
		}
		if i == len(areas)-1 {
			n = left
		}
		areas[i].Audience, left = n, left-n
	}
}

const addressSQL = `SELECT id, event_id, unit_path, speakers, speakers_hi, listeners_per_room, scope_unit_ids, expected_audience,
	plan, room_state, room_error, room_attempts, rooms_ready_at, created_by, created_at, updated_at, started_at, ended_at FROM addresses`

func scanAddress(scan func(...any) error) (MassAddress, error) {
	var a MassAddress
	var scope, plan string
	var ready, started, ended sql.NullTime
	if err := scan(&a.ID, &a.EventID, &a.UnitPath, &a.Speakers, &a.SpeakersHi, &a.ListenersPerRoom, &scope, &a.ExpectedAudience,
		&plan, &a.RoomState, &a.RoomError, &a.RoomAttempts, &ready, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt, &started, &ended); err != nil {
		return a, err
	}
	for _, p := range strings.Split(scope, ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			a.ScopeUnitIDs = append(a.ScopeUnitIDs, id)
		}
	}
	if plan != "" {
		if err := json.Unmarshal([]byte(plan), &a.Plan); err != nil {
			return a, fmt.Errorf("address %d: stored plan: %w", a.ID, err)
		}
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	a.RoomsReadyAt, a.StartedAt, a.EndedAt = nullTime(ready), nullTime(started), nullTime(ended)
	return a, nil
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// loadAddresses runs an address query and fills in events and areas.
func (s *Store) loadAddresses(ctx context.Context, db bun.IDB, where string, args ...any) ([]MassAddress, error) {
	rows, err := db.QueryContext(ctx, addressSQL+" "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	var out []MassAddress
	for rows.Next() {
		a, err := scanAddress(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list addresses: %w", err)
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	for i := range out {
		if out[i].Event, err = inviteEvent(ctx, db, out[i].EventID); err != nil {
			return nil, err
		}
		if out[i].Areas, err = addressAreas(ctx, db, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func addressAreas(ctx context.Context, db bun.IDB, id int64) ([]AddressArea, error) {
	rows, err := db.QueryContext(ctx, `SELECT a.area_id, a.area_path, COALESCE(u.name, ''), COALESCE(u.name_hi, ''), a.audience, a.rooms
		FROM address_areas a LEFT JOIN units u ON u.id = a.area_id WHERE a.address_id = ? ORDER BY a.area_id`, id)
	if err != nil {
		return nil, fmt.Errorf("address %d areas: %w", id, err)
	}
	defer rows.Close()
	var out []AddressArea
	for rows.Next() {
		var a AddressArea
		if err := rows.Scan(&a.AreaID, &a.Path, &a.Name, &a.NameHi, &a.Audience, &a.Rooms); err != nil {
			return nil, fmt.Errorf("address %d areas: %w", id, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// FindAddress returns address id if the actor may see its event.
func (s *Store) FindAddress(ctx context.Context, actor schedule.Actor, id int64) (MassAddress, error) {
	as, err := s.loadAddresses(ctx, s.db, "WHERE id = ?", id)
	if err != nil {
		return MassAddress{}, err
	}
	if len(as) == 0 || !actor.Can(schedule.ActRead, as[0].UnitPath) {
		return MassAddress{}, schedule.Errorf(schedule.ENOTFOUND, "address %d not found", id)
	}
	return as[0], nil
}

// FindAddressToModerate returns address id for an official who may speak
// on it and moderate it (mint a speaker's token, mute, remove): the
// address's unit must be in the actor's scope to write. A district
// official may see a state address but not moderate it; anyone else gets
// ENOTFOUND, as for an address they cannot see.
func (s *Store) FindAddressToModerate(ctx context.Context, actor schedule.Actor, id int64) (MassAddress, error) {
	a, err := s.FindAddress(ctx, actor, id)
	if err != nil {
		return MassAddress{}, err
	}
	if !a.ModeratedBy(actor) {
		return MassAddress{}, schedule.Errorf(schedule.ENOTFOUND, "address %d not found", id)
	}
	return a, nil
}

// ModeratedBy reports whether actor may speak on and moderate the address.
func (a MassAddress) ModeratedBy(actor schedule.Actor) bool {
	return actor.Can(schedule.ActWrite, a.UnitPath)
}

// FindAddressByEvent returns the address of event eventID if the actor may
// see it; ENOTFOUND when the event has none.
func (s *Store) FindAddressByEvent(ctx context.Context, actor schedule.Actor, eventID int64) (MassAddress, error) {
	as, err := s.loadAddresses(ctx, s.db, "WHERE event_id = ?", eventID)
	if err != nil {
		return MassAddress{}, err
	}
	if len(as) == 0 || !actor.Can(schedule.ActRead, as[0].UnitPath) {
		return MassAddress{}, schedule.Errorf(schedule.ENOTFOUND, "event %d has no mass address", eventID)
	}
	return as[0], nil
}

// ListAddresses returns the addresses in the actor's scope, newest first,
// at most limit (default 100).
func (s *Store) ListAddresses(ctx context.Context, actor schedule.Actor, limit int) ([]MassAddress, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	if actor.Scope.Empty() {
		return nil, nil
	}
	var conds []string
	var args []any
	for _, root := range actor.Scope.Roots {
		lo, hi := schedule.SubtreeRange(root)
		conds = append(conds, "(unit_path >= ? AND unit_path < ?)")
		args = append(args, lo, hi)
	}
	return s.loadAddresses(ctx, s.db, "WHERE "+strings.Join(conds, " OR ")+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
}

// ActiveAddresses returns, for the scheduler and the join directory, every
// address whose event ends after since, and every address whose rooms may
// still exist (created and not yet closed). No actor: this is the system's
// own view.
func (s *Store) ActiveAddresses(ctx context.Context, since time.Time) ([]MassAddress, error) {
	as, err := s.loadAddresses(ctx, s.db, `WHERE event_id IN (SELECT id FROM events WHERE end_at > ?) OR room_state NOT IN (?, ?) ORDER BY id`,
		since.UTC(), RoomsPlanned, RoomsClosed)
	if err != nil {
		return nil, err
	}
	return as, nil
}

// SetAddressRooms records the outcome of an attempt to create (or delete)
// an address's rooms at now: state is one of the Rooms* states; errMsg is
// kept for RoomsFailed. Failed and creating attempts are counted.
func (s *Store) SetAddressRooms(ctx context.Context, id int64, state, errMsg string, now time.Time) error {
	switch state {
	case RoomsPlanned, RoomsCreating, RoomsReady, RoomsFailed, RoomsClosed:
	default:
		return schedule.FieldError("room_state", "unknown room state %q", state)
	}
	now = now.UTC()
	q := `UPDATE addresses SET room_state = ?, room_error = ?, updated_at = ?`
	args := []any{state, clipReason(errMsg), now}
	switch state {
	case RoomsCreating:
		q += ", room_attempts = room_attempts + 1"
	case RoomsReady:
		q += ", rooms_ready_at = COALESCE(rooms_ready_at, ?), started_at = COALESCE(started_at, ?)"
		args = append(args, now, now)
	case RoomsClosed:
		q += ", ended_at = COALESCE(ended_at, ?)"
		args = append(args, now)
	}
	res, err := s.db.ExecContext(ctx, q+" WHERE id = ?", append(args, id)...)
	if err != nil {
		return mapErr(err, "address")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return schedule.Errorf(schedule.ENOTFOUND, "address %d not found", id)
	}
	return nil
}

// AddressInvite is one invite of an address's event, as the join directory
// keeps it.
type AddressInvite struct {
	InviteID int64
	WorkerID int64
	UnitPath string
	Revoked  bool
}

// EachAddressInvite calls fn for every invite of event eventID in invite
// id order. The row passed to fn is reused between calls.
func (s *Store) EachAddressInvite(ctx context.Context, eventID int64, fn func(*AddressInvite) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, worker_id, unit_path, revoked FROM invites WHERE event_id = ? ORDER BY id`, eventID)
	if err != nil {
		return fmt.Errorf("load invites of event %d: %w", eventID, err)
	}
	defer rows.Close()
	var r AddressInvite
	for rows.Next() {
		if err := rows.Scan(&r.InviteID, &r.WorkerID, &r.UnitPath, &r.Revoked); err != nil {
			return fmt.Errorf("load invites of event %d: %w", eventID, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load invites of event %d: %w", eventID, err)
	}
	return nil
}

// InviteStamp summarises an event's invites (count, largest id, revoked
// count) so the join directory reloads them only when they changed.
type InviteStamp struct {
	Count, MaxID, Revoked int64
}

// AddressInviteStamp returns the invite stamp of event eventID.
func (s *Store) AddressInviteStamp(ctx context.Context, eventID int64) (InviteStamp, error) {
	var st InviteStamp
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(CASE WHEN revoked THEN 1 ELSE 0 END), 0)
		FROM invites WHERE event_id = ?`, eventID).Scan(&st.Count, &st.MaxID, &st.Revoked)
	if err != nil {
		return st, fmt.Errorf("invite stamp of event %d: %w", eventID, err)
	}
	return st, nil
}

// AddressInviteByID returns one invite for the join page when the directory
// does not have it yet (an invite sent after the last refresh). ENOTFOUND
// when it does not exist.
func (s *Store) AddressInviteByID(ctx context.Context, inviteID int64) (eventID int64, inv AddressInvite, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT event_id, id, worker_id, unit_path, revoked FROM invites WHERE id = ?`, inviteID).
		Scan(&eventID, &inv.InviteID, &inv.WorkerID, &inv.UnitPath, &inv.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, inv, schedule.Errorf(schedule.ENOTFOUND, "this invitation no longer exists")
	}
	if err != nil {
		return 0, inv, fmt.Errorf("find invite %d: %w", inviteID, err)
	}
	return eventID, inv, nil
}

// AddressBridge is the audio bridge of one unit of an address.
type AddressBridge struct {
	UnitID   int64
	UnitPath string
	Number   string
	PIN      string
}

// AddressBridges returns the provisioned (ready) audio bridges of an
// address.
func (s *Store) AddressBridges(ctx context.Context, addressID int64) ([]AddressBridge, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT unit_id, unit_path, number, pin FROM bridges WHERE address_id = ? AND state = 'ready' ORDER BY unit_path`, addressID)
	if err != nil {
		return nil, fmt.Errorf("bridges of address %d: %w", addressID, err)
	}
	defer rows.Close()
	var out []AddressBridge
	for rows.Next() {
		var b AddressBridge
		if err := rows.Scan(&b.UnitID, &b.UnitPath, &b.Number, &b.PIN); err != nil {
			return nil, fmt.Errorf("bridges of address %d: %w", addressID, err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
