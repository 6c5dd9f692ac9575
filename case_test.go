package touchpoint

import "testing"

func TestCaseTransitions(t *testing.T) {
	for _, tc := range []struct {
		from, to CaseStatus
		code     string
	}{
		{CaseNew, CaseOpen, ""}, {CaseOpen, CasePendingCustomer, ""}, {CasePendingCustomer, CaseOpen, ""},
		{CaseOpen, CaseResolved, ""}, {CaseResolved, CaseOpen, ""}, {CaseResolved, CaseClosed, ""},
		{CaseClosed, CasePendingCustomer, ECONFLICT}, {CaseClosed, CaseOpen, ECONFLICT}, {CaseNew, CaseClosed, ECONFLICT},
		{CaseOpen, "done", EINVALID},
	} {
		if err := CanMove(tc.from, tc.to); ErrorCode(err) != tc.code {
			t.Errorf("%s → %s: %v, want code %q", tc.from, tc.to, err, tc.code)
		}
	}
	if PriorityNormal.Raise() != PriorityHigh || PriorityUrgent.Raise() != PriorityUrgent {
		t.Error("Raise")
	}
}

func TestCaseValidate(t *testing.T) {
	c := &Case{CustomerID: 1, Subject: "  Paket zu spät  "}
	if err := c.Validate(); err != nil || c.Priority != PriorityNormal || c.Status != CaseNew || c.Subject != "Paket zu spät" {
		t.Errorf("defaults: %+v %v", c, err)
	}
	for _, bad := range []*Case{{Subject: "x"}, {CustomerID: 1}, {CustomerID: 1, Subject: "x", Priority: "asap"},
		{CustomerID: 1, Subject: "x", Source: "pigeon"}, {CustomerID: 1, Subject: "x", Redress: &Redress{Amount: -5, Currency: "EUR"}}} {
		if err := bad.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
}
