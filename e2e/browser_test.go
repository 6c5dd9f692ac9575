package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/touchpoint-cx/touchpoint/internal/demo"
)

// chromium returns the machine's Chromium, or skips (fails when required).
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("TOUCHPOINT_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if os.Getenv("TOUCHPOINT_E2E_REQUIRED") == "1" {
		t.Fatal("TOUCHPOINT_E2E_REQUIRED=1 but no Chromium was found (apt-get install chromium)")
	}
	t.Skip("no Chromium found; browser tests skipped")
	return ""
}

// browser starts a headless Chromium with the flags this closed network needs.
func browser(t *testing.T) context.Context { return browserIn(t, "en-US") }

// browserIn is a browser whose Accept-Language is lang.
func browserIn(t *testing.T, lang string) context.Context {
	exec := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exec), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", lang), chromedp.Flag("accept-lang", lang), chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	return ctx
}

// step runs browser actions with their own deadline; on failure it names the
// step, keeps a screenshot and the page's HTML as artifacts, and stops the test.
func step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	// A deadline on a derived context would close the tab in chromedp, so
	// the step runs aside and a timer bounds the wait.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx, actions...) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(45 * time.Second):
		err = fmt.Errorf("no result after 45 s")
	}
	if err != nil {
		// The step's error first: saving the page could fail too and must
		// not hide it.
		t.Errorf("browser step %q: %v", name, err)
		if png, err2 := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err2 == nil {
			artifact(t, "failed-"+t.Name()+".png", png)
		}
		if html, err2 := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err2 == nil {
			artifact(t, "failed-"+t.Name()+".html", []byte(html))
		}
		t.FailNow()
	}
}

// artifact saves a screenshot under e2e/artifacts for people to look at.
// screenshot keeps the whole page as an artifact.
// logIn signs in on the login form that url leads to and waits for ready,
// a CSS selector of the page behind it.
func logIn(t *testing.T, ctx context.Context, url, email, password, ready string) {
	t.Helper()
	step(t, ctx, "log in as "+email,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		// The main navigation is there only once signed in. Waiting for ready
		// alone went on before the sign-in where the login form matches it
		// too ("main h1"), and the next page was the login form.
		chromedp.WaitVisible(chromedp.CSS("nav[aria-label=main]")),
		chromedp.WaitVisible(chromedp.CSS(ready)),
	)
}

// textOf is the text of the first element sel matches.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artifact(t, name, png)
}

func artifact(t *testing.T, name string, png []byte) {
	path := filepath.Join("artifacts", name) // a subtest's name holds a slash
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrowserLoginSearchTimeline(t *testing.T) {
	ctx := browser(t)
	srv := start(t, "demo", "--customers", "300")
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string { t.Helper(); return textOf(t, ctx, sel) }
	shot := func(name string) { screenshot(t, ctx, name) }
	logIn(t, ctx, srv.URL+"/customers", demo.AdminEmail, demo.Password, "#q")
	if h := text("h1"); h != "Customers" {
		t.Fatalf("after login the page says %q", h)
	}
	// The first named customer's family name finds them again by search.
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll('#results tbody td:first-child a')].map(a => a.textContent).find(n => !n.startsWith('#')) || ''`))
	if err != nil || first == "" {
		t.Fatalf("no named customer listed: %v", err)
	}
	parts := strings.Fields(first)
	query := parts[len(parts)-1]
	step(t, ctx, "search",
		chromedp.SendKeys(css("#q"), query),
		chromedp.WaitVisible(css("#results p.muted")), // htmx swapped in the search results
	)
	shot("customers.png")
	if got := text("#results tbody"); !strings.Contains(got, query) {
		t.Errorf("search for %q shows %q", query, got)
	}
	step(t, ctx, "open customer",
		chromedp.Click(css("#results tbody tr:first-child a")),
		chromedp.WaitVisible(css("ol.timeline li.event")),
	)
	shot("customer.png")
	if h := text("h1"); !strings.Contains(h, query) {
		t.Errorf("opened customer %q, searched %q", h, query)
	}
	if tl := text("ol.timeline"); !strings.Contains(tl, "identify") || !strings.Contains(tl, "web") {
		t.Errorf("timeline lacks the signup identify: %q", tl)
	}
	// "Show older events" loads the next page in place, when there is one.
	count := func() int {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('ol.timeline li.event').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if more, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('li.more a').length`)); more == 1 {
		n := count()
		step(t, ctx, "show older events", chromedp.Click(css("li.more a")),
			chromedp.WaitVisible(css(fmt.Sprintf("ol.timeline li.event:nth-of-type(%d)", n+1))))
		if count() <= n {
			t.Errorf("show older events added nothing")
		}
	}
	// The admin page carries the demo's reply templates.
	step(t, ctx, "admin", chromedp.Navigate(srv.URL+"/admin"), chromedp.WaitVisible(css("#templates table")))
	shot("admin.png")
	if got := text("#templates tbody"); !strings.Contains(got, "Late delivery") || !strings.Contains(got, "Beste {name}") {
		t.Errorf("admin templates: %q", got)
	}
	step(t, ctx, "kpis", chromedp.Navigate(srv.URL+"/kpis"), chromedp.WaitVisible(css("#kpi-nps")))
	shot("kpis.png")
	if got := text("#kpi-recovery_rate"); !strings.Contains(got, "Recovery rate") {
		t.Errorf("kpis page: %q", got)
	}
}
