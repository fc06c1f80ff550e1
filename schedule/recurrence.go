package schedule

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Frequency is an RRULE FREQ value this package expands.
type Frequency string

// Supported frequencies.
const (
	Daily   Frequency = "DAILY"
	Weekly  Frequency = "WEEKLY"
	Monthly Frequency = "MONTHLY"
	Yearly  Frequency = "YEARLY"
)

// Recurrence limits.
const (
	MaxRRuleInterval = 1000
	MaxRRuleCount    = 10000
	// MaxOccurrences bounds one expansion (Event.Occurrences, RRule.Between)
	// so a daily rule over a century cannot exhaust memory.
	MaxOccurrences = 20000
	// maxRecurYear ends every expansion: a rule that can never match (30
	// February) stops here instead of looping for ever.
	maxRecurYear = 2200
)

// WeekdayNum is one BYDAY entry: a weekday and an optional ordinal N
// (0: every such weekday; 2: the second; -1: the last) counted within the
// month (FREQ=MONTHLY, or YEARLY with BYMONTH) or the year.
type WeekdayNum struct {
	N   int
	Day time.Weekday
}

// RRule is a parsed recurrence rule: the practical subset of RFC 5545
// §3.3.10 the calendar uses (FREQ DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL,
// COUNT, UNTIL, BYDAY with ordinals, BYMONTHDAY, BYMONTH, WKST). Rules are
// expanded on the wall clock of Zone (the organisation's; the zero Zone is
// Asia/Kolkata), anchored at the event start (DTSTART); the occurrence's
// time of day is DTSTART's there.
type RRule struct {
	Freq       Frequency
	Interval   int          // >= 1
	Count      int          // 0: unbounded (or bounded by Until)
	Until      time.Time    // zero: none; inclusive, an instant
	ByDay      []WeekdayNum // e.g. {-1, Sunday} for "last Sunday"
	ByMonthDay []int        // 1..31 or -31..-1 (from the month's end)
	ByMonth    []time.Month
	WeekStart  time.Weekday // WKST, default Monday
	// Zone is the wall clock the rule runs on (not part of the RRULE
	// text: an event's zone; see ParseRRuleIn).
	Zone Zone
}

var dayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func parseDayCode(s string) (time.Weekday, bool) {
	for i, c := range dayCodes {
		if c == s {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

func rruleError(format string, args ...any) *Error {
	return FieldError("rrule", format, args...)
}

// ParseRRule parses an RRULE value such as
// "FREQ=MONTHLY;BYDAY=-1SU" (an optional "RRULE:" prefix is accepted) for
// the default zone (Asia/Kolkata); see ParseRRuleIn. Parts outside the
// supported subset are rejected with an EINVALID *Error naming them, never
// silently ignored.
func ParseRRule(s string) (RRule, error) { return ParseRRuleIn(s, Zone{}) }

// ParseRRuleIn parses an RRULE that runs on zone's wall clock: a floating
// or date-only UNTIL is read there, and the rule expands there.
func ParseRRuleIn(s string, zone Zone) (RRule, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 6 && strings.EqualFold(s[:6], "RRULE:") {
		s = s[6:]
	}
	if s == "" {
		return RRule{}, rruleError("the recurrence rule is empty")
	}
	if len(s) > 1000 {
		return RRule{}, rruleError("the recurrence rule is too long")
	}
	r := RRule{Interval: 1, WeekStart: time.Monday, Zone: zone}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ";") {
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		key = strings.ToUpper(strings.TrimSpace(key))
		val = strings.ToUpper(strings.TrimSpace(val))
		if !ok || key == "" || val == "" {
			return RRule{}, rruleError("%q is not NAME=VALUE", part)
		}
		if seen[key] {
			return RRule{}, rruleError("%s is given twice", key)
		}
		seen[key] = true
		var err error
		switch key {
		case "FREQ":
			switch f := Frequency(val); f {
			case Daily, Weekly, Monthly, Yearly:
				r.Freq = f
			case "SECONDLY", "MINUTELY", "HOURLY":
				return RRule{}, rruleError("FREQ=%s is not supported (daily, weekly, monthly or yearly)", val)
			default:
				return RRule{}, rruleError("unknown FREQ %q", val)
			}
		case "INTERVAL":
			r.Interval, err = ruleInt(key, val, 1, MaxRRuleInterval)
		case "COUNT":
			r.Count, err = ruleInt(key, val, 1, MaxRRuleCount)
		case "UNTIL":
			r.Until, err = parseUntil(val, zone)
		case "BYMONTH":
			for v := range strings.SplitSeq(val, ",") {
				m, err := ruleInt(key, v, 1, 12)
				if err != nil {
					return RRule{}, err
				}
				r.ByMonth = append(r.ByMonth, time.Month(m))
			}
		case "BYMONTHDAY":
			for v := range strings.SplitSeq(val, ",") {
				d, err := ruleInt(key, v, -31, 31)
				if err != nil {
					return RRule{}, err
				}
				if d == 0 {
					return RRule{}, rruleError("BYMONTHDAY=0 is not a day")
				}
				r.ByMonthDay = append(r.ByMonthDay, d)
			}
		case "BYDAY":
			for v := range strings.SplitSeq(val, ",") {
				wn, err := parseWeekdayNum(v)
				if err != nil {
					return RRule{}, err
				}
				r.ByDay = append(r.ByDay, wn)
			}
		case "WKST":
			d, ok := parseDayCode(val)
			if !ok {
				return RRule{}, rruleError("WKST=%s is not a weekday (MO..SU)", val)
			}
			r.WeekStart = d
		case "BYSETPOS", "BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND":
			return RRule{}, rruleError("%s is not supported; use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH", key)
		default:
			return RRule{}, rruleError("unknown rule part %q", key)
		}
		if err != nil {
			return RRule{}, err
		}
	}
	if r.Freq == "" {
		return RRule{}, rruleError("FREQ is required (e.g. FREQ=MONTHLY)")
	}
	if r.Count > 0 && !r.Until.IsZero() {
		return RRule{}, rruleError("give COUNT or UNTIL, not both")
	}
	for _, wn := range r.ByDay {
		switch {
		case wn.N == 0:
		case r.Freq == Daily || r.Freq == Weekly:
			return RRule{}, rruleError("BYDAY=%s: a numbered weekday needs FREQ=MONTHLY or YEARLY", wn)
		case r.Freq == Monthly || len(r.ByMonth) > 0:
			if wn.N < -5 || wn.N > 5 {
				return RRule{}, rruleError("BYDAY=%s: a month has at most 5 of each weekday", wn)
			}
		}
	}
	if r.Freq == Weekly && len(r.ByMonthDay) > 0 {
		return RRule{}, rruleError("BYMONTHDAY cannot be used with FREQ=WEEKLY")
	}
	slices.Sort(r.ByMonth)
	r.ByMonth = slices.Compact(r.ByMonth)
	slices.Sort(r.ByMonthDay)
	r.ByMonthDay = slices.Compact(r.ByMonthDay)
	return r, nil
}

func ruleInt(key, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		return 0, rruleError("%s=%s: want a number from %d to %d", key, v, lo, hi)
	}
	return n, nil
}

func parseWeekdayNum(v string) (WeekdayNum, error) {
	v = strings.TrimSpace(v)
	if len(v) < 2 {
		return WeekdayNum{}, rruleError("BYDAY=%s is not a weekday like SU, 2MO or -1SU", v)
	}
	day, ok := parseDayCode(v[len(v)-2:])
	if !ok {
		return WeekdayNum{}, rruleError("BYDAY=%s is not a weekday like SU, 2MO or -1SU", v)
	}
	wn := WeekdayNum{Day: day}
	if num := v[:len(v)-2]; num != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(num, "+"))
		if err != nil || n == 0 || n < -53 || n > 53 || strings.HasPrefix(num, "+-") {
			return WeekdayNum{}, rruleError("BYDAY=%s: the number must be 1..53 or -53..-1", v)
		}
		wn.N = n
	}
	return wn, nil
}

// parseUntil accepts UTC ("20250601T000000Z"), floating ("20250601T000000",
// read on the zone's clock) and date ("20250601": through the end of that
// day there).
func parseUntil(v string, zone Zone) (time.Time, error) {
	var t time.Time
	var err error
	switch len(v) {
	case 16:
		t, err = time.Parse("20060102T150405Z", v)
	case 15:
		t, err = time.ParseInLocation("20060102T150405", v, zone.Location())
	case 8:
		t, err = time.ParseInLocation("20060102", v, zone.Location())
		t = t.Add(24*time.Hour - time.Second)
	default:
		err = fmt.Errorf("bad length")
	}
	if err != nil {
		return time.Time{}, rruleError("UNTIL=%s is not a date (20250601) or UTC time (20250601T000000Z)", v)
	}
	return t.UTC(), nil
}

// String formats the weekday as in BYDAY ("SU", "-1SU", "2MO").
func (w WeekdayNum) String() string {
	if w.N == 0 {
		return dayCodes[w.Day%7]
	}
	return strconv.Itoa(w.N) + dayCodes[w.Day%7]
}

// String returns the rule in canonical RFC 5545 form without the "RRULE:"
// prefix, UNTIL in UTC: "FREQ=MONTHLY;BYDAY=-1SU".
func (r RRule) String() string {
	var b strings.Builder
	b.WriteString("FREQ=")
	b.WriteString(string(r.Freq))
	if r.Interval > 1 {
		b.WriteString(";INTERVAL=")
		b.WriteString(strconv.Itoa(r.Interval))
	}
	if r.Count > 0 {
		b.WriteString(";COUNT=")
		b.WriteString(strconv.Itoa(r.Count))
	}
	if !r.Until.IsZero() {
		b.WriteString(";UNTIL=")
		b.WriteString(r.Until.UTC().Format("20060102T150405Z"))
	}
	if len(r.ByMonth) > 0 {
		b.WriteString(";BYMONTH=")
		for i, m := range r.ByMonth {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(int(m)))
		}
	}
	if len(r.ByMonthDay) > 0 {
		b.WriteString(";BYMONTHDAY=")
		for i, d := range r.ByMonthDay {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
	}
	if len(r.ByDay) > 0 {
		b.WriteString(";BYDAY=")
		for i, w := range r.ByDay {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(w.String())
		}
	}
	if r.WeekStart != time.Monday {
		b.WriteString(";WKST=")
		b.WriteString(dayCodes[r.WeekStart%7])
	}
	return b.String()
}

// civil is a calendar date; it is kept as midnight UTC so date arithmetic
// never meets a zone transition.
type civil = time.Time

func (r RRule) civilOf(t time.Time) civil {
	y, m, d := r.Zone.In(t).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func monthDays(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// All returns the occurrence starts of the rule anchored at dtstart, in
// order, as UTC instants: DTSTART first (RFC 5545 counts it as the first
// occurrence even when it does not match the rule), then every date the
// rule produces after it at DTSTART's time of day on the rule's clock, up to COUNT/UNTIL or
// the year 2200.
func (r RRule) All(dtstart time.Time) iter.Seq[time.Time] {
	return r.from(dtstart, time.Time{})
}

// from is All, skipping whole periods that end before skipTo when the rule
// has no COUNT (a COUNT must be counted from the start).
func (r RRule) from(dtstart, skipTo time.Time) iter.Seq[time.Time] {
	return func(yield func(time.Time) bool) {
		if dtstart.IsZero() || r.Freq == "" {
			return
		}
		interval := max(r.Interval, 1)
		loc := r.Zone.Location()
		local := dtstart.In(loc)
		hh, mm, ss := local.Clock()
		start := r.civilOf(dtstart)
		dtstart = dtstart.Truncate(time.Second)
		emitted := 0
		emit := func(t time.Time) (more bool) {
			if r.Count > 0 && emitted >= r.Count {
				return false
			}
			if !r.Until.IsZero() && t.After(r.Until) {
				return false
			}
			emitted++
			return yield(t.UTC())
		}
		if !emit(dtstart) {
			return
		}
		k := 0
		if r.Count == 0 && !skipTo.IsZero() && skipTo.After(dtstart) {
			k = max(r.periodsBefore(start, r.civilOf(skipTo))/interval-1, 0)
		}
		var buf []civil
		for ; ; k++ {
			buf = r.periodDates(buf[:0], start, k*interval)
			if len(buf) == 0 && r.periodStart(start, k*interval).Year() > maxRecurYear {
				return
			}
			for _, d := range buf {
				if d.Year() > maxRecurYear {
					return
				}
				t := time.Date(d.Year(), d.Month(), d.Day(), hh, mm, ss, 0, loc)
				if !t.After(dtstart) {
					continue
				}
				if !emit(t) {
					return
				}
			}
		}
	}
}

// periodsBefore is how many whole periods lie between the period of start
// and that of d.
func (r RRule) periodsBefore(start, d civil) int {
	switch r.Freq {
	case Daily:
		return int(d.Sub(start).Hours() / 24)
	case Weekly:
		return int(d.Sub(start).Hours()/24) / 7
	case Monthly:
		return (d.Year()-start.Year())*12 + int(d.Month()) - int(start.Month())
	default:
		return d.Year() - start.Year()
	}
}

// periodStart is the first day of period number n (in units of FREQ)
// counted from the period containing start.
func (r RRule) periodStart(start civil, n int) civil {
	switch r.Freq {
	case Daily:
		return start.AddDate(0, 0, n)
	case Weekly:
		back := (int(start.Weekday()) - int(r.WeekStart) + 7) % 7
		return start.AddDate(0, 0, 7*n-back)
	case Monthly:
		return time.Date(start.Year(), start.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	default:
		return time.Date(start.Year()+n, 1, 1, 0, 0, 0, 0, time.UTC)
	}
}

// periodDates appends the dates the rule produces in period n, ascending.
func (r RRule) periodDates(buf []civil, start civil, n int) []civil {
	p := r.periodStart(start, n)
	switch r.Freq {
	case Daily:
		if r.monthOK(p.Month()) && r.monthDayOK(p) && r.plainDayOK(p.Weekday()) {
			buf = append(buf, p)
		}
	case Weekly:
		for i := 0; i < 7; i++ {
			d := p.AddDate(0, 0, i)
			ok := d.Weekday() == start.Weekday()
			if len(r.ByDay) > 0 {
				ok = r.plainDayOK(d.Weekday())
			}
			if ok && r.monthOK(d.Month()) {
				buf = append(buf, d)
			}
		}
	case Monthly:
		if r.monthOK(p.Month()) {
			buf = r.monthDates(buf, p.Year(), p.Month(), start.Day())
		}
	case Yearly:
		y := p.Year()
		hasOrdinal := slices.ContainsFunc(r.ByDay, func(w WeekdayNum) bool { return w.N != 0 })
		switch {
		case len(r.ByMonth) == 0 && hasOrdinal:
			buf = r.yearScopeDates(buf, y)
		case len(r.ByMonth) > 0:
			for _, m := range r.ByMonth {
				buf = r.monthDates(buf, y, m, start.Day())
			}
		case len(r.ByMonthDay) > 0 || len(r.ByDay) > 0:
			for m := time.January; m <= time.December; m++ {
				buf = r.monthDates(buf, y, m, start.Day())
			}
		default:
			if start.Day() <= monthDays(y, start.Month()) {
				buf = append(buf, time.Date(y, start.Month(), start.Day(), 0, 0, 0, 0, time.UTC))
			}
		}
	}
	return buf
}

// monthDates appends the matching dates of one month: BYMONTHDAY and BYDAY
// (ordinals counted within the month) intersected, or DTSTART's day of the
// month when neither is given (months without that day are skipped).
func (r RRule) monthDates(buf []civil, y int, m time.Month, defaultDay int) []civil {
	n := monthDays(y, m)
	if len(r.ByMonthDay) == 0 && len(r.ByDay) == 0 {
		if defaultDay <= n {
			buf = append(buf, time.Date(y, m, defaultDay, 0, 0, 0, 0, time.UTC))
		}
		return buf
	}
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	for d := 1; d <= n; d++ {
		day := first.AddDate(0, 0, d-1)
		if len(r.ByMonthDay) > 0 && !r.monthDayOK(day) {
			continue
		}
		if len(r.ByDay) > 0 && !weekdayMatch(r.ByDay, day.Weekday(), (d-1)/7+1, (n-d)/7+1) {
			continue
		}
		buf = append(buf, day)
	}
	return buf
}

// yearScopeDates handles FREQ=YEARLY with numbered BYDAY and no BYMONTH:
// "the 20th Monday of the year".
func (r RRule) yearScopeDates(buf []civil, y int) []civil {
	first := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	n := time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).YearDay()
	for yd := 1; yd <= n; yd++ {
		day := first.AddDate(0, 0, yd-1)
		if !weekdayMatch(r.ByDay, day.Weekday(), (yd-1)/7+1, (n-yd)/7+1) {
			continue
		}
		if len(r.ByMonthDay) > 0 && !r.monthDayOK(day) {
			continue
		}
		buf = append(buf, day)
	}
	return buf
}

// weekdayMatch reports whether a day with weekday wd, being the fwd-th such
// weekday from the start of its scope and the back-th from its end, matches
// any BYDAY entry.
func weekdayMatch(by []WeekdayNum, wd time.Weekday, fwd, back int) bool {
	for _, w := range by {
		if w.Day != wd {
			continue
		}
		if w.N == 0 || w.N == fwd || -w.N == back {
			return true
		}
	}
	return false
}

func (r RRule) monthOK(m time.Month) bool {
	return len(r.ByMonth) == 0 || slices.Contains(r.ByMonth, m)
}

func (r RRule) monthDayOK(d civil) bool {
	if len(r.ByMonthDay) == 0 {
		return true
	}
	n := monthDays(d.Year(), d.Month())
	for _, md := range r.ByMonthDay {
		if md == d.Day() || md < 0 && n+1+md == d.Day() {
			return true
		}
	}
	return false
}

// plainDayOK applies un-numbered BYDAY entries (DAILY and WEEKLY rules).
func (r RRule) plainDayOK(wd time.Weekday) bool {
	if len(r.ByDay) == 0 {
		return true
	}
	for _, w := range r.ByDay {
		if w.Day == wd {
			return true
		}
	}
	return false
}

// Matches reports whether t's date on the rule's clock is one the rule's pattern produces
// (ignoring INTERVAL, COUNT and UNTIL): for "FREQ=MONTHLY;BYDAY=-1SU",
// whether t falls on a last Sunday. Validate requires an event's start to
// match its rule so DTSTART is a real occurrence.
func (r RRule) Matches(t time.Time) bool {
	day := r.civilOf(t)
	for _, d := range r.periodDates(nil, day, 0) {
		if d.Equal(day) {
			return true
		}
	}
	return false
}

// IsOccurrence reports whether t is exactly the start of an occurrence of
// the rule anchored at dtstart.
func (r RRule) IsOccurrence(dtstart, t time.Time) bool {
	for s := range r.from(dtstart, t) {
		if s.Equal(t) {
			return true
		}
		if s.After(t) {
			return false
		}
	}
	return false
}

// Between returns the occurrence starts s of the rule anchored at dtstart
// with from <= s < to. It fails with ETOOLARGE past MaxOccurrences.
func (r RRule) Between(dtstart, from, to time.Time) ([]time.Time, error) {
	var out []time.Time
	for s := range r.from(dtstart, from) {
		if !s.Before(to) {
			break
		}
		if s.Before(from) {
			continue
		}
		if len(out) == MaxOccurrences {
			return nil, Errorf(ETOOLARGE, "more than %d occurrences between %s and %s; choose a shorter range",
				MaxOccurrences, from, to)
		}
		out = append(out, s)
	}
	return out, nil
}

// Occurrence is one concrete instance of an event: a single event itself,
// or one expanded instance of a recurring event with any per-occurrence
// edit applied.
type Occurrence struct {
	Event        *Event      // the event (series) it comes from
	RecurrenceID time.Time   // original start; zero for a non-recurring event
	Start, End   time.Time   // UTC
	Title        string      // effective titles
	TitleHi      string      //
	Venue        Venue       // effective venue
	Guests       []int64     // effective guests
	Status       EventStatus // effective status
	Overridden   bool        // an Override applied
}

// Occurrences returns the event's occurrences that overlap [from, to)
// (Start < to and End > from), sorted by start. Occurrences named in
// ExDates are dropped; overrides replace their occurrence and may move it
// into or out of the range. A non-recurring event yields itself. Cancelled
// occurrences are included with Status cancelled; conflict rules skip them.
func (e *Event) Occurrences(from, to time.Time) ([]Occurrence, error) {
	base := Occurrence{Event: e, Start: e.Start.UTC(), End: e.End.UTC(), Title: e.Title, TitleHi: e.TitleHi,
		Venue: e.Venue, Guests: e.Guests, Status: e.Status}
	if base.Status == "" {
		base.Status = EventConfirmed
	}
	if !e.Recurring() {
		if base.Start.Before(to) && base.End.After(from) {
			return []Occurrence{base}, nil
		}
		return nil, nil
	}
	rule, err := ParseRRuleIn(e.RRule, e.Zone)
	if err != nil {
		return nil, fmt.Errorf("event %d: %w", e.ID, err)
	}
	dur := e.End.Sub(e.Start)
	exdates := make(map[int64]bool, len(e.ExDates))
	for _, x := range e.ExDates {
		exdates[x.Unix()] = true
	}
	overrides := make(map[int64]bool, len(e.Overrides))
	for _, o := range e.Overrides {
		overrides[o.RecurrenceID.Unix()] = true
	}
	excluded := func(t time.Time) bool { return exdates[t.Unix()] }
	overridden := func(t time.Time) bool { return overrides[t.Unix()] }
	starts, err := rule.Between(e.Start, from.Add(-dur), to)
	if err != nil {
		return nil, fmt.Errorf("event %d: %w", e.ID, err)
	}
	var out []Occurrence
	for _, s := range starts {
		if excluded(s) || overridden(s) {
			continue
		}
		o := base
		o.RecurrenceID, o.Start, o.End = s, s, s.Add(dur)
		if o.End.After(from) {
			out = append(out, o)
		}
	}
	// Overrides name occurrences anywhere in the series: expand once up to
	// the latest of them (not once per override) to check they exist.
	var series []time.Time
	if len(e.Overrides) > 0 {
		last := e.Overrides[0].RecurrenceID
		for _, ov := range e.Overrides[1:] {
			if ov.RecurrenceID.After(last) {
				last = ov.RecurrenceID
			}
		}
		if series, err = rule.Between(e.Start, e.Start, last.Add(time.Second)); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.ID, err)
		}
	}
	for _, ov := range e.Overrides {
		rid := ov.RecurrenceID.UTC()
		if _, ok := slices.BinarySearchFunc(series, rid, time.Time.Compare); !ok || excluded(rid) {
			continue
		}
		o := base
		o.RecurrenceID, o.Start, o.End, o.Overridden = rid, rid, rid.Add(dur), true
		if !ov.Start.IsZero() && !ov.End.IsZero() {
			o.Start, o.End = ov.Start.UTC(), ov.End.UTC()
		}
		if ov.Title != "" {
			o.Title = ov.Title
		}
		if ov.TitleHi != "" {
			o.TitleHi = ov.TitleHi
		}
		if ov.Venue != nil {
			o.Venue = *ov.Venue
		}
		if ov.Guests != nil {
			o.Guests = ov.Guests
		}
		if ov.Status != "" {
			o.Status = ov.Status
		}
		if o.Start.Before(to) && o.End.After(from) {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b Occurrence) int { return a.Start.Compare(b.Start) })
	if len(out) > MaxOccurrences {
		return nil, Errorf(ETOOLARGE, "event %d has more than %d occurrences in the range", e.ID, MaxOccurrences)
	}
	return out, nil
}
