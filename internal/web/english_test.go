package web_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

var (
	tagRE    = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)
	spacesRE = regexp.MustCompile(`\s+`)
)

// pageText is what a reader sees of a page: its text without markup.
func pageText(page string) string {
	return spacesRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(page, " ")), " ")
}

// TestNoEnglishLeftInGermanAndDutch opens the staff pages in German and in
// Dutch and fails on any English sentence of the catalogue that shows: a
// catalogue value of two words or more whose translation differs.
func TestNoEnglishLeftInGermanAndDutch(t *testing.T) {
	f := newFixture(t)
	cockpitFixture(t, f)
	cases, _ := f.db.Cases.ListCases(ctx, tp.CaseFilter{})
	cs, _ := f.db.Customers.FindCustomers(ctx, tp.CustomerFilter{Limit: 1})
	surveys, _ := f.db.Surveys.ListSurveys(ctx)
	pages := []string{"/overview", "/cockpit", "/cockpit/detail?kpi=nps", "/cases", fmt.Sprintf("/cases/%d", cases[0].ID),
		"/customers", fmt.Sprintf("/customers/%d", cs[0].ID), "/surveys", fmt.Sprintf("/surveys/%d", surveys[0].ID), "/segments",
		"/alerts", "/kpis", "/admin", "/admin/roles", "/admin/users", "/admin/cases", "/admin/audit", "/admin/privacy",
		"/themes", "/themes/delivery", "/themes/model", fmt.Sprintf("/surveys/%d/comments?with_comment=1", surveys[0].ID), "/risk", "/playbooks", "/people", "/digest"}
	for _, lang := range []string{"de", "nl"} {
		var english []string
		for _, k := range i18n.Keys() {
			en, tr := i18n.T("en", k), i18n.T(lang, k)
			en = strings.TrimSpace(strings.SplitN(en, "%", 2)[0]) // the words before any argument
			if en != tr && len(strings.Fields(en)) >= 2 && len(en) >= 10 && !strings.Contains(tr, en) {
				english = append(english, en)
			}
		}
		// The registry's formulas and intervals are English in code; their translations are in the catalogue.
		for _, ms := range [][]tp.MetricDef{tp.Metrics, tp.CaseMetrics, tp.CustomerMetrics, tp.PeopleMetrics} {
			for _, m := range ms {
				for en, tr := range map[string]string{m.Formula: i18n.Formula(lang, m), m.Interval: i18n.Interval(lang, m)} {
					if en != "" && en != tr {
						english = append(english, en)
					}
				}
			}
		}
		b := f.browser(lang)
		b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
		for _, p := range pages {
			code, page := get(t, b, f.srv.URL+p)
			if code != 200 {
				t.Errorf("%s %s: %d", lang, p, code)
				continue
			}
			text := pageText(page)
			for _, en := range english {
				if strings.Contains(text, en) {
					t.Errorf("%s %s shows English: %q", lang, p, en)
				}
			}
		}
	}
}
