package app

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/export"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

// customerCmd: export and erase (GDPR Art. 15 and 17) from the command line.
func customerCmd(e *env, args []string) error {
	const u = "customer export (--id N | --email E) [--out FILE.json|FILE.zip] | customer erase (--id N | --email E) --yes"
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, "usage: touchpoint "+u)
			return nil
		}
		return fmt.Errorf("usage: touchpoint %s: %w", u, errUsage)
	}
	verb := args[0]
	fs := e.flags("customer "+verb, u)
	dsn := e.dbFlag(fs)
	id := fs.Int64("id", 0, "the customer's number")
	email := fs.String("email", "", "or: one of the customer's e-mail addresses")
	out := fs.String("out", "", "export: write to this file (.json or .zip); default: JSON on standard output")
	yes := fs.Bool("yes", false, "erase: confirm (erasure cannot be undone)")
	if err := e.parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	cid, err := customerArg(e, db, *id, *email)
	if err != nil {
		return err
	}
	if verb == "export" {
		return exportTo(e, db, cid, *out)
	}
	if !*yes {
		return fmt.Errorf("erasing customer %d cannot be undone: add --yes: %w", cid, errUsage)
	}
	rep, err := db.Privacy.EraseCustomer(e.ctx, cid)
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Fprintln(e.stdout, string(b))
	return scrub(e, db)
}

func customerArg(e *env, db *sqldb.Store, id int64, email string) (int64, error) {
	switch {
	case id != 0 && email == "":
		return id, nil
	case id == 0 && email != "":
		ident, err := tp.NormalizeIdentity(tp.IdentityEmail, email, "")
		if err != nil {
			return 0, err
		}
		c, err := db.Customers.FindCustomerByIdentity(e.ctx, ident)
		if err != nil {
			return 0, err
		}
		return c.ID, nil
	}
	return 0, fmt.Errorf("name the customer by --id or by --email (one of them): %w", errUsage)
}

func exportTo(e *env, db *sqldb.Store, id int64, out string) error {
	ex, err := db.Privacy.ExportCustomer(e.ctx, id)
	if err != nil {
		return err
	}
	w := e.stdout
	format := "json"
	if out != "" {
		if strings.EqualFold(filepath.Ext(out), ".zip") {
			format = "zip"
		}
		f, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if err := export.Write(w, ex, format); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported customer %d: %d profiles, %d tables, %d attachments\n", ex.CustomerID, len(ex.Profiles), len(ex.Tables), len(ex.Attachments))
	return nil
}

// scrub takes erased or expired data's bytes off the storage now, printing
// each table PostgreSQL rewrites.
func scrub(e *env, db *sqldb.Store) error {
	return db.Privacy.Scrub(e.ctx, func(table string, took time.Duration) {
		fmt.Fprintf(e.stderr, "scrubbed %s in %s\n", table, took.Round(time.Millisecond))
	})
}

// retentionCmd shows the retention periods and the last run, and runs
// them with --run.
func retentionCmd(e *env, args []string) error {
	fs := e.flags("retention", "retention [--run] [--db DSN]")
	dsn := e.dbFlag(fs)
	run := fs.Bool("run", false, "delete or anonymise what is older than its period now, and scrub the storage")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *run {
		rep, err := db.Privacy.RunRetention(e.ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, rep.String())
		return scrub(e, db)
	}
	periods, last, err := db.Privacy.Retention(e.ctx)
	if err != nil {
		return err
	}
	for _, k := range tp.RetentionKinds {
		fmt.Fprintf(e.stdout, "%-9s %5d days (default %d)\n", k, periods[k], tp.DefaultRetention[k])
	}
	if last != nil {
		fmt.Fprintln(e.stdout, "last run:", last.String())
	}
	return nil
}

// backupCmd writes a consistent copy of a SQLite database while it serves.
func backupCmd(e *env, args []string) error {
	fs := e.flags("backup", "backup --out FILE [--db DSN]")
	dsn := e.dbFlag(fs)
	out := fs.String("out", "", "the backup file to write (must not exist)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out names the backup file: %w", errUsage)
	}
	db, err := sqldb.Open(e.ctx, *dsn) // no migrations: a backup copies the database as it is
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	// Calls acknowledged but still waiting in the intake file go into the
	// database first, so that the backup holds every one acknowledged before
	// it began. A database of a version without the intake has none waiting.
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := db.StartResolver(e.ctx, track.Replay, log); err == nil {
		if err := db.DrainIntake(tp.WithAccess(e.ctx, tp.SystemAccess)); err != nil {
			return fmt.Errorf("resolve the intake before the backup: %w", err)
		}
	}
	if err := db.Backup(e.ctx, *out); err != nil {
		return err
	}
	st, _ := os.Stat(*out)
	fmt.Fprintf(e.stderr, "backup of %s written to %s (%d MB) in %s; restore with: touchpoint restore --from %s --db PATH\n",
		*dsn, *out, st.Size()>>20, time.Since(start).Round(time.Millisecond), *out)
	return nil
}

// restoreCmd puts a backup in place of a (stopped) SQLite database.
func restoreCmd(e *env, args []string) error {
	fs := e.flags("restore", "restore --from FILE [--db PATH] [--force]")
	dsn := e.dbFlag(fs)
	from := fs.String("from", "", "the backup file")
	force := fs.Bool("force", false, "replace an existing database (stop the server first)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return fmt.Errorf("--from names the backup file: %w", errUsage)
	}
	if err := sqldb.Restore(e.ctx, *from, *dsn, *force); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "restored %s from %s; pending migrations run when the server starts\n", *dsn, *from)
	return nil
}
