// Command search-bench measures worker search (issue 13: any part of a
// name or mobile, p95 < 50 ms at 3,000,000 workers on PostgreSQL): it
// runs store.FindWorkers, the code the worker list page and the API call,
// against a seeded state (`karyakram seed -scale state -workers 3000000`)
// with a mix of queries — surnames and first names in Hindi and English,
// parts of words, parts of mobile numbers, texts nobody has — as the
// state office and as a district president, and prints p50/p95/p99 per
// kind of query and overall, as the state office, a district president
// and a mandal president (the seed's officials).
//
//	go run ./bench/search -dsn postgres://…/db [-rounds 20]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// queries by kind; the seeded names are the generator's (app/seed): common
// surnames and first names are each a tenth of the state or more.
var queries = []struct{ kind, q string }{
	{"surname (common)", "Kushwaha"}, {"surname (common)", "मिश्रा"}, {"surname (common)", "yadav"}, {"surname (common)", "चौहान"},
	{"first name (common)", "सुनीता"}, {"first name (common)", "Rakesh"}, {"first name (common)", "कविता"},
	{"part of a word", "shwah"}, {"part of a word", "िश्र"}, {"part of a word", "जपू"},
	{"full name", "अनिल मिश्रा"}, {"full name", "kiran rajput"},
	{"part of a mobile", "7000123"}, {"part of a mobile", "45678"}, {"part of a mobile", "99999"},
	{"nobody", "zzqx"}, {"nobody", "कखगघ"}, {"nobody", "Kushwahaa"},
	{"short (name prefix)", "su"}, {"short (name prefix)", "रा"},
}

func main() {
	dsn := flag.String("dsn", os.Getenv("KARYAKRAM_DSN"), "database with a seeded state")
	rounds := flag.Int("rounds", 20, "times each query runs per searcher")
	flag.Parse()
	ctx := context.Background()
	st, err := store.Open(ctx, *dsn, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	// The seed's named officials (app/seed): the state office, the first
	// district's president and a mandal president of it.
	var searchers []searcher
	for _, o := range []struct{ name, mobile string }{
		{"state office", seed.StateOfficeMobile}, {"district president", seed.DistrictOfficeMobile}, {"mandal president", seed.MandalPresidentMobile},
	} {
		m, err := schedule.NormaliseMobile(o.mobile)
		if err != nil {
			log.Fatal(err)
		}
		a, err := st.ActorByMobile(ctx, m)
		if err != nil {
			log.Fatalf("%s (%s): %v", o.name, o.mobile, err)
		}
		searchers = append(searchers, searcher{o.name, a})
	}

	byKind := map[string][]time.Duration{}
	bySearcher := map[string][]time.Duration{}
	var all []time.Duration
	found := map[string]string{}
	// Warm-up: one round, not measured (the first query of a connection
	// and a cold page cache are another benchmark).
	for _, s := range searchers {
		for _, q := range queries {
			if _, _, err := st.FindWorkers(ctx, s.actor, schedule.WorkerFilter{Query: q.q}); err != nil {
				log.Fatalf("%s %q: %v", s.name, q.q, err)
			}
		}
	}
	for r := 0; r < *rounds; r++ {
		for _, s := range searchers {
			for _, q := range queries {
				start := time.Now()
				p, err := st.SearchWorkers(ctx, s.actor, schedule.WorkerFilter{Query: q.q})
				d := time.Since(start)
				if err != nil {
					log.Fatalf("%s %q: %v", s.name, q.q, err)
				}
				byKind[q.kind] = append(byKind[q.kind], d)
				bySearcher[s.name] = append(bySearcher[s.name], d)
				all = append(all, d)
				if r == 0 {
					n := fmt.Sprint(p.Total)
					if p.More {
						n += "+"
					}
					found[s.name+" · "+q.q] = n
				}
			}
		}
	}
	fmt.Printf("%d searches (%d queries × %d searchers × %d rounds)\n\n", len(all), len(queries), len(searchers), *rounds)
	fmt.Println("| query kind | n | p50 ms | p95 ms | p99 ms | max ms |")
	fmt.Println("|---|---|---|---|---|---|")
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		row(k, byKind[k])
	}
	for _, sr := range searchers {
		row("as "+sr.name, bySearcher[sr.name])
	}
	row("**all**", all)
	fmt.Println("\nmatches (first round; + marks \"more than\"):")
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-45s %s\n", k, found[k])
	}
}

func row(kind string, ds []time.Duration) {
	slices.Sort(ds)
	p := func(q float64) float64 { return float64(ds[int(q*float64(len(ds)-1))].Microseconds()) / 1000 }
	fmt.Printf("| %s | %d | %.1f | %.1f | %.1f | %.1f |\n", kind, len(ds), p(0.50), p(0.95), p(0.99), p(1))
}

// searcher is an official who searches.
type searcher struct {
	name  string
	actor schedule.Actor
}
