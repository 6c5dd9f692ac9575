package touchpoint

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Condition is one rule of a segment. All conditions of a segment must hold.
//
//	{"kind":"trait","key":"plan","op":"eq","value":"premium"}
//	{"kind":"trait","key":"city","op":"contains","value":"berlin"}
//	{"kind":"trait","key":"email","op":"exists"}
//	{"kind":"event","event":"Order Completed","days":90}        (did it in the last 90 days)
//	{"kind":"event","event":"Order Completed","days":90,"op":"none"} (did not)
type Condition struct {
	Kind  string `json:"kind"`
	Key   string `json:"key,omitempty"`
	Op    string `json:"op,omitempty"`
	Value string `json:"value,omitempty"`
	Event string `json:"event,omitempty"`
	Days  int    `json:"days,omitempty"`
}

// Segment is a saved, named rule; its members are computed when asked.
type Segment struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Conditions  []Condition `json:"conditions"`
	CreatedAt   time.Time   `json:"created_at"`
}

// Validate checks a segment.
func (s *Segment) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	fields := map[string]string{}
	if s.Name == "" || len(s.Name) > 200 {
		fields["name"] = "required, at most 200 characters"
	}
	if len(s.Conditions) == 0 || len(s.Conditions) > 10 {
		fields["conditions"] = "1 to 10 conditions"
	}
	for i, c := range s.Conditions {
		key := fmt.Sprintf("conditions[%d]", i)
		switch c.Kind {
		case "trait":
			switch {
			case c.Key == "" || len(c.Key) > 128:
				fields[key] = "a trait condition needs the trait's key"
			case c.Op != "eq" && c.Op != "neq" && c.Op != "contains" && c.Op != "exists":
				fields[key] = "op must be eq, neq, contains or exists"
			case c.Op != "exists" && c.Value == "":
				fields[key] = "op " + c.Op + " needs a value"
			}
		case "event":
			switch {
			case c.Event == "" || len(c.Event) > 512:
				fields[key] = "an event condition needs the event's name"
			case c.Days < 1 || c.Days > 3660:
				fields[key] = "days must be 1 to 3660"
			case c.Op != "" && c.Op != "any" && c.Op != "none":
				fields[key] = "op must be any (did it) or none (did not)"
			}
		default:
			fields[key] = "kind must be trait or event"
		}
	}
	if len(fields) > 0 {
		return &Error{Code: EINVALID, Message: "the segment is not valid: " + firstField(fields), Fields: fields}
	}
	return nil
}

// SegmentService manages segments.
type SegmentService interface {
	CreateSegment(ctx context.Context, s *Segment) error
	ListSegments(ctx context.Context) ([]Segment, error)
	FindSegment(ctx context.Context, id int64) (*Segment, error)
	SegmentMembers(ctx context.Context, id int64, limit int) (ids []int64, total int, err error)
	// CustomerSegments are the segments one customer belongs to now.
	CustomerSegments(ctx context.Context, customerID int64) ([]Segment, error)
}
