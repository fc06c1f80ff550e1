package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/schedule"
)

// TestTextareasAcceptBrowserLineEndings posts forms the way browsers do:
// a textarea's line breaks arrive as CR LF (HTML's form encoding). The
// event and the worker are saved, with plain LF line breaks.
func TestTextareasAcceptBrowserLineEndings(t *testing.T) {
	now := time.Now()
	e := newEnv(t, web.Config{Now: func() time.Time { return now }})
	ctx := context.Background()
	district := english(e, "9800000002")
	day := now.Add(10 * 24 * time.Hour).Format("2006-01-02")
	form := url.Values{"unit": {fmt.Sprint(unitID(t, e.st, "D1-A1-M1-C1"))}, "type": {"meeting"}, "title": {"Committee meeting"},
		"description": {"Agenda:\r\n1. Booth lists\r\n2. Sports day\r\n"}, "venue": {"Office"}, "date": {day},
		"start": {"10:00"}, "end": {"11:00"}, "status": {"confirmed"}}
	resp, doc := district.post("/events", form)
	m := eventPathRE.FindStringSubmatch(resp.Request.URL.Path)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("a multi-line description from a browser: %d %s", resp.StatusCode, doc.Find(".error").Text())
	}
	var id int64
	fmt.Sscan(m[1], &id)
	ev, err := e.st.FindEventByID(ctx, schedule.SystemActor("t"), id)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Description != "Agenda:\n1. Booth lists\n2. Sports day" && ev.Description != "Agenda:\n1. Booth lists\n2. Sports day\n" {
		t.Errorf("description stored as %q", ev.Description)
	}

	var ram int64
	e.st.DB().QueryRowContext(ctx, "SELECT id FROM workers WHERE mobile = ?", "+919811111111").Scan(&ram)
	resp, doc = district.post(fmt.Sprintf("/workers/%d", ram), url.Values{"name": {"Ram Kumar"}, "mobile": {"9811111111"},
		"work": {"Booth list\r\nVoter slips"}, "active": {"on"}, "unit": {fmt.Sprint(unitID(t, e.st, "D1-A1-M1-C1-S1-B1"))}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("worker edit with a multi-line work field: %d %s", resp.StatusCode, doc.Find(".error").Text())
	}
	w, _ := e.st.FindWorkerByID(ctx, schedule.SystemActor("t"), ram)
	if w.Work != "Booth list\nVoter slips" {
		t.Errorf("work stored as %q", w.Work)
	}
}
