package touchpoint

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// CaseStatus moves new → open → pending_customer → resolved → closed; a
// resolved case may be reopened.
type CaseStatus string

const (
	CaseNew             CaseStatus = "new"
	CaseOpen            CaseStatus = "open"
	CasePendingCustomer CaseStatus = "pending_customer"
	CaseResolved        CaseStatus = "resolved"
	CaseClosed          CaseStatus = "closed"
)

// caseTransitions lists where each status may go.
var caseTransitions = map[CaseStatus][]CaseStatus{
	CaseNew:             {CaseOpen, CasePendingCustomer, CaseResolved},
	CaseOpen:            {CasePendingCustomer, CaseResolved},
	CasePendingCustomer: {CaseOpen, CaseResolved},
	CaseResolved:        {CaseOpen, CaseClosed}, // open again = reopen
	CaseClosed:          {},
}

// CanMove reports whether a case may go from one status to another, and why not.
func CanMove(from, to CaseStatus) error {
	if _, ok := caseTransitions[to]; !ok {
		return Errorf(EINVALID, "unknown status %q (new, open, pending_customer, resolved, closed)", to)
	}
	for _, s := range caseTransitions[from] {
		if s == to {
			return nil
		}
	}
	if from == CaseClosed {
		return Errorf(ECONFLICT, "the case is closed; a closed case cannot change status (open a new case)")
	}
	return Errorf(ECONFLICT, "a case cannot go from %s to %s", from, to)
}

// Priority of a case.
type Priority string

const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities from low to urgent.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Raise returns the next higher priority (urgent stays urgent).
func (p Priority) Raise() Priority {
	for i, q := range Priorities {
		if q == p && i+1 < len(Priorities) {
			return Priorities[i+1]
		}
	}
	return PriorityUrgent
}

// CaseSource says how a case came in.
const (
	CaseFromEmail  = "email"
	CaseFromWeb    = "web_form"
	CaseFromAPI    = "api"
	CaseFromSurvey = "survey"
	CaseFromPhone  = "phone"
	CaseFromManual = "manual"
	// CaseFromPlaybook: a retention playbook opened it when the customer
	// entered the playbook's segment.
	CaseFromPlaybook = "playbook"
)

// Redress is what the company gave to make good.
type Redress struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Kind     string  `json:"kind"` // refund, voucher, goodwill…
}

// Case is a complaint or request that must be resolved.
type Case struct {
	ID             int64      `json:"id"`
	CustomerID     int64      `json:"customer_id"`
	Subject        string     `json:"subject"`
	Description    string     `json:"description"`
	Channel        string     `json:"channel"`
	Source         string     `json:"source"` // email, web_form, api, survey, phone, manual
	Category       string     `json:"category,omitempty"`
	SubCategory    string     `json:"sub_category,omitempty"`
	Priority       Priority   `json:"priority"`
	Department     string     `json:"department,omitempty"` // "" = triage queue
	Division       string     `json:"division,omitempty"`
	AssigneeID     int64      `json:"assignee_id,omitempty"`
	Status         CaseStatus `json:"status"`
	ResolutionCode string     `json:"resolution_code,omitempty"`
	RootCause      string     `json:"root_cause,omitempty"`
	Redress        *Redress   `json:"redress,omitempty"`
	Tags           []string   `json:"tags,omitempty"`
	ResponseID     int64      `json:"response_id,omitempty"` // the survey answer that opened it
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	FirstReplyAt   *time.Time `json:"first_reply_at,omitempty"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	// SLA due times (business time from the case's policy; paused while
	// waiting for the customer).
	FirstResponseDue *time.Time `json:"first_response_due,omitempty"`
	ResolutionDue    *time.Time `json:"resolution_due,omitempty"`
}

// Limits on cases.
const (
	MaxSubjectLen     = 300
	MaxDescriptionLen = 50000
)

// Validate checks a new case and fills defaults.
func (c *Case) Validate() error {
	c.Subject = strings.TrimSpace(c.Subject)
	fields := map[string]string{}
	if c.CustomerID <= 0 {
		fields["customer_id"] = Reason("required")
	}
	if c.Subject == "" || utf8.RuneCountInString(c.Subject) > MaxSubjectLen {
		fields["subject"] = Reason("required, at most %d characters", MaxSubjectLen)
	}
	if utf8.RuneCountInString(c.Description) > MaxDescriptionLen {
		fields["description"] = Reason("at most %d characters", MaxDescriptionLen)
	}
	if c.Priority == "" {
		c.Priority = PriorityNormal
	}
	valid := false
	for _, p := range Priorities {
		valid = valid || p == c.Priority
	}
	if !valid {
		fields["priority"] = Reason("one of low, normal, high, urgent")
	}
	if c.Channel == "" {
		c.Channel = "web"
	}
	if !IsChannel(c.Channel) {
		fields["channel"] = Reason("unknown channel")
	}
	if c.Source == "" {
		c.Source = CaseFromAPI
	}
	switch c.Source {
	case CaseFromEmail, CaseFromWeb, CaseFromAPI, CaseFromSurvey, CaseFromPhone, CaseFromManual, CaseFromPlaybook:
	default:
		fields["source"] = Reason("one of email, web_form, api, survey, phone, manual")
	}
	if c.Status == "" {
		c.Status = CaseNew
	}
	if c.Redress != nil && (c.Redress.Amount < 0 || len(c.Redress.Currency) != 3) {
		fields["redress"] = Reason("amount ≥ 0 and a 3-letter currency")
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the case is not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

// CaseEvent is one entry of a case's audit trail and conversation.
type CaseEvent struct {
	ID       int64           `json:"id"`
	CaseID   int64           `json:"case_id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Kind     string          `json:"kind"` // created, status, assign, priority, department, field, note, reply, inbound, sla
	Field    string          `json:"field,omitempty"`
	Old      string          `json:"old,omitempty"`
	New      string          `json:"new,omitempty"`
	Body     string          `json:"body,omitempty"` // notes and messages
	Public   bool            `json:"public"`         // visible to the customer (replies and inbound mail)
	Metadata json.RawMessage `json:"metadata,omitempty"`
}

// CaseFilter selects a queue.
type CaseFilter struct {
	Department string
	Triage     bool // cases no rule routed (no department)
	Status     []CaseStatus
	Priority   Priority
	AssigneeID int64
	Unassigned bool
	CustomerID int64
	Division   string
	Channel    string
	From, To   time.Time // opened in [From, To)
	SegmentID  int64     // only the segment's current members' cases
	Query      string    // words in the subject, the description, or the customer's name, e-mail or phone
	WorkOrder  bool      // the queue's order (SortQueue's, in the database) instead of newest first
	Limit      int
	BeforeID   int64
}

// Attachment is a file that came with a complaint mail.
type Attachment struct {
	ID          int64     `json:"id"`
	CaseID      int64     `json:"case_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Stored      bool      `json:"stored"` // false when it was over the size limit and only recorded
	CreatedAt   time.Time `json:"created_at"`
}

// DownloadType is the Content-Type a file is served with: its own, except
// types a browser would run (HTML, SVG, XML, scripts), which are served as
// plain bytes. Files are always downloads, never shown inline.
func (a Attachment) DownloadType() string {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(a.ContentType, ";")[0]))
	switch {
	case ct == "" || strings.Contains(ct, "html") || strings.Contains(ct, "xml") || strings.Contains(ct, "svg") ||
		strings.Contains(ct, "javascript") || strings.Contains(ct, "ecmascript") || !strings.Contains(ct, "/"):
		return "application/octet-stream"
	}
	return ct
}

// CaseService manages cases.
type CaseService interface {
	ListAttachments(ctx context.Context, caseID int64) ([]Attachment, error)
	Attachment(ctx context.Context, caseID, id int64) (*Attachment, []byte, error)
	AddAttachment(ctx context.Context, caseID int64, filename, contentType string, data []byte) (*Attachment, error)
	// MergeCases folds the duplicate dupID into keepID (one customer's cases).
	MergeCases(ctx context.Context, keepID, dupID int64) (*Case, error)
	// SplitCase opens a new case from one message of a case (a second matter in one thread).
	SplitCase(ctx context.Context, caseID, eventID int64, subject string) (*Case, error)
	ReplyTemplateService
	CreateCase(ctx context.Context, c *Case) error
	SubmitComplaint(ctx context.Context, c *Case) error // from the public form
	FindCase(ctx context.Context, id int64) (*Case, []CaseEvent, error)
	ListCases(ctx context.Context, f CaseFilter) ([]Case, error)
	MoveCase(ctx context.Context, id int64, to CaseStatus, note string) (*Case, error)
	AddCaseNote(ctx context.Context, id int64, body string, public bool) (*CaseEvent, error)
	AssignCase(ctx context.Context, id, userID int64) error
	CaseKPIs(ctx context.Context, q CaseKPIQuery) ([]CaseKPIRow, error)
	ImportCases(ctx context.Context, cases []CaseImport) error
	UpdateCase(ctx context.Context, id int64, ch CaseChange) (*Case, error)
	SetTaxonomy(ctx context.Context, t Taxonomy) error
	Taxonomy(ctx context.Context) (Taxonomy, error)
	ListAgents(ctx context.Context, department string) ([]User, error)
}

// Overdue reports whether an SLA target of c is past due and not met.
func (c *Case) Overdue(now time.Time) bool {
	if c.Status == CaseClosed || c.Status == CasePendingCustomer {
		return false
	}
	return (c.FirstReplyAt == nil && c.FirstResponseDue != nil && now.After(*c.FirstResponseDue)) ||
		(c.ResolvedAt == nil && c.ResolutionDue != nil && now.After(*c.ResolutionDue))
}

// CaseKPIQuery selects case KPIs: by department, division, channel or
// category, per week or month, for cases opened in [From, To].
type CaseKPIQuery struct {
	By       string
	Period   string
	From, To time.Time
}

// CaseImport is a case from elsewhere (another ticket system, or the demo
// data) with its own times and trail; Case.Status is where it stands now.
type CaseImport struct {
	Case   Case
	Events []CaseEvent // after "created", in time order
}

// CaseChange sets some fields of a case; nil fields stay as they are.
type CaseChange struct {
	Priority       *Priority `json:"priority"`
	Department     *string   `json:"department"`
	Category       *string   `json:"category"`
	SubCategory    *string   `json:"sub_category"`
	ResolutionCode *string   `json:"resolution_code"`
	RootCause      *string   `json:"root_cause"`
	Redress        *Redress  `json:"redress"`
	Tags           *[]string `json:"tags"`
}

// Taxonomy lists case categories and their sub-categories. Empty means any
// category is accepted.
type Taxonomy map[string][]string

// Check reports whether a category (and sub-category) is in the taxonomy.
func (t Taxonomy) Check(category, sub string) error {
	if len(t) == 0 || (category == "" && sub == "") {
		return nil
	}
	subs, ok := t[category]
	if !ok {
		return Errorf(EINVALID, "unknown category %s", category).WithFields(map[string]string{"category": "not in the taxonomy"})
	}
	if sub == "" {
		return nil
	}
	for _, s := range subs {
		if s == sub {
			return nil
		}
	}
	return Errorf(EINVALID, "unknown sub-category %s of %s", sub, category).WithFields(map[string]string{"sub_category": "not in the taxonomy"})
}

// CanTakeCase reports whether a user of role and department may be assigned
// a case of caseDept: its own department's agents and heads, or the CCO's
// office and admins, who work every department.
func CanTakeCase(role Role, department, caseDept string) bool {
	switch role {
	case RoleAdmin, RoleCCO:
		return true
	case RoleAgent, RoleDepartmentHead:
		return department != "" && department == caseDept
	}
	return false
}

// NextDue is the earliest SLA due time c still has to meet: the first
// response while none was given, then the resolution; nil when none.
func (c *Case) NextDue() *time.Time {
	var due *time.Time
	if c.FirstReplyAt == nil && c.FirstResponseDue != nil {
		due = c.FirstResponseDue
	}
	if c.ResolvedAt == nil && c.ResolutionDue != nil && (due == nil || c.ResolutionDue.Before(*due)) {
		due = c.ResolutionDue
	}
	return due
}

// SortQueue puts a queue in working order: overdue cases first, then by the
// SLA due time nearest, then by priority (urgent first), then oldest first.
// Cases waiting for the customer have no clock running and go last.
func SortQueue(cases []Case, now time.Time) {
	rank := map[Priority]int{PriorityUrgent: 0, PriorityHigh: 1, PriorityNormal: 2, PriorityLow: 3}
	waiting := func(c *Case) bool {
		return c.Status == CasePendingCustomer || c.Status == CaseResolved || c.Status == CaseClosed
	}
	sort.SliceStable(cases, func(i, j int) bool {
		a, b := &cases[i], &cases[j]
		if wa, wb := waiting(a), waiting(b); wa != wb {
			return wb
		}
		if oa, ob := a.Overdue(now), b.Overdue(now); oa != ob {
			return oa
		}
		da, db := a.NextDue(), b.NextDue()
		switch {
		case da != nil && db == nil:
			return true
		case da == nil && db != nil:
			return false
		case da != nil && !da.Equal(*db):
			return da.Before(*db)
		}
		if rank[a.Priority] != rank[b.Priority] {
			return rank[a.Priority] < rank[b.Priority]
		}
		return a.ID < b.ID
	})
}

// CategoryDetractor is the category of the follow-up case a detractor's
// survey answer opens (close the loop). Such a case is not a complaint, so
// lists of complaint categories (the board pack) leave it out.
const CategoryDetractor = "detractor"
