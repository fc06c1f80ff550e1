package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/schedule"
)

// TestLettersAndSheetThroughTheServer: a monthly (first Sunday) 05:00 IST
// meeting (stored as Saturday 23:30 UTC) prints as Sunday 05:00 IST, and
// that it repeats, on the letters and the
// attendance sheet the server makes, and letters printed at 20:00 UTC on
// Saturday carry Sunday's date, the organisation's today.
func TestLettersAndSheetThroughTheServer(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC)
	e := newEnv(t, web.Config{Now: func() time.Time { return now }})
	e.st.SetClock(func() time.Time { return now })
	sys := schedule.SystemActor("t")
	kendra := unitID(t, e.st, "D1-A1-M1-C1-S1")
	start := time.Date(2026, 12, 5, 23, 30, 0, 0, time.UTC)
	saved, err := e.st.CreateEvent(ctx, sys, schedule.Event{UnitID: kendra, Type: "meeting", Title: "Kendra meeting", TitleHi: "केंद्र बैठक",
		Venue: schedule.Venue{Name: "School"}, Start: start, End: start.Add(90 * time.Minute), RRule: "FREQ=MONTHLY;BYDAY=1SU"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SendInvites(ctx, sys, saved.Event.ID, store.Audience{UnitIDs: []int64{kendra}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("9800000001")
	for _, c := range []struct{ path, when, date string }{
		{"letters.pdf?lang=hi", "रविवार, 6 दिसंबर 2026, 05:00–06:30 IST", "दिनांक: 6 दिसंबर 2026"},
		{"letters.pdf?lang=hi", "दोहराव हर महीने का पहला रविवार, 05:00 IST", ""},
		{"letters.pdf?lang=en", "Sunday, 6 December 2026, 05:00–06:30 IST", "Date: 6 December 2026"},
		{"letters.pdf?lang=en", "Repeats every first Sunday, 05:00 IST", ""},
		{"attendance.pdf?lang=hi", "रविवार, 6 दिसंबर 2026, 05:00–06:30 IST", ""},
	} {
		resp, body := b.getRaw(fmt.Sprintf("/events/%d/invites/%s", saved.Event.ID, c.path))
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", c.path, resp.StatusCode)
		}
		text := pdfText(t, body)
		if text == "" {
			return
		}
		words := strings.Join(strings.Fields(text), " ")
		if !strings.Contains(words, c.when) || !strings.Contains(words, c.date) || strings.Contains(words, "23:30") {
			t.Errorf("%s: want %q and %q:\n%s", c.path, c.when, c.date, words)
		}
	}
}
