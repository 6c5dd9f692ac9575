package sqldb_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

func TestCaseLifecycleAndAudit(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		cust := newCustomer(t, db, src, "greta", "de")
		agent := tp.WithAccess(ctx, tp.Access{Actor: "user:agent@example.com", Role: tp.RoleAgent, Department: "Logistics"})
		c := &tp.Case{CustomerID: cust.ID, Subject: "Paket zu spät", Description: "Seit einer Woche unterwegs", Channel: "email",
			Source: tp.CaseFromEmail, Priority: tp.PriorityHigh, Department: "Logistics", Category: "delivery"}
		if err := db.Cases.CreateCase(agent, c); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Cases.AddCaseNote(agent, c.ID, "Carrier asked for a trace", false); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Cases.AddCaseNote(agent, c.ID, "Wir kümmern uns darum.", true); err != nil {
			t.Fatal(err)
		}
		urgent, rc := tp.PriorityUrgent, "carrier"
		if up, err := db.Cases.UpdateCase(agent, c.ID, tp.CaseChange{Priority: &urgent, RootCause: &rc}); err != nil || up.Priority != urgent || up.RootCause != rc {
			t.Fatalf("update: %+v %v", up, err)
		}
		for _, to := range []tp.CaseStatus{tp.CasePendingCustomer, tp.CaseOpen, tp.CaseResolved, tp.CaseOpen, tp.CaseResolved, tp.CaseClosed} {
			if _, err := db.Cases.MoveCase(agent, c.ID, to, ""); err != nil {
				t.Fatalf("→ %s: %v", to, err)
			}
		}
		if _, err := db.Cases.MoveCase(agent, c.ID, tp.CasePendingCustomer, ""); tp.ErrorCode(err) != tp.ECONFLICT {
			t.Errorf("closed → pending: %v", err)
		}
		got, events, err := db.Cases.FindCase(agent, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tp.CaseClosed || got.FirstReplyAt == nil || got.ResolvedAt == nil {
			t.Errorf("case = %+v", got)
		}
		var trail []string
		for _, e := range events {
			trail = append(trail, e.Kind+":"+e.Old+">"+e.New)
			if e.Actor != "user:agent@example.com" {
				t.Errorf("event %s by %q", e.Kind, e.Actor)
			}
		}
		want := "created:>new note:> reply:> field:high>urgent field:>carrier status:new>pending_customer status:pending_customer>open status:open>resolved status:resolved>open status:open>resolved status:resolved>closed"
		if got := join(trail); got != want {
			t.Errorf("audit trail\n got %s\nwant %s", got, want)
		}
		// Scoping is enforced where data is read: another department sees nothing.
		billing := tp.WithAccess(ctx, tp.Access{Role: tp.RoleAgent, Department: "Billing"})
		if _, _, err := db.Cases.FindCase(billing, c.ID); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("billing agent reads a logistics case: %v", err)
		}
		if list, _ := db.Cases.ListCases(billing, tp.CaseFilter{Department: "Logistics"}); len(list) != 0 {
			t.Errorf("billing agent lists %d logistics cases", len(list))
		}
		if list, _ := db.Cases.ListCases(tp.WithAccess(ctx, tp.Access{Role: tp.RoleCCO}), tp.CaseFilter{Status: []tp.CaseStatus{tp.CaseClosed}}); len(list) != 1 {
			t.Errorf("cco lists %d closed cases", len(list))
		}
	})
}

func join(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// TestCaseSearch: the queue's search matches the subject, the description and
// the customer, in any case, with LIKE's wildcards taken literally.
func TestCaseSearch(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Shop", "web", "Sales")
		anna := newCustomer(t, db, src, "anna", "de")
		send(t, db, src, `{"type":"identify","userId":"anna","traits":{"name":"Anna Köhler","email":"anna@example.de"}}`)
		other := newCustomer(t, db, src, "ben", "en")
		for _, c := range []*tp.Case{
			{CustomerID: anna.ID, Subject: "Paket beschädigt", Description: "Der Karton war nass."},
			{CustomerID: other.ID, Subject: "Invoice 100% wrong", Description: "Charged twice."},
		} {
			if err := db.Cases.CreateCase(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string]int{"PAKET": 1, "karton": 1, "köhler": 1, "anna@": 1, "100%": 1, "%": 1, "_": 0, "charged": 1, "nothing": 0} {
			got, err := db.Cases.ListCases(ctx, tp.CaseFilter{Query: q})
			if err != nil || len(got) != want {
				t.Errorf("search %q: %d cases (%v), want %d", q, len(got), err, want)
			}
		}
	})
}

// TestCaseAttachments: files are kept with the case, read back whole, and
// hidden from other departments like the case itself.
func TestCaseAttachments(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		cust := newCustomer(t, db, source(t, db, "Shop", "web", "Sales"), "att", "de")
		c := &tp.Case{CustomerID: cust.ID, Subject: "Foto", Department: "Logistics"}
		if err := db.Cases.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		data := bytes.Repeat([]byte{0xff, 0xd8, 0x00}, 1000)
		a, err := db.Cases.AddAttachment(ctx, c.ID, `C:\Users\anna\parcel.jpg`, "image/jpeg", data)
		if err != nil || a.Filename != "parcel.jpg" {
			t.Fatalf("add: %+v %v", a, err)
		}
		if _, err := db.Cases.AddAttachment(ctx, c.ID, "empty.txt", "text/plain", nil); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("an empty file: %v", err)
		}
		list, err := db.Cases.ListAttachments(ctx, c.ID)
		if err != nil || len(list) != 1 || list[0].Size != 3000 || !list[0].Stored {
			t.Fatalf("list: %+v %v", list, err)
		}
		got, body, err := db.Cases.Attachment(ctx, c.ID, a.ID)
		if err != nil || !bytes.Equal(body, data) || got.ContentType != "image/jpeg" {
			t.Errorf("read back: %v, %d bytes", err, len(body))
		}
		billing := tp.WithAccess(ctx, tp.Access{Role: tp.RoleAgent, Department: "Billing"})
		if _, _, err := db.Cases.Attachment(billing, c.ID, a.ID); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("another department read the file: %v", err)
		}
		if _, err := db.Cases.AddAttachment(billing, c.ID, "x.txt", "text/plain", []byte("x")); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("another department added a file: %v", err)
		}
		_, events, _ := db.Cases.FindCase(ctx, c.ID)
		if last := events[len(events)-1]; last.Field != "attachment" || last.New != "parcel.jpg" {
			t.Errorf("the trail lacks the file: %+v", last)
		}
	})
}

// TestMergeCases: a duplicate's conversation and files move into the kept
// case and the duplicate is closed as such; other customers' and closed
// cases are refused, and a department cannot reach another's case.
func TestMergeCases(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Shop", "web", "Sales")
		cust := newCustomer(t, db, src, "dup", "de")
		other := newCustomer(t, db, src, "other", "de")
		mk := func(c *tp.Case) *tp.Case {
			if err := db.Cases.CreateCase(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		keep := mk(&tp.Case{CustomerID: cust.ID, Subject: "Paket fehlt", Department: "Logistics"})
		dup := mk(&tp.Case{CustomerID: cust.ID, Subject: "Wo ist mein Paket?", Department: "Logistics"})
		foreign := mk(&tp.Case{CustomerID: other.ID, Subject: "Rechnung", Department: "Logistics"})
		if _, err := db.Cases.AddCaseNote(ctx, dup.ID, "Kunde rief an: Sendungsnummer 123", false); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Cases.AddAttachment(ctx, dup.ID, "beleg.pdf", "application/pdf", []byte("%PDF")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Cases.MergeCases(tp.WithAccess(ctx, tp.Access{Role: tp.RoleAgent, Department: "Billing"}), keep.ID, dup.ID); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("another department merged: %v", err)
		}
		if _, err := db.Cases.MergeCases(ctx, keep.ID, foreign.ID); tp.ErrorCode(err) != tp.ECONFLICT {
			t.Errorf("another customer's case merged: %v", err)
		}
		if _, err := db.Cases.MergeCases(ctx, keep.ID, keep.ID); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("a case merged into itself: %v", err)
		}
		if _, err := db.Cases.MergeCases(ctx, keep.ID, dup.ID); err != nil {
			t.Fatal(err)
		}
		_, events, _ := db.Cases.FindCase(ctx, keep.ID)
		var note, merged bool
		for _, e := range events {
			note = note || (e.Kind == "note" && e.Body == "Kunde rief an: Sendungsnummer 123")
			merged = merged || (e.Field == "merged" && strings.Contains(e.New, fmt.Sprintf("#%d", dup.ID)))
		}
		if !note || !merged {
			t.Errorf("the kept case's trail: note %v, merge %v", note, merged)
		}
		if files, _ := db.Cases.ListAttachments(ctx, keep.ID); len(files) != 1 || files[0].Filename != "beleg.pdf" {
			t.Errorf("the kept case's files: %+v", files)
		}
		d, _, _ := db.Cases.FindCase(ctx, dup.ID)
		if d.Status != tp.CaseClosed || d.ResolutionCode != "duplicate" {
			t.Errorf("the duplicate: %s %q", d.Status, d.ResolutionCode)
		}
		if _, err := db.Cases.MergeCases(ctx, keep.ID, dup.ID); tp.ErrorCode(err) != tp.ECONFLICT {
			t.Errorf("merged twice: %v", err)
		}
	})
}

// TestQueueWorkOrder: the database's work order is tp.SortQueue's, over
// cases with every kind of due time, priority and status.
func TestQueueWorkOrder(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) // a Tuesday
		db.Now = func() time.Time { return clock }
		cust := newCustomer(t, db, source(t, db, "Shop", "web", "Sales"), "wo", "en")
		prios := []tp.Priority{tp.PriorityLow, tp.PriorityUrgent, tp.PriorityNormal, tp.PriorityHigh}
		var ids []int64
		for i := range 12 {
			clock = clock.Add(time.Duration(i*37) * time.Minute)
			c := &tp.Case{CustomerID: cust.ID, Subject: fmt.Sprintf("wo %d", i), Department: "Service", Priority: prios[i%4]}
			if err := db.Cases.CreateCase(ctx, c); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		clock = clock.Add(2 * time.Hour)
		// Some answered, one waiting for the customer, one resolved.
		for _, i := range []int{1, 4, 7} {
			if _, err := db.Cases.AddCaseNote(ctx, ids[i], "answer", true); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Cases.MoveCase(ctx, ids[7], tp.CasePendingCustomer, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Cases.MoveCase(ctx, ids[4], tp.CaseResolved, ""); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(6 * time.Hour) // some first responses are overdue now
		got, err := db.Cases.ListCases(ctx, tp.CaseFilter{WorkOrder: true, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(got)
		tp.SortQueue(want, clock)
		var g, w []int64
		for i := range got {
			g, w = append(g, got[i].ID), append(w, want[i].ID)
		}
		if !slices.Equal(g, w) {
			t.Errorf("database order %v, SortQueue's %v", g, w)
		}
		if slices.IsSorted(g) || !slices.Contains(g[len(g)-2:], ids[4]) || !slices.Contains(g[len(g)-2:], ids[7]) {
			t.Errorf("the fixture does not exercise the order (the waiting and resolved cases last): %v", g)
		}
	})
}

// TestSplitCase: a second matter in one thread becomes a case of its own.
func TestSplitCase(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		cust := newCustomer(t, db, source(t, db, "Shop", "web", "Sales"), "split", "nl")
		c := &tp.Case{CustomerID: cust.ID, Subject: "Levering", Description: "Pakket te laat. En mijn factuur klopt niet.", Department: "Logistics", Channel: "email"}
		if err := db.Cases.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		_, events, _ := db.Cases.FindCase(ctx, c.ID)
		if _, err := db.Cases.SplitCase(ctx, c.ID, 999999, "x"); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("a message not of this case: %v", err)
		}
		if _, err := db.Cases.SplitCase(tp.WithAccess(ctx, tp.Access{Role: tp.RoleAgent, Department: "Billing"}), c.ID, events[0].ID, "Factuur"); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("another department split: %v", err)
		}
		nc, err := db.Cases.SplitCase(ctx, c.ID, events[0].ID, "Factuur klopt niet")
		if err != nil {
			t.Fatal(err)
		}
		if nc.CustomerID != cust.ID || nc.Department != "Logistics" || !strings.Contains(nc.Description, fmt.Sprintf("(split from case #%d)", c.ID)) {
			t.Errorf("the new case: %+v", nc)
		}
		_, events, _ = db.Cases.FindCase(ctx, c.ID)
		if last := events[len(events)-1]; last.Field != "split" || !strings.Contains(last.New, fmt.Sprintf("#%d", nc.ID)) {
			t.Errorf("the old case's trail: %+v", last)
		}
	})
}
