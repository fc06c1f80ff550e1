package schedule

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxProgrammeWindow is the longest date window a programme may have.
const MaxProgrammeWindow = 366 * 24 * time.Hour

// Programme is a statewide (or any-level) programme template: one action
// creates an event of this type for every unit in scope, and each unit's
// committee then sets its own date, venue and guests inside the window.
type Programme struct {
	ID          int64     `json:"id"`
	Type        string    `json:"type"`
	Title       string    `json:"title,omitempty"`
	TitleHi     string    `json:"title_hi,omitempty"`
	Description string    `json:"description,omitempty"`
	WindowStart time.Time `json:"window_start"` // events may start from here
	WindowEnd   time.Time `json:"window_end"`   // and must end by here
	// ProposedStart is the placeholder start of created events; zero means
	// 10:00 on the organisation's clock (Zone) on the window's first day.
	ProposedStart time.Time `json:"proposed_start,omitzero"`
	// ProposedLength is the placeholder length; zero means two hours.
	ProposedLength time.Duration `json:"proposed_length,omitempty"`
	// Zone is the organisation's time zone (zero: Asia/Kolkata), set by
	// whoever loads the programme.
	Zone Zone `json:"-"`
}

// Validate checks the template; ID must be set because event UIDs derive
// from it.
func (p *Programme) Validate() error {
	var errs []error
	add := func(field string, m Msg) { errs = append(errs, NewError(EINVALID, field, m)) }
	if p.ID <= 0 {
		add("id", Msgf("save the programme before creating its events"))
	}
	if msg := typeProblem(p.Type); !msg.IsZero() {
		errs = append(errs, NewError(EINVALID, "type", msg))
	}
	if p.Title == "" && p.TitleHi == "" {
		add("title", Msgf("give a title in Hindi or English"))
	}
	checkEventText(add, "title", p.Title, MaxEventTitle, false)
	checkEventText(add, "title_hi", p.TitleHi, MaxEventTitle, false)
	checkEventText(add, "description", p.Description, MaxEventText, true)
	switch {
	case p.WindowStart.IsZero():
		add("window_start", Msgf("give the first day of the programme"))
	case p.WindowEnd.IsZero():
		add("window_end", Msgf("give the last day of the programme"))
	case !p.WindowEnd.After(p.WindowStart):
		add("window_end", Msgf("the window ends (%s) before it starts (%s)", p.WindowEnd, p.WindowStart))
	case p.WindowEnd.Sub(p.WindowStart) > MaxProgrammeWindow:
		add("window_end", Msgf("a programme window may be at most a year"))
	default:
		s, e := p.proposed()
		if s.Before(p.WindowStart) || e.After(p.WindowEnd) {
			add("proposed_start", Msgf("the proposed time %s must lie inside the window", s))
		}
	}
	if p.ProposedLength < 0 {
		add("proposed_length", Msgf("must not be negative"))
	}
	return errors.Join(errs...)
}

func (p *Programme) proposed() (start, end time.Time) {
	start = p.ProposedStart
	if start.IsZero() {
		y, m, d := p.Zone.In(p.WindowStart).Date()
		start = p.Zone.Date(y, m, d, 10, 0)
	}
	length := p.ProposedLength
	if length <= 0 {
		length = 2 * time.Hour
	}
	return start.UTC(), start.Add(length).UTC()
}

// ProgrammeEventUID is the UID of programme programmeID's event at a unit,
// "programme-12-unit-345@karyakram". It is deterministic so re-running a
// programme finds, rather than duplicates, the events already created
// (storage should also keep UID unique).
func ProgrammeEventUID(programmeID, unitID int64) string {
	return "programme-" + strconv.FormatInt(programmeID, 10) + "-unit-" + strconv.FormatInt(unitID, 10) + "@" + UIDDomain
}

// ScheduledFor reports whether a unit's programme event counts as scheduled:
// the committee has confirmed it with a venue, and it lies inside the
// window. Created placeholders are tentative without a venue, so they do
// not count; nor does a cancelled event.
func (p *Programme) ScheduledFor(e *Event) bool {
	return e.Status == EventConfirmed && strings.TrimSpace(e.Venue.Name) != "" &&
		!e.Start.Before(p.WindowStart) && !e.End.After(p.WindowEnd)
}

// CheckEvent reports an EINVALID field error when a programme event is
// moved outside the programme's window.
func (p *Programme) CheckEvent(e *Event) error {
	if e.Start.Before(p.WindowStart) || e.End.After(p.WindowEnd) {
		return FieldError("start", "this programme runs from %s to %s; choose a time inside it",
			p.WindowStart, p.WindowEnd)
	}
	return nil
}

// ProgrammePlan is what running a programme over some units means.
type ProgrammePlan struct {
	// Create holds one tentative placeholder event per unit that has none
	// yet, in unit order, with deterministic UIDs.
	Create []Event
	// Existing counts units that already have the programme's event.
	Existing int
	// Scheduled and Unscheduled partition the units (sorted IDs) by
	// ScheduledFor; units in Create are unscheduled.
	Scheduled   []int64
	Unscheduled []int64
}

// PlanProgramme works out, without side effects, what running programme p
// over unitIDs does given the events that already exist (any events: those
// of p are recognised by ProgrammeID or by UID). Running the plan and then
// planning again yields nothing to create, so the action is idempotent
// even if it is interrupted halfway. now stamps created events.
func PlanProgramme(p Programme, unitIDs []int64, existing []Event, now time.Time) (ProgrammePlan, error) {
	if err := p.Validate(); err != nil {
		return ProgrammePlan{}, fmt.Errorf("programme %d: %w", p.ID, err)
	}
	units := slices.Clone(unitIDs)
	slices.Sort(units)
	units = slices.Compact(units)
	if len(units) > 0 && units[0] <= 0 {
		return ProgrammePlan{}, FieldError("units", "invalid unit ID %d", units[0])
	}
	have := make(map[int64]*Event, len(existing))
	for i := range existing {
		e := &existing[i]
		if e.ProgrammeID == p.ID || e.UID == ProgrammeEventUID(p.ID, e.UnitID) {
			// Prefer a live event over a cancelled one if a unit has both.
			if prev, ok := have[e.UnitID]; !ok || prev.Status == EventCancelled {
				have[e.UnitID] = e
			}
		}
	}
	start, end := p.proposed()
	now = utcSecond(now)
	var plan ProgrammePlan
	for _, u := range units {
		if e, ok := have[u]; ok {
			plan.Existing++
			if p.ScheduledFor(e) {
				plan.Scheduled = append(plan.Scheduled, u)
			} else {
				plan.Unscheduled = append(plan.Unscheduled, u)
			}
			continue
		}
		plan.Create = append(plan.Create, Event{
			UID:         ProgrammeEventUID(p.ID, u),
			UnitID:      u,
			Type:        p.Type,
			Title:       p.Title,
			TitleHi:     p.TitleHi,
			Description: p.Description,
			Start:       start,
			End:         end,
			Status:      EventTentative,
			ProgrammeID: p.ID,
			UpdatedAt:   now,
			Zone:        p.Zone,
		})
		plan.Unscheduled = append(plan.Unscheduled, u)
	}
	return plan, nil
}
