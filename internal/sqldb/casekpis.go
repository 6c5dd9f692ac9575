package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

type caseFacts struct {
	tp.Case
	replies, reopens int
}

// caseOutcome is what one case contributes to the case KPIs.
type caseOutcome struct {
	*tp.Case
	ttfr, ttr                *float64 // business hours
	slaKnown, slaMet         bool
	resolved, reopened, fcr  bool
	recoveryKnown, recovered bool
}

// caseOutcomes reads the cases matching where (over alias c) and works out
// each one's contribution: the one implementation behind CaseKPIs and the
// case rollup.
func (db *DB) caseOutcomes(ctx context.Context, where string, args []any) ([]caseOutcome, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+prefixed("c.", caseColsList)+` FROM cases c WHERE `+where+" ORDER BY c.id", args...)
	if err != nil {
		return nil, fmt.Errorf("case kpis: %w", err)
	}
	facts := map[int64]*caseFacts{}
	var order []int64
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		facts[c.ID] = &caseFacts{Case: *c}
		order = append(order, c.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.r.QueryContext(ctx, `SELECT e.case_id,
		SUM(CASE WHEN e.kind = 'reply' THEN 1 ELSE 0 END),
		SUM(CASE WHEN e.kind = 'status' AND e.old = 'resolved' AND e.new = 'open' THEN 1 ELSE 0 END)
		FROM case_events e JOIN cases c ON c.id = e.case_id WHERE `+where+` GROUP BY e.case_id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var replies, reopens int
		if err := rows.Scan(&id, &replies, &reopens); err != nil {
			rows.Close()
			return nil, err
		}
		if f := facts[id]; f != nil {
			f.replies, f.reopens = replies, reopens
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	calendars := map[string]*tp.BusinessCalendar{}
	now := db.Now()
	out := make([]caseOutcome, 0, len(order))
	for _, id := range order {
		f := facts[id]
		o := caseOutcome{Case: &f.Case}
		ck := string(f.Priority) + "\x00" + f.Category
		cal := calendars[ck]
		if cal == nil {
			p, err := db.policyFor(ctx, db.r, f.Priority, f.Category)
			if err != nil {
				return nil, err
			}
			cal, calendars[ck] = p.Calendar, p.Calendar
		}
		if f.FirstReplyAt != nil {
			h := cal.Elapsed(f.CreatedAt, *f.FirstReplyAt).Hours()
			o.ttfr = &h
		}
		if f.ResolvedAt != nil {
			h := cal.Elapsed(f.CreatedAt, *f.ResolvedAt).Hours()
			o.ttr = &h
			o.resolved = true
			o.reopened = f.reopens > 0
			o.fcr = f.reopens == 0 && f.replies == 1
		}
		o.slaMet, o.slaKnown = slaMet(&f.Case, now)
		if f.Source == tp.CaseFromSurvey && f.Category == tp.CategoryDetractor {
			recovered, followed, err := db.recovered(ctx, &f.Case)
			if err != nil {
				return nil, err
			}
			o.recoveryKnown, o.recovered = followed, recovered
		}
		out = append(out, o)
	}
	return out, nil
}

// CaseKPIs computes the case metrics of tp.CaseMetrics per slice and period.
// Callers scoped to a department see their department's only.
func (s *CaseService) CaseKPIs(ctx context.Context, q tp.CaseKPIQuery) ([]tp.CaseKPIRow, error) {
	col := map[string]string{"": "", "department": "department", "division": "division", "channel": "channel", "category": "category"}
	if _, ok := col[q.By]; !ok {
		return nil, tp.Errorf(tp.EINVALID, "by must be department, division, channel or category (figures per agent: GET /api/v1/people)").WithFields(map[string]string{"by": "invalid"})
	}
	if q.Period != "" && q.Period != "week" && q.Period != "month" {
		return nil, tp.Errorf(tp.EINVALID, "period must be week or month").WithFields(map[string]string{"period": "invalid"})
	}
	from, to := int64(0), int64(1<<62)
	if !q.From.IsZero() {
		from = tp.ToMicros(q.From)
	}
	if !q.To.IsZero() {
		to = tp.ToMicros(q.To)
	}
	where, args := "c.created_us >= $1 AND c.created_us <= $2", []any{from, to}
	dept, err := listScope(ctx, tp.ActScorecardRead)
	if err != nil {
		return nil, err
	}
	if dept != "" {
		args = append(args, dept)
		where += fmt.Sprintf(" AND c.department = $%d", len(args))
	}
	outcomes, err := s.db.caseOutcomes(ctx, where, args)
	if err != nil {
		return nil, err
	}
	type acc struct {
		row       tp.CaseKPIRow
		ttfr, ttr []float64
		counts    caseCounts
	}
	groups := map[[2]string]*acc{}
	for _, o := range outcomes {
		slice := map[string]string{"department": o.Department, "division": o.Division, "channel": o.Channel, "category": o.Category}[q.By]
		key := [2]string{slice, ""}
		if q.Period != "" {
			key[1] = periodLabel(periodStart(o.CreatedAt, q.Period), q.Period)
		}
		g := groups[key]
		if g == nil {
			g = &acc{row: tp.CaseKPIRow{Slice: slice, Period: key[1]}}
			groups[key] = g
		}
		if o.ttfr != nil {
			g.ttfr = append(g.ttfr, *o.ttfr)
		}
		if o.ttr != nil {
			g.ttr = append(g.ttr, *o.ttr)
		}
		g.counts.add(o)
	}
	out := make([]tp.CaseKPIRow, 0, len(groups))
	for _, g := range groups {
		sort.Float64s(g.ttfr)
		sort.Float64s(g.ttr)
		r := &g.row
		r.TTFRMedian, r.TTFRP90 = tp.Percentile(g.ttfr, 50), tp.Percentile(g.ttfr, 90)
		r.TTRMedian, r.TTRP90 = tp.Percentile(g.ttr, 50), tp.Percentile(g.ttr, 90)
		c := g.counts
		r.Volume, r.SLAN, r.ResolvedN, r.RecoveryN = int(c.volume), int(c.slaN), int(c.resolved), int(c.recoveryN)
		r.SLACompliance = c.value("sla_compliance")
		r.ReopenRate, r.FCR = c.value("reopen_rate"), c.value("fcr")
		r.RecoveryRate = c.value("recovery_rate")
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Slice != out[j].Slice {
			return out[i].Slice < out[j].Slice
		}
		return out[i].Period < out[j].Period
	})
	return out, nil
}

// caseCounts are the additive counts behind the count-based case KPIs: what
// the case rollup stores per day and slice.
type caseCounts struct {
	volume, slaN, slaMet, resolved, reopened, fcr, recoveryN, recovered int64
}

func (c *caseCounts) add(o caseOutcome) {
	c.volume++
	if o.slaKnown {
		c.slaN++
		if o.slaMet {
			c.slaMet++
		}
	}
	if o.resolved {
		c.resolved++
		if o.reopened {
			c.reopened++
		}
		if o.fcr {
			c.fcr++
		}
	}
	if o.recoveryKnown {
		c.recoveryN++
		if o.recovered {
			c.recovered++
		}
	}
}

// scores returns a case KPI's sufficient statistics for the registry.
func (c caseCounts) scores(kpi string) (tp.Scores, bool) {
	switch kpi {
	case "case_volume":
		return tp.CountScores(int(c.volume)), true
	case "sla_compliance":
		return tp.RateScores(int(c.slaMet), int(c.slaN)), true
	case "reopen_rate":
		return tp.RateScores(int(c.reopened), int(c.resolved)), true
	case "fcr":
		return tp.RateScores(int(c.fcr), int(c.resolved)), true
	case "recovery_rate":
		return tp.RateScores(int(c.recovered), int(c.recoveryN)), true
	}
	return tp.Scores{}, false
}

// value is a rate KPI's value through the registry; nil without data.
func (c caseCounts) value(kpi string) *float64 {
	s, _ := c.scores(kpi)
	if s.N() == 0 {
		return nil
	}
	m, _ := tp.KPIByID(kpi)
	v := m.Estimate(s).Value
	return &v
}

// slaMet says whether a case met both SLA targets; known is false while a
// target is neither met nor past due.
func slaMet(c *tp.Case, now time.Time) (met, known bool) {
	check := func(done, due *time.Time) (bool, bool) {
		switch {
		case due == nil:
			return true, done != nil
		case done != nil:
			return !done.After(*due), true
		case now.After(*due):
			return false, true
		}
		return false, false
	}
	m1, k1 := check(c.FirstReplyAt, c.FirstResponseDue)
	m2, k2 := check(c.ResolvedAt, c.ResolutionDue)
	if (k1 && !m1) || (k2 && !m2) {
		return false, true
	}
	return m1 && m2, k1 && k2
}

// recovered looks at the customer's first answer after a detractor case opened.
func (db *DB) recovered(ctx context.Context, c *tp.Case) (recovered, followed bool, err error) {
	var score int
	var typ string
	err = db.r.QueryRowContext(ctx, `SELECT r.score, s.type FROM responses r JOIN surveys s ON s.id = r.survey_id
		WHERE r.customer_id = $1 AND r.created_us > $2 AND r.score IS NOT NULL ORDER BY r.created_us LIMIT 1`,
		c.CustomerID, tp.ToMicros(c.CreatedAt)).Scan(&score, &typ)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return !tp.SurveyType(typ).Detractor(score), true, nil
}
