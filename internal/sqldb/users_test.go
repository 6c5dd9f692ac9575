package sqldb_test

import (
	"context"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestUpdateUser: an admin moves a user to another role and department and
// deactivates them; a deactivated user cannot sign in, loses their sessions
// and is offered for no more work; nobody demotes or deactivates themselves.
func TestUpdateUser(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		admin := &tp.User{Email: "root@example.com", Role: tp.RoleAdmin}
		agent := &tp.User{Email: "leaver@example.com", Role: tp.RoleAgent, Department: "Service"}
		for _, u := range []*tp.User{admin, agent} {
			if err := db.Users.CreateUser(ctx, u, "a long passphrase"); err != nil {
				t.Fatal(err)
			}
		}
		asAdmin := tp.WithAccess(ctx, tp.Access{Actor: "user:root@example.com", Role: tp.RoleAdmin, UserID: admin.ID})
		head, dept := tp.RoleDepartmentHead, "Billing"
		u, err := db.Users.UpdateUser(asAdmin, agent.ID, tp.UserChange{Role: &head, Department: &dept})
		if err != nil || u.Role != head || u.Department != "Billing" {
			t.Fatalf("move: %+v %v", u, err)
		}
		none := ""
		if _, err := db.Users.UpdateUser(asAdmin, agent.ID, tp.UserChange{Department: &none}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("a department head without a department: %v", err)
		}
		token, err := db.Users.CreateSession(ctx, agent.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		off := false
		if _, err := db.Users.UpdateUser(asAdmin, agent.ID, tp.UserChange{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Users.UserBySession(ctx, token); tp.ErrorCode(err) != tp.EUNAUTHORIZED {
			t.Errorf("the session outlived the deactivation: %v", err)
		}
		if _, err := db.Users.Authenticate(ctx, "leaver@example.com", "a long passphrase"); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("a deactivated user signed in: %v", err)
		}
		if agents, _ := db.Cases.ListAgents(ctx, "Billing"); len(agents) != 0 {
			t.Errorf("a deactivated user is offered for work: %+v", agents)
		}
		users, _ := db.Users.ListUsers(asAdmin)
		for _, x := range users {
			if x.ID == agent.ID && !x.Deactivated {
				t.Error("the list does not show the deactivation")
			}
		}
		on := true
		if _, err := db.Users.UpdateUser(asAdmin, agent.ID, tp.UserChange{Active: &on}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Users.Authenticate(ctx, "leaver@example.com", "a long passphrase"); err != nil {
			t.Errorf("activated again, still refused: %v", err)
		}
		for _, ch := range []tp.UserChange{{Active: &off}, {Role: &head, Department: &dept}} {
			if _, err := db.Users.UpdateUser(asAdmin, admin.ID, ch); tp.ErrorCode(err) != tp.ECONFLICT {
				t.Errorf("the admin changed themselves with %+v: %v", ch, err)
			}
		}
		agentAccess := tp.WithAccess(ctx, tp.Access{Role: tp.RoleAgent, Department: "Service", UserID: agent.ID})
		if _, err := db.Users.UpdateUser(agentAccess, agent.ID, tp.UserChange{Role: &head}); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("an agent changed a role: %v", err)
		}
	})
}

// TestSavedViews: a user's views are their own; saving a name again
// replaces it; another user neither sees nor deletes them.
func TestSavedViews(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		var us []*tp.User
		for _, e := range []string{"a@example.com", "b@example.com"} {
			u := &tp.User{Email: e, Role: tp.RoleAgent, Department: "Service"}
			if err := db.Users.CreateUser(ctx, u, "a long passphrase"); err != nil {
				t.Fatal(err)
			}
			us = append(us, u)
		}
		as := func(u *tp.User) context.Context {
			return tp.WithAccess(ctx, tp.Access{Role: u.Role, Department: u.Department, UserID: u.ID})
		}
		v := &tp.SavedView{Name: "Urgent mine", Query: "?assignee=me&priority=urgent"}
		if err := db.Users.SaveView(as(us[0]), v); err != nil || v.Query != "assignee=me&priority=urgent" {
			t.Fatalf("save: %+v %v", v, err)
		}
		if err := db.Users.SaveView(as(us[0]), &tp.SavedView{Name: "Urgent mine", Query: "priority=urgent"}); err != nil {
			t.Fatal(err)
		}
		if err := db.Users.SaveView(as(us[0]), &tp.SavedView{Name: " "}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("a view without a name: %v", err)
		}
		mine, _ := db.Users.ListViews(as(us[0]))
		theirs, _ := db.Users.ListViews(as(us[1]))
		if len(mine) != 1 || mine[0].Query != "priority=urgent" || len(theirs) != 0 {
			t.Fatalf("views: mine %+v, theirs %+v", mine, theirs)
		}
		if err := db.Users.DeleteView(as(us[1]), mine[0].ID); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("another user deleted the view: %v", err)
		}
		if err := db.Users.DeleteView(as(us[0]), mine[0].ID); err != nil {
			t.Error(err)
		}
		// Shared with the team: the colleague sees it (not deletes it), another department does not.
		logistics := &tp.User{Email: "c@example.com", Role: tp.RoleAgent, Department: "Logistics"}
		must(t, db.Users.CreateUser(ctx, logistics, "a long passphrase"))
		team := &tp.SavedView{Name: "Team urgent", Query: "priority=urgent", Shared: true}
		must(t, db.Users.SaveView(as(us[0]), team))
		theirs, _ = db.Users.ListViews(as(us[1]))
		if len(theirs) != 1 || !theirs[0].Shared || theirs[0].Owner != "a@example.com" {
			t.Errorf("the colleague's views: %+v", theirs)
		}
		if other, _ := db.Users.ListViews(as(logistics)); len(other) != 0 {
			t.Errorf("Logistics sees Service's shared view: %+v", other)
		}
		if err := db.Users.DeleteView(as(us[1]), team.ID); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("the colleague deleted the shared view: %v", err)
		}
		cco := tp.WithAccess(ctx, tp.Access{Role: tp.RoleCCO, UserID: 99})
		if err := db.Users.SaveView(cco, &tp.SavedView{Name: "x", Query: "q=1", Shared: true}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("sharing without a department: %v", err)
		}
	})
}
