package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// DigestService builds the weekly voice-of-the-customer digest of a
// department and keeps who receives it.
type DigestService struct{ db *DB }

// MaxDigestOverdue is how many overdue cases a digest lists.
const MaxDigestOverdue = 20

// Digest builds department's digest of the week starting at from (a Monday).
// The caller must see the department's scorecard and its answers.
func (s *DigestService) Digest(ctx context.Context, department string, from time.Time) (tp.Digest, error) {
	if err := mayAtAll(ctx, tp.ActScorecardRead); err != nil {
		return tp.Digest{}, err
	}
	department = strings.TrimSpace(department)
	if department == "" {
		return tp.Digest{}, tp.Errorf(tp.EINVALID, "department is required").WithFields(map[string]string{"department": "required"})
	}
	for _, act := range []tp.Action{tp.ActScorecardRead, tp.ActResponsesRead} {
		if err := authorize(ctx, act, tp.Object{Department: department}); err != nil {
			return tp.Digest{}, err
		}
	}
	from = from.UTC().Truncate(24 * time.Hour)
	to, before := from.AddDate(0, 0, 7), from.AddDate(0, 0, -7)
	d := tp.Digest{Department: department, From: from, To: to, Best: []tp.Verbatim{}, Worst: []tp.Verbatim{}, Overdue: []tp.DigestCase{}}
	week, prev, err := s.weekScores(ctx, department, before, from, to)
	if err != nil {
		return d, err
	}
	span := "c.department = $1 AND c.created_us >= $2 AND c.created_us < $3"
	weekCases, err := s.db.caseResults(ctx, span, []any{department, tp.ToMicros(from), tp.ToMicros(to)})
	if err != nil {
		return d, err
	}
	prevCases, err := s.db.caseResults(ctx, span, []any{department, tp.ToMicros(before), tp.ToMicros(from)})
	if err != nil {
		return d, err
	}
	d.KPIs = tp.DigestFigures(week, prev, weekCases, prevCases)
	vs, err := s.verbatims(ctx, department, from, to)
	if err != nil {
		return d, err
	}
	d.Best, d.Worst = tp.PickVerbatims(vs, tp.DigestVerbatims)
	if d.Actions, err = s.db.actions().ListActions(ctx, tp.ActionFilter{Department: department, Status: tp.ActionOpen}); err != nil {
		return d, err
	}
	if d.Overdue, err = s.overdue(ctx, department); err != nil {
		return d, err
	}
	d.Empty = len(vs) == 0 && len(weekCases) == 0 && len(d.Actions) == 0 && len(d.Overdue) == 0
	for _, k := range d.KPIs {
		d.Empty = d.Empty && k.Week.N == 0
	}
	return d, nil
}

// weekScores reads the scores answered about department in the week and the
// week before, by metric.
func (s *DigestService) weekScores(ctx context.Context, department string, before, from, to time.Time) (week, prev tp.WeekScores, err error) {
	rows, err := s.db.r.QueryContext(ctx, `SELECT s.type, r.score, r.created_us FROM responses r JOIN surveys s ON s.id = r.survey_id
		WHERE r.department = $1 AND r.score IS NOT NULL AND r.created_us >= $2 AND r.created_us < $3`, department, tp.ToMicros(before), tp.ToMicros(to))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	week, prev = tp.WeekScores{}, tp.WeekScores{}
	for rows.Next() {
		var typ string
		var score int
		var at int64
		if err := rows.Scan(&typ, &score, &at); err != nil {
			return nil, nil, err
		}
		m, ok := tp.MetricByID(typ) // survey types are the metric ids
		if !ok {
			continue
		}
		side := prev
		if at >= tp.ToMicros(from) {
			side = week
		}
		sc, ok := side[typ]
		if !ok {
			sc = tp.NewScores(m.ScaleMin, m.ScaleMax)
		}
		sc.Add(score, 1)
		side[typ] = sc
	}
	return week, prev, rows.Err()
}

func (s *DigestService) verbatims(ctx context.Context, department string, from, to time.Time) ([]tp.Verbatim, error) {
	rows, err := s.db.r.QueryContext(ctx, `SELECT r.id, s.name, s.type, r.score, r.comment, r.lang, r.created_us FROM responses r JOIN surveys s ON s.id = r.survey_id
		WHERE r.department = $1 AND r.score IS NOT NULL AND r.comment <> '' AND r.created_us >= $2 AND r.created_us < $3`, department, tp.ToMicros(from), tp.ToMicros(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.Verbatim
	for rows.Next() {
		var v tp.Verbatim
		var at int64
		if err := rows.Scan(&v.ResponseID, &v.Survey, &v.Type, &v.Score, &v.Comment, &v.Lang, &at); err != nil {
			return nil, err
		}
		v.At = tp.FromMicros(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// overdue lists the department's cases past a due time, most overdue first:
// the queue's work order puts them first.
func (s *DigestService) overdue(ctx context.Context, department string) ([]tp.DigestCase, error) {
	cases, err := s.db.cases().ListCases(ctx, tp.CaseFilter{Department: department, Status: []tp.CaseStatus{tp.CaseNew, tp.CaseOpen},
		WorkOrder: true, Limit: MaxDigestOverdue})
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	out := []tp.DigestCase{}
	for _, c := range cases {
		if !c.Overdue(now) {
			break
		}
		if due := c.NextDue(); due != nil {
			out = append(out, tp.DigestCase{ID: c.ID, Subject: c.Subject, Status: c.Status, Due: *due})
		}
	}
	return out, nil
}

// subscription reads (creating it when missing) a user's digest row.
func (s *DigestService) subscription(ctx context.Context, tx *sql.Tx, userID int64) (state, token string, err error) {
	err = tx.QueryRowContext(ctx, "SELECT state, token FROM digest_subscriptions WHERE user_id = $1", userID).Scan(&state, &token)
	if !errors.Is(err, sql.ErrNoRows) {
		return state, token, err
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	state, token = "default", base64.RawURLEncoding.EncodeToString(b)
	_, err = tx.ExecContext(ctx, "INSERT INTO digest_subscriptions (user_id, state, token) VALUES ($1, $2, $3)", userID, state, token)
	return state, token, err
}

// DigestSubscribed says whether the caller receives their department's digest.
func (s *DigestService) DigestSubscribed(ctx context.Context) (bool, error) {
	a := tp.AccessFrom(ctx)
	if err := authorize(ctx, tp.ActOwnSettings, tp.Object{User: a.UserID}); err != nil {
		return false, err
	}
	var state string
	var members int
	err := s.db.r.QueryRowContext(ctx, `SELECT COALESCE((SELECT state FROM digest_subscriptions WHERE user_id = $1), 'default'),
		COALESCE((SELECT members FROM digest_departments WHERE department = $2), 0)`, a.UserID, a.Department).Scan(&state, &members)
	if err != nil {
		return false, err
	}
	return receives(state, a.Role, a.Department, members == 1), nil
}

// receives is the one rule of who gets a digest.
func receives(state string, role tp.Role, department string, members bool) bool {
	if department == "" || state == "off" {
		return false
	}
	return state == "on" || role == tp.RoleDepartmentHead || (members && role == tp.RoleAgent)
}

// SetDigestSubscribed subscribes or unsubscribes the caller.
func (s *DigestService) SetDigestSubscribed(ctx context.Context, on bool) error {
	a := tp.AccessFrom(ctx)
	if err := authorize(ctx, tp.ActOwnSettings, tp.Object{User: a.UserID}); err != nil {
		return err
	}
	state := map[bool]string{true: "on", false: "off"}[on]
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, _, err := s.subscription(ctx, tx, a.UserID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE digest_subscriptions SET state = $1 WHERE user_id = $2", state, a.UserID)
		return err
	})
}

// SetDigestForMembers sends department's digest to every member or to its
// heads only.
func (s *DigestService) SetDigestForMembers(ctx context.Context, department string, on bool) error {
	if err := authorize(ctx, tp.ActDigestManage, tp.Object{Department: department}); err != nil {
		return err
	}
	if strings.TrimSpace(department) == "" {
		return tp.Errorf(tp.EINVALID, "department is required").WithFields(map[string]string{"department": "required"})
	}
	v := map[bool]int{true: 1}[on]
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO digest_departments (department, members) VALUES ($1, $2)
			ON CONFLICT (department) DO UPDATE SET members = excluded.members`, department, v)
		return err
	})
}

// DigestForMembers says whether department's digest goes to every member.
func (s *DigestService) DigestForMembers(ctx context.Context, department string) (bool, error) {
	if err := authorize(ctx, tp.ActScorecardRead, tp.Object{Department: department}); err != nil {
		return false, err
	}
	var n int
	err := s.db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM digest_departments WHERE department = $1 AND members = 1", department).Scan(&n)
	return n > 0, err
}

// UnsubscribeDigest turns the digest off for the user whose mail carried token.
func (s *DigestService) UnsubscribeDigest(ctx context.Context, token string) error {
	if err := can(ctx, tp.ActDigestUnsub); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE digest_subscriptions SET state = 'off' WHERE token = $1", token)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tp.Errorf(tp.ENOTFOUND, "this unsubscribe link is not known")
		}
		return nil
	})
}

// DigestRecipients lists who receives a digest this week, each with the
// token of their unsubscribe link: the job's list.
func (s *DigestService) DigestRecipients(ctx context.Context) ([]tp.DigestRecipient, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+prefixed("u.", userCols)+`, COALESCE(d.state, 'default'), COALESCE(m.members, 0)
		FROM users u LEFT JOIN digest_subscriptions d ON d.user_id = u.id LEFT JOIN digest_departments m ON m.department = u.department
		WHERE u.deactivated_us = 0 AND u.department <> '' ORDER BY u.id`)
	if err != nil {
		return nil, err
	}
	var users []tp.User
	for rows.Next() {
		var u tp.User
		var role, state string
		var created int64
		var members int
		if err := rows.Scan(&u.ID, &u.Email, &role, &u.Department, &u.Locale, &created, &state, &members); err != nil {
			rows.Close()
			return nil, err
		}
		u.Role, u.CreatedAt = tp.Role(role), tp.FromMicros(created)
		if receives(state, u.Role, u.Department, members == 1) {
			users = append(users, u)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []tp.DigestRecipient
	err = s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = out[:0]
		for _, u := range users {
			_, token, err := s.subscription(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			out = append(out, tp.DigestRecipient{User: u, Token: token})
		}
		return nil
	})
	return out, err
}

// ClaimDigest marks the week's digest of a user as sent; false when it was
// already. ReleaseDigest undoes the mark when the relay refused the mail.
func (s *DigestService) ClaimDigest(ctx context.Context, userID int64, week time.Time) (bool, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return false, err
	}
	var claimed bool
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO digest_sent (user_id, week_us, sent_us) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
			userID, tp.ToMicros(week), tp.ToMicros(s.db.Now()))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		return nil
	})
	return claimed, err
}

// ReleaseDigest forgets a claim (see ClaimDigest).
func (s *DigestService) ReleaseDigest(ctx context.Context, userID int64, week time.Time) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM digest_sent WHERE user_id = $1 AND week_us = $2", userID, tp.ToMicros(week))
		return err
	})
}

// DigestDepartments lists the departments staff work in that the caller may
// see a digest of.
func (s *DigestService) DigestDepartments(ctx context.Context) ([]string, error) {
	dept, err := listScope(ctx, tp.ActScorecardRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT DISTINCT department FROM users WHERE department <> '' AND (department = $1 OR $1 = '') ORDER BY department", dept)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
