package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	tp "github.com/touchpoint-cx/touchpoint"
)

// ImportCases records cases with their own history, 200 per transaction:
// the row as it stands, its trail, its due times from the SLA policy; cases
// still open get their SLA checks like new ones.
func (s *CaseService) ImportCases(ctx context.Context, cases []tp.CaseImport) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	for i := range cases {
		if err := cases[i].Case.Validate(); err != nil {
			return fmt.Errorf("case %d: %w", i, err)
		}
	}
	for start := 0; start < len(cases); start += 200 {
		chunk := cases[start:min(start+200, len(cases))]
		err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for i := range chunk {
				if err := s.db.importCase(ctx, tx, &chunk[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) importCase(ctx context.Context, tx *sql.Tx, ci *tp.CaseImport) error {
	c := &ci.Case
	tags, _ := json.Marshal(c.Tags)
	if c.Tags == nil {
		tags = []byte("[]")
	}
	var firstReply, resolved any
	if c.FirstReplyAt != nil {
		firstReply = tp.ToMicros(*c.FirstReplyAt)
	}
	if c.ResolvedAt != nil {
		resolved = tp.ToMicros(*c.ResolvedAt)
	}
	var assignee, response any
	if c.AssigneeID != 0 {
		assignee = c.AssigneeID
	}
	if c.ResponseID != 0 {
		response = c.ResponseID
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO cases (customer_id, subject, description, channel, source, category, sub_category,
		priority, department, division, assignee_id, status, tags, response_id, resolution_code, root_cause, created_us, updated_us,
		first_reply_us, resolved_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id`,
		c.CustomerID, c.Subject, c.Description, c.Channel, c.Source, c.Category, c.SubCategory, string(c.Priority), c.Department,
		c.Division, assignee, string(c.Status), string(tags), response, c.ResolutionCode, c.RootCause, tp.ToMicros(c.CreatedAt),
		tp.ToMicros(c.UpdatedAt), firstReply, resolved).Scan(&c.ID); err != nil {
		return fmt.Errorf("import case: %w", err)
	}
	created := tp.CaseEvent{CaseID: c.ID, At: c.CreatedAt, Actor: "import", Kind: "created", New: string(tp.CaseNew), Body: c.Description,
		Public: c.Source == tp.CaseFromEmail || c.Source == tp.CaseFromWeb}
	if err := addCaseEvent(ctx, tx, &created); err != nil {
		return err
	}
	for i := range ci.Events {
		e := ci.Events[i]
		e.CaseID = c.ID
		if e.Actor == "" {
			e.Actor = "import"
		}
		if err := addCaseEvent(ctx, tx, &e); err != nil {
			return err
		}
	}
	pauses := tp.CasePauses(ci.Events)
	if c.Status == tp.CaseResolved || c.Status == tp.CaseClosed {
		// Historic: due times for the record, no checks to run.
		p, err := db.policyFor(ctx, tx, c.Priority, c.Category)
		if err != nil {
			return err
		}
		first, _ := p.Calendar.ClockDue(tp.SLAClock{Start: c.CreatedAt, Target: p.FirstResponse, Pauses: pauses})
		res, _ := p.Calendar.ClockDue(tp.SLAClock{Start: c.CreatedAt, Target: p.Resolution, Pauses: pauses})
		_, err = tx.ExecContext(ctx, "UPDATE cases SET first_due_us = $1, resolve_due_us = $2, sla_policy_id = $3 WHERE id = $4",
			tp.ToMicros(first), tp.ToMicros(res), p.ID, c.ID)
		return err
	}
	return db.scheduleSLA(ctx, tx, c, pauses)
}
