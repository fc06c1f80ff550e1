package ical

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/karyakram/karyakram/schedule"
)

// vipCalendar is the kind of file a VIP's office exports: LF line ends,
// a Google-style VTIMEZONE, an Outlook zone name, an all-day event, a
// recurring series with an EXDATE and an edited occurrence, a cancelled
// event, one without a start and one with an unknown zone.
const vipCalendar = "BEGIN:VCALENDAR\n" +
	"VERSION:2.0\n" +
	"PRODID:-//Google Inc//Google Calendar 70.9054//EN\n" +
	"X-WR-CALNAME:MP office\n" +
	"BEGIN:VTIMEZONE\n" +
	"TZID:Custom/Delhi\n" +
	"BEGIN:STANDARD\n" +
	"DTSTART:19700101T000000\n" +
	"TZOFFSETFROM:+0530\n" +
	"TZOFFSETTO:+0530\n" +
	"END:STANDARD\n" +
	"END:VTIMEZONE\n" +
	"BEGIN:VEVENT\n" +
	"UID:a1@google.com\n" +
	"DTSTART;TZID=Asia/Kolkata:20250504T100000\n" +
	"DTEND;TZID=Asia/Kolkata:20250504T113000\n" +
	"SUMMARY:Inauguration\\, new school\n" +
	"LOCATION:Rampur\\, Barabanki\n" +
	"GEO:26.93;81.19\n" +
	"SEQUENCE:2\n" +
	"END:VEVENT\n" +
	"BEGIN:VEVENT\n" +
	"UID:a2@outlook\n" +
	"DTSTART;TZID=\"India Standard Time\":20250504T150000\n" +
	"DURATION:PT2H\n" +
	"SUMMARY:Press meet\n" +
	"END:VEVENT\n" +
	"BEGIN:VEVENT\n" +
	"UID:a3\n" +
	"DTSTART;VALUE=DATE:20250505\n" +
	"SUMMARY:Delhi\n" +
	"END:VEVENT\n" +
	"BEGIN:VEVENT\n" +
	"UID:weekly@x\n" +
	"DTSTART:20250505T033000Z\n" +
	"DTEND:20250505T043000Z\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\n" +
	"EXDATE;TZID=Custom/Delhi:20250512T090000\n" +
	"SUMMARY:Janata darbar\n" +
	"END:VEVENT\n" +
	"BEGIN:VEVENT\n" +
	"UID:weekly@x\n" +
	"RECURRENCE-ID:20250519T033000Z\n" +
	"DTSTART:20250519T053000Z\n" +
	"DTEND:20250519T063000Z\n" +
	"SUMMARY:Janata darbar (late)\n" +
	"END:VEVENT\n" +
	"BEGIN:VEVENT\n" +
	"UID:gone\n" +
	"STATUS:CANCELLED\n" +
	"DTSTART:20250506T100000\n" +
	"DTEND:20250506T110000\n" +
	"SUMMARY:Cancelled visit\n" +
	"END:VEVENT\n" +
	"BEGIN:VEVENT\n" +
	"UID:nostart\n" +
	"SUMMARY:Someday\n" +
	"END:VEVENT\n" +
	"BEGIN:VEVENT\n" +
	"UID:mars\n" +
	"DTSTART;TZID=Mars/Olympus:20250506T100000\n" +
	"SUMMARY:Elsewhere\n" +
	"END:VEVENT\n" +
	"BEGIN:VTODO\n" +
	"UID:todo\n" +
	"END:VTODO\n" +
	"END:VCALENDAR\n"

func TestDecodeVIPCalendar(t *testing.T) {
	imp, err := Decode(strings.NewReader(vipCalendar), DecodeOptions{GuestID: 42})
	if err != nil {
		t.Fatal(err)
	}
	if imp.Name != "MP office" {
		t.Errorf("name %q", imp.Name)
	}
	type row struct {
		uid, title, venue string
		start, end        time.Time
		status            schedule.EventStatus
	}
	var got []row
	for _, e := range imp.Events {
		got = append(got, row{e.UID, e.Title, e.Venue.Name, e.Start, e.End, e.Status})
		if e.Type != ImportedType || !slices.Equal(e.Guests, []int64{42}) {
			t.Errorf("%s: type %q guests %v", e.UID, e.Type, e.Guests)
		}
	}
	want := []row{
		{"a1@google.com", "Inauguration, new school", "Rampur, Barabanki", ist(2025, 5, 4, 10, 0), ist(2025, 5, 4, 11, 30), schedule.EventConfirmed},
		{"a2@outlook", "Press meet", "", ist(2025, 5, 4, 15, 0), ist(2025, 5, 4, 17, 0), schedule.EventConfirmed},
		{"a3", "Delhi", "", ist(2025, 5, 5, 0, 0), ist(2025, 5, 6, 0, 0), schedule.EventConfirmed},
		{"weekly@x", "Janata darbar", "", ist(2025, 5, 5, 9, 0), ist(2025, 5, 5, 10, 0), schedule.EventConfirmed},
		{"gone", "Cancelled visit", "", ist(2025, 5, 6, 10, 0), ist(2025, 5, 6, 11, 0), schedule.EventCancelled},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events: %+v", len(got), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.uid != w.uid || g.title != w.title || g.venue != w.venue || !g.start.Equal(w.start) || !g.end.Equal(w.end) || g.status != w.status {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if g := imp.Events[0].Venue.Geo; g == nil || g.Lat != 26.93 || imp.Events[0].Sequence != 2 {
		t.Errorf("geo %v sequence %d", g, imp.Events[0].Sequence)
	}
	// The series: EXDATE in a VTIMEZONE-only zone, and the edited occurrence.
	series := imp.Events[3]
	occ, err := series.Occurrences(ist(2025, 5, 1, 0, 0), ist(2025, 6, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var starts []string
	for _, o := range occ {
		starts = append(starts, o.Start.In(schedule.Zone{}.Location()).Format("Jan 2 15:04"))
	}
	if !slices.Equal(starts, []string{"May 5 09:00", "May 19 11:00", "May 26 09:00"}) {
		t.Errorf("series occurrences %v", starts)
	}
	if len(imp.Skipped) != 2 || !strings.Contains(imp.Skipped[0], "“Someday” (uid nostart): no DTSTART; skipped") ||
		!strings.Contains(imp.Skipped[1], `unknown time zone "Mars/Olympus"`) {
		t.Errorf("skipped %q", imp.Skipped)
	}
	// Imported events feed straight into the conflict rules.
	ours := schedule.Event{ID: 9, UID: "ours", UnitID: 5, Type: "sports", Title: "Sports day",
		Start: ist(2025, 5, 4, 11, 0), End: ist(2025, 5, 4, 13, 0), Guests: []int64{42}}
	cs, err := schedule.ConflictsWith(ours, imp.Events, ist(2025, 5, 1, 0, 0), ist(2025, 6, 1, 0, 0), nil)
	if err != nil || len(cs) != 1 || cs[0].A.Event.UID != "a1@google.com" {
		t.Errorf("conflicts with the VIP calendar: %+v %v", cs, err)
	}
}

func TestDecodeOwnFeedRoundTrip(t *testing.T) {
	f := testFeed()
	out, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := Decode(bytes.NewReader(out), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Events) != len(f.Events) || len(imp.Skipped) != 0 {
		t.Fatalf("%d events, skipped %q", len(imp.Events), imp.Skipped)
	}
	for i, e := range imp.Events {
		w := f.Events[i]
		if e.UID != w.UID || !e.Start.Equal(w.Start) || !e.End.Equal(w.End) || e.Status != w.Status ||
			e.Sequence != w.Sequence || e.RRule != w.RRule || !slices.EqualFunc(e.ExDates, w.ExDates, time.Time.Equal) ||
			len(e.Overrides) != len(w.Overrides) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, e, w)
		}
	}
	if o := imp.Events[1].Overrides; len(o) == 2 && (o[1].Status != schedule.EventCancelled || !o[0].Start.Equal(ist(2025, 4, 27, 12, 0))) {
		t.Errorf("overrides %+v", o)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts DecodeOptions
		code schedule.Code
		want string
	}{
		{"empty", "", DecodeOptions{}, schedule.EINVALID, "file: the file is empty"},
		{"html", "<!doctype html>\n<html>", DecodeOptions{}, schedule.EINVALID, "line 1: expected a property name"},
		{"vcard", "BEGIN:VCARD\nEND:VCARD\n", DecodeOptions{}, schedule.EINVALID, "line 1: expected BEGIN:VCALENDAR, found BEGIN:VCARD"},
		{"cut short", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\n", DecodeOptions{}, schedule.EINVALID, "BEGIN:VEVENT on line 2 is never closed"},
		{"mismatched end", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VTODO\n", DecodeOptions{}, schedule.EINVALID, "line 3: END:VTODO does not close BEGIN:VEVENT from line 2"},
		{"stray end", "END:VCALENDAR\n", DecodeOptions{}, schedule.EINVALID, "line 1: END:VCALENDAR without a matching BEGIN"},
		{"no colon", "BEGIN:VCALENDAR\nSUMMARY\n", DecodeOptions{}, schedule.EINVALID, "line 2: property SUMMARY: missing ':'"},
		{"unterminated quote", "BEGIN:VCALENDAR\nX;A=\"b:c\n", DecodeOptions{}, schedule.EINVALID, "line 2: property X: unterminated quoted"},
		{"junk after quote (panics go-ical)", "BEGIN:VCALENDAR\nX;A=\"b\"c:d\n", DecodeOptions{}, schedule.EINVALID, "line 2: property X: unexpected 'c'"},
		{"leading continuation", " folded\n", DecodeOptions{}, schedule.EINVALID, "line 1: a folded continuation line"},
		{"too deep", strings.Repeat("BEGIN:VCALENDAR\n", 1) + strings.Repeat("BEGIN:X\n", 20), DecodeOptions{}, schedule.EINVALID, "nested more than 16 deep"},
		{"too big", "BEGIN:VCALENDAR\n" + strings.Repeat("X:y\n", 100), DecodeOptions{MaxBytes: 100}, schedule.ETOOLARGE, "larger than"},
		{"too many events", "BEGIN:VCALENDAR\n" + strings.Repeat("BEGIN:VEVENT\nEND:VEVENT\n", 3), DecodeOptions{MaxEvents: 2}, schedule.ETOOLARGE, "more than 2 events"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.in), tc.opts)
			var de *schedule.Error
			if !errors.As(err, &de) || de.Code != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode = %v (%s), want %s containing %q", err, schedule.ErrorCode(err), tc.code, tc.want)
			}
		})
	}
}

func TestGoICalDecoderPanicsWhereOursDoesNot(t *testing.T) {
	// Documents why uploads do not go through goical.NewDecoder: this line
	// panics inside go-ical (decodeParam's "unexpected character").
	in := "BEGIN:VCALENDAR\r\nX;A=\"b\"c:d\r\nEND:VCALENDAR\r\n"
	panicked := func() (p bool) {
		defer func() { p = recover() != nil }()
		_, _ = goical.NewDecoder(strings.NewReader(in)).Decode()
		return false
	}()
	if !panicked {
		t.Log("go-ical no longer panics on this input; DecodeCalendar stays for its limits and line numbers")
	}
	if _, err := DecodeCalendar(strings.NewReader(in), 0); err == nil {
		t.Error("DecodeCalendar accepted a malformed parameter")
	}
}

func TestDecodeUnsupportedRule(t *testing.T) {
	in := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:h\r\nSUMMARY:Hourly\r\nDTSTART:20250504T100000Z\r\nDTEND:20250504T101500Z\r\n" +
		"RRULE:FREQ=HOURLY;COUNT=5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	imp, err := Decode(strings.NewReader(in), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Events) != 1 || imp.Events[0].RRule != "" || len(imp.Skipped) != 1 ||
		!strings.Contains(imp.Skipped[0], "FREQ=HOURLY is not supported") || !strings.Contains(imp.Skipped[0], "only its first occurrence") {
		t.Errorf("events %+v skipped %q", imp.Events, imp.Skipped)
	}
}
