package touchpoint

import (
	"context"
	"fmt"
	"regexp"
	"strings"
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
	Channel    string
	SurveyID   int64
	Type       SurveyType // only answers of surveys of this type
	SegmentID  int64      // only the answers of the segment's current members (drivers)
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

// ThemeMonth is how many texts mentioned a theme in a month, and how many
// of them were negative.
type ThemeMonth struct {
	Month       string `json:"month"` // 2026-11
	N, Negative int
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
	// Analyses are the stored analyses of several texts of one source, by id.
	Analyses(ctx context.Context, source string, ids []int64) (map[int64]TextAnalysis, error)
	ThemeStats(ctx context.Context, q ThemeQuery, names func(id string) string) ([]ThemeStat, error)
	ThemeTexts(ctx context.Context, theme string, q ThemeQuery, limit int) ([]ThemeText, error)
	DriverRows(ctx context.Context, q ThemeQuery) ([]DriverRow, error)
	// ThemeWeeks counts by week and by slice (by: division or channel).
	ThemeWeeks(ctx context.Context, q ThemeQuery, end time.Time, by string) ([]ThemeWeek, []TextWeek, error)
	// Themes is the company's taxonomy; nil while the shipped one is in force.
	Themes(ctx context.Context) ([]Theme, error)
	// SetThemes replaces the company's taxonomy; nil goes back to the shipped one.
	SetThemes(ctx context.Context, themes []Theme) error
	// Label records an analyst's correction; it holds at once for that text.
	Label(ctx context.Context, l TextLabel) error
	Labels(ctx context.Context) ([]TextLabel, error)
	SaveModel(ctx context.Context, m *TextModel) error
	Models(ctx context.Context) ([]TextModel, error)
	// ActivateModel switches a trained model on (0: back to the shipped one).
	ActivateModel(ctx context.Context, id int64) error
	// TextSetup is what the analysis in force is made of, for the process's
	// analyzer: the company's taxonomy (nil: shipped), the active model's
	// bytes (nil: shipped) and a version that changes when either does.
	TextSetup(ctx context.Context) (themes []Theme, model []byte, version string, err error)
	TextVersion(ctx context.Context) (string, error)
	ThemeMonths(ctx context.Context, theme string, q ThemeQuery) ([]ThemeMonth, error)
	// UnassignedTexts are the newest analysed texts without a theme.
	UnassignedTexts(ctx context.Context, q ThemeQuery, limit int) ([]ThemeText, error)
}

// Phrase is a phrase that no theme catches, found among texts without a
// theme: in how many texts, in which language, with a few of them.
type Phrase struct {
	Text     string   `json:"text"`
	Lang     string   `json:"lang"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
}

// TextDiscoverer finds frequent phrases among texts.
type TextDiscoverer interface {
	Discover(texts, langs []string, limit int) []Phrase
}

// ValidateThemes checks a company's taxonomy before it is stored: ids
// unique and plain, a name, terms in de, en or nl only, no empty term.
func ValidateThemes(themes []Theme) error {
	seen := map[string]bool{}
	for i, t := range themes {
		where := fmt.Sprintf("theme %d", i+1)
		if !themeID.MatchString(t.ID) {
			return Errorf(EINVALID, "%s: the id must be 1–40 lower-case letters, digits or _", where).WithFields(map[string]string{"themes": "invalid id"})
		}
		if seen[t.ID] {
			return Errorf(EINVALID, "%s: the id %s is used twice", where, t.ID).WithFields(map[string]string{"themes": "duplicate id"})
		}
		seen[t.ID] = true
		if strings.TrimSpace(t.Names["en"]) == "" {
			return Errorf(EINVALID, "%s (%s): it needs an English name", where, t.ID).WithFields(map[string]string{"themes": "name missing"})
		}
		terms := 0
		for lang, ts := range t.Terms {
			if lang != "de" && lang != "en" && lang != "nl" {
				return Errorf(EINVALID, "%s (%s): terms in %s; only de, en and nl are analysed", where, t.ID, lang).WithFields(map[string]string{"themes": "language"})
			}
			for _, term := range ts {
				if strings.Trim(term, "!* ") == "" {
					return Errorf(EINVALID, "%s (%s): an empty %s term", where, t.ID, lang).WithFields(map[string]string{"themes": "empty term"})
				}
				terms++
			}
		}
		if terms == 0 {
			return Errorf(EINVALID, "%s (%s): it has no terms, so nothing would find it", where, t.ID).WithFields(map[string]string{"themes": "no terms"})
		}
	}
	if len(themes) > 200 {
		return Errorf(EINVALID, "at most 200 themes").WithFields(map[string]string{"themes": "too many"})
	}
	return nil
}

var themeID = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// TextLabel is an analyst's correction of one text's analysis: its
// sentiment ("" when not corrected) and its themes (nil when not corrected).
type TextLabel struct {
	Source    string    `json:"source"`
	ID        int64     `json:"id"`
	Sentiment string    `json:"sentiment,omitempty"`
	Themes    []string  `json:"themes,omitempty"`
	By        string    `json:"labelled_by"`
	At        time.Time `json:"labelled_at"`
	Text      string    `json:"-"` // for training
	Lang      string    `json:"-"`
}

// TextModel is a sentiment model a company trained on its own labelled
// texts: its hold-out accuracy beside the current analysis' on the same
// texts, so that it is switched on knowing what it does.
type TextModel struct {
	ID        int64            `json:"id"`
	CreatedAt time.Time        `json:"created_at"`
	CreatedBy string           `json:"created_by"`
	Examples  int              `json:"examples"` // labelled texts it learnt from
	HeldOut   int              `json:"held_out"` // labelled texts it was measured on
	Accuracy  float64          `json:"accuracy"` // on the held-out texts
	Current   float64          `json:"current_accuracy"`
	Active    bool             `json:"active"`
	Data      []byte           `json:"-"`
	Details   TextModelDetails `json:"details"`
}

// TextModelDetails say what a model learnt besides sentiment.
type TextModelDetails struct {
	Sentiment bool     `json:"sentiment"` // it has its own sentiment model (else the shipped one is used)
	Themes    []string `json:"themes"`    // themes it learnt from corrected examples
	// Micro-F1 of the themes over the held-out corrected texts, with the
	// learnt themes and with the analysis in force, and how many texts.
	ThemeF1        float64 `json:"theme_f1"`
	CurrentThemeF1 float64 `json:"current_theme_f1"`
	ThemeHeldOut   int     `json:"theme_held_out"`
}

// TextLearner trains a model on labelled texts.
type TextLearner interface {
	// TrainModel trains a sentiment model (with MinTrainingLabels sentiment
	// corrections) and a model per theme (with MinThemeExamples corrected
	// texts with it and as many without) on one part of labels, and
	// measures them on the rest (one in five, by id) beside the analysis in force.
	TrainModel(labels []TextLabel) (*TextModel, error)
}

// Training minimums.
const (
	MinTrainingLabels = 50
	MinThemeExamples  = 10
)
