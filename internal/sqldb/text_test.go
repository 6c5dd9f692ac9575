package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
	"github.com/touchpoint-cx/touchpoint/internal/textan"
)

// Comments are analysed once, again when they change, and theme figures and
// texts are scoped by the access policy like the answers themselves.
func TestTextAnalysisFollowsChangesAndPolicy(t *testing.T) {
	an, err := textan.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		s := &tp.Survey{Name: "Relationship", Type: tp.SurveyNPS, Status: tp.SurveyActive}
		if err := db.Surveys.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		answer := func(user, dept, division string, score int, comment string) string {
			c := newCustomer(t, db, src, user, "en")
			tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: c.ID, Department: dept, Division: division}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(score), Comment: comment}); err != nil {
				t.Fatal(err)
			}
			return tok
		}
		answer("a", "Service", "Online", 2, "The parcel arrived late and damaged.")
		answer("b", "Logistics", "Retail", 10, "Very friendly staff, thank you!")
		later := answer("c", "Logistics", "Retail", 6, "") // no comment yet: nothing to analyse
		n, err := db.Text.AnalyzePending(ctx, an, 100)
		if err != nil || n != 2 {
			t.Fatalf("analysed %d (%v), want the 2 comments", n, err)
		}
		if n, _ := db.Text.AnalyzePending(ctx, an, 100); n != 0 {
			t.Fatalf("a second run analysed %d again", n)
		}
		// The third customer adds a comment to the same answer: it is pending again.
		if _, err := db.Surveys.SaveResponse(ctx, later, tp.ResponseInput{Score: intp(6), Comment: "The delivery was late again.", Complete: true}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.Text.AnalyzePending(ctx, an, 100); err != nil || n != 1 {
			t.Fatalf("after the change: analysed %d (%v), want 1", n, err)
		}
		if done, total, err := db.Text.TextProgress(ctx); err != nil || done != 3 || total != 3 {
			t.Errorf("progress %d of %d (%v)", done, total, err)
		}
		names := func(id string) string { return id }
		stats, err := db.Text.ThemeStats(ctx, tp.ThemeQuery{}, names)
		if err != nil {
			t.Fatal(err)
		}
		byTheme := map[string]tp.ThemeStat{}
		for _, st := range stats {
			byTheme[st.Theme] = st
		}
		if d := byTheme["delivery"]; d.Responses != 2 || d.Negative < 1 || d.NNPS != 2 || d.NPS == nil || d.NPS.Value != -100 {
			t.Errorf("delivery: %+v", d)
		}
		if byTheme["staff"].Responses != 1 || byTheme["damaged_goods"].Responses != 1 {
			t.Errorf("stats %+v", stats)
		}
		// A Service head sees Service's texts only; a Logistics head Logistics'.
		for dept, want := range map[string]int{"Service": 1, "Logistics": 1} {
			head := tp.WithAccess(context.Background(), tp.Access{Actor: "user:head", Role: tp.RoleDepartmentHead, Department: dept})
			texts, err := db.Text.ThemeTexts(head, "delivery", tp.ThemeQuery{}, 10)
			if err != nil || len(texts) != want {
				t.Fatalf("%s head: %d delivery texts (%v)", dept, len(texts), err)
			}
			for _, tx := range texts {
				if (dept == "Service") != (tx.Division == "Online") {
					t.Errorf("%s head sees %q of %s", dept, tx.Text, tx.Division)
				}
			}
			st, err := db.Text.ThemeStats(head, tp.ThemeQuery{Department: "Service"}, names) // asking for another's is overridden
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range st {
				if x.Theme == "delivery" && x.Responses != 1 {
					t.Errorf("%s head: delivery in %d responses", dept, x.Responses)
				}
			}
		}
		rows, err := db.Text.DriverRows(ctx, tp.ThemeQuery{SurveyID: s.ID, Division: "Retail"})
		if err != nil || len(rows) != 2 {
			t.Errorf("driver rows of Retail: %v (%v)", rows, err)
		}
		// Re-analysis forgets everything; the job then does it all again.
		if err := db.Text.Reanalyze(ctx); err != nil {
			t.Fatal(err)
		}
		if done, _, _ := db.Text.TextProgress(ctx); done != 0 {
			t.Errorf("after Reanalyze %d analyses are left", done)
		}
		if n, _ := db.Text.AnalyzePending(ctx, an, 100); n != 3 {
			t.Errorf("re-analysed %d, want 3", n)
		}
		agent := tp.WithAccess(context.Background(), tp.Access{Actor: "user:agent", Role: tp.RoleAgent, Department: "Service"})
		if _, err := db.Text.AnalyzePending(agent, an, 10); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("an agent ran the analysis job: %v", err)
		}
	})
}

// A theme that rises in one division's comments fires an emerging-topics
// alert once; evaluating again changes nothing.
func TestEmergingTopicAlertFiresOnce(t *testing.T) {
	an, err := textan.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		c := newCustomer(t, db, src, "e", "en")
		s := &tp.Survey{Name: "Relationship", Type: tp.SurveyNPS, Status: tp.SurveyActive}
		if err := db.Surveys.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		var recs []tp.ResponseImport
		for day := 0; day < 7*tp.EmergingWeeks; day++ {
			at := now.Add(-time.Duration(day)*24*time.Hour - time.Hour)
			for k := 0; k < 6; k++ {
				text := "Friendly staff, fair price."
				if k == 0 && day%3 == 0 || day < 14 && k < 3 { // the app comes up every third day, then half the time
					text = "The app crashes at checkout."
				}
				score := 7
				recs = append(recs, tp.ResponseImport{SurveyID: s.ID, CustomerID: c.ID, Score: &score, Comment: text, Language: "en", Division: "Online", Channel: "app", At: at})
			}
		}
		if err := db.Surveys.ImportResponses(ctx, recs); err != nil {
			t.Fatal(err)
		}
		for {
			n, err := db.Text.AnalyzePending(ctx, an, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		rule := &tp.AlertRule{Name: "Rising themes", Kind: "emerging", Division: "Online", Emails: []string{"cx@example.com"}}
		if err := db.Alerts.CreateAlertRule(ctx, rule); err != nil {
			t.Fatal(err)
		}
		events, err := db.Alerts.EvaluateAlerts(ctx)
		if err != nil || len(events) != 1 || events[0].Kind != "fired" || !strings.Contains(events[0].Summary, "app_website") {
			t.Fatalf("first evaluation: %+v %v", events, err)
		}
		if strings.Contains(events[0].Summary, "staff") || strings.Contains(events[0].Summary, "price") {
			t.Errorf("steady themes flagged: %s", events[0].Summary)
		}
		// Found in the division and in the channel alike.
		if !strings.Contains(events[0].Summary, "division Online") || !strings.Contains(events[0].Summary, "channel app") {
			t.Errorf("slices: %s", events[0].Summary)
		}
		if events, err := db.Alerts.EvaluateAlerts(ctx); err != nil || len(events) != 0 {
			t.Errorf("second evaluation: %+v %v", events, err)
		}
	})
}

// Driver rows of a segment are its members' answers only.
func TestDriverRowsOfASegment(t *testing.T) {
	an, err := textan.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		s := &tp.Survey{Name: "Relationship", Type: tp.SurveyNPS, Status: tp.SurveyActive}
		if err := db.Surveys.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		send(t, db, src, `{"type":"identify","userId":"vip","traits":{"plan":"vip"}}`, `{"type":"identify","userId":"std","traits":{"plan":"std"}}`)
		for _, u := range []string{"vip", "std"} {
			c := customerOf(t, db, "user_id", u)
			tok, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: c.ID}, time.Hour)
			if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(9), Comment: "The delivery was late.", Complete: true}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Text.AnalyzePending(ctx, an, 100); err != nil {
			t.Fatal(err)
		}
		seg := &tp.Segment{Name: "VIP", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "vip"}}}
		if err := db.Segments.CreateSegment(ctx, seg); err != nil {
			t.Fatal(err)
		}
		all, err := db.Text.DriverRows(ctx, tp.ThemeQuery{SurveyID: s.ID})
		if err != nil || len(all) != 2 {
			t.Fatalf("all: %v %v", all, err)
		}
		vip, err := db.Text.DriverRows(ctx, tp.ThemeQuery{SurveyID: s.ID, SegmentID: seg.ID})
		if err != nil || len(vip) != 1 || len(vip[0].Themes) == 0 {
			t.Errorf("the segment's rows: %v %v", vip, err)
		}
	})
}
