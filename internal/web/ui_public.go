package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

const anonCookie = "tp_anon"

// visitorID returns the browser's anonymous id, setting one on first visit.
func visitorID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(anonCookie); err == nil && len(c.Value) >= 16 && len(c.Value) <= 64 {
		return c.Value
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: anonCookie, Value: id, Path: "/p/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
	return id
}

func surveyID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// publicPage is the anonymous link anyone can open (/p/{survey id}): for a
// QR code on a receipt, a link on a website, a signature.
func (s *Server) publicPage(w http.ResponseWriter, r *http.Request) {
	lang := negotiateLanguage(r, nil)
	id, ok := surveyID(r)
	if !ok {
		s.respondError(w, http.StatusNotFound, lang, "respond.unknown")
		return
	}
	sv, err := s.Surveys.FindSurvey(r.Context(), id)
	if err != nil {
		s.respondFailure(w, r, lang, err)
		return
	}
	if sv.Status != tp.SurveyActive {
		s.respondError(w, http.StatusGone, lang, "respond.closed")
		return
	}
	visitorID(w, r)
	lang = sv.RespondentLanguage("", r.Header.Get("Accept-Language"))
	s.renderRespond(w, http.StatusOK, lang, s.respondDataFor(sv, lang, "/p/"+strconv.FormatInt(id, 10)))
}

func (s *Server) publicSubmit(w http.ResponseWriter, r *http.Request) {
	lang := negotiateLanguage(r, nil)
	if !s.limiter.allow(s.clientIP(r)) {
		s.respondError(w, http.StatusTooManyRequests, lang, "respond.busy")
		return
	}
	id, _ := surveyID(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.respondError(w, http.StatusBadRequest, lang, "respond.badform")
		return
	}
	token, err := s.Surveys.PublicToken(r.Context(), id, visitorID(w, r))
	if err != nil {
		s.respondFailure(w, r, lang, err)
		return
	}
	// From here on it is the personal-link flow.
	r.SetPathValue("token", token)
	s.respondSubmit(w, r)
}

// widgetConfig gives the embeddable widget its texts (public, cross-origin).
func (s *Server) widgetConfig(w http.ResponseWriter, r *http.Request) {
	setCORS(w, r)
	id, ok := surveyID(r)
	if !ok {
		writeJSONError(w, r, tp.Errorf(tp.ENOTFOUND, "no such survey"))
		return
	}
	sv, err := s.Surveys.FindSurvey(r.Context(), id)
	if err == nil && sv.Status != tp.SurveyActive {
		err = tp.Errorf(tp.ECONFLICT, "survey %d is %s", id, sv.Status)
	}
	if err != nil {
		writeJSONError(w, r, err)
		return
	}
	lang := sv.RespondentLanguage(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
	t := i18n.SurveyText(sv, lang)
	min, max := sv.Scale()
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, map[string]any{"survey_id": id, "language": lang, "question": t.Question, "low": t.LowLabel,
		"high": t.HighLabel, "comment_prompt": t.CommentPrompt, "thank_you": t.ThankYou, "min": min, "max": max,
		"send": translate(lang, "respond.submit")})
}

// widgetRespond takes a widget answer: the anonymousId (from the page's
// Segment or touchpoint snippet) joins the answer to the visitor's profile.
func (s *Server) widgetRespond(w http.ResponseWriter, r *http.Request) {
	setCORS(w, r)
	if !s.limiter.allow(s.clientIP(r)) {
		writeJSONError(w, r, tp.Errorf(tp.ETOOMANY, "too many answers from this address; wait a minute"))
		return
	}
	id, _ := surveyID(r)
	var body struct {
		tp.ResponseInput
		AnonymousID string `json:"anonymousId"`
	}
	if err := decodeJSON(r, &body); err != nil {
		writeJSONError(w, r, err)
		return
	}
	if len(body.Page) > 2000 {
		body.Page = body.Page[:2000]
	}
	body.Page = strings.TrimSpace(body.Page)
	token, err := s.Surveys.PublicToken(r.Context(), id, body.AnonymousID)
	if err == nil {
		var resp *tp.Response
		if resp, err = s.Surveys.SaveResponse(r.Context(), token, body.ResponseInput); err == nil {
			writeJSON(w, http.StatusOK, map[string]any{"response_id": resp.ID, "saved_at": resp.UpdatedAt.Format(time.RFC3339)})
			return
		}
	}
	s.logErr(r, err)
	writeJSONError(w, r, err)
}
