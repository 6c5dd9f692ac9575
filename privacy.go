package touchpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// CustomerExport is everything held about one person (GDPR Art. 15): every
// row of every table on the customer-data list, by table.
type CustomerExport struct {
	CustomerID  int64                       `json:"customer_id"`
	ExportedAt  time.Time                   `json:"exported_at"`
	Profiles    []int64                     `json:"profiles"` // the customer and every profile merged into it
	Tables      map[string][]map[string]any `json:"tables"`
	Attachments []ExportAttachment          `json:"attachments,omitempty"`
}

// ExportAttachment is a file a complaint mail carried; the ZIP export holds
// its bytes under Path.
type ExportAttachment struct {
	ID          int64  `json:"id"`
	CaseID      int64  `json:"case_id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Path        string `json:"path,omitempty"`
	Data        []byte `json:"-"`
}

// ErasureReport says what an erasure did, table by table.
type ErasureReport struct {
	CustomerID int64          `json:"customer_id"`
	Profiles   []int64        `json:"profiles"`
	Deleted    map[string]int `json:"deleted"`
	Anonymised map[string]int `json:"anonymised"`
	Suppressed int            `json:"suppressed_identities"`
	Scrub      string         `json:"scrub"` // "done", or "pending": PostgreSQL rewrites the tables in the nightly run
}

// Retention kinds: what a retention period applies to.
const (
	RetainEvents   = "events"   // raw tracking events
	RetainComments = "comments" // survey comments and free-text answers
	RetainCases    = "cases"    // closed cases' texts
	RetainMail     = "mail"     // complaint mails as received, and their attachments
)

// RetentionKinds lists the kinds in the order pages show them.
var RetentionKinds = []string{RetainEvents, RetainComments, RetainCases, RetainMail}

// DefaultRetention is each kind's period in days (0 keeps it forever):
// three years for events and comments (the cockpit's trends reach back 18
// months; rollups keep the numbers longer), six years for closed cases
// (commercial letters under HGB §257), one year for mail as received
// (the case keeps its text until the case's own period ends).
var DefaultRetention = map[string]int{RetainEvents: 1095, RetainComments: 1095, RetainCases: 2190, RetainMail: 365}

// Retention is the period in days per kind.
type Retention map[string]int

// Validate checks every kind is known and each period is 0 (forever) or
// 30 days to 30 years.
func (r Retention) Validate() error {
	fields := map[string]string{}
	for k, d := range r {
		if _, ok := DefaultRetention[k]; !ok {
			fields[k] = Reason("unknown kind (events, comments, cases, mail)")
		} else if d != 0 && (d < 30 || d > 10950) {
			fields[k] = Reason("0 (keep) or 30 to 10950 days")
		}
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the retention periods are not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

// RetentionReport says what a retention run did.
type RetentionReport struct {
	At      time.Time      `json:"at"`
	Periods Retention      `json:"periods"`
	Done    map[string]int `json:"done"` // e.g. "events deleted": 1200, "comments cleared": 40
	Scrub   string         `json:"scrub"`
}

// String is the report in one line, for logs and the audit log.
func (r RetentionReport) String() string {
	b, _ := json.Marshal(r.Done)
	return fmt.Sprintf("retention %s: %s", r.At.Format(time.DateOnly), b)
}

// PrivacyService keeps data-subject rights, consent and retention.
type PrivacyService interface {
	ExportCustomer(ctx context.Context, id int64) (*CustomerExport, error)
	EraseCustomer(ctx context.Context, id int64) (*ErasureReport, error)
	Consents(ctx context.Context, id int64) ([]Consent, []ConsentStatement, error)
	SetConsent(ctx context.Context, id int64, p Purpose, granted bool) error
	Retention(ctx context.Context) (Retention, *RetentionReport, error)
	SetRetention(ctx context.Context, r Retention) error
	RunRetention(ctx context.Context) (*RetentionReport, error)
	Suppressions(ctx context.Context) (int, error)
	CustomerDataList(ctx context.Context) ([]DataTableInfo, error)
	ScrubPending(ctx context.Context) ([]string, error)
	ScrubNow(ctx context.Context) error
}

// DataTableInfo describes one table of the customer-data list for people:
// what it holds, and what a merge and an erasure do with it.
type DataTableInfo struct {
	Table string   `json:"table"`
	Why   string   `json:"why"`
	PII   []string `json:"personal_columns"`
	Merge string   `json:"on_merge"`
	Erase string   `json:"on_erase"`
}

// RunRetention is the daily retention job.
type RunRetention struct{}

// Kind names the worker.
func (RunRetention) Kind() string { return "run_retention" }

// ScrubStorage rewrites the tables that still hold bytes of erased or
// expired data (PostgreSQL).
type ScrubStorage struct{}

// Kind names the worker.
func (ScrubStorage) Kind() string { return "scrub_storage" }
