package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    string
)

// axeScript installs axe-core from npm once per test run (into a temporary
// folder) and returns its source.
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		_, npm := requireNode(t)
		dir, err := os.MkdirTemp("", "touchpoint-axe-")
		if err != nil {
			axeErr = err.Error()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir, "axe-core@4.14.1").CombinedOutput()
		if err != nil {
			axeErr = "npm install axe-core: " + err.Error() + "\n" + string(out)
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, "node_modules/axe-core/axe.min.js"))
		if err != nil {
			axeErr = err.Error()
			return
		}
		axeSource = string(b)
	})
	if axeErr != "" {
		t.Fatal(axeErr)
	}
	return axeSource
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkA11y runs axe-core on the page the browser shows and fails the test
// on any WCAG 2.1 A or AA violation, naming the rule and the elements.
func checkA11y(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeScript(t)+";true")); err != nil {
		t.Fatalf("%s: load axe-core: %v", page, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(res), &vs); err != nil {
		t.Fatalf("%s: axe result: %v", page, err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes[:min(len(v.Nodes), 3)] {
			where = append(where, strings.TrimSpace(n.HTML))
		}
		t.Errorf("%s: WCAG violation %s (%s): %s — %d element(s), e.g. %s", page, v.ID, v.Impact, v.Help, len(v.Nodes), strings.Join(where, " | "))
	}
}

// lookAt opens a page at desktop and at phone width (390 px), keeps a
// screenshot of each and checks both with axe-core.
func lookAt(t *testing.T, ctx context.Context, url, name string) {
	t.Helper()
	step(t, ctx, "open "+name, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("main")))
	screenshot(t, ctx, name+"-desktop.png")
	checkA11y(t, ctx, name+" (desktop)")
	step(t, ctx, "phone "+name, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("main")))
	screenshot(t, ctx, name+"-phone.png")
	checkA11y(t, ctx, name+" (phone)")
	if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > 391`)); err == nil && wide {
		culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main *')].filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > 391 && ![...e.children].some(c => c.getBoundingClientRect().right > 391)).slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60))`))
		t.Errorf("%s scrolls sideways on a 390 px phone; the widest: %q", name, culprits)
	}
	step(t, ctx, "reset "+name, chromedp.EmulateViewport(1280, 900))
}
