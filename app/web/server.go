// Package web is karyakram's HTTP face: server-rendered pages for people on
// phones, and the JSON API under /api/v1 for programs. Handlers are thin:
// parse, call the store with the actor (which applies scope), render.
package web

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
	"github.com/karyakram/karyakram/templates"
)

// Config holds the web layer's settings.
type Config struct {
	// MaxUploadBytes caps CSV uploads; larger ones are refused with 413.
	MaxUploadBytes int64
	// SecureCookies forces the Secure flag; otherwise it follows the
	// request (TLS or X-Forwarded-Proto: https).
	SecureCookies bool
	// Invite configures invitations, RSVP links and message templates.
	Invite InviteConfig
	// Turnout configures audio bridges, LiveKit webhooks and live turnout.
	Turnout TurnoutConfig
	// Join configures the join page, the address pages and the stage
	// console; its zero value (LiveKit not configured) serves pages that
	// say so.
	Join JoinConfig
	// TrustedProxies are the addresses (IPs or CIDRs) of reverse proxies
	// whose X-Forwarded-For is believed; from anyone else the header is
	// ignored, so a client cannot pick the address its login limits count.
	TrustedProxies []string
	// MetricsToken, when set, opens /metrics to requests carrying it as
	// "Authorization: Bearer <token>"; without it /metrics is not served
	// here (serve it on an admin listener with MetricsHandler).
	MetricsToken string
	// Zone is the organisation's time zone: pages, PDFs and exports show
	// times on its clock and typed times are read in it. The zero Zone is
	// Asia/Kolkata.
	Zone schedule.Zone
	// Now is the clock for what pages show relative to today (calendar
	// "today", upcoming occurrences, a letter's date) and for checking
	// links; nil means the store's (Store.Now).
	Now func() time.Time
}

// Server serves pages and the API.
type Server struct {
	store   *store.Store
	auth    *auth.Service
	pages   *templates.Pages
	log     *slog.Logger
	cfg     Config
	metrics *metrics
	router  *gin.Engine
	handler http.Handler // router behind response compression
	inv     *inviteState
	turn    *turnoutState
	join    *joinState
}

// New parses the templates and builds the router; it fails if a page is
// missing or does not parse.
func New(st *store.Store, au *auth.Service, cfg Config, log *slog.Logger) (*Server, error) {
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 512 << 20
	}
	pages, err := templates.Parse(cfg.Zone)
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	for _, p := range []string{"login", "home", "unit", "workers", "worker", "worker_form", "import", "audit", "error", "invite", "invites", "invite_reminders", "message_templates", "rsvp", "calendar", "calendar_conflicts", "calendar_check", "calendar_feeds", "event", "event_form", "event_occurrence", "programmes", "programme", "programme_form", "guests", "workshops", "workshop", "workshop_form", "turnout", "bridges", "unsubscribe", "replies", "campaigns", "campaign", "campaign_form"} {
		if !pages.Has(p) {
			return nil, fmt.Errorf("template for page %q is missing", p)
		}
	}
	for _, p := range cfg.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an IP address or CIDR", p)
			}
		}
	}
	s := &Server{store: st, auth: au, pages: pages, log: log, cfg: cfg, metrics: newMetrics()}
	if err := s.setupInvites(); err != nil {
		return nil, err
	}
	s.setupTurnout()
	if err := s.setupJoin(); err != nil {
		return nil, err
	}
	s.router = s.routes()
	if s.handler, err = compressed(s.router); err != nil {
		return nil, fmt.Errorf("response compression: %w", err)
	}
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// MetricsHandler serves the Prometheus metrics, for an admin listener that
// only operators reach (karyakram serve -metrics-addr).
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

// metricsAuth lets through requests that carry Config.MetricsToken as a
// bearer token: request counts by route and process figures are for
// operators, not for everyone on the internet.
func (s *Server) metricsAuth() gin.HandlerFunc {
	want := []byte(s.cfg.MetricsToken)
	return func(c *gin.Context) {
		if subtle.ConstantTimeCompare([]byte(bearer(c)), want) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Next()
	}
}

func (s *Server) healthz(c *gin.Context) {
	if err := s.store.DB().PingContext(c.Request.Context()); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "database unreachable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// metrics are the Prometheus series the server exports, on its own registry.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "karyakram_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "karyakram_http_request_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	}
}
