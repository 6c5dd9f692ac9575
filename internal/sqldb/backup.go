package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Backup and restore of a SQLite database. PostgreSQL has its own tools
// (pg_dump, pg_restore), which the README describes.

// ErrPostgresBackup says to use PostgreSQL's own tools.
var ErrPostgresBackup = errors.New("a PostgreSQL database is backed up with pg_dump and restored with pg_restore (see README: Backup and restore)")

// Backup writes a consistent copy of the SQLite database to path while it
// serves: VACUUM INTO reads one snapshot (every commit before it, none
// after) and writes a compact file; writers carry on meanwhile. path must
// not exist. Calls waiting in the intake file are not in it: resolve them
// first (DrainIntake).
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return ErrPostgresBackup
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists already; a backup never overwrites a file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	// A connection of its own: the readers are query_only, the writer is the group committer's.
	src, err := db.sourcePath(ctx)
	if err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO $1", abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup: %w", err)
	}
	return checkSQLiteFile(ctx, abs)
}

func (db *DB) sourcePath(ctx context.Context) (string, error) {
	var path string
	err := db.r.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path)
	return path, err
}

// checkSQLiteFile opens a file as a touchpoint database and runs SQLite's
// integrity check on it.
func checkSQLiteFile(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("%s is not a SQLite database: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("%s fails SQLite's integrity check: %s", path, res)
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("%s is not a touchpoint database (no migrations recorded)", path)
	}
	return nil
}

// Restore puts a backup in place of the SQLite database at dst: the backup
// is checked first, then copied beside dst and renamed over it, so that a
// failed restore leaves dst as it was. dst must not be in use; an existing
// dst is replaced only with replace.
func Restore(ctx context.Context, backup, dst string, replace bool) error {
	if strings.HasPrefix(dst, "postgres://") || strings.HasPrefix(dst, "postgresql://") {
		return ErrPostgresBackup
	}
	if err := checkSQLiteFile(ctx, backup); err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil && !replace {
		return fmt.Errorf("%s exists; pass --force to replace it (stop the server first)", dst)
	}
	if dir := filepath.Dir(dst); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	lock, err := lockExclusive(dst)
	if err != nil {
		return err
	}
	if lock != nil {
		defer lock.Close()
	}
	tmp := dst + ".restoring"
	if err := copyFile(backup, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	for _, ext := range []string{"-wal", "-shm"} { // the old WAL belongs to the old file
		if err := os.Remove(dst + ext); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	// So do calls the old database acknowledged and never resolved: the
	// backup is the state to return to.
	if err := removeIntakeFile(dst); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
