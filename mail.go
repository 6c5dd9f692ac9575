package touchpoint

import (
	"context"
	"regexp"
	"strconv"
)

// InboundMail is a parsed e-mail sent to the complaints address.
type InboundMail struct {
	From        string // lower-cased address
	FromName    string
	Subject     string
	MessageID   string
	InReplyTo   []string // In-Reply-To and References, for threading
	Text        string
	AutoReply   bool // Auto-Submitted, X-Autoreply, Precedence: bulk…: never answered, never a case
	Attachments []MailAttachment
}

// MailAttachment is a file sent with a mail; one over the size limit is
// recorded by name only.
type MailAttachment struct {
	Filename    string
	ContentType string
	Data        []byte
	Truncated   bool
}

// MailIntake stores complaint mail: first the raw message, whatever it is,
// then what it means.
type MailIntake interface {
	RecordInbound(ctx context.Context, raw []byte, from string, to []string) (int64, error)
	ProcessInbound(ctx context.Context, id int64, m *InboundMail, parseErr error) (outcome string, caseID int64, err error)
}

var caseTokenRE = regexp.MustCompile(`\[#(\d{1,18})\]`)

// CaseToken returns the case id written as "[#123]" in a subject, or 0. Our
// replies carry it, so a customer's answer finds its case even when mail
// programs drop the threading headers.
func CaseToken(subject string) int64 {
	m := caseTokenRE.FindStringSubmatch(subject)
	if m == nil {
		return 0
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}
