package touchpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// SurveyType names the survey's main question and its metric.
type SurveyType string

const (
	SurveyNPS  SurveyType = "nps"  // 0–10, "how likely to recommend"
	SurveyCSAT SurveyType = "csat" // 1–5, "how satisfied"
	SurveyCES  SurveyType = "ces"  // 1–7, "how easy"
)

// Metric returns the registry metric of the survey's main question.
func (t SurveyType) Metric() (MetricDef, bool) { return MetricByID(string(t)) }

// SurveyStatus is draft → active → closed.
type SurveyStatus string

const (
	SurveyDraft  SurveyStatus = "draft"
	SurveyActive SurveyStatus = "active"
	SurveyClosed SurveyStatus = "closed"
)

// QuestionKind is the kind of an extra question.
type QuestionKind string

const (
	QuestionSingle   QuestionKind = "single" // one option
	QuestionMulti    QuestionKind = "multi"  // any options
	QuestionRating   QuestionKind = "rating" // 1–5
	QuestionFreeText QuestionKind = "text"   // free text
)

// Question is an extra question after the main score.
type Question struct {
	ID       string       `json:"id"`
	Kind     QuestionKind `json:"kind"`
	Required bool         `json:"required,omitempty"`
	Options  []string     `json:"options,omitempty"` // option ids, for single and multi
}

// SurveyText is everything a respondent reads, in one language.
type SurveyText struct {
	Title         string                  `json:"title"`
	Question      string                  `json:"question"`
	LowLabel      string                  `json:"low_label"`
	HighLabel     string                  `json:"high_label"`
	CommentPrompt string                  `json:"comment_prompt"`
	ThankYou      string                  `json:"thank_you"`
	Questions     map[string]QuestionText `json:"questions,omitempty"` // by question id
}

// QuestionText is an extra question's label and option labels in one language.
type QuestionText struct {
	Label   string            `json:"label"`
	Options map[string]string `json:"options,omitempty"`
}

// Survey is a VOC instrument. Its questions and texts are versioned: editing
// an active survey makes a new version, and responses keep the version they answered.
type Survey struct {
	ID          int64                 `json:"id"`
	Name        string                `json:"name"`
	Type        SurveyType            `json:"type"`
	Status      SurveyStatus          `json:"status"`
	DefaultLang string                `json:"default_language"`
	Version     int                   `json:"version"`
	Questions   []Question            `json:"questions"`
	Texts       map[string]SurveyText `json:"texts"` // by language: en, de, nl
	Department  string                `json:"department,omitempty"`
	// CloseLoop opens a case for every detractor's answer (see Detractor).
	CloseLoop bool `json:"close_loop"`
	// AfterCase sends this survey when a customer's case is resolved (the
	// CSAT about the handling); the contact budget applies.
	AfterCase bool      `json:"after_case"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Limits on survey content and answers.
const (
	MaxCommentLen   = 5000 // characters
	MaxAnswerLen    = 2000 // characters of a text answer
	MaxQuestions    = 20
	MaxSurveyName   = 200
	maxOptionsPerQ  = 30
	maxSurveyTextLn = 1000
)

var questionIDRE = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// Detractor reports whether a score is a detractor's: NPS 0–6, CSAT 1–2, CES 1–2.
func (t SurveyType) Detractor(score int) bool {
	switch t {
	case SurveyNPS:
		return score <= 6
	case SurveyCSAT, SurveyCES:
		return score <= 2
	}
	return false
}

// Scale returns the main question's scale.
func (s *Survey) Scale() (min, max int) {
	m, _ := s.Type.Metric()
	return m.ScaleMin, m.ScaleMax
}

// Validate checks a survey and fills defaults: missing texts of a language
// come from the built-in texts of the survey type.
func (s *Survey) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	fields := map[string]string{}
	if s.Name == "" || utf8.RuneCountInString(s.Name) > MaxSurveyName {
		fields["name"] = Reason("required, at most %d characters", MaxSurveyName)
	}
	if _, ok := s.Type.Metric(); !ok {
		fields["type"] = Reason("one of nps, csat, ces")
	}
	if s.Status == "" {
		s.Status = SurveyDraft
	}
	if s.Status != SurveyDraft && s.Status != SurveyActive && s.Status != SurveyClosed {
		fields["status"] = Reason("one of draft, active, closed")
	}
	if s.DefaultLang == "" {
		s.DefaultLang = "en"
	}
	if !isLocale(s.DefaultLang) {
		fields["default_language"] = Reason("one of en, de, nl")
	}
	if len(s.Questions) > MaxQuestions {
		fields["questions"] = Reason("at most %d questions", MaxQuestions)
	}
	seen := map[string]bool{}
	for i, q := range s.Questions {
		key := fmt.Sprintf("questions[%d]", i)
		switch {
		case !questionIDRE.MatchString(q.ID):
			fields[key] = Reason("id must be 1–40 characters of a-z, 0-9 and _")
		case seen[q.ID]:
			fields[key] = Reason("duplicate id %s", q.ID)
		case q.Kind != QuestionSingle && q.Kind != QuestionMulti && q.Kind != QuestionRating && q.Kind != QuestionFreeText:
			fields[key] = Reason("kind must be single, multi, rating or text")
		case (q.Kind == QuestionSingle || q.Kind == QuestionMulti) && (len(q.Options) < 2 || len(q.Options) > maxOptionsPerQ):
			fields[key] = Reason("a choice question needs 2 to %d options", maxOptionsPerQ)
		}
		seen[q.ID] = true
		for _, o := range q.Options {
			if !questionIDRE.MatchString(o) {
				fields[key] = Reason("option ids must be 1–40 characters of a-z, 0-9 and _")
			}
		}
	}
	if s.Texts == nil {
		s.Texts = map[string]SurveyText{}
	}
	for lang, t := range s.Texts {
		if !isLocale(lang) {
			fields["texts."+lang] = Reason("languages are en, de, nl")
			continue
		}
		for _, v := range []string{t.Title, t.Question, t.LowLabel, t.HighLabel, t.CommentPrompt, t.ThankYou} {
			if utf8.RuneCountInString(v) > maxSurveyTextLn {
				fields["texts."+lang] = Reason("texts are at most %d characters", maxSurveyTextLn)
			}
		}
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the survey is not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

func isLocale(l string) bool {
	for _, x := range Locales {
		if x == l {
			return true
		}
	}
	return false
}

// Text returns the survey's own texts in lang, each missing text filled from
// the default language. What is still empty then comes from the catalogue's
// built-in wording (i18n.SurveyText), which the root package cannot read.
func (s *Survey) Text(lang string) SurveyText {
	t := s.Texts[lang]
	d := s.Texts[s.DefaultLang]
	var b SurveyText
	pick := func(vals ...string) string {
		for _, v := range vals {
			if strings.TrimSpace(v) != "" {
				return v
			}
		}
		return ""
	}
	out := SurveyText{
		Title:         pick(t.Title, d.Title, b.Title),
		Question:      pick(t.Question, d.Question, b.Question),
		LowLabel:      pick(t.LowLabel, d.LowLabel, b.LowLabel),
		HighLabel:     pick(t.HighLabel, d.HighLabel, b.HighLabel),
		CommentPrompt: pick(t.CommentPrompt, d.CommentPrompt, b.CommentPrompt),
		ThankYou:      pick(t.ThankYou, d.ThankYou, b.ThankYou),
		Questions:     map[string]QuestionText{},
	}
	for _, q := range s.Questions {
		qt := t.Questions[q.ID]
		if qt.Label == "" {
			qt = d.Questions[q.ID]
		}
		if qt.Label == "" {
			qt.Label = q.ID
		}
		out.Questions[q.ID] = qt
	}
	return out
}

// RespondentLanguage picks the language of a respondent: the customer's
// locale, then the browser's preference, then the survey's default.
func (s *Survey) RespondentLanguage(customerLocale, browser string) string {
	for _, l := range []string{customerLocale, browser} {
		base, _, _ := strings.Cut(strings.ToLower(l), "-")
		if isLocale(base) {
			return base
		}
	}
	return s.DefaultLang
}

// ResponseInput is what a respondent submits. Score is nil when not (yet) given.
type ResponseInput struct {
	Score    *int                       `json:"score"`
	Answers  map[string]json.RawMessage `json:"answers,omitempty"`
	Comment  string                     `json:"comment"`
	Language string                     `json:"language"`
	Complete bool                       `json:"complete"`       // false saves a partial answer
	Page     string                     `json:"page,omitempty"` // where a widget answer was given
}

// ValidateResponse checks an answer against the survey version it answers.
func (s *Survey) ValidateResponse(in *ResponseInput) error {
	fields := map[string]string{}
	min, max := s.Scale()
	if in.Score != nil && (*in.Score < min || *in.Score > max) {
		fields["score"] = Reason("must be between %d and %d", min, max)
	}
	if in.Complete && in.Score == nil {
		fields["score"] = Reason("required")
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if n := utf8.RuneCountInString(in.Comment); n > MaxCommentLen {
		fields["comment"] = Reason("%d characters; at most %d", n, MaxCommentLen)
	}
	if !utf8.ValidString(in.Comment) {
		fields["comment"] = Reason("not valid UTF-8")
	}
	byID := map[string]Question{}
	for _, q := range s.Questions {
		byID[q.ID] = q
	}
	for id, raw := range in.Answers {
		q, ok := byID[id]
		if !ok {
			fields["answers."+id] = Reason("no such question in this survey version")
			continue
		}
		if msg := q.check(raw); msg != "" {
			fields["answers."+id] = msg
		}
	}
	if in.Complete {
		for _, q := range s.Questions {
			if _, ok := in.Answers[q.ID]; q.Required && !ok {
				fields["answers."+q.ID] = Reason("required")
			}
		}
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the answer is not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

func (q Question) check(raw json.RawMessage) string {
	hasOption := func(o string) bool {
		for _, x := range q.Options {
			if x == o {
				return true
			}
		}
		return false
	}
	switch q.Kind {
	case QuestionSingle:
		var o string
		if json.Unmarshal(raw, &o) != nil || !hasOption(o) {
			return Reason("must be one of the question's options")
		}
	case QuestionMulti:
		var os []string
		if json.Unmarshal(raw, &os) != nil {
			return Reason("must be a list of the question's options")
		}
		for _, o := range os {
			if !hasOption(o) {
				return Reason("unknown option %s", o)
			}
		}
	case QuestionRating:
		var n int
		if json.Unmarshal(raw, &n) != nil || n < 1 || n > 5 {
			return Reason("must be a whole number from 1 to 5")
		}
	case QuestionFreeText:
		var t string
		if json.Unmarshal(raw, &t) != nil {
			return Reason("must be text")
		}
		if utf8.RuneCountInString(t) > MaxAnswerLen || !utf8.ValidString(t) {
			return Reason("at most %d characters of valid text", MaxAnswerLen)
		}
	}
	return ""
}

// Response is one customer's answer to one survey version.
type Response struct {
	ID           int64                      `json:"id"`
	SurveyID     int64                      `json:"survey_id"`
	Version      int                        `json:"version"`
	CustomerID   int64                      `json:"customer_id,omitempty"`
	InvitationID int64                      `json:"invitation_id,omitempty"`
	Score        *int                       `json:"score"`
	Answers      map[string]json.RawMessage `json:"answers,omitempty"`
	Comment      string                     `json:"comment,omitempty"`
	Language     string                     `json:"language"`
	Channel      string                     `json:"channel,omitempty"`
	Department   string                     `json:"department,omitempty"`
	Division     string                     `json:"division,omitempty"`
	Complete     bool                       `json:"complete"`
	CreatedAt    time.Time                  `json:"created_at"`
	UpdatedAt    time.Time                  `json:"updated_at"`
}

// Invitation is one customer's personal invitation to a survey.
type Invitation struct {
	ID         int64     `json:"id"`
	SurveyID   int64     `json:"survey_id"`
	CustomerID int64     `json:"customer_id"`
	Channel    string    `json:"channel"` // the touchpoint the survey is about
	Department string    `json:"department,omitempty"`
	Division   string    `json:"division,omitempty"`
	Status     string    `json:"status"`           // created (link only), queued, skipped, sent, bounced, failed, responded
	Reason     string    `json:"reason,omitempty"` // why skipped, bounced or failed
	ExpiresAt  time.Time `json:"expires_at"`
	CreatedAt  time.Time `json:"created_at"`
}

// ResponseImport is an answer given elsewhere, recorded with its own time.
type ResponseImport struct {
	// NoAnswer records an invitation that was sent and never answered (the
	// history's response rate); Score, Comment and Language are then unused.
	NoAnswer   bool
	SurveyID   int64
	CustomerID int64
	Channel    string
	Department string
	Division   string
	Score      *int
	Comment    string
	Language   string
	At         time.Time
}

// SendOptions says how to invite a list of customers by e-mail.
type SendOptions struct {
	Channel    string        `json:"channel"` // the touchpoint the survey asks about
	Department string        `json:"department"`
	Division   string        `json:"division"`
	Delay      time.Duration `json:"-"` // send this long after queueing
	TriggerKey string        `json:"-"` // the event that triggered it, for at most one invitation per event
	TTL        time.Duration `json:"-"` // how long links stay valid
	BudgetDays int           `json:"-"` // contact-frequency budget: at most one invitation per customer in this many days
}

// Why an invitation was not sent.
const (
	SkipOptedOut      = "opted_out"
	SkipNoEmail       = "no_email"
	SkipBudget        = "contacted_recently"
	SkipUnknown       = "unknown_customer"
	DefaultBudgetDays = 30
)

// Trigger invites a customer after an event: "when Order Delivered arrives
// from the logistics source, send the delivery CSAT one hour later". At most
// one invitation per event.
type Trigger struct {
	ID         int64         `json:"id"`
	SurveyID   int64         `json:"survey_id"`
	EventName  string        `json:"event"`
	SourceID   int64         `json:"source_id,omitempty"`  // 0: any source
	Department string        `json:"department,omitempty"` // "": any department
	Delay      time.Duration `json:"-"`
	DelayMin   int           `json:"delay_minutes"`
	CreatedAt  time.Time     `json:"created_at"`
}

// Validate checks a trigger.
func (t *Trigger) Validate() error {
	t.EventName = strings.TrimSpace(t.EventName)
	if t.EventName == "" || len(t.EventName) > 512 {
		return Errorf(EINVALID, "a trigger needs the name of the event that starts it").WithFields(map[string]string{"event": "required"})
	}
	if t.DelayMin < 0 || t.DelayMin > 60*24*90 {
		return Errorf(EINVALID, "the delay must be 0 minutes to 90 days").WithFields(map[string]string{"delay_minutes": "0–129600"})
	}
	t.Delay = time.Duration(t.DelayMin) * time.Minute
	return nil
}

// SendReport counts what a send did.
type SendReport struct {
	Queued  int            `json:"queued"`
	Skipped map[string]int `json:"skipped"` // by reason
}

// ResponseFilter selects responses to list or export.
type ResponseFilter struct {
	SurveyID    int64
	SurveyType  SurveyType // instead of SurveyID: the responses of every survey of this type (cockpit drill-down)
	SegmentID   int64      // only the segment's current members' responses
	CustomerID  int64      // one customer's responses; with neither SurveyID nor SurveyType, of every survey
	MinScore    *int
	MaxScore    *int
	Division    string
	Channel     string
	Department  string
	Language    string
	Query       string // words in the comment
	WithComment bool
	Theme       string // comments mentioning this theme
	Sentiment   string // comments of this sentiment (negative, neutral, positive)
	From, To    time.Time
	Limit       int   // 0: all (exports stream)
	BeforeID    int64 // paging: responses older than this id
}

// ResponseRow is a response with its customer's name, for lists and exports.
type ResponseRow struct {
	Response
	CustomerName string        `json:"customer_name"`
	Analysis     *TextAnalysis `json:"analysis,omitempty"` // of the comment; nil until analysed
}

// ResultsQuery selects survey results.
type ResultsQuery struct {
	SurveyID   int64
	Department string // only this department's answers ("": all); department-scoped callers always get their own
	By         string // "", division, channel, department
	Period     string // "", week, month
	From, To   time.Time
}

// ResultRow is one slice (and period) of results.
type ResultRow struct {
	Slice    string    `json:"slice,omitempty"`
	Period   string    `json:"period,omitempty"`
	Estimate Estimate  `json:"estimate"`
	Scores   Scores    `json:"distribution"`
	Start    time.Time `json:"-"`
}

// MonthArrows gives each month of a monthly trend its significant change
// against the calendar month before it: +1, −1 or 0. Never against a month
// further back (a month without answers has no row), never when either side
// has too few answers, and the arrows of one trend are one family
// (Benjamini–Hochberg at FDR), as on the cockpit.
func MonthArrows(rows []ResultRow) []int {
	ps := make([]float64, len(rows))
	for i, r := range rows {
		ps[i] = 1
		if i > 0 && rows[i-1].Start.Equal(r.Start.AddDate(0, -1, 0)) {
			ps[i] = PValue(r.Estimate, rows[i-1].Estimate)
		}
	}
	keep := BenjaminiHochberg(ps, FDR)
	out := make([]int, len(rows))
	for i := range rows {
		out[i] = direction(rows[i].Estimate, rows[max(i-1, 0)].Estimate, keep[i])
	}
	return out
}

// Results are a survey's numbers, computed by the metric registry.
type Results struct {
	SurveyID     int64       `json:"survey_id"`
	Metric       string      `json:"metric"`
	Total        ResultRow   `json:"total"`
	Rows         []ResultRow `json:"rows"`
	Invited      int         `json:"invited"`
	Responded    int         `json:"responded"`
	ResponseRate float64     `json:"response_rate"`
}

// SurveyService manages surveys, invitations and responses.
type SurveyService interface {
	CreateSurvey(ctx context.Context, s *Survey) error
	UpdateSurvey(ctx context.Context, s *Survey) error
	DeleteSurvey(ctx context.Context, id int64) error
	FindSurvey(ctx context.Context, id int64) (*Survey, error)
	FindSurveyVersion(ctx context.Context, id int64, version int) (*Survey, error)
	ListSurveys(ctx context.Context) ([]Survey, error)
	CreateInvitation(ctx context.Context, inv *Invitation, ttl time.Duration) (token string, err error)
	InvitationByToken(ctx context.Context, token string) (*Invitation, *Survey, *Customer, error)
	SaveResponse(ctx context.Context, token string, in ResponseInput) (*Response, error)
	ResponseByInvitation(ctx context.Context, invitationID int64) (*Response, error)
	ImportResponses(ctx context.Context, recs []ResponseImport) error
	QueueInvitations(ctx context.Context, surveyID int64, customers []int64, opt SendOptions) (SendReport, error)
	OptOut(ctx context.Context, token string) error
	PublicToken(ctx context.Context, surveyID int64, anonymousID string) (string, error)
	CustomerForEmail(ctx context.Context, email string) (*Customer, error)
	ListResponses(ctx context.Context, f ResponseFilter, each func(ResponseRow) error) error
	CreateTrigger(ctx context.Context, t *Trigger) error
	ListTriggers(ctx context.Context, surveyID int64) ([]Trigger, error)
	DeleteTrigger(ctx context.Context, id int64) error
	SurveyResults(ctx context.Context, q ResultsQuery) (*Results, error)
}
