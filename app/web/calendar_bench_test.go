package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// benchEventRow inserts events in bulk for benchmarks, bypassing the
// per-event checks of CreateEvent (which are not what is measured here).
type benchEventRow struct {
	bun.BaseModel `bun:"table:events"`
	UID           string    `bun:"uid"`
	UnitID        int64     `bun:"unit_id"`
	UnitPath      string    `bun:"unit_path"`
	LevelDepth    int       `bun:"level_depth"`
	Type          string    `bun:"type"`
	Title         string    `bun:"title"`
	TitleHi       string    `bun:"title_hi"`
	Description   string    `bun:"description"`
	VenueName     string    `bun:"venue_name"`
	VenueLat      float64   `bun:"venue_lat"`
	VenueLon      float64   `bun:"venue_lon"`
	StartAt       time.Time `bun:"start_at"`
	EndAt         time.Time `bun:"end_at"`
	Status        string    `bun:"status"`
	Sequence      int       `bun:"sequence"`
	RRule         string    `bun:"rrule"`
	ExDates       string    `bun:"exdates"`
	Overrides     string    `bun:"overrides"`
	UpdatedAt     time.Time `bun:"updated_at"`
	SeriesEndAt   time.Time `bun:"series_end_at"`
	CreatedAt     time.Time `bun:"created_at"`
}

// seedDistrictEvents puts n events on the units of district D1 of the
// small tree: a year of events, one in ten recurring monthly on the last
// Sunday, 2 % cancelled, Hindi and English titles, mapped venues.
func seedDistrictEvents(b *testing.B, st *store.Store, n int) {
	ctx := context.Background()
	sys := schedule.SystemActor("bench")
	var units []schedule.Unit
	for _, code := range []string{"D1", "D1-A1", "D1-A1-M1", "D1-A1-M2", "D1-A1-M1-C1", "D1-A1-M2-C1", "D1-A1-M1-C1-S1", "D1-A1-M1-C1-S1-B1", "D1-A1-M1-C1-S1-B2", "D1-A1-M2-C1-S1-B1"} {
		u, err := st.FindUnitByCode(ctx, sys, code)
		if err != nil {
			b.Fatal(err)
		}
		units = append(units, u)
	}
	first := testclock.Weekday(28, time.Sunday).Add(11 * time.Hour) // a Sunday four weeks ahead, 11:00 IST
	lastSunday := testclock.LastWeekdayOfMonth(2, time.Sunday).Add(11 * time.Hour)
	stamp := testclock.Now().AddDate(0, -1, 0).UTC().Truncate(time.Second)
	rows := make([]benchEventRow, 0, 1000)
	flush := func() {
		if len(rows) == 0 {
			return
		}
		if _, err := st.DB().NewInsert().Model(&rows).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		rows = rows[:0]
	}
	for i := range n {
		u := units[i%len(units)]
		start := first.Add(time.Duration(i%360) * 24 * time.Hour).Add(time.Duration(i%5) * time.Hour)
		r := benchEventRow{UID: fmt.Sprintf("bench-%d@karyakram", i), UnitID: u.ID, UnitPath: u.Path, LevelDepth: u.Depth,
			Type: "meeting", Title: fmt.Sprintf("Committee meeting %d of %s about the booth programme", i, u.Name),
			TitleHi:     fmt.Sprintf("%s की समिति बैठक %d, बूथ कार्यक्रम पर", u.NameHi, i),
			Description: "Agenda: membership drive, booth committee review, volunteer training schedule and the coming programme.",
			VenueName:   fmt.Sprintf("Panchayat Bhavan %d", i%97), VenueLat: 26.2 + float64(i%100)/1000, VenueLon: 78.1 + float64(i%100)/1000,
			StartAt: start, EndAt: start.Add(2 * time.Hour), Status: "confirmed", Sequence: i % 4, ExDates: "[]", Overrides: "[]",
			UpdatedAt: stamp.Add(time.Duration(i) * time.Second), SeriesEndAt: start.Add(2 * time.Hour), CreatedAt: stamp}
		if i%10 == 0 {
			r.StartAt, r.EndAt = first, first.Add(time.Hour)
			r.RRule, r.SeriesEndAt = "FREQ=MONTHLY;BYDAY=-1SU", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
			r.StartAt = lastSunday
			r.EndAt = r.StartAt.Add(time.Hour)
		}
		if i%50 == 7 {
			r.Status = "cancelled"
		}
		rows = append(rows, r)
		if len(rows) == cap(rows) {
			flush()
		}
	}
	flush()
}

// BenchmarkDistrictFeed10k serves GET /feeds/<token>.ics for a district
// with 10,000 events through the real router: a full render (200) and a
// revalidation with the ETag (304, which loads only versions).
//
//	go test -run '^$' -bench DistrictFeed10k -benchtime 10x ./app/web
func BenchmarkDistrictFeed10k(b *testing.B) {
	st := storetest.Open(b)
	storetest.Seed(b, st)
	seedDistrictEvents(b, st, 10000)
	ctx := context.Background()
	d1, err := st.FindUnitByCode(ctx, schedule.SystemActor("bench"), "D1")
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := st.CreateFeedToken(ctx, schedule.SystemActor("bench"), store.FeedUnit, d1.ID, "hi")
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	srv, err := web.New(st, auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log), web.Config{}, log)
	if err != nil {
		b.Fatal(err)
	}
	path := "/feeds/" + token + ".ics"
	serve := func(etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	first := serve("")
	if first.Code != http.StatusOK || first.Body.Len() < 1<<20 {
		b.Fatalf("feed: %d, %d bytes", first.Code, first.Body.Len())
	}
	etag := first.Header().Get("ETag")
	b.Run("200", func(b *testing.B) {
		for b.Loop() {
			if rec := serve(""); rec.Code != http.StatusOK {
				b.Fatal(rec.Code)
			}
		}
		b.ReportMetric(float64(first.Body.Len()), "bytes/feed")
	})
	b.Run("304", func(b *testing.B) {
		for b.Loop() {
			if rec := serve(etag); rec.Code != http.StatusNotModified {
				b.Fatal(rec.Code)
			}
		}
	})
}
