package ical

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/karyakram/karyakram/schedule"
)

// Reply is an attendee's answer to an invitation, as a calendar client
// sends it (iTIP METHOD:REPLY, RFC 5546 §3.2.3): which event (UID, and
// RecurrenceID when the answer is for one occurrence only), who
// (Attendee, the address the invitation was sent to) and what (PartStat:
// ACCEPTED, DECLINED, TENTATIVE, …).
type Reply struct {
	UID          string
	RecurrenceID time.Time // zero: the whole event or series
	Sequence     int       // the SEQUENCE of the invitation answered
	Attendee     string    // email address, lower case
	PartStat     string    // upper case
	Stamp        time.Time // DTSTAMP
}

// MaxReplyBytes bounds a reply's calendar; real ones are a few KiB.
const MaxReplyBytes = 256 << 10

// ParseReply reads an iTIP REPLY from untrusted data. It fails with an
// EINVALID *schedule.Error saying what is wrong (not a calendar, another
// method, no or several attendees, replies for several events) and never
// panics. An answer for one occurrence has RecurrenceID set; zone is the
// organisation's, for a floating RECURRENCE-ID.
func ParseReply(data []byte, zone schedule.Zone) (Reply, error) {
	var r Reply
	cal, err := DecodeCalendar(bytes.NewReader(data), MaxReplyBytes)
	if err != nil {
		return r, err
	}
	bad := func(format string, args ...any) (Reply, error) {
		return Reply{}, schedule.FieldError("calendar", format, args...)
	}
	method := ""
	if p := cal.Props.Get(goical.PropMethod); p != nil {
		method = strings.ToUpper(strings.TrimSpace(p.Value))
	}
	if method != MethodReply {
		return bad("the calendar's METHOD is %q, not REPLY", clip(method))
	}
	var events []*goical.Component
	for _, ch := range cal.Children {
		if ch.Name == goical.CompEvent {
			events = append(events, ch)
		}
	}
	if len(events) == 0 {
		return bad("the reply has no VEVENT")
	}
	c := &converter{org: zone, zones: map[string]*time.Location{}, vtz: map[string]*goical.Component{}}
	for i, ev := range events {
		text := func(name string) string {
			if p := ev.Props.Get(name); p != nil {
				return strings.TrimSpace(p.Value)
			}
			return ""
		}
		uid := unescapeText(text(goical.PropUID))
		if uid == "" {
			return bad("the reply's VEVENT has no UID")
		}
		atts := ev.Props[goical.PropAttendee]
		if len(atts) != 1 {
			return bad("the reply names %d attendees; a reply is from exactly one", len(atts))
		}
		addr, ok := mailtoAddress(atts[0].Value)
		if !ok {
			return bad("ATTENDEE %q is not a mailto: address", clip(atts[0].Value))
		}
		ps := strings.ToUpper(strings.TrimSpace(atts[0].Params.Get(goical.ParamParticipationStatus)))
		if ps == "" {
			return bad("the attendee gives no PARTSTAT")
		}
		var rid time.Time
		if p := ev.Props.Get(goical.PropRecurrenceID); p != nil {
			if rid, _, err = c.dateTime(p.Value, p.Params); err != nil {
				return bad("RECURRENCE-ID: %v", err)
			}
		}
		seq := 0
		if s := text(goical.PropSequence); s != "" {
			if seq, err = strconv.Atoi(s); err != nil || seq < 0 {
				return bad("SEQUENCE %q is not a number", clip(s))
			}
		}
		var stamp time.Time
		if p := ev.Props.Get(goical.PropDateTimeStamp); p != nil {
			stamp, _, _ = c.dateTime(p.Value, p.Params)
		}
		cur := Reply{UID: uid, RecurrenceID: rid, Sequence: seq, Attendee: addr, PartStat: ps, Stamp: stamp}
		switch {
		case i == 0:
			r = cur
		case cur.UID != r.UID || cur.Attendee != r.Attendee:
			return bad("the reply answers several events")
		case r.RecurrenceID.IsZero():
			// The series answer stands; occurrence answers beside it
			// (Outlook sends both) do not change it.
		case cur.RecurrenceID.IsZero():
			r = cur
		}
	}
	return r, nil
}

// mailtoAddress returns the lower-case address of a mailto: URI.
func mailtoAddress(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if len(v) < 7 || !strings.EqualFold(v[:7], "mailto:") {
		return "", false
	}
	a := strings.ToLower(strings.TrimSpace(v[7:]))
	if i := strings.IndexByte(a, '?'); i >= 0 {
		a = a[:i]
	}
	if !PlainAddress(a) {
		return "", false
	}
	return a, true
}

// String describes the reply for logs.
func (r Reply) String() string {
	s := fmt.Sprintf("%s from %s: %s (seq %d)", r.UID, r.Attendee, r.PartStat, r.Sequence)
	if !r.RecurrenceID.IsZero() {
		s += " for the occurrence of " + r.RecurrenceID.UTC().Format(time.RFC3339)
	}
	return s
}
