package web

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, tp.Errorf(tp.EINVALID, "the id in the path must be a positive integer").WithFields(map[string]string{"id": "invalid"})
	}
	return id, nil
}

func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, tp.Errorf(tp.EINVALID, "%s must be a positive integer", name).WithFields(map[string]string{name: "invalid"})
	}
	return n, nil
}

func (s *Server) apiSearchCustomers(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 50)
	if err != nil {
		return err
	}
	cs, err := s.Customers.FindCustomers(r.Context(), tp.CustomerFilter{Query: r.URL.Query().Get("q"), Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": cs})
	return nil
}

func (s *Server) apiCustomerByIdentity(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("type") == "" || q.Get("value") == "" {
		return tp.Errorf(tp.EINVALID, "give both type and value, e.g. ?type=email&value=ada@example.com").WithFields(map[string]string{"type": "required", "value": "required"})
	}
	id, err := tp.NormalizeIdentity(q.Get("type"), q.Get("value"), q.Get("country"))
	if err != nil {
		return err
	}
	c, err := s.Customers.FindCustomerByIdentity(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerFromPath(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func timelineFilter(r *http.Request) (tp.TimelineFilter, error) {
	q := r.URL.Query()
	limit, err := queryInt(r, "limit", 50)
	if err != nil {
		return tp.TimelineFilter{}, err
	}
	f := tp.TimelineFilter{Channel: q.Get("channel"), Department: q.Get("department"), Limit: limit, Cursor: q.Get("cursor")}
	if f.Channel != "" && !tp.IsChannel(f.Channel) {
		return f, tp.Errorf(tp.EINVALID, "unknown channel %s (want one of %s)", f.Channel, strings.Join(tp.Channels, ", ")).WithFields(map[string]string{"channel": "invalid"})
	}
	return f, nil
}

func (s *Server) apiTimeline(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := timelineFilter(r)
	if err != nil {
		return err
	}
	page, err := s.Customers.Timeline(r.Context(), id, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) apiTraitHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	h, err := s.Customers.TraitHistory(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": h})
	return nil
}

func (s *Server) apiUnmerge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		MergeID int64 `json:"merge_id"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if body.MergeID <= 0 {
		return tp.Errorf(tp.EINVALID, "merge_id is required: the id of the merge to undo (see the customer's merges)").WithFields(map[string]string{"merge_id": "required"})
	}
	restored, err := s.Customers.Unmerge(r.Context(), id, body.MergeID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"restored": restored})
	return nil
}

func (s *Server) apiListSources(w http.ResponseWriter, r *http.Request) error {
	src, err := s.Sources.ListSources(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": src})
	return nil
}

func (s *Server) apiCreateSource(w http.ResponseWriter, r *http.Request) error {
	var src tp.Source
	if err := decodeJSON(r, &src); err != nil {
		return err
	}
	src.ID, src.WriteKey = 0, ""
	if err := s.Sources.CreateSource(r.Context(), &src); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, src)
	return nil
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) error {
	return tp.Errorf(tp.ENOTFOUND, "no API route %s %s; see /api/v1/openapi.json", r.Method, r.URL.Path)
}

// decodeJSON reads a small JSON request body strictly.
// decodeJSON reads a JSON body. It must say Content-Type: application/json:
// a form on another site can post text/plain without asking the browser's
// permission (no CORS preflight), so a body we take as JSON must be one a
// browser sends only to pages that allow it.
func decodeJSON(r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return tp.Errorf(tp.EMEDIATYPE, "send the body as JSON with Content-Type: application/json").WithFields(map[string]string{"Content-Type": "must be application/json"})
	}
	body, err := readBody(r, 64<<10, "body")
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return tp.Errorf(tp.EINVALID, "the body is not the expected JSON object: %v", err)
	}
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	b, _ := assets.ReadFile("static/openapi.json")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// customerFromPath finds the customer whose id is the {id} path value.
func (s *Server) customerFromPath(r *http.Request) (*tp.Customer, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return s.Customers.FindCustomerByID(r.Context(), id)
}
