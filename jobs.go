package touchpoint

// Jobs are background work, stored in the database with the change that
// needs them (one transaction) and worked by the job runner. Their Kind names
// the worker; the fields are all a worker needs to re-read current state.

// Job is any background job.
type Job interface{ Kind() string }

// SendInvitation e-mails a survey invitation, or its one reminder.
type SendInvitation struct {
	InvitationID int64 `json:"invitation_id"`
	Reminder     bool  `json:"reminder,omitempty"`
}

// Kind names the worker.
func (SendInvitation) Kind() string { return "send_invitation" }

// SendCaseReply mails an agent's reply on a case to the customer.
type SendCaseReply struct {
	CaseID  int64 `json:"case_id"`
	EventID int64 `json:"event_id"`
}

// Kind names the worker.
func (SendCaseReply) Kind() string { return "send_case_reply" }

// NotifyBreach tells a department's heads (the CCO's office for the triage
// queue) that a case breached its SLA.
type NotifyBreach struct {
	CaseID int64  `json:"case_id"`
	Target string `json:"target"`
}

// Kind names the worker.
func (NotifyBreach) Kind() string { return "notify_breach" }

// AnalyzeTexts analyses the survey comments and cases that arrived or
// changed since the last run. It runs every 15 seconds.
type AnalyzeTexts struct{}

// Kind names the worker.
func (AnalyzeTexts) Kind() string { return "analyze_texts" }

// RefreshRisk recomputes every customer's features, value and churn risk,
// training the churn model when it is a day old. It runs every hour.
type RefreshRisk struct{}

// Kind names the worker.
func (RefreshRisk) Kind() string { return "refresh_risk" }

// RefreshRollups brings the cockpit's rollups up to date, then evaluates the
// alert rules on them. It runs every minute.
type RefreshRollups struct{}

// Kind names the worker.
func (RefreshRollups) Kind() string { return "refresh_rollups" }
