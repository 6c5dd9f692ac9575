package textan

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"
)

// The models shipped in the binary, trained by TrainShipped on permissively
// licensed sets only (NOTICE): UCI sentiment sentences (CC BY 4.0) and XED
// (CC BY 4.0). Rebuild them with
//
//	touchpoint eval text --data ../shared/data --write-models internal/textan/models
var (
	//go:embed models/lang.gz
	langModelBytes []byte
	//go:embed models/sentiment.gz
	sentimentModelBytes []byte
)

// Shipped models' settings, kept here so that training and eval agree.
var (
	langFeatures      = FeatureSet{Words: true, CharMin: 1, CharMax: 4}
	langBits     uint = 18
	// SentimentFeatures is the learner's feature set for sentiment and for
	// themes learned from a company's examples.
	SentimentFeatures      = FeatureSet{Words: true, Bigrams: true, CharMin: 3, CharMax: 5}
	sentimentBits     uint = 18
	// LearnerBits is the hash size of models trained inside the product.
	LearnerBits uint = 20
)

var shipped struct {
	once            sync.Once
	lang, sentiment *Model
	err             error
}

func loadShipped() (*Model, *Model, error) {
	shipped.once.Do(func() {
		shipped.lang, shipped.err = Decode(bytes.NewReader(langModelBytes))
		if shipped.err == nil {
			shipped.sentiment, shipped.err = Decode(bytes.NewReader(sentimentModelBytes))
		}
		if shipped.err != nil {
			shipped.err = fmt.Errorf("shipped text models: %w", shipped.err)
		}
	})
	return shipped.lang, shipped.sentiment, shipped.err
}

// perLang caps how many training lines each language gives the language
// model, so that English (the most data) does not become its default.
const perLang = 8000

// TrainShipped trains the shipped language and sentiment models from the
// permissively licensed sets in dir, on their training parts only.
func TrainShipped(dir string) (lang, sentiment *Model, err error) {
	uci, err := UCISentences(dir)
	if err != nil {
		return nil, nil, err
	}
	var langEx, sentEx []Example
	count := map[string]int{}
	// addLang takes at most most lines of rows' training part.
	addLang := func(rows []Labelled, most int) {
		for _, r := range rows {
			if toks := Tokenize(r.Text); !r.Test && most > 0 && count[r.Lang] < perLang && words(toks) >= 2 {
				langEx = append(langEx, Example{Tokens: toks, Label: r.Lang})
				count[r.Lang]++
				most--
			}
		}
	}
	// English has data to spare: besides film subtitles (XED), requests to a
	// bank (BANKING77's training part) and product reviews (UCI), so that
	// short commands ("cancel alarms", "search for") read as English too.
	bank, err := Banking77(dir)
	if err != nil {
		return nil, nil, err
	}
	addLang(bank, perLang/5)
	addLang(uci, perLang/10)
	// Each language's positive lines are repeated until they weigh as much as
	// its negative ones: XED's Dutch and German lines are two thirds negative,
	// and unbalanced the model learns "German means negative" from the
	// language's letters alone.
	addSent := func(rows []Labelled) {
		per := map[string]int{}
		for _, r := range rows {
			if !r.Test {
				per[r.Label]++
			}
		}
		for _, r := range rows {
			if r.Test {
				continue
			}
			ex := Example{Tokens: Tokenize(r.Text), Label: r.Label}
			sentEx = append(sentEx, ex)
			other := per["positive"] + per["negative"] - per[r.Label]
			for extra := other/per[r.Label] - 1; extra > 0; extra-- {
				sentEx = append(sentEx, ex)
			}
		}
	}
	for _, l := range []string{"nl", "de", "en"} {
		lines, err := XEDLines(dir, l)
		if err != nil {
			return nil, nil, err
		}
		addLang(lines, perLang)
		xed, err := XEDPolarity(dir, l)
		if err != nil {
			return nil, nil, err
		}
		addSent(xed)
	}
	addSent(uci)
	// The shipped models keep the step they were trained and measured with.
	lang = Train(langEx, langFeatures, langBits, TrainOptions{Epochs: 8, Rate: 0.5})
	sentiment = Train(sentEx, SentimentFeatures, sentimentBits, TrainOptions{Epochs: 10, Rate: 0.5})
	return lang, sentiment, nil
}

func words(toks []Token) int {
	n := 0
	for _, t := range toks {
		if t.Kind == 'w' {
			n++
		}
	}
	return n
}
