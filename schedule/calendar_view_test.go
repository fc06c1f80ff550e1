package schedule

import (
	"testing"
	"time"
)

func TestCalendarViewSpans(t *testing.T) {
	z := Zone{} // Asia/Kolkata
	// Wednesday 15 January 2025, 01:30 IST, still Tuesday 14 January in
	// UTC: the day is the organisation's.
	anchor := time.Date(2025, 1, 14, 20, 0, 0, 0, time.UTC)
	day := func(t time.Time) string { return z.DateKey(t) }
	for _, c := range []struct {
		kind, from, to, prev, next string
		days, weeks                int
	}{
		// January 2025 starts on a Wednesday and ends on a Friday: the
		// grid runs Monday 30 December to Sunday 2 February.
		{"month", "2024-12-30", "2025-02-03", "2024-12-01", "2025-02-01", 35, 5},
		{"week", "2025-01-13", "2025-01-20", "2025-01-06", "2025-01-20", 7, 1},
		{"day", "2025-01-15", "2025-01-16", "2025-01-14", "2025-01-16", 1, 0},
		{"list", "2025-01-15", "2025-02-15", "2024-12-15", "2025-02-15", 31, 4},
	} {
		v := z.CalendarView(c.kind, anchor)
		if got := [4]string{day(v.From), day(v.To), day(v.Prev), day(v.Next)}; got != [4]string{c.from, c.to, c.prev, c.next} {
			t.Errorf("%s: from/to/prev/next = %v, want %s %s %s %s", c.kind, got, c.from, c.to, c.prev, c.next)
		}
		if n := len(v.Days()); n != c.days {
			t.Errorf("%s: %d days, want %d", c.kind, n, c.days)
		}
		if n := len(v.Weeks()); n != c.weeks {
			t.Errorf("%s: %d weeks, want %d", c.kind, n, c.weeks)
		}
		for _, d := range v.Days() {
			if h, m, _ := z.In(d).Clock(); h != 0 || m != 0 {
				t.Errorf("%s: day %v is not a midnight in IST", c.kind, d)
			}
		}
	}
	m := z.CalendarView("month", anchor)
	if m.InMonth(m.From) || !m.InMonth(m.Days()[2]) || m.InMonth(m.Days()[34]) {
		t.Errorf("InMonth: 30 Dec %v, 1 Jan %v, 2 Feb %v", m.InMonth(m.From), m.InMonth(m.Days()[2]), m.InMonth(m.Days()[34]))
	}
	if z.In(m.Weeks()[0][0]).Weekday() != time.Monday {
		t.Errorf("the grid does not start on a Monday: %v", z.In(m.Weeks()[0][0]).Weekday())
	}
	if z.CalendarView("nonsense", anchor).Kind != "month" {
		t.Error("an unknown view is not a month")
	}
}
