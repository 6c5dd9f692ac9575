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
