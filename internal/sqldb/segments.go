package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CreateSegment saves a segment.
func (s *SegmentService) CreateSegment(ctx context.Context, seg *tp.Segment) error {
	if err := can(ctx, tp.ActSegmentManage); err != nil {
		return err
	}
	if err := seg.Validate(); err != nil {
		return err
	}
	conds, _ := json.Marshal(seg.Conditions)
	seg.CreatedAt = s.db.Now()
	return s.db.w.QueryRowContext(ctx, "INSERT INTO segments (name, description, conditions, created_us) VALUES ($1, $2, $3, $4) RETURNING id",
		seg.Name, seg.Description, string(conds), tp.ToMicros(seg.CreatedAt)).Scan(&seg.ID)
}

func scanSegment(row interface{ Scan(...any) error }) (*tp.Segment, error) {
	var s tp.Segment
	var conds string
	var created int64
	if err := row.Scan(&s.ID, &s.Name, &s.Description, &conds, &created); err != nil {
		return nil, err
	}
	s.CreatedAt = tp.FromMicros(created)
	return &s, json.Unmarshal([]byte(conds), &s.Conditions)
}

// ListSegments lists segments by name.
func (s *SegmentService) ListSegments(ctx context.Context) ([]tp.Segment, error) {
	if err := can(ctx, tp.ActSegmentRead); err != nil {
		return nil, err
	}
	return listSegments(ctx, s.db.r)
}

func listSegments(ctx context.Context, q querier) ([]tp.Segment, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name, description, conditions, created_us FROM segments ORDER BY name, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.Segment{}
	for rows.Next() {
		seg, err := scanSegment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *seg)
	}
	return out, rows.Err()
}

// FindSegment returns one segment.
func (s *SegmentService) FindSegment(ctx context.Context, id int64) (*tp.Segment, error) {
	if err := can(ctx, tp.ActSegmentRead); err != nil {
		return nil, err
	}
	return findSegment(ctx, s.db.r, id)
}

func findSegment(ctx context.Context, q querier, id int64) (*tp.Segment, error) {
	seg, err := scanSegment(q.QueryRowContext(ctx, "SELECT id, name, description, conditions, created_us FROM segments WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.ENOTFOUND, "segment %d not found", id)
	}
	return seg, err
}

// traitNumber is a trait's JSON value as a number, NULL when it is none
// (a number may be stored as 5 or "5"; text like "gold" compares as NULL,
// so it is in no numeric range). PostgreSQL would fail on a cast of text,
// SQLite would read it as 0: both are guarded by a pattern.
func (db *DB) traitNumber(col string) string {
	if db.dialect == Postgres {
		return "(CASE WHEN btrim(" + col + `, '"') ~ '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$' THEN CAST(btrim(` + col + `, '"') AS DOUBLE PRECISION) END)`
	}
	return "(CASE WHEN trim(" + col + `, '"') GLOB '[0-9]*' OR trim(` + col + `, '"') GLOB '-[0-9]*' THEN CAST(trim(` + col + `, '"') AS REAL) END)`
}

// segmentWhere turns a segment's conditions into a condition on customers c,
// with its parameters numbered from start: set-based, each condition one
// pass over its table for every customer at once (counts, lists, slices).
func (db *DB) segmentWhere(s *tp.Segment, start int) (string, []any) {
	return db.segmentSQL(s, start, segmentScope{})
}

// segmentWhereOne is segmentWhere for a query about one customer c (is this
// case's customer in the segment?): each condition looks up c's own rows
// by index instead of computing the whole set.
func (db *DB) segmentWhereOne(s *tp.Segment, start int) (string, []any) {
	return db.segmentSQL(s, start, segmentScope{one: true})
}

// segmentScope narrows a segment's SQL: to one customer c, or to the
// customers of ids lo…hi (a part of a count run side by side), each
// condition reading only their rows; the zero value is every customer.
type segmentScope struct {
	one    bool
	ranged bool
	lo, hi int64
}

func (db *DB) segmentSQL(s *tp.Segment, start int, sc segmentScope) (string, []any) {
	var parts []string
	var args []any
	p := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", start+len(args)-1)
	}
	own := func(alias string) string { // the scope's rows only
		switch {
		case sc.one:
			return alias + ".customer_id = c.id AND "
		case sc.ranged:
			return alias + ".customer_id BETWEEN " + p(sc.lo) + " AND " + p(sc.hi) + " AND "
		}
		return ""
	}
	traitIn := func() string { return "c.id IN (SELECT t.customer_id FROM customer_traits t WHERE " + own("t") }
	// cond is one condition's SQL; every case below adds exactly one part.
	var cond func(c tp.Condition) string
	cond = func(c tp.Condition) string {
		var parts []string
		switch c.Kind {
		case "any":
			var alts []string
			for _, sub := range c.Any {
				alts = append(alts, cond(sub))
			}
			parts = append(parts, "("+strings.Join(alts, " OR ")+")")
		case "trait":
			key := p(c.Key)
			switch c.Op {
			case "exists":
				parts = append(parts, traitIn()+"t.key = "+key+")")
			case "gt", "gte", "lt", "lte", "between":
				num := db.traitNumber("t.value")
				var cond string
				switch c.Op {
				case "between":
					lo, hi, _ := c.Range()
					cond = num + " BETWEEN " + p(lo) + " AND " + p(hi)
				default:
					v, _ := strconv.ParseFloat(c.Value, 64)
					cond = num + map[string]string{"gt": " > ", "gte": " >= ", "lt": " < ", "lte": " <= "}[c.Op] + p(v)
				}
				parts = append(parts, traitIn()+"t.key = "+key+" AND "+cond+")")
			case "in":
				var alts []string
				for _, v := range c.List() {
					str, _ := json.Marshal(v)
					alts = append(alts, p(string(str)), p(v)) // "5" may be stored as 5 or "5"
				}
				parts = append(parts, traitIn()+"t.key = "+key+
					" AND t.value IN ("+strings.Join(alts, ", ")+"))")
			case "contains":
				parts = append(parts, traitIn()+"t.key = "+key+
					" AND lower(t.value) LIKE "+p("%"+likeEscape(strings.ToLower(c.Value))+"%")+" ESCAPE '\\')")
			default: // eq, neq: traits are JSON; "5" may be stored as 5 or "5"
				str, _ := json.Marshal(c.Value)
				vals := p(string(str))
				alt := vals
				if _, err := strconv.ParseFloat(c.Value, 64); err == nil || c.Value == "true" || c.Value == "false" {
					alt = p(c.Value)
				}
				cond := traitIn() + "t.key = " + key +
					" AND (t.value = " + vals + " OR t.value = " + alt + "))"
				if c.Op == "neq" {
					cond = "NOT " + cond
				}
				parts = append(parts, cond)
			}
		case "nps":
			// Each customer's latest NPS answer, in one pass over the answers.
			latest := "c.id IN (SELECT x.customer_id FROM (SELECT r.customer_id, r.score, ROW_NUMBER() OVER (PARTITION BY r.customer_id " +
				"ORDER BY r.created_us DESC, r.id DESC) AS rn FROM responses r JOIN surveys sv ON sv.id = r.survey_id " +
				"WHERE " + own("r") + "r.customer_id IS NOT NULL AND sv.type = 'nps' AND r.score IS NOT NULL) x WHERE x.rn = 1 AND x.score "
			parts = append(parts, latest+map[string]string{"promoter": ">= 9)", "passive": "BETWEEN 7 AND 8)", "detractor": "<= 6)"}[c.Op])
		case "risk":
			parts = append(parts, "c.id IN (SELECT f.customer_id FROM customer_scores f WHERE "+own("f")+"f.risk_band = "+p(c.Op)+")")
		case "value_tier":
			parts = append(parts, "c.id IN (SELECT f.customer_id FROM customer_scores f WHERE "+own("f")+"f.value_tier = "+p(c.Op)+")")
		case "open_cases":
			open := "SELECT x.customer_id FROM cases x WHERE " + own("x") + "x.status NOT IN ('resolved', 'closed')"
			if c.Count == 0 {
				parts = append(parts, "c.id NOT IN ("+open+")")
			} else {
				parts = append(parts, "c.id IN ("+open+" GROUP BY x.customer_id HAVING COUNT(*) >= "+p(c.Count)+")")
			}
		case "event":
			since := tp.ToMicros(db.Now().Add(-time.Duration(c.Days) * 24 * time.Hour))
			// One range scan of the (name, customer_id, ts_us) index, never
			// visiting the events themselves, for all customers at once; in
			// customer order, so a count groups without sorting.
			sel := "SELECT e.customer_id FROM events e WHERE " + own("e") + "e.name = " + p(c.Event) + " AND e.ts_us >= " + p(since)
			switch c.Op {
			case "atleast":
				parts = append(parts, "c.id IN ("+sel+" GROUP BY e.customer_id HAVING COUNT(*) >= "+p(c.Count)+")")
			case "none":
				parts = append(parts, "c.id NOT IN ("+sel+")")
			default:
				parts = append(parts, "c.id IN ("+sel+")")
			}
		}
		return strings.Join(parts, "")
	}
	// The score conditions of the top level (risk band, value tier) read
	// one row per customer of one table: they become one list of ids, put
	// first, rather than a list each (at a million customers the lists of
	// 781 k and 244 k ids cost more than their intersection; BENCHMARKS.md).
	var scored []string
	for _, c := range s.Conditions {
		switch c.Kind {
		case "risk":
			scored = append(scored, "f.risk_band = "+p(c.Op))
		case "value_tier":
			scored = append(scored, "f.value_tier = "+p(c.Op))
		}
	}
	if len(scored) > 0 {
		parts = append(parts, "c.id IN (SELECT f.customer_id FROM customer_scores f WHERE "+own("f")+strings.Join(scored, " AND ")+")")
	}
	for _, c := range s.Conditions {
		if c.Kind != "risk" && c.Kind != "value_tier" {
			parts = append(parts, cond(c))
		}
	}
	if sc.ranged {
		parts = append(parts, "c.id BETWEEN "+p(sc.lo)+" AND "+p(sc.hi))
	}
	// A customer who objected to profiling (GDPR Art. 21) is in no segment.
	return "c.merged_into IS NULL AND NOT " + objected("c.id", tp.PurposeProfiling) + " AND " + strings.Join(parts, " AND "), args
}

// countMembers counts a segment's members now, in id ranges side by side
// on as many readers as there are cores (four at most): at a million
// customers most of a count is grouping an event count's events (1.3 M
// orders of 90 days), and each range groups only its own customers' events
// (BENCHMARKS.md, "The segment count in id ranges").
func (db *DB) countMembers(ctx context.Context, seg *tp.Segment) (int, error) {
	var maxID int64
	if err := db.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM customers").Scan(&maxID); err != nil {
		return 0, err
	}
	parts := int64(min(runtime.GOMAXPROCS(0), 4))
	counts := make([]int, parts)
	var g errgroup.Group
	for k := range parts {
		sc := segmentScope{ranged: true, lo: maxID*k/parts + 1, hi: maxID * (k + 1) / parts}
		g.Go(func() error {
			where, args := db.segmentSQL(seg, 1, sc)
			return db.countRange(ctx, "SELECT COUNT(*) FROM customers c WHERE "+where, args, &counts[k])
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n, nil
}

// countRange runs one range's count. On PostgreSQL without parallel workers
// and with room to group in memory: the ranges are the parallelism already,
// and a range's plan with two workers had each of them build the same hash of
// the range's grouped orders (three times the work on two cores), spilling
// to disk at the default work_mem (BENCHMARKS.md, "The million on
// PostgreSQL").
func (db *DB) countRange(ctx context.Context, q string, args []any, n *int) error {
	if db.dialect != Postgres {
		return db.r.QueryRowContext(ctx, q, args...).Scan(n)
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '64MB'"); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, q, args...).Scan(n)
}

// PreviewSegment counts the customers an unsaved segment would hold now, so
// that its rules can be tried while they are written.
func (s *SegmentService) PreviewSegment(ctx context.Context, seg *tp.Segment) (int, error) {
	if err := can(ctx, tp.ActSegmentRead); err != nil {
		return 0, err
	}
	if seg.Name == "" {
		seg.Name = "preview" // the rules are what is checked
	}
	if err := seg.Validate(); err != nil {
		return 0, err
	}
	n, err := s.db.countMembers(ctx, seg)
	if err != nil {
		return 0, fmt.Errorf("segment preview: %w", err)
	}
	return n, nil
}

// SegmentMembers computes a segment's members now: up to limit ids (0: all)
// and the total count.
func (s *SegmentService) SegmentMembers(ctx context.Context, id int64, limit int) ([]int64, int, error) {
	if err := can(ctx, tp.ActSegmentRead); err != nil {
		return nil, 0, err
	}
	seg, err := s.FindSegment(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.db.countMembers(ctx, seg)
	if err != nil {
		return nil, 0, fmt.Errorf("segment %d: %w", id, err)
	}
	where, args := s.db.segmentWhere(seg, 1)
	q := "SELECT c.id FROM customers c WHERE " + where + " ORDER BY c.id"
	if limit > 0 {
		args = append(args, limit)
		q += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := s.db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			return nil, 0, err
		}
		ids = append(ids, c)
	}
	return ids, total, rows.Err()
}

// membersOf is " AND col IN (the segment's current members)", with its
// arguments numbered from start.
func (db *DB) membersOf(seg *tp.Segment, col string, start int) (string, []any) {
	where, args := db.segmentWhere(seg, start)
	return " AND " + col + " IN (SELECT c.id FROM customers c WHERE " + where + ")", args
}

// segmentCond is "col IN (the current members of segment id)" for list filters.
func (db *DB) segmentCond(ctx context.Context, id int64, col string, start int) (string, []any, error) {
	seg, err := findSegment(ctx, db.r, id)
	if err != nil {
		return "", nil, err
	}
	cond, args := db.membersOf(seg, col, start)
	return strings.TrimPrefix(cond, " AND "), args, nil
}

// CustomerSegments returns the saved segments a customer is a member of now,
// each decided by the segment's own condition on that one customer's row.
func (s *SegmentService) CustomerSegments(ctx context.Context, customerID int64) ([]tp.Segment, error) {
	if err := can(ctx, tp.ActSegmentRead); err != nil {
		return nil, err
	}
	segs, err := s.ListSegments(ctx)
	if err != nil {
		return nil, err
	}
	var out []tp.Segment
	for _, seg := range segs {
		where, args := s.db.segmentWhereOne(&seg, 2)
		var n int
		if err := s.db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM customers c WHERE c.id = $1 AND "+where, append([]any{customerID}, args...)...).Scan(&n); err != nil {
			return nil, fmt.Errorf("segment %d: %w", seg.ID, err)
		}
		if n > 0 {
			out = append(out, seg)
		}
	}
	return out, nil
}
