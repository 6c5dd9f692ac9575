package textan

import "strings"

// Negation cues and the words that end their scope, per language together:
// a comment can mix languages, and the lists do not collide.
var negators = map[string]bool{
	"not": true, "no": true, "never": true, "nothing": true, "nobody": true, "without": true, "neither": true,
	"nor": true, "hardly": true, "cannot": true,
	"nicht": true, "kein": true, "keine": true, "keinen": true, "keinem": true, "keiner": true, "keines": true,
	"nie": true, "niemals": true, "nichts": true, "ohne": true, "weder": true, "niemand": true,
	"niet": true, "geen": true, "nooit": true, "niets": true, "zonder": true, "noch": true, "nergens": true,
}

var scopeEnders = map[string]bool{
	"but": true, "however": true, "although": true, "aber": true, "sondern": true, "doch": true, "jedoch": true,
	"maar": true, "echter": true, "hoewel": true,
}

// negationScope is how many words after a cue it covers at most.
const negationScope = 4

// isNegator reports whether a token negates what follows ("not", "don't", "kein").
func isNegator(t string) bool {
	return negators[t] || strings.HasSuffix(t, "n't")
}

// Negated marks, per token, whether it stands in the scope of a negation:
// the words after a cue until a clause mark, a "but", or negationScope words.
func Negated(toks []Token) []bool {
	neg := make([]bool, len(toks))
	left := 0
	for i, t := range toks {
		switch {
		case t.Kind == '.' || t.Kind == ',':
			left = 0
		case isNegator(t.Text):
			left = negationScope
		case scopeEnders[t.Text]:
			left = 0
		case left > 0:
			neg[i] = true
			left--
		}
	}
	return neg
}

// FNV-1a, written out so that features hash without allocating.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint32, b byte) uint32 {
	h ^= uint32(b)
	return h * fnvPrime
}

// FeatureSet says which features a model reads off a text.
type FeatureSet struct {
	Words   bool // word unigrams (negation-marked)
	Bigrams bool // adjacent word pairs
	CharMin int  // character n-grams of words, from CharMin to CharMax bytes (0: none)
	CharMax int
	Binary  bool // count each feature once per text (long texts: mails, narratives)
}

// features appends the hashed feature indexes of toks to dst, each index below
// 1<<bits. A feature that occurs twice appears twice (a count).
func (fs FeatureSet) features(dst []uint32, toks []Token, bits uint) []uint32 {
	mask := uint32(1)<<bits - 1
	neg := Negated(toks)
	prev := uint32(0)
	for i, t := range toks {
		if t.Kind == '.' || t.Kind == ',' {
			prev = 0
			if t.Text == "!" || t.Text == "?" {
				dst = append(dst, hashString(hashByte(fnvOffset, 'p'), t.Text)&mask)
			}
			continue
		}
		if t.Kind == 'u' {
			continue
		}
		h := hashByte(fnvOffset, 'w')
		if neg[i] {
			h = hashByte(h, '!')
		}
		h = hashString(h, t.Text)
		if fs.Words {
			dst = append(dst, h&mask)
		}
		if fs.Bigrams && prev != 0 {
			dst = append(dst, (hashByte(prev^h, 'b')*fnvPrime)&mask)
		}
		prev = h
		if fs.CharMin > 0 && t.Kind == 'w' {
			dst = charGrams(dst, t.Text, fs.CharMin, fs.CharMax, mask)
		}
	}
	if fs.Binary {
		dst = dedupe(dst)
	}
	return dst
}

// dedupe drops repeated indexes in place, keeping first occurrences.
func dedupe(x []uint32) []uint32 {
	seen := make(map[uint32]struct{}, len(x))
	out := x[:0]
	for _, f := range x {
		if _, ok := seen[f]; !ok {
			seen[f] = struct{}{}
			out = append(out, f)
		}
	}
	return out
}

// charGrams appends the byte n-grams of " word " (with boundary marks), which
// carry German and Dutch compounds and misspellings that whole words miss.
func charGrams(dst []uint32, w string, lo, hi int, mask uint32) []uint32 {
	n := len(w) + 2
	at := func(i int) byte {
		if i == 0 || i == n-1 {
			return ' '
		}
		return w[i-1]
	}
	for size := lo; size <= hi; size++ {
		for s := 0; s+size <= n; s++ {
			h := hashByte(fnvOffset, byte('0'+size))
			for j := s; j < s+size; j++ {
				h = hashByte(h, at(j))
			}
			dst = append(dst, h&mask)
		}
	}
	return dst
}
