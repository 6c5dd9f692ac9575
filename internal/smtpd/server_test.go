package smtpd_test

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/smtpd"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

var ctx = tp.WithAccess(context.Background(), tp.SystemAccess) // set-up and checks act as the system

func serve(t *testing.T, db *sqldb.Store) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpd.Server{Intake: db.Mail, Domains: []string{"cx.example.com"}}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String()
}

func mail(from, subject, headers, body string) []byte {
	return []byte(strings.ReplaceAll(fmt.Sprintf("From: %s\nTo: complaints@cx.example.com\nSubject: %s\n%sContent-Type: text/plain; charset=utf-8\n\n%s\n",
		from, subject, headers, body), "\n", "\r\n"))
}

// TestComplaintByRealSMTP: a complaint arrives through a real SMTP
// conversation and becomes a case, routed to Logistics with its SLA due
// time; the customer's threaded reply lands on the same case.
func TestComplaintByRealSMTP(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		if err := db.Routing.CreateRoutingRule(ctx, &tp.RoutingRule{Name: "Delivery", Keywords: []string{"paket", "lieferung"},
			Department: "Logistics", Priority: tp.PriorityHigh}); err != nil {
			t.Fatal(err)
		}
		addr := serve(t, db)
		err := smtp.SendMail(addr, nil, "greta@example.de", []string{"complaints@cx.example.com"},
			mail("Greta Becker <greta@example.de>", "Paket seit einer Woche unterwegs", "Message-ID: <g1@example.de>\n", "Wo ist mein Paket? Bestellung 4711."))
		if err != nil {
			t.Fatal(err)
		}
		cases, _ := db.Cases.ListCases(ctx, tp.CaseFilter{})
		if len(cases) != 1 {
			t.Fatalf("%d cases", len(cases))
		}
		c := cases[0]
		if c.Department != "Logistics" || c.Priority != tp.PriorityHigh || c.Source != tp.CaseFromEmail || c.Channel != "email" {
			t.Errorf("case = %+v", c)
		}
		cust, _ := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "email", Value: "greta@example.de"})
		if cust == nil || c.CustomerID != cust.ID {
			t.Errorf("case is not on the sender's profile")
		}
		// High priority on the default calendar: 4 business hours to the first response.
		cal, _ := tp.WeekdayCalendar("default", "Europe/Berlin", "DE", 8*time.Hour, 18*time.Hour)
		if want := cal.Due(c.CreatedAt, 4*time.Hour); c.FirstResponseDue == nil || !c.FirstResponseDue.Equal(want.Truncate(time.Microsecond)) {
			t.Errorf("first response due %v, want %s", c.FirstResponseDue, want)
		}
		if want := cal.Due(c.CreatedAt, 30*time.Hour); c.ResolutionDue == nil || !c.ResolutionDue.Equal(want.Truncate(time.Microsecond)) {
			t.Errorf("resolution due %v, want %s", c.ResolutionDue, want)
		}
		// The customer answers the thread.
		err = smtp.SendMail(addr, nil, "greta@example.de", []string{"complaints@cx.example.com"},
			mail("greta@example.de", "Re: Paket seit einer Woche unterwegs", "Message-ID: <g2@example.de>\nIn-Reply-To: <g1@example.de>\n", "Noch immer nichts."))
		if err != nil {
			t.Fatal(err)
		}
		// An auto-reply is stored but makes nothing; so is relaying refused.
		smtp.SendMail(addr, nil, "greta@example.de", []string{"complaints@cx.example.com"},
			mail("greta@example.de", "Abwesend", "Auto-Submitted: auto-replied\n", "Ich bin im Urlaub."))
		if err := smtp.SendMail(addr, nil, "x@example.com", []string{"someone@elsewhere.com"}, mail("x@example.com", "relay", "", "x")); err == nil ||
			!strings.Contains(err.Error(), "550") {
			t.Errorf("relaying: %v", err)
		}
		cases, _ = db.Cases.ListCases(ctx, tp.CaseFilter{})
		if len(cases) != 1 {
			t.Fatalf("%d cases after the reply and the auto-reply, want 1", len(cases))
		}
		_, events, _ := db.Cases.FindCase(ctx, c.ID)
		var inbound []string
		for _, e := range events {
			if e.Kind == "inbound" {
				inbound = append(inbound, e.Body)
			}
		}
		if len(inbound) != 1 || inbound[0] != "Noch immer nichts." {
			t.Errorf("threaded reply: %q", inbound)
		}
		stats, _ := db.Mail.InboundStats(ctx)
		if stats["case"] != 1 || stats["reply"] != 1 || stats["ignored"] != 1 {
			t.Errorf("inbound mail by outcome: %v", stats)
		}
	})
}
