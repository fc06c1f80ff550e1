package testclock

import (
	"testing"
	"time"
)

func TestParseShift(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": 0, "400d": 400 * 24 * time.Hour, "-30d": -30 * 24 * time.Hour, "36h": 36 * time.Hour, " 1d ": 24 * time.Hour,
	} {
		if got, err := ParseShift(in); err != nil || got != want {
			t.Errorf("ParseShift(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"400", "d", "1.5d", "soon"} {
		if _, err := ParseShift(bad); err == nil {
			t.Errorf("ParseShift(%q) accepted", bad)
		}
	}
}

func TestNowFollowsTheShift(t *testing.T) {
	got := Now().Sub(time.Now())
	if d := got - Shift(); d < -time.Second || d > time.Second {
		t.Fatalf("Now is %v from time.Now, shift is %v", got, Shift())
	}
}

func TestDays(t *testing.T) {
	today := Today()
	if h, m, s := today.Clock(); h+m+s != 0 || today.Location() != Zone {
		t.Fatalf("Today %v is not midnight IST", today)
	}
	if d := Day(3, 11, 0); d.Sub(today) != 3*24*time.Hour+11*time.Hour {
		t.Fatalf("Day(3, 11, 0) = %v", d)
	}
	if Date(1) != today.AddDate(0, 0, 1).Format("2006-01-02") {
		t.Fatalf("Date(1) = %s", Date(1))
	}
	w := Weekday(2, time.Sunday)
	if w.Weekday() != time.Sunday || w.Before(today.AddDate(0, 0, 2)) || w.After(today.AddDate(0, 0, 8)) {
		t.Fatalf("Weekday(2, Sunday) = %v", w)
	}
	l := LastWeekdayOfMonth(1, time.Sunday)
	if l.Weekday() != time.Sunday || l.AddDate(0, 0, 7).Month() == l.Month() {
		t.Fatalf("LastWeekdayOfMonth(1, Sunday) = %v is not a last Sunday", l)
	}
	if want := time.Month((int(today.Month()) % 12) + 1); l.Month() != want {
		t.Fatalf("LastWeekdayOfMonth(1, Sunday) = %v, want a day in %v", l, want)
	}
}
