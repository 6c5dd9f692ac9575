package touchpoint

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// A customer council ("Raad van Klanten", Kundenbeirat): customers recruited
// from a segment, with their consent, who meet in sessions, answer the
// company's questions, post ideas and vote on them through a personal link.
// Ideas the company adopts become action items that name their origin.

// Council is one customer council.
type Council struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Member states.
const (
	MemberInvited  = "invited"
	MemberAccepted = "accepted"
	MemberDeclined = "declined"
	MemberLeft     = "left"
)

// CouncilMember is a customer invited to a council.
type CouncilMember struct {
	ID         int64      `json:"id"`
	CouncilID  int64      `json:"council_id"`
	CustomerID int64      `json:"customer_id"`
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	Locale     string     `json:"locale,omitempty"`
	InvitedAt  time.Time  `json:"invited_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	Link       string     `json:"-"` // the personal link's signed token, for its mail; never in lists
}

// CouncilSession is one meeting of a council with the questions members
// answer through their link.
type CouncilSession struct {
	ID        int64             `json:"id"`
	CouncilID int64             `json:"council_id"`
	Topic     string            `json:"topic"`
	At        time.Time         `json:"at"`
	Agenda    string            `json:"agenda"`
	Minutes   string            `json:"minutes"`
	Questions []CouncilQuestion `json:"questions"`
}

// CouncilQuestion is a question of a session.
type CouncilQuestion struct {
	ID      int64           `json:"id"`
	Text    string          `json:"text"`
	Answers []CouncilAnswer `json:"answers,omitempty"`
	Mine    string          `json:"mine,omitempty"` // on the member's page: their own answer
}

// CouncilAnswer is one member's answer.
type CouncilAnswer struct {
	MemberID int64     `json:"member_id"`
	Name     string    `json:"name"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
}

// Idea states.
const (
	IdeaOpen     = "open"
	IdeaAdopted  = "adopted"
	IdeaDeclined = "declined"
)

// CouncilIdea is an idea a member posted, with its votes and what the
// company decided.
type CouncilIdea struct {
	ID         int64     `json:"id"`
	CouncilID  int64     `json:"council_id"`
	MemberID   int64     `json:"member_id"`
	Author     string    `json:"author"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	Votes      int       `json:"votes"`
	Voted      bool      `json:"voted,omitempty"` // on the member's page: their vote
	Status     string    `json:"status"`
	Decision   string    `json:"decision,omitempty"`
	ActionID   int64     `json:"action_id,omitempty"`
	ActionDone bool      `json:"action_done,omitempty"` // what changed: its action item is done
	CreatedAt  time.Time `json:"created_at"`
}

// CouncilSession, idea and answer limits.
const (
	MaxCouncilText  = 4000
	MaxCouncilTitle = 200
)

func checkText(bad map[string]string, field, v string, max int, required bool) string {
	v = strings.TrimSpace(v)
	if (required && v == "") || utf8.RuneCountInString(v) > max {
		bad[field] = Reason("1–%d characters", max)
		if !required {
			bad[field] = Reason("at most %d characters", max)
		}
	}
	return v
}

// Validate checks a session.
func (s *CouncilSession) Validate() error {
	bad := map[string]string{}
	s.Topic = checkText(bad, "topic", s.Topic, MaxCouncilTitle, true)
	s.Agenda = checkText(bad, "agenda", s.Agenda, MaxCouncilText, false)
	s.Minutes = checkText(bad, "minutes", s.Minutes, MaxCouncilText*4, false)
	if s.At.IsZero() {
		bad["at"] = Reason("required (YYYY-MM-DD)")
	}
	for i := range s.Questions {
		s.Questions[i].Text = checkText(bad, "questions", s.Questions[i].Text, MaxCouncilTitle*2, true)
	}
	if len(bad) > 0 {
		return Errorf(EINVALID, "the session is incomplete: %s", Reasons(bad)).WithFields(bad)
	}
	return nil
}

// Validate checks an idea.
func (i *CouncilIdea) Validate() error {
	bad := map[string]string{}
	i.Title = checkText(bad, "title", i.Title, MaxCouncilTitle, true)
	i.Body = checkText(bad, "body", i.Body, MaxCouncilText, false)
	if len(bad) > 0 {
		return Errorf(EINVALID, "the idea is incomplete: %s", Reasons(bad)).WithFields(bad)
	}
	return nil
}

// CompositionRow is one value of a composition dimension: its share among
// the council's accepted members against its share of the customer base.
type CompositionRow struct {
	Value       string  `json:"value"`
	Members     int     `json:"members"`
	MemberShare float64 `json:"member_share"` // percent
	Base        int     `json:"base"`
	BaseShare   float64 `json:"base_share"` // percent
}

// Composition is a council's make-up by division, value tier and country.
type Composition struct {
	By   string           `json:"by"` // division, value_tier, country
	Rows []CompositionRow `json:"rows"`
}

// CompositionDims are the dimensions of a council's composition.
var CompositionDims = []string{"division", "value_tier", "country"}

// Shares turns counts per value into rows with shares, largest base first.
func Shares(members, base map[string]int) []CompositionRow {
	var nm, nb int
	for _, v := range members {
		nm += v
	}
	for _, v := range base {
		nb += v
	}
	keys := map[string]bool{}
	for k := range members {
		keys[k] = true
	}
	for k := range base {
		keys[k] = true
	}
	var out []CompositionRow
	for k := range keys {
		r := CompositionRow{Value: k, Members: members[k], Base: base[k]}
		if nm > 0 {
			r.MemberShare = 100 * float64(r.Members) / float64(nm)
		}
		if nb > 0 {
			r.BaseShare = 100 * float64(r.Base) / float64(nb)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Base != out[j].Base {
			return out[i].Base > out[j].Base
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// RecruitReport says whom a recruitment invited and whom it left out why.
type RecruitReport struct {
	Invited int            `json:"invited"`
	Skipped map[string]int `json:"skipped"` // objected, no_email, member already
}

// MemberPage is what a member sees through their link.
type MemberPage struct {
	Council  Council          `json:"council"`
	Member   CouncilMember    `json:"member"`
	Sessions []CouncilSession `json:"sessions"` // newest first, with the member's own answers
	Ideas    []CouncilIdea    `json:"ideas"`    // most votes first
}

// CouncilVoice is a council's section of the board pack.
type CouncilVoice struct {
	Council  Council       `json:"council"`
	Members  int           `json:"members"`
	TopIdeas []CouncilIdea `json:"top_ideas"` // open ones, most votes first
	Decided  []CouncilIdea `json:"decided"`   // adopted or declined, newest first
	Changed  []CouncilIdea `json:"changed"`   // adopted ideas whose action item is done
}

// CouncilService runs councils. Staff methods ask the policy
// (council.read, council.manage); member methods take the personal link's
// token as their authorisation (council.respond).
type CouncilService interface {
	CreateCouncil(ctx context.Context, c *Council) error
	ListCouncils(ctx context.Context) ([]Council, error)
	FindCouncil(ctx context.Context, id int64) (*Council, error)
	Recruit(ctx context.Context, councilID, segmentID int64, n int) (RecruitReport, error)
	CouncilMembers(ctx context.Context, councilID int64) ([]CouncilMember, error)
	MemberLink(ctx context.Context, memberID int64) (string, error)
	CouncilComposition(ctx context.Context, councilID int64) ([]Composition, error)
	CreateSession(ctx context.Context, s *CouncilSession) error
	SetMinutes(ctx context.Context, sessionID int64, minutes string) error
	ListSessions(ctx context.Context, councilID int64) ([]CouncilSession, error)
	ListIdeas(ctx context.Context, councilID int64) ([]CouncilIdea, error)
	DecideIdea(ctx context.Context, ideaID int64, status, decision string) error
	IdeaToAction(ctx context.Context, ideaID int64, a *ActionItem) error
	Voice(ctx context.Context) ([]CouncilVoice, error)

	MemberPage(ctx context.Context, token string) (*MemberPage, error)
	RespondInvitation(ctx context.Context, token string, accept bool) error
	AnswerQuestion(ctx context.Context, token string, questionID int64, text string) error
	PostIdea(ctx context.Context, token string, idea *CouncilIdea) error
	Vote(ctx context.Context, token string, ideaID int64, on bool) error
}

// SendCouncilInvite mails a member their invitation with the personal link.
type SendCouncilInvite struct {
	MemberID int64 `json:"member_id"`
}

// Kind names the worker.
func (SendCouncilInvite) Kind() string { return "send_council_invite" }
