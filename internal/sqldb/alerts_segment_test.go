package sqldb_test

import (
	"fmt"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestAlertOnASegment: NPS collapses among the VIP segment's members while
// the others' rises, so the company's NPS stays put: the rule on the segment
// fires, the rule on everyone does not.
func TestAlertOnASegment(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Shop", "web", "")
		var msgs []string
		for i := range 120 {
			plan := map[bool]string{true: "vip", false: "basic"}[i < 60]
			msgs = append(msgs, fmt.Sprintf(`{"type":"identify","userId":"s%d","traits":{"plan":%q}}`, i, plan))
		}
		send(t, db, src, msgs...)
		seg := &tp.Segment{Name: "VIP", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "vip"}}}
		must(t, db.Segments.CreateSegment(ctx, seg))
		sv := &tp.Survey{Name: "NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en"}
		must(t, db.Surveys.CreateSurvey(ctx, sv))
		oct, nov := time.Date(2026, 10, 12, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC)
		var recs []tp.ResponseImport
		for i := range 120 {
			c := customerOf(t, db, "user_id", fmt.Sprintf("s%d", i))
			good, bad := 10, 2 // a quarter of each group answers the other way
			if i%4 == 0 {
				good, bad = 2, 10
			}
			before, now := good, bad
			if i >= 60 {
				before, now = bad, good
			}
			recs = append(recs, tp.ResponseImport{SurveyID: sv.ID, CustomerID: c.ID, Score: &before, Language: "en", At: oct},
				tp.ResponseImport{SurveyID: sv.ID, CustomerID: c.ID, Score: &now, Language: "en", At: nov})
		}
		must(t, db.Surveys.ImportResponses(ctx, recs))
		clock := db.Now
		defer func() { db.Now = clock }()
		db.Now = func() time.Time { return nov.Add(time.Hour) }
		cco := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
		vip := &tp.AlertRule{Name: "VIP NPS drop", KPI: "nps", SegmentID: seg.ID, Kind: "drop", Period: "month", Emails: []string{"cco@example.com"}}
		all := &tp.AlertRule{Name: "NPS drop", KPI: "nps", Kind: "drop", Period: "month", Emails: []string{"cco@example.com"}}
		for _, r := range []*tp.AlertRule{vip, all} {
			must(t, db.Alerts.CreateAlertRule(cco, r))
		}
		if err := db.Alerts.CreateAlertRule(cco, &tp.AlertRule{Name: "x", Kind: "emerging", SegmentID: seg.ID, Emails: []string{"cco@example.com"}}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("an emerging rule on a segment: %v", err)
		}
		if err := db.Alerts.CreateAlertRule(cco, &tp.AlertRule{Name: "x", KPI: "nps", Kind: "drop", SegmentID: 999, Emails: []string{"cco@example.com"}}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("an unknown segment: %v", err)
		}
		events, err := db.Alerts.EvaluateAlerts(ctx)
		must(t, err)
		if len(events) != 1 || events[0].RuleID != vip.ID || events[0].Kind != "fired" {
			t.Errorf("events %+v, want the VIP rule alone to fire", events)
		}
		rules, _ := db.Alerts.ListAlertRules(cco)
		for _, r := range rules {
			if r.ID == vip.ID && r.SegmentID != seg.ID {
				t.Errorf("the rule lost its segment: %+v", r)
			}
		}
	})
}
