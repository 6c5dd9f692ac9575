package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
)

// FuzzSafeNext: whatever a link puts in next or back, the redirect stays
// on this site as a browser reads it (tabs and line breaks dropped, a
// backslash taken for a slash).
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/customers?q=a", "//evil.example", "/\t/evil.example", "/\\evil", "https://evil.example", "javascript:alert(1)",
		"/%09/x", "", "/ok#frag", "/\x00/x", "/.//evil", "\\\\evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		norm := strings.Map(func(r rune) rune {
			switch {
			case r == '\t' || r == '\n' || r == '\r':
				return -1
			case r == '\\':
				return '/'
			}
			return r
		}, got)
		u, err := url.Parse(norm)
		if err != nil || !strings.HasPrefix(norm, "/") || strings.HasPrefix(norm, "//") || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
	})
}

// FuzzAuditFilter: any query gives a filter or a clear EINVALID.
func FuzzAuditFilter(f *testing.F) {
	for _, s := range []string{"", "actor=user:a@example.com&action=auth.", "from=2026-11-01&to=2026-11-30", "from=yesterday", "before=x", "before=42"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/api/v1/audit", RawQuery: query}}
		if _, err := auditFilter(r); err != nil {
			var e *tp.Error
			if !errors.As(err, &e) || e.Code != tp.EINVALID {
				t.Fatalf("%q: %v is not a clear error", query, err)
			}
		}
	})
}

// FuzzPrivacyBodies: the privacy API's JSON bodies decode to a valid
// request or a clear 4xx error, never a panic: retention periods, consent
// statements, erasure confirmations.
func FuzzPrivacyBodies(f *testing.F) {
	for _, s := range []string{`{"events":730,"mail":180}`, `{"events":5}`, `{"nope":30}`, `{"purpose":"marketing","granted":false}`,
		`{"purpose":"Advertising","granted":true}`, `{"purpose":"x"}`, `{"confirm":42}`, `{"confirm":"42"}`, `[]`, `null`, `{"events":-1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := func() *http.Request {
			r, _ := http.NewRequest("PUT", "/x", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return r
		}
		clear := func(err error) {
			if err != nil && statusOf(err) >= 500 {
				t.Fatalf("%q: %v", body, err)
			}
		}
		var periods tp.Retention
		if err := decodeJSON(req(), &periods); err == nil {
			if err := periods.Validate(); err == nil {
				for k, d := range periods {
					if _, ok := tp.DefaultRetention[k]; !ok || (d != 0 && (d < 30 || d > 10950)) {
						t.Fatalf("%q: accepted %s = %d", body, k, d)
					}
				}
			} else {
				clear(err)
			}
		} else {
			clear(err)
		}
		var consent struct {
			Purpose string `json:"purpose"`
			Granted *bool  `json:"granted"`
		}
		if err := decodeJSON(req(), &consent); err == nil {
			if p, ok := tp.ParsePurpose(consent.Purpose); ok && p != tp.PurposeSurvey && p != tp.PurposeMarketing && p != tp.PurposeProfiling {
				t.Fatalf("%q: purpose %q", body, p)
			}
		} else {
			clear(err)
		}
		var erase struct {
			Confirm int64 `json:"confirm"`
		}
		clear(decodeJSON(req(), &erase))
	})
}
