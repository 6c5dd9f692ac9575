package web_test

import (
	"encoding/json"
	"strings"
	"testing"

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
	if r := f.api("GET", "/api/v1/drivers", f.admin, ""); r.Code != 400 {
		t.Errorf("drivers without a survey: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/themes?from=yesterday", f.admin, ""); r.Code != 400 {
		t.Errorf("a bad date: %d %s", r.Code, r.Body)
	}
}
