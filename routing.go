package touchpoint

import (
	"context"
	"strings"
)

// RoutingRule sends matching new cases to a department. Rules are tried in
// position order; the first match wins; a case no rule matches waits in the
// triage queue (no department).
type RoutingRule struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Name     string `json:"name"`
	// Conditions; empty ones match anything.
	Channel   string   `json:"channel,omitempty"`
	Source    string   `json:"source,omitempty"`
	Category  string   `json:"category,omitempty"`
	Keywords  []string `json:"keywords,omitempty"`   // any of them, in subject or description, case-insensitive
	SegmentID int64    `json:"segment_id,omitempty"` // the customer is in this segment
	// Actions.
	Department string   `json:"department"`
	Priority   Priority `json:"priority,omitempty"` // "" keeps the case's
	Assign     bool     `json:"assign,omitempty"`   // round-robin among the department's agents
}

// Validate checks a rule.
func (r *RoutingRule) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	r.Department = strings.TrimSpace(r.Department)
	switch {
	case r.Name == "":
		return Errorf(EINVALID, "a rule needs a name").WithFields(map[string]string{"name": "required"})
	case r.Department == "":
		return Errorf(EINVALID, "a rule needs the department it routes to").WithFields(map[string]string{"department": "required"})
	case r.Channel != "" && !IsChannel(r.Channel):
		return Errorf(EINVALID, "unknown channel %s", r.Channel).WithFields(map[string]string{"channel": "invalid"})
	}
	if r.Priority != "" {
		ok := false
		for _, p := range Priorities {
			ok = ok || p == r.Priority
		}
		if !ok {
			return Errorf(EINVALID, "priority must be low, normal, high or urgent").WithFields(map[string]string{"priority": "invalid"})
		}
	}
	return nil
}

// Matches reports whether the rule's conditions, other than the segment,
// hold for c.
func (r *RoutingRule) Matches(c *Case) bool {
	if (r.Channel != "" && r.Channel != c.Channel) || (r.Source != "" && r.Source != c.Source) ||
		(r.Category != "" && !strings.EqualFold(r.Category, c.Category)) {
		return false
	}
	if len(r.Keywords) == 0 {
		return true
	}
	text := strings.ToLower(c.Subject + "\n" + c.Description)
	for _, k := range r.Keywords {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" && strings.Contains(text, k) {
			return true
		}
	}
	return false
}

// RoutingService manages routing rules.
type RoutingService interface {
	CreateRoutingRule(ctx context.Context, r *RoutingRule) error
	ListRoutingRules(ctx context.Context) ([]RoutingRule, error)
	DeleteRoutingRule(ctx context.Context, id int64) error
}
