package touchpoint

import (
	"context"
	"strings"
	"time"
)

// ActionStatus is where an action item stands.
type ActionStatus string

const (
	ActionOpen      ActionStatus = "open"
	ActionDone      ActionStatus = "done"
	ActionCancelled ActionStatus = "cancelled"
)

// ActionItem is work one department owes to move a KPI: the cockpit and the
// board pack list them, overdue ones first.
type ActionItem struct {
	ID         int64           `json:"id"`
	Title      string          `json:"title"`
	OwnerID    int64           `json:"owner_id,omitempty"` // a user; 0 = the department as a whole
	Department string          `json:"department"`
	Due        string          `json:"due"`              // YYYY-MM-DD
	KPI        string          `json:"kpi,omitempty"`    // a registry id: nps, csat, sla_compliance, …
	Slice      string          `json:"slice,omitempty"`  // e.g. "division=Online, channel=web"
	Origin     string          `json:"origin,omitempty"` // where it came from, e.g. "council idea 4" (set by touchpoint)
	Status     ActionStatus    `json:"status"`
	CreatedBy  string          `json:"created_by"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	Comments   []ActionComment `json:"comments,omitempty"`
}

// ActionComment is one remark on an action item.
type ActionComment struct {
	Author string    `json:"author"`
	At     time.Time `json:"at"`
	Body   string    `json:"body"`
}

// Validate checks an action item before it is stored.
func (a *ActionItem) Validate() error {
	a.Title = strings.TrimSpace(a.Title)
	a.Department = strings.TrimSpace(a.Department)
	if a.Status == "" {
		a.Status = ActionOpen
	}
	fields := map[string]string{}
	if a.Title == "" || len(a.Title) > 200 {
		fields["title"] = Reason("required, at most 200 characters")
	}
	if a.Department == "" {
		fields["department"] = Reason("required")
	}
	if _, err := time.Parse(time.DateOnly, a.Due); err != nil {
		fields["due"] = Reason("a date as YYYY-MM-DD")
	}
	if a.KPI != "" && !isKPI(a.KPI) {
		fields["kpi"] = Reason("not a registered KPI (see /api/v1/kpis)")
	}
	if len(a.Slice) > 200 {
		fields["slice"] = Reason("at most 200 characters")
	}
	switch a.Status {
	case ActionOpen, ActionDone, ActionCancelled:
	default:
		fields["status"] = Reason("open, done or cancelled")
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the action item is not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

// Overdue reports whether an open item's due day has passed in loc.
func (a *ActionItem) Overdue(now time.Time, loc *time.Location) bool {
	due, err := time.ParseInLocation(time.DateOnly, a.Due, loc)
	return err == nil && a.Status == ActionOpen && !now.Before(due.AddDate(0, 0, 1))
}

func isKPI(id string) bool {
	_, ok := KPIByID(id)
	return ok
}

// ActionChange is a partial update; nil fields stay.
type ActionChange struct {
	Title   *string       `json:"title"`
	OwnerID *int64        `json:"owner_id"`
	Due     *string       `json:"due"`
	Status  *ActionStatus `json:"status"`
	Comment string        `json:"comment"` // added to the item's comments
}

// ActionFilter selects action items.
type ActionFilter struct {
	Department string
	Status     ActionStatus
	OwnerID    int64
}

// ActionService stores action items. Department-scoped roles see and change
// their department's only.
type ActionService interface {
	CreateAction(ctx context.Context, a *ActionItem) error
	ListActions(ctx context.Context, f ActionFilter) ([]ActionItem, error)
	FindAction(ctx context.Context, id int64) (*ActionItem, error)
	UpdateAction(ctx context.Context, id int64, ch ActionChange) (*ActionItem, error)
}
