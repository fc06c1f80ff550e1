package pdf

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// The three moments issue 12 names, given as storage holds them (UTC):
// before 05:30 IST (the UTC date is the day before), at midday, and across
// midnight IST.
var zoneCases = []struct {
	name       string
	start, end time.Time
	hi, en     string // what a reader must see
}{
	{"before 05:30 IST", time.Date(2026, 12, 5, 23, 30, 0, 0, time.UTC), time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC),
		"रविवार, 6 दिसंबर 2026, 05:00–06:30 IST", "Sunday, 6 December 2026, 05:00–06:30 IST"},
	{"midday", time.Date(2026, 12, 6, 5, 30, 0, 0, time.UTC), time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC),
		"रविवार, 6 दिसंबर 2026, 11:00–16:30 IST", "Sunday, 6 December 2026, 11:00–16:30 IST"},
	{"across midnight", time.Date(2026, 12, 5, 17, 30, 0, 0, time.UTC), time.Date(2026, 12, 5, 19, 30, 0, 0, time.UTC),
		"शनिवार, 5 दिसंबर 2026, 23:00 – रविवार, 6 दिसंबर 2026, 01:00 IST", "Saturday, 5 December 2026, 23:00 – Sunday, 6 December 2026, 01:00 IST"},
}

// words is pdftotext's output with line breaks inside cells undone.
func words(t *testing.T, pdf []byte) string {
	t.Helper()
	text := pdftotext(t, pdf)
	noPUA(t, text)
	return strings.Join(strings.Fields(text), " ")
}

// TestDocumentsShowIST renders every document for events before 05:30
// IST, at midday and across midnight, on servers whose own zone is UTC,
// New York and Tokyo, and reads each PDF as text: the day and times are
// the organisation's (IST, named), never the server's or UTC; a letter
// issued at 20:00 UTC on 5 December is dated 6 December.
func TestDocumentsShowIST(t *testing.T) {
	needTool(t, "pdftotext")
	e := testEngine(t)
	var zones []*time.Location
	for _, n := range []string{"UTC", "America/New_York", "Asia/Tokyo"} {
		loc, err := time.LoadLocation(n)
		if err != nil {
			t.Skip("no time zone database:", err)
		}
		zones = append(zones, loc)
	}
	issued := time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC) // 01:30 on 6 Dec in India
	for _, loc := range zones {
		old := time.Local
		time.Local = loc
		for _, c := range zoneCases {
			for _, lang := range []Lang{Hindi, English} {
				want := c.hi
				if lang == English {
					want = c.en
				}
				var buf bytes.Buffer
				letters := InviteLetters{Lang: lang, Organisation: "प्रदेश कार्यालय", IssuedOn: issued,
					Letters: []InviteLetter{{Name: "सुनीता पटेल", EventTitle: "बैठक", Start: c.start, End: c.end, Venue: "भोपाल"}}}
				if err := e.WriteInviteLetters(&buf, letters); err != nil {
					t.Fatal(err)
				}
				text := words(t, buf.Bytes())
				date := map[Lang]string{Hindi: "दिनांक: 6 दिसंबर 2026", English: "Date: 6 December 2026"}[lang]
				if !strings.Contains(text, want) || !strings.Contains(text, date) {
					t.Errorf("TZ=%s %s letter (%s): want %q and %q in\n%s", loc, c.name, lang, want, date, text)
				}

				buf.Reset()
				if err := e.WriteAttendanceSheet(&buf, AttendanceSheet{Lang: lang, EventTitle: "बैठक", Start: c.start, End: c.end, BlankRows: 2}); err != nil {
					t.Fatal(err)
				}
				if text := words(t, buf.Bytes()); !strings.Contains(text, want) {
					t.Errorf("TZ=%s %s attendance sheet (%s): want %q in\n%s", loc, c.name, lang, want, text)
				}

				buf.Reset()
				if err := e.WriteBridgeList(&buf, BridgeList{Lang: lang, Title: "मन की बात", Start: c.start,
					Entries: []BridgeEntry{{District: "भोपाल नगर", Number: "+91 75540 00001", PIN: "482913"}}}); err != nil {
					t.Fatal(err)
				}
				startOnly := want[:strings.Index(want, ", ")+2] // weekday, then the date and the start
				if text := words(t, buf.Bytes()); !strings.Contains(text, startOnly) || !strings.Contains(text, schedule.Zone{}.Moments(string(lang)).DateTime(c.start)) {
					t.Errorf("TZ=%s %s bridge list (%s): want %q in\n%s", loc, c.name, lang, schedule.Zone{}.Moments(string(lang)).DateTime(c.start), text)
				}
			}
		}
		time.Local = old
	}
}

// TestRosterHoursInIST: a workshop day's hours, stored in UTC, print on
// the IST clock under the right date, and a session at other hours shows
// its own.
func TestRosterHoursInIST(t *testing.T) {
	needTool(t, "pdftotext")
	e := testEngine(t)
	z := schedule.Zone{}
	day := z.Date(2026, 12, 6, 0, 0)
	early := zoneCases[0]
	rs := RosterSeries{Lang: English, Title: "Workshops", Sessions: []RosterSession{
		{Date: day, HostCity: "Bhopal", Start: early.start, End: early.end, Team: 1, Districts: []RosterDistrict{{Name: "Bhopal Nagar", Attendance: 120}}},
		{Date: day, HostCity: "Gwalior", Start: zoneCases[1].start, End: zoneCases[1].end, Team: 2, Districts: []RosterDistrict{{Name: "Bhind", Attendance: 80}}},
	}}
	var buf bytes.Buffer
	if err := e.WriteRosterSeries(&buf, rs); err != nil {
		t.Fatal(err)
	}
	text := words(t, buf.Bytes())
	for _, want := range []string{"Sunday, 6 December 2026", "Bhopal 05:00–06:30 IST", "Gwalior 11:00–16:30 IST", "Bhopal Nagar (120)"} {
		if !strings.Contains(text, want) {
			t.Errorf("roster lacks %q:\n%s", want, text)
		}
	}
}
