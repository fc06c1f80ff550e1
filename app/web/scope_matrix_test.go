package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/store/storetest"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/internal/testclock"
	"github.com/karyakram/karyakram/schedule"
)

// The scope matrix proves the tree's access rule on every route the server
// has, as read from its own route table (web.Server.Routes): each route is
// called as anonymous, a booth president, a cluster's president, a mandal
// president, a district president, another district's president and the
// state office, against an object of the caller's own branch and one of
// another branch. It fails when
//   - a route has no entry here (a new route must say how it is scoped);
//   - another branch's object answers anything but 403/404 (or the login
//     page / 401 for anonymous callers);
//   - any response, own object or not, carries another branch's worker
//     names, mobiles, voter IDs or object titles (HTML, JSON, CSV, PDF
//     read through pdftotext, iCal);
//   - a write aimed at another branch changes any table;
//   - the caller's own object does not answer (which would make the
//     refusals above prove nothing).

// Placements are the branches objects are made in: P1 is the booth
// president's own booth (D1-A1-M1 branch), P2 a booth in the sibling mandal
// D1-A1-M2, P3 a booth of the other district D2.
const (
	p1 = iota
	p2
	p3
	// pState holds what only the state office keeps (workshop series):
	// others may read it, but a write of theirs must be refused.
	pState
	numPlacements
)

var placementUnit = [numPlacements]string{"D1-A1-M1-C1-S1-B1", "D1-A1-M2-C1-S1-B1", "D2-A1-M1-C1-S1-B1", "MP"}

// programmes are rooted at mandals, workshop series at districts.
var placementMandal = [numPlacements]string{"D1-A1-M1", "D1-A1-M2", "D2-A1-M1", ""}

type matrixRole struct {
	name, mobile string
	own, other   []int // placements
}

var matrixRoles = []matrixRole{
	{"anonymous", "", nil, []int{p1, p2, p3, pState}},
	{"booth", "9800000004", []int{p1}, []int{p2, p3, pState}},
	{"cluster", "9822222221", []int{p1}, []int{p2, p3, pState}},
	{"mandal", "9800000003", []int{p1}, []int{p2, p3, pState}},
	{"district", "9800000002", []int{p1, p2}, []int{p3, pState}},
	{"other-district", "9800000005", []int{p3}, []int{p1, p2, pState}},
	{"state", "9800000001", []int{p1, p2, p3, pState}, nil},
}

// branchSecrets are what people of a placement's branch keep: shown to a
// caller outside the branch, they are a leak. Names that are also role
// words ("District President") are left to the mobiles and voter IDs.
var branchSecrets = [numPlacements][]string{
	{"राम कुमार", "9811111111", "BBB0000001", "9800000004", "AAA0000004", "9800000003", "AAA0000003", "9822222221", "Matrix P1"},
	{"Mohan Lal", "9811111113", "BBB0000003", "Matrix P2"},
	{"Geeta Bai", "9811111114", "BBB0000004", "9800000005", "AAA0000005", "Matrix P3"},
	nil,
}

// Objects outside a placement: a district president's mobile is in P1's
// district but above P1; it is a secret of the district, for D2's callers.
var districtSecrets = map[int][]string{p1: {"9800000002", "AAA0000002"}, p2: {"9800000002", "AAA0000002"}}

// createBodies aim routes that create something at a unit (named in the
// form or query) at that unit.
var createBodies = map[string]func(unit int64) (query string, form url.Values){
	"GET /workers/new": func(u int64) (string, url.Values) { return fmt.Sprintf("unit=%d", u), nil },
	"GET /events/new":  func(u int64) (string, url.Values) { return fmt.Sprintf("unit=%d", u), nil },
	"POST /workers":    func(u int64) (string, url.Values) { return "", workerForm(u) },
	"POST /events":     func(u int64) (string, url.Values) { return "", eventForm(u) },
	"POST /guests": func(u int64) (string, url.Values) {
		return "", url.Values{"unit": {fmt.Sprint(u)}, "name": {"Matrix guest"}}
	},
	"POST /programmes":    func(u int64) (string, url.Values) { return "", programmeForm(u) },
	"GET /api/v1/workers": func(u int64) (string, url.Values) { return fmt.Sprintf("unit=%d", u), nil },
	"POST /campaigns":     func(u int64) (string, url.Values) { return "", campaignForm(u) },
	"POST /api/v1/campaigns": func(u int64) (string, url.Values) {
		return "", url.Values{"json": {fmt.Sprintf(`{"title":"Matrix campaign made","unit_id":%d,"target":%q,"rules":{"levels":[{"level":"booth","members":2}]}}`, u, testclock.Date(30))}}
	},
	"POST /api/v1/workers": func(u int64) (string, url.Values) {
		return "", url.Values{"json": {fmt.Sprintf(`{"name":"Matrix Nayi","mobile":"9844444449","unit_id":%d}`, u)}}
	},
	"POST /api/v1/events": func(u int64) (string, url.Values) {
		d := testclock.Date(9)
		return "", url.Values{"json": {fmt.Sprintf(`{"unit_id":%d,"type":"meeting","title":"Matrix made","start":"%sT10:00:00+05:30","end":"%sT11:00:00+05:30"}`, u, d, d)}}
	},
}

// unscoped are routes that take no object by path or form: they act on the
// caller's own scope (lists, home) or are public. They are still called as
// every role, and their answers checked for leaks.
var unscoped = map[string]string{
	"GET /healthz":              "service health",
	"GET /lang/:lang":           "sets the language cookie",
	"GET /static/:file":         "built scripts",
	"GET /login":                "public",
	"POST /login/code":          "public: the login's own limits (login_limits_test.go)",
	"POST /login/verify":        "public",
	"POST /logout":              "the caller's own session",
	"GET /":                     "the caller's own scope",
	"GET /import":               "the form",
	"POST /import":              "rows name their units; out-of-scope rows are refused (TestAPI, import tests)",
	"GET /audit":                "the caller's own scope",
	"GET /feeds/:file":          "capability: the token names the feed (feeds_scope_test.go)",
	"HEAD /feeds/:file":         "capability",
	"GET /programmes":           "the caller's own scope",
	"GET /programmes/new":       "the form",
	"GET /guests":               "the caller's own scope",
	"GET /messages/templates":   "organisation-wide texts",
	"POST /messages/templates":  "organisation-wide texts (state office only)",
	"GET /replies":              "the caller's own scope",
	"GET /i/:token":             "capability: the token names the invitation",
	"POST /i/:token":            "capability",
	"GET /i/:token/event.ics":   "capability",
	"GET /u/:token":             "capability",
	"POST /u/:token":            "capability",
	"GET /workshops":            "the caller's own scope",
	"GET /workshops/new":        "the form",
	"POST /workshops":           "made at the caller's own root",
	"POST /workshops/sample":    "made at the caller's own root",
	"GET /j/:token":             "capability: the token names the invitation (join_test.go)",
	"POST /webhooks/livekit":    "signed by LiveKit (webhooks_test.go)",
	"GET /api/v1/openapi.json":  "public",
	"POST /api/v1/login/code":   "public",
	"POST /api/v1/login/verify": "public",
	"GET /api/v1/me":            "the caller",
	"GET /api/v1/levels":        "organisation-wide data",
	"GET /api/v1/roles":         "organisation-wide data",
	"GET /api/v1/units":         "the caller's own scope",
	"POST /api/v1/import/:kind": "rows name their units; out-of-scope rows are refused (TestAPI)",
	"GET /api/v1/audit":         "the caller's own scope",
	"GET /api/v1/workshops":     "the caller's own scope",
	"GET /campaigns":            "the caller's own scope (and campaigns above it, narrowed to it)",
	"GET /campaigns/new":        "the form",
	"GET /api/v1/campaigns":     "the caller's own scope (and campaigns above it, narrowed to it)",
	"GET /metrics":              "operator token (hardening_test.go)",
}

// ownMayFail lists routes whose own object legitimately answers an error
// without more input, with the reason.
var ownMayFail = map[string]string{
	"GET /events/:id/occurrence":     "needs ?rid= of a repeating event",
	"GET /events/:id/turnout":        "the matrix event has no address",
	"GET /events/:id/bridges":        "the matrix event has no address",
	"GET /addresses/:id/bridges.pdf": "no bridges are set up without bridge numbers",
	"GET /addresses/:id/stage":       "503: LiveKit is not configured (the page says so)",
	"GET /workshops/:id/roster.pdf":  "printed once a roster is published",
}

// actsBelow are writes on a state object (pState) that a caller below
// may make for their own area only; their reach is tested where the
// feature is (the refusals of other branches' objects still apply).
var actsBelow = map[string]string{
	"POST /campaigns/:id/nudge":        "reminds the responsible people of the caller's own area (TestCampaignDashboard: a district's nudge in the state's campaign reaches only its district)",
	"POST /api/v1/campaigns/:id/nudge": "as POST /campaigns/:id/nudge",
}

// objectBodies are the bodies sent to routes that take an object and read
// a JSON body, so the request reaches the scope check.
var objectBodies = map[string]string{
	"PATCH /api/v1/workers/:id":        `{"work":"matrix"}`,
	"PATCH /api/v1/events/:id":         `{"title":"Matrix changed"}`,
	"POST /api/v1/events/:id/invites":  `{"channel":"sms"}`,
	"POST /api/v1/campaigns/:id/rules": `{"levels":[{"level":"booth","members":3}]}`,
}

// unconfigured are routes that answer 503 while the service behind them
// (LiveKit) is not configured, as the demo runs.
var unconfigured = map[string]bool{"POST /webhooks/livekit": true, "GET /addresses/:id/stage": true}

func workerForm(u int64) url.Values {
	return url.Values{"name": {"Matrix Nayi"}, "mobile": {"9844444448"}, "unit": {fmt.Sprint(u)}, "gender": {"F"}}
}

func campaignForm(u int64) url.Values {
	return url.Values{"unit": {fmt.Sprint(u)}, "title": {"Matrix campaign made"}, "target": {testclock.Date(30)}, "level": {"booth"}, "members": {"2"}, "roles": {"booth_president"}}
}

func eventForm(u int64) url.Values {
	d := testclock.Date(9)
	return url.Values{"unit": {fmt.Sprint(u)}, "type": {"meeting"}, "title": {"Matrix made"}, "date": {d}, "start": {"10:00"}, "end": {"11:00"}}
}

func programmeForm(u int64) url.Values {
	return url.Values{"root": {fmt.Sprint(u)}, "type": {"sports"}, "title": {"Matrix programme"}, "level": {"4"},
		"from": {testclock.Date(9)}, "to": {testclock.Date(20)}, "start": {"10:00"}, "hours": {"2"}}
}

type matrixFixture struct {
	*crawlFixture
	objects map[web.Object][numPlacements]int64
	units   [numPlacements]int64
}

func TestScopeMatrixOfEveryRoute(t *testing.T) {
	fx := newMatrixFixture(t)
	routes := everyRoute(t, fx)

	// Every route says how it is scoped.
	for _, r := range routes {
		key := r.Method + " " + r.Path
		_, create := createBodies[key]
		_, free := unscoped[key]
		switch {
		case r.Object != "" && (create || free):
			t.Errorf("%s takes a %s by path and is also listed as unscoped or a create", key, r.Object)
		case r.Object == "" && !create && !free:
			t.Errorf("%s has no entry in the scope matrix: give it an Object in routes.go, or list it in createBodies or unscoped with the reason", key)
		case r.Object != "" && fx.objects[r.Object] == [numPlacements]int64{}:
			t.Errorf("%s takes a %s, which the matrix fixture does not make", key, r.Object)
		}
		if r.Access == "" {
			t.Errorf("%s has no access rule", key)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	calls, refusals := 0, 0
	for _, role := range matrixRoles {
		t.Run(role.name, func(t *testing.T) {
			b := fx.browser()
			b.e.t = t
			b.get("/login") // a CSRF cookie for anonymous writes
			if role.mobile != "" {
				b.login(role.mobile)
			}
			secrets := roleSecrets(role)
			for _, r := range routes {
				key := r.Method + " " + r.Path
				if key == "POST /logout" && role.mobile != "" {
					continue // would end the session the rest of the walk needs
				}
				for _, side := range []struct {
					own        bool
					placements []int
				}{{true, role.own}, {false, role.other}} {
					for _, pl := range side.placements {
						if side.own && r.Method != http.MethodGet && r.Method != http.MethodHead {
							continue // writes of one's own would change what later callers meet
						}
						path, query, form, ok := fx.aim(r, pl)
						if !ok {
							continue
						}
						var before string
						if !side.own && r.Method != http.MethodGet && r.Method != http.MethodHead {
							before = fx.digest(t)
						}
						code, body, ctype := fx.call(t, b, r, path, query, form)
						calls++
						where := fmt.Sprintf("%s as %s on %s object (placement P%d)", key, role.name, map[bool]string{true: "its own", false: "another branch's"}[side.own], pl+1)
						// Webhooks answer 503 while LiveKit is not configured.
						if code >= 500 && !(unconfigured[key] && code == http.StatusServiceUnavailable) {
							t.Errorf("%s: %d", where, code)
						}
						if leak := findSecret(body, ctype, secrets); leak != "" {
							t.Errorf("%s: the answer (%d, %s) shows %q of another branch", where, code, ctype, leak)
						}
						_, isCreate := createBodies[key]
						scoped := r.Object != "" || isCreate
						if !scoped {
							continue
						}
						if !side.own {
							_, below := actsBelow[key]
							readOnly := pl == pState && role.mobile != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead || below)
							if !readOnly {
								refusals++
							}
							if !readOnly && !refused(role, r, code, isCreate) {
								t.Errorf("%s: answered %d, want it refused", where, code)
							}
							if before != "" && !readOnly {
								if after := fx.digest(t); after != before {
									t.Errorf("%s: answered %d and changed the data", where, code)
								}
							}
						} else if r.Method == http.MethodGet && (role.name == "state" || role.name == "district" || role.name == "other-district") {
							if _, mayFail := ownMayFail[key]; !mayFail && code >= 400 {
								t.Errorf("%s: answered %d; the refusals of other branches prove nothing if the own object does not answer", where, code)
							}
						}
					}
				}
			}
		})
	}
	t.Logf("%d routes, %d calls, %d refusals checked", len(routes), calls, refusals)
}

// refused says whether code is the refusal a caller of role gets for an
// object outside their scope.
func refused(role matrixRole, r web.RouteInfo, code int, create bool) bool {
	if role.mobile == "" {
		if r.Access == web.OfficialAPI {
			return code == http.StatusUnauthorized
		}
		return code == http.StatusSeeOther || code == http.StatusFound || code == http.StatusUnauthorized
	}
	// A create names its unit in a field: "not a unit of your area" is a
	// refusal of that field (the digest proves nothing was made).
	return code == http.StatusNotFound || code == http.StatusForbidden || create && code == http.StatusUnprocessableEntity
}

func roleSecrets(role matrixRole) []string {
	var out []string
	for _, pl := range role.other {
		out = append(out, branchSecrets[pl]...)
	}
	// The other district's caller must not see D1's district officials.
	if role.name == "other-district" {
		out = append(out, districtSecrets[p1]...)
	}
	return out
}

// findSecret returns the first secret text shows, mobiles matched however
// they are spaced.
func findSecret(body []byte, ctype string, secrets []string) string {
	if strings.HasPrefix(ctype, "application/pdf") {
		if _, err := exec.LookPath("pdftotext"); err == nil {
			cmd := exec.Command("pdftotext", "-", "-")
			cmd.Stdin = bytes.NewReader(body)
			if out, err := cmd.Output(); err == nil {
				body = out
			}
		}
	}
	text := string(body)
	for _, s := range secrets {
		if mobileRE.MatchString(s) {
			if spacedDigits(s).MatchString(text) {
				return s
			}
			continue
		}
		if strings.Contains(text, s) {
			return s
		}
	}
	return ""
}

var mobileRE = regexp.MustCompile(`^\d{10}$`)

func spacedDigits(s string) *regexp.Regexp {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			b.WriteString(`[\s-]?`)
		}
		b.WriteRune(r)
	}
	return regexp.MustCompile(b.String())
}

// aim fills the route's path parameters with placement pl's object, or the
// unit it creates at; ok is false when the route has nothing at pl.
func (fx *matrixFixture) aim(r web.RouteInfo, pl int) (path, query string, form url.Values, ok bool) {
	path = r.Path
	key := r.Method + " " + r.Path
	if mk, create := createBodies[key]; create {
		query, form = mk(fx.units[pl])
		return path, query, form, true
	}
	if r.Object == "" {
		// Unscoped: called once, as "own" of the first placement.
		if pl != p1 && pl != p3 && pl != pState {
			return "", "", nil, false
		}
		path = strings.NewReplacer(":lang", "en", ":file", "nothing.js", ":token", "not-a-token", ":kind", "workers").Replace(path)
		return path, "", url.Values{}, true
	}
	id := fx.objects[r.Object][pl]
	if id == 0 {
		return "", "", nil, false
	}
	form = url.Values{}
	if js, ok := objectBodies[key]; ok {
		form.Set("json", js)
	}
	return strings.Replace(path, ":id", fmt.Sprint(id), 1), "", form, true
}

func (fx *matrixFixture) call(t *testing.T, b *browser, r web.RouteInfo, path, query string, form url.Values) (int, []byte, string) {
	t.Helper()
	u := fx.srv.URL + path
	if query != "" {
		u += "?" + query
	}
	var body io.Reader
	ctype := ""
	if form != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
		if js := form.Get("json"); js != "" {
			body, ctype = strings.NewReader(js), "application/json"
		} else {
			form.Set("csrf", b.csrf())
			body, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
		}
	}
	req, err := http.NewRequest(r.Method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("X-CSRF-Token", b.csrf())
	// Refusals are read as sent: a redirect to the login page is the answer.
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data, resp.Header.Get("Content-Type")
}

// everyRoute is the server's route table, metrics included.
func everyRoute(t *testing.T, fx *matrixFixture) []web.RouteInfo { return routesOf(t, fx.env) }

// routesOf builds a server over e's store and returns its route table,
// /metrics included.
func routesOf(t *testing.T, e *env) []web.RouteInfo {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	s, err := web.New(e.st, auth.New(e.st, auth.LogSender{Store: e.st, Log: log}, []byte("k"), auth.DefaultPolicy(), log),
		web.Config{MetricsToken: "m"}, log)
	if err != nil {
		t.Fatal(err)
	}
	return s.Routes()
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	// Seven logins and every login route called as each role, from one
	// address: more than a person's budget (login_limits_test.go).
	p := auth.DefaultPolicy()
	p.AddrCodes.Burst, p.AddrVerifies.Burst = 1000, 1000
	fx := &matrixFixture{crawlFixture: newCrawlFixtureWith(t, p), objects: map[web.Object][numPlacements]int64{}}
	ctx := context.Background()
	st := fx.st
	sys := schedule.SystemActor("matrix")
	state := actorOf(t, st, "9800000001")
	// A cluster's president: an official whose scope is one cluster.
	w, err := st.CreateWorker(ctx, sys, schedule.Worker{Name: "Cluster Convenor", Mobile: "9822222221", UnitID: unitID(t, st, "D1-A1-M1-C1"), Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AssignRole(ctx, sys, w.ID, "president", unitID(t, st, "D1-A1-M1-C1")); err != nil {
		t.Fatal(err)
	}
	set := func(o web.Object, pl int, id int64) {
		ids := fx.objects[o]
		ids[pl] = id
		fx.objects[o] = ids
	}
	for pl := p1; pl <= p3; pl++ {
		unit := unitID(t, st, placementUnit[pl])
		fx.units[pl] = unit
		set(web.Unit, pl, unit)
		set(web.Worker, pl, workerIDOf(t, st, []string{"+919811111111", "+919811111113", "+919811111114"}[pl]))
		day := testclock.Day(4+pl, 10, 0)
		ev, err := st.CreateEvent(ctx, sys, schedule.Event{UnitID: unit, Type: "meeting", Title: fmt.Sprintf("Matrix P%d meeting", pl+1),
			Start: day, End: day.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		set(web.Event, pl, ev.Event.ID)
		if _, err := st.SendInvites(ctx, sys, ev.Event.ID, store.Audience{UnitIDs: []int64{unit}, Channel: schedule.ChannelSMS}); err != nil {
			t.Fatal(err)
		}
		var inv int64
		if err := st.DB().QueryRowContext(ctx, "SELECT MIN(id) FROM invites WHERE event_id = ?", ev.Event.ID).Scan(&inv); err != nil {
			t.Fatal(err)
		}
		set(web.Invite, pl, inv)
		ad, err := st.CreateEvent(ctx, sys, schedule.Event{UnitID: unit, Type: store.AddressEventType, Title: fmt.Sprintf("Matrix P%d address", pl+1),
			Start: day.Add(4 * time.Hour), End: day.Add(5 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		a, err := st.CreateAddress(ctx, state, store.AddressInput{EventID: ad.Event.ID, ListenersPerRoom: 4})
		if err != nil {
			t.Fatal(err)
		}
		set(web.Address, pl, a.ID)
		monday := testclock.Weekday(14, time.Monday)
		p, err := st.CreateProgramme(ctx, sys, store.ProgrammeRecord{Programme: schedule.Programme{Type: "sports", Title: fmt.Sprintf("Matrix P%d programme", pl+1),
			WindowStart: monday, WindowEnd: monday.AddDate(0, 0, 7)}, LevelDepth: 4, RootUnitID: unitID(t, st, placementMandal[pl])})
		if err != nil {
			t.Fatal(err)
		}
		set(web.Programme, pl, p.ID)
	}
	// Campaigns at each placement's booth, and the state's over all: those
	// below read it, for their own area.
	campaigns := store.NewCampaigns(st)
	for pl := p1; pl < numPlacements; pl++ {
		root := fx.units[pl]
		if pl == pState {
			root = unitID(t, st, "MP")
		}
		c, err := campaigns.Create(ctx, sys, schedule.Campaign{Title: fmt.Sprintf("Matrix P%d campaign", pl+1), UnitID: root,
			Target: schedule.CivilDay(testclock.Now(), schedule.Zone{}).AddDate(0, 0, 30),
			Rules: schedule.CampaignRules{Levels: []schedule.LevelRule{{Level: schedule.LevelBooth, Members: 2,
				Roles: []schedule.RoleCount{{Role: "booth_president", Count: 1}}, Verified: []string{"booth_president"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := campaigns.Snapshot(ctx, sys, c.ID, schedule.CivilDay(testclock.Now(), schedule.Zone{})); err != nil {
			t.Fatal(err)
		}
		set(web.Campaign, pl, c.ID)
	}
	// Only the state office plans workshop series.
	var series int64 // the crawl fixture's sample series, planned
	if err := st.DB().QueryRowContext(ctx, "SELECT MIN(id) FROM workshop_series").Scan(&series); err != nil {
		t.Fatalf("workshop series: %v", err)
	}
	set(web.Workshop, pState, series)
	fx.units[pState] = unitID(t, st, "MP")
	return fx
}

func actorOf(t *testing.T, st *store.Store, mobile string) schedule.Actor {
	t.Helper()
	return storetest.Actor(t, st, mobile)
}

func workerIDOf(t *testing.T, st *store.Store, mobile string) int64 {
	t.Helper()
	var id int64
	if err := st.DB().QueryRowContext(context.Background(), "SELECT id FROM workers WHERE mobile = ?", mobile).Scan(&id); err != nil {
		t.Fatalf("worker %s: %v", mobile, err)
	}
	return id
}

// volatileTables change on any request (sessions, login limits, the audit
// trail of refusals, caches) and are left out of the digest.
var volatileTables = regexp.MustCompile(`session|login|otp|audit|rate|limit|bun_migration|link_keys|fts|trgm|sqlite_`)

// digest hashes every table's rows: a write that got through changes it.
func (fx *matrixFixture) digest(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db := fx.st.DB()
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if fx.st.Postgres() {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		if !volatileTables.MatchString(n) {
			tables = append(tables, n)
		}
	}
	rows.Close()
	sort.Strings(tables)
	h := sha256.New()
	for _, tb := range tables {
		var lines []string
		eachRow(t, fx.st, "SELECT * FROM "+tb, func(vals []any) { lines = append(lines, fmt.Sprint(vals...)) })
		sort.Strings(lines)
		fmt.Fprintln(h, tb, len(lines), strings.Join(lines, "\n"))
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
