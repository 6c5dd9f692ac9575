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

// CaseKPIs computes the case metrics of tp.CaseMetrics per slice and period.
// Callers scoped to a department see their department's only.
func (db *DB) CaseKPIs(ctx context.Context, q tp.CaseKPIQuery) ([]tp.CaseKPIRow, error) {
	col := map[string]string{"": "", "department": "department", "division": "division", "channel": "channel", "category": "category"}
	if _, ok := col[q.By]; !ok {
		return nil, &tp.Error{Code: tp.EINVALID, Message: "by must be department, division, channel or category", Fields: map[string]string{"by": "invalid"}}
	}
	if q.Period != "" && q.Period != "week" && q.Period != "month" {
		return nil, &tp.Error{Code: tp.EINVALID, Message: "period must be week or month", Fields: map[string]string{"period": "invalid"}}
	}
	from, to := int64(0), int64(1<<62)
	if !q.From.IsZero() {
		from = tp.ToMicros(q.From)
	}
	if !q.To.IsZero() {
		to = tp.ToMicros(q.To)
	}
	where, args := "c.created_us >= $1 AND c.created_us <= $2", []any{from, to}
	if a := tp.AccessFrom(ctx); a.Role.DepartmentScoped() {
		args = append(args, a.Department)
		where += fmt.Sprintf(" AND c.department = $%d", len(args))
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+prefixed("c.", caseColsList)+` FROM cases c WHERE `+where, args...)
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

	type acc struct {
		row             tp.CaseKPIRow
		start           time.Time
		ttfr, ttr       []float64
		slaOK, reopened int
		fcr, recovered  int
	}
	groups := map[[2]string]*acc{}
	calendars := map[string]*tp.BusinessCalendar{}
	now := db.Now()
	for _, id := range order {
		f := facts[id]
		slice := map[string]string{"department": f.Department, "division": f.Division, "channel": f.Channel, "category": f.Category}[q.By]
		start := periodStart(f.CreatedAt, q.Period)
		key := [2]string{slice, ""}
		if q.Period != "" {
			key[1] = periodLabel(start, q.Period)
		}
		g := groups[key]
		if g == nil {
			g = &acc{row: tp.CaseKPIRow{Slice: slice, Period: key[1]}, start: start}
			groups[key] = g
		}
		g.row.Volume++
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
			g.ttfr = append(g.ttfr, cal.Elapsed(f.CreatedAt, *f.FirstReplyAt).Hours())
		}
		if f.ResolvedAt != nil {
			g.ttr = append(g.ttr, cal.Elapsed(f.CreatedAt, *f.ResolvedAt).Hours())
			g.row.ResolvedN++
			if f.reopens > 0 {
				g.reopened++
			} else if f.replies == 1 {
				g.fcr++
			}
		}
		if met, known := slaMet(&f.Case, now); known {
			g.row.SLAN++
			if met {
				g.slaOK++
			}
		}
		if f.Source == tp.CaseFromSurvey && f.Category == "detractor" {
			recovered, followed, err := db.recovered(ctx, &f.Case)
			if err != nil {
				return nil, err
			}
			if followed {
				g.row.RecoveryN++
				if recovered {
					g.recovered++
				}
			}
		}
	}
	out := make([]tp.CaseKPIRow, 0, len(groups))
	pct := func(n, of int) *float64 {
		if of == 0 {
			return nil
		}
		v := 100 * float64(n) / float64(of)
		return &v
	}
	for _, g := range groups {
		sort.Float64s(g.ttfr)
		sort.Float64s(g.ttr)
		r := &g.row
		r.TTFRMedian, r.TTFRP90 = tp.Percentile(g.ttfr, 50), tp.Percentile(g.ttfr, 90)
		r.TTRMedian, r.TTRP90 = tp.Percentile(g.ttr, 50), tp.Percentile(g.ttr, 90)
		r.SLACompliance = pct(g.slaOK, r.SLAN)
		r.ReopenRate, r.FCR = pct(g.reopened, r.ResolvedN), pct(g.fcr, r.ResolvedN)
		r.RecoveryRate = pct(g.recovered, r.RecoveryN)
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
