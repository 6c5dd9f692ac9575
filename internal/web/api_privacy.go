package web

import (
	"fmt"
	"net/http"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/export"
)

// Data-subject rights, consent and retention over the JSON API.

// apiExportCustomer answers everything held about a person as one JSON
// document, or (?format=zip) a ZIP of that document and the attachments.
func (s *Server) apiExportCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ex, err := s.Privacy.ExportCustomer(r.Context(), id)
	if err != nil {
		return err
	}
	return writeExport(w, ex, r.URL.Query().Get("format"))
}

// writeExport answers an export as a download.
func writeExport(w http.ResponseWriter, ex *tp.CustomerExport, format string) error {
	if format != "" && format != "json" && format != "zip" {
		return tp.Errorf(tp.EINVALID, "format must be json or zip").WithFields(map[string]string{"format": "invalid"})
	}
	name := fmt.Sprintf("customer-%d-%s", ex.CustomerID, ex.ExportedAt.Format("2006-01-02"))
	ct, ext := "application/json", ".json"
	if format == "zip" {
		ct, ext = "application/zip", ".zip"
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+ext+`"`)
	return export.Write(w, ex, format)
}

// apiEraseCustomer erases a person. The body repeats the id, so that no
// stray call erases anyone: {"confirm": 42}.
func (s *Server) apiEraseCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		Confirm int64 `json:"confirm"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if body.Confirm != id {
		return tp.Errorf(tp.EINVALID, "to erase customer %d, send {\"confirm\": %d}", id, id).WithFields(map[string]string{"confirm": "must repeat the customer's id"})
	}
	rep, err := s.Privacy.EraseCustomer(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiConsents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	state, history, err := s.Privacy.Consents(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"consents": state, "history": history})
	return nil
}

// apiSetConsent records a consent or objection: {"purpose": "marketing", "granted": false}.
func (s *Server) apiSetConsent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		Purpose string `json:"purpose"`
		Granted *bool  `json:"granted"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	p, ok := tp.ParsePurpose(body.Purpose)
	if !ok || body.Granted == nil {
		return tp.Errorf(tp.EINVALID, "give a purpose (survey, marketing or profiling) and granted (true or false)").WithFields(map[string]string{"purpose": "survey, marketing or profiling", "granted": "true or false"})
	}
	if err := s.Privacy.SetConsent(r.Context(), id, p, *body.Granted); err != nil {
		return err
	}
	return s.apiConsents(w, r)
}

func (s *Server) apiRetention(w http.ResponseWriter, r *http.Request) error {
	periods, last, err := s.Privacy.Retention(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"periods": periods, "last_run": last})
	return nil
}

// apiSetRetention sets periods in days: {"events": 730, "mail": 180}.
func (s *Server) apiSetRetention(w http.ResponseWriter, r *http.Request) error {
	var periods tp.Retention
	if err := decodeJSON(r, &periods); err != nil {
		return err
	}
	if err := s.Privacy.SetRetention(r.Context(), periods); err != nil {
		return err
	}
	return s.apiRetention(w, r)
}

// apiScrub starts the storage scrub now (PostgreSQL) rather than at night.
func (s *Server) apiScrub(w http.ResponseWriter, r *http.Request) error {
	pending, err := s.Privacy.ScrubPending(r.Context())
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		if err := s.Privacy.ScrubNow(r.Context()); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"tables": pending})
	return nil
}

func (s *Server) apiRunRetention(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.Privacy.RunRetention(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
