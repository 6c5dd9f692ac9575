package touchpoint

import (
	"context"
	"time"
)

// What customers write — survey comments, case descriptions and complaint
// mails — is analysed on arrival: language, sentiment, themes. The analysis
// itself lives in internal/textan; these are its results as the rest of
// touchpoint sees them.

// TextAnalysis is the analysis of one text.
type TextAnalysis struct {
	Lang      string              `json:"lang"`       // de, en, nl or other
	LangScore float64             `json:"lang_score"` // the language model's probability
	Sentiment string              `json:"sentiment"`  // negative, neutral, positive
	Score     float64             `json:"score"`      // −1 (negative) … +1 (positive)
	Sentences []SentenceSentiment `json:"sentences"`
	Themes    []ThemeHit          `json:"themes"`
	Truncated bool                `json:"truncated,omitempty"` // only the first part of a long text was read
}

// SentenceSentiment is one sentence's span and sentiment.
type SentenceSentiment struct {
	TextSpan
	Sentiment string  `json:"sentiment"`
	Score     float64 `json:"score"`
}

// TextSpan is a byte range of an analysed text.
type TextSpan struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// ThemeHit is a theme found in a text with the spans that triggered it.
type ThemeHit struct {
	Theme string     `json:"theme"`
	Spans []TextSpan `json:"spans"`
}

// Theme is something customers write about, with its name per language and
// the terms that find it (see internal/textan for the term syntax).
type Theme struct {
	ID    string              `json:"id"`
	Names map[string]string   `json:"names"`
	Terms map[string][]string `json:"terms"`
}

// Name is the theme's name in lang, English or its id when that is missing.
func (t Theme) Name(lang string) string {
	if n := t.Names[lang]; n != "" {
		return n
	}
	if n := t.Names["en"]; n != "" {
		return n
	}
	return t.ID
}

// TextAnalyzer analyses texts; lang is a language the caller knows or "".
type TextAnalyzer interface {
	Analyze(text, lang string) TextAnalysis
	Taxonomy() []Theme
}

// Sentiments in their order on screens.
var Sentiments = []string{"negative", "neutral", "positive"}

// Sources of analysed texts.
const (
	TextResponse = "response" // a survey answer's comment
	TextCase     = "case"     // a case's subject and description (a complaint mail's text)
)

// ThemeQuery selects texts for theme figures.
type ThemeQuery struct {
	Department string // department-scoped callers always get their own
	Division   string
	SurveyID   int64
	From, To   time.Time
}

// ThemeStat is one theme's figures over the texts a ThemeQuery selects.
type ThemeStat struct {
	Theme     string  `json:"theme"`
	Name      string  `json:"name"`
	Responses int     `json:"responses"` // survey comments mentioning it
	Cases     int     `json:"cases"`
	Negative  int     `json:"negative"` // texts mentioning it with a negative sentiment
	Sentiment float64 `json:"sentiment"`
	// NPS of the NPS answers whose comment mentions the theme, and how many.
	NPS  *Estimate `json:"nps,omitempty"`
	NNPS int       `json:"nps_n"`
}

// ThemeText is a text that mentions a theme, for a theme's page.
type ThemeText struct {
	Source       string       `json:"source"`
	ID           int64        `json:"id"`
	SurveyID     int64        `json:"survey_id,omitempty"`
	CustomerID   int64        `json:"customer_id"`
	CustomerName string       `json:"customer_name"`
	Division     string       `json:"division"`
	Score        *int         `json:"score,omitempty"`
	Text         string       `json:"text"`
	At           time.Time    `json:"at"`
	Analysis     TextAnalysis `json:"analysis"`
}

// ThemeService stores analyses and answers questions about themes.
type ThemeService interface {
	// AnalyzePending analyses up to limit texts not analysed yet; it returns
	// how many it did (0: none left).
	AnalyzePending(ctx context.Context, an TextAnalyzer, limit int) (int, error)
	// Reanalyze forgets every analysis, so AnalyzePending does all texts again.
	Reanalyze(ctx context.Context) error
	// TextProgress says how many texts are analysed of how many.
	TextProgress(ctx context.Context) (done, total int, err error)
	Analysis(ctx context.Context, source string, id int64) (*TextAnalysis, error)
	ThemeStats(ctx context.Context, q ThemeQuery, names func(id string) string) ([]ThemeStat, error)
	ThemeTexts(ctx context.Context, theme string, q ThemeQuery, limit int) ([]ThemeText, error)
	DriverRows(ctx context.Context, q ThemeQuery) ([]DriverRow, error)
	ThemeWeeks(ctx context.Context, q ThemeQuery, end time.Time) ([]ThemeWeek, []TextWeek, error)
}
