package sqldb_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// person is a customer planted everywhere the customer-data list reaches:
// two profiles merged into one, traits, events, a survey answer, a case
// with a reply and a mail with an attachment, a consent.
type person struct {
	id                                int64
	userID, anon, email, phone, name  string
	favourite, comment, subject, file string
	secrets                           []string // what must be gone after an erasure
}

func plant(t *testing.T, db *sqldb.Store) *person {
	t.Helper()
	r := rand.Uint32()
	p := &person{userID: fmt.Sprintf("gdpr-%d", r), anon: fmt.Sprintf("anon-%d", r), email: fmt.Sprintf("erika.q%d@example.de", r),
		phone: fmt.Sprintf("+49170%07d", r%10000000), name: fmt.Sprintf("Erika Zq%dmann", r), favourite: fmt.Sprintf("fav-%d-blue", r),
		comment: fmt.Sprintf("Erika Zq%dmann says the courier was rude", r), subject: fmt.Sprintf("Parcel for Zq%dmann", r),
		file: fmt.Sprintf("invoice-zq%d.pdf", r)}
	p.secrets = []string{p.email, p.phone, p.name, p.favourite, p.userID, p.anon, fmt.Sprintf("Zq%dmann", r), p.file}
	src := &tp.Source{Name: "Shop", Channel: "web", Division: "Online"}
	must(t, db.Sources.CreateSource(ctx, src))
	now := time.Now().UTC()
	sendMsgs(t, db, src,
		tp.Message{Type: tp.EventPage, Name: "Home", AnonymousID: p.anon, Identities: []tp.Identity{{Type: "anonymous_id", Value: p.anon}},
			Properties: json.RawMessage(`{"search":"` + p.name + `"}`), Timestamp: now.Add(-time.Hour)},
		tp.Message{Type: tp.EventIdentify, UserID: p.userID, Identities: []tp.Identity{{Type: "user_id", Value: p.userID}, {Type: "email", Value: p.email},
			{Type: "phone", Value: p.phone}}, Traits: map[string]json.RawMessage{"name": q(p.name), "email": q(p.email), "phone": q(p.phone),
			"favourite": q(p.favourite)}, Timestamp: now.Add(-50 * time.Minute)},
		tp.Message{Type: tp.EventTrack, Name: "Order Completed", UserID: p.userID, AnonymousID: p.anon,
			Identities: []tp.Identity{{Type: "user_id", Value: p.userID}, {Type: "anonymous_id", Value: p.anon}},
			Properties: json.RawMessage(`{"ship_to":"` + p.name + `","contact":"` + p.email + `"}`), Timestamp: now.Add(-40 * time.Minute)})
	c, err := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: p.userID})
	must(t, err)
	if len(c.Merges) == 0 {
		t.Fatal("the planted profiles did not merge")
	}
	p.id = c.ID
	sv := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en"}
	must(t, db.Surveys.CreateSurvey(ctx, sv))
	tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: sv.ID, CustomerID: p.id, Department: "Logistics"}, time.Hour)
	must(t, err)
	score := 3
	_, err = db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: &score, Comment: p.comment, Complete: true})
	must(t, err)
	kase := &tp.Case{CustomerID: p.id, Subject: p.subject, Description: "Call " + p.phone, Channel: "phone", Source: tp.CaseFromPhone,
		Priority: tp.PriorityNormal, Department: "Logistics"}
	must(t, db.Cases.CreateCase(ctx, kase))
	_, err = db.Cases.AddCaseNote(ctx, kase.ID, "Dear "+p.name+", we are on it.", true)
	must(t, err)
	raw := []byte("From: " + p.name + " <" + p.email + ">\r\nTo: cx@example.com\r\nSubject: [#" + fmt.Sprint(kase.ID) + "] " + p.subject +
		"\r\nMessage-ID: <m-" + p.userID + "@example.de>\r\n\r\nStill waiting, " + p.name + "\r\n")
	public := tp.WithAccess(context.Background(), tp.Access{Actor: "mail:" + p.email, Role: tp.RolePublic})
	mid, err := db.Mail.RecordInbound(public, raw, p.email, []string{"cx@example.com"})
	must(t, err)
	_, _, err = db.Mail.ProcessInbound(public, mid, &tp.InboundMail{From: p.email, FromName: p.name, Subject: "[#" + fmt.Sprint(kase.ID) + "] " + p.subject,
		MessageID: "<m-" + p.userID + "@example.de>", Text: "Still waiting, " + p.name,
		Attachments: []tp.MailAttachment{{Filename: p.file, ContentType: "application/pdf", Data: []byte("%PDF " + p.name)}}}, nil)
	must(t, err)
	must(t, db.Privacy.SetConsent(ctx, p.id, tp.PurposeMarketing, true))
	return p
}

func q(s string) json.RawMessage { b, _ := json.Marshal(s); return b }

func sendMsgs(t *testing.T, db *sqldb.Store, src *tp.Source, msgs ...tp.Message) tp.IngestResult {
	t.Helper()
	for i := range msgs {
		msgs[i].MessageID = fmt.Sprintf("m-%d-%d", time.Now().UnixNano(), i)
		if msgs[i].ReceivedAt.IsZero() {
			msgs[i].ReceivedAt = msgs[i].Timestamp
		}
	}
	res, err := db.Tracking.Ingest(tp.WithAccess(ctx, tp.Access{Actor: "source:" + src.Name, Role: tp.RoleSource}), src, msgs)
	must(t, err)
	return res
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The export holds every planted datum; the erasure leaves none of the
// person's name, e-mail, phone or words in the database files (after the
// product's own scrub), keeps the numbers, and a tracking SDK sending the
// person again is suppressed.
func TestExportAndErasure(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		p := plant(t, db)
		ex, err := db.Privacy.ExportCustomer(ctx, p.id)
		must(t, err)
		doc, _ := json.Marshal(ex)
		for _, s := range append(p.secrets, p.comment, p.subject) {
			if !bytes.Contains(doc, []byte(s)) {
				t.Errorf("the export lacks %q", s)
			}
		}
		if len(ex.Profiles) != 2 || len(ex.Attachments) != 1 || !bytes.Contains(ex.Attachments[0].Data, []byte(p.name)) {
			t.Errorf("export: profiles %v, attachments %d", ex.Profiles, len(ex.Attachments))
		}
		for _, table := range []string{"customers", "identities", "customer_traits", "events", "responses", "cases", "case_events", "inbound_mail", "consents", "merges"} {
			if len(ex.Tables[table]) == 0 {
				t.Errorf("the export has no %s rows", table)
			}
		}
		agent := tp.WithAccess(ctx, tp.Access{Actor: "user:a@example.com", Role: tp.RoleAgent, Department: "Logistics"})
		if _, err := db.Privacy.ExportCustomer(agent, p.id); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("an agent exported: %v", err)
		}
		if _, err := db.Privacy.EraseCustomer(agent, p.id); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("an agent erased: %v", err)
		}

		// The person is on disk before: the check below can fail.
		if db.Dialect() == sqldb.Postgres {
			_, err := db.Pool().ExecContext(ctx, "CHECKPOINT")
			must(t, err)
		}
		if !filesHold(t, db, p.email) || !filesHold(t, db, p.name) {
			t.Fatal("the planted person is not in the database files before the erasure")
		}
		before := numbers(t, db)
		rep, err := db.Privacy.EraseCustomer(ctx, p.id)
		must(t, err)
		if rep.Suppressed < 4 || rep.Anonymised["cases"] != 1 || rep.Deleted["identities"] < 4 {
			t.Errorf("erasure report: %+v", rep)
		}
		if db.Dialect() == sqldb.Postgres {
			must(t, db.Privacy.Scrub(ctx, nil)) // the scrub job's work
		}
		if after := numbers(t, db); after != before {
			t.Errorf("the numbers changed: %+v → %+v", before, after)
		}
		for _, s := range p.secrets {
			if filesHold(t, db, s) || filesHold(t, db, strings.ToLower(s)) {
				t.Errorf("the database files still hold %q", s)
			}
		}
		// The SDK sends the person again: dropped, not re-created.
		src := &tp.Source{Name: "App", Channel: "app"}
		must(t, db.Sources.CreateSource(ctx, src))
		res := sendMsgs(t, db, src, tp.Message{Type: tp.EventIdentify, UserID: p.userID, Identities: []tp.Identity{{Type: "user_id", Value: p.userID}},
			Traits: map[string]json.RawMessage{"email": q(p.email)}, Timestamp: time.Now()},
			tp.Message{Type: tp.EventTrack, Name: "Viewed", Identities: []tp.Identity{{Type: "email", Value: p.email}, {Type: "anonymous_id", Value: "fresh-device"}}, Timestamp: time.Now()},
			tp.Message{Type: tp.EventTrack, Name: "Viewed", Identities: []tp.Identity{{Type: "user_id", Value: "someone-else"}}, Timestamp: time.Now()})
		if res.Suppressed != 2 || res.Stored != 1 {
			t.Errorf("re-sent erased identities: %+v", res)
		}
		if _, err := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: p.userID}); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("the erased user id is back: %v", err)
		}
		var found int
		must(t, db.Audit.ListAudit(ctx, tp.AuditFilter{Action: "customer."}, func(e tp.AuditEntry) error { found++; return nil }))
		if found != 2 {
			t.Errorf("%d audit entries for the export and the erasure", found)
		}
	})
}

type counts struct{ cases, responses, events int }

// numbers are the aggregates an erasure must keep.
func numbers(t *testing.T, db *sqldb.Store) counts {
	t.Helper()
	var c counts
	cs, err := db.Cases.ListCases(ctx, tp.CaseFilter{Limit: 1000})
	must(t, err)
	c.cases = len(cs)
	must(t, db.Pool().QueryRowContext(ctx, "SELECT COUNT(*) FROM responses WHERE score IS NOT NULL").Scan(&c.responses))
	must(t, db.Pool().QueryRowContext(ctx, "SELECT COUNT(*) FROM events").Scan(&c.events))
	return c
}

// filesHold reports whether any database file holds s.
func filesHold(t *testing.T, db *sqldb.Store, s string) bool {
	t.Helper()
	for _, f := range databaseFiles(t, db) {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) {
			t.Logf("%s holds %q", filepath.Base(f), s)
			return true
		}
	}
	return false
}

// databaseFiles are the files holding the test's database: SQLite's file
// and WAL; PostgreSQL's relation files of the test database (its WAL
// segments are outside: see README "Privacy").
func databaseFiles(t *testing.T, db *sqldb.Store) []string {
	t.Helper()
	if db.Dialect() == sqldb.SQLite {
		var path string
		must(t, db.Pool().QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path))
		files := []string{path}
		for _, ext := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(path + ext); err == nil {
				files = append(files, path+ext)
			}
		}
		return files
	}
	var dir, oid string
	must(t, db.Pool().QueryRowContext(ctx, "SELECT current_setting('data_directory'), (SELECT oid::text FROM pg_database WHERE datname = current_database())").Scan(&dir, &oid))
	files, err := filepath.Glob(filepath.Join(dir, "base", oid, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("cannot read PostgreSQL's files in %s (the test reads them as the server's owner or root): %v", dir, err)
	}
	return files
}

// A merge moves what the customer-data list says: a customer who
// unsubscribed on one profile is not invited again on the merged one, and
// their cases follow; unmerge puts both back.
func TestMergeKeepsOptOutsAndMovesCases(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := &tp.Source{Name: "Shop", Channel: "web"}
		must(t, db.Sources.CreateSource(ctx, src))
		now := time.Now().UTC()
		sendMsgs(t, db, src, tp.Message{Type: tp.EventIdentify, UserID: "kim", Identities: []tp.Identity{{Type: "user_id", Value: "kim"}},
			Traits: map[string]json.RawMessage{"email": q("kim@example.com")}, Timestamp: now.Add(-2 * time.Hour)})
		sendMsgs(t, db, src, tp.Message{Type: tp.EventIdentify, Identities: []tp.Identity{{Type: "phone", Value: "+4917011112222"}},
			Traits: map[string]json.RawMessage{"phone": q("+4917011112222")}, Timestamp: now.Add(-time.Hour)})
		kim, _ := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "kim"})
		caller, _ := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "phone", Value: "+4917011112222"})
		// The caller unsubscribed (by the link of an invitation) and complained.
		sv := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en"}
		must(t, db.Surveys.CreateSurvey(ctx, sv))
		tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: sv.ID, CustomerID: caller.ID}, time.Hour)
		must(t, err)
		must(t, db.Surveys.OptOut(tp.WithAccess(ctx, tp.Access{Actor: "public", Role: tp.RolePublic}), tok))
		kase := &tp.Case{CustomerID: caller.ID, Subject: "Billing", Channel: "phone", Source: tp.CaseFromPhone, Priority: tp.PriorityNormal, Department: "Billing"}
		must(t, db.Cases.CreateCase(ctx, kase))
		// One message names both: they merge into the older, kim.
		res := sendMsgs(t, db, src, tp.Message{Type: tp.EventIdentify, UserID: "kim", Identities: []tp.Identity{{Type: "user_id", Value: "kim"},
			{Type: "phone", Value: "+4917011112222"}}, Timestamp: now})
		if res.Merges != 1 {
			t.Fatalf("merges: %+v", res)
		}
		rep, err := db.Surveys.QueueInvitations(ctx, sv.ID, []int64{kim.ID}, tp.SendOptions{})
		must(t, err)
		if rep.Queued != 0 || rep.Skipped[tp.SkipOptedOut] != 1 {
			t.Errorf("the merged customer who unsubscribed was invited: %+v", rep)
		}
		state, _, err := db.Privacy.Consents(ctx, kim.ID)
		must(t, err)
		if state[0].Purpose != tp.PurposeSurvey || state[0].Granted || state[0].Source != "unsubscribe link" {
			t.Errorf("consent after the merge: %+v", state)
		}
		if c, _, _ := db.Cases.FindCase(ctx, kase.ID); c.CustomerID != kim.ID {
			t.Errorf("the case stayed with the merged-away profile: %d", c.CustomerID)
		}
		merged, _ := db.Customers.FindCustomerByID(ctx, kim.ID)
		_, err = db.Customers.Unmerge(ctx, kim.ID, merged.Merges[len(merged.Merges)-1].ID)
		must(t, err)
		if c, _, _ := db.Cases.FindCase(ctx, kase.ID); c.CustomerID != caller.ID {
			t.Errorf("unmerge left the case with %d", c.CustomerID)
		}
		st, _, _ := db.Privacy.Consents(ctx, kim.ID)
		sc, _, _ := db.Privacy.Consents(ctx, caller.ID)
		if !st[0].Granted || !st[0].Default || sc[0].Granted {
			t.Errorf("consent after the unmerge: kim %+v, caller %+v", st[0], sc[0])
		}
	})
}

// Consents arrive with events (context.consent.categoryPreferences or
// traits.consent); a repeat of the state adds nothing; segments leave out
// a customer who objected to profiling.
func TestConsentFromTrackingAndSegments(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := &tp.Source{Name: "Web", Channel: "web"}
		must(t, db.Sources.CreateSource(ctx, src))
		now := time.Now().UTC()
		msg := func(ts time.Time, c map[tp.Purpose]bool) tp.Message {
			return tp.Message{Type: tp.EventTrack, Name: "Consent Updated", UserID: "ana", Identities: []tp.Identity{{Type: "user_id", Value: "ana"}},
				Traits: map[string]json.RawMessage{"plan": q("gold")}, Consent: c, Timestamp: ts}
		}
		sendMsgs(t, db, src, msg(now.Add(-time.Hour), map[tp.Purpose]bool{tp.PurposeMarketing: true, tp.PurposeProfiling: false}))
		sendMsgs(t, db, src, msg(now, map[tp.Purpose]bool{tp.PurposeMarketing: true})) // the same again
		ana, _ := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "ana"})
		state, history, err := db.Privacy.Consents(ctx, ana.ID)
		must(t, err)
		if len(history) != 2 || !state[1].Granted || state[1].Source != "source:Web" || state[2].Granted {
			t.Errorf("consent from events: %+v %+v", state, history)
		}
		seg := &tp.Segment{Name: "Gold", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "gold"}}}
		must(t, db.Segments.CreateSegment(ctx, seg))
		if _, n, _ := db.Segments.SegmentMembers(ctx, seg.ID, 0); n != 0 {
			t.Errorf("a customer who objected to profiling is in a segment")
		}
		agent := tp.WithAccess(ctx, tp.Access{Actor: "user:agent@example.com", Role: tp.RoleAgent, Department: "Service", UserID: 7})
		must(t, db.Privacy.SetConsent(agent, ana.ID, tp.PurposeProfiling, true))
		if _, n, _ := db.Segments.SegmentMembers(ctx, seg.ID, 0); n != 1 {
			t.Errorf("after the consent the customer is not in the segment: %d", n)
		}
		analyst := tp.WithAccess(ctx, tp.Access{Actor: "user:bi@example.com", Role: tp.RoleAnalyst})
		if err := db.Privacy.SetConsent(analyst, ana.ID, tp.PurposeMarketing, false); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("an analyst recorded a consent: %v", err)
		}
	})
}

// The retention job deletes or anonymises what is older than its period
// and reports it; younger data stays.
func TestRetentionOnOldRows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := &tp.Source{Name: "Shop", Channel: "web"}
		must(t, db.Sources.CreateSource(ctx, src))
		now := time.Now().UTC()
		db.Now = func() time.Time { return now.AddDate(-4, 0, 0) } // planted four years ago
		sendMsgs(t, db, src, tp.Message{Type: tp.EventTrack, Name: "Old", UserID: "u1", Identities: []tp.Identity{{Type: "user_id", Value: "u1"}},
			Timestamp: now.AddDate(-4, 0, 0)})
		sv := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en"}
		must(t, db.Surveys.CreateSurvey(ctx, sv))
		u1, _ := db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: "u1"})
		answer := func(comment string) {
			tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: sv.ID, CustomerID: u1.ID}, time.Hour)
			must(t, err)
			score := 8
			_, err = db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: &score, Comment: comment, Complete: true})
			must(t, err)
		}
		answer("old words about the shop")
		old := &tp.Case{CustomerID: u1.ID, Subject: "Old complaint", Description: "old text", Channel: "phone", Source: tp.CaseFromPhone,
			Priority: tp.PriorityNormal, Department: "Billing"}
		must(t, db.Cases.CreateCase(ctx, old))
		for _, st := range []tp.CaseStatus{tp.CaseOpen, tp.CaseResolved, tp.CaseClosed} {
			_, err := db.Cases.MoveCase(ctx, old.ID, st, "")
			must(t, err)
		}
		db.Now = func() time.Time { return now }
		sendMsgs(t, db, src, tp.Message{Type: tp.EventTrack, Name: "New", UserID: "u1", Identities: []tp.Identity{{Type: "user_id", Value: "u1"}}, Timestamp: now})
		answer("new words")
		must(t, db.Privacy.SetRetention(ctx, tp.Retention{tp.RetainCases: 3 * 365})) // closed cases: three years, not the default six
		rep, err := db.Privacy.RunRetention(ctx)
		must(t, err)
		// Two old events: the track call and the old answer's timeline entry.
		if rep.Done["events deleted"] != 2 || rep.Done["comments cleared"] != 1 || rep.Done["case texts cleared"] != 1 {
			t.Errorf("retention report: %+v", rep.Done)
		}
		tl, _ := db.Customers.Timeline(ctx, u1.ID, tp.TimelineFilter{})
		var names []string
		for _, e := range tl.Events {
			names = append(names, e.Name)
		}
		if strings.Contains(strings.Join(names, ","), "Old") || !strings.Contains(strings.Join(names, ","), "New") {
			t.Errorf("events after retention: %v", names)
		}
		var comments []string
		must(t, db.Surveys.ListResponses(ctx, tp.ResponseFilter{SurveyID: sv.ID}, func(r tp.ResponseRow) error { comments = append(comments, r.Comment); return nil }))
		if len(comments) != 2 || !strings.Contains(strings.Join(comments, "|"), "new words") || strings.Contains(strings.Join(comments, "|"), "old words") {
			t.Errorf("comments after retention: %q", comments)
		}
		c, events, _ := db.Cases.FindCase(ctx, old.ID)
		if c.Subject != "[expired]" || c.Description != "" || c.Status != tp.CaseClosed || events[0].Body != "" {
			t.Errorf("the old case after retention: %+v", c)
		}
		_, last, err := db.Privacy.Retention(ctx)
		must(t, err)
		if last == nil || last.Done["events deleted"] != 2 {
			t.Errorf("the last run is not kept: %+v", last)
		}
		// A second run finds nothing more to do.
		rep, _ = db.Privacy.RunRetention(ctx)
		if rep.Done["case texts cleared"] != 0 || rep.Done["comments cleared"] != 0 || rep.Done["events deleted"] != 0 {
			t.Errorf("a second run did more: %+v", rep.Done)
		}
		if err := db.Privacy.SetRetention(ctx, tp.Retention{"events": 5}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("a 5-day period: %v", err)
		}
	})
}

// TestScrubWaitsForOlderSnapshots: on PostgreSQL a transaction that began
// before the erasure can still see the erased rows, and VACUUM FULL keeps
// what it can see. The scrub waits for it to end, so the person is gone
// from the files all the same.
func TestScrubWaitsForOlderSnapshots(t *testing.T) {
	db := sqldbtest.Postgres(t)
	src := source(t, db, "Web", "web", "")
	send(t, db, src, `{"type":"identify","userId":"snap-7731","traits":{"email":"snapshot.7731@example.org"}}`)
	c := customerOf(t, db, "user_id", "snap-7731")
	_, err := db.Pool().ExecContext(ctx, "CHECKPOINT")
	must(t, err)
	if !filesHold(t, db, "snapshot.7731@example.org") {
		t.Fatal("the planted address is not on disk before the erasure")
	}
	// A report's long transaction, its snapshot taken before the erasure.
	report, err := db.Pool().BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	must(t, err)
	var n int
	must(t, report.QueryRowContext(ctx, "SELECT COUNT(*) FROM customers").Scan(&n))
	_, err = db.Privacy.EraseCustomer(ctx, c.ID)
	must(t, err)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- db.Privacy.Scrub(ctx, nil) }()
	time.Sleep(500 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the scrub ran while an older snapshot was open: %v", err)
	default:
	}
	must(t, report.Rollback())
	must(t, <-done)
	if time.Since(start) < 500*time.Millisecond || filesHold(t, db, "snapshot.7731@example.org") {
		t.Errorf("the erased address is still in the files after the scrub (%s)", time.Since(start))
	}
}
