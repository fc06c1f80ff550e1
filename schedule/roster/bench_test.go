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
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Plan(context.Background(), in, Options{SkipExplanations: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Cost, "person-km")
	b.ReportMetric(100*res.Gap, "gap-%")
}

// BenchmarkOpenHosts2022 lets any of the 52 HQ towns host (9 teams on the
// 5th, 5 on the 6th, 6 districts per workshop) and proves optimality
// (target < 1 s, optimal or within 1%).
func BenchmarkOpenHosts2022(b *testing.B) {
	in, _ := fixtureInstance(b, 6)
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Plan(context.Background(), in, Options{SkipExplanations: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Cost, "person-km")
	b.ReportMetric(100*res.Gap, "gap-%")
	b.ReportMetric(float64(res.Stats.Nodes), "nodes")
}

// BenchmarkSynthetic1000 is 1,000 districts / 400 candidate hosts / 5 dates
// / 40 teams per date, 8 districts per workshop, 20–60 attendees per
// district (target < 10 s with a gap below 2%; the search stops at 0.5%).
func BenchmarkSynthetic1000(b *testing.B) {
	in := Synthetic(SyntheticSpec{Seed: 1, Districts: 1000, Hosts: 400, Dates: 5, TeamsPerDate: 40, MaxDistricts: 8, MinAttendees: 20, MaxAttendance: 60})
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Plan(context.Background(), in, Options{GapTolerance: 0.005, SkipExplanations: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Cost, "person-km")
	b.ReportMetric(100*res.Gap, "gap-%")
}
