package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Helpers for `touchpoint bench`: bulk set-up that is not itself measured.

// BenchCreateInvitations makes one link invitation per customer and returns the tokens.
func (db *DB) BenchCreateInvitations(ctx context.Context, surveyID int64, customers []int64) ([]string, error) {
	secret, err := db.tokenSecret(ctx)
	if err != nil {
		return nil, err
	}
	exp := db.Now().Add(24 * time.Hour).Truncate(time.Second)
	tokens := make([]string, 0, len(customers))
	err = db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, c := range customers {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO invitations (survey_id, customer_id, channel, status, expires_us, created_us)
				VALUES ($1, $2, 'email', 'created', $3, $4) RETURNING id`, surveyID, c, tp.ToMicros(exp), tp.ToMicros(db.Now())).Scan(&id); err != nil {
				return err
			}
			tokens = append(tokens, signToken(secret, id, exp))
		}
		return nil
	})
	return tokens, err
}

// BenchInsertResponses inserts n scored responses spread over the 18 months
// before end, across 3 divisions, 3 channels and 3 departments, with one
// multi-row INSERT per 500 rows; then rebuilds the survey's rollup.
func (db *DB) BenchInsertResponses(ctx context.Context, surveyID int64, n int, end time.Time, progress func(done int)) error {
	return db.BenchInsertScores(ctx, surveyID, n, 0, 10, end, progress)
}

// BenchInsertScores is BenchInsertResponses for any scale lo..hi.
func (db *DB) BenchInsertScores(ctx context.Context, surveyID int64, n, lo, hi int, end time.Time, progress func(done int)) error {
	r := rand.New(rand.NewPCG(7, uint64(surveyID)))
	divisions := []string{"Retail", "Online", "Business"}
	channels := []string{"email", "web", "phone"}
	depts := []string{"Service", "Logistics", "Billing"}
	span := 548 * 24 * time.Hour
	err := db.benchInsert(ctx, n, 11, `INSERT INTO responses (survey_id, version, score, answers, comment, lang, channel, department,
		division, created_us, updated_us)`, func(_ int, args []any) []any {
		at := tp.ToMicros(end.Add(-time.Duration(r.Int64N(int64(span)))))
		return append(args, surveyID, 1, lo+r.IntN(hi-lo+1), "{}", "", "en", channels[r.IntN(3)], depts[r.IntN(3)], divisions[r.IntN(3)], at, at)
	}, progress)
	if err != nil {
		return err
	}
	return db.surveys().RecomputeRollup(ctx, surveyID)
}

// BenchRawInbound stores raw messages only, one transaction each: the
// baseline for mail intake (what any intake must do at the least).
func (db *DB) BenchRawInbound(ctx context.Context, raw []byte) error {
	_, err := db.mail().RecordInbound(ctx, raw, "bench@example.com", []string{"complaints@cx.example.com"})
	return err
}

// BenchOpenCases inserts n open cases for one customer across departments,
// in bulk, without SLA jobs.
func (db *DB) BenchOpenCases(ctx context.Context, customer int64, n int) error {
	depts := []string{"Service", "Logistics", "Billing", "Sales"}
	now := tp.ToMicros(db.Now())
	return db.benchInsert(ctx, n, 9, `INSERT INTO cases (customer_id, subject, channel, source, priority, department, status, created_us, updated_us)`,
		func(i int, args []any) []any {
			return append(args, customer, fmt.Sprintf("bench case %d", i), "email", "email", "normal", depts[i%len(depts)], "open", now-int64(i), now)
		}, nil)
}

// BenchInsertCases inserts n cases over the 18 months before end across 3
// divisions, 4 departments, 3 channels and 4 categories, with due times, 90 %
// answered and 80 % resolved (some late), then builds the case rollup.
func (db *DB) BenchInsertCases(ctx context.Context, customer int64, n int, end time.Time, progress func(done int)) error {
	r := rand.New(rand.NewPCG(9, 9))
	divisions := []string{"Retail", "Online", "Business"}
	depts := []string{"Service", "Logistics", "Billing", "Sales"}
	channels := []string{"email", "web", "phone"}
	cats := []string{"delivery", "billing", "product", "service"}
	span := 548 * 24 * time.Hour
	// resolve_due_us follows first_due_us by 42 h in every bench case (set below).
	err := db.benchInsert(ctx, n, 14, `INSERT INTO cases (customer_id, subject, source, channel, category, priority, department, division,
		status, created_us, updated_us, first_reply_us, resolved_us, first_due_us)`, func(i int, args []any) []any {
		at := end.Add(-time.Duration(r.Int64N(int64(span))))
		var reply, resolved any
		status := "open"
		if r.Float64() < 0.9 {
			reply = tp.ToMicros(at.Add(time.Duration(r.Int64N(int64(10 * time.Hour)))))
		}
		if reply != nil && r.Float64() < 0.89 {
			resolved, status = tp.ToMicros(at.Add(time.Duration(r.Int64N(int64(60*time.Hour))))), "resolved"
		}
		return append(args, customer, fmt.Sprintf("bench case %d", i), "email", channels[r.IntN(3)], cats[r.IntN(4)], "normal",
			depts[r.IntN(4)], divisions[r.IntN(3)], status, tp.ToMicros(at), tp.ToMicros(at), reply, resolved, tp.ToMicros(at.Add(8*time.Hour)))
	}, progress)
	if err != nil {
		return err
	}
	if err := db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE cases SET resolve_due_us = first_due_us + 151200000000 WHERE resolve_due_us IS NULL")
		return err
	}); err != nil {
		return err
	}
	_, err = db.refreshCaseRollup(ctx, nil)
	return err
}

// BenchChurn gives each customer activity in one division since a random day
// of the 24 months before end; 15 % churn later. Then it builds the rollup.
func (db *DB) BenchChurn(ctx context.Context, customers []int64, end time.Time) error {
	r := rand.New(rand.NewPCG(3, 3))
	divisions := []string{"Retail", "Online", "Business"}
	span := int64(730 * 24 * time.Hour / time.Microsecond)
	endUS := tp.ToMicros(end)
	return db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for b := 0; b < len(customers); b += 250 {
			rows := min(250, len(customers)-b)
			args := make([]any, 0, rows*8)
			for _, c := range customers[b : b+rows] {
				first := endUS - r.Int64N(span)
				var churned any
				if r.Float64() < 0.15 {
					churned = first + r.Int64N(endUS-first+1)
				}
				args = append(args, c, divisions[r.IntN(3)], first, churned, c, "", first, churned)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO customer_divisions (customer_id, division, first_us, churned_us) VALUES "+
				db.placeholders(rows*2, 4, 1), args...); err != nil {
				return err
			}
		}
		return rebuildChurnRollup(ctx, tx)
	})
}

// benchInsert inserts n rows of cols columns with multi-row INSERTs of 500
// rows, 5000 rows per transaction; row(i) appends row i's values.
func (db *DB) benchInsert(ctx context.Context, n, cols int, insert string, row func(i int, args []any) []any, progress func(done int)) error {
	for start := 0; start < n; start += 5000 {
		err := db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for b := start; b < min(start+5000, n); b += 500 {
				rows := min(500, n-b)
				args := make([]any, 0, rows*cols)
				for i := b; i < b+rows; i++ {
					args = row(i, args)
				}
				if _, err := tx.ExecContext(ctx, insert+" VALUES "+db.placeholders(rows, cols, 1), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if progress != nil {
			progress(min(start+5000, n))
		}
	}
	return nil
}

// BenchActivity inserts perCustomer events per customer straight into
// events (ingestion is measured elsewhere), each customer active from a
// random day of the two years before end: a fifth of the events are Order
// Completed with a revenue, the rest page views over three channels. 15 %
// churn: their events stop at a random moment with a Customer Churned, and
// they ordered less before it (a signal beyond recency for the churn model).
func (db *DB) BenchActivity(ctx context.Context, source int64, customers []int64, perCustomer int, end time.Time, progress func(done int)) error {
	r := rand.New(rand.NewPCG(5, 5))
	span := int64(730 * 24 * time.Hour / time.Microsecond)
	endUS := tp.ToMicros(end)
	channels := []string{"web", "app", "store"}
	var first, last int64
	var churns bool
	return db.benchInsert(ctx, len(customers)*perCustomer, 9, "INSERT INTO events (message_id, source_id, customer_id, type, name, channel, ts_us, received_us, properties) ",
		func(i int, args []any) []any {
			k := i % perCustomer
			if k == 0 {
				first, last, churns = endUS-r.Int64N(span), endUS, r.Float64() < 0.15
				if churns {
					last = first + r.Int64N(endUS-first+1)
				}
			}
			ts := first + r.Int64N(last-first+1)
			typ, name, props := "page", "Home", any(nil)
			orders := 0.2
			if churns {
				orders = 0.08
			}
			switch {
			case churns && k == perCustomer-1:
				typ, name, ts = "track", "Customer Churned", last
			case r.Float64() < orders:
				typ, name, props = "track", "Order Completed", fmt.Sprintf(`{"revenue":%.2f}`, 10+r.ExpFloat64()*60)
			}
			return append(args, fmt.Sprintf("b%d", i), source, customers[i/perCustomer], typ, name, channels[r.IntN(3)], ts, ts, props)
		}, progress)
}
