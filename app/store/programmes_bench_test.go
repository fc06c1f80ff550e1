package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// statewideClusters returns a units CSV shaped like Madhya Pradesh's
// cluster layer: 57 districts × 4 assemblies × 4 mandals × 7 clusters, plus
// one more cluster in each of the first 16 mandals: 6,400 clusters.
func statewideClusters() string {
	var b strings.Builder
	b.WriteString("code,parent_code,level,name,name_hi\nMP,,state,Madhya Pradesh,मध्य प्रदेश\n")
	extra := 16
	for d := 1; d <= 57; d++ {
		fmt.Fprintf(&b, "D%d,MP,district,District %d,ज़िला %d\n", d, d, d)
		for a := 1; a <= 4; a++ {
			fmt.Fprintf(&b, "D%d-A%d,D%d,assembly,Assembly %d-%d,विधानसभा %d-%d\n", d, a, d, d, a, d, a)
			for m := 1; m <= 4; m++ {
				fmt.Fprintf(&b, "D%d-A%d-M%d,D%d-A%d,mandal,Mandal %d-%d-%d,मंडल %d-%d-%d\n", d, a, m, d, a, d, a, m, d, a, m)
				n := 7
				if extra > 0 {
					n, extra = 8, extra-1
				}
				for c := 1; c <= n; c++ {
					fmt.Fprintf(&b, "D%d-A%d-M%d-C%d,D%d-A%d-M%d,cluster,Cluster %d-%d-%d-%d,क्लस्टर %d-%d-%d-%d\n",
						d, a, m, c, d, a, m, d, a, m, c, d, a, m, c)
				}
			}
		}
	}
	return b.String()
}

// BenchmarkProgrammeRunStatewide creates a statewide programme's event for
// each of 6,400 clusters in one transaction (target on PostgreSQL: < 2 s),
// and reports the time of an idempotent re-run as rerun-ms.
//
//	KARYAKRAM_TEST_DSN=postgres://… go test -run '^$' -bench ProgrammeRunStatewide -benchtime 3x ./app/store
func BenchmarkProgrammeRunStatewide(b *testing.B) {
	st := storetest.Open(b)
	storetest.ImportUnits(b, st, statewideClusters())
	ctx := context.Background()
	sys := schedule.SystemActor("bench")
	mp, err := st.FindUnitByCode(ctx, sys, "MP")
	if err != nil {
		b.Fatal(err)
	}
	levels, err := st.Levels(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cluster, _ := levels.ByKey("cluster")
	start, _ := schedule.Zone{}.Parse("2027-05-04", "")
	var rerun time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		p, err := st.CreateProgramme(ctx, sys, store.ProgrammeRecord{
			Programme:  schedule.Programme{Type: "sports", Title: fmt.Sprintf("Sports fortnight %d", i), TitleHi: "खेल पखवाड़ा", WindowStart: start, WindowEnd: start.Add(14 * 24 * time.Hour)},
			LevelDepth: cluster.Depth, RootUnitID: mp.ID})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		run, err := st.RunProgramme(ctx, sys, p.ID)
		if err != nil {
			b.Fatal(err)
		}
		if run.Created != 6400 {
			b.Fatalf("created %d events, want 6400", run.Created)
		}
		b.StopTimer()
		t0 := time.Now()
		again, err := st.RunProgramme(ctx, sys, p.ID)
		rerun += time.Since(t0)
		if err != nil || again.Created != 0 || again.Existing != 6400 {
			b.Fatalf("re-run: %+v %v", again, err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(rerun.Milliseconds())/float64(b.N), "rerun-ms")
	db := "sqlite"
	if st.Postgres() {
		db = "postgres"
	}
	b.Logf("database: %s", db)
}
