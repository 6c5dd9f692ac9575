package touchpoint

import (
	"context"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// TrainingNeed is a category where an agent's (or a team's) results are
// significantly below their peers' in the same category: an agent against
// the rest of their team, a team against the rest of the company.
type TrainingNeed struct {
	UserID     int64    `json:"user_id,omitempty"` // 0: the team
	Email      string   `json:"email,omitempty"`   // the agent's
	Department string   `json:"department"`
	Category   string   `json:"category,omitempty"`
	Theme      string   `json:"theme,omitempty"` // a need in a theme of the cases' texts rather than a category
	Metric     string   `json:"metric"`
	Value      Estimate `json:"value"`
	Peers      Estimate `json:"peers"`
	P          float64  `json:"p"`
	// Cases are the ones behind it that missed: not first-contact resolved,
	// reopened, late, not satisfied, not recovered (at most MaxNeedCases).
	Cases []int64 `json:"case_ids"`
}

// MaxNeedCases is how many of the cases behind a need are listed.
const MaxNeedCases = 50

// NeedMetrics are the rates a training need is looked for in.
var NeedMetrics = []string{"fcr", "reopen_rate", "sla_compliance", MetricCSATAfterCase, "recovery_rate"}

// FindTrainingNeeds compares every agent and team, category by category (and
// theme by theme, where text analytics found themes in the cases), metric by
// metric, with their peers in that category or theme; the comparisons that
// are discoveries of the whole family (Benjamini–Hochberg at FDR) and worse
// than the peers are needs, worst (smallest p) first.
func FindTrainingNeeds(results []CaseResult) []TrainingNeed {
	type key struct {
		user         int64
		dept, ct, th string // a category or a theme
	}
	seen := map[key]bool{}
	for _, r := range results {
		var topics []key
		if r.Category != "" {
			topics = append(topics, key{ct: r.Category})
		}
		for _, th := range r.Themes {
			topics = append(topics, key{th: th})
		}
		for _, k := range topics {
			k.dept = r.Department
			seen[k] = true
			if r.AssigneeID != 0 {
				k.user = r.AssigneeID
				seen[k] = true
			}
		}
	}
	keys := make([]key, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.dept != b.dept {
			return a.dept < b.dept
		}
		if a.user != b.user {
			return a.user < b.user
		}
		if a.ct != b.ct {
			return a.ct < b.ct
		}
		return a.th < b.th
	})
	about := func(r CaseResult, k key) bool {
		if k.ct != "" {
			return r.Category == k.ct
		}
		for _, th := range r.Themes {
			if th == k.th {
				return true
			}
		}
		return false
	}
	var cands []TrainingNeed
	var ps []float64
	for _, k := range keys {
		mine, peer := sides(k.user, k.dept)
		for _, id := range NeedMetrics {
			m := PeopleMetric(id)
			var a, b sample
			var missed []int64
			for _, r := range results {
				if !about(r, k) {
					continue
				}
				switch {
				case mine(r):
					a.add(r, id)
					if counts, yes, _ := r.outcome(id); counts && yes != m.HigherIsBetter && len(missed) < MaxNeedCases {
						missed = append(missed, r.CaseID)
					}
				case peer(r):
					b.add(r, id)
				}
			}
			c := compareSamples(m, a, b)
			ps = append(ps, c.P)
			cands = append(cands, TrainingNeed{UserID: k.user, Department: k.dept, Category: k.ct, Theme: k.th, Metric: id,
				Value: c.Value, Peers: c.Peers, P: c.P, Cases: missed})
		}
	}
	keep := BenjaminiHochberg(ps, FDR)
	var out []TrainingNeed
	for i, n := range cands {
		if keep[i] && (n.Value.Value < n.Peers.Value) == PeopleMetric(n.Metric).HigherIsBetter {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].P < out[j].P })
	return out
}

// Training kinds.
const (
	TrainingCourse   = "course"
	TrainingCoaching = "coaching"
)

// Training is a course or coaching session for some agents, aimed at one
// metric (and category), whose effect is measured once its participants
// have completed it.
type Training struct {
	ID           int64                 `json:"id"`
	Title        string                `json:"title"`
	Kind         string                `json:"kind"` // course, coaching
	OwnerID      int64                 `json:"owner_id"`
	Department   string                `json:"department"`
	Metric       string                `json:"metric"`             // one of NeedMetrics
	Category     string                `json:"category,omitempty"` // "" every category
	Due          time.Time             `json:"due"`
	Participants []TrainingParticipant `json:"participants"`
	CreatedAt    time.Time             `json:"created_at"`
	CreatedBy    string                `json:"created_by"`
}

// TrainingParticipant is one participant and when they completed it.
type TrainingParticipant struct {
	UserID      int64      `json:"user_id"`
	Email       string     `json:"email,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// Validate checks a training's fields.
func (t *Training) Validate() error {
	t.Title = strings.TrimSpace(t.Title)
	bad := map[string]string{}
	if t.Title == "" || utf8.RuneCountInString(t.Title) > 200 {
		bad["title"] = Reason("1–200 characters")
	}
	if t.Kind != TrainingCourse && t.Kind != TrainingCoaching {
		bad["kind"] = Reason("course or coaching")
	}
	if t.OwnerID == 0 {
		bad["owner_id"] = Reason("required")
	}
	if t.Department == "" {
		bad["department"] = Reason("required")
	}
	ok := false
	for _, m := range NeedMetrics {
		ok = ok || m == t.Metric
	}
	if !ok {
		bad["metric"] = Reason("one of %s", strings.Join(NeedMetrics, ", "))
	}
	if t.Due.IsZero() {
		bad["due"] = Reason("required (YYYY-MM-DD)")
	}
	if len(t.Participants) == 0 {
		bad["participants"] = Reason("at least one")
	}
	seen := map[int64]bool{}
	for _, p := range t.Participants {
		if p.UserID == 0 || seen[p.UserID] {
			bad["participants"] = Reason("distinct user ids")
		}
		seen[p.UserID] = true
	}
	if len(bad) > 0 {
		return Errorf(EINVALID, "the training is incomplete: %s", Reasons(bad)).WithFields(bad)
	}
	return nil
}

// EffectWindow is how far before the first completion and after the last
// one a training's effect is measured.
const EffectWindow = 90 * 24 * time.Hour

// TrainingEffect is a training's measured effect: its metric for the
// participants before and after, against the same change over the same
// windows for the comparison group (the department's other agents). The
// effect is the difference in differences with its 95 % interval.
type TrainingEffect struct {
	Metric       string   `json:"metric"`
	Before       Estimate `json:"before"`
	After        Estimate `json:"after"`
	CompBefore   Estimate `json:"comparison_before"`
	CompAfter    Estimate `json:"comparison_after"`
	Participants [2]int   `json:"participant_n"` // cases before, after
	Comparison   [2]int   `json:"comparison_n"`
	Effect       float64  `json:"effect"` // points: the participants' change minus the comparison group's
	Low          float64  `json:"ci_low"`
	High         float64  `json:"ci_high"`
	Known        bool     `json:"known"`            // every side has MinResponses cases
	Reason       string   `json:"reason,omitempty"` // why not known: "not completed", "too few", "window open"
}

// MeasureTraining works out t's effect from the department's cases, at now.
// Nothing is claimed until every participant has completed, the after
// window has passed and every side has MinResponses cases.
func MeasureTraining(t Training, results []CaseResult, now time.Time) TrainingEffect {
	e := TrainingEffect{Metric: t.Metric}
	var first, last time.Time
	part := map[int64]bool{}
	for _, p := range t.Participants {
		part[p.UserID] = true
		if p.CompletedAt == nil {
			e.Reason = "not completed"
			return e
		}
		if first.IsZero() || p.CompletedAt.Before(first) {
			first = *p.CompletedAt
		}
		if p.CompletedAt.After(last) {
			last = *p.CompletedAt
		}
	}
	var pb, pa, cb, ca sample
	for _, r := range results {
		if r.Department != t.Department || r.AssigneeID == 0 || (t.Category != "" && r.Category != t.Category) {
			continue
		}
		var s *sample
		switch before, after := !r.CreatedAt.Before(first.Add(-EffectWindow)) && r.CreatedAt.Before(first),
			!r.CreatedAt.Before(last) && r.CreatedAt.Before(last.Add(EffectWindow)); {
		case before && part[r.AssigneeID]:
			s = &pb
		case before:
			s = &cb
		case after && part[r.AssigneeID]:
			s = &pa
		case after:
			s = &ca
		default:
			continue
		}
		s.add(r, t.Metric)
	}
	m := PeopleMetric(t.Metric)
	e.Before, e.After, e.CompBefore, e.CompAfter = pb.estimate(m), pa.estimate(m), cb.estimate(m), ca.estimate(m)
	e.Participants, e.Comparison = [2]int{pb.n, pa.n}, [2]int{cb.n, ca.n}
	e.Effect = (e.After.Value - e.Before.Value) - (e.CompAfter.Value - e.CompBefore.Value)
	se := math.Sqrt(sq(e.After.SE) + sq(e.Before.SE) + sq(e.CompAfter.SE) + sq(e.CompBefore.SE))
	e.Low, e.High = e.Effect-1.96*se, e.Effect+1.96*se
	switch {
	case now.Before(last.Add(EffectWindow)):
		e.Reason = "window open"
	case min(pb.n, pa.n, cb.n, ca.n) < MinResponses:
		e.Reason = "too few"
	default:
		e.Known = true
	}
	return e
}

func sq(x float64) float64 { return x * x }

// TrainingView is a training with its effect as measured now.
type TrainingView struct {
	Training
	Owner  string         `json:"owner_email"`
	Effect TrainingEffect `json:"effect"`
}

// PeopleService computes CX per agent and team, finds training needs and
// keeps trainings; every method asks the policy (people.read,
// training.manage).
type PeopleService interface {
	PeopleReport(ctx context.Context, q PeopleQuery) (PeopleReport, error)
	TrainingNeeds(ctx context.Context, q PeopleQuery) ([]TrainingNeed, error)
	// PeoplePage is both over one reading of the period's cases.
	PeoplePage(ctx context.Context, q PeopleQuery) (PeopleReport, []TrainingNeed, error)
	CreateTraining(ctx context.Context, t *Training) error
	CompleteTraining(ctx context.Context, id, userID int64, at time.Time) error
	ListTrainings(ctx context.Context) ([]TrainingView, error)
	// MeasuredTrainings are those whose after-window has passed.
	MeasuredTrainings(ctx context.Context) ([]TrainingView, error)
}
