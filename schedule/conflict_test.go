package schedule

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	// Two places in Lucknow ~1 km apart, and one in Kanpur ~75 km away.
	hazratganj = &LatLon{Lat: 26.8500, Lon: 80.9462}
	gomtiNagar = &LatLon{Lat: 26.8570, Lon: 80.9550}
	kanpur     = &LatLon{Lat: 26.4499, Lon: 80.3319}
)

func confEvent(id, unit int64, title string, start time.Time, hours float64, venue Venue, guests ...int64) Event {
	return Event{ID: id, UID: fmt.Sprintf("e%d@karyakram", id), UnitID: unit, Type: "meeting", Title: title,
		Start: start, End: start.Add(time.Duration(hours * float64(time.Hour))), Venue: venue,
		Guests: guests, Status: EventConfirmed}
}

func TestGreatCircleAndRoadModel(t *testing.T) {
	km := GreatCircleKm(*hazratganj, *kanpur)
	if km < 70 || km > 80 {
		t.Fatalf("Lucknow–Kanpur great circle = %.1f km, want ~75", km)
	}
	m := RoadModel{RoadFactor: 1.4, SpeedKmh: 35, Buffer: 15 * time.Minute}
	d, ok := m.Travel(Venue{Geo: hazratganj}, Venue{Geo: kanpur})
	want := time.Duration(km*1.4/35*float64(time.Hour)).Round(time.Minute) + 15*time.Minute
	if !ok || d != want {
		t.Errorf("Travel = %v %v, want %v", d, ok, want)
	}
	if d, ok := m.Travel(Venue{Geo: hazratganj}, Venue{Geo: hazratganj}); !ok || d != 0 {
		t.Errorf("same place = %v %v", d, ok)
	}
	if _, ok := m.Travel(Venue{Name: "somewhere"}, Venue{Geo: kanpur}); ok {
		t.Error("unmapped venue should be unknown")
	}
}

func TestFindConflicts(t *testing.T) {
	day := func(h, m int) time.Time { return atIST(2025, 5, 4, h, m) }
	travel := DefaultRoadModel().Travel
	lko := Venue{Name: "Ravindralaya", Geo: hazratganj}
	lko2 := Venue{Name: "Ravindralaya Hall", Geo: &LatLon{Lat: 26.8503, Lon: 80.9465}} // ~45 m away
	gn := Venue{Name: "Gomti Nagar ground", Geo: gomtiNagar}
	knp := Venue{Name: "Kanpur stadium", Geo: kanpur}
	tests := []struct {
		name   string
		events []Event
		want   []string // "kind A-B guest" per conflict
		reason string   // substring of the first reason
	}{
		{
			name: "VIP cannot reach Kanpur in an hour",
			events: []Event{
				confEvent(1, 10, "Yoga day", day(9, 0), 2, lko, 42),
				confEvent(2, 20, "Sports day", day(12, 0), 2, knp, 42),
			},
			want:   []string{"guest 1-2 42"},
			reason: "Guest #42 has 1 hour between “Yoga day” (Sunday, 4 May 2025, 09:00–11:00 IST) and “Sports day”",
		},
		{
			name: "VIP has time for Kanpur after four hours",
			events: []Event{
				confEvent(1, 10, "Yoga day", day(9, 0), 2, lko, 42),
				confEvent(2, 20, "Sports day", day(15, 0), 2, knp, 42),
			},
		},
		{
			name: "VIP across town with 45 minutes is fine",
			events: []Event{
				confEvent(1, 10, "Yoga day", day(9, 0), 2, lko, 42),
				confEvent(2, 20, "Sabha", day(11, 45), 1, gn, 42),
			},
		},
		{
			name: "VIP booked twice at once, venues unknown",
			events: []Event{
				confEvent(1, 10, "Yoga day", day(9, 0), 2, Venue{Name: "A"}, 42, 7),
				confEvent(2, 20, "Sabha", day(10, 0), 2, Venue{Name: "B"}, 42),
			},
			want:   []string{"guest 1-2 42"},
			reason: "which overlap by 1 h",
		},
		{
			name: "only the next leg is checked: A→B and B→C, not A→C",
			events: []Event{
				confEvent(1, 10, "A", day(9, 0), 1, lko, 42),
				confEvent(2, 20, "B", day(10, 30), 1, knp, 42),
				confEvent(3, 30, "C", day(12, 0), 1, lko, 42),
			},
			want: []string{"guest 1-2 42", "guest 2-3 42"},
		},
		{
			name: "same mapped venue double-booked across units (45 m apart, different spelling)",
			events: []Event{
				confEvent(1, 10, "Training", day(9, 0), 3, lko),
				confEvent(2, 20, "Meeting", day(11, 0), 2, lko2),
			},
			want:   []string{"venue 1-2 0"},
			reason: "“Ravindralaya” is booked for “Training”",
		},
		{
			name: "same venue back to back is fine",
			events: []Event{
				confEvent(1, 10, "Training", day(9, 0), 2, lko),
				confEvent(2, 20, "Meeting", day(11, 0), 2, lko),
			},
		},
		{
			name: "unmapped venue by name within a unit: venue and unit conflicts",
			events: []Event{
				confEvent(1, 10, "Training", day(9, 0), 3, Venue{Name: "Panchayat Bhavan"}),
				confEvent(2, 10, "Meeting", day(11, 0), 2, Venue{Name: "panchayat  bhavan."}),
			},
			want: []string{"unit 1-2 0", "venue 1-2 0"},
		},
		{
			name: "same unmapped name in two units is two places",
			events: []Event{
				confEvent(1, 10, "Training", day(9, 0), 3, Venue{Name: "Panchayat Bhavan"}),
				confEvent(2, 11, "Meeting", day(11, 0), 2, Venue{Name: "Panchayat Bhavan"}),
			},
		},
		{
			name: "one unit, overlapping events at different venues",
			events: []Event{
				confEvent(1, 10, "Training", day(9, 0), 3, lko),
				confEvent(2, 10, "Meeting", day(11, 0), 2, knp),
			},
			want:   []string{"unit 1-2 0"},
			reason: "Unit #10 has “Training”",
		},
		{
			name: "cancelled events do not conflict",
			events: func() []Event {
				a := confEvent(1, 10, "Training", day(9, 0), 3, lko, 42)
				b := confEvent(2, 10, "Meeting", day(11, 0), 2, lko, 42)
				b.Status = EventCancelled
				return []Event{a, b}
			}(),
		},
		{
			name: "a recurring event conflicts on the matching occurrence only",
			events: func() []Event {
				r := radioEvent() // last Sundays 11:00–11:30 IST at unit 3
				r.ExDates = []time.Time{atIST(2025, 4, 27, 11, 0)}
				return []Event{r,
					confEvent(2, 3, "Rally", atIST(2025, 4, 27, 10, 0), 2, lko), // excluded occurrence
					confEvent(3, 3, "Meeting", atIST(2025, 5, 25, 11, 15), 1, lko),
				}
			}(),
			want: []string{"unit 7-3 0"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FindConflicts(tc.events, atIST(2025, 1, 1, 0, 0), atIST(2026, 1, 1, 0, 0), travel)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, c := range got {
				keys = append(keys, fmt.Sprintf("%s %d-%d %d", c.Kind, c.A.Event.ID, c.B.Event.ID, c.GuestID))
			}
			if strings.Join(keys, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("conflicts %q, want %q", keys, tc.want)
			}
			if tc.reason != "" && !strings.Contains(got[0].Reason, tc.reason) {
				t.Errorf("reason %q does not contain %q", got[0].Reason, tc.reason)
			}
			for _, c := range got {
				if c.A.Start.After(c.B.Start) {
					t.Errorf("A starts after B in %+v", c)
				}
			}
		})
	}
}

func TestGuestTravelConflictDetails(t *testing.T) {
	a := confEvent(1, 10, "Yoga day", atIST(2025, 5, 4, 9, 0), 2, Venue{Name: "Ravindralaya", Geo: hazratganj}, 42)
	b := confEvent(2, 20, "Sports day", atIST(2025, 5, 4, 12, 0), 2, Venue{Name: "Kanpur stadium", Geo: kanpur}, 42)
	got, err := FindConflicts([]Event{b, a}, atIST(2025, 5, 1, 0, 0), atIST(2025, 6, 1, 0, 0), DefaultRoadModel().Travel)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v %v", got, err)
	}
	c := got[0]
	if c.Gap != time.Hour || c.Travel < 3*time.Hour || c.Travel > 4*time.Hour {
		t.Errorf("gap %v travel %v", c.Gap, c.Travel)
	}
	if !strings.Contains(c.Reason, "from Ravindralaya to Kanpur stadium (76 km in a straight line) takes about 3 hours 16 minutes") {
		t.Errorf("reason %q", c.Reason)
	}
}

func TestConflictsWithOnlyReportsTheSavedEvent(t *testing.T) {
	day := func(h int) time.Time { return atIST(2025, 5, 4, h, 0) }
	others := []Event{
		confEvent(1, 10, "A", day(9), 3, Venue{}),
		confEvent(2, 10, "B", day(10), 3, Venue{}), // A and B already clash: not reported
		confEvent(3, 10, "Old copy of C", day(10), 1, Venue{}),
	}
	c := confEvent(3, 10, "C", day(13), 1, Venue{}) // moved to 13:00, just as B ends: no clash
	got, err := ConflictsWith(c, others, day(0), day(23), nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("got %+v %v, want none", got, err)
	}
	c.Start, c.End = day(12), day(14)
	got, _ = ConflictsWith(c, others, day(0), day(23), nil)
	if len(got) != 1 || got[0].A.Event.ID != 2 || got[0].B.Event.ID != 3 {
		t.Fatalf("got %+v, want B–C", got)
	}
}

func TestFindConflictsManyConcurrentEvents(t *testing.T) {
	// A statewide programme: 6,400 clusters at 10:00 on the same day at
	// distinct mapped venues must not degrade into comparing every pair.
	var events []Event
	for i := 0; i < 6400; i++ {
		g := &LatLon{Lat: 24 + float64(i/80)*0.05, Lon: 78 + float64(i%80)*0.05}
		events = append(events, confEvent(int64(i+1), int64(1000+i), "Sports day", atIST(2025, 5, 4, 10, 0), 2, Venue{Name: "Ground", Geo: g}))
	}
	events = append(events, confEvent(99999, 1000, "Clash", atIST(2025, 5, 4, 11, 0), 1, Venue{Name: "ground", Geo: events[0].Venue.Geo}))
	start := time.Now()
	got, err := FindConflicts(events, atIST(2025, 5, 1, 0, 0), atIST(2025, 6, 1, 0, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 { // unit + venue with event 1
		t.Errorf("%d conflicts: %+v", len(got), got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestConflictReasonInHindi(t *testing.T) {
	a := confEvent(1, 10, "Yoga day", atIST(2025, 5, 4, 9, 0), 2, Venue{Name: "Ravindralaya", Geo: hazratganj}, 42)
	a.TitleHi = "योग दिवस"
	b := confEvent(2, 20, "Sports day", atIST(2025, 5, 4, 10, 0), 2, Venue{Name: "Kanpur stadium", Geo: kanpur}, 42)
	got, err := FindConflicts([]Event{a, b}, atIST(2025, 5, 1, 0, 0), atIST(2025, 6, 1, 0, 0), DefaultRoadModel().Travel)
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v %v", got, err)
	}
	hi := map[string]string{
		"%s is booked at %s and %s, which overlap by %s.": "%[1]s %[2]s और %[3]s में एक साथ हैं; दोनों %[4]s तक साथ चलते हैं।",
		"“%s” (%s)": "“%s” (%s)",
	}
	r := Reader{Lang: "hi", Translate: func(_, k string) (string, bool) { s, ok := hi[k]; return s, ok }}
	want := "शिवराज चौहान “योग दिवस” (रविवार, 4 मई 2025, 09:00–11:00 IST) और “Sports day” (रविवार, 4 मई 2025, 10:00–12:00 IST) में एक साथ हैं; दोनों 1 घंटा तक साथ चलते हैं।"
	if s := got[0].Text(Names{En: "Shivraj Chouhan", Hi: "शिवराज चौहान"}, Names{}).Render(r); s != want {
		t.Errorf("Hindi reason:\n got %q\nwant %q", s, want)
	}
	if !strings.Contains(got[0].Reason, "Guest #42 is booked at “Yoga day” (Sunday, 4 May 2025, 09:00–11:00 IST)") || !strings.Contains(got[0].Reason, "overlap by 1 hour") {
		t.Errorf("English reason %q", got[0].Reason)
	}
}
