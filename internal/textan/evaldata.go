package textan

import (
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The public data sets of ../shared/data that the eval command and the
// shipped models read. Each loader returns labelled texts with a fixed split:
// the set's own where it has one, else one by a hash of a stable key, so that
// every run and every machine sees the same split.

// Labelled is one text of an evaluation set.
type Labelled struct {
	Text, Label, Lang string
	Test              bool // in the held-out part
}

// ErrNoData says a data set is absent; the eval command reports and skips it.
var ErrNoData = errors.New("data set not found")

// hashSplit puts one key in five into the test part.
func hashSplit(key string) bool {
	h := fnv.New32a()
	h.Write([]byte(key))
	return h.Sum32()%5 == 0
}

func open(dir string, parts ...string) (*os.File, error) {
	f, err := os.Open(filepath.Join(append([]string{dir}, parts...)...))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", filepath.Join(parts...), ErrNoData)
	}
	return f, err
}

// readCSV reads a CSV with a header and calls row with a column lookup.
func readCSV(dir string, comma rune, row func(col func(string) string) error, parts ...string) error {
	f, err := open(dir, parts...)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	idx := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(parts...), err)
		}
		if len(idx) == 0 {
			for i, h := range rec {
				idx[h] = i
			}
			continue
		}
		col := func(name string) string {
			if i, ok := idx[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		if err := row(col); err != nil {
			return err
		}
	}
}

// AirlineTweets: 3-class sentiment, English; test = one tweet id in five.
func AirlineTweets(dir string) ([]Labelled, error) {
	var out []Labelled
	err := readCSV(dir, ',', func(col func(string) string) error {
		out = append(out, Labelled{Text: col("text"), Label: col("airline_sentiment"), Lang: "en", Test: hashSplit(col("tweet_id"))})
		return nil
	}, "twitter_us_airline_sentiment", "Tweets.csv")
	return out, err
}

// GermEval2017: 3-class document sentiment, German; train = the SuperGLEBer
// dev split (the only training part here), test = the official test_syn.
func GermEval2017(dir string) ([]Labelled, error) {
	var out []Labelled
	for _, part := range []struct {
		file string
		test bool
	}{{"dev_superglebersplit.tsv", false}, {"test_syn.tsv", true}} {
		f, err := open(dir, "germeval2017_deutsche_bahn_de", part.file)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(data), "\n") {
			c := strings.Split(line, "\t")
			if len(c) < 4 || (c[3] != "negative" && c[3] != "neutral" && c[3] != "positive") {
				continue // the one malformed line of the dev split
			}
			out = append(out, Labelled{Text: c[1], Label: c[3], Lang: "de", Test: part.test})
		}
	}
	return out, nil
}

// UCISentences: 2-class sentiment, English (Amazon and Yelp); test = one
// sentence in five by its text.
func UCISentences(dir string) ([]Labelled, error) {
	var out []Labelled
	for _, file := range []string{"amazon_cells_labelled.txt", "yelp_labelled.txt"} {
		f, err := open(dir, "uci_sentiment_labelled_sentences_en", file)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(data), "\n") {
			text, label, ok := strings.Cut(strings.TrimRight(line, "\r"), "\t")
			if !ok {
				continue
			}
			l := map[string]string{"0": "negative", "1": "positive"}[strings.TrimSpace(label)]
			if l == "" {
				continue
			}
			out = append(out, Labelled{Text: text, Label: l, Lang: "en", Test: hashSplit(file + text)})
		}
	}
	return out, nil
}

// XEDLines: every line of XED in lang (for the language model), test = the
// same lines XEDPolarity holds out.
func XEDLines(dir, lang string) ([]Labelled, error) {
	file := lang + "-projections.tsv"
	if lang == "en" {
		file = "en-annotated.tsv"
	}
	f, err := open(dir, "xed_emotions_nl_de_en", file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	var out []Labelled
	for _, line := range strings.Split(string(data), "\n") {
		if text, _, ok := strings.Cut(line, "\t"); ok {
			out = append(out, Labelled{Text: text, Label: lang, Lang: lang, Test: hashSplit(lang + text)})
		}
	}
	return out, nil
}

// XEDPolarity: XED emotions mapped to polarity as research does (joy, trust
// positive; anger, disgust, fear, sadness negative; mixed or other lines
// dropped), for lang nl, de or en; test = one line in five by its text.
func XEDPolarity(dir, lang string) ([]Labelled, error) {
	file := lang + "-projections.tsv"
	if lang == "en" {
		file = "en-annotated.tsv"
	}
	f, err := open(dir, "xed_emotions_nl_de_en", file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	var out []Labelled
	for _, line := range strings.Split(string(data), "\n") {
		text, labels, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		pos, neg, other := false, false, false
		for _, l := range strings.Split(labels, ",") {
			switch strings.TrimSpace(l) {
			case "5", "8":
				pos = true
			case "1", "3", "4", "6":
				neg = true
			default:
				other = true
			}
		}
		_ = other
		if pos == neg {
			continue
		}
		label := "negative"
		if pos {
			label = "positive"
		}
		out = append(out, Labelled{Text: text, Label: label, Lang: lang, Test: hashSplit(lang + text)})
	}
	return out, nil
}

// Banking77: 77 intents, English, the official split.
func Banking77(dir string) ([]Labelled, error) {
	var out []Labelled
	for _, part := range []struct {
		file string
		test bool
	}{{"train.csv", false}, {"test.csv", true}} {
		err := readCSV(dir, ',', func(col func(string) string) error {
			out = append(out, Labelled{Text: col("text"), Label: col("category"), Lang: "en", Test: part.test})
			return nil
		}, "banking77", part.file)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CFPBProducts: the product of each complaint with a narrative, English;
// test = one complaint id in five.
func CFPBProducts(dir string) ([]Labelled, error) {
	var out []Labelled
	err := readCSV(dir, ',', func(col func(string) string) error {
		if text := col("Consumer complaint narrative"); strings.TrimSpace(text) != "" {
			out = append(out, Labelled{Text: text, Label: col("Product"), Lang: "en", Test: hashSplit(col("Complaint ID"))})
		}
		return nil
	}, "cfpb_complaints_sample_2019", "complaints_sample.csv")
	return out, err
}

// XSID: 15 voice-assistant intents in lang; train = valid split, test = test
// split (measuring only: never used for a shipped model).
func XSID(dir, lang string) ([]Labelled, error) {
	var out []Labelled
	for _, part := range []struct {
		file string
		test bool
	}{{lang + ".valid.tsv", false}, {lang + ".test.tsv", true}} {
		err := readCSV(dir, '\t', func(col func(string) string) error {
			out = append(out, Labelled{Text: col("text"), Label: col("intent"), Lang: lang, Test: part.test})
			return nil
		}, "xsid_intent", part.file)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// NPSVerbatims: telecom NPS comments with their score's group as a 3-class
// polarity (detractor negative, passive neutral, promoter positive); all test
// (measuring only).
func NPSVerbatims(dir string) ([]Labelled, error) {
	var out []Labelled
	err := readCSV(dir, ',', func(col func(string) string) error {
		label := map[string]string{"Detractor": "negative", "Passive": "neutral", "Promoter": "positive"}[col("NPS_RATING")]
		if label != "" && strings.TrimSpace(col("text")) != "" {
			out = append(out, Labelled{Text: col("text"), Label: label, Lang: "en", Test: true})
		}
		return nil
	}, "nps_verbatims_telecom_en", "nps_verbatims.csv")
	return out, err
}
