// Package importbench measures the store against a database seeded at
// state scale by bench/import/run.sh (KARYAKRAM_BENCH_DSN).
package importbench

import (
	"context"
	"os"
	"testing"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// BenchmarkSubtreeCount counts the workers of the largest district, as the
// unit page does, through the store's own query.
func BenchmarkSubtreeCount(b *testing.B) {
	dsn := os.Getenv("KARYAKRAM_BENCH_DSN")
	if dsn == "" {
		b.Skip("set KARYAKRAM_BENCH_DSN to a database seeded by bench/import/run.sh")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sys := schedule.SystemActor("bench")
	districts, err := st.Children(ctx, sys, mustRoot(b, st))
	if err != nil || len(districts) == 0 {
		b.Fatalf("districts: %v", err)
	}
	biggest := districts[0]
	for _, d := range districts {
		if d.Workers > biggest.Workers {
			biggest = d
		}
	}
	b.Logf("district %s: %d workers", biggest.Name, biggest.Workers)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n, err := st.CountWorkers(ctx, sys, biggest.ID)
		if err != nil || n != biggest.Workers {
			b.Fatalf("count %d, %v", n, err)
		}
	}
}

func mustRoot(b *testing.B, st *store.Store) int64 {
	roots, err := st.ScopeUnits(context.Background(), schedule.SystemActor("bench"))
	if err != nil || len(roots) != 1 {
		b.Fatalf("root: %v %v", roots, err)
	}
	return roots[0].ID
}
