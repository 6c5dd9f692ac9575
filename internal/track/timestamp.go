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
	if t, ok := parseCanonical(s); ok {
		return t, "", nil
	}
	return parseAny(s)
}

// parseCanonical reads the form nearly every library sends,
// 2006-01-02T15:04:05(.fraction of 1–9 digits)Z, without the general
// pattern (a tenth of a message's decoding was that pattern). It gives the
// instant parseAny gives for the same text (FuzzParseTime checks).
func parseCanonical(s string) (time.Time, bool) {
	const shape = "dddd-dd-ddTdd:dd:dd"
	n := len(shape)
	if len(s) < n+1 || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	for i := range n {
		if c := s[i]; shape[i] == 'd' && (c < '0' || c > '9') || shape[i] != 'd' && c != shape[i] {
			return time.Time{}, false
		}
	}
	if frac := s[n : len(s)-1]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		for _, c := range frac[1:] {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s) // a day 30 of February fails here; parseAny says why
	return t, err == nil
}

func parseAny(s string) (t time.Time, warning string, err error) {
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
