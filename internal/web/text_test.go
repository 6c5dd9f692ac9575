package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

func TestAnalyzeAPI(t *testing.T) {
	f := newFixture(t)
	r := f.api("POST", "/api/v1/text/analyze", f.admin, `{"text":"Schlechter Service. Das Paket kam viel zu spät und beschädigt an."}`)
	var one tp.TextAnalysis
	if err := json.Unmarshal(r.Body, &one); r.Code != 200 || err != nil {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	if one.Lang != "de" || one.Sentiment != "negative" || len(one.Themes) < 2 || len(one.Sentences) != 2 {
		t.Errorf("one text: %+v", one)
	}
	r = f.api("POST", "/api/v1/text/analyze", f.admin, `[{"text":"great, thanks!"},{"text":"niet goed","lang":"nl"},{"text":""}]`)
	var list []tp.TextAnalysis
	if err := json.Unmarshal(r.Body, &list); r.Code != 200 || err != nil || len(list) != 3 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	if list[0].Sentiment != "positive" || list[1].Lang != "nl" || list[1].Sentiment != "negative" || list[2].Lang != "other" {
		t.Errorf("list: %+v", list)
	}
	for _, c := range []struct {
		body, code, field string
	}{
		{`{"text":"x","lang":"fr"}`, "invalid", "lang"},
		{`[{"text":"x","lang":"fr"}]`, "invalid", "[0].lang"},
		{`{"txt":"x"}`, "invalid", "body"},
		{`{"text":`, "invalid", "body"},
		{"[" + strings.Repeat(`{"text":"a"},`, 1000) + `{"text":"a"}]`, "invalid", "body"},
	} {
		r := f.api("POST", "/api/v1/text/analyze", f.admin, c.body)
		e, _ := r.JSON["error"].(map[string]any)
		fields, _ := e["fields"].(map[string]any)
		if r.Code != 400 || e["code"] != c.code || fields[c.field] == nil {
			t.Errorf("%.40s: %d %s", c.body, r.Code, r.Body)
		}
	}
	if r := f.api("POST", "/api/v1/text/labels", f.analyst, `{"source":"response","id":1,"themes":["delivry"]}`); r.Code != 400 || !strings.Contains(string(r.Body), "no theme delivry") {
		t.Errorf("a correction with an unknown theme: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/drivers?survey=1&segment=x", f.admin, ""); r.Code != 400 {
		t.Errorf("a bad segment: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/drivers", f.admin, ""); r.Code != 400 {
		t.Errorf("drivers without a survey: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/themes?from=yesterday", f.admin, ""); r.Code != 400 {
		t.Errorf("a bad date: %d %s", r.Code, r.Body)
	}
}

// Corrections hold for their text at once, but a model trained on them
// changes the analysis of other texts only once it is switched on.
func TestRelabellingChangesTheModelOnlyWhenSwitchedOn(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/identify", `{"userId":"r-1","traits":{"name":"Rita"}}`)
	c, err := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "r-1"})
	if err != nil {
		t.Fatal(err)
	}
	r := f.api("POST", "/api/v1/surveys", f.admin, `{"name":"Relationship","type":"nps","status":"active"}`)
	sid := int64(r.JSON["id"].(float64))
	// A company's own words: "zorble" is their praise, "klumpf" their complaint,
	// words no shipped model knows.
	var recs []tp.ResponseImport
	for i := 0; i < 80; i++ {
		text, score := fmt.Sprintf("zorble order %d", i), 10
		if i%2 == 1 {
			text, score = fmt.Sprintf("klumpf order %d", i), 0
		}
		recs = append(recs, tp.ResponseImport{SurveyID: sid, CustomerID: c.ID, Score: &score, Comment: text, Language: "en", At: time.Now().Add(-time.Hour)})
	}
	if err := f.db.Surveys.ImportResponses(ctx, recs); err != nil {
		t.Fatal(err)
	}
	analyze := func(text string) tp.TextAnalysis {
		r := f.api("POST", "/api/v1/text/analyze", f.admin, `{"text":"`+text+`","lang":"en"}`)
		var a tp.TextAnalysis
		if err := json.Unmarshal(r.Body, &a); err != nil || r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body)
		}
		return a
	}
	before := analyze("zorble again")
	if before.Sentiment == "positive" {
		t.Fatalf("the shipped model already reads the made-up word as praise: %+v", before)
	}
	var list struct {
		Responses []tp.ResponseRow `json:"responses"`
	}
	r = f.api("POST", "/api/v1/cases", f.admin, fmt.Sprintf(`{"customer_id":%d,"subject":"Parcel arrived damaged","department":"Logistics","channel":"email","source":"email"}`, c.ID))
	if r.Code != 201 {
		t.Fatalf("case: %d %s", r.Code, r.Body)
	}
	// The job analyses the comments and the case; then an analyst corrects each comment.
	f.analyze()
	if r := f.api("GET", "/api/v1/cases?format=csv", f.admin, ""); r.Code != 200 || !strings.Contains(string(r.Body), "sentiment,sentiment_score,themes") ||
		!strings.Contains(string(r.Body), "delivery; damaged_goods") {
		t.Errorf("the cases export lacks the analysis: %d %s", r.Code, r.Body)
	}
	if code := getJSON(t, f, fmt.Sprintf("/api/v1/surveys/%d/responses?limit=100", sid), &list); code != 200 || len(list.Responses) != 80 {
		t.Fatalf("%d, %d responses", code, len(list.Responses))
	}
	for _, resp := range list.Responses {
		want := "positive"
		if strings.HasPrefix(resp.Comment, "klumpf") {
			want = "negative"
		}
		r := f.api("POST", "/api/v1/text/labels", f.analyst, fmt.Sprintf(`{"source":"response","id":%d,"sentiment":"%s","themes":["price"]}`, resp.ID, want))
		var a tp.TextAnalysis
		if err := json.Unmarshal(r.Body, &a); r.Code != 200 || err != nil || a.Sentiment != want || len(a.Themes) != 1 || a.Themes[0].Theme != "price" {
			t.Fatalf("label: %d %s", r.Code, r.Body)
		}
	}
	r = f.api("POST", "/api/v1/text/models", f.analyst, "")
	var m tp.TextModel
	if err := json.Unmarshal(r.Body, &m); r.Code != 201 || err != nil || m.Active || m.HeldOut == 0 || m.Accuracy <= m.Current {
		t.Fatalf("train: %d %s", r.Code, r.Body)
	}
	// Trained, not switched on: the analysis of a new text is as before.
	if a := analyze("zorble again"); a.Sentiment != before.Sentiment || a.Score != before.Score {
		t.Errorf("an inactive model changed the analysis: %+v → %+v", before, a)
	}
	if r := f.api("POST", fmt.Sprintf("/api/v1/text/models/%d/activate", m.ID), f.analyst, ""); r.Code != 403 {
		t.Errorf("an analyst switched a model on: %d", r.Code)
	}
	if r := f.api("POST", fmt.Sprintf("/api/v1/text/models/%d/activate", m.ID), f.admin, ""); r.Code != 200 {
		t.Fatalf("activate: %d %s", r.Code, r.Body)
	}
	if a := analyze("zorble again"); a.Sentiment != "positive" {
		t.Errorf("with the company's model on: %+v", a)
	}
	if a := analyze("klumpf again"); a.Sentiment != "negative" {
		t.Errorf("with the company's model on: %+v", a)
	}
	if r := f.api("GET", fmt.Sprintf("/api/v1/surveys/%d/responses?format=csv", sid), f.admin, ""); r.Code != 200 ||
		!strings.Contains(string(r.Body), "comment_language,sentiment,sentiment_score,themes") || !strings.Contains(string(r.Body), ",positive,") {
		t.Errorf("the responses export lacks the analysis: %d %.300s", r.Code, r.Body)
	}
	// A re-analysis keeps every correction.
	f.api("POST", "/api/v1/themes/reanalyze", f.admin, "")
	f.analyze()
	a, err := f.db.Text.Analysis(ctx, tp.TextResponse, list.Responses[0].ID)
	if err != nil || a == nil || len(a.Themes) != 1 || a.Themes[0].Theme != "price" {
		t.Errorf("after re-analysis: %+v %v", a, err)
	}
	if r := f.api("POST", "/api/v1/text/models/0/activate", f.admin, ""); r.Code != 200 {
		t.Fatalf("back to shipped: %d", r.Code)
	}
	if a := analyze("zorble again"); a.Sentiment != before.Sentiment {
		t.Errorf("back on the shipped model: %+v", a)
	}

	// Themes learnt from examples: "klumpf" is this company's word for a
	// billing problem, which no term of the billing theme knows.
	for _, resp := range list.Responses {
		themes := `[]`
		if strings.HasPrefix(resp.Comment, "klumpf") {
			themes = `["billing"]`
		}
		if r := f.api("POST", "/api/v1/text/labels", f.analyst, fmt.Sprintf(`{"source":"response","id":%d,"themes":%s}`, resp.ID, themes)); r.Code != 200 {
			t.Fatalf("label themes: %d %s", r.Code, r.Body)
		}
	}
	r = f.api("POST", "/api/v1/text/models", f.analyst, "")
	var tm tp.TextModel
	if err := json.Unmarshal(r.Body, &tm); r.Code != 201 || err != nil || len(tm.Details.Themes) != 1 || tm.Details.Themes[0] != "billing" ||
		tm.Details.ThemeF1 <= tm.Details.CurrentThemeF1 || tm.Details.ThemeHeldOut == 0 {
		t.Fatalf("train themes: %d %s", r.Code, r.Body)
	}
	hasBilling := func(a tp.TextAnalysis) bool {
		for _, h := range a.Themes {
			if h.Theme == "billing" {
				return true
			}
		}
		return false
	}
	if hasBilling(analyze("klumpf with my order")) {
		t.Error("the learnt theme works before it is switched on")
	}
	f.api("POST", fmt.Sprintf("/api/v1/text/models/%d/activate", tm.ID), f.admin, "")
	if a := analyze("klumpf with my order"); !hasBilling(a) {
		t.Errorf("switched on, the learnt theme is not found: %+v", a)
	}
	if a := analyze("zorble with my order"); hasBilling(a) {
		t.Errorf("the learnt theme where it is not: %+v", a)
	}
}

func getJSON(t *testing.T, f *fixture, path string, v any) int {
	t.Helper()
	r := f.api("GET", path, f.admin, "")
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r.Code
}
