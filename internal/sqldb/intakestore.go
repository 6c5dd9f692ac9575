package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Where the intake keeps calls.
//
// PostgreSQL: the intake table. The resolver takes the oldest calls under an
// advisory lock (one replica at a time, in order) and deletes them in the
// transaction that stores their events.
//
// SQLite: a database file of its own beside the main one (path + ".intake"),
// with its own writer and group commit, so that appending a call never waits
// for the resolver's transactions in the main file (nor for jobs there), and
// the two writers run on two cores. The main file's intake_cursor records,
// in the transaction that stores their events, the last call resolved; calls
// up to it are deleted from the intake file afterwards. Each resolver reads
// the cursor inside its write transaction, so a call is resolved exactly once
// however often it is read, also by two processes (a CLI command beside the
// server).

type intakeFile struct {
	path   string
	w, r   *sql.DB
	group  *committer
	insert *sql.Stmt // insertIntakeSQL, prepared
}

const intakeFileSQL = `CREATE TABLE IF NOT EXISTS intake (
  id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: an id names one call for good
  source_id   BIGINT NOT NULL,
  kind        TEXT NOT NULL,
  received_us BIGINT NOT NULL,
  messages    INTEGER NOT NULL,
  body        BLOB NOT NULL
)`

// IntakePath is the intake file of the SQLite database at path.
func IntakePath(path string) string { return path + ".intake" }

func openIntakeFile(ctx context.Context, path, pragmas string) (*intakeFile, error) {
	f := &intakeFile{path: IntakePath(path)}
	var err error
	if f.w, err = sql.Open("sqlite", "file:"+f.path+pragmas); err != nil {
		return nil, fmt.Errorf("open the intake file: %w", err)
	}
	f.w.SetMaxOpenConns(1)
	f.w.SetConnMaxLifetime(0)
	if _, err := f.w.ExecContext(ctx, intakeFileSQL); err != nil {
		f.w.Close()
		return nil, fmt.Errorf("the intake file %s: %w", f.path, err)
	}
	if f.r, err = sql.Open("sqlite", "file:"+f.path+pragmas+"&_pragma=query_only(1)"); err != nil {
		f.w.Close()
		return nil, err
	}
	f.r.SetMaxOpenConns(2)
	f.r.SetMaxIdleConns(2)
	if f.insert, err = f.w.PrepareContext(ctx, insertIntakeSQL); err != nil {
		f.w.Close()
		f.r.Close()
		return nil, err
	}
	f.group = newCommitter(f.w)
	return f, nil
}

func (f *intakeFile) close() {
	f.group.stop()
	f.insert.Close()
	f.w.Close()
	f.r.Close()
}

// removeIntakeFile deletes the intake file of the SQLite database at path
// (a restore: calls not yet resolved belong to the database replaced).
func removeIntakeFile(path string) error {
	for _, ext := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(IntakePath(path) + ext); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// appendCall stores one call durably and returns its id; handed runs with
// the id inside the append's transaction. Concurrent appends share a
// transaction and its commit on both databases: on PostgreSQL too a
// transaction per call meant a WAL flush per call, and with 256 clients a
// p99 of half a second.
func (db *DB) appendCall(ctx context.Context, srcID int64, b tp.IntakeBatch, handed func(id int64)) (int64, error) {
	var id int64
	args := []any{srcID, b.Kind, tp.ToMicros(b.ReceivedAt), len(b.Messages), b.Body}
	group, insert := db.appends, db.hot[insertIntakeSQL]
	if db.intake != nil {
		group, insert = db.intake.group, db.intake.insert
	}
	return id, group.runStatement(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.StmtContext(ctx, insert).QueryRowContext(ctx, args...).Scan(&id); err != nil {
			return fmt.Errorf("append to the intake: %w", err)
		}
		handed(id)
		return nil
	})
}

// takeCalls reads the oldest unresolved calls in the resolver's transaction
// (on PostgreSQL after the identity lock: replicas resolve in turn).
func (db *DB) takeCalls(ctx context.Context, tx *sql.Tx, limit int) ([]intakeRow, error) {
	var rows *sql.Rows
	var err error
	if db.intake != nil {
		var cursor int64
		if err := tx.QueryRowContext(ctx, "SELECT call_id FROM intake_cursor WHERE id = 1").Scan(&cursor); err != nil {
			return nil, fmt.Errorf("read the intake cursor: %w", err)
		}
		rows, err = db.intake.r.QueryContext(ctx, "SELECT id, source_id, kind, received_us, messages FROM intake WHERE id > $1 ORDER BY id LIMIT $2", cursor, limit)
	} else {
		if err := db.lockIdentities(ctx, tx); err != nil {
			return nil, err
		}
		rows, err = tx.QueryContext(ctx, "SELECT id, source_id, kind, received_us, messages FROM intake ORDER BY id LIMIT $1", limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read the intake: %w", err)
	}
	defer rows.Close()
	var out []intakeRow
	total := 0
	for rows.Next() {
		var c intakeRow
		if err := rows.Scan(&c.id, &c.source, &c.kind, &c.received, &c.messages); err != nil {
			return nil, err
		}
		if len(out) > 0 && total+c.messages > resolveMaxMessages {
			break
		}
		out = append(out, c)
		total += c.messages
	}
	return out, rows.Err()
}

// callBody reads a call's body.
func (db *DB) callBody(ctx context.Context, tx *sql.Tx, id int64) ([]byte, error) {
	var body []byte
	var err error
	if db.intake != nil {
		err = db.intake.r.QueryRowContext(ctx, "SELECT body FROM intake WHERE id = $1", id).Scan(&body)
	} else {
		err = tx.QueryRowContext(ctx, "SELECT body FROM intake WHERE id = $1", id).Scan(&body)
	}
	if err != nil {
		return nil, fmt.Errorf("read intake call %d: %w", id, err)
	}
	return body, nil
}

// markResolved records in tx that calls (the oldest, in order) are resolved.
func (db *DB) markResolved(ctx context.Context, tx *sql.Tx, calls []intakeRow) error {
	var err error
	if db.intake != nil {
		_, err = tx.ExecContext(ctx, "UPDATE intake_cursor SET call_id = $1 WHERE id = 1", calls[len(calls)-1].id)
	} else {
		ids := make([]int64, len(calls))
		for i, c := range calls {
			ids[i] = c.id
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM intake WHERE id = ANY($1)", ids)
	}
	if err != nil {
		return fmt.Errorf("mark calls resolved: %w", err)
	}
	return nil
}

// pruneCalls deletes resolved calls from the SQLite intake file.
func (db *DB) pruneCalls(ctx context.Context) error {
	if db.intake == nil {
		return nil
	}
	cursor, err := db.intakeCursor(ctx)
	if err != nil {
		return err
	}
	return db.intake.group.run(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM intake WHERE id <= $1", cursor)
		return err
	})
}

func (db *DB) intakeCursor(ctx context.Context) (int64, error) {
	var cursor int64
	err := db.r.QueryRowContext(ctx, "SELECT call_id FROM intake_cursor WHERE id = 1").Scan(&cursor)
	return cursor, err
}

// oldestCall returns when the oldest unresolved call arrived (0: none).
func (db *DB) oldestCall(ctx context.Context) (int64, error) {
	var us int64
	var err error
	if db.intake != nil {
		var cursor int64
		if cursor, err = db.intakeCursor(ctx); err != nil {
			return 0, err
		}
		err = db.intake.r.QueryRowContext(ctx, "SELECT received_us FROM intake WHERE id > $1 ORDER BY id LIMIT 1", cursor).Scan(&us)
	} else {
		err = db.r.QueryRowContext(ctx, "SELECT received_us FROM intake ORDER BY id LIMIT 1").Scan(&us)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return us, err
}

// lastCall is the id of the newest call appended so far.
func (db *DB) lastCall(ctx context.Context) (int64, error) {
	var last int64
	var err error
	if db.intake != nil {
		err = db.intake.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM intake").Scan(&last)
	} else {
		err = db.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM intake").Scan(&last)
	}
	return last, err
}

// unresolvedThrough reports whether a call up to id last waits unresolved.
func (db *DB) unresolvedThrough(ctx context.Context, last int64) (bool, error) {
	if db.intake != nil {
		cursor, err := db.intakeCursor(ctx)
		return cursor < last, err
	}
	var left bool
	err := db.r.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM intake WHERE id <= $1)", last).Scan(&left)
	return left, err
}

// guardSequence keeps the intake file's ids above the main file's cursor:
// an intake file deleted or replaced must not hand out ids the cursor says
// were resolved already.
func (db *DB) guardSequence(ctx context.Context) error {
	if db.intake == nil {
		return nil
	}
	cursor, err := db.intakeCursor(ctx)
	if err != nil {
		return fmt.Errorf("the intake cursor (is the database migrated?): %w", err)
	}
	return db.intake.group.run(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE sqlite_sequence SET seq = $1 WHERE name = 'intake' AND seq < $1", cursor); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) SELECT 'intake', $1
			WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'intake')`, cursor)
		return err
	})
}
