package textan

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/german"
)

// A Theme (tp.Theme) is something customers write about, defined by terms
// per language. A term is matched against the words of a text:
//   - "refund"       the word's stem equals the term's stem (refunds, refunded);
//   - "liefer*"      the word starts with "liefer" (Lieferzeit, Lieferung): compounds;
//   - "*zustellung"  the word ends with it (Paketzustellung);
//   - "on time"      consecutive words, each by stem;
//   - "!broken"      any of the above, but not inside a negation ("not broken",
//     "nicht kaputt", "niet kapot"): for problem words whose negation means the
//     problem is absent.
//
// Taxonomy is a set of themes compiled for matching.
type Taxonomy struct {
	Themes []Theme
	rules  map[string][]rule // per language
	// Per language: the word rules by their first stem, and the affix rules,
	// so that matching looks each word up once instead of trying every rule.
	byStem map[string]map[string][]rule
	affix  map[string][]rule
}

type rule struct {
	theme    int
	words    []string // stems, or the affix of a prefix/suffix term
	prefix   bool
	suffix   bool
	negation bool // skip when negated
}

//go:embed themes.json
var defaultThemes []byte

// DefaultTaxonomy returns the starting taxonomy shipped with touchpoint.
func DefaultTaxonomy() *Taxonomy {
	var themes []Theme
	if err := json.Unmarshal(defaultThemes, &themes); err != nil {
		panic("textan: themes.json: " + err.Error()) // a build error, caught by the tests
	}
	t, err := NewTaxonomy(themes)
	if err != nil {
		panic("textan: themes.json: " + err.Error())
	}
	return t
}

// Languages this package analyses; anything else is "other".
var Languages = []string{"de", "en", "nl"}

// NewTaxonomy compiles themes; it refuses empty ids, duplicates and empty terms.
func NewTaxonomy(themes []Theme) (*Taxonomy, error) {
	t := &Taxonomy{Themes: themes, rules: map[string][]rule{}, byStem: map[string]map[string][]rule{}, affix: map[string][]rule{}}
	seen := map[string]bool{}
	for i, th := range themes {
		if th.ID == "" || seen[th.ID] {
			return nil, fmt.Errorf("theme %d: empty or duplicate id %q", i+1, th.ID)
		}
		seen[th.ID] = true
		for lang, terms := range th.Terms {
			if stemmer(lang) == nil {
				return nil, fmt.Errorf("theme %s: language %q is not one of de, en, nl", th.ID, lang)
			}
			for _, term := range terms {
				r := rule{theme: i}
				term = strings.TrimSpace(strings.ToLower(term))
				if strings.HasPrefix(term, "!") {
					r.negation = true
					term = term[1:]
				}
				switch {
				case strings.HasSuffix(term, "*") && !strings.Contains(term, " "):
					r.prefix, term = true, strings.TrimSuffix(term, "*")
				case strings.HasPrefix(term, "*") && !strings.Contains(term, " "):
					r.suffix, term = true, strings.TrimPrefix(term, "*")
				}
				if strings.Trim(term, "* ") == "" {
					return nil, fmt.Errorf("theme %s: empty term", th.ID)
				}
				for _, w := range strings.Fields(term) {
					if !r.prefix && !r.suffix {
						w = Stem(lang, w)
					}
					r.words = append(r.words, w)
				}
				t.rules[lang] = append(t.rules[lang], r)
				if r.prefix || r.suffix {
					t.affix[lang] = append(t.affix[lang], r)
				} else {
					if t.byStem[lang] == nil {
						t.byStem[lang] = map[string][]rule{}
					}
					t.byStem[lang][r.words[0]] = append(t.byStem[lang][r.words[0]], r)
				}
			}
		}
	}
	return t, nil
}

func stemmer(lang string) func(*snowball.Env) bool {
	switch lang {
	case "de":
		return german.Stem
	case "en":
		return english.Stem
	case "nl":
		return dutch.Stem
	}
	return nil
}

// Stem returns the Snowball stem of a lower-case word in lang (de, en, nl);
// the word itself for another language. Stems are cached: stemming was a
// third of the analysis time, and customers' words repeat.
func Stem(lang, word string) string {
	s := stemmer(lang)
	if s == nil {
		return word
	}
	c := stemCaches[lang]
	c.mu.RLock()
	stem, ok := c.m[word]
	c.mu.RUnlock()
	if ok {
		return stem
	}
	env := snowball.NewEnv(word)
	s(env)
	stem = env.Current()
	c.mu.Lock()
	if len(c.m) < maxCachedStems {
		c.m[word] = stem
	}
	c.mu.Unlock()
	return stem
}

// maxCachedStems bounds each language's cache (a few MB); words past it are
// stemmed each time.
const maxCachedStems = 100000

type stemCache struct {
	mu sync.RWMutex
	m  map[string]string
}

var stemCaches = map[string]*stemCache{"de": {m: map[string]string{}}, "en": {m: map[string]string{}}, "nl": {m: map[string]string{}}}

// stemAll returns the stem of each word of toks in lang ("" for non-words).
func stemAll(lang string, toks []Token) []string {
	stems := make([]string, len(toks))
	for i, tok := range toks {
		if tok.Kind == 'w' {
			stems[i] = Stem(lang, tok.Text)
		}
	}
	return stems
}

// Match returns the themes of toks in lang, in taxonomy order. For a language
// without rules it tries every language's rules (mixed or unknown text).
func (t *Taxonomy) Match(lang string, toks []Token) []ThemeHit {
	return t.match(lang, toks, nil, Negated(toks))
}

// match is Match with the stems of toks in lang and the negation marks
// already computed (nil stems: compute them).
func (t *Taxonomy) match(lang string, toks []Token, langStems []string, neg []bool) []ThemeHit {
	langs := []string{lang}
	if len(t.rules[lang]) == 0 {
		langs = Languages
	}
	spans := make([][]Span, len(t.Themes))
	for _, l := range langs {
		stems := langStems
		if l != lang || stems == nil {
			stems = stemAll(l, toks)
		}
		try := func(r rule, i int) {
			if n := r.match(toks, stems, i); n > 0 && !(r.negation && neg[i]) {
				spans[r.theme] = appendSpan(spans[r.theme], Span{Start: toks[i].Start, End: toks[i+n-1].End})
			}
		}
		for i, tok := range toks {
			if tok.Kind != 'w' {
				continue
			}
			for _, r := range t.byStem[l][stems[i]] {
				try(r, i)
			}
			for _, r := range t.affix[l] {
				try(r, i)
			}
		}
	}
	var out []ThemeHit
	for i, s := range spans {
		if len(s) > 0 {
			out = append(out, ThemeHit{Theme: t.Themes[i].ID, Spans: s})
		}
	}
	return out
}

// match returns how many tokens from i the rule covers (0: no match).
func (r rule) match(toks []Token, stems []string, i int) int {
	if toks[i].Kind != 'w' {
		return 0
	}
	switch {
	case r.prefix:
		if strings.HasPrefix(toks[i].Text, r.words[0]) {
			return 1
		}
		return 0
	case r.suffix:
		if strings.HasSuffix(toks[i].Text, r.words[0]) && len(toks[i].Text) > len(r.words[0]) {
			return 1
		}
		return 0
	}
	for j, w := range r.words {
		if i+j >= len(toks) || stems[i+j] != w {
			return 0
		}
	}
	return len(r.words)
}

// appendSpan adds s unless an equal or containing span is there already.
func appendSpan(spans []Span, s Span) []Span {
	for _, have := range spans {
		if have.Start <= s.Start && s.End <= have.End {
			return spans
		}
	}
	return append(spans, s)
}
