package web

import (
	"net/http"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// canWorkCases: analysts read; everyone else with a role works cases
// (department-scoped roles only their own department's; the store enforces it).
func canWorkCases(r *http.Request) error {
	if role := tp.AccessFrom(r.Context()).Role; role == tp.RoleAnalyst || role == "" {
		return tp.Errorf(tp.EFORBIDDEN, "your role may read cases but not change them")
	}
	return nil
}

func (s *Server) apiCreateCase(w http.ResponseWriter, r *http.Request) error {
	if err := canWorkCases(r); err != nil {
		return err
	}
	var c tp.Case
	if err := decodeJSON(r, &c); err != nil {
		return err
	}
	c.ID, c.Status = 0, ""
	if a := tp.AccessFrom(r.Context()); a.Role.DepartmentScoped() && c.Department != a.Department {
		return tp.Errorf(tp.EFORBIDDEN, "you may open cases for %s only", a.Department)
	}
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
				return &tp.Error{Code: tp.EINVALID, Message: name + " must be an id", Fields: map[string]string{name: "invalid"}}
			}
			*dst = n
		}
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	f.Limit = limit
	list, err := s.Cases.ListCases(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": list})
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
	writeJSON(w, http.StatusOK, map[string]any{"case": c, "events": events})
	return nil
}

func (s *Server) apiMoveCase(w http.ResponseWriter, r *http.Request) error {
	if err := canWorkCases(r); err != nil {
		return err
	}
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
	if err := canWorkCases(r); err != nil {
		return err
	}
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

func canAdministerRouting(r *http.Request) error {
	if role := tp.AccessFrom(r.Context()).Role; role != tp.RoleAdmin && role != tp.RoleCCO {
		return tp.Errorf(tp.EFORBIDDEN, "only admin and cco may change routing")
	}
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
	if err := canAdministerRouting(r); err != nil {
		return err
	}
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
	if err := canAdministerRouting(r); err != nil {
		return err
	}
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
