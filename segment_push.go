package touchpoint

import (
	"context"
	"net/url"
	"time"
)

// A segment's opportunity list can be pushed to a CRM: a webhook address
// receives the scored members with their next best offers as signed JSON,
// every day and on demand.

// SegmentWebhook is where a segment's opportunity list goes.
type SegmentWebhook struct {
	SegmentID  int64      `json:"segment_id"`
	URL        string     `json:"url"`
	Secret     string     `json:"secret,omitempty"` // signs the bodies; in the answer that sets it only
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	LastSentAt *time.Time `json:"last_sent_at,omitempty"`
	LastStatus string     `json:"last_status,omitempty"` // "200: 3 pages, 2 417 customers" or the error
}

// CheckWebhookURL accepts an http(s) address with a host.
func CheckWebhookURL(raw string) error {
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Errorf(EINVALID, "url must be an http or https address").WithFields(map[string]string{"url": "invalid"})
	}
	return nil
}

// PushPage is one page of a pushed opportunity list.
type PushPage struct {
	Event       string          `json:"event"` // segment.opportunities
	SegmentID   int64           `json:"segment_id"`
	Segment     string          `json:"segment"`
	Page        int             `json:"page"`
	Pages       int             `json:"pages"`
	GeneratedAt time.Time       `json:"generated_at"`
	Customers   []CustomerScore `json:"customers"`
}

// PushPageSize is how many customers one webhook request carries.
const PushPageSize = 1000

// PushSegment sends a segment's opportunity list to its webhook.
type PushSegment struct {
	SegmentID int64 `json:"segment_id"`
}

// Kind names the worker.
func (PushSegment) Kind() string { return "push_segment" }

// PushAllSegments queues a push for every segment with a webhook (daily).
type PushAllSegments struct{}

// Kind names the worker.
func (PushAllSegments) Kind() string { return "push_all_segments" }

// SegmentPushService keeps segment webhooks (segment.push).
type SegmentPushService interface {
	SetSegmentWebhook(ctx context.Context, segmentID int64, url string) (*SegmentWebhook, error)
	DeleteSegmentWebhook(ctx context.Context, segmentID int64) error
	SegmentWebhook(ctx context.Context, segmentID int64) (*SegmentWebhook, error) // nil when none; never the secret
	QueuePush(ctx context.Context, segmentID int64) error
}
