// Package sqldb is the only package with SQL. One store serves SQLite (the
// default, embedded, pure Go) and PostgreSQL (several stateless replicas),
// chosen by the DSN. The same SQL runs on both wherever it can; the few
// dialect-specific statements sit behind DB.dialect in this file.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"           // registers "sqlite"

	tp "github.com/touchpoint-cx/touchpoint"
)

//go:embed migrations
var migrations embed.FS

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is the store. SQLite gets one writer connection (SQLite serialises
// writers anyway; one connection avoids SQLITE_BUSY) and a pool of readers.
type DB struct {
	dialect string
	w       *sql.DB
	r       *sql.DB
	jobs    *sql.DB // PostgreSQL: the job runner's pool (see Pool)
	Now     func() time.Time
	// sources caches write key → *tp.Source: a tracking request then needs no
	// lookup, and sources never change after creation, so a hit is current.
	sourceCache sync.Map

	group   *committer  // SQLite only: group commit of concurrent write transactions
	appends *committer  // PostgreSQL only: group commit of the intake's appends
	intake  *intakeFile // SQLite only: the intake's own file (intakestore.go)

	// Enqueue stores background jobs; the job runner sets it (see Enqueuer).
	Enqueue Enqueuer

	triggers triggerCache
	settings sync.Map // key → value of settings already read (they never change)

	hotOnce sync.Once
	hot     map[string]*sql.Stmt // SQL text → statement prepared once
	// chunkStmts are the multi-row statements of the ingest path (chunks.go).
	chunkStmts map[chunkKey]*sql.Stmt
	hotErr     error

	rc       stmtCache // the readers' hot statements (answering a survey link)
	versions sync.Map  // decoded survey versions past their draft (see findSurveyVia)

	// suppressed says whether the suppression list may hold anything: while
	// it is known empty, ingestion skips looking identities up in it.
	suppressed     atomic.Bool
	suppressedSeen atomic.Int64 // unix seconds of the last look at the table

	idents identityCache // SQLite only (see identcache.go)

	resolverOnce    sync.Once
	resolver        *resolver // the intake's resolver (see intake.go), once started
	sourceByIDCache sync.Map  // source id → *tp.Source, for the resolver

	inUse *os.File // SQLite: the shared lock that keeps a restore from replacing the file under us
}

// Open connects to dsn: a postgres:// or postgresql:// URL, or a SQLite file path.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC() }}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db.dialect = Postgres
		// Three pools, so that no kind of work starves another: writes (a
		// transaction holds one connection, never a second), reads, and the
		// job runner's own queries (its leader election timed out when it
		// shared one pool with ingestion under load).
		for _, p := range []struct {
			pool **sql.DB
			n    int
		}{{&db.w, 24}, {&db.r, 16}, {&db.jobs, 6}} {
			c, err := sql.Open("pgx", dsn)
			if err != nil {
				db.Close()
				return nil, fmt.Errorf("open postgres: %w", err)
			}
			c.SetMaxOpenConns(p.n)
			c.SetMaxIdleConns(p.n)
			c.SetConnMaxIdleTime(5 * time.Minute)
			*p.pool = c
		}
		db.appends = newCommitter(db.w)
		db.idents.on = true
	} else {
		db.dialect = SQLite
		path := strings.TrimPrefix(dsn, "sqlite://")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create database folder: %w", err)
			}
		}
		// synchronous(FULL): a commit is on disk before we answer 200.
		// secure_delete: freed content is zeroed, so that erased data leaves
		// no bytes behind in the file (see scrub.go).
		pragmas := "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
			"&_pragma=wal_autocheckpoint(10000)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_pragma=secure_delete(ON)&_txlock=immediate"
		lock, err := lockShared(path)
		if err != nil {
			return nil, err
		}
		db.inUse = lock
		// temp_store(MEMORY) on the writer: every write of a group commit runs
		// in a savepoint, whose sub-journal (the pages it first changes) went
		// to a temp file: 14 % of the writer's time in pwrite in a profile.
		w, err := sql.Open("sqlite", "file:"+path+pragmas+"&_pragma=temp_store(MEMORY)")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxLifetime(0)
		r, err := sql.Open("sqlite", "file:"+path+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		r.SetMaxOpenConns(8)
		// Keep them all: database/sql keeps two idle by default, so busy readers
		// would open (pragmas, schema parse) and close connections all the time.
		r.SetMaxIdleConns(8)
		db.w, db.r = w, r
		db.group = newCommitter(w)
		db.idents.on = true
		if db.intake, err = openIntakeFile(ctx, path, strings.Replace(pragmas, "wal_autocheckpoint(10000)", "wal_autocheckpoint(1000)", 1)); err != nil {
			db.Close()
			return nil, err
		}
	}
	db.rc.db = db.r
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return db, nil
}

// Dialect returns SQLite or Postgres.
func (db *DB) Dialect() string { return db.dialect }

// Close closes every connection. Ingests under way finish first.
func (db *DB) Close() error {
	if db.resolver != nil {
		db.resolver.stop() // a step under way commits first
	}
	if db.group != nil {
		db.group.stop()
	}
	if db.intake != nil {
		db.intake.close()
	}
	if db.appends != nil {
		db.appends.stop()
	}
	for _, s := range db.hot {
		s.Close()
	}
	for _, s := range db.chunkStmts {
		s.Close()
	}
	db.rc.close()
	var err error
	for _, p := range []*sql.DB{db.w, db.r, db.jobs} {
		if p != nil {
			err = errors.Join(err, p.Close())
		}
	}
	if db.inUse != nil {
		err = errors.Join(err, db.inUse.Close())
	}
	return err
}

// Ping reports whether the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Migrate applies every embedded migration not yet applied, each in its own
// transaction. Migrations are forward-only. On PostgreSQL an advisory lock
// keeps replicas starting together from migrating twice.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if db.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7370001)"); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7370001)")
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_us BIGINT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done := map[string]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		done[v] = true
	}
	rows.Close()
	dir := "migrations/" + db.dialect
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		if done[name] {
			continue
		}
		body, err := fs.ReadFile(migrations, dir+"/"+name)
		if err != nil {
			return applied, err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_us) VALUES ($1, $2)",
			name, tp.ToMicros(db.Now())); err != nil {
			tx.Rollback()
			return applied, err
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("migration %s: %w", name, err)
		}
		applied = append(applied, name)
	}
	return applied, hashPlainWriteKeys(ctx, conn)
}

// writeTx runs fn in a write transaction. On SQLite it joins the group
// commit (see committer): fn may share the transaction with other writers but
// is isolated from their failures by a savepoint. On PostgreSQL it is retried
// on deadlocks, serialization failures and unique races, which the lock
// protocol of ingestion makes rare but cannot rule out.
// writeLarge is writeTx for large writes: on SQLite in a transaction of
// its own rather than in a savepoint of a group (see committer.runAlone).
func (db *DB) writeLarge(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if db.group != nil {
		return db.group.runAlone(ctx, fn)
	}
	return db.writeTx(ctx, fn)
}

func (db *DB) writeTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if db.group != nil {
		return db.group.run(ctx, fn)
	}
	for attempt := 0; ; attempt++ {
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		err = fn(ctx, tx)
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		if err == nil || !retryable(err) || attempt >= 30 {
			return err
		}
		backoff := time.Duration(1+rand.IntN(5*(attempt+1))) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
}

// Lookups by a list of keys, with one fixed text each (prepared once, see
// prepareHot): PostgreSQL takes the list as an array parameter (a long
// "IN ($1, …)" gets generic plans that scan), SQLite as a JSON array read by
// json_each (it has no arrays, and a text per list length is parsed anew).
const (
	pgExistingMessagesSQL   = "SELECT message_id FROM events WHERE source_id = $1 AND message_id = ANY($2)"
	liteExistingMessagesSQL = "SELECT message_id FROM events WHERE source_id = $1 AND message_id IN (SELECT value FROM json_each($2))"
	pgIdentitiesSQL         = `SELECT i.type, i.value, i.customer_id FROM identities i
		JOIN unnest($1::text[], $2::text[]) AS w(t, v) ON i.type = w.t AND i.value = w.v`
	liteIdentitiesSQL = "SELECT type, value, customer_id FROM identities WHERE (type, value) IN (SELECT value ->> 0, value ->> 1 FROM json_each($1))"
	pgTraitsSQL       = "SELECT customer_id, key, value, updated_us FROM customer_traits WHERE customer_id = ANY($1)"
	liteTraitsSQL     = "SELECT customer_id, key, value, updated_us FROM customer_traits WHERE customer_id IN (SELECT value FROM json_each($1))"
)

// planPerCall makes pgx send a PostgreSQL lookup as an unnamed statement,
// which the server plans for the values at hand. A named (prepared)
// statement may get one generic plan after five runs; made while a fresh
// database's events table was nearly empty, the message-id lookup's plan
// searched the unique index by source alone and filtered every event of the
// source for the ids: 100–600 ms a lookup once the table held tens of
// thousands of rows, until autovacuum's first ANALYZE (BENCHMARKS.md).
const planPerCall = pgx.QueryExecModeCacheDescribe

func (db *DB) existingMessagesQuery(source int64, ids []string) (string, []any) {
	if db.dialect == Postgres {
		return pgExistingMessagesSQL, []any{planPerCall, source, ids}
	}
	return liteExistingMessagesSQL, []any{source, jsonArg(ids)}
}

func (db *DB) identitiesQuery(ids []tp.Identity) (string, []any) {
	if db.dialect == Postgres {
		types, values := make([]string, len(ids)), make([]string, len(ids))
		for i, id := range ids {
			types[i], values[i] = id.Type, id.Value
		}
		return pgIdentitiesSQL, []any{planPerCall, types, values}
	}
	pairs := make([][2]string, len(ids))
	for i, id := range ids {
		pairs[i] = [2]string{id.Type, id.Value}
	}
	return liteIdentitiesSQL, []any{jsonArg(pairs)}
}

func (db *DB) traitsQuery(custs []int64) (string, []any) {
	if db.dialect == Postgres {
		return pgTraitsSQL, []any{planPerCall, custs}
	}
	return liteTraitsSQL, []any{jsonArg(custs)}
}

// dialectSQL are the hot texts of db's dialect alone, for prepareHot. On
// PostgreSQL the lookups are not among them (see planPerCall).
func (db *DB) dialectSQL() []string {
	if db.dialect == Postgres {
		return []string{insertIntakeSQL}
	}
	return []string{liteExistingMessagesSQL, liteIdentitiesSQL, liteTraitsSQL}
}

func jsonArg(v any) string {
	b, _ := json.Marshal(v) // slices of strings and numbers always marshal
	return string(b)
}

// query runs q in tx, through its prepared statement when q is a hot one.
func (db *DB) query(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	if s, ok := db.hot[q]; ok {
		return tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}

// forUpdate is the row-locking clause: PostgreSQL needs it; SQLite has a
// single writer and no such syntax.
func (db *DB) forUpdate() string {
	if db.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func retryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "40001", "40P01", "23505":
			return true
		}
	}
	return false
}

// isUnique reports a unique-constraint violation on either database.
func isUnique(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// placeholders returns "($n,$n+1,…),(…)" for rows×cols parameters starting
// at $start. SQLite gets positional "?" instead: it resolves each "$N" by a
// linear search, which makes a 3,000-parameter INSERT spend most of its time
// parsing. Callers use it only where the list's parameters come last, in order.
func (db *DB) placeholders(rows, cols, start int) string {
	return db.placeholdersAs(rows, cols, start, "")
}

// placeholdersAs is placeholders with every parameter cast to typ, for VALUES
// lists whose types PostgreSQL cannot infer.
func (db *DB) placeholdersAs(rows, cols, start int, typ string) string {
	types := make([]string, cols)
	for i := range types {
		types[i] = typ
	}
	return db.placeholdersTyped(rows, start, types)
}

// placeholdersTyped casts column i's parameters to types[i] ("" for none).
func (db *DB) placeholdersTyped(rows, start int, types []string) string {
	cols := len(types)
	var b strings.Builder
	n := start
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			p := "?"
			if db.dialect != SQLite {
				p = fmt.Sprintf("$%d", n)
			}
			if types[c] != "" {
				p = "CAST(" + p + " AS " + types[c] + ")"
			}
			b.WriteString(p)
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

func nullString(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return nil
	}
	return json.RawMessage(s.String)
}

// IsEmpty reports whether the database holds no users and no sources yet.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM sources)").Scan(&n)
	return n == 0, err
}

// prepareHot prepares the ingest and answer paths' statements once. Parsing them for
// every message would cost more than running them. It must run outside any
// transaction: SQLite's single writer connection is busy inside one.
func (db *DB) prepareHot(ctx context.Context) error {
	db.hotOnce.Do(func() {
		hot := map[string]*sql.Stmt{}
		for _, q := range append(db.dialectSQL(), insertCustomerSQL, refreshSQL, db.insertEventsSQL(flushAt),
			db.responseByInvitationSQL(), db.insertEventsSQL(1)+" RETURNING id", insertResponseSQL, touchCustomerSQL,
			rollupDaySQL, rollupMonthSQL, respondedSQL) {
			s, err := db.w.PrepareContext(ctx, q)
			if err != nil {
				db.hotErr = fmt.Errorf("prepare %q: %w", q, err)
				return
			}
			hot[q] = s
		}
		db.hot = hot
		db.hotErr = db.prepareChunks(ctx)
	})
	return db.hotErr
}

// exec runs q in tx, through its prepared statement when q is a hot one.
func (db *DB) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if s, ok := db.hot[q]; ok {
		return tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

func (db *DB) queryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if s, ok := db.hot[q]; ok {
		return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

func (db *DB) insertEventsSQL(rows int) string {
	return "INSERT INTO events (" + eventCols + ") VALUES " + db.placeholders(rows, eventColCount, 1)
}

// BenchCreateCustomers inserts n empty customers and returns their ids. It
// exists for the ingestion benchmark's raw-INSERT baseline.
func (db *DB) BenchCreateCustomers(ctx context.Context, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	err := db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for range n {
			var id int64
			if err := tx.QueryRowContext(ctx, insertCustomerSQL, tp.ToMicros(db.Now())).Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

// BenchRawInsertEvents inserts event rows (the columns of eventCols) in one
// transaction with one multi-row INSERT: the baseline that ingestion with
// identity resolution is measured against.
// On PostgreSQL it uses COPY, the fastest way in.
func (db *DB) BenchRawInsertEvents(ctx context.Context, rows [][]any) error {
	if db.dialect == Postgres {
		return db.benchCopyEvents(ctx, rows)
	}
	args := make([]any, 0, len(rows)*eventColCount)
	for _, r := range rows {
		args = append(args, r...)
	}
	return db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.insertEventsSQL(len(rows)), args...)
		return err
	})
}

// Pool is the job runner's pool: on SQLite the single writer connection
// (one writer for everything), on PostgreSQL a pool of its own. Jobs are
// enqueued in our transactions either way.
func (db *DB) Pool() *sql.DB {
	if db.jobs != nil {
		return db.jobs
	}
	return db.w
}

// stmtCache prepares a statement once per text and reuses it: SQLite spends
// more time parsing a short query than running it. Only for fixed texts (the
// cache never shrinks) and for the reader pool, whose connections no
// transaction of ours holds while it prepares.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // SQL text → *sql.Stmt
}

func (c *stmtCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := c.m.Load(q); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if old, loaded := c.m.LoadOrStore(q, s); loaded {
		s.Close()
		return old.(*sql.Stmt), nil
	}
	return s, nil
}

// QueryRowContext runs q through its cached statement; a statement that
// cannot be prepared runs unprepared, so its error surfaces from Scan.
func (c *stmtCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	s, err := c.stmt(ctx, q)
	if err != nil {
		return c.db.QueryRowContext(ctx, q, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (c *stmtCache) close() {
	c.m.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
}

// benchCopyEvents is BenchRawInsertEvents through COPY, on a connection of
// the writer pool (COPY is one statement, atomic by itself).
func (db *DB) benchCopyEvents(ctx context.Context, rows [][]any) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		_, err := c.CopyFrom(ctx, pgx.Identifier{"events"}, strings.Split(strings.ReplaceAll(eventCols, " ", ""), ","), pgx.CopyFromRows(rows))
		return err
	})
}
