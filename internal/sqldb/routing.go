package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CreateRoutingRule adds a rule at its position (or last).
func (s *RoutingService) CreateRoutingRule(ctx context.Context, r *tp.RoutingRule) error {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if r.SegmentID != 0 {
		if _, err := findSegment(ctx, s.db.r, r.SegmentID); err != nil {
			return err
		}
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if r.Position <= 0 {
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM routing_rules").Scan(&r.Position); err != nil {
				return err
			}
		}
		b, _ := json.Marshal(r)
		if err := tx.QueryRowContext(ctx, "INSERT INTO routing_rules (position, rule) VALUES ($1, $2) RETURNING id", r.Position, string(b)).Scan(&r.ID); err != nil {
			return err
		}
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), "routing.create", fmt.Sprintf("routing rule %d", r.ID), string(b))
	})
}

// ListRoutingRules lists rules in the order they are tried.
func (s *RoutingService) ListRoutingRules(ctx context.Context) ([]tp.RoutingRule, error) {
	if err := can(ctx, tp.ActCaseSettingsRd); err != nil {
		return nil, err
	}
	return listRules(ctx, s.db.r)
}

func listRules(ctx context.Context, q querier) ([]tp.RoutingRule, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, position, rule FROM routing_rules ORDER BY position, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.RoutingRule{}
	for rows.Next() {
		var r tp.RoutingRule
		var id int64
		var pos int
		var raw string
		if err := rows.Scan(&id, &pos, &raw); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, err
		}
		r.ID, r.Position = id, pos
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteRoutingRule removes a rule.
func (s *RoutingService) DeleteRoutingRule(ctx context.Context, id int64) error {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return err
	}
	return s.db.auditTx(ctx, "routing.delete", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		res, err := tx.ExecContext(ctx, "DELETE FROM routing_rules WHERE id = $1", id)
		if err != nil {
			return "", "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return "", "", tp.Errorf(tp.ENOTFOUND, "routing rule %d not found", id)
		}
		return fmt.Sprintf("routing rule %d", id), "", nil
	})
}

// route applies the first matching rule to a case that arrived without a
// department, in the case's transaction; no match leaves it for triage.
func (db *DB) route(ctx context.Context, tx *sql.Tx, c *tp.Case) (string, error) {
	rules, err := listRules(ctx, tx)
	if err != nil {
		return "", err
	}
	for _, r := range rules {
		if !r.Matches(c) {
			continue
		}
		if r.SegmentID != 0 {
			seg, err := findSegment(ctx, tx, r.SegmentID)
			if tp.ErrorCode(err) == tp.ENOTFOUND {
				continue // the segment was deleted: the rule cannot match
			}
			if err != nil {
				return "", err
			}
			where, args := db.segmentWhereOne(seg, 2)
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM customers c WHERE c.id = $1 AND "+where,
				append([]any{c.CustomerID}, args...)...).Scan(&n); err != nil {
				return "", err
			}
			if n == 0 {
				continue
			}
		}
		c.Department = r.Department
		if r.Priority != "" {
			c.Priority = r.Priority
		}
		if r.Assign {
			if c.AssigneeID, err = db.nextAgent(ctx, tx, r.Department); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("rule %q", r.Name), nil
	}
	return "", nil
}

// nextAgent gives the department's agents turns, in id order (0: none).
func (db *DB) nextAgent(ctx context.Context, tx *sql.Tx, dept string) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, "SELECT last_user FROM routing_turns WHERE department = $1"+db.forUpdate(), dept).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	var next int64
	q := "SELECT id FROM users WHERE deactivated_us = 0 AND role = 'agent' AND department = $1 AND id > $2 ORDER BY id LIMIT 1"
	err = tx.QueryRowContext(ctx, q, dept, last).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) { // wrap around
		err = tx.QueryRowContext(ctx, q, dept, 0).Scan(&next)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO routing_turns (department, last_user) VALUES ($1, $2)
		ON CONFLICT (department) DO UPDATE SET last_user = excluded.last_user`, dept, next)
	return next, err
}
