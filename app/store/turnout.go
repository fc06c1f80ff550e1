package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Turnout of mass addresses.
//
// LiveKit webhooks arrive as PresenceEvents: a join opens a presence row,
// a leave closes it. Each row carries the unit path it counts towards:
// the worker's unit for listener identities (schedule.ListenerIdentity), the bridge's
// unit for phone callers (SIP), else the district of the room. Turnout
// then groups rows by unit path and rolls them up the tree in Go (at most
// one group per booth), so any scope reads the same rows.

// PresenceEvent is a participant joining or leaving a listener room, as
// LiveKit reported it (schedule.Presence without the LiveKit import).
type PresenceEvent struct {
	EventID  string // LiveKit's webhook event id; deliveries are deduplicated on it
	Joined   bool   // false: left
	Room     string
	Identity string
	At       time.Time
	SIP      bool
}

var listenerRoomRE = regexp.MustCompile(`^addr-(\d+)-d(\d+)-\d+$`)

// TurnoutRow is one unit's turnout.
type TurnoutRow struct {
	UnitID   int64  `json:"unit_id"`
	ParentID int64  `json:"parent_id,omitempty"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	NameHi   string `json:"name_hi"`
	Depth    int    `json:"depth"`
	Invited  int    `json:"invited"`
	Joined   int    `json:"joined"`   // distinct participants who joined at any time
	Online   int    `json:"online"`   // in a room now
	ByPhone  int    `json:"by_phone"` // of Joined, through an audio bridge
}

// DisplayName is the unit's name in lang.
func (r TurnoutRow) DisplayName(lang string) string {
	return schedule.Unit{Name: r.Name, NameHi: r.NameHi}.DisplayName(lang)
}

// Percent is Joined as a share of Invited, rounded down; 0 with no invitees.
func (r TurnoutRow) Percent() int {
	if r.Invited == 0 {
		return 0
	}
	return r.Joined * 100 / r.Invited
}

// Turnout is an address's turnout in one view.
type Turnout struct {
	Address Address `json:"-"`
	// Total is the whole view.
	Total TurnoutRow `json:"total"`
	// Districts and Mandals are the view's units at those levels.
	Districts []TurnoutRow `json:"districts"`
	Mandals   []TurnoutRow `json:"mandals"`
	// InvitedFrom says where invited counts come from: "invites" or
	// "workers" (no invitations sent: the active workers in the audience).
	InvitedFrom string    `json:"invited_from"`
	Peak        int       `json:"peak"`
	PeakAt      time.Time `json:"peak_at,omitzero"`
	At          time.Time `json:"at"`
}

// MandalDepth is the depth of mandals in the default levels; turnout rolls
// up to districts (depth 1) and to this depth.
const MandalDepth = 3

// Turnout reports joined/invited for an address within the actor's scope,
// narrowed to unitID when not 0 (a unit outside the view is not found).
func (s *Store) Turnout(ctx context.Context, actor schedule.Actor, addressID, unitID int64, now time.Time) (Turnout, error) {
	t := Turnout{At: now.UTC()}
	a, view, err := s.addressView(ctx, actor, addressID)
	if err != nil {
		return t, err
	}
	t.Address = a
	if unitID != 0 {
		u, err := s.unitByID(ctx, s.db, unitID)
		if err != nil || !view.Covers(u.Path) {
			return t, schedule.Errorf(schedule.ENOTFOUND, "unit %d not found", unitID)
		}
		view = schedule.NewScope(u.Path)
	}
	cond, args := turnoutScopeSQL("unit_path", view)
	type agg struct{ joined, online, phone, invited int }
	byPath := map[string]*agg{}
	get := func(p string) *agg {
		if byPath[p] == nil {
			byPath[p] = &agg{}
		}
		return byPath[p]
	}
	rows, err := s.db.QueryContext(ctx, `SELECT unit_path, COUNT(DISTINCT identity),
		COUNT(DISTINCT CASE WHEN left_at IS NULL THEN identity END), COUNT(DISTINCT CASE WHEN sip THEN identity END)
		FROM presence WHERE address_id = ? AND `+cond+` GROUP BY unit_path`, append([]any{addressID}, args...)...)
	if err != nil {
		return t, fmt.Errorf("turnout of address %d: %w", addressID, err)
	}
	if err := scanGroups(rows, func(p string, n []int) { g := get(p); g.joined, g.online, g.phone = n[0], n[1], n[2] }, 3); err != nil {
		return t, fmt.Errorf("turnout of address %d: %w", addressID, err)
	}
	t.InvitedFrom = "invites"
	rows, err = s.db.QueryContext(ctx, `SELECT unit_path, COUNT(*) FROM invites WHERE event_id = ? AND revoked = ? AND `+cond+` GROUP BY unit_path`,
		append([]any{a.EventID, false}, args...)...)
	if err != nil {
		return t, fmt.Errorf("invited of address %d: %w", addressID, err)
	}
	invited := 0
	if err := scanGroups(rows, func(p string, n []int) { get(p).invited = n[0]; invited += n[0] }, 1); err != nil {
		return t, fmt.Errorf("invited of address %d: %w", addressID, err)
	}
	if invited == 0 {
		t.InvitedFrom = "workers"
		aud := schedule.NewScope(a.UnitPath)
		wcond, wargs := turnoutScopeSQL("unit_path", aud)
		rows, err = s.db.QueryContext(ctx, `SELECT unit_path, COUNT(*) FROM workers WHERE active = ? AND `+cond+` AND `+wcond+` GROUP BY unit_path`,
			append(append([]any{true}, args...), wargs...)...)
		if err != nil {
			return t, fmt.Errorf("audience of address %d: %w", addressID, err)
		}
		if err := scanGroups(rows, func(p string, n []int) { get(p).invited = n[0] }, 1); err != nil {
			return t, fmt.Errorf("audience of address %d: %w", addressID, err)
		}
	}
	// roll up to districts and mandals
	units := map[int64]*TurnoutRow{}
	for p, g := range byPath {
		t.Total.Joined += g.joined
		t.Total.Online += g.online
		t.Total.ByPhone += g.phone
		t.Total.Invited += g.invited
		ids := schedule.PathIDs(p)
		for _, d := range []int{1, MandalDepth} {
			if len(ids) <= d {
				continue
			}
			r := units[ids[d]]
			if r == nil {
				r = &TurnoutRow{UnitID: ids[d], Depth: d}
				units[ids[d]] = r
			}
			r.Joined += g.joined
			r.Online += g.online
			r.ByPhone += g.phone
			r.Invited += g.invited
		}
	}
	// every district and mandal of the view, even with nobody yet
	var all []unitRow
	q := s.db.NewSelect().Model(&all).Where("depth IN (?)", bun.In([]int{1, MandalDepth}))
	q = whereScope(q, "path", view)
	if err := q.Scan(ctx); err != nil {
		return t, fmt.Errorf("units of the view: %w", err)
	}
	named := map[int64]unitRow{}
	for _, u := range all {
		named[u.ID] = u
		if units[u.ID] == nil {
			units[u.ID] = &TurnoutRow{UnitID: u.ID, Depth: u.Depth}
		}
	}
	for id, r := range units {
		u, ok := named[id]
		if !ok { // above the view (e.g. the district of a mandal official)
			continue
		}
		r.Code, r.Name, r.NameHi = u.Code, u.Name, u.NameHi
		if u.ParentID != nil {
			r.ParentID = *u.ParentID
		}
		if ids := schedule.PathIDs(u.Path); r.Depth == MandalDepth && len(ids) > 1 {
			r.ParentID = ids[1] // mandals list under their district
		}
		if r.Depth == 1 {
			t.Districts = append(t.Districts, *r)
		} else {
			t.Mandals = append(t.Mandals, *r)
		}
	}
	byName := func(rs []TurnoutRow) {
		sort.Slice(rs, func(i, j int) bool {
			if rs[i].ParentID != rs[j].ParentID && rs[i].Depth == MandalDepth {
				return rs[i].ParentID < rs[j].ParentID
			}
			return rs[i].Name < rs[j].Name
		})
	}
	byName(t.Districts)
	byName(t.Mandals)
	if t.Peak, t.PeakAt, err = s.peak(ctx, addressID, cond, args); err != nil {
		return t, err
	}
	return t, nil
}

// peak is the most participants in the view's rooms at once, and when.
// Joins sort before leaves at the same instant: LiveKit stamps webhooks in
// whole seconds, so a stay shorter than a second still counts.
func (s *Store) peak(ctx context.Context, addressID int64, cond string, args []any) (int, time.Time, error) {
	q := `SELECT t, c FROM (SELECT t, SUM(d) OVER (ORDER BY t, d DESC ROWS UNBOUNDED PRECEDING) AS c FROM (
		SELECT joined_at AS t, 1 AS d FROM presence WHERE address_id = ? AND ` + cond + `
		UNION ALL SELECT left_at AS t, -1 AS d FROM presence WHERE address_id = ? AND left_at IS NOT NULL AND ` + cond + `) x) y
		ORDER BY c DESC, t LIMIT 1`
	all := append(append(append([]any{addressID}, args...), addressID), args...)
	var n int
	var at time.Time
	err := s.db.QueryRowContext(ctx, q, all...).Scan(&at, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("peak turnout of address %d: %w", addressID, err)
	}
	return n, at.UTC(), nil
}

// turnoutScopeSQL is whereScope for raw SQL: a condition on col and its args.
func turnoutScopeSQL(col string, sc schedule.Scope) (string, []any) {
	if sc.Empty() {
		return "1 = 0", nil
	}
	var parts []string
	var args []any
	for _, r := range sc.Roots {
		lo, hi := schedule.SubtreeRange(r)
		parts = append(parts, "("+col+" >= ? AND "+col+" < ?)")
		args = append(args, lo, hi)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// scanGroups reads rows of (path, n ints).
func scanGroups(rows *sql.Rows, fn func(path string, n []int), cols int) error {
	defer rows.Close()
	for rows.Next() {
		var p string
		n := make([]int, cols)
		dst := []any{&p}
		for i := range n {
			dst = append(dst, &n[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		fn(p, n)
	}
	return rows.Err()
}

// WriteTurnoutCSV writes t as CSV: one line per district and mandal, then
// the total, with invited, joined, by phone, in the rooms at t.At and the
// percentage joined.
func WriteTurnoutCSV(w io.Writer, t Turnout) error {
	cw := schedule.NewCSVWriter(w)
	write := func(level string, r TurnoutRow) {
		cw.Write([]string{level, r.Code, r.Name, r.NameHi, strconv.Itoa(r.Invited), strconv.Itoa(r.Joined), strconv.Itoa(r.ByPhone), strconv.Itoa(r.Online), strconv.Itoa(r.Percent())}) //nolint:errcheck // csv.Writer keeps the first error for Flush/Error
	}
	cw.Write([]string{"level", "code", "name", "name_hi", "invited", "joined", "by_phone", "online", "percent"}) //nolint:errcheck // see above
	for _, r := range t.Districts {
		write("district", r)
	}
	for _, r := range t.Mandals {
		write("mandal", r)
	}
	write("total", t.Total)
	cw.Write([]string{"peak", "", t.PeakAt.Format(time.RFC3339), "", "", strconv.Itoa(t.Peak), "", "", ""}) //nolint:errcheck // see above
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write turnout CSV: %w", err)
	}
	return nil
}
