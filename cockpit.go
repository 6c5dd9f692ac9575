package touchpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Customer KPIs: churn and retention, from the customers active in each
// division (a customer belongs to every division it has events in).
var CustomerMetrics = []MetricDef{
	{ID: "churn_rate", Name: "Churn rate",
		Definition: "Share of the customers active at the start of the period who churned during it. A customer is active in a division from its first event there until it churns; churn is a configured event (default “Customer Churned”) or a trait taking a configured value.",
		Formula:    "100 × customers active at the period's start who churned in it / customers active at its start", Interval: wilson,
		HigherIsBetter: false, Unit: "%", Estimate: rate("churn_rate")},
	{ID: "retention_rate", Name: "Retention rate",
		Definition: "100 minus the churn rate: share of the customers active at the start of the period who did not churn during it.",
		Formula:    "100 − churn rate", Interval: wilson,
		HigherIsBetter: true, Unit: "%", Estimate: rate("retention_rate")},
}

// ScorecardKPIs are the cockpit's columns, in order.
var ScorecardKPIs = []string{MetricNPS, MetricCSAT, MetricCES, "case_volume", "sla_compliance", "fcr", "recovery_rate", "churn_rate"}

// KPIGroup says what a KPI counts: "survey" (responses), "case" or "customer".
func KPIGroup(id string) string {
	for group, ms := range map[string][]MetricDef{"survey": Metrics, "case": CaseMetrics, "customer": CustomerMetrics} {
		for _, m := range ms {
			if m.ID == id {
				return group
			}
		}
	}
	return ""
}

// KPIByID finds a KPI in any part of the registry.
func KPIByID(id string) (MetricDef, bool) {
	for _, ms := range [][]MetricDef{Metrics, CaseMetrics, CustomerMetrics} {
		for _, m := range ms {
			if m.ID == id {
				return m, true
			}
		}
	}
	return MetricDef{}, false
}

// ChurnRule says what makes a customer churned: a track event's name, or a
// trait taking a value. It is part of the churn definition, so changing it
// makes a new definition version.
type ChurnRule struct {
	Event string `json:"event,omitempty"`
	Trait string `json:"trait,omitempty"`
	Value string `json:"value,omitempty"`
}

// DefaultChurnRule is the rule until an admin changes it.
var DefaultChurnRule = ChurnRule{Event: "Customer Churned"}

// Validate checks that exactly one kind of rule is given.
func (r *ChurnRule) Validate() error {
	r.Event, r.Trait, r.Value = strings.TrimSpace(r.Event), strings.TrimSpace(r.Trait), strings.TrimSpace(r.Value)
	switch {
	case r.Event != "" && r.Trait == "" && r.Value == "":
		return nil
	case r.Event == "" && r.Trait != "" && r.Value != "":
		return nil
	}
	return Errorf(EINVALID, "churn is either an event name, or a trait and its value").WithFields(map[string]string{"event": "an event name, or empty with trait and value", "trait": "with value, or empty with event"})
}

// String describes the rule for definition pages and reports.
func (r ChurnRule) String() string {
	if r.Event != "" {
		return fmt.Sprintf("event %q", r.Event)
	}
	return fmt.Sprintf("trait %s = %q", r.Trait, r.Value)
}

// DefinitionVersion is one version of a KPI's configurable definition, with
// who changed it and when: the audit trail of what a number meant.
type DefinitionVersion struct {
	KPI       string          `json:"kpi"`
	Version   int             `json:"version"`
	Params    json.RawMessage `json:"params"`
	Note      string          `json:"note,omitempty"`
	Actor     string          `json:"actor"`
	CreatedAt time.Time       `json:"created_at"`
}

// Period is a half-open time range [From, To).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// PeriodOf returns the week (ISO, Monday first), month or quarter that holds t, in UTC.
func PeriodOf(kind string, t time.Time) (Period, error) {
	t = t.UTC()
	var from time.Time
	switch kind {
	case "week":
		from = time.Date(t.Year(), t.Month(), t.Day()-(int(t.Weekday())+6)%7, 0, 0, 0, 0, time.UTC)
		return Period{from, from.AddDate(0, 0, 7)}, nil
	case "month":
		from = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return Period{from, from.AddDate(0, 1, 0)}, nil
	case "quarter":
		from = time.Date(t.Year(), t.Month()-(t.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC)
		return Period{from, from.AddDate(0, 3, 0)}, nil
	}
	return Period{}, Errorf(EINVALID, "period must be week, month, quarter or custom").WithFields(map[string]string{"period": "invalid"})
}

// Previous is the period of the same length just before p: the previous
// calendar month or quarter for those, else the same duration.
func (p Period) Previous() Period {
	if p.From.Day() == 1 && p.To.Day() == 1 && p.From.Hour() == 0 && p.To.Hour() == 0 {
		months := (p.To.Year()-p.From.Year())*12 + int(p.To.Month()-p.From.Month())
		return Period{p.From.AddDate(0, -months, 0), p.From}
	}
	return Period{p.From.Add(-p.To.Sub(p.From)), p.From}
}

// YearBefore is the same period a year earlier.
func (p Period) YearBefore() Period { return Period{p.From.AddDate(-1, 0, 0), p.To.AddDate(-1, 0, 0)} }

// MonthAligned reports whether p starts and ends on month boundaries.
func (p Period) MonthAligned() bool {
	on := func(t time.Time) bool {
		return t.Day() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
	}
	return on(p.From) && on(p.To)
}

// Label names the period for people: 2026-10, 2026-Q3, 2026-W42 or a date range.
func (p Period) Label() string {
	months := (p.To.Year()-p.From.Year())*12 + int(p.To.Month()-p.From.Month())
	switch {
	case p.MonthAligned() && months == 1:
		return p.From.Format("2006-01")
	case p.MonthAligned() && months == 3 && (p.From.Month()-1)%3 == 0:
		return fmt.Sprintf("%d-Q%d", p.From.Year(), (p.From.Month()-1)/3+1)
	case p.To.Sub(p.From) == 7*24*time.Hour && p.From.Weekday() == time.Monday:
		y, w := p.From.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	return p.From.Format(time.DateOnly) + " – " + p.To.Add(-time.Nanosecond).Format(time.DateOnly)
}

// ScorecardQuery asks for KPIs per slice over a period, compared with the
// previous period and the same period a year before.
type ScorecardQuery struct {
	Period     Period
	By         string // division (default), department or channel
	Division   string // drill-down filters
	Department string
	Channel    string
	SurveyID   int64 // only this survey's answers; the case and customer KPIs do not apply then
	SegmentID  int64 // only the current members of this segment (computed from raw rows: membership changes)
	Months     int   // length of the monthly trend (sparklines); default 12
}

// DivisionUnassigned is the scorecard row that collects the numbers of
// division names not in the registry.
const DivisionUnassigned = "(unassigned)"

// CleanDivisions checks a division registry: trimmed names, no duplicates,
// none empty or reserved.
func CleanDivisions(names []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			continue
		case n == DivisionUnassigned || len(n) > 100:
			return nil, Errorf(EINVALID, "%q cannot be a division name", n).WithFields(map[string]string{"divisions": "invalid"})
		case seen[n]:
			return nil, Errorf(EINVALID, "the division %q is listed twice", n).WithFields(map[string]string{"divisions": "duplicate"})
		}
		seen[n] = true
		out = append(out, n)
	}
	return out, nil
}

// Scorecard is the cockpit's grid: a row per slice (the first is everything
// the filters select), a cell per KPI.
type Scorecard struct {
	Period   Period         `json:"period"`
	Previous Period         `json:"previous"`
	YearAgo  Period         `json:"year_ago"`
	By       string         `json:"by"`
	KPIs     []string       `json:"kpis"`
	Months   []string       `json:"months"` // the trend's months, oldest first
	Rows     []ScorecardRow `json:"rows"`
	// Unassigned are the division names seen in the data but not in the
	// registry; their numbers are in the DivisionUnassigned row.
	Unassigned []string `json:"unassigned_divisions,omitempty"`
	// AsOf is when the case and customer rollups were last brought up to date
	// (survey answers count the moment they are given); zero before the first refresh.
	AsOf time.Time `json:"as_of"`
}

// ScorecardRow is one slice's KPIs.
type ScorecardRow struct {
	Slice string      `json:"slice"` // "" for the total
	Cells []ScoreCell `json:"cells"`
}

// ScoreCell is one KPI of one slice: now, before, a year ago, and the trend.
type ScoreCell struct {
	KPI       string   `json:"kpi"`
	Now       Estimate `json:"now"`
	Previous  Estimate `json:"previous"`
	YearAgo   Estimate `json:"year_ago"`
	Change    *float64 `json:"change"`    // Now − Previous; nil when either has no data
	Direction int      `json:"direction"` // +1 / −1 only when the change is significant, else 0
	Better    bool     `json:"better"`    // the significant change is an improvement
	YearDir   int      `json:"year_direction"`
	// P and YearP are the comparisons' two-sided p-values (1: not comparable);
	// an arrow needs its comparison to be a discovery of the whole view.
	P     float64    `json:"p_value"`
	YearP float64    `json:"year_p_value"`
	Trend []Estimate `json:"trend"` // one per Scorecard.Months
	NA    bool       `json:"na"`    // the KPI does not apply to this cut (churn by channel)
	Dist  [3]Scores  `json:"-"`     // survey KPIs: score counts now, before, a year ago (distribution charts)
}

// NewScoreCell compares the estimates with the one significance rule.
func NewScoreCell(m MetricDef, now, prev, year Estimate, trend []Estimate) ScoreCell {
	c := ScoreCell{KPI: m.ID, Now: now, Previous: prev, YearAgo: year, Trend: trend}
	c.compare(m, prev, year)
	return c
}

// compare sets the change, p-values and arrows of c.Now against prev and
// year (the observed estimates, or PerDay's scaled ones).
func (c *ScoreCell) compare(m MetricDef, prev, year Estimate) {
	c.Change = nil
	if c.Now.N > 0 && prev.N > 0 {
		d := c.Now.Value - prev.Value
		c.Change = &d
	}
	c.P, c.YearP = PValue(c.Now, prev), PValue(c.Now, year)
	c.YearDir = direction(c.Now, year, c.YearP < Alpha)
	c.setDirection(m, direction(c.Now, prev, c.P < Alpha))
}

// setDirection sets the arrow against the previous period and whether it is
// an improvement.
func (c *ScoreCell) setDirection(m MetricDef, dir int) {
	c.Direction = dir
	c.Better = dir != 0 && (dir > 0) == m.HigherIsBetter
}

// PerDay compares counts (complaint volume) of periods of different
// length — months of 28 to 31 days, a period still in progress — as rates:
// the earlier periods' counts are scaled to the days observed now
// (count × days now / days then, the Poisson SE with them), and the change,
// p-values and arrows are worked out again on the scaled counts. Now,
// Previous and YearAgo stay the counts observed.
func (c *ScoreCell) PerDay(m MetricDef, daysNow, daysPrev, daysYear float64) {
	if daysNow <= 0 || daysPrev <= 0 || daysYear <= 0 {
		return
	}
	c.compare(m, c.Previous.scaled(daysNow/daysPrev), c.YearAgo.scaled(daysNow/daysYear))
}

func (e Estimate) scaled(f float64) Estimate {
	e.Value, e.SE, e.Low, e.High = e.Value*f, e.SE*f, e.Low*f, e.High*f
	return e
}

func direction(a, b Estimate, significant bool) int {
	switch {
	case !significant:
		return 0
	case a.Value > b.Value:
		return 1
	}
	return -1
}

// FDR is the false discovery rate controlled over the comparisons shown
// together on one view (Benjamini–Hochberg).
const FDR = 0.05

// ControlFalseDiscoveries keeps only the arrows that are discoveries of the
// whole view: one scorecard shows up to 64 comparisons (against the previous
// period and a year ago), and at 5 % each about three would show an arrow
// when nothing changed. Benjamini–Hochberg over all of them at FDR keeps the
// expected share of false arrows among those shown at 5 %.
func (sc *Scorecard) ControlFalseDiscoveries() {
	var ps []float64
	for _, r := range sc.Rows {
		for _, c := range r.Cells {
			ps = append(ps, c.P, c.YearP)
		}
	}
	keep := BenjaminiHochberg(ps, FDR)
	i := 0
	for _, r := range sc.Rows {
		for j := range r.Cells {
			c := &r.Cells[j]
			if !keep[i] {
				c.Direction, c.Better = 0, false
			}
			if !keep[i+1] {
				c.YearDir = 0
			}
			i += 2
		}
	}
}

// CockpitService computes scorecards and keeps the rollups behind them.
type CockpitService interface {
	Scorecard(ctx context.Context, q ScorecardQuery) (*Scorecard, error)
	// CaseVolumeByCategory counts complaints per category in a month-aligned period.
	CaseVolumeByCategory(ctx context.Context, p Period) (map[string]int, error)
	// The division registry (empty: every name in the data is a row).
	Divisions(ctx context.Context) ([]string, error)
	SetDivisions(ctx context.Context, names []string) error
	ChurnRule(ctx context.Context) (ChurnRule, int, error)
	SetChurnRule(ctx context.Context, r ChurnRule, note string) (*DefinitionVersion, error)
	DefinitionHistory(ctx context.Context) ([]DefinitionVersion, error)
	BoardPack(ctx context.Context) (BoardPackConfig, error)
	SetBoardPack(ctx context.Context, c BoardPackConfig) error
}

// BoardPackConfig says who receives the monthly board pack, in which language.
type BoardPackConfig struct {
	Recipients []string `json:"recipients"`
	Lang       string   `json:"lang"`
}

// Validate checks the addresses and the language.
func (c *BoardPackConfig) Validate() error {
	fields := map[string]string{}
	for i, r := range c.Recipients {
		r = strings.TrimSpace(r)
		c.Recipients[i] = r
		if a, err := mail.ParseAddress(r); err != nil || a.Address != r {
			fields["recipients"] = Reason("%q is not an e-mail address", r)
		}
	}
	if c.Lang == "" {
		c.Lang = "en"
	}
	if c.Lang != "en" && c.Lang != "de" && c.Lang != "nl" {
		fields["lang"] = Reason("en, de or nl")
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the board pack settings are not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

// SendBoardPack mails last month's board pack on the first working day of
// a month (the worker checks the day and that it was not sent yet).
type SendBoardPack struct{}

// Kind names the worker.
func (SendBoardPack) Kind() string { return "send_board_pack" }

// FirstWorkingDay reports whether t's day (in cal's time zone) is the
// month's first day that cal is open; without a calendar, Monday–Friday.
func FirstWorkingDay(t time.Time, cal *BusinessCalendar) bool {
	working := func(d time.Time) bool {
		if cal == nil {
			return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
		}
		return cal.Hours[d.Weekday()] != (OpeningHours{}) && !cal.IsHoliday(dateOf(d))
	}
	if cal != nil {
		t = t.In(cal.Location)
	}
	if !working(t) {
		return false
	}
	for d := t.AddDate(0, 0, -1); d.Month() == t.Month(); d = d.AddDate(0, 0, -1) {
		if working(d) {
			return false
		}
	}
	return true
}

// ChangeText writes the change against the previous period in the KPI's
// precision; "" when either period has no data.
func (c ScoreCell) ChangeText() string {
	if c.Change == nil {
		return ""
	}
	m, _ := KPIByID(c.KPI)
	switch {
	case m.ID == MetricCES:
		return fmt.Sprintf("%+.2f", *c.Change)
	case m.Unit == "cases":
		return fmt.Sprintf("%+d", int(*c.Change))
	}
	return fmt.Sprintf("%+.1f", *c.Change)
}
