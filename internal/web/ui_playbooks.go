package web

import (
	"net/http"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// playbooksData is the playbooks page: every playbook with what it did and
// what it achieved, and the form for a new one.
type playbooksData struct {
	Results   []tp.PlaybookResult
	Segments  []tp.Segment
	SegName   map[int64]string
	Surveys   []tp.Survey // active ones, for the action survey
	SurvName  map[int64]string
	CanManage bool
	Horizon   int // days after entering when an entrant is judged
}

func (s *Server) playbooksPage(w http.ResponseWriter, r *http.Request, v *view) error {
	d := playbooksData{CanManage: v.Can(string(tp.ActPlaybookManage)), SegName: map[int64]string{}, SurvName: map[int64]string{}, Horizon: int(tp.RetentionHorizon.Hours() / 24)}
	var err error
	if d.Results, err = s.Playbooks.PlaybookResults(r.Context()); err != nil {
		return err
	}
	if d.Segments, err = s.Segments.ListSegments(r.Context()); err != nil {
		return err
	}
	for _, seg := range d.Segments {
		d.SegName[seg.ID] = seg.Name
	}
	surveys, err := s.Surveys.ListSurveys(r.Context())
	if err != nil {
		return err
	}
	for _, sv := range surveys {
		d.SurvName[sv.ID] = sv.Name
		if sv.Status == tp.SurveyActive {
			d.Surveys = append(d.Surveys, sv)
		}
	}
	v.Title = translate(v.Lang, "playbooks.title")
	return s.render(w, http.StatusOK, v, "playbooks", "", d)
}

// playbookFromForm reads the new-playbook form; a number that is not one is
// left 0 for Validate to name.
func playbookFromForm(r *http.Request) *tp.Playbook {
	num := func(k string) int { n, _ := strconv.Atoi(r.FormValue(k)); return n }
	seg, _ := strconv.ParseInt(r.FormValue("segment_id"), 10, 64)
	p := &tp.Playbook{Name: r.FormValue("name"), SegmentID: seg, Department: r.FormValue("department"),
		PeriodDays: num("period_days"), HoldoutPct: num("holdout_pct"), Action: tp.PlaybookCase}
	// The action field reads "case", "action" or "survey:ID".
	if id, ok := strings.CutPrefix(r.FormValue("action"), "survey:"); ok {
		p.Action = tp.PlaybookSurvey
		p.SurveyID, _ = strconv.ParseInt(id, 10, 64)
	} else if r.FormValue("action") == tp.PlaybookAction {
		p.Action = tp.PlaybookAction
	}
	return p
}

func (s *Server) createPlaybookForm(w http.ResponseWriter, r *http.Request, v *view) error {
	p := playbookFromForm(r)
	flash := translate(v.Lang, "playbooks.saved", p.Name)
	if err := s.Playbooks.CreatePlaybook(r.Context(), p); err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			return err
		}
		flash = v.errText(err)
	}
	http.Redirect(w, r, v.withFlash("/playbooks", flash), http.StatusSeeOther)
	return nil
}

func (s *Server) playbookEnabledForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Playbooks.SetPlaybookEnabled(r.Context(), id, r.FormValue("enabled") == "1"); err != nil {
		return err
	}
	http.Redirect(w, r, "/playbooks", http.StatusSeeOther)
	return nil
}

func (s *Server) apiListPlaybooks(w http.ResponseWriter, r *http.Request) error {
	res, err := s.Playbooks.PlaybookResults(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"playbooks": res})
	return nil
}

func (s *Server) apiCreatePlaybook(w http.ResponseWriter, r *http.Request) error {
	var p tp.Playbook
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	p.ID = 0
	if err := s.Playbooks.CreatePlaybook(r.Context(), &p); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) apiPatchPlaybook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var ch struct {
		Enabled *bool `json:"enabled"`
	}
	if err := decodeJSON(r, &ch); err != nil {
		return err
	}
	if ch.Enabled == nil {
		return tp.Errorf(tp.EINVALID, "enabled (true or false) is required").WithFields(map[string]string{"enabled": "required"})
	}
	if err := s.Playbooks.SetPlaybookEnabled(r.Context(), id, *ch.Enabled); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "enabled": *ch.Enabled})
	return nil
}

func (s *Server) apiPlaybookEntries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	list, err := s.Playbooks.PlaybookEntries(r.Context(), id, min(limit, 10000))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": list})
	return nil
}
