package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// EventRecord is a stored event with the unit it belongs to: UnitPath is
// what scope checks use (other packages, such as invitations, check
// actor.Can(..., rec.UnitPath)).
type EventRecord struct {
	schedule.Event
	UnitPath   string `json:"unit_path"`
	UnitCode   string `json:"unit_code"`
	UnitName   string `json:"unit_name"`
	UnitNameHi string `json:"unit_name_hi,omitempty"`
	UnitDepth  int    `json:"unit_depth"`
}

// UnitDisplayName returns the unit's name in lang, falling back to the other.
func (r EventRecord) UnitDisplayName(lang string) string {
	return schedule.Unit{Name: r.UnitName, NameHi: r.UnitNameHi}.DisplayName(lang)
}

// EventType is one kind of event the organisation runs (sports, speech…).
type EventType struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	NameHi string `json:"name_hi"`
}

// EventFilter selects events for calendars and lists. UnitID narrows the
// actor's scope to that unit's subtree (OnlyUnit: that unit's own events).
// From/To select events with an occurrence overlapping [From, To); a zero
// To means no upper bound.
type EventFilter struct {
	UnitID      int64
	OnlyUnit    bool
	From, To    time.Time
	Types       []string
	Depth       *int // unit level depth
	ProgrammeID int64
	Cancelled   bool // include cancelled events
	// WithAbove adds the events held at the units above the unit (or the
	// actor's scope): they concern everyone below, e.g. a state programme
	// on a cluster's calendar.
	WithAbove bool
	// CountProgrammes leaves out the one-off events a programme created at
	// units below the filter's unit (a statewide programme's event in each
	// of 6,400 clusters): ProgrammeDays counts them per day instead. It
	// needs UnitID.
	CountProgrammes bool
	Limit           int // default 2000, at most 20000

	onlyCounted bool // ProgrammeDays: only the events CountProgrammes leaves out
}

// farFuture stands for "no end" in series_end_at: the recurrence expander
// stops in 2200 too.
var farFuture = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

type eventRow struct {
	bun.BaseModel `bun:"table:events,alias:e"`
	ID            int64     `bun:"id,pk,autoincrement"`
	UID           string    `bun:"uid"`
	UnitID        int64     `bun:"unit_id"`
	UnitPath      string    `bun:"unit_path"`
	LevelDepth    int       `bun:"level_depth"`
	Type          string    `bun:"type"`
	Title         string    `bun:"title"`
	TitleHi       string    `bun:"title_hi"`
	Description   string    `bun:"description"`
	VenueName     string    `bun:"venue_name"`
	VenueLat      *float64  `bun:"venue_lat"`
	VenueLon      *float64  `bun:"venue_lon"`
	StartAt       time.Time `bun:"start_at"`
	EndAt         time.Time `bun:"end_at"`
	Status        string    `bun:"status"`
	Sequence      int       `bun:"sequence"`
	RRule         string    `bun:"rrule"`
	ExDates       string    `bun:"exdates"`
	Overrides     string    `bun:"overrides"`
	ProgrammeID   *int64    `bun:"programme_id"`
	LinkVersion   int       `bun:"link_version,scanonly"` // owned by invitations
	UpdatedAt     time.Time `bun:"updated_at"`
	SeriesEndAt   time.Time `bun:"series_end_at"`
	CreatedAt     time.Time `bun:"created_at"`
}

type eventOrganiserRow struct {
	bun.BaseModel `bun:"table:event_organisers"`
	EventID       int64 `bun:"event_id,pk"`
	WorkerID      int64 `bun:"worker_id,pk"`
}

type eventGuestRow struct {
	bun.BaseModel `bun:"table:event_guests"`
	EventID       int64 `bun:"event_id,pk"`
	GuestID       int64 `bun:"guest_id,pk"`
	Series        bool  `bun:"series"` // false: a guest of one edited occurrence only
}

// eventRowFrom converts a normalised event at unit u into its row.
func eventRowFrom(e *schedule.Event, u schedule.Unit, now time.Time) (eventRow, error) {
	ex, err := json.Marshal(e.ExDates)
	if err != nil {
		return eventRow{}, fmt.Errorf("encode exdates: %w", err)
	}
	ov, err := json.Marshal(e.Overrides)
	if err != nil {
		return eventRow{}, fmt.Errorf("encode overrides: %w", err)
	}
	if e.ExDates == nil {
		ex = []byte("[]")
	}
	if e.Overrides == nil {
		ov = []byte("[]")
	}
	r := eventRow{
		ID: e.ID, UID: e.UID, UnitID: u.ID, UnitPath: u.Path, LevelDepth: u.Depth, Type: e.Type,
		Title: e.Title, TitleHi: e.TitleHi, Description: e.Description, VenueName: e.Venue.Name,
		StartAt: e.Start, EndAt: e.End, Status: string(e.Status), Sequence: e.Sequence, RRule: e.RRule,
		ExDates: string(ex), Overrides: string(ov), UpdatedAt: e.UpdatedAt,
		SeriesEndAt: seriesEnd(e), CreatedAt: now.UTC().Truncate(time.Second),
	}
	if g := e.Venue.Geo; g != nil {
		lat, lon := g.Lat, g.Lon
		r.VenueLat, r.VenueLon = &lat, &lon
	}
	if e.ProgrammeID != 0 {
		id := e.ProgrammeID
		r.ProgrammeID = &id
	}
	return r, nil
}

func (r *eventRow) domain() (schedule.Event, error) {
	e := schedule.Event{
		ID: r.ID, UID: r.UID, UnitID: r.UnitID, Type: r.Type, Title: r.Title, TitleHi: r.TitleHi,
		Description: r.Description, Venue: schedule.Venue{Name: r.VenueName},
		Start: r.StartAt.UTC(), End: r.EndAt.UTC(), Status: schedule.EventStatus(r.Status),
		Sequence: r.Sequence, RRule: r.RRule, UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.VenueLat != nil && r.VenueLon != nil {
		e.Venue.Geo = &schedule.LatLon{Lat: *r.VenueLat, Lon: *r.VenueLon}
	}
	if r.ProgrammeID != nil {
		e.ProgrammeID = *r.ProgrammeID
	}
	if r.ExDates != "" && r.ExDates != "[]" {
		if err := json.Unmarshal([]byte(r.ExDates), &e.ExDates); err != nil {
			return e, fmt.Errorf("event %d: decode exdates: %w", r.ID, err)
		}
	}
	if r.Overrides != "" && r.Overrides != "[]" {
		if err := json.Unmarshal([]byte(r.Overrides), &e.Overrides); err != nil {
			return e, fmt.Errorf("event %d: decode overrides: %w", r.ID, err)
		}
	}
	return e, nil
}

// seriesEnd is the end of the event's last occurrence (farFuture for an
// unbounded rule), so window queries can use start_at < to AND
// series_end_at > from.
func seriesEnd(e *schedule.Event) time.Time {
	end := e.End
	if e.Recurring() {
		rule, err := schedule.ParseRRuleIn(e.RRule, e.Zone)
		switch {
		case err != nil:
			end = farFuture
		case rule.Count == 0 && rule.Until.IsZero():
			end = farFuture
		default:
			var last time.Time
			n := 0
			for t := range rule.All(e.Start) {
				last = t
				if n++; n > schedule.MaxOccurrences {
					last = farFuture
					break
				}
			}
			if !last.IsZero() {
				end = last.Add(e.Duration())
			}
		}
	}
	for _, o := range e.Overrides {
		if o.End.After(end) {
			end = o.End
		}
	}
	if end.After(farFuture) {
		end = farFuture
	}
	return end.UTC()
}

// EventTypes returns the configured event types, by key.
func (s *Store) EventTypes(ctx context.Context) ([]EventType, error) {
	var out []EventType
	if err := s.db.NewSelect().Table("event_types").Column("key", "name", "name_hi").Order("key").Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("list event types: %w", err)
	}
	return out, nil
}

// AddEventType adds an event type (system or a state-level official: an
// actor whose scope includes a root unit).
func (s *Store) AddEventType(ctx context.Context, actor schedule.Actor, t EventType) error {
	t.Key = strings.ToLower(strings.TrimSpace(t.Key))
	probe := schedule.Event{Type: t.Key}
	for _, fe := range schedule.ValidationErrors(probe.Validate()) {
		if fe.Field == "type" {
			return schedule.NewError(schedule.EINVALID, "key", fe.Msg())
		}
	}
	if strings.TrimSpace(t.Name) == "" {
		return schedule.FieldError("name", "give the type a name")
	}
	if !actor.System && !actor.Can(schedule.ActWrite, "/") && !s.actorHasRoot(ctx, actor) {
		return schedule.Errorf(schedule.EFORBIDDEN, "only the state office can add event types")
	}
	return s.inTx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewInsert().Table("event_types").Value("key", "?", t.Key).Value("name", "?", t.Name).
			Value("name_hi", "?", t.NameHi).Exec(ctx); err != nil {
			return mapErr(err, schedule.Msgf("event type %s", t.Key))
		}
		return s.audit(ctx, tx, actor, "create", "event_type", 0, "/", t.Key)
	})
}

func (s *Store) actorHasRoot(ctx context.Context, actor schedule.Actor) bool {
	for _, r := range actor.Scope.Roots {
		if len(schedule.PathIDs(r)) == 1 {
			return true
		}
	}
	return false
}

// EventSaved is the result of a create or update: the stored event and the
// conflicts it has with other events (warnings, never a refusal).
type EventSaved struct {
	Event     EventRecord
	Conflicts []schedule.Conflict
}

// CreateEvent stores a new event at a unit the actor may write. Unknown
// units, types, organisers (worker IDs in the actor's scope) and guests are
// field errors. The UID is generated unless given. Conflicts with existing
// events are returned as warnings.
func (s *Store) CreateEvent(ctx context.Context, actor schedule.Actor, e schedule.Event) (EventSaved, error) {
	if e.ProgrammeID != 0 {
		return EventSaved{}, schedule.FieldError("programme", "programme events are created by running the programme")
	}
	e.ID, e.Sequence = 0, 0
	e.Zone = s.zone // the organisation's clock, whoever built the event
	e.Normalise()
	if e.UID == "" {
		uid, err := schedule.NewEventUID(rand.Reader)
		if err != nil {
			return EventSaved{}, err
		}
		e.UID = uid
	}
	now := s.now()
	e.UpdatedAt = now.UTC().Truncate(time.Second)
	if err := e.Validate(); err != nil {
		return EventSaved{}, err
	}
	var out EventSaved
	err := s.inTx(ctx, func(tx bun.Tx) error {
		u, err := s.checkEventRefs(ctx, tx, actor, &e, nil)
		if err != nil {
			return err
		}
		row, err := eventRowFrom(&e, u, now)
		if err != nil {
			return err
		}
		row.ID = 0
		if _, err := tx.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
			return mapErr(err, schedule.Msgf("event with UID %s", e.UID))
		}
		e.ID = row.ID
		if err := writeEventPeople(ctx, tx, &e, false); err != nil {
			return err
		}
		out.Event = recordOf(e, u)
		if out.Conflicts, err = s.conflictsFor(ctx, tx, actor, e, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "create", "event", e.ID, u.Path, s.auditEvent(&e))
	})
	return out, err
}

// UpdateEvent replaces the editable fields of event e.ID (which the actor
// must be able to write) with e's: unit, type, titles, description, venue,
// times, organisers, guests, status, recurrence, exceptions and occurrence
// edits. UID and programme stay; Sequence is bumped. A programme event must
// stay inside the programme's window.
func (s *Store) UpdateEvent(ctx context.Context, actor schedule.Actor, e schedule.Event) (EventSaved, error) {
	return s.modifyEvent(ctx, actor, e.ID, "update", func(old *schedule.Event) error {
		e.ID, e.UID, e.ProgrammeID, e.Sequence = old.ID, old.UID, old.ProgrammeID, old.Sequence
		*old = e
		return nil
	})
}

// CancelEvent marks an event cancelled (kept, so feeds publish
// STATUS:CANCELLED) and bumps its sequence.
func (s *Store) CancelEvent(ctx context.Context, actor schedule.Actor, id int64) (EventSaved, error) {
	return s.modifyEvent(ctx, actor, id, "cancel", func(e *schedule.Event) error {
		if e.Status == schedule.EventCancelled {
			return schedule.Errorf(schedule.ECONFLICT, "event %d is already cancelled", id)
		}
		e.Status = schedule.EventCancelled
		return nil
	})
}

// EditOccurrence sets (or replaces) the edit of one occurrence of a
// recurring event, named by its original start o.RecurrenceID.
func (s *Store) EditOccurrence(ctx context.Context, actor schedule.Actor, id int64, o schedule.Override) (EventSaved, error) {
	return s.modifyEvent(ctx, actor, id, "edit_occurrence", func(e *schedule.Event) error {
		if !e.Recurring() {
			return schedule.FieldError("recurrence_id", "event %d does not repeat; edit the event itself", id)
		}
		e.Overrides = slices.DeleteFunc(e.Overrides, func(x schedule.Override) bool {
			return x.RecurrenceID.Equal(o.RecurrenceID.UTC().Truncate(time.Second))
		})
		e.Overrides = append(e.Overrides, o)
		return nil
	})
}

// SkipOccurrence adds an exception date (EXDATE) to a recurring event.
func (s *Store) SkipOccurrence(ctx context.Context, actor schedule.Actor, id int64, occurrence time.Time) (EventSaved, error) {
	return s.modifyEvent(ctx, actor, id, "skip_occurrence", func(e *schedule.Event) error {
		if !e.Recurring() {
			return schedule.FieldError("exdates", "event %d does not repeat; cancel it instead", id)
		}
		e.ExDates = append(e.ExDates, occurrence)
		return nil
	})
}

func (s *Store) modifyEvent(ctx context.Context, actor schedule.Actor, id int64, action string, change func(*schedule.Event) error) (EventSaved, error) {
	var out EventSaved
	now := s.now()
	err := s.inTx(ctx, func(tx bun.Tx) error {
		old, err := s.eventByID(ctx, tx, id)
		if err != nil || !actor.Can(schedule.ActWrite, old.UnitPath) {
			return schedule.Errorf(schedule.ENOTFOUND, "event %d not found", id)
		}
		// What invitees were told, to notify them of what changes.
		before, err := inviteEvent(ctx, tx, id)
		if err != nil {
			return err
		}
		e := old.Event
		if err := change(&e); err != nil {
			return err
		}
		e.Zone = s.zone
		e.Normalise()
		if e.UnitID == 0 {
			e.UnitID = old.UnitID
		}
		e.Bump(now)
		if err := e.Validate(); err != nil {
			return err
		}
		u, err := s.checkEventRefs(ctx, tx, actor, &e, &old.Event)
		if err != nil {
			return err
		}
		if e.ProgrammeID != 0 {
			p, err := s.programmeByID(ctx, tx, e.ProgrammeID)
			if err != nil {
				return err
			}
			if err := p.Programme.CheckEvent(&e); err != nil {
				return err
			}
			if !schedule.IsWithin(u.Path, p.RootPath) {
				return schedule.FieldError("unit", "a programme event stays with a unit of the programme")
			}
		}
		row, err := eventRowFrom(&e, u, now)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(&row).ExcludeColumn("id", "uid", "created_at", "programme_id").WherePK().Exec(ctx); err != nil {
			return mapErr(err, schedule.Msgf("event %d", id))
		}
		if err := writeEventPeople(ctx, tx, &e, true); err != nil {
			return err
		}
		out.Event = recordOf(e, u)
		if out.Conflicts, err = s.conflictsFor(ctx, tx, actor, e, now); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, action, "event", e.ID, u.Path, s.auditEvent(&e)); err != nil {
			return err
		}
		_, err = s.enqueueChangeNotices(ctx, tx, actor, id, before.MessageEvent, "")
		return err
	})
	return out, err
}

func recordOf(e schedule.Event, u schedule.Unit) EventRecord {
	return EventRecord{Event: e, UnitPath: u.Path, UnitCode: u.Code, UnitName: u.Name, UnitNameHi: u.NameHi, UnitDepth: u.Depth}
}

func (s *Store) auditEvent(e *schedule.Event) schedule.Msg {
	return schedule.Msgf("“%s”, %s, version %d, %s (%s)", schedule.Names{En: e.Title, Hi: e.TitleHi}, e.Start, e.Sequence,
		EventStatusText(e.Status), e.UID)
}

// checkEventRefs checks that the unit (writable by the actor), type,
// organisers and guests exist, and returns the unit. Organisers already on
// old stay allowed even if outside the actor's scope; new ones must be in
// it.
func (s *Store) checkEventRefs(ctx context.Context, db bun.IDB, actor schedule.Actor, e *schedule.Event, old *schedule.Event) (schedule.Unit, error) {
	u, err := s.unitByID(ctx, db, e.UnitID)
	if err != nil || !actor.Can(schedule.ActWrite, u.Path) {
		return u, schedule.FieldError("unit", "unit %d not found", e.UnitID)
	}
	n, err := db.NewSelect().Table("event_types").Where("key = ?", e.Type).Count(ctx)
	if err != nil {
		return u, fmt.Errorf("check event type: %w", err)
	}
	if n == 0 {
		return u, schedule.FieldError("type", "unknown event type %q; the state office can add it", e.Type)
	}
	if len(e.Organisers) > 0 {
		var ws []struct {
			ID       int64  `bun:"id"`
			UnitPath string `bun:"unit_path"`
		}
		if err := db.NewSelect().Table("workers").Column("id", "unit_path").Where("id IN (?)", bun.In(e.Organisers)).Scan(ctx, &ws); err != nil {
			return u, fmt.Errorf("check organisers: %w", err)
		}
		found := make(map[int64]string, len(ws))
		for _, w := range ws {
			found[w.ID] = w.UnitPath
		}
		for _, id := range e.Organisers {
			p, ok := found[id]
			kept := old != nil && slices.Contains(old.Organisers, id)
			if !ok || !kept && !actor.Can(schedule.ActRead, p) {
				return u, schedule.FieldError("organisers", "worker %d not found in your area", id)
			}
		}
	}
	guests := allGuests(e)
	if len(guests) > 0 {
		var ids []int64
		if err := db.NewSelect().Table("guests").Column("id").Where("id IN (?)", bun.In(guests)).Scan(ctx, &ids); err != nil {
			return u, fmt.Errorf("check guests: %w", err)
		}
		for _, id := range guests {
			if !slices.Contains(ids, id) {
				return u, schedule.FieldError("guests", "guest %d not found", id)
			}
		}
	}
	return u, nil
}

// allGuests is the series' guests and those of occurrence edits, sorted.
func allGuests(e *schedule.Event) []int64 {
	out := slices.Clone(e.Guests)
	for _, o := range e.Overrides {
		out = append(out, o.Guests...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func writeEventPeople(ctx context.Context, db bun.IDB, e *schedule.Event, replace bool) error {
	if replace {
		if _, err := db.NewDelete().Model((*eventOrganiserRow)(nil)).Where("event_id = ?", e.ID).Exec(ctx); err != nil {
			return fmt.Errorf("event %d organisers: %w", e.ID, err)
		}
		if _, err := db.NewDelete().Model((*eventGuestRow)(nil)).Where("event_id = ?", e.ID).Exec(ctx); err != nil {
			return fmt.Errorf("event %d guests: %w", e.ID, err)
		}
	}
	if len(e.Organisers) > 0 {
		rows := make([]eventOrganiserRow, len(e.Organisers))
		for i, w := range e.Organisers {
			rows[i] = eventOrganiserRow{EventID: e.ID, WorkerID: w}
		}
		if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return mapErr(err, "event organiser")
		}
	}
	if gs := allGuests(e); len(gs) > 0 {
		rows := make([]eventGuestRow, len(gs))
		for i, g := range gs {
			rows[i] = eventGuestRow{EventID: e.ID, GuestID: g, Series: slices.Contains(e.Guests, g)}
		}
		if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return mapErr(err, "event guest")
		}
	}
	return nil
}

// FindEventByID returns an event in the actor's scope, with its unit;
// out-of-scope or missing events are ENOTFOUND alike.
func (s *Store) FindEventByID(ctx context.Context, actor schedule.Actor, id int64) (EventRecord, error) {
	r, err := s.eventByID(ctx, s.db, id)
	if err != nil && !schedule.IsNotFound(err) {
		return EventRecord{}, err
	}
	if err != nil || !actor.CanSeeEventAt(r.UnitPath) {
		return EventRecord{}, schedule.Errorf(schedule.ENOTFOUND, "event %d not found", id)
	}
	return r, nil
}

// FindEventByUID is FindEventByID by iCalendar UID.
func (s *Store) FindEventByUID(ctx context.Context, actor schedule.Actor, uid string) (EventRecord, error) {
	var id int64
	if err := s.db.NewSelect().Table("events").Column("id").Where("uid = ?", uid).Scan(ctx, &id); err != nil {
		return EventRecord{}, schedule.Errorf(schedule.ENOTFOUND, "event %q not found", uid)
	}
	return s.FindEventByID(ctx, actor, id)
}

func (s *Store) eventByID(ctx context.Context, db bun.IDB, id int64) (EventRecord, error) {
	recs, err := s.loadEvents(ctx, db, db.NewSelect().Where("e.id = ?", id))
	if err != nil {
		return EventRecord{}, err
	}
	if len(recs) == 0 {
		return EventRecord{}, schedule.Errorf(schedule.ENOTFOUND, "event %d not found", id)
	}
	return recs[0], nil
}

// loadEvents runs q (a select whose conditions use alias e for events)
// joined with units and attaches organisers and guests.
func (s *Store) loadEvents(ctx context.Context, db bun.IDB, q *bun.SelectQuery) ([]EventRecord, error) {
	var rows []struct {
		eventRow
		UCode   string `bun:"u_code"`
		UName   string `bun:"u_name"`
		UNameHi string `bun:"u_name_hi"`
		UDepth  int    `bun:"u_depth"`
	}
	q = q.Model((*eventRow)(nil)).ColumnExpr("e.*").
		ColumnExpr("u.code AS u_code, u.name AS u_name, u.name_hi AS u_name_hi, u.depth AS u_depth").
		Join("JOIN units AS u ON u.id = e.unit_id")
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	out := make([]EventRecord, len(rows))
	ids := make([]int64, len(rows))
	index := make(map[int64]int, len(rows))
	for i := range rows {
		e, err := rows[i].eventRow.domain()
		if err != nil {
			return nil, err
		}
		e.Zone = s.zone
		out[i] = EventRecord{Event: e, UnitPath: rows[i].UnitPath, UnitCode: rows[i].UCode, UnitName: rows[i].UName,
			UnitNameHi: rows[i].UNameHi, UnitDepth: rows[i].UDepth}
		ids[i] = e.ID
		index[e.ID] = i
	}
	for chunk := range slices.Chunk(ids, 5000) {
		var orgs []eventOrganiserRow
		if err := db.NewSelect().Model(&orgs).Where("event_id IN (?)", bun.In(chunk)).Order("event_id", "worker_id").Scan(ctx); err != nil {
			return nil, fmt.Errorf("load organisers: %w", err)
		}
		for _, o := range orgs {
			e := &out[index[o.EventID]].Event
			e.Organisers = append(e.Organisers, o.WorkerID)
		}
		var gs []eventGuestRow
		if err := db.NewSelect().Model(&gs).Where("event_id IN (?) AND series = ?", bun.In(chunk), true).Order("event_id", "guest_id").Scan(ctx); err != nil {
			return nil, fmt.Errorf("load guests: %w", err)
		}
		for _, g := range gs {
			e := &out[index[g.EventID]].Event
			e.Guests = append(e.Guests, g.GuestID)
		}
	}
	return out, nil
}

// eventQuery builds the filter's conditions (alias e) within the actor's
// scope.
func (s *Store) eventQuery(ctx context.Context, db bun.IDB, actor schedule.Actor, f EventFilter) (*bun.SelectQuery, error) {
	scope := actor.Scope
	if actor.System {
		scope = schedule.Scope{Roots: []string{"/"}}
	}
	q := db.NewSelect()
	if f.UnitID != 0 {
		u, err := s.FindUnitByID(ctx, actor, f.UnitID)
		if err != nil {
			return nil, err
		}
		if f.OnlyUnit {
			q = q.Where("e.unit_id = ?", u.ID)
		}
		scope = scope.Narrow(u.Path)
		// A programme's one-off events at the units below: counted, not listed.
		switch {
		case f.onlyCounted:
			q = q.Where("e.programme_id IS NOT NULL AND e.rrule = '' AND e.level_depth > ?", u.Depth)
		case f.CountProgrammes:
			q = q.Where("(e.programme_id IS NULL OR e.rrule <> '' OR e.level_depth <= ?)", u.Depth)
		}
	}
	var above []int64
	if f.WithAbove && !f.OnlyUnit {
		for _, root := range scope.Roots {
			ids := schedule.PathIDs(root)
			above = append(above, ids[:max(0, len(ids)-1)]...)
		}
	}
	if len(above) == 0 {
		q = whereScope(q, "e.unit_path", scope)
	} else {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return whereScope(q, "e.unit_path", scope).WhereOr("e.unit_id IN (?)", bun.In(above))
		})
	}
	if !f.To.IsZero() {
		q = q.Where("e.start_at < ?", f.To.UTC())
	}
	if !f.From.IsZero() {
		q = q.Where("e.series_end_at > ?", f.From.UTC())
	}
	if len(f.Types) > 0 {
		q = q.Where("e.type IN (?)", bun.In(f.Types))
	}
	if f.Depth != nil {
		q = q.Where("e.level_depth = ?", *f.Depth)
	}
	if f.ProgrammeID != 0 {
		q = q.Where("e.programme_id = ?", f.ProgrammeID)
	}
	if !f.Cancelled {
		q = q.Where("e.status <> ?", string(schedule.EventCancelled))
	}
	return q, nil
}

// ProgrammeDay is one programme's events on one day (in the
// organisation's zone) at the units below a calendar's unit, counted
// rather than listed (EventFilter.CountProgrammes).
type ProgrammeDay struct {
	ProgrammeID          int64
	Type, Title, TitleHi string
	LevelDepth           int       // the level of the units holding it
	Day                  time.Time // midnight in the organisation's zone
	Start, End           time.Time // earliest start, latest end that day
	Units                int       // events, one per unit
	Tentative, Cancelled int       // of them, not yet confirmed; called off
}

// DisplayTitle is the programme's title in lang.
func (d ProgrammeDay) DisplayTitle(lang string) string {
	e := schedule.Event{Title: d.Title, TitleHi: d.TitleHi}
	return e.DisplayTitle(lang)
}

// ProgrammeDays counts, per programme and day, the events f leaves out
// with CountProgrammes (f.UnitID must be set), starting in [f.From, f.To),
// by day then title.
func (s *Store) ProgrammeDays(ctx context.Context, actor schedule.Actor, f EventFilter) ([]ProgrammeDay, error) {
	if f.UnitID == 0 {
		return nil, nil
	}
	f.onlyCounted, f.CountProgrammes = true, false
	q, err := s.eventQuery(ctx, s.db, actor, f)
	if err != nil {
		return nil, err
	}
	if !f.From.IsZero() {
		q = q.Where("e.start_at >= ?", f.From.UTC())
	}
	var groups []struct {
		ProgrammeID int64     `bun:"programme_id"`
		StartAt     time.Time `bun:"start_at"`
		EndAt       time.Time `bun:"end_at"`
		Status      string    `bun:"status"`
		N           int       `bun:"n"`
	}
	// Grouped by exact times: a programme's events mostly share them (the
	// placeholders all do), so few rows come back even for 6,400 units.
	err = q.Model((*eventRow)(nil)).ColumnExpr("e.programme_id, e.start_at, e.end_at, e.status, COUNT(*) AS n").
		GroupExpr("e.programme_id, e.start_at, e.end_at, e.status").Scan(ctx, &groups)
	if err != nil {
		return nil, fmt.Errorf("programme days: %w", err)
	}
	if len(groups) == 0 {
		return nil, nil
	}
	type key struct {
		id  int64
		day string
	}
	byKey := map[key]*ProgrammeDay{}
	var ids []int64
	var out []*ProgrammeDay
	for _, g := range groups {
		start, end := g.StartAt.UTC(), g.EndAt.UTC()
		k := key{g.ProgrammeID, s.zone.DateKey(start)}
		d := byKey[k]
		if d == nil {
			d = &ProgrammeDay{ProgrammeID: g.ProgrammeID, Day: s.zone.Midnight(start, 0), Start: start, End: end}
			byKey[k] = d
			out = append(out, d)
			ids = append(ids, g.ProgrammeID)
		}
		d.Start, d.End = minTime(d.Start, start), maxTime(d.End, end)
		d.Units += g.N
		switch schedule.EventStatus(g.Status) {
		case schedule.EventTentative:
			d.Tentative += g.N
		case schedule.EventCancelled:
			d.Cancelled += g.N
		}
	}
	var progs []programmeRow
	if err := s.db.NewSelect().Model(&progs).Where("p.id IN (?)", bun.In(slices.Compact(slices.Sorted(slices.Values(ids))))).Scan(ctx); err != nil {
		return nil, fmt.Errorf("programme days: %w", err)
	}
	byID := make(map[int64]*programmeRow, len(progs))
	for i := range progs {
		byID[progs[i].ID] = &progs[i]
	}
	days := make([]ProgrammeDay, 0, len(out))
	for _, d := range out {
		if p := byID[d.ProgrammeID]; p != nil {
			d.Type, d.Title, d.TitleHi, d.LevelDepth = p.Type, p.Title, p.TitleHi, p.LevelDepth
		}
		days = append(days, *d)
	}
	slices.SortFunc(days, func(a, b ProgrammeDay) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.ProgrammeID, b.ProgrammeID)
	})
	return days, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// FindEvents returns the events in the actor's scope matching f, by start.
// Recurring events are returned once (as series); expand them with
// Event.Occurrences.
func (s *Store) FindEvents(ctx context.Context, actor schedule.Actor, f EventFilter) ([]EventRecord, error) {
	q, err := s.eventQuery(ctx, s.db, actor, f)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 2000
	}
	limit = min(limit, 20000)
	return s.loadEvents(ctx, s.db, q.Order("e.start_at", "e.id").Limit(limit))
}
