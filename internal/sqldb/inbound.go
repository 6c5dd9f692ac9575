package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// RecordInbound stores a raw message as it arrived: nothing accepted is lost,
// whatever happens to it next.
func (s *MailService) RecordInbound(ctx context.Context, raw []byte, from string, to []string) (int64, error) {
	if err := can(ctx, tp.ActCaseSubmit); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO inbound_mail (received_us, envelope_from, recipients, raw, status)
			VALUES ($1, $2, $3, $4, 'received') RETURNING id`, tp.ToMicros(s.db.Now()), from, strings.Join(to, ", "), raw).Scan(&id)
	})
	return id, err
}

func (db *DB) markInbound(ctx context.Context, id int64, status, reason string, caseID int64) error {
	var c any
	if caseID != 0 {
		c = caseID
	}
	_, err := db.w.ExecContext(ctx, "UPDATE inbound_mail SET status = $1, reason = $2, case_id = $3 WHERE id = $4", status, reason, c, id)
	return err
}

// ProcessInbound turns a stored message into a new case, or into the
// customer's reply on a case it threads to (by Message-ID references, or a
// "[#id]" token in the subject from the case's own customer). Auto-replies
// are recorded and ignored (mail loops); unreadable mail is recorded as
// rejected with the reason.
func (s *MailService) ProcessInbound(ctx context.Context, id int64, m *tp.InboundMail, parseErr error) (string, int64, error) {
	if err := can(ctx, tp.ActCaseSubmit); err != nil {
		return "", 0, err
	}
	if m == nil || m.From == "" {
		reason := "no sender address"
		if parseErr != nil {
			reason += ": " + parseErr.Error()
		}
		return "rejected", 0, s.db.markInbound(ctx, id, "rejected", reason, 0)
	}
	if m.AutoReply {
		return "ignored", 0, s.db.markInbound(ctx, id, "ignored", "automatic reply (mail-loop protection)", 0)
	}
	cust, err := s.db.surveys().CustomerForEmail(ctx, m.From) // before the transaction: it ingests in its own
	if err != nil {
		reason := "sender " + m.From + ": " + tp.ErrorMessage(err)
		return "rejected", 0, s.db.markInbound(ctx, id, "rejected", reason, 0)
	}
	text := m.Text
	if text == "" {
		text = "(no text)"
	}
	if parseErr != nil {
		text += "\n\n[touchpoint: parts of this message could not be read: " + parseErr.Error() + "]"
	}
	outcome, caseID := "case", int64(0)
	err = s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		caseID, err = s.db.threadOf(ctx, tx, m, cust.ID)
		if err != nil {
			return err
		}
		now := s.db.Now()
		if caseID != 0 {
			outcome = "reply"
			if err := s.db.inboundReply(ctx, tx, caseID, m, text); err != nil {
				return err
			}
		} else {
			subject := strings.TrimSpace(m.Subject)
			if subject == "" {
				subject = "(no subject)"
			}
			if len(subject) > tp.MaxSubjectLen {
				subject = subject[:tp.MaxSubjectLen]
			}
			c := &tp.Case{CustomerID: cust.ID, Subject: subject, Description: text, Channel: "email", Source: tp.CaseFromEmail}
			if err := c.Validate(); err != nil {
				return err
			}
			if err := s.db.createCaseTx(tp.WithAccess(ctx, tp.Access{Actor: "mail:" + m.From}), tx, c, now); err != nil {
				return err
			}
			caseID = c.ID
		}
		if m.MessageID != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_messages (message_id, case_id, direction, created_us) VALUES ($1, $2, 'in', $3)
				ON CONFLICT (message_id) DO NOTHING`, m.MessageID, caseID, tp.ToMicros(now)); err != nil {
				return err
			}
		}
		for _, a := range m.Attachments {
			var data any
			if !a.Truncated {
				data = a.Data
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_attachments (case_id, inbound_id, filename, content_type, size, data, created_us)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, caseID, id, a.Filename, a.ContentType, len(a.Data), data, tp.ToMicros(now)); err != nil {
				return fmt.Errorf("attachment %q: %w", a.Filename, err)
			}
		}
		_, err := tx.ExecContext(ctx, "UPDATE inbound_mail SET status = $1, case_id = $2 WHERE id = $3", outcome, caseID, id)
		return err
	})
	if err != nil {
		_ = s.db.markInbound(ctx, id, "failed", err.Error(), 0)
		return "failed", 0, err
	}
	return outcome, caseID, nil
}

// threadOf finds the case a message answers, or 0.
func (db *DB) threadOf(ctx context.Context, tx *sql.Tx, m *tp.InboundMail, cust int64) (int64, error) {
	// A closed case takes no more mail: the message becomes a new case.
	for _, ref := range m.InReplyTo {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT m.case_id FROM case_messages m JOIN cases c ON c.id = m.case_id
			WHERE m.message_id = $1 AND c.status <> 'closed'`, ref).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	if id := tp.CaseToken(m.Subject); id != 0 {
		var owner int64
		// Only the case's own customer can write into it by token.
		err := tx.QueryRowContext(ctx, "SELECT customer_id FROM cases WHERE id = $1 AND status <> 'closed'", id).Scan(&owner)
		if err == nil && owner == cust {
			return id, nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	return 0, nil
}

// inboundReply adds the customer's mail to a case; a case waiting for the
// customer, or already resolved, opens again.
func (db *DB) inboundReply(ctx context.Context, tx *sql.Tx, caseID int64, m *tp.InboundMail, text string) error {
	c, err := scanCase(tx.QueryRowContext(ctx, "SELECT "+caseCols+" FROM cases WHERE id = $1"+db.forUpdate(), caseID))
	if err != nil {
		return err
	}
	now := db.Now()
	actor := "mail:" + m.From
	if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: caseID, At: now, Actor: actor, Kind: "inbound", Body: text, Public: true}); err != nil {
		return err
	}
	if c.Status == tp.CasePendingCustomer || c.Status == tp.CaseResolved {
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET status = 'open', resolved_us = NULL, updated_us = $1 WHERE id = $2",
			tp.ToMicros(now), caseID); err != nil {
			return err
		}
		if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: caseID, At: now, Actor: actor, Kind: "status", Field: "status",
			Old: string(c.Status), New: string(tp.CaseOpen), Body: "the customer wrote"}); err != nil {
			return err
		}
		events, err := caseEvents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		c.Status, c.ResolvedAt = tp.CaseOpen, nil
		return db.scheduleSLA(ctx, tx, c, tp.CasePauses(events))
	}
	_, err = tx.ExecContext(ctx, "UPDATE cases SET updated_us = $1 WHERE id = $2", tp.ToMicros(now), caseID)
	return err
}

// InboundStats counts stored mail by outcome (case, reply, ignored, rejected, failed).
func (s *MailService) InboundStats(ctx context.Context) (map[string]int, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	out := map[string]int{}
	rows, err := s.db.r.QueryContext(ctx, "SELECT status, COUNT(*) FROM inbound_mail GROUP BY status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var x string
		var n int
		if err := rows.Scan(&x, &n); err != nil {
			return nil, err
		}
		out[x] = n
	}
	return out, rows.Err()
}

// OutboundReply is what the reply worker needs, read fresh.
type OutboundReply struct {
	Case      *tp.Case
	Customer  *tp.Customer
	Body      string
	Sent      bool   // mailed before (a retried job must not mail twice)
	InReplyTo string // the customer's last message, for threading
}

// ReplyFor reads a reply event and its case for mailing.
func (s *MailService) ReplyFor(ctx context.Context, caseID, eventID int64) (*OutboundReply, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	c, err := scanCase(s.db.r.QueryRowContext(ctx, "SELECT "+caseCols+" FROM cases WHERE id = $1", caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.ENOTFOUND, "case %d not found", caseID)
	}
	if err != nil {
		return nil, err
	}
	out := &OutboundReply{Case: c}
	var meta sql.NullString
	if err := s.db.r.QueryRowContext(ctx, "SELECT body, metadata FROM case_events WHERE id = $1 AND case_id = $2", eventID, caseID).
		Scan(&out.Body, &meta); err != nil {
		return nil, fmt.Errorf("reply %d: %w", eventID, err)
	}
	out.Sent = meta.Valid && strings.Contains(meta.String, "message_id")
	if out.Customer, err = scanCustomer(s.db.r.QueryRowContext(ctx, "SELECT "+customerCols+" FROM customers WHERE id = $1", c.CustomerID)); err != nil {
		return nil, err
	}
	err = s.db.r.QueryRowContext(ctx, `SELECT message_id FROM case_messages WHERE case_id = $1 AND direction = 'in'
		ORDER BY created_us DESC LIMIT 1`, caseID).Scan(&out.InReplyTo)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return out, nil
}

// MarkReplySent records the Message-ID of a mailed reply, so the customer's
// answer threads back to the case.
func (s *MailService) MarkReplySent(ctx context.Context, caseID, eventID int64, messageID string) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := tp.ToMicros(s.db.Now())
		meta := fmt.Sprintf(`{"message_id":%q,"sent_us":%d}`, messageID, now)
		if _, err := tx.ExecContext(ctx, "UPDATE case_events SET metadata = $1 WHERE id = $2", meta, eventID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_messages (message_id, case_id, direction, created_us) VALUES ($1, $2, 'out', $3)
			ON CONFLICT (message_id) DO NOTHING`, messageID, caseID, now)
		return err
	})
}

// MarkReplyFailed records on the case that a reply could not be mailed.
func (s *MailService) MarkReplyFailed(ctx context.Context, caseID, eventID int64, reason string) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: caseID, At: s.db.Now(), Actor: "system:mail", Kind: "mail_failed",
			Body: reason, Metadata: []byte(fmt.Sprintf(`{"reply_event":%d}`, eventID))})
	})
}
