package touchpoint

import "testing"

// TestSurveyTextOrder: a text missing in the respondent's language comes
// from the survey's own default-language wording; the built-in text is the
// catalogue's (i18n.SurveyText).
func TestSurveyTextOrder(t *testing.T) {
	s := &Survey{Type: SurveyNPS, DefaultLang: "en", Texts: map[string]SurveyText{
		"en": {Question: "How likely are you to recommend ACME Bank to a friend?", Title: "ACME"},
		"de": {Title: "ACME Bank"},
	}}
	de := s.Text("de")
	if de.Title != "ACME Bank" {
		t.Errorf("German title %q, want the German wording", de.Title)
	}
	if de.Question != "How likely are you to recommend ACME Bank to a friend?" {
		t.Errorf("German question %q, want the survey's own default-language wording", de.Question)
	}
	if de.ThankYou != "" {
		t.Errorf("German thank-you %q: the survey has none, the built-in one comes from the catalogue", de.ThankYou)
	}
}
