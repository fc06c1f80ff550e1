package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// Presence ingest.
//
// A batch of webhook events is recorded in one transaction with a fixed
// number of set-based statements, whatever its size: one query for the
// event ids already recorded (LiveKit delivers at least once), one for the
// open stays and unmatched leaves of the batch's participants, up to three
// for the unit paths of new rows (workers, bridges, districts), one UPDATE
// per kind of match and one multi-row INSERT … ON CONFLICT DO NOTHING.
// Matching itself runs in Go over those rows, event by event in the order
// given, so a batch means exactly what the same events recorded one at a
// time would: a leave closes the participant's latest open stay that began
// at or before it, a join first completes the earliest leave that overtook
// it (left at or after the join), and anything unmatched opens a row that a
// later batch can still match.

// RecordPresence stores one join or leave. Rooms that are not listener
// rooms of an address (the stage, anything else) are ignored, as are
// repeated deliveries of the same event; a leave that arrives before its
// join is kept and matched when the join comes. It reports whether the
// event changed anything. It is RecordPresenceBatch with one event.
func (s *Store) RecordPresence(ctx context.Context, p PresenceEvent) (bool, error) {
	n, err := s.RecordPresenceBatch(ctx, []PresenceEvent{p})
	if err != nil {
		kind := "leave"
		if p.Joined {
			kind = "join"
		}
		return false, fmt.Errorf("record %s of %s in %s: %w", kind, p.Identity, p.Room, err)
	}
	return n > 0, nil
}

// RecordPresenceBatch stores joins and leaves, in the order given, in one
// transaction, with the semantics of RecordPresence for each event. It
// returns how many presence rows were inserted or updated. An event of a
// listener room without an id fails the whole batch (nothing is recorded);
// callers that queue events should check PresenceEvent.Valid first. Keep
// batches to a few thousand events: the statements grow with the batch.
func (s *Store) RecordPresenceBatch(ctx context.Context, events []PresenceEvent) (int, error) {
	evs := make([]listenerEvent, 0, len(events))
	for i, p := range events {
		e, ok, err := p.listener()
		if err != nil {
			return 0, fmt.Errorf("presence event %d: %w", i+1, err)
		}
		if ok {
			evs = append(evs, e)
		}
	}
	if len(evs) == 0 {
		return 0, nil
	}
	changed := 0
	err := s.inTx(ctx, func(tx bun.Tx) error {
		if s.Postgres() {
			// Turnout is a count: losing the last fraction of a second of
			// joins in a database crash is acceptable, waiting for a disk
			// flush per batch during a surge is not.
			if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
				return fmt.Errorf("relax commit: %w", err)
			}
		}
		seen, err := recordedPresenceIDs(ctx, tx, evs)
		if err != nil {
			return err
		}
		stays, err := pendingStays(ctx, tx, evs)
		if err != nil {
			return err
		}
		var created, joinedLate, closed []*stay
		for _, e := range evs {
			if seen[e.dedupeKey()] {
				continue
			}
			seen[e.dedupeKey()] = true
			rows := stays[e.key]
			var best *stay
			if e.Joined {
				// a leave that overtook this join: the earliest one after it
				for _, r := range rows {
					if r.joinID == "" && r.left && !r.leftAt.Before(e.at) && (best == nil || r.leftAt.Before(best.leftAt)) {
						best = r
					}
				}
				if best != nil {
					best.joinedAt, best.joinID = e.at, e.EventID
					if best.id != 0 {
						joinedLate = append(joinedLate, best)
					}
					continue
				}
				r := &stay{key: e.key, ev: e, joinedAt: e.at, joinID: e.EventID}
				stays[e.key] = append(rows, r)
				created = append(created, r)
				continue
			}
			// the latest open stay that began at or before this leave
			for _, r := range rows {
				if !r.left && !r.joinedAt.After(e.at) && (best == nil || !r.joinedAt.Before(best.joinedAt)) {
					best = r
				}
			}
			if best != nil {
				best.left, best.leftAt, best.leaveID = true, e.at, e.EventID
				if best.id != 0 {
					closed = append(closed, best)
				}
				continue
			}
			r := &stay{key: e.key, ev: e, joinedAt: e.at, left: true, leftAt: e.at, leaveID: e.EventID}
			stays[e.key] = append(rows, r)
			created = append(created, r)
		}
		n, err := s.updateStays(ctx, tx, closed, "left_at", "leave_event_id", "left_at IS NULL", func(r *stay) (time.Time, string) { return r.leftAt, r.leaveID })
		if err != nil {
			return err
		}
		changed += n
		n, err = s.updateStays(ctx, tx, joinedLate, "joined_at", "join_event_id", "join_event_id IS NULL", func(r *stay) (time.Time, string) { return r.joinedAt, r.joinID })
		if err != nil {
			return err
		}
		changed += n
		n, err = insertStays(ctx, tx, created)
		if err != nil {
			return err
		}
		changed += n
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record %d presence events: %w", len(evs), err)
	}
	return changed, nil
}

// Valid reports whether p can be queued for RecordPresenceBatch: events of
// listener rooms need LiveKit's event id; others are ignored anyway.
func (p PresenceEvent) Valid() error {
	_, _, err := p.listener()
	return err
}

// listenerEvent is a PresenceEvent of a listener room, parsed.
type listenerEvent struct {
	PresenceEvent
	key  presenceKey
	area int64 // the room's district
	at   time.Time
}

// presenceKey is one participant in one listener room.
type presenceKey struct {
	address        int64
	room, identity string
}

// dedupeKey tells deliveries of the same event apart from other events:
// join and leave ids are unique in their own columns.
func (e listenerEvent) dedupeKey() string {
	if e.Joined {
		return "j" + e.EventID
	}
	return "l" + e.EventID
}

// listener parses p; ok is false for events turnout ignores.
func (p PresenceEvent) listener() (listenerEvent, bool, error) {
	m := listenerRoomRE.FindStringSubmatch(p.Room)
	if m == nil || p.Identity == "" {
		return listenerEvent{}, false, nil
	}
	if p.EventID == "" {
		return listenerEvent{}, false, schedule.FieldError("id", "webhook event without an id (%s in %s)", p.Identity, p.Room)
	}
	addressID, _ := strconv.ParseInt(m[1], 10, 64)
	areaID, _ := strconv.ParseInt(m[2], 10, 64)
	return listenerEvent{PresenceEvent: p, key: presenceKey{addressID, p.Room, p.Identity}, area: areaID, at: p.At.UTC()}, true, nil
}

// stay is a presence row as a batch sees it: loaded (id set) or new.
type stay struct {
	id              int64
	key             presenceKey
	ev              listenerEvent // the event that opened a new row
	joinedAt        time.Time
	left            bool
	leftAt          time.Time
	joinID, leaveID string
}

// placeholders is n comma-separated copies of one row's placeholders.
func placeholders(row string, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// recordedPresenceIDs returns the dedupe keys of the batch's events that
// are already stored.
func recordedPresenceIDs(ctx context.Context, db bun.IDB, evs []listenerEvent) (map[string]bool, error) {
	var joins, leaves []any
	for _, e := range evs {
		if e.Joined {
			joins = append(joins, e.EventID)
		} else {
			leaves = append(leaves, e.EventID)
		}
	}
	var parts []string
	if len(joins) > 0 {
		parts = append(parts, "SELECT join_event_id, 1 FROM presence WHERE join_event_id IN ("+placeholders("?", len(joins))+")")
	}
	if len(leaves) > 0 {
		parts = append(parts, "SELECT leave_event_id, 0 FROM presence WHERE leave_event_id IN ("+placeholders("?", len(leaves))+")")
	}
	rows, err := db.QueryContext(ctx, strings.Join(parts, " UNION ALL "), append(joins, leaves...)...)
	if err != nil {
		return nil, fmt.Errorf("recorded event ids: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id string
		var join int
		if err := rows.Scan(&id, &join); err != nil {
			return nil, fmt.Errorf("recorded event ids: %w", err)
		}
		seen[listenerEvent{PresenceEvent: PresenceEvent{EventID: id, Joined: join == 1}}.dedupeKey()] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recorded event ids: %w", err)
	}
	return seen, nil
}

// pendingStays loads what the batch's events can match: the open stays
// and the unmatched leaves of its participants.
func pendingStays(ctx context.Context, db bun.IDB, evs []listenerEvent) (map[presenceKey][]*stay, error) {
	stays := map[presenceKey][]*stay{}
	var args []any
	for _, e := range evs {
		if _, ok := stays[e.key]; !ok {
			stays[e.key] = nil
			args = append(args, e.key.address, e.key.room, e.key.identity)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT p.id, p.address_id, p.room, p.identity, p.joined_at, p.left_at, p.join_event_id, p.leave_event_id
		FROM presence p JOIN (VALUES `+placeholders("(?, ?, ?)", len(args)/3)+`) AS v
		ON p.address_id = v.column1 AND p.room = v.column2 AND p.identity = v.column3
		WHERE p.left_at IS NULL OR p.join_event_id IS NULL`, args...)
	if err != nil {
		return nil, fmt.Errorf("open stays: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r := &stay{}
		var left sql.NullTime
		var joinID, leaveID sql.NullString
		if err := rows.Scan(&r.id, &r.key.address, &r.key.room, &r.key.identity, &r.joinedAt, &left, &joinID, &leaveID); err != nil {
			return nil, fmt.Errorf("open stays: %w", err)
		}
		r.joinedAt = r.joinedAt.UTC()
		r.left, r.leftAt = left.Valid, left.Time.UTC()
		r.joinID, r.leaveID = joinID.String, leaveID.String
		stays[r.key] = append(stays[r.key], r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open stays: %w", err)
	}
	return stays, nil
}

// updateStays writes one kind of match (the time and event id columns of
// rows) with one UPDATE … FROM (VALUES …); guard re-checks that the row is
// still unmatched. It returns the rows updated.
func (s *Store) updateStays(ctx context.Context, db bun.IDB, rows []*stay, timeCol, idCol, guard string, val func(*stay) (time.Time, string)) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	row := "(?, ?, ?)"
	if s.Postgres() {
		row = "(CAST(? AS BIGINT), CAST(? AS TIMESTAMP), ?)"
	}
	args := make([]any, 0, 3*len(rows))
	for _, r := range rows {
		t, id := val(r)
		args = append(args, r.id, t, id)
	}
	res, err := db.ExecContext(ctx, `UPDATE presence SET `+timeCol+` = v.column2, `+idCol+` = v.column3
		FROM (VALUES `+placeholders(row, len(rows))+`) AS v WHERE presence.id = v.column1 AND presence.`+guard, args...)
	if err != nil {
		return 0, mapErr(err, schedule.Msgf("presence %s", idCol))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// insertStays resolves the unit paths of new rows and inserts those with
// one; a repeated event id (a concurrent delivery) inserts nothing.
func insertStays(ctx context.Context, db bun.IDB, rows []*stay) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	paths, err := resolvePresencePaths(ctx, db, rows)
	if err != nil {
		return 0, err
	}
	args := make([]any, 0, 10*len(rows))
	n := 0
	for _, r := range rows {
		p := paths[r]
		if p.path == "" {
			continue // the room's district is unknown: nothing to count
		}
		var leftAt, joinID, leaveID any
		if r.left {
			leftAt = r.leftAt
		}
		if r.joinID != "" {
			joinID = r.joinID
		}
		if r.leaveID != "" {
			leaveID = r.leaveID
		}
		args = append(args, r.key.address, r.key.room, r.key.identity, p.worker, p.path, r.ev.SIP, r.joinedAt, leftAt, joinID, leaveID)
		n++
	}
	if n == 0 {
		return 0, nil
	}
	res, err := db.ExecContext(ctx, `INSERT INTO presence (address_id, room, identity, worker_id, unit_path, sip, joined_at, left_at, join_event_id, leave_event_id)
		VALUES `+placeholders("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", n)+` ON CONFLICT DO NOTHING`, args...)
	if err != nil {
		return 0, mapErr(err, "presence")
	}
	added, _ := res.RowsAffected()
	return int(added), nil
}

// presencePath is the unit a new row counts towards, and its worker.
type presencePath struct {
	path   string
	worker any // int64 or nil
}

// resolvePresencePaths finds the unit path each new row counts towards:
// the worker's for listener identities (schedule.ListenerIdentity), the bridge's (the shallowest into
// the room) for phone callers, else the room's district; "" when none of
// these is known. One query per kind, for the whole batch.
func resolvePresencePaths(ctx context.Context, db bun.IDB, rows []*stay) (map[*stay]presencePath, error) {
	workerOf := map[*stay]int64{}
	var workerIDs, rooms, areas []any
	seenW, seenR, seenA := map[int64]bool{}, map[string]bool{}, map[int64]bool{}
	for _, r := range rows {
		if id, ok := schedule.ParseListenerIdentity(r.key.identity); ok && !r.ev.SIP {
			workerOf[r] = id
			if !seenW[id] {
				seenW[id] = true
				workerIDs = append(workerIDs, id)
			}
		}
		if r.ev.SIP && !seenR[r.key.room] {
			seenR[r.key.room] = true
			rooms = append(rooms, r.key.room)
		}
	}
	workers := map[int64]string{}
	if err := scanPaths(ctx, db, "SELECT id, unit_path FROM workers WHERE id IN (%s)", workerIDs, func(id int64, _ string, p string) {
		workers[id] = p
	}); err != nil {
		return nil, fmt.Errorf("workers of presence: %w", err)
	}
	type roomKey struct {
		address int64
		room    string
	}
	bridges := map[roomKey]string{}
	if err := scanPaths(ctx, db, "SELECT address_id, room, unit_path FROM bridges WHERE room IN (%s)", rooms, func(addr int64, room, p string) {
		k := roomKey{addr, room}
		if cur, ok := bridges[k]; !ok || len(p) < len(cur) || (len(p) == len(cur) && p < cur) {
			bridges[k] = p
		}
	}); err != nil {
		return nil, fmt.Errorf("bridges of presence: %w", err)
	}
	// the room's district, for the rows neither a worker nor a bridge places
	for _, r := range rows {
		if _, ok := workers[workerOf[r]]; ok && workerOf[r] != 0 {
			continue
		}
		if _, ok := bridges[roomKey{r.key.address, r.key.room}]; ok && r.ev.SIP {
			continue
		}
		if !seenA[r.ev.area] {
			seenA[r.ev.area] = true
			areas = append(areas, r.ev.area)
		}
	}
	units := map[int64]string{}
	if err := scanPaths(ctx, db, "SELECT id, path FROM units WHERE id IN (%s)", areas, func(id int64, _ string, p string) {
		units[id] = p
	}); err != nil {
		return nil, fmt.Errorf("districts of presence rooms: %w", err)
	}
	out := make(map[*stay]presencePath, len(rows))
	for _, r := range rows {
		if id, ok := workerOf[r]; ok {
			if p, ok := workers[id]; ok {
				out[r] = presencePath{path: p, worker: id}
				continue
			}
		}
		if r.ev.SIP {
			if p, ok := bridges[roomKey{r.key.address, r.key.room}]; ok {
				out[r] = presencePath{path: p}
				continue
			}
		}
		out[r] = presencePath{path: units[r.ev.area]}
	}
	return out, nil
}

// scanPaths runs query (with %s for the IN list of args) and passes each
// row to fn: (id, path) rows as (id, "", path), (id, room, path) as they are.
func scanPaths(ctx context.Context, db bun.IDB, query string, args []any, fn func(id int64, room, path string)) error {
	if len(args) == 0 {
		return nil
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(query, placeholders("?", len(args))), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var room, path string
		dst := []any{&id, &path}
		if len(cols) == 3 {
			dst = []any{&id, &room, &path}
		}
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		fn(id, room, path)
	}
	return rows.Err()
}
