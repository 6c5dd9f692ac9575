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
	r := rand.New(rand.NewPCG(7, 7))
	divisions := []string{"Retail", "Online", "Business"}
	channels := []string{"email", "web", "phone"}
	depts := []string{"Service", "Logistics", "Billing"}
	span := 548 * 24 * time.Hour
	const cols = 11
	for start := 0; start < n; start += 5000 {
		err := db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for b := start; b < min(start+5000, n); b += 500 {
				rows := min(500, n-b)
				args := make([]any, 0, rows*cols)
				for range rows {
					at := tp.ToMicros(end.Add(-time.Duration(r.Int64N(int64(span)))))
					args = append(args, surveyID, 1, r.IntN(11), "{}", "", "en", channels[r.IntN(3)], depts[r.IntN(3)], divisions[r.IntN(3)], at, at)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO responses (survey_id, version, score, answers, comment, lang, channel, department,
					division, created_us, updated_us) VALUES `+db.placeholders(rows, cols, 1), args...); err != nil {
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
	return db.RecomputeRollup(ctx, surveyID)
}

// BenchRawInbound stores raw messages only, one transaction each: the
// baseline for mail intake (what any intake must do at the least).
func (db *DB) BenchRawInbound(ctx context.Context, raw []byte) error {
	_, err := db.RecordInbound(ctx, raw, "bench@example.com", []string{"complaints@cx.example.com"})
	return err
}

// BenchOpenCases inserts n open cases for one customer across departments,
// in bulk, without SLA jobs.
func (db *DB) BenchOpenCases(ctx context.Context, customer int64, n int) error {
	depts := []string{"Service", "Logistics", "Billing", "Sales"}
	now := tp.ToMicros(db.Now())
	const cols = 9
	for start := 0; start < n; start += 5000 {
		err := db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for b := start; b < min(start+5000, n); b += 500 {
				rows := min(500, n-b)
				args := make([]any, 0, rows*cols)
				for k := range rows {
					args = append(args, customer, fmt.Sprintf("bench case %d", b+k), "email", "email", "normal", depts[(b+k)%len(depts)],
						"open", now-int64(b+k), now)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO cases (customer_id, subject, channel, source, priority, department, status,
					created_us, updated_us) VALUES `+db.placeholders(rows, cols, 1), args...); err != nil {
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
