package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/cdp"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// TestCampaignDashboardOnAPhone opens a kendra's campaign dashboard in
// Chromium at 360 px, Hindi then English, as the district president: no
// sideways scroll, the chart inside the screen, and each lagging booth's
// row saying what it misses in the page's language in readable type.
func TestCampaignDashboardOnAPhone(t *testing.T) {
	br := cdp.Start(t, cdp.Options{Window: fmt.Sprintf("%d,%d", phoneWidth, phoneHeight)})
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	sys := schedule.SystemActor("test")
	cs := store.NewCampaigns(e.st)
	c, err := cs.Create(ctx, sys, schedule.Campaign{Title: "Digital booth", TitleHi: "डिजिटल बूथ", UnitID: unitID(t, e.st, "MP"),
		Target: schedule.CivilDay(testclock.Now(), schedule.Zone{}).AddDate(0, 0, 30),
		Rules: schedule.CampaignRules{Levels: []schedule.LevelRule{{Level: schedule.LevelBooth, Members: 12,
			Roles: []schedule.RoleCount{{Role: "booth_president", Count: 1}, {Role: "mann_ki_baat_pramukh", Count: 1}, {Role: "labharthi_pramukh", Count: 1}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for d := -8; d <= -1; d++ {
		if _, err := cs.Snapshot(ctx, sys, c.ID, schedule.CivilDay(testclock.Now(), schedule.Zone{}).AddDate(0, 0, d)); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	b.login("9800000002")
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	u, _ := url.Parse(e.srv.URL)
	if err := br.SetCookies(tctx, e.srv.URL, b.c.Jar.Cookies(u)); err != nil {
		t.Fatal(err)
	}
	if err := br.Phone(tctx, phoneWidth, phoneHeight); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("%s/campaigns/%d?unit=%d", e.srv.URL, c.ID, unitID(t, e.st, "D1-A1-M1-C1-S1"))
	for _, tc := range []struct{ lang, b2 string }{
		{"hi", "1/12 सदस्य, बूथ अध्यक्ष नहीं, लाभार्थी प्रमुख नहीं"},
		{"en", "1/12 members, no Booth president, no Labharthi pramukh"},
	} {
		br.Load(tctx, e.srv.URL+"/lang/"+tc.lang+"?next=/")
		br.Load(tctx, page)
		var v struct {
			ScrollW, SVGRight   float64
			Rows                []string
			MissingPx, RowRight float64
		}
		js := `(() => {
			const rows = [...document.querySelectorAll('#children tbody tr')];
			const miss = rows.length ? rows[0].querySelector('.missing') : null;
			return {ScrollW: document.documentElement.scrollWidth,
				SVGRight: document.querySelector('#burnup').getBoundingClientRect().right,
				Rows: rows.map(r => r.querySelector('.missing').innerText.trim()),
				MissingPx: miss ? parseFloat(getComputedStyle(miss).fontSize) : 0,
				RowRight: miss ? miss.getBoundingClientRect().right : 0};
		})()`
		if err := br.Eval(tctx, js, &v); err != nil {
			t.Fatal(err)
		}
		if v.ScrollW > phoneWidth || v.SVGRight > phoneWidth || v.RowRight > phoneWidth {
			t.Errorf("%s: page %v px wide, chart ends at %v, missing text at %v; want all within %d", tc.lang, v.ScrollW, v.SVGRight, v.RowRight, phoneWidth)
		}
		if len(v.Rows) != 2 || !strings.Contains(strings.Join(v.Rows, "|"), tc.b2) {
			t.Errorf("%s: rows say %q, want one saying %q", tc.lang, v.Rows, tc.b2)
		}
		if v.MissingPx < 12 {
			t.Errorf("%s: what a booth misses is set in %v px type", tc.lang, v.MissingPx)
		}
	}
}
