package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Deleting or overwriting a row does not take its bytes off the disk at
// once. SQLite runs with secure_delete, which zeroes freed content in the
// pages it writes, and a TRUNCATE checkpoint then moves those pages into
// the database file and empties the WAL. PostgreSQL leaves dead row
// versions (and, after VACUUM, the holes they left) in the table's files
// until the table is rewritten: the scrub rewrites each table an erasure
// or the retention job touched (VACUUM FULL, which holds the table's lock
// while it runs; see README "Privacy" for its cost). WAL segments and
// backups are outside the database files and keep what they hold until
// they are recycled or expire.

// scrubLater notes that table holds bytes of erased or expired data.
func (db *DB) scrubLater(ctx context.Context, tx *sql.Tx, table string, now int64) error {
	if db.dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO scrub_pending (tbl, since_us) VALUES ($1, $2) ON CONFLICT (tbl) DO NOTHING", table, now)
	return err
}

// scrubSoon scrubs what can be scrubbed at once (SQLite). PostgreSQL's
// rewrite holds each table while it runs (about 11 s per million events
// measured here), so it waits for the nightly run unless an admin starts
// it (ScrubNow, or the CLI). It says which.
func (db *DB) scrubSoon(ctx context.Context) (string, error) {
	if db.dialect != Postgres {
		return "done", db.checkpoint(ctx)
	}
	return "pending", nil
}

// ScrubPending lists the tables whose storage still holds bytes of erased
// or expired data (always empty on SQLite, which scrubs at once).
func (s *PrivacyService) ScrubPending(ctx context.Context) ([]string, error) {
	if err := can(ctx, tp.ActPrivacyManage); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT tbl FROM scrub_pending ORDER BY tbl")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ScrubNow queues the scrub as a job now rather than at night.
func (s *PrivacyService) ScrubNow(ctx context.Context) error {
	if err := can(ctx, tp.ActPrivacyManage); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := audit(ctx, tx, tp.ToMicros(s.db.Now()), "privacy.scrub", "storage", "started by hand"); err != nil {
			return err
		}
		return s.db.enqueue(ctx, tx, tp.ScrubStorage{}, s.db.Now())
	})
}

// checkpoint moves every page of the WAL into the database file and
// truncates the WAL (SQLite).
func (db *DB) checkpoint(ctx context.Context) error {
	var busy, logged, moved int
	if err := db.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &moved); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint: readers kept the WAL busy; it is scrubbed at the next checkpoint")
	}
	return nil
}

// Scrub rewrites the storage of every table that holds bytes of erased or
// expired data, reporting each table as it goes. It is the scrub job's
// work, and the CLI's after an erasure.
func (s *PrivacyService) Scrub(ctx context.Context, progress func(table string, took time.Duration)) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	db := s.db
	if db.dialect != Postgres {
		return db.checkpoint(ctx)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT tbl FROM scrub_pending ORDER BY tbl")
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		if _, listed := dataTableOf(t); listed { // only names from the list reach the statement
			tables = append(tables, t)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(tables) > 0 {
		if err := db.waitOlderSnapshots(ctx, scrubWait); err != nil {
			return err
		}
	}
	for _, t := range tables {
		start := time.Now()
		// Remove the mark first: data that expires while the rewrite runs marks it again.
		if _, err := db.w.ExecContext(ctx, "DELETE FROM scrub_pending WHERE tbl = $1", t); err != nil {
			return err
		}
		if _, err := db.w.ExecContext(ctx, "VACUUM (FULL) "+t); err != nil {
			_, _ = db.w.ExecContext(context.WithoutCancel(ctx), "INSERT INTO scrub_pending (tbl, since_us) VALUES ($1, $2) ON CONFLICT (tbl) DO NOTHING",
				t, tp.ToMicros(db.Now()))
			return fmt.Errorf("scrub %s: %w", t, err)
		}
		if progress != nil {
			progress(t, time.Since(start))
		}
	}
	_, err = db.w.ExecContext(ctx, "CHECKPOINT")
	return err
}

// scrubWait bounds how long a scrub waits for older transactions.
const scrubWait = time.Minute

// waitOlderSnapshots waits until no other session of this database holds a
// snapshot taken before now: VACUUM FULL keeps every row such a snapshot
// could still see, so an erased person would survive the rewrite of a
// report that happened to run meanwhile. After max it gives up with an
// error; the tables stay marked and the scrub job tries again.
func (db *DB) waitOlderSnapshots(ctx context.Context, max time.Duration) error {
	deadline := time.Now().Add(max)
	var start time.Time
	if err := db.w.QueryRowContext(ctx, "SELECT now()").Scan(&start); err != nil {
		return err
	}
	for {
		var n int
		var oldest sql.NullString
		if err := db.w.QueryRowContext(ctx, `SELECT COUNT(*), MIN(pid::text) FROM pg_stat_activity WHERE datname = current_database()
			AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL AND xact_start < $1`, start).Scan(&n, &oldest); err != nil {
			return fmt.Errorf("scrub: %w", err)
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("scrub: %d transactions older than the erasure are still open (pid %s); the rewrite would keep what they can see, so it waits for the next run", n, oldest.String)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
