package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// UpdateUser changes a user's role, department or whether they may sign in
// (tp.UserChange.Apply has the rules). Deactivating ends their sessions at
// once; the change is in the audit log with what it was before.
func (s *UserService) UpdateUser(ctx context.Context, id int64, ch tp.UserChange) (*tp.User, error) {
	if err := can(ctx, tp.ActUserManage); err != nil {
		return nil, err
	}
	actor := tp.AccessFrom(ctx).UserID
	var out tp.User
	err := s.db.auditTx(ctx, tp.AuditUserChange, func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		var u tp.User
		var role string
		var created, deactivated int64
		err := tx.QueryRowContext(ctx, "SELECT "+userCols+", deactivated_us FROM users WHERE id = $1"+s.db.forUpdate(), id).
			Scan(&u.ID, &u.Email, &role, &u.Department, &u.Locale, &created, &deactivated)
		if errors.Is(err, sql.ErrNoRows) {
			return "", "", tp.Errorf(tp.ENOTFOUND, "user %d not found", id)
		}
		if err != nil {
			return "", "", err
		}
		u.Role, u.CreatedAt, u.Deactivated = tp.Role(role), tp.FromMicros(created), deactivated > 0
		before := u
		if out, err = ch.Apply(u, actor); err != nil {
			return "", "", err
		}
		switch {
		case out.Deactivated && !before.Deactivated:
			deactivated = tp.ToMicros(s.db.Now())
		case !out.Deactivated:
			deactivated = 0
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET role = $1, department = $2, deactivated_us = $3 WHERE id = $4",
			string(out.Role), out.Department, deactivated, id); err != nil {
			return "", "", err
		}
		if out.Deactivated {
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", id); err != nil {
				return "", "", err
			}
		}
		var parts []string
		if before.Role != out.Role {
			parts = append(parts, fmt.Sprintf("role %s → %s", before.Role, out.Role))
		}
		if before.Department != out.Department {
			parts = append(parts, fmt.Sprintf("department %q → %q", before.Department, out.Department))
		}
		if before.Deactivated != out.Deactivated {
			parts = append(parts, map[bool]string{true: "deactivated", false: "activated again"}[out.Deactivated])
		}
		return fmt.Sprintf("user %d", id), out.Email + ": " + strings.Join(parts, ", "), nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
