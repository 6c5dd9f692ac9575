package i18n

import (
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
)

// TestSurveyTextFallsBackToTheCatalogue: the survey's own wording first
// (its language, then its default language), then the catalogue's built-in
// text in the respondent's language, for every type and language.
func TestSurveyTextFallsBackToTheCatalogue(t *testing.T) {
	s := &tp.Survey{Type: tp.SurveyNPS, DefaultLang: "en", Texts: map[string]tp.SurveyText{
		"en": {Question: "How likely are you to recommend ACME Bank to a friend?"}, "de": {Title: "ACME Bank"}}}
	de := SurveyText(s, "de")
	if de.Title != "ACME Bank" || de.Question != "How likely are you to recommend ACME Bank to a friend?" || de.ThankYou != "Vielen Dank für Ihr Feedback!" {
		t.Errorf("German texts %+v", de)
	}
	for _, typ := range []tp.SurveyType{tp.SurveyNPS, tp.SurveyCSAT, tp.SurveyCES} {
		for _, lang := range tp.Locales {
			b := DefaultSurveyText(typ, lang)
			for name, v := range map[string]string{"title": b.Title, "question": b.Question, "low": b.LowLabel, "high": b.HighLabel, "comment": b.CommentPrompt, "thanks": b.ThankYou} {
				if v == "" || v[:7] == "survey." {
					t.Errorf("%s %s %s: %q is not in the catalogue", typ, lang, name, v)
				}
			}
		}
	}
}
