// Package sqldbtest opens real, migrated, empty databases for tests: SQLite in
// a temporary folder always, and PostgreSQL (a fresh schema per test) when
// TOUCHPOINT_TEST_POSTGRES holds a URL.
package sqldbtest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/touchpoint-cx/touchpoint/internal/jobs"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

// SQLite returns a migrated SQLite store in t's temporary folder.
func SQLite(t testing.TB) *sqldb.Store {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "test.db"))
}

// Postgres returns a migrated store in a fresh PostgreSQL schema, or skips
// when no server is configured. With TOUCHPOINT_POSTGRES_REQUIRED=1 a missing
// server fails the test instead, so CI cannot pass without PostgreSQL.
func Postgres(t testing.TB) *sqldb.Store {
	t.Helper()
	return open(t, postgresSchema(t))
}

// postgresSchema returns the URL of a fresh schema, dropped after the test.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TOUCHPOINT_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("TOUCHPOINT_POSTGRES_REQUIRED") == "1" {
			t.Fatal("TOUCHPOINT_POSTGRES_REQUIRED=1 but TOUCHPOINT_TEST_POSTGRES is empty")
		}
		t.Skip("PostgreSQL tests need TOUCHPOINT_TEST_POSTGRES")
	}
	dsn, drop, err := sqldb.ScratchSchema(context.Background(), base, "t")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	return dsn
}

func open(t testing.TB, dsn string) *sqldb.Store {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Work that needs background jobs stores them, as in production; tests
	// that want them worked start a runner themselves.
	st := sqldb.NewStore(db)
	if _, err := jobs.Open(ctx, st, jobs.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	if err := st.StartResolver(ctx, track.Replay, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))); err != nil {
		t.Fatal(err)
	}
	return st
}

// Each runs fn as a subtest on SQLite and, when configured, on PostgreSQL.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachPair runs fn with two stores on one database, as two processes (SQLite)
// or two replicas (PostgreSQL) have it, on both databases as Each does.
func EachPair(t *testing.T, fn func(t *testing.T, a, b *sqldb.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "test.db")
		fn(t, open(t, path), open(t, path))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := postgresSchema(t)
		fn(t, open(t, dsn), open(t, dsn))
	})
}
