package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/karyakram/karyakram/app/ical/icaltest"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// TestFeedsShowOnlyWhatTheirOwnerMaySee: a booth worker organises an
// event of another district, and a VIP kept by D1 is booked there too.
// The booth's person feed and D1's VIP feed show that event only as busy
// time: no title, description, venue or coordinates, which the event page
// refuses to the same officials.
func TestFeedsShowOnlyWhatTheirOwnerMaySee(t *testing.T) {
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	sys := schedule.SystemActor("t")
	ram := workerByVoterID(t, e.st, "BBB0000001") // राम कुमार, booth D1-A1-M1-C1-S1-B1
	d1 := storetest.Actor(t, e.st, "9800000002")
	vip, err := e.st.SaveGuest(ctx, d1, store.Guest{Name: "Shri A. Sharma", Title: "MLA", UnitID: unitID(t, e.st, "D1")})
	if err != nil {
		t.Fatal(err)
	}
	day := testclock.Now().Add(10 * 24 * time.Hour).Truncate(24 * time.Hour)
	bhopal := &schedule.LatLon{Lat: 23.2599, Lon: 77.4126}
	far, err := e.st.CreateEvent(ctx, sys, schedule.Event{UnitID: unitID(t, e.st, "D2-A1-M1-C1"), Type: "meeting",
		Title: "Bhopal strategy meeting", TitleHi: "भोपाल रणनीति बैठक", Description: "Seat-by-seat plan for the by-election",
		Venue: schedule.Venue{Name: "Bhopal party hall", Geo: bhopal}, Organisers: []int64{ram.ID}, Guests: []int64{vip.ID},
		Start: day.Add(5 * time.Hour), End: day.Add(7 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	near, err := e.st.CreateEvent(ctx, sys, schedule.Event{UnitID: unitID(t, e.st, "D1-A1-M1-C1"), Type: "sports",
		Title: "Cluster sports day", Venue: schedule.Venue{Name: "School ground"}, Organisers: []int64{ram.ID}, Guests: []int64{vip.ID},
		Start: day.Add(28 * time.Hour), End: day.Add(30 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	booth := english(e, "9800000004")
	if resp, _ := booth.get(fmt.Sprintf("/events/%d", far.Event.ID)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the booth president sees the D2 event's page: %d", resp.StatusCode)
	}
	district := english(e, "9800000002")
	feeds := map[string]string{
		"person feed of a booth worker": feedOf(t, booth, unitID(t, e.st, "D1-A1-M1-C1-S1-B1"), url.Values{"kind": {"person"}, "worker": {fmt.Sprint(ram.ID)}}),
		"VIP feed of D1's guest":        feedOf(t, district, unitID(t, e.st, "D1"), url.Values{"kind": {"vip"}, "guest": {fmt.Sprint(vip.ID)}}),
	}
	for name, path := range feeds {
		resp, raw := (&browser{e: e, c: http.DefaultClient}).getRaw(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", name, resp.StatusCode)
		}
		for _, secret := range []string{"Bhopal", "भोपाल", "Seat-by-seat", "by-election", "23.25", "77.41", far.Event.UID} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("%s publishes %q of an event outside its owner's area:\n%s", name, secret, raw)
			}
		}
		cal := icaltest.Go(t, raw)
		var busy, full int
		for _, ev := range cal.Events() {
			summary, _ := ev.Props.Text(goical.PropSummary)
			start, err := ev.DateTimeStart(time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case start.Equal(far.Event.Start):
				busy++
				if !strings.Contains(summary, "Busy") || ev.Props.Get(goical.PropLocation) != nil || ev.Props.Get(goical.PropGeo) != nil || ev.Props.Get(goical.PropDescription) != nil {
					t.Errorf("%s: the outside event is not busy-only: %q %v", name, summary, ev.Props)
				}
			case start.Equal(near.Event.Start):
				full++
				if summary != "Cluster sports day" {
					t.Errorf("%s: the event inside the area reads %q", name, summary)
				}
			}
		}
		if busy != 1 || full != 1 {
			t.Errorf("%s: %d busy and %d full events, want 1 and 1", name, busy, full)
		}
	}
}

// feedOf creates a feed on unit's feeds page and returns its path.
func feedOf(t *testing.T, b *browser, unit int64, form url.Values) string {
	t.Helper()
	resp, doc := b.post(fmt.Sprintf("/units/%d/feeds", unit), form)
	https, _ := doc.Find("#https").Attr("value")
	m := httpsRE.FindStringSubmatch(https)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("create feed %v: %d %q %s", form, resp.StatusCode, https, doc.Find(".error").Text())
	}
	return m[0]
}

func workerByVoterID(t *testing.T, st *store.Store, voterID string) schedule.Worker {
	t.Helper()
	ws, _, err := st.FindWorkers(context.Background(), schedule.SystemActor("t"), schedule.WorkerFilter{Query: voterID})
	if err != nil || len(ws) != 1 {
		t.Fatalf("worker %s: %v %v", voterID, ws, err)
	}
	return ws[0]
}
