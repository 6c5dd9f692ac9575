package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

// respondData is what the respondent page shows.
type respondData struct {
	Survey      *tp.Survey
	Text        tp.SurveyText
	Scale       []int
	Score       int // -1 when none
	Comment     string
	Answers     map[string][]string
	Error       string
	Done        bool
	Preview     bool
	Action      string
	LowScore    int
	Unsubscribe bool   // the opt-out confirmation
	Ask         string // its question, when not the survey invitations
	Chosen      bool   // the score came from the e-mail's button and is not saved yet
}

// respondPage shows a personal survey link. "?score=N" (the buttons in the
// e-mail) shows the form with that score chosen.
func (s *Server) respondPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	lang := negotiateLanguage(r, nil)
	if !s.limiter.allow(s.clientIP(r)) {
		s.respondError(w, http.StatusTooManyRequests, lang, "respond.busy")
		return
	}
	inv, sv, c, err := s.Surveys.InvitationByToken(r.Context(), token)
	if err != nil {
		s.respondFailure(w, r, lang, err)
		return
	}
	lang = sv.RespondentLanguage(c.Locale, r.Header.Get("Accept-Language"))
	d := s.respondDataFor(sv, lang, "/s/"+token)
	if prev, err := s.Surveys.ResponseByInvitation(r.Context(), inv.ID); err == nil {
		d.fill(prev)
	}
	// The score from the e-mail's button is only chosen, never recorded:
	// mail link scanners open every link of an invitation, and a GET must
	// not cast a vote. The respondent's submit records it.
	if v := r.URL.Query().Get("score"); v != "" {
		min, max := sv.Scale()
		if score, err := strconv.Atoi(v); err == nil && score >= min && score <= max {
			d.Score = score
			d.Chosen = true
		} else {
			d.Error = translate(lang, "respond.badscore")
		}
	}
	s.renderRespond(w, http.StatusOK, lang, d)
}

func (d *respondData) fill(r *tp.Response) {
	if r.Score != nil {
		d.Score = *r.Score
	}
	d.Comment = r.Comment
	for k, v := range r.Answers {
		var one string
		var many []string
		if json.Unmarshal(v, &one) == nil {
			d.Answers[k] = []string{one}
		} else if json.Unmarshal(v, &many) == nil {
			d.Answers[k] = many
		} else {
			d.Answers[k] = []string{string(v)}
		}
	}
}

func (s *Server) respondDataFor(sv *tp.Survey, lang, action string) *respondData {
	min, max := sv.Scale()
	d := &respondData{Survey: sv, Text: i18n.SurveyText(sv, lang), Score: -1, Answers: map[string][]string{}, Action: action, LowScore: min}
	for i := min; i <= max; i++ {
		d.Scale = append(d.Scale, i)
	}
	return d
}

func (s *Server) respondSubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	lang := negotiateLanguage(r, nil)
	if !s.limiter.allow(s.clientIP(r)) {
		s.respondError(w, http.StatusTooManyRequests, lang, "respond.busy")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.respondError(w, http.StatusBadRequest, lang, "respond.badform")
		return
	}
	_, sv, c, err := s.Surveys.InvitationByToken(r.Context(), token)
	if err != nil {
		s.respondFailure(w, r, lang, err)
		return
	}
	lang = sv.RespondentLanguage(c.Locale, r.Header.Get("Accept-Language"))
	in := formInput(sv, r.PostForm, lang)
	resp, err := s.Surveys.SaveResponse(r.Context(), token, in)
	d := s.respondDataFor(sv, lang, "/s/"+token)
	if err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			s.respondFailure(w, r, lang, err)
			return
		}
		// Show the form again with what was entered and what is wrong.
		d.Comment = in.Comment
		if in.Score != nil {
			d.Score = *in.Score
		}
		for k := range in.Answers {
			d.Answers[k] = r.PostForm["q_"+k]
		}
		d.Error = translate(lang, "respond.invalid") + " " + humanFields(lang, tp.ErrorFields(err))
		s.renderRespond(w, http.StatusBadRequest, lang, d)
		return
	}
	d.fill(resp)
	d.Done = true
	s.renderRespond(w, http.StatusOK, lang, d)
}

func humanFields(lang string, fields map[string]string) string {
	var parts []string
	for k, v := range fields {
		name := k
		switch {
		case k == "score":
			name = translate(lang, "respond.field.score")
		case k == "comment":
			name = translate(lang, "respond.field.comment")
		}
		parts = append(parts, name+": "+v)
	}
	return strings.Join(parts, "; ")
}

// respondFailure shows expired and unknown links as a friendly page.
func (s *Server) respondFailure(w http.ResponseWriter, r *http.Request, lang string, err error) {
	switch tp.ErrorCode(err) {
	case tp.ENOTFOUND:
		s.respondError(w, http.StatusNotFound, lang, "respond.unknown")
	case tp.ECONFLICT:
		key := "respond.closed"
		if tp.ErrorFields(err)["token"] == "expired" {
			key = "respond.expired"
		}
		s.respondError(w, http.StatusGone, lang, key)
	default:
		s.logErr(r, err)
		s.respondError(w, http.StatusInternalServerError, lang, "respond.failed")
	}
}

func (s *Server) respondError(w http.ResponseWriter, code int, lang, key string) {
	s.renderRespond(w, code, lang, &respondData{Error: translate(lang, key), Score: -1})
}

func (s *Server) renderRespond(w http.ResponseWriter, code int, lang string, d *respondData) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; frame-ancestors 'none'")
	w.Header().Set("Cache-Control", "no-store")
	v := &view{Lang: lang}
	if d.Survey != nil {
		v.Title = d.Text.Title
	}
	if err := s.render(w, code, v, "respond", "respond.html", d); err != nil {
		s.Log.Error("render respond page", "err", err)
	}
}

// unsubscribePage asks to confirm; mail clients' one-click unsubscribe
// (RFC 8058) posts directly.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	lang := negotiateLanguage(r, nil)
	d := &respondData{Score: -1, Unsubscribe: true, Action: "/u/" + r.PathValue("token")}
	s.renderRespond(w, http.StatusOK, lang, d)
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	lang := negotiateLanguage(r, nil)
	if !s.limiter.allow(s.clientIP(r)) {
		s.respondError(w, http.StatusTooManyRequests, lang, "respond.busy")
		return
	}
	if err := s.Surveys.OptOut(r.Context(), r.PathValue("token")); err != nil {
		s.respondFailure(w, r, lang, err)
		return
	}
	s.renderRespond(w, http.StatusOK, lang, &respondData{Score: -1, Error: translate(lang, "unsub.done")})
}

// formInput turns the respondent form into an answer; validation happens
// in the domain, so a bad value here becomes a clear error there.
func formInput(sv *tp.Survey, form url.Values, lang string) tp.ResponseInput {
	in := tp.ResponseInput{Comment: form.Get("comment"), Language: lang, Complete: true, Answers: map[string]json.RawMessage{}}
	if v := form.Get("score"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // not a number: rejected as out of range
		}
		in.Score = &n
	}
	for _, q := range sv.Questions {
		vals := form["q_"+q.ID]
		if len(vals) == 0 || (len(vals) == 1 && vals[0] == "") {
			continue
		}
		var b []byte
		switch q.Kind {
		case tp.QuestionMulti:
			b, _ = json.Marshal(vals)
		case tp.QuestionRating:
			n, err := strconv.Atoi(vals[0])
			if err != nil {
				n = 0
			}
			b, _ = json.Marshal(n)
		default:
			b, _ = json.Marshal(vals[0])
		}
		in.Answers[q.ID] = b
	}
	return in
}
