package sqldb

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// SurveyResults computes a survey's metric overall and per slice and period
// from the rollup counts, through the metric registry.
func (db *DB) SurveyResults(ctx context.Context, q tp.ResultsQuery) (*tp.Results, error) {
	s, err := db.FindSurvey(ctx, q.SurveyID)
	if err != nil {
		return nil, err
	}
	m, _ := s.Type.Metric()
	col := map[string]string{"": "''", "division": "division", "channel": "channel", "department": "department"}[q.By]
	if col == "" {
		return nil, &tp.Error{Code: tp.EINVALID, Message: "by must be division, channel or department (segments come with the segments feature)",
			Fields: map[string]string{"by": "invalid"}}
	}
	if q.Period != "" && q.Period != "week" && q.Period != "month" {
		return nil, &tp.Error{Code: tp.EINVALID, Message: "period must be week or month", Fields: map[string]string{"period": "invalid"}}
	}
	// Days since 1970 bound the rollup; microseconds bound the invitations.
	from, to := int64(0), int64(math.MaxInt32)
	fromUS, toUS := int64(0), int64(math.MaxInt64)
	if !q.From.IsZero() {
		from, fromUS = q.From.Unix()/86400, tp.ToMicros(q.From)
	}
	if !q.To.IsZero() {
		to, toUS = q.To.Unix()/86400, tp.ToMicros(q.To)
	}
	group := "day, score"
	if q.By != "" {
		group = "day, " + col + ", score"
	}
	rows, err := db.r.QueryContext(ctx, fmt.Sprintf(`SELECT day, %s, score, SUM(n) FROM response_rollup
		WHERE survey_id = $1 AND day >= $2 AND day <= $3 GROUP BY %s`, col, group), q.SurveyID, from, to)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer rows.Close()
	type key struct{ slice, period string }
	buckets := map[key]*tp.ResultRow{}
	total := tp.NewScores(m.ScaleMin, m.ScaleMax)
	for rows.Next() {
		var day int64
		var slice string
		var score, n int
		if err := rows.Scan(&day, &slice, &score, &n); err != nil {
			return nil, err
		}
		total.Add(score, n)
		start := periodStart(time.Unix(day*86400, 0).UTC(), q.Period)
		k := key{slice, ""}
		if q.Period != "" {
			k.period = periodLabel(start, q.Period)
		}
		b := buckets[k]
		if b == nil {
			b = &tp.ResultRow{Slice: slice, Period: k.period, Scores: tp.NewScores(m.ScaleMin, m.ScaleMax), Start: start}
			buckets[k] = b
		}
		b.Scores.Add(score, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	res := &tp.Results{SurveyID: s.ID, Metric: m.ID, Total: tp.ResultRow{Scores: total, Estimate: m.Estimate(total)}, Rows: []tp.ResultRow{}}
	if q.By != "" || q.Period != "" {
		for _, b := range buckets {
			b.Estimate = m.Estimate(b.Scores)
			res.Rows = append(res.Rows, *b)
		}
		sort.Slice(res.Rows, func(i, j int) bool {
			a, b := res.Rows[i], res.Rows[j]
			if a.Slice != b.Slice {
				return a.Slice < b.Slice
			}
			return a.Start.Before(b.Start)
		})
	}
	err = db.r.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(responded_us) FROM invitations WHERE survey_id = $1
		AND created_us >= $2 AND created_us <= $3`, q.SurveyID, fromUS, toUS).Scan(&res.Invited, &res.Responded)
	if err != nil {
		return nil, err
	}
	if res.Invited > 0 {
		res.ResponseRate = float64(res.Responded) / float64(res.Invited)
	}
	return res, nil
}

func periodStart(t time.Time, period string) time.Time {
	switch period {
	case "week": // ISO weeks start on Monday
		wd := (int(t.Weekday()) + 6) % 7
		return time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, time.UTC)
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

func periodLabel(start time.Time, period string) string {
	if period == "week" {
		y, w := start.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	return start.Format("2006-01")
}
