package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/karyakram/karyakram/app/ical"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// makeClusterPresident gives the worker with voterID the official role
// "president" at the cluster unit code.
func makeClusterPresident(t *testing.T, st *store.Store, voterID, code string) {
	t.Helper()
	ctx := context.Background()
	sys := schedule.SystemActor("t")
	ws, _, err := st.FindWorkers(ctx, sys, schedule.WorkerFilter{Query: voterID})
	if err != nil || len(ws) != 1 {
		t.Fatalf("worker %s: %v", voterID, err)
	}
	if err := st.AssignRole(ctx, sys, ws[0].ID, "president", unitID(t, st, code)); err != nil {
		t.Fatal(err)
	}
}

// clone copies form values without the CSRF field another browser set.
func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		if k != "csrf" {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}

// english logs in and switches the page language to English.
func english(e *env, mobile string) *browser {
	b := e.browser()
	b.login(mobile)
	b.get("/lang/en?next=/")
	return b
}

var eventPathRE = regexp.MustCompile(`^/events/(\d+)$`)

// createEventForm posts the event form and returns the new event's ID.
func createEventForm(t *testing.T, b *browser, form url.Values) int64 {
	t.Helper()
	resp, doc := b.post("/events", form)
	m := eventPathRE.FindStringSubmatch(resp.Request.URL.Path)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create event: %d at %s: %s", resp.StatusCode, resp.Request.URL, doc.Find(".error").Text())
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

func TestCalendarPages(t *testing.T) {
	e := newEnv(t, web.Config{})
	c1 := unitID(t, e.st, "D1-A1-M1-C1")
	c2 := unitID(t, e.st, "D1-A1-M2-C1")
	makeClusterPresident(t, e.st, "BBB0000003", "D1-A1-M2-C1") // Mohan Lal, 9811111113

	district := english(e, "9800000002")
	// A Saturday a week or more ahead on the tests' clock (still to come,
	// so it can be edited).
	day := testclock.Weekday(7, time.Saturday)
	date := day.Format(time.DateOnly)
	around := func(days int) string { return day.AddDate(0, 0, days).Format(time.DateOnly) }
	base := url.Values{"unit": {fmt.Sprint(c1)}, "type": {"sports"}, "title": {"Sports day"}, "title_hi": {"खेल दिवस"},
		"venue": {"School ground"}, "date": {date}, "start": {"10:00"}, "end": {"13:00"}, "status": {"confirmed"}}
	id := createEventForm(t, district, base)

	t.Run("EventPageShowsIST", func(t *testing.T) {
		_, doc := district.get(fmt.Sprintf("/events/%d", id))
		if got := doc.Find("#event-title").Text(); got != "Sports day" {
			t.Errorf("title %q", got)
		}
		if when := doc.Find("#when").Text(); when != day.Format("Monday, 2 January 2006")+", 10:00–13:00 IST" {
			t.Errorf("when %q", when)
		}
		if doc.Find("#no-conflicts").Length() != 1 {
			t.Errorf("a lone event shows conflicts: %q", doc.Find("#conflicts").Text())
		}
	})

	t.Run("EndBeforeStartIsAFieldError", func(t *testing.T) {
		bad := clone(base)
		bad.Set("end", "09:00")
		resp, doc := district.post("/events", bad)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.error[data-field=end]`).Length() != 1 {
			t.Fatalf("status %d, errors %q", resp.StatusCode, doc.Find(".error").Text())
		}
		if v, _ := doc.Find("input[name=title]").Attr("value"); v != "Sports day" {
			t.Errorf("form not refilled: title %q", v)
		}
	})

	t.Run("ConflictWarningsWithReasons", func(t *testing.T) {
		clash := clone(base)
		clash.Set("title", "Committee meeting")
		clash.Set("type", "meeting")
		clash.Set("venue", "school ground!")
		clash.Set("start", "12:00")
		clash.Set("end", "14:00")
		resp, doc := district.post("/events", clash)
		if resp.StatusCode != http.StatusOK || !eventPathRE.MatchString(resp.Request.URL.Path) {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Request.URL)
		}
		if doc.Find(".flash").Length() == 0 || !strings.Contains(doc.Find(".flash").Text(), "conflicts") {
			t.Errorf("flash %q", doc.Find(".flash").Text())
		}
		kinds := map[string]string{}
		doc.Find("li.conflict").Each(func(_ int, s *goquery.Selection) {
			k, _ := s.Attr("data-kind")
			kinds[k] = s.Text()
		})
		if !strings.Contains(kinds["venue"], "School ground") || !strings.Contains(kinds["unit"], "overlapping") {
			t.Fatalf("conflicts shown: %v", kinds)
		}
		_, doc = district.get(fmt.Sprintf("/units/%d/conflicts?from=%s&to=%s", unitID(t, e.st, "D1"), around(-3), around(3)))
		if n := doc.Find("li.conflict").Length(); n != 2 {
			t.Errorf("conflicts view lists %d, want 2", n)
		}
	})

	t.Run("MonthWeekListAndFilters", func(t *testing.T) {
		_, doc := district.get(fmt.Sprintf("/units/%d/calendar?view=month&date=%s", unitID(t, e.st, "D1"), date))
		if !strings.Contains(doc.Find("#month").Text(), "Sports day") || doc.Find("#month a.ev").Length() != 2 {
			t.Errorf("month view: %q", doc.Find("#month").Text())
		}
		_, doc = district.get(fmt.Sprintf("/units/%d/calendar?view=week&date=%s", c1, date))
		if doc.Find("#days h3").Length() != 7 || doc.Find("#days li.ev").Length() != 2 {
			t.Errorf("week view: %d days, %d events", doc.Find("#days h3").Length(), doc.Find("#days li.ev").Length())
		}
		_, doc = district.get(fmt.Sprintf("/units/%d/calendar?view=list&date=%s&type=meeting", c1, around(-3)))
		if doc.Find("#days li.ev").Length() != 1 || !strings.Contains(doc.Find("#days").Text(), "Committee meeting") {
			t.Errorf("type filter: %q", doc.Find("#days").Text())
		}
		// The unit page links to the calendar.
		_, doc = district.get(fmt.Sprintf("/units/%d", c1))
		if doc.Find(fmt.Sprintf(`a[href="/units/%d/calendar"]`, c1)).Length() != 1 {
			t.Error("no calendar link on the unit page")
		}
	})

	t.Run("ClusterOfficialCannotSeeOrEditAnotherCluster", func(t *testing.T) {
		other := english(e, "9811111113")
		for _, p := range []string{fmt.Sprintf("/events/%d", id), fmt.Sprintf("/events/%d/edit", id),
			fmt.Sprintf("/events/%d/event.ics", id), fmt.Sprintf("/units/%d/calendar", c1)} {
			if resp, _ := other.get(p); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
			}
		}
		edit := clone(base)
		edit.Set("title", "hijacked")
		if resp, _ := other.post(fmt.Sprintf("/events/%d", id), edit); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST edit: %d, want 404", resp.StatusCode)
		}
		if resp, _ := other.post(fmt.Sprintf("/events/%d/cancel", id), url.Values{}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST cancel: %d, want 404", resp.StatusCode)
		}
		edit.Set("unit", fmt.Sprint(c1))
		if resp, _ := other.post("/events", edit); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("create in another cluster: %d", resp.StatusCode)
		}
		// Their own cluster works, and the other cluster's event is absent.
		edit.Set("unit", fmt.Sprint(c2))
		mine := createEventForm(t, other, edit)
		_, doc := other.get(fmt.Sprintf("/units/%d/calendar?view=list&date=%s", c2, around(-3)))
		if doc.Find("#days li.ev").Length() != 1 || !strings.Contains(doc.Find("#days").Text(), "hijacked") {
			t.Errorf("own calendar: %q", doc.Find("#days").Text())
		}
		if _, err := e.st.FindEventByID(context.Background(), schedule.SystemActor("t"), mine); err != nil {
			t.Fatal(err)
		}
		got, _ := e.st.FindEventByID(context.Background(), schedule.SystemActor("t"), id)
		if got.Title != "Sports day" || got.Status != schedule.EventConfirmed {
			t.Errorf("the other cluster's event changed: %+v", got.Event)
		}
	})

	t.Run("RecurringLastSundayAndOccurrenceEdit", func(t *testing.T) {
		// The last Sundays of the next four months; the second is skipped.
		var sundays [4]time.Time
		for i := range sundays {
			sundays[i] = testclock.LastWeekdayOfMonth(i+1, time.Sunday)
		}
		f := url.Values{"unit": {fmt.Sprint(c1)}, "type": {"listening"}, "title": {"Radio address"}, "date": {sundays[0].Format(time.DateOnly)},
			"start": {"11:00"}, "end": {"12:00"}, "status": {"confirmed"}, "repeat": {"monthly_last_sunday"}, "count": {"4"},
			"exdates": {sundays[1].Format(time.DateOnly)}}
		rid := createEventForm(t, district, f)
		got, err := e.st.FindEventByID(context.Background(), schedule.SystemActor("t"), rid)
		if err != nil || got.RRule != "FREQ=MONTHLY;COUNT=4;BYDAY=-1SU" && got.RRule != "FREQ=MONTHLY;BYDAY=-1SU;COUNT=4" {
			t.Fatalf("rule %q %v", got.RRule, err)
		}
		_, doc := district.get(fmt.Sprintf("/events/%d", rid))
		if got := doc.Find("#repeats").Text(); got != "↻ every last Sunday, 11:00 IST, 4 times" {
			t.Errorf("the page says the event repeats %q", got)
		}
		items := doc.Find("#occurrences li")
		if items.Length() != 3 { // sundays 0, (1 skipped), 2, 3
			t.Fatalf("%d occurrences: %q", items.Length(), items.Text())
		}
		link, _ := items.Eq(1).Find("a").Attr("href")
		_, doc = district.get(link)
		ridVal, _ := doc.Find("input[name=rid]").Attr("value")
		resp, _ := district.post(fmt.Sprintf("/events/%d/occurrence", rid), url.Values{"rid": {ridVal}, "date": {sundays[2].Format(time.DateOnly)},
			"start": {"18:00"}, "end": {"19:00"}, "title": {"Evening radio"}, "status": {"confirmed"}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("occurrence edit: %d", resp.StatusCode)
		}
		_, doc = district.get(fmt.Sprintf("/events/%d", rid))
		if txt := doc.Find("#occurrences li").Eq(1).Text(); !strings.Contains(txt, "18:00") || !strings.Contains(txt, "Evening radio") {
			t.Errorf("edited occurrence: %q", txt)
		}
		// A start that is not a last Sunday is refused with the reason.
		f.Set("date", sundays[0].AddDate(0, 0, -7).Format(time.DateOnly))
		resp, doc = district.post("/events", f)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.error[data-field=start]`).Length() != 1 {
			t.Errorf("bad anchor: %d %q", resp.StatusCode, doc.Find(".error").Text())
		}
	})

	t.Run("ICSDownloadParses", func(t *testing.T) {
		resp, err := district.c.Get(e.srv.URL + fmt.Sprintf("/events/%d/event.ics", id))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		imp, err := ical.Decode(strings.NewReader(string(body)), ical.DecodeOptions{})
		if err != nil || len(imp.Events) != 1 || !strings.Contains(imp.Events[0].Title, "Sports day") {
			t.Fatalf("decode own .ics: %v %+v", err, imp)
		}
	})

	t.Run("UploadICSChecksConflicts", func(t *testing.T) {
		ymd := day.Format("20060102")
		cal := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x1@example\r\nDTSTAMP:20261101T000000Z\r\n" +
			"DTSTART;TZID=Asia/Kolkata:" + ymd + "T110000\r\nDTEND;TZID=Asia/Kolkata:" + ymd + "T120000\r\nSUMMARY:VIP lunch\r\nLOCATION:School ground\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		resp, doc := district.upload(fmt.Sprintf("/units/%d/check", c1), "file", cal)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("upload: %d %q", resp.StatusCode, doc.Find(".error").Text())
		}
		if !strings.Contains(doc.Find("h2").Text(), "1") {
			t.Errorf("result heading %q", doc.Find("h2").Text())
		}
		resp, doc = district.upload(fmt.Sprintf("/units/%d/check", c1), "file", "BEGIN:VCALENDAR\r\nthis is not ical")
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(".error").Length() == 0 {
			t.Errorf("bad file: %d", resp.StatusCode)
		}
	})
}

var httpsRE = regexp.MustCompile(`/feeds/([A-Za-z0-9_-]+)\.ics$`)

func TestFeedEndpoint(t *testing.T) {
	e := newEnv(t, web.Config{})
	c1 := unitID(t, e.st, "D1-A1-M1-C1")
	d1 := unitID(t, e.st, "D1")
	district := english(e, "9800000002")
	id := createEventForm(t, district, url.Values{"unit": {fmt.Sprint(c1)}, "type": {"meeting"}, "title": {"Feed meeting"},
		"date": {testclock.Date(7)}, "start": {"10:00"}, "end": {"11:00"}, "status": {"confirmed"}})

	_, doc := district.post(fmt.Sprintf("/units/%d/feeds", d1), url.Values{"kind": {"unit"}})
	https, _ := doc.Find("#https").Attr("value")
	webcal, _ := doc.Find("#webcal").Attr("href")
	m := httpsRE.FindStringSubmatch(https)
	if m == nil || !strings.HasPrefix(webcal, "webcal://") || !strings.HasSuffix(webcal, m[0]) {
		t.Fatalf("links %q %q", https, webcal)
	}
	feedURL := e.srv.URL + m[0]
	anon := &http.Client{}
	get := func(h map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", feedURL, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := anon.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get(nil)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != 200 || etag == "" || lm == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d etag %q lm %q", resp.StatusCode, etag, lm)
	}
	for _, want := range []string{"BEGIN:VCALENDAR", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "SUMMARY:Feed meeting", "SEQUENCE:0", "BEGIN:VTIMEZONE"} {
		if !strings.Contains(body, want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	if _, err := ical.DecodeCalendar(strings.NewReader(body), 0); err != nil {
		t.Errorf("feed does not parse: %v", err)
	}
	if resp, body := get(map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("If-None-Match: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get(map[string]string{"If-Modified-Since": lm}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", resp.StatusCode)
	}

	// Cancelling changes the feed: new tag, STATUS:CANCELLED, SEQUENCE:1.
	time.Sleep(1100 * time.Millisecond) // Last-Modified has one-second resolution
	if resp, _ := district.post(fmt.Sprintf("/events/%d/cancel", id), url.Values{}); resp.StatusCode != 200 {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	resp, body = get(map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag || !strings.Contains(body, "STATUS:CANCELLED") || !strings.Contains(body, "SEQUENCE:1") {
		t.Errorf("after cancel: %d etag %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if resp, _ := get(map[string]string{"If-Modified-Since": lm}); resp.StatusCode != 200 {
		t.Errorf("If-Modified-Since after a change: %d", resp.StatusCode)
	}

	// Revoking: the feed answers 404 with a readable text.
	_, doc = district.get(fmt.Sprintf("/units/%d/feeds", d1))
	hash, _ := doc.Find(`#tokens input[name=token]`).Attr("value")
	if resp, _ := district.post(fmt.Sprintf("/units/%d/feeds/revoke", d1), url.Values{"token": {hash}}); resp.StatusCode != 200 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	resp, body = get(nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "revoked") {
		t.Errorf("revoked feed: %d %q", resp.StatusCode, body)
	}
	resp, _ = anon.Get(e.srv.URL + "/feeds/" + strings.Repeat("A", 43) + ".ics")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown token: %d", resp.StatusCode)
	}
	resp.Body.Close()
}

func TestProgrammePages(t *testing.T) {
	e := newEnv(t, web.Config{})
	state := english(e, "9800000001")
	from := testclock.Today().AddDate(0, 0, 7) // a two-week window from a week ahead
	inWindow := func(days int) string { return from.AddDate(0, 0, days).Format(time.DateOnly) }
	_, doc := state.get("/programmes/new")
	level, _ := doc.Find("#level option[selected]").Attr("value")
	root, _ := doc.Find("#root option").First().Attr("value")
	resp, doc := state.post("/programmes", url.Values{"root": {root}, "level": {level}, "type": {"sports"}, "title": {"Sports fortnight"},
		"from": {inWindow(0)}, "to": {inWindow(-3)}, "start": {"10:00"}, "hours": {"2"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.error[data-field=window_end]`).Length() != 1 {
		t.Fatalf("window backwards: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	resp, doc = state.post("/programmes", url.Values{"root": {root}, "level": {level}, "type": {"sports"}, "title": {"Sports fortnight"},
		"from": {inWindow(0)}, "to": {inWindow(13)}, "start": {"10:00"}, "hours": {"2"}})
	if resp.StatusCode != 200 || doc.Find("#run").Length() != 1 {
		t.Fatalf("create programme: %d at %s %q", resp.StatusCode, resp.Request.URL, doc.Find(".error").Text())
	}
	progPath := resp.Request.URL.Path
	if got := doc.Find("#not-created").Text(); got != "3" {
		t.Errorf("not created before the run: %q", got)
	}
	_, doc = state.post(progPath+"/run", url.Values{})
	if !strings.Contains(doc.Find("#run-result").Text(), "Created 3") && !strings.Contains(doc.Find("#run-result").Text(), "3 ") {
		t.Errorf("run result %q", doc.Find("#run-result").Text())
	}
	if doc.Find("#units").Text() != "3" || doc.Find("#unscheduled").Text() != "3" || doc.Find("#unscheduled-units li").Length() != 3 {
		t.Errorf("progress %q/%q, %d listed", doc.Find("#units").Text(), doc.Find("#unscheduled").Text(), doc.Find("#unscheduled-units li").Length())
	}
	_, doc = state.post(progPath+"/run", url.Values{})
	evs, err := e.st.FindEvents(context.Background(), schedule.SystemActor("t"), store.EventFilter{Cancelled: true})
	if err != nil || len(evs) != 3 {
		t.Fatalf("after a second run: %d events (%v)", len(evs), err)
	}
	// A cluster committee schedules from the link in the list.
	edit, _ := doc.Find("#unscheduled-units li a").First().Attr("href")
	_, form := state.get(edit)
	vals := url.Values{}
	form.Find("form.stack input, form.stack select").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if name == "" || name == "organisers" || name == "guests" {
			return
		}
		if goquery.NodeName(s) == "select" {
			v, _ := s.Find("option[selected]").Attr("value")
			vals.Set(name, v)
			return
		}
		v, _ := s.Attr("value")
		vals.Set(name, v)
	})
	vals.Set("venue", "Stadium")
	vals.Set("status", "confirmed")
	vals.Set("date", inWindow(16)) // after the window
	resp, doc = state.post(strings.TrimSuffix(edit, "/edit"), vals)
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.error[data-field=start]`).Length() != 1 {
		t.Fatalf("outside the window: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	vals.Set("date", inWindow(6))
	if resp, _ = state.post(strings.TrimSuffix(edit, "/edit"), vals); resp.StatusCode != 200 {
		t.Fatalf("schedule: %d", resp.StatusCode)
	}
	_, doc = state.get(progPath)
	if doc.Find("#scheduled").Text() != "1" || doc.Find("#unscheduled-units li").Length() != 2 {
		t.Errorf("after scheduling: %q scheduled, %d listed", doc.Find("#scheduled").Text(), doc.Find("#unscheduled-units li").Length())
	}
}
