package touchpoint

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// A retention playbook acts when a customer enters a segment (say "top
// value, risk high"): it opens a case for the owning department, or invites
// the customer to a survey (within the contact budget), or adds them to an
// action item of the department (one per run), at most once per customer
// per period. A random hold-out of the entrants gets
// nothing, so that what the playbook achieves can be measured: the share
// still a customer after RetentionHorizon, acted-on against held-out.
type Playbook struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	SegmentID  int64     `json:"segment_id"`
	Action     string    `json:"action"`              // case (default), survey or action
	SurveyID   int64     `json:"survey_id,omitempty"` // action survey: the survey to invite to
	Department string    `json:"department"`          // the case's department; the invitation's for a survey
	PeriodDays int       `json:"period_days"`         // at most one action per customer within this many days
	HoldoutPct int       `json:"holdout_pct"`         // of the entrants left alone, 0 to 50
	Enabled    bool      `json:"enabled"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
}

// What a playbook does for an entrant.
const (
	PlaybookCase   = "case"   // a case for the department to get in touch
	PlaybookSurvey = "survey" // a survey invitation by e-mail, within the contact budget
	PlaybookAction = "action" // an action item for the department per run, naming how many entered
)

// RetentionHorizon is how long after entering an entrant is judged: the
// churn model's horizon.
const RetentionHorizon = 90 * 24 * time.Hour

// Validate checks a playbook and fills its defaults (a 90-day period, a
// 10 % hold-out).
func (p *Playbook) Validate() error {
	p.Name, p.Department = strings.TrimSpace(p.Name), strings.TrimSpace(p.Department)
	if p.PeriodDays == 0 {
		p.PeriodDays = 90
	}
	if p.Action == "" {
		p.Action = PlaybookCase
	}
	fields := map[string]string{}
	if p.Name == "" || utf8.RuneCountInString(p.Name) > 200 {
		fields["name"] = Reason("required, at most 200 characters")
	}
	if p.SegmentID <= 0 {
		fields["segment_id"] = Reason("required: the segment whose entrants the playbook acts on")
	}
	if p.Department == "" {
		fields["department"] = Reason("required: the department whose queue gets the cases")
	}
	switch {
	case p.Action != PlaybookCase && p.Action != PlaybookSurvey && p.Action != PlaybookAction:
		fields["action"] = Reason("case, survey or action")
	case p.Action == PlaybookSurvey && p.SurveyID <= 0:
		fields["survey_id"] = Reason("required for the action survey")
	}
	if p.PeriodDays < 1 || p.PeriodDays > 3660 {
		fields["period_days"] = Reason("1 to 3660")
	}
	if p.HoldoutPct < 0 || p.HoldoutPct > 50 {
		fields["holdout_pct"] = Reason("0 to 50 (percent of the entrants left alone to measure the effect)")
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the playbook is not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

// InHoldout says whether a customer entering a playbook in a period is
// left alone: a fixed hash, so the draw is random across customers yet the
// same on every replica and every rerun.
func InHoldout(playbookID, customerID int64, period int64, pct int) bool {
	h := fnv.New64a()
	var b [24]byte
	for i, v := range []int64{playbookID, customerID, period} {
		for k := range 8 {
			b[i*8+k] = byte(v >> (8 * k))
		}
	}
	h.Write(b[:])
	return int(h.Sum64()%100) < pct
}

// PlaybookEntry is one customer's entry into a playbook.
type PlaybookEntry struct {
	PlaybookID int64     `json:"playbook_id"`
	CustomerID int64     `json:"customer_id"`
	EnteredAt  time.Time `json:"entered_at"`
	Holdout    bool      `json:"holdout"`
	CaseID     int64     `json:"case_id,omitempty"`
	ActionID   int64     `json:"action_id,omitempty"`  // action action: the run's action item
	Invitation string    `json:"invitation,omitempty"` // action survey: queued, or why not (budget, opted_out, no_email)
}

// PlaybookResult is what a playbook achieved: of the entrants judged (those
// who entered at least RetentionHorizon ago), the share still customers
// after it, acted-on and held-out, and the difference in percentage points
// with its 95 % interval (Newcombe's hybrid score interval).
type PlaybookResult struct {
	Playbook  Playbook `json:"playbook"`
	Entrants  int      `json:"entrants"`
	Pending   int      `json:"pending"` // entered less than the horizon ago
	Acted     Estimate `json:"acted_retained"`
	Held      Estimate `json:"holdout_retained"`
	Lift      float64  `json:"lift_pp"`
	LiftLow   float64  `json:"lift_low"`
	LiftHigh  float64  `json:"lift_high"`
	LiftKnown bool     `json:"lift_known"` // both groups have someone judged
}

// RetentionLift fills the result's difference from its two groups.
func (r *PlaybookResult) RetentionLift(actedKept, acted, heldKept, held int) {
	r.Acted = percentEstimate("retained", actedKept, acted)
	r.Held = percentEstimate("retained", heldKept, held)
	if acted == 0 || held == 0 {
		return
	}
	p1, p2 := r.Acted.Value/100, r.Held.Value/100
	l1, u1, l2, u2 := r.Acted.Low/100, r.Acted.High/100, r.Held.Low/100, r.Held.High/100
	d := p1 - p2
	r.Lift = 100 * d
	r.LiftLow = 100 * (d - math.Sqrt((p1-l1)*(p1-l1)+(u2-p2)*(u2-p2)))
	r.LiftHigh = 100 * (d + math.Sqrt((u1-p1)*(u1-p1)+(p2-l2)*(p2-l2)))
	r.LiftKnown = true
}

// PlaybookService keeps playbooks, their entrants and results.
type PlaybookService interface {
	CreatePlaybook(ctx context.Context, p *Playbook) error
	SetPlaybookEnabled(ctx context.Context, id int64, enabled bool) error
	ListPlaybooks(ctx context.Context) ([]Playbook, error)
	PlaybookResults(ctx context.Context) ([]PlaybookResult, error)
	PlaybookEntries(ctx context.Context, id int64, limit int) ([]PlaybookEntry, error)
}
