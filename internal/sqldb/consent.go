package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	tp "github.com/touchpoint-cx/touchpoint"
)

// PrivacyService keeps data-subject rights (export, erasure), consent and
// retention.
type PrivacyService struct{ db *DB }

// Consents returns where a customer stands on each purpose and every
// statement they made, newest first.
func (s *PrivacyService) Consents(ctx context.Context, id int64) ([]tp.Consent, []tp.ConsentStatement, error) {
	if err := can(ctx, tp.ActCustomerRead); err != nil {
		return nil, nil, err
	}
	if _, err := findCustomer(ctx, s.db.r, id); err != nil {
		return nil, nil, err
	}
	return consents(ctx, s.db.r, id)
}

func consents(ctx context.Context, q querier, id int64) ([]tp.Consent, []tp.ConsentStatement, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, purpose, granted, source, at_us FROM consents WHERE customer_id = $1 ORDER BY at_us DESC, id DESC", id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	history := []tp.ConsentStatement{}
	for rows.Next() {
		var st tp.ConsentStatement
		var granted int
		var at int64
		if err := rows.Scan(&st.ID, &st.Purpose, &granted, &st.Source, &at); err != nil {
			return nil, nil, err
		}
		st.Granted, st.At = granted == 1, tp.FromMicros(at)
		history = append(history, st)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	state := make([]tp.Consent, 0, len(tp.Purposes))
	for _, p := range tp.Purposes {
		c := tp.Consent{Purpose: p, Granted: p.Default(), Default: true}
		if i := slices.IndexFunc(history, func(st tp.ConsentStatement) bool { return st.Purpose == p }); i >= 0 {
			c = tp.Consent{Purpose: p, Granted: history[i].Granted, Source: history[i].Source, At: history[i].At}
		}
		state = append(state, c)
	}
	return state, history, nil
}

// SetConsent records a consent or an objection that a member of staff
// took (on the phone, at the counter), with them as its source.
func (s *PrivacyService) SetConsent(ctx context.Context, id int64, p tp.Purpose, granted bool) error {
	if err := can(ctx, tp.ActConsentUpdate); err != nil {
		return err
	}
	if !slices.Contains(tp.Purposes, p) {
		return tp.Errorf(tp.EINVALID, "purpose must be survey, marketing or profiling").WithFields(map[string]string{"purpose": "unknown"})
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		c, err := findCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.MergedInto != 0 {
			id = c.MergedInto
		}
		now := tp.ToMicros(s.db.Now())
		if err := stateConsent(ctx, tx, id, p, granted, actorOf(ctx), now); err != nil {
			return err
		}
		return audit(ctx, tx, now, "consent.update", fmt.Sprintf("customer %d", id), fmt.Sprintf("%s %s", p, map[bool]string{true: "granted", false: "objected"}[granted]))
	})
}

// stateConsent records one statement, and makes it the purpose's state
// unless a later statement is in place already (events may arrive late).
func stateConsent(ctx context.Context, tx *sql.Tx, cust int64, p tp.Purpose, granted bool, source string, at int64) error {
	g := map[bool]int{true: 1}[granted]
	if _, err := tx.ExecContext(ctx, "INSERT INTO consents (customer_id, purpose, granted, source, at_us) VALUES ($1, $2, $3, $4, $5)",
		cust, string(p), g, source, at); err != nil {
		return fmt.Errorf("consent: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO consent_state (customer_id, purpose, granted, source, at_us) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (customer_id, purpose) DO UPDATE SET granted = excluded.granted, source = excluded.source, at_us = excluded.at_us
		WHERE consent_state.at_us <= excluded.at_us`, cust, string(p), g, source, at)
	return err
}

// recomputeConsent rebuilds a customer's consent state from their
// statements, after a merge or an unmerge moved some.
func recomputeConsent(ctx context.Context, tx *sql.Tx, cust int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM consent_state WHERE customer_id = $1", cust); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO consent_state (customer_id, purpose, granted, source, at_us)
		SELECT c.customer_id, c.purpose, c.granted, c.source, c.at_us FROM consents c WHERE c.customer_id = $1
		AND NOT EXISTS (SELECT 1 FROM consents d WHERE d.customer_id = c.customer_id AND d.purpose = c.purpose
			AND (d.at_us > c.at_us OR (d.at_us = c.at_us AND d.id > c.id)))`, cust)
	return err
}

// objected is the condition "customer col objected to purpose p" (or, for
// marketing, never consented), for sending and segments.
func objected(col string, p tp.Purpose) string {
	if p.Default() {
		return col + " IN (SELECT customer_id FROM consent_state WHERE purpose = '" + string(p) + "' AND granted = 0)"
	}
	return col + " NOT IN (SELECT customer_id FROM consent_state WHERE purpose = '" + string(p) + "' AND granted = 1)"
}

// applyConsents records the consent statements the batch's messages carried
// (context.consent, traits.consent), after their customers are settled. A
// message repeating the state it finds adds nothing.
func (in *ingester) applyConsents() error {
	for _, c := range in.consents {
		cust := c.cust
		for in.merged[cust] != 0 {
			cust = in.merged[cust]
		}
		var granted int
		var at int64
		err := in.tx.QueryRowContext(in.ctx, "SELECT granted, at_us FROM consent_state WHERE customer_id = $1 AND purpose = $2", cust, string(c.purpose)).
			Scan(&granted, &at)
		if err == nil && (granted == 1) == c.granted {
			continue
		}
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if err := stateConsent(in.ctx, in.tx, cust, c.purpose, c.granted, c.actor, c.us); err != nil {
			return err
		}
	}
	in.consents = in.consents[:0]
	return nil
}
