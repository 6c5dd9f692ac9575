package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	tp "github.com/touchpoint-cx/touchpoint"
)

// MergeCases folds a duplicate case into the one that stays, as an agent
// does when a customer writes twice about the same thing: the duplicate's
// conversation (notes, replies, the customer's mails) is copied into the
// kept case's trail, its mail threads and attachments move over (so later
// replies to either thread land in the kept case), and the duplicate is
// closed with resolution code "duplicate" and a pointer. Both cases must be
// the same customer's and the caller must be allowed to work both.
func (s *CaseService) MergeCases(ctx context.Context, keepID, dupID int64) (*tp.Case, error) {
	if err := mayAtAll(ctx, tp.ActCaseUpdate); err != nil {
		return nil, err
	}
	if keepID == dupID {
		return nil, tp.Errorf(tp.EINVALID, "a case cannot be merged into itself").WithFields(map[string]string{"from": "same case"})
	}
	var out *tp.Case
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Lock in id order, so two merges of the same pair cannot deadlock.
		first, second := min(keepID, dupID), max(keepID, dupID)
		a, err := s.db.lockCase(ctx, tx, first, tp.ActCaseUpdate)
		if err != nil {
			return err
		}
		b, err := s.db.lockCase(ctx, tx, second, tp.ActCaseUpdate)
		if err != nil {
			return err
		}
		keep, dup := a, b
		if keep.ID != keepID {
			keep, dup = b, a
		}
		switch {
		case keep.CustomerID != dup.CustomerID:
			return tp.Errorf(tp.ECONFLICT, "case %d is another customer's; only one customer's cases are merged", dup.ID)
		case dup.Status == tp.CaseClosed:
			return tp.Errorf(tp.ECONFLICT, "case %d is closed already", dup.ID)
		case keep.Status == tp.CaseClosed:
			return tp.Errorf(tp.ECONFLICT, "case %d is closed; merge into an open case", keep.ID)
		}
		now, actor := s.db.Now(), actorOf(ctx)
		us := tp.ToMicros(now)
		for _, q := range []string{
			`INSERT INTO case_events (case_id, at_us, actor, kind, field, old, new, body, public, metadata)
				SELECT $1, at_us, actor, kind, field, old, new, body, public, metadata FROM case_events
				WHERE case_id = $2 AND kind IN ('note', 'reply', 'inbound') ORDER BY id`,
			"UPDATE case_messages SET case_id = $1 WHERE case_id = $2",
			"UPDATE case_attachments SET case_id = $1 WHERE case_id = $2",
			"UPDATE inbound_mail SET case_id = $1 WHERE case_id = $2",
		} {
			if _, err := tx.ExecContext(ctx, q, keep.ID, dup.ID); err != nil {
				return fmt.Errorf("merge cases: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET status = 'closed', resolution_code = 'duplicate', updated_us = $1 WHERE id = $2", us, dup.ID); err != nil {
			return err
		}
		if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: dup.ID, At: now, Actor: actor, Kind: "status", Field: "status",
			Old: string(dup.Status), New: string(tp.CaseClosed), Body: fmt.Sprintf("merged into #%d", keep.ID)}); err != nil {
			return err
		}
		if err := addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: keep.ID, At: now, Actor: actor, Kind: "field", Field: "merged",
			New: fmt.Sprintf("#%d %s", dup.ID, dup.Subject)}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET updated_us = $1 WHERE id = $2", us, keep.ID); err != nil {
			return err
		}
		out, err = scanCase(tx.QueryRowContext(ctx, "SELECT "+caseCols+" FROM cases WHERE id = $1", keep.ID))
		return err
	})
	return out, err
}

// SplitCase opens a new case from one message of a case, when a customer
// raises a second matter in the same thread: same customer, department and
// channel, the message as its description. The new case names its origin;
// the old one gets a trail entry pointing to it.
func (s *CaseService) SplitCase(ctx context.Context, caseID, eventID int64, subject string) (*tp.Case, error) {
	c, events, err := s.FindCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, tp.ActCaseUpdate, caseObject(c)); err != nil {
		return nil, err
	}
	var msg *tp.CaseEvent
	for i := range events {
		if events[i].ID == eventID && events[i].Body != "" && (events[i].Kind == "inbound" || events[i].Kind == "created" || events[i].Kind == "note") {
			msg = &events[i]
		}
	}
	if msg == nil {
		return nil, tp.Errorf(tp.EINVALID, "case %d has no message %d to split off", caseID, eventID).WithFields(map[string]string{"event": "not a message of this case"})
	}
	nc := &tp.Case{CustomerID: c.CustomerID, Subject: subject, Description: msg.Body + fmt.Sprintf("\n\n(split from case #%d)", c.ID),
		Channel: c.Channel, Source: c.Source, Department: c.Department, Division: c.Division, Priority: c.Priority}
	if err := s.CreateCase(ctx, nc); err != nil {
		return nil, err
	}
	err = s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return addCaseEvent(ctx, tx, &tp.CaseEvent{CaseID: c.ID, At: s.db.Now(), Actor: actorOf(ctx), Kind: "field", Field: "split",
			New: fmt.Sprintf("#%d %s", nc.ID, nc.Subject)})
	})
	return nc, err
}
