package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The ingest path writes many rows per statement. On SQLite a statement's
// text names its row count, and SQLite parses every new text (a fifth of the
// writer's time in a profile when the count followed the batch size), so
// rows go out in chunks of a few fixed sizes whose statements are prepared
// once; SQLite's multi-row UPDATE … FROM (VALUES …) measured 5× slower per
// row than a one-row UPDATE run for each row (84 µs against 16 µs at
// 100 000 customers), so updates go row by row. PostgreSQL takes one
// statement over column arrays (unnest) for any number of rows: one text,
// one round trip, no parameter limit.
var chunkSizes = []int{256, 64, 16, 4, 1}

// chunked is one such write in both dialects.
type chunked struct {
	cols       int
	lite       string   // SQLite: an INSERT's text up to VALUES, for multi-row chunks
	liteSuffix string   // after the rows
	liteRow    string   // SQLite: the statement for one row (an UPDATE), ?1… in column order
	pg         string   // PostgreSQL: the statement over $1…$cols, one array per column
	pgTypes    []string // the arrays' element types, "bigint" or "text"
}

func unnest(types ...string) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("$%d::%s[]", i+1, t)
	}
	return "unnest(" + strings.Join(parts, ", ") + ")"
}

var (
	eventTypes    = []string{"text", "bigint", "bigint", "text", "text", "text", "text", "text", "bigint", "bigint", "text", "text", "text", "text", "text"}
	traitTypes    = []string{"bigint", "text", "text", "bigint"}
	historyTypes  = []string{"bigint", "text", "text", "bigint", "text", "bigint", "bigint", "bigint"}
	identityTypes = []string{"text", "text", "bigint", "bigint"}
	seenTypes     = []string{"bigint", "bigint", "bigint"}
	// the profile columns, then first and last seen
	refreshSeenTypes = []string{"bigint", "text", "text", "text", "text", "text", "text", "bigint", "bigint", "bigint"}
)

// The ingest path's writes.
var (
	insertCustomers = chunked{cols: 3, lite: "INSERT INTO customers (id, created_us, updated_us) VALUES ",
		pg: "INSERT INTO customers (id, created_us, updated_us) SELECT * FROM " + unnest("bigint", "bigint", "bigint"), pgTypes: []string{"bigint", "bigint", "bigint"}}
	insertIdentities = chunked{cols: 4, lite: "INSERT INTO identities (type, value, customer_id, created_us) VALUES ",
		pg: "INSERT INTO identities (type, value, customer_id, created_us) SELECT * FROM " + unnest(identityTypes...), pgTypes: identityTypes}
	upsertTraits = chunked{cols: 4, lite: "INSERT INTO customer_traits (customer_id, key, value, updated_us) VALUES ",
		liteSuffix: traitConflict,
		pg:         "INSERT INTO customer_traits (customer_id, key, value, updated_us) SELECT * FROM " + unnest(traitTypes...) + traitConflict,
		pgTypes:    traitTypes}
	insertHistory = chunked{cols: 8, lite: "INSERT INTO trait_history (" + historyCols + ") VALUES ",
		pg: "INSERT INTO trait_history (" + historyCols + ") SELECT * FROM " + unnest(historyTypes...), pgTypes: historyTypes}
	insertEvents = chunked{cols: eventColCount, lite: "INSERT INTO events (" + eventCols + ") VALUES ",
		pg: "INSERT INTO events (" + eventCols + ") SELECT * FROM " + unnest(eventTypes...), pgTypes: eventTypes}
	updateSeen = chunked{cols: 3,
		liteRow: "UPDATE customers SET " + seenSet("?2", "?3") + " WHERE id = ?1",
		pg:      "UPDATE customers SET " + seenSet("v.f", "v.l") + " FROM " + unnest(seenTypes...) + " AS v(id, f, l) WHERE customers.id = v.id", pgTypes: seenTypes}
	// The profile columns alone (a customer merged away in the transaction)
	// and with the seen span, in one row write.
	refreshCustomers = chunked{cols: 8,
		liteRow: "UPDATE customers SET " + liteProfileSet + " WHERE id = ?1",
		pg:      "UPDATE customers SET " + pgProfileSet + " FROM " + unnest(refreshSeenTypes[:8]...) + " AS v(id, n, e, p, l, c, s, u) WHERE customers.id = v.id",
		pgTypes: refreshSeenTypes[:8]}
	refreshSeen = chunked{cols: 10,
		liteRow: "UPDATE customers SET " + liteProfileSet + ", " + seenSet("?9", "?10") + " WHERE id = ?1",
		pg: "UPDATE customers SET " + pgProfileSet + ", " + seenSet("v.f", "v.ls") + " FROM " + unnest(refreshSeenTypes...) +
			" AS v(id, n, e, p, l, c, s, u, f, ls) WHERE customers.id = v.id",
		pgTypes: refreshSeenTypes}
)

// seenSet widens first/last seen to first and last. CASE rather than
// MIN/MAX: SQLite's scalar min() is PostgreSQL's LEAST().
func seenSet(first, last string) string {
	return "first_seen_us = CASE WHEN first_seen_us = 0 OR first_seen_us > " + first + " THEN " + first + " ELSE first_seen_us END, " +
		"last_seen_us = CASE WHEN last_seen_us < " + last + " THEN " + last + " ELSE last_seen_us END"
}

const (
	liteProfileSet = "name = ?2, email = ?3, phone = ?4, locale = ?5, country = ?6, search = ?7, updated_us = ?8"
	pgProfileSet   = "name = v.n, email = v.e, phone = v.p, locale = v.l, country = v.c, search = v.s, updated_us = v.u"
	traitConflict  = " ON CONFLICT (customer_id, key) DO UPDATE SET value = excluded.value, updated_us = excluded.updated_us"
	historyCols    = "customer_id, key, old_value, old_us, new_value, new_us, changed_us, merge_id"
)

var hotChunked = []*chunked{&insertCustomers, &insertIdentities, &upsertTraits, &insertHistory, &insertEvents, &updateSeen, &refreshCustomers, &refreshSeen}

func (db *DB) chunkSQL(c *chunked, rows int) string {
	return c.lite + db.placeholders(rows, c.cols, 1) + c.liteSuffix
}

// execChunked writes flat (rows of c.cols values).
func (db *DB) execChunked(ctx context.Context, tx *sql.Tx, c *chunked, flat []any) error {
	if len(flat) == 0 {
		return nil
	}
	n := c.cols
	switch {
	case db.dialect == Postgres:
		_, err := tx.StmtContext(ctx, db.chunkStmts[chunkKey{c, 0}]).ExecContext(ctx, columns(flat, c.pgTypes)...)
		return err
	case c.liteRow != "":
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
		if _, err := tx.StmtContext(ctx, db.chunkStmts[chunkKey{c, size}]).ExecContext(ctx, flat[:size*n]...); err != nil {
			return err
		}
		flat = flat[size*n:]
	}
	return nil
}

// columns turns flat rows into one array per column for PostgreSQL: values
// are int64, int, string or nil (NULL).
func columns(flat []any, types []string) []any {
	n := len(types)
	rows := len(flat) / n
	out := make([]any, n)
	for c, t := range types {
		if t == "bigint" {
			col := make([]*int64, rows)
			for r := range rows {
				switch v := flat[r*n+c].(type) {
				case int64:
					col[r] = &v
				case int:
					x := int64(v)
					col[r] = &x
				}
			}
			out[c] = col
			continue
		}
		col := make([]*string, rows)
		for r := range rows {
			if v, ok := flat[r*n+c].(string); ok {
				col[r] = &v
			}
		}
		out[c] = col
	}
	return out
}

type chunkKey struct {
	c    *chunked
	size int
}

// prepareChunks prepares every hot write: on SQLite each chunk size (or
// the one-row form), on PostgreSQL the array form.
func (db *DB) prepareChunks(ctx context.Context) error {
	db.chunkStmts = map[chunkKey]*sql.Stmt{}
	prep := func(c *chunked, size int, q string) error {
		s, err := db.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %.60q: %w", q, err)
		}
		db.chunkStmts[chunkKey{c, size}] = s
		return nil
	}
	for _, c := range hotChunked {
		var err error
		switch {
		case db.dialect == Postgres:
			err = prep(c, 0, c.pg)
		case c.liteRow != "":
			err = prep(c, 0, c.liteRow)
		default:
			for _, size := range chunkSizes {
				if err = prep(c, size, db.chunkSQL(c, size)); err != nil {
					break
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}
