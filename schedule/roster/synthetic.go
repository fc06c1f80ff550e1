package roster

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// SyntheticSpec describes a generated instance shaped like the real state:
// towns scattered over Madhya Pradesh's bounding box, every candidate host a
// district HQ, some towns with a "Nagar" and a "Gramin" district.
type SyntheticSpec struct {
	Seed          uint64
	Districts     int
	Hosts         int
	Dates         int
	TeamsPerDate  int
	MaxDistricts  int // per workshop; 0 = no cap
	MaxAttendees  int // per workshop; 0 = no cap
	MinAttendees  int // per district (default 1)
	MaxAttendance int // per district (default MinAttendees)
}

// Synthetic generates a random instance from spec (deterministic per seed).
func Synthetic(spec SyntheticSpec) *Instance {
	rng := rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15))
	minA := max(1, spec.MinAttendees)
	maxA := max(minA, spec.MaxAttendance)
	in := &Instance{Title: fmt.Sprintf("synthetic %d districts / %d hosts / %d dates (seed %d)", spec.Districts, spec.Hosts, spec.Dates, spec.Seed)}
	day := time.Date(2022, 1, 5, 0, 0, 0, 0, time.UTC)
	for t := 0; t < spec.Dates; t++ {
		in.Dates = append(in.Dates, day.AddDate(0, 0, t).Format(DateLayout))
		in.TeamsPerDate = append(in.TeamsPerDate, spec.TeamsPerDate)
	}
	point := func() (float64, float64) { return 21.5 + 5*rng.Float64(), 74.5 + 8*rng.Float64() }
	for h := 0; h < spec.Hosts; h++ {
		lat, lon := point()
		in.Hosts = append(in.Hosts, Host{Name: fmt.Sprintf("Town %d", h), NameHi: fmt.Sprintf("नगर %d", h), Lat: lat, Lon: lon,
			MaxDistricts: spec.MaxDistricts, MaxAttendees: spec.MaxAttendees})
	}
	attendance := func() int { return minA + rng.IntN(maxA-minA+1) }
	for d := 0; d < spec.Districts; d++ {
		var dist District
		switch {
		case d < spec.Hosts:
			h := in.Hosts[d]
			dist = District{Name: h.Name + " Nagar", HQ: h.Name}
		case d < spec.Hosts+spec.Hosts/5:
			h := in.Hosts[d-spec.Hosts]
			dist = District{Name: h.Name + " Gramin", HQ: h.Name}
		default:
			lat, lon := point()
			dist = District{Name: fmt.Sprintf("District %d", d), HQ: fmt.Sprintf("Place %d", d), Lat: lat, Lon: lon}
		}
		dist.Attendees = attendance()
		in.Districts = append(in.Districts, dist)
	}
	return in
}
