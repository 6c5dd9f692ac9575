package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/report"
)

// packMonths are the months the board pack archive offers: the last twelve
// complete ones, newest first. A pack is built on demand from the rollups,
// so an archived month always shows the numbers as the registry defines them.
func packMonths(now time.Time) []string {
	cur, _ := tp.PeriodOf("month", now.UTC())
	out := make([]string, 12)
	for i := range out {
		cur = cur.Previous()
		out[i] = cur.Label()
	}
	return out
}

// boardPackFile serves one month's board pack: the self-contained HTML, or
// the PDF printed by Chromium (503 with the reason when none is installed).
func (s *Server) boardPackFile(w http.ResponseWriter, r *http.Request, v *view) error {
	label := r.PathValue("month")
	at, err := time.Parse("2006-01", label)
	if err != nil {
		return tp.Errorf(tp.EINVALID, "the month must be written YYYY-MM").WithFields(map[string]string{"month": "invalid"})
	}
	month, _ := tp.PeriodOf("month", at)
	if !month.To.After(month.From) || month.To.After(s.Now()) {
		return tp.Errorf(tp.EINVALID, "a board pack is made for a complete month").WithFields(map[string]string{"month": "not complete"})
	}
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = v.Lang
	}
	if !slices.Contains(tp.Locales, lang) {
		return tp.Errorf(tp.EINVALID, "lang must be en, de or nl").WithFields(map[string]string{"lang": "invalid"})
	}
	p, err := report.Build(r.Context(), report.Store{Cockpit: s.Cockpit, Actions: s.Actions, Text: s.Text, Taxonomy: s.Analyzer.Taxonomy, Council: s.Council, People: s.People}, month, lang, s.Now())
	if err != nil {
		return err
	}
	html, err := p.HTML()
	if err != nil {
		return err
	}
	name := fmt.Sprintf("board-pack-%s-%s", label, lang)
	switch r.URL.Query().Get("format") {
	case "", "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s.html"`, name))
		_, err = w.Write(html)
		return err
	case "pdf":
		pdf, err := report.PDF(r.Context(), html)
		if errors.Is(err, report.ErrNoChromium) {
			return tp.Errorf(tp.EUNAVAILABLE, "the PDF needs Chromium or Chrome on the server (install chromium, or set TOUCHPOINT_CHROMIUM to its path); the HTML pack works without it")
		}
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.pdf"`, name))
		_, err = w.Write(pdf)
		return err
	}
	return tp.Errorf(tp.EINVALID, "format must be html or pdf").WithFields(map[string]string{"format": "invalid"})
}
