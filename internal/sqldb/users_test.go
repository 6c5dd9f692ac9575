package sqldb_test

import (
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
