package touchpoint

import (
	"os"
	"strings"
	"testing"
)

func TestAuthorize(t *testing.T) {
	admin := Access{Actor: "user:a", Role: RoleAdmin, UserID: 1}
	cco := Access{Actor: "user:c", Role: RoleCCO, UserID: 2}
	head := Access{Actor: "user:h", Role: RoleDepartmentHead, Department: "Service", UserID: 3}
	agent := Access{Actor: "user:g", Role: RoleAgent, Department: "Service", UserID: 4}
	analyst := Access{Actor: "user:n", Role: RoleAnalyst, UserID: 5}
	source := Access{Actor: "source:web", Role: RoleSource}
	public := Access{Actor: "public", Role: RolePublic}
	service, logistics := Object{Department: "Service"}, Object{Department: "Logistics"}
	mine, colleagues := Object{Department: "Service", User: 4}, Object{Department: "Service", User: 9}
	for _, c := range []struct {
		name string
		a    Access
		act  Action
		obj  Object
		ok   bool
	}{
		{"no access is refused", Access{}, ActCustomerRead, Object{}, false},
		{"an actor without a role is refused", Access{Actor: "user:x"}, ActCaseRead, service, false},
		{"the system may do anything", SystemAccess, ActSystemWork, Object{}, true},
		{"an unknown action is refused, even to the system", SystemAccess, "case.explode", Object{}, false},
		{"admin reads any case", admin, ActCaseRead, logistics, true},
		{"cco works any case", cco, ActCaseUpdate, logistics, true},
		{"head reads own department", head, ActCaseRead, service, true},
		{"head does not read another department", head, ActCaseRead, logistics, false},
		{"head works any case of own department", head, ActCaseUpdate, colleagues, true},
		{"agent works an unassigned case", agent, ActCaseUpdate, service, true},
		{"agent works own case", agent, ActCaseUpdate, mine, true},
		{"agent does not work a colleague's case", agent, ActCaseUpdate, colleagues, false},
		{"agent does not work another department's unassigned case", agent, ActCaseUpdate, logistics, false},
		{"agent reads a colleague's case", agent, ActCaseRead, colleagues, true},
		{"analyst reads any case", analyst, ActCaseRead, logistics, true},
		{"analyst does not work cases", analyst, ActCaseUpdate, service, false},
		{"analyst saves segments", analyst, ActSegmentManage, Object{}, true},
		{"agent does not read alert rules", agent, ActAlertRead, Object{}, false},
		{"head does not read alert rules", head, ActAlertRead, Object{}, false},
		{"agent reads own department's answers", agent, ActResponsesRead, service, true},
		{"agent does not read another department's answers", agent, ActResponsesRead, logistics, false},
		{"agent changes an action item they own", agent, ActActionUpdate, mine, true},
		{"agent does not change a colleague's action item", agent, ActActionUpdate, colleagues, false},
		{"only the admin erases", cco, ActCustomerErase, Object{}, false},
		{"admin erases", admin, ActCustomerErase, Object{}, true},
		{"a user changes their own language", agent, ActOwnSettings, Object{User: 4}, true},
		{"not someone else's", agent, ActOwnSettings, Object{User: 3}, false},
		{"a write key sends events", source, ActEventIngest, Object{}, true},
		{"a write key reads nothing", source, ActCustomerRead, Object{}, false},
		{"the public answers surveys", public, ActSurveyRespond, Object{}, true},
		{"the public reads no cases", public, ActCaseRead, service, false},
		{"a user does not send events as a source", admin, ActEventIngest, Object{}, false},
		{"a department-scoped role without a department matches nothing", Access{Role: RoleAgent}, ActCaseRead, Object{}, false},
	} {
		err := Authorize(c.a, c.act, c.obj)
		if (err == nil) != c.ok {
			t.Errorf("%s: Authorize(%s, %s, %+v) = %v, want ok=%v", c.name, c.a.Role, c.act, c.obj, err, c.ok)
		}
		if err != nil && ErrorCode(err) != EFORBIDDEN {
			t.Errorf("%s: code %s, want forbidden", c.name, ErrorCode(err))
		}
	}
}

func TestListScope(t *testing.T) {
	head := Access{Role: RoleDepartmentHead, Department: "Billing"}
	if d, err := ListScope(head, ActCaseRead); err != nil || d != "Billing" {
		t.Errorf("head: %q %v", d, err)
	}
	if d, err := ListScope(Access{Role: RoleCCO}, ActCaseRead); err != nil || d != "" {
		t.Errorf("cco: %q %v", d, err)
	}
	if _, err := ListScope(Access{Role: RoleAnalyst}, ActAuditRead); err == nil {
		t.Error("analyst lists the audit log")
	}
	if _, err := ListScope(Access{}, ActCaseRead); err == nil {
		t.Error("no access lists cases")
	}
}

// Every action has a rule row, a description in the catalogue (checked in
// web's tests) and no role that is not a policy column.
func TestPolicyTableIsWellFormed(t *testing.T) {
	cols := map[Role]bool{}
	for _, r := range PolicyRoles {
		cols[r] = true
	}
	for act, rules := range policy {
		seen := map[Role]bool{}
		for _, r := range rules {
			if !cols[r.Role] {
				t.Errorf("%s: role %s is not a column of the table", act, r.Role)
			}
			if seen[r.Role] {
				t.Errorf("%s: role %s has two rules", act, r.Role)
			}
			seen[r.Role] = true
			if r.Role != RoleAgent && r.Role != RoleDepartmentHead && (r.Scope == ScopeDepartment || r.Scope == ScopeAssigned) {
				t.Errorf("%s: %s has no department to scope by", act, r.Role)
			}
		}
	}
}

// The README shows the policy table exactly as the code has it.
func TestREADMEShowsThePolicy(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), PolicyMarkdown()) {
		t.Errorf("README.md does not hold the current policy table; paste this under \"Who may do what\":\n\n%s", PolicyMarkdown())
	}
}
