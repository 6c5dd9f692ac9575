package report

import (
	"fmt"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

// DigestMail writes a department's weekly digest as the plain-text mail
// its reader gets, in lang, with a link to the page and to unsubscribe.
func DigestMail(lang string, d tp.Digest, pageURL, unsubscribeURL string) (subject, text string) {
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
		fmt.Fprintf(&b, "- %s: %s (%s %s) %s\n", kpiName(lang, k.Metric), Format(k.Week, lang), t("digest.before"), Format(k.Before, lang), move)
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
	return subject, b.String()
}

// kpiName names a digest figure: a registry KPI or a people metric.
func kpiName(lang, id string) string {
	if m, ok := tp.KPIByID(id); ok {
		return i18n.KPIName(lang, m)
	}
	return i18n.KPIName(lang, tp.PeopleMetric(id))
}
