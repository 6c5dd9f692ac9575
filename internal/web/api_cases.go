package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/tabular"
)

func (s *Server) apiCreateCase(w http.ResponseWriter, r *http.Request) error {
	var c tp.Case
	if err := decodeJSON(r, &c); err != nil {
		return err
	}
	c.ID, c.Status = 0, ""
	if err := s.Cases.CreateCase(r.Context(), &c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiListCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := tp.CaseFilter{Department: q.Get("department"), Priority: tp.Priority(q.Get("priority")), Unassigned: q.Get("unassigned") == "1",
		Triage: q.Get("triage") == "1"}
	for _, st := range strings.Split(q.Get("status"), ",") {
		if st = strings.TrimSpace(st); st != "" {
			f.Status = append(f.Status, tp.CaseStatus(st))
		}
	}
	for name, dst := range map[string]*int64{"assignee": &f.AssigneeID, "customer": &f.CustomerID, "before": &f.BeforeID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return tp.Errorf(tp.EINVALID, "%s must be an id", name).WithFields(map[string]string{name: "invalid"})
			}
			*dst = n
		}
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	f.Limit = limit
	format := q.Get("format")
	if format == "csv" || format == "xlsx" {
		f.Limit = 500
	}
	list, err := s.Cases.ListCases(r.Context(), f)
	if err != nil {
		return err
	}
	if format == "" || format == "json" {
		writeJSON(w, http.StatusOK, map[string]any{"cases": list})
		return nil
	}
	return s.exportCases(w, r, format, f, list)
}

var caseHeader = []string{"id", "customer_id", "subject", "status", "priority", "department", "division", "channel", "source", "category",
	"sub_category", "assignee_id", "created_at", "first_reply_at", "first_response_due", "resolved_at", "resolution_due", "resolution_code", "root_cause",
	"text_language", "sentiment", "sentiment_score", "themes"}

// exportCases writes every case the filter selects, page by page.
func (s *Server) exportCases(w http.ResponseWriter, r *http.Request, format string, f tp.CaseFilter, page []tp.Case) error {
	ct, ok := tabular.ContentTypes[format]
	if !ok {
		return tp.Errorf(tp.EINVALID, "format must be json, csv or xlsx").WithFields(map[string]string{"format": "invalid"})
	}
	if err := s.auditExport(r, "cases", format); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="cases-%s.%s"`, time.Now().UTC().Format("2006-01-02"), format))
	tw, err := tabular.New(format, w, caseHeader)
	if err != nil {
		return err
	}
	opt := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return *t
	}
	for len(page) > 0 {
		ids := make([]int64, len(page))
		for i, c := range page {
			ids[i] = c.ID
		}
		analyses, err := s.Text.Analyses(r.Context(), tp.TextCase, ids)
		if err != nil {
			s.logErr(r, err)
			return nil // headers are gone: the truncated file is the signal
		}
		for _, c := range page {
			var lang, sentiment, themes string
			var score any
			if a, ok := analyses[c.ID]; ok {
				lang, sentiment, score, themes = a.Lang, a.Sentiment, a.Score, themeList(a)
			}
			if err := tw.Write([]any{c.ID, c.CustomerID, c.Subject, string(c.Status), string(c.Priority), c.Department, c.Division, c.Channel,
				c.Source, c.Category, c.SubCategory, c.AssigneeID, c.CreatedAt, opt(c.FirstReplyAt), opt(c.FirstResponseDue),
				opt(c.ResolvedAt), opt(c.ResolutionDue), c.ResolutionCode, c.RootCause, lang, sentiment, score, themes}); err != nil {
				return nil // the client went away
			}
		}
		if len(page) < f.Limit {
			break
		}
		f.BeforeID = page[len(page)-1].ID
		if page, err = s.Cases.ListCases(r.Context(), f); err != nil {
			s.logErr(r, err)
			return nil // headers are gone: the truncated file is the signal
		}
	}
	return tw.Close()
}

// apiCaseKPIs serves the case metrics (definitions: tp.CaseMetrics).
func (s *Server) apiCaseKPIs(w http.ResponseWriter, r *http.Request) error {
	rq, err := resultsQuery(r, 0)
	if err != nil {
		return err
	}
	rows, err := s.Cases.CaseKPIs(r.Context(), tp.CaseKPIQuery{By: r.URL.Query().Get("by"), Period: r.URL.Query().Get("period"), From: rq.From, To: rq.To})
	if err != nil {
		return err
	}
	var defs []kpiDef
	for _, d := range kpiDefs(r.URL.Query().Get("lang")) {
		if d.Group == "case" {
			defs = append(defs, d)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": rows, "definitions": defs})
	return nil
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, events, err := s.Cases.FindCase(r.Context(), id)
	if err != nil {
		return err
	}
	a, err := s.Text.Analysis(r.Context(), tp.TextCase, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"case": c, "events": events, "analysis": a})
	return nil
}

func (s *Server) apiMoveCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		Status tp.CaseStatus `json:"status"`
		Note   string        `json:"note"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	c, err := s.Cases.MoveCase(r.Context(), id, body.Status, body.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiCaseNote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		Body   string `json:"body"`
		Public bool   `json:"public"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	e, err := s.Cases.AddCaseNote(r.Context(), id, body.Body, body.Public)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) apiListRules(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Routing.ListRoutingRules(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": list})
	return nil
}

func (s *Server) apiCreateRule(w http.ResponseWriter, r *http.Request) error {
	var rule tp.RoutingRule
	if err := decodeJSON(r, &rule); err != nil {
		return err
	}
	rule.ID = 0
	if err := s.Routing.CreateRoutingRule(r.Context(), &rule); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rule)
	return nil
}

func (s *Server) apiDeleteRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Routing.DeleteRoutingRule(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiUpdateCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var ch tp.CaseChange
	if err := decodeJSON(r, &ch); err != nil {
		return err
	}
	c, err := s.Cases.UpdateCase(r.Context(), id, ch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiTaxonomy(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Cases.Taxonomy(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": t})
	return nil
}

func (s *Server) apiSetTaxonomy(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Categories tp.Taxonomy `json:"categories"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := s.Cases.SetTaxonomy(r.Context(), body.Categories); err != nil {
		return err
	}
	return s.apiTaxonomy(w, r)
}

func (s *Server) apiReplyTemplates(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Cases.ListReplyTemplates(r.Context(), r.URL.Query().Get("language"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []tp.ReplyTemplate{} // [] rather than null
	}
	writeJSON(w, http.StatusOK, map[string]any{"templates": list})
	return nil
}

// apiSaveReplyTemplate creates a template or replaces the body of the one
// with the same name and language.
func (s *Server) apiSaveReplyTemplate(w http.ResponseWriter, r *http.Request) error {
	var t tp.ReplyTemplate
	if err := decodeJSON(r, &t); err != nil {
		return err
	}
	if err := s.Cases.SaveReplyTemplate(r.Context(), &t); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) apiDeleteReplyTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Cases.DeleteReplyTemplate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiMergeCases folds case "from" into the case of the path.
func (s *Server) apiMergeCases(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		From int64 `json:"from"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	c, err := s.Cases.MergeCases(r.Context(), id, body.From)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// apiDivisions reads the division registry.
func (s *Server) apiDivisions(w http.ResponseWriter, r *http.Request) error {
	divs, err := s.Cockpit.Divisions(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"divisions": divs})
	return nil
}

// apiSetDivisions replaces the division registry.
func (s *Server) apiSetDivisions(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Divisions []string `json:"divisions"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := s.Cockpit.SetDivisions(r.Context(), body.Divisions); err != nil {
		return err
	}
	return s.apiDivisions(w, r)
}
