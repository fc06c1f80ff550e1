package schedule

import (
	"strings"
	"testing"
	"time"
)

func TestFeedShowsInFull(t *testing.T) {
	for _, tc := range []struct {
		anchor, event string
		want          bool
	}{
		{"/1/2/5/", "/1/2/5/9/", true}, // below the anchor
		{"/1/2/5/", "/1/2/5/", true},   // the anchor itself
		{"/1/2/5/", "/1/2/", true},     // above: addressed to everyone below
		{"/1/2/5/", "/1/", true},
		{"/1/2/5/", "/1/3/", false}, // another district
		{"/1/2/5/", "/1/2/6/", false},
	} {
		if got := FeedShowsInFull(tc.anchor, tc.event); got != tc.want {
			t.Errorf("FeedShowsInFull(%s, %s) = %v", tc.anchor, tc.event, got)
		}
	}
}

func TestBusyOnlyKeepsTimesAndNothingElse(t *testing.T) {
	start := time.Date(2026, 5, 3, 5, 30, 0, 0, time.UTC)
	e := Event{ID: 7, UID: "by-election-plan@karyakram", UnitID: 9, Type: "meeting", Title: "Strategy", TitleHi: "रणनीति",
		Description: "secret", Venue: Venue{Name: "Hall", Geo: &LatLon{Lat: 23.2, Lon: 77.4}}, Start: start, End: start.Add(time.Hour),
		Organisers: []int64{1}, Guests: []int64{2}, Status: EventConfirmed, Sequence: 3, RRule: "FREQ=WEEKLY", ExDates: []time.Time{start.AddDate(0, 0, 7)},
		Overrides: []Override{{RecurrenceID: start.AddDate(0, 0, 14), Start: start.AddDate(0, 0, 14).Add(time.Hour), End: start.AddDate(0, 0, 14).Add(2 * time.Hour),
			Title: "Strategy II", Venue: &Venue{Name: "Other hall"}, Guests: []int64{3}}}}
	b := e.BusyOnly()
	if b.Title != BusyTitle || b.TitleHi != BusyTitleHi || b.Description != "" || b.Venue.Name != "" || b.Venue.Geo != nil ||
		b.Type != "" || b.Organisers != nil || b.Guests != nil || b.UnitID != 0 || strings.Contains(b.UID, "by-election") {
		t.Errorf("busy view keeps details: %+v", b)
	}
	if !b.Start.Equal(e.Start) || !b.End.Equal(e.End) || b.RRule != e.RRule || len(b.ExDates) != 1 || b.Sequence != 3 || b.Status != e.Status {
		t.Errorf("busy view loses times: %+v", b)
	}
	if len(b.Overrides) != 1 || b.Overrides[0].Title != "" || b.Overrides[0].Venue != nil || b.Overrides[0].Guests != nil || !b.Overrides[0].Start.Equal(e.Overrides[0].Start) {
		t.Errorf("busy override: %+v", b.Overrides)
	}
	if e.BusyOnly().UID != b.UID {
		t.Error("the busy UID is not stable")
	}
}
