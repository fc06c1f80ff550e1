package tour

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Large-neighbourhood search: remove a cluster of nearby places (and the
// rest of their routes now and then), put them back by regret insertion —
// the place that would lose most by waiting goes first — and keep the
// result if the plan got cheaper; otherwise undo. Local search then polishes
// around an accepted change. Everything is driven by a seeded generator, so
// runs are repeatable.

// undo records one mutation of the solution for rollback.
type undo struct {
	kind byte // 'a' added, 'd' dropped, 's' set
	id   int32
	v    int32
	day  int32
	seq  []int32
	km   float64
}

func (s *solution) journalAdd(u undo) {
	if s.journaling {
		s.journal = append(s.journal, u)
	}
}

// restoreRoute brings back a dropped route under its old id.
func (s *solution) restoreRoute(id int32, v, day int, seq []int32, km float64) {
	for k, f := range s.free {
		if f == id {
			s.free = append(s.free[:k], s.free[k+1:]...)
			break
		}
	}
	s.routes[id] = sroute{v: int32(v), day: int32(day), seq: append(s.routes[id].seq[:0], seq...), km: km}
	s.alive[id] = true
	s.attach(id)
}

// rollbackTo undoes the journal back to length mark.
func (s *solution) rollbackTo(mark int) {
	was := s.journaling
	s.journaling = false
	for k := len(s.journal) - 1; k >= mark; k-- {
		u := s.journal[k]
		switch u.kind {
		case 'a':
			s.dropRoute(u.id)
		case 'd':
			s.restoreRoute(u.id, int(u.v), int(u.day), u.seq, u.km)
		case 's':
			s.setRoute(u.id, u.seq, u.km, int(u.day))
		}
	}
	s.journal = s.journal[:mark]
	s.journaling = was
}

// journalLimit bounds the mutations kept since the best plan; beyond it the
// search returns to the best plan.
const journalLimit = 1 << 20

// lns runs ruin-and-recreate steps until the work budget is spent, with
// simulated-annealing acceptance (a worse plan is kept with probability
// exp(−Δ/T), T falling to zero over the budget). It ends on the best plan.
func (s *solution) lns(budget int64, sc *scratch, rng *rand.Rand, q *placeQueue, stop func() bool) {
	p := s.p
	covered := make([]int32, 0, p.nP)
	for i := 0; i < p.nP; i++ {
		if len(s.c.pVists[i]) > 0 {
			covered = append(covered, int32(i))
		}
	}
	if len(covered) < 2 {
		return
	}
	removed := make([]int32, 0, 64)
	mark := make([]bool, p.nP)
	begin := s.evals
	perPlace := s.km / float64(max(1, p.nP-s.uncov))
	best := s.cost()
	s.journaling = true
	s.journal = s.journal[:0]
	for iter := 0; s.evals < budget; iter++ {
		if iter%64 == 0 && stop() {
			break
		}
		s.evals++ // every step counts, even one that evaluates no route
		seed := covered[rng.IntN(len(covered))]
		size := 4 + rng.IntN(min(20, len(covered)-1))
		before := s.cost()
		jm := len(s.journal)
		removed = s.ruin(seed, size, removed[:0], mark, rng)
		s.recreate(removed, sc, rng)
		for _, x := range removed {
			mark[x] = false
		}
		delta := s.cost() - before
		progress := float64(s.evals-begin) / float64(max(1, budget-begin))
		temp := annealT0 * perPlace * (1 - progress)
		switch {
		case delta < -improveEps:
			s.touch(q, removed)
			s.localSearch(q, budget, sc)
		case temp > 0 && delta < -temp*math.Log(1-rng.Float64()):
			// keep a slightly worse plan to leave a local optimum
		default:
			s.rollbackTo(jm)
			continue
		}
		if c := s.cost(); c < best-improveEps {
			best = c
			s.journal = s.journal[:0]
		} else if len(s.journal) > journalLimit {
			s.rollbackTo(0)
		}
	}
	if s.cost() > best+improveEps {
		s.rollbackTo(0)
	}
	s.journaling = false
	s.journal = s.journal[:0]
}

// annealT0 is the starting temperature as a share of the km per place.
const annealT0 = 0.3

// ruin removes about size places around seed (breadth first over nearest
// places); with some probability a removed place takes its whole route.
func (s *solution) ruin(seed int32, size int, removed []int32, mark []bool, rng *rand.Rand) []int32 {
	frontier := []int32{seed}
	takeRoutes := rng.IntN(3) == 0
	for len(frontier) > 0 && len(removed) < size {
		x := frontier[0]
		frontier = frontier[1:]
		if mark[x] {
			continue
		}
		mark[x] = true
		if r := s.routeOf[x]; r >= 0 {
			if takeRoutes {
				for _, y := range s.routes[r].seq {
					if y != x && !mark[y] {
						mark[y] = true
						removed = append(removed, y)
					}
				}
				s.dropRoute(r)
			} else {
				s.detachExact(r, x)
			}
		}
		removed = append(removed, x)
		for _, y := range s.c.near[x] {
			if !mark[y] && len(s.c.pVists[y]) > 0 {
				frontier = append(frontier, y)
			}
		}
	}
	return removed
}

// detachExact removes x from route r and re-orders the rest optimally.
func (s *solution) detachExact(r int32, x int32) {
	rt := &s.routes[r]
	rest, km := s.without(nil, r, x)
	if len(rest) == 0 {
		s.dropRoute(r)
		return
	}
	v := int(rt.v)
	day, ok := s.dayFor(v, s.p.routeDays(v, rest), int(rt.day))
	if !ok {
		day = int(rt.day)
	}
	s.setRoute(r, rest, km, day)
}

// recreate inserts the removed places by regret-2 insertion (with a little
// noise so repeated attempts differ).
func (s *solution) recreate(removed []int32, sc *scratch, rng *rand.Rand) {
	pending := slices.Clone(removed)
	var opts []insertion
	for len(pending) > 0 {
		bestK, bestScore := -1, 0.0
		var bestIns insertion
		for k, x := range pending {
			opts = s.bestInsertions(x, opts[:0], 2, sc)
			if len(opts) == 0 {
				continue
			}
			regret := s.p.rules.UncoveredPenaltyKm
			if len(opts) > 1 {
				regret = opts[1].delta - opts[0].delta
			}
			score := regret * (1 + 0.2*rng.Float64())
			if bestK < 0 || score > bestScore {
				bestK, bestScore, bestIns = k, score, opts[0]
				bestIns.seq = slices.Clone(opts[0].seq)
			}
		}
		if bestK < 0 {
			return // the rest stay uncovered
		}
		x := pending[bestK]
		s.apply(x, bestIns)
		pending = append(pending[:bestK], pending[bestK+1:]...)
	}
}
