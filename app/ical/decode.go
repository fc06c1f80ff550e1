package ical

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/karyakram/karyakram/schedule"
)

// Import limits.
const (
	DefaultMaxImportBytes  = 4 << 20 // 4 MiB
	DefaultMaxImportEvents = 20000
	maxNesting             = 16
	// ImportedType is the Event.Type of imported events.
	ImportedType = "imported"
)

// DecodeOptions controls Decode.
type DecodeOptions struct {
	MaxBytes  int64 // reject larger files (ETOOLARGE); 0: DefaultMaxImportBytes
	MaxEvents int   // reject files with more VEVENTs (ETOOLARGE); 0: DefaultMaxImportEvents
	// GuestID, when set, becomes the only guest of every imported event:
	// importing a VIP's own calendar books that VIP at each of its events,
	// so schedule.FindConflicts checks them against the VIP's bookings.
	GuestID int64
	// Zone reads floating times (no TZID, no Z) on the organisation's
	// clock; the zero Zone is Asia/Kolkata.
	Zone schedule.Zone
}

// Imported is the result of Decode.
type Imported struct {
	Name   string           // X-WR-CALNAME, if any
	Events []schedule.Event // UnitID 0, Type "imported"; overrides attached to their series
	// Skipped explains each event that was left out or simplified, e.g.
	// "event “Dinner” (uid x): no DTSTART; skipped".
	Skipped []string
}

// Decode reads an uploaded iCalendar file into events for conflict
// checking. Syntax errors fail the whole file with an EINVALID
// *schedule.Error naming the line; a file over the limits fails with
// ETOOLARGE; an event that cannot be used (no start, unknown time zone,
// end before start) is skipped and explained in Imported.Skipped.
// Recurrence rules outside schedule's subset keep the first occurrence.
// Decode never panics on any input.
func Decode(r io.Reader, opts DecodeOptions) (*Imported, error) {
	cal, err := decodeCalendar(r, opts)
	if err != nil {
		return nil, err
	}
	return convert(cal, opts), nil
}

// DecodeCalendar parses an iCalendar file into go-ical components: a
// replacement for goical.NewDecoder(r).Decode() for untrusted input, which
// is linear in the input, limits size and nesting, reports line numbers,
// accepts LF line ends and concatenated VCALENDARs, and never panics.
// maxBytes 0 means DefaultMaxImportBytes.
func DecodeCalendar(r io.Reader, maxBytes int64) (*goical.Calendar, error) {
	return decodeCalendar(r, DecodeOptions{MaxBytes: maxBytes})
}

func fileError(line int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	return &schedule.Error{Code: schedule.EINVALID, Field: "file", Message: msg}
}

func decodeCalendar(r io.Reader, opts DecodeOptions) (*goical.Calendar, error) {
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxImportBytes
	}
	maxEvents := opts.MaxEvents
	if maxEvents <= 0 {
		maxEvents = DefaultMaxImportEvents
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("ical: read upload: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, schedule.Errorf(schedule.ETOOLARGE, "the calendar file is larger than %d KiB", maxBytes>>10)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.ToValidUTF8(data, []byte("\uFFFD"))

	type open struct {
		comp *goical.Component
		line int
	}
	var (
		cal     *goical.Calendar
		stack   []open
		events  int
		logical []byte
		lineNo  int // line where the logical line starts
	)
	handle := func(l []byte, n int) error {
		if len(bytes.TrimSpace(l)) == 0 {
			return nil
		}
		prop, err := parseContentLine(string(l))
		if err != nil {
			return fileError(n, "%s", err)
		}
		switch prop.Name {
		case "BEGIN":
			name := strings.ToUpper(strings.TrimSpace(prop.Value))
			if name == "" {
				return fileError(n, "BEGIN without a component name")
			}
			if len(stack) == 0 && name != goical.CompCalendar {
				return fileError(n, "expected BEGIN:VCALENDAR, found BEGIN:%s; is this an iCalendar (.ics) file?", clip(name))
			}
			if len(stack) >= maxNesting {
				return fileError(n, "components nested more than %d deep", maxNesting)
			}
			if name == goical.CompEvent {
				if events++; events > maxEvents {
					return schedule.Errorf(schedule.ETOOLARGE, "the calendar has more than %d events", maxEvents)
				}
			}
			c := goical.NewComponent(name)
			if len(stack) > 0 {
				parent := stack[len(stack)-1].comp
				parent.Children = append(parent.Children, c)
			}
			stack = append(stack, open{c, n})
		case "END":
			name := strings.ToUpper(strings.TrimSpace(prop.Value))
			if len(stack) == 0 {
				return fileError(n, "END:%s without a matching BEGIN", clip(name))
			}
			top := stack[len(stack)-1]
			if top.comp.Name != name {
				return fileError(n, "END:%s does not close BEGIN:%s from line %d", clip(name), top.comp.Name, top.line)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 { // a VCALENDAR ended; merge concatenated ones
				if cal == nil {
					cal = &goical.Calendar{Component: top.comp}
				} else {
					cal.Children = append(cal.Children, top.comp.Children...)
				}
			}
		default:
			if len(stack) == 0 {
				if cal != nil {
					return fileError(n, "property %s after END:VCALENDAR", clip(prop.Name))
				}
				return fileError(n, "expected BEGIN:VCALENDAR, found %s; is this an iCalendar (.ics) file?", clip(prop.Name))
			}
			c := stack[len(stack)-1].comp
			c.Props[prop.Name] = append(c.Props[prop.Name], *prop)
		}
		return nil
	}

	n := 0
	for rest := data; len(rest) > 0; {
		var line []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			line, rest = rest, nil
		}
		n++
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if lineNo == 0 {
				return nil, fileError(n, "a folded continuation line with nothing before it")
			}
			logical = append(logical, line[1:]...)
			continue
		}
		if lineNo > 0 {
			if err := handle(logical, lineNo); err != nil {
				return nil, err
			}
		}
		logical = append(logical[:0], line...)
		lineNo = n
	}
	if lineNo > 0 {
		if err := handle(logical, lineNo); err != nil {
			return nil, err
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return nil, fileError(0, "BEGIN:%s on line %d is never closed; the file may be cut short", top.comp.Name, top.line)
	}
	if cal == nil {
		return nil, fileError(0, "the file is empty or has no BEGIN:VCALENDAR")
	}
	return cal, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func isNameChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// parseContentLine splits `NAME;PARAM=a,"b;c":value` (RFC 5545 §3.1).
func parseContentLine(s string) (*goical.Prop, error) {
	i := 0
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	if i == 0 {
		return nil, fmt.Errorf("expected a property name, found %q", clip(s))
	}
	prop := &goical.Prop{Name: strings.ToUpper(s[:i]), Params: goical.Params{}}
	for i < len(s) && s[i] == ';' {
		i++
		j := i
		for j < len(s) && isNameChar(s[j]) {
			j++
		}
		if j == i || j >= len(s) || s[j] != '=' {
			return nil, fmt.Errorf("property %s: malformed parameter (want NAME=value)", clip(prop.Name))
		}
		pname := strings.ToUpper(s[i:j])
		i = j + 1
		for {
			var v string
			if i < len(s) && s[i] == '"' {
				end := strings.IndexByte(s[i+1:], '"')
				if end < 0 {
					return nil, fmt.Errorf("property %s: unterminated quoted parameter value", clip(prop.Name))
				}
				v = s[i+1 : i+1+end]
				i += end + 2
			} else {
				j := i
				for j < len(s) && s[j] != ';' && s[j] != ':' && s[j] != ',' && s[j] != '"' {
					j++
				}
				v = s[i:j]
				i = j
			}
			prop.Params[pname] = append(prop.Params[pname], v)
			if i < len(s) && s[i] == ',' {
				i++
				continue
			}
			break
		}
		if i < len(s) && s[i] != ';' && s[i] != ':' {
			return nil, fmt.Errorf("property %s: unexpected %q in parameter %s", clip(prop.Name), s[i], clip(pname))
		}
	}
	if i >= len(s) || s[i] != ':' {
		return nil, fmt.Errorf("property %s: missing ':' before the value", clip(prop.Name))
	}
	prop.Value = s[i+1:]
	return prop, nil
}

// unescapeText reads a TEXT value leniently: unknown escapes keep the
// escaped character.
func unescapeText(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// windowsZones maps the Windows zone names Outlook writes as TZID to IANA
// names, for the zones a VIP's calendar is likely to use.
var windowsZones = map[string]string{
	"India Standard Time":      "Asia/Kolkata",
	"UTC":                      "UTC",
	"GMT Standard Time":        "Europe/London",
	"Arabian Standard Time":    "Asia/Dubai",
	"Singapore Standard Time":  "Asia/Singapore",
	"Eastern Standard Time":    "America/New_York",
	"Pacific Standard Time":    "America/Los_Angeles",
	"W. Europe Standard Time":  "Europe/Berlin",
	"Nepal Standard Time":      "Asia/Kathmandu",
	"Bangladesh Standard Time": "Asia/Dhaka",
}

type converter struct {
	org   schedule.Zone // floating times and DATE exceptions
	zones map[string]*time.Location
	vtz   map[string]*goical.Component
}

func (c *converter) location(tzid string) (*time.Location, error) {
	tzid = strings.TrimSpace(tzid)
	if loc, ok := c.zones[tzid]; ok {
		if loc == nil {
			return nil, fmt.Errorf("unknown time zone %q", clip(tzid))
		}
		return loc, nil
	}
	var loc *time.Location
	name := strings.TrimPrefix(tzid, "/") // some producers prefix a slash
	if iana, ok := windowsZones[name]; ok {
		name = iana
	}
	if name == "Asia/Calcutta" {
		name = "Asia/Kolkata"
	}
	if name == c.org.Name() {
		loc = c.org.Location()
	} else if isZoneName(name) {
		if l, err := time.LoadLocation(name); err == nil {
			loc = l
		}
	}
	if loc == nil {
		loc = c.fixedFromVTimezone(tzid)
	}
	if len(c.zones) < 64 { // bound the cache against files with endless TZIDs
		c.zones[tzid] = loc
	}
	if loc == nil {
		return nil, fmt.Errorf("unknown time zone %q", clip(tzid))
	}
	return loc, nil
}

// isZoneName accepts IANA-looking names only, so a TZID never becomes an
// arbitrary file path for time.LoadLocation.
func isZoneName(s string) bool {
	if s == "" || len(s) > 64 || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isNameChar(c) || c == '/' || c == '+') {
			return false
		}
	}
	return true
}

// fixedFromVTimezone uses the calendar's own VTIMEZONE for a zone the
// system does not know: the UTC offset of its last STANDARD rule, which is
// exact for zones without daylight saving.
func (c *converter) fixedFromVTimezone(tzid string) *time.Location {
	comp := c.vtz[tzid]
	if comp == nil {
		return nil
	}
	off, ok := 0, false
	for _, ch := range comp.Children {
		if ch.Name != goical.CompTimezoneStandard {
			continue
		}
		if p := ch.Props.Get(goical.PropTimezoneOffsetTo); p != nil {
			if o, good := parseOffset(p.Value); good {
				off, ok = o, true
			}
		}
	}
	if !ok {
		return nil
	}
	return time.FixedZone(clip(tzid), off)
}

func parseOffset(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil {
		return 0, false
	}
	var sec int
	if len(s) == 5 {
		sec = n/100*3600 + n%100*60
	} else {
		sec = n/10000*3600 + n/100%100*60 + n%100
	}
	if sec > 18*3600 {
		return 0, false
	}
	if s[0] == '-' {
		sec = -sec
	}
	return sec, true
}

// dateTime reads a DATE or DATE-TIME value: UTC ("…Z"), with TZID, or
// floating (read on the organisation's clock). isDate reports a DATE value
// (all day).
func (c *converter) dateTime(value string, params goical.Params) (t time.Time, isDate bool, err error) {
	value = strings.TrimSpace(value)
	loc := c.org.Location()
	if tzid := params.Get("TZID"); tzid != "" && !strings.HasSuffix(value, "Z") {
		if loc, err = c.location(tzid); err != nil {
			return time.Time{}, false, err
		}
	}
	switch {
	case len(value) == 8 || strings.EqualFold(params.Get("VALUE"), "DATE"):
		t, err = time.ParseInLocation("20060102", value, loc)
		isDate = true
	case len(value) == 16 && value[15] == 'Z':
		t, err = time.Parse("20060102T150405Z", value)
	case len(value) == 15:
		t, err = time.ParseInLocation("20060102T150405", value, loc)
	default:
		err = fmt.Errorf("bad length")
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%q is not a date (20250504) or date-time (20250504T100000)", clip(value))
	}
	if y := t.Year(); y < 1900 || y > 2200 {
		return time.Time{}, false, fmt.Errorf("year %d is out of range", y)
	}
	return t.UTC(), isDate, nil
}

func convert(cal *goical.Calendar, opts DecodeOptions) *Imported {
	c := &converter{org: opts.Zone, zones: map[string]*time.Location{}, vtz: map[string]*goical.Component{}}
	out := &Imported{}
	if p := cal.Props.Get("X-WR-CALNAME"); p != nil {
		out.Name = unescapeText(p.Value)
	}
	for _, ch := range cal.Children {
		if ch.Name == goical.CompTimezone {
			if p := ch.Props.Get(goical.PropTimezoneID); p != nil {
				c.vtz[strings.TrimSpace(p.Value)] = ch
			}
		}
	}
	type override struct {
		uid string
		o   schedule.Override
		ev  schedule.Event
	}
	var overrides []override
	index := map[string]int{} // UID -> master event index
	for n, ch := range cal.Children {
		if ch.Name != goical.CompEvent {
			continue
		}
		ev, rid, note := c.event(ch, n, opts)
		if note != "" {
			out.Skipped = append(out.Skipped, note)
		}
		if ev == nil {
			continue
		}
		if !rid.IsZero() {
			overrides = append(overrides, override{ev.UID, schedule.Override{
				RecurrenceID: rid, Start: ev.Start, End: ev.End, Title: ev.Title,
				Venue: &ev.Venue, Guests: ev.Guests, Status: ev.Status,
			}, *ev})
			continue
		}
		if _, dup := index[ev.UID]; dup {
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s: a second event with the same UID; skipped", label(ev)))
			continue
		}
		index[ev.UID] = len(out.Events)
		out.Events = append(out.Events, *ev)
	}
	for _, ov := range overrides {
		if i, ok := index[ov.uid]; ok && out.Events[i].Recurring() {
			m := &out.Events[i]
			m.Overrides = append(m.Overrides, ov.o)
			continue
		}
		// An edited occurrence whose series is absent (or not recurring)
		// still occupies its time: keep it as a single event.
		ov.ev.UID = ov.uid + "#" + ov.o.RecurrenceID.Format("20060102T150405Z")
		out.Events = append(out.Events, ov.ev)
	}
	return out
}

func label(ev *schedule.Event) string {
	title := ev.Title
	if title == "" {
		title = "(untitled)"
	}
	return fmt.Sprintf("event “%s” (uid %s)", clip(title), clip(ev.UID))
}

// event converts one VEVENT. It returns nil and a note when the event
// cannot be used; rid is its RECURRENCE-ID, if any.
func (c *converter) event(comp *goical.Component, n int, opts DecodeOptions) (ev *schedule.Event, rid time.Time, note string) {
	text := func(name string) string {
		if p := comp.Props.Get(name); p != nil {
			return strings.TrimSpace(unescapeText(p.Value))
		}
		return ""
	}
	ev = &schedule.Event{
		UID:    text(goical.PropUID),
		Type:   ImportedType,
		Title:  text(goical.PropSummary),
		Venue:  schedule.Venue{Name: text(goical.PropLocation)},
		Status: schedule.EventConfirmed,
		Zone:   c.org, // its rule expands on the organisation's clock
	}
	if len(ev.UID) > schedule.MaxUIDLength {
		ev.UID = ev.UID[:schedule.MaxUIDLength]
	}
	if ev.UID == "" {
		ev.UID = fmt.Sprintf("imported-%d", n)
	}
	if opts.GuestID > 0 {
		ev.Guests = []int64{opts.GuestID}
	}
	skip := func(format string, args ...any) (*schedule.Event, time.Time, string) {
		return nil, time.Time{}, label(ev) + ": " + fmt.Sprintf(format, args...) + "; skipped"
	}
	switch strings.ToUpper(text(goical.PropStatus)) {
	case "CANCELLED":
		ev.Status = schedule.EventCancelled
	case "TENTATIVE":
		ev.Status = schedule.EventTentative
	}
	if p := comp.Props.Get(goical.PropSequence); p != nil {
		if s, err := strconv.Atoi(strings.TrimSpace(p.Value)); err == nil && s > 0 {
			ev.Sequence = s
		}
	}
	if p := comp.Props.Get(goical.PropGeo); p != nil {
		if lat, lon, ok := strings.Cut(p.Value, ";"); ok {
			la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
			lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
			if err1 == nil && err2 == nil && la >= -90 && la <= 90 && lo >= -180 && lo <= 180 && !math.IsNaN(la+lo) {
				ev.Venue.Geo = &schedule.LatLon{Lat: la, Lon: lo}
			}
		}
	}
	if p := comp.Props.Get(goical.PropLastModified); p != nil {
		if t, _, err := c.dateTime(p.Value, p.Params); err == nil {
			ev.UpdatedAt = t
		}
	}

	sp := comp.Props.Get(goical.PropDateTimeStart)
	if sp == nil {
		return skip("no DTSTART")
	}
	start, allDay, err := c.dateTime(sp.Value, sp.Params)
	if err != nil {
		return skip("DTSTART: %v", err)
	}
	ev.Start = start
	switch ep, dp := comp.Props.Get(goical.PropDateTimeEnd), comp.Props.Get(goical.PropDuration); {
	case ep != nil:
		end, _, err := c.dateTime(ep.Value, ep.Params)
		if err != nil {
			return skip("DTEND: %v", err)
		}
		ev.End = end
	case dp != nil:
		d, err := dp.Duration()
		if err != nil || d < 0 || d > schedule.MaxEventDuration {
			return skip("DURATION %q is not usable", clip(dp.Value))
		}
		ev.End = start.Add(d)
	case allDay:
		ev.End = start.Add(24 * time.Hour)
	default:
		ev.End = start
	}
	if ev.End.Before(ev.Start) {
		m := c.org.Moments(schedule.LangEnglish)
		return skip("it ends (%s) before it starts (%s)", m.DateTime(ev.End), m.DateTime(ev.Start))
	}
	if ev.End.Sub(ev.Start) > schedule.MaxEventDuration {
		return skip("it lasts more than %d days", int(schedule.MaxEventDuration/(24*time.Hour)))
	}

	if p := comp.Props.Get(goical.PropRecurrenceID); p != nil {
		t, _, err := c.dateTime(p.Value, p.Params)
		if err != nil {
			return skip("RECURRENCE-ID: %v", err)
		}
		return ev, t, ""
	}
	if p := comp.Props.Get(goical.PropRecurrenceRule); p != nil {
		rule, err := schedule.ParseRRuleIn(p.Value, c.org)
		if err != nil {
			note = label(ev) + ": repeats by a rule this system cannot expand (" + schedule.ErrorMessage(err) +
				"); only its first occurrence is checked"
			return ev, time.Time{}, note
		}
		ev.RRule = rule.String()
		for _, xp := range comp.Props[goical.PropExceptionDates] {
			for v := range strings.SplitSeq(xp.Value, ",") {
				x, isDate, err := c.dateTime(v, xp.Params)
				if err != nil {
					continue
				}
				if isDate && !allDay { // a DATE exception of a timed series: that day's occurrence
					y, m, d := c.org.In(x).Date()
					hh, mm, ss := c.org.In(ev.Start).Clock()
					x = time.Date(y, m, d, hh, mm, ss, 0, c.org.Location()).UTC()
				}
				ev.ExDates = append(ev.ExDates, x)
			}
		}
	}
	return ev, time.Time{}, ""
}
