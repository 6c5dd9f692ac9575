package web

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// FuzzCockpitParams: any query string gives a valid scorecard query or a
// clear EINVALID error, never a panic or an empty period.
func FuzzCockpitParams(f *testing.F) {
	for _, s := range []string{"", "period=week&at=2026-10-14", "period=quarter&at=2026-07", "period=custom&from=2026-01-01&to=2026-03-31",
		"period=custom&from=2026-03-01&to=2026-01-01", "period=decade", "at=yesterday", "months=-5&by=channel", "months=x"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, query string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/cockpit", RawQuery: query}}
		_, q, err := parseCockpit(r, now)
		if err != nil {
			var e *tp.Error
			if !errors.As(err, &e) || e.Code != tp.EINVALID {
				t.Fatalf("%q: %v is not a clear error", query, err)
			}
			return
		}
		if !q.Period.From.Before(q.Period.To) {
			t.Fatalf("%q: empty period %+v", query, q.Period)
		}
	})
}

func TestWithFlashKeepsFragment(t *testing.T) {
	for u, want := range map[string]string{
		"/admin#templates":  "/admin?flash=saved+%E2%9C%93#templates",
		"/cases?status=new": "/cases?status=new&flash=saved+%E2%9C%93",
		"/kpis":             "/kpis?flash=saved+%E2%9C%93",
	} {
		if got := (&view{}).withFlash(u, "saved ✓"); got != want {
			t.Errorf("withFlash(%q) = %q, want %q", u, got, want)
		}
	}
	// An error's flash is marked so the page can show it as an alert.
	if got, want := (&view{FlashError: true}).withFlash("/kpis#x", "bad"), "/kpis?flash=bad&flash_error=1#x"; got != want {
		t.Errorf("error flash = %q, want %q", got, want)
	}
}
