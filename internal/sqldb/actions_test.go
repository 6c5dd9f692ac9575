package sqldb_test

import (
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

func TestActionItems(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		cco := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
		head := tp.WithAccess(ctx, tp.Access{Actor: "user:head@example.com", Role: tp.RoleDepartmentHead, Department: "Logistics"})
		agent := tp.WithAccess(ctx, tp.Access{Actor: "user:agent@example.com", Role: tp.RoleAgent, Department: "Logistics"})

		a := &tp.ActionItem{Title: "Second carrier for Limburg", Department: "Logistics", Due: "2026-12-15", KPI: "nps", Slice: "division=Online"}
		if err := db.Actions.CreateAction(cco, a); err != nil || a.ID == 0 || a.Status != tp.ActionOpen || a.CreatedBy != "user:cco@example.com" {
			t.Fatalf("create: %v %+v", err, a)
		}
		for _, bad := range []tp.ActionItem{
			{Title: "", Department: "Logistics", Due: "2026-12-15"},
			{Title: "x", Department: "Logistics", Due: "15.12.2026"},
			{Title: "x", Department: "Logistics", Due: "2026-12-15", KPI: "happiness"},
			{Title: "x", Department: "", Due: "2026-12-15"},
		} {
			if err := db.Actions.CreateAction(cco, &bad); tp.ErrorCode(err) != tp.EINVALID {
				t.Errorf("%+v: %v, want invalid", bad, err)
			}
		}
		if err := db.Actions.CreateAction(cco, &tp.ActionItem{Title: "x", Department: "Logistics", Due: "2026-12-15", OwnerID: 4242}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("unknown owner: %v", err)
		}
		owner := &tp.User{Email: "head@example.com", Role: tp.RoleDepartmentHead, Department: "Logistics"}
		if err := db.Users.CreateUser(ctx, owner, "long enough password"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Actions.UpdateAction(cco, a.ID, tp.ActionChange{OwnerID: &owner.ID}); err != nil {
			t.Errorf("set owner: %v", err)
		}
		if list, _ := db.Actions.ListActions(cco, tp.ActionFilter{OwnerID: owner.ID}); len(list) != 1 {
			t.Errorf("by owner: %+v", list)
		}
		if err := db.Actions.CreateAction(head, &tp.ActionItem{Title: "x", Department: "Billing", Due: "2026-12-15"}); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("head creates for another department: %v", err)
		}
		if err := db.Actions.CreateAction(cco, &tp.ActionItem{Title: "Clearer invoices", Department: "Billing", Due: "2026-12-01", KPI: "csat"}); err != nil {
			t.Fatal(err)
		}
		// The head sees Logistics only, soonest due first for the CCO.
		if list, _ := db.Actions.ListActions(head, tp.ActionFilter{}); len(list) != 1 || list[0].ID != a.ID {
			t.Errorf("head's list: %+v", list)
		}
		if list, _ := db.Actions.ListActions(cco, tp.ActionFilter{}); len(list) != 2 || list[0].Department != "Billing" {
			t.Errorf("cco's list: %+v", list)
		}
		if _, err := db.Actions.UpdateAction(agent, a.ID, tp.ActionChange{Comment: "done?"}); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("agent changes an item: %v", err)
		}
		done := tp.ActionDone
		got, err := db.Actions.UpdateAction(head, a.ID, tp.ActionChange{Status: &done, Comment: "Contract signed with the second carrier."})
		if err != nil || got.Status != tp.ActionDone || len(got.Comments) != 1 || got.Comments[0].Author != "user:head@example.com" {
			t.Fatalf("update: %v %+v", err, got)
		}
		bad := tp.ActionStatus("maybe")
		if _, err := db.Actions.UpdateAction(head, a.ID, tp.ActionChange{Status: &bad, Comment: "lost"}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("bad status: %v", err)
		}
		if got, _ := db.Actions.FindAction(cco, a.ID); got.Status != tp.ActionDone || len(got.Comments) != 1 {
			t.Errorf("a rejected change left traces: %+v", got)
		}
		if list, _ := db.Actions.ListActions(cco, tp.ActionFilter{Status: tp.ActionOpen}); len(list) != 1 || list[0].Department != "Billing" {
			t.Errorf("open items: %+v", list)
		}
	})
}

func TestReplyTemplatesStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		nl := &tp.ReplyTemplate{Name: "Late", Language: "nl", Body: "Beste {name}"}
		if err := db.Cases.SaveReplyTemplate(ctx, nl); err != nil || nl.ID == 0 {
			t.Fatalf("save: %v", err)
		}
		again := &tp.ReplyTemplate{Name: "Late", Language: "nl", Body: "Beste {name}, sorry"}
		if err := db.Cases.SaveReplyTemplate(ctx, again); err != nil || again.ID != nl.ID {
			t.Fatalf("replace: %v, id %d want %d", err, again.ID, nl.ID)
		}
		if err := db.Cases.SaveReplyTemplate(ctx, &tp.ReplyTemplate{Name: "Late", Language: "en", Body: "Dear {name}"}); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.Cases.ListReplyTemplates(ctx, "nl"); len(list) != 1 || list[0].Body != "Beste {name}, sorry" {
			t.Errorf("nl: %+v", list)
		}
		if err := db.Cases.DeleteReplyTemplate(ctx, nl.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.Cases.DeleteReplyTemplate(ctx, nl.ID); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("delete twice: %v", err)
		}
		if list, _ := db.Cases.ListReplyTemplates(ctx, ""); len(list) != 1 || list[0].Language != "en" {
			t.Errorf("after delete: %+v", list)
		}
	})
}
