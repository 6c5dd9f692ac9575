package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	netsmtp "net/smtp"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/jobs"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/mailer/smtptest"
	"github.com/touchpoint-cx/touchpoint/internal/smtpd"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

var ctx = tp.WithAccess(context.Background(), tp.SystemAccess) // set-up and checks act as the system

func customer(t *testing.T, db *sqldb.Store, src *tp.Source, user, traits string) int64 {
	t.Helper()
	d, err := track.DecodeCall(tp.EventIdentify, []byte(`{"userId":"`+user+`","traits":`+traits+`}`), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Tracking.Ingest(ctx, src, d.Messages); err != nil {
		t.Fatal(err)
	}
	c, err := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: user})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func start(t *testing.T, db *sqldb.Store, srv *smtptest.Server, reminder time.Duration) *jobs.Runner {
	t.Helper()
	cfg, err := mailer.ParseURL(fmt.Sprintf("smtp://%s?from=cx@example.com", srv.Addr))
	if err != nil {
		t.Fatal(err)
	}
	r, err := jobs.Open(ctx, db, jobs.Config{Mailer: mailer.New(cfg), PublicURL: "https://cx.example.com", MailPerMinute: 6000,
		ReminderAfter: reminder, PollInterval: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(ctx) })
	return r
}

func textOf(t *testing.T, m smtptest.Received) (subject, text string) {
	t.Helper()
	subject, text, err := m.Text()
	if err != nil {
		t.Fatal(err)
	}
	return subject, text
}

var linkRE = regexp.MustCompile(`https://cx\.example\.com/s/([A-Za-z0-9_-]+)\?score=9`)

func TestInvitationsByMail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		srv := smtptest.Start(t)
		srv.Reject = regexp.MustCompile(`^bounce@`)
		start(t, db, srv, 300*time.Millisecond)
		src := &tp.Source{Name: "CRM", Channel: "email"}
		if err := db.Sources.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		de := customer(t, db, src, "de", `{"name":"Jürgen","email":"juergen@example.de","locale":"de"}`)
		nl := customer(t, db, src, "nl", `{"name":"Sanne","email":"sanne@example.nl","locale":"nl"}`)
		bounce := customer(t, db, src, "b", `{"email":"bounce@example.com"}`)
		nomail := customer(t, db, src, "n", `{"name":"No Mail"}`)
		s := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive}
		if err := db.Surveys.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		rep, err := db.Surveys.QueueInvitations(ctx, s.ID, []int64{de, nl, bounce, nomail, 999999}, tp.SendOptions{Channel: "email", Department: "Service"})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Queued != 3 || rep.Skipped[tp.SkipNoEmail] != 1 || rep.Skipped[tp.SkipUnknown] != 1 {
			t.Fatalf("report = %+v", rep)
		}
		msgs := srv.Wait(2, 10*time.Second)
		if len(msgs) < 2 {
			t.Fatalf("%d mails arrived", len(msgs))
		}
		var deToken string
		for _, m := range msgs {
			subject, text := textOf(t, m)
			switch m.To[0] {
			case "juergen@example.de":
				if subject != "Würden Sie uns weiterempfehlen?" || !strings.Contains(text, "Guten Tag Jürgen") {
					t.Errorf("German mail: %q\n%s", subject, text)
				}
				deToken = linkRE.FindStringSubmatch(text)[1]
			case "sanne@example.nl":
				if !strings.Contains(text, "Beste Sanne") {
					t.Errorf("Dutch mail:\n%s", text)
				}
			}
		}
		// The German customer answers; only the Dutch one gets the reminder.
		if _, err := db.Surveys.SaveResponse(ctx, deToken, tp.ResponseInput{Score: intp(9)}); err != nil {
			t.Fatal(err)
		}
		srv.Wait(3, 10*time.Second)
		time.Sleep(500 * time.Millisecond)
		msgs = srv.Messages()
		var reminders []string
		for _, m := range msgs {
			if subject, _ := textOf(t, m); strings.HasPrefix(subject, "Herinnering") || strings.HasPrefix(subject, "Erinnerung") {
				reminders = append(reminders, m.To[0])
			}
		}
		if len(reminders) != 1 || reminders[0] != "sanne@example.nl" {
			t.Errorf("reminders went to %v, want only sanne@example.nl", reminders)
		}
		invs, _ := db.Surveys.ListInvitations(ctx, s.ID, 0)
		status := map[int64]string{}
		for _, inv := range invs {
			status[inv.CustomerID] = inv.Status + " " + inv.Reason
		}
		if !strings.HasPrefix(status[bounce], "bounced") || !strings.Contains(status[bounce], "550") ||
			status[de] != "responded " || status[nl] != "sent " || status[nomail] != "skipped no_email" {
			t.Errorf("statuses: %v", status)
		}
		// The contact budget: nobody is invited twice in 30 days, and an opt-out is final.
		if err := db.Surveys.OptOut(ctx, deToken); err != nil {
			t.Fatal(err)
		}
		rep, _ = db.Surveys.QueueInvitations(ctx, s.ID, []int64{de, nl}, tp.SendOptions{})
		if rep.Queued != 0 || rep.Skipped[tp.SkipBudget] != 1 || rep.Skipped[tp.SkipOptedOut] != 1 {
			t.Errorf("second send: %+v", rep)
		}
	})
}

func intp(i int) *int { return &i }

// TestBudgetUnderConcurrentTriggers fires many sends for the same customers
// at once: each customer must get exactly one invitation.
func TestBudgetUnderConcurrentTriggers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		srv := smtptest.Start(t)
		start(t, db, srv, -1)
		src := &tp.Source{Name: "CRM", Channel: "email"}
		db.Sources.CreateSource(ctx, src)
		var ids []int64
		for i := range 5 {
			ids = append(ids, customer(t, db, src, fmt.Sprint("c", i), fmt.Sprintf(`{"email":"c%d@example.com"}`, i)))
		}
		s := &tp.Survey{Name: "CSAT", Type: tp.SurveyCSAT, Status: tp.SurveyActive}
		db.Surveys.CreateSurvey(ctx, s)
		var wg sync.WaitGroup
		var mu sync.Mutex
		queued := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := db.Surveys.QueueInvitations(ctx, s.ID, ids, tp.SendOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				queued += rep.Queued
				mu.Unlock()
			}()
		}
		wg.Wait()
		if queued != len(ids) {
			t.Errorf("%d invitations queued for %d customers", queued, len(ids))
		}
		if got := srv.Wait(len(ids), 10*time.Second); len(got) != len(ids) {
			t.Errorf("%d mails for %d customers", len(got), len(ids))
		}
	})
}

// TestJobsSurviveRestart queues mail while no runner works, then starts one:
// the stored jobs are sent.
func TestJobsSurviveRestart(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		srv := smtptest.Start(t)
		cfg, _ := mailer.ParseURL(fmt.Sprintf("smtp://%s?from=cx@example.com", srv.Addr))
		first, err := jobs.Open(ctx, db, jobs.Config{Mailer: mailer.New(cfg), PollInterval: 50 * time.Millisecond,
			ReminderAfter: -1, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		_ = first // opened (so sends can be queued) but never started: a process that stopped
		src := &tp.Source{Name: "CRM", Channel: "email"}
		db.Sources.CreateSource(ctx, src)
		c := customer(t, db, src, "r", `{"email":"r@example.com"}`)
		s := &tp.Survey{Name: "CES", Type: tp.SurveyCES, Status: tp.SurveyActive}
		db.Surveys.CreateSurvey(ctx, s)
		if rep, err := db.Surveys.QueueInvitations(ctx, s.ID, []int64{c}, tp.SendOptions{}); err != nil || rep.Queued != 1 {
			t.Fatalf("queue: %+v %v", rep, err)
		}
		time.Sleep(200 * time.Millisecond)
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("%d mails sent without a running worker", n)
		}
		start(t, db, srv, -1)
		if got := srv.Wait(1, 10*time.Second); len(got) != 1 {
			t.Errorf("after restart %d mails, want 1", len(got))
		}
	})
}

// TestTriggerInvitesOncePerEvent: "when Order Delivered arrives from the
// logistics source, send the delivery CSAT". A replay of the event invites
// nobody again; another delivery within the budget is skipped with a reason.
func TestTriggerInvitesOncePerEvent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		srv := smtptest.Start(t)
		start(t, db, srv, -1)
		logistics := &tp.Source{Name: "Logistics", Channel: "field", Department: "Logistics", Division: "Retail"}
		web := &tp.Source{Name: "Web", Channel: "web"}
		for _, s := range []*tp.Source{logistics, web} {
			if err := db.Sources.CreateSource(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		s := &tp.Survey{Name: "Delivery CSAT", Type: tp.SurveyCSAT, Status: tp.SurveyActive}
		db.Surveys.CreateSurvey(ctx, s)
		if err := db.Surveys.CreateTrigger(ctx, &tp.Trigger{SurveyID: s.ID, EventName: "Order Delivered", SourceID: logistics.ID}); err != nil {
			t.Fatal(err)
		}
		ingest := func(src *tp.Source, body string) {
			d, err := track.DecodeBatch([]byte(body), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Tracking.Ingest(ctx, src, d.Messages); err != nil {
				t.Fatal(err)
			}
		}
		// The customer's e-mail arrives in the same batch as the delivery.
		batch := `{"batch":[{"type":"identify","userId":"k1","traits":{"email":"k1@example.com","locale":"en"}},
			{"type":"track","event":"Order Delivered","userId":"k1","messageId":"d-1"}]}`
		ingest(logistics, batch)
		ingest(logistics, batch)                                                                              // a replay
		ingest(web, `{"batch":[{"type":"track","event":"Order Delivered","userId":"k1","messageId":"w-1"}]}`) // another source
		ingest(logistics, `{"batch":[{"type":"track","event":"Order Delivered","userId":"k1","messageId":"d-2"}]}`)
		if got := srv.Wait(1, 10*time.Second); len(got) != 1 || got[0].To[0] != "k1@example.com" {
			t.Fatalf("mails: %+v", got)
		}
		time.Sleep(300 * time.Millisecond)
		if n := len(srv.Messages()); n != 1 {
			t.Errorf("%d mails, want exactly 1", n)
		}
		invs, _ := db.Surveys.ListInvitations(ctx, s.ID, 0)
		var got []string
		for _, inv := range invs {
			got = append(got, inv.Status+"/"+inv.Reason+"/"+inv.Channel+"/"+inv.Department)
		}
		if len(invs) != 2 || got[0] != "skipped/contacted_recently/field/Logistics" || got[1] != "sent//field/Logistics" {
			t.Errorf("invitations: %v", got)
		}
	})
}

// TestBudgetUnderConcurrentTriggerEvents: many deliveries for one customer
// arrive at once, each firing the trigger; the budget lets exactly one through.
func TestBudgetUnderConcurrentTriggerEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		srv := smtptest.Start(t)
		start(t, db, srv, -1)
		logistics := &tp.Source{Name: "Logistics", Channel: "field", Department: "Logistics"}
		db.Sources.CreateSource(ctx, logistics)
		customer(t, db, logistics, "k", `{"email":"k@example.com"}`)
		s := &tp.Survey{Name: "Delivery CSAT", Type: tp.SurveyCSAT, Status: tp.SurveyActive}
		db.Surveys.CreateSurvey(ctx, s)
		if err := db.Surveys.CreateTrigger(ctx, &tp.Trigger{SurveyID: s.ID, EventName: "Order Delivered"}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, _ := track.DecodeCall(tp.EventTrack, []byte(fmt.Sprintf(`{"event":"Order Delivered","userId":"k","messageId":"d-%d"}`, i)), time.Now())
				if _, err := db.Tracking.Ingest(ctx, logistics, d.Messages); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		invs, _ := db.Surveys.ListInvitations(ctx, s.ID, 0)
		queued := 0
		for _, inv := range invs {
			if inv.Status != "skipped" {
				queued++
			}
		}
		if len(invs) != 8 || queued != 1 {
			t.Errorf("%d invitations, %d not skipped; want 8 and 1", len(invs), queued)
		}
		if got := srv.Wait(1, 10*time.Second); len(got) != 1 {
			t.Errorf("%d mails", len(got))
		}
	})
}

// TestSLATimersFireAfterRestart: cases are opened while no runner works (the
// server is down); a runner started later finds their stored SLA checks,
// records the breach once and escalates; a case answered in time is left alone.
func TestSLATimersFireAfterRestart(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		always := &tp.BusinessCalendar{Name: "24/7", Location: time.UTC}
		for d := range always.Hours {
			always.Hours[d] = tp.OpeningHours{Open: 0, Close: 24 * 60}
		}
		cal, err := db.SLA.CreateCalendar(ctx, always)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SLA.CreateSLAPolicy(ctx, &tp.SLAPolicy{Priority: tp.PriorityHigh, FirstResponse: 2 * time.Second, Resolution: time.Hour}, cal); err != nil {
			t.Fatal(err)
		}
		src := &tp.Source{Name: "Mail", Channel: "email"}
		db.Sources.CreateSource(ctx, src)
		cust := customer(t, db, src, "x", `{"email":"x@example.com"}`)
		head := &tp.User{Email: "head.logistics@example.com", Role: tp.RoleDepartmentHead, Department: "Logistics"}
		if err := db.Users.CreateUser(ctx, head, "long enough password"); err != nil {
			t.Fatal(err)
		}
		// The weekly digest would go to this head too (any day after Monday 06:00 UTC): this test counts SLA mail only.
		if err := db.Digest.SetDigestSubscribed(tp.WithAccess(ctx, tp.Access{Role: head.Role, Department: head.Department, UserID: head.ID}), false); err != nil {
			t.Fatal(err)
		}
		late := &tp.Case{CustomerID: cust, Subject: "Paket fehlt", Priority: tp.PriorityHigh, Department: "Logistics"}
		onTime := &tp.Case{CustomerID: cust, Subject: "Rechnung falsch", Priority: tp.PriorityHigh, Department: "Billing"}
		for _, c := range []*tp.Case{late, onTime} {
			if err := db.Cases.CreateCase(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Cases.AddCaseNote(ctx, onTime.ID, "Wir prüfen das.", true); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2500 * time.Millisecond) // past due, and nobody is working the jobs
		srv := smtptest.Start(t)
		start(t, db, srv, -1) // the server is back
		deadline := time.Now().Add(20 * time.Second)
		var breaches int
		var got *tp.Case
		for time.Now().Before(deadline) {
			var events []tp.CaseEvent
			got, events, _ = db.Cases.FindCase(ctx, late.ID)
			breaches = 0
			for _, e := range events {
				if e.Kind == "sla" && e.Field == tp.TargetFirstResponse && e.New == string(tp.SLABreached) {
					breaches++
				}
			}
			if breaches > 0 && got.Priority == tp.PriorityUrgent {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if breaches != 1 || got.Priority != tp.PriorityUrgent {
			t.Fatalf("late case: %d breach records, priority %s; want 1 and urgent", breaches, got.Priority)
		}
		time.Sleep(time.Second) // both of its checks have run by now: still one record
		_, events, _ := db.Cases.FindCase(ctx, late.ID)
		n := 0
		for _, e := range events {
			if e.Kind == "sla" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d SLA records on the late case, want 1", n)
		}
		c, events, _ := db.Cases.FindCase(ctx, onTime.ID)
		for _, e := range events {
			if e.Kind == "sla" {
				t.Errorf("the case answered in time got an SLA record: %+v", e)
			}
		}
		// Mail: the reply on the case answered in time, and one notice to the Logistics head.
		var notices []string
		for _, m := range srv.Wait(2, 15*time.Second) {
			if m.To[0] == "head.logistics@example.com" {
				subject, _ := textOf(t, m)
				notices = append(notices, subject)
			}
		}
		if len(notices) != 1 || !strings.Contains(notices[0], fmt.Sprintf("Case #%d missed its first response target", late.ID)) {
			t.Errorf("breach notices: %q", notices)
		}
		if c.Priority != tp.PriorityHigh {
			t.Errorf("the case answered in time was escalated to %s", c.Priority)
		}
	})
}

// TestReplyThreadsBack: a complaint comes in by SMTP; the agent's reply is
// mailed with threading headers; the customer's answer to that mail lands on
// the same case.
func TestReplyThreadsBack(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		out := smtptest.Start(t)
		start(t, db, out, -1)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		in := &smtpd.Server{Intake: db.Mail, Domains: []string{"cx.example.com"}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		go in.Serve(ln)
		defer in.Close()
		send := func(headers, body string) {
			msg := strings.ReplaceAll("From: Ana <ana@example.nl>\nTo: klacht@cx.example.com\n"+headers+"\n\n"+body+"\n", "\n", "\r\n")
			if err := netsmtp.SendMail(ln.Addr().String(), nil, "ana@example.nl", []string{"klacht@cx.example.com"}, []byte(msg)); err != nil {
				t.Fatal(err)
			}
		}
		send("Subject: Factuur klopt niet\nMessage-ID: <a1@example.nl>", "Ik betaal twee keer.")
		cases, _ := db.Cases.ListCases(ctx, tp.CaseFilter{})
		if len(cases) != 1 {
			t.Fatalf("%d cases", len(cases))
		}
		c := cases[0]
		if _, err := db.Cases.AddCaseNote(ctx, c.ID, "We hebben het tweede bedrag teruggestort.", true); err != nil {
			t.Fatal(err)
		}
		got := out.Wait(1, 15*time.Second)
		if len(got) != 1 {
			t.Fatalf("%d replies mailed", len(got))
		}
		subject, text := textOf(t, got[0])
		r, _ := mail.CreateReader(bytes.NewReader(got[0].Data))
		ourID, _ := r.Header.MessageID()
		if !strings.Contains(subject, fmt.Sprintf("[#%d]", c.ID)) || !strings.Contains(r.Header.Get("In-Reply-To"), "a1@example.nl") ||
			!strings.Contains(text, "teruggestort") || got[0].To[0] != "ana@example.nl" {
			t.Errorf("reply: %q %q\n%s", subject, r.Header.Get("In-Reply-To"), text)
		}
		// Her mail program keeps only In-Reply-To to our reply.
		send(fmt.Sprintf("Subject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <a2@example.nl>", subject, ourID), "Dank je!")
		_, events, _ := db.Cases.FindCase(ctx, c.ID)
		var kinds []string
		for _, e := range events {
			kinds = append(kinds, e.Kind)
		}
		if k := strings.Join(kinds, " "); !strings.HasSuffix(k, "reply inbound") {
			t.Errorf("events: %s", k)
		}
		if n, _ := db.Cases.ListCases(ctx, tp.CaseFilter{}); len(n) != 1 {
			t.Errorf("%d cases after the answer, want 1", len(n))
		}
	})
}

// TestCSATAfterResolution: resolving a case invites its customer to the
// survey marked after_case, by mail.
func TestCSATAfterResolution(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		out := smtptest.Start(t)
		start(t, db, out, -1)
		src := &tp.Source{Name: "Mail", Channel: "email"}
		db.Sources.CreateSource(ctx, src)
		cust := customer(t, db, src, "z", `{"email":"z@example.de","locale":"de"}`)
		s := &tp.Survey{Name: "Service CSAT", Type: tp.SurveyCSAT, Status: tp.SurveyActive, AfterCase: true}
		if err := db.Surveys.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		c := &tp.Case{CustomerID: cust, Subject: "Rechnung", Department: "Billing", Channel: "phone"}
		db.Cases.CreateCase(ctx, c)
		if _, err := db.Cases.MoveCase(ctx, c.ID, tp.CaseResolved, ""); err != nil {
			t.Fatal(err)
		}
		got := out.Wait(1, 15*time.Second)
		if len(got) != 1 || got[0].To[0] != "z@example.de" {
			t.Fatalf("mails: %+v", got)
		}
		if subject, _ := textOf(t, got[0]); subject != "Wie waren wir?" {
			t.Errorf("survey mail subject %q", subject)
		}
		invs, _ := db.Surveys.ListInvitations(ctx, s.ID, 0)
		if len(invs) != 1 || invs[0].Department != "Billing" || invs[0].Channel != "phone" {
			t.Errorf("invitation: %+v", invs)
		}
	})
}
