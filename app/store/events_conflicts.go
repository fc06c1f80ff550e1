package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// ConflictHorizon is how far ahead conflicts of a recurring event are
// checked on save.
const ConflictHorizon = 366 * 24 * time.Hour

// TravelMargin is how far before and after an event its guests' other
// engagements are looked for.
const TravelMargin = 24 * time.Hour

// Hidden titles for events outside the actor's scope that still conflict
// (a VIP booked in another district): the conflict is shown, its details
// are not.
const (
	hiddenTitle   = "an event outside your area"
	hiddenTitleHi = "आपके क्षेत्र के बाहर का कार्यक्रम"
)

// conflictWindow is where e's conflicts are looked for: from its start (or
// a day ago for a series that started earlier) to its end, at most
// ConflictHorizon ahead.
func conflictWindow(e *schedule.Event, now time.Time) (from, to time.Time) {
	from = e.Start
	if e.Recurring() && from.Before(now.Add(-24*time.Hour)) {
		from = now.Add(-24 * time.Hour).UTC().Truncate(time.Second)
	}
	to = seriesEnd(e)
	if to.After(from.Add(ConflictHorizon)) {
		to = from.Add(ConflictHorizon)
	}
	return from, to
}

// conflictsFor returns the conflicts between e (just saved) and other
// events that could collide with it: the same unit, a shared guest or a
// venue within about a kilometre.
func (s *Store) conflictsFor(ctx context.Context, db bun.IDB, actor schedule.Actor, e schedule.Event, now time.Time) ([]schedule.Conflict, error) {
	if e.Status == schedule.EventCancelled {
		return nil, nil
	}
	from, to := conflictWindow(&e, now)
	// A guest's previous and next engagements matter even when they do not
	// overlap: look a day either side for travel-time conflicts.
	from, to = from.Add(-TravelMargin), to.Add(TravelMargin)
	q := db.NewSelect().
		Where("e.start_at < ? AND e.series_end_at > ?", to, from).
		Where("e.status <> ?", string(schedule.EventCancelled)).
		Where("e.id <> ?", e.ID).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.WhereOr("e.unit_id = ?", e.UnitID)
			if gs := allGuests(&e); len(gs) > 0 {
				q = q.WhereOr("e.id IN (SELECT event_id FROM event_guests WHERE guest_id IN (?))", bun.In(gs))
			}
			if g := e.Venue.Geo; g != nil {
				const d = 0.01 // ≈ 1 km
				q = q.WhereOr("(e.venue_lat BETWEEN ? AND ? AND e.venue_lon BETWEEN ? AND ?)", g.Lat-d, g.Lat+d, g.Lon-d, g.Lon+d)
			}
			return q
		}).Limit(5000)
	others, err := s.loadEvents(ctx, db, q)
	if err != nil {
		return nil, fmt.Errorf("conflict candidates: %w", err)
	}
	evs := make([]schedule.Event, len(others))
	for i := range others {
		evs[i] = redact(actor, others[i])
	}
	cs, err := schedule.ConflictsWith(e, evs, from, to, schedule.DefaultRoadModel().Travel)
	if err != nil {
		return nil, fmt.Errorf("event %d: %w", e.ID, err)
	}
	return cs, nil
}

// redact hides the title and venue name of an event the actor may not
// read, keeping what the conflict rules need.
func redact(actor schedule.Actor, r EventRecord) schedule.Event {
	e := r.Event
	if actor.Can(schedule.ActRead, r.UnitPath) {
		return e
	}
	e.Title, e.TitleHi, e.Description = hiddenTitle, hiddenTitleHi, ""
	e.Venue.Name = ""
	e.Organisers = nil
	e.Overrides = append([]schedule.Override(nil), e.Overrides...)
	for i := range e.Overrides {
		o := &e.Overrides[i]
		o.Title, o.TitleHi = "", ""
		if o.Venue != nil {
			v := *o.Venue
			v.Name = ""
			o.Venue = &v
		}
	}
	return e
}

// ConflictReport is the conflicts view of a scope and window.
type ConflictReport struct {
	Conflicts []schedule.Conflict
	Events    int  // events examined
	Truncated bool // more events than the limit; narrow the window
}

// MaxConflictEvents bounds one conflicts query.
const MaxConflictEvents = 20000

// Conflicts returns all conflicts among the events of unitID's subtree
// (in the actor's scope) over [from, to), plus guest conflicts with events
// elsewhere that share a guest (shown without their details when outside
// the actor's scope).
func (s *Store) Conflicts(ctx context.Context, actor schedule.Actor, unitID int64, from, to time.Time) (ConflictReport, error) {
	var rep ConflictReport
	if !to.After(from) {
		return rep, schedule.FieldError("to", "the end of the period must be after its start")
	}
	if to.Sub(from) > ConflictHorizon {
		return rep, schedule.FieldError("to", "look at most a year at a time")
	}
	q, err := s.eventQuery(ctx, s.db, actor, EventFilter{UnitID: unitID, From: from, To: to})
	if err != nil {
		return rep, err
	}
	recs, err := s.loadEvents(ctx, s.db, q.Order("e.start_at", "e.id").Limit(MaxConflictEvents+1))
	if err != nil {
		return rep, err
	}
	if len(recs) > MaxConflictEvents {
		recs, rep.Truncated = recs[:MaxConflictEvents], true
	}
	own := make(map[int64]bool, len(recs))
	guests := map[int64]bool{}
	for i := range recs {
		own[recs[i].ID] = true
		for _, g := range allGuests(&recs[i].Event) {
			guests[g] = true
		}
	}
	if len(guests) > 0 {
		ids := make([]int64, 0, len(guests))
		for g := range guests {
			ids = append(ids, g)
		}
		more, err := s.eventsWithGuests(ctx, ids, from, to)
		if err != nil {
			return rep, err
		}
		for _, m := range more {
			if !own[m.ID] {
				recs = append(recs, m)
			}
		}
	}
	evs := make([]schedule.Event, len(recs))
	for i := range recs {
		evs[i] = redact(actor, recs[i])
	}
	all, err := schedule.FindConflicts(evs, from, to, schedule.DefaultRoadModel().Travel)
	if err != nil {
		return rep, err
	}
	for _, c := range all {
		// Conflicts purely among outside events are not this scope's business.
		if own[c.A.Event.ID] || own[c.B.Event.ID] {
			rep.Conflicts = append(rep.Conflicts, c)
		}
	}
	rep.Events = len(recs)
	return rep, nil
}

// CheckImported returns the conflicts between imported events (an
// uploaded .ics, e.g. a VIP's own calendar, decoded with GuestID set) and
// the events of unitID's subtree in the actor's scope, plus events where
// that guest is booked.
func (s *Store) CheckImported(ctx context.Context, actor schedule.Actor, unitID int64, imported []schedule.Event, from, to time.Time) ([]schedule.Conflict, error) {
	q, err := s.eventQuery(ctx, s.db, actor, EventFilter{UnitID: unitID, From: from, To: to})
	if err != nil {
		return nil, err
	}
	recs, err := s.loadEvents(ctx, s.db, q.Limit(MaxConflictEvents))
	if err != nil {
		return nil, err
	}
	guests := map[int64]bool{}
	for _, e := range imported {
		for _, g := range e.Guests {
			guests[g] = true
		}
	}
	seen := map[int64]bool{}
	for _, r := range recs {
		seen[r.ID] = true
	}
	if len(guests) > 0 {
		ids := make([]int64, 0, len(guests))
		for g := range guests {
			ids = append(ids, g)
		}
		more, err := s.eventsWithGuests(ctx, ids, from, to)
		if err != nil {
			return nil, err
		}
		for _, m := range more {
			if !seen[m.ID] {
				recs = append(recs, m)
			}
		}
	}
	evs := make([]schedule.Event, 0, len(recs)+len(imported))
	for i := range recs {
		evs = append(evs, redact(actor, recs[i]))
	}
	isImported := make(map[string]bool, len(imported))
	for i, e := range imported {
		if e.UID == "" {
			e.UID = fmt.Sprintf("imported-%d", i)
		}
		e.ID, e.UID = 0, "import:"+e.UID
		isImported[e.UID] = true
		evs = append(evs, e)
	}
	all, err := schedule.FindConflicts(evs, from, to, schedule.DefaultRoadModel().Travel)
	if err != nil {
		return nil, err
	}
	var out []schedule.Conflict
	for _, c := range all {
		if isImported[c.A.Event.UID] != isImported[c.B.Event.UID] {
			out = append(out, c)
		}
	}
	return out, nil
}

// eventsWithGuests loads the live events over [from, to) where any of the
// guests is booked, anywhere in the tree (callers redact).
func (s *Store) eventsWithGuests(ctx context.Context, ids []int64, from, to time.Time) ([]EventRecord, error) {
	return s.loadEvents(ctx, s.db, s.db.NewSelect().
		Where("e.start_at < ? AND e.series_end_at > ?", to.UTC(), from.UTC()).
		Where("e.status <> ?", string(schedule.EventCancelled)).
		Where("e.id IN (SELECT event_id FROM event_guests WHERE guest_id IN (?))", bun.In(ids)).Limit(MaxConflictEvents))
}

// EventConflicts returns the current conflicts of an event the actor can
// read (the event page shows them as warnings).
func (s *Store) EventConflicts(ctx context.Context, actor schedule.Actor, id int64) ([]schedule.Conflict, error) {
	r, err := s.FindEventByID(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.conflictsFor(ctx, s.db, actor, r.Event, s.now())
}
