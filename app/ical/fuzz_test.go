package ical

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// FuzzDecode feeds arbitrary bytes to Decode: it must never panic, must
// fail only with a coded *schedule.Error, and what it accepts must be
// usable by the calendar: ordered times, expandable recurrences and a feed
// that encodes. Run: go test -fuzz FuzzDecode -fuzztime 60s ./app/ical
func FuzzDecode(f *testing.F) {
	own, err := Render(testFeed())
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		own,
		[]byte(vipCalendar),
		[]byte(""),
		[]byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
		[]byte("BEGIN:VCALENDAR\r\nX;A=\"b\"c:d\r\nEND:VCALENDAR\r\n"),
		[]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=\"India Standard Time\":20250504T150000\nDURATION:P1W2DT3H\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\nEND:VCALENDAR\n"),
		[]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:r\nDTSTART:20250131T100000Z\nDTEND:20250131T110000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20300101\nEXDATE;VALUE=DATE:20250228,20250331\nEND:VEVENT\nBEGIN:VEVENT\nUID:r\nRECURRENCE-ID:20250430T100000Z\nDTSTART:20250501T100000Z\nDTEND:20250501T100000Z\nEND:VEVENT\nEND:VCALENDAR\n"),
		[]byte("BEGIN:VCALENDAR\n BEGIN:VEVENT\n\tX:1\nEND:VCALENDAR"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := Decode(bytes.NewReader(data), DecodeOptions{MaxBytes: 1 << 20, GuestID: 1})
		if err != nil {
			var de *schedule.Error
			if !errors.As(err, &de) || de.Code == "" || de.Message == "" {
				t.Fatalf("error is not a coded domain error: %#v", err)
			}
			return
		}
		for i := range imp.Events {
			e := &imp.Events[i]
			if e.UID == "" || e.Start.IsZero() || e.End.Before(e.Start) {
				t.Fatalf("unusable event %+v", e)
			}
			// Expansion over a year must terminate and stay in range.
			occ, err := e.Occurrences(e.Start, e.Start.AddDate(1, 0, 0))
			if err != nil && schedule.ErrorCode(err) != schedule.ETOOLARGE {
				t.Fatalf("Occurrences: %v", err)
			}
			for _, o := range occ {
				if o.End.Before(o.Start) {
					t.Fatalf("occurrence ends before it starts: %+v", o)
				}
			}
		}
		if _, err := schedule.FindConflicts(imp.Events, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC), schedule.DefaultRoadModel().Travel); err != nil &&
			schedule.ErrorCode(err) != schedule.ETOOLARGE {
			t.Fatalf("FindConflicts: %v", err)
		}
	})
}
