package tour

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// SyntheticSpec describes a generated campaign: places clustered around
// mandal centres in a square region, vistaraks staying near places of other
// mandals, with optional time windows, day windows, languages and partial
// availability. It is for tests and benchmarks; app/seed generates the
// state-scale campaign consistent with the organisation's fixtures.
type SyntheticSpec struct {
	Seed      uint64
	Places    int
	Vistaraks int
	Days      int
	// Mandals is the number of place clusters (default Places/60+1).
	Mandals int
	// SideKm is the side of the square region (default √(places × 4.7 km²),
	// the state's booth density).
	SideKm float64
	// Shares (0–1) of places with a time window, a day window or a
	// language, and of vistaraks available on part of the days only.
	TimeWindows, DayWindows, Languages, PartTime float64
	// Rules are copied into the instance.
	Rules Rules
}

// Synthetic generates a campaign from spec (deterministic per seed).
func Synthetic(spec SyntheticSpec) *Instance {
	rng := rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x5851f42d4c957f2d))
	if spec.Mandals <= 0 {
		spec.Mandals = spec.Places/60 + 1
	}
	if spec.SideKm <= 0 {
		spec.SideKm = math.Sqrt(float64(spec.Places) * 4.7)
	}
	if spec.Days <= 0 {
		spec.Days = 1
	}
	in := &Instance{Title: fmt.Sprintf("synthetic %d places / %d vistaraks / %d days (seed %d)", spec.Places, spec.Vistaraks, spec.Days, spec.Seed),
		Rules: spec.Rules}
	day := time.Date(2022, 1, 20, 0, 0, 0, 0, time.UTC)
	for t := 0; t < spec.Days; t++ {
		in.Dates = append(in.Dates, day.AddDate(0, 0, t).Format(DateLayout))
	}
	const lat0, lon0 = 23.0, 77.0
	kmLat, kmLon := 111.195, 111.195*math.Cos(lat0*math.Pi/180)
	type xy struct{ x, y float64 }
	centres := make([]xy, spec.Mandals)
	for m := range centres {
		centres[m] = xy{rng.Float64() * spec.SideKm, rng.Float64() * spec.SideKm}
	}
	spread := spec.SideKm / math.Sqrt(float64(spec.Mandals)) / 3
	point := func(c xy) xy {
		return xy{c.x + rng.NormFloat64()*spread, c.y + rng.NormFloat64()*spread}
	}
	toLatLon := func(p xy) (float64, float64) {
		return math.Round((lat0+p.y/kmLat)*1e6) / 1e6, math.Round((lon0+p.x/kmLon)*1e6) / 1e6
	}
	mandalOf := make([]int, spec.Places)
	pts := make([]xy, spec.Places)
	for i := 0; i < spec.Places; i++ {
		m := i % spec.Mandals
		mandalOf[i] = m
		pts[i] = point(centres[m])
		lat, lon := toLatLon(pts[i])
		pl := Place{ID: fmt.Sprintf("B%d", i+1), Name: fmt.Sprintf("Booth %d", i+1), Kind: "booth", Lat: lat, Lon: lon,
			Areas: []string{fmt.Sprintf("M%d", m+1)}}
		if rng.Float64() < spec.TimeWindows {
			if rng.IntN(2) == 0 {
				pl.Open, pl.Close = "09:00", "14:00"
			} else {
				pl.Open, pl.Close = "13:00", "19:00"
			}
		}
		if spec.Days > 1 && rng.Float64() < spec.DayWindows {
			skip := rng.IntN(spec.Days)
			for t, d := range in.Dates {
				if t != skip {
					pl.Days = append(pl.Days, d)
				}
			}
		}
		if rng.Float64() < spec.Languages {
			pl.Languages = []string{"bhili"}
		}
		in.Places = append(in.Places, pl)
	}
	for v := 0; v < spec.Vistaraks; v++ {
		own := rng.IntN(spec.Mandals)
		// Stay near a place of another mandal.
		var at xy
		for {
			i := rng.IntN(spec.Places)
			if mandalOf[i] != own || spec.Mandals == 1 {
				at = xy{pts[i].x + rng.NormFloat64()*1.5, pts[i].y + rng.NormFloat64()*1.5}
				break
			}
		}
		lat, lon := toLatLon(at)
		vk := Vistarak{ID: fmt.Sprintf("V%d", v+1), Name: fmt.Sprintf("Vistarak %d", v+1), Lat: lat, Lon: lon,
			Languages: []string{"hi"}, ExcludeAreas: []string{fmt.Sprintf("M%d", own+1)}}
		if spec.Mandals == 1 {
			vk.ExcludeAreas = nil
		}
		if rng.Float64() < 2*spec.Languages {
			vk.Languages = append(vk.Languages, "bhili")
		}
		if spec.Days > 2 && rng.Float64() < spec.PartTime {
			from := rng.IntN(spec.Days / 2)
			for t := from; t < from+(spec.Days+1)/2; t++ {
				vk.Days = append(vk.Days, in.Dates[t])
			}
		}
		in.Vistaraks = append(in.Vistaraks, vk)
	}
	return in
}

// Scales are the named synthetic campaigns used by "karyakram tour
// synthetic" and bench/tour: one mandal (60 booths, 20 vistaraks, 3 days),
// one district (1,150 booths in 20 mandals, 350 vistaraks, 11 days) and the
// whole state (65,015 booths in 1,084 mandals, 20,000 vistaraks, 11 days,
// 20–30 January). Every rule is in play on a share of the rows: visit-time
// windows (10 % of places), a day a place cannot be visited (10 %), a
// language (5 %), vistaraks touring half the days (20 %), and no vistarak in
// their own mandal (except in the one-mandal campaign).
var Scales = []string{"mandal", "district", "state"}

// ScaleSpec returns the named scale's SyntheticSpec for seed.
func ScaleSpec(scale string, seed uint64) (SyntheticSpec, error) {
	spec := SyntheticSpec{Seed: seed, TimeWindows: 0.1, DayWindows: 0.1, Languages: 0.05, PartTime: 0.2}
	switch scale {
	case "mandal":
		spec.Places, spec.Vistaraks, spec.Days, spec.Mandals = 60, 20, 3, 1
	case "district":
		spec.Places, spec.Vistaraks, spec.Days = 1150, 350, 11
	case "state":
		spec.Places, spec.Vistaraks, spec.Days = 65015, 20000, 11
	default:
		return spec, fmt.Errorf("unknown scale %q (want %s)", scale, strings.Join(Scales, ", "))
	}
	return spec, nil
}
