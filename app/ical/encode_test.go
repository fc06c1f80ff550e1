package ical

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"github.com/karyakram/karyakram/schedule"

	"github.com/karyakram/karyakram/app/ical/icaltest"
)

func ist(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, schedule.Zone{}.Location()).UTC()
}

const longHindi = "मासिक रेडियो संबोधन का सामूहिक श्रवण: सभी कार्यकर्ता, शक्ति केंद्र प्रमुख और बूथ अध्यक्ष समय पर पहुँचें; चाय, दरी और ध्वनि व्यवस्था"

func testFeed() *Feed {
	moved := schedule.Venue{Name: "Mandal karyalaya, Aminabad", Geo: &schedule.LatLon{Lat: 26.8467, Lon: 80.9462}}
	return &Feed{
		Name:        "लखनऊ ज़िला — Lucknow district",
		Description: "Events of the Lucknow district subtree",
		Refresh:     2 * time.Hour,
		Now:         time.Date(2025, 4, 30, 12, 0, 0, 0, time.UTC),
		Events: []schedule.Event{
			{
				ID: 1, UID: "programme-12-unit-101@karyakram", UnitID: 101, Type: "sports",
				Title: "Khel Utsav, cluster 101; finals", TitleHi: "खेल उत्सव — क्लस्टर १०१",
				Description: "Line one\nLine two, with a comma; and a semicolon \\ backslash",
				Venue:       schedule.Venue{Name: "Inter College ground", Geo: &schedule.LatLon{Lat: 26.85, Lon: 80.95}},
				Start:       ist(2025, 5, 4, 10, 0), End: ist(2025, 5, 4, 12, 0),
				Status: schedule.EventConfirmed, Sequence: 3, UpdatedAt: time.Date(2025, 4, 21, 8, 30, 0, 0, time.UTC),
			},
			{
				ID: 2, UID: "mkb-listening-3@karyakram", UnitID: 3, Type: "listening",
				Title: "Radio address listening", TitleHi: longHindi,
				Venue: schedule.Venue{Name: "Booth 12 office"},
				Start: ist(2025, 1, 26, 11, 0), End: ist(2025, 1, 26, 11, 30),
				RRule:   "FREQ=MONTHLY;BYDAY=-1SU",
				ExDates: []time.Time{ist(2025, 3, 30, 11, 0)},
				Overrides: []schedule.Override{
					{RecurrenceID: ist(2025, 4, 27, 11, 0), Start: ist(2025, 4, 27, 12, 0), End: ist(2025, 4, 27, 13, 0), Venue: &moved},
					{RecurrenceID: ist(2025, 5, 25, 11, 0), Status: schedule.EventCancelled},
				},
				Status: schedule.EventConfirmed, Sequence: 1, UpdatedAt: time.Date(2025, 4, 1, 6, 0, 0, 0, time.UTC),
			},
			{
				ID: 3, UID: "cancelled@karyakram", UnitID: 101, Type: "meeting", Title: "Committee meeting",
				Start: ist(2025, 5, 6, 2, 0), End: ist(2025, 5, 6, 3, 0), // 02:00 IST is the previous UTC day
				Status: schedule.EventCancelled, Sequence: 2,
			},
			{
				ID: 4, UID: "tentative@karyakram", UnitID: 101, Type: "speech", TitleHi: "सभा",
				Start: ist(2025, 5, 7, 17, 0), End: ist(2025, 5, 7, 18, 0), Status: schedule.EventTentative,
			},
		},
	}
}

// checkLines asserts CRLF line ends, at most 75 octets a line, and that
// folding never split a UTF-8 sequence.
func checkLines(t *testing.T, out []byte) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatal("feed does not end with CRLF")
	}
	lines := bytes.Split(out[:len(out)-2], []byte("\r\n"))
	for i, l := range lines {
		if len(l) > MaxLineOctets {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if bytes.IndexByte(l, '\n') >= 0 || bytes.IndexByte(l, '\r') >= 0 {
			t.Errorf("line %d has a bare CR or LF", i+1)
		}
		if !utf8.Valid(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, l)
		}
	}
}

func TestRenderFeedLines(t *testing.T) {
	out, err := Render(testFeed())
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, out)
	unfolded := strings.ReplaceAll(string(out), "\r\n ", "")
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + ProdID + "\r\n",
		"X-WR-CALNAME:लखनऊ ज़िला — Lucknow district\r\n",
		"REFRESH-INTERVAL;VALUE=DURATION:PT2H\r\nX-PUBLISHED-TTL:PT2H\r\n",
		"BEGIN:VTIMEZONE\r\nTZID:Asia/Kolkata\r\n",
		"UID:programme-12-unit-101@karyakram\r\nDTSTAMP:20250421T083000Z\r\nSEQUENCE:3\r\n",
		"DTSTART;TZID=Asia/Kolkata:20250504T100000\r\nDTEND;TZID=Asia/Kolkata:20250504T120000\r\n",
		"SUMMARY:Khel Utsav\\, cluster 101\\; finals / खेल उत्सव — क्लस्टर १०१\r\n",
		"DESCRIPTION:Line one\\nLine two\\, with a comma\\; and a semicolon \\\\ backslash\r\n",
		"GEO:26.850000;80.950000\r\n",
		"RRULE:FREQ=MONTHLY;BYDAY=-1SU\r\nEXDATE;TZID=Asia/Kolkata:20250330T110000\r\n",
		"RECURRENCE-ID;TZID=Asia/Kolkata:20250427T110000\r\nDTSTART;TZID=Asia/Kolkata:20250427T120000\r\n",
		"RECURRENCE-ID;TZID=Asia/Kolkata:20250525T110000\r\nDTSTART;TZID=Asia/Kolkata:20250525T110000\r\nDTEND;TZID=Asia/Kolkata:20250525T113000\r\n",
		"UID:cancelled@karyakram\r\nDTSTAMP:20250430T120000Z\r\nSEQUENCE:2\r\nDTSTART;TZID=Asia/Kolkata:20250506T020000\r\n",
		"STATUS:CANCELLED\r\n",
		"STATUS:TENTATIVE\r\n",
		"END:VCALENDAR\r\n",
	} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	if n := strings.Count(unfolded, "BEGIN:VEVENT"); n != 6 {
		t.Errorf("%d VEVENTs, want 6 (4 events + 2 overrides)", n)
	}
	// Encode streams the same bytes.
	var buf bytes.Buffer
	if err := Encode(&buf, testFeed()); err != nil || !bytes.Equal(buf.Bytes(), out) {
		t.Errorf("Encode differs from Render (%v)", err)
	}
}

func TestRenderParsesWithGoICal(t *testing.T) {
	f := testFeed()
	out, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot decode the feed: %v", err)
	}
	if v, _ := cal.Props.Get("X-WR-CALNAME").Text(); v != f.Name {
		t.Errorf("X-WR-CALNAME %q", v)
	}
	if v, _ := cal.Props.Get(goical.PropRefreshInterval).Duration(); v != 2*time.Hour {
		t.Errorf("REFRESH-INTERVAL %v", v)
	}
	events := cal.Events()
	if len(events) != 6 {
		t.Fatalf("%d events", len(events))
	}
	type row struct {
		uid, summary, status, rid string
		seq                       int
		start, end                time.Time
	}
	var got []row
	for _, e := range events {
		r := row{}
		r.uid, _ = e.Props.Text(goical.PropUID)
		r.summary, _ = e.Props.Text(goical.PropSummary)
		r.status = e.Props.Get(goical.PropStatus).Value
		r.seq, _ = e.Props.Get(goical.PropSequence).Int()
		if p := e.Props.Get(goical.PropRecurrenceID); p != nil {
			rid, err := p.DateTime(nil)
			if err != nil {
				t.Fatal(err)
			}
			r.rid = rid.UTC().Format(time.RFC3339)
		}
		if r.start, err = e.DateTimeStart(nil); err != nil {
			t.Fatal(err)
		}
		if r.end, err = e.DateTimeEnd(nil); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	u := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	want := []row{
		{"programme-12-unit-101@karyakram", "Khel Utsav, cluster 101; finals / खेल उत्सव — क्लस्टर १०१", "CONFIRMED", "", 3, u("2025-05-04T04:30:00Z"), u("2025-05-04T06:30:00Z")},
		{"mkb-listening-3@karyakram", "Radio address listening / " + longHindi, "CONFIRMED", "", 1, u("2025-01-26T05:30:00Z"), u("2025-01-26T06:00:00Z")},
		{"mkb-listening-3@karyakram", "Radio address listening / " + longHindi, "CONFIRMED", "2025-04-27T05:30:00Z", 1, u("2025-04-27T06:30:00Z"), u("2025-04-27T07:30:00Z")},
		{"mkb-listening-3@karyakram", "Radio address listening / " + longHindi, "CANCELLED", "2025-05-25T05:30:00Z", 1, u("2025-05-25T05:30:00Z"), u("2025-05-25T06:00:00Z")},
		{"cancelled@karyakram", "Committee meeting", "CANCELLED", "", 2, u("2025-05-05T20:30:00Z"), u("2025-05-05T21:30:00Z")},
		{"tentative@karyakram", "सभा", "TENTATIVE", "", 0, u("2025-05-07T11:30:00Z"), u("2025-05-07T12:30:00Z")},
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.uid != w.uid || g.summary != w.summary || g.status != w.status || g.rid != w.rid || g.seq != w.seq ||
			!g.start.Equal(w.start) || !g.end.Equal(w.end) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	// go-ical's own recurrence set (rrule-go) agrees with schedule's
	// expansion, EXDATE included.
	set, err := events[1].RecurrenceSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	theirs := set.Between(ist(2025, 1, 1, 0, 0), ist(2025, 12, 31, 0, 0), true)
	ev := f.Events[1]
	rule, _ := schedule.ParseRRule(ev.RRule)
	ours, _ := rule.Between(ev.Start, ist(2025, 1, 1, 0, 0), ist(2025, 12, 31, 0, 0))
	ours = slices.DeleteFunc(ours, func(t time.Time) bool { return slices.ContainsFunc(ev.ExDates, t.Equal) })
	if !slices.EqualFunc(theirs, ours, time.Time.Equal) {
		t.Errorf("rrule-go expansion %v\nschedule expansion %v", theirs, ours)
	}
}

func TestRenderParsesWithICalJS(t *testing.T) {
	f := testFeed()
	out, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	cal := icaltest.JS(t, out, 12)
	if cal.Name != f.Name || cal.Refresh != "PT2H" || cal.TTL != "PT2H" || !slices.Equal(cal.Timezones, []string{schedule.DefaultZoneName}) {
		t.Errorf("calendar %q %q %q %v", cal.Name, cal.Refresh, cal.TTL, cal.Timezones)
	}
	if len(cal.Events) != 6 {
		t.Fatalf("ical.js saw %d events", len(cal.Events))
	}
	js := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	e0 := cal.Events[0]
	if e0.Start != js(f.Events[0].Start) || e0.End != js(f.Events[0].End) || e0.StartTZID != schedule.DefaultZoneName ||
		e0.Sequence != 3 || e0.Status != "CONFIRMED" || e0.DTStamp != "2025-04-21T08:30:00.000Z" ||
		e0.Description != f.Events[0].Description || e0.Location != "Inter College ground" {
		t.Errorf("event 0 as ical.js reads it: %+v", e0)
	}
	if e := cal.Events[4]; e.Status != "CANCELLED" || e.Start != "2025-05-05T20:30:00.000Z" {
		t.Errorf("cancelled 02:00 IST event: %+v", e)
	}
	// ical.js expands the last-Sunday rule with EXDATE to the same instants
	// as schedule does.
	master := cal.Events[1]
	ev := f.Events[1]
	rule, _ := schedule.ParseRRule(ev.RRule)
	var want []string
	for s := range rule.All(ev.Start) {
		if !slices.ContainsFunc(ev.ExDates, s.Equal) {
			want = append(want, js(s))
		}
		if len(want) == 12 {
			break
		}
	}
	if !slices.Equal(master.Occurrences, want) {
		t.Errorf("ical.js occurrences %v\nschedule               %v", master.Occurrences, want)
	}
	if r := cal.Events[2].RecurrenceID; r == nil || *r != "2025-04-27T05:30:00.000Z" || cal.Events[2].Location != "Mandal karyalaya, Aminabad" {
		t.Errorf("override as ical.js reads it: %+v", cal.Events[2])
	}
	if e := cal.Events[3]; e.Status != "CANCELLED" || e.RecurrenceID == nil {
		t.Errorf("cancelled occurrence: %+v", e)
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*schedule.Event)
		want string
	}{
		{"no UID", func(e *schedule.Event) { e.UID = "" }, "has no UID"},
		{"end before start", func(e *schedule.Event) { e.End = e.Start.Add(-time.Hour) }, "no valid start/end"},
		{"bad rule", func(e *schedule.Event) { e.RRule = "FREQ=HOURLY" }, "not supported"},
	}
	for _, tc := range tests {
		f := testFeed()
		tc.edit(&f.Events[0])
		if _, err := Render(f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestAppendText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a\b;c,d`, `a\\b\;c\,d`},
		{"two\nlines\r\n", `two\nlines\n`},
		{"bell\x07tab\t", "belltab\t"},
		{"bad\xffutf8 हिंदी", "badutf8 हिंदी"},
	}
	for _, tc := range tests {
		if got := string(appendText(nil, tc.in)); got != tc.want {
			t.Errorf("appendText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDurationValue(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "PT1H", 90 * time.Minute: "PT1H30M", 24 * time.Hour: "P1D", 45 * time.Second: "PT45S",
	} {
		if got := durationValue(d); got != want {
			t.Errorf("durationValue(%v) = %q, want %q", d, got, want)
		}
	}
}
