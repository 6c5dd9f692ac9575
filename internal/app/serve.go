package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/demo"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/web"
)

type serveFlags struct {
	addr, dsn     *string
	secureCookies *bool
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
	}
}

func serve(e *env, args []string) error {
	fs := e.flags("serve", "serve [--addr 127.0.0.1:8080] [--db ./data/touchpoint.db]")
	f := e.serveFlags(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(*f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return e.listen(db, f, nil)
}

func demoCmd(e *env, args []string) error {
	fs := e.flags("demo", "demo [--addr 127.0.0.1:8080] [--db ./data/touchpoint.db] [--seed 1] [--customers 20000]")
	f := e.serveFlags(fs)
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	customers := fs.Int("customers", 20000, "number of demo customers (about 25 events each)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
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
		st, err := demo.Load(e.ctx, cfg, demo.Store{Ingester: db, Sources: db, Users: db, Customers: db, Surveys: db})
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		fmt.Fprintf(e.stderr, "demo data ready in %s: %d events, %d merges, %d survey answers\n",
			time.Since(start).Round(time.Second), st.Stored, st.Merges, st.Responses)
	} else {
		fmt.Fprintln(e.stderr, "the database already holds data; serving it as it is")
	}
	login := func(url string) {
		fmt.Fprintf(e.stdout, "touchpoint demo: open %s and log in as %s / %s\n", url, demo.AdminEmail, demo.Password)
	}
	return e.listen(db, f, login)
}

// listen serves until the context ends, then shuts down gracefully: the
// listener closes, in-flight requests finish (their commits included), and
// only then does the database close.
func (e *env) listen(db *sqldb.DB, f serveFlags, ready func(url string)) error {
	log := slog.New(slog.NewJSONHandler(e.stderr, nil))
	srv := &web.Server{Ingester: db, Customers: db, Sources: db, Users: db, Surveys: db, DB: db, Log: log, SecureCookies: *f.secureCookies}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", *f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *f.addr, err)
	}
	url := "http://" + ln.Addr().String()
	log.Info("touchpoint listening", "url", url, "db", db.Dialect(), "version", tp.Version)
	if ready != nil {
		ready(url)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
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
	log.Info("stopped")
	return nil
}
