package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// defaultCalendar is used when a policy names none: Monday to Friday,
// 8:00–18:00 in Berlin, German public holidays.
func defaultCalendar() *tp.BusinessCalendar {
	c, _ := tp.WeekdayCalendar("default", "Europe/Berlin", "DE", 8*time.Hour, 18*time.Hour)
	return c
}

// CreateCalendar stores a business calendar.
func (s *SLAService) CreateCalendar(ctx context.Context, c *tp.BusinessCalendar) (int64, error) {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return 0, err
	}
	if err := c.Validate(); err != nil {
		return 0, err
	}
	hours, _ := json.Marshal(c.Hours)
	extra, _ := json.Marshal(c.Extra)
	var id int64
	err := s.db.auditTx(ctx, "calendar.create", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		err := tx.QueryRowContext(ctx, "INSERT INTO business_calendars (name, tz, country, hours, extra) VALUES ($1, $2, $3, $4, $5) RETURNING id",
			c.Name, c.Location.String(), c.Country, string(hours), string(extra)).Scan(&id)
		if isUnique(err) {
			return "", "", tp.Errorf(tp.ECONFLICT, "a calendar named %q exists already", c.Name)
		}
		return fmt.Sprintf("calendar %d", id), c.Name + " " + c.Location.String(), err
	})
	return id, err
}

// CreateSLAPolicy stores targets for a priority (and category) on a calendar (0: the default).
func (s *SLAService) CreateSLAPolicy(ctx context.Context, p *tp.SLAPolicy, calendarID int64) error {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return err
	}
	if p.FirstResponse <= 0 || p.Resolution < p.FirstResponse {
		return tp.Errorf(tp.EINVALID, "targets must be positive and resolution at least first response")
	}
	var cal any
	if calendarID != 0 {
		cal = calendarID
	}
	return s.db.auditTx(ctx, "sla.create", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		err := tx.QueryRowContext(ctx, `INSERT INTO sla_policies (priority, category, first_response_s, resolution_s, calendar_id)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, string(p.Priority), p.Category, int64(p.FirstResponse.Seconds()),
			int64(p.Resolution.Seconds()), cal).Scan(&p.ID)
		return fmt.Sprintf("SLA policy %d", p.ID), fmt.Sprintf("%s %s: first response %s, resolution %s", p.Priority, p.Category, p.FirstResponse, p.Resolution), err
	})
}

// policyFor finds the policy of a case: its priority and category, then its
// priority and any category, then the built-in defaults.
func (db *DB) policyFor(ctx context.Context, q querier, prio tp.Priority, category string) (*tp.SLAPolicy, error) {
	p := &tp.SLAPolicy{Priority: prio, Category: category}
	var first, resolve int64
	var calID sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, first_response_s, resolution_s, calendar_id FROM sla_policies
		WHERE priority = $1 AND (category = $2 OR category = '') ORDER BY category DESC, id LIMIT 1`, string(prio), category).
		Scan(&p.ID, &first, &resolve, &calID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t := tp.DefaultSLATargets[prio]
		p.FirstResponse, p.Resolution, p.Calendar = t[0], t[1], defaultCalendar()
		return p, nil
	case err != nil:
		return nil, err
	}
	p.FirstResponse, p.Resolution = time.Duration(first)*time.Second, time.Duration(resolve)*time.Second
	p.Calendar = defaultCalendar()
	if calID.Valid {
		var name, tz, country, hours, extra string
		if err := q.QueryRowContext(ctx, "SELECT name, tz, country, hours, extra FROM business_calendars WHERE id = $1", calID.Int64).
			Scan(&name, &tz, &country, &hours, &extra); err != nil {
			return nil, fmt.Errorf("calendar %d: %w", calID.Int64, err)
		}
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return nil, err
		}
		c := &tp.BusinessCalendar{Name: name, Location: loc, Country: country}
		_ = json.Unmarshal([]byte(hours), &c.Hours)
		_ = json.Unmarshal([]byte(extra), &c.Extra)
		p.Calendar = c
	}
	return p, nil
}

// scheduleSLA computes a case's due times from its policy and pauses, stores
// them, and schedules the checks (warning at 80 %, breach at 100 %) for
// every target not yet met. It runs in the transaction that created the
// case or ended a pause.
func (db *DB) scheduleSLA(ctx context.Context, tx *sql.Tx, c *tp.Case, pauses []tp.Span) error {
	p, err := db.policyFor(ctx, tx, c.Priority, c.Category)
	if err != nil {
		return err
	}
	set := func(col string, t time.Time) error {
		_, err := tx.ExecContext(ctx, "UPDATE cases SET "+col+" = $1, sla_policy_id = $2 WHERE id = $3", tp.ToMicros(t), p.ID, c.ID)
		return err
	}
	for _, t := range []struct {
		target, col string
		d           time.Duration
		met         bool
	}{
		{tp.TargetFirstResponse, "first_due_us", p.FirstResponse, c.FirstReplyAt != nil},
		{tp.TargetResolution, "resolve_due_us", p.Resolution, c.ResolvedAt != nil},
	} {
		clock := tp.SLAClock{Start: c.CreatedAt, Target: t.d, Pauses: pauses}
		due, running := p.Calendar.ClockDue(clock)
		if t.met || !running {
			continue
		}
		if err := set(t.col, due); err != nil {
			return err
		}
		warn, _ := p.Calendar.ClockDue(tp.SLAClock{Start: c.CreatedAt, Target: time.Duration(tp.WarnAt * float64(t.d)), Pauses: pauses})
		for _, at := range []time.Time{warn, due} {
			if err := db.enqueue(ctx, tx, tp.SLACheck{CaseID: c.ID, Target: t.target}, at); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckSLA looks at one target of a case now: it records a warning at 80 %
// and, on breach, escalates once (priority raised, the department head told
// through the audit trail). It returns what it did ("" for nothing).
func (s *SLAService) CheckSLA(ctx context.Context, caseID int64, target string) (string, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return "", err
	}
	var did string
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		c, err := scanCase(tx.QueryRowContext(ctx, "SELECT "+caseCols+" FROM cases WHERE id = $1"+s.db.forUpdate(), caseID))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		events, err := caseEvents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		p, err := s.db.policyFor(ctx, tx, c.Priority, c.Category)
		if err != nil {
			return err
		}
		now := s.db.Now()
		dec := tp.CheckSLATarget(c, events, p, target, now)
		if dec.State == "" {
			return nil
		}
		if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: caseID, At: now, Actor: "system:sla", Kind: "sla", Field: target,
			New: string(dec.State), Body: dec.Note}); err != nil {
			return err
		}
		did = string(dec.State)
		if dec.Raise != "" {
			if _, err := tx.ExecContext(ctx, "UPDATE cases SET priority = $1, updated_us = $2 WHERE id = $3", string(dec.Raise), tp.ToMicros(now), caseID); err != nil {
				return err
			}
			if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: caseID, At: now, Actor: "system:sla", Kind: "priority", Field: "priority",
				Old: string(c.Priority), New: string(dec.Raise), Body: "escalated to the head of " + orTriage(c.Department)}); err != nil {
				return err
			}
		}
		if dec.State == tp.SLABreached {
			return s.db.enqueue(ctx, tx, tp.NotifyBreach{CaseID: caseID, Target: target}, now)
		}
		return nil
	})
	return did, err
}

func orTriage(dept string) string {
	if dept == "" {
		return "triage"
	}
	return dept
}

func caseEvents(ctx context.Context, q querier, id int64) ([]tp.CaseEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, case_id, at_us, actor, kind, field, old, new, body, public, metadata
		FROM case_events WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	events := []tp.CaseEvent{}
	for rows.Next() {
		var e tp.CaseEvent
		var at int64
		var public int
		var meta sql.NullString
		if err := rows.Scan(&e.ID, &e.CaseID, &at, &e.Actor, &e.Kind, &e.Field, &e.Old, &e.New, &e.Body, &public, &meta); err != nil {
			return nil, err
		}
		e.At, e.Public, e.Metadata = tp.FromMicros(at), public == 1, nullString(meta)
		events = append(events, e)
	}
	return events, rows.Err()
}

// ListSLAPolicies lists the configured policies (cases no policy matches use
// tp.DefaultSLATargets).
func (s *SLAService) ListSLAPolicies(ctx context.Context) ([]tp.SLAPolicy, error) {
	if err := can(ctx, tp.ActCaseSettingsRd); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT p.id, p.priority, p.category, p.first_response_s, p.resolution_s, COALESCE(c.name, '')
		FROM sla_policies p LEFT JOIN business_calendars c ON c.id = p.calendar_id ORDER BY p.priority, p.category, p.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.SLAPolicy{}
	for rows.Next() {
		var p tp.SLAPolicy
		var prio string
		var first, res int64
		if err := rows.Scan(&p.ID, &prio, &p.Category, &first, &res, &p.CalendarName); err != nil {
			return nil, err
		}
		p.Priority = tp.Priority(prio)
		p.FirstResponse, p.Resolution = time.Duration(first)*time.Second, time.Duration(res)*time.Second
		p.FirstResponseMin, p.ResolutionMin = int(first/60), int(res/60)
		out = append(out, p)
	}
	return out, rows.Err()
}

// BreachRecipients returns who hears of a breach: the department's heads, or
// the admins and the CCO's office when the case has no department (or the
// department has no head).
func (s *SLAService) BreachRecipients(ctx context.Context, c *tp.Case) ([]string, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	var out []string
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"SELECT email FROM users WHERE deactivated_us = 0 AND role = 'department_head' AND department = $1 ORDER BY email", []any{c.Department}},
		{"SELECT email FROM users WHERE deactivated_us = 0 AND role IN ('cco', 'admin') ORDER BY email", nil},
	} {
		rows, err := s.db.r.QueryContext(ctx, q.sql, q.args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, e)
		}
		rows.Close()
		if len(out) > 0 {
			return out, nil
		}
	}
	return out, nil
}
