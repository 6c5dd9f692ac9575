package textan

import (
	"strings"
	"testing"
)

// TestTitlesAreLeftOutOfTheLanguage: the words of a name or title written
// inside a sentence do not decide its language; a German noun is no title.
func TestTitlesAreLeftOutOfTheLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"Speel All Things Must Pass":                              "speel",
		"Gib 4 Sterne an The Broken Window":                       "gib 4 sterne an",
		"Zoek voor Babar: King of the Elephants":                  "zoek voor",
		"Die Bahn ist heute zu spät":                              "die bahn ist heute zu spät",
		"Ich fahre mit der Deutschen Bahn. Sie ist nie pünktlich": "ich fahre mit der . sie ist nie pünktlich",
		"Worst Airline Ever":                                      "worst",
		"@united Great Service Today":                             "@united great service today", // nothing would be left
		"NASA und ESA starten":                                    "nasa und esa starten",
	} {
		var got []string
		for _, tok := range withoutTitles(Tokenize(text)) {
			got = append(got, tok.Text)
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("withoutTitles(%q) = %q, want %q", text, g, want)
		}
	}
	a := analyzer(t)
	for text, want := range map[string]string{
		"Speel All Things Must Pass over twee uur":            "nl",
		"Bitte suche Monty Python Live at the Hollywood Bowl": "de",
		"Play The Sound of One Hand Clapping, please":         "en",
		"Die Deutsche Bahn war heute wieder zu spät":          "de",
	} {
		if got, _ := a.Language(Tokenize(text), ""); got != want {
			t.Errorf("language of %q = %s, want %s", text, got, want)
		}
	}
}
