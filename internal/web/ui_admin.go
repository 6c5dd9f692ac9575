package web

import (
	"net/http"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

type adminData struct {
	Sources   []tp.Source
	Tokens    []tp.Token
	NewToken  string
	NewKey    *tp.Source // a source just created: its write key, shown this once
	Templates []tp.ReplyTemplate
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.renderAdmin(w, r, v, http.StatusOK, adminData{})
}

func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, v *view, code int, d adminData) error {
	ctx := r.Context()
	srcs, err := s.Sources.ListSources(ctx)
	if err != nil {
		return err
	}
	toks, err := s.Users.ListTokens(ctx)
	if err != nil {
		return err
	}
	tpls, err := s.Cases.ListReplyTemplates(ctx, "")
	if err != nil {
		return err
	}
	v.Title = translate(v.Lang, "nav.admin")
	d.Sources, d.Tokens, d.Templates = srcs, toks, tpls
	return s.render(w, code, v, "admin", "", d)
}

func (s *Server) createSource(w http.ResponseWriter, r *http.Request, v *view) error {
	src := &tp.Source{Name: r.FormValue("name"), Channel: r.FormValue("channel"),
		Department: r.FormValue("department"), Division: r.FormValue("division")}
	if err := s.Sources.CreateSource(r.Context(), src); err != nil {
		if tp.ErrorCode(err) == tp.EINVALID {
			v.Flash = v.errText(err)
			return s.renderAdmin(w, r, v, http.StatusBadRequest, adminData{})
		}
		return err
	}
	// The key is rendered once in this response and never stored.
	w.Header().Set("Cache-Control", "no-store")
	v.Flash = translate(v.Lang, "admin.source.created", src.Name)
	return s.renderAdmin(w, r, v, http.StatusOK, adminData{NewKey: src})
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, v *view) error {
	t := &tp.Token{Name: r.FormValue("name"), Role: tp.Role(r.FormValue("role")), Department: r.FormValue("department")}
	secret, err := s.Users.CreateToken(r.Context(), t)
	if tp.ErrorCode(err) == tp.EINVALID {
		v.Flash = v.errText(err)
		return s.renderAdmin(w, r, v, http.StatusBadRequest, adminData{})
	}
	if err != nil {
		return err
	}
	// The secret is rendered once in this response and never stored.
	w.Header().Set("Cache-Control", "no-store")
	return s.renderAdmin(w, r, v, http.StatusOK, adminData{NewToken: secret})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return tp.Errorf(tp.EINVALID, "bad token id")
	}
	if err := s.Users.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash("/admin", translate(v.Lang, "admin.token.revoked")), http.StatusSeeOther)
	return nil
}

// saveReplyTemplate adds a template or replaces the one with the same name
// and language.
func (s *Server) saveReplyTemplate(w http.ResponseWriter, r *http.Request, v *view) error {
	t := &tp.ReplyTemplate{Name: r.FormValue("name"), Language: r.FormValue("language"), Body: r.FormValue("body"),
		ThenStatus: tp.CaseStatus(r.FormValue("then_status")), AddTags: strings.Split(r.FormValue("add_tags"), ",")}
	if err := s.Cases.SaveReplyTemplate(r.Context(), t); err != nil {
		if tp.ErrorCode(err) == tp.EINVALID {
			v.Flash = v.errText(err)
			return s.renderAdmin(w, r, v, http.StatusBadRequest, adminData{})
		}
		return err
	}
	http.Redirect(w, r, v.withFlash("/admin#templates", translate(v.Lang, "admin.template.saved", t.Name)), http.StatusSeeOther)
	return nil
}

func (s *Server) deleteReplyTemplate(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Cases.DeleteReplyTemplate(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash("/admin#templates", translate(v.Lang, "admin.template.deleted")), http.StatusSeeOther)
	return nil
}
