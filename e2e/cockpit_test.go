package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/demo"
)

// TestCCOCockpitAndBoardPack: the CCO logs in and lands on the scorecard,
// drills into a division and into the responses behind its NPS, and assigns
// an action item to the Logistics head. The board pack of the same month,
// printed to PDF by Chromium, holds every division's NPS as the UI shows it.
func TestCCOCockpitAndBoardPack(t *testing.T) {
	ctx := browser(t)
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil && os.Getenv("TOUCHPOINT_E2E_REQUIRED") == "1" {
		t.Fatal("TOUCHPOINT_E2E_REQUIRED=1 but pdftotext is missing (apt-get install poppler-utils)")
	}
	srv := start(t, "demo", "--customers", "2500")
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	shot := func(name string) { screenshot(t, ctx, name) }
	logIn(t, ctx, srv.URL+"/", "cco@example.com", demo.Password, "#tiles")
	// The CCO lands on the overview: a tile per headline KPI, then one click to the grid.
	tiles, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#tiles a.tile').length`))
	if err != nil || tiles != 8 {
		t.Fatalf("the overview shows %d tiles (%v), want the 8 headline KPIs", tiles, err)
	}
	changes, _ := chromedp.Run(ctx, chromedp.Text(css("#changes")))
	if !strings.Contains(changes, "rose") && !strings.Contains(changes, "fell") && !strings.Contains(changes, "No significant change") {
		t.Errorf("what changed: %q", changes)
	}
	shot("overview.png")
	step(t, ctx, "open the scorecard", chromedp.Click(css("#to-scorecard")), chromedp.WaitVisible(css("#scorecard")))
	// Every division's NPS as the scorecard shows it.
	divisions, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#scorecard tbody tr[data-slice]:not([data-slice=""])')].map(r => r.dataset.slice)`))
	if err != nil || len(divisions) != 3 {
		t.Fatalf("scorecard divisions %v: %v", divisions, err)
	}
	nps := map[string]string{}
	for _, d := range divisions {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#scorecard tr[data-slice="`+d+`"] td[data-kpi="nps"] .value').textContent.trim()`))
		if err != nil || v == "" {
			t.Fatalf("NPS of %s: %q %v", d, v, err)
		}
		nps[d] = v
	}
	shot("cockpit.png")
	step(t, ctx, "drill into Online", chromedp.Click(css(`#scorecard tr[data-slice="Online"] th a`)))
	// The click navigates: poll for the new page, retrying while the old one's context goes away.
	for i := 0; ; i++ {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.search.includes('division=Online') && document.readyState === 'complete' && !!document.querySelector('#scorecard')`))
		if err == nil && ok {
			break
		}
		if i == 100 {
			t.Fatalf("drill-down page did not load: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	head, _ := chromedp.Run(ctx, chromedp.Text(css("#scorecard thead th")))
	if !strings.Contains(head, "Channel") {
		t.Errorf("the drill-down rows are %q, want channels", head)
	}
	shot("cockpit-online.png")
	step(t, ctx, "open the responses behind Online's NPS",
		chromedp.Click(css(`#scorecard tr.total td[data-kpi="nps"] a`)),
		chromedp.WaitVisible(css("#drill-responses")),
	)
	shot("cockpit-detail.png")
	rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#drill-responses tbody tr td.num').length`))
	if rows == 0 {
		t.Error("no responses behind Online's NPS")
	}
	step(t, ctx, "open the action form",
		chromedp.Navigate(srv.URL+"/cockpit?division=Online&by=channel"),
		chromedp.WaitVisible(css("#new-action")),
	)
	owner, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const s = document.querySelector('#new-action select[name=owner_id]');
		const o = [...s.options].find(o => o.text.includes('logistics.head@example.com'));
		return o ? o.value : '' })()`))
	if err != nil || owner == "" {
		t.Fatalf("the Logistics head is not offered as owner: %v", err)
	}
	// The demo has action items, so the form is folded away: unfold it as a click on its summary does.
	step(t, ctx, "unfold the action form", chromedp.Click(css(`#actions details:not([open]) summary`)), chromedp.WaitVisible(css(`#new-action input[name=title]`)))
	step(t, ctx, "create an action item for the Logistics head",
		chromedp.SendKeys(css(`#new-action input[name=title]`), "Second carrier for Online parcels"),
		chromedp.SetValue(css(`#new-action select[name=owner_id]`), owner),
		chromedp.SetValue(css(`#new-action input[name=department]`), "Logistics"),
		chromedp.SetValue(css(`#new-action input[name=due]`), time.Now().AddDate(0, 0, 14).Format(time.DateOnly)),
		chromedp.SetValue(css(`#new-action select[name=kpi]`), "nps"),
		chromedp.Submit(css(`#new-action input[name=title]`)),
		chromedp.WaitVisible(css("#action-items")),
	)
	shot("cockpit-action.png")
	items, _ := chromedp.Run(ctx, chromedp.Text(css("#action-items")))
	if !strings.Contains(items, "Second carrier for Online parcels") || !strings.Contains(items, "logistics.head@example.com") {
		t.Errorf("action items: %q", items)
	}

	// Revenue at risk on the cockpit, then the high-risk segment, then one of
	// its customers and why they may leave.
	step(t, ctx, "see revenue at risk", chromedp.Navigate(srv.URL+"/cockpit"), chromedp.WaitVisible(css("#atrisk")))
	atRisk, _ := chromedp.Run(ctx, chromedp.Text(css("#atrisk")))
	if !strings.Contains(atRisk, "Revenue at risk") || !strings.Contains(atRisk, "high risk") {
		t.Errorf("the cockpit's revenue at risk: %q", atRisk)
	}
	step(t, ctx, "open risk and value", chromedp.Click(css(`#atrisk a[href="/risk"]`)), chromedp.WaitVisible(css("#high")))
	shot("risk.png")
	if inForce, _ := chromedp.Run(ctx, chromedp.Text(css("main"))); !strings.Contains(inForce, "in force") {
		t.Error("the risk page shows no churn model in force")
	}
	step(t, ctx, "open the high-risk segment", chromedp.Click(css(`#high a.button[href^="/segments/"]`)), chromedp.WaitVisible(css("table.risklist")))
	shot("segment-high-risk.png")
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('table.risklist tbody th a').getAttribute('href')`))
	if err != nil || !strings.HasPrefix(first, "/customers/") {
		t.Fatalf("the segment lists no customer: %q %v", first, err)
	}
	step(t, ctx, "open its riskiest customer", chromedp.Click(css(`table.risklist tbody th a`)), chromedp.WaitVisible(css("#risk")))
	shot("customer-risk.png")
	reasons, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#risk ul.reasons li')].map(li => li.textContent.trim())`))
	band, _ := chromedp.Run(ctx, chromedp.Text(css("#risk .tag")))
	if err != nil || len(reasons) == 0 || !strings.Contains(strings.ToLower(band), "high") {
		t.Errorf("the customer's risk %q with reasons %q (%v)", band, reasons, err)
	}
	customer := first

	// The customer council: a member's personal link, opened as the member
	// would: answer the session's question, post an idea, vote for another;
	// then the CCO adopts the new idea as an action item.
	step(t, ctx, "open the council", chromedp.Navigate(srv.URL+"/councils"), chromedp.WaitVisible(css("#member-list")))
	shot("council.png")
	step(t, ctx, "show a member's link", chromedp.Click(css(`#member-list tbody tr:first-child a[href$="/link"]`)), chromedp.WaitVisible(css("#member-link")))
	link, _ := chromedp.Run(ctx, chromedp.Text(css("#member-link")))
	if !strings.Contains(link, "/c/") {
		t.Fatalf("member link %q", link)
	}
	step(t, ctx, "open the member's page", chromedp.Navigate(link), chromedp.WaitVisible(css("#new-idea")))
	step(t, ctx, "answer the first question",
		chromedp.SetValue(css(`form.question textarea`), "Deliver in the evening, please."), chromedp.Submit(css(`form.question textarea`)),
		chromedp.WaitVisible(css(`p.notice`)))
	if txt, _ := chromedp.Run(ctx, chromedp.Text(css("main"))); !strings.Contains(txt, "Your answer is saved") {
		t.Errorf("after answering: %.300q", txt)
	}
	step(t, ctx, "post an idea", chromedp.SendKeys(css(`#idea-title`), "Evening delivery slots"), chromedp.Submit(css(`#idea-title`)))
	// Vote for the idea just posted (the member has not voted for it).
	mine := `[...document.querySelectorAll('ul.ideas li')].find(li => li.querySelector('strong').textContent === 'Evening delivery slots')`
	for i := 0; i < 100; i++ { // the page comes back with the idea
		if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!`+mine)); ok {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	votes := func() string {
		v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](mine+`.querySelector('.votes').textContent`))
		return v
	}
	before := votes()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](mine+`.dataset.idea`))
	if err != nil || id == "" {
		t.Fatalf("the posted idea is not listed: %v", err)
	}
	step(t, ctx, "vote for it", chromedp.Click(css(`ul.ideas li[data-idea="`+id+`"] form.inline button`)))
	after := votes()
	for i := 0; i < 100 && after == before; i++ { // the page comes back after the vote
		time.Sleep(100 * time.Millisecond)
		after = votes()
	}
	if !strings.HasPrefix(after, "1 ") {
		t.Errorf("the vote did not count: %q → %q", before, after)
	}
	lookAt(t, ctx, link, "council-member")
	for _, lang := range []string{"de", "nl"} { // the member's page follows their browser's language
		mctx := browserIn(t, lang)
		lookAt(t, mctx, link, "council-member-"+lang)
		if got, err := chromedp.Run(mctx, chromedp.Evaluate[string](`document.documentElement.lang`)); err != nil || got != lang {
			t.Errorf("the member's page in a %s browser is in %q (%v)", lang, got, err)
		}
	}
	step(t, ctx, "back to the council", chromedp.Navigate(srv.URL+"/councils"), chromedp.WaitVisible(css("#idea-list")))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#idea-list li[data-idea="`+id+`"]').length`)); err != nil || n != 1 {
		t.Fatalf("the new idea is not on the council page: %v", err)
	}
	ideaSel := `#idea-list li[data-idea="` + id + `"] `
	step(t, ctx, "adopt it as an action item",
		chromedp.Click(css(ideaSel+"details summary")),
		chromedp.SetValue(css(ideaSel+`input[name=department]`), "Logistics"),
		chromedp.SetValue(css(ideaSel+`input[name=due]`), time.Now().AddDate(0, 1, 0).Format(time.DateOnly)),
		chromedp.Submit(css(ideaSel+`input[name=department]`)), chromedp.WaitVisible(css("#idea-list")))
	if txt, _ := chromedp.Run(ctx, chromedp.Text(css(ideaSel))); !strings.Contains(txt, "action item") {
		t.Errorf("the adopted idea names no action item: %q", txt)
	}

	// Every page the CCO uses, at desktop and phone width, checked by axe-core; the
	// overview and the queue in German and Dutch as well.
	for _, p := range []struct{ path, name string }{
		{"/overview", "overview"}, {"/cockpit", "cockpit"}, {"/cockpit/detail?kpi=nps", "cockpit-detail"}, {"/cases", "cases"},
		{"/customers", "customers"}, {"/surveys", "surveys"}, {"/segments", "segments"}, {"/alerts", "alerts"}, {"/kpis", "kpis"},
		{"/admin/roles", "roles"}, {"/customers/1", "customer"}, {"/cases/1", "case"}, {"/surveys/1", "survey-results"}, {"/admin/cases", "case-settings"},
		{"/risk", "risk"}, {"/segments/1", "segment"}, {customer, "customer-scored"}, {"/playbooks", "playbooks"},
		{"/people", "people"}, {"/digest", "digest"}, {"/councils", "council"},
	} {
		lookAt(t, ctx, srv.URL+p.path, p.name)
	}
	for _, lang := range []string{"de", "nl"} {
		step(t, ctx, "switch to "+lang, chromedp.Navigate(srv.URL+"/overview"), chromedp.WaitVisible(css("#language")),
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
		lookAt(t, ctx, srv.URL+"/overview", "overview-"+lang)
		lookAt(t, ctx, srv.URL+"/cockpit", "cockpit-"+lang)
		lookAt(t, ctx, srv.URL+"/cases", "cases-"+lang)
		lookAt(t, ctx, srv.URL+"/risk", "risk-"+lang)
		lookAt(t, ctx, srv.URL+customer, "customer-scored-"+lang)
		lookAt(t, ctx, srv.URL+"/playbooks", "playbooks-"+lang)
		lookAt(t, ctx, srv.URL+"/segments/1", "segment-"+lang)
		lookAt(t, ctx, srv.URL+"/people", "people-"+lang)
		lookAt(t, ctx, srv.URL+"/digest", "digest-"+lang)
		lookAt(t, ctx, srv.URL+"/councils", "council-"+lang)
	}

	// The board pack of the month the cockpit showed.
	month, _ := tp.PeriodOf("month", time.Now())
	month = month.Previous()
	out := filepath.Join(t.TempDir(), "pack.pdf")
	cli(t, "", "report", "--db", srv.DB, "--month", month.Label(), "--out", out)
	if pdftotext == "" {
		t.Skip("pdftotext missing; the PDF's text is not checked")
	}
	text, err := exec.Command(pdftotext, "-layout", out, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	html, _ := os.ReadFile(strings.TrimSuffix(out, ".pdf") + ".html")
	for d, v := range nps {
		if !strings.Contains(string(text), d) || !strings.Contains(string(text), v) {
			t.Errorf("the PDF lacks %s's NPS %s", d, v)
		}
		// On the division's own page, the KPI table's NPS row carries the same value.
		page := string(text)[strings.Index(string(text), d+" · "+month.Label()):]
		page = page[:strings.Index(page, "Trends")]
		if line := lineWith(page, "Net Promoter Score "); !strings.Contains(line, v) {
			t.Errorf("%s's page shows NPS line %q, the cockpit %s", d, line, v)
		}
	}
	if !strings.Contains(string(html), "<svg") || !strings.Contains(string(text), "Second carrier for Online parcels") {
		t.Error("the pack lacks its charts or the open action item")
	}
	artifact(t, "board-pack.pdf", mustRead(t, out))
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
