package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// The ingest path writes in multi-row statements. A statement's text names
// its row count, and SQLite parses every new text (a fifth of the writer's
// time in a profile when the count followed the batch size), so rows go out
// in chunks of a few fixed sizes whose statements are prepared once.
var chunkSizes = []int{256, 64, 16, 4, 1}

// chunked is a multi-row statement: prefix, then one "(…)" per row with
// len(types) parameters (each cast to its type, "" for none), then suffix.
// An UPDATE also has its one-row form for SQLite, whose multi-row
// UPDATE … FROM (VALUES …) measured 5× slower per row than the one-row
// statement run for each row (84 µs against 16 µs, 100 000 customers).
type chunked struct {
	prefix, suffix string
	types          []string
	liteRow        string // SQLite: the statement for one row, ?1… in types' order
}

func cols(n int, typ string) []string {
	t := make([]string, n)
	for i := range t {
		t[i] = typ
	}
	return t
}

// The ingest path's multi-row statements.
var (
	insertCustomers  = chunked{prefix: "INSERT INTO customers (id, created_us, updated_us) VALUES ", types: cols(3, "")}
	insertIdentities = chunked{prefix: "INSERT INTO identities (type, value, customer_id, created_us) VALUES ", types: cols(4, "")}
	upsertTraits     = chunked{prefix: "INSERT INTO customer_traits (customer_id, key, value, updated_us) VALUES ", types: cols(4, ""),
		suffix: " ON CONFLICT (customer_id, key) DO UPDATE SET value = excluded.value, updated_us = excluded.updated_us"}
	insertHistory = chunked{prefix: "INSERT INTO trait_history (customer_id, key, old_value, old_us, new_value, new_us, changed_us, merge_id) VALUES ",
		types: cols(8, "")}
	insertEvents = chunked{prefix: "INSERT INTO events (" + eventCols + ") VALUES ", types: cols(eventColCount, "")}
	// CASE rather than MIN/MAX: SQLite's scalar min() is PostgreSQL's LEAST().
	updateSeen = chunked{prefix: `UPDATE customers SET
		first_seen_us = CASE WHEN first_seen_us = 0 OR first_seen_us > v.f THEN v.f ELSE first_seen_us END,
		last_seen_us = CASE WHEN last_seen_us < v.l THEN v.l ELSE last_seen_us END
		FROM (SELECT column1 AS id, column2 AS f, column3 AS l FROM (VALUES `,
		suffix: `) AS x) AS v WHERE customers.id = v.id`, types: cols(3, "BIGINT"),
		liteRow: `UPDATE customers SET first_seen_us = CASE WHEN first_seen_us = 0 OR first_seen_us > ?2 THEN ?2 ELSE first_seen_us END,
		last_seen_us = CASE WHEN last_seen_us < ?3 THEN ?3 ELSE last_seen_us END WHERE id = ?1`}
	refreshCustomers = chunked{prefix: `UPDATE customers SET name = v.n, email = v.e, phone = v.p, locale = v.l, country = v.c,
		search = v.s, updated_us = v.u FROM (SELECT column1 AS id, column2 AS n, column3 AS e, column4 AS p, column5 AS l,
		column6 AS c, column7 AS s, column8 AS u FROM (VALUES `, suffix: `) AS x) AS v WHERE customers.id = v.id`,
		types:   []string{"BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "BIGINT"},
		liteRow: "UPDATE customers SET name = ?2, email = ?3, phone = ?4, locale = ?5, country = ?6, search = ?7, updated_us = ?8 WHERE id = ?1"}
)

var hotChunked = []*chunked{&insertCustomers, &insertIdentities, &upsertTraits, &insertHistory, &insertEvents, &updateSeen, &refreshCustomers}

func (db *DB) chunkSQL(c *chunked, rows int) string {
	return c.prefix + db.placeholdersTyped(rows, 1, c.types) + c.suffix
}

// execChunked runs c over flat (rows of len(c.types) values), in the
// largest prepared chunks that fit.
func (db *DB) execChunked(ctx context.Context, tx *sql.Tx, c *chunked, flat []any) error {
	n := len(c.types)
	if db.dialect == SQLite && c.liteRow != "" {
		stmt := tx.StmtContext(ctx, db.chunkStmts[chunkKey{c, 0}])
		for ; len(flat) > 0; flat = flat[n:] {
			if _, err := stmt.ExecContext(ctx, flat[:n]...); err != nil {
				return err
			}
		}
		return nil
	}
	for len(flat) > 0 {
		rows := len(flat) / n
		size := chunkSizes[len(chunkSizes)-1]
		for _, s := range chunkSizes {
			if s <= rows {
				size = s
				break
			}
		}
		stmt := db.chunkStmts[chunkKey{c, size}]
		if stmt == nil {
			return fmt.Errorf("no prepared statement for %d rows of %.40q", size, c.prefix)
		}
		if _, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, flat[:size*n]...); err != nil {
			return err
		}
		flat = flat[size*n:]
	}
	return nil
}

type chunkKey struct {
	c    *chunked
	size int
}

// prepareChunks prepares every chunk size of every hot multi-row statement.
func (db *DB) prepareChunks(ctx context.Context) error {
	db.chunkStmts = map[chunkKey]*sql.Stmt{}
	for _, c := range hotChunked {
		if db.dialect == SQLite && c.liteRow != "" {
			s, err := db.w.PrepareContext(ctx, c.liteRow)
			if err != nil {
				return fmt.Errorf("prepare %.60q: %w", c.liteRow, err)
			}
			db.chunkStmts[chunkKey{c, 0}] = s
			continue
		}
		for _, size := range chunkSizes {
			q := db.chunkSQL(c, size)
			s, err := db.w.PrepareContext(ctx, q)
			if err != nil {
				return fmt.Errorf("prepare %.60q: %w", q, err)
			}
			db.chunkStmts[chunkKey{c, size}] = s
		}
	}
	return nil
}
