package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CreateAlertRule stores a rule; a webhook gets a new signing secret, which
// the caller shows once.
func (s *AlertService) CreateAlertRule(ctx context.Context, r *tp.AlertRule) error {
	if err := can(ctx, tp.ActAlertManage); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if r.SegmentID != 0 {
		if _, err := findSegment(ctx, s.db.r, r.SegmentID); err != nil {
			if tp.ErrorCode(err) == tp.ENOTFOUND {
				return tp.Errorf(tp.EINVALID, "segment %d does not exist", r.SegmentID).WithFields(map[string]string{"segment_id": "unknown"})
			}
			return err
		}
	}
	r.Secret = ""
	if r.WebhookURL != "" {
		r.Secret = randomSecret("whsec_", 24)
	}
	r.Enabled, r.Firing, r.CreatedBy, r.CreatedAt = true, false, actorOf(ctx), s.db.Now()
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO alert_rules (name, kpi, division, department, channel, kind, op, threshold, period,
			emails, webhook_url, secret, notify_owners, enabled, firing, created_by, created_us, segment_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, 0, $14, $15, $16) RETURNING id`,
			r.Name, r.KPI, r.Division, r.Department, r.Channel, r.Kind, r.Op, r.Threshold, r.Period,
			strings.Join(r.Emails, ","), r.WebhookURL, r.Secret, map[bool]int{true: 1}[r.NotifyOwners], r.CreatedBy, tp.ToMicros(r.CreatedAt), r.SegmentID).Scan(&r.ID); err != nil {
			return err
		}
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), "alert.create", fmt.Sprintf("alert rule %d", r.ID),
			fmt.Sprintf("%s: %s %s of %s; mails %s; webhook %s", r.Name, r.Kind, r.KPI, r.Slice(), strings.Join(r.Emails, ", "), r.WebhookURL))
	})
}

const alertCols = "id, name, kpi, division, department, channel, kind, op, threshold, period, emails, webhook_url, secret, notify_owners, enabled, firing, created_by, created_us, segment_id"

func scanAlertRule(s interface{ Scan(...any) error }) (*tp.AlertRule, error) {
	var r tp.AlertRule
	var emails string
	var owners, enabled, firing int
	var at int64
	if err := s.Scan(&r.ID, &r.Name, &r.KPI, &r.Division, &r.Department, &r.Channel, &r.Kind, &r.Op, &r.Threshold, &r.Period,
		&emails, &r.WebhookURL, &r.Secret, &owners, &enabled, &firing, &r.CreatedBy, &at, &r.SegmentID); err != nil {
		return nil, err
	}
	r.NotifyOwners = owners == 1
	if emails != "" {
		r.Emails = strings.Split(emails, ",")
	}
	r.Enabled, r.Firing, r.CreatedAt = enabled == 1, firing == 1, tp.FromMicros(at)
	return &r, nil
}

// ListAlertRules lists the rules without their secrets.
func (s *AlertService) ListAlertRules(ctx context.Context) ([]tp.AlertRule, error) {
	if err := can(ctx, tp.ActAlertRead); err != nil {
		return nil, err
	}
	rules, err := s.db.alertRules(ctx)
	for i := range rules {
		rules[i].Secret = ""
	}
	return rules, err
}

func (db *DB) alertRules(ctx context.Context) ([]tp.AlertRule, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+alertCols+" FROM alert_rules ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.AlertRule{}
	for rows.Next() {
		r, err := scanAlertRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// DeleteAlertRule removes a rule and its log.
func (s *AlertService) DeleteAlertRule(ctx context.Context, id int64) error {
	if err := can(ctx, tp.ActAlertManage); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range []string{
			"DELETE FROM alert_deliveries WHERE event_id IN (SELECT id FROM alert_events WHERE rule_id = $1)",
			"DELETE FROM alert_events WHERE rule_id = $1",
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM alert_rules WHERE id = $1", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tp.Errorf(tp.ENOTFOUND, "alert rule %d not found", id)
		}
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), "alert.delete", fmt.Sprintf("alert rule %d", id), "")
	})
}

// EvaluateAlerts checks every enabled rule on the current period so far
// against the previous one. A rule whose condition starts to hold fires
// (an event, and one delivery job per address, in one transaction); one
// whose condition stops holding clears. It returns the events recorded.
func (s *AlertService) EvaluateAlerts(ctx context.Context) ([]tp.AlertEvent, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	rules, err := s.db.alertRules(ctx)
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	var out []tp.AlertEvent
	cards := make([]*tp.Scorecard, len(rules))
	emerging := make([]*tp.AlertEvent, len(rules))
	for i, r := range rules {
		if !r.Enabled {
			continue
		}
		if r.Kind == "emerging" {
			var topics []tp.EmergingTopic
			for _, by := range tp.EmergingSlicings {
				themes, texts, err := (&TextService{s.db}).ThemeWeeks(ctx, tp.ThemeQuery{Division: r.Division, Department: r.Department, Channel: r.Channel}, now, by)
				if err != nil {
					return out, fmt.Errorf("alert %d: %w", r.ID, err)
				}
				topics = append(topics, tp.EmergingBy(by, themes, texts)...)
			}
			emerging[i] = r.EvaluateEmerging(topics, now)
			continue
		}
		period, _ := tp.PeriodOf(r.Period, now)
		if cards[i], err = s.db.cockpit().Scorecard(ctx, tp.ScorecardQuery{Period: period, By: "division", Division: r.Division, Department: r.Department, Channel: r.Channel, SegmentID: r.SegmentID, Months: 1}); err != nil {
			return out, fmt.Errorf("alert %d: %w", r.ID, err)
		}
	}
	tp.ControlAlertDiscoveries(rules, cards)
	for i, r := range rules {
		var ev *tp.AlertEvent
		switch {
		case emerging[i] != nil:
			ev = emerging[i]
		case cards[i] != nil:
			ev = r.Evaluate(cards[i], now)
		}
		if ev == nil {
			continue
		}
		holds, kind := ev.Kind == "fired", ev.Kind
		err = s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			// The firing flag is the guard: only the evaluation that flips it records the event.
			res, err := tx.ExecContext(ctx, "UPDATE alert_rules SET firing = $1 WHERE id = $2 AND firing = $3", map[bool]int{true: 1}[holds], r.ID, map[bool]int{true: 1}[r.Firing])
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errRaced
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO alert_events (rule_id, at_us, kind, summary, payload) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				r.ID, tp.ToMicros(now), kind, ev.Summary, ev.Payload).Scan(&ev.ID); err != nil {
				return err
			}
			if kind != "fired" {
				return nil
			}
			to, err := s.db.alertRecipients(ctx, tx, &r)
			if err != nil {
				return err
			}
			for _, e := range to {
				if err := s.db.enqueue(ctx, tx, tp.DeliverAlert{EventID: ev.ID, Target: "email", Address: e}, now); err != nil {
					return err
				}
			}
			if r.WebhookURL != "" {
				return s.db.enqueue(ctx, tx, tp.DeliverAlert{EventID: ev.ID, Target: "webhook", Address: r.WebhookURL}, now)
			}
			return nil
		})
		if errors.Is(err, errRaced) {
			continue // another replica recorded it
		}
		if err != nil {
			return out, err
		}
		out = append(out, *ev)
	}
	return out, nil
}

var errRaced = errors.New("raced")

// AlertForDelivery returns an event and its rule (with the secret) for a delivery job.
func (s *AlertService) AlertForDelivery(ctx context.Context, eventID int64) (*tp.AlertEvent, *tp.AlertRule, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, nil, err
	}
	var ev tp.AlertEvent
	var at int64
	err := s.db.r.QueryRowContext(ctx, "SELECT id, rule_id, at_us, kind, summary, payload FROM alert_events WHERE id = $1", eventID).
		Scan(&ev.ID, &ev.RuleID, &at, &ev.Kind, &ev.Summary, &ev.Payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, tp.Errorf(tp.ENOTFOUND, "alert event %d not found", eventID)
	}
	if err != nil {
		return nil, nil, err
	}
	ev.At = tp.FromMicros(at)
	r, err := scanAlertRule(s.db.r.QueryRowContext(ctx, "SELECT "+alertCols+" FROM alert_rules WHERE id = $1", ev.RuleID))
	if err != nil {
		return nil, nil, err
	}
	ev.RuleName = r.Name
	return &ev, r, nil
}

// RecordDelivery logs one delivery attempt.
func (s *AlertService) RecordDelivery(ctx context.Context, d tp.AlertDelivery) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO alert_deliveries (event_id, target, address, attempt, ok, status, error, at_us)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.EventID, d.Target, d.Address, d.Attempt, map[bool]int{true: 1}[d.OK], d.Status, d.Error, tp.ToMicros(d.At))
		return err
	})
}

// ListAlertEvents returns the newest events with their delivery attempts.
func (s *AlertService) ListAlertEvents(ctx context.Context, limit int) ([]tp.AlertEvent, error) {
	if err := can(ctx, tp.ActAlertRead); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT e.id, e.rule_id, r.name, e.at_us, e.kind, e.summary FROM alert_events e
		JOIN alert_rules r ON r.id = e.rule_id ORDER BY e.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	out := []tp.AlertEvent{}
	idx := map[int64]int{}
	for rows.Next() {
		var ev tp.AlertEvent
		var at int64
		if err := rows.Scan(&ev.ID, &ev.RuleID, &ev.RuleName, &at, &ev.Kind, &ev.Summary); err != nil {
			rows.Close()
			return nil, err
		}
		ev.At = tp.FromMicros(at)
		idx[ev.ID] = len(out)
		out = append(out, ev)
	}
	rows.Close()
	if len(out) == 0 {
		return out, rows.Err()
	}
	drows, err := s.db.r.QueryContext(ctx, `SELECT event_id, target, address, attempt, ok, status, error, at_us FROM alert_deliveries
		WHERE event_id >= $1 ORDER BY id`, out[len(out)-1].ID)
	if err != nil {
		return nil, err
	}
	defer drows.Close()
	for drows.Next() {
		var d tp.AlertDelivery
		var ok int
		var at int64
		if err := drows.Scan(&d.EventID, &d.Target, &d.Address, &d.Attempt, &ok, &d.Status, &d.Error, &at); err != nil {
			return nil, err
		}
		d.OK, d.At = ok == 1, tp.FromMicros(at)
		if i, found := idx[d.EventID]; found {
			out[i].Deliveries = append(out[i].Deliveries, d)
		}
	}
	return out, drows.Err()
}

// alertRecipients are the rule's addresses and, with NotifyOwners, the CCO's
// office and the rule's department heads, each once.
func (db *DB) alertRecipients(ctx context.Context, tx *sql.Tx, r *tp.AlertRule) ([]string, error) {
	out := append([]string{}, r.Emails...)
	if !r.NotifyOwners {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT email FROM users WHERE deactivated_us = 0 AND (role = 'cco' OR (role = 'department_head' AND department = $1 AND $1 <> ''))
		ORDER BY email`, r.Department)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for _, e := range out {
		seen[strings.ToLower(e)] = true
	}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		if !seen[strings.ToLower(e)] {
			seen[strings.ToLower(e)] = true
			out = append(out, e)
		}
	}
	return out, rows.Err()
}
