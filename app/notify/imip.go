package notify

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// iMIP methods (RFC 5546 §1.4) the notices use.
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// Person is a calendar user: a name and an email address.
type Person struct {
	Name  string
	Email string
}

// Invitation is one event as an iMIP (RFC 6047) scheduling message to one
// attendee: METHOD:REQUEST for an invite or change, METHOD:CANCEL for a
// cancellation. Mail clients match updates by UID and take one only when
// its Sequence is higher than the one they hold.
type Invitation struct {
	Method      string
	UID         string
	Sequence    int
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	URL         string // the personal RSVP link
	Organizer   Person
	Attendee    Person
}

// Calendar returns the invitation as an iCalendar object (RFC 5545): CRLF
// line ends, lines folded at 75 octets without splitting a UTF-8
// character, times in UTC. stamp is the DTSTAMP.
func (inv *Invitation) Calendar(stamp time.Time) ([]byte, error) {
	if err := inv.validate(); err != nil {
		return nil, err
	}
	var b calWriter
	b.line("BEGIN:VCALENDAR")
	b.line("PRODID:-//karyakram//notify//EN")
	b.line("VERSION:2.0")
	b.line("CALSCALE:GREGORIAN")
	b.line("METHOD:" + inv.Method)
	b.line("BEGIN:VEVENT")
	b.line("UID:" + escapeText(inv.UID))
	b.line("SEQUENCE:" + strconv.Itoa(inv.Sequence))
	b.line("DTSTAMP:" + calTime(stamp))
	b.line("DTSTART:" + calTime(inv.Start))
	b.line("DTEND:" + calTime(inv.End))
	b.line("SUMMARY:" + escapeText(inv.Summary))
	if inv.Location != "" {
		b.line("LOCATION:" + escapeText(inv.Location))
	}
	if inv.Description != "" {
		b.line("DESCRIPTION:" + escapeText(inv.Description))
	}
	if inv.URL != "" {
		b.line("URL:" + inv.URL)
	}
	status, partstat := "CONFIRMED", ";PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
	if inv.Method == MethodCancel {
		status, partstat = "CANCELLED", ""
	}
	b.line("STATUS:" + status)
	b.line("ORGANIZER" + cnParam(inv.Organizer.Name) + ":mailto:" + inv.Organizer.Email)
	b.line("ATTENDEE" + cnParam(inv.Attendee.Name) + ";ROLE=REQ-PARTICIPANT" + partstat + ":mailto:" + inv.Attendee.Email)
	b.line("END:VEVENT")
	b.line("END:VCALENDAR")
	return b.Bytes(), nil
}

func (inv *Invitation) validate() error {
	switch {
	case inv.Method != MethodRequest && inv.Method != MethodCancel:
		return schedule.FieldError("invitation", "method %q is not REQUEST or CANCEL", inv.Method)
	case strings.TrimSpace(inv.UID) == "":
		return schedule.FieldError("invitation", "no UID")
	case inv.Start.IsZero() || !inv.End.After(inv.Start):
		return schedule.FieldError("invitation", "end %v is not after start %v", inv.End, inv.Start)
	case !plainAddress(inv.Organizer.Email):
		return schedule.FieldError("invitation", "organizer email %q is not a plain address", inv.Organizer.Email)
	case !plainAddress(inv.Attendee.Email):
		return schedule.FieldError("invitation", "attendee email %q is not a plain address", inv.Attendee.Email)
	case strings.ContainsAny(inv.URL, "\r\n\" "):
		return schedule.FieldError("invitation", "URL %q has forbidden characters", inv.URL)
	}
	return nil
}

// plainAddress accepts local@domain without characters that would break a
// content line or header.
func plainAddress(a string) bool {
	at := strings.IndexByte(a, '@')
	return at > 0 && at < len(a)-1 && !strings.ContainsAny(a, " \t\r\n<>\",;:\\")
}

func calTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes an iCalendar TEXT value (RFC 5545 §3.3.11).
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// cnParam returns ";CN=name", quoted, with the characters a parameter
// value cannot hold (DQUOTE and controls) dropped; "" for no name.
func cnParam(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" {
		return ""
	}
	return `;CN="` + name + `"`
}

// calWriter accumulates folded content lines.
type calWriter struct{ bytes.Buffer }

// line writes s folded at 75 octets (continuations start with a space,
// which counts) and never inside a UTF-8 sequence.
func (w *calWriter) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}

// String describes the invitation for logs.
func (inv *Invitation) String() string {
	return fmt.Sprintf("%s %s seq %d", inv.Method, inv.UID, inv.Sequence)
}
