package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

const actionCols = "id, title, owner_id, department, due, kpi, slice, status, created_by, created_us, updated_us, origin"

func scanAction(row interface{ Scan(...any) error }) (*tp.ActionItem, error) {
	var a tp.ActionItem
	var created, updated int64
	if err := row.Scan(&a.ID, &a.Title, &a.OwnerID, &a.Department, &a.Due, &a.KPI, &a.Slice, &a.Status, &a.CreatedBy, &created, &updated, &a.Origin); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = tp.FromMicros(created), tp.FromMicros(updated)
	return &a, nil
}

func actionObject(a *tp.ActionItem) tp.Object {
	return tp.Object{Department: a.Department, User: a.OwnerID}
}

// checkOwner rejects an owner id that names no user.
func checkOwner(ctx context.Context, q querier, owner int64) error {
	if owner == 0 {
		return nil
	}
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = $1", owner).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return tp.Errorf(tp.EINVALID, "the owner is not a user").WithFields(map[string]string{"owner_id": "no such user"})
	}
	return err
}

// insertAction stores a new action item whose fields are checked and
// stamped, once its owner is a user: the one insert behind CreateAction,
// council ideas and playbooks.
func insertAction(ctx context.Context, tx *sql.Tx, a *tp.ActionItem) error {
	if err := checkOwner(ctx, tx, a.OwnerID); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `INSERT INTO action_items (title, owner_id, department, due, kpi, slice, status, created_by, created_us, updated_us, origin)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id`, a.Title, a.OwnerID, a.Department, a.Due, a.KPI, a.Slice, a.Status,
		a.CreatedBy, tp.ToMicros(a.CreatedAt), a.Origin).Scan(&a.ID)
}

// CreateAction stores a new action item.
func (s *ActionService) CreateAction(ctx context.Context, a *tp.ActionItem) error {
	if err := mayAtAll(ctx, tp.ActActionCreate); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if err := authorize(ctx, tp.ActActionCreate, tp.Object{Department: a.Department}); err != nil {
		return err
	}
	a.CreatedBy, a.CreatedAt = actorOf(ctx), s.db.Now()
	a.UpdatedAt = a.CreatedAt
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return insertAction(ctx, tx, a) })
}

// ListActions lists action items, soonest due first.
func (s *ActionService) ListActions(ctx context.Context, f tp.ActionFilter) ([]tp.ActionItem, error) {
	dept, err := listScope(ctx, tp.ActActionRead)
	if err != nil {
		return nil, err
	}
	if dept != "" {
		f.Department = dept
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Department != "" {
		add("department = ?", f.Department)
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if f.OwnerID != 0 {
		add("owner_id = ?", f.OwnerID)
	}
	q := "SELECT " + actionCols + " FROM action_items"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.r.QueryContext(ctx, q+" ORDER BY due, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.ActionItem
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// FindAction returns an action item with its comments, oldest first.
func (s *ActionService) FindAction(ctx context.Context, id int64) (*tp.ActionItem, error) {
	if err := mayAtAll(ctx, tp.ActActionRead); err != nil {
		return nil, err
	}
	return findAction(ctx, s.db.r, id)
}

func findAction(ctx context.Context, q querier, id int64) (*tp.ActionItem, error) {
	a, err := scanAction(q.QueryRowContext(ctx, "SELECT "+actionCols+" FROM action_items WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && authorize(ctx, tp.ActActionRead, actionObject(a)) != nil) {
		return nil, tp.Errorf(tp.ENOTFOUND, "action item %d not found", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT author, at_us, body FROM action_comments WHERE action_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c tp.ActionComment
		var at int64
		if err := rows.Scan(&c.Author, &at, &c.Body); err != nil {
			return nil, err
		}
		c.At = tp.FromMicros(at)
		a.Comments = append(a.Comments, c)
	}
	return a, rows.Err()
}

// UpdateAction applies a change and an optional comment in one transaction.
func (s *ActionService) UpdateAction(ctx context.Context, id int64, ch tp.ActionChange) (*tp.ActionItem, error) {
	if err := mayAtAll(ctx, tp.ActActionUpdate); err != nil {
		return nil, err
	}
	var out *tp.ActionItem
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		a, err := findAction(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := authorize(ctx, tp.ActActionUpdate, actionObject(a)); err != nil {
			return err
		}
		if ch.Title != nil {
			a.Title = *ch.Title
		}
		if ch.OwnerID != nil {
			a.OwnerID = *ch.OwnerID
		}
		if ch.Due != nil {
			a.Due = *ch.Due
		}
		if ch.Status != nil {
			a.Status = *ch.Status
		}
		if err := a.Validate(); err != nil {
			return err
		}
		if err := checkOwner(ctx, tx, a.OwnerID); err != nil {
			return err
		}
		comment := strings.TrimSpace(ch.Comment)
		if len(comment) > tp.MaxDescriptionLen {
			return tp.Errorf(tp.EINVALID, "the comment is too long").WithFields(map[string]string{"comment": "at most 50 000 characters"})
		}
		now := s.db.Now()
		if _, err := tx.ExecContext(ctx, "UPDATE action_items SET title = $1, owner_id = $2, due = $3, status = $4, updated_us = $5 WHERE id = $6",
			a.Title, a.OwnerID, a.Due, a.Status, tp.ToMicros(now), id); err != nil {
			return err
		}
		if comment != "" {
			if _, err := tx.ExecContext(ctx, "INSERT INTO action_comments (action_id, author, at_us, body) VALUES ($1, $2, $3, $4)",
				id, actorOf(ctx), tp.ToMicros(now), comment); err != nil {
				return err
			}
		}
		out, err = findAction(ctx, tx, id)
		return err
	})
	return out, err
}
