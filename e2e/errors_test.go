package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestErrorsInTheReadersLanguage: an admin whose browser reads German sees a
// quarantined message's reason and a refused form in German, on pages that
// pass axe at desktop and phone width.
func TestErrorsInTheReadersLanguage(t *testing.T) {
	ctx := browserIn(t, "de-DE,de;q=0.9")
	srv := start(t, "serve")
	key := cli(t, "", "source", "create", "--name", "Shop", "--db", srv.DB)
	cli(t, "admin password 1\n", "user", "create", "--email", "admin@example.com", "--role", "admin", "--password-stdin", "--db", srv.DB)
	req, _ := http.NewRequest("POST", srv.URL+"/v1/batch", strings.NewReader(
		`{"batch":[{"type":"track","userId":"u1","event":"Fine"},{"type":"track","userId":"u1","event":"Late","timestamp":"yesterday"}]}`))
	req.SetBasicAuth(key, "")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("batch with one bad message: %v %v", err, res)
	}
	res.Body.Close()
	drained(t, srv.URL)

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	step(t, ctx, "log in",
		chromedp.Navigate(srv.URL+"/admin"),
		chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), "admin@example.com"),
		chromedp.SendKeys(css("#password"), "admin password 1"),
		chromedp.Submit(css("#password")),
		chromedp.WaitVisible(css("main h1")),
	)
	lookAt(t, ctx, srv.URL+"/admin/sources/1", "debugger-de")
	if q := text("main section.card:nth-of-type(2) tbody"); !strings.Contains(q, "ist kein Zeitpunkt nach ISO 8601") || strings.Contains(q, "is not an ISO-8601") || strings.Contains(q, "timestamp: timestamp") {
		t.Errorf("the quarantine's reason is not in German: %q", q)
	}

	step(t, ctx, "a segment without conditions",
		chromedp.Navigate(srv.URL+"/segments"),
		chromedp.WaitVisible(css("#sg-name")),
		chromedp.SendKeys(css("#sg-name"), "Leer"),
		chromedp.SetValue(css("#sg-cond"), "[]"),
		chromedp.Submit(css("#sg-name")),
		chromedp.WaitVisible(css(`p.flash.error[role="alert"]`)),
	)
	screenshot(t, ctx, "segment-error-de.png")
	if f := text("p.flash.error"); !strings.HasPrefix(f, "Das Segment ist nicht gültig: conditions: 1 bis 10 Bedingungen") {
		t.Errorf("the refused segment's message is not in German: %q", f)
	}
}
