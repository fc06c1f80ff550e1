package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// apiDo sends a JSON API request with the bearer token and extra headers
// and decodes the answer into out (when not nil); it returns the status
// and the raw body.
func apiDo(t *testing.T, e *env, method, path, token, body string, out any, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, raw
}

// apiError is the API's error body.
type apiError struct {
	Error struct {
		Code, Message, Field string
	} `json:"error"`
}

// wantFieldError asserts a 422 naming field whose message contains text.
func wantFieldError(t *testing.T, what string, code int, raw []byte, field, text string) {
	t.Helper()
	var e apiError
	json.Unmarshal(raw, &e)
	if code != http.StatusUnprocessableEntity || e.Error.Field != field || !strings.Contains(e.Error.Message, text) {
		t.Errorf("%s: %d field %q message %q; want 422 naming %q with %q", what, code, e.Error.Field, e.Error.Message, field, text)
	}
}

type occJSON struct {
	EventID      int64   `json:"event_id"`
	RecurrenceID *string `json:"recurrence_id"`
	Start, End   string
	Title        string
	Status       string
	UnitCode     string `json:"unit_code"`
	Recurring    bool
}

type eventJSON struct {
	ID       int64
	UnitID   int64 `json:"unit_id"`
	Title    string
	Start    string
	End      string
	Status   string
	Sequence int
	RRule    string
	Repeats  string
	ExDates  []string
	CanWrite bool `json:"can_write"`
	Venue    struct {
		Name     string
		Lat, Lon *float64
	}
	Conflicts []struct {
		Kind, Reason string
		A, B         struct {
			EventID    int64 `json:"event_id"`
			Start, End string
		}
	}
	Upcoming []occJSON
}

var countRE = regexp.MustCompile(`\d+`)

// pageCount is the number in the calendar page's "N events in this
// period".
func pageCount(t *testing.T, b *browser, path string) int {
	t.Helper()
	resp, doc := b.get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	n, err := strconv.Atoi(countRE.FindString(doc.Find("#count").Text()))
	if err != nil {
		t.Fatalf("%s: no count in %q", path, doc.Find("#count").Text())
	}
	return n
}

// TestEventsAPI follows a program through the events API as a district
// president: it makes a weekly meeting and a district event, lists the
// mandal's calendar (times on the organisation's clock, +05:30, and the
// calendar page's count), reads an event with its conflict, changes, skips
// and cancels, and is told in its language which field is wrong.
func TestEventsAPI(t *testing.T) {
	e := newEnv(t, web.Config{})
	tok := apiToken(t, e, "9800000002")
	mandal, district, sibling := unitID(t, e.st, "D1-A1-M1"), unitID(t, e.st, "D1"), unitID(t, e.st, "D1-A1-M2")
	ist := testclock.Zone
	rfc := func(t time.Time) string { return t.In(ist).Format(time.RFC3339) }

	// A weekly review from day 3 at 18:30, four times; the start given in
	// UTC is the same instant.
	start := testclock.Day(3, 18, 30)
	var weekly eventJSON
	code, raw := apiDo(t, e, "POST", "/api/v1/events", tok, fmt.Sprintf(`{"unit_id":%d,"type":"meeting","title":"Weekly review","title_hi":"साप्ताहिक समीक्षा",
		"start":%q,"end":%q,"rrule":"FREQ=WEEKLY;COUNT=4","venue":{"name":"Karyalay","lat":26.2183,"lon":78.1828}}`,
		mandal, start.UTC().Format(time.RFC3339), rfc(start.Add(90*time.Minute))), &weekly)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, raw)
	}
	if weekly.Start != rfc(start) || !strings.HasSuffix(weekly.Start, "T18:30:00+05:30") || weekly.End != rfc(start.Add(90*time.Minute)) {
		t.Errorf("created start %q end %q, want %q on the organisation's clock", weekly.Start, weekly.End, rfc(start))
	}
	if !weekly.CanWrite || weekly.Venue.Lat == nil || *weekly.Venue.Lat != 26.2183 || weekly.Repeats == "" {
		t.Errorf("created: can_write %v venue %+v repeats %q", weekly.CanWrite, weekly.Venue, weekly.Repeats)
	}
	// A district meeting overlapping the first review: on the mandal's
	// calendar too (an event of a unit above) and a conflict of both.
	var above eventJSON
	if code, raw := apiDo(t, e, "POST", "/api/v1/events", tok, fmt.Sprintf(`{"unit_id":%d,"type":"meeting","title":"District meeting","start":%q,"end":%q,"venue":{"name":"Karyalay","lat":26.2183,"lon":78.1828}}`,
		district, rfc(start.Add(30*time.Minute)), rfc(start.Add(150*time.Minute))), &above); code != http.StatusCreated {
		t.Fatalf("create district meeting: %d %s", code, raw)
	}
	// A meeting in the sibling mandal: not on M1's calendar.
	if code, raw := apiDo(t, e, "POST", "/api/v1/events", tok, fmt.Sprintf(`{"unit_id":%d,"type":"meeting","title":"Sibling meeting","start":%q,"end":%q}`,
		sibling, rfc(testclock.Day(4, 10, 0)), rfc(testclock.Day(4, 11, 0))), nil); code != http.StatusCreated {
		t.Fatalf("create sibling meeting: %d %s", code, raw)
	}

	// A district programme in every booth: M1's calendar counts its two
	// booths' events per day instead of listing them.
	ctx := context.Background()
	monday := testclock.Weekday(14, time.Monday)
	prog, err := e.st.CreateProgramme(ctx, schedule.SystemActor("test"), store.ProgrammeRecord{Programme: schedule.Programme{Type: "sports",
		Title: "Booth sports day", WindowStart: monday, WindowEnd: monday.AddDate(0, 0, 7)}, LevelDepth: 6, RootUnitID: district})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.RunProgramme(ctx, schedule.SystemActor("test"), prog.ID); err != nil {
		t.Fatal(err)
	}

	b := e.browser()
	b.login("9800000002")
	listPath := fmt.Sprintf("/units/%d/calendar?view=list&date=%s", mandal, testclock.Date(0))
	occurrences := func() []occJSON {
		t.Helper()
		var out struct {
			Zone, From, To string
			Count          int
			Occurrences    []occJSON
			Programmes     []struct {
				ProgrammeID int64 `json:"programme_id"`
				Date, Start string
				Units       int
			} `json:"programme_days"`
		}
		path := fmt.Sprintf("/api/v1/units/%d/events?from=%s&to=%s", mandal, testclock.Date(0), testclock.Date(30))
		if code, raw := apiDo(t, e, "GET", path, tok, "", &out); code != http.StatusOK {
			t.Fatalf("occurrences: %d %s", code, raw)
		}
		if out.Zone != "Asia/Kolkata" || out.From != rfc(testclock.Day(0, 0, 0)) || out.To != rfc(testclock.Day(31, 0, 0)) {
			t.Errorf("window %s %s–%s, want the list view's 31 days from midnight IST", out.Zone, out.From, out.To)
		}
		booths := 0
		for _, d := range out.Programmes {
			if d.ProgrammeID == prog.ID && strings.HasPrefix(d.Start, d.Date+"T") && strings.HasSuffix(d.Start, "+05:30") {
				booths += d.Units
			}
		}
		if booths != 2 || out.Count != len(out.Occurrences)+booths {
			t.Errorf("count %d: %d occurrences and the programme at %d booths (want M1's 2) in %+v", out.Count, len(out.Occurrences), booths, out.Programmes)
		}
		if page := pageCount(t, b, listPath); page != out.Count {
			t.Errorf("the API lists %d occurrences, the calendar page counts %d", out.Count, page)
		}
		return out.Occurrences
	}
	occs := occurrences()
	var starts []string
	for _, o := range occs {
		if o.EventID == weekly.ID {
			starts = append(starts, o.Start)
			if o.RecurrenceID == nil || !o.Recurring {
				t.Errorf("occurrence %s: no recurrence_id", o.Start)
			}
		}
		if o.Title == "Sibling meeting" {
			t.Errorf("the sibling mandal's meeting is on M1's calendar")
		}
	}
	want := []string{rfc(start), rfc(start.AddDate(0, 0, 7)), rfc(start.AddDate(0, 0, 14)), rfc(start.AddDate(0, 0, 21))}
	if strings.Join(starts, " ") != strings.Join(want, " ") {
		t.Errorf("weekly occurrences %v, want %v", starts, want)
	}
	if len(occs) != 5 || occs[1].EventID != above.ID || occs[1].UnitCode != "D1" {
		t.Errorf("occurrences %+v: want the four reviews and the district meeting second", occs)
	}

	// The event as its page shows it: the conflict with the district
	// meeting, both sides linked and timed on the organisation's clock.
	var got eventJSON
	if code, raw := apiDo(t, e, "GET", fmt.Sprintf("/api/v1/events/%d", weekly.ID), tok, "", &got); code != http.StatusOK {
		t.Fatalf("event: %d %s", code, raw)
	}
	_, doc := b.get(fmt.Sprintf("/events/%d", weekly.ID))
	if n := doc.Find("#conflicts li").Length(); len(got.Conflicts) != n || n == 0 {
		t.Errorf("the API has %d conflicts, the page %d", len(got.Conflicts), n)
	} else {
		c := got.Conflicts[0]
		ids := map[int64]string{c.A.EventID: c.A.Start, c.B.EventID: c.B.Start}
		if ids[weekly.ID] != rfc(start) || ids[above.ID] != rfc(start.Add(30*time.Minute)) || c.Kind != "venue" || !strings.Contains(c.Reason, "Karyalay") {
			t.Errorf("conflict %+v", c)
		}
	}
	if len(got.Upcoming) != 4 || got.Upcoming[3].Start != want[3] {
		t.Errorf("upcoming %+v", got.Upcoming)
	}
	var hi eventJSON
	apiDo(t, e, "GET", fmt.Sprintf("/api/v1/events/%d", weekly.ID), tok, "", &hi, "Accept-Language", "hi")
	if !strings.HasPrefix(hi.Repeats, "हर ") || !strings.HasSuffix(hi.Repeats, "18:30 IST, 4 बार") || !strings.Contains(got.Repeats, "18:30 IST") || got.Repeats == hi.Repeats {
		t.Errorf("repeats in Hindi %q, English %q", hi.Repeats, got.Repeats)
	}

	// Move the series an hour later (the end follows), then skip the
	// second review: one occurrence fewer in the API and on the page.
	var moved eventJSON
	code, raw = apiDo(t, e, "PATCH", fmt.Sprintf("/api/v1/events/%d", weekly.ID), tok, fmt.Sprintf(`{"start":%q,"status":"tentative"}`, rfc(start.Add(time.Hour))), &moved)
	if code != http.StatusOK || moved.Start != rfc(start.Add(time.Hour)) || moved.End != rfc(start.Add(150*time.Minute)) ||
		moved.Status != "tentative" || moved.Sequence <= weekly.Sequence || moved.Title != "Weekly review" || moved.RRule != weekly.RRule {
		t.Errorf("patch start: %d %s", code, raw)
	}
	code, raw = apiDo(t, e, "PATCH", fmt.Sprintf("/api/v1/events/%d", weekly.ID), tok, fmt.Sprintf(`{"exdates":[%q]}`, testclock.Date(10)), &moved)
	if code != http.StatusOK || len(moved.ExDates) != 1 || moved.ExDates[0] != rfc(start.AddDate(0, 0, 7).Add(time.Hour)) {
		t.Errorf("skip by date: %d %s", code, raw)
	}
	if n := len(occurrences()); n != 4 {
		t.Errorf("after the skip %d occurrences, want 4", n)
	}

	// Bad input: 422 naming the field, in English or, when asked, Hindi.
	path := fmt.Sprintf("/api/v1/events/%d", weekly.ID)
	code, raw = apiDo(t, e, "PATCH", path, tok, `{"start":"2026-05-04 10:00"}`, nil)
	wantFieldError(t, "local time without offset", code, raw, "start", "RFC 3339")
	code, raw = apiDo(t, e, "PATCH", path, tok, `{"start":"2026-05-04 10:00"}`, nil, "Accept-Language", "hi")
	wantFieldError(t, "Hindi", code, raw, "start", "समय UTC अंतर सहित RFC 3339 में दें")
	code, raw = apiDo(t, e, "PATCH", path+"?lang=hi", tok, fmt.Sprintf(`{"end":%q}`, rfc(start.Add(-time.Hour))), nil)
	wantFieldError(t, "end before start, ?lang=hi", code, raw, "end", "प्रारंभ")
	code, raw = apiDo(t, e, "POST", "/api/v1/events", tok, fmt.Sprintf(`{"unit_id":%d,"type":"meeting","start":%q,"end":%q}`, mandal, rfc(start), rfc(start.Add(time.Hour))), nil)
	wantFieldError(t, "no title", code, raw, "title", "title")
	code, raw = apiDo(t, e, "POST", "/api/v1/events", tok, fmt.Sprintf(`{"unit_id":%d,"type":"meeting","title":"x","start":%q,"end":%q,"venue":{"name":"x","lat":26}}`, mandal, rfc(start), rfc(start.Add(time.Hour))), nil)
	wantFieldError(t, "lat without lon", code, raw, "venue.lat", "longitude")
	code, raw = apiDo(t, e, "GET", fmt.Sprintf("/api/v1/units/%d/events?from=tomorrow", mandal), tok, "", nil)
	wantFieldError(t, "from", code, raw, "from", "YYYY-MM-DD")
	code, raw = apiDo(t, e, "GET", fmt.Sprintf("/api/v1/units/%d/events?from=%s&to=%s", mandal, testclock.Date(5), testclock.Date(1)), tok, "", nil, "Accept-Language", "hi")
	wantFieldError(t, "to before from", code, raw, "to", "के बाद होना चाहिए")
	code, raw = apiDo(t, e, "GET", fmt.Sprintf("/api/v1/units/%d/events?from=%s&to=%s", mandal, testclock.Date(0), testclock.Date(400)), tok, "", nil)
	wantFieldError(t, "over a year", code, raw, "to", "366")
	code, raw = apiDo(t, e, "PATCH", path, tok, `{"title":"x","colour":"red"}`, nil)
	wantFieldError(t, "unknown field", code, raw, "body", "colour")

	// Another district's president neither sees nor changes it.
	other := apiToken(t, e, "9800000005")
	for _, m := range []struct{ method, path, body string }{{"GET", path, ""}, {"PATCH", path, `{"title":"Taken over"}`}, {"POST", path + "/cancel", ""}} {
		if code, raw := apiDo(t, e, m.method, m.path, other, m.body, nil); code != http.StatusNotFound {
			t.Errorf("another district's %s %s: %d %s", m.method, m.path, code, raw)
		}
	}

	// Cancelled: kept on the calendar as cancelled; cancelling again is a
	// conflict.
	var cancelled eventJSON
	if code, raw := apiDo(t, e, "POST", path+"/cancel", tok, "", &cancelled); code != http.StatusOK || cancelled.Status != "cancelled" {
		t.Errorf("cancel: %d %s", code, raw)
	}
	for _, o := range occurrences() {
		if o.EventID == weekly.ID && o.Status != "cancelled" {
			t.Errorf("occurrence %s after cancelling: %s", o.Start, o.Status)
		}
	}
	if code, raw := apiDo(t, e, "POST", path+"/cancel", tok, "", nil); code != http.StatusConflict {
		t.Errorf("cancel again: %d %s", code, raw)
	}
}
