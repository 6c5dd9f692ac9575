package i18n

import (
	"errors"
	"fmt"

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
		args[i] = a
	}
	return fmt.Sprintf(f, args...)
}
