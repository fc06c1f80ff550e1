package schedule

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
)

// ConflictKind names a conflict rule.
type ConflictKind string

// Conflict rules. Conflicts are warnings for people to resolve, never a
// reason to refuse a save.
const (
	// ConflictGuest: a guest (VIP) is booked at two events that overlap, or
	// whose gap is shorter than the travel time between their venues.
	ConflictGuest ConflictKind = "guest"
	// ConflictVenue: the same venue is booked for two overlapping events.
	ConflictVenue ConflictKind = "venue"
	// ConflictUnit: one unit has two overlapping events.
	ConflictUnit ConflictKind = "unit"
)

// SameVenueMeters is how close two mapped venues must be to count as one.
const SameVenueMeters = 100

// Conflict is one broken rule between two occurrences; A starts no later
// than B.
type Conflict struct {
	Kind    ConflictKind
	A, B    Occurrence
	GuestID int64         // the guest, for ConflictGuest
	Gap     time.Duration // B.Start - A.End; negative when they overlap
	Travel  time.Duration // estimated travel A -> B, ConflictGuest only; 0 if unknown
	Reason  string        // a sentence for people, times in IST
}

// TravelFunc estimates the travel time between two venues; ok is false
// when it cannot (a venue without coordinates).
type TravelFunc func(from, to Venue) (d time.Duration, ok bool)

// RoadModel estimates road travel from the great-circle distance: distance
// × RoadFactor at SpeedKmh, plus Buffer for getting in and out.
type RoadModel struct {
	RoadFactor float64       // road km per great-circle km, e.g. 1.4
	SpeedKmh   float64       // average road speed
	Buffer     time.Duration // fixed overhead per trip between distinct venues
}

// DefaultRoadModel is a cautious estimate for Indian district roads: roads
// 1.4× the straight line at 35 km/h, plus 15 minutes.
func DefaultRoadModel() RoadModel {
	return RoadModel{RoadFactor: 1.4, SpeedKmh: 35, Buffer: 15 * time.Minute}
}

// Travel is a TravelFunc. The same place (within SameVenueMeters) takes no
// time; venues without coordinates are unknown.
func (m RoadModel) Travel(from, to Venue) (time.Duration, bool) {
	if from.Geo == nil || to.Geo == nil || m.SpeedKmh <= 0 {
		return 0, false
	}
	km := GreatCircleKm(*from.Geo, *to.Geo)
	if km*1000 <= SameVenueMeters {
		return 0, true
	}
	factor := m.RoadFactor
	if factor < 1 {
		factor = 1
	}
	hours := km * factor / m.SpeedKmh
	return time.Duration(hours*float64(time.Hour)).Round(time.Minute) + m.Buffer, true
}

// GreatCircleKm is the haversine distance between two points in km.
func GreatCircleKm(a, b LatLon) float64 {
	const earthKm = 6371.0088
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// FindConflicts expands events over [from, to) and returns every conflict
// among their occurrences, sorted by time. travel may be nil (guest
// conflicts are then only overlaps). Cancelled occurrences never conflict,
// and occurrences of one event never conflict with each other.
//
// Venues are the same when both have coordinates within SameVenueMeters;
// when either lacks coordinates, when their names match (ignoring case,
// spaces and punctuation) within the same unit: the same name in two units
// ("Panchayat Bhavan") is usually two places.
func FindConflicts(events []Event, from, to time.Time, travel TravelFunc) ([]Conflict, error) {
	return findConflicts(events, nil, from, to, travel)
}

// ConflictsWith returns only the conflicts between e (being saved) and
// others over [from, to). An older copy of e in others (same ID or UID) is
// ignored.
func ConflictsWith(e Event, others []Event, from, to time.Time, travel TravelFunc) ([]Conflict, error) {
	all := make([]Event, 0, len(others)+1)
	all = append(all, e)
	for _, o := range others {
		if !sameEvent(&e, &o) {
			all = append(all, o)
		}
	}
	focus := &all[0]
	return findConflicts(all, focus, from, to, travel)
}

func sameEvent(a, b *Event) bool {
	return a == b || a.ID != 0 && a.ID == b.ID || a.UID != "" && a.UID == b.UID
}

func findConflicts(events []Event, focus *Event, from, to time.Time, travel TravelFunc) ([]Conflict, error) {
	var occs []Occurrence
	for i := range events {
		o, err := events[i].Occurrences(from, to)
		if err != nil {
			return nil, fmt.Errorf("conflicts: %w", err)
		}
		for _, x := range o {
			if x.Status != EventCancelled {
				occs = append(occs, x)
			}
		}
	}
	slices.SortStableFunc(occs, func(a, b Occurrence) int { return a.Start.Compare(b.Start) })

	var out []Conflict
	relevant := func(a, b *Occurrence) bool {
		if sameEvent(a.Event, b.Event) {
			return false
		}
		return focus == nil || a.Event == focus || b.Event == focus
	}

	// One unit, overlapping events.
	byUnit := map[int64][]int{}
	for i := range occs {
		if u := occs[i].Event.UnitID; u != 0 {
			byUnit[u] = append(byUnit[u], i)
		}
	}
	for _, idx := range byUnit {
		overlappingPairs(occs, idx, func(i, j int) {
			if a, b := &occs[i], &occs[j]; relevant(a, b) {
				out = append(out, newConflict(ConflictUnit, a, b, 0, 0))
			}
		})
	}

	// The same venue, overlapping events: mapped venues bucketed in cells
	// larger than SameVenueMeters, unmapped ones by unit and name.
	type cell struct{ lat, lon int64 }
	const cellDeg = 0.002 // ≈ 220 m of latitude; longitude cells are narrower, never wider
	cellOf := make([]cell, len(occs))
	cells := map[cell][]int{}
	type nameKey struct {
		unit int64
		name string
	}
	names := map[nameKey][]int{}
	for i := range occs {
		v := occs[i].Venue
		if g := v.Geo; g != nil {
			c := cell{int64(math.Floor(g.Lat / cellDeg)), int64(math.Floor(g.Lon / cellDeg))}
			cellOf[i] = c
			cells[c] = append(cells[c], i)
		}
		if n := venueKey(v.Name); n != "" {
			k := nameKey{occs[i].Event.UnitID, n}
			names[k] = append(names[k], i)
		}
	}
	venueConflict := func(a, b *Occurrence) {
		if relevant(a, b) {
			out = append(out, newConflict(ConflictVenue, a, b, 0, 0))
		}
	}
	for c, idx := range cells {
		// Pair this cell with itself and with the neighbours after it, so
		// each pair of cells is visited once.
		for dlat := int64(-1); dlat <= 1; dlat++ {
			for dlon := int64(-1); dlon <= 1; dlon++ {
				n := cell{c.lat + dlat, c.lon + dlon}
				if n.lat < c.lat || n.lat == c.lat && n.lon < c.lon {
					continue
				}
				other, ok := cells[n]
				if !ok {
					continue
				}
				merged := idx
				if n != c {
					merged = mergeSorted(idx, other)
				}
				overlappingPairs(occs, merged, func(i, j int) {
					if n != c && cellOf[i] == cellOf[j] {
						return // a pair within one cell is found when n == c
					}
					a, b := &occs[i], &occs[j]
					if GreatCircleKm(*a.Venue.Geo, *b.Venue.Geo)*1000 <= SameVenueMeters {
						venueConflict(a, b)
					}
				})
			}
		}
	}
	for _, idx := range names {
		overlappingPairs(occs, idx, func(i, j int) {
			if occs[i].Venue.Geo == nil || occs[j].Venue.Geo == nil {
				venueConflict(&occs[i], &occs[j])
			}
		})
	}

	// Guests: overlaps, and the next leg too short for the journey.
	byGuest := map[int64][]int{}
	for i := range occs {
		for _, g := range occs[i].Guests {
			byGuest[g] = append(byGuest[g], i)
		}
	}
	for g, idx := range byGuest {
		for x, i := range idx {
			a := &occs[i]
			for _, j := range idx[x+1:] {
				b := &occs[j]
				if !b.Start.Before(a.End) {
					// b is the guest's next engagement after a.
					if travel != nil && relevant(a, b) {
						if d, ok := travel(a.Venue, b.Venue); ok && d > b.Start.Sub(a.End) {
							out = append(out, newConflict(ConflictGuest, a, b, g, d))
						}
					}
					break
				}
				if relevant(a, b) {
					out = append(out, newConflict(ConflictGuest, a, b, g, 0))
				}
			}
		}
	}

	slices.SortFunc(out, func(x, y Conflict) int {
		return cmp.Or(
			x.A.Start.Compare(y.A.Start),
			x.B.Start.Compare(y.B.Start),
			cmp.Compare(x.Kind, y.Kind),
			cmp.Compare(x.GuestID, y.GuestID),
			cmp.Compare(x.A.Event.ID, y.A.Event.ID),
			cmp.Compare(x.B.Event.ID, y.B.Event.ID),
			cmp.Compare(x.A.Event.UID, y.A.Event.UID),
			cmp.Compare(x.B.Event.UID, y.B.Event.UID),
		)
	})
	return out, nil
}

// overlappingPairs calls fn for each pair of occurrences among idx (indexes
// into occs, ascending, so sorted by start) that overlap in time.
func overlappingPairs(occs []Occurrence, idx []int, fn func(i, j int)) {
	for x, i := range idx {
		for _, j := range idx[x+1:] {
			if !occs[j].Start.Before(occs[i].End) {
				break
			}
			fn(i, j)
		}
	}
}

func mergeSorted(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] <= b[j] {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// venueKey folds a venue name for comparison: lower case, letters and
// digits only.
func venueKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func newConflict(kind ConflictKind, a, b *Occurrence, guest int64, travel time.Duration) Conflict {
	if b.Start.Before(a.Start) {
		a, b = b, a
	}
	c := Conflict{Kind: kind, A: *a, B: *b, GuestID: guest, Gap: b.Start.Sub(a.End), Travel: travel}
	c.Reason = c.Text(Names{}, Names{}).String()
	return c
}

// Text is the conflict as a sentence for people, in any language: guest
// and unit name the guest and the unit where the reader's records have
// them (zero: "guest #42", "unit #7").
func (c Conflict) Text(guest, unit Names) Msg {
	a, b := describeOccurrence(&c.A), describeOccurrence(&c.B)
	var who any = guest
	if guest == (Names{}) {
		who = Msgf("Guest #%d", c.GuestID)
	}
	switch {
	case c.Kind == ConflictGuest && c.Gap < 0:
		return Msgf("%s is booked at %s and %s, which overlap by %s.", who, a, b, -c.Gap)
	case c.Kind == ConflictGuest:
		av, bv := c.A.Venue, c.B.Venue
		if av.Geo == nil || bv.Geo == nil {
			return Msgf("%s has %s between %s and %s, but the journey takes about %s.", who, c.Gap, a, b, c.Travel)
		}
		km := math.Round(GreatCircleKm(*av.Geo, *bv.Geo))
		if av.Name == "" || bv.Name == "" {
			return Msgf("%s has %s between %s and %s, but the journey (%.0f km in a straight line) takes about %s.", who, c.Gap, a, b, km, c.Travel)
		}
		return Msgf("%s has %s between %s and %s, but the journey from %s to %s (%.0f km in a straight line) takes about %s.",
			who, c.Gap, a, b, av.Name, bv.Name, km, c.Travel)
	case c.Kind == ConflictVenue:
		if c.A.Venue.Name == "" {
			return Msgf("The venue is booked for %s and %s at the same time.", a, b)
		}
		return Msgf("“%s” is booked for %s and %s at the same time.", c.A.Venue.Name, a, b)
	}
	var where any = unit
	if unit == (Names{}) {
		where = Msgf("Unit #%d", c.A.Event.UnitID)
	}
	return Msgf("%s has %s and %s at overlapping times.", where, a, b)
}

// describeOccurrence names an occurrence in a conflict: “title” and when.
func describeOccurrence(o *Occurrence) Msg {
	return Msgf("“%s” (%s)", Names{En: o.Title, Hi: o.TitleHi}, TimeSpan{Start: o.Start, End: o.End})
}
