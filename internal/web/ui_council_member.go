package web

import (
	"net/http"
	"strconv"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

// memberData is a council member's page.
type memberData struct {
	Page  *tp.MemberPage
	Token string
	Flash string
}

// councilMemberPage is the member's page behind their personal link.
func (s *Server) councilMemberPage(w http.ResponseWriter, r *http.Request) {
	s.renderMember(w, r, r.URL.Query().Get("done"))
}

func (s *Server) renderMember(w http.ResponseWriter, r *http.Request, flashKey string) {
	token := r.PathValue("token")
	lang := negotiateLanguage(r, nil)
	p, err := s.Council.MemberPage(r.Context(), token)
	if err != nil {
		s.respondFailure(w, r, lang, err)
		return
	}
	if p.Member.Locale != "" && r.Header.Get("Accept-Language") == "" {
		lang = p.Member.Locale
	}
	d := &memberData{Page: p, Token: token}
	switch flashKey {
	case "join", "answer", "idea", "vote":
		d.Flash = translate(lang, "cm.done."+flashKey)
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; frame-ancestors 'none'")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the link is the key
	if err := s.render(w, http.StatusOK, &view{Lang: lang, Title: p.Council.Name}, "council_member", "council_member.html", d); err != nil {
		s.Log.Error("render council member page", "err", err)
	}
}

// memberAct runs one member action from the page's forms and shows the
// page again (post/redirect/get), or the error.
func (s *Server) memberAct(act func(r *http.Request, token string) error, done string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := negotiateLanguage(r, nil)
		if !s.limiter.allow(s.clientIP(r)) {
			s.respondError(w, http.StatusTooManyRequests, lang, "respond.busy")
			return
		}
		token := r.PathValue("token")
		if err := act(r, token); err != nil {
			if tp.ErrorCode(err) == tp.EINVALID {
				s.renderRespond(w, http.StatusBadRequest, lang, &respondData{Score: -1, Error: i18n.Error(lang, err)})
				return
			}
			s.respondFailure(w, r, lang, err)
			return
		}
		http.Redirect(w, r, "/c/"+token+"?done="+done, http.StatusSeeOther)
	}
}

func (s *Server) memberJoin(r *http.Request, token string) error {
	return s.Council.RespondInvitation(r.Context(), token, r.FormValue("accept") == "1")
}

func (s *Server) memberAnswer(r *http.Request, token string) error {
	q, _ := strconv.ParseInt(r.FormValue("question_id"), 10, 64)
	return s.Council.AnswerQuestion(r.Context(), token, q, r.FormValue("text"))
}

func (s *Server) memberIdea(r *http.Request, token string) error {
	return s.Council.PostIdea(r.Context(), token, &tp.CouncilIdea{Title: r.FormValue("title"), Body: r.FormValue("body")})
}

func (s *Server) memberVote(r *http.Request, token string) error {
	id, _ := strconv.ParseInt(r.FormValue("idea_id"), 10, 64)
	return s.Council.Vote(r.Context(), token, id, r.FormValue("on") == "1")
}
