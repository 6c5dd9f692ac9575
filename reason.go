package touchpoint

import (
	"fmt"
	"sort"
	"strings"
)

// Reason is a field's problem in words for people, the value of an *Error's
// Fields entry that a message or a page shows. It formats like fmt.Sprintf;
// as a function with a format it is found by the catalogue test like Errorf,
// and the catalogues translate it where it is shown (i18n.Reason). Reasons
// that only programs read ("invalid", "required") need no wrapper.
func Reason(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// Reasons lists field problems inside a message: "field: reason; …" by
// field name. The catalogues translate each reason (i18n.Error).
type Reasons map[string]string

func (r Reasons) String() string {
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + ": " + r[k]
	}
	return strings.Join(keys, "; ")
}
