// Package report builds the monthly board pack: a cover, an executive
// summary, a page per division and the definitions, as HTML with our own SVG
// charts, and as PDF through headless Chromium's print-to-PDF. Every number
// comes from the store's scorecard, which computes through the registry.
package report

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"math"
	"os"
	"os/exec"
	"sort"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/chart"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

//go:embed pack.html
var assets embed.FS

// Store is what the pack reads.
type Store struct {
	Cockpit interface {
		Scorecard(ctx context.Context, q tp.ScorecardQuery) (*tp.Scorecard, error)
		CaseVolumeByCategory(ctx context.Context, p tp.Period) (map[string]int, error)
		ChurnRule(ctx context.Context) (tp.ChurnRule, int, error)
	}
	Actions interface {
		ListActions(ctx context.Context, f tp.ActionFilter) ([]tp.ActionItem, error)
	}
	// Text and Taxonomy give each division's key drivers of NPS; nil Text
	// leaves them out.
	Text interface {
		DriverRows(ctx context.Context, q tp.ThemeQuery) ([]tp.DriverRow, error)
	}
	Taxonomy func() []tp.Theme
	// Council and People give the council's voice and the trainings'
	// measured effects; nil leaves them out.
	Council interface {
		Voice(ctx context.Context) ([]tp.CouncilVoice, error)
	}
	People interface {
		ListTrainings(ctx context.Context) ([]tp.TrainingView, error)
	}
}

// driverMonths is the window of a division's key drivers: a quarter ending
// with the pack's month, since one month rarely has enough commented answers.
const driverMonths = 3

// Pack is the board pack's content.
type Pack struct {
	Month     tp.Period
	Lang      string
	Generated time.Time
	Divisions []Division
	Total     Division
	Moves     []Move
	Best      string // division with the highest NPS (n ≥ 30)
	Worst     string
	CatChart  template.HTML
	Actions   []Action
	Defs      []Def
	ChurnRule string
	// Headlines are the cover's executive summary: what a board member
	// reads if they read nothing else.
	Headlines []string
	Voice     []tp.CouncilVoice
	Trainings []TrainingLine
}

// TrainingLine is a training's measured effect as the pack prints it.
type TrainingLine struct {
	Title, Department, Metric, Effect string
	Known                             bool
}

// Division is one division's page.
type Division struct {
	Name   string
	Rows   []KPIRow
	Charts []Chart
	// The top three key drivers of NPS over the quarter, and the sentence
	// that says over what (or why there are none).
	Drivers     []DriverLine
	DriversNote string
}

// DriverLine is one key driver as the pack prints it.
type DriverLine struct {
	Name, Effect, CI, Importance, IfFixed string
}

// Chart is a titled SVG chart.
type Chart struct {
	Title string
	SVG   template.HTML
}

// KPIRow is one line of a division's KPI table.
type KPIRow struct {
	ID, Name, Value, CI, Change, YearAgo, Significance string
	N                                                  int
	Direction                                          int
	Better                                             bool
}

// Move is a significant change against the previous month.
type Move struct {
	Division, KPI, Text string
	Better              bool
	P                   float64 // the comparison's p-value: the strongest first
}

// Action is an open action item.
type Action struct {
	tp.ActionItem
	Overdue bool
	KPIName string
}

// Def is one definition of the appendix.
type Def struct{ Name, Definition, Formula, Interval string }

// Build gathers the pack for a month.
func Build(ctx context.Context, st Store, month tp.Period, lang string, now time.Time) (*Pack, error) {
	t := func(key string) string { return i18n.T(lang, key) }
	sc, err := st.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month, By: "division", Months: 18})
	if err != nil {
		return nil, err
	}
	p := &Pack{Month: month, Lang: lang, Generated: now}
	bestV, worstV := math.Inf(-1), math.Inf(1)
	for _, row := range sc.Rows {
		d := Division{Name: row.Slice}
		switch row.Slice {
		case "":
			d.Name = t("pack.all")
		case tp.DivisionUnassigned:
			d.Name = t("cockpit.unassigned")
		}
		for _, c := range row.Cells {
			if c.NA {
				continue
			}
			m, _ := tp.KPIByID(c.KPI)
			kr := KPIRow{ID: c.KPI, Name: i18n.KPIName(lang, m), Value: Format(c.Now, lang), CI: c.Now.CIText(), Change: c.ChangeText(), YearAgo: Format(c.YearAgo, lang),
				N: c.Now.N, Direction: c.Direction, Better: c.Better, Significance: t("cockpit.notsignificant")}
			if c.Direction != 0 {
				kr.Significance = t("cockpit.significant")
				if row.Slice != "" {
					dir := t("pack.worse")
					if c.Better {
						dir = t("pack.better")
					}
					p.Moves = append(p.Moves, Move{Division: row.Slice, KPI: i18n.KPIName(lang, m), Better: c.Better, P: c.P,
						Text: fmt.Sprintf("%s %s → %s (%s)", i18n.KPIName(lang, m), Format(c.Previous, lang), Format(c.Now, lang), dir)})
				}
			}
			d.Rows = append(d.Rows, kr)
			if c.KPI == tp.MetricNPS && row.Slice != "" && !c.Now.TooFew && c.Now.N > 0 {
				if c.Now.Value > bestV {
					bestV, p.Best = c.Now.Value, fmt.Sprintf("%s (%s)", row.Slice, Format(c.Now, lang))
				}
				if c.Now.Value < worstV {
					worstV, p.Worst = c.Now.Value, fmt.Sprintf("%s (%s)", row.Slice, Format(c.Now, lang))
				}
			}
			if c.KPI == tp.MetricNPS || c.KPI == tp.MetricCSAT || c.KPI == "case_volume" || c.KPI == "sla_compliance" {
				unit := ""
				if m.Unit == "%" {
					unit = "%"
				}
				d.Charts = append(d.Charts, Chart{i18n.KPIName(lang, m), chart.Line(chart.Trend(sc.Months, c.Trend), i18n.KPIName(lang, m)+" · "+d.Name, unit)})
			}
		}
		if row.Slice == "" {
			p.Total = d
		} else {
			if err := drivers(ctx, st, &d, row.Slice, month, lang); err != nil {
				return nil, err
			}
			p.Divisions = append(p.Divisions, d)
		}
	}
	byCat, err := st.Cockpit.CaseVolumeByCategory(ctx, month)
	if err != nil {
		return nil, err
	}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		return byCat[cats[i]] > byCat[cats[j]] || (byCat[cats[i]] == byCat[cats[j]] && cats[i] < cats[j])
	})
	if len(cats) > 8 {
		cats = cats[:8]
	}
	if len(cats) > 0 {
		counts := make([]float64, len(cats))
		for i, c := range cats {
			counts[i] = float64(byCat[c])
			if c == "" {
				cats[i] = "—"
			}
		}
		p.CatChart = chart.Bar(cats, counts, t("pack.categories"))
	}
	items, err := st.Actions.ListActions(ctx, tp.ActionFilter{Status: tp.ActionOpen})
	if err != nil {
		return nil, err
	}
	for _, a := range items {
		m, _ := tp.KPIByID(a.KPI)
		p.Actions = append(p.Actions, Action{ActionItem: a, Overdue: a.Overdue(now, time.UTC), KPIName: i18n.KPIName(lang, m)})
	}
	sort.SliceStable(p.Actions, func(i, j int) bool { return p.Actions[i].Overdue && !p.Actions[j].Overdue })
	for _, id := range sc.KPIs {
		m, _ := tp.KPIByID(id)
		p.Defs = append(p.Defs, Def{i18n.KPIName(lang, m), i18n.KPIDefinition(lang, m), i18n.Formula(lang, m), i18n.Interval(lang, m)})
	}
	rule, _, err := st.Cockpit.ChurnRule(ctx)
	if err != nil {
		return nil, err
	}
	p.ChurnRule = rule.String()
	if err := people(ctx, st, p, lang); err != nil {
		return nil, err
	}
	p.Headlines = headlines(p, lang, sc.Previous.Label())
	return p, nil
}

// people fills the council's voice and the trainings' effects.
func people(ctx context.Context, st Store, p *Pack, lang string) error {
	if st.Council != nil {
		v, err := st.Council.Voice(ctx)
		if err != nil {
			return err
		}
		p.Voice = v
	}
	if st.People == nil {
		return nil
	}
	ts, err := st.People.ListTrainings(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		l := TrainingLine{Title: t.Title, Department: t.Department, Metric: i18n.KPIName(lang, tp.MetricOf(t.Metric)), Known: t.Effect.Known}
		if l.Known {
			l.Effect = fmt.Sprintf("%+.1f [%+.1f, %+.1f]", t.Effect.Effect, t.Effect.Low, t.Effect.High)
		} else {
			l.Effect = i18n.T(lang, "people.effect."+t.Effect.Reason)
		}
		p.Trainings = append(p.Trainings, l)
	}
	return nil
}

// drivers fills a division's top three key drivers of NPS.
func drivers(ctx context.Context, st Store, d *Division, division string, month tp.Period, lang string) error {
	if st.Text == nil {
		return nil
	}
	q := tp.ThemeQuery{Division: division, Type: tp.SurveyNPS, From: month.From.AddDate(0, 1-driverMonths, 0), To: month.To}
	rows, err := st.Text.DriverRows(ctx, q)
	if err != nil {
		return err
	}
	a := tp.KeyDrivers(tp.SurveyNPS, rows, 1)
	names := map[string]string{}
	if st.Taxonomy != nil {
		for _, t := range st.Taxonomy() {
			names[t.ID] = t.Name(lang)
		}
	}
	from := tp.Period{From: q.From, To: q.To}
	switch {
	case a.TooFew:
		d.DriversNote = i18n.T(lang, "pack.drivers.toofew", a.N, from.From.Format("2006-01"), month.Label())
		return nil
	case len(a.Drivers) == 0:
		d.DriversNote = i18n.T(lang, "drivers.none", a.N)
		return nil
	}
	d.DriversNote = i18n.T(lang, "pack.drivers.note", a.N, from.From.Format("2006-01"), month.Label())
	for i, dr := range a.Drivers {
		if i == 3 {
			break
		}
		name := names[dr.Theme]
		if name == "" {
			name = dr.Theme
		}
		line := DriverLine{Name: name, Effect: fmt.Sprintf("%+.1f", dr.Effect.Value), CI: fmt.Sprintf("%+.1f … %+.1f", dr.Effect.Low, dr.Effect.High),
			Importance: fmt.Sprintf("%.0f %%", dr.Importance.Value), IfFixed: "—"}
		if dr.IfFixed.Value > 0 {
			line.IfFixed = fmt.Sprintf("+%.1f", dr.IfFixed.Value)
		}
		d.Drivers = append(d.Drivers, line)
	}
	return nil
}

// headlines writes the cover's summary: how many significant moves and
// which way, the strongest three, the best and weakest division, and the
// state of the action items.
func headlines(p *Pack, lang, previous string) []string {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	sort.SliceStable(p.Moves, func(i, j int) bool { return p.Moves[i].P < p.Moves[j].P })
	better := 0
	for _, m := range p.Moves {
		if m.Better {
			better++
		}
	}
	out := []string{t("pack.h.moves", len(p.Moves), previous, better, len(p.Moves)-better)}
	if len(p.Moves) == 0 {
		out[0] = t("pack.nomoves")
	}
	for _, m := range p.Moves[:min(3, len(p.Moves))] {
		out = append(out, m.Division+": "+m.Text)
	}
	if p.Best != "" {
		out = append(out, t("pack.best")+": "+p.Best+" · "+t("pack.worst")+": "+p.Worst)
	}
	overdue := 0
	for _, a := range p.Actions {
		if a.Overdue {
			overdue++
		}
	}
	return append(out, t("pack.h.actions", len(p.Actions), overdue))
}

// Format writes an estimate as the cockpit does; too few shows n.
func Format(e tp.Estimate, lang string) string {
	return e.Text(i18n.TooFew(lang, e) + fmt.Sprintf(" (n %d)", e.N))
}

var tmpl = template.Must(template.New("pack.html").Funcs(template.FuncMap{
	"t": i18n.T,
}).ParseFS(assets, "pack.html"))

// HTML renders the pack as one self-contained page (inline CSS and SVG).
func (p *Pack) HTML() ([]byte, error) {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ErrNoChromium says the PDF could not be made because no Chromium was found.
var ErrNoChromium = errors.New("no Chromium or Chrome found (install chromium, or set TOUCHPOINT_CHROMIUM to its path); the HTML pack is written without a PDF")

// chromiumPath finds a browser for print-to-PDF.
func chromiumPath() (string, error) {
	if p := os.Getenv("TOUCHPOINT_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TOUCHPOINT_CHROMIUM=%s: %w", p, ErrNoChromium)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// PDF prints the HTML to an A4 PDF with headless Chromium.
func PDF(ctx context.Context, html []byte) ([]byte, error) {
	path, err := chromiumPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "touchpoint-pack-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := dir + "/pack.html"
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.UserDataDir(dir+"/profile"))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+file)); err != nil {
		return nil, fmt.Errorf("chromium: %w", err)
	}
	yes := true
	pdf, err := chromedp.Run(bctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PrintBackground: &yes, PreferCSSPageSize: &yes})
		return res.Data, err
	})
	if err != nil {
		return nil, fmt.Errorf("print to PDF: %w", err)
	}
	return pdf, nil
}

// Write builds the pack, writes its HTML to htmlPath (when not empty) and
// returns the PDF; without Chromium it returns ErrNoChromium after writing
// the HTML.
func Write(ctx context.Context, st Store, month tp.Period, lang string, now time.Time, htmlPath string) ([]byte, error) {
	p, err := Build(ctx, st, month, lang, now)
	if err != nil {
		return nil, err
	}
	html, err := p.HTML()
	if err != nil {
		return nil, err
	}
	if htmlPath != "" {
		if err := os.WriteFile(htmlPath, html, 0o644); err != nil {
			return nil, err
		}
	}
	return PDF(ctx, html)
}
