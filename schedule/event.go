package schedule

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Event statuses, as in iCalendar's STATUS property.
const (
	EventConfirmed EventStatus = "confirmed"
	EventTentative EventStatus = "tentative"
	EventCancelled EventStatus = "cancelled"
)

// EventStatus says whether an event (or one occurrence of it) takes place.
// Cancelled events are kept, not deleted, so calendar feeds can tell
// subscribers about the cancellation.
type EventStatus string

// Valid reports whether s is one of the known statuses.
func (s EventStatus) Valid() bool {
	return s == EventConfirmed || s == EventTentative || s == EventCancelled
}

// Limits on event fields.
const (
	MaxEventTitle    = 200  // runes, per language
	MaxEventText     = 4000 // runes of description
	MaxVenueName     = 200  // runes
	MaxEventDuration = 31 * 24 * time.Hour
	MaxEventPeople   = 500 // organisers or guests on one event
	MaxUIDLength     = 255 // octets
	MaxEventTypeLen  = 40  // octets
	// UIDDomain is the right-hand side of UIDs this system generates.
	UIDDomain = "karyakram"
)

// DefaultEventTypes returns the event types a new installation starts with.
// Types are data: the organisation can add more, so Event.Type is a plain
// string validated only for shape here; storage checks it against the
// configured list.
func DefaultEventTypes() []string {
	return []string{"sports", "speech", "meeting", "training", "listening", "address"}
}

// LatLon is a point in WGS84 degrees.
type LatLon struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Venue is where an event takes place. Geo is nil until the venue has been
// placed on a map; travel-time conflicts need it on both events.
type Venue struct {
	Name string  `json:"name"`
	Geo  *LatLon `json:"geo,omitempty"`
}

// Event is one scheduled event of a unit, possibly recurring.
//
// Start and End are instants; Normalise stores them in UTC. Recurrences
// (RRule) are expanded on the wall clock of Zone (the organisation's), so "every last
// Sunday at 11:00" stays at 11:00 IST. ExDates and Override.RecurrenceID
// name occurrences by their original start instant.
type Event struct {
	ID          int64       `json:"id"`
	UID         string      `json:"uid"` // stable across edits; iCalendar UID
	UnitID      int64       `json:"unit_id"`
	Type        string      `json:"type"` // e.g. "sports"; see DefaultEventTypes
	Title       string      `json:"title,omitempty"`
	TitleHi     string      `json:"title_hi,omitempty"`
	Description string      `json:"description,omitempty"`
	Venue       Venue       `json:"venue"`
	Start       time.Time   `json:"start"`
	End         time.Time   `json:"end"`
	Organisers  []int64     `json:"organisers,omitempty"` // worker IDs
	Guests      []int64     `json:"guests,omitempty"`     // person (VIP) IDs
	Status      EventStatus `json:"status"`
	Sequence    int         `json:"sequence"` // iCalendar SEQUENCE; see Bump
	RRule       string      `json:"rrule,omitempty"`
	ExDates     []time.Time `json:"exdates,omitempty"`
	Overrides   []Override  `json:"overrides,omitempty"`
	ProgrammeID int64       `json:"programme_id,omitempty"` // 0: not part of a programme
	UpdatedAt   time.Time   `json:"updated_at"`
	// Zone is the wall clock the event's recurrence runs on: the
	// organisation's, set by whoever loads or builds the event (storage,
	// forms, .ics import); the zero Zone is Asia/Kolkata.
	Zone Zone `json:"-"`
}

// Override edits one occurrence of a recurring event (iCalendar
// RECURRENCE-ID). Zero-valued fields inherit from the series.
type Override struct {
	RecurrenceID time.Time   `json:"recurrence_id"` // original start of the occurrence
	Start        time.Time   `json:"start"`
	End          time.Time   `json:"end"`
	Title        string      `json:"title,omitempty"`
	TitleHi      string      `json:"title_hi,omitempty"`
	Venue        *Venue      `json:"venue,omitempty"`
	Guests       []int64     `json:"guests,omitempty"` // nil: the series' guests
	Status       EventStatus `json:"status,omitempty"`
}

// Recurring reports whether the event has a recurrence rule.
func (e *Event) Recurring() bool { return strings.TrimSpace(e.RRule) != "" }

// Duration is End - Start.
func (e *Event) Duration() time.Duration { return e.End.Sub(e.Start) }

// DisplayTitle returns the title in lang ("hi" or "en"), falling back to the
// other language.
func (e *Event) DisplayTitle(lang string) string {
	if lang == "hi" && e.TitleHi != "" {
		return e.TitleHi
	}
	if e.Title != "" {
		return e.Title
	}
	return e.TitleHi
}

// Normalise puts the event into its stored form: times in UTC truncated to
// the second, a default status, trimmed text, sorted de-duplicated people,
// ExDates sorted and de-duplicated, overrides sorted by RecurrenceID and the
// RRULE in canonical form when it parses (Validate reports it otherwise).
func (e *Event) Normalise() {
	e.UID = strings.TrimSpace(e.UID)
	e.Type = strings.ToLower(strings.TrimSpace(e.Type))
	e.Title = strings.TrimSpace(e.Title)
	e.TitleHi = strings.TrimSpace(e.TitleHi)
	e.Description = strings.TrimSpace(e.Description)
	e.Venue.Name = strings.TrimSpace(e.Venue.Name)
	e.Start = utcSecond(e.Start)
	e.End = utcSecond(e.End)
	e.UpdatedAt = utcSecond(e.UpdatedAt)
	if e.Status == "" {
		e.Status = EventConfirmed
	}
	e.Organisers = sortedIDs(e.Organisers)
	e.Guests = sortedIDs(e.Guests)
	if r := strings.TrimSpace(e.RRule); r != "" {
		if rule, err := ParseRRuleIn(r, e.Zone); err == nil {
			e.RRule = rule.String()
		} else {
			e.RRule = r
		}
	} else {
		e.RRule = ""
	}
	for i := range e.ExDates {
		e.ExDates[i] = utcSecond(e.ExDates[i])
	}
	slices.SortFunc(e.ExDates, time.Time.Compare)
	e.ExDates = slices.CompactFunc(e.ExDates, time.Time.Equal)
	for i := range e.Overrides {
		o := &e.Overrides[i]
		o.RecurrenceID = utcSecond(o.RecurrenceID)
		o.Start = utcSecond(o.Start)
		o.End = utcSecond(o.End)
		o.Title = strings.TrimSpace(o.Title)
		o.TitleHi = strings.TrimSpace(o.TitleHi)
		if o.Venue != nil {
			o.Venue.Name = strings.TrimSpace(o.Venue.Name)
		}
		if o.Guests != nil {
			o.Guests = sortedIDs(o.Guests)
		}
	}
	slices.SortStableFunc(e.Overrides, func(a, b Override) int { return a.RecurrenceID.Compare(b.RecurrenceID) })
}

// Bump marks a saved change: Sequence+1 and UpdatedAt = now. Calendar
// clients only take an update whose SEQUENCE is higher than the one they
// have, so storage calls this on every change a subscriber should see.
func (e *Event) Bump(now time.Time) {
	e.Sequence++
	e.UpdatedAt = utcSecond(now)
}

// Validate checks the event and returns nil or an error joining one
// *Error (code EINVALID) per offending field; ValidationErrors lists them.
// It does not know which units, types or people exist: storage checks that.
func (e *Event) Validate() error {
	var errs []error
	add := func(field string, m Msg) { errs = append(errs, NewError(EINVALID, field, m)) }
	if e.UID != "" {
		if msg := uidProblem(e.UID); !msg.IsZero() {
			errs = append(errs, NewError(EINVALID, "uid", msg))
		}
	}
	if e.UnitID <= 0 {
		add("unit", Msgf("choose the unit this event belongs to"))
	}
	if msg := typeProblem(e.Type); !msg.IsZero() {
		errs = append(errs, NewError(EINVALID, "type", msg))
	}
	if e.Title == "" && e.TitleHi == "" {
		add("title", Msgf("give a title in Hindi or English"))
	}
	checkEventText(add, "title", e.Title, MaxEventTitle, false)
	checkEventText(add, "title_hi", e.TitleHi, MaxEventTitle, false)
	checkEventText(add, "description", e.Description, MaxEventText, true)
	checkVenue(add, "venue", e.Venue)
	checkSpan(add, "", e.Start, e.End)
	if !e.Status.Valid() {
		add("status", Msgf("unknown status %q (want confirmed, tentative or cancelled)", string(e.Status)))
	}
	if e.Sequence < 0 {
		add("sequence", Msgf("must not be negative"))
	}
	checkIDs(add, "organisers", e.Organisers)
	checkIDs(add, "guests", e.Guests)
	if e.ProgrammeID < 0 {
		add("programme", Msgf("invalid programme ID %d", e.ProgrammeID))
	}

	if !e.Recurring() {
		if len(e.ExDates) > 0 {
			add("exdates", Msgf("exception dates need a recurrence rule"))
		}
		if len(e.Overrides) > 0 {
			add("overrides", Msgf("occurrence edits need a recurrence rule"))
		}
		return errors.Join(errs...)
	}
	rule, err := ParseRRuleIn(e.RRule, e.Zone)
	if err != nil {
		errs = append(errs, err)
		return errors.Join(errs...)
	}
	if e.Start.IsZero() {
		return errors.Join(errs...)
	}
	if !rule.Matches(e.Start) {
		add("start", Msgf("start %s is not an occurrence of the rule %q; pick a date the rule produces",
			e.Start, rule.String()))
	}
	for i, x := range e.ExDates {
		if !rule.IsOccurrence(e.Start, x) {
			add(fmt.Sprintf("exdates[%d]", i), Msgf("%s is not an occurrence of this event", x))
		}
	}
	seen := make(map[int64]bool, len(e.Overrides))
	for i, o := range e.Overrides {
		f := fmt.Sprintf("overrides[%d]", i)
		if o.RecurrenceID.IsZero() {
			add(f+".recurrence_id", Msgf("say which occurrence this edit is for"))
			continue
		}
		if seen[o.RecurrenceID.Unix()] {
			add(f+".recurrence_id", Msgf("occurrence %s is edited twice", o.RecurrenceID))
		}
		seen[o.RecurrenceID.Unix()] = true
		if !rule.IsOccurrence(e.Start, o.RecurrenceID) {
			add(f+".recurrence_id", Msgf("%s is not an occurrence of this event", o.RecurrenceID))
		}
		if !o.Start.IsZero() || !o.End.IsZero() {
			checkSpan(add, f+".", o.Start, o.End)
		}
		checkEventText(add, f+".title", o.Title, MaxEventTitle, false)
		checkEventText(add, f+".title_hi", o.TitleHi, MaxEventTitle, false)
		if o.Venue != nil {
			checkVenue(add, f+".venue", *o.Venue)
		}
		if o.Status != "" && !o.Status.Valid() {
			add(f+".status", Msgf("unknown status %q", string(o.Status)))
		}
		checkIDs(add, f+".guests", o.Guests)
	}
	return errors.Join(errs...)
}

// ValidationErrors returns the *Error values inside err (as returned by
// Validate), in order, so a form can show each next to its field.
func ValidationErrors(err error) []*Error {
	if err == nil {
		return nil
	}
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if e, ok := err.(*Error); ok {
			out = append(out, e)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			if x := u.Unwrap(); x != nil {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// NewEventUID returns a random UID "<32 hex>@karyakram" read from rnd
// (crypto/rand.Reader in production). UIDs never change once assigned.
func NewEventUID(rnd io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return "", fmt.Errorf("schedule: new event UID: %w", err)
	}
	return hex.EncodeToString(b[:]) + "@" + UIDDomain, nil
}

func utcSecond(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Second)
}

func sortedIDs(ids []int64) []int64 {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

func checkSpan(add func(string, Msg), prefix string, start, end time.Time) {
	switch {
	case start.IsZero():
		add(prefix+"start", Msgf("give a start date and time"))
	case end.IsZero():
		add(prefix+"end", Msgf("give an end date and time"))
	case !end.After(start):
		add(prefix+"end", Msgf("end %s must be after start %s", end, start))
	case end.Sub(start) > MaxEventDuration:
		add(prefix+"end", Msgf("an event may last at most %d days; split longer ones", int(MaxEventDuration/(24*time.Hour))))
	}
	if y := start.Year(); !start.IsZero() && (y < 2000 || y > 2200) {
		add(prefix+"start", Msgf("year %d is out of range", y))
	}
}

func checkVenue(add func(string, Msg), field string, v Venue) {
	checkEventText(add, field+".name", v.Name, MaxVenueName, false)
	if g := v.Geo; g != nil {
		if math.IsNaN(g.Lat) || g.Lat < -90 || g.Lat > 90 {
			add(field+".lat", Msgf("latitude %v is outside -90..90", g.Lat))
		}
		if math.IsNaN(g.Lon) || g.Lon < -180 || g.Lon > 180 {
			add(field+".lon", Msgf("longitude %v is outside -180..180", g.Lon))
		}
	}
}

func checkIDs(add func(string, Msg), field string, ids []int64) {
	if len(ids) > MaxEventPeople {
		add(field, Msgf("at most %d people", MaxEventPeople))
	}
	for _, id := range ids {
		if id <= 0 {
			add(field, Msgf("invalid person ID %d", id))
			return
		}
	}
}

func checkEventText(add func(string, Msg), field, s string, max int, multiline bool) {
	if !utf8.ValidString(s) {
		add(field, Msgf("is not valid UTF-8 text"))
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		add(field, Msgf("is %d characters long; at most %d", n, max))
	}
	if p := TextProblem(s, multiline); !p.IsZero() {
		add(field, p)
	}
}

func uidProblem(uid string) Msg {
	if len(uid) > MaxUIDLength {
		return Msgf("is %d bytes long; at most %d", len(uid), MaxUIDLength)
	}
	for i := 0; i < len(uid); i++ {
		if c := uid[i]; c <= ' ' || c >= 0x7f {
			return Msgf("may contain only printable ASCII without spaces")
		}
	}
	return Msg{}
}

func typeProblem(t string) Msg {
	if t == "" {
		return Msgf("choose an event type")
	}
	if len(t) > MaxEventTypeLen {
		return Msgf("type %q is longer than %d characters", t, MaxEventTypeLen)
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return Msgf("type %q may use only a-z, 0-9, '-' and '_'", t)
		}
	}
	return Msg{}
}
