package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/touchpoint-cx/touchpoint/internal/demo"
)

// TestCCOReadsDriversAndThemes: the CCO opens the Online division's NPS,
// sees its key drivers, opens a theme from there and reads the comments
// behind it with the words that found the theme marked.
func TestCCOReadsDriversAndThemes(t *testing.T) {
	ctx := browser(t)
	srv := start(t, "demo", "--customers", "2500")
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	logIn(t, ctx, srv.URL+"/", "cco@example.com", demo.Password, "#tiles")
	// The analysis job starts with the server: wait until it has read every text.
	progress := regexp.MustCompile(`(\d+) of (\d+) texts analysed`)
	for i := 0; ; i++ {
		step(t, ctx, "open the themes", chromedp.Navigate(srv.URL+"/themes"), chromedp.WaitVisible(css("#progress")))
		text, _ := chromedp.Run(ctx, chromedp.Text(css("#progress")))
		if m := progress.FindStringSubmatch(text); m != nil && m[1] == m[2] && m[1] != "0" {
			break
		}
		if i == 60 {
			t.Fatalf("the texts were not analysed within a minute: %q", text)
		}
		time.Sleep(time.Second)
	}
	themes, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('main table.list tbody tr').length`))
	if themes < 5 {
		t.Errorf("the themes page lists %d themes", themes)
	}
	screenshot(t, ctx, "themes.png")

	step(t, ctx, "open Online's NPS", chromedp.Navigate(srv.URL+"/surveys/1?division=Online"), chromedp.WaitVisible(css("#drivers")))
	h1, _ := chromedp.Run(ctx, chromedp.Text(css("main h1")))
	heading, _ := chromedp.Run(ctx, chromedp.Text(css("#drivers h2")))
	if !strings.Contains(h1, "NPS") || !strings.Contains(heading, "Online") {
		t.Fatalf("survey %q, drivers heading %q", h1, heading)
	}
	drivers, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#drivers tbody th a')].map(a => a.textContent)`))
	if err != nil || len(drivers) < 3 {
		t.Fatalf("drivers %v (%v)", drivers, err)
	}
	bars, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#drivers svg rect').length`))
	if bars != len(drivers) {
		t.Errorf("the driver chart has %d bars for %d drivers", bars, len(drivers))
	}
	screenshot(t, ctx, "drivers.png")

	step(t, ctx, "open the first driver's theme", chromedp.Click(css(`#drivers tbody tr:first-child th a`)))
	for i := 0; ; i++ {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.pathname.startsWith('/themes/') && document.readyState === 'complete' && !!document.querySelector('main h1')`))
		if err == nil && ok {
			break
		}
		if i == 100 {
			t.Fatalf("the theme page did not load: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	name, _ := chromedp.Run(ctx, chromedp.Text(css("main h1")))
	if !strings.Contains(name, drivers[0]) || !strings.Contains(strings.ToLower(name), "online") {
		t.Errorf("theme page %q, want %q in Online", name, drivers[0])
	}
	marks, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('main table.list tbody tr td mark').length`))
	rows, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main table.list tbody tr')].map(r => r.cells[6].textContent.trim())`))
	if len(rows) == 0 || marks < len(rows) {
		t.Errorf("%d comments with %d marked words", len(rows), marks)
	}
	for _, d := range rows {
		if d != "Online" {
			t.Errorf("a comment of division %q on Online's theme page", d)
			break
		}
	}
	screenshot(t, ctx, "theme.png")

	// The new pages at desktop and phone width, checked by axe-core, and in
	// German and Dutch.
	lookAt(t, ctx, srv.URL+"/themes", "themes")
	lookAt(t, ctx, srv.URL+"/surveys/1?division=Online", "survey-drivers")
	lookAt(t, ctx, srv.URL+"/themes/app_website?division=Online", "theme")
	lookAt(t, ctx, srv.URL+"/surveys/1/comments?with_comment=1&theme=delivery", "comments-theme")
	lookAt(t, ctx, srv.URL+"/themes/model", "theme-model")
	lookAt(t, ctx, srv.URL+"/cockpit/detail?kpi=nps&division=Online&period=quarter", "cockpit-drivers")
	for _, lang := range []string{"de", "nl"} {
		step(t, ctx, "switch to "+lang, chromedp.Navigate(srv.URL+"/themes"), chromedp.WaitVisible(css("#language")),
			chromedp.SetValue(css("#language"), lang), chromedp.Submit(css("#language")))
		for i := 0; ; i++ {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === 'complete' ? document.documentElement.lang : ''`))
			if err == nil && got == lang {
				break
			}
			if i == 100 {
				t.Fatalf("the page did not switch to %s: %q %v", lang, got, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		lookAt(t, ctx, srv.URL+"/themes", "themes-"+lang)
		lookAt(t, ctx, srv.URL+"/surveys/1?division=Online", "survey-drivers-"+lang)
		lookAt(t, ctx, srv.URL+"/themes/app_website?division=Online", "theme-"+lang)
	}
}
