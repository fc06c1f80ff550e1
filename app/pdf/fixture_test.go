package pdf

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// bundledFonts is the directory embedded as templates.Fonts. Tests read it
// from disk so that this package's tests do not depend on the rest of
// package templates compiling.
var bundledFonts = os.DirFS("../../templates")

// engineOnce parses the bundled fonts once for all tests.
var engineOnce = sync.OnceValues(func() (*Engine, error) { return NewEngine(bundledFonts) })

// testEngine returns the shared engine or fails the test.
func testEngine(tb testing.TB) *Engine {
	tb.Helper()
	e, err := engineOnce()
	if err != nil {
		tb.Fatalf("NewEngine: %v", err)
	}
	return e
}

// readCSV reads a testdata CSV without its header row.
func readCSV(tb testing.TB, name string) [][]string {
	tb.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return recs[1:]
}

// fixtureRoster builds the real January 2022 workshop roster (copied from
// shared/fixtures) in the given language, with travel estimated as
// great-circle distance × 1.3 between headquarters towns and a synthetic,
// deterministic attendance.
func fixtureRoster(tb testing.TB, lang Lang) RosterSeries {
	tb.Helper()
	type pt struct{ lat, lon float64 }
	hq := map[string]pt{}
	for _, r := range readCSV(tb, "mp-district-hq.csv") {
		lat, _ := strconv.ParseFloat(r[2], 64)
		lon, _ := strconv.ParseFloat(r[3], 64)
		hq[r[0]] = pt{lat, lon}
	}
	town := func(district string) string {
		return strings.TrimSuffix(strings.TrimSuffix(district, " Nagar"), " Gramin")
	}
	km := func(a, b pt) float64 {
		const rad = math.Pi / 180
		dlat, dlon := (b.lat-a.lat)*rad, (b.lon-a.lon)*rad
		h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(a.lat*rad)*math.Cos(b.lat*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
		return 1.3 * 2 * 6371 * math.Asin(math.Sqrt(h))
	}
	title := "डिजिटल कार्य प्रशिक्षण कार्यशाला"
	if lang == English {
		title = "Digital working training workshops"
	}
	rs := RosterSeries{Lang: lang, Title: title}
	idx := map[string]int{}
	for i, r := range readCSV(tb, "mp-workshops-2022-01.csv") {
		date, err := time.Parse("2006-01-02", r[0])
		if err != nil {
			tb.Fatal(err)
		}
		host, dist := r[2], r[4]
		if lang == English {
			host, dist = r[1], r[3]
		}
		key := r[0] + "/" + r[1]
		j, ok := idx[key]
		if !ok {
			j = len(rs.Sessions)
			idx[key] = j
			// Workshops run 10:00-17:00 IST, one trainer team each,
			// with the host district office's president to call.
			day := schedule.Zone{}.Date(date.Year(), date.Month(), date.Day(), 0, 0)
			team := 1
			for _, s := range rs.Sessions {
				if s.Date.Equal(day) {
					team++
				}
			}
			venue, role := "District office", "District president"
			if lang == Hindi {
				venue, role = "जिला कार्यालय", "जिला अध्यक्ष"
			}
			rs.Sessions = append(rs.Sessions, RosterSession{Date: day, HostCity: host, Venue: venue + ", " + host,
				Start: day.Add(10 * time.Hour), End: day.Add(17 * time.Hour), Team: team,
				Contacts: []RosterContact{{Name: "रमेश शर्मा", Role: role, Phone: fmt.Sprintf("98270%05d", 1000+len(rs.Sessions)*37)}}})
		}
		a, okA := hq[town(r[3])]
		b, okB := hq[r[1]]
		if !okA || !okB {
			tb.Fatalf("no headquarters coordinates for %q or %q", r[3], r[1])
		}
		rs.Sessions[j].Districts = append(rs.Sessions[j].Districts, RosterDistrict{
			Name: dist, Attendance: 40 + (i*37)%60, TravelKm: km(a, b),
		})
	}
	return rs
}
