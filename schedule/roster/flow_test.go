package roster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestWarmMovesStayOptimal opens and closes hosts one at a time on tightly
// capacitated instances and checks that the incrementally repaired flow
// costs exactly what a from-scratch solve of the same open set costs, and
// that snapshots restore it.
func TestWarmMovesStayOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	moves := 0
	for i := 0; i < 24; i++ {
		nH := 12 + rng.IntN(20)
		in := Synthetic(SyntheticSpec{Seed: uint64(100 + i), Districts: 40 + rng.IntN(80), Hosts: nH, Dates: 2, TeamsPerDate: nH,
			MaxDistricts: 3 + rng.IntN(4), MinAttendees: 1, MaxAttendance: 1 + rng.IntN(40)})
		p := compile(in)
		warm, fresh := newAssigner(p), newAssigner(p)
		var open []int
		for h := 0; h < p.nH; h++ {
			if rng.IntN(3) > 0 {
				open = append(open, h)
			}
		}
		if _, ok := warm.solve(open); !ok {
			continue
		}
		for step := 0; step < 40; step++ {
			var snap assignSnapshot
			warm.save(&snap)
			before := warm.travel()
			h := rng.IntN(p.nH)
			if warm.isOpen[h] {
				warm.closeHost(h)
			} else {
				warm.openHost(h)
			}
			ok := warm.placeAll()
			want, wantOK := fresh.solve(slices.Clone(warm.open))
			if ok != wantOK {
				t.Fatalf("instance %d step %d: warm feasible %v, fresh %v", i, step, ok, wantOK)
			}
			if !ok {
				warm.restore(&snap)
				if got := warm.travel(); math.Abs(got-before) > 1e-9*math.Max(1, before) {
					t.Fatalf("instance %d step %d: restored cost %.6f, was %.6f", i, step, got, before)
				}
				continue
			}
			moves++
			if got := warm.travel(); math.Abs(got-want) > 1e-7*math.Max(1, want) {
				t.Fatalf("instance %d step %d (host %d): warm cost %.6f, fresh %.6f", i, step, h, got, want)
			}
			for d, h := range warm.hostOf {
				if h < 0 || !warm.isOpen[h] {
					t.Fatalf("instance %d step %d: district %d at %d", i, step, d, h)
				}
				if hh := p.home[d]; hh >= 0 && warm.isOpen[hh] && hh != h {
					t.Fatalf("instance %d step %d: district %d away from its open home", i, step, d)
				}
			}
			for _, h := range warm.open {
				if warm.load[h] > p.capCount[h] || warm.load[h] != len(warm.members[h]) {
					t.Fatalf("instance %d step %d: host %d load %d members %d cap %d", i, step, h, warm.load[h], len(warm.members[h]), p.capCount[h])
				}
			}
		}
	}
	if moves < 200 {
		t.Errorf("only %d feasible moves checked", moves)
	}
}
