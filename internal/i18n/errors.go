package i18n

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"

	tp "github.com/touchpoint-cx/touchpoint"
)

// ErrorKey is the catalogue key of an error message: "err:" and the English
// format it was built with (tp.Errorf), as gettext keys a text by its
// source. The English entry is the format itself; de and nl translate it
// with the same verbs in the same order.
func ErrorKey(format string) string { return "err:" + format }

// Error is err's safe message in lang: the catalogue's text for its format,
// filled with its arguments, a nested error translated in turn. An error
// that is not a *tp.Error is internal and says only that.
func Error(lang string, err error) string {
	var e *tp.Error
	if !errors.As(err, &e) {
		return T(lang, "error.internal")
	}
	f, ok := catalogues[lang][ErrorKey(e.Format)]
	if e.Format == "" || !ok {
		return e.Message // built without Errorf (tests), or English
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		var nested *tp.Error
		if err, ok := a.(error); ok && errors.As(err, &nested) {
			a = Error(lang, nested)
		}
		if rs, ok := a.(tp.Reasons); ok {
			a = reasons(lang, rs)
		}
		args[i] = a
	}
	return fmt.Sprintf(f, args...)
}

// Reason is a field's problem (tp.Reason) in lang. A reason arrives as the
// text it was formatted to, so it is matched against the catalogue's
// messages: the text itself, else the message whose format it fits with the
// most fixed text ("at most %d characters" fits "at most 200 characters"),
// whose translation gets the same arguments, each translated in turn; a
// "field: reason" text keeps its field. A text the catalogue does not know
// stays as it is. Reasons stored with records (a quarantined message's, a
// model card's) are translated when shown, the same way.
func Reason(lang, text string) string {
	m := catalogues[lang]
	if t, ok := m[ErrorKey(text)]; ok {
		return t
	}
	best, bestLen := "", -1
	var bestArgs []string
	for _, p := range reasonPatterns() {
		if p.fixed <= bestLen {
			continue
		}
		if sub := p.re.FindStringSubmatch(text); sub != nil {
			best, bestLen, bestArgs = p.format, p.fixed, sub[1:]
		}
	}
	t, ok := m[ErrorKey(best)]
	if !ok {
		// "field: reason", as a quarantined message keeps it
		if field, rest, cut := strings.Cut(text, ": "); cut && !strings.ContainsAny(field, " ") {
			if tr := Reason(lang, rest); tr != rest {
				return field + ": " + tr
			}
		}
		return text
	}
	args := make([]any, len(bestArgs))
	for i, a := range bestArgs {
		args[i] = Reason(lang, a)
	}
	return fmt.Sprintf(verbRE.ReplaceAllString(t, "%s"), args...)
}

type reasonPattern struct {
	format string
	re     *regexp.Regexp
	fixed  int // characters of fixed text: the more, the better the fit
}

// reasonPatterns turns every catalogued format with verbs and words into a
// pattern that finds its arguments again.
var reasonPatterns = sync.OnceValue(func() []reasonPattern {
	var out []reasonPattern
	for k := range catalogues["en"] {
		format, ok := strings.CutPrefix(k, "err:")
		if !ok || !verbRE.MatchString(format) {
			continue
		}
		fixed := verbRE.ReplaceAllString(format, "")
		if strings.IndexFunc(fixed, unicode.IsLetter) < 0 {
			continue // "%s: %s" would fit anything
		}
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, loc := range verbRE.FindAllStringIndex(format, -1) {
			b.WriteString(regexp.QuoteMeta(strings.ReplaceAll(format[last:loc[0]], "%%", "%")))
			if format[loc[1]-1] == 'd' {
				b.WriteString(`(-?\d+)`)
			} else {
				b.WriteString(`(.+?)`)
			}
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(strings.ReplaceAll(format[last:], "%%", "%")) + "$")
		out = append(out, reasonPattern{format, regexp.MustCompile(b.String()), len(fixed)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].format < out[j].format }) // the same fit every run
	return out
})

// reasons is tp.Reasons' text in lang.
func reasons(lang string, rs tp.Reasons) string {
	out := make(tp.Reasons, len(rs))
	for k, r := range rs {
		out[k] = Reason(lang, r)
	}
	return out.String()
}
