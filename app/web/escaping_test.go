package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// TestTextPeopleTypeIsEscapedOnPages: names, titles and descriptions are
// shown as text wherever they appear, never run as markup or script (ASVS
// 5.3.1, 5.3.3): html/template escapes them for the context they land in,
// element text, attribute or script.
func TestTextPeopleTypeIsEscapedOnPages(t *testing.T) {
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	sys := schedule.SystemActor("t")
	booth := unitID(t, e.st, "D1-A1-M1-C1-S1-B1")
	const name = `<img src=x onerror=alert(1)>"'`
	const title = `</script><script>alert("kk")</script>`
	const desc = `<a href="javascript:alert(2)">click</a>`
	w, err := e.st.CreateWorker(ctx, sys, schedule.Worker{Name: name, Mobile: "9822244455", Active: true, UnitID: booth, Work: desc})
	if err != nil {
		t.Fatal(err)
	}
	start := testclock.Now().Add(48 * time.Hour).Truncate(time.Hour)
	ev, err := e.st.CreateEvent(ctx, sys, schedule.Event{UnitID: booth, Type: "meeting", Title: title, TitleHi: title,
		Description: desc, Venue: schedule.Venue{Name: name}, Start: start, End: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	b := english(e, "9800000002")
	for _, path := range []string{
		fmt.Sprintf("/workers/%d", w.ID),
		fmt.Sprintf("/workers/%d/edit", w.ID),
		fmt.Sprintf("/units/%d/workers", booth),
		fmt.Sprintf("/events/%d", ev.Event.ID),
		fmt.Sprintf("/units/%d/calendar", booth),
		fmt.Sprintf("/units/%d/workers?q=img", unitID(t, e.st, "D1")),
	} {
		resp, err := b.c.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
			continue
		}
		page := string(raw)
		for _, bad := range []string{"<img src=x", `<script>alert("kk")`, `href="javascript:`} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: the page carries %q unescaped", path, bad)
			}
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
		if n := doc.Find("img[onerror], a[href^='javascript:']").Length(); n > 0 {
			t.Errorf("%s: %d elements made from typed text", path, n)
		}
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if strings.Contains(s.Text(), "alert(") {
				t.Errorf("%s: a script holds typed text: %q", path, s.Text())
			}
		})
		// The text is there, as text (the search lists the worker).
		if shown := doc.Find("body").Text(); !strings.Contains(shown, "<img src=x onerror=alert(1)>") && !strings.Contains(shown, title) {
			t.Errorf("%s: neither the name nor the title is shown as text", path)
		}
	}
}
