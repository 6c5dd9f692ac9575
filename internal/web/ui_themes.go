package web

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/chart"
)

// themesData is the themes page: every theme's figures over the selection.
type themesData struct {
	Stats            []tp.ThemeStat
	Query            tp.ThemeQuery
	Division         string
	From, To         string
	Divisions        []string
	Analysed, Texts  int
	Emerging         []tp.EmergingTopic
	QueryString      string
	CanReanalyze     bool
	ReanalyzeStarted bool
}

func (s *Server) themesPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q, err := themeQuery(r)
	if err != nil {
		return err
	}
	d := themesData{Query: q, Division: q.Division, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to"),
		QueryString: themeLinkQuery(r), CanReanalyze: v.Can(string(tp.ActCaseSettings)), ReanalyzeStarted: r.URL.Query().Get("reanalyze") == "1"}
	if d.Stats, err = s.Text.ThemeStats(r.Context(), q, s.themeNames(v.Lang)); err != nil {
		return err
	}
	if d.Analysed, d.Texts, err = s.Text.TextProgress(r.Context()); err != nil {
		return err
	}
	if d.Emerging, err = s.emerging(r, v.Lang); err != nil {
		return err
	}
	if d.Divisions, err = s.Cockpit.Divisions(r.Context()); err != nil && tp.ErrorCode(err) != tp.EFORBIDDEN {
		return err
	}
	v.Title = translate(v.Lang, "themes.title")
	return s.render(w, http.StatusOK, v, "themes", "", d)
}

// themeLinkQuery keeps the selection (division, survey, dates) for links.
func themeLinkQuery(r *http.Request) string {
	q := url.Values{}
	for _, k := range []string{"division", "survey", "from", "to"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

type themeData struct {
	Theme       tp.Theme
	All         []tp.Theme
	Names       map[string]string
	Back        string // this page, for the correction forms
	CanLabel    bool
	Name        string
	Stat        *tp.ThemeStat
	Texts       []themeTextView
	Query       tp.ThemeQuery
	QueryString string
	Trend       template.HTML // negative share per month
	Volume      template.HTML // texts per month
}

type themeTextView struct {
	tp.ThemeText
	Highlighted template.HTML
	Others      []string        // the other themes of the text, by name
	Has         map[string]bool // every theme of the text, for the correction form
}

func (s *Server) themePage(w http.ResponseWriter, r *http.Request, v *view) error {
	q, err := themeQuery(r)
	if err != nil {
		return err
	}
	id := r.PathValue("theme")
	var theme *tp.Theme
	for _, t := range s.Analyzer.Taxonomy() {
		if t.ID == id {
			theme = &t
			break
		}
	}
	if theme == nil {
		return tp.Errorf(tp.ENOTFOUND, "no theme %q", id)
	}
	names := s.themeNames(v.Lang)
	d := themeData{Theme: *theme, Name: theme.Name(v.Lang), Query: q, QueryString: themeLinkQuery(r), All: s.Analyzer.Taxonomy(),
		Names: map[string]string{}, Back: r.URL.RequestURI(), CanLabel: v.Can(string(tp.ActTextLabel))}
	for _, t := range d.All {
		d.Names[t.ID] = t.Name(v.Lang)
	}
	stats, err := s.Text.ThemeStats(r.Context(), q, names)
	if err != nil {
		return err
	}
	for i := range stats {
		if stats[i].Theme == id {
			d.Stat = &stats[i]
		}
	}
	tq := q
	if tq.From.IsZero() {
		tq.From = time.Date(s.Now().Year()-1, s.Now().Month(), 1, 0, 0, 0, 0, time.UTC) // a year of months
	}
	months, err := s.Text.ThemeMonths(r.Context(), id, tq)
	if err != nil {
		return err
	}
	if len(months) > 0 {
		labels, parts, counts := make([]string, len(months)), make([][]float64, len(months)), make([]float64, len(months))
		for i, m := range months {
			labels[i], parts[i], counts[i] = m.Month, []float64{float64(m.Negative), float64(m.N - m.Negative)}, float64(m.N)
		}
		d.Volume = chart.Bar(labels, counts, translate(v.Lang, "theme.trend"))
		d.Trend = chart.Stacked(labels, parts, []string{translate(v.Lang, "sentiment.negative"), translate(v.Lang, "theme.other")},
			[]string{"#cf222e", "#8c959f"}, translate(v.Lang, "theme.negshare"))
	}
	texts, err := s.Text.ThemeTexts(r.Context(), id, q, 50)
	if err != nil {
		return err
	}
	for _, t := range texts {
		tv := themeTextView{ThemeText: t, Has: map[string]bool{}}
		for _, h := range t.Analysis.Themes {
			tv.Has[h.Theme] = true
			if h.Theme == id {
				tv.Highlighted = highlight(t.Text, h.Spans)
			} else {
				tv.Others = append(tv.Others, names(h.Theme))
			}
		}
		d.Texts = append(d.Texts, tv)
	}
	v.Title = d.Name
	return s.render(w, http.StatusOK, v, "theme", "", d)
}

// highlight marks the spans of text, escaping everything.
func highlight(text string, spans []tp.TextSpan) template.HTML {
	sorted := append([]tp.TextSpan(nil), spans...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var b strings.Builder
	at := 0
	for _, sp := range sorted {
		if sp.Start < at || sp.End > len(text) || sp.Start >= sp.End {
			continue // overlapping or stale (the text changed since its analysis)
		}
		b.WriteString(template.HTMLEscapeString(text[at:sp.Start]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(text[sp.Start:sp.End]))
		b.WriteString("</mark>")
		at = sp.End
	}
	b.WriteString(template.HTMLEscapeString(text[at:]))
	return template.HTML(b.String()) // every piece of the text above is escaped
}

func (s *Server) reanalyzeForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := s.Text.Reanalyze(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/themes?reanalyze=1", http.StatusSeeOther)
	return nil
}

// driversView is the key-driver section of a survey's page.
type driversView struct {
	Analysis  *tp.DriverAnalysis
	Chart     template.HTML
	Segment   int64
	Division  string
	Divisions []string
	Unit      string
}

func (s *Server) driversView(r *http.Request, sv *tp.Survey, lang string) (*driversView, error) {
	q, err := themeQuery(r)
	if err != nil {
		return nil, err
	}
	q.SurveyID = sv.ID
	a, err := s.drivers(r, q, lang)
	if err != nil {
		return nil, err
	}
	d := &driversView{Analysis: a, Division: q.Division, Segment: q.SegmentID, Unit: driverUnit(a.Metric), Chart: driverChart(a, lang)}
	if d.Divisions, err = s.Cockpit.Divisions(r.Context()); err != nil && tp.ErrorCode(err) != tp.EFORBIDDEN {
		return nil, err
	}
	return d, nil
}

func driverUnit(metric string) string { return map[string]string{"nps": " pt", "csat": " pp"}[metric] }

// driverChart draws the drivers' effects with their intervals ("" for none).
func driverChart(a *tp.DriverAnalysis, lang string) template.HTML {
	if len(a.Drivers) == 0 {
		return ""
	}
	var labels []string
	var vals, lows, highs []float64
	for _, dr := range a.Drivers {
		labels = append(labels, dr.Name)
		vals, lows, highs = append(vals, dr.Effect.Value), append(lows, dr.Effect.Low), append(highs, dr.Effect.High)
	}
	return chart.Effects(labels, vals, lows, highs, translate(lang, "drivers.chart"), driverUnit(a.Metric))
}
