package i18n

import (
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// DefaultSurveyText is the built-in wording of a survey type in lang, from
// the catalogue ("survey.default.<type>.title", …).
func DefaultSurveyText(t tp.SurveyType, lang string) tp.SurveyText {
	k := "survey.default." + string(t) + "."
	return tp.SurveyText{Title: T(lang, k+"title"), Question: T(lang, k+"question"), LowLabel: T(lang, k+"low"), HighLabel: T(lang, k+"high"),
		CommentPrompt: T(lang, "survey.default.comment"), ThankYou: T(lang, "survey.default.thanks")}
}

// SurveyText is what a respondent reads in lang: the survey's own wording
// (lang, then its default language), then the built-in wording.
func SurveyText(sv *tp.Survey, lang string) tp.SurveyText {
	out := sv.Text(lang)
	b := DefaultSurveyText(sv.Type, lang)
	for dst, v := range map[*string]string{&out.Title: b.Title, &out.Question: b.Question, &out.LowLabel: b.LowLabel,
		&out.HighLabel: b.HighLabel, &out.CommentPrompt: b.CommentPrompt, &out.ThankYou: b.ThankYou} {
		if strings.TrimSpace(*dst) == "" {
			*dst = v
		}
	}
	return out
}
