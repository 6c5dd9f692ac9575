package touchpoint

import (
	"context"
	"encoding/json"
	"time"
)

// EventType is one of the Segment spec's calls.
type EventType string

const (
	EventIdentify EventType = "identify"
	EventTrack    EventType = "track"
	EventPage     EventType = "page"
	EventScreen   EventType = "screen"
	EventGroup    EventType = "group"
	EventAlias    EventType = "alias"
)

// Channels are the touchpoint kinds a customer can use.
var Channels = []string{"web", "app", "email", "phone", "chat", "social", "store", "mail", "field"}

// IsChannel reports whether c is a known channel.
func IsChannel(c string) bool {
	for _, k := range Channels {
		if k == c {
			return true
		}
	}
	return false
}

// Event is one interaction at one touchpoint, as stored.
type Event struct {
	ID          int64           `json:"id"`
	MessageID   string          `json:"message_id"`
	SourceID    int64           `json:"source_id"`
	SourceName  string          `json:"source,omitempty"`
	CustomerID  int64           `json:"customer_id"`
	Type        EventType       `json:"type"`
	Name        string          `json:"name,omitempty"`
	Channel     string          `json:"channel"`
	Department  string          `json:"department,omitempty"`
	Division    string          `json:"division,omitempty"`
	Timestamp   time.Time       `json:"timestamp"`
	ReceivedAt  time.Time       `json:"received_at"`
	UserID      string          `json:"user_id,omitempty"`
	AnonymousID string          `json:"anonymous_id,omitempty"`
	Properties  json.RawMessage `json:"properties,omitempty"`
	Traits      json.RawMessage `json:"traits,omitempty"`
	Context     json.RawMessage `json:"context,omitempty"`
}

// Message is one decoded, validated tracking call, ready for ingestion.
// Timestamp is already corrected for client clock skew.
type Message struct {
	Type        EventType
	MessageID   string
	UserID      string
	AnonymousID string
	PreviousID  string // alias only
	GroupID     string // group only
	Name        string // track event name; page/screen name
	Timestamp   time.Time
	ReceivedAt  time.Time
	Channel     string // override of the source's channel, "" for none
	Department  string // override of the source's department, "" for none
	Division    string // override of the source's division, "" for none
	Traits      map[string]json.RawMessage
	Properties  json.RawMessage
	Context     json.RawMessage
	Identities  []Identity       // every identity the message names, normalised
	Consent     map[Purpose]bool // consents (true) and objections (false) it states
	Warnings    []string         // what was read generously (a time without a zone taken as UTC)
}

// IngestResult counts what a batch did.
type IngestResult struct {
	Stored     int // new events
	Duplicates int // replays acknowledged but not stored again
	Suppressed int // messages naming an erased identity: acknowledged, dropped
	Merges     int
}

// RejectedMessage is a message the intake refused. The other messages of
// its batch are stored; this one waits in its source's quarantine, with the
// reason and the JSON as sent, for people to see on the source debugger.
type RejectedMessage struct {
	ID         int64     `json:"id,omitempty"`
	SourceID   int64     `json:"source_id,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	Index      int       `json:"index"` // its place in the batch
	MessageID  string    `json:"messageId,omitempty"`
	Type       string    `json:"type,omitempty"`
	Reason     string    `json:"reason"`
	Raw        string    `json:"raw,omitempty"`
}

// Ingester stores tracking messages durably: when Ingest returns nil every
// message is committed (or was already stored under the same message id).
type Ingester interface {
	Ingest(ctx context.Context, src *Source, msgs []Message) (IngestResult, error)
	Quarantine(ctx context.Context, src *Source, rejected []RejectedMessage) error
	ListQuarantine(ctx context.Context, sourceID int64, limit int) ([]RejectedMessage, error)
}

// IntakeBatch is one tracking call as the intake keeps it: the body as
// received, so that it can be decoded again after a crash or on another
// replica, when it arrived, and what decoding it gave.
type IntakeBatch struct {
	Kind       string // "batch", or the event type of a single call
	Body       []byte
	ReceivedAt time.Time // to the microsecond: a replay must decode the same times
	Messages   []Message
	Rejected   []RejectedMessage
}

// ReplayFunc decodes an intake batch's body again into the messages it was
// accepted with and the ones it refused.
type ReplayFunc func(kind string, body []byte, receivedAt time.Time) ([]Message, []RejectedMessage, error)

// Intake is the durable intake of tracking calls. Append commits a call (its
// body, with an fsync) and returns; a resolver right behind it does identity
// resolution, traits, dedupe and the events, each call exactly once in
// effect, also across crashes.
type Intake interface {
	Append(ctx context.Context, src *Source, b IntakeBatch) error
}

// IntakeStats is the intake's state for /metrics: how far the resolver is
// behind, and the lag from acknowledgement to visible over the last minute.
type IntakeStats struct {
	Pending        time.Duration // age of the oldest call not yet resolved (0: none)
	LagP50, LagP99 time.Duration
	Resolved       IngestResult // since start, by this process
	Calls          int64        // calls resolved since start
}
