package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// stats holds a slice's sufficient statistics for every scorecard KPI over
// one time range, keyed by KPI id.
type stats map[string]tp.Scores

func (s stats) add(kpi string, o tp.Scores) {
	cur, ok := s[kpi]
	if !ok {
		cur = tp.Scores{Min: o.Min, Count: make([]int, len(o.Count))}
	}
	cur.Merge(o)
	s[kpi] = cur
}

// sliceStats: slice → stats; slice "" is the total of the filtered data.
type sliceStats map[string]stats

func (ss sliceStats) add(slice, kpi string, o tp.Scores) {
	for _, k := range []string{"", slice} {
		if ss[k] == nil {
			ss[k] = stats{}
		}
		ss[k].add(kpi, o)
		if slice == "" {
			return
		}
	}
}

// cockpitFilter is a scorecard query's WHERE over a rollup table.
func cockpitFilter(q tp.ScorecardQuery, next int) (string, []any) {
	where, args := "", []any{}
	for _, f := range []struct{ col, v string }{{"division", q.Division}, {"department", q.Department}, {"channel", q.Channel}} {
		if f.v != "" {
			args = append(args, f.v)
			where += fmt.Sprintf(" AND r.%s = $%d", f.col, next+len(args)-1)
		}
	}
	return where, args
}

// Scorecard computes every scorecard KPI per slice for the period, the
// previous period and the same period a year earlier, with a monthly trend,
// from the rollups only. Department-scoped users get their department's.
func (s *CockpitService) Scorecard(ctx context.Context, q tp.ScorecardQuery) (*tp.Scorecard, error) {
	if err := mayAtAll(ctx, tp.ActScorecardRead); err != nil {
		return nil, err
	}
	return s.db.scorecard(ctx, q, false)
}

// ScorecardFromRaw computes the same scorecard from the raw responses, cases
// and customer activity, without the rollups: the baseline the benchmark
// measures the rollups against, and a check that both agree.
func (s *CockpitService) ScorecardFromRaw(ctx context.Context, q tp.ScorecardQuery) (*tp.Scorecard, error) {
	if err := mayAtAll(ctx, tp.ActScorecardRead); err != nil {
		return nil, err
	}
	return s.db.scorecard(ctx, q, true)
}

// source says where a scorecard's numbers come from: the rollups, or the raw
// rows (of a segment's members only, when seg is set).
type source struct {
	raw bool
	seg *tp.Segment
}

func (db *DB) scorecard(ctx context.Context, q tp.ScorecardQuery, raw bool) (*tp.Scorecard, error) {
	src := source{raw: raw}
	if q.By == "" {
		q.By = "division"
	}
	if q.By != "division" && q.By != "department" && q.By != "channel" {
		return nil, tp.Errorf(tp.EINVALID, "by must be division, department or channel").WithFields(map[string]string{"by": "invalid"})
	}
	if !q.Period.From.Before(q.Period.To) {
		return nil, tp.Errorf(tp.EINVALID, "the period must end after it starts").WithFields(map[string]string{"to": "before from"})
	}
	if q.Months <= 0 {
		q.Months = 12
	}
	if q.Months > 60 {
		q.Months = 60
	}
	dept, err := listScope(ctx, tp.ActScorecardRead)
	if err != nil {
		return nil, err
	}
	if dept != "" {
		q.Department = dept
	}
	if q.SegmentID != 0 {
		// Rollups do not know customers; a segment's numbers come from the raw rows of its members.
		var err error
		if src.seg, err = findSegment(ctx, db.r, q.SegmentID); err != nil {
			return nil, err
		}
		src.raw = true
	}
	sc := &tp.Scorecard{Period: q.Period, Previous: q.Period.Previous(), YearAgo: q.Period.YearBefore(), By: q.By, KPIs: tp.ScorecardKPIs}
	if src.raw {
		sc.AsOf = db.Now()
	} else if us, err := db.mark(ctx, db.r, "case_rollup_us"); err != nil {
		return nil, err
	} else if us > 0 {
		sc.AsOf = tp.FromMicros(us)
	}
	// The trend: Months whole months, the last one holding the period's end.
	lastMonth := time.Date(q.Period.To.Add(-time.Nanosecond).Year(), q.Period.To.Add(-time.Nanosecond).Month(), 1, 0, 0, 0, 0, time.UTC)
	firstMonth := lastMonth.AddDate(0, -(q.Months - 1), 0)
	for m := firstMonth; !m.After(lastMonth); m = m.AddDate(0, 1, 0) {
		sc.Months = append(sc.Months, m.Format("2006-01"))
	}
	trend, err := db.monthlyStats(ctx, q, firstMonth, lastMonth.AddDate(0, 1, 0), src)
	if err != nil {
		return nil, err
	}
	ranges := []tp.Period{sc.Period, sc.Previous, sc.YearAgo}
	sums := make([]sliceStats, len(ranges))
	for i, p := range ranges {
		lo, hi := int(monthIndex(p.From)-monthIndex(firstMonth)), int(monthIndex(p.To)-monthIndex(firstMonth))
		if p.MonthAligned() && lo >= 0 && hi <= len(trend) {
			// Whole months inside the trend: sum its months instead of asking again.
			sums[i] = sliceStats{}
			for _, m := range trend[lo:hi] {
				for slice, st := range m {
					if sums[i][slice] == nil {
						sums[i][slice] = stats{}
					}
					for kpi, sc := range st {
						sums[i][slice].add(kpi, sc)
					}
				}
			}
			continue
		}
		if sums[i], err = db.rangeStats(ctx, q, p, src); err != nil {
			return nil, err
		}
	}
	churn, err := db.churnBase(ctx, src)
	if err != nil {
		return nil, err
	}
	if q.By == "division" {
		known, err := db.divisionRegistry(ctx)
		if err != nil {
			return nil, err
		}
		if len(known) > 0 {
			sc.Unassigned = foldUnknownDivisions(known, append(slices.Clone(sums), trend...), churn)
		}
	}
	// Slices: every one seen now, before or in the trend.
	seen := map[string]bool{}
	for _, ss := range append(sums, trend...) {
		for k := range ss {
			if k != "" {
				seen[k] = true
			}
		}
	}
	if q.By == "division" {
		for k := range churn.divisions() {
			seen[k] = true
		}
	}
	slices := []string{""}
	for k := range seen {
		slices = append(slices, k)
	}
	sort.Strings(slices[1:])
	for _, slice := range slices {
		row := tp.ScorecardRow{Slice: slice}
		for _, id := range sc.KPIs {
			m, _ := tp.KPIByID(id)
			est := func(ss sliceStats, p tp.Period) tp.Estimate {
				if id == "churn_rate" {
					s, _ := churn.scores(q, slice, p)
					return m.Estimate(s)
				}
				return m.Estimate(ss[slice][id])
			}
			tr := make([]tp.Estimate, len(trend))
			for i := range trend {
				from := firstMonth.AddDate(0, i, 0)
				tr[i] = est(trend[i], tp.Period{From: from, To: from.AddDate(0, 1, 0)})
			}
			cell := tp.NewScoreCell(m, est(sums[0], ranges[0]), est(sums[1], ranges[1]), est(sums[2], ranges[2]), tr)
			if m.Unit == "cases" {
				cell.PerDay(m, observedDays(ranges[0], db.Now()), observedDays(ranges[1], db.Now()), observedDays(ranges[2], db.Now()))
			}
			if id == "churn_rate" {
				_, cell.NA = churn.scores(q, slice, q.Period)
				cell.NA = !cell.NA
			}
			_, survey := tp.MetricByID(id)
			cell.NA = cell.NA || (q.SurveyID != 0 && !survey)
			if survey {
				cell.Dist = [3]tp.Scores{sums[0][slice][id], sums[1][slice][id], sums[2][slice][id]}
			}
			row.Cells = append(row.Cells, cell)
		}
		sc.Rows = append(sc.Rows, row)
	}
	sc.ControlFalseDiscoveries()
	return sc, nil
}

// observedDays is how many days of a period have passed by now.
func observedDays(p tp.Period, now time.Time) float64 {
	to := p.To
	if now.Before(to) {
		to = now
	}
	return max(0, to.Sub(p.From).Hours()/24)
}

// monthlyStats reads the monthly sums of [from, to) per slice, one entry per month.
func (db *DB) monthlyStats(ctx context.Context, q tp.ScorecardQuery, from, to time.Time, src source) ([]sliceStats, error) {
	n := int(monthIndex(to) - monthIndex(from))
	out := make([]sliceStats, n)
	for i := range out {
		out[i] = sliceStats{}
	}
	put := func(bucket int64, slice, kpi string, s tp.Scores) {
		if i := int(bucket - monthIndex(from)); i >= 0 && i < n {
			out[i].add(slice, kpi, s)
		}
	}
	err := db.readStats(ctx, q, "month", monthIndex(from), monthIndex(to), true, src, put)
	return out, err
}

// rangeStats reads the sums of one period per slice: from the monthly
// rollups when the period is whole months, else from the daily ones.
func (db *DB) rangeStats(ctx context.Context, q tp.ScorecardQuery, p tp.Period, src source) (sliceStats, error) {
	out := sliceStats{}
	put := func(_ int64, slice, kpi string, s tp.Scores) { out.add(slice, kpi, s) }
	if p.MonthAligned() {
		return out, db.readStats(ctx, q, "month", monthIndex(p.From), monthIndex(p.To), false, src, put)
	}
	return out, db.readStats(ctx, q, "day", p.From.Unix()/86400, p.To.Unix()/86400, false, src, put)
}

// readStats reads the survey and case rollups for buckets [lo, hi) of the
// given grain, grouped by slice (and by bucket when perBucket).
func (db *DB) readStats(ctx context.Context, q tp.ScorecardQuery, grain string, lo, hi int64, perBucket bool, src source,
	put func(bucket int64, slice, kpi string, s tp.Scores)) error {
	// bucket is selected; group lists it only when it is a column (a
	// constant in GROUP BY would name a column by position).
	bucket, group := "0", ""
	if perBucket {
		bucket, group = "r."+grain, "r."+grain+", "
	}
	filter, fargs := cockpitFilter(q, 3)
	args := append([]any{lo, hi}, fargs...)
	surveyFilter, surveyArgs := filter, args
	if q.SurveyID != 0 {
		surveyArgs = append(surveyArgs, q.SurveyID)
		surveyFilter += fmt.Sprintf(" AND r.survey_id = $%d", len(surveyArgs))
	}
	surveyTable := map[string]string{"day": "response_rollup", "month": "response_rollup_month"}[grain]
	if src.raw {
		members := ""
		if src.seg != nil {
			var margs []any
			members, margs = db.membersOf(src.seg, "customer_id", len(surveyArgs)+1)
			surveyArgs = append(surveyArgs, margs...)
		}
		surveyTable = `(SELECT survey_id, created_us / 86400000000 AS day, ` + db.monthOf("created_us") + ` AS month,
			division, channel, department, score, 1 AS n FROM responses WHERE score IS NOT NULL` + members + `)`
	}
	rows, err := db.r.QueryContext(ctx, fmt.Sprintf(`SELECT %[1]s, r.%[2]s, s.type, r.score, SUM(r.n)
		FROM %[3]s r JOIN surveys s ON s.id = r.survey_id
		WHERE r.%[4]s >= $1 AND r.%[4]s < $2%[5]s GROUP BY %[6]sr.%[2]s, s.type, r.score`, bucket, q.By, surveyTable, grain, surveyFilter, group), surveyArgs...)
	if err != nil {
		return fmt.Errorf("scorecard surveys: %w", err)
	}
	for rows.Next() {
		var b int64
		var slice, typ string
		var score, n int
		if err := rows.Scan(&b, &slice, &typ, &score, &n); err != nil {
			rows.Close()
			return err
		}
		m, ok := tp.KPIByID(typ)
		if !ok {
			continue
		}
		s := tp.NewScores(m.ScaleMin, m.ScaleMax)
		s.Add(score, n)
		put(b, slice, typ, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if q.SurveyID != 0 {
		return nil // cases belong to no survey
	}
	if src.raw {
		return db.rawCaseStats(ctx, q, grain, lo, hi, perBucket, src.seg, put)
	}
	rows, err = db.r.QueryContext(ctx, fmt.Sprintf(`SELECT %[1]s, r.%[2]s, SUM(volume), SUM(sla_n), SUM(sla_met), SUM(resolved),
		SUM(reopened), SUM(fcr), SUM(recovery_n), SUM(recovered)
		FROM %[6]s r WHERE r.%[3]s >= $1 AND r.%[3]s < $2%[4]s GROUP BY %[5]sr.%[2]s`, bucket, q.By, grain, filter, group,
		map[string]string{"day": "case_rollup", "month": "case_rollup_month"}[grain]), args...)
	if err != nil {
		return fmt.Errorf("scorecard cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b int64
		var slice string
		var c caseCounts
		if err := rows.Scan(&b, &slice, &c.volume, &c.slaN, &c.slaMet, &c.resolved, &c.reopened, &c.fcr, &c.recoveryN, &c.recovered); err != nil {
			return err
		}
		for _, id := range tp.ScorecardKPIs {
			if s, ok := c.scores(id); ok {
				put(b, slice, id, s)
			}
		}
	}
	return rows.Err()
}

// churnDays is the churn rollup: per division (” = any), the customers by
// the day they became active and the day they churned (−1: not churned).
type churnDays map[string][]churnCount

type churnCount struct{ join, churn, n int64 }

func (db *DB) churnBase(ctx context.Context, src source) (churnDays, error) {
	out := churnDays{}
	if src.raw {
		return out, db.rawChurnBase(ctx, out, src.seg)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT division, join_day, churn_day, n FROM churn_rollup")
	if err != nil {
		return nil, fmt.Errorf("churn: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var div string
		var c churnCount
		if err := rows.Scan(&div, &c.join, &c.churn, &c.n); err != nil {
			return nil, err
		}
		out[div] = append(out[div], c)
	}
	return out, rows.Err()
}

func (c churnDays) divisions() map[string]bool {
	out := map[string]bool{}
	for d := range c {
		if d != "" {
			out[d] = true
		}
	}
	return out
}

// scores returns churn's statistics for a slice and period: customers active
// at the start (n) and those who churned in it (yes); ok is false where churn
// does not apply (slices other than divisions, department or channel filters).
func (c churnDays) scores(q tp.ScorecardQuery, slice string, p tp.Period) (tp.Scores, bool) {
	if q.Department != "" || q.Channel != "" || q.SurveyID != 0 || (slice != "" && q.By != "division") {
		return tp.Scores{}, false
	}
	div := q.Division
	if slice != "" {
		div = slice
	}
	// Exactly as defined: customers active at the start (joined before it,
	// not churned before it) and, of them, those who churned during it.
	// Customers who joined within the period are in neither count.
	from, to := p.From.Unix()/86400, p.To.Unix()/86400
	var active, churned int64
	for _, c := range c[div] {
		if c.join >= from || (c.churn >= 0 && c.churn < from) {
			continue
		}
		active += c.n
		if c.churn >= 0 && c.churn < to {
			churned += c.n
		}
	}
	return tp.RateScores(int(churned), int(active)), true
}

// monthOf is SQL for the month index (year × 12 + month − 1, UTC) of a
// microsecond timestamp column.
func (db *DB) monthOf(col string) string {
	if db.dialect == Postgres {
		t := "(to_timestamp(" + col + " / 1000000.0) AT TIME ZONE 'UTC')"
		return "(EXTRACT(YEAR FROM " + t + ")::int * 12 + EXTRACT(MONTH FROM " + t + ")::int - 1)"
	}
	t := col + " / 1000000, 'unixepoch'"
	return "(CAST(strftime('%Y', " + t + ") AS INTEGER) * 12 + CAST(strftime('%m', " + t + ") AS INTEGER) - 1)"
}

// rawCaseStats works out every case's outcome from the raw cases and events
// (as CaseKPIs does) and sums them per slice and bucket.
func (db *DB) rawCaseStats(ctx context.Context, q tp.ScorecardQuery, grain string, lo, hi int64, perBucket bool, seg *tp.Segment,
	put func(bucket int64, slice, kpi string, s tp.Scores)) error {
	from, to := time.Unix(lo*86400, 0), time.Unix(hi*86400, 0)
	if grain == "month" {
		from, to = time.Date(int(lo/12), time.Month(lo%12+1), 1, 0, 0, 0, 0, time.UTC), time.Date(int(hi/12), time.Month(hi%12+1), 1, 0, 0, 0, 0, time.UTC)
	}
	where, args := "c.created_us >= $1 AND c.created_us < $2", []any{tp.ToMicros(from), tp.ToMicros(to)}
	for _, f := range []struct{ col, v string }{{"division", q.Division}, {"department", q.Department}, {"channel", q.Channel}} {
		if f.v != "" {
			args = append(args, f.v)
			where += fmt.Sprintf(" AND c.%s = $%d", f.col, len(args))
		}
	}
	if seg != nil {
		members, margs := db.membersOf(seg, "c.customer_id", len(args)+1)
		where, args = where+members, append(args, margs...)
	}
	outcomes, err := db.caseOutcomes(ctx, where, args)
	if err != nil {
		return err
	}
	type key struct {
		bucket int64
		slice  string
	}
	sums := map[key]*caseCounts{}
	for _, o := range outcomes {
		k := key{slice: map[string]string{"division": o.Division, "department": o.Department, "channel": o.Channel}[q.By]}
		if perBucket {
			k.bucket = tp.ToMicros(o.CreatedAt) / usPerDay
			if grain == "month" {
				k.bucket = monthIndex(o.CreatedAt)
			}
		}
		if sums[k] == nil {
			sums[k] = &caseCounts{}
		}
		sums[k].add(o)
	}
	for k, c := range sums {
		for _, id := range tp.ScorecardKPIs {
			if s, ok := c.scores(id); ok {
				put(k.bucket, k.slice, id, s)
			}
		}
	}
	return nil
}

// rawChurnBase buckets the live customers' division activity by day.
func (db *DB) rawChurnBase(ctx context.Context, out churnDays, seg *tp.Segment) error {
	members, args := "", []any{}
	if seg != nil {
		members, args = db.membersOf(seg, "cd.customer_id", 1)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT cd.division, cd.first_us, cd.churned_us FROM customer_divisions cd
		JOIN customers cu ON cu.id = cd.customer_id WHERE cu.merged_into IS NULL`+members, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var div string
		var first int64
		var churned sql.NullInt64
		if err := rows.Scan(&div, &first, &churned); err != nil {
			return err
		}
		c := churnCount{join: first / usPerDay, churn: -1, n: 1}
		if churned.Valid {
			c.churn = churned.Int64 / usPerDay
		}
		out[div] = append(out[div], c)
	}
	return rows.Err()
}

// CaseVolumeByCategory counts the complaints opened in a month-aligned period
// per category, from the monthly case rollup; detractor follow-ups are not
// complaints and are left out.
func (s *CockpitService) CaseVolumeByCategory(ctx context.Context, p tp.Period) (map[string]int, error) {
	where, args := "month >= $1 AND month < $2 AND category <> $3", []any{monthIndex(p.From), monthIndex(p.To), tp.CategoryDetractor}
	dept, err := listScope(ctx, tp.ActScorecardRead)
	if err != nil {
		return nil, err
	}
	if dept != "" {
		where, args = where+" AND department = $4", append(args, dept)
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT category, SUM(volume) FROM case_rollup_month WHERE "+where+" GROUP BY category", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}
