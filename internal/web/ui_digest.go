package web

import (
	"net/http"
	"net/url"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// digestData is the weekly digest as a page, with the reader's subscription.
type digestData struct {
	D            tp.Digest
	Depts        []string
	Week         string // the Monday shown
	Prev, Next   string // neighbouring Mondays ("" when in the future)
	Subscribed   bool
	CanSubscribe bool // a user with a department (the digest is per department)
	ForMembers   bool
	CanManage    bool
}

// digestQuery reads ?department=&week= (a date in the week; by default last
// week and the caller's department, or the first one they may see).
func (s *Server) digestQuery(r *http.Request, a tp.Access) (string, time.Time, error) {
	from, _ := tp.DigestWeek(s.Now())
	if w := r.URL.Query().Get("week"); w != "" {
		d, err := optionalDate(w, "week")
		if err != nil {
			return "", from, err
		}
		from = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	dept := r.URL.Query().Get("department")
	if dept == "" {
		dept = a.Department
	}
	return dept, from, nil
}

func (s *Server) digestPage(w http.ResponseWriter, r *http.Request, v *view) error {
	dept, from, err := s.digestQuery(r, v.Access)
	if err != nil {
		return err
	}
	d := digestData{CanManage: v.Can(string(tp.ActDigestManage)), CanSubscribe: v.Access.Department != ""}
	if d.Depts, err = s.Digest.DigestDepartments(r.Context()); err != nil {
		return err
	}
	if dept == "" && len(d.Depts) > 0 {
		dept = d.Depts[0]
	}
	v.Title = translate(v.Lang, "digest.title", dept)
	if dept == "" { // nobody works in a department yet
		return s.render(w, http.StatusOK, v, "digest", "", d)
	}
	if d.D, err = s.Digest.Digest(r.Context(), dept, from); err != nil {
		return err
	}
	d.Week = from.Format(time.DateOnly)
	d.Prev = from.AddDate(0, 0, -7).Format(time.DateOnly)
	if next := from.AddDate(0, 0, 7); !next.AddDate(0, 0, 7).After(s.Now()) { // only whole weeks
		d.Next = next.Format(time.DateOnly)
	}
	if d.CanSubscribe {
		if d.Subscribed, err = s.Digest.DigestSubscribed(r.Context()); err != nil {
			return err
		}
	}
	if d.ForMembers, err = s.Digest.DigestForMembers(r.Context(), dept); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, v, "digest", "", d)
}

func (s *Server) digestSubscriptionForm(w http.ResponseWriter, r *http.Request, v *view) error {
	on := r.FormValue("subscribed") == "1"
	if err := s.Digest.SetDigestSubscribed(r.Context(), on); err != nil {
		return err
	}
	flash := translate(v.Lang, map[bool]string{true: "digest.subscribed", false: "digest.unsubscribed"}[on])
	http.Redirect(w, r, v.withFlash("/digest", flash), http.StatusSeeOther)
	return nil
}

func (s *Server) digestMembersForm(w http.ResponseWriter, r *http.Request, v *view) error {
	dept := r.FormValue("department")
	on := r.FormValue("members") == "1"
	if err := s.Digest.SetDigestForMembers(r.Context(), dept, on); err != nil {
		return err
	}
	flash := translate(v.Lang, map[bool]string{true: "digest.members.on", false: "digest.members.off"}[on], dept)
	http.Redirect(w, r, v.withFlash("/digest?department="+url.QueryEscape(dept), flash), http.StatusSeeOther)
	return nil
}

// digestUnsubscribePage asks before unsubscribing: a mail scanner that
// follows the link must not unsubscribe anybody.
func (s *Server) digestUnsubscribePage(w http.ResponseWriter, r *http.Request) {
	lang := negotiateLanguage(r, nil)
	s.renderRespond(w, http.StatusOK, lang, &respondData{Score: -1, Unsubscribe: true, Ask: translate(lang, "digest.unsub.ask"),
		Action: "/digest/unsubscribe/" + r.PathValue("token")})
}

func (s *Server) digestUnsubscribe(w http.ResponseWriter, r *http.Request) {
	lang := negotiateLanguage(r, nil)
	if !s.limiter.allow(s.clientIP(r)) {
		s.respondError(w, http.StatusTooManyRequests, lang, "respond.busy")
		return
	}
	if err := s.Digest.UnsubscribeDigest(r.Context(), r.PathValue("token")); err != nil {
		s.respondFailure(w, r, lang, err)
		return
	}
	s.renderRespond(w, http.StatusOK, lang, &respondData{Score: -1, Error: translate(lang, "digest.unsub.done")})
}

// apiDigest serves a department's digest of a week (?department=&week=).
func (s *Server) apiDigest(w http.ResponseWriter, r *http.Request) error {
	dept, from, err := s.digestQuery(r, tp.AccessFrom(r.Context()))
	if err != nil {
		return err
	}
	d, err := s.Digest.Digest(r.Context(), dept, from)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// apiDigestMembers sends a department's digest to every member or to its
// heads only: {"department": "Service", "members": true}.
func (s *Server) apiDigestMembers(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Department string `json:"department"`
		Members    *bool  `json:"members"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Members == nil {
		return tp.Errorf(tp.EINVALID, "members (true or false) is required").WithFields(map[string]string{"members": "required"})
	}
	if err := s.Digest.SetDigestForMembers(r.Context(), in.Department, *in.Members); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
