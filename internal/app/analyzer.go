package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"sync"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/textan"
)

// TextAnalyzer is a process's text analysis: the shipped models and
// taxonomy, or the company's own (its taxonomy, its active sentiment model),
// re-read when they change. Every replica checks the version every
// liveEvery; the one that made the change refreshes at once.
type TextAnalyzer struct {
	text *sqldb.TextService
	log  *slog.Logger

	mu      sync.Mutex
	cur     *textan.Analyzer
	version string
	checked time.Time
}

const liveEvery = 10 * time.Second

var shipped = sync.OnceValue(func() *textan.Analyzer {
	a, err := textan.New(nil, nil)
	if err != nil {
		panic(err) // the models are embedded in the binary: a broken build, caught by every test
	}
	return a
})

// NewTextAnalyzer returns the analysis in force in db.
func NewTextAnalyzer(db *sqldb.Store, log *slog.Logger) *TextAnalyzer {
	return &TextAnalyzer{text: db.Text, log: log, cur: shipped()}
}

func (l *TextAnalyzer) current() *textan.Analyzer {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Since(l.checked) >= liveEvery {
		l.refreshLocked()
	}
	return l.cur
}

// Refresh reads the taxonomy and active model now (after a change here).
func (l *TextAnalyzer) Refresh() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refreshLocked()
}

func (l *TextAnalyzer) refreshLocked() {
	l.checked = time.Now()
	ctx, cancel := context.WithTimeout(tp.WithAccess(context.Background(), tp.SystemAccess), 5*time.Second)
	defer cancel()
	v, err := l.text.TextVersion(ctx)
	if err != nil || v == l.version {
		if err != nil {
			l.log.Warn("text analysis: the taxonomy and model could not be checked; the last ones stay", "err", err)
		}
		return
	}
	themes, model, v, err := l.text.TextSetup(ctx)
	if err == nil {
		var a *textan.Analyzer
		if a, err = build(themes, model); err == nil {
			l.cur, l.version = a, v
			return
		}
	}
	l.log.Error("text analysis: the company's taxonomy or model cannot be used; the last ones stay", "err", err)
}

func build(themes []tp.Theme, model []byte) (*textan.Analyzer, error) {
	var l *textan.Learned
	var tax *textan.Taxonomy
	var err error
	if model != nil {
		if l, err = textan.DecodeLearned(model); err != nil {
			return nil, err
		}
	}
	if themes != nil {
		if tax, err = textan.NewTaxonomy(themes); err != nil {
			return nil, err
		}
	}
	return textan.NewLearned(l, tax)
}

// Analyze analyses text with the analysis in force.
func (l *TextAnalyzer) Analyze(text, lang string) tp.TextAnalysis {
	return l.current().Analyze(text, lang)
}

// Taxonomy is the themes in force.
func (l *TextAnalyzer) Taxonomy() []tp.Theme { return l.current().Taxonomy() }

// TrainModel trains the product's learner on the corrections: sentiment
// when there are enough sentiment corrections, and a yes/no model per theme
// with enough corrected examples on both sides. One corrected text in five
// (by source and id) is held out; the new model and the analysis in force
// are measured on it. The model measured is the model stored.
func (l *TextAnalyzer) TrainModel(labels []tp.TextLabel) (*tp.TextModel, error) {
	held := func(lb tp.TextLabel) bool {
		h := fnv.New32a()
		fmt.Fprintf(h, "%s:%d", lb.Source, lb.ID)
		return h.Sum32()%5 == 0
	}
	var sentTrain []textan.Example
	var sentTest, themeTest []tp.TextLabel
	classes := map[string]bool{}
	themeTrain := map[string][]textan.Example{}
	var themed []tp.TextLabel
	for _, lb := range labels {
		if lb.Text == "" {
			continue
		}
		if lb.Sentiment != "" {
			classes[lb.Sentiment] = true
			if held(lb) {
				sentTest = append(sentTest, lb)
			} else {
				sentTrain = append(sentTrain, textan.Example{Tokens: textan.Tokenize(lb.Text), Label: lb.Sentiment})
			}
		}
		if lb.Themes != nil {
			if held(lb) {
				themeTest = append(themeTest, lb)
			} else {
				themed = append(themed, lb)
			}
		}
	}
	learned := &textan.Learned{Themes: map[string]*textan.Model{}}
	out := &tp.TextModel{}
	if n := len(sentTrain) + len(sentTest); n >= tp.MinTrainingLabels && len(classes) >= 2 {
		learned.Sentiment = textan.Train(sentTrain, textan.SentimentFeatures, textan.LearnerBits, textan.TrainOptions{})
		out.Details.Sentiment = true
	}
	// Per theme: the corrected texts with it against those without.
	ids := map[string]bool{}
	for _, lb := range themed {
		for _, id := range lb.Themes {
			ids[id] = true
		}
	}
	for id := range ids {
		pos := 0
		var ex []textan.Example
		for _, lb := range themed {
			label := "no"
			if slices.Contains(lb.Themes, id) {
				label, pos = "yes", pos+1
			}
			ex = append(ex, textan.Example{Tokens: textan.Tokenize(lb.Text), Label: label})
		}
		if pos >= tp.MinThemeExamples && len(ex)-pos >= tp.MinThemeExamples {
			themeTrain[id] = ex
		}
	}
	for id, ex := range themeTrain {
		learned.Themes[id] = textan.Train(ex, textan.SentimentFeatures, textan.LearnerBits-4, textan.TrainOptions{})
		out.Details.Themes = append(out.Details.Themes, id)
	}
	slices.Sort(out.Details.Themes)
	if !out.Details.Sentiment && len(out.Details.Themes) == 0 {
		return nil, tp.Errorf(tp.EINVALID, "correct the sentiment of at least %d texts (in two sentiments or more), or the themes of texts so that a theme has %d examples with it and %d without, first (now %d sentiment corrections, %d with themes)", tp.MinTrainingLabels, tp.MinThemeExamples, tp.MinThemeExamples, len(sentTrain)+len(sentTest), len(themed)+len(themeTest)).WithFields(map[string]string{"labels": "too few"})
	}
	cur := l.current()
	candidate, err := textan.NewLearned(learned, nil)
	if err != nil {
		return nil, err
	}
	if out.Details.Sentiment {
		ok, okCur := 0, 0
		for _, lb := range sentTest {
			if candidate.Analyze(lb.Text, lb.Lang).Sentiment == lb.Sentiment {
				ok++
			}
			if cur.Analyze(lb.Text, lb.Lang).Sentiment == lb.Sentiment {
				okCur++
			}
		}
		out.HeldOut = len(sentTest)
		if len(sentTest) > 0 {
			out.Accuracy, out.Current = float64(ok)/float64(len(sentTest)), float64(okCur)/float64(len(sentTest))
		}
		out.Examples = len(sentTrain)
	}
	if len(out.Details.Themes) > 0 {
		out.Details.ThemeHeldOut = len(themeTest)
		out.Details.ThemeF1 = themeF1(candidate, themeTest)
		out.Details.CurrentThemeF1 = themeF1(cur, themeTest)
		out.Examples = max(out.Examples, len(themed))
	}
	if out.Data, err = learned.Encode(); err != nil {
		return nil, err
	}
	return out, nil
}

// themeF1 is the micro-F1 of an analyzer's themes against corrected ones.
func themeF1(a *textan.Analyzer, labels []tp.TextLabel) float64 {
	tp_, fp, fn := 0, 0, 0
	for _, lb := range labels {
		got := map[string]bool{}
		for _, h := range a.Analyze(lb.Text, lb.Lang).Themes {
			got[h.Theme] = true
		}
		for _, id := range lb.Themes {
			if got[id] {
				tp_++
				delete(got, id)
			} else {
				fn++
			}
		}
		fp += len(got)
	}
	if tp_ == 0 {
		return 0
	}
	return 2 * float64(tp_) / float64(2*tp_+fp+fn)
}

var _ tp.TextLearner = (*TextAnalyzer)(nil)

// Discover finds frequent phrases among texts with the analysis in force.
func (l *TextAnalyzer) Discover(texts, langs []string, limit int) []tp.Phrase {
	return l.current().Discover(texts, langs, limit)
}

var _ tp.TextDiscoverer = (*TextAnalyzer)(nil)
