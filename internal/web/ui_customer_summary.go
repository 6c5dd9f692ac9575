package web

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// customerSummary is the card above a customer's timeline: the latest score
// per survey, the open cases, the consents given, the segments, and the
// customer's value and churn risk with its reasons.
type customerSummary struct {
	Scores   []scoreView
	Cases    []tp.Case
	Overdue  map[int64]bool
	Granted  []tp.Purpose
	Segments []tp.Segment
	Risk     *riskView // nil until the risk job scored the customer
}

type scoreView struct {
	Survey  string
	Type    tp.SurveyType
	Score   int
	Max     int
	Group   string // promoter, passive, detractor (NPS); satisfied, unsatisfied (CSAT); "" else
	At      time.Time
	Comment string
}

// scoreGroup names where a score falls on its survey's scale.
func scoreGroup(t tp.SurveyType, score int) string {
	switch t {
	case tp.SurveyNPS:
		switch {
		case score >= 9:
			return "promoter"
		case score >= 7:
			return "passive"
		}
		return "detractor"
	case tp.SurveyCSAT:
		if score >= 4 {
			return "satisfied"
		}
		return "unsatisfied"
	}
	return ""
}

func (s *Server) customerSummary(r *http.Request, lang string, c *tp.Customer, consents []tp.Consent) (customerSummary, error) {
	ctx := r.Context()
	sum := customerSummary{Overdue: map[int64]bool{}}
	surveys, err := s.Surveys.ListSurveys(ctx)
	if err != nil {
		return sum, err
	}
	byID := map[int64]tp.Survey{}
	for _, sv := range surveys {
		byID[sv.ID] = sv
	}
	// The latest answer per survey by its time (imported history need not
	// come in id order).
	latest := map[int64]int{}
	err = s.Surveys.ListResponses(ctx, tp.ResponseFilter{CustomerID: c.ID, Limit: 200}, func(row tp.ResponseRow) error {
		sv, ok := byID[row.SurveyID]
		if row.Score == nil || !ok {
			return nil
		}
		_, max := sv.Scale()
		v := scoreView{Survey: sv.Name, Type: sv.Type, Score: *row.Score, Max: max, Group: scoreGroup(sv.Type, *row.Score), At: row.CreatedAt, Comment: row.Comment}
		if i, seen := latest[row.SurveyID]; !seen {
			latest[row.SurveyID] = len(sum.Scores)
			sum.Scores = append(sum.Scores, v)
		} else if v.At.After(sum.Scores[i].At) {
			sum.Scores[i] = v
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	sort.Slice(sum.Scores, func(i, j int) bool { return sum.Scores[i].At.After(sum.Scores[j].At) })
	if sum.Cases, err = s.Cases.ListCases(ctx, tp.CaseFilter{CustomerID: c.ID, Status: openStatuses, Limit: 20}); err != nil {
		return sum, err
	}
	now := s.Now()
	tp.SortQueue(sum.Cases, now)
	for _, cs := range sum.Cases {
		sum.Overdue[cs.ID] = cs.Overdue(now)
	}
	for _, co := range consents {
		if co.Granted {
			sum.Granted = append(sum.Granted, co.Purpose)
		}
	}
	if sum.Segments, err = s.Segments.CustomerSegments(ctx, c.ID); err != nil {
		return sum, err
	}
	score, err := s.Risk.CustomerScore(ctx, c.ID)
	sum.Risk = newRiskView(lang, score)
	return sum, err
}

// answerEvent reads a "Survey Responded" timeline event's properties, so the
// timeline shows the answer as one (survey, score, group, comment) rather
// than as a dump of its fields; ok is false for any other event.
type answerEvent struct {
	Survey  string        `json:"survey"`
	Type    tp.SurveyType `json:"survey_type"`
	Score   *int          `json:"score"`
	Comment string        `json:"comment"`
	Group   string        `json:"-"`
	OK      bool          `json:"-"`
}

func surveyAnswer(name string, p json.RawMessage) answerEvent {
	var a answerEvent
	if name != "Survey Responded" || json.Unmarshal(p, &a) != nil || a.Score == nil {
		return answerEvent{}
	}
	a.Group, a.OK = scoreGroup(a.Type, *a.Score), true
	return a
}
