package schedule

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Recurrence describes how a series repeats, for people, with the time of
// day of its start: "every last Sunday, 11:00 IST" / "हर महीने का अंतिम
// रविवार, 11:00 IST". It covers every rule ParseRRule accepts: each
// frequency with INTERVAL, BYDAY (with ordinals, counted in the month or
// the year), BYMONTHDAY (negative from the month's end), BYMONTH, COUNT
// and UNTIL.
func (m Moments) Recurrence(r RRule, start time.Time) string {
	return m.pattern(r, start) + ", " + m.ClockZone(start) + m.bounds(r)
}

// RepeatPattern is Recurrence without the time of day, for a text that
// shows the time beside it: "every last Sunday, 6 times" / "हर महीने का
// अंतिम रविवार, 6 बार".
func (m Moments) RepeatPattern(r RRule, start time.Time) string {
	return m.pattern(r, start) + m.bounds(r)
}

func (m Moments) pattern(r RRule, start time.Time) string {
	if m.hi() {
		return m.recurHindi(r, start)
	}
	return m.recurEnglish(r, start)
}

// bounds is ", 6 times" / ", until 30 June 2025" (or "").
func (m Moments) bounds(r RRule) string {
	s := ""
	if r.Count > 0 {
		if m.hi() {
			s += ", " + strconv.Itoa(r.Count) + " बार"
		} else if r.Count == 1 {
			s += ", once"
		} else {
			s += ", " + strconv.Itoa(r.Count) + " times"
		}
	}
	if !r.Until.IsZero() {
		if m.hi() {
			s += ", " + m.DateShort(r.Until) + " तक"
		} else {
			s += ", until " + m.DateShort(r.Until)
		}
	}
	return s
}

// Repeats describes e's recurrence (see Recurrence), or "" when e does not
// repeat or its rule does not parse.
func (m Moments) Repeats(e *Event) string {
	if e == nil || !e.Recurring() {
		return ""
	}
	r, err := ParseRRuleIn(e.RRule, m.zone)
	if err != nil {
		return ""
	}
	return m.Recurrence(r, e.Start)
}

// ordinalWord is "first", "last", "second to last" / "पहला", "अंतिम",
// "अंत से दूसरा".
func (m Moments) ordinalWord(n int) string {
	if n < 0 {
		if m.hi() {
			if n == -1 {
				return "अंतिम"
			}
			return "अंत से " + m.Ordinal(-n)
		}
		if n == -1 {
			return "last"
		}
		return m.ordinalWord(-n) + " to last"
	}
	if !m.hi() && n <= 5 {
		return [...]string{"first", "second", "third", "fourth", "fifth"}[n-1]
	}
	return m.Ordinal(n)
}

// days names BYDAY entries: "last Sunday", "first and third Monday",
// "Monday, Wednesday and Friday". Entries with the same ordinals on
// different days are not merged; ordinals of one weekday are.
func (m Moments) days(by []WeekdayNum) string {
	type group struct {
		day time.Weekday
		ns  []int
	}
	var groups []group
	for _, w := range by {
		i := slices.IndexFunc(groups, func(g group) bool { return g.day == w.Day && (g.ns[0] == 0) == (w.N == 0) })
		if i < 0 {
			groups = append(groups, group{day: w.Day, ns: []int{w.N}})
			continue
		}
		groups[i].ns = append(groups[i].ns, w.N)
	}
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		name := m.WeekdayName(g.day)
		if g.ns[0] == 0 {
			parts = append(parts, name)
			continue
		}
		ords := make([]string, len(g.ns))
		for i, n := range g.ns {
			ords[i] = m.ordinalWord(n)
		}
		parts = append(parts, m.List(ords)+" "+name)
	}
	return m.List(parts)
}

// monthDays names BYMONTHDAY entries: "5th and 20th", "last day" /
// "5 और 20 तारीख़", "अंतिम दिन".
func (m Moments) monthDays(ds []int) string {
	var nums, ends []string
	for _, d := range ds {
		if d > 0 {
			if m.hi() {
				nums = append(nums, strconv.Itoa(d))
			} else {
				nums = append(nums, m.Ordinal(d))
			}
			continue
		}
		if m.hi() {
			ends = append(ends, m.ordinalWord(d)+" दिन")
		} else {
			ends = append(ends, m.ordinalWord(d)+" day")
		}
	}
	if m.hi() && len(nums) > 0 {
		nums = []string{m.List(nums) + " तारीख़"}
	}
	return m.List(append(nums, ends...))
}

func (m Moments) months(ms []time.Month) string {
	names := make([]string, len(ms))
	for i, mo := range ms {
		names[i] = m.MonthName(mo)
	}
	return m.List(names)
}

func (m Moments) recurEnglish(r RRule, start time.Time) string {
	n := max(r.Interval, 1)
	every := func(unit string) string {
		if n == 1 {
			return "every " + unit
		}
		return "every " + strconv.Itoa(n) + " " + unit + "s"
	}
	local := m.zone.In(start)
	var s string
	switch r.Freq {
	case Daily:
		s = every("day")
		if len(r.ByDay) > 0 && n == 1 {
			s = "every " + m.days(plainDays(r.ByDay))
		} else if len(r.ByDay) > 0 {
			s += " that is a " + m.days(plainDays(r.ByDay))
		}
		if len(r.ByMonthDay) > 0 {
			s += " that is the " + m.monthDays(r.ByMonthDay)
		}
	case Weekly:
		days := r.ByDay
		if len(days) == 0 {
			days = []WeekdayNum{{Day: local.Weekday()}}
		}
		if n == 1 {
			s = "every " + m.days(plainDays(days))
		} else {
			s = every("week") + " on " + m.days(plainDays(days))
		}
	case Monthly:
		switch {
		case len(r.ByDay) > 0 && len(r.ByMonthDay) > 0:
			s = every("month") + " on a " + m.days(r.ByDay) + " that is the " + m.monthDays(r.ByMonthDay)
		case len(r.ByDay) > 0 && n == 1:
			s = "every " + m.days(r.ByDay)
		case len(r.ByDay) > 0:
			s = every("month") + " on the " + m.days(r.ByDay)
		case len(r.ByMonthDay) > 0:
			s = every("month") + " on the " + m.monthDays(r.ByMonthDay)
		default:
			s = every("month") + " on the " + m.Ordinal(local.Day())
		}
	default: // Yearly
		months := r.ByMonth
		switch {
		case len(r.ByDay) > 0 && len(months) == 0 && hasOrdinal(r.ByDay):
			s = every("year") + " on the " + m.days(r.ByDay) + " of the year"
		case len(r.ByDay) > 0 || len(r.ByMonthDay) > 0:
			var what []string
			if len(r.ByDay) > 0 {
				what = append(what, m.days(r.ByDay))
			}
			if len(r.ByMonthDay) > 0 {
				what = append(what, m.monthDays(r.ByMonthDay))
			}
			s = every("year") + " on the " + strings.Join(what, " that is the ")
			if len(months) > 0 {
				s += " of " + m.months(months)
			} else {
				s += " of every month"
			}
			months = nil
		case len(months) > 0:
			s = every("year") + " on " + strconv.Itoa(local.Day()) + " " + m.months(months)
			months = nil
		default:
			s = every("year") + " on " + strconv.Itoa(local.Day()) + " " + m.MonthName(local.Month())
		}
		if len(months) > 0 {
			s += " in " + m.months(months)
		}
		return s
	}
	if len(r.ByMonth) > 0 {
		s += ", in " + m.months(r.ByMonth) + " only"
	}
	return s
}

func (m Moments) recurHindi(r RRule, start time.Time) string {
	n := max(r.Interval, 1)
	every := func(unit string) string {
		if n == 1 {
			return "हर " + unit
		}
		return "हर " + strconv.Itoa(n) + " " + unit
	}
	local := m.zone.In(start)
	var s string
	switch r.Freq {
	case Daily:
		s = every("दिन")
		if len(r.ByDay) > 0 && n == 1 {
			s = "हर " + m.days(plainDays(r.ByDay))
		} else if len(r.ByDay) > 0 {
			s += ", जब " + m.days(plainDays(r.ByDay)) + " हो"
		}
		if len(r.ByMonthDay) > 0 {
			s += ", जब " + m.monthDays(r.ByMonthDay) + " हो"
		}
	case Weekly:
		days := r.ByDay
		if len(days) == 0 {
			days = []WeekdayNum{{Day: local.Weekday()}}
		}
		if n == 1 {
			s = "हर " + m.days(plainDays(days))
		} else {
			s = every("सप्ताह") + ", " + m.days(plainDays(days)) + " को"
		}
	case Monthly:
		switch {
		case len(r.ByDay) > 0 && len(r.ByMonthDay) > 0:
			s = every("महीने") + ", " + m.monthDays(r.ByMonthDay) + " को पड़ने वाला " + m.days(r.ByDay)
		case len(r.ByDay) > 0 && n == 1 && !hasOrdinal(r.ByDay):
			s = "हर " + m.days(r.ByDay)
		case len(r.ByDay) > 0 && n == 1:
			s = "हर महीने का " + m.days(r.ByDay)
		case len(r.ByDay) > 0:
			s = every("महीने") + ", " + m.days(r.ByDay) + " को"
		case len(r.ByMonthDay) > 0 && n == 1:
			s = "हर महीने " + hindiOn(m.monthDays(r.ByMonthDay))
		case len(r.ByMonthDay) > 0:
			s = every("महीने") + ", " + hindiOn(m.monthDays(r.ByMonthDay))
		case n == 1:
			s = "हर महीने की " + strconv.Itoa(local.Day()) + " तारीख़ को"
		default:
			s = every("महीने") + ", " + strconv.Itoa(local.Day()) + " तारीख़ को"
		}
	default: // Yearly
		months := r.ByMonth
		year := every("वर्ष")
		switch {
		case len(r.ByDay) > 0 && len(months) == 0 && hasOrdinal(r.ByDay):
			s = year + ", वर्ष का " + m.days(r.ByDay)
		case len(r.ByDay) > 0 || len(r.ByMonthDay) > 0:
			scope := "हर महीने"
			if len(months) > 0 {
				scope = m.months(months)
			}
			var what []string
			if len(r.ByMonthDay) > 0 {
				what = append(what, m.monthDays(r.ByMonthDay)+" को पड़ने वाला")
			}
			if len(r.ByDay) > 0 {
				what = append(what, m.days(r.ByDay))
			}
			s = year + ", " + scope + " का " + strings.Join(what, " ")
			months = nil
		case len(months) > 0:
			s = year + " " + strconv.Itoa(local.Day()) + " " + m.months(months) + " को"
			months = nil
		default:
			s = year + " " + strconv.Itoa(local.Day()) + " " + m.MonthName(local.Month()) + " को"
		}
		if len(months) > 0 {
			s += ", " + m.months(months) + " में"
		}
		return s
	}
	if len(r.ByMonth) > 0 {
		s += ", केवल " + m.months(r.ByMonth) + " में"
	}
	return s
}

// hindiOn puts a day-of-month phrase in the locative: "की 5 तारीख़ को",
// "के अंतिम दिन".
func hindiOn(days string) string {
	if len(days) > 0 && days[0] >= '0' && days[0] <= '9' {
		return "की " + days + " को"
	}
	return "के " + days
}

func hasOrdinal(by []WeekdayNum) bool {
	return slices.ContainsFunc(by, func(w WeekdayNum) bool { return w.N != 0 })
}

// plainDays drops ordinals, which DAILY and WEEKLY rules do not use.
func plainDays(by []WeekdayNum) []WeekdayNum {
	out := make([]WeekdayNum, 0, len(by))
	for _, w := range by {
		if !slices.ContainsFunc(out, func(x WeekdayNum) bool { return x.Day == w.Day }) {
			out = append(out, WeekdayNum{Day: w.Day})
		}
	}
	return out
}
