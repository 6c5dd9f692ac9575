package textan

import (
	_ "embed"
	"encoding/json"
)

// A small hand-written opinion lexicon per language (lexicon.json, written
// for touchpoint, no data set behind it). The shipped sentiment model learnt
// German and Dutch from film subtitles only; the lexicon carries the words of
// customer feedback ("verspätet", "kapot", "vlot") that subtitles rarely have.
// Entries are matched by stem, flipped inside a negation, and strengthened
// after an intensifier ("sehr schlecht").

//go:embed lexicon.json
var lexiconJSON []byte

type lexicon map[string]map[string]float64 // lang → stem → polarity (+1/−1); intensifiers 0

// emoji that carry an opinion in any language.
var emoji = map[string]float64{
	"😀": 1, "😃": 1, "😄": 1, "😁": 1, "😊": 1, "🙂": 1, "😍": 1, "🥰": 1, "👍": 1, "❤": 1, "💯": 1, "🎉": 1, "⭐": 1,
	"😡": -1, "😠": -1, "🤬": -1, "👎": -1, "😞": -1, "😢": -1, "😭": -1, "🙁": -1, "☹": -1, "😤": -1, "💩": -1, "🤮": -1,
}

func loadLexicon() lexicon {
	var raw map[string]map[string][]string
	if err := json.Unmarshal(lexiconJSON, &raw); err != nil {
		panic("textan: lexicon.json: " + err.Error()) // a build error, caught by the tests
	}
	lex := lexicon{}
	for lang, lists := range raw {
		m := map[string]float64{}
		for kind, words := range lists {
			v := map[string]float64{"positive": 1, "negative": -1, "intensifiers": 0}[kind]
			for _, w := range words {
				m[Stem(lang, w)] = v
			}
		}
		lex[lang] = m
	}
	return lex
}

// score returns the lexicon's polarity sum of toks from their stems in lang
// (the caller squashes it with tanh), and how many opinion words it found.
func (lex lexicon) score(lang string, toks []Token, stems []string, neg []bool) (float64, int) {
	m := lex[lang] // nil for "other": emoji only
	sum, hits, boost := 0.0, 0, 1.0
	for i, t := range toks {
		if t.Kind == 'e' {
			if v, ok := emoji[t.Text]; ok {
				sum += v
				hits++
			}
		}
		if t.Kind != 'w' {
			boost = 1
			continue
		}
		v, ok := m[stems[i]]
		switch {
		case !ok:
			boost = 1
		case v == 0:
			boost = 1.5
		default:
			if neg[i] {
				v = -v
			}
			sum += v * boost
			hits++
			boost = 1
		}
	}
	return sum, hits
}
