package schedule

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// ist builds an instant from an IST wall-clock time.
func atIST(y int, m time.Month, d, hh, mm int) time.Time {
	return Zone{}.Date(y, m, d, hh, mm)
}

func atUTC(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRRuleExpansion(t *testing.T) {
	tests := []struct {
		name    string
		rule    string
		dtstart time.Time
		want    []string // UTC instants
	}{
		{
			name:    "monthly radio-address listening on the last Sunday at 11:00 IST",
			rule:    "FREQ=MONTHLY;BYDAY=-1SU;COUNT=6",
			dtstart: atIST(2025, 1, 26, 11, 0),
			want: []string{"2025-01-26T05:30Z", "2025-02-23T05:30Z", "2025-03-30T05:30Z",
				"2025-04-27T05:30Z", "2025-05-25T05:30Z", "2025-06-29T05:30Z"},
		},
		{
			name:    "weekly on Mon, Wed, Fri evenings",
			rule:    "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5",
			dtstart: atIST(2025, 5, 5, 18, 0),
			want: []string{"2025-05-05T12:30Z", "2025-05-07T12:30Z", "2025-05-09T12:30Z",
				"2025-05-12T12:30Z", "2025-05-14T12:30Z"},
		},
		{
			name:    "every other day until a date (inclusive, IST day)",
			rule:    "FREQ=DAILY;INTERVAL=2;UNTIL=20250510",
			dtstart: atIST(2025, 5, 4, 7, 0),
			want:    []string{"2025-05-04T01:30Z", "2025-05-06T01:30Z", "2025-05-08T01:30Z", "2025-05-10T01:30Z"},
		},
		{
			name:    "until a UTC instant excludes later occurrences",
			rule:    "FREQ=DAILY;UNTIL=20250505T013000Z",
			dtstart: atIST(2025, 5, 4, 7, 0),
			want:    []string{"2025-05-04T01:30Z", "2025-05-05T01:30Z"},
		},
		{
			name:    "31st skips short months",
			rule:    "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4",
			dtstart: atIST(2025, 1, 31, 10, 0),
			want:    []string{"2025-01-31T04:30Z", "2025-03-31T04:30Z", "2025-05-31T04:30Z", "2025-07-31T04:30Z"},
		},
		{
			name:    "monthly without BY parts keeps the day and skips months lacking it",
			rule:    "FREQ=MONTHLY;COUNT=3",
			dtstart: atIST(2025, 1, 30, 10, 0),
			want:    []string{"2025-01-30T04:30Z", "2025-03-30T04:30Z", "2025-04-30T04:30Z"},
		},
		{
			name:    "last day of the month",
			rule:    "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3",
			dtstart: atIST(2024, 1, 31, 10, 0),
			want:    []string{"2024-01-31T04:30Z", "2024-02-29T04:30Z", "2024-03-31T04:30Z"},
		},
		{
			name:    "second Tuesday every 3 months",
			rule:    "FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU;COUNT=3",
			dtstart: atIST(2025, 1, 14, 16, 0),
			want:    []string{"2025-01-14T10:30Z", "2025-04-08T10:30Z", "2025-07-08T10:30Z"},
		},
		{
			name:    "Republic Day every year",
			rule:    "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=26;COUNT=3",
			dtstart: atIST(2025, 1, 26, 9, 0),
			want:    []string{"2025-01-26T03:30Z", "2026-01-26T03:30Z", "2027-01-26T03:30Z"},
		},
		{
			name:    "yearly without BY parts",
			rule:    "FREQ=YEARLY;COUNT=2",
			dtstart: atIST(2025, 6, 21, 6, 0),
			want:    []string{"2025-06-21T00:30Z", "2026-06-21T00:30Z"},
		},
		{
			name:    "last Sunday of March, yearly",
			rule:    "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=3",
			dtstart: atIST(2025, 3, 30, 11, 0),
			want:    []string{"2025-03-30T05:30Z", "2026-03-29T05:30Z", "2027-03-28T05:30Z"},
		},
		{
			name:    "first Monday of the year (year-scoped ordinal)",
			rule:    "FREQ=YEARLY;BYDAY=1MO;COUNT=3",
			dtstart: atIST(2025, 1, 6, 10, 0),
			want:    []string{"2025-01-06T04:30Z", "2026-01-05T04:30Z", "2027-01-04T04:30Z"},
		},
		{
			name:    "early-morning IST is the previous UTC day: expansion stays on IST Sundays",
			rule:    "FREQ=WEEKLY;BYDAY=SU;COUNT=3",
			dtstart: atIST(2025, 5, 4, 2, 0),
			want:    []string{"2025-05-03T20:30Z", "2025-05-10T20:30Z", "2025-05-17T20:30Z"},
		},
		{
			name:    "RFC 5545 example: biweekly Tue/Sun, WKST=MO",
			rule:    "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
			dtstart: atIST(2025, 8, 5, 9, 0), // a Tuesday, like 5 Aug 1997
			want:    []string{"2025-08-05T03:30Z", "2025-08-10T03:30Z", "2025-08-19T03:30Z", "2025-08-24T03:30Z"},
		},
		{
			name:    "RFC 5545 example: the same with WKST=SU",
			rule:    "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
			dtstart: atIST(2025, 8, 5, 9, 0),
			want:    []string{"2025-08-05T03:30Z", "2025-08-17T03:30Z", "2025-08-19T03:30Z", "2025-08-31T03:30Z"},
		},
		{
			name:    "Friday the 13th",
			rule:    "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=3",
			dtstart: atIST(2026, 2, 13, 10, 0),
			want:    []string{"2026-02-13T04:30Z", "2026-03-13T04:30Z", "2026-11-13T04:30Z"},
		},
		{
			name:    "a start off the pattern still counts as the first occurrence",
			rule:    "FREQ=MONTHLY;BYDAY=-1SU;COUNT=2",
			dtstart: atIST(2025, 1, 1, 11, 0),
			want:    []string{"2025-01-01T05:30Z", "2025-01-26T05:30Z"},
		},
		{
			name:    "impossible date ends instead of looping",
			rule:    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
			dtstart: atIST(2025, 1, 1, 11, 0),
			want:    []string{"2025-01-01T05:30Z"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRRule(tc.rule)
			if err != nil {
				t.Fatalf("ParseRRule(%q): %v", tc.rule, err)
			}
			var got []string
			for s := range r.All(tc.dtstart) {
				if s.Location() != time.UTC {
					t.Fatalf("occurrence %v not in UTC", s)
				}
				got = append(got, s.Format("2006-01-02T15:04Z"))
				if len(got) > 50 {
					break
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
			// Between over the whole span agrees, and a window from the
			// middle (which may skip periods) gives the tail.
			if len(tc.want) > 2 {
				from := atUTC(tc.want[1])
				b, err := r.Between(tc.dtstart, from, atUTC(tc.want[len(tc.want)-1]).Add(time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				if len(b) != len(tc.want)-1 || !b[0].Equal(from) {
					t.Errorf("Between from the 2nd occurrence = %v", b)
				}
			}
		})
	}
}

func TestRRuleBetweenSkipsAheadWithoutCount(t *testing.T) {
	r, err := ParseRRule("FREQ=MONTHLY;BYDAY=-1SU")
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Between(atIST(2025, 1, 26, 11, 0), atIST(2030, 1, 1, 0, 0), atIST(2030, 4, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{atIST(2030, 1, 27, 11, 0), atIST(2030, 2, 24, 11, 0), atIST(2030, 3, 31, 11, 0)}
	if !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParseRRuleErrors(t *testing.T) {
	tests := []struct{ rule, want string }{
		{"", "empty"},
		{"INTERVAL=2", "FREQ is required"},
		{"FREQ=HOURLY", "not supported"},
		{"FREQ=FORTNIGHTLY", "unknown FREQ"},
		{"FREQ=MONTHLY;BYSETPOS=-1;BYDAY=SU", "BYSETPOS is not supported"},
		{"FREQ=DAILY;COUNT=3;UNTIL=20250101", "not both"},
		{"FREQ=WEEKLY;BYDAY=-1SU", "needs FREQ=MONTHLY or YEARLY"},
		{"FREQ=MONTHLY;BYDAY=6SU", "at most 5"},
		{"FREQ=MONTHLY;BYDAY=XX", "not a weekday"},
		{"FREQ=DAILY;INTERVAL=0", "from 1 to 1000"},
		{"FREQ=DAILY;FREQ=WEEKLY", "given twice"},
		{"FREQ=MONTHLY;BYMONTHDAY=0", "not a day"},
		{"FREQ=WEEKLY;BYMONTHDAY=1", "cannot be used"},
		{"FREQ=DAILY;UNTIL=tomorrow", "UNTIL=TOMORROW"},
		{"FREQ=DAILY;junk", "not NAME=VALUE"},
		{"FREQ=DAILY;COLOR=red", "unknown rule part"},
	}
	for _, tc := range tests {
		_, err := ParseRRule(tc.rule)
		if err == nil {
			t.Errorf("ParseRRule(%q) succeeded, want error with %q", tc.rule, tc.want)
			continue
		}
		if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "rrule: ") {
			t.Errorf("ParseRRule(%q) = %v (%s), want EINVALID rrule error containing %q", tc.rule, err, ErrorCode(err), tc.want)
		}
	}
}

func TestRRuleStringRoundTrip(t *testing.T) {
	for _, in := range []string{
		"rrule:freq=monthly;byday=-1su",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU",
		"FREQ=YEARLY;BYMONTH=3,1;BYDAY=-1SU;UNTIL=20300101T000000Z",
		"FREQ=MONTHLY;BYMONTHDAY=-1,15;COUNT=12",
	} {
		r, err := ParseRRule(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		s := r.String()
		r2, err := ParseRRule(s)
		if err != nil || r2.String() != s {
			t.Errorf("%q -> %q -> %q (%v)", in, s, r2.String(), err)
		}
	}
	r, _ := ParseRRule("freq=monthly;byday=-1su")
	if got := r.String(); got != "FREQ=MONTHLY;BYDAY=-1SU" {
		t.Errorf("canonical form %q", got)
	}
}

func radioEvent() Event {
	return Event{
		ID: 7, UID: "mkb@karyakram", UnitID: 3, Type: "listening",
		Title: "Radio address listening", TitleHi: "मन की बात श्रवण",
		Venue: Venue{Name: "Booth 12 office"},
		Start: atIST(2025, 1, 26, 11, 0), End: atIST(2025, 1, 26, 11, 30),
		RRule: "FREQ=MONTHLY;BYDAY=-1SU", Status: EventConfirmed,
	}
}

func TestOccurrencesExDatesAndOverrides(t *testing.T) {
	e := radioEvent()
	e.ExDates = []time.Time{atIST(2025, 3, 30, 11, 0)} // skipped in March
	moved := Venue{Name: "Mandal hall"}
	e.Overrides = []Override{
		// April's moves to 12:00 at another venue.
		{RecurrenceID: atIST(2025, 4, 27, 11, 0), Start: atIST(2025, 4, 27, 12, 0), End: atIST(2025, 4, 27, 13, 0), Venue: &moved},
		// May's is cancelled but kept.
		{RecurrenceID: atIST(2025, 5, 25, 11, 0), Status: EventCancelled},
		// June's moves to 1 July, out of this window and into the next.
		{RecurrenceID: atIST(2025, 6, 29, 11, 0), Start: atIST(2025, 7, 1, 11, 0), End: atIST(2025, 7, 1, 11, 30)},
	}
	e.Normalise()
	if err := e.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	occ, err := e.Occurrences(atIST(2025, 2, 1, 0, 0), atIST(2025, 7, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		start  string
		venue  string
		status EventStatus
		over   bool
	}
	var got []row
	for _, o := range occ {
		got = append(got, row{o.Start.Format("2006-01-02T15:04Z"), o.Venue.Name, o.Status, o.Overridden})
	}
	want := []row{
		{"2025-02-23T05:30Z", "Booth 12 office", EventConfirmed, false},
		{"2025-04-27T06:30Z", "Mandal hall", EventConfirmed, true},
		{"2025-05-25T05:30Z", "Booth 12 office", EventCancelled, true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	// The moved June occurrence shows up in July's window.
	occ, _ = e.Occurrences(atIST(2025, 7, 1, 0, 0), atIST(2025, 7, 2, 0, 0))
	if len(occ) != 1 || !occ[0].RecurrenceID.Equal(atIST(2025, 6, 29, 11, 0)) {
		t.Errorf("July window = %+v", occ)
	}
}

func TestOccurrencesSingleEvent(t *testing.T) {
	e := Event{ID: 1, Start: atIST(2025, 5, 4, 10, 0), End: atIST(2025, 5, 4, 12, 0)}
	tests := []struct {
		from, to time.Time
		n        int
	}{
		{atIST(2025, 5, 4, 0, 0), atIST(2025, 5, 5, 0, 0), 1},
		{atIST(2025, 5, 4, 11, 0), atIST(2025, 5, 4, 11, 1), 1},
		{atIST(2025, 5, 4, 12, 0), atIST(2025, 5, 5, 0, 0), 0}, // ends exactly at from
		{atIST(2025, 5, 3, 0, 0), atIST(2025, 5, 4, 10, 0), 0}, // starts exactly at to
	}
	for _, tc := range tests {
		occ, err := e.Occurrences(tc.from, tc.to)
		if err != nil || len(occ) != tc.n {
			t.Errorf("[%v, %v): %d occurrences (%v), want %d", tc.from, tc.to, len(occ), err, tc.n)
		}
	}
}

func TestOccurrencesLimit(t *testing.T) {
	e := Event{ID: 1, Start: atIST(2025, 1, 1, 10, 0), End: atIST(2025, 1, 1, 11, 0), RRule: "FREQ=DAILY"}
	_, err := e.Occurrences(atIST(2025, 1, 1, 0, 0), atIST(2199, 1, 1, 0, 0))
	if ErrorCode(err) != ETOOLARGE {
		t.Errorf("got %v, want ETOOLARGE", err)
	}
}

// FuzzRRule: any rule that parses round-trips through String, and its
// expansion is strictly increasing, starts at DTSTART and terminates.
func FuzzRRule(f *testing.F) {
	for _, s := range []string{
		"FREQ=MONTHLY;BYDAY=-1SU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU", "FREQ=YEARLY;BYDAY=20MO",
		"FREQ=DAILY;UNTIL=20250510", "FREQ=MONTHLY;BYMONTHDAY=-1,15;COUNT=12", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
	} {
		f.Add(s, int64(1737869400))
	}
	f.Fuzz(func(t *testing.T, s string, start int64) {
		r, err := ParseRRule(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("error code %s", ErrorCode(err))
			}
			return
		}
		r2, err := ParseRRule(r.String())
		if err != nil || r2.String() != r.String() {
			t.Fatalf("%q -> %q -> %v", s, r.String(), err)
		}
		dtstart := time.Unix(946684800+(start%(150*365*86400)+150*365*86400)%(150*365*86400), 0).UTC() // 2000..2150
		prev, n := time.Time{}, 0
		for occ := range r.All(dtstart) {
			if n == 0 && !occ.Equal(dtstart) {
				t.Fatalf("first occurrence %v, want DTSTART %v", occ, dtstart)
			}
			if !occ.After(prev) {
				t.Fatalf("%q: %v after %v", s, occ, prev)
			}
			prev, n = occ, n+1
			if n == 200 {
				break
			}
		}
	})
}
