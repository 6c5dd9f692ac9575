package web

import (
	"net/http"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

type complaintData struct {
	Name, Email, Subject, Message, Error string
	CaseID                               int64
}

// complaintForm is the public complaint form: no login, no JavaScript,
// rate-limited; the complaint becomes a routed case on the sender's profile.
func (s *Server) complaintForm(w http.ResponseWriter, r *http.Request) {
	s.renderComplaint(w, http.StatusOK, negotiateLanguage(r, nil), &complaintData{})
}

func (s *Server) complaintSubmit(w http.ResponseWriter, r *http.Request) {
	lang := negotiateLanguage(r, nil)
	if !s.limiter.allow(s.clientIP(r)) {
		s.renderComplaint(w, http.StatusTooManyRequests, lang, &complaintData{Error: translate(lang, "respond.busy")})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 128<<10)
	if err := r.ParseForm(); err != nil {
		s.renderComplaint(w, http.StatusBadRequest, lang, &complaintData{Error: translate(lang, "respond.badform")})
		return
	}
	d := &complaintData{Name: strings.TrimSpace(r.PostForm.Get("name")), Email: strings.TrimSpace(r.PostForm.Get("email")),
		Subject: r.PostForm.Get("subject"), Message: strings.TrimSpace(r.PostForm.Get("message"))}
	c, err := s.Surveys.CustomerForEmail(r.Context(), d.Email)
	if err == nil && d.Message == "" {
		err = tp.Errorf(tp.EINVALID, "a complaint needs a message")
	}
	if err == nil {
		kase := &tp.Case{CustomerID: c.ID, Subject: d.Subject, Description: d.Message, Channel: "web", Source: tp.CaseFromWeb}
		if d.Name != "" { // kept on the case; a form does not change the profile's traits
			kase.Description = d.Name + ":\n" + d.Message
		}
		ctx := tp.WithAccess(r.Context(), tp.Access{Actor: "web form:" + strings.ToLower(d.Email), Role: tp.RolePublic})
		if err = s.Cases.SubmitComplaint(ctx, kase); err == nil {
			s.renderComplaint(w, http.StatusOK, lang, &complaintData{CaseID: kase.ID})
			return
		}
	}
	if tp.ErrorCode(err) != tp.EINVALID {
		s.logErr(r, err)
		s.renderComplaint(w, http.StatusInternalServerError, lang, &complaintData{Error: translate(lang, "respond.failed")})
		return
	}
	d.Error = translate(lang, "complaint.invalid")
	s.renderComplaint(w, http.StatusBadRequest, lang, d)
}

func (s *Server) renderComplaint(w http.ResponseWriter, code int, lang string, d *complaintData) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; frame-ancestors 'none'")
	if err := s.render(w, code, &view{Lang: lang}, "complaint", "complaint.html", d); err != nil {
		s.Log.Error("render complaint form", "err", err)
	}
}
