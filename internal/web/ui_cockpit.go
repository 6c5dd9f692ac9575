package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/chart"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
	"github.com/touchpoint-cx/touchpoint/internal/tabular"
)

// cockpitParams are the cockpit's query parameters: the period picker, the
// cut and the drill-down filters.
type cockpitParams struct {
	Kind                          string // week, month, quarter, custom
	At                            string // a day in the period (YYYY-MM-DD)
	From, To                      string // custom: first and last day
	By                            string
	Division, Department, Channel string
	Survey, Segment               string
	Months                        int
}

// parseCockpit reads the parameters; the default is the last complete month.
func parseCockpit(r *http.Request, now time.Time) (cockpitParams, tp.ScorecardQuery, error) {
	q := r.URL.Query()
	p := cockpitParams{Kind: q.Get("period"), At: q.Get("at"), From: q.Get("from"), To: q.Get("to"), By: q.Get("by"),
		Division: q.Get("division"), Department: q.Get("department"), Channel: q.Get("channel"), Survey: q.Get("survey"), Segment: q.Get("segment")}
	if p.Kind == "" {
		p.Kind = "month"
	}
	var sq tp.ScorecardQuery
	bad := func(field, format string, args ...any) error {
		return tp.Errorf(tp.EINVALID, format, args...).WithFields(map[string]string{field: "invalid"})
	}
	if p.Kind == "custom" {
		from, err1 := time.Parse(time.DateOnly, p.From)
		to, err2 := time.Parse(time.DateOnly, p.To)
		if err1 != nil || err2 != nil || to.Before(from) {
			return p, sq, bad("from", "a custom period needs from and to as YYYY-MM-DD, to not before from")
		}
		sq.Period = tp.Period{From: from, To: to.AddDate(0, 0, 1)}
	} else {
		at := now.UTC()
		if p.At != "" {
			t, err := time.Parse(time.DateOnly, p.At)
			if err != nil {
				if t, err = time.Parse("2006-01", p.At); err != nil {
					return p, sq, bad("at", "at must be a date (YYYY-MM-DD) or a month (YYYY-MM)")
				}
			}
			at = t
		}
		cur, err := tp.PeriodOf(p.Kind, at)
		if err != nil {
			return p, sq, err
		}
		if p.At == "" { // default: the last complete period
			cur = cur.Previous()
		}
		sq.Period = cur
		p.At = cur.From.Format(time.DateOnly)
	}
	var err error
	if p.Months, err = queryInt(r, "months", 12); err != nil {
		return p, sq, err
	}
	if p.Survey != "" {
		if _, err := fmt.Sscan(p.Survey, &sq.SurveyID); err != nil || sq.SurveyID <= 0 {
			return p, sq, bad("survey", "survey must be a survey id")
		}
	}
	if p.Segment != "" {
		if _, err := fmt.Sscan(p.Segment, &sq.SegmentID); err != nil || sq.SegmentID <= 0 {
			return p, sq, bad("segment", "segment must be a segment id")
		}
	}
	sq.By, sq.Division, sq.Department, sq.Channel, sq.Months = p.By, p.Division, p.Department, p.Channel, p.Months
	return p, sq, nil
}

// values renders the parameters back, with changes applied.
func (p cockpitParams) values(set ...string) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"period": p.Kind, "at": p.At, "by": p.By, "division": p.Division, "department": p.Department, "channel": p.Channel, "survey": p.Survey, "segment": p.Segment} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if p.Kind == "custom" {
		v.Del("at")
		v.Set("from", p.From)
		v.Set("to", p.To)
	}
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			v.Del(set[i])
		} else {
			v.Set(set[i], set[i+1])
		}
	}
	return v
}

type kpiHead struct {
	ID, Name, Unit string
}

type cockpitCell struct {
	tp.ScoreCell
	Value, CI, Change string
	Spark             template.HTML
	Detail            string
	YearValue         string
}

func newCockpitCell(lang string, c tp.ScoreCell) cockpitCell {
	return cockpitCell{ScoreCell: c, Value: fmtEstimate(lang, c.Now), CI: c.Now.CIText(), Change: c.ChangeText(), YearValue: fmtEstimate(lang, c.YearAgo)}
}

type cockpitRow struct {
	Slice, Label, Drill string
	Cells               []cockpitCell
}

type actionRow struct {
	tp.ActionItem
	Owner   string
	Overdue bool
	KPIName string
}

type cockpitData struct {
	Emerging       []tp.EmergingTopic // themes rising in what customers write
	P              cockpitParams
	SC             *tp.Scorecard
	Heads          []kpiHead
	Rows           []cockpitRow
	PrevURL        string
	NextURL        string
	Export         string
	Crumbs         []crumb
	Actions        []actionRow
	Owners         []tp.User
	CanAct         bool
	DefaultSlice   string
	DefaultDept    string
	DepartmentOnly bool
	Segments       []tp.Segment
	Risk           *tp.RiskSlice // value and revenue at risk of the division shown (everyone: "")
	Trainings      []tp.TrainingView
}

type crumb struct{ Label, URL string }

func (s *Server) cockpitPage(w http.ResponseWriter, r *http.Request, v *view) error {
	p, q, err := parseCockpit(r, s.Now())
	if err != nil {
		return err
	}
	if p.By == "" && v.scope(tp.ActScorecardRead) != "" {
		p.By, q.By = "channel", "channel" // a department head lands on their department, cut by channel
	}
	sc, err := s.Cockpit.Scorecard(r.Context(), q)
	if err != nil {
		return err
	}
	p.By = sc.By
	d := cockpitData{P: p, SC: sc, DepartmentOnly: v.scope(tp.ActScorecardRead) != ""}
	for _, id := range sc.KPIs {
		m, _ := tp.KPIByID(id)
		d.Heads = append(d.Heads, kpiHead{ID: id, Name: i18n.KPIName(v.Lang, m), Unit: m.Unit})
	}
	for _, row := range sc.Rows {
		cr := cockpitRow{Slice: row.Slice, Label: row.Slice}
		switch row.Slice {
		case "":
			cr.Label = translate(v.Lang, "cockpit.all")
		case tp.DivisionUnassigned: // several names folded together: nothing to drill into
			cr.Label = translate(v.Lang, "cockpit.unassigned")
		default:
			next := map[string]string{"division": "channel", "channel": "department", "department": "channel"}[sc.By]
			cr.Drill = "/cockpit?" + p.values(sc.By, row.Slice, "by", next).Encode()
		}
		for _, c := range row.Cells {
			m, _ := tp.KPIByID(c.KPI)
			cc := newCockpitCell(v.Lang, c)
			cc.Spark = chart.Sparkline(chart.Trend(sc.Months, c.Trend), i18n.KPIName(v.Lang, m)+" "+cr.Label)
			set := []string{"kpi", c.KPI}
			if row.Slice != "" {
				set = append(set, sc.By, row.Slice)
			}
			cc.Detail = "/cockpit/detail?" + p.values(set...).Encode()
			cr.Cells = append(cr.Cells, cc)
		}
		d.Rows = append(d.Rows, cr)
	}
	if p.Kind != "custom" {
		d.PrevURL = "/cockpit?" + p.values("at", sc.Previous.From.Format(time.DateOnly)).Encode()
		d.NextURL = "/cockpit?" + p.values("at", sc.Period.To.Format(time.DateOnly)).Encode()
	}
	d.Export = p.values().Encode()
	d.Crumbs = append(d.Crumbs, crumb{translate(v.Lang, "cockpit.all"), "/cockpit?" + p.values("division", "", "department", "", "channel", "", "by", "").Encode()})
	for _, f := range []struct{ key, val string }{{"division", p.Division}, {"department", p.Department}, {"channel", p.Channel}} {
		if f.val != "" {
			d.Crumbs = append(d.Crumbs, crumb{f.val, "/cockpit?" + p.values().Encode()})
		}
	}
	var slice []string
	for _, f := range []struct{ key, val string }{{"division", p.Division}, {"department", p.Department}, {"channel", p.Channel}} {
		if f.val != "" {
			slice = append(slice, f.key+"="+f.val)
		}
	}
	d.DefaultSlice = strings.Join(slice, ", ")
	d.DefaultDept = p.Department
	if dept := v.scope(tp.ActActionCreate); dept != "" {
		d.DefaultDept = dept
	}
	if d.Actions, d.Owners, err = s.actionRows(r, v); err != nil {
		return err
	}
	if d.Segments, err = s.Segments.ListSegments(r.Context()); err != nil {
		return err
	}
	d.CanAct = v.Can(string(tp.ActActionCreate))
	if d.Emerging, err = s.emerging(r, v.Lang); err != nil {
		return err
	}
	if d.Risk, err = s.riskOf(r, p.Division); err != nil {
		return err
	}
	if v.Can(string(tp.ActPeopleRead)) { // the trainings' measured effects
		if d.Trainings, err = s.People.MeasuredTrainings(r.Context()); err != nil {
			return err
		}
	}
	v.Title = translate(v.Lang, "nav.cockpit")
	return s.render(w, http.StatusOK, v, "cockpit", "", d)
}

// actionRows lists open action items, overdue ones first.
func (s *Server) actionRows(r *http.Request, v *view) ([]actionRow, []tp.User, error) {
	items, err := s.Actions.ListActions(r.Context(), tp.ActionFilter{Status: tp.ActionOpen})
	if err != nil {
		return nil, nil, err
	}
	owners, err := s.Cases.ListAgents(r.Context(), "")
	if err != nil {
		return nil, nil, err
	}
	names := map[int64]string{}
	for _, u := range owners {
		names[u.ID] = u.Email
	}
	now := s.Now()
	out := make([]actionRow, 0, len(items))
	for _, a := range items {
		m, _ := tp.KPIByID(a.KPI)
		out = append(out, actionRow{ActionItem: a, Owner: names[a.OwnerID], Overdue: a.Overdue(now, time.Local), KPIName: i18n.KPIName(v.Lang, m)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Overdue != out[j].Overdue {
			return out[i].Overdue
		}
		return out[i].Due < out[j].Due
	})
	return out, owners, nil
}

// createActionForm adds an action item from the cockpit form.
func (s *Server) createActionForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	f := r.PostForm
	a := tp.ActionItem{Title: f.Get("title"), Department: f.Get("department"), Due: f.Get("due"), KPI: f.Get("kpi"), Slice: f.Get("slice")}
	if _, err := fmt.Sscan(f.Get("owner_id"), &a.OwnerID); err != nil && f.Get("owner_id") != "" {
		return tp.Errorf(tp.EINVALID, "owner is not a user")
	}
	back := safeNext(f.Get("back"))
	if err := s.Actions.CreateAction(r.Context(), &a); err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash(back, translate(v.Lang, "actions.created", a.Title)), http.StatusSeeOther)
	return nil
}

// actionStatusForm marks an action item done or cancelled (or reopens it),
// and/or adds a comment.
func (s *Server) actionStatusForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	ch := tp.ActionChange{Comment: strings.TrimSpace(r.PostForm.Get("comment"))}
	if st := tp.ActionStatus(r.PostForm.Get("status")); st != "" {
		ch.Status = &st
	}
	if _, err := s.Actions.UpdateAction(r.Context(), id, ch); err != nil {
		return err
	}
	http.Redirect(w, r, safeNext(r.PostForm.Get("back")), http.StatusSeeOther)
	return nil
}

// withFlash adds the message shown once on the page u leads to (before u's #fragment).
func (v *view) withFlash(u, msg string) string {
	path, frag, hasFrag := strings.Cut(u, "#")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	path += sep + "flash=" + url.QueryEscape(msg)
	if v.FlashError {
		path += "&flash_error=1"
	}
	if hasFrag {
		path += "#" + frag
	}
	return path
}

// apiScorecard serves the scorecard as JSON, CSV or XLSX (?format=).
func (s *Server) apiScorecard(w http.ResponseWriter, r *http.Request) error {
	_, q, err := parseCockpit(r, s.Now())
	if err != nil {
		return err
	}
	sc, err := s.Cockpit.Scorecard(r.Context(), q)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" || format == "json" {
		writeJSON(w, http.StatusOK, sc)
		return nil
	}
	if _, ok := tabular.ContentTypes[format]; ok {
		if err := s.auditExport(r, "scorecard "+sc.Period.Label(), format); err != nil {
			return err
		}
	}
	return writeScorecard(w, format, sc)
}

// cockpitExport is the same for the UI session (the export buttons).
func (s *Server) cockpitExport(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.apiScorecard(w, r)
}

var scorecardHeader = []string{"period", "slice", "kpi", "value", "n", "ci_low", "ci_high", "too_few", "previous", "previous_n", "change",
	"significant_vs_previous", "year_ago", "year_ago_n", "significant_vs_year_ago"}

func writeScorecard(w http.ResponseWriter, format string, sc *tp.Scorecard) error {
	ct, ok := tabular.ContentTypes[format]
	if !ok {
		return tp.Errorf(tp.EINVALID, "format must be json, csv or xlsx").WithFields(map[string]string{"format": "invalid"})
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="scorecard-%s.%s"`, strings.ReplaceAll(sc.Period.Label(), " ", ""), format))
	tw, err := tabular.New(format, w, scorecardHeader)
	if err != nil {
		return err
	}
	num := func(e tp.Estimate) any {
		if e.N == 0 && e.Metric != "case_volume" {
			return nil
		}
		return e.Value
	}
	for _, row := range sc.Rows {
		slice := row.Slice
		if slice == "" {
			slice = "all"
		}
		for _, c := range row.Cells {
			if c.NA {
				continue
			}
			var change any
			if c.Change != nil {
				change = *c.Change
			}
			if err := tw.Write([]any{sc.Period.Label(), slice, c.KPI, num(c.Now), c.Now.N, c.Now.Low, c.Now.High, c.Now.TooFew,
				num(c.Previous), c.Previous.N, change, c.Direction != 0, num(c.YearAgo), c.YearAgo.N, c.YearDir != 0}); err != nil {
				return nil // the client went away
			}
		}
	}
	return tw.Close()
}

type detailData struct {
	Drivers   *driversView // key drivers of a survey KPI in the slice and period
	P         cockpitParams
	KPI       kpiHead
	Def       string
	Cell      cockpitCell
	Period    string
	Previous  string
	YearAgo   string
	Chart     template.HTML
	Dist      template.HTML // score distribution now
	Mix       template.HTML // NPS: detractors, passives, promoters a year ago, before, now
	Responses []tp.ResponseRow
	Cases     []tp.Case
	Back      string
	Export    string
	Slice     string
	Survey    bool
}

// drillFilters are the response and case filters behind a cockpit number.
func drillFilters(p cockpitParams, q tp.ScorecardQuery, kpi string) (tp.ResponseFilter, tp.CaseFilter) {
	rf := tp.ResponseFilter{SurveyID: q.SurveyID, SurveyType: tp.SurveyType(kpi), Division: p.Division, Department: p.Department, Channel: p.Channel,
		From: q.Period.From, To: q.Period.To.Add(-time.Microsecond), SegmentID: q.SegmentID}
	cf := tp.CaseFilter{Division: p.Division, Department: p.Department, Channel: p.Channel, From: q.Period.From, To: q.Period.To, SegmentID: q.SegmentID}
	return rf, cf
}

func isSurveyKPI(id string) bool { _, ok := tp.MetricByID(id); return ok }

// cockpitDetail shows one KPI of one slice: its trend with intervals and the
// responses or cases behind it, exportable.
func (s *Server) cockpitDetail(w http.ResponseWriter, r *http.Request, v *view) error {
	p, q, err := parseCockpit(r, s.Now())
	if err != nil {
		return err
	}
	kpi := r.URL.Query().Get("kpi")
	m, ok := tp.KPIByID(kpi)
	if !ok {
		return tp.Errorf(tp.EINVALID, "kpi is not a registered KPI").WithFields(map[string]string{"kpi": "unknown"})
	}
	if dept := v.scope(tp.ActScorecardRead); dept != "" {
		p.Department = dept
	}
	rf, cf := drillFilters(p, q, kpi)
	if format := r.URL.Query().Get("format"); format != "" {
		if isSurveyKPI(kpi) {
			return s.exportResponses(w, r, format, rf, "cockpit-"+kpi)
		}
		cf.Limit = 500
		page, err := s.Cases.ListCases(r.Context(), cf)
		if err != nil {
			return err
		}
		return s.exportCases(w, r, format, cf, page)
	}
	q.Months = max(q.Months, 18)
	q.By = "division"
	sc, err := s.Cockpit.Scorecard(r.Context(), q)
	if err != nil {
		return err
	}
	var cell tp.ScoreCell
	for _, c := range sc.Rows[0].Cells {
		if c.KPI == kpi {
			cell = c
		}
	}
	var slice []string
	for _, f := range []string{p.Division, p.Department, p.Channel} {
		if f != "" {
			slice = append(slice, f)
		}
	}
	if len(slice) == 0 {
		slice = append(slice, translate(v.Lang, "cockpit.all"))
	}
	d := detailData{P: p, KPI: kpiHead{ID: kpi, Name: i18n.KPIName(v.Lang, m), Unit: m.Unit}, Def: i18n.Formula(v.Lang, m), Period: sc.Period.Label(), Previous: sc.Previous.Label(),
		YearAgo: sc.YearAgo.Label(), Slice: strings.Join(slice, " · "), Survey: isSurveyKPI(kpi),
		Cell: newCockpitCell(v.Lang, cell),
		Back: "/cockpit?" + p.values().Encode(), Export: p.values("kpi", kpi).Encode()}
	unit := ""
	if m.Unit == "%" {
		unit = "%"
	}
	d.Chart = chart.Line(chart.Trend(sc.Months, cell.Trend), i18n.KPIName(v.Lang, m)+" · "+d.Slice, unit)
	if now := cell.Dist[0]; now.N() > 0 {
		var labels []string
		var counts []float64
		for j, c := range now.Count {
			labels = append(labels, fmt.Sprint(now.Min+j))
			counts = append(counts, float64(c))
		}
		d.Dist = chart.Bar(labels, counts, translate(v.Lang, "cockpit.distribution"))
	}
	if kpi == tp.MetricNPS {
		var parts [][]float64
		for _, sc := range []tp.Scores{cell.Dist[2], cell.Dist[1], cell.Dist[0]} {
			parts = append(parts, []float64{float64(sc.Between(0, 6)), float64(sc.Between(7, 8)), float64(sc.Between(9, 10))})
		}
		d.Mix = chart.Stacked([]string{sc.YearAgo.Label(), sc.Previous.Label(), sc.Period.Label()}, parts,
			[]string{translate(v.Lang, "cockpit.detractors"), translate(v.Lang, "cockpit.passives"), translate(v.Lang, "cockpit.promoters")},
			[]string{"#b3261e", "#9aa4ae", "#1a7f37"}, translate(v.Lang, "cockpit.mix"))
	}
	if d.Survey {
		tq := tp.ThemeQuery{Type: tp.SurveyType(kpi), Division: p.Division, Department: p.Department, From: sc.Period.From, To: sc.Period.To}
		if p.Survey != "" {
			tq.SurveyID, _ = strconv.ParseInt(p.Survey, 10, 64)
		}
		rows, err := s.Text.DriverRows(r.Context(), tq)
		if err != nil {
			return err
		}
		a := tp.KeyDrivers(tp.SurveyType(kpi), rows, 1)
		names := s.themeNames(v.Lang)
		for i := range a.Drivers {
			a.Drivers[i].Name = names(a.Drivers[i].Theme)
		}
		d.Drivers = &driversView{Analysis: &a, Division: p.Division, Chart: driverChart(&a, v.Lang), Unit: driverUnit(a.Metric)}
	}
	// Behind a survey number: the answers and comments, and the cases of the
	// same slice and period (detractor cases among them); behind a case number: the cases.
	const shown = 50 // the newest; the export has them all
	if d.Survey {
		rf.Limit = shown
		if err := s.Surveys.ListResponses(r.Context(), rf, func(row tp.ResponseRow) error { d.Responses = append(d.Responses, row); return nil }); err != nil {
			return err
		}
	}
	if tp.KPIGroup(kpi) != "customer" {
		cf.Limit = shown
		if d.Cases, err = s.Cases.ListCases(r.Context(), cf); err != nil {
			return err
		}
	}
	v.Title = i18n.KPIName(v.Lang, m) + " · " + d.Slice
	return s.render(w, http.StatusOK, v, "cockpit_detail", "", d)
}
