package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// The privacy pages: a customer's consents (on the customer page), their
// export and erasure (admins), and retention with the customer-data list.

// consentForm records a consent or objection a member of staff took.
func (s *Server) consentForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, ok := tp.ParsePurpose(r.FormValue("purpose"))
	if !ok {
		return tp.Errorf(tp.EINVALID, "unknown purpose").WithFields(map[string]string{"purpose": "survey, marketing or profiling"})
	}
	granted := r.FormValue("granted") == "1"
	if err := s.Privacy.SetConsent(r.Context(), id, p, granted); err != nil {
		return err
	}
	flash := translate(v.Lang, "consent.saved", translate(v.Lang, "consent."+string(p)))
	http.Redirect(w, r, v.withFlash(fmt.Sprintf("/customers/%d#consent", id), flash), http.StatusSeeOther)
	return nil
}

func (s *Server) exportCustomerFile(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.apiExportCustomer(w, r)
}

type eraseData struct {
	C     *tp.Customer
	Data  []tp.DataTableInfo
	Wrong bool
}

func (s *Server) eraseConfirmPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.renderErase(w, r, v, http.StatusOK, false)
}

func (s *Server) renderErase(w http.ResponseWriter, r *http.Request, v *view, code int, wrong bool) error {
	c, err := s.customerFromPath(r)
	if err != nil {
		return err
	}
	list, err := s.Privacy.CustomerDataList(r.Context())
	if err != nil {
		return err
	}
	v.Title = translate(v.Lang, "erase.title")
	return s.render(w, code, v, "erase", "", eraseData{C: c, Data: list, Wrong: wrong})
}

// eraseCustomerForm erases after the admin typed the customer's number.
func (s *Server) eraseCustomerForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if strings.TrimPrefix(strings.TrimSpace(r.FormValue("confirm")), "#") != strconv.FormatInt(id, 10) {
		return s.renderErase(w, r, v, http.StatusBadRequest, true)
	}
	rep, err := s.Privacy.EraseCustomer(r.Context(), id)
	if err != nil {
		return err
	}
	deleted, anonymised := 0, 0
	for _, n := range rep.Deleted {
		deleted += n
	}
	for _, n := range rep.Anonymised {
		anonymised += n
	}
	flash := translate(v.Lang, "erase.done", rep.CustomerID, deleted, anonymised, rep.Suppressed)
	http.Redirect(w, r, v.withFlash(fmt.Sprintf("/customers/%d", rep.CustomerID), flash), http.StatusSeeOther)
	return nil
}

type privacyData struct {
	Kinds      []string
	Periods    tp.Retention
	Defaults   map[string]int
	Last       *tp.RetentionReport
	Suppressed int
	Pending    []string
	Data       []tp.DataTableInfo
	Fields     map[string]string
}

func (s *Server) privacyPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.renderPrivacy(w, r, v, http.StatusOK, nil)
}

func (s *Server) renderPrivacy(w http.ResponseWriter, r *http.Request, v *view, code int, fields map[string]string) error {
	ctx := r.Context()
	d := privacyData{Kinds: tp.RetentionKinds, Defaults: tp.DefaultRetention, Fields: fields}
	var err error
	if d.Periods, d.Last, err = s.Privacy.Retention(ctx); err != nil {
		return err
	}
	if d.Suppressed, err = s.Privacy.Suppressions(ctx); err != nil {
		return err
	}
	if d.Data, err = s.Privacy.CustomerDataList(ctx); err != nil {
		return err
	}
	if d.Pending, err = s.Privacy.ScrubPending(ctx); err != nil {
		return err
	}
	v.Title = translate(v.Lang, "privacy.title")
	return s.render(w, code, v, "privacy", "", d)
}

func (s *Server) retentionForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	periods := tp.Retention{}
	for _, k := range tp.RetentionKinds {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get(k)))
		if err != nil {
			v.Flash = translate(v.Lang, "privacy.days")
			return s.renderPrivacy(w, r, v, http.StatusBadRequest, map[string]string{k: "a number of days"})
		}
		periods[k] = n
	}
	if err := s.Privacy.SetRetention(r.Context(), periods); err != nil {
		if tp.ErrorCode(err) == tp.EINVALID {
			v.Flash = v.errText(err)
			return s.renderPrivacy(w, r, v, http.StatusBadRequest, tp.ErrorFields(err))
		}
		return err
	}
	http.Redirect(w, r, v.withFlash("/admin/privacy", translate(v.Lang, "privacy.saved")), http.StatusSeeOther)
	return nil
}

func (s *Server) scrubForm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := s.Privacy.ScrubNow(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash("/admin/privacy#scrub", translate(v.Lang, "privacy.scrubstarted")), http.StatusSeeOther)
	return nil
}

func (s *Server) runRetentionForm(w http.ResponseWriter, r *http.Request, v *view) error {
	rep, err := s.Privacy.RunRetention(r.Context())
	if err != nil {
		return err
	}
	total := 0
	for _, n := range rep.Done {
		total += n
	}
	http.Redirect(w, r, v.withFlash("/admin/privacy#last", translate(v.Lang, "privacy.ran", total)), http.StatusSeeOther)
	return nil
}
