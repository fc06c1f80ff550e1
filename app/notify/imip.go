package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/karyakram/karyakram/app/ical"
	"github.com/karyakram/karyakram/schedule"
)

// iMIP methods (RFC 5546 §1.4) the notices use.
const (
	MethodRequest = ical.MethodRequest
	MethodCancel  = ical.MethodCancel
)

// Person is a calendar user: a name and an email address.
type Person = ical.Person

// Invitation is one event as an iMIP (RFC 6047) scheduling message to one
// attendee: METHOD:REQUEST for an invite or change, METHOD:CANCEL for a
// cancellation. Mail clients match updates by UID and take one only when
// its SEQUENCE is higher than the one they hold.
//
// Event is the whole series when the event repeats: the calendar is
// written by the same encoder as the feeds (app/ical), so the invitation
// carries the same RRULE, EXDATE and edited occurrences under the same
// UID, and a calendar that has both holds one version of the event.
type Invitation struct {
	Method string
	Event  schedule.Event
	// Zone and Lang: the wall clock and language the calendar is written in.
	Zone schedule.Zone
	Lang string
	// Description is the message text; URL the personal RSVP link.
	Description string
	URL         string
	Organizer   Person
	Attendee    Person
}

// Calendar returns the invitation as an iCalendar object (RFC 5545): CRLF
// line ends, lines folded at 75 octets, times on the zone's wall clock
// with its VTIMEZONE. stamp is the DTSTAMP.
func (inv *Invitation) Calendar(stamp time.Time) ([]byte, error) {
	if err := inv.validate(); err != nil {
		return nil, err
	}
	return ical.Render(&ical.Feed{Lang: inv.Lang, Now: stamp, Zone: inv.Zone, Events: []schedule.Event{inv.Event},
		Scheduling: &ical.Scheduling{Method: inv.Method, Organizer: inv.Organizer, Attendee: inv.Attendee,
			URL: inv.URL, Description: inv.Description}})
}

func (inv *Invitation) validate() error {
	switch {
	case inv.Method != MethodRequest && inv.Method != MethodCancel:
		return schedule.FieldError("invitation", "method %q is not REQUEST or CANCEL", inv.Method)
	case strings.TrimSpace(inv.Event.UID) == "":
		return schedule.FieldError("invitation", "no UID")
	case inv.Event.Start.IsZero() || !inv.Event.End.After(inv.Event.Start):
		return schedule.FieldError("invitation", "end %v is not after start %v", inv.Event.End, inv.Event.Start)
	case !plainAddress(inv.Organizer.Email):
		return schedule.FieldError("invitation", "organizer email %q is not a plain address", inv.Organizer.Email)
	case !plainAddress(inv.Attendee.Email):
		return schedule.FieldError("invitation", "attendee email %q is not a plain address", inv.Attendee.Email)
	case strings.ContainsAny(inv.URL, "\r\n\" \t"):
		return schedule.FieldError("invitation", "URL %q has forbidden characters", inv.URL)
	}
	return nil
}

// plainAddress accepts local@domain without characters that would break a
// content line or header.
func plainAddress(a string) bool { return ical.PlainAddress(a) }

// String describes the invitation for logs.
func (inv *Invitation) String() string {
	return fmt.Sprintf("%s %s seq %d", inv.Method, inv.Event.UID, inv.Event.Sequence)
}
