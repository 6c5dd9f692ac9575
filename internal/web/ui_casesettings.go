package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// caseSettingsData is the case settings page: the taxonomy, the routing
// rules in the order they are tried, and the SLA policies.
type caseSettingsData struct {
	Taxonomy   string // one category per line: "delivery: late, damaged"
	Rules      []tp.RoutingRule
	Policies   []tp.SLAPolicy
	Segments   map[int64]string
	Priorities []tp.Priority
	CanManage  bool
	Divisions  string // the registry, one per line
}

func (s *Server) caseSettingsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	tax, err := s.Cases.Taxonomy(ctx)
	if err != nil {
		return err
	}
	d := caseSettingsData{Taxonomy: taxonomyText(tax), Segments: map[int64]string{}, Priorities: tp.Priorities, CanManage: v.Can(string(tp.ActCaseSettings))}
	divs, err := s.Cockpit.Divisions(ctx)
	if err != nil {
		return err
	}
	d.Divisions = strings.Join(divs, "\n")
	if d.Rules, err = s.Routing.ListRoutingRules(ctx); err != nil {
		return err
	}
	if d.Policies, err = s.SLA.ListSLAPolicies(ctx); err != nil {
		return err
	}
	if v.Can(string(tp.ActSegmentRead)) {
		segs, err := s.Segments.ListSegments(ctx)
		if err != nil {
			return err
		}
		for _, sg := range segs {
			d.Segments[sg.ID] = sg.Name
		}
	}
	v.Title = translate(v.Lang, "casesettings.title")
	return s.render(w, http.StatusOK, v, "casesettings", "", d)
}

// taxonomyText writes the taxonomy for its textarea, categories sorted.
func taxonomyText(t tp.Taxonomy) string {
	cats := make([]string, 0, len(t))
	for c := range t {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	var b strings.Builder
	for _, c := range cats {
		b.WriteString(c)
		if len(t[c]) > 0 {
			b.WriteString(": " + strings.Join(t[c], ", "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// parseTaxonomy reads the textarea back: one category per line, its
// sub-categories after a colon, separated by commas; blank lines skipped.
func parseTaxonomy(text string) (tp.Taxonomy, error) {
	t := tp.Taxonomy{}
	for i, line := range strings.Split(text, "\n") {
		cat, subs, _ := strings.Cut(line, ":")
		cat = strings.TrimSpace(cat)
		if cat == "" {
			if strings.TrimSpace(subs) != "" {
				return nil, tp.Errorf(tp.EINVALID, "line %d has sub-categories but no category", i+1).WithFields(map[string]string{"taxonomy": "invalid"})
			}
			continue
		}
		if _, dup := t[cat]; dup {
			return nil, tp.Errorf(tp.EINVALID, "line %d repeats the category %q", i+1, cat).WithFields(map[string]string{"taxonomy": "duplicate"})
		}
		t[cat] = []string{}
		for _, sub := range strings.Split(subs, ",") {
			if sub = strings.TrimSpace(sub); sub != "" {
				t[cat] = append(t[cat], sub)
			}
		}
	}
	return t, nil
}

// caseSettingsForm handles the page's forms: taxonomy, rule, rule deletion, SLA policy.
func (s *Server) caseSettingsForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	ctx, f := r.Context(), r.PostForm
	var err error
	flash := translate(v.Lang, "casesettings.saved")
	switch r.PathValue("what") {
	case "taxonomy":
		var t tp.Taxonomy
		if t, err = parseTaxonomy(f.Get("taxonomy")); err == nil {
			err = s.Cases.SetTaxonomy(ctx, t)
		}
	case "rules":
		err = s.Routing.CreateRoutingRule(ctx, ruleFromForm(f))
	case "divisions":
		err = s.Cockpit.SetDivisions(ctx, strings.Split(f.Get("divisions"), "\n"))
	case "delete-rule":
		id, _ := strconv.ParseInt(f.Get("id"), 10, 64)
		err = s.Routing.DeleteRoutingRule(ctx, id)
	case "sla":
		err = s.createSLAFromForm(r, f)
	default:
		return tp.Errorf(tp.ENOTFOUND, "no such form")
	}
	if tp.ErrorCode(err) == tp.EINVALID {
		flash, err = v.errText(err), nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash("/admin/cases", flash), http.StatusSeeOther)
	return nil
}

func ruleFromForm(f url.Values) *tp.RoutingRule {
	r := &tp.RoutingRule{Name: strings.TrimSpace(f.Get("name")), Channel: f.Get("channel"), Source: strings.TrimSpace(f.Get("source")),
		Category: strings.TrimSpace(f.Get("category")), Department: strings.TrimSpace(f.Get("department")),
		Priority: tp.Priority(f.Get("priority")), Assign: f.Get("assign") == "1"}
	r.Position, _ = strconv.Atoi(f.Get("position"))
	r.SegmentID, _ = strconv.ParseInt(f.Get("segment_id"), 10, 64)
	for _, k := range strings.Split(f.Get("keywords"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			r.Keywords = append(r.Keywords, k)
		}
	}
	return r
}

// createSLAFromForm makes an SLA policy, with a weekday calendar of its own
// when a time zone is given (the default business calendar otherwise).
func (s *Server) createSLAFromForm(r *http.Request, f url.Values) error {
	bad := func(field, format string, args ...any) error {
		return tp.Errorf(tp.EINVALID, format, args...).WithFields(map[string]string{field: "invalid"})
	}
	first, err1 := strconv.ParseFloat(f.Get("first_hours"), 64)
	res, err2 := strconv.ParseFloat(f.Get("resolution_hours"), 64)
	if err1 != nil || err2 != nil || first <= 0 || res < first {
		return bad("first_hours", "give the targets in business hours: first response above 0, resolution not below it")
	}
	p := &tp.SLAPolicy{Priority: tp.Priority(f.Get("priority")), Category: strings.TrimSpace(f.Get("category")),
		FirstResponse: time.Duration(first * float64(time.Hour)), Resolution: time.Duration(res * float64(time.Hour))}
	valid := false
	for _, pr := range tp.Priorities {
		valid = valid || pr == p.Priority
	}
	if !valid {
		return bad("priority", "priority must be low, normal, high or urgent")
	}
	var calID int64
	if tz := strings.TrimSpace(f.Get("time_zone")); tz != "" {
		open, err1 := strconv.Atoi(f.Get("open"))
		closing, err2 := strconv.Atoi(f.Get("close"))
		if err1 != nil || err2 != nil || open < 0 || closing > 24 || open >= closing {
			return bad("open", "opening hours are whole hours, 0–24, opening before closing")
		}
		c, err := tp.WeekdayCalendar(strings.TrimSpace(f.Get("calendar")), tz, strings.ToUpper(strings.TrimSpace(f.Get("country"))),
			time.Duration(open)*time.Hour, time.Duration(closing)*time.Hour)
		if err != nil {
			return err
		}
		if calID, err = s.SLA.CreateCalendar(r.Context(), c); err != nil {
			return err
		}
	}
	return s.SLA.CreateSLAPolicy(r.Context(), p, calID)
}
