package schedule

import (
	"strings"
	"testing"
	"time"
)

// utc is an instant given on the UTC clock, as storage returns it.
func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// withLocal runs f with the process's local zone set to loc, as a server
// started with TZ=... would have it.
func withLocal(t *testing.T, loc *time.Location, f func()) {
	t.Helper()
	old := time.Local
	time.Local = loc
	defer func() { time.Local = old }()
	f()
}

func TestMomentsShowTheOrganisationsWallClock(t *testing.T) {
	var ist Zone // zero value: Asia/Kolkata
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	cases := []struct {
		name     string
		at, end  time.Time
		lang     string
		want     string
		function func(Moments, time.Time, time.Time) string
	}{
		// 11:00-16:30 IST is 05:30-11:00 UTC: the letter bug of issue 12.
		{"midday span en", utc(2025, 5, 4, 5, 30), utc(2025, 5, 4, 11, 0), "en",
			"Sunday, 4 May 2025, 11:00–16:30 IST", Moments.Span},
		{"midday span hi", utc(2025, 5, 4, 5, 30), utc(2025, 5, 4, 11, 0), "hi",
			"रविवार, 4 मई 2025, 11:00–16:30 IST", Moments.Span},
		// Sunday 05:00 IST is Saturday 23:30 UTC.
		{"before 05:30 IST", utc(2025, 5, 3, 23, 30), utc(2025, 5, 4, 1, 0), "en",
			"Sunday, 4 May 2025, 05:00–06:30 IST", Moments.Span},
		{"before 05:30 IST hi", utc(2025, 5, 3, 23, 30), time.Time{}, "hi",
			"रविवार, 4 मई 2025, 05:00 IST", Moments.Span},
		// 23:00 Saturday to 01:00 Sunday IST.
		{"across midnight", utc(2025, 5, 3, 17, 30), utc(2025, 5, 3, 19, 30), "en",
			"Saturday, 3 May 2025, 23:00 – Sunday, 4 May 2025, 01:00 IST", Moments.Span},
		{"across midnight hi", utc(2025, 5, 3, 17, 30), utc(2025, 5, 3, 19, 30), "hi",
			"शनिवार, 3 मई 2025, 23:00 – रविवार, 4 मई 2025, 01:00 IST", Moments.Span},
		{"clock span across midnight", utc(2025, 5, 3, 17, 30), utc(2025, 5, 3, 19, 30), "en",
			"23:00–4 May 01:00", Moments.ClockSpan},
		{"medium date", utc(2026, 8, 15, 13, 0), time.Time{}, "en", "Sat, 15 Aug 2026",
			func(m Moments, a, _ time.Time) string { return m.DateMedium(a) }},
		{"medium date hi", utc(2026, 8, 15, 13, 0), time.Time{}, "hi", "शनिवार, 15 अगस्त 2026",
			func(m Moments, a, _ time.Time) string { return m.DateMedium(a) }},
		{"spoken hi evening", utc(2026, 8, 15, 13, 0), time.Time{}, "hi", "शाम 6:30 बजे",
			func(m Moments, a, _ time.Time) string { return m.Spoken(a) }},
		{"spoken en early", utc(2025, 5, 3, 23, 30), time.Time{}, "en", "5:00 am",
			func(m Moments, a, _ time.Time) string { return m.Spoken(a) }},
		{"date range one month", utc(2022, 1, 4, 20, 0), utc(2022, 1, 6, 4, 0), "hi", "5–6 जनवरी 2022", Moments.DateRange},
		{"date range two months", utc(2022, 1, 30, 20, 0), utc(2022, 2, 2, 4, 0), "en", "31 January 2022 – 2 February 2022", Moments.DateRange},
		{"stamp", utc(2025, 1, 4, 20, 0), time.Time{}, "en", "5 Jan 2025, 01:30",
			func(m Moments, a, _ time.Time) string { return m.Stamp(a) }},
		{"calendar day", utc(2025, 1, 4, 20, 0), time.Time{}, "hi", "रवि 5 जनवरी",
			func(m Moments, a, _ time.Time) string { return m.WeekdayDay(a) }},
	}
	for _, loc := range []*time.Location{time.UTC, ny} {
		withLocal(t, loc, func() {
			for _, c := range cases {
				if got := c.function(ist.Moments(c.lang), c.at, c.end); got != c.want {
					t.Errorf("TZ=%s %s: got %q, want %q", loc, c.name, got, c.want)
				}
			}
		})
	}
}

func TestOrganisationToday(t *testing.T) {
	var ist Zone
	// 20:00 UTC on 4 May is 01:30 on 5 May in India: a letter issued then
	// is dated 5 May, on any server.
	now := utc(2025, 5, 4, 20, 0)
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("PST", -8*3600)} {
		withLocal(t, loc, func() {
			if got := ist.Moments("en").DateShort(ist.Today(now)); got != "5 May 2025" {
				t.Errorf("TZ=%s: today is %q, want 5 May 2025", loc, got)
			}
			if got := ist.DateKey(now); got != "2025-05-05" {
				t.Errorf("TZ=%s: DateKey %q", loc, got)
			}
		})
	}
}

func TestLoadZone(t *testing.T) {
	z, err := LoadZone("")
	if err != nil || z.Name() != "Asia/Kolkata" || z.Label() != "IST" || z.Offset() != 5*time.Hour+30*time.Minute {
		t.Fatalf("default zone: %v %v", z, err)
	}
	if _, err := time.LoadLocation("Asia/Kathmandu"); err != nil {
		t.Skip("no time zone database:", err)
	}
	np, err := LoadZone("Asia/Kathmandu")
	if err != nil {
		t.Fatal(err)
	}
	// 11:00 IST is 11:15 in Nepal; the database only has "+0545".
	if got := np.Moments("en").ClockZone(utc(2025, 5, 4, 5, 30)); got != "11:15 UTC+05:45" {
		t.Errorf("Kathmandu: %q", got)
	}
	at, err := np.Parse("2025-05-04", "11:15")
	if err != nil || !at.Equal(utc(2025, 5, 4, 5, 30)) {
		t.Errorf("Parse in Nepal: %v %v", at, err)
	}
	for _, bad := range []string{"Europe/London", "Mars/Olympus", "Local", "../../etc/passwd"} {
		if _, err := LoadZone(bad); err == nil {
			t.Errorf("LoadZone(%q) accepted", bad)
		} else if !strings.Contains(err.Error(), bad) {
			t.Errorf("LoadZone(%q): error does not name it: %v", bad, err)
		}
	}
}

func TestRecurrenceDescriptions(t *testing.T) {
	var ist Zone
	// Sunday 26 January 2025, 11:00 IST, a last Sunday; also the 26th.
	start := utc(2025, 1, 26, 5, 30)
	cases := []struct{ rule, en, hi string }{
		{"FREQ=MONTHLY;BYDAY=-1SU",
			"every last Sunday, 11:00 IST", "हर महीने का अंतिम रविवार, 11:00 IST"},
		{"FREQ=MONTHLY;BYDAY=1MO,3MO",
			"every first and third Monday, 11:00 IST", "हर महीने का पहला और तीसरा सोमवार, 11:00 IST"},
		{"FREQ=MONTHLY;BYDAY=-2FR",
			"every second to last Friday, 11:00 IST", "हर महीने का अंत से दूसरा शुक्रवार, 11:00 IST"},
		{"FREQ=MONTHLY;INTERVAL=3;BYDAY=-1SU",
			"every 3 months on the last Sunday, 11:00 IST", "हर 3 महीने, अंतिम रविवार को, 11:00 IST"},
		{"FREQ=MONTHLY",
			"every month on the 26th, 11:00 IST", "हर महीने की 26 तारीख़ को, 11:00 IST"},
		{"FREQ=MONTHLY;BYMONTHDAY=1,15",
			"every month on the 1st and 15th, 11:00 IST", "हर महीने की 1 और 15 तारीख़ को, 11:00 IST"},
		{"FREQ=MONTHLY;BYMONTHDAY=-1",
			"every month on the last day, 11:00 IST", "हर महीने के अंतिम दिन, 11:00 IST"},
		{"FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
			"every month on a Friday that is the 13th, 11:00 IST", "हर महीने, 13 तारीख़ को पड़ने वाला शुक्रवार, 11:00 IST"},
		{"FREQ=WEEKLY",
			"every Sunday, 11:00 IST", "हर रविवार, 11:00 IST"},
		{"FREQ=WEEKLY;BYDAY=MO,WE,FR",
			"every Monday, Wednesday and Friday, 11:00 IST", "हर सोमवार, बुधवार और शुक्रवार, 11:00 IST"},
		{"FREQ=WEEKLY;INTERVAL=2;BYDAY=SU",
			"every 2 weeks on Sunday, 11:00 IST", "हर 2 सप्ताह, रविवार को, 11:00 IST"},
		{"FREQ=DAILY",
			"every day, 11:00 IST", "हर दिन, 11:00 IST"},
		{"FREQ=DAILY;INTERVAL=3",
			"every 3 days, 11:00 IST", "हर 3 दिन, 11:00 IST"},
		{"FREQ=DAILY;BYDAY=SA,SU",
			"every Saturday and Sunday, 11:00 IST", "हर शनिवार और रविवार, 11:00 IST"},
		{"FREQ=YEARLY",
			"every year on 26 January, 11:00 IST", "हर वर्ष 26 जनवरी को, 11:00 IST"},
		{"FREQ=YEARLY;BYMONTH=1;BYDAY=-1SU",
			"every year on the last Sunday of January, 11:00 IST", "हर वर्ष, जनवरी का अंतिम रविवार, 11:00 IST"},
		{"FREQ=YEARLY;BYDAY=4SU",
			"every year on the fourth Sunday of the year, 11:00 IST", "हर वर्ष, वर्ष का चौथा रविवार, 11:00 IST"},
		{"FREQ=MONTHLY;BYMONTHDAY=26;BYMONTH=1,7",
			"every month on the 26th, in January and July only, 11:00 IST", "हर महीने की 26 तारीख़ को, केवल जनवरी और जुलाई में, 11:00 IST"},
		{"FREQ=MONTHLY;BYDAY=-1SU;COUNT=6",
			"every last Sunday, 11:00 IST, 6 times", "हर महीने का अंतिम रविवार, 11:00 IST, 6 बार"},
		{"FREQ=WEEKLY;UNTIL=20250630T000000Z",
			"every Sunday, 11:00 IST, until 30 June 2025", "हर रविवार, 11:00 IST, 30 जून 2025 तक"},
	}
	for _, c := range cases {
		r, err := ParseRRule(c.rule)
		if err != nil {
			t.Fatalf("%s: %v", c.rule, err)
		}
		if got := ist.Moments("en").Recurrence(r, start); got != c.en {
			t.Errorf("%s en:\n got %q\nwant %q", c.rule, got, c.en)
		}
		if got := ist.Moments("hi").Recurrence(r, start); got != c.hi {
			t.Errorf("%s hi:\n got %q\nwant %q", c.rule, got, c.hi)
		}
	}
	// A 05:00 IST series is described on the IST clock (23:30 UTC the day before).
	r, _ := ParseRRule("FREQ=WEEKLY")
	early := utc(2025, 1, 25, 23, 30)
	if got := ist.Moments("en").Recurrence(r, early); got != "every Sunday, 05:00 IST" {
		t.Errorf("early series: %q", got)
	}
	e := &Event{Start: start, RRule: "FREQ=MONTHLY;BYDAY=-1SU"}
	if got := ist.Moments("hi").Repeats(e); !strings.HasPrefix(got, "हर महीने का अंतिम रविवार") {
		t.Errorf("Repeats: %q", got)
	}
	if got := ist.Moments("hi").Repeats(&Event{Start: start}); got != "" {
		t.Errorf("a single event repeats: %q", got)
	}
}

func TestFormatPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+919827001000": "+91 98270 01000",
		"+917554000000": "+91 75540 00000",
		"+913412345678": "+91 341 234 5678",
		"+912261234567": "+91 22 6123 4567",
		"1800-11-2222":  "1800-11-2222",
		"+14155550100":  "+14155550100",
		"":              "",
	} {
		if got := FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRecurrenceRunsOnTheOrganisationsClock: in Nepal (+05:45), "every
// Sunday at 00:10" starts on a Saturday in UTC and in IST (23:55); the
// rule is valid and expands on the organisation's clock, not IST's.
func TestRecurrenceRunsOnTheOrganisationsClock(t *testing.T) {
	np, err := LoadZone("Asia/Kathmandu")
	if err != nil {
		t.Skip(err)
	}
	start := np.Date(2026, 12, 6, 0, 10) // Sunday in Nepal
	e := Event{UnitID: 1, Type: "meeting", Title: "Night watch", Start: start, End: start.Add(time.Hour),
		RRule: "FREQ=WEEKLY;BYDAY=SU;UNTIL=20261220", Zone: np}
	e.Normalise()
	if err := e.Validate(); err != nil {
		t.Fatalf("a Sunday rule starting on a Nepali Sunday: %v", err)
	}
	occs, err := e.Occurrences(start, start.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range occs {
		got = append(got, np.In(o.Start).Format("Mon 2 Jan 15:04"))
	}
	// UNTIL=20261220 is the end of 20 December in Nepal: three Sundays.
	if want := []string{"Sun 6 Dec 00:10", "Sun 13 Dec 00:10", "Sun 20 Dec 00:10"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("occurrences %v, want %v", got, want)
	}
	if got := np.Moments("en").Repeats(&e); !strings.HasPrefix(got, "every Sunday, 00:10 UTC+05:45") {
		t.Errorf("described as %q", got)
	}
	// The same rule read on the IST clock would not start on a Sunday.
	ist := e
	ist.Zone = Zone{}
	if ist.Validate() == nil {
		t.Error("the rule is valid on the IST clock too: the test proves nothing")
	}
}
