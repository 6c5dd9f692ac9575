package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// AuditService keeps the audit log.
type AuditService struct{ db *DB }

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// audit appends a line to the audit log through q: the transaction of the
// change it records, so that no change lands without its line.
func audit(ctx context.Context, q execer, now int64, action, object, detail string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO audit_log (at_us, actor, action, object, detail, address) VALUES ($1, $2, $3, $4, $5, $6)`,
		now, actorOf(ctx), action, object, detail, tp.AddressFrom(ctx))
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// auditTx runs change and its audit line in one write transaction; change
// says what it changed (object) and how (detail).
func (db *DB) auditTx(ctx context.Context, action string, change func(ctx context.Context, tx *sql.Tx) (object, detail string, err error)) error {
	return db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		object, detail, err := change(ctx, tx)
		if err != nil {
			return err
		}
		return audit(ctx, tx, tp.ToMicros(db.Now()), action, object, detail)
	})
}

// Record appends an entry made by the web layer (an export, a token's use).
func (s *AuditService) Record(ctx context.Context, e tp.AuditEntry) error {
	if err := can(ctx, tp.ActAuditRecord); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), e.Action, e.Object, e.Detail)
	})
}

// ListAudit streams entries, newest first.
func (s *AuditService) ListAudit(ctx context.Context, f tp.AuditFilter, each func(tp.AuditEntry) error) error {
	if err := can(ctx, tp.ActAuditRead); err != nil {
		return err
	}
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "."); ok {
		add("action LIKE $%d ESCAPE '\\'", likeEscape(prefix)+".%")
	} else if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if !f.From.IsZero() {
		add("at_us >= $%d", tp.ToMicros(f.From))
	}
	if !f.To.IsZero() {
		add("at_us < $%d", tp.ToMicros(f.To))
	}
	if f.BeforeID > 0 {
		add("id < $%d", f.BeforeID)
	}
	q := "SELECT id, at_us, actor, action, object, detail, address FROM audit_log WHERE " + strings.Join(where, " AND ") + " ORDER BY id DESC"
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := s.db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e tp.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.Address); err != nil {
			return err
		}
		e.At = tp.FromMicros(at)
		if err := each(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
