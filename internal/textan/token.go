// Package textan analyses what customers write: its language, its sentiment
// overall and per sentence, and the themes it mentions, in German, Dutch and
// English. Everything runs in process (pure Go, no network); the models it
// ships are trained only on permissively licensed data (see NOTICE).
package textan

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Token is a word, a number, an emoji or a sentence mark of a text, folded
// to lower case, with the byte span it came from so that a theme can point at
// the words that triggered it.
type Token struct {
	Text       string
	Start, End int  // byte offsets into the original text
	Kind       byte // 'w' word, 'n' number, 'e' emoji or symbol, 'u' link or @handle, '.' sentence end, ',' clause mark
	Title      bool // a word written with a capital and then small letters ("Window", "I"), as names and titles are
}

// maxTextBytes bounds the work on one text: a 100 KB mail is analysed on its
// first part rather than refused, and the caller learns it was cut.
const maxTextBytes = 20000

// Tokenize splits text into tokens. Apostrophes inside a word stay in it
// ("don't", "zo'n"); every emoji is a token of its own.
func Tokenize(text string) []Token {
	toks := make([]Token, 0, len(text)/5+1)
	buf := make([]byte, 0, 32)
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if n := linkLen(text[i:]); n > 0 {
			// Links and @handles say nothing about language or opinion.
			toks = append(toks, Token{Text: text[i : i+n], Start: i, End: i + n, Kind: 'u'})
			i += n
			continue
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			start := i
			buf = buf[:0]
			kind := byte('n')
			for i < len(text) {
				r, size = utf8.DecodeRuneInString(text[i:])
				if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
					if unicode.IsLetter(r) {
						kind = 'w'
					}
					buf = utf8.AppendRune(buf, fold(r))
					i += size
					continue
				}
				// An apostrophe or hyphen joins two letters of one word.
				if (r == '\'' || r == '’' || r == '-') && i+size < len(text) {
					next, _ := utf8.DecodeRuneInString(text[i+size:])
					if unicode.IsLetter(next) {
						if r != '-' {
							buf = append(buf, '\'')
						} else {
							buf = append(buf, '-')
						}
						i += size
						continue
					}
				}
				break
			}
			toks = append(toks, Token{Text: string(buf), Start: start, End: i, Kind: kind, Title: kind == 'w' && isTitle(text[start:i])})
		case r == '.' || r == '!' || r == '?' || r == '\n' || r == ';':
			toks = append(toks, Token{Text: string(r), Start: i, End: i + size, Kind: '.'})
			i += size
		case r == ',' || r == ':' || r == '(' || r == ')' || r == '"':
			toks = append(toks, Token{Text: string(r), Start: i, End: i + size, Kind: ','})
			i += size
		case unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) && r > 0x2000:
			toks = append(toks, Token{Text: string(r), Start: i, End: i + size, Kind: 'e'})
			i += size
		default:
			i += size
		}
	}
	return toks
}

// isTitle reports whether a word starts with a capital that is not followed
// by another one: "Window" and "I", not "NASA" or "window".
func isTitle(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(w[n:])
	return n == len(w) || !unicode.IsUpper(next)
}

// fold lower-cases a letter; the sharp s and umlauts stay as they are, since
// "Masse" and "Maße" are different words.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

// Sentences returns the token index ranges [from, to) of each sentence.
func Sentences(toks []Token) [][2]int {
	var out [][2]int
	from := 0
	for i, t := range toks {
		if t.Kind == '.' {
			if i > from {
				out = append(out, [2]int{from, i})
			}
			from = i + 1
		}
	}
	if from < len(toks) {
		out = append(out, [2]int{from, len(toks)})
	}
	return out
}

// linkLen is the length of a link (http://, https://, www.) or an @handle at
// the start of s, 0 if there is none.
func linkLen(s string) int {
	start := 0
	switch {
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "www."):
	case len(s) > 1 && s[0] == '@' && (isASCIIWord(s[1]) || s[1] >= utf8.RuneSelf):
		start = 1
	default:
		return 0
	}
	n := start
	for n < len(s) && s[n] != ' ' && s[n] != '\n' && s[n] != '\t' && s[n] != '\r' {
		if start == 1 && !isASCIIWord(s[n]) && s[n] < utf8.RuneSelf {
			break
		}
		n++
	}
	return n
}

func isASCIIWord(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
}
