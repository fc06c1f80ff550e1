package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// The crawl walks every page a person can reach by following links and
// forms, in Hindi and in English, as each kind of user (anonymous, booth,
// mandal, district and state officials), over an organisation holding one
// of everything (one-off and repeating events, a statewide programme, a
// guest double-booked, invitations, a mass address, a workshop series with
// a plan, a calendar feed). It fails on
//   - a dead link or form target (404, 5xx, or any other error status) for
//     that user, naming the page that linked it;
//   - an untranslated catalogue key on a page;
//   - English UI text on a Hindi page, or Hindi UI text on an English page.
//
// What counts as UI text: every text node and every text a person reads in
// an attribute (title, placeholder, alt, aria-label, button values), minus
// data. Data is what people typed: the text columns of the records they
// keep (names, titles, venues, codes, mobiles, emails; see dataTexts), and
// what a template marks as not to be translated (translate="no", or a lang
// attribute of the other language: the language switch, a title shown in
// both languages). Numbers, URLs and a short list of terms Hindi UI text
// uses as they are (PDF, SMS, WhatsApp, …: latinTermsInHindi) are allowed.
// Code and input values (<code>, <textarea>, <input value>) are data.

// crawlRoles are the users the crawl walks as; mobiles are storetest's.
var crawlRoles = []struct{ name, mobile string }{
	{"anonymous", ""},
	{"booth", "9800000004"},
	{"mandal", "9800000003"},
	{"district", "9800000002"},
	{"state", "9800000001"},
}

// crawlPerPattern caps how many URLs of one shape (path with ids and
// tokens elided, query keys) are visited, so month-by-month calendar links
// end; every shape a user can reach is still visited.
const crawlPerPattern = 8

func TestCrawlEveryPageInBothLanguages(t *testing.T) {
	fx := newCrawlFixture(t)
	var summary []string
	total := 0
	for _, role := range crawlRoles {
		b := fx.browser()
		if role.mobile != "" {
			b.login(role.mobile)
		}
		for _, lang := range []string{"hi", "en"} {
			t.Run(role.name+"/"+lang, func(t *testing.T) {
				b.e.t = t
				b.setLang(lang)
				start := []string{"/"}
				if role.mobile == "" {
					start = append(start, fx.public...)
				}
				res := fx.crawl(t, b, lang, start)
				reportProblems(t, res.problems)
				if len(res.pages) < 2 {
					t.Fatalf("crawl reached only %v", res.pages)
				}
				summary = append(summary, fmt.Sprintf("%-9s %s: %3d pages (%d HTML) of %2d shapes", role.name, lang, len(res.pages), res.html, len(res.shapes)))
				if testing.Verbose() {
					shapes := make([]string, 0, len(res.shapes))
					for sh := range res.shapes {
						shapes = append(shapes, sh)
					}
					sort.Strings(shapes)
					t.Logf("shapes:\n%s", strings.Join(shapes, "\n"))
				}
				total += len(res.pages)
			})
		}
	}
	t.Logf("crawled %d pages:\n%s", total, strings.Join(summary, "\n"))
	// Every kind of page is reached by someone: were a link to go missing
	// (the message-template editor once was), its pages would silently
	// drop out of the crawl.
	for _, want := range []string{"/messages/templates?", "/workshops/:id?", "/programmes/:id?", "/events/:id/occurrence?rid",
		"/addresses/:id/turnout?", "/addresses/:id/bridges?", "/events/:id/invites?", "/events/:id/reminders?", "/units/:id/feeds?",
		"/guests?", "/audit?", "/i/:id?", "/j/:id?", "/feeds/:id?", "/units/:id/conflicts?", "/workers/:id/edit?", "/campaigns/:id?", "/campaigns/new?"} {
		reached := false
		for sh := range fx.shapes {
			reached = reached || strings.HasPrefix(sh, want)
		}
		if !reached {
			t.Errorf("no page of shape %s… was reached", want)
		}
	}
}

// TestCrawlDetector holds the crawl's detector to what it must catch and
// what it must let through.
func TestCrawlDetector(t *testing.T) {
	fx := &crawlFixture{data: []string{"Mohan Lal", "Manas Bhawan", "D1-A1"}, keyNS: map[string]bool{"calendar": true}}
	page := func(lang, body string) *goquery.Document {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(`<html lang="` + lang + `"><body>` + body + `</body></html>`))
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	for _, c := range []struct {
		lang, body string
		bad        bool
	}{
		{"hi", `<p>कैलेंडर देखें</p>`, false},
		{"hi", `<p>something went wrong</p>`, true},                   // an English sentence
		{"hi", `<p>बैठक: Mohan Lal, Manas Bhawan (D1-A1)</p>`, false}, // data
		{"hi", `<p>Mohan Lal has 1 h between</p>`, true},              // English around data
		{"hi", `<p>calendar.link</p>`, true},                          // an untranslated key
		{"en", `<p>calendar.link</p>`, true},                          // in English too
		{"hi", `<p>PDF · SMS · 98XXXXXXXX · https://k.example.in/i/x</p>`, false},
		{"hi", `<p translate="no">Digital working</p><a lang="en">English</a>`, false},
		{"hi", `<input type="submit" value="Send">`, true},                // a button's label
		{"hi", `<button name="rsvp" value="going">आऊँगा</button>`, false}, // a button's value is not shown
		{"hi", `<p title="Edit">✎</p>`, true},
		{"en", `<p>Saved</p>`, false},
		{"en", `<p>सहेजा गया</p>`, true},
		{"en", `<p>Mohan Lal</p><span lang="hi">क्लस्टर एक</span>`, false},
	} {
		got := fx.languageProblems(page(c.lang, c.body), c.lang)
		if (len(got) > 0) != c.bad {
			t.Errorf("%s %s: problems %q, want bad=%v", c.lang, c.body, got, c.bad)
		}
	}
}

// crawlFixture is the server and what the crawl needs to know about it.
type crawlFixture struct {
	*env
	public []string          // links people get by SMS: RSVP, join, feed
	data   []string          // data texts, longest first
	keyNS  map[string]bool   // catalogue key namespaces ("calendar")
	shapes map[string]string // shape -> first URL, over all crawls
}

func newCrawlFixture(t *testing.T) *crawlFixture { return newCrawlFixtureWith(t, auth.DefaultPolicy()) }

// newCrawlFixtureWith is newCrawlFixture with login policy p.
func newCrawlFixtureWith(t *testing.T, p auth.Policy) *crawlFixture {
	t.Helper()
	st := storetest.Open(t)
	storetest.Seed(t, st)
	log := slog.New(slog.DiscardHandler)
	au := auth.New(st, auth.LogSender{Store: st, Log: log}, []byte("k"), p, log)
	signer, err := schedule.NewSigner(schedule.LinkKey{ID: 1, Secret: bytes.Repeat([]byte("c"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	// As the demo runs: no LiveKit, no bridge numbers, development sinks.
	s, err := web.New(st, au, web.Config{Invite: web.InviteConfig{Signer: signer, BaseURL: "https://k.example.in"},
		Join: web.JoinConfig{Directory: addresses.NewDirectory(st, 0, 0, log)}}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	fx := &crawlFixture{env: &env{t: t, st: st, srv: srv}, shapes: map[string]string{}}
	fx.populate(t, signer)
	fx.data = dataTexts(t, st)
	fx.keyNS = map[string]bool{}
	for _, f := range []string{"app", "nav", "login", "home", "unit", "worker", "gender", "form", "page", "import", "audit", "error", "role",
		"calendar", "event", "conflict", "programme", "guest", "feed", "invite", "rsvp", "templates", "reminders", "workshop", "address",
		"turnout", "bridges", "join", "stage", "field", "search", "campaign"} {
		fx.keyNS[f] = true
	}
	return fx
}

// populate gives the organisation one of everything a page can show.
func (fx *crawlFixture) populate(t *testing.T, signer *schedule.Signer) {
	t.Helper()
	ctx := context.Background()
	st := fx.st
	sys := schedule.SystemActor("crawl")
	state := storetest.Actor(t, st, "9800000001")
	mk := func(e schedule.Event) int64 {
		t.Helper()
		saved, err := st.CreateEvent(ctx, sys, e)
		if err != nil {
			t.Fatalf("event %q: %v", e.Title, err)
		}
		return saved.Event.ID
	}
	// A statewide campaign with a day of history.
	camp, err := store.NewCampaigns(st).Create(ctx, state, schedule.Campaign{Title: "Digital booth", TitleHi: "डिजिटल बूथ", UnitID: unitID(t, st, "MP"),
		Target: schedule.CivilDay(testclock.Now(), schedule.Zone{}).AddDate(0, 0, 40),
		Rules: schedule.CampaignRules{Levels: []schedule.LevelRule{{Level: schedule.LevelBooth, Members: 2,
			Roles: []schedule.RoleCount{{Role: "booth_president", Count: 1}, {Role: "labharthi_pramukh", Count: 1}}, Verified: []string{"booth_president"},
			Extras: []string{schedule.ExtraSocial}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.NewCampaigns(st).Snapshot(ctx, sys, camp.ID, schedule.CivilDay(testclock.Now(), schedule.Zone{}).AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	guest, err := st.SaveGuest(ctx, state, store.Guest{UnitID: unitID(t, st, "MP"), Name: "Shivraj Kushwaha", NameHi: "शिवराज कुशवाहा", Title: "MLA",
		Home: &schedule.LatLon{Lat: 26.22, Lon: 78.18}})
	if err != nil {
		t.Fatal(err)
	}
	day := testclock.Day(3, 10, 0)
	gwalior := schedule.Venue{Name: "Manas Bhawan", Geo: &schedule.LatLon{Lat: 26.2183, Lon: 78.1828}}
	bhopal := schedule.Venue{Name: "Samanvay Bhawan", Geo: &schedule.LatLon{Lat: 23.2599, Lon: 77.4126}}
	meeting := mk(schedule.Event{UnitID: unitID(t, st, "D1"), Type: "meeting", Title: "District Working Committee", TitleHi: "ज़िला कार्यसमिति बैठक",
		Venue: gwalior, Start: day, End: day.Add(2 * time.Hour), Guests: []int64{guest.ID}})
	// The same guest expected in Bhopal an hour later: a travel conflict.
	mk(schedule.Event{UnitID: unitID(t, st, "D2"), Type: "speech", Title: "Bhopal Sammelan", TitleHi: "भोपाल सम्मेलन",
		Venue: bhopal, Start: day.Add(3 * time.Hour), End: day.Add(5 * time.Hour), Guests: []int64{guest.ID}})
	// A booth meeting, in the booth president's own calendar.
	mk(schedule.Event{UnitID: unitID(t, st, "D1-A1-M1-C1-S1-B1"), Type: "meeting", Title: "Booth committee", TitleHi: "बूथ समिति बैठक",
		Start: day.Add(24 * time.Hour), End: day.Add(25 * time.Hour)})
	// Every last Sunday at 11:00, with one occurrence moved.
	sunday := lastSundayAfter(testclock.Today()).Add(11 * time.Hour)
	mk(schedule.Event{UnitID: unitID(t, st, "MP"), Type: "listening", Title: "Mann Ki Baat", TitleHi: "मन की बात",
		Start: sunday, End: sunday.Add(time.Hour), RRule: "FREQ=MONTHLY;BYDAY=-1SU"})
	// A statewide programme: an event in every cluster.
	monday := testclock.Weekday(7, time.Monday)
	p, err := st.CreateProgramme(ctx, sys, store.ProgrammeRecord{Programme: schedule.Programme{Type: "sports", Title: "Cluster sports day", TitleHi: "क्लस्टर खेल दिवस",
		WindowStart: monday, WindowEnd: monday.AddDate(0, 0, 14)}, LevelDepth: 4, RootUnitID: unitID(t, st, "MP")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RunProgramme(ctx, sys, p.ID); err != nil {
		t.Fatal(err)
	}
	// Invitations to the district meeting: status, letters, RSVP links.
	district := storetest.Actor(t, st, "9800000002")
	if _, err := st.SendInvites(ctx, district, meeting, store.Audience{UnitIDs: []int64{unitID(t, st, "D1")}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	var inviteID int64
	if err := st.DB().QueryRowContext(ctx, "SELECT MIN(id) FROM invites WHERE event_id = ?", meeting).Scan(&inviteID); err != nil {
		t.Fatal(err)
	}
	tok, err := signer.Sign(schedule.LinkClaims{InviteID: inviteID, EventID: meeting, LinkVersion: 1, Expires: day.Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	fx.public = append(fx.public, "/i/"+tok)
	// A mass address, invited, so its pages and the join link exist.
	addrStart := testclock.Day(2, 11, 0)
	addrEvent := mk(schedule.Event{UnitID: unitID(t, st, "MP"), Type: store.AddressEventType, Title: "State address", TitleHi: "प्रदेश संबोधन",
		Start: addrStart, End: addrStart.Add(time.Hour)})
	if _, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: addrEvent, Speakers: "State President", SpeakersHi: "प्रदेश अध्यक्ष", ListenersPerRoom: 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SendInvites(ctx, state, addrEvent, store.Audience{UnitIDs: []int64{unitID(t, st, "D2")}, Channel: schedule.ChannelSMS}); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRowContext(ctx, "SELECT MIN(id) FROM invites WHERE event_id = ?", addrEvent).Scan(&inviteID); err != nil {
		t.Fatal(err)
	}
	tok, err = signer.Sign(schedule.LinkClaims{InviteID: inviteID, EventID: addrEvent, LinkVersion: 1, Expires: addrStart.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	fx.public = append(fx.public, "/j/"+tok, "/i/"+tok)
	// A calendar feed of the cluster.
	feed, _, err := st.CreateFeedToken(ctx, state, store.FeedUnit, unitID(t, st, "D1-A1-M1-C1"), "hi")
	if err != nil {
		t.Fatal(err)
	}
	fx.public = append(fx.public, "/feeds/"+feed+".ics")
	// A workshop series with a plan, made the way the state office does.
	addAllDistricts(t, fx.env)
	b := fx.browser()
	b.login("9800000001")
	resp, doc := b.post("/workshops/sample", url.Values{})
	id := seriesID(t, resp, doc)
	if resp, doc := b.post(fmt.Sprintf("/workshops/%d/plan", id), url.Values{}); resp.StatusCode != http.StatusOK {
		t.Fatalf("plan: %d %s", resp.StatusCode, doc.Find(".error").Text())
	}
}

// lastSundayAfter is the last Sunday of day's month, or of the next month
// once that has passed.
func lastSundayAfter(day time.Time) time.Time {
	for m := 0; ; m++ {
		first := time.Date(day.Year(), day.Month()+time.Month(m)+1, 1, 0, 0, 0, 0, day.Location())
		last := first.AddDate(0, 0, -1)
		last = last.AddDate(0, 0, -int(last.Weekday()))
		if !last.Before(day) {
			return last
		}
	}
}

// browser is a fresh client of the fixture's server.
func (fx *crawlFixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: fx.env, c: &http.Client{Jar: jar}}
}

// setLang sets the language cookie as the language switch does.
func (b *browser) setLang(lang string) {
	b.e.t.Helper()
	resp, _ := b.get("/lang/" + lang + "?next=/")
	if resp.StatusCode >= 400 {
		b.e.t.Fatalf("language switch: %d", resp.StatusCode)
	}
}

// dataTexts are the texts people typed into the records they keep: what a
// page may show in either script. Unit names are not data here: every unit
// has both names, and a page should show the reader's.
func dataTexts(t *testing.T, st *store.Store) []string {
	t.Helper()
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] && !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "[") && len(s) <= 300 {
			seen[s] = true
		}
	}
	// What people type (names, titles, venues, codes, contacts), not the
	// keys a page must translate (status, type, source).
	for _, q := range []string{"SELECT code FROM units", "SELECT name, mobile, voter_id, social, email, work FROM workers",
		"SELECT name, name_hi, title FROM guests", "SELECT uid, title, title_hi, description, venue_name FROM events",
		"SELECT title, title_hi, description FROM programmes", "SELECT speakers, speakers_hi FROM addresses",
		"SELECT title, title_hi FROM workshop_series", "SELECT title, title_hi FROM campaigns"} {
		eachRow(t, st, q, func(vals []any) {
			for _, v := range vals {
				switch x := v.(type) {
				case string:
					add(x)
				case []byte:
					add(string(x))
				}
			}
		})
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// crawlResult is one crawl's outcome.
type crawlResult struct {
	pages    []string
	html     int
	shapes   map[string]int
	problems []problem
}

// problem is something wrong on a page.
type problem struct{ where, what string }

// reportProblems reports each distinct problem once, with the first page
// it was seen on and how many pages show it.
func reportProblems(t *testing.T, ps []problem) {
	t.Helper()
	first := map[string]string{}
	count := map[string]int{}
	var order []string
	for _, p := range ps {
		if _, ok := first[p.what]; !ok {
			first[p.what] = p.where
			order = append(order, p.what)
		}
		count[p.what]++
	}
	for _, w := range order {
		t.Errorf("%s\n\ton %s (and %d more pages)", w, first[w], count[w]-1)
	}
}

// crawl walks from start, following every link and form.
func (fx *crawlFixture) crawl(t *testing.T, b *browser, lang string, start []string) crawlResult {
	type item struct{ url, from string }
	res := crawlResult{shapes: map[string]int{}}
	queue := make([]item, 0, len(start))
	for _, s := range start {
		queue = append(queue, item{s, "(start)"})
	}
	seen := map[string]bool{}
	posts := map[string]bool{}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if seen[it.url] {
			continue
		}
		seen[it.url] = true
		shape := urlShape(it.url)
		if res.shapes[shape] >= crawlPerPattern {
			continue
		}
		res.shapes[shape]++
		res.pages = append(res.pages, it.url)
		resp, err := b.c.Get(fx.srv.URL + it.url)
		if err != nil {
			t.Fatalf("GET %s: %v", it.url, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 400 {
			res.problems = append(res.problems, problem{it.from, fmt.Sprintf("dead link %s: %d %s", urlShape(it.url), resp.StatusCode, errorText(body))})
			continue
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		res.html++
		here := resp.Request.URL
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("parse %s: %v", it.url, err)
		}
		for _, p := range fx.languageProblems(doc, lang) {
			res.problems = append(res.problems, problem{it.url, p})
		}
		links, forms := pageTargets(doc, here)
		for _, l := range links {
			if !seen[l] {
				queue = append(queue, item{l, it.url})
			}
		}
		for _, f := range forms {
			if posts[f] {
				continue
			}
			posts[f] = true
			// A form's target must exist for this user. Without the CSRF
			// token the server refuses before doing anything; a missing
			// route answers 404 instead.
			resp, err := b.c.PostForm(fx.srv.URL+f, url.Values{"csrf": {"crawl-without-token-0123456789"}})
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode >= 500 {
				res.problems = append(res.problems, problem{it.url, fmt.Sprintf("dead form target POST %s: %d %s", urlShape(f), resp.StatusCode, errorText(raw))})
			}
		}
	}
	for s, n := range res.shapes {
		if _, ok := fx.shapes[s]; !ok && n > 0 {
			fx.shapes[s] = lang
		}
	}
	return res
}

var idSegment = regexp.MustCompile(`/(\d+|[A-Za-z0-9_\-]{20,}(\.ics)?)(/|$)`)

// urlShape is a URL with ids and tokens elided and only the query's keys.
func urlShape(u string) string {
	p, q, _ := strings.Cut(u, "?")
	for {
		n := idSegment.ReplaceAllString(p, "/:id$3")
		if n == p {
			break
		}
		p = n
	}
	vals, _ := url.ParseQuery(q)
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return p + "?" + strings.Join(keys, "&")
}

// pageTargets are the same-site links of a page (a href, img/script src,
// GET forms submitted as they stand) and its POST form targets.
func pageTargets(doc *goquery.Document, here *url.URL) (links, posts []string) {
	local := func(ref string) (string, bool) {
		ref = strings.TrimSpace(ref)
		if ref == "" || strings.HasPrefix(ref, "#") {
			return "", false
		}
		if rest, ok := strings.CutPrefix(ref, "webcal://"); ok {
			ref = "http://" + rest
		}
		u, err := here.Parse(ref)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host != here.Host {
			return "", false
		}
		if strings.HasPrefix(u.Path, "/lang/") || u.Path == "/logout" {
			return "", false
		}
		u.Fragment = ""
		return u.RequestURI(), true
	}
	doc.Find("a[href], img[src], script[src], link[href]").Each(func(_ int, s *goquery.Selection) {
		ref := s.AttrOr("href", s.AttrOr("src", ""))
		if l, ok := local(ref); ok {
			links = append(links, l)
		}
	})
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		action := f.AttrOr("action", here.RequestURI())
		target, ok := local(action)
		if !ok {
			return
		}
		if strings.EqualFold(f.AttrOr("method", "get"), "post") {
			posts = append(posts, strings.SplitN(target, "?", 2)[0])
			return
		}
		q := url.Values{}
		f.Find("input[name], select[name]").Each(func(_ int, in *goquery.Selection) {
			name := in.AttrOr("name", "")
			switch {
			case goquery.NodeName(in) == "select":
				v := in.Find("option[selected]").AttrOr("value", in.Find("option").First().AttrOr("value", ""))
				q.Set(name, v)
			case in.AttrOr("type", "") == "checkbox" || in.AttrOr("type", "") == "radio":
				if _, on := in.Attr("checked"); on {
					q.Add(name, in.AttrOr("value", "on"))
				}
			case in.AttrOr("type", "") != "submit":
				q.Set(name, in.AttrOr("value", ""))
			}
		})
		u, _ := url.Parse(target)
		u.RawQuery = q.Encode()
		links = append(links, u.RequestURI())
	})
	return links, posts
}

// latinTermsInHindi are the words Hindi UI text uses in Latin script.
var latinTermsInHindi = map[string]bool{
	"PDF": true, "CSV": true, "SMS": true, "OTP": true, "ID": true, "IST": true, "MB": true, "KB": true, "km": true,
	"WhatsApp": true, "LiveKit": true, "PIN": true, "URL": true, "ics": true, "iCal": true, "webcal": true, "UTF": true,
	"Google": true, "Outlook": true, "Apple": true, "SVG": true, "JSON": true, "API": true, "EPIC": true,
	"HH": true, "MM": true, "YYYY": true, "DD": true, // format hints: 2006-01-02 is written YYYY-MM-DD
	"RRULE":     true, // the iCalendar name of a repeat rule, which the form takes as typed
	"karyakram": true, // the command an administrator types
}

var (
	latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z'’]+`)
	keyLike   = regexp.MustCompile(`\b([a-z][a-z0-9_]*)\.[a-z0-9_.]*[a-z0-9_]\b`)
	// Not words: addresses, paths, masked numbers (98XXXXXXXX), ids and
	// hashes, settings (KARYAKRAM_LIVEKIT_URL), CSV column lists, iCalendar rules
	// (FREQ=MONTHLY;BYDAY=-1SU) and message template fields ({{.Name}}),
	// which people type exactly as shown.
	urlLike = regexp.MustCompile(`(https?|webcal)://\S+|\S+@\S+\.\S+|/[a-z0-9_/\-.:]*[a-z0-9]|\+?\d+X+|\b[0-9a-f]*[0-9][0-9a-f]*\b|` +
		`\b[a-z_]+(,[a-z_]+){2,}\b|\b[A-Z]+=[A-Z0-9,+\-]+(;[A-Z]+=[A-Z0-9,+\-]+)*|\{\{[^}]*\}\}|\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b`)
	fileSuffixes = []string{".ics", ".csv", ".pdf", ".svg", ".json", ".html", ".js", ".example", ".in"}
)

// languageProblems lists untranslated keys and text of the other language
// on a page in lang.
func (fx *crawlFixture) languageProblems(doc *goquery.Document, lang string) []string {
	var texts []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "code", "kbd", "samp", "pre", "textarea", "datalist", "svg", "noscript":
				return
			}
			for _, a := range n.Attr {
				switch {
				case a.Key == "translate" && a.Val == "no":
					return
				case a.Key == "lang" && a.Val != lang && n.Data != "html":
					return
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "title", "placeholder", "alt", "aria-label":
					texts = append(texts, a.Val)
				case "value": // shown as the label of an input button only
					if t := attr(n, "type"); n.Data == "input" && (t == "submit" || t == "button") {
						texts = append(texts, a.Val)
					}
				}
			}
		}
		if n.Type == html.TextNode {
			texts = append(texts, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range doc.Nodes {
		walk(n)
	}
	var problems []string
	for _, text := range texts {
		text = strings.Join(strings.Fields(text), " ")
		if text == "" {
			continue
		}
		for _, m := range keyLike.FindAllStringSubmatch(text, -1) {
			if fx.keyNS[m[1]] && !hasAnySuffix(m[0], fileSuffixes) {
				problems = append(problems, fmt.Sprintf("untranslated key %q in %q", m[0], clip(text)))
			}
		}
		rest := text
		for _, d := range fx.data {
			rest = removeWord(rest, d)
		}
		rest = urlLike.ReplaceAllString(rest, " ")
		if lang == "hi" {
			var words []string
			for _, w := range latinWord.FindAllString(rest, -1) {
				if !latinTermsInHindi[w] {
					words = append(words, w)
				}
			}
			if len(words) > 0 {
				problems = append(problems, fmt.Sprintf("English %q in %q", strings.Join(words, " "), clip(text)))
			}
		} else if strings.ContainsFunc(rest, func(r rune) bool { return unicode.Is(unicode.Devanagari, r) }) {
			problems = append(problems, fmt.Sprintf("Hindi in %q", clip(text)))
		}
	}
	slices.Sort(problems)
	return slices.Compact(problems)
}

// errorText is what an error page tells the person.
func errorText(raw []byte) string {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	if err != nil {
		return clip(string(raw))
	}
	if t := strings.TrimSpace(doc.Find("main").Text()); t != "" {
		return clip(strings.Join(strings.Fields(t), " "))
	}
	return clip(strings.Join(strings.Fields(doc.Text()), " "))
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// removeWord blanks the occurrences of d in s that stand as words (not
// inside a longer word: the gender "F" stays in "PDF").
func removeWord(s, d string) string {
	isWord := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
	}
	for from := 0; ; {
		i := strings.Index(s[from:], d)
		if i < 0 {
			return s
		}
		i += from
		j := i + len(d)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[j:])
		if (i > 0 && isWord(before)) || (j < len(s) && isWord(after)) {
			from = j
			continue
		}
		s = s[:i] + strings.Repeat(" ", j-i) + s[j:]
		from = j
	}
}

func hasAnySuffix(s string, suffixes []string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if r := []rune(s); len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return s
}

// eachRow runs query q and calls f with each row's values.
func eachRow(t *testing.T, st *store.Store, q string, f func(vals []any)) {
	t.Helper()
	rows, err := st.DB().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		f(vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
