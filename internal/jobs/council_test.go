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

var councilLinkRE = regexp.MustCompile(`https://cx\.example\.com/c/([A-Za-z0-9_-]+)`)

// TestCouncilInvitationsByMail: recruitment mails each invited customer in
// their language with their personal link, which opens their membership.
func TestCouncilInvitationsByMail(t *testing.T) {
	db := sqldbtest.SQLite(t)
	srv := smtptest.Start(t)
	start(t, db, srv, -1)
	src := &tp.Source{Name: "CRM", Channel: "email"}
	if err := db.Sources.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	customer(t, db, src, "de", `{"name":"Jürgen","email":"juergen@example.de","locale":"de","plan":"gold"}`)
	customer(t, db, src, "nl", `{"name":"Sanne","email":"sanne@example.nl","locale":"nl","plan":"gold"}`)
	seg := &tp.Segment{Name: "Gold", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "gold"}}}
	if err := db.Segments.CreateSegment(ctx, seg); err != nil {
		t.Fatal(err)
	}
	c := &tp.Council{Name: "Kundenbeirat"}
	if err := db.Council.CreateCouncil(ctx, c); err != nil {
		t.Fatal(err)
	}
	if rep, err := db.Council.Recruit(ctx, c.ID, seg.ID, 10); err != nil || rep.Invited != 2 {
		t.Fatalf("recruit: %+v %v", rep, err)
	}
	mails := srv.Wait(2, 30*time.Second)
	if len(mails) != 2 {
		t.Fatalf("%d invitation mails", len(mails))
	}
	for _, m := range mails {
		subject, text := textOf(t, m)
		want := map[string]string{"juergen@example.de": "Einladung in unseren Kundenbeirat „Kundenbeirat“", "sanne@example.nl": "Uitnodiging voor onze klantenraad „Kundenbeirat”"}[m.To[0]]
		if subject != want {
			t.Errorf("to %s: subject %q, want %q", m.To[0], subject, want)
		}
		link := councilLinkRE.FindStringSubmatch(text)
		if link == nil {
			t.Fatalf("no personal link in %q", text)
		}
		public := tp.WithAccess(ctx, tp.Access{Actor: "public", Role: tp.RolePublic})
		if err := db.Council.RespondInvitation(public, link[1], true); err != nil {
			t.Errorf("the link does not open the membership: %v", err)
		}
		if !strings.Contains(text, "Kundenbeirat") {
			t.Errorf("the mail does not name the council: %q", text)
		}
	}
	if v, _ := db.Council.Voice(ctx); len(v) != 1 || v[0].Members != 2 {
		t.Errorf("after both joined: %+v", v)
	}
}
