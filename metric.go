package touchpoint

import (
	"fmt"
	"math"
	"sort"
)

// MinResponses is the n below which a score is shown as "too few responses".
const MinResponses = 30

// Estimate is a metric's value over a slice of data, with its sample size,
// standard error and 95 % confidence interval. Every number touchpoint shows
// comes from an Estimate made by the registry.
type Estimate struct {
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	N      int     `json:"n"`
	SE     float64 `json:"se"`
	Low    float64 `json:"ci_low"`
	High   float64 `json:"ci_high"`
	TooFew bool    `json:"too_few"` // n < MinResponses: show "too few responses", not the value
}

// Scores are sufficient statistics of answers on one scale: Count[i] is the
// number of answers with score Min+i. Sums of scores and squares follow from
// them, so intervals computed from Scores are exact.
type Scores struct {
	Min   int   `json:"min"`
	Count []int `json:"count"`
}

// NewScores returns empty statistics for the scale min..max.
func NewScores(min, max int) Scores { return Scores{Min: min, Count: make([]int, max-min+1)} }

// Add counts n answers with the given score; scores outside the scale are ignored.
func (s *Scores) Add(score, n int) {
	if i := score - s.Min; i >= 0 && i < len(s.Count) {
		s.Count[i] += n
	}
}

// Merge adds o's counts (same scale) to s.
func (s *Scores) Merge(o Scores) {
	for i := range o.Count {
		if i < len(s.Count) {
			s.Count[i] += o.Count[i]
		}
	}
}

// N is the number of answers.
func (s Scores) N() int {
	n := 0
	for _, c := range s.Count {
		n += c
	}
	return n
}

// Between counts answers with lo ≤ score ≤ hi.
func (s Scores) Between(lo, hi int) int {
	n := 0
	for i, c := range s.Count {
		if v := s.Min + i; v >= lo && v <= hi {
			n += c
		}
	}
	return n
}

// MetricDef is one registered KPI definition: the only place its formula lives.
type MetricDef struct {
	ID string `json:"id"`
	// English; the catalogue files carry every language ("kpi.name.<id>",
	// "kpi.definition.<id>", "kpi.formula.<id>", "kpi.interval.<id>").
	Name           string                `json:"name"`
	Definition     string                `json:"definition,omitempty"`
	Formula        string                `json:"formula"`
	Interval       string                `json:"interval"`
	HigherIsBetter bool                  `json:"higher_is_better"`
	ScaleMin       int                   `json:"scale_min"`
	ScaleMax       int                   `json:"scale_max"`
	Unit           string                `json:"unit"`
	Estimate       func(Scores) Estimate `json:"-"`
}

// Metric ids.
const (
	MetricNPS  = "nps"
	MetricCSAT = "csat"
	MetricCES  = "ces"
)

// Metrics is the registry. Survey results, dashboards, exports and reports
// all compute through it.
var Metrics = []MetricDef{
	{
		ID:             MetricNPS,
		Name:           "Net Promoter Score",
		Definition:     "Share of promoters (9–10) minus share of detractors (0–6), times 100, on the question how likely the customer is to recommend us (0–10).",
		Formula:        "NPS = 100 × (promoters − detractors) / n",
		Interval:       "SE = 100 × √((p + d − (p − d)²) / n), p and d the promoter and detractor shares; 95 % CI = NPS ± 1.96 × SE",
		HigherIsBetter: true, ScaleMin: 0, ScaleMax: 10, Unit: "points",
		Estimate: npsEstimate,
	},
	{
		ID:             MetricCSAT,
		Name:           "Customer Satisfaction (CSAT)",
		Definition:     "Share of satisfied answers (4 or 5 on a 1–5 scale), in percent.",
		Formula:        "CSAT = 100 × answers 4–5 / n",
		Interval:       wilson,
		HigherIsBetter: true, ScaleMin: 1, ScaleMax: 5, Unit: "%",
		Estimate: csatEstimate,
	},
	{
		ID:             MetricCES,
		Name:           "Customer Effort Score (CES)",
		Definition:     "Mean answer on a 1–7 scale to how easy it was to get what the customer wanted (7 = very easy).",
		Formula:        "CES = mean of answers",
		Interval:       "95 % CI = mean ± t(0.975, n − 1) × s / √n",
		HigherIsBetter: true, ScaleMin: 1, ScaleMax: 7, Unit: "",
		Estimate: cesEstimate,
	},
}

// MetricByID returns a registered metric.
func MetricByID(id string) (MetricDef, bool) {
	for _, m := range Metrics {
		if m.ID == id {
			return m, true
		}
	}
	return MetricDef{}, false
}

func npsEstimate(s Scores) Estimate {
	e := Estimate{Metric: MetricNPS, N: s.N()}
	if e.N == 0 {
		e.TooFew = true
		return e
	}
	n := float64(e.N)
	p, d := float64(s.Between(9, 10))/n, float64(s.Between(0, 6))/n
	e.Value = 100 * (p - d)
	e.SE = 100 * math.Sqrt((p+d-(p-d)*(p-d))/n)
	// The normal interval can run past the scale (NPS [−130, 10] for few
	// answers); no NPS lies outside ±100, so the interval is clipped to it.
	e.Low, e.High = max(-100, e.Value-1.96*e.SE), min(100, e.Value+1.96*e.SE)
	e.TooFew = e.N < MinResponses
	return e
}

func csatEstimate(s Scores) Estimate { return percentEstimate(MetricCSAT, s.Between(4, 5), s.N()) }

// percentEstimate is a share k/n in percent with its Wilson score interval;
// SE (for comparisons) is the normal approximation's.
func percentEstimate(id string, k, n int) Estimate {
	e := Estimate{Metric: id, N: n}
	if n == 0 {
		e.TooFew = true
		return e
	}
	nf := float64(n)
	p := float64(k) / nf
	e.Value = 100 * p
	e.SE = 100 * math.Sqrt(p*(1-p)/nf)
	const z = 1.96
	center := (p + z*z/(2*nf)) / (1 + z*z/nf)
	half := z / (1 + z*z/nf) * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	e.Low, e.High = 100*(center-half), 100*(center+half)
	e.TooFew = n < MinResponses
	return e
}

// RateScores holds a yes/no count as Scores on the scale 0–1, so that rates
// share the registry's Estimate signature: Count[0] = no, Count[1] = yes.
func RateScores(yes, n int) Scores { return Scores{Min: 0, Count: []int{n - yes, yes}} }

// rate is the Estimate of a percentage KPI over RateScores.
func rate(id string) func(Scores) Estimate {
	return func(s Scores) Estimate { return percentEstimate(id, s.Between(1, 1), s.N()) }
}

// CountScores holds a plain count (cases opened) as Scores.
func CountScores(n int) Scores { return Scores{Min: 1, Count: []int{n}} }

// countEstimate treats a count as Poisson: SE = √n, 95 % CI = n ± 1.96 √n,
// so two periods' counts differ significantly when |a − b| > 1.96 √(a + b).
func countEstimate(id string) func(Scores) Estimate {
	return func(s Scores) Estimate {
		n := s.N()
		e := Estimate{Metric: id, N: n, Value: float64(n), SE: math.Sqrt(float64(n))}
		e.Low, e.High = math.Max(0, e.Value-1.96*e.SE), e.Value+1.96*e.SE
		return e // a count is never "too few": zero complaints is a result
	}
}

func cesEstimate(s Scores) Estimate {
	e := Estimate{Metric: MetricCES, N: s.N()}
	if e.N == 0 {
		e.TooFew = true
		return e
	}
	var sum, sumsq float64
	for i, c := range s.Count {
		v := float64(s.Min + i)
		sum += v * float64(c)
		sumsq += v * v * float64(c)
	}
	n := float64(e.N)
	e.Value = sum / n
	if e.N > 1 {
		variance := (sumsq - sum*sum/n) / (n - 1)
		e.SE = math.Sqrt(math.Max(variance, 0) / n)
		t := StudentT975(e.N - 1)
		e.Low, e.High = e.Value-t*e.SE, e.Value+t*e.SE
	} else { // one answer says nothing about the spread: anything on the scale
		e.Low, e.High = math.Inf(-1), math.Inf(1)
	}
	// A mean of answers on the scale lies on it (clipped like NPS).
	e.Low, e.High = max(float64(s.Min), e.Low), min(float64(s.Min+len(s.Count)-1), e.High)
	e.TooFew = e.N < MinResponses
	return e
}

// Alpha is the significance level of every arrow touchpoint shows.
const Alpha = 0.05

// PValue is the two-sided p-value of the difference between a and b under
// the normal approximation (z = difference / SE of the difference). It is 1
// where the two cannot be compared: too few answers on either side, or no
// spread at all.
func PValue(a, b Estimate) float64 {
	if a.N < 2 || b.N < 2 || a.TooFew || b.TooFew {
		return 1
	}
	se := math.Sqrt(a.SE*a.SE + b.SE*b.SE)
	if se == 0 {
		return 1
	}
	return math.Erfc(math.Abs(a.Value-b.Value) / se / math.Sqrt2)
}

// Significant reports whether a and b differ at the level Alpha (|z| > 1.96):
// the one rule for a single comparison. Many comparisons shown together go
// through BenjaminiHochberg as well.
func Significant(a, b Estimate) bool { return PValue(a, b) < Alpha }

// BenjaminiHochberg controls the false discovery rate at q over a family of
// comparisons: with m comparisons sorted by p-value, the k smallest are
// discoveries for the largest k with p(k) ≤ k/m × q. Comparisons with p = 1
// (nothing to compare) are not counted in m. It returns which are
// discoveries, in the order given.
func BenjaminiHochberg(p []float64, q float64) []bool {
	idx := make([]int, 0, len(p))
	for i, v := range p {
		if v < 1 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	m, k := float64(len(idx)), 0
	for r, i := range idx {
		if p[i] <= float64(r+1)/m*q {
			k = r + 1
		}
	}
	out := make([]bool, len(p))
	for _, i := range idx[:k] {
		out[i] = true
	}
	return out
}

// StudentT975 is the 97.5 % quantile of Student's t distribution with df
// degrees of freedom (the factor of a two-sided 95 % interval). Exact table
// values up to 30, then a Cornish–Fisher expansion, which is within 0.001.
func StudentT975(df int) float64 {
	table := [...]float64{0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	if df < 1 {
		return math.Inf(1)
	}
	if df < len(table) {
		return table[df]
	}
	const z = 1.959963984540054
	v := float64(df)
	z3, z5, z7 := z*z*z, math.Pow(z, 5), math.Pow(z, 7)
	return z + (z3+z)/(4*v) + (5*z5+16*z3+3*z)/(96*v*v) + (3*z7+19*z5+17*z3-15*z)/(384*v*v*v)
}

const wilson = "95 % Wilson score interval; SE = 100 × √(p(1 − p) / n) for comparisons"

// Case KPIs. Their definitions live here with the survey metrics; CaseKPIs
// computes them (times are business time on each case's SLA calendar).
var CaseMetrics = []MetricDef{
	{ID: "case_volume", Name: "Complaint volume", Formula: "number of cases opened in the period",
		Interval: "Poisson: SE = √n; two periods differ significantly when |a − b| > 1.96 × √(a + b), compared per day", Unit: "cases", Estimate: countEstimate("case_volume")},
	{ID: "ttfr_median", Name: "Time to first response (median)",
		Formula: "median business hours from opening to the first reply to the customer", HigherIsBetter: false, Unit: "h"},
	{ID: "ttfr_p90", Name: "Time to first response (90th pct.)",
		Formula: "90th percentile of business hours from opening to the first reply", HigherIsBetter: false, Unit: "h"},
	{ID: "ttr_median", Name: "Time to resolution (median)",
		Formula: "median business hours from opening to resolution", HigherIsBetter: false, Unit: "h"},
	{ID: "ttr_p90", Name: "Time to resolution (90th pct.)",
		Formula: "90th percentile of business hours from opening to resolution", HigherIsBetter: false, Unit: "h"},
	{ID: "sla_compliance", Name: "SLA compliance",
		Formula:        "100 × cases whose first response and resolution came by their due times / cases whose due times have passed or that met them",
		HigherIsBetter: true, Unit: "%", Interval: wilson, Estimate: rate("sla_compliance")},
	{ID: "reopen_rate", Name: "Reopen rate",
		Formula: "100 × resolved cases that were opened again / resolved cases", HigherIsBetter: false, Unit: "%", Interval: wilson, Estimate: rate("reopen_rate")},
	{ID: "fcr", Name: "First-contact resolution",
		Formula: "100 × resolved cases with one reply to the customer and never reopened / resolved cases", HigherIsBetter: true, Unit: "%", Interval: wilson, Estimate: rate("fcr")},
	{ID: "recovery_rate", Name: "Recovery rate",
		Formula:        "100 × detractor cases whose customer's next answer is no longer a detractor's / detractor cases followed by an answer",
		HigherIsBetter: true, Unit: "%", Interval: wilson, Estimate: rate("recovery_rate")},
}

// CaseKPIRow is the case KPIs of one slice and period.
type CaseKPIRow struct {
	Slice         string   `json:"slice,omitempty"`
	Period        string   `json:"period,omitempty"`
	Volume        int      `json:"case_volume"`
	TTFRMedian    *float64 `json:"ttfr_median_hours"`
	TTFRP90       *float64 `json:"ttfr_p90_hours"`
	TTRMedian     *float64 `json:"ttr_median_hours"`
	TTRP90        *float64 `json:"ttr_p90_hours"`
	SLACompliance *float64 `json:"sla_compliance"`
	SLAN          int      `json:"sla_n"`
	ReopenRate    *float64 `json:"reopen_rate"`
	FCR           *float64 `json:"fcr"`
	ResolvedN     int      `json:"resolved_n"`
	RecoveryRate  *float64 `json:"recovery_rate"`
	RecoveryN     int      `json:"recovery_n"`
}

// Percentile returns the p-th percentile (0–100) of sorted values by the
// nearest-rank method; nil for none.
func Percentile(sorted []float64, p float64) *float64 {
	if len(sorted) == 0 {
		return nil
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	v := sorted[rank-1]
	return &v
}

// Text writes the value in its KPI's unit (+12.3 points, 81.5 %, 5.12 on
// CES, a count of cases); "—" without data and tooFew below MinResponses.
// The cockpit, survey pages and the board pack all write numbers this way.
func (e Estimate) Text(tooFew string) string {
	m := MetricOf(e.Metric)
	switch {
	case m.Unit == "cases":
		return fmt.Sprintf("%d", e.N)
	case e.N == 0:
		return "—"
	case e.TooFew:
		return tooFew
	case m.Unit == "%":
		return fmt.Sprintf("%.1f %%", e.Value)
	case m.ID == MetricCES:
		return fmt.Sprintf("%.2f", e.Value)
	case m.Unit == "h":
		return fmt.Sprintf("%.1f h", e.Value)
	}
	return fmt.Sprintf("%+.1f", e.Value)
}

// CIText writes the 95 % interval, or "" where none is shown (too few, counts).
func (e Estimate) CIText() string {
	m := MetricOf(e.Metric)
	if e.N < 2 || e.TooFew || m.Unit == "cases" {
		return ""
	}
	if m.ID == MetricCES {
		return fmt.Sprintf("%.2f – %.2f", e.Low, e.High)
	}
	return fmt.Sprintf("%.1f – %.1f", e.Low, e.High)
}

// MetricOf finds a metric in the registry or among the people metrics.
func MetricOf(id string) MetricDef {
	if m, ok := KPIByID(id); ok {
		return m
	}
	return PeopleMetric(id)
}
