// Package ical is karyakram's iCalendar (RFC 5545) adapter: it encodes
// schedule.Event values as subscription feeds and decodes uploaded .ics
// files into schedule.Event values for conflict checks.
//
// The encoder writes the text directly into a buffer, folding lines at 75
// octets on UTF-8 boundaries; its output is checked against
// github.com/emersion/go-ical's decoder and the npm ical.js parser in
// tests. See docs/benchmarks-ical.md for why it does not go through
// go-ical's encoder.
package ical

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/karyakram/karyakram/schedule"
)

// ContentType is the HTTP Content-Type of a feed.
const ContentType = "text/calendar; charset=utf-8"

// DefaultRefresh is how often clients are asked to re-fetch a feed when
// Feed.Refresh is zero.
const DefaultRefresh = time.Hour

// ProdID identifies the producer in every feed.
const ProdID = "-//karyakram//karyakram calendar//EN"

// Feed is one calendar to publish: a unit's subtree, a cluster, a person or
// a VIP.
type Feed struct {
	Name        string           // X-WR-CALNAME / NAME, e.g. "Lucknow district events"
	Description string           // X-WR-CALDESC; optional
	Lang        string           // "hi": Hindi title first in SUMMARY; otherwise English first
	Refresh     time.Duration    // REFRESH-INTERVAL and X-PUBLISHED-TTL; zero: DefaultRefresh
	Now         time.Time        // DTSTAMP of events whose UpdatedAt is zero
	Events      []schedule.Event // in the order to write them
	// Zone is the organisation's time zone: event times are written on
	// its wall clock with its TZID, and the feed carries its VTIMEZONE so
	// clients expand recurrences on that clock. The zero Zone is
	// Asia/Kolkata. (schedule.LoadZone admits only zones with one UTC
	// offset, so one STANDARD observance describes the zone exactly.)
	Zone schedule.Zone
	// Scheduling, when set, makes this an iTIP (RFC 5546) scheduling
	// object for one attendee instead of a subscription feed: METHOD,
	// ORGANIZER and ATTENDEE in every VEVENT, DTSTAMP = Now. The events
	// are written exactly as a feed writes them (the whole series of a
	// recurring event, with RRULE, EXDATE and its edited occurrences), so
	// a calendar that holds both the invitation and the feed holds one
	// version of the event.
	Scheduling *Scheduling
}

// iTIP methods used by invitations and replies.
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
	MethodReply   = "REPLY"
)

// Scheduling is the iTIP part of an invitation (RFC 5546, sent by email as
// iMIP, RFC 6047).
type Scheduling struct {
	Method    string // MethodRequest or MethodCancel
	Organizer Person // who replies go to (the organiser's mailbox)
	Attendee  Person // the invitee this copy is for
	// URL is the invitee's personal RSVP link; Description replaces the
	// events' DESCRIPTION (the message text).
	URL, Description string
}

// Person is a calendar user address with a display name.
type Person struct {
	Name  string
	Email string
}

// Render returns the encoded feed.
func Render(f *Feed) ([]byte, error) {
	e := encoder{buf: make([]byte, 0, 1024+700*len(f.Events))}
	if err := e.feed(f, nil); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// Encode writes the feed to w in chunks of about 64 KiB.
func Encode(w io.Writer, f *Feed) error {
	e := encoder{buf: make([]byte, 0, 80<<10)}
	return e.feed(f, w)
}

type encoder struct {
	buf   []byte // output
	line  []byte // the content line being built
	now   time.Time
	tzid  string        // the zone's TZID, e.g. "Asia/Kolkata"
	off   time.Duration // its UTC offset
	sched *Scheduling   // iTIP invitation; nil for a feed
}

const flushAt = 64 << 10

func (e *encoder) feed(f *Feed, w io.Writer) error {
	e.now = f.Now.UTC()
	e.tzid, e.off = f.Zone.Name(), f.Zone.Offset()
	e.sched = f.Scheduling
	if s := e.sched; s != nil {
		if err := s.validate(); err != nil {
			return err
		}
	}
	e.raw("BEGIN:VCALENDAR")
	e.raw("VERSION:2.0")
	e.raw("PRODID:" + ProdID)
	e.raw("CALSCALE:GREGORIAN")
	if e.sched != nil {
		e.raw("METHOD:" + e.sched.Method)
	}
	if f.Name != "" {
		e.text("NAME", f.Name)
		e.text("X-WR-CALNAME", f.Name)
	}
	if f.Description != "" {
		e.text("X-WR-CALDESC", f.Description)
	}
	if e.sched == nil { // a subscription: how often to re-fetch it
		e.raw("X-WR-TIMEZONE:" + e.tzid)
		refresh := f.Refresh
		if refresh <= 0 {
			refresh = DefaultRefresh
		}
		dur := durationValue(refresh)
		e.raw("REFRESH-INTERVAL;VALUE=DURATION:" + dur)
		e.raw("X-PUBLISHED-TTL:" + dur)
	}
	e.timezone(f.Zone)
	for i := range f.Events {
		if err := e.event(&f.Events[i], f.Lang); err != nil {
			return err
		}
		if w != nil && len(e.buf) >= flushAt {
			if _, err := w.Write(e.buf); err != nil {
				return fmt.Errorf("ical: write feed: %w", err)
			}
			e.buf = e.buf[:0]
		}
	}
	e.raw("END:VCALENDAR")
	if w != nil {
		if _, err := w.Write(e.buf); err != nil {
			return fmt.Errorf("ical: write feed: %w", err)
		}
	}
	return nil
}

func (e *encoder) event(ev *schedule.Event, lang string) error {
	if ev.UID == "" {
		return fmt.Errorf("ical: event %d has no UID", ev.ID)
	}
	if ev.Start.IsZero() || !ev.End.After(ev.Start) {
		return fmt.Errorf("ical: event %d (%s) has no valid start/end", ev.ID, ev.UID)
	}
	var rrule string
	if ev.Recurring() {
		r, err := schedule.ParseRRule(ev.RRule)
		if err != nil {
			return fmt.Errorf("ical: event %d (%s): %w", ev.ID, ev.UID, err)
		}
		rrule = r.String()
	}
	stamp := ev.UpdatedAt
	if stamp.IsZero() || e.sched != nil {
		stamp = e.now
	}
	description := ev.Description
	if e.sched != nil && e.sched.Description != "" {
		description = e.sched.Description
	}
	status := ev.Status
	if status == "" {
		status = schedule.EventConfirmed
	}

	e.raw("BEGIN:VEVENT")
	e.common(ev, stamp)
	e.localTime("DTSTART", ev.Start)
	e.localTime("DTEND", ev.End)
	e.summary(ev.Title, ev.TitleHi, lang)
	e.venue(ev.Venue)
	if description != "" {
		e.text("DESCRIPTION", description)
	}
	if ev.Type != "" {
		e.text("CATEGORIES", ev.Type)
	}
	e.status(status)
	e.parties(status)
	if rrule != "" {
		e.raw("RRULE:" + rrule)
		if len(ev.ExDates) > 0 {
			e.line = append(e.line[:0], "EXDATE;TZID="...)
			e.line = append(e.line, e.tzid...)
			e.line = append(e.line, ':')
			for i, x := range ev.ExDates {
				if i > 0 {
					e.line = append(e.line, ',')
				}
				e.line = e.appendLocal(e.line, x)
			}
			e.emit()
		}
	}
	if !ev.UpdatedAt.IsZero() {
		e.utcTime("LAST-MODIFIED", ev.UpdatedAt)
	}
	e.raw("END:VEVENT")

	if rrule == "" {
		return nil
	}
	for i := range ev.Overrides {
		o := &ev.Overrides[i]
		if o.RecurrenceID.IsZero() {
			continue
		}
		start, end := o.RecurrenceID, o.RecurrenceID.Add(ev.Duration())
		if !o.Start.IsZero() && o.End.After(o.Start) {
			start, end = o.Start, o.End
		}
		title, titleHi := ev.Title, ev.TitleHi
		if o.Title != "" {
			title = o.Title
		}
		if o.TitleHi != "" {
			titleHi = o.TitleHi
		}
		venue := ev.Venue
		if o.Venue != nil {
			venue = *o.Venue
		}
		st := status
		if o.Status != "" {
			st = o.Status
		}
		e.raw("BEGIN:VEVENT")
		e.common(ev, stamp)
		e.localTime("RECURRENCE-ID", o.RecurrenceID)
		e.localTime("DTSTART", start)
		e.localTime("DTEND", end)
		e.summary(title, titleHi, lang)
		e.venue(venue)
		if description != "" {
			e.text("DESCRIPTION", description)
		}
		if ev.Type != "" {
			e.text("CATEGORIES", ev.Type)
		}
		e.status(st)
		e.parties(st)
		if !ev.UpdatedAt.IsZero() {
			e.utcTime("LAST-MODIFIED", ev.UpdatedAt)
		}
		e.raw("END:VEVENT")
	}
	return nil
}

func (e *encoder) common(ev *schedule.Event, stamp time.Time) {
	e.line = append(e.line[:0], "UID:"...)
	e.line = appendText(e.line, ev.UID)
	e.emit()
	e.utcTime("DTSTAMP", stamp)
	e.line = append(e.line[:0], "SEQUENCE:"...)
	e.line = strconv.AppendInt(e.line, int64(max(ev.Sequence, 0)), 10)
	e.emit()
}

func (e *encoder) summary(title, titleHi, lang string) {
	first, second := title, titleHi
	if lang == "hi" || first == "" {
		first, second = titleHi, title
	}
	if first == "" {
		first, second = second, ""
	}
	e.line = append(e.line[:0], "SUMMARY:"...)
	e.line = appendText(e.line, first)
	if second != "" && second != first {
		e.line = append(e.line, " / "...)
		e.line = appendText(e.line, second)
	}
	e.emit()
}

func (e *encoder) venue(v schedule.Venue) {
	if v.Name != "" {
		e.text("LOCATION", v.Name)
	}
	if g := v.Geo; g != nil {
		e.line = append(e.line[:0], "GEO:"...)
		e.line = strconv.AppendFloat(e.line, g.Lat, 'f', 6, 64)
		e.line = append(e.line, ';')
		e.line = strconv.AppendFloat(e.line, g.Lon, 'f', 6, 64)
		e.emit()
	}
}

// parties writes an invitation's URL, ORGANIZER and ATTENDEE (asked to
// reply unless the method cancels or the occurrence is cancelled).
func (e *encoder) parties(st schedule.EventStatus) {
	s := e.sched
	if s == nil {
		return
	}
	if s.URL != "" {
		e.raw("URL:" + s.URL)
	}
	e.line = append(e.line[:0], "ORGANIZER"...)
	e.line = appendCN(e.line, s.Organizer.Name)
	e.line = append(e.line, ":mailto:"...)
	e.line = append(e.line, s.Organizer.Email...)
	e.emit()
	e.line = append(e.line[:0], "ATTENDEE"...)
	e.line = appendCN(e.line, s.Attendee.Name)
	e.line = append(e.line, ";ROLE=REQ-PARTICIPANT"...)
	if s.Method == MethodRequest && st != schedule.EventCancelled {
		e.line = append(e.line, ";PARTSTAT=NEEDS-ACTION;RSVP=TRUE"...)
	}
	e.line = append(e.line, ":mailto:"...)
	e.line = append(e.line, s.Attendee.Email...)
	e.emit()
}

// appendCN appends ;CN="name" without the characters a quoted parameter
// value cannot hold (DQUOTE, controls); nothing for no name.
func appendCN(b []byte, name string) []byte {
	clean := strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if clean == "" {
		return b
	}
	b = append(b, `;CN="`...)
	b = append(b, clean...)
	return append(b, '"')
}

// validate checks what goes into content lines unescaped.
func (s *Scheduling) validate() error {
	switch {
	case s.Method != MethodRequest && s.Method != MethodCancel:
		return fmt.Errorf("ical: scheduling method %q is not REQUEST or CANCEL", s.Method)
	case !PlainAddress(s.Organizer.Email):
		return fmt.Errorf("ical: organizer %q is not a plain email address", s.Organizer.Email)
	case !PlainAddress(s.Attendee.Email):
		return fmt.Errorf("ical: attendee %q is not a plain email address", s.Attendee.Email)
	case strings.ContainsAny(s.URL, "\r\n\" \t"):
		return fmt.Errorf("ical: URL %q has characters a URI cannot hold", s.URL)
	}
	return nil
}

// PlainAddress accepts local@domain without characters that would break a
// content line, a mailto: URI or a mail header.
func PlainAddress(a string) bool {
	at := strings.IndexByte(a, '@')
	return at > 0 && at < len(a)-1 && len(a) <= 254 && !strings.ContainsAny(a, " \t\r\n<>\",;:\\()[]")
}

func (e *encoder) status(s schedule.EventStatus) {
	switch s {
	case schedule.EventCancelled:
		e.raw("STATUS:CANCELLED")
	case schedule.EventTentative:
		e.raw("STATUS:TENTATIVE")
	default:
		e.raw("STATUS:CONFIRMED")
	}
}

// raw writes a line known to be short and clean.
func (e *encoder) raw(s string) {
	e.line = append(e.line[:0], s...)
	e.emit()
}

func (e *encoder) text(name, value string) {
	e.line = append(e.line[:0], name...)
	e.line = append(e.line, ':')
	e.line = appendText(e.line, value)
	e.emit()
}

func (e *encoder) localTime(name string, t time.Time) {
	e.line = append(e.line[:0], name...)
	e.line = append(e.line, ";TZID="...)
	e.line = append(e.line, e.tzid...)
	e.line = append(e.line, ':')
	e.line = e.appendLocal(e.line, t)
	e.emit()
}

// timezone writes the zone's VTIMEZONE: one STANDARD observance with its
// fixed offset.
func (e *encoder) timezone(z schedule.Zone) {
	off := offsetValue(z.Offset())
	e.raw("BEGIN:VTIMEZONE")
	e.raw("TZID:" + z.Name())
	e.raw("BEGIN:STANDARD")
	e.raw("DTSTART:19700101T000000")
	e.raw("TZOFFSETFROM:" + off)
	e.raw("TZOFFSETTO:" + off)
	e.text("TZNAME", z.Label())
	e.raw("END:STANDARD")
	e.raw("END:VTIMEZONE")
}

// offsetValue formats a UTC offset as an RFC 5545 UTC-OFFSET: +0530.
func offsetValue(d time.Duration) string {
	sign := byte('+')
	if d < 0 {
		sign, d = '-', -d
	}
	m := int(d / time.Minute)
	b := []byte{sign}
	b = append2(b, m/60)
	b = append2(b, m%60)
	if s := int(d/time.Second) % 60; s != 0 {
		b = append2(b, s)
	}
	return string(b)
}

func (e *encoder) utcTime(name string, t time.Time) {
	e.line = append(e.line[:0], name...)
	e.line = append(e.line, ':')
	e.line = appendStamp(e.line, t.UTC())
	e.line = append(e.line, 'Z')
	e.emit()
}

func (e *encoder) emit() {
	if len(e.line) <= MaxLineOctets {
		e.buf = append(e.buf, e.line...)
		e.buf = append(e.buf, '\r', '\n')
		return
	}
	e.buf = appendFolded(e.buf, e.line)
}

// appendLocal appends t on the zone's wall clock as a DATE-TIME without
// zone (the zone's offset is fixed, so adding it is exact).
func (e *encoder) appendLocal(b []byte, t time.Time) []byte {
	return appendStamp(b, t.UTC().Add(e.off))
}

// appendStamp appends t's UTC fields as YYYYMMDDTHHMMSS.
func appendStamp(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	b = append4(b, y)
	b = append2(b, int(m))
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, hh)
	b = append2(b, mm)
	return append2(b, ss)
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10%10), byte('0'+n%10))
}

func append4(b []byte, n int) []byte {
	if n < 0 || n > 9999 {
		n = 0
	}
	return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

// appendText appends s escaped as an RFC 5545 TEXT value: backslash,
// semicolon and comma escaped, newlines as \n, other control characters
// and invalid UTF-8 dropped.
func appendText(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		var esc string
		switch {
		case c == '\\':
			esc = `\\`
		case c == ';':
			esc = `\;`
		case c == ',':
			esc = `\,`
		case c == '\n':
			esc = `\n`
		case c < ' ' && c != '\t' || c == 0x7f:
			esc = ""
		default:
			i++
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		i++
		start = i
	}
	return append(b, s[start:]...)
}

// durationValue formats d as an RFC 5545 DURATION: PT1H, PT30M, P1D.
func durationValue(d time.Duration) string {
	d = d.Round(time.Second)
	if d%(24*time.Hour) == 0 {
		return "P" + strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "D"
	}
	s := "PT"
	if h := d / time.Hour; h > 0 {
		s += strconv.FormatInt(int64(h), 10) + "H"
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		s += strconv.FormatInt(int64(m), 10) + "M"
		d -= m * time.Minute
	}
	if d > 0 {
		s += strconv.FormatInt(int64(d/time.Second), 10) + "S"
	}
	return s
}
