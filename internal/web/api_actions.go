package web

import (
	"net/http"
	"strconv"

	tp "github.com/touchpoint-cx/touchpoint"
)

func (s *Server) apiListActions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := tp.ActionFilter{Department: q.Get("department"), Status: tp.ActionStatus(q.Get("status"))}
	if o := q.Get("owner_id"); o != "" {
		id, err := strconv.ParseInt(o, 10, 64)
		if err != nil {
			return tp.Errorf(tp.EINVALID, "owner_id must be a user id").WithFields(map[string]string{"owner_id": "invalid"})
		}
		f.OwnerID = id
	}
	list, err := s.Actions.ListActions(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []tp.ActionItem{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"actions": list})
	return nil
}

func (s *Server) apiCreateAction(w http.ResponseWriter, r *http.Request) error {
	var a tp.ActionItem
	if err := decodeJSON(r, &a); err != nil {
		return err
	}
	a.ID, a.Status = 0, ""
	if err := s.Actions.CreateAction(r.Context(), &a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) apiAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.Actions.FindAction(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// apiUpdateAction changes title, owner, due date or status and may add a
// comment, all at once.
func (s *Server) apiUpdateAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var ch tp.ActionChange
	if err := decodeJSON(r, &ch); err != nil {
		return err
	}
	a, err := s.Actions.UpdateAction(r.Context(), id, ch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
