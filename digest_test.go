package touchpoint

import (
	"testing"
	"time"
)

func TestDigestWeekIsTheLastWholeWeek(t *testing.T) {
	for _, now := range []time.Time{time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), time.Date(2026, 12, 13, 23, 59, 0, 0, time.UTC)} {
		from, to := DigestWeek(now)
		if !from.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%v: %v – %v", now, from, to)
		}
	}
}

// TestPickVerbatimsAcrossScales: answers of different scales are ordered by
// their place on their scale; the same words count once; none is both best
// and worst.
func TestPickVerbatimsAcrossScales(t *testing.T) {
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	vs := []Verbatim{
		{ResponseID: 1, Type: SurveyNPS, Score: 9, Comment: "good", At: at},
		{ResponseID: 2, Type: SurveyCSAT, Score: 5, Comment: "great", At: at},
		{ResponseID: 3, Type: SurveyCSAT, Score: 5, Comment: "great", At: at.Add(time.Hour)},
		{ResponseID: 4, Type: SurveyCES, Score: 1, Comment: "hard", At: at},
		{ResponseID: 5, Type: SurveyNPS, Score: 2, Comment: "bad", At: at},
	}
	best, worst := PickVerbatims(vs, 2)
	if len(best) != 2 || best[0].Comment != "great" || best[1].Comment != "good" {
		t.Errorf("best %+v", best)
	}
	if len(worst) != 2 || worst[0].Comment != "hard" || worst[1].Comment != "bad" {
		t.Errorf("worst %+v", worst)
	}
	best, worst = PickVerbatims(vs[:2], 3)
	if len(best) != 2 || len(worst) != 0 {
		t.Errorf("two comments: best %d, worst %d", len(best), len(worst))
	}
}

// TestDigestFiguresArrowOnlyOnSignificantMoves: FCR from 30 % to 60 % on
// 200 cases each is a move; CSAT of 80 % in both weeks is none.
func TestDigestFiguresArrowOnlyOnSignificantMoves(t *testing.T) {
	from := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	week := fcrCases(1, "Service", from, from.AddDate(0, 0, 7), 200, 120)
	before := fcrCases(1, "Service", from.AddDate(0, 0, -7), from, 200, 60)
	csat := NewScores(1, 5)
	csat.Add(5, 80)
	csat.Add(2, 20)
	ks := DigestFigures(WeekScores{MetricCSAT: csat}, WeekScores{MetricCSAT: csat}, week, before)
	for _, k := range ks {
		switch k.Metric {
		case "fcr":
			if k.Direction != 1 || !k.Better || k.Week.Value != 60 || k.Before.Value != 30 {
				t.Errorf("fcr %+v", k)
			}
		case MetricCSAT:
			if k.Direction != 0 || k.Week.Value != 80 {
				t.Errorf("csat %+v", k)
			}
		case MetricNPS:
			if k.Week.N != 0 || k.Direction != 0 {
				t.Errorf("nps without answers %+v", k)
			}
		}
	}
}
