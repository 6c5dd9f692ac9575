package demo

import (
	"context"
	"fmt"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// loadFollowUps gives the demo what an office in use has beside its data:
// alert rules watching the headline numbers, action items in flight (some
// overdue), and the segments a CCO keeps (who is likely to leave, who is
// worth most), so the overview, alerts and risk pages are not empty.
func loadFollowUps(ctx context.Context, cfg Config, st Store) error {
	rules := []tp.AlertRule{
		{Name: "NPS Online drops", KPI: "nps", Division: "Online", Kind: "drop", Period: "month", NotifyOwners: true, Enabled: true},
		{Name: "SLA compliance Service below 90 %", KPI: "sla_compliance", Department: "Service", Kind: "threshold", Op: "<",
			Threshold: 90, Period: "week", NotifyOwners: true, Enabled: true},
		{Name: "Complaint volume rises", KPI: "case_volume", Kind: "drop", Period: "month", Emails: []string{"cco@example.com"}, Enabled: true},
	}
	for _, r := range rules {
		if err := st.Alerts.CreateAlertRule(ctx, &r); err != nil {
			return fmt.Errorf("demo alert %q: %w", r.Name, err)
		}
	}
	for _, seg := range []tp.Segment{
		{Name: "High churn risk", Description: "Customers likely to leave within 90 days", Conditions: []tp.Condition{{Kind: "risk", Op: tp.RiskHigh}}},
		{Name: "Top value, at risk", Description: "The best customers by RFM whose churn risk is high",
			Conditions: []tp.Condition{{Kind: "value_tier", Op: tp.TierTop}, {Kind: "risk", Op: tp.RiskHigh}}},
		{Name: "Detractors with open cases", Conditions: []tp.Condition{{Kind: "nps", Op: "detractor"}, {Kind: "open_cases", Count: 1}}},
	} {
		if err := st.Segments.CreateSegment(ctx, &seg); err != nil {
			return fmt.Errorf("demo segment %q: %w", seg.Name, err)
		}
		if seg.Name == "Top value, at risk" { // the office calls them, a fifth held out
			pb := tp.Playbook{Name: "Call top customers at risk", SegmentID: seg.ID, Department: "Service", HoldoutPct: 20}
			if err := st.Playbooks.CreatePlaybook(ctx, &pb); err != nil {
				return fmt.Errorf("demo playbook: %w", err)
			}
		}
	}
	owner, err := userIDs(ctx, st)
	if err != nil {
		return err
	}
	day := func(d int) string { return cfg.End.AddDate(0, 0, d).Format(time.DateOnly) }
	items := []tp.ActionItem{
		{Title: "Call back every Online detractor within 48 hours", Department: "Service", OwnerID: owner["service.head@example.com"],
			Due: day(14), KPI: "nps", Slice: "division=Online"},
		{Title: "Fix the parcel tracking link in the shipping mail", Department: "Logistics", OwnerID: owner["logistics.head@example.com"],
			Due: day(-5), KPI: "case_volume", Slice: "department=Logistics"},
		{Title: "Answer chat complaints within one working day", Department: "Service", OwnerID: owner["agent@example.com"],
			Due: day(-2), KPI: "sla_compliance", Slice: "channel=chat"},
		{Title: "Review the delivery CSAT survey wording", Department: "Logistics", Due: day(30), KPI: "csat"},
		{Title: "Brief the store teams on the returns policy", Department: "Sales", Due: day(-40), KPI: "nps",
			Slice: "division=Retail", Status: tp.ActionDone},
	}
	for _, a := range items {
		a.CreatedBy = "cco@example.com"
		if err := st.Actions.CreateAction(ctx, &a); err != nil {
			return fmt.Errorf("demo action item %q: %w", a.Title, err)
		}
	}
	return nil
}

// userIDs maps the demo users' e-mail addresses to their ids.
func userIDs(ctx context.Context, st Store) (map[string]int64, error) {
	us, err := st.Users.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	for _, u := range us {
		ids[u.Email] = u.ID
	}
	return ids, nil
}
