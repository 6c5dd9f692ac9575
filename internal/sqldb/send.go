package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Enqueuer stores a background job in tx, to run at runAt. The job runner
// sets DB.Enqueue; work that needs a job commits together with it.
type Enqueuer func(ctx context.Context, tx *sql.Tx, job tp.Job, runAt time.Time) error

func (db *DB) enqueue(ctx context.Context, tx *sql.Tx, job tp.Job, at time.Time) error {
	if db.Enqueue == nil {
		return fmt.Errorf("no job runner is configured to take %s jobs", job.Kind())
	}
	return db.Enqueue(ctx, tx, job, at)
}

// QueueInvitations invites customers to a survey by e-mail: each gets an
// invitation and a send job in one transaction, unless the contact budget,
// an opt-out or a missing address stops it; a skipped invitation is recorded
// with its reason. On PostgreSQL each customer's row is locked while the
// budget is checked, so concurrent sends cannot both pass it.
func (s *SurveyService) QueueInvitations(ctx context.Context, surveyID int64, customers []int64, opt tp.SendOptions) (tp.SendReport, error) {
	if err := can(ctx, tp.ActSurveySend); err != nil {
		return tp.SendReport{}, err
	}
	rep := tp.SendReport{Skipped: map[string]int{}}
	x, err := findSurvey(ctx, s.db.r, surveyID, 0, "")
	if err != nil {
		return rep, err
	}
	if x.Status != tp.SurveyActive {
		return rep, tp.Errorf(tp.ECONFLICT, "survey %d is %s; only active surveys can be sent", x.ID, x.Status)
	}
	if opt.Channel != "" && !tp.IsChannel(opt.Channel) {
		return rep, tp.Errorf(tp.EINVALID, "unknown channel %q", opt.Channel)
	}
	if opt.TTL <= 0 {
		opt.TTL = 30 * 24 * time.Hour
	}
	if opt.BudgetDays <= 0 {
		opt.BudgetDays = tp.DefaultBudgetDays
	}
	for start := 0; start < len(customers); start += 200 {
		chunk := customers[start:min(start+200, len(customers))]
		var part tp.SendReport
		err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			part = tp.SendReport{Skipped: map[string]int{}}
			for _, cust := range chunk {
				reason, err := s.db.queueOne(ctx, tx, x, cust, opt)
				if err != nil {
					return err
				}
				if reason == "" {
					part.Queued++
				} else {
					part.Skipped[reason]++
				}
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
		rep.Queued += part.Queued
		for k, v := range part.Skipped {
			rep.Skipped[k] += v
		}
	}
	return rep, nil
}

func (db *DB) queueOne(ctx context.Context, tx *sql.Tx, s *tp.Survey, cust int64, opt tp.SendOptions) (string, error) {
	now := db.Now()
	var email string
	var merged sql.NullInt64
	for range 10 { // follow merges to the live customer
		err := tx.QueryRowContext(ctx, "SELECT email, merged_into FROM customers WHERE id = $1"+db.forUpdate(), cust).Scan(&email, &merged)
		if errors.Is(err, sql.ErrNoRows) {
			return tp.SkipUnknown, nil
		}
		if err != nil {
			return "", err
		}
		if !merged.Valid {
			break
		}
		cust = merged.Int64
	}
	reason := ""
	var optedOut int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM customers c WHERE c.id = $1 AND "+objected("c.id", tp.PurposeSurvey), cust).Scan(&optedOut); err != nil {
		return "", err
	}
	var recent int
	// Every invitation we made counts (links handed out by the API too), not
	// the ones visitors start themselves on a public link or widget.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations WHERE customer_id = $1 AND created_us >= $2
		AND status IN ('created', 'queued', 'sent', 'responded') AND (trigger_key IS NULL OR trigger_key NOT LIKE 'public:%')`,
		cust, tp.ToMicros(now.AddDate(0, 0, -opt.BudgetDays))).Scan(&recent); err != nil {
		return "", err
	}
	switch {
	case optedOut > 0:
		reason = tp.SkipOptedOut
	case email == "":
		reason = tp.SkipNoEmail
	case recent > 0:
		reason = tp.SkipBudget
	}
	status := "queued"
	if reason != "" {
		status = "skipped"
	}
	var id int64
	var key any
	if opt.TriggerKey != "" {
		key = opt.TriggerKey
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO invitations (survey_id, customer_id, channel, department, division, status, reason,
		expires_us, created_us, trigger_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, s.ID, cust, opt.Channel, opt.Department,
		opt.Division, status, reason, tp.ToMicros(now.Add(opt.Delay+opt.TTL).Truncate(time.Second)), tp.ToMicros(now), key).Scan(&id); err != nil {
		return "", fmt.Errorf("record invitation: %w", err)
	}
	if reason != "" {
		return reason, nil
	}
	return "", db.enqueue(ctx, tx, tp.SendInvitation{InvitationID: id}, now.Add(opt.Delay))
}

// Delivery is what the send worker needs, read fresh when the job runs.
type Delivery struct {
	Invitation *tp.Invitation
	Survey     *tp.Survey
	Customer   *tp.Customer
	Token      string
	OptedOut   bool
	SentAt     *time.Time
	RemindedAt *time.Time
	Responded  bool
}

// DeliveryFor reads an invitation's current state for sending.
func (s *SurveyService) DeliveryFor(ctx context.Context, invitationID int64) (*Delivery, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	var d Delivery
	var sent, reminded, responded sql.NullInt64
	inv, err := scanInvitation(s.db.r.QueryRowContext(ctx, "SELECT "+invitationCols+" FROM invitations WHERE id = $1", invitationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.ENOTFOUND, "invitation %d not found", invitationID)
	}
	if err != nil {
		return nil, err
	}
	if err := s.db.r.QueryRowContext(ctx, "SELECT sent_us, reminded_us, responded_us FROM invitations WHERE id = $1", invitationID).
		Scan(&sent, &reminded, &responded); err != nil {
		return nil, err
	}
	d.Invitation, d.Responded = inv, responded.Valid
	if sent.Valid {
		t := tp.FromMicros(sent.Int64)
		d.SentAt = &t
	}
	if reminded.Valid {
		t := tp.FromMicros(reminded.Int64)
		d.RemindedAt = &t
	}
	if d.Survey, err = findSurvey(ctx, s.db.r, inv.SurveyID, 0, ""); err != nil {
		return nil, err
	}
	if d.Customer, err = findCustomer(ctx, s.db.r, inv.CustomerID); err != nil {
		return nil, err
	}
	var n int
	if err := s.db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM customers c WHERE c.id = $1 AND "+objected("c.id", tp.PurposeSurvey), inv.CustomerID).Scan(&n); err != nil {
		return nil, err
	}
	d.OptedOut = n > 0
	secret, err := s.db.tokenSecret(ctx)
	if err != nil {
		return nil, err
	}
	d.Token = signToken(secret, inv.ID, inv.ExpiresAt)
	return &d, nil
}

// MarkSent records a delivered invitation (or reminder) and, for the first
// mail, schedules its one reminder in the same transaction.
func (s *SurveyService) MarkSent(ctx context.Context, invitationID int64, messageID string, reminder bool, remindAt time.Time) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := tp.ToMicros(s.db.Now())
		if reminder {
			_, err := tx.ExecContext(ctx, "UPDATE invitations SET reminded_us = $1 WHERE id = $2", now, invitationID)
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END,
			sent_us = $1, message_id = $2 WHERE id = $3`, now, messageID, invitationID); err != nil {
			return err
		}
		if remindAt.IsZero() {
			return nil
		}
		return s.db.enqueue(ctx, tx, tp.SendInvitation{InvitationID: invitationID, Reminder: true}, remindAt)
	})
}

// MarkFailed records why an invitation could not be delivered: "bounced"
// for a permanent refusal, "failed" when retries ran out.
func (s *SurveyService) MarkFailed(ctx context.Context, invitationID int64, status, reason string) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	if len(reason) > 500 {
		reason = reason[:500]
	}
	_, err := s.db.w.ExecContext(ctx, "UPDATE invitations SET status = $1, reason = $2 WHERE id = $3 AND status IN ('queued', 'sent')",
		status, reason, invitationID)
	return err
}

// OptOut records that the customer of an invitation link wants no more surveys.
func (s *SurveyService) OptOut(ctx context.Context, token string) error {
	if err := can(ctx, tp.ActConsentOptOut); err != nil {
		return err
	}
	secret, err := s.db.tokenSecret(ctx)
	if err != nil {
		return err
	}
	// An expired link still identifies the customer well enough to stop mail.
	id, err := verifyToken(secret, token, time.Time{})
	if err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var cust int64
		if err := tx.QueryRowContext(ctx, "SELECT customer_id FROM invitations WHERE id = $1", id).Scan(&cust); err != nil {
			return tp.Errorf(tp.ENOTFOUND, "this link is unknown")
		}
		for { // the profile may have been merged since the invitation went out
			var into sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT merged_into FROM customers WHERE id = $1", cust).Scan(&into); err != nil || !into.Valid {
				break
			}
			cust = into.Int64
		}
		return stateConsent(ctx, tx, cust, tp.PurposeSurvey, false, "unsubscribe link", tp.ToMicros(s.db.Now()))
	})
}
