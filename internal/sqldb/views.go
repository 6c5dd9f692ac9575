package sqldb

import (
	"context"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// SaveView keeps a named queue filter for the calling user; saving under an
// existing name replaces it.
func (s *UserService) SaveView(ctx context.Context, v *tp.SavedView) error {
	a := tp.AccessFrom(ctx)
	if err := authorize(ctx, tp.ActOwnSettings, tp.Object{User: a.UserID}); err != nil {
		return err
	}
	v.Name, v.Query = strings.TrimSpace(v.Name), strings.TrimPrefix(strings.TrimSpace(v.Query), "?")
	if err := v.Validate(); err != nil {
		return err
	}
	v.UserID = a.UserID
	dept := ""
	if v.Shared {
		if a.Department == "" {
			return tp.Errorf(tp.EINVALID, "a view is shared with a department; you belong to none").WithFields(map[string]string{"shared": "no department"})
		}
		dept = a.Department
	}
	return s.db.w.QueryRowContext(ctx, `INSERT INTO saved_views (user_id, name, query, created_us, department) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query, department = excluded.department RETURNING id`,
		a.UserID, v.Name, v.Query, tp.ToMicros(s.db.Now()), dept).Scan(&v.ID)
}

// ListViews returns the calling user's saved views, then those their
// department's colleagues share, each by name.
func (s *UserService) ListViews(ctx context.Context) ([]tp.SavedView, error) {
	a := tp.AccessFrom(ctx)
	if err := authorize(ctx, tp.ActOwnSettings, tp.Object{User: a.UserID}); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT v.id, v.user_id, v.name, v.query, v.department <> '', u.email FROM saved_views v JOIN users u ON u.id = v.user_id
		WHERE v.user_id = $1 OR (v.department = $2 AND $2 <> '') ORDER BY CASE WHEN v.user_id = $1 THEN 0 ELSE 1 END, v.name, v.id`, a.UserID, a.Department)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.SavedView{}
	for rows.Next() {
		var v tp.SavedView
		var owner string
		if err := rows.Scan(&v.ID, &v.UserID, &v.Name, &v.Query, &v.Shared, &owner); err != nil {
			return nil, err
		}
		if v.UserID != a.UserID {
			v.Owner = owner
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeleteView removes one of the calling user's saved views.
func (s *UserService) DeleteView(ctx context.Context, id int64) error {
	a := tp.AccessFrom(ctx)
	if err := authorize(ctx, tp.ActOwnSettings, tp.Object{User: a.UserID}); err != nil {
		return err
	}
	res, err := s.db.w.ExecContext(ctx, "DELETE FROM saved_views WHERE id = $1 AND user_id = $2", id, a.UserID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tp.Errorf(tp.ENOTFOUND, "saved view %d not found", id)
	}
	return nil
}
