package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Moments shows instants to people: on the organisation's wall clock
// (Zone), in one language. Letters, sheets, pages, texts, emails and
// exports all format dates and times through it, so a meeting at 11:00 IST
// reads 11:00 everywhere whatever the server's TZ. Get one with
// Zone.Moments; the zero value is Asia/Kolkata in English.
type Moments struct {
	zone Zone
	lang string
}

// Moments returns the formatter for lang ("hi" for Hindi; anything else is
// English).
func (z Zone) Moments(lang string) Moments {
	if lang != LangHindi {
		lang = LangEnglish
	}
	return Moments{zone: z, lang: lang}
}

// Month, weekday and part-of-day names. The Hindi names live here and
// nowhere else.
var (
	monthNames = [2][12]string{
		{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		{"जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"},
	}
	weekdayNames = [2][7]string{
		{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		{"रविवार", "सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार"},
	}
	weekdayShort = [2][7]string{
		{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		{"रवि", "सोम", "मंगल", "बुध", "गुरु", "शुक्र", "शनि"},
	}
)

func (m Moments) hi() bool { return m.lang == LangHindi }

func (m Moments) idx() int {
	if m.hi() {
		return 1
	}
	return 0
}

// Lang is the formatter's language, "hi" or "en".
func (m Moments) Lang() string {
	if m.lang == "" {
		return LangEnglish
	}
	return m.lang
}

// Zone is the zone the formatter shows times in.
func (m Moments) Zone() Zone { return m.zone }

// MonthName is "जनवरी" / "January".
func (m Moments) MonthName(mo time.Month) string { return monthNames[m.idx()][(mo+11)%12] }

// MonthAbbr is "जनवरी" / "Jan" (Hindi has no customary abbreviations:
// the full name is shown).
func (m Moments) MonthAbbr(mo time.Month) string {
	if m.hi() {
		return m.MonthName(mo)
	}
	return monthNames[0][(mo+11)%12][:3]
}

// WeekdayName is "रविवार" / "Sunday".
func (m Moments) WeekdayName(d time.Weekday) string { return weekdayNames[m.idx()][d%7] }

// WeekdayAbbr is "रवि" / "Sun".
func (m Moments) WeekdayAbbr(d time.Weekday) string { return weekdayShort[m.idx()][d%7] }

// WeekdayHeader returns the seven short weekday names starting at first,
// for a calendar grid.
func (m Moments) WeekdayHeader(first time.Weekday) []string {
	out := make([]string, 7)
	for i := range out {
		out[i] = m.WeekdayAbbr((first + time.Weekday(i)) % 7)
	}
	return out
}

// Date is the long date: "रविवार, 5 जनवरी 2025" / "Sunday, 5 January 2025".
func (m Moments) Date(t time.Time) string {
	t = m.zone.In(t)
	return m.WeekdayName(t.Weekday()) + ", " + strconv.Itoa(t.Day()) + " " + m.MonthName(t.Month()) + " " + strconv.Itoa(t.Year())
}

// DateMedium is the date of a message: "रविवार, 5 जनवरी 2025" / "Sun, 5 Jan 2025".
func (m Moments) DateMedium(t time.Time) string {
	if m.hi() {
		return m.Date(t)
	}
	return m.zone.In(t).Format("Mon, 2 Jan 2006")
}

// DateShort is the date without weekday: "5 जनवरी 2025" / "5 January 2025".
func (m Moments) DateShort(t time.Time) string {
	t = m.zone.In(t)
	return strconv.Itoa(t.Day()) + " " + m.MonthName(t.Month()) + " " + strconv.Itoa(t.Year())
}

// DayMonth is "5 जनवरी" / "5 Jan".
func (m Moments) DayMonth(t time.Time) string {
	t = m.zone.In(t)
	return strconv.Itoa(t.Day()) + " " + m.MonthAbbr(t.Month())
}

// WeekdayDay is a calendar day heading: "सोम 5 जनवरी" / "Mon 5 Jan".
func (m Moments) WeekdayDay(t time.Time) string {
	t = m.zone.In(t)
	return m.WeekdayAbbr(t.Weekday()) + " " + strconv.Itoa(t.Day()) + " " + m.MonthAbbr(t.Month())
}

// MonthYear is "जनवरी 2025" / "January 2025".
func (m Moments) MonthYear(t time.Time) string {
	t = m.zone.In(t)
	return m.MonthName(t.Month()) + " " + strconv.Itoa(t.Year())
}

// Clock is the 24-hour time of day: "05:00", "11:00".
func (m Moments) Clock(t time.Time) string { return m.zone.In(t).Format("15:04") }

// ClockSeconds is the time of day to the second with the zone named, for
// live figures: "11:00:05 IST".
func (m Moments) ClockSeconds(t time.Time) string {
	return m.zone.In(t).Format("15:04:05") + " " + m.zone.Label()
}

// ClockZone is the time of day with the zone named: "11:00 IST".
func (m Moments) ClockZone(t time.Time) string { return m.Clock(t) + " " + m.zone.Label() }

// Spoken is the time of day as a message says it: "शाम 6:30 बजे" /
// "6:30 pm". Hindi uses the 12-hour clock with the part of the day: सुबह
// (4–12), दोपहर (12–16), शाम (16–20), रात (20–4).
func (m Moments) Spoken(t time.Time) string {
	t = m.zone.In(t)
	if !m.hi() {
		return t.Format("3:04 pm")
	}
	h := t.Hour()
	var part string
	switch {
	case h >= 4 && h < 12:
		part = "सुबह"
	case h >= 12 && h < 16:
		part = "दोपहर"
	case h >= 16 && h < 20:
		part = "शाम"
	default:
		part = "रात"
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	return fmt.Sprintf("%s %d:%02d बजे", part, h12, t.Minute())
}

// DateTime is the long date and time with the zone: "रविवार, 5 जनवरी
// 2025, 11:00 IST".
func (m Moments) DateTime(t time.Time) string { return m.Date(t) + ", " + m.ClockZone(t) }

// Stamp is when something happened, for lists and logs a person reads:
// "5 जनवरी 2025, 11:00" / "5 Jan 2025, 11:00".
func (m Moments) Stamp(t time.Time) string {
	return m.DayMonth(t) + " " + strconv.Itoa(m.zone.In(t).Year()) + ", " + m.Clock(t)
}

// Span is when an event takes place, zone named once at the end:
// "रविवार, 5 जनवरी 2025, 11:00–16:30 IST"; an event past midnight names
// both dates: "Saturday, 4 January 2025, 23:00 – Sunday, 5 January 2025,
// 01:00 IST". A zero end shows the start only.
func (m Moments) Span(start, end time.Time) string {
	if start.IsZero() {
		return ""
	}
	if end.IsZero() || !end.After(start) {
		return m.DateTime(start)
	}
	if m.SameDay(start, end) {
		return m.Date(start) + ", " + m.Clock(start) + "–" + m.ClockZone(end)
	}
	return m.Date(start) + ", " + m.Clock(start) + " – " + m.Date(end) + ", " + m.ClockZone(end)
}

// ClockSpan is the times of an event within a calendar day: "11:00–16:30",
// or "23:00–5 Jan 01:00" when it ends on a later date.
func (m Moments) ClockSpan(start, end time.Time) string {
	if end.IsZero() {
		return m.Clock(start)
	}
	if m.SameDay(start, end) {
		return m.Clock(start) + "–" + m.Clock(end)
	}
	return m.Clock(start) + "–" + m.DayMonth(end) + " " + m.Clock(end)
}

// DateRange is the span of dates from a to b: "5–6 जनवरी 2022" in one
// month, else "30 जनवरी 2022 – 2 फ़रवरी 2022". Either may be zero.
func (m Moments) DateRange(a, b time.Time) string {
	switch {
	case a.IsZero() && b.IsZero():
		return ""
	case b.IsZero() || m.SameDay(a, b):
		return m.DateShort(a)
	case a.IsZero():
		return m.DateShort(b)
	}
	la, lb := m.zone.In(a), m.zone.In(b)
	if la.Year() == lb.Year() && la.Month() == lb.Month() {
		return fmt.Sprintf("%d–%d %s %d", la.Day(), lb.Day(), m.MonthName(la.Month()), la.Year())
	}
	return m.DateShort(a) + " – " + m.DateShort(b)
}

// SameDay reports whether a and b fall on one date in the zone.
func (m Moments) SameDay(a, b time.Time) bool {
	ay, am, ad := m.zone.In(a).Date()
	by, bm, bd := m.zone.In(b).Date()
	return ay == by && am == bm && ad == bd
}

// Ordinal is "1st", "22nd" / "पहला", "22वाँ".
func (m Moments) Ordinal(n int) string {
	if m.hi() {
		if n >= 1 && n <= 6 {
			return [...]string{"पहला", "दूसरा", "तीसरा", "चौथा", "पाँचवाँ", "छठा"}[n-1]
		}
		return strconv.Itoa(n) + "वाँ"
	}
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// List joins items for a sentence: "a, b and c" / "a, b और c".
func (m Moments) List(items []string) string {
	and := " and "
	if m.hi() {
		and = " और "
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}
