package track

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	for in, want := range map[string]struct {
		t    time.Time
		warn bool
	}{
		"2026-10-14T09:30:00Z":                {utc("2026-10-14T09:30:00Z"), false},
		"2026-10-14t09:30:00z":                {utc("2026-10-14T09:30:00Z"), false},
		"2026-10-14T11:30:00+02:00":           {utc("2026-10-14T09:30:00Z"), false},
		"2026-10-14T11:30:00+0200":            {utc("2026-10-14T09:30:00Z"), false},
		"2026-10-14T11:30:00+02":              {utc("2026-10-14T09:30:00Z"), false},
		"2026-10-14T04:30:00-0500":            {utc("2026-10-14T09:30:00Z"), false},
		"2026-10-14 09:30:00Z":                {utc("2026-10-14T09:30:00Z"), false},
		"2026-10-14T09:30Z":                   {utc("2026-10-14T09:30:00Z"), false},
		"2026-10-14T09:30:00.1Z":              {utc("2026-10-14T09:30:00.1Z"), false},
		"2026-10-14T09:30:00.123456789Z":      {utc("2026-10-14T09:30:00.123456789Z"), false},
		"2026-10-14T09:30:00.12345678912345Z": {utc("2026-10-14T09:30:00.123456789Z"), false},
		"2026-10-14T09:30:00,5+01:00":         {utc("2026-10-14T08:30:00.5Z"), false},
		" 2026-10-14T09:30:00Z ":              {utc("2026-10-14T09:30:00Z"), false},
		"2026-10-14T09:30:00":                 {utc("2026-10-14T09:30:00Z"), true},
		"2026-10-14T09:30:00.250":             {utc("2026-10-14T09:30:00.25Z"), true},
		"2026-10-14":                          {utc("2026-10-14T00:00:00Z"), true},
	} {
		got, warn, err := ParseTime(in)
		if err != nil || !got.Equal(want.t) || (warn != "") != want.warn {
			t.Errorf("ParseTime(%q) = %s, %q, %v; want %s (warning %v)", in, got, warn, err, want.t, want.warn)
		}
	}
	for _, bad := range []string{"", "yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-10-14T25:00:00Z",
		"2026-10-14T09:30:00+2", "1728898200", "2026/10/14", "2026-10-14T09:30:00ZZ", "2026-10-14T09:60:00Z"} {
		if _, _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-10-14T09:30:00Z", "2026-10-14t09:30:00.1+0200", "2026-10-14", "2026-10-14 09:30", "x",
		"2026-11-01T10:05:00.123456789Z", "2026-11-01T10:05:00.Z", "2026-02-30T10:05:00Z", "2026-11-01T24:00:00Z", "0000-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, _, err := ParseTime(s)
		// The canonical form's shortcut reads what the general pattern reads.
		if c, ok := parseCanonical(s); ok {
			if g, warning, err := parseAny(s); err != nil || !g.Equal(c) || warning != "" {
				t.Fatalf("%q: shortcut %s, pattern %s %q %v", s, c, g, warning, err)
			}
		}
		if err == nil {
			// What was accepted reads back the same way in RFC 3339.
			again, _, err2 := ParseTime(got.Format(time.RFC3339Nano))
			if err2 != nil || !again.Equal(got) {
				t.Fatalf("%q → %s does not read back: %v", s, got, err2)
			}
		}
	})
}
