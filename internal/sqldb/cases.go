package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// caseColsList is caseCols as a plain list, for prefixing with a table alias.
const caseColsList = "id, customer_id, subject, description, channel, source, category, sub_category, priority, department, division, " +
	"assignee_id, status, resolution_code, root_cause, redress, tags, response_id, created_us, updated_us, first_reply_us, resolved_us, " +
	"first_due_us, resolve_due_us"

const caseCols = caseColsList

func scanCase(row interface{ Scan(...any) error }) (*tp.Case, error) {
	var c tp.Case
	var prio, status, tags string
	var assignee, response, firstReply, resolved, firstDue, resolveDue sql.NullInt64
	var redress sql.NullString
	var created, updated int64
	if err := row.Scan(&c.ID, &c.CustomerID, &c.Subject, &c.Description, &c.Channel, &c.Source, &c.Category, &c.SubCategory,
		&prio, &c.Department, &c.Division, &assignee, &status, &c.ResolutionCode, &c.RootCause, &redress, &tags, &response,
		&created, &updated, &firstReply, &resolved, &firstDue, &resolveDue); err != nil {
		return nil, err
	}
	c.FirstResponseDue, c.ResolutionDue = optTime(firstDue), optTime(resolveDue)
	c.Priority, c.Status = tp.Priority(prio), tp.CaseStatus(status)
	c.AssigneeID, c.ResponseID = assignee.Int64, response.Int64
	c.CreatedAt, c.UpdatedAt = tp.FromMicros(created), tp.FromMicros(updated)
	c.FirstReplyAt, c.ResolvedAt = optTime(firstReply), optTime(resolved)
	if redress.Valid && redress.String != "null" { // rows written before the fix hold JSON null
		c.Redress = &tp.Redress{}
		_ = json.Unmarshal([]byte(redress.String), c.Redress)
	}
	_ = json.Unmarshal([]byte(tags), &c.Tags)
	return &c, nil
}

func actorOf(ctx context.Context) string {
	if a := tp.AccessFrom(ctx).Actor; a != "" {
		return a
	}
	return "system"
}

// CreateCase stores a case with its first audit event, in one transaction.
// A case a department-scoped user opens without a department is their
// department's.
func (s *CaseService) CreateCase(ctx context.Context, c *tp.Case) error {
	dept, err := listScope(ctx, tp.ActCaseCreate)
	if err != nil {
		return err
	}
	if c.Department == "" {
		c.Department = dept
	}
	if err := authorize(ctx, tp.ActCaseCreate, tp.Object{Department: c.Department}); err != nil {
		return err
	}
	return s.db.createCase(ctx, c)
}

// SubmitComplaint stores a complaint from the public form: routed like
// every case that arrives without a department.
func (s *CaseService) SubmitComplaint(ctx context.Context, c *tp.Case) error {
	if err := can(ctx, tp.ActCaseSubmit); err != nil {
		return err
	}
	c.Source, c.Department, c.AssigneeID = tp.CaseFromWeb, "", 0
	return s.db.createCase(ctx, c)
}

func (db *DB) createCase(ctx context.Context, c *tp.Case) error {
	if err := c.Validate(); err != nil {
		return err
	}
	cust, err := findCustomer(ctx, db.r, c.CustomerID)
	if err != nil {
		return err
	}
	if cust.MergedInto != 0 {
		c.CustomerID = cust.MergedInto
	}
	return db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return db.createCaseTx(ctx, tx, c, db.Now())
	})
}

// createCaseTx stores a validated case, its first audit event and its SLA
// checks in tx.
func (db *DB) createCaseTx(ctx context.Context, tx *sql.Tx, c *tp.Case, now time.Time) error {
	c.CreatedAt, c.UpdatedAt = now, now
	tax, err := taxonomy(ctx, tx)
	if err != nil {
		return err
	}
	// Cases the system opens (closed loop) use its own category.
	if c.Source != tp.CaseFromSurvey && c.Source != tp.CaseFromPlaybook {
		if err := tax.Check(c.Category, c.SubCategory); err != nil {
			return err
		}
	}
	routedBy := ""
	if c.Department == "" {
		var err error
		if routedBy, err = db.route(ctx, tx, c); err != nil {
			return fmt.Errorf("route: %w", err)
		}
	}
	var redress any
	if c.Redress != nil {
		b, _ := json.Marshal(c.Redress)
		redress = string(b)
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	tags, _ := json.Marshal(c.Tags)
	var assignee, response any
	if c.AssigneeID != 0 {
		assignee = c.AssigneeID
	}
	if c.ResponseID != 0 {
		response = c.ResponseID
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO cases (customer_id, subject, description, channel, source, category, sub_category,
		priority, department, division, assignee_id, status, redress, tags, response_id, created_us, updated_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id`,
		c.CustomerID, c.Subject, c.Description, c.Channel, c.Source, c.Category, c.SubCategory, string(c.Priority), c.Department,
		c.Division, assignee, string(c.Status), redress, string(tags), response, tp.ToMicros(now)).Scan(&c.ID); err != nil {
		return fmt.Errorf("create case: %w", err)
	}
	if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: c.ID, At: now, Actor: actorOf(ctx), Kind: "created", New: string(c.Status),
		Body: c.Description, Public: c.Source == tp.CaseFromEmail || c.Source == tp.CaseFromWeb}); err != nil {
		return err
	}
	if routedBy != "" {
		if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: c.ID, At: now, Actor: "system:routing", Kind: "department",
			Field: "department", New: c.Department, Body: "routed by " + routedBy}); err != nil {
			return err
		}
	}
	return db.scheduleSLA(ctx, tx, c, nil) // the clocks start with the case, in its transaction
}

func addCaseEvent(ctx context.Context, tx *sql.Tx, e *tp.CaseEvent) error {
	public := 0
	if e.Public {
		public = 1
	}
	var meta any
	if len(e.Metadata) > 0 {
		meta = string(e.Metadata)
	}
	return tx.QueryRowContext(ctx, `INSERT INTO case_events (case_id, at_us, actor, kind, field, old, new, body, public, metadata)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, e.CaseID, tp.ToMicros(e.At), e.Actor, e.Kind, e.Field,
		e.Old, e.New, e.Body, public, meta).Scan(&e.ID)
}

// caseObject is what the policy decides a case by.
func caseObject(c *tp.Case) tp.Object { return tp.Object{Department: c.Department, User: c.AssigneeID} }

// lockCase reads a case for act, locked for the rest of tx. A case the
// caller may not read is "not found" (as in FindCase: its existence is not
// revealed); one they may read but not act on is forbidden.
func (db *DB) lockCase(ctx context.Context, tx *sql.Tx, id int64, act tp.Action) (*tp.Case, error) {
	c, err := scanCase(tx.QueryRowContext(ctx, "SELECT "+caseCols+" FROM cases WHERE id = $1"+db.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && authorize(ctx, tp.ActCaseRead, caseObject(c)) != nil) {
		return nil, tp.Errorf(tp.ENOTFOUND, "case %d not found", id)
	}
	if err != nil {
		return nil, err
	}
	return c, authorize(ctx, act, caseObject(c))
}

// FindCase returns a case and its audit trail, oldest event first.
func (s *CaseService) FindCase(ctx context.Context, id int64) (*tp.Case, []tp.CaseEvent, error) {
	c, err := s.readableCase(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	events, err := caseEvents(ctx, s.db.r, id)
	if err != nil {
		return nil, nil, err
	}
	return c, events, nil
}

// workOrder is tp.SortQueue's order in SQL, so that the limit keeps the most
// urgent cases rather than the newest: cases whose clock runs first, then
// the nearest due time not yet met (an overdue one is the nearest), then
// priority, then the oldest. Migration 0024 has the same expressions as an
// index (department first): keep the two texts the same.
const workOrder = `(CASE WHEN status IN ('pending_customer', 'resolved', 'closed') THEN 1 ELSE 0 END), (CASE WHEN first_reply_us IS NULL AND first_due_us IS NOT NULL AND (resolved_us IS NOT NULL OR resolve_due_us IS NULL OR first_due_us <= resolve_due_us) THEN first_due_us WHEN resolved_us IS NULL THEN resolve_due_us END) IS NULL, (CASE WHEN first_reply_us IS NULL AND first_due_us IS NOT NULL AND (resolved_us IS NOT NULL OR resolve_due_us IS NULL OR first_due_us <= resolve_due_us) THEN first_due_us WHEN resolved_us IS NULL THEN resolve_due_us END), (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END), id`

// ListCases returns a queue, newest first (or in work order). Department-scoped callers see
// only their department, whatever the filter asks.
func (s *CaseService) ListCases(ctx context.Context, f tp.CaseFilter) ([]tp.Case, error) {
	dept, err := listScope(ctx, tp.ActCaseRead)
	if err != nil {
		return nil, err
	}
	if dept != "" {
		f.Department, f.Triage = dept, false
	}
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Department != "" {
		add("department = $%d", f.Department)
	}
	if f.Triage {
		where = append(where, "department = ''")
	}
	if len(f.Status) > 0 {
		var ph []string
		for _, x := range f.Status {
			args = append(args, string(x))
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		where = append(where, "status IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Priority != "" {
		add("priority = $%d", string(f.Priority))
	}
	if f.AssigneeID != 0 {
		add("assignee_id = $%d", f.AssigneeID)
	}
	if f.Unassigned {
		where = append(where, "assignee_id IS NULL")
	}
	if f.CustomerID != 0 {
		add("customer_id = $%d", f.CustomerID)
	}
	if f.Division != "" {
		add("division = $%d", f.Division)
	}
	if f.Channel != "" {
		add("channel = $%d", f.Channel)
	}
	if !f.From.IsZero() {
		add("created_us >= $%d", tp.ToMicros(f.From))
	}
	if !f.To.IsZero() {
		add("created_us < $%d", tp.ToMicros(f.To))
	}
	if f.BeforeID > 0 {
		add("id < $%d", f.BeforeID)
	}
	if f.SegmentID != 0 {
		cond, margs, err := s.db.segmentCond(ctx, f.SegmentID, "customer_id", len(args)+1)
		if err != nil {
			return nil, err
		}
		where, args = append(where, cond), append(args, margs...)
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		args = append(args, "%"+likeEscape(q)+"%")
		n := len(args)
		where = append(where, fmt.Sprintf(`(lower(subject) LIKE $%[1]d ESCAPE '\' OR lower(description) LIKE $%[1]d ESCAPE '\'
			OR customer_id IN (SELECT id FROM customers WHERE search LIKE $%[1]d ESCAPE '\'))`, n))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	args = append(args, limit)
	order := "id DESC"
	if f.WorkOrder {
		order = workOrder
	}
	rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM cases WHERE %s ORDER BY %s LIMIT $%d",
		caseCols, strings.Join(where, " AND "), order, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	out := []tp.Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// MoveCase changes a case's status, recording who, when and old → new.
func (s *CaseService) MoveCase(ctx context.Context, id int64, to tp.CaseStatus, note string) (*tp.Case, error) {
	if err := mayAtAll(ctx, tp.ActCaseUpdate); err != nil {
		return nil, err
	}
	var out *tp.Case
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		c, err := s.db.lockCase(ctx, tx, id, tp.ActCaseUpdate)
		if err != nil {
			return err
		}
		if err := tp.CanMove(c.Status, to); err != nil {
			return err
		}
		now := s.db.Now()
		set := "status = $1, updated_us = $2"
		switch {
		case to == tp.CaseResolved:
			set += ", resolved_us = $2"
		case c.Status == tp.CaseResolved && to != tp.CaseClosed: // reopened: resolved again later
			set += ", resolved_us = NULL"
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET "+set+" WHERE id = $3", string(to), tp.ToMicros(now), id); err != nil {
			return err
		}
		if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: id, At: now, Actor: actorOf(ctx), Kind: "status", Field: "status",
			Old: string(c.Status), New: string(to), Body: note}); err != nil {
			return err
		}
		if out, err = scanCase(tx.QueryRowContext(ctx, "SELECT "+caseCols+" FROM cases WHERE id = $1", id)); err != nil {
			return err
		}
		if to == tp.CaseResolved {
			if err := s.db.surveyAfterCase(ctx, tx, out); err != nil {
				return err
			}
		}
		if c.Status == tp.CasePendingCustomer || c.Status == tp.CaseResolved && to == tp.CaseOpen {
			// The clock runs again: due times moved, so the checks are scheduled anew.
			events, err := caseEvents(ctx, tx, id)
			if err != nil {
				return err
			}
			return s.db.scheduleSLA(ctx, tx, out, tp.CasePauses(events))
		}
		return nil
	})
	return out, err
}

// AddCaseNote adds an internal note or a customer-visible reply. The first
// reply stops the first-response clock.
func (s *CaseService) AddCaseNote(ctx context.Context, id int64, body string, public bool) (*tp.CaseEvent, error) {
	if err := mayAtAll(ctx, tp.ActCaseUpdate); err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if body == "" || len(body) > tp.MaxDescriptionLen {
		return nil, tp.Errorf(tp.EINVALID, "a note needs text (at most 50 000 characters)").WithFields(map[string]string{"body": "required"})
	}
	var e *tp.CaseEvent
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		c, err := s.db.lockCase(ctx, tx, id, tp.ActCaseUpdate)
		if err != nil {
			return err
		}
		if c.Status == tp.CaseClosed {
			return tp.Errorf(tp.ECONFLICT, "case %d is closed", id)
		}
		now := s.db.Now()
		kind := "note"
		if public {
			kind = "reply"
			if c.FirstReplyAt == nil {
				if _, err := tx.ExecContext(ctx, "UPDATE cases SET first_reply_us = $1 WHERE id = $2", tp.ToMicros(now), id); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET updated_us = $1 WHERE id = $2", tp.ToMicros(now), id); err != nil {
			return err
		}
		e = &tp.CaseEvent{CaseID: id, At: now, Actor: actorOf(ctx), Kind: kind, Body: body, Public: public}
		if err := addCaseEvent(ctx, tx, e); err != nil {
			return err
		}
		if public { // the mail goes out after the commit, from a job: the reply and its sending cannot part
			return s.db.enqueue(ctx, tx, tp.SendCaseReply{CaseID: id, EventID: e.ID}, now)
		}
		return nil
	})
	return e, err
}

func optTime(us sql.NullInt64) *time.Time {
	if !us.Valid {
		return nil
	}
	t := tp.FromMicros(us.Int64)
	return &t
}

// AssignCase gives a case to a user (0: nobody), audited.
func (s *CaseService) AssignCase(ctx context.Context, id, userID int64) error {
	if err := mayAtAll(ctx, tp.ActCaseUpdate); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		c, err := s.db.lockCase(ctx, tx, id, tp.ActCaseUpdate)
		if err != nil {
			return err
		}
		var assignee any
		newName := ""
		if userID != 0 {
			var role, dept string
			if err := tx.QueryRowContext(ctx, "SELECT email, role, department FROM users WHERE id = $1 AND deactivated_us = 0", userID).Scan(&newName, &role, &dept); err != nil {
				return tp.Errorf(tp.EINVALID, "user %d does not exist", userID).WithFields(map[string]string{"assignee_id": "no such user"})
			}
			if !tp.CanTakeCase(tp.Role(role), dept, c.Department) {
				return tp.Errorf(tp.EINVALID, "%s does not work %s cases", newName, orTriage(c.Department)).WithFields(map[string]string{"assignee_id": "not in the case's department"})
			}
			assignee = userID
		}
		if c.AssigneeID == userID {
			return nil
		}
		now := s.db.Now()
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET assignee_id = $1, updated_us = $2 WHERE id = $3", assignee, tp.ToMicros(now), id); err != nil {
			return err
		}
		return addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: id, At: now, Actor: actorOf(ctx), Kind: "assign", Field: "assignee",
			Old: fmt.Sprint(c.AssigneeID), New: newName})
	})
}

// ListAgents lists the users who work a department's cases ("" for all).
func (s *CaseService) ListAgents(ctx context.Context, department string) ([]tp.User, error) {
	dept, err := listScope(ctx, tp.ActUserRead)
	if err != nil {
		return nil, err
	}
	if dept != "" {
		department = dept
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT "+userCols+` FROM users WHERE deactivated_us = 0 AND role IN ('agent', 'department_head')
		AND (department = $1 OR $1 = '') ORDER BY email`, department)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// surveyAfterCase invites the customer of a resolved case to the survey
// marked after_case (the CSAT about the handling), in the resolving
// transaction; the contact budget applies as to every invitation.
func (db *DB) surveyAfterCase(ctx context.Context, tx *sql.Tx, c *tp.Case) error {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM surveys WHERE after_case = 1 AND status = 'active' ORDER BY id LIMIT 1").Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	s, err := findSurvey(ctx, tx, id, 0, "")
	if err != nil {
		return err
	}
	_, err = db.queueOne(ctx, tx, s, c.CustomerID, tp.SendOptions{Channel: c.Channel, Department: c.Department, Division: c.Division,
		TriggerKey: fmt.Sprintf("case:%d:%d", c.ID, tp.ToMicros(db.Now())), TTL: 30 * 24 * time.Hour, BudgetDays: tp.DefaultBudgetDays})
	return err
}

// UpdateCase changes a case's fields, one audit entry per changed field.
// Moving a case to another department hands it over (the assignee goes).
func (s *CaseService) UpdateCase(ctx context.Context, id int64, ch tp.CaseChange) (*tp.Case, error) {
	if err := mayAtAll(ctx, tp.ActCaseUpdate); err != nil {
		return nil, err
	}
	var out *tp.Case
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		c, err := s.db.lockCase(ctx, tx, id, tp.ActCaseUpdate)
		if err != nil {
			return err
		}
		if c.Status == tp.CaseClosed {
			return tp.Errorf(tp.ECONFLICT, "case %d is closed", id)
		}
		next := *c
		if ch.Priority != nil {
			next.Priority = *ch.Priority
		}
		for dst, src := range map[*string]*string{&next.Department: ch.Department, &next.Category: ch.Category,
			&next.SubCategory: ch.SubCategory, &next.ResolutionCode: ch.ResolutionCode, &next.RootCause: ch.RootCause} {
			if src != nil {
				*dst = strings.TrimSpace(*src)
			}
		}
		if ch.Redress != nil {
			next.Redress = ch.Redress
		}
		if ch.Tags != nil {
			next.Tags = *ch.Tags
		}
		if err := next.Validate(); err != nil {
			return err
		}
		if next.Category != c.Category || next.SubCategory != c.SubCategory {
			tax, err := taxonomy(ctx, tx)
			if err != nil {
				return err
			}
			if err := tax.Check(next.Category, next.SubCategory); err != nil {
				return err
			}
		}
		redress, _ := json.Marshal(next.Redress)
		var redressCol any // NULL when there is none: JSON null came back as an empty, invalid redress
		if next.Redress != nil {
			redressCol = string(redress)
		}
		tags, _ := json.Marshal(next.Tags)
		if next.Department != c.Department {
			next.AssigneeID = 0
		}
		var assignee any
		if next.AssigneeID != 0 {
			assignee = next.AssigneeID
		}
		now := s.db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET priority = $1, department = $2, category = $3, sub_category = $4,
			resolution_code = $5, root_cause = $6, redress = $7, tags = $8, assignee_id = $9, updated_us = $10 WHERE id = $11`,
			string(next.Priority), next.Department, next.Category, next.SubCategory, next.ResolutionCode, next.RootCause,
			redressCol, string(tags), assignee, tp.ToMicros(now), id); err != nil {
			return err
		}
		oldR, _ := json.Marshal(c.Redress)
		oldT, _ := json.Marshal(c.Tags)
		for _, f := range []struct{ name, old, new string }{
			{"priority", string(c.Priority), string(next.Priority)}, {"department", c.Department, next.Department},
			{"category", c.Category, next.Category}, {"sub_category", c.SubCategory, next.SubCategory},
			{"resolution_code", c.ResolutionCode, next.ResolutionCode}, {"root_cause", c.RootCause, next.RootCause},
			{"redress", string(oldR), string(redress)}, {"tags", string(oldT), string(tags)},
		} {
			if f.old == f.new {
				continue
			}
			if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: id, At: now, Actor: actorOf(ctx), Kind: "field", Field: f.name,
				Old: f.old, New: f.new}); err != nil {
				return err
			}
		}
		if next.Priority != c.Priority || next.Category != c.Category {
			// Another policy may apply now: due times and checks follow it.
			events, err := caseEvents(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := s.db.scheduleSLA(ctx, tx, &next, tp.CasePauses(events)); err != nil {
				return err
			}
		}
		out, err = scanCase(tx.QueryRowContext(ctx, "SELECT "+caseCols+" FROM cases WHERE id = $1", id))
		return err
	})
	return out, err
}

// SetTaxonomy replaces the case taxonomy (empty: any category).
func (s *CaseService) SetTaxonomy(ctx context.Context, t tp.Taxonomy) error {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM case_taxonomy"); err != nil {
			return err
		}
		for cat, subs := range t {
			cat = strings.TrimSpace(cat)
			if cat == "" {
				return tp.Errorf(tp.EINVALID, "a category needs a name").WithFields(map[string]string{"category": "required"})
			}
			for _, sub := range append([]string{""}, subs...) {
				if _, err := tx.ExecContext(ctx, "INSERT INTO case_taxonomy (category, sub_category) VALUES ($1, $2) ON CONFLICT DO NOTHING",
					cat, strings.TrimSpace(sub)); err != nil {
					return err
				}
			}
		}
		b, _ := json.Marshal(t)
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), "taxonomy.set", "case taxonomy", string(b))
	})
}

// Taxonomy returns the case taxonomy.
func (s *CaseService) Taxonomy(ctx context.Context) (tp.Taxonomy, error) {
	if err := can(ctx, tp.ActCaseSettingsRd); err != nil {
		return tp.Taxonomy{}, err
	}
	return taxonomy(ctx, s.db.r)
}

func taxonomy(ctx context.Context, q querier) (tp.Taxonomy, error) {
	rows, err := q.QueryContext(ctx, "SELECT category, sub_category FROM case_taxonomy ORDER BY category, sub_category")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := tp.Taxonomy{}
	for rows.Next() {
		var c, s string
		if err := rows.Scan(&c, &s); err != nil {
			return nil, err
		}
		if _, ok := t[c]; !ok {
			t[c] = []string{}
		}
		if s != "" {
			t[c] = append(t[c], s)
		}
	}
	return t, rows.Err()
}

// SaveReplyTemplate creates a template or, for a known name and language,
// replaces its body.
func (s *CaseService) SaveReplyTemplate(ctx context.Context, t *tp.ReplyTemplate) error {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO reply_templates (name, language, body, then_status, add_tags) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (name, language) DO UPDATE SET body = excluded.body, then_status = excluded.then_status, add_tags = excluded.add_tags
			RETURNING id`, t.Name, t.Language, t.Body, string(t.ThenStatus), strings.Join(t.AddTags, ",")).Scan(&t.ID); err != nil {
			return err
		}
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), "template.save", fmt.Sprintf("reply template %d", t.ID), t.Name+" ("+t.Language+")")
	})
}

// ListReplyTemplates lists the templates of one language ("" for all) by name.
func (s *CaseService) ListReplyTemplates(ctx context.Context, language string) ([]tp.ReplyTemplate, error) {
	if err := can(ctx, tp.ActCaseSettingsRd); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, name, language, body, then_status, add_tags FROM reply_templates
		WHERE $1 = '' OR language = $1 ORDER BY name, language`, language)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.ReplyTemplate
	for rows.Next() {
		var t tp.ReplyTemplate
		var status, tags string
		if err := rows.Scan(&t.ID, &t.Name, &t.Language, &t.Body, &status, &tags); err != nil {
			return nil, err
		}
		t.ThenStatus = tp.CaseStatus(status)
		if tags != "" {
			t.AddTags = strings.Split(tags, ",")
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteReplyTemplate removes a template.
func (s *CaseService) DeleteReplyTemplate(ctx context.Context, id int64) error {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM reply_templates WHERE id = $1", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tp.Errorf(tp.ENOTFOUND, "reply template %d not found", id)
		}
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), "template.delete", fmt.Sprintf("reply template %d", id), "")
	})
}
