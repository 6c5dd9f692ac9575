package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// login signs a user in with a browser that speaks lang.
func (f *fixture) login(t *testing.T, email, lang string) *http.Client {
	t.Helper()
	b := f.browser(lang)
	res, err := b.PostForm(f.srv.URL+"/login", url.Values{"email": {email}, "password": {"correct horse battery"}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("login %s: %v %v", email, res, err)
	}
	return b
}

// TestPeoplePageShowsEachRoleItsOwn: the coaching page lists the agents a
// department head leads; an agent finds their own figures only, in German;
// a head assigns a training from the page and sees it listed.
func TestPeoplePageShowsEachRoleItsOwn(t *testing.T) {
	f := newFixture(t)
	users := map[string]*tp.User{}
	for _, u := range []*tp.User{{Email: "head@example.com", Role: tp.RoleDepartmentHead, Department: "Service"},
		{Email: "anna@example.com", Role: tp.RoleAgent, Department: "Service", Locale: "de"},
		{Email: "bert@example.com", Role: tp.RoleAgent, Department: "Service"}} {
		must(t, f.db.Users.CreateUser(ctx, u, "correct horse battery"))
		users[u.Email] = u
	}
	var msgs []string
	for i := range 40 {
		msgs = append(msgs, fmt.Sprintf(`{"type":"identify","userId":"c%d","traits":{"plan":"basic"}}`, i))
	}
	f.track("/v1/batch", `{"batch":[`+strings.Join(msgs, ",")+`]}`)
	f.drain()
	now := time.Now().UTC().Add(-48 * time.Hour)
	var cases []tp.CaseImport
	for i := range 40 {
		c, err := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: fmt.Sprintf("c%d", i)})
		must(t, err)
		who := users[map[bool]string{true: "anna@example.com", false: "bert@example.com"}[i%2 == 0]]
		reply := now.Add(time.Hour)
		cases = append(cases, tp.CaseImport{Case: tp.Case{CustomerID: c.ID, Subject: fmt.Sprintf("Case %d", i), Channel: "email", Source: tp.CaseFromEmail,
			Category: "billing", Priority: tp.PriorityNormal, Department: "Service", AssigneeID: who.ID, Status: tp.CaseOpen, CreatedAt: now, FirstReplyAt: &reply},
			Events: []tp.CaseEvent{{At: reply, Actor: "user:" + who.Email, Kind: "reply", Body: "On it.", Public: true}}})
	}
	must(t, f.db.Cases.ImportCases(ctx, cases))

	head := f.login(t, "head@example.com", "en")
	code, page := get(t, head, f.srv.URL+"/people")
	if code != 200 || !strings.Contains(page, "anna@example.com") || !strings.Contains(page, "bert@example.com") {
		t.Fatalf("the head's coaching page (%d) lacks the team's agents", code)
	}
	anna := f.login(t, "anna@example.com", "de")
	code, page = get(t, anna, f.srv.URL+"/people")
	if code != 200 || !strings.Contains(page, "anna@example.com") || strings.Contains(page, "bert@example.com") {
		t.Errorf("agent Anna's page (%d) must show her own row only", code)
	}
	if !strings.Contains(page, "Kundenerlebnis je Mitarbeitendem und Team") {
		t.Error("Anna's page is not in German")
	}
	if r := f.api("GET", "/api/v1/people?from=2026-13-01", f.admin, ""); r.Code != 400 {
		t.Errorf("a bad date: %d", r.Code)
	}

	res, err := head.PostForm(f.srv.URL+"/people/trainings", url.Values{"title": {"Billing basics"}, "kind": {"course"}, "department": {"Service"},
		"metric": {"fcr"}, "category": {"billing"}, "due": {time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}, "participant": {fmt.Sprint(users["bert@example.com"].ID)}})
	if err != nil || res.StatusCode != 303 {
		t.Fatalf("assign a training: %v %v", res, err)
	}
	_, page = get(t, head, f.srv.URL+"/people")
	if !strings.Contains(page, "Billing basics") {
		t.Error("the assigned training is not listed")
	}
	_, page = get(t, anna, f.srv.URL+"/people")
	if strings.Contains(page, "Billing basics") {
		t.Error("Anna sees a training she does not take part in")
	}
}

// TestDigestUnsubscribeAsksFirst: following the mail's link shows a question
// (a link scanner unsubscribes nobody); confirming turns the digest off.
func TestDigestUnsubscribeAsksFirst(t *testing.T) {
	f := newFixture(t)
	must(t, f.db.Users.CreateUser(ctx, &tp.User{Email: "head@example.com", Role: tp.RoleDepartmentHead, Department: "Service", Locale: "nl"}, "correct horse battery"))
	rs, err := f.db.Digest.DigestRecipients(ctx)
	must(t, err)
	if len(rs) != 1 {
		t.Fatalf("recipients %+v", rs)
	}
	link := f.srv.URL + "/digest/unsubscribe/" + rs[0].Token
	b := f.browser("nl")
	code, page := get(t, b, link)
	if code != 200 || !strings.Contains(page, "wekelijkse touchpoint-digest") {
		t.Errorf("the link's page (%d) does not ask in Dutch", code)
	}
	if rs, _ := f.db.Digest.DigestRecipients(ctx); len(rs) != 1 {
		t.Error("opening the link unsubscribed")
	}
	res, err := b.PostForm(link, url.Values{})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("confirm: %v %v", res, err)
	}
	if rs, _ := f.db.Digest.DigestRecipients(ctx); len(rs) != 0 {
		t.Error("still subscribed after confirming")
	}
	head := f.login(t, "head@example.com", "nl")
	code, page = get(t, head, f.srv.URL+"/digest")
	if code != 200 || !strings.Contains(page, "U ontvangt de digest van uw afdeling niet.") {
		t.Errorf("the digest page (%d) does not say the head is unsubscribed", code)
	}
}
