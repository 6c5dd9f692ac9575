package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

// translate returns the catalogue text for key in lang (see package i18n).
func translate(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

// negotiateLanguage picks the user's setting, then the best Accept-Language
// match among en, de and nl, then English.
func negotiateLanguage(r *http.Request, u *tp.User) string {
	if u != nil && u.Locale != "" {
		return u.Locale
	}
	best, bestQ := "en", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range tp.Locales {
			if base == l && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

// errText is err's message in the page's language, for the flash: it marks
// the flash as an error.
func (v *view) errText(err error) string {
	v.FlashError = true
	return i18n.Error(v.Lang, err)
}

// requestLang is the language of an API answer's messages: ?lang=, then the
// best Accept-Language match, then English. A signed-in user's setting does
// not count here: a program's token should get the same answer every time.
func requestLang(r *http.Request) string {
	if l := strings.ToLower(r.URL.Query().Get("lang")); slices.Contains(tp.Locales, l) {
		return l
	}
	return negotiateLanguage(r, nil)
}
