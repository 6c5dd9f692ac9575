// Package app wires touchpoint together: configuration from flags and
// environment, the store, the web server, and the CLI subcommands.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/jobs"
	"github.com/touchpoint-cx/touchpoint/internal/report"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

// errUsage marks a command-line mistake (exit code 2); the usage was printed.
var errUsage = errors.New("usage")

// ExitCode maps an error from Run to a process exit code.
func ExitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// env is the process environment passed to Run, so tests can run the CLI in-process.
type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name, summary string
	run           func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the server", serve},
		{"demo", "fill an empty database with demo data, then serve", demoCmd},
		{"migrate", "apply database migrations", migrate},
		{"user", "user create: create a user who can log in; user unlock: lift a sign-in lock", user},
		{"source", "source create: create a source and print its write key", source},
		{"token", "token create: create an API token and print it", token},
		{"import", "import customers FILE.csv | events FILE.jsonl", importCmd},
		{"report", "report --month YYYY-MM --out pack.pdf: the board pack as PDF and HTML", reportCmd},
		{"rollup", "bring the cockpit's rollups up to date; --recompute rebuilds them from raw data", rollupCmd},
		{"text", "text analyze [--all]: analyse the comments and cases not analysed yet (--all: every one again)", textCmd},
		{"risk", "risk refresh [--train]: every customer's value and churn risk now (the hourly job's work)", riskCmd},
		{"eval", "eval text | clv | crosssell | churn FILE: figures on ../shared/data beside the published ones", evalCmd},
		{"bench", "bench ingest: measure ingestion against a raw INSERT baseline", bench},
		{"customer", "customer export | erase: a person's data (GDPR Art. 15 and 17)", customerCmd},
		{"retention", "show the retention periods; --run applies them now", retentionCmd},
		{"backup", "backup --out FILE: a consistent copy of a SQLite database while it serves", backupCmd},
		{"restore", "restore --from FILE: put a backup in place (server stopped)", restoreCmd},
		{"version", "print the version", version},
	}
}

// Run runs the touchpoint command line.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	// The command line is the operator's, who holds the database itself: its
	// commands act as the system. Requests the server takes carry their own access.
	ctx = tp.WithAccess(ctx, tp.SystemAccess)
	e := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "usage: touchpoint <command> [flags]   (touchpoint <command> -h for its flags)")
		fmt.Fprintln(w, "\ncommands:")
		for _, c := range commands() {
			fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
		}
	}
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(e, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
}

// flags returns a flag set that reports errors on stderr and -h on stdout.
func (e *env) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("touchpoint "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: touchpoint %s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; -h prints the usage on stdout.
func (e *env) parse(fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	return nil
}

func (e *env) dbFlag(fs *flag.FlagSet) *string {
	def := e.getenv("TOUCHPOINT_DB")
	if def == "" {
		def = "./data/touchpoint.db"
	}
	return fs.String("db", def, "SQLite file path or postgres:// URL (env TOUCHPOINT_DB)")
}

// open connects to the database, applies pending migrations, and lets the
// store enqueue jobs (a survey trigger during an import, say); only serve
// also works them.
func (e *env) open(dsn string) (*sqldb.Store, error) {
	db, err := sqldb.Open(e.ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(e.ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	st := sqldb.NewStore(db)
	if _, err := jobs.Open(e.ctx, st, jobs.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		db.Close()
		return nil, fmt.Errorf("job tables: %w", err)
	}
	// Every process resolves calls waiting in the intake, so that one left
	// behind by a crash is resolved by whatever runs next.
	if err := st.StartResolver(e.ctx, track.Replay, slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))); err != nil {
		db.Close()
		return nil, fmt.Errorf("intake: %w", err)
	}
	return st, nil
}

func migrate(e *env, args []string) error {
	fs := e.flags("migrate", "migrate [--db DSN]")
	dsn := e.dbFlag(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := sqldb.Open(e.ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(e.ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stderr, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(e.stderr, "applied", m)
	}
	return nil
}

func reportCmd(e *env, args []string) error {
	fs := e.flags("report", "report --month 2026-10 --out pack.pdf [--lang en|de|nl] [--db DSN]")
	dsn := e.dbFlag(fs)
	monthFlag := fs.String("month", "", "the month, YYYY-MM (default: last month)")
	out := fs.String("out", "pack.pdf", "the PDF to write; the HTML goes beside it (.html)")
	lang := fs.String("lang", "en", "language: en, de or nl")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	month, err := reportMonth(*monthFlag, time.Now())
	if err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	ctx := e.ctx
	if _, err := db.Cockpit.RefreshRollups(ctx); err != nil {
		return err
	}
	htmlPath := strings.TrimSuffix(*out, filepath.Ext(*out)) + ".html"
	pdf, err := report.Write(ctx, report.Store{Cockpit: db.Cockpit, Actions: db.Actions, Text: db.Text, Taxonomy: NewTextAnalyzer(db, slog.Default()).Taxonomy, Council: db.Council, People: db.People}, month, *lang, time.Now().UTC(), htmlPath)
	if errors.Is(err, report.ErrNoChromium) {
		fmt.Fprintf(e.stderr, "wrote %s; no PDF: %v\n", htmlPath, err)
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, pdf, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "board pack %s: %s and %s in %s\n", month.Label(), *out, htmlPath, time.Since(start).Round(time.Millisecond))
	return nil
}

// reportMonth parses YYYY-MM; empty means last month.
func reportMonth(s string, now time.Time) (tp.Period, error) {
	if s == "" {
		p, err := tp.PeriodOf("month", now)
		return p.Previous(), err
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return tp.Period{}, fmt.Errorf("--month %q: want YYYY-MM, e.g. 2026-10", s)
	}
	return tp.PeriodOf("month", t)
}

func rollupCmd(e *env, args []string) error {
	fs := e.flags("rollup", "rollup [--recompute] [--db DSN]")
	dsn := e.dbFlag(fs)
	recompute := fs.Bool("recompute", false, "rebuild every rollup from the raw answers, cases and events")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	var rep sqldb.RollupReport
	if *recompute {
		rep, err = db.Cockpit.RecomputeRollups(e.ctx, func(s string) { fmt.Fprintln(e.stderr, s) })
	} else {
		rep, err = db.Cockpit.RefreshRollups(e.ctx)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "rollups up to date in %s: %d case days recomputed, %d customers' activity\n",
		time.Since(start).Round(time.Millisecond), rep.CaseDays, rep.Customers)
	return nil
}

// subcommand splits "create" off args for the user/source/token commands.
func subcommand(args []string, want, usage string) ([]string, error) {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		return args, nil
	}
	if len(args) == 0 || args[0] != want {
		return nil, fmt.Errorf("usage: touchpoint %s: %w", usage, errUsage)
	}
	return args[1:], nil
}

func readLine(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimRight(line, "\r"), nil
}

func source(e *env, args []string) error {
	const u = "source create --name N [--channel web] [--department D] [--division V] [--db DSN]"
	args, err := subcommand(args, "create", u)
	if err != nil {
		return err
	}
	fs := e.flags("source create", u)
	dsn := e.dbFlag(fs)
	name := fs.String("name", "", "source name, e.g. \"Web shop\"")
	channel := fs.String("channel", "web", "default channel of its events: "+strings.Join(tp.Channels, ", "))
	dept := fs.String("department", "", "default department of its events")
	div := fs.String("division", "", "division of its events")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	s := &tp.Source{Name: *name, Channel: *channel, Department: *dept, Division: *div}
	if err := db.Sources.CreateSource(e.ctx, s); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, s.WriteKey)
	return nil
}

func token(e *env, args []string) error {
	const u = "token create --name N --role ROLE [--department D] [--db DSN]"
	args, err := subcommand(args, "create", u)
	if err != nil {
		return err
	}
	fs := e.flags("token create", u)
	dsn := e.dbFlag(fs)
	name := fs.String("name", "", "what the token is for, e.g. \"CRM sync\"")
	role := fs.String("role", "", "admin, cco, department_head, agent or analyst")
	dept := fs.String("department", "", "department (for department-scoped roles)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, err := db.Users.CreateToken(e.ctx, &tp.Token{Name: *name, Role: tp.Role(*role), Department: *dept})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func version(e *env, args []string) error {
	fs := e.flags("version", "version")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "touchpoint", tp.Version)
	return nil
}
