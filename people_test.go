package touchpoint

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// fcrCases makes n resolved cases of an agent created evenly in [from, to),
// yes of them solved at first contact.
func fcrCases(agent int64, dept string, from, to time.Time, n, yes int) []CaseResult {
	out := make([]CaseResult, n)
	for i := range out {
		out[i] = CaseResult{AssigneeID: agent, Department: dept, Category: "billing", Resolved: true, FCR: i < yes,
			CreatedAt: from.Add(time.Duration(i) * to.Sub(from) / time.Duration(n))}
	}
	return out
}

// TestTrainingEffectIsTheDifferenceInDifferences: participants go from
// 50 % to 70 % FCR while the comparison group stays at 60 %: the effect is
// 20 points with the interval of the four independent shares.
func TestTrainingEffectIsTheDifferenceInDifferences(t *testing.T) {
	done := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tr := Training{Department: "Service", Metric: "fcr", Participants: []TrainingParticipant{{UserID: 1, CompletedAt: &done}, {UserID: 2, CompletedAt: &done}}}
	var rs []CaseResult
	before, after := done.Add(-EffectWindow), done.Add(EffectWindow)
	for _, a := range []int64{1, 2} {
		rs = append(rs, fcrCases(a, "Service", before, done, 100, 50)...)
		rs = append(rs, fcrCases(a, "Service", done, after, 100, 70)...)
	}
	for _, a := range []int64{3, 4} {
		rs = append(rs, fcrCases(a, "Service", before, done, 100, 60)...)
		rs = append(rs, fcrCases(a, "Service", done, after, 100, 60)...)
	}
	rs = append(rs, fcrCases(5, "Logistics", before, after, 300, 0)...) // another department: not the comparison group
	rs = append(rs, fcrCases(1, "Service", before.AddDate(0, 0, -30), before, 100, 0)...)

	if e := MeasureTraining(tr, rs, done.AddDate(0, 0, 30)); e.Known || e.Reason != "window open" {
		t.Errorf("a month after: %+v", e)
	}
	e := MeasureTraining(tr, rs, after.Add(time.Hour))
	if !e.Known || e.Participants != [2]int{200, 200} || e.Comparison != [2]int{200, 200} {
		t.Fatalf("%+v", e)
	}
	if math.Abs(e.Effect-20) > 1e-9 {
		t.Errorf("effect %v, want 20", e.Effect)
	}
	se := 100 * math.Sqrt(0.5*0.5/200+0.7*0.3/200+2*0.6*0.4/200)
	if math.Abs(e.Low-(20-1.96*se)) > 1e-9 || math.Abs(e.High-(20+1.96*se)) > 1e-9 {
		t.Errorf("interval [%v, %v], want 20 ± %v", e.Low, e.High, 1.96*se)
	}
	open := tr
	open.Participants = []TrainingParticipant{{UserID: 1, CompletedAt: &done}, {UserID: 2}}
	if e := MeasureTraining(open, rs, after.Add(time.Hour)); e.Known || e.Reason != "not completed" {
		t.Errorf("one participant has not completed: %+v", e)
	}
}

// TestTrainingEffectIntervalCoversAPlantedEffect: over many random worlds
// with a planted effect of 15 points, about 95 % of the intervals cover it.
func TestTrainingEffectIntervalCoversAPlantedEffect(t *testing.T) {
	done := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tr := Training{Department: "Service", Metric: "fcr", Participants: []TrainingParticipant{{UserID: 1, CompletedAt: &done}}}
	r := rand.New(rand.NewPCG(7, 7))
	draw := func(agent int64, from, to time.Time, n int, p float64) []CaseResult {
		yes := 0
		for range n {
			if r.Float64() < p {
				yes++
			}
		}
		return fcrCases(agent, "Service", from, to, n, yes)
	}
	covered, worlds := 0, 400
	for range worlds {
		var rs []CaseResult
		rs = append(rs, draw(1, done.Add(-EffectWindow), done, 150, 0.45)...)
		rs = append(rs, draw(1, done, done.Add(EffectWindow), 150, 0.65)...)
		rs = append(rs, draw(2, done.Add(-EffectWindow), done, 300, 0.55)...)
		rs = append(rs, draw(2, done, done.Add(EffectWindow), 300, 0.60)...)
		e := MeasureTraining(tr, rs, done.Add(EffectWindow+time.Hour))
		if e.Low <= 15 && 15 <= e.High {
			covered++
		}
	}
	if share := float64(covered) / float64(worlds); share < 0.92 || share > 0.98 {
		t.Errorf("the 95 %% interval covered the planted effect in %.1f %% of worlds", 100*share)
	}
}

func TestMedianEstimateAndMannWhitney(t *testing.T) {
	var v []float64
	for i := 1; i <= 100; i++ {
		v = append(v, float64(i))
	}
	e := MedianEstimate("ttr_median", v)
	// the registry's percentile (nearest rank); ranks 50 ∓ 9.8: the values at 0-based 40 and 60
	if e.Value != 50 || e.Low != 41 || e.High != 61 || e.TooFew {
		t.Errorf("%+v", e)
	}
	if p := MannWhitneyP(v, v); p < 0.99 {
		t.Errorf("a sample against itself: p = %v", p)
	}
	shifted := make([]float64, len(v))
	for i := range v {
		shifted[i] = v[i] + 30
	}
	if p := MannWhitneyP(v, shifted); p > 1e-6 {
		t.Errorf("shifted by 30: p = %v", p)
	}
	if p := MannWhitneyP(v[:10], shifted); p != 1 {
		t.Errorf("ten values are too few: p = %v", p)
	}
}

// TestNoLeagueTableBelowMinResponses: an agent with fewer than MinResponses
// cases shows "too few" and gets no arrow, however far from the team.
func TestNoLeagueTableBelowMinResponses(t *testing.T) {
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	rs := append(fcrCases(1, "Service", from, to, 20, 0), fcrCases(2, "Service", from, to, 200, 200)...)
	rep := BuildPeopleReport(rs)
	row, ok := rep.Row(1, "Service")
	if !ok {
		t.Fatal("no row for agent 1")
	}
	for _, c := range row.Cells {
		if c.Metric == "fcr" && (!c.Value.TooFew || c.Direction != 0) {
			t.Errorf("20 cases: %+v", c)
		}
	}
	if row2, _ := rep.Row(2, "Service"); row2.Cells[1].Direction != 0 {
		t.Errorf("agent 2 compared with 20 cases: %+v", row2.Cells[1])
	}
}

// TestTrainingNeedInATheme: an agent weak on the cases whose texts speak of
// one theme (across categories) has a need in that theme.
func TestTrainingNeedInATheme(t *testing.T) {
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	var rs []CaseResult
	for agent, fcr := range map[int64]int{1: 10, 2: 60, 3: 60} {
		cs := fcrCases(agent, "Service", from, to, 100, fcr)
		for i := range cs {
			cs[i].CaseID = agent*1000 + int64(i)
			cs[i].Themes = []string{"refund"}
		}
		rs = append(rs, cs...)
		rs = append(rs, fcrCases(agent, "Service", from, to, 100, 50)...) // no theme: as good as the others
	}
	var found bool
	for _, n := range FindTrainingNeeds(rs) {
		if n.UserID == 1 && n.Theme == "refund" && n.Metric == "fcr" {
			found = true
		}
		if n.UserID != 1 && n.UserID != 0 {
			t.Errorf("agent %d has a need: %+v", n.UserID, n)
		}
	}
	if !found {
		t.Error("agent 1's weakness in the refund theme is not found")
	}
}
