package web

import (
	"net/http"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

func (s *Server) apiListCouncils(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Council.ListCouncils(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"councils": cs})
	return nil
}

func (s *Server) apiCreateCouncil(w http.ResponseWriter, r *http.Request) error {
	var c tp.Council
	if err := decodeJSON(r, &c); err != nil {
		return err
	}
	if err := s.Council.CreateCouncil(r.Context(), &c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// apiCouncil serves a council with its members, composition, sessions (with
// answers) and ideas.
func (s *Server) apiCouncil(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out := map[string]any{}
	c, err := s.Council.FindCouncil(r.Context(), id)
	if err != nil {
		return err
	}
	out["council"] = c
	for key, read := range map[string]func() (any, error){
		"members":     func() (any, error) { return s.Council.CouncilMembers(r.Context(), id) },
		"composition": func() (any, error) { return s.Council.CouncilComposition(r.Context(), id) },
		"sessions":    func() (any, error) { return s.Council.ListSessions(r.Context(), id) },
		"ideas":       func() (any, error) { return s.Council.ListIdeas(r.Context(), id) },
	} {
		if out[key], err = read(); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiRecruit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		SegmentID int64 `json:"segment_id"`
		N         int   `json:"n"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rep, err := s.Council.Recruit(r.Context(), id, in.SegmentID, in.N)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiCreateSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Topic     string   `json:"topic"`
		At        string   `json:"at"` // YYYY-MM-DD
		Agenda    string   `json:"agenda"`
		Questions []string `json:"questions"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	at, err := optionalDate(in.At, "at")
	if err != nil {
		return err
	}
	cs := &tp.CouncilSession{CouncilID: id, Topic: in.Topic, At: at, Agenda: in.Agenda}
	for _, q := range in.Questions {
		cs.Questions = append(cs.Questions, tp.CouncilQuestion{Text: q})
	}
	if err := s.Council.CreateSession(r.Context(), cs); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, cs)
	return nil
}

func (s *Server) apiMinutes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Minutes string `json:"minutes"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Council.SetMinutes(r.Context(), id, in.Minutes); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiDecideIdea(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status   string `json:"status"`
		Decision string `json:"decision"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Council.DecideIdea(r.Context(), id, in.Status, in.Decision); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiIdeaAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var a tp.ActionItem
	if err := decodeJSON(r, &a); err != nil {
		return err
	}
	a.ID = 0
	if err := s.Council.IdeaToAction(r.Context(), id, &a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) apiCouncilVoice(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Council.Voice(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"councils": v, "at": time.Now().UTC()})
	return nil
}

// apiMemberPage is the member's page as JSON, for the company's own front
// ends; the personal link's token authorises.
func (s *Server) apiMemberPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.Council.MemberPage(r.Context(), r.PathValue("token"))
	if err != nil {
		writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
