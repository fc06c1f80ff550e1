package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/schedule"
)

// Worker search finds any part of a name or a mobile, in Hindi and
// English, and stays inside the searcher's area: a surname ("Kushwaha",
// "मिश्रा") once found nobody because only the start of the name matched.
func TestWorkerSearchFindsAnyPartOfANameOrMobile(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	storetest.ImportWorkers(t, st, `name,mobile,voter_id,gender,unit_code,roles,work
Ramesh Kushwaha,9822200001,CCC0000001,M,D1-A1-M1-C1-S1-B1,,
अनिल मिश्रा,9822200002,CCC0000002,M,D1-A1-M1-C1-S1-B2,,
Sunita  KUSHWAHA,9822200003,CCC0000003,F,D2-A1-M1-C1-S1-B1,,
प्रिया मिश्रा,9812345678,CCC0000004,F,D2-A1-M1-C1-S1-B1,,
`)
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	names := func(actor schedule.Actor, q string) []string {
		t.Helper()
		ws, total, err := st.FindWorkers(ctx, actor, schedule.WorkerFilter{Query: q})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if total != len(ws) {
			t.Errorf("search %q: total %d for %d rows", q, total, len(ws))
		}
		var out []string
		for _, w := range ws {
			out = append(out, w.Name)
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"Kushwaha", []string{"Ramesh Kushwaha", "Sunita  KUSHWAHA"}}, // a surname, any case
		{"shwah", []string{"Ramesh Kushwaha", "Sunita  KUSHWAHA"}},    // the middle of a word
		{"मिश्रा", []string{"अनिल मिश्रा", "प्रिया मिश्रा"}},
		{"िश्र", []string{"अनिल मिश्रा", "प्रिया मिश्रा"}},                        // inside a conjunct
		{"sunita kushwaha", []string{"Sunita  KUSHWAHA"}},                         // spaces folded
		{"22200", []string{"Ramesh Kushwaha", "Sunita  KUSHWAHA", "अनिल मिश्रा"}}, // part of a mobile
		{"98123 45678", []string{"प्रिया मिश्रा"}},                                // a whole mobile, spaced
		{"ra", []string{"Ramesh Kushwaha"}},                                       // short: the start of a name
		{"xyz", nil},
		{"50%", nil}, // wildcards are text
	} {
		if got := names(sys, tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("search %q = %q, want %q", tt.q, got, tt.want)
		}
	}
	// D1's president finds D1's Kushwaha only.
	d1 := storetest.Actor(t, st, "9800000002")
	if got := names(d1, "kushwaha"); !slices.Equal(got, []string{"Ramesh Kushwaha"}) {
		t.Errorf("D1 search = %q", got)
	}
	// Renaming keeps the index current.
	id := workerID(t, st, "CCC0000001")
	name := "Ramesh Chauhan"
	if _, err := st.UpdateWorker(ctx, sys, id, schedule.WorkerPatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if got := names(sys, "chauhan"); !slices.Equal(got, []string{"Ramesh Chauhan"}) {
		t.Errorf("after rename: %q", got)
	}
	if got := names(sys, "kushwaha"); !slices.Equal(got, []string{"Sunita  KUSHWAHA"}) {
		t.Errorf("old name still found: %q", got)
	}
}

// On PostgreSQL a search takes one of three ways (see findWorkersContaining):
// the window of first names, the trigram index, or the name index for many
// matches further down; each gives the same workers in the same order.
func TestWorkerSearchWaysAgree(t *testing.T) {
	st := storetest.Open(t)
	storetest.Seed(t, st)
	var b strings.Builder
	b.WriteString("name,mobile,voter_id,gender,unit_code,roles,work\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&b, "Zeenat Kushwaha %02d,98333%05d,DDD%07d,F,D1-A1-M1-C1-S1-B1,,\n", i, i, i)
		fmt.Fprintf(&b, "Aarti Verma %02d,98444%05d,EEE%07d,F,D1-A1-M1-C1-S1-B2,,\n", i, i, i)
	}
	storetest.ImportWorkers(t, st, b.String())
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	type result struct {
		names []string
		total int
		more  bool
	}
	search := func(window, countCap, limit, offset int, q string) result {
		t.Helper()
		st.SetSearchLimits(window, countCap)
		p, err := st.SearchWorkers(ctx, sys, schedule.WorkerFilter{Query: q, Limit: limit, Offset: offset})
		if err != nil {
			t.Fatalf("search %q (window %d): %v", q, window, err)
		}
		r := result{total: p.Total, more: p.More}
		for _, w := range p.Workers {
			r.names = append(r.names, w.Name)
		}
		return r
	}
	ref := search(10000, 1000, 10, 5, "kushwaha") // the whole area in the window
	if ref.total != 60 || ref.more || len(ref.names) != 10 || ref.names[0] != "Zeenat Kushwaha 05" {
		t.Fatalf("reference: %+v", ref)
	}
	pg := st.Postgres()
	kushwahas := func(r result) bool {
		for _, n := range r.names {
			if !strings.Contains(n, "Kushwaha") {
				return false
			}
		}
		return len(r.names) == 10
	}
	// Not in a window of 10: the trigram index, all counted, in name order.
	if got := search(10, 1000, 10, 5, "kushwaha"); !slices.Equal(got.names, ref.names) || got.total != 60 || got.more {
		t.Errorf("trigram index: %+v", got)
	}
	// More than a count cap of 20: "more than 20".
	if got := search(10, 20, 10, 5, "kushwaha"); !kushwahas(got) || (pg && (got.total != 20 || !got.more)) {
		t.Errorf("over the cap: %+v", got)
	}
	// Common in a window of 50 rows: the page from the window, "more than".
	if got := search(50, 1000, 10, 5, "kushwaha"); !kushwahas(got) || got.more != pg {
		t.Errorf("common: %+v", got)
	}
	// Names starting with the text come first: "aarti" finds the Aartis,
	// in name order, however small the window.
	if got := search(10, 1000, 2, 0, "aarti"); !slices.Equal(got.names, []string{"Aarti Verma 00", "Aarti Verma 01"}) {
		t.Errorf("aarti: %+v", got)
	}
}
