package track

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Clients write times in many ways that mean one instant. ParseTime takes
// RFC 3339 in any letter case, with a space for the T, offsets as ±hh:mm,
// ±hhmm or ±hh, fractions of any length (after . or ,), and seconds left
// out. A time without a zone, or a date alone, is read as UTC, and the
// returned warning says so (the sender's clock may mean local time).
var timeRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$`)

// ParseTime parses a client's timestamp; see timeRE.
func ParseTime(s string) (t time.Time, warning string, err error) {
	m := timeRE.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return time.Time{}, "", tp.Errorf(tp.EINVALID, "%q is not an ISO-8601 date-time", s)
	}
	y, mo, d, h, mi, sec, frac, zone := m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]
	switch {
	case h == "":
		h, mi, warning = "00", "00", tp.Reason("a date without a time; read as 00:00 UTC")
	case zone == "":
		warning = tp.Reason("no time zone; read as UTC")
	}
	if sec == "" {
		sec = "00"
	}
	if len(frac) > 9 {
		frac = frac[:9] // beyond nanoseconds nothing is kept
	}
	frac += strings.Repeat("0", 9-len(frac))
	switch {
	case zone == "" || zone == "Z":
		zone = "Z"
	case len(zone) == 3: // ±hh
		zone += ":00"
	case len(zone) == 5: // ±hhmm
		zone = zone[:3] + ":" + zone[3:]
	}
	t, err = time.Parse(time.RFC3339Nano, fmt.Sprintf("%s-%s-%sT%s:%s:%s.%s%s", y, mo, d, h, mi, sec, frac, zone))
	if err != nil {
		return time.Time{}, "", fmt.Errorf("%q is not a valid date-time", s)
	}
	return t, warning, nil
}
