// Package testclock is the tests' "now": the real time moved by
// KARYAKRAM_TEST_CLOCK_SHIFT, so the whole suite can run as if on another
// day (.ci/run runs it once as is and once 400 days ahead). A test that
// needs a date takes it from here, never from a literal that the calendar
// will one day pass, and hands Now to the code under test (storetest does
// that for the store, and through it for the server, login, outbox and
// scheduler).
//
// Tests of pure functions that take their "now" as an argument may keep
// fixed dates: they do not depend on the calendar.
package testclock

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Env names the variable holding the shift: a Go duration ("36h",
// "-90m") or a whole number of days ("400d", "-30d").
const Env = "KARYAKRAM_TEST_CLOCK_SHIFT"

// Zone is the organisation's time zone, in which tests pick calendar days.
var Zone = time.FixedZone("IST", 5*3600+1800)

var shift = sync.OnceValues(func() (time.Duration, error) { return ParseShift(os.Getenv(Env)) })

// ParseShift parses a shift as Env holds it; "" is no shift.
func ParseShift(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%s=%q: want a whole number of days such as 400d, or a Go duration such as 36h", Env, v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: want a whole number of days such as 400d, or a Go duration such as 36h", Env, v)
	}
	return d, nil
}

// Shift is the configured shift. A malformed value panics, so a typo in CI
// fails loudly instead of silently testing today.
func Shift() time.Duration {
	d, err := shift()
	if err != nil {
		panic(err)
	}
	return d
}

// Now is the tests' current time: time.Now moved by Shift.
func Now() time.Time { return time.Now().Add(Shift()) }

// Today is the current calendar day in Zone, at midnight.
func Today() time.Time {
	y, m, d := Now().In(Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Zone)
}

// Day returns the calendar day days after Today, at hh:mm in Zone.
func Day(days, hh, mm int) time.Time {
	return Today().AddDate(0, 0, days).Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// Date is Day(days, 0, 0) formatted as 2006-01-02, for forms and queries.
func Date(days int) string { return Today().AddDate(0, 0, days).Format(time.DateOnly) }

// Weekday returns the first day on or after Today+from that falls on wd,
// at midnight in Zone.
func Weekday(from int, wd time.Weekday) time.Time {
	t := Today().AddDate(0, 0, from)
	return t.AddDate(0, 0, (int(wd)-int(t.Weekday())+7)%7)
}

// LastWeekdayOfMonth returns the last wd of the month that is months after
// the current one, at midnight in Zone (e.g. the last Sunday of next
// month for months=1).
func LastWeekdayOfMonth(months int, wd time.Weekday) time.Time {
	y, m, _ := Today().Date()
	first := time.Date(y, m+time.Month(months)+1, 1, 0, 0, 0, 0, Zone) // first of the month after
	last := first.AddDate(0, 0, -1)
	return last.AddDate(0, 0, -((int(last.Weekday()) - int(wd) + 7) % 7))
}
