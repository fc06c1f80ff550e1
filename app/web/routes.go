package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

// Every route karyakram serves, HTML and JSON, is in routeTable: one place
// to read what the server answers and who may ask. The scope matrix test
// (scope_matrix_test.go) walks this table as every role, against objects
// of its own branch and of another, so a route added here without an entry
// there fails the tests.

// Access says who may call a route and what proves it.
type Access string

const (
	// Public routes answer anyone: login, language, static files, health.
	Public Access = "public"
	// Capability routes take a signed token in the path as the credential
	// (RSVP /i/, join /j/, unsubscribe /u/, calendar feeds): the token
	// names the one invitation or feed it opens.
	Capability Access = "capability"
	// Signed routes take a request signed by a known peer (LiveKit
	// webhooks).
	Signed Access = "signed"
	// Operator routes take the operator's bearer token (/metrics).
	Operator Access = "operator"
	// Official routes need a logged-in official; the store scopes every
	// object they touch by the official's units.
	Official Access = "official"
	// OfficialAPI is Official for programs: 401 JSON instead of the login
	// page.
	OfficialAPI Access = "official-api"
)

// Object names what a route's :id (or other parameter) points at, for the
// scope matrix; "" when the route takes no object by path.
type Object string

const (
	NoObject  Object = ""
	Unit      Object = "unit"
	Worker    Object = "worker"
	Event     Object = "event"
	Programme Object = "programme"
	Workshop  Object = "workshop"
	Address   Object = "address"
	Invite    Object = "invite"
	Campaign  Object = "campaign"
)

// RouteInfo describes one route for tests and documentation.
type RouteInfo struct {
	Method, Path string
	Access       Access
	Object       Object
	// Form routes are writes from a page: they check the CSRF token.
	Form bool
}

type route struct {
	RouteInfo
	// before run ahead of the handler (upload limits); CSRF and login are
	// added from Access and Form.
	before []gin.HandlerFunc
	handle gin.HandlerFunc
}

func get(path string, a Access, o Object, h gin.HandlerFunc, before ...gin.HandlerFunc) route {
	return route{RouteInfo{Method: http.MethodGet, Path: path, Access: a, Object: o}, before, h}
}

func head(path string, a Access, o Object, h gin.HandlerFunc) route {
	return route{RouteInfo{Method: http.MethodHead, Path: path, Access: a, Object: o}, nil, h}
}

// post is a form (or JSON) write: CSRF-checked.
func post(path string, a Access, o Object, h gin.HandlerFunc, before ...gin.HandlerFunc) route {
	return route{RouteInfo{Method: http.MethodPost, Path: path, Access: a, Object: o, Form: true}, before, h}
}

func patch(path string, a Access, o Object, h gin.HandlerFunc) route {
	return route{RouteInfo{Method: http.MethodPatch, Path: path, Access: a, Object: o, Form: true}, nil, h}
}

// routeTable lists every route. Sections follow the features in README.
func (s *Server) routeTable() []route {
	const (
		pub = Public
		cap = Capability
		off = Official
		api = OfficialAPI
	)
	j := s.join
	cp := campaignPages{s: s, cs: store.NewCampaigns(s.store)}
	t := []route{
		// Service and session.
		get("/healthz", pub, NoObject, s.healthz),
		get("/lang/:lang", pub, NoObject, s.setLanguage),
		get("/static/:file", pub, NoObject, s.serveStatic),
		get("/login", pub, NoObject, s.showLogin),
		post("/login/code", pub, NoObject, s.requestCode),
		post("/login/verify", pub, NoObject, s.verifyCode),
		post("/logout", pub, NoObject, s.logout),

		// The tree and worker records.
		get("/", off, NoObject, s.showHome),
		get("/units/:id", off, Unit, s.showUnit),
		get("/units/:id/workers", off, Unit, s.showWorkerList),
		get("/units/:id/export.csv", off, Unit, s.exportWorkers),
		get("/workers/new", off, NoObject, s.showNewWorker),
		post("/workers", off, NoObject, s.createWorker),
		get("/workers/:id", off, Worker, s.showWorker),
		get("/workers/:id/edit", off, Worker, s.showEditWorker),
		post("/workers/:id", off, Worker, s.updateWorker),
		post("/workers/:id/roles", off, Worker, s.changeRole(false)),
		post("/workers/:id/roles/remove", off, Worker, s.changeRole(true)),
		get("/import", off, NoObject, s.showImport),
		post("/import", off, NoObject, s.importCSV, s.limitUpload()),
		get("/audit", off, NoObject, s.showAudit),

		// Calendars, events, programmes, guests, feeds.
		get("/feeds/:file", cap, NoObject, s.serveFeed),
		head("/feeds/:file", cap, NoObject, s.serveFeed), // calendar apps check a feed with HEAD
		get("/units/:id/calendar", off, Unit, s.showCalendar),
		get("/units/:id/conflicts", off, Unit, s.showConflicts),
		get("/units/:id/check", off, Unit, s.showCheck),
		post("/units/:id/check", off, Unit, s.checkICS, s.limitICS()),
		get("/units/:id/feeds", off, Unit, s.showFeeds),
		post("/units/:id/feeds", off, Unit, s.createFeed),
		post("/units/:id/feeds/revoke", off, Unit, s.revokeFeed),
		get("/events/new", off, NoObject, s.showNewEvent),
		post("/events", off, NoObject, s.createEvent),
		get("/events/:id", off, Event, s.showEvent),
		get("/events/:id/edit", off, Event, s.showEditEvent),
		post("/events/:id", off, Event, s.updateEvent),
		post("/events/:id/cancel", off, Event, s.cancelEvent),
		get("/events/:id/event.ics", off, Event, s.downloadEvent),
		get("/events/:id/occurrence", off, Event, s.showOccurrence),
		post("/events/:id/occurrence", off, Event, s.editOccurrence),
		get("/programmes", off, NoObject, s.showProgrammes),
		get("/programmes/new", off, NoObject, s.showNewProgramme),
		post("/programmes", off, NoObject, s.createProgramme),
		get("/programmes/:id", off, Programme, s.showProgramme),
		post("/programmes/:id/run", off, Programme, s.runProgramme),
		get("/guests", off, NoObject, s.showGuests),
		post("/guests", off, NoObject, s.createGuest),

		// Invitations, RSVP, reminders, message templates, letters.
		get("/events/:id/invite", off, Event, s.showInvite),
		post("/events/:id/invite", off, Event, s.sendInvites),
		get("/events/:id/invites", off, Event, s.showInviteStatus),
		get("/events/:id/invites/letters.pdf", off, Event, s.inviteLettersPDF),
		get("/events/:id/invites/attendance.pdf", off, Event, s.attendancePDF),
		get("/events/:id/reminders", off, Event, s.showReminders),
		post("/events/:id/reminders", off, Event, s.saveReminders),
		post("/invites/:id/revoke", off, Invite, s.revokeInvite),
		get("/messages/templates", off, NoObject, s.showMessageTemplates),
		post("/messages/templates", off, NoObject, s.saveMessageTemplate),
		get("/replies", off, NoObject, s.showCalendarReplies),
		get("/i/:token", cap, NoObject, s.showRSVP),
		post("/i/:token", cap, NoObject, s.answerRSVP),
		get("/i/:token/event.ics", cap, NoObject, s.rsvpICS),
		get("/u/:token", cap, NoObject, s.showUnsubscribe),
		// One-click unsubscribe (RFC 8058): mail clients POST without a
		// page, so no CSRF token; the signed token is the credential.
		{RouteInfo{Method: http.MethodPost, Path: "/u/:token", Access: cap}, nil, s.unsubscribe},

		// Workshop days.
		get("/workshops", off, NoObject, s.showWorkshops),
		get("/workshops/new", off, NoObject, s.showNewWorkshop),
		post("/workshops", off, NoObject, s.createWorkshop),
		post("/workshops/sample", off, NoObject, s.createSampleWorkshop),
		get("/workshops/:id", off, Workshop, s.showWorkshop),
		get("/workshops/:id/edit", off, Workshop, s.showEditWorkshop),
		post("/workshops/:id", off, Workshop, s.updateWorkshop),
		post("/workshops/:id/plan", off, Workshop, s.planWorkshop),
		post("/workshops/:id/check", off, Workshop, s.checkWorkshop, s.limitRosterUpload()),
		post("/workshops/:id/roster", off, Workshop, s.saveWorkshopRoster),
		post("/workshops/:id/roster/check", off, Workshop, s.liveCheckWorkshop),
		post("/workshops/:id/publish", off, Workshop, s.publishWorkshop),
		post("/workshops/:id/feeds", off, Workshop, s.workshopFeed),
		get("/workshops/:id/map.svg", off, Workshop, s.workshopMap),
		get("/workshops/:id/roster.pdf", off, Workshop, s.workshopPDF),
		get("/workshops/:id/roster.csv", off, Workshop, s.workshopCSV),

		// Mass addresses: join links, the address and stage pages,
		// bridges, turnout, LiveKit's webhooks.
		get("/j/:token", cap, NoObject, j.join),
		get("/events/:id/address", off, Event, s.showEventAddress),
		post("/events/:id/address", off, Event, s.createAddress),
		get("/addresses/:id", off, Address, s.showAddress),
		get("/addresses/:id/stage", off, Address, j.stage),
		post("/addresses/:id/moderate", off, Address, j.moderate),
		{RouteInfo{Method: http.MethodPost, Path: "/webhooks/livekit", Access: Signed}, nil, s.livekitWebhook()},
		get("/events/:id/turnout", off, Event, s.eventAddressRedirect("turnout")),
		get("/events/:id/bridges", off, Event, s.eventAddressRedirect("bridges")),
		get("/addresses/:id/turnout", off, Address, s.showTurnout),
		get("/addresses/:id/turnout.csv", off, Address, s.turnoutCSV),
		get("/addresses/:id/bridges", off, Address, s.showBridges),
		get("/addresses/:id/bridges.csv", off, Address, s.bridgesCSV),
		get("/addresses/:id/bridges.pdf", off, Address, s.bridgesPDF),
		post("/addresses/:id/bridges", off, Address, s.provisionBridges),
		post("/addresses/:id/bridges/delete", off, Address, s.deleteBridges),

		// Campaigns against a target date: readiness per unit.
		get("/campaigns", off, NoObject, cp.list),
		get("/campaigns/new", off, NoObject, cp.showNew),
		post("/campaigns", off, NoObject, cp.create),
		get("/campaigns/:id", off, Campaign, cp.show),
		get("/campaigns/:id/export.csv", off, Campaign, cp.exportCSV),
		post("/campaigns/:id/snapshot", off, Campaign, cp.snapshot),
		post("/campaigns/:id/nudge", off, Campaign, cp.nudge),

		// The JSON API (openapi.json describes it).
		get("/api/v1/openapi.json", pub, NoObject, func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openapiDoc) }),
		post("/api/v1/login/code", pub, NoObject, s.apiRequestCode),
		post("/api/v1/login/verify", pub, NoObject, s.apiVerify),
		get("/api/v1/me", api, NoObject, func(c *gin.Context) { c.JSON(http.StatusOK, actor(c)) }),
		get("/api/v1/levels", api, NoObject, s.apiLevels),
		get("/api/v1/roles", api, NoObject, s.apiRoles),
		get("/api/v1/units", api, NoObject, s.apiScopeUnits),
		get("/api/v1/units/:id", api, Unit, s.apiUnit),
		get("/api/v1/units/:id/children", api, Unit, s.apiChildren),
		get("/api/v1/workers", api, NoObject, s.apiWorkers),
		get("/api/v1/workers/:id", api, Worker, s.apiWorker),
		post("/api/v1/workers", api, NoObject, s.apiCreateWorker),
		patch("/api/v1/workers/:id", api, Worker, s.apiUpdateWorker),
		post("/api/v1/import/:kind", api, NoObject, s.apiImport, s.limitUpload()),
		get("/api/v1/audit", api, NoObject, s.apiAudit),
		get("/api/v1/campaigns", api, NoObject, cp.apiList),
		post("/api/v1/campaigns", api, NoObject, cp.apiCreate),
		get("/api/v1/campaigns/:id", api, Campaign, cp.apiShow),
		post("/api/v1/campaigns/:id/nudge", api, Campaign, cp.apiNudge),
		post("/api/v1/campaigns/:id/rules", api, Campaign, cp.apiSetRules),
		get("/api/v1/units/:id/events", api, Unit, s.apiUnitEvents),
		get("/api/v1/events/:id", api, Event, s.apiShowEvent),
		post("/api/v1/events", api, NoObject, s.apiCreateEvent),
		patch("/api/v1/events/:id", api, Event, s.apiUpdateEvent),
		post("/api/v1/events/:id/cancel", api, Event, s.apiCancelEvent),
		get("/api/v1/events/:id/invites", api, Event, s.apiInvites),
		post("/api/v1/events/:id/invites", api, Event, s.apiSendInvites),
		post("/api/v1/invites/:id/revoke", api, Invite, s.apiRevokeInvite),
		get("/api/v1/workshops", api, NoObject, s.apiWorkshops),
		get("/api/v1/workshops/:id", api, Workshop, s.apiWorkshop),
		get("/api/v1/addresses/:id", api, Address, s.apiAddress),
		get("/api/v1/addresses/:id/turnout", api, Address, s.apiTurnout), // the turnout page's script polls it
		get("/api/v1/addresses/:id/bridges", api, Address, s.apiBridges),
	}
	if s.cfg.MetricsToken != "" {
		t = append(t, route{RouteInfo{Method: http.MethodGet, Path: "/metrics", Access: Operator}, []gin.HandlerFunc{s.metricsAuth()}, gin.WrapH(s.MetricsHandler())})
	}
	return t
}

// Routes describes every route the server answers, in table order.
func (s *Server) Routes() []RouteInfo {
	t := s.routeTable()
	out := make([]RouteInfo, len(t))
	for i, r := range t {
		out[i] = r.RouteInfo
	}
	return out
}

// routes builds the router from the table: middleware shared by all, then
// per route the login check its access needs, the CSRF check of forms,
// its own limits and the handler.
func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Validated in New, so this cannot fail here.
	_ = r.SetTrustedProxies(s.cfg.TrustedProxies)
	r.Use(s.recoverer(), s.requestLog(), s.metrics.middleware(), s.session(), s.securityHeaders(), formNewlines())
	pageLogin, apiLogin, csrf := s.requireLogin(false), s.requireLogin(true), s.csrf()
	for _, rt := range s.routeTable() {
		var chain []gin.HandlerFunc
		switch rt.Access {
		case Official:
			chain = append(chain, pageLogin)
		case OfficialAPI:
			chain = append(chain, apiLogin)
		}
		if rt.before != nil {
			chain = append(chain, rt.before...)
		}
		if rt.Form {
			chain = append(chain, csrf)
		}
		r.Handle(rt.Method, rt.Path, append(chain, rt.handle)...)
	}
	r.NoRoute(func(c *gin.Context) { s.fail(c, schedule.Errorf(schedule.ENOTFOUND, "no such page")) })
	return r
}
