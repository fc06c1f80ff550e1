package ical

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/karyakram/karyakram/schedule"

	"github.com/karyakram/karyakram/app/ical/icaltest"
)

// benchFeed builds the n-event district feed that bench/ical/generate.mjs
// builds for ical-generator: keep the two in step.
func benchFeed(n int) *Feed {
	types := schedule.DefaultEventTypes()
	base := time.Date(2025, 5, 4, 10, 0, 0, 0, schedule.Zone{}.Location())
	recurStart := time.Date(2025, 5, 25, 11, 0, 0, 0, schedule.Zone{}.Location()) // a last Sunday
	stamp := time.Date(2025, 4, 20, 9, 0, 0, 0, time.UTC)
	f := &Feed{Name: "Lucknow district — लखनऊ ज़िला", Refresh: time.Hour, Now: stamp, Events: make([]schedule.Event, n)}
	for i := range n {
		unit := 1000 + i%6400
		typ := types[i%len(types)]
		start := base.AddDate(0, 0, i%14).Add(time.Duration(i%5) * time.Hour)
		e := schedule.Event{
			ID:          int64(i + 1),
			UID:         "event-" + strconv.Itoa(i+1) + "@karyakram",
			UnitID:      int64(unit),
			Type:        typ,
			Title:       fmt.Sprintf("Cluster %d %s programme", unit, typ),
			TitleHi:     fmt.Sprintf("क्लस्टर %d कार्यक्रम: खेल, भाषण और बैठक", unit),
			Description: fmt.Sprintf("Steering committee event %d; organisers and guests confirmed, venue booked.", i),
			Venue: schedule.Venue{
				Name: fmt.Sprintf("Panchayat Bhavan, Village %d, Mandal %d", i%997, i%120),
				Geo:  &schedule.LatLon{Lat: 24 + float64(i%500)*0.01, Lon: 78 + float64(i%700)*0.01},
			},
			Start:     start.UTC(),
			End:       start.Add(2 * time.Hour).UTC(),
			Status:    schedule.EventConfirmed,
			Sequence:  i % 4,
			UpdatedAt: stamp.Add(time.Duration(i) * time.Second),
		}
		switch {
		case i%50 == 0:
			e.Status = schedule.EventCancelled
		case i%7 == 0:
			e.Status = schedule.EventTentative
		}
		if i%10 == 0 {
			e.Start, e.End = recurStart.UTC(), recurStart.Add(30*time.Minute).UTC()
			e.RRule = "FREQ=MONTHLY;BYDAY=-1SU"
			e.ExDates = []time.Time{time.Date(2025, 6, 29, 11, 0, 0, 0, schedule.Zone{}.Location()).UTC()}
		}
		f.Events[i] = e
	}
	return f
}

// goicalCalendar builds the same feed as go-ical components: the reference
// path the direct encoder is measured against.
func goicalCalendar(f *Feed) *goical.Calendar {
	cal := goical.NewCalendar()
	cal.Props.SetText(goical.PropVersion, "2.0")
	cal.Props.SetText(goical.PropProductID, ProdID)
	cal.Props.SetText("X-WR-CALNAME", f.Name)
	refresh := goical.NewProp(goical.PropRefreshInterval)
	refresh.SetDuration(f.Refresh)
	cal.Props.Set(refresh)
	cal.Props.Set(&goical.Prop{Name: "X-PUBLISHED-TTL", Params: goical.Params{}, Value: durationValue(f.Refresh)})
	tz := goical.NewComponent(goical.CompTimezone)
	tz.Props.SetText(goical.PropTimezoneID, schedule.DefaultZoneName)
	std := goical.NewComponent(goical.CompTimezoneStandard)
	std.Props.Set(&goical.Prop{Name: goical.PropDateTimeStart, Params: goical.Params{}, Value: "19700101T000000"})
	std.Props.Set(&goical.Prop{Name: goical.PropTimezoneOffsetFrom, Params: goical.Params{}, Value: "+0530"})
	std.Props.Set(&goical.Prop{Name: goical.PropTimezoneOffsetTo, Params: goical.Params{}, Value: "+0530"})
	tz.Children = append(tz.Children, std)
	cal.Children = append(cal.Children, tz)
	for i := range f.Events {
		e := &f.Events[i]
		ev := goical.NewEvent()
		ev.Props.SetText(goical.PropUID, e.UID)
		ev.Props.SetDateTime(goical.PropDateTimeStamp, e.UpdatedAt.UTC())
		ev.Props.Set(&goical.Prop{Name: goical.PropSequence, Params: goical.Params{}, Value: strconv.Itoa(e.Sequence)})
		ev.Props.SetDateTime(goical.PropDateTimeStart, e.Start.In(schedule.Zone{}.Location()))
		ev.Props.SetDateTime(goical.PropDateTimeEnd, e.End.In(schedule.Zone{}.Location()))
		ev.Props.SetText(goical.PropSummary, e.Title+" / "+e.TitleHi)
		ev.Props.SetText(goical.PropDescription, e.Description)
		ev.Props.SetText(goical.PropLocation, e.Venue.Name)
		ev.Props.Set(&goical.Prop{Name: goical.PropGeo, Params: goical.Params{},
			Value: strconv.FormatFloat(e.Venue.Geo.Lat, 'f', 6, 64) + ";" + strconv.FormatFloat(e.Venue.Geo.Lon, 'f', 6, 64)})
		ev.Props.SetText(goical.PropCategories, e.Type)
		ev.Props.Set(&goical.Prop{Name: goical.PropStatus, Params: goical.Params{}, Value: map[schedule.EventStatus]string{
			schedule.EventConfirmed: "CONFIRMED", schedule.EventTentative: "TENTATIVE", schedule.EventCancelled: "CANCELLED"}[e.Status]})
		if e.RRule != "" {
			ev.Props.Set(&goical.Prop{Name: goical.PropRecurrenceRule, Params: goical.Params{}, Value: e.RRule})
			for _, x := range e.ExDates {
				ev.Props.SetDateTime(goical.PropExceptionDates, x.In(schedule.Zone{}.Location()))
			}
		}
		ev.Props.SetDateTime(goical.PropLastModified, e.UpdatedAt.UTC())
		cal.Children = append(cal.Children, ev.Component)
	}
	return cal
}

func TestBenchFeedIsValid(t *testing.T) {
	f := benchFeed(500)
	out, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, out)
	cal, err := goical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil || len(cal.Events()) != 500 {
		t.Fatalf("go-ical: %v", err)
	}
	js := icaltest.JS(t, out, 12)
	if len(js.Events) != 500 {
		t.Fatalf("ical.js saw %d events", len(js.Events))
	}
	// The go-ical reference path also yields a valid, folded feed.
	var buf bytes.Buffer
	fw := NewFoldWriter(&buf)
	if err := goical.NewEncoder(fw).Encode(goicalCalendar(f)); err != nil {
		t.Fatal(err)
	}
	checkLines(t, buf.Bytes())
}

// BenchmarkRender10k is the feed of a district with 10,000 events: the
// figure bench/ical/run.sh compares with ical-generator.
func BenchmarkRender10k(b *testing.B) {
	f := benchFeed(10000)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		out, err := Render(f)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/feed")
}

// BenchmarkEncode10kStream is Render through Encode to an io.Writer.
func BenchmarkEncode10kStream(b *testing.B) {
	f := benchFeed(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := Encode(io.Discard, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoICalFolded10k builds go-ical components for the same events and
// encodes them with go-ical through a FoldWriter: the alternative the
// direct encoder replaced.
func BenchmarkGoICalFolded10k(b *testing.B) {
	f := benchFeed(10000)
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		fw := NewFoldWriter(&buf)
		if err := goical.NewEncoder(fw).Encode(goicalCalendar(f)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoICalUnfolded10k is go-ical alone, without folding (invalid
// output: lines over 75 octets), for reference.
func BenchmarkGoICalUnfolded10k(b *testing.B) {
	f := benchFeed(10000)
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := goical.NewEncoder(&buf).Encode(goicalCalendar(f)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkETag10k is the cost of answering a repeat request with 304.
func BenchmarkETag10k(b *testing.B) {
	f := benchFeed(10000)
	vs := make([]Version, len(f.Events))
	for i := range f.Events {
		vs[i] = VersionOf(&f.Events[i])
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = ETagOf(f, vs)
	}
}

// TestWriteBenchFeed writes the 10,000-event benchmark feed to the file
// named by $KARYAKRAM_BENCH_ICAL_OUT, for bench/ical/run.sh to inspect.
func TestWriteBenchFeed(t *testing.T) {
	path := os.Getenv("KARYAKRAM_BENCH_ICAL_OUT")
	if path == "" {
		t.Skip("set KARYAKRAM_BENCH_ICAL_OUT to write the benchmark feed")
	}
	out, err := Render(benchFeed(10000))
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, out)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
