package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// SurveyResults computes a survey's metric overall and per slice and period
// from the rollup counts, through the metric registry.
func (s *SurveyService) SurveyResults(ctx context.Context, q tp.ResultsQuery) (*tp.Results, error) {
	dept, err := listScope(ctx, tp.ActResultsRead)
	if err != nil {
		return nil, err
	}
	if dept != "" {
		q.Department = dept
	}
	if q.By == "segment" {
		return s.db.resultsBySegment(ctx, q)
	}
	if q.Period != "week" && monthAligned(q.From, false) && monthAligned(q.To, true) {
		return s.db.surveyResults(ctx, q, "response_rollup_month", "month", "SUM(n)")
	}
	return s.db.surveyResults(ctx, q, "response_rollup", "day", "SUM(n)")
}

// monthAligned reports whether t is open or a month boundary (its first
// moment, or its last day's end for a range's end).
func monthAligned(t time.Time, end bool) bool {
	if t.IsZero() {
		return true
	}
	t = t.UTC()
	if end {
		t = t.Add(time.Microsecond)
	}
	return t.Day() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// SurveyResultsFromResponses computes the same from the raw responses with a
// plain GROUP BY: the baseline the rollup is measured against, and a check.
func (s *SurveyService) SurveyResultsFromResponses(ctx context.Context, q tp.ResultsQuery) (*tp.Results, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	return s.db.surveyResults(ctx, q, "(SELECT survey_id, created_us / 86400000000 AS day, division, channel, department, score FROM responses WHERE score IS NOT NULL) AS r",
		"day", "COUNT(*)")
}

// RecomputeRollup rebuilds a survey's rollup counts from its responses, in one
// transaction (for repairs and after bulk loads).
func (s *SurveyService) RecomputeRollup(ctx context.Context, surveyID int64) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM response_rollup WHERE survey_id = $1", surveyID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO response_rollup (survey_id, day, division, channel, department, score, n)
			SELECT survey_id, created_us / 86400000000, division, channel, department, score, COUNT(*) FROM responses
			WHERE survey_id = $1 AND score IS NOT NULL GROUP BY survey_id, created_us / 86400000000, division, channel, department, score`, surveyID); err != nil {
			return err
		}
		return recomputeMonths(ctx, tx, surveyID)
	})
}

// recomputeMonths rebuilds the monthly rollup from the daily one; months are
// computed here because the two databases name date functions differently.
func recomputeMonths(ctx context.Context, tx *sql.Tx, surveyID int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM response_rollup_month WHERE survey_id = $1", surveyID); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT day, division, channel, department, score, n FROM response_rollup WHERE survey_id = $1", surveyID)
	if err != nil {
		return err
	}
	type key struct {
		month         int64
		div, ch, dept string
		score         int
	}
	sums := map[key]int64{}
	for rows.Next() {
		var day, n int64
		var k key
		if err := rows.Scan(&day, &k.div, &k.ch, &k.dept, &k.score, &n); err != nil {
			rows.Close()
			return err
		}
		k.month = monthIndex(time.Unix(day*86400, 0))
		sums[k] += n
	}
	rows.Close()
	for k, n := range sums {
		if _, err := tx.ExecContext(ctx, rollupMonthSQL, surveyID, k.month, k.div, k.ch, k.dept, k.score, n); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) surveyResults(ctx context.Context, q tp.ResultsQuery, from, dayCol, count string) (*tp.Results, error) {
	s, err := findSurvey(ctx, db.r, q.SurveyID, 0, "")
	if err != nil {
		return nil, err
	}
	m, _ := s.Type.Metric()
	col := map[string]string{"": "''", "division": "division", "channel": "channel", "department": "department"}[q.By]
	if col == "" {
		return nil, tp.Errorf(tp.EINVALID, "by must be division, channel, department or segment").WithFields(map[string]string{"by": "invalid"})
	}
	if q.Period != "" && q.Period != "week" && q.Period != "month" {
		return nil, tp.Errorf(tp.EINVALID, "period must be week or month").WithFields(map[string]string{"period": "invalid"})
	}
	// Buckets (days or months) bound the rollup; microseconds bound the invitations.
	bucket := func(t time.Time) int64 { return t.Unix() / 86400 }
	if dayCol == "month" {
		bucket = monthIndex
	}
	fromDay, toDay := int64(0), int64(math.MaxInt32)
	fromUS, toUS := int64(0), int64(math.MaxInt64)
	if !q.From.IsZero() {
		fromDay, fromUS = bucket(q.From), tp.ToMicros(q.From)
	}
	if !q.To.IsZero() {
		toDay, toUS = bucket(q.To), tp.ToMicros(q.To)
	}
	group := dayCol + ", score"
	if q.By != "" {
		group = dayCol + ", " + col + ", score"
	}
	// $4 = '' selects every department; the same text serves both, so its plan is cached once.
	rows, err := db.r.QueryContext(ctx, fmt.Sprintf(`SELECT %s, %s, score, %s FROM %s
		WHERE survey_id = $1 AND %s >= $2 AND %s <= $3 AND ($4 = '' OR department = $4) GROUP BY %s`, dayCol, col, count, from, dayCol, dayCol, group),
		q.SurveyID, fromDay, toDay, q.Department)
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
		var at time.Time
		if dayCol == "month" {
			at = time.Date(int(day/12), time.Month(day%12+1), 1, 0, 0, 0, 0, time.UTC)
		} else {
			at = time.Unix(day*86400, 0).UTC()
		}
		start := periodStart(at, q.Period)
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
		AND created_us >= $2 AND created_us <= $3 AND ($4 = '' OR department = $4)`, q.SurveyID, fromUS, toUS, q.Department).Scan(&res.Invited, &res.Responded)
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

// resultsBySegment computes one row per saved segment from the responses of
// its current members. Membership is computed now, so these rows come from
// raw responses rather than the rollup.
func (db *DB) resultsBySegment(ctx context.Context, q tp.ResultsQuery) (*tp.Results, error) {
	all := q
	all.By = ""
	res, err := db.surveys().SurveyResults(ctx, all)
	if err != nil {
		return nil, err
	}
	res.Rows = []tp.ResultRow{}
	m, _ := tp.MetricByID(res.Metric)
	segs, err := listSegments(ctx, db.r)
	if err != nil {
		return nil, err
	}
	fromUS, toUS := int64(0), int64(math.MaxInt64)
	if !q.From.IsZero() {
		fromUS = tp.ToMicros(q.From)
	}
	if !q.To.IsZero() {
		toUS = tp.ToMicros(q.To)
	}
	for i := range segs {
		where, args := db.segmentWhere(&segs[i], 5)
		rows, err := db.r.QueryContext(ctx, `SELECT r.score, COUNT(*) FROM responses r JOIN customers c ON c.id = r.customer_id
			WHERE r.survey_id = $1 AND r.score IS NOT NULL AND r.created_us >= $2 AND r.created_us <= $3 AND ($4 = '' OR r.department = $4)
			AND `+where+` GROUP BY r.score`, append([]any{q.SurveyID, fromUS, toUS, q.Department}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("segment %q: %w", segs[i].Name, err)
		}
		sc := tp.NewScores(m.ScaleMin, m.ScaleMax)
		for rows.Next() {
			var score, n int
			if err := rows.Scan(&score, &n); err != nil {
				rows.Close()
				return nil, err
			}
			sc.Add(score, n)
		}
		rows.Close()
		res.Rows = append(res.Rows, tp.ResultRow{Slice: segs[i].Name, Scores: sc, Estimate: m.Estimate(sc)})
	}
	return res, nil
}
