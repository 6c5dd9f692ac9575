package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// councilsPage lists the councils and starts one.
func (s *Server) councilsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	cs, err := s.Council.ListCouncils(r.Context())
	if err != nil {
		return err
	}
	if len(cs) == 1 && r.URL.Query().Get("list") == "" { // the usual case: one council
		http.Redirect(w, r, "/councils/"+strconv.FormatInt(cs[0].ID, 10), http.StatusSeeOther)
		return nil
	}
	v.Title = translate(v.Lang, "council.title")
	return s.render(w, http.StatusOK, v, "councils", "", map[string]any{"Councils": cs, "CanManage": v.Can(string(tp.ActCouncilManage))})
}

func (s *Server) createCouncilForm(w http.ResponseWriter, r *http.Request, v *view) error {
	c := &tp.Council{Name: r.FormValue("name")}
	if err := s.Council.CreateCouncil(r.Context(), c); err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			return err
		}
		http.Redirect(w, r, v.withFlash("/councils?list=1", v.errText(err)), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/councils/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}

// councilData is a council's page for staff.
type councilData struct {
	Council     *tp.Council
	Members     []tp.CouncilMember
	Counts      map[string]int
	Composition []tp.Composition
	Sessions    []tp.CouncilSession
	Ideas       []tp.CouncilIdea
	Segments    []tp.Segment
	CanManage   bool
	Today       string
}

func (s *Server) councilPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d := councilData{CanManage: v.Can(string(tp.ActCouncilManage)), Counts: map[string]int{}, Today: s.Now().Format(time.DateOnly)}
	if d.Council, err = s.Council.FindCouncil(r.Context(), id); err != nil {
		return err
	}
	if d.Members, err = s.Council.CouncilMembers(r.Context(), id); err != nil {
		return err
	}
	for _, m := range d.Members {
		d.Counts[m.Status]++
	}
	if d.Composition, err = s.Council.CouncilComposition(r.Context(), id); err != nil {
		return err
	}
	if d.Sessions, err = s.Council.ListSessions(r.Context(), id); err != nil {
		return err
	}
	if d.Ideas, err = s.Council.ListIdeas(r.Context(), id); err != nil {
		return err
	}
	if d.CanManage {
		if d.Segments, err = s.Segments.ListSegments(r.Context()); err != nil {
			return err
		}
	}
	v.Title = d.Council.Name
	return s.render(w, http.StatusOK, v, "council", "", d)
}

// councilBack redirects to a council's page with a flash, or shows the
// error of an invalid form as the flash.
func councilBack(w http.ResponseWriter, r *http.Request, v *view, id int64, anchor, flash string, err error) error {
	if err != nil {
		if tp.ErrorCode(err) != tp.EINVALID && tp.ErrorCode(err) != tp.ECONFLICT {
			return err
		}
		flash = v.errText(err)
	}
	http.Redirect(w, r, v.withFlash("/councils/"+strconv.FormatInt(id, 10), flash)+anchor, http.StatusSeeOther)
	return nil
}

func formID(r *http.Request, key string) int64 {
	n, _ := strconv.ParseInt(r.FormValue(key), 10, 64)
	return n
}

func (s *Server) recruitForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.FormValue("n"))
	rep, err := s.Council.Recruit(r.Context(), id, formID(r, "segment_id"), n)
	return councilBack(w, r, v, id, "#members", translate(v.Lang, "council.recruited", rep.Invited, rep.Skipped["objected"], rep.Skipped["no_email"], rep.Skipped["member"]), err)
}

func (s *Server) createSessionForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cs := &tp.CouncilSession{CouncilID: id, Topic: r.FormValue("topic"), Agenda: r.FormValue("agenda")}
	cs.At, _ = time.Parse(time.DateOnly, r.FormValue("at"))
	for _, line := range strings.Split(r.FormValue("questions"), "\n") {
		if strings.TrimSpace(line) != "" {
			cs.Questions = append(cs.Questions, tp.CouncilQuestion{Text: line})
		}
	}
	err = s.Council.CreateSession(r.Context(), cs)
	return councilBack(w, r, v, id, "#sessions", translate(v.Lang, "council.session.saved", cs.Topic), err)
}

func (s *Server) minutesForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.Council.SetMinutes(r.Context(), id, r.FormValue("minutes"))
	return councilBack(w, r, v, formID(r, "council_id"), "#sessions", translate(v.Lang, "council.minutes.saved"), err)
}

func (s *Server) decideIdeaForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.Council.DecideIdea(r.Context(), id, r.FormValue("status"), r.FormValue("decision"))
	return councilBack(w, r, v, formID(r, "council_id"), "#ideas", translate(v.Lang, "council.decided"), err)
}

func (s *Server) ideaActionForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := &tp.ActionItem{Department: strings.TrimSpace(r.FormValue("department")), Due: r.FormValue("due"), OwnerID: formID(r, "owner_id")}
	err = s.Council.IdeaToAction(r.Context(), id, a)
	return councilBack(w, r, v, formID(r, "council_id"), "#ideas", translate(v.Lang, "council.action.saved", a.ID), err)
}

// memberLinkPage shows a member's personal link to a manager, to hand over
// in person or by phone.
func (s *Server) memberLinkPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	token, err := s.Council.MemberLink(r.Context(), id)
	if err != nil {
		return err
	}
	base := s.PublicURL
	if base == "" {
		base = "http://" + r.Host
	}
	v.Title = translate(v.Lang, "council.link")
	return s.render(w, http.StatusOK, v, "councils", "", map[string]any{"Link": base + "/c/" + token})
}
