package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// PlaybookService keeps retention playbooks, runs them (the job) and
// measures them.
type PlaybookService struct{ db *DB }

const playbookColumns = "id, name, segment_id, action, COALESCE(survey_id, 0), department, period_days, holdout_pct, enabled, created_us, created_by"

func scanPlaybook(rows scanner) (tp.Playbook, error) {
	var p tp.Playbook
	var enabled int
	var created int64
	err := rows.Scan(&p.ID, &p.Name, &p.SegmentID, &p.Action, &p.SurveyID, &p.Department, &p.PeriodDays, &p.HoldoutPct, &enabled, &created, &p.CreatedBy)
	p.Enabled, p.CreatedAt = enabled == 1, tp.FromMicros(created)
	return p, err
}

// CreatePlaybook stores a playbook over an existing segment.
func (s *PlaybookService) CreatePlaybook(ctx context.Context, p *tp.Playbook) error {
	if err := can(ctx, tp.ActPlaybookManage); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if _, err := s.db.segments().FindSegment(ctx, p.SegmentID); err != nil {
		if tp.ErrorCode(err) == tp.ENOTFOUND {
			return tp.Errorf(tp.EINVALID, "segment %d does not exist", p.SegmentID).WithFields(map[string]string{"segment_id": "unknown"})
		}
		return err
	}
	var survey any
	if p.Action == tp.PlaybookSurvey {
		sv, err := findSurvey(ctx, s.db.r, p.SurveyID, 0, "")
		if tp.ErrorCode(err) == tp.ENOTFOUND {
			return tp.Errorf(tp.EINVALID, "survey %d does not exist", p.SurveyID).WithFields(map[string]string{"survey_id": "unknown"})
		}
		if err != nil {
			return err
		}
		if sv.Status != tp.SurveyActive {
			return tp.Errorf(tp.EINVALID, "survey %d is %s; a playbook invites to an active survey", sv.ID, sv.Status).WithFields(map[string]string{"survey_id": "not active"})
		}
		survey = p.SurveyID
	} else {
		p.SurveyID = 0
	}
	p.CreatedAt, p.CreatedBy, p.Enabled = s.db.Now(), actorOf(ctx), true
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO playbooks (name, segment_id, action, survey_id, department, period_days, holdout_pct, enabled, created_us, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) RETURNING id`, p.Name, p.SegmentID, p.Action, survey, p.Department, p.PeriodDays, p.HoldoutPct,
			tp.ToMicros(p.CreatedAt), p.CreatedBy).Scan(&p.ID)
	})
}

// SetPlaybookEnabled switches a playbook on or off; its entries stay.
func (s *PlaybookService) SetPlaybookEnabled(ctx context.Context, id int64, enabled bool) error {
	if err := can(ctx, tp.ActPlaybookManage); err != nil {
		return err
	}
	on := 0
	if enabled {
		on = 1
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE playbooks SET enabled = $1 WHERE id = $2", on, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tp.Errorf(tp.ENOTFOUND, "playbook %d not found", id)
		}
		return nil
	})
}

// ListPlaybooks lists the playbooks the caller may read (a department
// head: their department's), newest first.
func (s *PlaybookService) ListPlaybooks(ctx context.Context) ([]tp.Playbook, error) {
	dept, err := listScope(ctx, tp.ActPlaybookRead)
	if err != nil {
		return nil, err
	}
	return s.db.playbooks(ctx, dept)
}

func (db *DB) playbooks(ctx context.Context, dept string) ([]tp.Playbook, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+playbookColumns+" FROM playbooks WHERE ($1 = '' OR department = $1) ORDER BY id DESC", dept)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.Playbook
	for rows.Next() {
		p, err := scanPlaybook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PlaybookEntries lists a playbook's newest entries.
func (s *PlaybookService) PlaybookEntries(ctx context.Context, id int64, limit int) ([]tp.PlaybookEntry, error) {
	dept, err := listScope(ctx, tp.ActPlaybookRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT e.playbook_id, e.customer_id, e.entered_us, e.holdout, COALESCE(e.case_id, 0), COALESCE(e.action_id, 0), e.invitation
		FROM playbook_entries e JOIN playbooks p ON p.id = e.playbook_id WHERE e.playbook_id = $1 AND ($2 = '' OR p.department = $2)
		ORDER BY e.entered_us DESC, e.customer_id LIMIT $3`, id, dept, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.PlaybookEntry
	for rows.Next() {
		var e tp.PlaybookEntry
		var at int64
		var held int
		if err := rows.Scan(&e.PlaybookID, &e.CustomerID, &at, &held, &e.CaseID, &e.ActionID, &e.Invitation); err != nil {
			return nil, err
		}
		e.EnteredAt, e.Holdout = tp.FromMicros(at), held == 1
		out = append(out, e)
	}
	return out, rows.Err()
}

// PlaybookResults measures every playbook the caller may read: of the
// entrants who entered at least the horizon ago, the share not churned
// within it (the churn rule of the registry), acted-on against held-out.
func (s *PlaybookService) PlaybookResults(ctx context.Context) ([]tp.PlaybookResult, error) {
	dept, err := listScope(ctx, tp.ActPlaybookRead)
	if err != nil {
		return nil, err
	}
	list, err := s.db.playbooks(ctx, dept)
	if err != nil {
		return nil, err
	}
	judged := tp.ToMicros(s.db.Now().Add(-tp.RetentionHorizon))
	horizon := tp.RetentionHorizon.Microseconds()
	out := make([]tp.PlaybookResult, len(list))
	for i, p := range list {
		var n, pending, acted, actedKept, held, heldKept sql.NullInt64
		// Churn after entering by the registry's rule; a customer merged
		// away counts by the survivor.
		err := s.db.r.QueryRowContext(ctx, `SELECT COUNT(*),
			SUM(CASE WHEN e.entered_us > $2 THEN 1 ELSE 0 END),
			SUM(CASE WHEN e.entered_us <= $2 AND e.holdout = 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN e.entered_us <= $2 AND e.holdout = 0 AND NOT `+churnedWithin+` THEN 1 ELSE 0 END),
			SUM(CASE WHEN e.entered_us <= $2 AND e.holdout = 1 THEN 1 ELSE 0 END),
			SUM(CASE WHEN e.entered_us <= $2 AND e.holdout = 1 AND NOT `+churnedWithin+` THEN 1 ELSE 0 END)
			FROM playbook_entries e JOIN customers c ON c.id = e.customer_id
			LEFT JOIN customer_divisions d ON d.customer_id = COALESCE(c.merged_into, c.id) AND d.division = ''
			WHERE e.playbook_id = $1`, p.ID, judged, horizon).Scan(&n, &pending, &acted, &actedKept, &held, &heldKept)
		if err != nil {
			return nil, fmt.Errorf("playbook %d results: %w", p.ID, err)
		}
		r := tp.PlaybookResult{Playbook: p, Entrants: int(n.Int64), Pending: int(pending.Int64)}
		r.RetentionLift(int(actedKept.Int64), int(acted.Int64), int(heldKept.Int64), int(held.Int64))
		out[i] = r
	}
	return out, nil
}

// churnedWithin: the entrant churned within the horizon ($3) after entering.
const churnedWithin = "(d.churned_us IS NOT NULL AND d.churned_us <= e.entered_us + $3)"

// RunPlaybooks acts on the customers who entered each enabled playbook's
// segment and have no entry within its period: each is held out (by a
// fixed draw) or gets a case for the playbook's department, recorded with
// the entry in one transaction. At most limit entrants per playbook and run,
// so a new playbook over a large segment works through it run by run.
func (s *PlaybookService) RunPlaybooks(ctx context.Context, limit int) (int, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return 0, err
	}
	list, err := s.db.playbooks(ctx, "")
	if err != nil {
		return 0, err
	}
	done := 0
	for _, p := range list {
		if !p.Enabled {
			continue
		}
		seg, err := s.db.segments().FindSegment(ctx, p.SegmentID)
		if err != nil {
			return done, err
		}
		now := s.db.Now()
		period := time.Duration(p.PeriodDays) * 24 * time.Hour
		where, args := s.db.segmentWhere(seg, 4)
		rows, err := s.db.r.QueryContext(ctx, `SELECT c.id FROM customers c WHERE c.id NOT IN
			(SELECT customer_id FROM playbook_entries WHERE playbook_id = $1 AND entered_us > $2) AND `+where+` ORDER BY c.id LIMIT $3`,
			append([]any{p.ID, tp.ToMicros(now.Add(-period)), limit}, args...)...)
		if err != nil {
			return done, fmt.Errorf("playbook %d: %w", p.ID, err)
		}
		var entrants []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return done, err
			}
			entrants = append(entrants, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return done, err
		}
		var survey *tp.Survey
		if p.Action == tp.PlaybookSurvey {
			if survey, err = findSurvey(ctx, s.db.r, p.SurveyID, 0, ""); err != nil {
				return done, err
			}
			if survey.Status != tp.SurveyActive {
				continue // closed since: nobody can be invited to it
			}
		}
		periodNo := now.UnixMicro() / period.Microseconds()
		var actionID any
		if p.Action == tp.PlaybookAction {
			if actionID, err = s.db.playbookAction(ctx, p, seg, entrants, periodNo, now); err != nil {
				return done, err
			}
		}
		for _, cust := range entrants {
			err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				held := tp.InHoldout(p.ID, cust, periodNo, p.HoldoutPct)
				var caseID any
				invitation := ""
				if !held && survey != nil {
					// Intent to treat: an entrant the budget or an opt-out
					// spares still counts as acted on, with the reason kept.
					reason, err := s.db.queueOne(ctx, tx, survey, cust, tp.SendOptions{Department: p.Department, Channel: "email",
						TTL: 30 * 24 * time.Hour, BudgetDays: tp.DefaultBudgetDays, TriggerKey: fmt.Sprintf("playbook:%d:%d:%d", p.ID, cust, periodNo)})
					if err != nil {
						return err
					}
					invitation = map[bool]string{true: "queued", false: reason}[reason == ""]
				}
				if !held && p.Action == tp.PlaybookCase {
					c := &tp.Case{CustomerID: cust, Subject: "Retention: " + p.Name, Source: tp.CaseFromPlaybook, Channel: "phone",
						Department: p.Department, Priority: tp.PriorityHigh,
						Description: fmt.Sprintf("The customer entered the segment %q. Playbook %q asks %s to get in touch.", seg.Name, p.Name, p.Department)}
					if err := c.Validate(); err != nil {
						return err
					}
					if err := s.db.createCaseTx(ctx, tx, c, now); err != nil {
						return err
					}
					caseID = c.ID
				}
				heldInt := 0
				if held {
					heldInt = 1
				}
				var action any
				if !held {
					action = actionID
				}
				_, err := tx.ExecContext(ctx, "INSERT INTO playbook_entries (playbook_id, customer_id, entered_us, holdout, case_id, invitation, action_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
					p.ID, cust, tp.ToMicros(now), heldInt, caseID, invitation, action)
				return err
			})
			if err != nil {
				return done, fmt.Errorf("playbook %d, customer %d: %w", p.ID, cust, err)
			}
			done++
		}
	}
	return done, nil
}

// playbookAction gives the department one action item for a run's entrants
// who are not held out (nil when all are): how many entered the segment,
// with the playbook as its origin; the entries name it.
func (db *DB) playbookAction(ctx context.Context, p tp.Playbook, seg *tp.Segment, entrants []int64, periodNo int64, now time.Time) (any, error) {
	n := 0
	for _, c := range entrants {
		if !tp.InHoldout(p.ID, c, periodNo, p.HoldoutPct) {
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	title := fmt.Sprintf("%s: %d customers entered %q", p.Name, n, seg.Name)
	for r := []rune(title); len(title) > 200; r = r[:len(r)-1] { // a long segment name: cut, by bytes as Validate counts
		title = string(r[:len(r)-1]) + "…"
	}
	a := &tp.ActionItem{Title: title, Department: p.Department, Due: now.AddDate(0, 0, 7).Format(time.DateOnly), Status: tp.ActionOpen,
		Slice: fmt.Sprintf("segment=%d", seg.ID), Origin: fmt.Sprintf("playbook %d (%s)", p.ID, p.Name), CreatedBy: "system", CreatedAt: now, UpdatedAt: now}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	err := db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return insertAction(ctx, tx, a) })
	return a.ID, err
}
