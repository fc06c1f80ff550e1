package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/karyakram/karyakram/internal/testclock"
)

// BenchmarkJoinPage serves GET /j/<token> through the whole router
// (verify, directory lookup, room pick, token mint stub, render) and
// reports allocations; bench/join/run.sh measures it under wrk with real
// minting.
func BenchmarkJoinPage(b *testing.B) {
	je := newJoinEnvTB(b)
	now := testclock.Now()
	a, invs := je.address("bench@test", now.Add(5*time.Minute), "+917554000000")
	if err := je.dir.Refresh(context.Background(), now); err != nil {
		b.Fatal(err)
	}
	var paths []string
	for id := range invs {
		paths = append(paths, "/j/"+je.link(a.EventID, id, now.Add(time.Hour)))
	}
	h := je.handler
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil)
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
