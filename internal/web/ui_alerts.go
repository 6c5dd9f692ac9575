package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

type alertsData struct {
	Rules     []tp.AlertRule
	Events    []tp.AlertEvent
	Heads     []kpiHead
	Pack      tp.BoardPackConfig
	CanManage bool
	Months    []string // the board pack archive
	Secret    string   // a new webhook rule's secret, shown once
	Error     string
	Segments  []tp.Segment // a rule may watch one segment's members
	SegName   map[int64]string
}

// alertsPage shows the alert rules, the delivery log and the board pack
// recipients; admins and the CCO change them.
func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.renderAlerts(w, r, v, alertsData{}, http.StatusOK)
}

func (s *Server) renderAlerts(w http.ResponseWriter, r *http.Request, v *view, d alertsData, code int) error {
	var err error
	if d.Rules, err = s.Alerts.ListAlertRules(r.Context()); err != nil {
		return err
	}
	if d.Events, err = s.Alerts.ListAlertEvents(r.Context(), 50); err != nil {
		return err
	}
	if d.Pack, err = s.Cockpit.BoardPack(r.Context()); err != nil {
		return err
	}
	for _, id := range tp.ScorecardKPIs {
		m, _ := tp.KPIByID(id)
		d.Heads = append(d.Heads, kpiHead{ID: id, Name: i18n.KPIName(v.Lang, m), Unit: m.Unit})
	}
	d.CanManage = v.Can(string(tp.ActAlertManage))
	if d.Segments, err = s.Segments.ListSegments(r.Context()); err != nil {
		return err
	}
	d.SegName = map[int64]string{}
	for _, seg := range d.Segments {
		d.SegName[seg.ID] = seg.Name
	}
	d.Months = packMonths(s.Now())
	v.Title = translate(v.Lang, "nav.alerts")
	return s.render(w, code, v, "alerts", "", d)
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == ' ' }) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (s *Server) createAlertForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	f := r.PostForm
	rule := tp.AlertRule{Name: f.Get("name"), KPI: f.Get("kpi"), Division: f.Get("division"), Department: f.Get("department"),
		Channel: f.Get("channel"), Kind: f.Get("kind"), Op: f.Get("op"), Period: f.Get("period"), Emails: splitList(f.Get("emails")),
		WebhookURL: strings.TrimSpace(f.Get("webhook_url")), NotifyOwners: f.Get("notify_owners") == "1"}
	rule.SegmentID, _ = strconv.ParseInt(f.Get("segment_id"), 10, 64)
	if t := strings.TrimSpace(f.Get("threshold")); t != "" {
		th, err := strconv.ParseFloat(strings.Replace(t, ",", ".", 1), 64)
		if err != nil {
			return s.renderAlerts(w, r, v, alertsData{Error: v.errText(tp.Errorf(tp.EINVALID, "threshold is not a number"))}, http.StatusBadRequest)
		}
		rule.Threshold = th
	}
	if err := s.Alerts.CreateAlertRule(r.Context(), &rule); err != nil {
		var e *tp.Error
		if errors.As(err, &e) && e.Code == tp.EINVALID {
			return s.renderAlerts(w, r, v, alertsData{Error: v.errText(e)}, http.StatusBadRequest)
		}
		return err
	}
	v.Flash = translate(v.Lang, "alerts.created", rule.Name)
	return s.renderAlerts(w, r, v, alertsData{Secret: rule.Secret}, http.StatusOK)
}

func (s *Server) deleteAlertForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Alerts.DeleteAlertRule(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/alerts", http.StatusSeeOther)
	return nil
}

func (s *Server) boardPackForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	c := tp.BoardPackConfig{Recipients: splitList(r.PostForm.Get("recipients")), Lang: r.PostForm.Get("lang")}
	if err := s.Cockpit.SetBoardPack(r.Context(), c); err != nil {
		var e *tp.Error
		if errors.As(err, &e) && e.Code == tp.EINVALID {
			return s.renderAlerts(w, r, v, alertsData{Error: v.errText(e)}, http.StatusBadRequest)
		}
		return err
	}
	http.Redirect(w, r, v.withFlash("/alerts", translate(v.Lang, "alerts.packsaved")), http.StatusSeeOther)
	return nil
}

// API

func (s *Server) apiListAlerts(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.Alerts.ListAlertRules(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": rules})
	return nil
}

// apiCreateAlert answers with the rule, including the webhook secret (the
// only time it is shown).
func (s *Server) apiCreateAlert(w http.ResponseWriter, r *http.Request) error {
	var rule tp.AlertRule
	if err := decodeJSON(r, &rule); err != nil {
		return err
	}
	if err := s.Alerts.CreateAlertRule(r.Context(), &rule); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rule)
	return nil
}

func (s *Server) apiDeleteAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Alerts.DeleteAlertRule(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiAlertEvents(w http.ResponseWriter, r *http.Request) error {
	n, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	events, err := s.Alerts.ListAlertEvents(r.Context(), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events})
	return nil
}

func (s *Server) apiBoardPack(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Cockpit.BoardPack(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiSetBoardPack(w http.ResponseWriter, r *http.Request) error {
	var c tp.BoardPackConfig
	if err := decodeJSON(r, &c); err != nil {
		return err
	}
	if err := s.Cockpit.SetBoardPack(r.Context(), c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// apiChurnDefinition returns the churn rule in force and every version.
func (s *Server) apiChurnDefinition(w http.ResponseWriter, r *http.Request) error {
	rule, version, err := s.Cockpit.ChurnRule(r.Context())
	if err != nil {
		return err
	}
	hist, err := s.Cockpit.DefinitionHistory(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"kpi": "churn_rate", "version": version, "rule": rule, "history": hist})
	return nil
}

// apiSetChurnDefinition stores a new version of the churn rule.
func (s *Server) apiSetChurnDefinition(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		tp.ChurnRule
		Note string `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.Cockpit.SetChurnRule(r.Context(), in.ChurnRule, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// churnDefinitionForm is the same from the /kpis page.
func (s *Server) churnDefinitionForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	f := r.PostForm
	rule := tp.ChurnRule{Event: f.Get("event")}
	if f.Get("mode") == "trait" {
		rule = tp.ChurnRule{Trait: f.Get("trait"), Value: f.Get("value")}
	}
	if _, err := s.Cockpit.SetChurnRule(r.Context(), rule, f.Get("note")); err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash("/kpis#kpi-churn_rate", translate(v.Lang, "kpis.saved")), http.StatusSeeOther)
	return nil
}
