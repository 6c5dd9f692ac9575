package touchpoint

import (
	"fmt"
	"testing"
	"time"
)

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

func TestSortQueue(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { x := now.Add(time.Duration(h) * time.Hour); return &x }
	cases := []Case{
		{ID: 1, Status: CaseOpen, Priority: PriorityNormal, ResolutionDue: at(48)},
		{ID: 2, Status: CaseOpen, Priority: PriorityUrgent, ResolutionDue: at(48)},
		{ID: 3, Status: CasePendingCustomer, Priority: PriorityUrgent, ResolutionDue: at(-5)},
		{ID: 4, Status: CaseNew, Priority: PriorityLow, FirstResponseDue: at(-1), ResolutionDue: at(20)},
		{ID: 5, Status: CaseNew, Priority: PriorityNormal, FirstResponseDue: at(2), ResolutionDue: at(20)},
		{ID: 6, Status: CaseOpen, Priority: PriorityHigh},
		{ID: 7, Status: CaseOpen, Priority: PriorityNormal, FirstReplyAt: at(-3), FirstResponseDue: at(1), ResolutionDue: at(30)},
	}
	SortQueue(cases, now)
	var got []int64
	for _, c := range cases {
		got = append(got, c.ID)
	}
	// 4 overdue; 5 due in 2 h; 7 answered, resolution in 30 h; 2 urgent and 1 normal both due in 48 h;
	// 6 without SLA; 3 waits for the customer.
	if want := []int64{4, 5, 7, 2, 1, 6, 3}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("queue order %v, want %v", got, want)
	}
}

func TestAttachmentDownloadType(t *testing.T) {
	for ct, want := range map[string]string{
		"image/png": "image/png", "application/pdf; name=x.pdf": "application/pdf", "TEXT/PLAIN; charset=utf-8": "text/plain",
		"text/html": "application/octet-stream", "image/svg+xml": "application/octet-stream", "application/xhtml+xml": "application/octet-stream",
		"text/javascript": "application/octet-stream", "": "application/octet-stream", "nonsense": "application/octet-stream",
	} {
		if got := (Attachment{ContentType: ct}).DownloadType(); got != want {
			t.Errorf("%q served as %q, want %q", ct, got, want)
		}
	}
}
