package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/karyakram/karyakram/app/campaigns"
	"github.com/karyakram/karyakram/conferencing"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/karyakram/karyakram/app/addresses"
	"github.com/karyakram/karyakram/app/auth"
	"github.com/karyakram/karyakram/app/keys"
	"github.com/karyakram/karyakram/app/mailin"
	"github.com/karyakram/karyakram/app/notify"
	"github.com/karyakram/karyakram/app/outbox"
	"github.com/karyakram/karyakram/app/seed"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/app/turnout"
	"github.com/karyakram/karyakram/app/web"
	"github.com/karyakram/karyakram/schedule"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, demo bool) error {
	cfg := defaultConfig(getenv)
	name := "serve"
	if demo {
		name = "demo"
		if cfg.DSN == "" {
			cfg.DSN = "karyakram-demo.db"
		}
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.register(fs)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	log := cfg.logger(stderr)
	if err := cfg.validate(log); err != nil {
		return err
	}
	st, err := openMigrated(ctx, cfg.DSN, log)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetZone(cfg.Zone)
	if demo {
		if err := seedDemo(ctx, st, cfg.Zone, log); err != nil {
			return err
		}
	}
	// Link keys live in the database, so links outlive restarts; running
	// servers reload them to pick up a rotation (`karyakram secret rotate`).
	ring, err := keys.Open(ctx, st, cfg.Secret, log)
	if err != nil {
		return err
	}
	ringCtx, stopRing := context.WithCancel(ctx)
	ringDone := make(chan struct{})
	go func() { ring.Run(ringCtx); close(ringDone) }()
	defer func() { stopRing(); <-ringDone }()
	signer := ring.Signer()
	msgTemplates, err := st.LoadTemplateSet(ctx, cfg.messages())
	if err != nil {
		return err
	}
	senders, limiter, channels, err := outbox.Senders(cfg.delivery(), notify.NewSink(notify.SinkConfig{Logger: log, Discard: true}), time.Now())
	if err != nil {
		return err
	}
	// Login codes go out on the same SMS channel as invitations; only the
	// development sink keeps a copy (so the demo can show the code).
	var codes auth.SMSSender = auth.LogSender{Store: st, Log: log}
	if cfg.SMSURL != "" {
		codes = auth.GatewaySender{SMS: senders[schedule.ChannelSMS], Now: time.Now}
	}
	policy := auth.DefaultPolicy()
	policy.SMSPerHour = cfg.LoginSMSPerHour
	au := auth.New(st, codes, nil, policy, log)
	au.SetKeys(ring)
	publicURL := cfg.BaseURL
	turnoutCfg, err := turnoutConfig(cfg.liveKit(), cfg.BridgeNumbers, log)
	if err != nil {
		return err
	}
	if turnoutCfg.Webhooks != nil {
		// Webhooks are queued and recorded in batches; what is queued is
		// recorded after the HTTP server has stopped (defers run last first).
		ingest, err := turnout.New(turnout.Config{Store: st, Log: log})
		if err != nil {
			return err
		}
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := ingest.Close(ctx); err != nil {
				log.Error("turnout webhooks lost at shutdown", "err", err)
			}
		}()
		turnoutCfg.Ingest = ingest
	}
	// Mass addresses: rooms ahead of start, relay, join links (/j/<token>).
	joinDir := addresses.NewDirectory(st, 0, 0, log)
	joinCfg := web.JoinConfig{Directory: joinDir}
	lk, err := conferencing.ConferenceFromConfig(cfg.liveKit(), cfg.LiveKitPublicURL, log)
	if err != nil {
		return err
	}
	if lk != nil {
		joinCfg.Mint, joinCfg.LiveKitURL = lk.MintListener, lk.PublicURL()
		joinCfg.MintSpeaker, joinCfg.Rooms = lk.MintSpeaker, lk.Rooms()
		sch, err := addresses.NewScheduler(addresses.SchedulerConfig{Store: st, Conference: lk, Directory: joinDir, Log: log})
		if err != nil {
			return err
		}
		schCtx, stopSch := context.WithCancel(ctx)
		schDone := make(chan struct{})
		go func() { sch.Run(schCtx); close(schDone) }()
		defer func() { stopSch(); <-schDone }()
		log.Info("mass addresses on: rooms created ahead of start, relay, join links", "livekit", lk.URL(), "browsers", lk.PublicURL())
	} else {
		log.Warn("mass addresses off: KARYAKRAM_LIVEKIT_URL/KEY/SECRET unset; no rooms are created and join links say there is no online address")
	}
	srv, err := web.New(st, au, web.Config{MaxUploadBytes: cfg.MaxUploadMB << 20, SecureCookies: cfg.SecureCookies,
		Invite: web.InviteConfig{Signer: signer, Templates: msgTemplates, BaseURL: publicURL}, Turnout: turnoutCfg, Zone: cfg.Zone, MetricsToken: cfg.MetricsToken, TrustedProxies: cfg.TrustedProxies,
		Join: joinCfg}, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	base := "http://" + ln.Addr().String()
	if publicURL == "" {
		publicURL = base
	}
	drainer, err := outbox.New(outbox.Config{Store: st, Senders: senders, Limiter: limiter, Templates: msgTemplates,
		Signer: signer, BaseURL: publicURL, Log: log})
	if err != nil {
		return err
	}
	drainCtx, stopDrain := context.WithCancel(ctx)
	drained := make(chan struct{})
	go func() { drainer.Run(drainCtx); close(drained) }() //nolint:errcheck // Run returns nil after a clean stop
	defer func() { stopDrain(); <-drained }()
	log.Info("outbox drainer started", "channels", channels)
	snapCtx, stopSnaps := context.WithCancel(ctx)
	snapsDone := make(chan struct{})
	go func() { campaigns.Snapshots{Store: st, Zone: cfg.Zone, Log: log}.Run(snapCtx); close(snapsDone) }()
	defer func() { stopSnaps(); <-snapsDone }()
	if cfg.InboundSMTPAddr != "" {
		stopReplies, err := serveCalendarReplies(cfg, st, log)
		if err != nil {
			return err
		}
		defer stopReplies()
	}
	log.Info("karyakram serving", "url", base, "config", cfg.String())
	fmt.Fprintf(stdout, "karyakram is running at %s\n", base)
	if demo {
		fmt.Fprintf(stdout, `
Demo logins (mobile number; the 6-digit login code is printed in this console as "sms (development sink)"):
  state office            %s
  district (Gwalior Nagar) %s
  mandal president        %s
  booth president         %s
Press Ctrl+C to stop.
`, seed.StateOfficeMobile, seed.DistrictOfficeMobile, seed.MandalPresidentMobile, seed.BoothPresidentMobile)
	}
	if cfg.MetricsAddr != "" {
		_, stop, err := serveMetrics(cfg.MetricsAddr, srv.MetricsHandler(), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	log.Info("stopped")
	return nil
}

func openMigrated(ctx context.Context, dsn string, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, dsn, log)
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "name", m)
	}
	return st, nil
}

// seedDemo loads the demo organisation into an empty database.
func seedDemo(ctx context.Context, st *store.Store, zone schedule.Zone, log *slog.Logger) error {
	sys := schedule.SystemActor("demo")
	roots, err := st.ScopeUnits(ctx, sys)
	if err != nil {
		return err
	}
	if len(roots) > 0 {
		log.Info("demo data already present", "units", roots[0].Name)
		return nil
	}
	start := time.Now()
	if err := seedInto(ctx, st, seed.Demo(), nil); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	if err := seedDemoCalendar(ctx, st, zone, time.Now()); err != nil {
		return fmt.Errorf("seed demo calendar: %w", err)
	}
	log.Info("demo organisation seeded", "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func maskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "***")
	}
	return u.String()
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig(getenv)
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.register(fs)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	st, err := store.Open(ctx, cfg.DSN, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(stdout, "applied", m)
	}
	return nil
}

// serveMetrics serves Prometheus metrics at /metrics on addr, an admin
// listener apart from the public one, and returns the address it listens
// on; stop closes it.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("metrics listener %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := ms.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("metrics served on the admin listener", "url", "http://"+ln.Addr().String()+"/metrics")
	return ln.Addr().String(), func() { ms.Close() }, nil
}

// serveCalendarReplies starts the inbound SMTP endpoint for calendar
// replies (app/mailin) and returns its stop function.
func serveCalendarReplies(cfg Config, st *store.Store, log *slog.Logger) (func(), error) {
	srv, err := mailin.New(mailin.Config{Recipients: []string{cfg.ReplyAddr}, Domain: replyDomain(cfg.ReplyAddr), Zone: cfg.Zone,
		Recorder: st, Log: log})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.InboundSMTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen for calendar replies on %s: %w", cfg.InboundSMTPAddr, err)
	}
	done := make(chan struct{})
	go func() {
		if err := srv.Serve(ln); err != nil {
			log.Error("calendar reply endpoint stopped", "err", err)
		}
		close(done)
	}()
	log.Info("calendar replies accepted by SMTP", "addr", ln.Addr().String(), "for", cfg.ReplyAddr)
	return func() { srv.Close(); <-done }, nil
}

// replyDomain is the domain of the reply address, the endpoint's name.
func replyDomain(addr string) string { return addr[strings.LastIndexByte(addr, '@')+1:] }
