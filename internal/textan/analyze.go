package textan

import (
	"math"

	tp "github.com/touchpoint-cx/touchpoint"
	"unicode/utf8"
)

// Results are the root package's types, so that the rest of touchpoint
// sees the analysis through tp.TextAnalyzer.
type (
	Result   = tp.TextAnalysis
	Sentence = tp.SentenceSentiment
	Span     = tp.TextSpan
	ThemeHit = tp.ThemeHit
	Theme    = tp.Theme
)

// NeutralBand is the half-width of the neutral zone of the score: the
// shipped sentiment model knows only positive and negative (its training
// sets have no neutral class), so weak opinions count as neutral.
const NeutralBand = 0.35

// lexiconWeight is the lexicon's share of the score where it finds opinion
// words: the model knows German and Dutch only from film subtitles. (A share
// growing with the number of opinion words was tried on 2026-12-04: equal on
// the permissive sets, worse on GermEval and the airline tweets.)
const lexiconWeight = 0.6

// langTokens is how many tokens the language model reads at most.
const langTokens = 60

// minLangProb is the language probability below which a text is "other".
const minLangProb = 0.5

// Analyzer analyses texts with a sentiment model and a taxonomy. It is safe
// for concurrent use.
type Analyzer struct {
	lang      *Model
	sentiment *Model // two labels (shipped) or three (a company's own model)
	themes    *Taxonomy
	lex       lexicon
	learned   []learnedTheme // themes a company's corrections taught
}

// NewLearned returns an analyzer with what a company's corrections taught
// (nil: nothing) over its taxonomy (nil: the shipped one).
func NewLearned(l *Learned, themes *Taxonomy) (*Analyzer, error) {
	if l == nil {
		return New(nil, themes)
	}
	a, err := New(l.Sentiment, themes)
	if err != nil {
		return nil, err
	}
	a.learned = learnedThemes(l.Themes)
	return a, nil
}

// New returns an analyzer with the shipped models and taxonomy; a nil
// sentiment model or taxonomy means the shipped one.
func New(sentiment *Model, themes *Taxonomy) (*Analyzer, error) {
	lang, shippedSentiment, err := loadShipped()
	if err != nil {
		return nil, err
	}
	if sentiment == nil {
		sentiment = shippedSentiment
	}
	if themes == nil {
		themes = DefaultTaxonomy()
	}
	return &Analyzer{lang: lang, sentiment: sentiment, themes: themes, lex: loadLexicon()}, nil
}

// Taxonomy returns the analyzer's themes.
func (a *Analyzer) Taxonomy() []tp.Theme { return a.themes.Themes }

// Analyze analyses text. hint is a language the caller knows (de, en, nl);
// empty or unknown means detect it. Any input gives a result, never a panic:
// an empty text is neutral, in language "other", without themes.
func (a *Analyzer) Analyze(text, hint string) Result {
	var r Result
	if len(text) > maxTextBytes {
		cut := maxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text, r.Truncated = text[:cut], true
	}
	toks := Tokenize(text)
	r.Lang, r.LangScore = a.Language(toks, hint)
	var stems []string
	if r.Lang != "other" {
		stems = stemAll(r.Lang, toks)
	}
	neg := Negated(toks)
	if stems == nil {
		stems = make([]string, len(toks)) // "other": the lexicon reads emoji only
	}
	r.Sentences = []Sentence{}
	whole := opinion{sums: make([]float64, len(a.sentiment.Labels))}
	buf := make([]uint32, 0, 512)
	for _, s := range Sentences(toks) {
		part := toks[s[0]:s[1]]
		end := s[1] // with its "!" or "?", which the model reads too
		if end < len(toks) {
			end++
		}
		var o opinion
		o, buf = a.opinion(r.Lang, toks[s[0]:end], stems[s[0]:end], neg[s[0]:end], buf)
		whole.add(o)
		label, score := a.polarity(o)
		r.Sentences = append(r.Sentences, Sentence{TextSpan: Span{Start: part[0].Start, End: part[len(part)-1].End}, Sentiment: label, Score: score})
	}
	r.Sentiment, r.Score = a.polarity(whole)
	if r.Lang == "other" {
		stems = nil
	}
	r.Themes = a.addLearned(toks, a.themes.match(r.Lang, toks, stems, neg))
	if r.Themes == nil {
		r.Themes = []ThemeHit{}
	}
	return r
}

// Language returns the language of toks and the model's probability for it;
// a supported hint is taken as it is.
func (a *Analyzer) Language(toks []Token, hint string) (string, float64) {
	for _, l := range Languages {
		if hint == l {
			return l, 1
		}
	}
	if words(toks) == 0 {
		return "other", 0
	}
	if len(toks) > langTokens {
		toks = toks[:langTokens] // the first words tell the language as well as all of them
	}
	label, p := a.lang.Best(a.lang.Predict(withoutTitles(toks)))
	if p < minLangProb {
		return "other", round3(p)
	}
	return label, round3(p)
}

// withoutTitles leaves out the words of names and titles written inside a
// sentence ("Speel All Things Must Pass", "Gib 4 Sterne an The Broken
// Window"): they are in whatever language the title is, not the writer's. A
// title is a run of at least two capitalised words; at a sentence's start the
// first word of the run is the sentence's own and stays. A German noun alone
// is no run ("Gib 4 Sterne an"). If nothing would be left, toks is kept.
func withoutTitles(toks []Token) []Token {
	var out []Token
	start := true // at a sentence's start
	for i := 0; i < len(toks); {
		j := titleRun(toks, i)
		from := i
		if start {
			from++
		}
		if j-from >= 2 {
			if out == nil {
				out = append(make([]Token, 0, len(toks)), toks[:i]...)
			}
			if start {
				out = append(out, toks[i])
			}
		} else if out != nil {
			out = append(out, toks[i:max(j, i+1)]...)
		}
		if j == i {
			j = i + 1
		}
		start = toks[j-1].Kind == '.'
		i = j
	}
	if out == nil || words(out) == 0 {
		return toks
	}
	return out
}

// titleRun returns the end of the title that starts at toks[i] (i itself if
// none does): capitalised words, bridged by the small words English titles
// keep in lower case and by a colon ("Babar: King of the Elephants").
func titleRun(toks []Token, i int) int {
	end := i
	for j := i; j < len(toks); j++ {
		t := toks[j]
		switch {
		case t.Kind == 'w' && t.Title:
			end = j + 1
		case j > i && (t.Kind == 'w' && titleSmall[t.Text] || t.Text == ":"):
		default:
			return end
		}
	}
	return end
}

// titleSmall holds only words that German and Dutch do not have ("an" and
// "in" would join "Sterne an The Broken Window" into one title).
var titleSmall = map[string]bool{"of": true, "the": true, "and": true, "a": true, "on": true,
	"at": true, "to": true, "for": true, "by": true, "with": true, "from": true, "or": true, "is": true}

// opinion is what one stretch of text says for the sentiment: the model's
// raw label sums over its features and the lexicon's sum. Sentences' opinions
// add up to the text's, since features and negation stop at sentence ends;
// so each sentence's features are computed once.
type opinion struct {
	sums    []float64 // per label, before the bias and the 1/sqrt(n) scale
	n       int       // features
	lex     float64
	lexHits int
	words   bool
}

func (a *Analyzer) opinion(lang string, toks []Token, stems []string, neg []bool, buf []uint32) (opinion, []uint32) {
	o := opinion{sums: make([]float64, len(a.sentiment.Labels))}
	for _, t := range toks {
		if t.Kind == 'w' || t.Kind == 'e' {
			o.words = true
			break
		}
	}
	if !o.words {
		return o, buf
	}
	m := a.sentiment
	buf = m.Features.features(buf[:0], toks, m.Bits)
	o.n = len(buf)
	K := len(m.Labels)
	for _, f := range buf {
		for k, w := range m.W[int(f)*K : int(f)*K+K] {
			o.sums[k] += float64(w)
		}
	}
	o.lex, o.lexHits = a.lex.score(lang, toks, stems, neg)
	return o, buf
}

func (o *opinion) add(p opinion) {
	for k := range o.sums {
		o.sums[k] += p.sums[k]
	}
	o.n += p.n
	o.lex += p.lex
	o.lexHits += p.lexHits
	o.words = o.words || p.words
}

// polarity is the sentiment label and score of an opinion: the model's,
// blended with the lexicon's where the lexicon found opinion words.
func (a *Analyzer) polarity(o opinion) (string, float64) {
	if !o.words {
		return "neutral", 0
	}
	m := a.sentiment
	p := make([]float64, len(m.Labels))
	scale := 1.0
	if o.n > 0 {
		scale = 1 / math.Sqrt(float64(o.n))
	}
	for k := range p {
		p[k] = float64(m.Bias[k]) + o.sums[k]*scale
	}
	softmax(p)
	var pos, neg, neu float64
	for k, l := range m.Labels {
		switch l {
		case "positive":
			pos = p[k]
		case "negative":
			neg = p[k]
		case "neutral":
			neu = p[k]
		}
	}
	score := pos - neg
	if o.lexHits > 0 {
		score = (1-lexiconWeight)*score + lexiconWeight*math.Tanh(o.lex)
	}
	score = round3(score)
	if len(m.Labels) == 3 {
		// A model that knows neutral says it itself.
		switch {
		case neu >= pos && neu >= neg:
			return "neutral", score
		case pos > neg:
			return "positive", score
		}
		return "negative", score
	}
	switch {
	case score >= NeutralBand:
		return "positive", score
	case score <= -NeutralBand:
		return "negative", score
	}
	return "neutral", score
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

var _ tp.TextAnalyzer = (*Analyzer)(nil)
