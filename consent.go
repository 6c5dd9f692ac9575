package touchpoint

import (
	"strings"
	"time"
)

// Purpose is what a customer consents to, or objects to.
type Purpose string

const (
	PurposeSurvey    Purpose = "survey"    // being asked for feedback (NPS, CSAT, CES invitations)
	PurposeMarketing Purpose = "marketing" // offers, newsletters, cross-selling
	PurposeProfiling Purpose = "profiling" // segments, scores and lists built from their data
)

// Purposes lists every purpose.
var Purposes = []Purpose{PurposeSurvey, PurposeMarketing, PurposeProfiling}

// Default is what holds while the customer has said nothing: surveys and
// profiling rest on the company's legitimate interest and stop at an
// objection (GDPR Art. 21); marketing needs a consent first.
func (p Purpose) Default() bool { return p != PurposeMarketing }

// ParsePurpose reads a purpose, also under the category names consent
// tools send (Segment's categoryPreferences, OneTrust-like groups).
func ParsePurpose(s string) (Purpose, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "survey", "surveys", "feedback":
		return PurposeSurvey, true
	case "marketing", "advertising":
		return PurposeMarketing, true
	case "profiling", "personalization", "personalisation":
		return PurposeProfiling, true
	}
	return "", false
}

// Consent is where a customer stands on one purpose: their last statement,
// or the default when they made none.
type Consent struct {
	Purpose Purpose   `json:"purpose"`
	Granted bool      `json:"granted"`
	Default bool      `json:"default"` // no statement yet: Granted is the purpose's default
	Source  string    `json:"source,omitempty"`
	At      time.Time `json:"at,omitempty"`
}

// ConsentStatement is one statement, kept as said: who recorded it, where
// it came from, when.
type ConsentStatement struct {
	ID      int64     `json:"id"`
	Purpose Purpose   `json:"purpose"`
	Granted bool      `json:"granted"`
	Source  string    `json:"source"` // "unsubscribe link", "source:web shop", "user:agent@example.com"
	At      time.Time `json:"at"`
}
