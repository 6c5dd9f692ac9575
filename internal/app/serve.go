package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/demo"
	"github.com/touchpoint-cx/touchpoint/internal/jobs"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/smtpd"

	"github.com/emersion/go-smtp"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/web"
)

type serveFlags struct {
	addr, dsn     *string
	secureCookies *bool
	smtpRelay     *string
	publicURL     *string
	mailPerMinute *int
	reminderAfter *time.Duration
	smtpAddr      *string
	smtpDomains   *string
	intakeMaxLag  *time.Duration
	proxies       *string
}

func (e *env) serveFlags(fs *flag.FlagSet) serveFlags {
	addr := e.getenv("TOUCHPOINT_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	return serveFlags{
		addr:          fs.String("addr", addr, "listen address (env TOUCHPOINT_ADDR)"),
		dsn:           e.dbFlag(fs),
		secureCookies: fs.Bool("secure-cookies", e.getenv("TOUCHPOINT_SECURE_COOKIES") == "1", "mark the session cookie Secure (behind HTTPS; env TOUCHPOINT_SECURE_COOKIES=1)"),
		smtpRelay: fs.String("smtp-relay", e.getenv("TOUCHPOINT_SMTP_RELAY"),
			"outgoing mail: smtp://user:password@host:587?tls=starttls&from=cx@example.com (env TOUCHPOINT_SMTP_RELAY)"),
		publicURL: fs.String("public-url", e.getenv("TOUCHPOINT_PUBLIC_URL"),
			"address customers reach for survey links, e.g. https://cx.example.com (env TOUCHPOINT_PUBLIC_URL; default http://<addr>)"),
		mailPerMinute: fs.Int("mail-per-minute", 60, "survey invitations sent per minute at most"),
		reminderAfter: fs.Duration("reminder-after", 72*time.Hour, "send one reminder to non-responders after this long (0 for none)"),
		smtpAddr: fs.String("smtp-addr", e.getenv("TOUCHPOINT_SMTP_ADDR"),
			"take complaint mail on this address, e.g. 127.0.0.1:2525 (env TOUCHPOINT_SMTP_ADDR; empty: off)"),
		smtpDomains: fs.String("smtp-domains", e.getenv("TOUCHPOINT_SMTP_DOMAINS"),
			"comma-separated domains whose mail is taken, e.g. cx.example.com (env TOUCHPOINT_SMTP_DOMAINS)"),
		proxies: fs.String("trusted-proxies", e.getenv("TOUCHPOINT_TRUSTED_PROXIES"),
			"comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the client, e.g. 10.0.0.0/8 (env TOUCHPOINT_TRUSTED_PROXIES)"),
		intakeMaxLag: fs.Duration("intake-max-lag", sqldb.DefaultIntakeMaxLag,
			"tracking calls are answered 503 with Retry-After while the oldest unresolved one is older than this"),
	}
}

func serve(e *env, args []string) error {
	fs := e.flags("serve", "serve [--addr 127.0.0.1:8080] [--db ./data/touchpoint.db]")
	f := e.serveFlags(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	ln, err := bind(f)
	if err != nil {
		return err
	}
	db, err := e.open(*f.dsn)
	if err != nil {
		ln.Close()
		return err
	}
	defer db.Close()
	return e.listen(ln, db, f, nil)
}

// bind takes the listen address first, so that a busy port is reported
// before anything slow (migrations, the demo's filling) starts.
func bind(f serveFlags) (net.Listener, error) {
	ln, err := net.Listen("tcp", *f.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (is touchpoint already running? choose another with --addr)", *f.addr, err)
	}
	return ln, nil
}

func demoCmd(e *env, args []string) error {
	fs := e.flags("demo", "demo [--addr 127.0.0.1:8080] [--db ./data/touchpoint.db] [--seed 1] [--customers 20000]")
	f := e.serveFlags(fs)
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	customers := fs.Int("customers", 20000, "number of demo customers (about 25 events each)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	ln, err := bind(f)
	if err != nil {
		return err
	}
	defer ln.Close() // a no-op once served
	db, err := e.open(*f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	empty, err := db.IsEmpty(e.ctx)
	if err != nil {
		return err
	}
	if empty {
		fmt.Fprintf(e.stderr, "filling the empty database with demo data (seed %d, %d customers)…\n", *seed, *customers)
		start := time.Now()
		cfg := demo.Config{Seed: *seed, Customers: *customers, End: demo.DefaultEnd(time.Now()), Progress: e.stderr}
		st, err := demo.Load(e.ctx, cfg, demo.Store{Ingester: db.Tracking, Sources: db.Sources, Users: db.Users, Customers: db.Customers, Surveys: db.Surveys, Cases: db.Cases, Actions: db.Actions, Alerts: db.Alerts, Segments: db.Segments, Playbooks: db.Playbooks, People: db.People, Council: db.Council})
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if _, err := db.Cockpit.RefreshRollups(e.ctx); err != nil {
			return fmt.Errorf("demo rollups: %w", err)
		}
		if _, err := NewRiskModeler(db).RefreshRisk(e.ctx, true, func(msg string) { fmt.Fprintln(e.stderr, "demo: "+msg) }); err != nil {
			return fmt.Errorf("demo risk scores: %w", err)
		}
		fmt.Fprintf(e.stderr, "demo data ready in %s: %d events, %d merges, %d survey answers, %d cases\n",
			time.Since(start).Round(time.Second), st.Stored, st.Merges, st.Responses, st.Cases)
	} else {
		fmt.Fprintln(e.stderr, "the database already holds data; serving it as it is")
	}
	login := func(url string) {
		fmt.Fprintf(e.stdout, "touchpoint demo: open %s and log in as %s / %s\n", url, demo.AdminEmail, demo.Password)
	}
	return e.listen(ln, db, f, login)
}

// listen serves until the context ends, then shuts down gracefully: the
// listener closes, in-flight requests finish (their commits included), and
// only then does the database close.
func (e *env) listen(ln net.Listener, db *sqldb.Store, f serveFlags, ready func(url string)) error {
	log := slog.New(slog.NewJSONHandler(e.stderr, nil))
	proxies, err := web.ParseTrustedProxies(*f.proxies)
	if err != nil {
		ln.Close()
		return err
	}
	url := "http://" + ln.Addr().String()
	public := strings.TrimRight(*f.publicURL, "/")
	if public == "" {
		public = url
	}
	db.SetIntakeMaxLag(*f.intakeMaxLag)
	runner, err := e.startJobs(db, f, public, log)
	if err != nil {
		ln.Close()
		return err
	}
	inbound, err := e.startSMTP(db, f, log)
	if err != nil {
		ln.Close()
		runner.Stop(context.Background())
		return err
	}
	defer inbound.Close()
	srv := WebServer(db, log)
	srv.SecureCookies, srv.PublicURL = *f.secureCookies, public
	srv.TrustedProxies = proxies
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("touchpoint listening", "url", url, "db", db.Dialect(), "version", tp.Version)
	if ready != nil {
		ready(url)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		runner.Stop(context.Background())
		return err
	case <-e.ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Acknowledged calls are durable in the intake either way; resolving
	// them now means nothing waits for the next start.
	if err := db.DrainIntake(tp.WithAccess(sctx, tp.SystemAccess)); err != nil {
		log.Warn("shutting down: the intake's calls not yet resolved wait for the next start", "err", err)
	}
	if err := runner.Stop(sctx); err != nil { // running jobs finish; queued ones wait in the database
		return fmt.Errorf("stop jobs: %w", err)
	}
	log.Info("stopped")
	return nil
}

// startJobs starts the background job runner, with outgoing mail when a
// relay is configured.
func (e *env) startJobs(db *sqldb.Store, f serveFlags, public string, log *slog.Logger) (*jobs.Runner, error) {
	cfg := jobs.Config{PublicURL: public, MailPerMinute: *f.mailPerMinute, ReminderAfter: *f.reminderAfter, Log: log, Analyzer: NewTextAnalyzer(db, log), Risk: NewRiskModeler(db)}
	if *f.reminderAfter == 0 {
		cfg.ReminderAfter = -1
	}
	if *f.smtpRelay != "" {
		mc, err := mailer.ParseURL(*f.smtpRelay)
		if err != nil {
			return nil, err
		}
		cfg.Mailer = mailer.New(mc)
	} else {
		log.Warn("no SMTP relay configured (--smtp-relay): survey invitations wait until one is")
	}
	r, err := jobs.Open(e.ctx, db, cfg)
	if err != nil {
		return nil, err
	}
	// The runner outlives the request context: Stop ends it after the HTTP server.
	if err := r.Start(context.WithoutCancel(e.ctx)); err != nil {
		return nil, fmt.Errorf("start jobs: %w", err)
	}
	return r, nil
}

// startSMTP takes complaint mail when --smtp-addr is set.
func (e *env) startSMTP(db *sqldb.Store, f serveFlags, log *slog.Logger) (*smtpd.Server, error) {
	s := &smtpd.Server{Intake: db.Mail, Log: log}
	if *f.smtpAddr == "" {
		return s, nil
	}
	for _, d := range strings.Split(*f.smtpDomains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			s.Domains = append(s.Domains, d)
		}
	}
	if len(s.Domains) == 0 {
		return nil, fmt.Errorf("--smtp-addr needs --smtp-domains: the domains whose mail is complaints: %w", errUsage)
	}
	ln, err := net.Listen("tcp", *f.smtpAddr)
	if err != nil {
		return nil, fmt.Errorf("smtp listen on %s: %w", *f.smtpAddr, err)
	}
	log.Info("touchpoint smtp listening", "addr", ln.Addr().String(), "domains", s.Domains)
	go func() {
		if err := s.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			log.Error("smtp server", "err", err)
		}
	}()
	return s, nil
}

// WebServer wires the store's services into the web layer (the server and the tests alike).
func WebServer(db *sqldb.Store, log *slog.Logger) *web.Server {
	an := NewTextAnalyzer(db, log)
	return &web.Server{Ingester: db.Tracking, Intake: db.Intake, IntakeStats: db.IntakeStats, Customers: db.Customers, Sources: db.Sources, Users: db.Users, Surveys: db.Surveys,
		Segments: db.Segments, Cases: db.Cases, Routing: db.Routing, SLA: db.SLA, Actions: db.Actions, Cockpit: db.Cockpit,
		Alerts: db.Alerts, Audit: db.Audit, Privacy: db.Privacy, Text: db.Text, Risk: db.Risk, Playbooks: db.Playbooks, People: db.People, Digest: db.Digest, Council: db.Council, Push: db.Push, Analyzer: an, Learner: an, Discoverer: an, DB: db, Log: log}
}
