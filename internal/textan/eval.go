package textan

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Eval prints, per data set, the figures of the shipped models and of the
// product's learner trained on the set's training part, beside a majority
// baseline, the target of the issue and the best published figure known to
// us. Sets absent from dir are named and skipped. With writeModels set, it
// first retrains the shipped models from the permissive sets and writes them there.
func Eval(dir, writeModels string, w io.Writer) error {
	if _, err := os.Stat(dir); err != nil {
		fmt.Fprintf(w, "no data at %s: nothing to evaluate (the sets are described in ../shared/data/README.md)\n", dir)
		return nil
	}
	an, err := New(nil, nil)
	if err != nil {
		return err
	}
	if writeModels != "" {
		lang, sent, err := TrainShipped(dir)
		if err != nil {
			return err
		}
		for name, m := range map[string]*Model{"lang.gz": lang, "sentiment.gz": sent} {
			f, err := os.Create(filepath.Join(writeModels, name))
			if err != nil {
				return err
			}
			if err := m.Encode(f); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "wrote the shipped models to %s (rebuild the binary to ship them; the figures below are theirs)\n\n", writeModels)
		an = &Analyzer{lang: lang, sentiment: sent, themes: an.themes, lex: an.lex}
	}
	fmt.Fprintf(w, "%-26s %-22s %-9s %6s %8s %8s %7s  %s\n", "set", "task", "model", "n", "accuracy", "macro-F1", "target", "majority / published best")
	row := func(set, task, model string, test []Labelled, pred []string, target, published string) {
		acc, f1 := scores(test, pred)
		fmt.Fprintf(w, "%-26s %-22s %-9s %6d %8.3f %8.3f %7s  %.3f / %s\n", set, task, model, len(test), acc, f1, target, majority(test), published)
	}
	missing := func(set string, err error) bool {
		if errors.Is(err, ErrNoData) {
			fmt.Fprintf(w, "%-26s absent: %v\n", set, err)
			return true
		}
		return false
	}
	var langTest []Labelled

	type sentSet struct {
		name      string
		load      func() ([]Labelled, error)
		target    string
		published string
		learner   bool // the set has a training part
	}
	sets := []sentSet{
		{"airline tweets en", func() ([]Labelled, error) { return AirlineTweets(dir) }, "b≥0.80", "— (no official split)", true},
		{"germeval2017 test_syn de", func() ([]Labelled, error) { return GermEval2017(dir) }, "b≥0.72", "0.749 (best of the 2017 task)", true},
		{"uci sentences en", func() ([]Labelled, error) { return UCISentences(dir) }, "", "— (no official split)", true},
		{"xed polarity nl", func() ([]Labelled, error) { return XEDPolarity(dir, "nl") }, "", "— (paper reports emotions)", true},
		{"xed polarity de", func() ([]Labelled, error) { return XEDPolarity(dir, "de") }, "", "— (paper reports emotions)", true},
		{"xed polarity en", func() ([]Labelled, error) { return XEDPolarity(dir, "en") }, "", "— (paper reports emotions)", true},
		{"nps verbatims en", func() ([]Labelled, error) { return NPSVerbatims(dir) }, "", "— (score group as label)", false},
	}
	for _, s := range sets {
		data, err := s.load()
		if missing(s.name, err) {
			continue
		}
		if err != nil {
			return err
		}
		train, test := split(data)
		langTest = append(langTest, test...)
		// (a) the shipped model as it is; on two-class sets the sign of its score.
		pred := make([]string, len(test))
		twoClass := !hasLabel(test, "neutral")
		for i, t := range test {
			r := an.Analyze(t.Text, t.Lang)
			pred[i] = r.Sentiment
			if twoClass {
				pred[i] = map[bool]string{true: "positive", false: "negative"}[r.Score >= 0]
			}
		}
		row(s.name, "sentiment", "shipped", test, pred, "", s.published)
		if s.learner {
			row(s.name, "sentiment", "learner", test, learnAndPredict(train, test), s.target, s.published)
		}
	}

	topics := []sentSet{
		{"banking77 en", func() ([]Labelled, error) { return Banking77(dir) }, "≥0.90", "0.934 (USE+ConveRT, Casanueva et al. 2020)", true},
		{"cfpb 2019 product en", func() ([]Labelled, error) { return CFPBProducts(dir) }, "≥0.85", "— (course sample, no split)", true},
		{"xsid de", func() ([]Labelled, error) { return XSID(dir, "de") }, "", "see van der Goot et al. 2021 (not extracted)", true},
		{"xsid nl", func() ([]Labelled, error) { return XSID(dir, "nl") }, "", "see van der Goot et al. 2021 (not extracted)", true},
		{"xsid en", func() ([]Labelled, error) { return XSID(dir, "en") }, "", "see van der Goot et al. 2021 (not extracted)", true},
	}
	for _, s := range topics {
		data, err := s.load()
		if missing(s.name, err) {
			continue
		}
		if err != nil {
			return err
		}
		train, test := split(data)
		langTest = append(langTest, test...)
		row(s.name, "topic/intent", "learner", test, learnAndPredict(train, test), s.target, s.published)
	}

	// Language identification on every test text above, by language.
	byLang := map[string][]Labelled{}
	for _, t := range langTest {
		byLang[t.Lang] = append(byLang[t.Lang], Labelled{Text: t.Text, Label: t.Lang})
	}
	var all []Labelled
	var allPred []string
	for _, l := range Languages {
		test := byLang[l]
		pred := make([]string, len(test))
		for i, t := range test {
			pred[i], _ = an.Language(Tokenize(t.Text), "")
		}
		all, allPred = append(all, test...), append(allPred, pred...)
		row("all test texts "+l, "language", "shipped", test, pred, "≥0.99", "—")
	}
	if len(all) > 0 {
		row("all test texts", "language", "shipped", all, allPred, "≥0.99", "—")
	}

	// Speed: whole analyses of the test texts, one core.
	if len(all) > 0 {
		start := time.Now()
		n, words := 0, 0
		for time.Since(start) < 2*time.Second {
			for _, t := range all {
				r := an.Analyze(t.Text, "")
				words += len(r.Sentences)
				n++
			}
		}
		fmt.Fprintf(w, "\nspeed: %.0f analyses/s on one goroutine over %d test texts (language, sentiment, sentences, themes)\n",
			float64(n)/time.Since(start).Seconds(), len(all))
	}
	return nil
}

func split(data []Labelled) (train []Example, test []Labelled) {
	for _, d := range data {
		if d.Test {
			test = append(test, d)
		} else {
			train = append(train, Example{Tokens: Tokenize(d.Text), Label: d.Label})
		}
	}
	return train, test
}

// learnAndPredict trains the product's learner (as a company would on its own
// labelled comments) and predicts the test part.
func learnAndPredict(train []Example, test []Labelled) []string {
	m := Train(train, SentimentFeatures, LearnerBits, TrainOptions{})
	pred := make([]string, len(test))
	for i, t := range test {
		pred[i], _ = m.Best(m.Predict(Tokenize(t.Text)))
	}
	return pred
}

func hasLabel(rows []Labelled, label string) bool {
	for _, r := range rows {
		if r.Label == label {
			return true
		}
	}
	return false
}

// scores returns accuracy (= micro-F1 for one label per text) and macro-F1.
func scores(test []Labelled, pred []string) (acc, macroF1 float64) {
	if len(test) == 0 {
		return 0, 0
	}
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	labels := map[string]bool{}
	ok := 0
	for i, t := range test {
		labels[t.Label] = true
		if pred[i] == t.Label {
			ok++
			tp[t.Label]++
		} else {
			fp[pred[i]]++
			fn[t.Label]++
		}
	}
	for l := range labels {
		if p, r := tp[l]+fp[l], tp[l]+fn[l]; p > 0 && r > 0 && tp[l] > 0 {
			prec, rec := float64(tp[l])/float64(p), float64(tp[l])/float64(r)
			macroF1 += 2 * prec * rec / (prec + rec)
		}
	}
	return float64(ok) / float64(len(test)), macroF1 / float64(len(labels))
}

// majority is the accuracy of always answering the test part's most common label.
func majority(test []Labelled) float64 {
	count := map[string]int{}
	for _, t := range test {
		count[t.Label]++
	}
	var counts []int
	for _, c := range count {
		counts = append(counts, c)
	}
	if len(counts) == 0 {
		return 0
	}
	sort.Ints(counts)
	return float64(counts[len(counts)-1]) / float64(len(test))
}
