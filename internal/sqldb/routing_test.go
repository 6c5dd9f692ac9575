package sqldb_test

import (
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

func TestRoutingRules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		send(t, db, src, `{"type":"identify","userId":"vip","traits":{"plan":"enterprise"}}`)
		plain := newCustomer(t, db, src, "plain", "de")
		vip := customerOf(t, db, "user_id", "vip")
		var agents []int64
		for _, e := range []string{"a1@example.com", "a2@example.com"} {
			u := &tp.User{Email: e, Role: tp.RoleAgent, Department: "Logistics"}
			if err := db.Users.CreateUser(ctx, u, "long enough password"); err != nil {
				t.Fatal(err)
			}
			agents = append(agents, u.ID)
		}
		seg := &tp.Segment{Name: "Enterprise", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "enterprise"}}}
		db.Segments.CreateSegment(ctx, seg)
		for _, r := range []*tp.RoutingRule{
			{Name: "Key accounts", SegmentID: seg.ID, Department: "Sales", Priority: tp.PriorityUrgent},
			{Name: "Delivery", Keywords: []string{"paket", "lieferung", "delivery"}, Department: "Logistics", Assign: true},
			{Name: "Invoices", Keywords: []string{"rechnung"}, Department: "Billing"},
		} {
			if err := db.Routing.CreateRoutingRule(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		open := func(cust int64, subject string) *tp.Case {
			c := &tp.Case{CustomerID: cust, Subject: subject, Source: tp.CaseFromEmail, Channel: "email"}
			if err := db.Cases.CreateCase(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		vipCase := open(vip.ID, "Paket beschädigt") // the first rule wins over the keyword rule
		if vipCase.Department != "Sales" || vipCase.Priority != tp.PriorityUrgent {
			t.Errorf("key account case: %s %s", vipCase.Department, vipCase.Priority)
		}
		var assigned []int64
		for _, s := range []string{"Mein Paket ist nicht da", "Lieferung zu spät", "Where is my DELIVERY?"} {
			c := open(plain.ID, s)
			if c.Department != "Logistics" {
				t.Errorf("%q went to %q", s, c.Department)
			}
			assigned = append(assigned, c.AssigneeID)
		}
		if assigned[0] != agents[0] || assigned[1] != agents[1] || assigned[2] != agents[0] {
			t.Errorf("round robin gave %v, agents %v", assigned, agents)
		}
		if c := open(plain.ID, "Frage zur Rechnung"); c.Department != "Billing" || c.AssigneeID != 0 {
			t.Errorf("invoice case: %s, assignee %d", c.Department, c.AssigneeID)
		}
		other := open(plain.ID, "Allgemeine Frage")
		if other.Department != "" {
			t.Errorf("unmatched case routed to %q", other.Department)
		}
		triage, _ := db.Cases.ListCases(ctx, tp.CaseFilter{Triage: true})
		if len(triage) != 1 || triage[0].ID != other.ID {
			t.Errorf("triage queue: %+v", triage)
		}
		_, events, _ := db.Cases.FindCase(ctx, vipCase.ID)
		if len(events) < 2 || events[1].Body != `routed by rule "Key accounts"` {
			t.Errorf("routing not in the audit trail: %+v", events)
		}
	})
}
