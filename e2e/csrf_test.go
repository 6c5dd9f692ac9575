package e2e

import (
	"context"
	"html/template"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A page on another origin of the same site (the session cookie is
// SameSite=Lax, so the browser does send it) tries, through a logged-in
// admin's Chromium, to create an alert with its webhook by fetch, a source
// by a form posted to the UI, and a source by a text/plain form whose field
// name is JSON, posted to the API. Every one is refused; the same calls
// from touchpoint's own pages work.
func TestCrossOriginRequestsAreRefused(t *testing.T) {
	ctx := browser(t)
	srv := start(t, "serve")
	cli(t, "a long passphrase\n", "user", "create", "--email", "admin@example.com", "--role", "admin", "--password-stdin", "--db", srv.DB)
	token := cli(t, "", "token", "create", "--name", "check", "--role", "admin", "--db", srv.DB)

	// The other origin: same host, another port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	evil := &http.Server{Handler: evilPages(srv.URL)}
	go evil.Serve(ln)
	t.Cleanup(func() { evil.Close() })
	evilURL := "http://" + ln.Addr().String()

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	logIn(t, ctx, srv.URL+"/login", "admin@example.com", "a long passphrase", "nav[aria-label=main]")
	step(t, ctx, "the other origin's fetch and UI form",
		chromedp.Navigate(evilURL+"/fetch-and-form"),
		chromedp.WaitReady(css("body")),
	)
	waitFor(t, ctx, srv.URL) // the form posts away from the evil page to touchpoint's refusal
	step(t, ctx, "the other origin's text/plain form to the API",
		chromedp.Navigate(evilURL+"/plain-form"),
		chromedp.WaitReady(css("body")),
	)
	waitFor(t, ctx, srv.URL)
	body, _ := chromedp.Run(ctx, chromedp.Text(css("body")))
	if !strings.Contains(body, "cross-origin") {
		t.Errorf("the API answered the text/plain form with %q", body)
	}

	var alerts struct{ Alerts []struct{ Name string } }
	var sources struct{ Sources []struct{ Name string } }
	getJSON(t, srv.URL+"/api/v1/alerts", token, &alerts)
	getJSON(t, srv.URL+"/api/v1/sources", token, &sources)
	for _, a := range alerts.Alerts {
		if strings.HasPrefix(a.Name, "evil") {
			t.Errorf("the other origin created alert %q", a.Name)
		}
	}
	for _, s := range sources.Sources {
		if strings.HasPrefix(s.Name, "evil") {
			t.Errorf("the other origin created source %q", s.Name)
		}
	}

	// The same session on touchpoint's own page: the same fetch works, so
	// the refusals above were the origin check, not a missing cookie.
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/api/v1/alerts", {method: "POST", headers: {"Content-Type": "application/json"},
		body: JSON.stringify({name: "own page", kpi: "nps", kind: "drop", period: "month", emails: ["cco@example.com"]})}).then(r => r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil || status != http.StatusCreated {
		t.Errorf("same-origin fetch with the session: %d %v", status, err)
	}
}

// waitFor waits until the tab shows a page of prefix.
func waitFor(t *testing.T, ctx context.Context, prefix string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if u, err := chromedp.Run(ctx, chromedp.Location()); err == nil && strings.HasPrefix(u, prefix) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the tab never reached %s", prefix)
}

var evilTmpl = template.Must(template.New("").Parse(`{{define "fetch-and-form"}}<!doctype html><title>win a prize</title>
<form id="f" method="post" action="{{.}}/admin/sources"><input name="name" value="evil-form"><input name="channel" value="web"></form>
<script>
fetch({{.}} + "/api/v1/alerts", {method: "POST", credentials: "include", headers: {"Content-Type": "text/plain"},
  body: JSON.stringify({name: "evil-fetch", kpi: "nps", kind: "drop", period: "month", webhook_url: "https://evil.example/hook"})})
  .catch(() => {}).finally(() => document.getElementById("f").submit());
</script>{{end}}
{{define "plain-form"}}<!doctype html><title>win a prize</title>
<form id="f" method="post" enctype="text/plain" action="{{.}}/api/v1/sources"><input name='{"name":"evil-json","channel":"web","division":"' value='"}'></form>
<script>document.getElementById("f").submit();</script>{{end}}`))

func evilPages(target string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := evilTmpl.ExecuteTemplate(w, name, target); err != nil {
			http.NotFound(w, r)
		}
	})
}
