package web

import (
	"net/http"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// PeopleDays is the default period of the people figures: the last 90 days.
const PeopleDays = 90

// peopleQuery reads ?from=&to=&department= (dates; by default the last
// PeopleDays days up to today).
func (s *Server) peopleQuery(r *http.Request) (tp.PeopleQuery, error) {
	rq, err := resultsQuery(r, 0)
	if err != nil {
		return tp.PeopleQuery{}, err
	}
	q := tp.PeopleQuery{Department: strings.TrimSpace(r.URL.Query().Get("department")), From: rq.From, To: rq.To}
	if q.To.IsZero() {
		q.To = s.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	}
	if q.From.IsZero() {
		q.From = q.To.AddDate(0, 0, -PeopleDays)
	}
	return q, nil
}

// apiPeople serves the CX per team and agent (definitions: tp.PeopleMetrics).
func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) error {
	q, err := s.peopleQuery(r)
	if err != nil {
		return err
	}
	rep, err := s.People.PeopleReport(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiTrainingNeeds(w http.ResponseWriter, r *http.Request) error {
	q, err := s.peopleQuery(r)
	if err != nil {
		return err
	}
	needs, err := s.People.TrainingNeeds(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": q.From, "to": q.To, "needs": needs})
	return nil
}

func (s *Server) apiListTrainings(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.People.ListTrainings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"trainings": ts})
	return nil
}

// trainingInput is a new training as the API and the form take it.
type trainingInput struct {
	Title        string  `json:"title"`
	Kind         string  `json:"kind"`
	OwnerID      int64   `json:"owner_id"`
	Department   string  `json:"department"`
	Metric       string  `json:"metric"`
	Category     string  `json:"category"`
	Due          string  `json:"due"` // YYYY-MM-DD
	Participants []int64 `json:"participant_ids"`
}

func (in trainingInput) training() (*tp.Training, error) {
	t := &tp.Training{Title: in.Title, Kind: in.Kind, OwnerID: in.OwnerID, Department: strings.TrimSpace(in.Department),
		Metric: in.Metric, Category: strings.TrimSpace(in.Category)}
	due, err := optionalDate(in.Due, "due")
	if err != nil {
		return nil, err
	}
	t.Due = due
	for _, id := range in.Participants {
		t.Participants = append(t.Participants, tp.TrainingParticipant{UserID: id})
	}
	return t, nil
}

func (s *Server) apiCreateTraining(w http.ResponseWriter, r *http.Request) error {
	var in trainingInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t, err := in.training()
	if err != nil {
		return err
	}
	if err := s.People.CreateTraining(r.Context(), t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

// apiCompleteTraining records a participant's completion:
// {"user_id": 7, "completed_at": "2026-11-30"} (the date is optional: today).
func (s *Server) apiCompleteTraining(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		UserID      int64  `json:"user_id"`
		CompletedAt string `json:"completed_at"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	at, err := optionalDate(in.CompletedAt, "completed_at")
	if err != nil {
		return err
	}
	if err := s.People.CompleteTraining(r.Context(), id, in.UserID, at); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// optionalDate parses a YYYY-MM-DD field; "" is the zero time.
func optionalDate(v, field string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return d, tp.Errorf(tp.EINVALID, "%s must be a date like 2026-12-31", field).WithFields(map[string]string{field: "invalid"})
	}
	return d, nil
}
