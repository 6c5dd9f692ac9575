package web

import (
	"encoding/json"
	"net/url"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
)

var fuzzSurvey = &tp.Survey{ID: 1, Name: "f", Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en",
	Questions: []tp.Question{{ID: "reason", Kind: tp.QuestionSingle, Options: []string{"a", "b"}},
		{ID: "many", Kind: tp.QuestionMulti, Options: []string{"x", "y"}}, {ID: "stars", Kind: tp.QuestionRating},
		{ID: "why", Kind: tp.QuestionFreeText, Required: true}}}

// accepted checks what validation lets through.
func accepted(t *testing.T, in tp.ResponseInput) {
	if err := fuzzSurvey.ValidateResponse(&in); err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			t.Fatalf("rejection without a clear code: %v", err)
		}
		return
	}
	if in.Score != nil && (*in.Score < 0 || *in.Score > 10) {
		t.Fatalf("accepted score %d", *in.Score)
	}
	if in.Complete && in.Score == nil {
		t.Fatal("accepted a complete answer without a score")
	}
	if _, ok := in.Answers["why"]; in.Complete && !ok {
		t.Fatal("accepted a complete answer without the required question")
	}
	for k := range in.Answers {
		if k != "reason" && k != "many" && k != "stars" && k != "why" {
			t.Fatalf("accepted an answer to unknown question %q", k)
		}
	}
}

func FuzzResponseForm(f *testing.F) {
	f.Add("score=9&comment=gut&q_reason=a&q_many=x&q_many=y&q_stars=5&q_why=weil")
	f.Add("score=abc&q_reason=zzz&q_stars=9")
	f.Add("score=-1&comment=%00%ff")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		accepted(t, formInput(fuzzSurvey, form, "de"))
	})
}

func FuzzResponseJSON(f *testing.F) {
	f.Add([]byte(`{"score":9,"comment":"ok","answers":{"reason":"a","many":["x"],"stars":3,"why":"w"},"complete":true}`))
	f.Add([]byte(`{"score":11,"answers":{"nope":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in tp.ResponseInput
		if json.Unmarshal(body, &in) != nil {
			return
		}
		accepted(t, in)
	})
}
