package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestErrorsInTheReadersLanguage: an admin whose browser reads German or
// Dutch sees a quarantined message's reason and a refused form in that
// language, on pages that pass axe at desktop and phone width.
func TestErrorsInTheReadersLanguage(t *testing.T) {
	for _, c := range []struct {
		lang, accept, quarantine, refused string
	}{
		{"de", "de-DE,de;q=0.9", "ist kein Zeitpunkt nach ISO 8601", "Das Segment ist nicht gültig: conditions: 1 bis 10 Bedingungen"},
		{"nl", "nl-NL,nl;q=0.9", "is geen tijdstip volgens ISO 8601", "Het segment is niet geldig: conditions: 1 tot 10 voorwaarden"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			ctx := browserIn(t, c.accept)
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

			logIn(t, ctx, srv.URL+"/admin", "admin@example.com", "admin password 1", "main h1")
			lookAt(t, ctx, srv.URL+"/admin/sources/1", "debugger-"+c.lang)
			if q := textOf(t, ctx, "main section.card:nth-of-type(2) tbody"); !strings.Contains(q, c.quarantine) || strings.Contains(q, "is not an ISO-8601") || strings.Contains(q, "timestamp: timestamp") {
				t.Errorf("the quarantine's reason is not in %s: %q", c.lang, q)
			}

			step(t, ctx, "a segment without conditions",
				chromedp.EmulateViewport(1280, 900),
				chromedp.Navigate(srv.URL+"/segments"),
				chromedp.WaitVisible(chromedp.CSS("#sg-name")),
				chromedp.SendKeys(chromedp.CSS("#sg-name"), "Leer"),
				chromedp.SetValue(chromedp.CSS("#sg-cond"), "[]"),
				chromedp.Submit(chromedp.CSS("#sg-name")),
				chromedp.WaitVisible(chromedp.CSS(`p.flash.error[role="alert"]`)),
			)
			refusedAt, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			lookAt(t, ctx, refusedAt, "segment-error-"+c.lang)
			if f := textOf(t, ctx, "p.flash.error"); !strings.HasPrefix(f, c.refused) {
				t.Errorf("the refused segment's message is not in %s: %q", c.lang, f)
			}
		})
	}
}
