package jobs_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/mailer/smtptest"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestAlertFiresOnceForASignificantDrop plants a significant mid-month NPS
// drop in Online and a drop of the same size at small n in Retail. Only
// Online's rule fires, once however often the rules are evaluated; the
// e-mail goes out and the webhook, refused once, is retried with a valid
// signature; every attempt is in the delivery log; the alert clears when the
// scores recover.
func TestAlertFiresOnceForASignificantDrop(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		clock := time.Date(2026, 10, 12, 10, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		setClock := func(t time.Time) { mu.Lock(); clock = t; mu.Unlock() }
		src := &tp.Source{Name: "CRM", Channel: "email"}
		db.Sources.CreateSource(ctx, src)
		c := customer(t, db, src, "a", `{"email":"a@example.com"}`)
		s := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive}
		db.Surveys.CreateSurvey(ctx, s)
		answer := func(div string, score, n int) {
			for range n {
				tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: c, Division: div}, 24*time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: &score}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// October: Online 160 answers, NPS +50; Retail 8 answers, NPS +50.
		answer("Online", 10, 100)
		answer("Online", 8, 40)
		answer("Online", 3, 20)
		answer("Retail", 10, 5)
		answer("Retail", 8, 2)
		answer("Retail", 3, 1)
		// November so far: both fall to NPS −25.
		setClock(time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC))
		answer("Online", 10, 40)
		answer("Online", 8, 40)
		answer("Online", 2, 80)
		answer("Retail", 10, 2)
		answer("Retail", 8, 2)
		answer("Retail", 2, 4)

		var hooks []*http.Request
		var bodies [][]byte
		var hmu sync.Mutex
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			hmu.Lock()
			defer hmu.Unlock()
			hooks, bodies = append(hooks, r), append(bodies, b)
			if len(hooks) == 1 {
				http.Error(w, "try later", http.StatusServiceUnavailable)
			}
		}))
		defer hook.Close()
		srv := smtptest.Start(t)
		start(t, db, srv, -1)
		cco := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
		if err := db.Users.CreateUser(ctx, &tp.User{Email: "cco@example.com", Role: tp.RoleCCO}, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		online := &tp.AlertRule{Name: "Online NPS drop", KPI: "nps", Division: "Online", Kind: "drop", Period: "month",
			Emails: []string{"head-online@example.com"}, WebhookURL: hook.URL, NotifyOwners: true}
		retail := &tp.AlertRule{Name: "Retail NPS drop", KPI: "nps", Division: "Retail", Kind: "drop", Period: "month", Emails: []string{"head-retail@example.com"}}
		for _, r := range []*tp.AlertRule{online, retail} {
			if err := db.Alerts.CreateAlertRule(cco, r); err != nil {
				t.Fatal(err)
			}
		}
		if online.Secret == "" {
			t.Fatal("a webhook rule gets a signing secret")
		}
		for range 3 {
			if _, err := db.Alerts.EvaluateAlerts(ctx); err != nil {
				t.Fatal(err)
			}
		}
		events, err := db.Alerts.ListAlertEvents(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].RuleID != online.ID || events[0].Kind != "fired" {
			t.Fatalf("events %+v, want one firing of the Online rule", events)
		}
		mails := srv.Wait(2, 10*time.Second)
		to := map[string]bool{}
		for _, m := range mails {
			to[m.To[0]] = true
		}
		if len(mails) != 2 || !to["head-online@example.com"] || !to["cco@example.com"] {
			t.Fatalf("mails to %v, want the rule's address and the CCO", to)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			hmu.Lock()
			n := len(hooks)
			hmu.Unlock()
			if n >= 2 || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		hmu.Lock()
		if len(hooks) != 2 {
			t.Fatalf("webhook got %d requests, want a refused one and its retry", len(hooks))
		}
		last, body := hooks[1], bodies[1]
		hmu.Unlock()
		ts, _ := strconv.ParseInt(last.Header.Get("X-Touchpoint-Timestamp"), 10, 64)
		if want := tp.SignWebhook(online.Secret, time.Unix(ts, 0), body); last.Header.Get("X-Touchpoint-Signature") != want {
			t.Errorf("signature %q, want %q", last.Header.Get("X-Touchpoint-Signature"), want)
		}
		var payload map[string]any
		if err := json.Unmarshal(body, &payload); err != nil || payload["event"] != "alert.fired" || payload["slice"] != "division=Online" {
			t.Errorf("payload %s", body)
		}
		// The delivery log: the mail, the refused webhook call and the retry.
		time.Sleep(200 * time.Millisecond)
		events, _ = db.Alerts.ListAlertEvents(ctx, 10)
		var ok, failed int
		for _, d := range events[0].Deliveries {
			if d.OK {
				ok++
			} else if d.Target == "webhook" && d.Status == 503 {
				failed++
			}
		}
		if ok != 3 || failed != 1 {
			t.Errorf("delivery log %+v", events[0].Deliveries)
		}
		// Recovery clears the alert; nothing is delivered for a clearing.
		answer("Online", 10, 200)
		if _, err := db.Alerts.EvaluateAlerts(ctx); err != nil {
			t.Fatal(err)
		}
		events, _ = db.Alerts.ListAlertEvents(ctx, 10)
		if len(events) != 2 || events[0].Kind != "cleared" {
			t.Errorf("after recovery: %+v", events)
		}
	})
}

// TestBoardPackMailedOnFirstWorkingDay: on the first working day of December
// the job mails November's pack, with the PDF when Chromium is there, to
// every recipient, once.
func TestBoardPackMailedOnFirstWorkingDay(t *testing.T) {
	db := sqldbtest.SQLite(t)
	db.Now = func() time.Time { return time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC) } // a Tuesday
	cco := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
	if err := db.Cockpit.SetBoardPack(cco, tp.BoardPackConfig{Recipients: []string{"board@example.com", "cfo@example.com"}, Lang: "de"}); err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t)
	start(t, db, srv, -1) // the hourly job runs on start
	mails := srv.Wait(2, 60*time.Second)
	if len(mails) != 2 {
		t.Fatalf("%d mails, want one per recipient", len(mails))
	}
	for _, m := range mails {
		body := string(m.Data)
		if !strings.Contains(body, "board pack 2026-11") || !strings.Contains(body, "board-pack-2026-11.html") {
			t.Errorf("mail to %v lacks the November pack", m.To)
		}
		if _, err := exec.LookPath("chromium"); err == nil && !strings.Contains(body, "board-pack-2026-11.pdf") {
			t.Errorf("mail to %v lacks the PDF", m.To)
		}
	}
	var sent int64
	for i := 0; i < 100 && sent == 0; i++ { // the mark is written after the last mail
		time.Sleep(50 * time.Millisecond)
		sent, _ = db.Cockpit.BoardPackSent(ctx)
	}
	if sent != 2026*12+10 {
		t.Errorf("sent mark %d", sent)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d mails after the first round", n)
	}
}

// TestRollupJobKeepsTheScorecardCurrent: a case opened while no runner works
// shows in the scorecard once the runner's periodic refresh has run.
func TestRollupJobKeepsTheScorecardCurrent(t *testing.T) {
	db := sqldbtest.SQLite(t)
	src := &tp.Source{Name: "CRM", Channel: "email"}
	db.Sources.CreateSource(ctx, src)
	c := customer(t, db, src, "a", `{"email":"a@example.com"}`)
	if err := db.Cases.CreateCase(ctx, &tp.Case{CustomerID: c, Subject: "late", Department: "Logistics", Division: "Online", Channel: "email"}); err != nil {
		t.Fatal(err)
	}
	month, _ := tp.PeriodOf("month", time.Now())
	volume := func() float64 {
		sc, err := db.Cockpit.Scorecard(ctx, tp.ScorecardQuery{Period: month})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sc.Rows[0].Cells {
			if c.KPI == "case_volume" {
				return c.Now.Value
			}
		}
		t.Fatal("no case_volume in the scorecard")
		return 0
	}
	if v := volume(); v != 0 {
		t.Fatalf("volume %v before any refresh", v)
	}
	start(t, db, smtptest.Start(t), -1)
	for i := 0; volume() != 1; i++ {
		if i == 200 {
			t.Fatal("the rollup job did not refresh within 20 s of starting")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
