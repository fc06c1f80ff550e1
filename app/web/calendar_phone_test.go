package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/cdp"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// A state's month on a phone: what the state office sees on a 360 px
// Android phone, Hindi first. The month holds what a state's month holds:
// the monthly radio-address listening (a series at the state), a workshop
// in each of 12 districts on its own day, a district meeting on a busy day
// in 9 of them, and a statewide programme run for all 384 clusters (most
// still tentative on the window's first day, 40 moved to days of their
// own). The page once listed every cluster's event: one 27,519 px page.
const (
	phoneWidth, phoneHeight = 360, 740
	// phoneMonthMaxHeight bounds the month: about six screens of a phone.
	phoneMonthMaxHeight = 6 * phoneHeight
	phoneDistricts      = 12
	phoneClusters       = 32 // per district
)

type phoneMonth struct {
	url       string
	srv       *httptest.Server
	cookies   *browser
	programme int64
	days      map[int]bool // days of the month with something on
	firstDay  int          // the programme's first day: its placeholders
	firstDayN int          // units holding it that day
	busyDay   int          // nine meetings and three clusters' sports days
}

func newPhoneMonth(t *testing.T) phoneMonth {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	var units strings.Builder
	units.WriteString("code,parent_code,level,name,name_hi\nMP,,state,Madhya Pradesh,मध्य प्रदेश\n")
	for d := 1; d <= phoneDistricts; d++ {
		fmt.Fprintf(&units, "D%02d,MP,district,District %d,ज़िला %d\n", d, d, d)
		fmt.Fprintf(&units, "D%02d-A1,D%02d,assembly,Assembly %d,विधानसभा %d\n", d, d, d, d)
		for m := 1; m <= 4; m++ {
			fmt.Fprintf(&units, "D%02d-A1-M%d,D%02d-A1,mandal,Mandal %d-%d,मंडल %d-%d\n", d, m, d, d, m, d, m)
			for c := 1; c <= phoneClusters/4; c++ {
				fmt.Fprintf(&units, "D%02d-A1-M%d-C%d,D%02d-A1-M%d,cluster,Cluster %d-%d-%d,क्लस्टर %d-%d-%d\n", d, m, c, d, m, d, m, c, d, m, c)
			}
		}
	}
	storetest.ImportUnits(t, st, units.String())
	storetest.ImportWorkers(t, st, "name,mobile,voter_id,gender,unit_code,roles,work\nState Office,9800000001,AAA0000001,M,MP,office,\n")
	sys := schedule.SystemActor("t")
	unit := func(code string) int64 { return unitID(t, st, code) }

	// Next month, so every event lies ahead whatever today is.
	today := testclock.Today()
	first := time.Date(today.Year(), today.Month()+1, 1, 0, 0, 0, 0, testclock.Zone)
	at := func(day, hh int) time.Time { return first.AddDate(0, 0, day-1).Add(time.Duration(hh) * time.Hour) }
	days := map[int]bool{}
	create := func(e schedule.Event) schedule.Event {
		t.Helper()
		days[e.Start.In(testclock.Zone).Day()] = true
		saved, err := st.CreateEvent(ctx, sys, e)
		if err != nil {
			t.Fatalf("%s: %v", e.Title, err)
		}
		return saved.Event.Event
	}
	listening := testclock.LastWeekdayOfMonth(1, time.Sunday).Add(11 * time.Hour)
	create(schedule.Event{UnitID: unit("MP"), Type: "listening", Title: "Mann Ki Baat listening", TitleHi: "मन की बात श्रवण",
		Venue: schedule.Venue{Name: "Every booth"}, Start: listening, End: listening.Add(time.Hour), RRule: "FREQ=MONTHLY;BYDAY=-1SU"})
	for d := 1; d <= phoneDistricts; d++ {
		create(schedule.Event{UnitID: unit(fmt.Sprintf("D%02d", d)), Type: "training", Title: fmt.Sprintf("Digital working workshop, district %d", d),
			TitleHi: fmt.Sprintf("डिजिटल कार्यप्रणाली कार्यशाला, ज़िला %d", d), Venue: schedule.Venue{Name: fmt.Sprintf("Town hall %d", d)},
			Start: at(1+d, 10), End: at(1+d, 17)})
	}
	for d := 1; d <= 9; d++ { // a busy day: nine district meetings on the 20th
		create(schedule.Event{UnitID: unit(fmt.Sprintf("D%02d", d)), Type: "meeting", Title: fmt.Sprintf("District working committee %d", d),
			TitleHi: fmt.Sprintf("ज़िला कार्यसमिति बैठक %d", d), Venue: schedule.Venue{Name: "District office"}, Start: at(20, 10+d%4), End: at(20, 12+d%4)})
	}
	p, err := st.CreateProgramme(ctx, sys, store.ProgrammeRecord{
		Programme: schedule.Programme{Type: "sports", Title: "Cluster sports day", TitleHi: "क्लस्टर खेल दिवस",
			WindowStart: at(8, 0), WindowEnd: at(22, 0)},
		LevelDepth: 4, RootUnitID: unit("MP")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RunProgramme(ctx, sys, p.ID); err != nil {
		t.Fatal(err)
	}
	days[8] = true
	// Forty clusters set their own day (two a day over the fortnight).
	evs, err := st.FindEvents(ctx, sys, store.EventFilter{ProgrammeID: p.ID, Limit: 20000})
	if err != nil || len(evs) != phoneDistricts*phoneClusters {
		t.Fatalf("%d programme events: %v", len(evs), err)
	}
	for i := range 40 {
		e := evs[i*len(evs)/40].Event
		e.Start, e.End, e.Status = at(8+i/3, 9+i%3*2), at(8+i/3, 11+i%3*2), schedule.EventConfirmed
		days[8+i/3] = true
		if _, err := st.UpdateEvent(ctx, sys, e); err != nil {
			t.Fatal(err)
		}
	}

	log := slog.New(slog.DiscardHandler)
	s, err := web.New(st, auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), auth.DefaultPolicy(), log), web.Config{}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	e := &env{t: t, st: st, srv: srv}
	b := e.browser()
	b.login("9800000001")
	// Day 8 keeps the 344 placeholders and three clusters that chose it
	// (i = 0, 1, 2); day 20 has three clusters (i = 36, 37, 38).
	return phoneMonth{url: fmt.Sprintf("%s/units/%d/calendar?view=month&date=%s", srv.URL, unit("MP"), first.Format(time.DateOnly)),
		srv: srv, cookies: b, programme: p.ID, days: days, firstDay: 8, firstDayN: phoneDistricts*phoneClusters - 40 + 3, busyDay: 20}
}

// phoneView is what the page measures in the browser.
type phoneView struct {
	Height, Width, ClientWidth int
	Days                       []string // the agenda's day headings as shown
	Events                     []phoneEvent
	Lang                       string
}

type phoneEvent struct {
	Text, Href  string
	Visible     bool
	More        bool // the link to the rest of a day
	Left, Right float64
	Font        float64
	Clipped     bool
}

const phoneMeasureJS = `(() => {
  const de = document.documentElement;
  const shown = el => !!(el.offsetParent || el.getClientRects().length) && getComputedStyle(el).visibility !== 'hidden';
  const evs = [...document.querySelectorAll('#days .ev, #days .more')].map(li => {
    const a = li.querySelector('a') || li, r = li.getBoundingClientRect();
    return {text: li.innerText.trim(), href: a.getAttribute('href') || '', visible: shown(li), more: li.classList.contains('more'),
      left: r.left, right: r.right, font: parseFloat(getComputedStyle(a).fontSize), clipped: a.scrollWidth > a.clientWidth + 1};
  });
  return {height: de.scrollHeight, width: de.scrollWidth, clientWidth: de.clientWidth, lang: de.lang,
    days: [...document.querySelectorAll('#days h3')].filter(shown).map(h => h.innerText.trim()), events: evs};
})()`

// TestStateMonthOnAPhone opens the state's month in Chromium on a 360 px
// phone, in Hindi and then English, and reads it as the state office
// would: the page is a few screens long (not one line per cluster), does
// not scroll sideways, shows every day that has something on, each item
// readable (inside the screen, text at least 12 px, in the page's
// language), a statewide programme as one line with how many units hold it
// that day, and a busy day's first items with a link to the rest.
func TestStateMonthOnAPhone(t *testing.T) {
	br := cdp.Start(t, cdp.Options{Window: fmt.Sprintf("%d,%d", phoneWidth, phoneHeight)})
	fx := newPhoneMonth(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	u, _ := url.Parse(fx.srv.URL)
	if err := br.SetCookies(ctx, fx.srv.URL, fx.cookies.c.Jar.Cookies(u)); err != nil {
		t.Fatal(err)
	}
	if err := br.Phone(ctx, phoneWidth, phoneHeight); err != nil {
		t.Fatal(err)
	}
	titles := map[string]struct{ listening, programme, units, meeting string }{
		"hi": {"मन की बात श्रवण", "क्लस्टर खेल दिवस", fmt.Sprintf("%d इकाइयों (क्लस्टर) में", fx.firstDayN), "ज़िला कार्यसमिति बैठक"},
		"en": {"Mann Ki Baat listening", "Cluster sports day", fmt.Sprintf("at %d units (Cluster)", fx.firstDayN), "District working committee"},
	}
	for _, lang := range []string{"hi", "en"} {
		t.Run(lang, func(t *testing.T) {
			want := titles[lang]
			br.Load(ctx, fx.srv.URL+"/lang/"+lang+"?next=/")
			br.Load(ctx, fx.url)
			v := measurePhone(ctx, t, br)
			if dir := os.Getenv("KARYAKRAM_ARTIFACTS"); dir != "" {
				_ = br.Screenshot(ctx, filepath.Join(dir, "state-month-phone-"+lang+".png"))
			}
			t.Logf("%s: page %d px high (%.1f screens), %d px wide; %d days, %d items", lang, v.Height, float64(v.Height)/phoneHeight, v.Width, len(v.Days), len(v.Events))
			if v.Lang != lang {
				t.Fatalf("page language %q", v.Lang)
			}
			if v.Height > phoneMonthMaxHeight {
				t.Errorf("the month is %d px high on a %d px phone, over %d (%.1f screens)", v.Height, phoneWidth, phoneMonthMaxHeight, float64(v.Height)/phoneHeight)
			}
			if v.Width > v.ClientWidth {
				t.Errorf("the page scrolls sideways: %d px wide on a %d px screen", v.Width, v.ClientWidth)
			}
			if len(v.Days) != len(fx.days) {
				t.Errorf("%d days shown, want the %d days with something on: %q", len(v.Days), len(fx.days), v.Days)
			}
			readable(t, v)
			var listening, programme, more *phoneEvent
			for i, e := range v.Events {
				switch {
				case strings.Contains(e.Text, want.listening):
					listening = &v.Events[i]
				case strings.Contains(e.Text, want.units):
					programme = &v.Events[i]
				case e.More:
					more = &v.Events[i]
				}
			}
			if listening == nil {
				t.Errorf("the state's listening is not on the page")
			}
			if programme == nil || programme.Href != fmt.Sprintf("/programmes/%d", fx.programme) || !strings.Contains(programme.Text, want.programme) {
				t.Fatalf("the programme's first day should be one line, %q, linking to its page: %+v", want.units, programme)
			}
			// The busy day: three items, then a link to the day.
			if more == nil || !strings.Contains(more.Text, "7") {
				t.Fatalf("the busy day has no link to its 7 other items: %+v", more)
			}
			br.Load(ctx, fx.srv.URL+more.Href)
			day := measurePhone(ctx, t, br)
			readable(t, day)
			meetings, sports := 0, 0
			for _, e := range day.Events {
				meetings += strings.Count(e.Text, want.meeting)
				if strings.Contains(e.Text, want.programme) && strings.Contains(e.Text, "3") {
					sports++
				}
			}
			if len(day.Days) != 1 || meetings != 9 || sports != 1 || len(day.Events) != 10 {
				t.Errorf("the day's page: days %q, %d meetings, %d programme lines, %d items; want 1 day, 9 meetings, 1 line for 3 clusters", day.Days, meetings, sports, len(day.Events))
			}
		})
	}
}

func measurePhone(ctx context.Context, t *testing.T, br *cdp.Browser) phoneView {
	t.Helper()
	var v phoneView
	if err := br.Eval(ctx, phoneMeasureJS, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// readable: every item is shown, inside the screen's width, in type of
// at least 12 px, with text in the page's script.
func readable(t *testing.T, v phoneView) {
	t.Helper()
	for _, e := range v.Events {
		if !e.Visible || e.Left < 0 || e.Right > phoneWidth || e.Font < 12 || e.Clipped || e.Text == "" {
			t.Errorf("not readable on a %d px phone: %+v", phoneWidth, e)
		}
		if v.Lang == "hi" && !e.More && !strings.ContainsFunc(e.Text, func(r rune) bool { return r >= 0x0900 && r <= 0x097F }) {
			t.Errorf("no Hindi in %q on the Hindi page", e.Text)
		}
	}
}
