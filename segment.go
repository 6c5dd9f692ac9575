package touchpoint

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Condition is one rule of a segment. All conditions of a segment must hold;
// a group of kind any holds when one of its own does (AND of ORs).
//
//	{"kind":"trait","key":"plan","op":"eq","value":"premium"}
//	{"kind":"trait","key":"city","op":"contains","value":"berlin"}
//	{"kind":"trait","key":"email","op":"exists"}
//	{"kind":"event","event":"Order Completed","days":90}        (did it in the last 90 days)
//	{"kind":"event","event":"Order Completed","days":90,"op":"none"} (did not)
//	{"kind":"any","any":[{"kind":"risk","op":"high"},{"kind":"nps","op":"detractor"}]}
type Condition struct {
	Kind  string `json:"kind"`
	Key   string `json:"key,omitempty"`
	Op    string `json:"op,omitempty"`
	Value string `json:"value,omitempty"`
	Event string `json:"event,omitempty"`
	Days  int    `json:"days,omitempty"`
	Count int    `json:"count,omitempty"` // event op atleast: this many times in Days
	// Any is a group (kind "any"): it holds when one of its conditions
	// does. Groups do not nest.
	Any []Condition `json:"any,omitempty"`
}

// Computed conditions: kind nps (op promoter, passive or detractor, by the
// customer's latest NPS answer) and kind open_cases (Count or more cases not
// resolved or closed; Count 0 means none open); kind risk (op high, medium
// or low: the churn risk band) and kind value_tier (op top, high, medium or
// low), both as the risk job last scored the customer.
//
// Trait operators: eq, neq, contains, exists; the numeric gt, gte, lt,
// lte (Value a number) and between (Value "low..high", both included); in
// (Value a comma-separated list, any of them). Event operators: any (did it
// in Days), none (did not), atleast (Count times or more in Days).
var traitOps = map[string]bool{"eq": true, "neq": true, "contains": true, "exists": true,
	"gt": true, "gte": true, "lt": true, "lte": true, "between": true, "in": true}

// NumericOp reports whether a trait operator compares numbers.
func NumericOp(op string) bool {
	return op == "gt" || op == "gte" || op == "lt" || op == "lte" || op == "between"
}

// Range reads a between condition's "low..high".
func (c Condition) Range() (lo, hi float64, ok bool) {
	a, b, found := strings.Cut(c.Value, "..")
	if !found {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	return lo, hi, err1 == nil && err2 == nil && lo <= hi
}

// List reads an in condition's values.
func (c Condition) List() []string {
	var out []string
	for _, v := range strings.Split(c.Value, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
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
		fields["name"] = Reason("required, at most 200 characters")
	}
	if len(s.Conditions) == 0 || len(s.Conditions) > 10 {
		fields["conditions"] = Reason("1 to 10 conditions")
	}
	for i, c := range s.Conditions {
		if p := c.problem(false); p != "" {
			fields[fmt.Sprintf("conditions[%d]", i)] = p
		}
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the segment is not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

// SegmentService manages segments.
type SegmentService interface {
	CreateSegment(ctx context.Context, s *Segment) error
	ListSegments(ctx context.Context) ([]Segment, error)
	FindSegment(ctx context.Context, id int64) (*Segment, error)
	SegmentMembers(ctx context.Context, id int64, limit int) (ids []int64, total int, err error)
	// PreviewSegment counts the members of rules not saved yet.
	PreviewSegment(ctx context.Context, s *Segment) (int, error)
	// CustomerSegments are the segments one customer belongs to now.
	CustomerSegments(ctx context.Context, customerID int64) ([]Segment, error)
	// SegmentHistory is who entered and left lately, newest first.
	SegmentHistory(ctx context.Context, segmentID int64, limit int) ([]MembershipChange, error)
}

// problem says what is wrong with a condition, "" when nothing is; nested
// is true inside an any group.
func (c Condition) problem(nested bool) string {
	switch c.Kind {
	case "trait":
		switch {
		case c.Key == "" || len(c.Key) > 128:
			return Reason("a trait condition needs the trait's key")
		case !traitOps[c.Op]:
			return Reason("op must be eq, neq, contains, exists, gt, gte, lt, lte, between or in")
		case c.Op != "exists" && c.Value == "":
			return Reason("op %s needs a value", c.Op)
		case c.Op == "between":
			if _, _, ok := c.Range(); !ok {
				return Reason(`between needs "low..high", two numbers, low ≤ high`)
			}
		case NumericOp(c.Op):
			if _, err := strconv.ParseFloat(c.Value, 64); err != nil {
				return Reason("op %s compares numbers: the value must be one", c.Op)
			}
		case c.Op == "in" && (len(c.List()) == 0 || len(c.List()) > 100):
			return Reason("in needs 1 to 100 comma-separated values")
		}
	case "event":
		switch {
		case c.Event == "" || len(c.Event) > 512:
			return Reason("an event condition needs the event's name")
		case c.Days < 1 || c.Days > 3660:
			return Reason("days must be 1 to 3660")
		case c.Op != "" && c.Op != "any" && c.Op != "none" && c.Op != "atleast":
			return Reason("op must be any (did it), none (did not) or atleast (count times or more)")
		case c.Op == "atleast" && (c.Count < 1 || c.Count > 1000000):
			return Reason("atleast needs a count from 1")
		}
	case "nps":
		if c.Op != "promoter" && c.Op != "passive" && c.Op != "detractor" {
			return Reason("an nps condition's op is promoter, passive or detractor (by the customer's latest NPS answer)")
		}
	case "open_cases":
		if c.Count < 0 || c.Count > 1000 {
			return Reason("an open_cases condition needs a count from 0 (0: none open)")
		}
	case "risk":
		if c.Op != RiskHigh && c.Op != RiskMedium && c.Op != RiskLow {
			return Reason("a risk condition's op is high, medium or low (the customer's churn risk band)")
		}
	case "value_tier":
		if c.Op != TierTop && c.Op != TierHigh && c.Op != TierMedium && c.Op != TierLow {
			return Reason("a value_tier condition's op is top, high, medium or low (by the customer's RFM scores)")
		}
	case "any":
		if nested {
			return Reason("an any group holds plain conditions, not another group")
		}
		if len(c.Any) < 2 || len(c.Any) > 10 {
			return Reason("an any group needs 2 to 10 conditions, one of which must hold")
		}
		for k, sub := range c.Any {
			if p := sub.problem(true); p != "" {
				return Reason("any[%d]: %s", k, p)
			}
		}
	default:
		return Reason("kind must be trait, event, nps, open_cases, risk, value_tier or any")
	}
	return ""
}

// MembershipChange is a customer entering or leaving a segment, as the
// hourly job saw it.
type MembershipChange struct {
	CustomerID int64     `json:"customer_id"`
	Name       string    `json:"name,omitempty"`
	At         time.Time `json:"at"`
	Entered    bool      `json:"entered"` // false: left
}
