package schedule

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func validEvent() Event {
	return Event{
		UnitID: 5, Type: "sports", Title: "Sports day", TitleHi: "खेल दिवस",
		Venue: Venue{Name: "Ground", Geo: &LatLon{Lat: 26.85, Lon: 80.95}},
		Start: atIST(2025, 5, 4, 10, 0), End: atIST(2025, 5, 4, 12, 0),
		Organisers: []int64{3, 1, 3}, Guests: []int64{42},
	}
}

func TestEventValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Event)
		fields []string // offending fields, in order; nil = valid
		msg    string   // substring of the first message
	}{
		{"valid", func(*Event) {}, nil, ""},
		{"valid recurring", func(e *Event) { *e = radioEvent() }, nil, ""},
		{"end before start", func(e *Event) { e.End = e.Start.Add(-time.Hour) },
			[]string{"end"}, "end Sunday, 4 May 2025, 09:00 IST must be after start Sunday, 4 May 2025, 10:00 IST"},
		{"end equals start", func(e *Event) { e.End = e.Start }, []string{"end"}, "must be after start"},
		{"no start", func(e *Event) { e.Start = time.Time{} }, []string{"start"}, "give a start"},
		{"too long", func(e *Event) { e.End = e.Start.Add(40 * 24 * time.Hour) }, []string{"end"}, "at most 31 days"},
		{"no unit, no title, bad type", func(e *Event) { e.UnitID, e.Title, e.TitleHi, e.Type = 0, "", "", "Sports Day" },
			[]string{"unit", "type", "title"}, "choose the unit"},
		{"bad status", func(e *Event) { e.Status = "maybe" }, []string{"status"}, "unknown status"},
		{"bad latitude", func(e *Event) { e.Venue.Geo.Lat = math.NaN() }, []string{"venue.lat"}, "latitude"},
		{"bad guest", func(e *Event) { e.Guests = []int64{-1} }, []string{"guests"}, "invalid person ID"},
		{"control char in title", func(e *Event) { e.Title = "a\x00b" }, []string{"title"}, "control character"},
		{"uid with space", func(e *Event) { e.UID = "a b" }, []string{"uid"}, "printable ASCII"},
		{"exdates without rule", func(e *Event) { e.ExDates = []time.Time{e.Start} }, []string{"exdates"}, "need a recurrence rule"},
		{"bad rule", func(e *Event) { e.RRule = "FREQ=SOMETIMES" }, []string{"rrule"}, "unknown FREQ"},
		{"start off the rule", func(e *Event) {
			*e = radioEvent()
			e.Start, e.End = atIST(2025, 1, 19, 11, 0), atIST(2025, 1, 19, 12, 0)
		},
			[]string{"start"}, "is not an occurrence of the rule \"FREQ=MONTHLY;BYDAY=-1SU\""},
		{"exdate not an occurrence", func(e *Event) { *e = radioEvent(); e.ExDates = []time.Time{atIST(2025, 3, 30, 10, 0)} },
			[]string{"exdates[0]"}, "Sunday, 30 March 2025, 10:00 IST is not an occurrence"},
		{"override twice and reversed", func(e *Event) {
			*e = radioEvent()
			rid := atIST(2025, 2, 23, 11, 0)
			e.Overrides = []Override{{RecurrenceID: rid}, {RecurrenceID: rid, Start: rid, End: rid.Add(-time.Minute)}}
		}, []string{"overrides[1].recurrence_id", "overrides[1].end"}, "edited twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := validEvent()
			tc.edit(&e)
			e.Normalise()
			err := e.Validate()
			var fields []string
			for _, fe := range ValidationErrors(err) {
				if fe.Code != EINVALID {
					t.Errorf("code %s", fe.Code)
				}
				fields = append(fields, fe.Field)
			}
			if !slices.Equal(fields, tc.fields) {
				t.Fatalf("fields %q, want %q (err: %v)", fields, tc.fields, err)
			}
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
			if err != nil && ErrorCode(err) != EINVALID {
				t.Errorf("ErrorCode = %s", ErrorCode(err))
			}
		})
	}
}

func TestEventNormalise(t *testing.T) {
	e := validEvent()
	e.Type = " Sports "
	e.RRule = "rrule:freq=monthly;byday=-1su"
	e.Start = time.Date(2025, 1, 26, 11, 0, 0, 999, Zone{}.Location())
	e.ExDates = []time.Time{atIST(2025, 3, 30, 11, 0), atIST(2025, 2, 23, 11, 0), atIST(2025, 3, 30, 11, 0)}
	e.Normalise()
	if e.Type != "sports" || e.RRule != "FREQ=MONTHLY;BYDAY=-1SU" || e.Status != EventConfirmed {
		t.Errorf("normalised %q %q %q", e.Type, e.RRule, e.Status)
	}
	if e.Start.Location() != time.UTC || e.Start.Nanosecond() != 0 || !e.Start.Equal(atIST(2025, 1, 26, 11, 0)) {
		t.Errorf("start %v", e.Start)
	}
	if !slices.Equal(e.Organisers, []int64{1, 3}) || len(e.ExDates) != 2 || !e.ExDates[0].Before(e.ExDates[1]) {
		t.Errorf("organisers %v exdates %v", e.Organisers, e.ExDates)
	}
	e.Bump(atIST(2025, 2, 1, 9, 0))
	if e.Sequence != 1 || !e.UpdatedAt.Equal(atIST(2025, 2, 1, 9, 0)) {
		t.Errorf("bump: %d %v", e.Sequence, e.UpdatedAt)
	}
}

func TestZoneParseAndUID(t *testing.T) {
	got, err := Zone{}.Parse("2025-05-04", "02:00")
	if err != nil || !got.Equal(atUTC("2025-05-03T20:30Z")) || got.Location() != time.UTC {
		t.Errorf("Parse = %v %v", got, err)
	}
	if _, err := (Zone{}).Parse("04/05/2025", "10:00"); ErrorCode(err) != EINVALID {
		t.Errorf("bad date accepted: %v", err)
	}
	uid, err := NewEventUID(bytes.NewReader(bytes.Repeat([]byte{0xab}, 16)))
	if err != nil || uid != strings.Repeat("ab", 16)+"@karyakram" {
		t.Errorf("uid %q %v", uid, err)
	}
	if _, err := NewEventUID(bytes.NewReader(nil)); err == nil {
		t.Error("short random source accepted")
	}
	if got := (&Event{Title: "Sports", TitleHi: "खेल"}).DisplayTitle("hi"); got != "खेल" {
		t.Errorf("DisplayTitle = %q", got)
	}
}
