package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Audio bridges of mass addresses.
//
// Each area of an address (a district by default, or every unit of a
// chosen level) gets one bridge: a phone number and a 6-digit PIN leading
// into one of its district's listener rooms. The PIN is what routes a call:
// many bridges may share one number (one LiveKit SIP inbound trunk per
// number, one PIN dispatch rule per bridge), so an organisation with a
// single DID can still run 57 district bridges. Numbers come from a pool
// (see ParseBridgeNumbers); PINs are random, unique within the address and
// among all bridges on the same number.

// Bridge states.
const (
	BridgePending = "pending" // recorded, not yet provisioned
	BridgeReady   = "ready"   // trunk and PIN rule exist on the SIP side
	BridgeFailed  = "failed"  // last provisioning attempt failed; LastError says why
)

// BridgePINDigits is the length of a bridge PIN.
const BridgePINDigits = 6

// Address is what bridges and turnout need of a mass address.
type Address struct {
	ID       int64
	EventID  int64
	Title    string
	TitleHi  string
	Start    time.Time
	UnitPath string // the audience: the address's unit subtree
	Plan     schedule.AddressPlan
}

// DisplayTitle returns the title in lang.
func (a Address) DisplayTitle(lang string) string {
	if lang == schedule.LangHindi && a.TitleHi != "" {
		return a.TitleHi
	}
	return a.Title
}

// loadAddress reads address id: its event and stored plan. A missing or
// unusable stored plan is recomputed with schedule.PlanAddress from the
// active workers per district.
func (s *Store) loadAddress(ctx context.Context, db bun.IDB, id int64) (Address, error) {
	a := Address{ID: id}
	var plan string
	err := db.QueryRowContext(ctx, "SELECT event_id, unit_path, plan FROM addresses WHERE id = ?", id).Scan(&a.EventID, &a.UnitPath, &plan)
	if err != nil {
		return a, mapErr(err, schedule.Msgf("address %d", id))
	}
	var unitPath string
	err = db.QueryRowContext(ctx, "SELECT title, title_hi, start_at, unit_path FROM events WHERE id = ?", a.EventID).Scan(&a.Title, &a.TitleHi, &a.Start, &unitPath)
	if err != nil {
		return a, mapErr(err, schedule.Msgf("address %d", id))
	}
	a.Start = a.Start.UTC()
	if a.UnitPath == "" {
		a.UnitPath = unitPath
	}
	if plan != "" {
		if err := json.Unmarshal([]byte(plan), &a.Plan); err != nil || len(a.Plan.Areas) == 0 || a.Plan.AddressID != id {
			s.log.WarnContext(ctx, "stored address plan unusable; recomputing", "address", id, "err", err)
			a.Plan = schedule.AddressPlan{}
		}
	}
	if len(a.Plan.Areas) == 0 {
		aud, err := districtAudience(ctx, db, a.UnitPath)
		if err != nil {
			return a, fmt.Errorf("address %d: %w", id, err)
		}
		if a.Plan, err = schedule.PlanAddress(id, aud, 0); err != nil {
			return a, fmt.Errorf("address %d: plan rooms: %w", id, err)
		}
	}
	return a, nil
}

// districtAudience counts active workers per district inside path: every
// district in the subtree (or the district holding path) is an area, even
// with no workers.
func districtAudience(ctx context.Context, db bun.IDB, path string) (map[int64]int, error) {
	aud := map[int64]int{}
	ids := schedule.PathIDs(path)
	if len(ids) >= 2 {
		lo, hi := schedule.SubtreeRange(path)
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM workers WHERE active = ? AND unit_path >= ? AND unit_path < ?", true, lo, hi).Scan(&n); err != nil {
			return nil, fmt.Errorf("count audience: %w", err)
		}
		aud[ids[1]] = n
		return aud, nil
	}
	lo, hi := schedule.SubtreeRange(path)
	rows, err := db.QueryContext(ctx, `SELECT d.id, (SELECT COUNT(*) FROM workers w WHERE w.active = ? AND w.unit_path >= d.path
		AND w.unit_path < substr(d.path, 1, length(d.path) - 1) || '0') FROM units d WHERE d.depth = 1 AND d.path >= ? AND d.path < ?`, true, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("count audience per district: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count audience per district: %w", err)
		}
		aud[id] = n
	}
	return aud, rows.Err()
}

// AddressForEvent returns the address id of an event of type address.
// Out-of-scope or missing events are not found.
func (s *Store) AddressForEvent(ctx context.Context, actor schedule.Actor, eventID int64) (int64, error) {
	if _, err := s.FindEventByID(ctx, actor, eventID); err != nil {
		return 0, err
	}
	var id int64
	if err := s.db.QueryRowContext(ctx, "SELECT id FROM addresses WHERE event_id = ?", eventID).Scan(&id); err != nil {
		return 0, mapErr(err, schedule.Msgf("address of event %d", eventID))
	}
	return id, nil
}

// addressView is the part of an address an actor sees: their scope cut to
// the address's audience. Actors whose scope misses the audience get
// ENOTFOUND.
func (s *Store) addressView(ctx context.Context, actor schedule.Actor, id int64) (Address, schedule.Scope, error) {
	a, err := s.loadAddress(ctx, s.db, id)
	notFound := schedule.Errorf(schedule.ENOTFOUND, "address %d not found", id)
	if err != nil {
		if schedule.IsNotFound(err) {
			return a, schedule.Scope{}, notFound
		}
		return a, schedule.Scope{}, err
	}
	if actor.System {
		return a, schedule.NewScope(a.UnitPath), nil
	}
	var roots []string
	for _, r := range actor.Scope.Roots {
		switch {
		case schedule.IsWithin(r, a.UnitPath):
			roots = append(roots, r)
		case schedule.IsWithin(a.UnitPath, r):
			roots = append(roots, a.UnitPath)
		}
	}
	if len(roots) == 0 {
		return a, schedule.Scope{}, notFound
	}
	return a, schedule.NewScope(roots...), nil
}

// BridgeRecord is one audio bridge as stored.
type BridgeRecord struct {
	ID         int64     `json:"id" bun:"id,pk,autoincrement"`
	AddressID  int64     `json:"address_id" bun:"address_id"`
	UnitID     int64     `json:"unit_id" bun:"unit_id"`
	UnitPath   string    `json:"-" bun:"unit_path"`
	UnitCode   string    `json:"unit_code" bun:"unit_code,scanonly"`
	UnitName   string    `json:"unit_name" bun:"unit_name,scanonly"`
	UnitNameHi string    `json:"unit_name_hi" bun:"unit_name_hi,scanonly"`
	Number     string    `json:"number" bun:"number"`
	PIN        string    `json:"pin" bun:"pin"`
	Room       string    `json:"room" bun:"room"`
	TrunkID    string    `json:"trunk_id" bun:"trunk_id"`
	RuleID     string    `json:"rule_id" bun:"rule_id"`
	State      string    `json:"state" bun:"state"`
	LastError  string    `json:"last_error,omitempty" bun:"last_error"`
	CreatedAt  time.Time `json:"created_at" bun:"created_at"`
	UpdatedAt  time.Time `json:"updated_at" bun:"updated_at"`
}

// bridgeRow is BridgeRecord's table.
type bridgeRow struct {
	bun.BaseModel `bun:"table:bridges"`
	BridgeRecord
}

// UnitDisplayName is the bridge unit's name in lang.
func (b BridgeRecord) UnitDisplayName(lang string) string {
	return schedule.Unit{Name: b.UnitName, NameHi: b.UnitNameHi}.DisplayName(lang)
}

// Name is the bridge's name on the SIP side: addr-<address>-u<unit>.
func (b BridgeRecord) Name() string {
	return "addr-" + strconv.FormatInt(b.AddressID, 10) + "-u" + strconv.FormatInt(b.UnitID, 10)
}

// BridgeReport says what ProvisionBridges did.
type BridgeReport struct {
	Created int            `json:"created"`
	Ready   int            `json:"ready"`
	Failed  int            `json:"failed"`
	Bridges []BridgeRecord `json:"bridges"`
}

// randomPIN draws a BridgePINDigits-digit PIN without a leading zero
// (some phones and IVRs drop it).
func randomPIN() (string, error) {
	lo := int64(1)
	for range BridgePINDigits - 1 {
		lo *= 10
	}
	n, err := rand.Int(rand.Reader, big.NewInt(9*lo))
	if err != nil {
		return "", fmt.Errorf("draw PIN: %w", err)
	}
	return strconv.FormatInt(lo+n.Int64(), 10), nil
}

// PlanBridges records a bridge for every unit of level (a level key; ""
// means district) in the address's audience that has none, keeping
// existing bridges' numbers and PINs, in one transaction; it returns how
// many it made and every bridge of the address. It needs write access to
// the address's unit. Making them on the telephony side is the caller's
// (app/bridges), which reports each outcome with SetBridgeState.
func (s *Store) PlanBridges(ctx context.Context, actor schedule.Actor, addressID int64, level string, numbers schedule.BridgeNumbers, now time.Time) (BridgeReport, error) {
	var rep BridgeReport
	if numbers.Size() == 0 {
		return rep, schedule.FieldError("bridge_numbers", "no dial-in numbers are configured")
	}
	a, err := s.loadAddress(ctx, s.db, addressID)
	if err != nil || !actor.Can(schedule.ActWrite, a.UnitPath) {
		if err != nil && !schedule.IsNotFound(err) {
			return rep, err
		}
		return rep, schedule.Errorf(schedule.ENOTFOUND, "address %d not found", addressID)
	}
	depth := 1
	if level != "" {
		levels, err := s.Levels(ctx)
		if err != nil {
			return rep, err
		}
		l, ok := levels.ByKey(level)
		if !ok {
			return rep, schedule.FieldError("level", "unknown level %q", level)
		}
		if l.Depth < 1 {
			return rep, schedule.FieldError("level", "bridges go to districts or below, not %q", level)
		}
		depth = l.Depth
	}
	now = now.UTC()
	err = s.inTx(ctx, func(tx bun.Tx) error {
		lo, hi := schedule.SubtreeRange(a.UnitPath)
		var units []unitRow
		if err := tx.NewSelect().Model(&units).Where("depth = ?", depth).
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				// units inside the audience, or the one holding it
				return q.Where("(path >= ? AND path < ?)", lo, hi).WhereOr("? >= path AND ? < substr(path, 1, length(path) - 1) || '0'", a.UnitPath, a.UnitPath)
			}).Order("path").Scan(ctx); err != nil {
			return fmt.Errorf("list units for bridges: %w", err)
		}
		if len(units) == 0 {
			return schedule.FieldError("level", "no units of that level in the address's audience")
		}
		var existing []bridgeRow
		if err := tx.NewSelect().Model(&existing).Where("address_id = ?", addressID).Scan(ctx); err != nil {
			return fmt.Errorf("list bridges: %w", err)
		}
		have := map[int64]bool{}
		for _, b := range existing {
			have[b.UnitID] = true
		}
		for i, u := range units {
			if have[u.ID] {
				continue
			}
			ids := schedule.PathIDs(u.Path)
			room, err := a.Plan.RoomFor(u.ID, ids[1])
			if err != nil {
				return fmt.Errorf("bridge for %s: %w", u.Code, err)
			}
			row := bridgeRow{BridgeRecord: BridgeRecord{AddressID: addressID, UnitID: u.ID, UnitPath: u.Path,
				Number: numbers.Number(len(existing) + i), Room: room, State: BridgePending, CreatedAt: now, UpdatedAt: now}}
			for try := 0; ; try++ {
				if row.PIN, err = randomPIN(); err != nil {
					return err
				}
				n, err := tx.NewSelect().Model((*bridgeRow)(nil)).
					Where("pin = ? AND (number = ? OR address_id = ?)", row.PIN, row.Number, addressID).Count(ctx)
				if err != nil {
					return fmt.Errorf("check PIN: %w", err)
				}
				if n == 0 {
					break
				}
				if try > 20 {
					return schedule.Errorf(schedule.ECONFLICT, "no free PIN on %s; add numbers to the pool", row.Number)
				}
			}
			if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
				return mapErr(err, schedule.Msgf("bridge for %s", u.Code))
			}
			rep.Created++
		}
		return s.audit(ctx, tx, actor, "provision", "bridges", addressID, a.UnitPath, schedule.Msgf("%d new, at level %d", rep.Created, depth))
	})
	if err != nil {
		return rep, err
	}
	bridges, err := s.bridgesOf(ctx, addressID)
	if err != nil {
		return rep, err
	}
	rep.Bridges = bridges
	return rep, nil
}

// SetBridgeState records what the telephony side did with bridge b: its
// trunk and rule ids and state (ready, or failed with LastError).
func (s *Store) SetBridgeState(ctx context.Context, b BridgeRecord) error {
	b.UpdatedAt = b.UpdatedAt.UTC()
	if _, err := s.db.NewUpdate().Model(&bridgeRow{BridgeRecord: b}).Column("trunk_id", "rule_id", "state", "last_error", "updated_at").WherePK().Exec(ctx); err != nil {
		return mapErr(err, schedule.Msgf("bridge %s", b.Name()))
	}
	return nil
}

// bridgesOf lists an address's bridges with their units, by unit path.
func (s *Store) bridgesOf(ctx context.Context, addressID int64) ([]BridgeRecord, error) {
	var rows []BridgeRecord
	err := s.db.NewSelect().TableExpr("bridges AS b").
		ColumnExpr("b.*, u.code AS unit_code, u.name AS unit_name, u.name_hi AS unit_name_hi").
		Join("JOIN units AS u ON u.id = b.unit_id").
		Where("b.address_id = ?", addressID).OrderExpr("b.unit_path").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("list bridges of address %d: %w", addressID, err)
	}
	for i := range rows {
		rows[i].CreatedAt, rows[i].UpdatedAt = rows[i].CreatedAt.UTC(), rows[i].UpdatedAt.UTC()
	}
	return rows, nil
}

// Bridges lists the bridges of an address the actor may see: those of
// units in their scope and those of units above it (the bridge a mandal's
// workers dial is their district's).
func (s *Store) Bridges(ctx context.Context, actor schedule.Actor, addressID int64) (Address, []BridgeRecord, error) {
	a, view, err := s.addressView(ctx, actor, addressID)
	if err != nil {
		return a, nil, err
	}
	all, err := s.bridgesOf(ctx, addressID)
	if err != nil {
		return a, nil, err
	}
	var out []BridgeRecord
	for _, b := range all {
		if view.Covers(b.UnitPath) || coversAnyRoot(b.UnitPath, view) {
			out = append(out, b)
		}
	}
	return a, out, nil
}

// coversAnyRoot reports whether path is an ancestor of one of the scope's roots.
func coversAnyRoot(path string, sc schedule.Scope) bool {
	for _, r := range sc.Roots {
		if schedule.IsWithin(r, path) {
			return true
		}
	}
	return false
}

// BridgesToRemove returns the bridges of an address for an actor who may
// delete them (write access to the address's unit), and how many bridges
// of any address use each trunk, so the caller removes a trunk with its
// last bridge only.
func (s *Store) BridgesToRemove(ctx context.Context, actor schedule.Actor, addressID int64) ([]BridgeRecord, map[string]int, error) {
	a, err := s.loadAddress(ctx, s.db, addressID)
	if err != nil || !actor.Can(schedule.ActWrite, a.UnitPath) {
		if err != nil && !schedule.IsNotFound(err) {
			return nil, nil, err
		}
		return nil, nil, schedule.Errorf(schedule.ENOTFOUND, "address %d not found", addressID)
	}
	bridges, err := s.bridgesOf(ctx, addressID)
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(bridges, func(i, j int) bool { return bridges[i].ID < bridges[j].ID })
	users := map[string]int{}
	rows, err := s.db.QueryContext(ctx, "SELECT trunk_id, COUNT(*) FROM bridges WHERE trunk_id <> '' GROUP BY trunk_id")
	if err != nil {
		return nil, nil, fmt.Errorf("count trunk users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, nil, fmt.Errorf("count trunk users: %w", err)
		}
		users[t] = n
	}
	return bridges, users, rows.Err()
}

// ForgetBridges deletes the bridges of an address from the store, once
// the telephony side has removed them. It needs write access to the
// address's unit.
func (s *Store) ForgetBridges(ctx context.Context, actor schedule.Actor, addressID int64) (int, error) {
	a, err := s.loadAddress(ctx, s.db, addressID)
	if err != nil || !actor.Can(schedule.ActWrite, a.UnitPath) {
		if err != nil && !schedule.IsNotFound(err) {
			return 0, err
		}
		return 0, schedule.Errorf(schedule.ENOTFOUND, "address %d not found", addressID)
	}
	var n int64
	err = s.inTx(ctx, func(tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*bridgeRow)(nil)).Where("address_id = ?", addressID).Exec(ctx)
		if err != nil {
			return mapErr(err, "bridges")
		}
		n, _ = res.RowsAffected()
		return s.audit(ctx, tx, actor, "delete", "bridges", addressID, a.UnitPath, schedule.Msgf("%d bridges", n))
	})
	return int(n), err
}

// BridgeDialIn is what an invitee dials: a bridge's number and PIN, and
// the unit subtree whose workers it serves.
type BridgeDialIn struct {
	UnitPath, Number, PIN string
}

// EventBridges is the set of bridges of one event's mass address, ready
// to resolve a worker's bridge in memory (see For).
type EventBridges struct {
	byPath map[string]BridgeDialIn
}

// Len is the number of bridges in the set.
func (eb EventBridges) Len() int { return len(eb.byPath) }

// NewEventBridges indexes bridges by unit path for For.
func NewEventBridges(bridges []BridgeDialIn) EventBridges {
	eb := EventBridges{byPath: make(map[string]BridgeDialIn, len(bridges))}
	for _, b := range bridges {
		eb.byPath[b.UnitPath] = b
	}
	return eb
}

// For returns the bridge of the worker at unitPath: the one whose unit
// path is the longest prefix of unitPath (a mandal's bridge beats its
// district's), and whether there is one. It walks unitPath's ancestors,
// so a lookup costs the path's depth, not the number of bridges.
func (eb EventBridges) For(unitPath string) (BridgeDialIn, bool) {
	if len(eb.byPath) == 0 {
		return BridgeDialIn{}, false
	}
	for p := unitPath; len(p) > 1; {
		if b, ok := eb.byPath[p]; ok {
			return b, true
		}
		// "/1/7/42/" → "/1/7/"
		i := strings.LastIndexByte(p[:len(p)-1], '/')
		if i < 0 {
			break
		}
		p = p[:i+1]
	}
	return BridgeDialIn{}, false
}

// EventBridgesOf loads the bridges of the mass address held by event
// eventID in one query: none when the event is no address or its address
// has no bridges. Every recorded bridge counts, whatever its provisioning
// state: a bridge's number and PIN are fixed when it is recorded and kept
// when it is provisioned (again), so invitations sent ahead of
// provisioning print what will work. No actor: callers (the outbox, a
// verified invite link, a letters page already scope-checked) decide who
// sees it.
func (s *Store) EventBridgesOf(ctx context.Context, eventID int64) (EventBridges, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT b.unit_path, b.number, b.pin FROM bridges b
		JOIN addresses a ON a.id = b.address_id WHERE a.event_id = ? ORDER BY b.unit_path`, eventID)
	if err != nil {
		return EventBridges{}, fmt.Errorf("bridges of event %d: %w", eventID, err)
	}
	defer rows.Close()
	var out []BridgeDialIn
	for rows.Next() {
		var b BridgeDialIn
		if err := rows.Scan(&b.UnitPath, &b.Number, &b.PIN); err != nil {
			return EventBridges{}, fmt.Errorf("bridges of event %d: %w", eventID, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return EventBridges{}, fmt.Errorf("bridges of event %d: %w", eventID, err)
	}
	return NewEventBridges(out), nil
}
