package web

import (
	"net/http"
	"sort"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/chart"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

// overviewTile is one headline KPI of the overview.
type overviewTile struct {
	cockpitCell
	Name string
}

// overviewData is what an executive reads in a minute: the headline
// numbers, what changed significantly, and what needs them.
type overviewData struct {
	SC        *tp.Scorecard
	Tiles     []overviewTile
	Changes   []string
	Actions   []actionRow
	Overdue   int // overdue action items
	Breached  int // open cases past an SLA due time
	Open      int // open cases in the caller's reach
	Scorecard string
	QueueURL  string
	Scoped    string // a department head's department
}

// overviewPage is the landing page of the CCO, admins and department heads
// (the policy narrows a head's numbers, items and cases to their
// department): last complete month against the one before.
func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request, v *view) error {
	p, q, err := parseCockpit(r, s.Now())
	if err != nil {
		return err
	}
	q.Months = 6
	sc, err := s.Cockpit.Scorecard(r.Context(), q)
	if err != nil {
		return err
	}
	d := overviewData{SC: sc, Scorecard: "/cockpit?" + p.values().Encode(), Scoped: v.scope(tp.ActScorecardRead), QueueURL: "/cases?sla=overdue"}
	type change struct {
		p    float64
		text string
	}
	var changes []change
	for _, row := range sc.Rows {
		where := row.Slice
		if where == tp.DivisionUnassigned {
			where = translate(v.Lang, "cockpit.unassigned")
		}
		if where == "" {
			where = translate(v.Lang, "overview.everywhere")
			if d.Scoped != "" {
				where = d.Scoped
			}
		}
		for _, c := range row.Cells {
			m, _ := tp.KPIByID(c.KPI)
			if row.Slice == "" && !c.NA {
				t := overviewTile{cockpitCell: newCockpitCell(v.Lang, c), Name: i18n.KPIName(v.Lang, m)}
				t.Spark = chart.Sparkline(chart.Trend(sc.Months, c.Trend), i18n.KPIName(v.Lang, m))
				t.Detail = "/cockpit/detail?" + p.values("kpi", c.KPI).Encode()
				d.Tiles = append(d.Tiles, t)
			}
			if c.Direction == 0 {
				continue
			}
			key := "overview.rose"
			if c.Direction < 0 {
				key = "overview.fell"
			}
			verdict := translate(v.Lang, "cockpit.worse")
			if c.Better {
				verdict = translate(v.Lang, "cockpit.better")
			}
			changes = append(changes, change{c.P, translate(v.Lang, key, i18n.KPIName(v.Lang, m), where, fmtEstimate(v.Lang, c.Previous),
				fmtEstimate(v.Lang, c.Now), c.Now.N, verdict)})
		}
	}
	sort.SliceStable(changes, func(a, b int) bool { return changes[a].p < changes[b].p })
	for _, c := range changes[:min(len(changes), 8)] {
		d.Changes = append(d.Changes, c.text)
	}
	actions, _, err := s.actionRows(r, v)
	if err != nil {
		return err
	}
	for _, a := range actions {
		if a.Overdue {
			d.Overdue++
		}
	}
	d.Actions = actions[:min(len(actions), 8)]
	cases, err := s.Cases.ListCases(r.Context(), tp.CaseFilter{Status: openStatuses, Limit: 1000})
	if err != nil {
		return err
	}
	now := s.Now()
	for _, c := range cases {
		d.Open++
		if c.Overdue(now) {
			d.Breached++
		}
	}
	v.Title = translate(v.Lang, "nav.overview")
	return s.render(w, http.StatusOK, v, "overview", "", d)
}
