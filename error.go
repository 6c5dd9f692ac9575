package touchpoint

import (
	"errors"
	"fmt"
	"slices"
)

// Error codes are stable: clients may switch on them.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"
	ETOOMANY      = "rate_limited"
	EMEDIATYPE    = "unsupported_media_type"
	EINTERNAL     = "internal"
	EUNAVAILABLE  = "unavailable" // overloaded for now: retry later
)

// Error is the one error type with a client-facing face: a stable code, a safe
// message, and optional per-field details. Anything else is internal and is
// reported to clients as EINTERNAL while its cause goes to the log.
//
// Format and Args keep the message apart from its language: Format is the
// English text and the translation catalogues' key (internal/i18n), so a
// client reading German gets the same message in German. Build errors with
// Errorf, never as a literal, or the message cannot be translated.
type Error struct {
	Code    string
	Message string // English, for logs and clients that ask for no language
	Fields  map[string]string
	Format  string
	Args    []any
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds an *Error with a formatted message. An argument that is an
// *Error stands for its message, so it is translated with the outer one;
// other errors print as they are (a JSON syntax error, say): pass only those
// that are safe to show.
func Errorf(code, format string, args ...any) *Error {
	e := &Error{Code: code, Format: format, Args: slices.Clone(args)}
	for i, a := range args {
		var nested *Error
		if err, ok := a.(error); ok && errors.As(err, &nested) {
			args[i] = nested.Message
		}
	}
	e.Message = fmt.Sprintf(format, args...) // forwarding args keeps go vet's format check on every caller
	return e
}

// WithFields adds per-field details (field → reason) and returns e.
func (e *Error) WithFields(fields map[string]string) *Error {
	e.Fields = fields
	return e
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of err, hiding internal causes.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the field details of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
