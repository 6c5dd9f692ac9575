package web

import (
	"net/http"
	"strconv"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

// kpiDef is one registry entry in one language, for the page and the API.
type kpiDef struct {
	ID             string `json:"id"`
	Group          string `json:"group"` // survey, case or customer
	Name           string `json:"name"`
	Definition     string `json:"definition,omitempty"`
	Formula        string `json:"formula"`
	Interval       string `json:"interval,omitempty"`
	HigherIsBetter bool   `json:"higher_is_better"`
	Scale          string `json:"scale,omitempty"`
	Unit           string `json:"unit,omitempty"`
}

// kpiDefs lists the registry (tp.Metrics and tp.CaseMetrics) in lang; the
// texts come from there only, so the page cannot drift from the code.
func kpiDefs(lang string) []kpiDef {
	var out []kpiDef
	add := func(group string, ms []tp.MetricDef) {
		for _, m := range ms {
			d := kpiDef{ID: m.ID, Group: group, Name: i18n.KPIName(lang, m), Definition: i18n.KPIDefinition(lang, m), Formula: i18n.Formula(lang, m), Interval: i18n.Interval(lang, m),
				HigherIsBetter: m.HigherIsBetter, Unit: m.Unit}
			if m.ScaleMax > 0 {
				d.Scale = strconv.Itoa(m.ScaleMin) + "–" + strconv.Itoa(m.ScaleMax)
			}
			out = append(out, d)
		}
	}
	add("survey", tp.Metrics)
	add("case", tp.CaseMetrics)
	add("customer", tp.CustomerMetrics)
	add("people", []tp.MetricDef{tp.PeopleMetric(tp.MetricCSATAfterCase)}) // the other people figures are case metrics per agent
	return out
}

type kpisData struct {
	Defs      []kpiDef
	Rule      tp.ChurnRule
	Version   int
	History   []tp.DefinitionVersion
	CanManage bool
}

func (s *Server) kpisPage(w http.ResponseWriter, r *http.Request, v *view) error {
	d := kpisData{Defs: kpiDefs(v.Lang), CanManage: v.Can(string(tp.ActKPIManage))}
	var err error
	if d.Rule, d.Version, err = s.Cockpit.ChurnRule(r.Context()); err != nil {
		return err
	}
	if d.History, err = s.Cockpit.DefinitionHistory(r.Context()); err != nil {
		return err
	}
	v.Title = translate(v.Lang, "nav.kpis")
	return s.render(w, http.StatusOK, v, "kpis", "", d)
}

// apiKPIs returns the definitions; ?lang=de|nl for the names in German or Dutch.
func (s *Server) apiKPIs(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"kpis": kpiDefs(r.URL.Query().Get("lang"))})
	return nil
}
