package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

//go:embed digest.html
var digestHTML string

var digestTmpl = template.Must(template.New("digest").Funcs(template.FuncMap{"t": i18n.T}).Parse(digestHTML))

// DigestMail writes a department's weekly digest as the mail its reader
// gets, in lang, as text and as HTML, with a link to the page and to
// unsubscribe.
func DigestMail(lang string, d tp.Digest, pageURL, unsubscribeURL string) (subject, text, html string) {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	subject = t("digest.subject", d.Department, d.From.Format(time.DateOnly))
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s – %s\n\n", subject, d.From.Format(time.DateOnly), d.To.AddDate(0, 0, -1).Format(time.DateOnly))
	if d.Empty {
		b.WriteString(t("digest.quiet") + "\n\n")
	}
	b.WriteString(t("digest.kpis") + "\n")
	for _, k := range d.KPIs {
		if k.Week.N == 0 && k.Before.N == 0 {
			continue
		}
		move := ""
		if k.Direction != 0 {
			move = map[bool]string{true: "▲ ", false: "▼ "}[k.Direction > 0] + map[bool]string{true: t("cockpit.better"), false: t("cockpit.worse")}[k.Better]
		}
		fmt.Fprintf(&b, "- %s: %s (%s %s) %s\n", i18n.KPIName(lang, tp.MetricOf(k.Metric)), Format(k.Week, lang), t("digest.before"), Format(k.Before, lang), move)
	}
	for _, part := range []struct {
		key string
		vs  []tp.Verbatim
	}{{"digest.best", d.Best}, {"digest.worst", d.Worst}} {
		fmt.Fprintf(&b, "\n%s\n", t(part.key))
		if len(part.vs) == 0 {
			b.WriteString("- " + t("digest.none") + "\n")
		}
		for _, v := range part.vs {
			fmt.Fprintf(&b, "- %s %d · %s: “%s”\n", strings.ToUpper(string(v.Type)), v.Score, v.Survey, v.Comment)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", t("digest.actions"))
	if len(d.Actions) == 0 {
		b.WriteString("- " + t("digest.none") + "\n")
	}
	for _, a := range d.Actions {
		fmt.Fprintf(&b, "- %s (%s %s)\n", a.Title, t("digest.due"), a.Due)
	}
	fmt.Fprintf(&b, "\n%s\n", t("digest.overdue"))
	if len(d.Overdue) == 0 {
		b.WriteString("- " + t("digest.none") + "\n")
	}
	for _, c := range d.Overdue {
		fmt.Fprintf(&b, "- #%d %s (%s %s)\n", c.ID, c.Subject, t("digest.due"), c.Due.Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(&b, "\n%s\n%s\n", t("digest.page", pageURL), t("digest.unsubscribe", unsubscribeURL))
	return subject, b.String(), digestHTMLOf(lang, d, subject, pageURL, unsubscribeURL)
}

// digestHTMLOf renders the same digest as the mail's HTML part.
func digestHTMLOf(lang string, d tp.Digest, subject, pageURL, unsubscribeURL string) string {
	type kpi struct {
		Name, Week, Before, Move string
		Better                   bool
	}
	type part struct {
		Title string
		Items []string
	}
	v := struct {
		Lang, Subject, From, To, Page, Unsubscribe string
		D                                          tp.Digest
		KPIs                                       []kpi
		Parts                                      []part
	}{Lang: lang, Subject: subject, From: d.From.Format(time.DateOnly), To: d.To.AddDate(0, 0, -1).Format(time.DateOnly),
		Page: pageURL, Unsubscribe: unsubscribeURL, D: d}
	for _, k := range d.KPIs {
		if k.Week.N == 0 && k.Before.N == 0 {
			continue
		}
		r := kpi{Name: i18n.KPIName(lang, tp.MetricOf(k.Metric)), Week: Format(k.Week, lang), Before: Format(k.Before, lang), Better: k.Better}
		if k.Direction != 0 {
			r.Move = map[bool]string{true: "▲", false: "▼"}[k.Direction > 0]
		}
		v.KPIs = append(v.KPIs, r)
	}
	quote := func(vs []tp.Verbatim) []string {
		var out []string
		for _, x := range vs {
			out = append(out, fmt.Sprintf("“%s” — %s %d · %s", x.Comment, strings.ToUpper(string(x.Type)), x.Score, x.Survey))
		}
		return out
	}
	var actions, overdue []string
	for _, a := range d.Actions {
		actions = append(actions, fmt.Sprintf("%s (%s %s)", a.Title, i18n.T(lang, "digest.due"), a.Due))
	}
	for _, c := range d.Overdue {
		overdue = append(overdue, fmt.Sprintf("#%d %s (%s %s)", c.ID, c.Subject, i18n.T(lang, "digest.due"), c.Due.Format("2006-01-02 15:04")))
	}
	v.Parts = []part{{i18n.T(lang, "digest.best"), quote(d.Best)}, {i18n.T(lang, "digest.worst"), quote(d.Worst)},
		{i18n.T(lang, "digest.actions"), actions}, {i18n.T(lang, "digest.overdue"), overdue}}
	var b strings.Builder
	if err := digestTmpl.Execute(&b, v); err != nil {
		return "" // the text part carries the digest
	}
	return b.String()
}
