package jobs_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/mailer/smtptest"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

var unsubRE = regexp.MustCompile(`https://cx\.example\.com/digest/unsubscribe/([A-Za-z0-9_-]+)`)

// TestDigestMailedInTheReadersLanguage: on Monday morning the job mails last
// week's Service digest to the department's head in German and, once the
// department sends it to every member, to its agent in Dutch, over a real
// SMTP conversation: the week's best and worst comments, the open action
// item and the overdue case; once per week; the mail's link unsubscribes.
func TestDigestMailedInTheReadersLanguage(t *testing.T) {
	db := sqldbtest.SQLite(t)
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	users := map[string]*tp.User{}
	for _, u := range []*tp.User{{Email: "chef@example.com", Role: tp.RoleDepartmentHead, Department: "Service", Locale: "de"},
		{Email: "sanne@example.com", Role: tp.RoleAgent, Department: "Service", Locale: "nl"},
		{Email: "other@example.com", Role: tp.RoleAgent, Department: "Logistics", Locale: "nl"},
		{Email: "cco@example.com", Role: tp.RoleCCO}} {
		if err := db.Users.CreateUser(ctx, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		users[u.Email] = u
	}
	head := tp.WithAccess(ctx, tp.Access{Actor: "user:chef@example.com", Role: tp.RoleDepartmentHead, Department: "Service", UserID: users["chef@example.com"].ID})
	if err := db.Digest.SetDigestForMembers(head, "Service", true); err != nil {
		t.Fatal(err)
	}
	src := &tp.Source{Name: "CRM", Channel: "email"}
	if err := db.Sources.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	c := customer(t, db, src, "a", `{"email":"a@example.com"}`)
	sv := &tp.Survey{Name: "Service NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en"}
	if err := db.Surveys.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	score := func(v int) *int { return &v }
	week := monday.AddDate(0, 0, -5) // the Wednesday of last week
	if err := db.Surveys.ImportResponses(ctx, []tp.ResponseImport{
		{SurveyID: sv.ID, CustomerID: c, Department: "Service", Score: score(10), Comment: "Anna solved it in one call", Language: "en", At: week},
		{SurveyID: sv.ID, CustomerID: c, Department: "Service", Score: score(1), Comment: "Nobody called me back", Language: "en", At: week.Add(time.Hour)},
		{SurveyID: sv.ID, CustomerID: c, Department: "Service", Score: score(8), Comment: "Fine", Language: "en", At: week.Add(2 * time.Hour)},
		{SurveyID: sv.ID, CustomerID: c, Department: "Service", Score: score(0), Comment: "From the week before", Language: "en", At: week.AddDate(0, 0, -7)},
		{SurveyID: sv.ID, CustomerID: c, Department: "Logistics", Score: score(0), Comment: "Parcel lost", Language: "en", At: week},
	}); err != nil {
		t.Fatal(err)
	}
	due := monday.AddDate(0, 0, -20)
	if err := db.Cases.ImportCases(ctx, []tp.CaseImport{{Case: tp.Case{CustomerID: c, Subject: "Refund still missing", Channel: "email", Source: tp.CaseFromEmail,
		Priority: tp.PriorityNormal, Department: "Service", Status: tp.CaseOpen, CreatedAt: due.AddDate(0, 0, -3), ResolutionDue: &due, FirstResponseDue: &due}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Actions.CreateAction(head, &tp.ActionItem{Title: "Call back within a day", Department: "Service", Due: "2026-12-15"}); err != nil {
		t.Fatal(err)
	}

	db.Now = func() time.Time { return monday }
	srv := smtptest.Start(t)
	start(t, db, srv, -1) // the hourly job runs on start
	mails := srv.Wait(2, 60*time.Second)
	if len(mails) != 2 {
		t.Fatalf("%d mails, want the head's and the member's", len(mails))
	}
	byTo := map[string]string{}
	for _, m := range mails {
		subject, text := textOf(t, m)
		byTo[m.To[0]] = subject + "\n" + text
	}
	de, nl := byTo["chef@example.com"], byTo["sanne@example.com"]
	for _, want := range []string{"touchpoint-Digest: Service, Woche ab 2026-11-23", "Die besten Kommentare der Woche", "Anna solved it in one call",
		"Die schlechtesten Kommentare der Woche", "Nobody called me back", "Call back within a day", "Refund still missing", "Überfällige Fälle"} {
		if !strings.Contains(de, want) {
			t.Errorf("the German digest lacks %q:\n%s", want, de)
		}
	}
	for _, want := range []string{"touchpoint-digest: Service, week van 2026-11-23", "Beste opmerkingen van de week", "Achterstallige zaken", "Openstaande acties"} {
		if !strings.Contains(nl, want) {
			t.Errorf("the Dutch digest lacks %q:\n%s", want, nl)
		}
	}
	for _, not := range []string{"Parcel lost", "From the week before"} {
		if strings.Contains(de+nl, not) {
			t.Errorf("a digest quotes %q (another department's, or last week's)", not)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d mails after the first round; the week's digest goes once", n)
	}

	m := unsubRE.FindStringSubmatch(nl)
	if m == nil {
		t.Fatalf("no unsubscribe link in:\n%s", nl)
	}
	public := tp.WithAccess(ctx, tp.Access{Actor: "public", Role: tp.RolePublic})
	if err := db.Digest.UnsubscribeDigest(public, "not-a-token"); tp.ErrorCode(err) != tp.ENOTFOUND {
		t.Errorf("unknown token: %v", err)
	}
	if err := db.Digest.UnsubscribeDigest(public, m[1]); err != nil {
		t.Fatal(err)
	}
	rs, err := db.Digest.DigestRecipients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, r := range rs {
		to = append(to, r.User.Email)
	}
	if strings.Join(to, ",") != "chef@example.com" { // Logistics sends to its heads only; it has none
		t.Errorf("after unsubscribing, the recipients are %v", to)
	}
}
