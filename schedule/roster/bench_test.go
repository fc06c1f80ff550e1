package roster

import (
	"context"
	"testing"
)

// BenchmarkFixedHosts2022 is the 2022 roster's 14 workshops fixed: a pure
// assignment solved exactly by min-cost flow (target < 10 ms).
func BenchmarkFixedHosts2022(b *testing.B) {
	in, rows := fixtureInstance(b, 6)
	in.FixedWorkshops = RosterWorkshops(rows)
	benchPlan(b, in)
}

// BenchmarkOpenHosts2022 lets any of the 52 HQ towns host (9 teams on the
// 5th, 5 on the 6th, 6 districts per workshop) and proves optimality
// (target < 1 s, optimal or within 1%).
func BenchmarkOpenHosts2022(b *testing.B) {
	in, _ := fixtureInstance(b, 6)
	benchPlan(b, in)
}

// BenchmarkSynthetic1000 is 1,000 districts / 400 candidate hosts / 5 dates
// / 40 teams per date, 8 districts per workshop, 20–60 attendees per
// district, at the default work limit (target < 10 s, gap < 1 %).
func BenchmarkSynthetic1000(b *testing.B) {
	benchPlan(b, Synthetic(SyntheticSpec{Seed: 1, Districts: 1000, Hosts: 400, Dates: 5, TeamsPerDate: 40, MaxDistricts: 8, MinAttendees: 20, MaxAttendance: 60}))
}

// BenchmarkTight1000 is the same with 5 dates × 34 teams × 6 districts:
// 1,020 places for 1,000 districts.
func BenchmarkTight1000(b *testing.B) {
	benchPlan(b, Synthetic(SyntheticSpec{Seed: 1, Districts: 1000, Hosts: 400, Dates: 5, TeamsPerDate: 34, MaxDistricts: 6, MinAttendees: 20, MaxAttendance: 60}))
}

// BenchmarkSynthetic2000 is 2,000 districts / 800 hosts / 5 dates × 80
// teams, 8 districts per workshop.
func BenchmarkSynthetic2000(b *testing.B) {
	benchPlan(b, Synthetic(SyntheticSpec{Seed: 1, Districts: 2000, Hosts: 800, Dates: 5, TeamsPerDate: 80, MaxDistricts: 8, MinAttendees: 20, MaxAttendance: 60}))
}

func benchPlan(b *testing.B, in *Instance) {
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Plan(context.Background(), in, Options{SkipExplanations: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Cost, "person-km")
	b.ReportMetric(100*res.Gap, "gap-%")
	b.ReportMetric(float64(res.Stats.Work), "work-units")
}
