package textan

import (
	"sort"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Discovery: what customers write about that no theme catches. Among texts
// without a theme, the phrases of two or three words (no stop word at
// either end) and the single words that occur in the most texts, each with
// examples, so that an analyst can turn one into a theme.

// Phrase (tp.Phrase) is a discovered phrase: its words as written most
// often, in how many texts, their language, and a few of them.
type Phrase = tp.Phrase

// Discovery settings: a phrase must be in minPhraseTexts texts; at most
// maxExamples examples each.
const (
	minPhraseTexts = 5
	maxExamples    = 3
)

// Discover returns up to limit phrases among texts (each with its language,
// "" to detect), most frequent first; a longer phrase hides the shorter
// ones inside it when it is nearly as frequent.
func (a *Analyzer) Discover(texts, langs []string, limit int) []Phrase {
	type stat struct {
		count    int
		lang     string
		surface  map[string]int
		examples []string
		words    int
		docs     []int // indexes of the texts, ascending
	}
	stats := map[string]*stat{}
	for i, text := range texts {
		lang := ""
		if i < len(langs) {
			lang = langs[i]
		}
		toks := Tokenize(text)
		if lang == "" || lang == "other" {
			lang, _ = a.Language(toks, "")
		}
		if lang == "other" {
			continue
		}
		stems := stemAll(lang, toks)
		seen := map[string]bool{}
		for start := range toks {
			for n := 1; n <= 3 && start+n <= len(toks); n++ {
				span := toks[start : start+n]
				if !phraseOK(lang, span) {
					continue
				}
				key := lang + ":" + strings.Join(stems[start:start+n], " ")
				if seen[key] {
					continue
				}
				seen[key] = true
				st := stats[key]
				if st == nil {
					st = &stat{lang: lang, surface: map[string]int{}, words: n}
					stats[key] = st
				}
				st.count++
				st.docs = append(st.docs, i)
				words := make([]string, n)
				for j, t := range span {
					words[j] = t.Text
				}
				st.surface[strings.Join(words, " ")]++
				if len(st.examples) < maxExamples && !contains(st.examples, text) {
					st.examples = append(st.examples, text)
				}
			}
		}
	}
	var keys []string
	for k, st := range stats {
		if st.count >= minPhraseTexts {
			keys = append(keys, k)
		}
	}
	// Ranked by texts × words: a phrase says more than its words alone, so
	// "loyalty points disappeared" in 12 texts comes before "loyalty" in 13.
	score := func(st *stat) int { return st.count * st.words }
	sort.Slice(keys, func(i, j int) bool {
		a, b := stats[keys[i]], stats[keys[j]]
		if score(a) != score(b) {
			return score(a) > score(b)
		}
		return keys[i] < keys[j]
	})
	var out []Phrase
	var taken []string
	for _, k := range keys {
		st := stats[k]
		// Two phrases found in nearly the same texts are one finding (parts
		// of one sentence, a word and the phrase around it): the better
		// ranked one stands for both.
		dup := false
		for _, t := range taken {
			if shared(st.docs, stats[t].docs) >= 0.8*float64(max(st.count, stats[t].count)) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		taken = append(taken, k)
		best, bestN := "", 0
		for s, n := range st.surface {
			if n > bestN || (n == bestN && s < best) {
				best, bestN = s, n
			}
		}
		out = append(out, Phrase{Text: best, Lang: st.lang, Count: st.count, Examples: st.examples})
		if len(out) == limit {
			break
		}
	}
	return out
}

// shared counts the indexes two ascending lists have in common.
func shared(a, b []int) float64 {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n, i, j = n+1, i+1, j+1
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(n)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// phraseOK: words only, no stop word at either end, no negation inside, and
// a single word must be a content word of four letters or more.
func phraseOK(lang string, span []Token) bool {
	for _, t := range span {
		if t.Kind != 'w' || isNegator(t.Text) {
			return false
		}
	}
	stop := stopWords[lang]
	if stop[span[0].Text] || stop[span[len(span)-1].Text] {
		return false
	}
	return len(span) > 1 || len(span[0].Text) >= 4
}

// stopWords are each language's function words (a short hand-made list).
var stopWords = map[string]map[string]bool{
	"en": set(`a an the and or but if then so to of in on at by for with from as is are was were be been being am do does did have has had
		i me my we our you your he she it its they them their this that these those there here what which who whom when where why how
		all any some no not very too can could would should will shall may might must just also only again more most much many
		about after before up down out over under into than because while until once each other such own same few both
		im i'm it's that's don't didn't isn't wasn't got get one two three lot`),
	"de": set(`der die das den dem des ein eine einen einem einer eines und oder aber wenn dann so zu von in im an am auf bei mit aus
		als ist sind war waren sein bin bist habe hat hatte haben hatten wird werden wurde wurden ich mich mir mein meine wir uns
		unser du dich dir dein sie ihr ihre er es man dies diese dieser dieses das dass da hier was wer wie wo warum wann alle
		auch nur noch schon sehr zu mehr viel viele etwas für über unter nach vor seit durch gegen ohne um nicht kein keine
		sich doch ja nein mal immer wieder`),
	"nl": set(`de het een en of maar als dan zo te van in op aan bij met uit voor door over onder na om tot is zijn was waren ben
		heb heeft had hebben wordt worden werd ik me mij mijn we wij ons onze je jij jou jouw u uw hij zij ze haar het dit dat
		deze die er hier wat wie hoe waar waarom wanneer alle alles ook alleen nog al heel erg te meer veel iets niet geen
		zich toch ja nee maar weer altijd`),
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
