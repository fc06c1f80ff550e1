// Package roster plans workshop rosters: which candidate host cities hold a
// workshop on which date, and which organisational district attends which
// workshop. It is pure domain code (standard library only): it models a
// workshop series, solves the assignment / capacitated facility-location
// problem behind it, explains the result, checks hand-made rosters and reads
// and writes CSV and JSON.
package roster

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/karyakram/karyakram/schedule"
)

// DefaultRoadFactor multiplies great-circle distance to estimate road
// distance when no distance matrix is given.
const DefaultRoadFactor = 1.3

// DateLayout is the layout of every date in a series (ISO 8601 day).
const DateLayout = "2006-01-02"

// Instance is one workshop series to plan: its dates, trainer teams per date,
// candidate hosts, participating districts, pins, exclusions and costs.
type Instance struct {
	// Title names the series (free text).
	Title string `json:"title,omitempty"`
	// Dates lists the workshop days as YYYY-MM-DD.
	Dates []string `json:"dates"`
	// TeamsPerDate is the number of trainer teams (= maximum workshops) on
	// each date, aligned with Dates.
	TeamsPerDate []int `json:"teams_per_date"`
	// Hosts are the candidate host cities.
	Hosts []Host `json:"hosts"`
	// Districts are the participating organisational districts.
	Districts []District `json:"districts"`
	// DistrictPins force a district to a host ("Bhopal Nagar must be at Bhopal").
	DistrictPins []DistrictHost `json:"district_pins,omitempty"`
	// DatePins force a host to hold its workshop on a date ("Gwalior hosts on
	// the 5th").
	DatePins []HostDate `json:"date_pins,omitempty"`
	// DistrictExclusions forbid a district from attending at a host.
	DistrictExclusions []DistrictHost `json:"district_exclusions,omitempty"`
	// DateExclusions forbid a host from holding a workshop on a date.
	DateExclusions []HostDate `json:"date_exclusions,omitempty"`
	// FixedWorkshops, when non-empty, fixes the workshops (host and date) and
	// leaves only the district assignment to the planner.
	FixedWorkshops []HostDate `json:"fixed_workshops,omitempty"`
	// FixedCostPerWorkshop is added to the objective for every workshop held,
	// in the same unit as travel (person-km).
	FixedCostPerWorkshop float64 `json:"fixed_cost_per_workshop,omitempty"`
	// RoadFactor multiplies great-circle distance; 0 means DefaultRoadFactor.
	RoadFactor float64 `json:"road_factor,omitempty"`
	// DistanceKm optionally overrides distances: DistanceKm[from][host] is the
	// road distance in km, where from is a district name or its HQ town.
	// Missing pairs fall back to great-circle × RoadFactor.
	DistanceKm map[string]map[string]float64 `json:"distance_km,omitempty"`
}

// Host is a candidate host city.
type Host struct {
	// Name is the English name of the town; districts whose HQ equals it are
	// the host's own districts and stay at home when it hosts.
	Name string `json:"name"`
	// NameHi is the Hindi name.
	NameHi string `json:"name_hi,omitempty"`
	// Lat and Lon are the town's coordinates in degrees.
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	// MaxDistricts caps the districts one workshop here can take (0 = no cap).
	MaxDistricts int `json:"max_districts,omitempty"`
	// MaxAttendees caps the people one workshop here can take (0 = no cap).
	MaxAttendees int `json:"max_attendees,omitempty"`
	// Dates lists the dates the venue is available; empty means every date.
	Dates []string `json:"dates,omitempty"`
}

// District is a participating organisational district.
type District struct {
	// Name is the English name ("Gwalior Nagar").
	Name string `json:"name"`
	// NameHi is the Hindi name.
	NameHi string `json:"name_hi,omitempty"`
	// HQ is the headquarters town; when a host of that name holds a workshop
	// this district must attend it.
	HQ string `json:"hq"`
	// Lat and Lon locate the HQ; both zero means "use the coordinates of the
	// host named HQ".
	Lat float64 `json:"lat,omitempty"`
	Lon float64 `json:"lon,omitempty"`
	// Attendees is the expected number of participants (≥ 1).
	Attendees int `json:"attendees"`
}

// DistrictHost names a (district, host) pair for pins and exclusions.
type DistrictHost struct {
	District string `json:"district"`
	Host     string `json:"host"`
}

// HostDate names a (host, date) pair for pins, exclusions and fixed workshops.
type HostDate struct {
	Host string `json:"host"`
	Date string `json:"date"`
}

// normName folds a name for lookups: trimmed, single-spaced, lower case.
func normName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Validate reports every malformed field of the instance, each as a
// *schedule.Error naming the field, joined into one error (nil if valid).
func (in *Instance) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, schedule.FieldError(field, format, args...))
	}
	if len(in.Dates) == 0 {
		add("dates", "at least one date is required")
	}
	dateSeen := map[string]bool{}
	for i, d := range in.Dates {
		if _, err := time.Parse(DateLayout, d); err != nil {
			add(fmt.Sprintf("dates[%d]", i), "%q is not a YYYY-MM-DD date", d)
		}
		if dateSeen[d] {
			add(fmt.Sprintf("dates[%d]", i), "date %s is listed twice", d)
		}
		dateSeen[d] = true
	}
	if len(in.TeamsPerDate) != len(in.Dates) {
		add("teams_per_date", "has %d entries for %d dates", len(in.TeamsPerDate), len(in.Dates))
	}
	for i, n := range in.TeamsPerDate {
		if n < 0 {
			add(fmt.Sprintf("teams_per_date[%d]", i), "must not be negative (got %d)", n)
		}
	}
	if len(in.Hosts) == 0 {
		add("hosts", "at least one candidate host is required")
	}
	hostSeen := map[string]int{}
	for i, h := range in.Hosts {
		f := fmt.Sprintf("hosts[%d]", i)
		if strings.TrimSpace(h.Name) == "" {
			add(f+".name", "is empty")
		} else if j, dup := hostSeen[normName(h.Name)]; dup {
			add(f+".name", "host %q duplicates hosts[%d]", h.Name, j)
		} else {
			hostSeen[normName(h.Name)] = i
		}
		if !validLatLon(h.Lat, h.Lon) {
			add(f+".lat/lon", "(%v, %v) is not a coordinate", h.Lat, h.Lon)
		}
		if h.MaxDistricts < 0 {
			add(f+".max_districts", "must not be negative (got %d)", h.MaxDistricts)
		}
		if h.MaxAttendees < 0 {
			add(f+".max_attendees", "must not be negative (got %d)", h.MaxAttendees)
		}
		for j, d := range h.Dates {
			if !dateSeen[d] {
				add(fmt.Sprintf("%s.dates[%d]", f, j), "date %q is not a date of the series", d)
			}
		}
	}
	if len(in.Districts) == 0 {
		add("districts", "at least one district is required")
	}
	districtSeen := map[string]int{}
	for i, d := range in.Districts {
		f := fmt.Sprintf("districts[%d]", i)
		if strings.TrimSpace(d.Name) == "" {
			add(f+".name", "is empty")
		} else if j, dup := districtSeen[normName(d.Name)]; dup {
			add(f+".name", "district %q duplicates districts[%d]", d.Name, j)
		} else {
			districtSeen[normName(d.Name)] = i
		}
		if d.Attendees < 1 {
			add(f+".attendees", "must be at least 1 (got %d)", d.Attendees)
		}
		if d.Lat == 0 && d.Lon == 0 {
			if _, ok := hostSeen[normName(d.HQ)]; !ok && in.DistanceKm == nil {
				add(f+".lat/lon", "district %q has no coordinates and its HQ %q is not a host", d.Name, d.HQ)
			}
		} else if !validLatLon(d.Lat, d.Lon) {
			add(f+".lat/lon", "(%v, %v) is not a coordinate", d.Lat, d.Lon)
		}
	}
	checkDH := func(field string, list []DistrictHost) {
		for i, p := range list {
			if _, ok := districtSeen[normName(p.District)]; !ok {
				add(fmt.Sprintf("%s[%d].district", field, i), "unknown district %q", p.District)
			}
			if _, ok := hostSeen[normName(p.Host)]; !ok {
				add(fmt.Sprintf("%s[%d].host", field, i), "unknown host %q", p.Host)
			}
		}
	}
	checkHD := func(field string, list []HostDate) {
		for i, p := range list {
			if _, ok := hostSeen[normName(p.Host)]; !ok {
				add(fmt.Sprintf("%s[%d].host", field, i), "unknown host %q", p.Host)
			}
			if !dateSeen[p.Date] {
				add(fmt.Sprintf("%s[%d].date", field, i), "date %q is not a date of the series", p.Date)
			}
		}
	}
	checkDH("district_pins", in.DistrictPins)
	checkDH("district_exclusions", in.DistrictExclusions)
	checkHD("date_pins", in.DatePins)
	checkHD("date_exclusions", in.DateExclusions)
	checkHD("fixed_workshops", in.FixedWorkshops)
	fixedSeen := map[string]bool{}
	for i, w := range in.FixedWorkshops {
		if fixedSeen[normName(w.Host)] {
			add(fmt.Sprintf("fixed_workshops[%d].host", i), "host %q holds more than one workshop", w.Host)
		}
		fixedSeen[normName(w.Host)] = true
	}
	if in.RoadFactor != 0 && (in.RoadFactor < 1 || math.IsNaN(in.RoadFactor) || math.IsInf(in.RoadFactor, 0)) {
		add("road_factor", "must be at least 1 (got %v)", in.RoadFactor)
	}
	if in.FixedCostPerWorkshop < 0 || math.IsNaN(in.FixedCostPerWorkshop) {
		add("fixed_cost_per_workshop", "must not be negative (got %v)", in.FixedCostPerWorkshop)
	}
	for from, row := range in.DistanceKm {
		for to, km := range row {
			if km < 0 || math.IsNaN(km) || math.IsInf(km, 0) {
				add(fmt.Sprintf("distance_km[%s][%s]", from, to), "must be a non-negative number (got %v)", km)
			}
			if _, ok := hostSeen[normName(to)]; !ok {
				add(fmt.Sprintf("distance_km[%s][%s]", from, to), "unknown host %q", to)
			}
		}
	}
	return errors.Join(errs...)
}

func validLatLon(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !math.IsNaN(lat) && !math.IsNaN(lon)
}

// GreatCircleKm returns the haversine distance in km between two points.
func GreatCircleKm(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKm = 6371.0
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}
