package touchpoint

import (
	"context"
	"sort"
	"time"
)

// The weekly voice-of-the-customer digest of a department: its KPIs of the
// week against the week before (arrows only for significant moves, false
// discoveries controlled over the digest), the three best and three worst
// comments of the week, its open action items and its overdue cases.

// DigestKPIs are the figures of a digest: the survey scores answered about
// the department and its case metrics.
var DigestKPIs = []string{MetricNPS, MetricCSAT, MetricCES, MetricCSATAfterCase, "fcr", "sla_compliance", "recovery_rate"}

// DigestVerbatims is how many best and worst comments a digest quotes.
const DigestVerbatims = 3

// DigestKPI is one figure of the week against the week before.
type DigestKPI struct {
	Metric    string   `json:"metric"`
	Week      Estimate `json:"week"`
	Before    Estimate `json:"week_before"`
	P         float64  `json:"p"`
	Direction int      `json:"direction"`
	Better    bool     `json:"better"`
}

// Verbatim is a comment of the week with its score.
type Verbatim struct {
	ResponseID int64      `json:"response_id"`
	Survey     string     `json:"survey"`
	Type       SurveyType `json:"type"`
	Score      int        `json:"score"`
	Comment    string     `json:"comment"`
	Lang       string     `json:"lang"`
	At         time.Time  `json:"at"`
}

// share places a score on 0–1 of its scale, so that answers of different
// surveys can be ordered together.
func (v Verbatim) share() float64 {
	lo, hi := 0.0, 10.0
	switch v.Type {
	case SurveyCSAT:
		lo, hi = 1, 5
	case SurveyCES:
		lo, hi = 1, 7
	}
	return (float64(v.Score) - lo) / (hi - lo)
}

// DigestCase is an overdue case of the department.
type DigestCase struct {
	ID      int64      `json:"id"`
	Subject string     `json:"subject"`
	Status  CaseStatus `json:"status"`
	Due     time.Time  `json:"due"`
}

// Digest is one department's week.
type Digest struct {
	Department string       `json:"department"`
	From       time.Time    `json:"from"` // Monday 00:00 UTC
	To         time.Time    `json:"to"`   // the Monday after
	KPIs       []DigestKPI  `json:"kpis"`
	Best       []Verbatim   `json:"best"`
	Worst      []Verbatim   `json:"worst"`
	Actions    []ActionItem `json:"open_actions"`
	Overdue    []DigestCase `json:"overdue_cases"`
	Empty      bool         `json:"empty"` // nothing happened: no answers, no cases, nothing open
}

// DigestWeek is the last full week (Monday to Monday, UTC) before now.
func DigestWeek(now time.Time) (from, to time.Time) {
	d := now.UTC().Truncate(24 * time.Hour)
	to = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) // this week's Monday
	return to.AddDate(0, 0, -7), to
}

// WeekScores are a week's survey answers about a department, by metric.
type WeekScores map[string]Scores

// DigestFigures compares the week with the week before: survey scores
// (week, before) and the case results of the two weeks.
func DigestFigures(week, before WeekScores, weekCases, beforeCases []CaseResult) []DigestKPI {
	var out []DigestKPI
	var ps []float64
	for _, id := range DigestKPIs {
		var k DigestKPI
		if m, ok := MetricByID(id); ok {
			a, b := week[id], before[id]
			if a.Count == nil {
				a = NewScores(m.ScaleMin, m.ScaleMax)
			}
			if b.Count == nil {
				b = NewScores(m.ScaleMin, m.ScaleMax)
			}
			k = DigestKPI{Metric: id, Week: m.Estimate(a), Before: m.Estimate(b)}
			k.P = PValue(k.Week, k.Before)
			k.Direction = direction(k.Week, k.Before, k.P < Alpha)
			k.Better = k.Direction != 0 && (k.Direction > 0) == m.HigherIsBetter
		} else {
			m := PeopleMetric(id)
			var a, b sample
			for _, r := range weekCases {
				a.add(r, id)
			}
			for _, r := range beforeCases {
				b.add(r, id)
			}
			c := compareSamples(m, a, b)
			k = DigestKPI{Metric: id, Week: c.Value, Before: c.Peers, P: c.P, Direction: c.Direction, Better: c.Better}
		}
		out = append(out, k)
		ps = append(ps, k.P)
	}
	keep := BenjaminiHochberg(ps, FDR)
	for i := range out {
		if !keep[i] {
			out[i].Direction, out[i].Better = 0, false
		}
	}
	return out
}

// PickVerbatims returns the k best and k worst comments by their place on
// their scale (newest first among equals); a comment is never both, and
// the same words are quoted once.
func PickVerbatims(vs []Verbatim, k int) (best, worst []Verbatim) {
	var s []Verbatim
	seen := map[string]bool{}
	for _, v := range vs { // the same words twice say nothing new
		if !seen[v.Comment] {
			seen[v.Comment] = true
			s = append(s, v)
		}
	}
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].share() != s[j].share() {
			return s[i].share() > s[j].share()
		}
		return s[i].At.After(s[j].At)
	})
	n := min(k, len(s))
	best = s[:n]
	for i := len(s) - 1; i >= n && len(worst) < k; i-- {
		worst = append(worst, s[i])
	}
	return best, worst
}

// DigestRecipient is a user who receives a department's digest.
type DigestRecipient struct {
	User  User
	Token string // for the unsubscribe link
}

// DigestService builds digests and keeps who receives them.
type DigestService interface {
	Digest(ctx context.Context, department string, from time.Time) (Digest, error)
	// DigestSubscribed says whether the caller receives their department's digest.
	DigestSubscribed(ctx context.Context) (bool, error)
	// SetDigestSubscribed subscribes or unsubscribes the caller.
	SetDigestSubscribed(ctx context.Context, on bool) error
	// SetDigestForMembers sends a department's digest to every member, not
	// only its heads (members can still unsubscribe).
	SetDigestForMembers(ctx context.Context, department string, on bool) error
	DigestForMembers(ctx context.Context, department string) (bool, error)
	// UnsubscribeDigest is the mail's link: the token is the authorisation.
	UnsubscribeDigest(ctx context.Context, token string) error
	// DigestDepartments lists the departments the caller may see a digest of.
	DigestDepartments(ctx context.Context) ([]string, error)
}

// SendDigests mails last week's digests (hourly; each user's once a week).
type SendDigests struct{}

// Kind names the worker.
func (SendDigests) Kind() string { return "send_digests" }
