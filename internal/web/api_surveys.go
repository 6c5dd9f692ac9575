package web

import (
	"fmt"
	"net/http"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

func (s *Server) apiListSurveys(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Surveys.ListSurveys(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"surveys": list})
	return nil
}

func (s *Server) apiCreateSurvey(w http.ResponseWriter, r *http.Request) error {
	sv := tp.Survey{CloseLoop: true} // closing the loop with detractors is the default
	if err := decodeJSON(r, &sv); err != nil {
		return err
	}
	sv.ID = 0
	if err := s.Surveys.CreateSurvey(r.Context(), &sv); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sv)
	return nil
}

func (s *Server) apiSurvey(w http.ResponseWriter, r *http.Request) error {
	sv, err := s.surveyFromPath(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sv)
	return nil
}

func (s *Server) apiUpdateSurvey(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var sv tp.Survey
	if err := decodeJSON(r, &sv); err != nil {
		return err
	}
	sv.ID = id
	if err := s.Surveys.UpdateSurvey(r.Context(), &sv); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sv)
	return nil
}

// apiInvite creates a personal link for one customer (the e-mail sending
// jobs use the same call).
func (s *Server) apiInvite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		CustomerID int64  `json:"customer_id"`
		Channel    string `json:"channel"`
		Department string `json:"department"`
		Division   string `json:"division"`
		TTLDays    int    `json:"ttl_days"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if body.TTLDays == 0 {
		body.TTLDays = 30
	}
	if body.TTLDays < 1 || body.TTLDays > 365 {
		return tp.Errorf(tp.EINVALID, "ttl_days must be 1 to 365").WithFields(map[string]string{"ttl_days": "invalid"})
	}
	inv := &tp.Invitation{SurveyID: id, CustomerID: body.CustomerID, Channel: body.Channel, Department: body.Department, Division: body.Division}
	token, err := s.Surveys.CreateInvitation(r.Context(), inv, time.Duration(body.TTLDays)*24*time.Hour)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"invitation": inv, "token": token, "url": s.baseURL(r) + "/s/" + token})
	return nil
}

func (s *Server) baseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return s.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func resultsQuery(r *http.Request, id int64) (tp.ResultsQuery, error) {
	q := tp.ResultsQuery{SurveyID: id, By: r.URL.Query().Get("by"), Period: r.URL.Query().Get("period")}
	for name, dst := range map[string]*time.Time{"from": &q.From, "to": &q.To} {
		if v := r.URL.Query().Get(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return q, tp.Errorf(tp.EINVALID, "%s must be a date like 2026-10-31", name).WithFields(map[string]string{name: "invalid"})
			}
			*dst = t
		}
	}
	if !q.To.IsZero() {
		q.To = q.To.Add(24*time.Hour - time.Microsecond) // the whole last day
	}
	return q, nil
}

func (s *Server) apiResults(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q, err := resultsQuery(r, id)
	if err != nil {
		return err
	}
	res, err := s.Surveys.SurveyResults(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// apiRespond takes an answer as JSON for a personal link (for widgets and
// custom front ends); the HTML form posts to /s/{token}.
func (s *Server) apiRespond(w http.ResponseWriter, r *http.Request) {
	if !s.limiter.allow(s.clientIP(r)) {
		writeJSONError(w, r, tp.Errorf(tp.ETOOMANY, "too many answers from this address; wait a minute"))
		return
	}
	var in tp.ResponseInput
	if err := decodeJSON(r, &in); err != nil {
		writeJSONError(w, r, err)
		return
	}
	resp, err := s.Surveys.SaveResponse(r.Context(), r.PathValue("token"), in)
	if err != nil {
		s.logErr(r, err)
		writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// apiSend invites customers by e-mail, subject to the contact budget.
func (s *Server) apiSend(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		CustomerIDs []int64  `json:"customer_ids"`
		Emails      []string `json:"emails"`
		SegmentID   int64    `json:"segment_id"`
		Channel     string   `json:"channel"`
		Department  string   `json:"department"`
		Division    string   `json:"division"`
		TTLDays     int      `json:"ttl_days"`
		BudgetDays  int      `json:"budget_days"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if body.SegmentID != 0 {
		members, _, err := s.Segments.SegmentMembers(r.Context(), body.SegmentID, 0)
		if err != nil {
			return err
		}
		body.CustomerIDs = append(body.CustomerIDs, members...)
	}
	if n := len(body.CustomerIDs) + len(body.Emails); n == 0 || (n > 5000 && body.SegmentID == 0) {
		return tp.Errorf(tp.EINVALID, "give a segment_id, or list 1 to 5000 customer_ids and emails per request").WithFields(map[string]string{"customer_ids": "1–5000"})
	}
	ids, err := s.customersByEmail(r, body.Emails)
	if err != nil {
		return err
	}
	body.CustomerIDs = append(body.CustomerIDs, ids...)
	if body.TTLDays < 0 || body.TTLDays > 365 || body.BudgetDays < 0 || body.BudgetDays > 3650 {
		return tp.Errorf(tp.EINVALID, "ttl_days must be 0–365 and budget_days 0–3650 (0 for the defaults)")
	}
	rep, err := s.Surveys.QueueInvitations(r.Context(), id, body.CustomerIDs, tp.SendOptions{Channel: body.Channel,
		Department: body.Department, Division: body.Division, TTL: time.Duration(body.TTLDays) * 24 * time.Hour, BudgetDays: body.BudgetDays})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, rep)
	return nil
}

func (s *Server) apiListTriggers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Surveys.ListTriggers(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"triggers": list})
	return nil
}

func (s *Server) apiCreateTrigger(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var t tp.Trigger
	if err := decodeJSON(r, &t); err != nil {
		return err
	}
	t.ID, t.SurveyID = 0, id
	if err := s.Surveys.CreateTrigger(r.Context(), &t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) apiDeleteTrigger(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Surveys.DeleteTrigger(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// customersByEmail finds the customers of e-mail addresses; an unknown
// address becomes a customer through the surveys source, as if identified.
func (s *Server) customersByEmail(r *http.Request, emails []string) ([]int64, error) {
	var ids []int64
	for i, e := range emails {
		id, err := tp.NormalizeIdentity(tp.IdentityEmail, e, "")
		if err != nil {
			return nil, tp.Errorf(tp.EINVALID, "emails[%d]: %s", i, err).WithFields(map[string]string{fmt.Sprintf("emails[%d]", i): "invalid"})
		}
		c, err := s.Customers.FindCustomerByIdentity(r.Context(), id)
		if tp.ErrorCode(err) == tp.ENOTFOUND {
			c, err = s.Surveys.CustomerForEmail(r.Context(), id.Value)
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, c.ID)
	}
	return ids, nil
}

func (s *Server) apiDeleteSurvey(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Surveys.DeleteSurvey(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// surveyFromPath finds the survey the path's {id} names.
func (s *Server) surveyFromPath(r *http.Request) (*tp.Survey, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return s.Surveys.FindSurvey(r.Context(), id)
}
