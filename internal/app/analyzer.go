package app

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
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
	var m *textan.Model
	var tax *textan.Taxonomy
	var err error
	if model != nil {
		if m, err = textan.Decode(bytes.NewReader(model)); err != nil {
			return nil, err
		}
	}
	if themes != nil {
		if tax, err = textan.NewTaxonomy(themes); err != nil {
			return nil, err
		}
	}
	return textan.New(m, tax)
}

// Analyze analyses text with the analysis in force.
func (l *TextAnalyzer) Analyze(text, lang string) tp.TextAnalysis {
	return l.current().Analyze(text, lang)
}

// Taxonomy is the themes in force.
func (l *TextAnalyzer) Taxonomy() []tp.Theme { return l.current().Taxonomy() }

// TrainSentiment trains the product's learner on the sentiment labels, one
// in five held out (by source and id), and measures it and the analysis in
// force on the held-out texts. The model measured is the model stored.
func (l *TextAnalyzer) TrainSentiment(labels []tp.TextLabel) (*tp.TextModel, error) {
	var train []textan.Example
	var test []tp.TextLabel
	classes := map[string]bool{}
	for _, lb := range labels {
		if lb.Sentiment == "" || lb.Text == "" {
			continue
		}
		classes[lb.Sentiment] = true
		h := fnv.New32a()
		fmt.Fprintf(h, "%s:%d", lb.Source, lb.ID)
		if h.Sum32()%5 == 0 {
			test = append(test, lb)
		} else {
			train = append(train, textan.Example{Tokens: textan.Tokenize(lb.Text), Label: lb.Sentiment})
		}
	}
	if n := len(train) + len(test); n < tp.MinTrainingLabels || len(classes) < 2 {
		return nil, &tp.Error{Code: tp.EINVALID, Message: fmt.Sprintf("correct the sentiment of at least %d texts, in at least two sentiments, first (now %d in %d)",
			tp.MinTrainingLabels, n, len(classes)), Fields: map[string]string{"labels": "too few"}}
	}
	m := textan.Train(train, textan.SentimentFeatures, textan.LearnerBits, textan.TrainOptions{})
	cur := l.current()
	candidate, err := textan.New(m, nil)
	if err != nil {
		return nil, err
	}
	var ok, okCur int
	for _, lb := range test {
		if candidate.Analyze(lb.Text, lb.Lang).Sentiment == lb.Sentiment {
			ok++
		}
		if cur.Analyze(lb.Text, lb.Lang).Sentiment == lb.Sentiment {
			okCur++
		}
	}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		return nil, err
	}
	out := &tp.TextModel{Examples: len(train), HeldOut: len(test), Data: buf.Bytes()}
	if len(test) > 0 {
		out.Accuracy, out.Current = float64(ok)/float64(len(test)), float64(okCur)/float64(len(test))
	}
	return out, nil
}

var _ tp.TextLearner = (*TextAnalyzer)(nil)

// Discover finds frequent phrases among texts with the analysis in force.
func (l *TextAnalyzer) Discover(texts, langs []string, limit int) []tp.Phrase {
	return l.current().Discover(texts, langs, limit)
}

var _ tp.TextDiscoverer = (*TextAnalyzer)(nil)
