package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	tp "github.com/touchpoint-cx/touchpoint"
)

// SaveChurnModel stores a trained model with its card; an active one
// replaces the one in force.
func (s *RiskService) SaveChurnModel(ctx context.Context, card *tp.ChurnModel, model []byte) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if card.Active {
			if _, err := tx.ExecContext(ctx, "UPDATE churn_models SET active = 0 WHERE active = 1"); err != nil {
				return err
			}
		}
		b, _ := json.Marshal(card)
		active := 0
		if card.Active {
			active = 1
		}
		return tx.QueryRowContext(ctx, "INSERT INTO churn_models (trained_us, active, card, model) VALUES ($1, $2, $3, $4) RETURNING id",
			tp.ToMicros(card.TrainedAt), active, string(b), model).Scan(&card.ID)
	})
}

// ActiveChurnModel is the model in force and its card; nil when none is.
func (s *RiskService) ActiveChurnModel(ctx context.Context) (*tp.ChurnModel, []byte, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, nil, err
	}
	var id int64
	var card string
	var model []byte
	err := s.db.r.QueryRowContext(ctx, "SELECT id, card, model FROM churn_models WHERE active = 1 ORDER BY id DESC LIMIT 1").Scan(&id, &card, &model)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var m tp.ChurnModel
	if err := json.Unmarshal([]byte(card), &m); err != nil {
		return nil, nil, fmt.Errorf("churn model %d: %w", id, err)
	}
	m.ID = id
	return &m, model, nil
}

// ChurnModels are the cards of the newest models, the newest first.
func (s *RiskService) ChurnModels(ctx context.Context, limit int) ([]tp.ChurnModel, error) {
	if err := can(ctx, tp.ActRiskRead); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT id, active, card FROM churn_models ORDER BY id DESC LIMIT $1", limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.ChurnModel
	for rows.Next() {
		var m tp.ChurnModel
		var id int64
		var active int
		var card string
		if err := rows.Scan(&id, &active, &card); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(card), &m); err != nil {
			return nil, fmt.Errorf("churn model %d: %w", id, err)
		}
		m.ID, m.Active = id, active == 1
		out = append(out, m)
	}
	return out, rows.Err()
}

// SaveScores replaces every customer's scores with these, in one
// transaction: readers see the old scores or the new, never a mix.
func (s *RiskService) SaveScores(ctx context.Context, scores []tp.CustomerScore) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	if s.db.dialect == Postgres {
		return s.db.copyScores(ctx, scores)
	}
	return s.db.writeLarge(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM customer_scores"); err != nil {
			return err
		}
		// Multi-row inserts of scoreChunk rows, the full chunks through one
		// prepared statement: one statement per row cost ≈ 52 s for 850 k
		// customers (BENCHMARKS.md). The rows' JSON is encoded by a second
		// goroutine while the chunk before is written: encoding was a fifth
		// of the save.
		const cols = 10
		insert := "INSERT INTO customer_scores (" + strings.Join(scoreColumnList, ", ") + ") VALUES "
		full, err := tx.PrepareContext(ctx, insert+s.db.placeholders(scoreChunk, cols, 1))
		if err != nil {
			return err
		}
		defer full.Close()
		chunks := make(chan []any, 2)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			defer close(chunks)
			for start := 0; start < len(scores); start += scoreChunk {
				chunk := scores[start:min(start+scoreChunk, len(scores))]
				args := make([]any, 0, len(chunk)*cols)
				for i := range chunk {
					args = append(args, scoreRow(&chunk[i])...)
				}
				select {
				case chunks <- args:
				case <-stop: // the writer failed
					return
				}
			}
		}()
		for args := range chunks {
			n := len(args) / cols
			if n == scoreChunk {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insert+s.db.placeholders(n, cols, 1), args...)
			}
			if err != nil {
				return fmt.Errorf("scores from customer %d: %w", args[0], err)
			}
		}
		return nil
	})
}

const scoreChunk = 200

// scoreColumnList are the columns scoreRow gives, in its order.
var scoreColumnList = []string{"customer_id", "computed_us", "risk", "risk_band", "value_tier", "revenue_365d", "clv", "model_id", "features", "detail"}

// scoreRow is a score's row of customer_scores.
func scoreRow(c *tp.CustomerScore) []any {
	features, _ := json.Marshal(c.Features)
	detail, _ := json.Marshal(scoreDetail{c.Intercept, c.Points, nil, c.RFM, c.CLVLow, c.CLVHigh, c.PAlive, c.Offers, c.NoOffer})
	var model *int64
	if c.Model != 0 {
		model = &c.Model
	}
	return []any{c.CustomerID, tp.ToMicros(c.ComputedAt), c.Risk, c.RiskBand, c.ValueTier, c.Features.Revenue365,
		c.CLV, model, string(features), string(detail)}
}

// copyScores is SaveScores on PostgreSQL: one transaction on a connection of
// the writer pool, the rows through COPY. The multi-row inserts took 35 s of
// the million's hourly 74 s there (BENCHMARKS.md, "The million on
// PostgreSQL").
func (db *DB) copyScores(ctx context.Context, scores []tp.CustomerScore) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		return pgx.BeginFunc(ctx, dc.(*stdlib.Conn).Conn(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "DELETE FROM customer_scores"); err != nil {
				return err
			}
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"customer_scores"}, scoreColumnList,
				pgx.CopyFromSlice(len(scores), func(i int) ([]any, error) { return scoreRow(&scores[i]), nil }))
			return err
		})
	})
}

// scoreDetail is what a score holds besides its indexed columns.
type scoreDetail struct {
	Intercept float64 `json:"intercept"`
	// Points are each input's points in the model's order: the reasons'
	// values are the features' own, so storing the reasons whole (1.2 KB a
	// customer) made the million's save twice as long. Reasons is how
	// scores were stored before, read until the next refresh rewrites them.
	Points  []float64       `json:"points,omitempty"`
	Reasons []tp.RiskReason `json:"reasons,omitempty"`
	RFM     [3]int          `json:"rfm"`
	CLVLow  *float64        `json:"clv_low"`
	CLVHigh *float64        `json:"clv_high"`
	PAlive  *float64        `json:"p_alive"`
	Offers  []tp.Offer      `json:"offers,omitempty"`
	NoOffer string          `json:"no_offer,omitempty"`
}

const scoreColumns = "s.customer_id, c.name, s.computed_us, s.risk, s.risk_band, s.value_tier, s.clv, COALESCE(s.model_id, 0), s.features, s.detail"

func scanScore(rows scanner) (tp.CustomerScore, error) {
	var c tp.CustomerScore
	var at int64
	var features, detail string
	if err := rows.Scan(&c.CustomerID, &c.Name, &at, &c.Risk, &c.RiskBand, &c.ValueTier, &c.CLV, &c.Model, &features, &detail); err != nil {
		return c, err
	}
	c.ComputedAt = tp.FromMicros(at)
	var d scoreDetail
	if err := json.Unmarshal([]byte(features), &c.Features); err != nil {
		return c, fmt.Errorf("scores of customer %d: %w", c.CustomerID, err)
	}
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		return c, fmt.Errorf("scores of customer %d: %w", c.CustomerID, err)
	}
	c.Intercept, c.Reasons, c.RFM, c.CLVLow, c.CLVHigh, c.PAlive, c.Offers, c.NoOffer = d.Intercept, d.Reasons, d.RFM, d.CLVLow, d.CLVHigh, d.PAlive, d.Offers, d.NoOffer
	if d.Points != nil {
		c.Points, c.Reasons = d.Points, c.Features.RiskReasons(d.Points)
	}
	return c, nil
}

// CustomerScore is one customer's value and risk; nil when the risk job has
// not scored them (new, churned, merged away, or objecting to profiling).
func (s *RiskService) CustomerScore(ctx context.Context, customerID int64) (*tp.CustomerScore, error) {
	if err := can(ctx, tp.ActRiskRead); err != nil {
		return nil, err
	}
	c, err := scanScore(s.db.r.QueryRowContext(ctx, "SELECT "+scoreColumns+" FROM customer_scores s JOIN customers c ON c.id = s.customer_id WHERE s.customer_id = $1", customerID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// AtRisk lists the customers of a risk band ("" any), the most likely to
// leave first; ties by revenue.
func (s *RiskService) AtRisk(ctx context.Context, band string, limit int) ([]tp.CustomerScore, error) {
	if err := can(ctx, tp.ActRiskRead); err != nil {
		return nil, err
	}
	return s.db.scoreList(ctx, `s.risk IS NOT NULL AND ($1 = '' OR s.risk_band = $1) ORDER BY s.risk DESC, s.revenue_365d DESC, s.customer_id LIMIT $2`, band, limit)
}

// scoreList reads the scores of the customers a condition on s and c selects.
func (db *DB) scoreList(ctx context.Context, where string, args ...any) ([]tp.CustomerScore, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+scoreColumns+" FROM customer_scores s JOIN customers c ON c.id = s.customer_id WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.CustomerScore
	for rows.Next() {
		c, err := scanScore(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const sliceSums = `COUNT(*), SUM(CASE WHEN s.risk_band = 'high' THEN 1 ELSE 0 END), SUM(CASE WHEN s.risk_band = 'medium' THEN 1 ELSE 0 END),
	SUM(CASE WHEN s.risk_band = 'low' THEN 1 ELSE 0 END), COALESCE(SUM(s.revenue_365d), 0),
	COALESCE(SUM(COALESCE(s.risk, 0) * s.revenue_365d), 0), COALESCE(SUM(s.clv), 0)`

func scanSlice(rows scanner, name *string) (tp.RiskSlice, error) {
	var r tp.RiskSlice
	var n, hi, med, lo sql.NullInt64
	dest := []any{&n, &hi, &med, &lo, &r.Revenue365, &r.AtRisk, &r.CLV}
	if name != nil {
		dest = append([]any{name}, dest...)
	}
	err := rows.Scan(dest...)
	r.Customers, r.High, r.Medium, r.Low = int(n.Int64), int(hi.Int64), int(med.Int64), int(lo.Int64)
	if name != nil {
		r.Name = *name
	}
	return r, err
}

// RiskOverview is value and risk per division, everyone first (name ""), as
// of the last scoring (StoreOverview); summed now when none is stored yet.
func (s *RiskService) RiskOverview(ctx context.Context) ([]tp.RiskSlice, error) {
	if err := can(ctx, tp.ActRiskRead); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT slice FROM risk_overview ORDER BY division")
	if err != nil {
		return nil, err
	}
	var out []tp.RiskSlice
	for rows.Next() {
		var raw string
		var r tp.RiskSlice
		if err := rows.Scan(&raw); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			rows.Close()
			return nil, fmt.Errorf("risk overview: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) > 0 {
		return out, err
	}
	return s.db.sumOverview(ctx)
}

// StoreOverview sums the scores per division once, after a scoring.
func (s *RiskService) StoreOverview(ctx context.Context) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	ov, err := s.db.sumOverview(ctx)
	if err != nil {
		return err
	}
	now := tp.ToMicros(s.db.Now())
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM risk_overview"); err != nil {
			return err
		}
		for _, r := range ov {
			b, _ := json.Marshal(r)
			if _, err := tx.ExecContext(ctx, "INSERT INTO risk_overview (division, slice, computed_us) VALUES ($1, $2, $3)", r.Name, string(b), now); err != nil {
				return err
			}
		}
		return nil
	})
}

// sumOverview sums value and risk per division over every score.
func (db *DB) sumOverview(ctx context.Context) ([]tp.RiskSlice, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT d.division, "+sliceSums+` FROM customer_scores s
		JOIN customer_divisions d ON d.customer_id = s.customer_id AND d.churned_us IS NULL GROUP BY d.division ORDER BY d.division`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.RiskSlice
	for rows.Next() {
		var name string
		r, err := scanSlice(rows, &name)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SegmentValue sums value and risk over a saved segment's members.
func (s *RiskService) SegmentValue(ctx context.Context, segmentID int64) (*tp.RiskSlice, error) {
	if err := can(ctx, tp.ActRiskRead); err != nil {
		return nil, err
	}
	seg, err := s.db.segments().FindSegment(ctx, segmentID)
	if err != nil {
		return nil, err
	}
	where, args := s.db.segmentWhere(seg, 1)
	r, err := scanSlice(s.db.r.QueryRowContext(ctx, "SELECT "+sliceSums+" FROM customer_scores s JOIN customers c ON c.id = s.customer_id WHERE "+where, args...), nil)
	if err != nil {
		return nil, fmt.Errorf("segment value: %w", err)
	}
	r.Name = seg.Name
	return &r, nil
}

// SegmentScores lists a saved segment's members with their scores, the
// likeliest to leave first; members not scored come last.
func (s *RiskService) SegmentScores(ctx context.Context, segmentID int64, limit int) ([]tp.CustomerScore, error) {
	if err := can(ctx, tp.ActRiskRead); err != nil {
		return nil, err
	}
	seg, err := s.db.segments().FindSegment(ctx, segmentID)
	if err != nil {
		return nil, err
	}
	where, args := s.db.segmentWhere(seg, 1)
	list, err := s.db.scoreList(ctx, where+fmt.Sprintf(" ORDER BY COALESCE(s.risk, -1) DESC, s.revenue_365d DESC, s.customer_id LIMIT $%d", len(args)+1),
		append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("segment scores: %w", err)
	}
	return list, nil
}
