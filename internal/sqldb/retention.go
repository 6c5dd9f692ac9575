package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Retention: per kind of data a period, after which a daily job deletes or
// anonymises what is older and reports what it did. It works in slices of
// ids, each its own short transaction, so that it never holds SQLite's one
// writer for long.

const retentionSlice = 20000 // ids per slice

// retainQuarantine is the refused messages' fixed period (30 days).
const retainQuarantine = "quarantine"

// Retention returns the periods in force (defaults where none was set) and
// the last run's report (nil before the first).
func (s *PrivacyService) Retention(ctx context.Context) (tp.Retention, *tp.RetentionReport, error) {
	if err := can(ctx, tp.ActPrivacyManage); err != nil {
		return nil, nil, err
	}
	r, err := s.db.retention(ctx)
	if err != nil {
		return nil, nil, err
	}
	var last *tp.RetentionReport
	var v string
	switch err := s.db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'retention_last'").Scan(&v); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, nil, err
	default:
		last = &tp.RetentionReport{}
		if err := json.Unmarshal([]byte(v), last); err != nil {
			return nil, nil, err
		}
	}
	return r, last, nil
}

func (db *DB) retention(ctx context.Context) (tp.Retention, error) {
	r := tp.Retention{}
	for k, d := range tp.DefaultRetention {
		r[k] = d
	}
	var v string
	err := db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'retention'").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	var set tp.Retention
	if err := json.Unmarshal([]byte(v), &set); err != nil {
		return nil, err
	}
	for k, d := range set {
		r[k] = d
	}
	return r, nil
}

// SetRetention stores retention periods (kinds not named keep theirs).
func (s *PrivacyService) SetRetention(ctx context.Context, r tp.Retention) error {
	if err := can(ctx, tp.ActPrivacyManage); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	cur, err := s.db.retention(ctx)
	if err != nil {
		return err
	}
	for k, d := range r {
		cur[k] = d
	}
	b, _ := json.Marshal(cur)
	return s.db.auditTx(ctx, "retention.set", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('retention', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(b))
		return "retention periods", string(b), err
	})
}

// RunRetention deletes or anonymises what is older than its kind's period
// and reports it: raw events are deleted; survey comments and free-text
// answers are cleared (scores stay); closed cases lose their texts, trail
// bodies, messages and attachments (category, times and outcome stay);
// complaint mails as received and attachments are deleted.
func (s *PrivacyService) RunRetention(ctx context.Context) (*tp.RetentionReport, error) {
	if err := can(ctx, tp.ActPrivacyManage); err != nil {
		return nil, err
	}
	db := s.db
	periods, err := db.retention(ctx)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	rep := &tp.RetentionReport{At: now, Periods: periods, Done: map[string]int{}}
	cutoff := func(kind string) int64 {
		if kind == retainQuarantine {
			return tp.ToMicros(now.AddDate(0, 0, -30)) // a debugging aid: a month is plenty
		}
		if periods[kind] <= 0 {
			return 0
		}
		return tp.ToMicros(now.AddDate(0, 0, -periods[kind]))
	}
	cases, _ := dataTableOf("cases")
	events, _ := dataTableOf("case_events")
	for _, w := range []struct {
		label, table, kind string
		stmts              []string // $1, $2: the id window; $3: the cutoff
	}{
		{"events deleted", "events", tp.RetainEvents, []string{"DELETE FROM events WHERE id >= $1 AND id < $2 AND ts_us < $3"}},
		{"comments cleared", "responses", tp.RetainComments, []string{`UPDATE responses SET comment = '', answers = '{}'
			WHERE id >= $1 AND id < $2 AND created_us < $3 AND (comment <> '' OR answers <> '{}')`}},
		{"case texts cleared", "cases", tp.RetainCases, []string{
			"DELETE FROM case_attachments WHERE case_id IN (SELECT id FROM cases WHERE id >= $1 AND id < $2 AND status = 'closed' AND updated_us < $3)",
			"DELETE FROM case_messages WHERE case_id IN (SELECT id FROM cases WHERE id >= $1 AND id < $2 AND status = 'closed' AND updated_us < $3)",
			"UPDATE case_events SET " + anonSet(events) + " WHERE case_id IN (SELECT id FROM cases WHERE id >= $1 AND id < $2 AND status = 'closed' AND updated_us < $3)",
			"UPDATE cases SET " + strings.Replace(anonSet(cases), "'[erased]'", "'[expired]'", 1) +
				" WHERE id >= $1 AND id < $2 AND status = 'closed' AND updated_us < $3 AND subject <> '[expired]'"}},
		{"mails deleted", "inbound_mail", tp.RetainMail, []string{"DELETE FROM inbound_mail WHERE id >= $1 AND id < $2 AND received_us < $3"}},
		{"refused messages deleted", "quarantine", retainQuarantine, []string{"DELETE FROM quarantine WHERE id >= $1 AND id < $2 AND received_us < $3"}},
		{"attachments deleted", "case_attachments", tp.RetainMail, []string{"DELETE FROM case_attachments WHERE id >= $1 AND id < $2 AND created_us < $3"}},
	} {
		cut := cutoff(w.kind)
		if cut == 0 {
			continue
		}
		n, err := db.inSlices(ctx, w.table, cut, w.stmts)
		if err != nil {
			return rep, fmt.Errorf("retention, %s: %w", w.label, err)
		}
		rep.Done[w.label] += n
	}
	touched := map[string]bool{}
	for label, n := range rep.Done {
		if n > 0 {
			for _, t := range map[string][]string{"events deleted": {"events"}, "comments cleared": {"responses"},
				"case texts cleared": {"cases", "case_events", "case_messages", "case_attachments"}, "mails deleted": {"inbound_mail"},
				"attachments deleted": {"case_attachments"}, "refused messages deleted": {"quarantine"}}[label] {
				touched[t] = true
			}
		}
	}
	b, _ := json.Marshal(rep)
	err = db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for t := range touched {
			if err := db.scrubLater(ctx, tx, t, tp.ToMicros(now)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('retention_last', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(b)); err != nil {
			return err
		}
		return audit(ctx, tx, tp.ToMicros(now), "retention.run", "retention", rep.String())
	})
	if err != nil {
		return rep, err
	}
	rep.Scrub = "nothing to scrub"
	if len(touched) > 0 {
		rep.Scrub, err = db.scrubSoon(ctx)
	}
	return rep, err
}

// anonSet is the SET list that anonymises a table's personal columns.
func anonSet(t dataTable) string {
	var sets []string
	for _, c := range t.PII {
		if v, ok := t.Anon[c]; ok {
			sets = append(sets, c+" = "+v)
		}
	}
	return strings.Join(sets, ", ")
}

// inSlices runs stmts over table's ids in windows, each window one short
// write transaction, and counts the rows the last statement touched.
func (db *DB) inSlices(ctx context.Context, table string, cutoff int64, stmts []string) (int, error) {
	var lo, hi sql.NullInt64
	if err := db.r.QueryRowContext(ctx, "SELECT MIN(id), MAX(id) FROM "+table).Scan(&lo, &hi); err != nil || !lo.Valid {
		return 0, err
	}
	total := 0
	for a := lo.Int64; a <= hi.Int64; a += retentionSlice {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var n int64
		err := db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, q := range stmts {
				res, err := tx.ExecContext(ctx, q, a, a+retentionSlice, cutoff)
				if err != nil {
					return err
				}
				n, _ = res.RowsAffected() // the last statement's count is the report's
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += int(n)
	}
	return total, nil
}
