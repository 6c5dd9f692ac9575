package touchpoint

import (
	"math"
	"sort"
	"time"
)

// CX per agent and team. Every figure is over cases: a case counts for its
// assignee (the agent who holds it; cases nobody holds count for the team
// only) and for its department, the team. An agent is compared with the rest
// of their team, a team with the rest of the company, by the registry's
// significance rules, with Benjamini–Hochberg over the whole view.

// CSATAfterCaseWindow is how long after a case's resolution the customer's
// first CSAT answer counts as the case's satisfaction.
const CSATAfterCaseWindow = 14 * 24 * time.Hour

// MetricCSATAfterCase is the share of satisfied CSAT answers after a case.
const MetricCSATAfterCase = "csat_after_case"

// PeopleMetrics are the figures of an agent or team, in the order shown.
var PeopleMetrics = []MetricDef{
	{ID: MetricCSATAfterCase, Name: "CSAT after case",
		Formula:        "100 × cases whose customer's first CSAT answer within 14 days of resolution was 4 or 5 / resolved cases with such an answer",
		HigherIsBetter: true, Unit: "%", Interval: wilson, Estimate: rate(MetricCSATAfterCase)},
	caseMetric("fcr"), caseMetric("reopen_rate"), caseMetric("sla_compliance"), caseMetric("recovery_rate"),
	caseMetric("ttfr_median"), caseMetric("ttr_median"),
}

func caseMetric(id string) MetricDef {
	for _, m := range CaseMetrics {
		if m.ID == id {
			return m
		}
	}
	panic("no case metric " + id)
}

// PeopleMetric returns the people metric id (the zero MetricDef if none).
func PeopleMetric(id string) MetricDef {
	for _, m := range PeopleMetrics {
		if m.ID == id {
			return m
		}
	}
	return MetricDef{}
}

// CaseResult is what one case contributes to the people figures.
type CaseResult struct {
	CaseID     int64
	AssigneeID int64 // 0: nobody holds it
	Department string
	Category   string
	CreatedAt  time.Time
	TTFR, TTR  *float64 // business hours
	SLAKnown   bool
	SLAMet     bool
	Resolved   bool
	Reopened   bool
	FCR        bool
	// RecoveryKnown: a detractor case followed by an answer.
	RecoveryKnown, Recovered bool
	CSAT                     *int     // the first CSAT answer after resolution, if any
	Themes                   []string // what text analytics found in the case's texts
}

// outcome says whether r counts for metric and whether it is a success
// (rates), or its value (times).
func (r CaseResult) outcome(metric string) (counts, yes bool, value float64) {
	switch metric {
	case MetricCSATAfterCase:
		return r.CSAT != nil, r.CSAT != nil && *r.CSAT >= 4, 0
	case "fcr":
		return r.Resolved, r.FCR, 0
	case "reopen_rate":
		return r.Resolved, r.Reopened, 0
	case "sla_compliance":
		return r.SLAKnown, r.SLAMet, 0
	case "recovery_rate":
		return r.RecoveryKnown, r.Recovered, 0
	case "ttfr_median":
		if r.TTFR != nil {
			return true, false, *r.TTFR
		}
	case "ttr_median":
		if r.TTR != nil {
			return true, false, *r.TTR
		}
	}
	return false, false, 0
}

// IsTimeMetric reports whether a people metric is a median of hours.
func IsTimeMetric(id string) bool { return id == "ttfr_median" || id == "ttr_median" }

// sample is one side of a comparison: yes/no counts or hours.
type sample struct {
	n, yes int
	hours  []float64
}

func (s *sample) add(r CaseResult, metric string) {
	counts, yes, v := r.outcome(metric)
	if !counts {
		return
	}
	s.n++
	if yes {
		s.yes++
	}
	if IsTimeMetric(metric) {
		s.hours = append(s.hours, v)
	}
}

func (s *sample) estimate(m MetricDef) Estimate {
	if IsTimeMetric(m.ID) {
		return MedianEstimate(m.ID, s.hours)
	}
	return m.Estimate(RateScores(s.yes, s.n))
}

// MedianEstimate is the median of values with its distribution-free 95 %
// interval from order statistics (ranks n/2 ∓ 1.96 √n / 2).
func MedianEstimate(id string, values []float64) Estimate {
	v := append([]float64(nil), values...)
	sort.Float64s(v)
	e := Estimate{Metric: id, N: len(v), TooFew: len(v) < MinResponses}
	if len(v) == 0 {
		return e
	}
	e.Value = *Percentile(v, 50)
	n := float64(len(v))
	lo := int(math.Floor(n/2 - 1.96*math.Sqrt(n)/2))
	hi := int(math.Ceil(n/2 + 1.96*math.Sqrt(n)/2))
	e.Low, e.High = v[max(lo, 0)], v[min(hi, len(v)-1)]
	return e
}

// MannWhitneyP is the two-sided p-value of the Mann–Whitney U test (normal
// approximation with mid-ranks for ties): whether values of a tend to be
// larger or smaller than b's. It is 1 when either side has fewer than
// MinResponses values, as PValue is.
func MannWhitneyP(a, b []float64) float64 {
	if len(a) < MinResponses || len(b) < MinResponses {
		return 1
	}
	type obs struct {
		v    float64
		inA  bool
		rank float64
	}
	all := make([]obs, 0, len(a)+len(b))
	for _, v := range a {
		all = append(all, obs{v: v, inA: true})
	}
	for _, v := range b {
		all = append(all, obs{v: v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		for k := i; k < j; k++ {
			all[k].rank = float64(i+j+1) / 2
		}
		i = j
	}
	var ra float64
	for _, o := range all {
		if o.inA {
			ra += o.rank
		}
	}
	n1, n2 := float64(len(a)), float64(len(b))
	u := ra - n1*(n1+1)/2
	sd := math.Sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
	if sd == 0 {
		return 1
	}
	return math.Erfc(math.Abs(u-n1*n2/2) / sd / math.Sqrt2)
}

// PeopleCell is one figure of an agent or team against its peers.
type PeopleCell struct {
	Metric    string   `json:"metric"`
	Value     Estimate `json:"value"`
	Peers     Estimate `json:"peers"`
	P         float64  `json:"p"`
	Direction int      `json:"direction"` // +1 higher, −1 lower than the peers, 0 not significantly different
	Better    bool     `json:"better"`    // the difference is in the good direction
}

// PersonRow is one agent's or team's figures. An agent's peers are the
// colleagues of their team (the cases they hold); a team's peers are the rest of the company.
type PersonRow struct {
	UserID     int64        `json:"user_id,omitempty"` // 0: a team
	Email      string       `json:"email,omitempty"`   // the agent's
	Department string       `json:"department"`
	Cases      int          `json:"cases"`
	Cells      []PeopleCell `json:"cells"`
}

// PeopleQuery selects the cases of a people view: created within From–To.
type PeopleQuery struct {
	Department string // "" every department the caller may see
	From, To   time.Time
}

// PeopleReport is the CX per team and agent over a period.
type PeopleReport struct {
	From   time.Time   `json:"from"`
	To     time.Time   `json:"to"`
	Teams  []PersonRow `json:"teams"`
	Agents []PersonRow `json:"agents"`
}

// BuildPeopleReport works out every team's and agent's figures from the
// cases of the period. Rows are in department, then user id order: never
// ranked, so no league table forms, and an estimate under MinResponses says
// "too few" and takes part in no comparison.
func BuildPeopleReport(results []CaseResult) PeopleReport {
	depts := map[string]bool{}
	agents := map[[2]any]bool{}
	for _, r := range results {
		depts[r.Department] = true
		if r.AssigneeID != 0 {
			agents[[2]any{r.Department, r.AssigneeID}] = true
		}
	}
	var rep PeopleReport
	for d := range depts {
		rep.Teams = append(rep.Teams, personRow(results, 0, d))
	}
	for k := range agents {
		rep.Agents = append(rep.Agents, personRow(results, k[1].(int64), k[0].(string)))
	}
	sortRows(rep.Teams)
	sortRows(rep.Agents)
	var cells []*PeopleCell
	for _, rows := range [][]PersonRow{rep.Teams, rep.Agents} {
		for i := range rows {
			for j := range rows[i].Cells {
				cells = append(cells, &rows[i].Cells[j])
			}
		}
	}
	controlCells(cells)
	return rep
}

func sortRows(rows []PersonRow) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Department != rows[j].Department {
			return rows[i].Department < rows[j].Department
		}
		return rows[i].UserID < rows[j].UserID
	})
}

// personRow compares an agent (user ≠ 0) with the rest of their team in
// dept, or team dept with the rest of the company.
func personRow(results []CaseResult, user int64, dept string) PersonRow {
	row := PersonRow{UserID: user, Department: dept}
	mine, peer := sides(user, dept)
	for _, m := range PeopleMetrics {
		var a, b sample
		for _, r := range results {
			switch {
			case mine(r):
				a.add(r, m.ID)
			case peer(r):
				b.add(r, m.ID)
			}
		}
		row.Cells = append(row.Cells, compareSamples(m, a, b))
	}
	for _, r := range results {
		if mine(r) {
			row.Cases++
		}
	}
	return row
}

// sides says which cases are an agent's (user ≠ 0) or team's own, and which
// are their peers': an agent's colleagues in the team (cases nobody holds
// are nobody's peer), or for a team the rest of the company.
func sides(user int64, dept string) (mine, peer func(CaseResult) bool) {
	if user != 0 {
		return func(r CaseResult) bool { return r.Department == dept && r.AssigneeID == user },
			func(r CaseResult) bool { return r.Department == dept && r.AssigneeID != 0 && r.AssigneeID != user }
	}
	return func(r CaseResult) bool { return r.Department == dept }, func(r CaseResult) bool { return r.Department != dept }
}

func compareSamples(m MetricDef, a, b sample) PeopleCell {
	c := PeopleCell{Metric: m.ID, Value: a.estimate(m), Peers: b.estimate(m)}
	if IsTimeMetric(m.ID) {
		c.P = MannWhitneyP(a.hours, b.hours)
	} else {
		c.P = PValue(c.Value, c.Peers)
	}
	c.Direction = direction(c.Value, c.Peers, c.P < Alpha)
	c.Better = c.Direction != 0 && (c.Direction > 0) == m.HigherIsBetter
	return c
}

// controlCells keeps the arrows that are discoveries of the whole view
// (Benjamini–Hochberg at FDR), as the cockpit does.
func controlCells(cells []*PeopleCell) {
	ps := make([]float64, len(cells))
	for i, c := range cells {
		ps[i] = c.P
	}
	keep := BenjaminiHochberg(ps, FDR)
	for i, c := range cells {
		if !keep[i] {
			c.Direction, c.Better = 0, false
		}
	}
}

// Row returns the report's row of an agent (user ≠ 0) or team.
func (p PeopleReport) Row(user int64, dept string) (PersonRow, bool) {
	rows := p.Teams
	if user != 0 {
		rows = p.Agents
	}
	for _, r := range rows {
		if r.UserID == user && r.Department == dept {
			return r, true
		}
	}
	return PersonRow{}, false
}
