package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/tabular"
)

// The admin's pages for people: users (with their sign-in locks) and the
// audit log.

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.renderUsers(w, r, v, http.StatusOK, nil)
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, v *view, code int, fields map[string]string) error {
	users, err := s.Users.ListUsers(r.Context())
	if err != nil {
		return err
	}
	v.Title = translate(v.Lang, "users.title")
	return s.render(w, code, v, "users", "", map[string]any{"Users": users, "Fields": fields})
}

func (s *Server) createUserForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	f := r.PostForm
	u := &tp.User{Email: f.Get("email"), Role: tp.Role(f.Get("role")), Department: strings.TrimSpace(f.Get("department")), Locale: f.Get("locale")}
	if err := s.Users.CreateUser(r.Context(), u, f.Get("password")); err != nil {
		if c := tp.ErrorCode(err); c == tp.EINVALID || c == tp.ECONFLICT {
			v.Flash = v.errText(err)
			return s.renderUsers(w, r, v, http.StatusBadRequest, tp.ErrorFields(err))
		}
		return err
	}
	http.Redirect(w, r, v.withFlash("/admin/users", translate(v.Lang, "users.created", u.Email)), http.StatusSeeOther)
	return nil
}

func (s *Server) unlockUserForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Users.UnlockUser(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash("/admin/users", translate(v.Lang, "users.unlocked")), http.StatusSeeOther)
	return nil
}

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.Users.ListUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		tp.User
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	u := &tp.User{Email: body.Email, Role: body.Role, Department: body.Department, Locale: body.Locale}
	if err := s.Users.CreateUser(r.Context(), u, body.Password); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiUnlockUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Users.UnlockUser(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// auditFilter reads ?actor, ?action (a prefix when it ends in "."), ?from,
// ?to (dates, to exclusive of the next day) and ?before.
func auditFilter(r *http.Request) (tp.AuditFilter, error) {
	q := r.URL.Query()
	f := tp.AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action"))}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return f, tp.Errorf(tp.EINVALID, "%s must be a date like 2026-11-28", name).WithFields(map[string]string{name: "YYYY-MM-DD"})
			}
			if name == "to" {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
		}
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, tp.Errorf(tp.EINVALID, "before must be an id").WithFields(map[string]string{"before": "invalid"})
		}
		f.BeforeID = n
	}
	return f, nil
}

var auditHeader = []string{"id", "at", "actor", "action", "object", "detail", "address"}

// writeAudit answers a page (JSON or HTML) or, with ?format=csv|xlsx, the
// whole selection as a file; the export is itself audited.
func (s *Server) writeAudit(w http.ResponseWriter, r *http.Request, page func(list []tp.AuditEntry, more string) error) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	if format := r.URL.Query().Get("format"); format != "" && format != "json" {
		ct, ok := tabular.ContentTypes[format]
		if !ok {
			return tp.Errorf(tp.EINVALID, "format must be json, csv or xlsx").WithFields(map[string]string{"format": "invalid"})
		}
		if err := s.auditExport(r, "audit log", format); err != nil {
			return err
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s.%s"`, s.Now().UTC().Format("2006-01-02"), format))
		tw, err := tabular.New(format, w, auditHeader)
		if err != nil {
			return err
		}
		err = s.Audit.ListAudit(r.Context(), f, func(e tp.AuditEntry) error {
			return tw.Write([]any{e.ID, e.At, e.Actor, e.Action, e.Object, e.Detail, e.Address})
		})
		if err != nil {
			s.logErr(r, err)
			return nil // headers are gone: the truncated file is the signal
		}
		return tw.Close()
	}
	f.Limit = 200
	list := []tp.AuditEntry{}
	if err := s.Audit.ListAudit(r.Context(), f, func(e tp.AuditEntry) error { list = append(list, e); return nil }); err != nil {
		return err
	}
	more := ""
	if len(list) == f.Limit {
		q := r.URL.Query()
		q.Set("before", strconv.FormatInt(list[len(list)-1].ID, 10))
		more = q.Encode()
	}
	return page(list, more)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	return s.writeAudit(w, r, func(list []tp.AuditEntry, more string) error {
		out := map[string]any{"entries": list}
		if more != "" {
			out["next_before"] = list[len(list)-1].ID
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.writeAudit(w, r, func(list []tp.AuditEntry, more string) error {
		v.Title = translate(v.Lang, "audit.title")
		q := r.URL.Query()
		q.Del("before")
		return s.render(w, http.StatusOK, v, "audit", "", map[string]any{"Entries": list, "More": more, "Q": q, "Export": q.Encode()})
	})
}

// updateUserForm changes a user's role, department and activity from the
// row's form on the users page.
func (s *Server) updateUserForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	role, dept, active := tp.Role(r.PostForm.Get("role")), r.PostForm.Get("department"), r.PostForm.Get("active") == "1"
	flash := translate(v.Lang, "users.updated")
	_, err = s.Users.UpdateUser(r.Context(), id, tp.UserChange{Role: &role, Department: &dept, Active: &active})
	if c := tp.ErrorCode(err); c == tp.EINVALID || c == tp.ECONFLICT {
		flash, err = v.errText(err), nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash("/admin/users", flash), http.StatusSeeOther)
	return nil
}

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var ch tp.UserChange
	if err := decodeJSON(r, &ch); err != nil {
		return err
	}
	u, err := s.Users.UpdateUser(r.Context(), id, ch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
