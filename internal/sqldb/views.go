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
	return s.db.w.QueryRowContext(ctx, `INSERT INTO saved_views (user_id, name, query, created_us) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query RETURNING id`,
		a.UserID, v.Name, v.Query, tp.ToMicros(s.db.Now())).Scan(&v.ID)
}

// ListViews returns the calling user's saved views by name.
func (s *UserService) ListViews(ctx context.Context) ([]tp.SavedView, error) {
	a := tp.AccessFrom(ctx)
	if err := authorize(ctx, tp.ActOwnSettings, tp.Object{User: a.UserID}); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT id, user_id, name, query FROM saved_views WHERE user_id = $1 ORDER BY name", a.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.SavedView{}
	for rows.Next() {
		var v tp.SavedView
		if err := rows.Scan(&v.ID, &v.UserID, &v.Name, &v.Query); err != nil {
			return nil, err
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
