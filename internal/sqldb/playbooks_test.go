package sqldb_test

import (
	"fmt"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestPlaybookActsOncePerPeriodAndMeasuresItsHoldout: a playbook over a
// segment opens one case per entrant and leaves its hold-out alone, acts on
// nobody twice within its period and again after it, and its measured
// retention finds a planted effect: every held-out entrant churns, half of
// the acted-on ones do.
func TestPlaybookActsOncePerPeriodAndMeasuresItsHoldout(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		now := time.Now().UTC().Truncate(time.Second)
		start := now.AddDate(0, 0, -200)
		src := source(t, db, "Shop", "web", "")
		var msgs []string
		for i := range 200 {
			email := ""
			if i%2 == 0 { // half of them can be mailed
				email = fmt.Sprintf(`,"email":"v%d@example.com"`, i)
			}
			msgs = append(msgs, fmt.Sprintf(`{"type":"identify","userId":"v%d","traits":{"plan":"vip"%s},"timestamp":%q}`, i, email, start.AddDate(0, 0, -10).Format(time.RFC3339)))
		}
		msgs = append(msgs, `{"type":"identify","userId":"basic","traits":{"plan":"basic"}}`)
		send(t, db, src, msgs...)
		seg := &tp.Segment{Name: "VIP", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "vip"}}}
		must(t, db.Segments.CreateSegment(ctx, seg))
		cco := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
		if err := db.Playbooks.CreatePlaybook(cco, &tp.Playbook{Name: "Call VIPs", SegmentID: seg.ID, HoldoutPct: 60}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("no department, hold-out above 50: %v", err)
		}
		if err := db.Playbooks.CreatePlaybook(cco, &tp.Playbook{Name: "Call VIPs", SegmentID: 9999, Department: "Service"}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("unknown segment: %v", err)
		}
		pb := &tp.Playbook{Name: "Call VIPs", SegmentID: seg.ID, Department: "Service", HoldoutPct: 50}
		must(t, db.Playbooks.CreatePlaybook(cco, pb))
		if pb.PeriodDays != 90 || !pb.Enabled {
			t.Errorf("defaults: %+v", pb)
		}

		clock := db.Now
		defer func() { db.Now = clock }()
		db.Now = func() time.Time { return start }
		n, err := db.Playbooks.RunPlaybooks(ctx, 1000)
		if err != nil || n != 200 {
			t.Fatalf("first run acted on %d (%v), want the 200 VIPs", n, err)
		}
		entries, err := db.Playbooks.PlaybookEntries(cco, pb.ID, 1000)
		must(t, err)
		held := map[int64]bool{}
		for _, e := range entries {
			if e.Holdout {
				held[e.CustomerID] = true
				if e.CaseID != 0 {
					t.Errorf("held-out customer %d got case %d", e.CustomerID, e.CaseID)
				}
				continue
			}
			c, _, err := db.Cases.FindCase(ctx, e.CaseID)
			if err != nil || c.CustomerID != e.CustomerID || c.Department != "Service" || c.Source != tp.CaseFromPlaybook {
				t.Errorf("entry %+v: case %+v, %v", e, c, err)
			}
		}
		if len(held) < 70 || len(held) > 130 {
			t.Errorf("%d of 200 held out, want about half", len(held))
		}
		// Within the period nobody is acted on twice; after it, everyone again.
		db.Now = func() time.Time { return start.AddDate(0, 0, 30) }
		if n, err := db.Playbooks.RunPlaybooks(ctx, 1000); err != nil || n != 0 {
			t.Errorf("second run within the period: %d, %v", n, err)
		}

		// Planted effect: 30 days after entering, every held-out customer
		// churns and every second acted-on one.
		var churn []string
		k := 0
		for _, e := range entries {
			c, _ := db.Customers.FindCustomerByID(ctx, e.CustomerID)
			uid := ""
			for _, id := range c.Identities {
				if id.Type == "user_id" {
					uid = id.Value
				}
			}
			if held[e.CustomerID] || k%2 == 0 {
				churn = append(churn, fmt.Sprintf(`{"type":"track","event":"Customer Churned","userId":%q,"timestamp":%q}`, uid, start.AddDate(0, 0, 30).Format(time.RFC3339)))
			}
			if !held[e.CustomerID] {
				k++
			}
		}
		send(t, db, src, churn...)
		db.Now = clock
		_, err = db.Cockpit.RefreshRollups(ctx)
		must(t, err)
		res, err := db.Playbooks.PlaybookResults(cco)
		must(t, err)
		if len(res) != 1 || res[0].Entrants != 200 || res[0].Pending != 0 || !res[0].LiftKnown {
			t.Fatalf("results %+v", res)
		}
		r := res[0]
		acted := 200 - len(held)
		if r.Held.N != len(held) || r.Held.Value != 0 || r.Acted.N != acted || r.Acted.Value < 45 || r.Acted.Value > 55 {
			t.Errorf("retained: acted %.1f %% of %d, held %.1f %% of %d", r.Acted.Value, r.Acted.N, r.Held.Value, r.Held.N)
		}
		if r.LiftLow > r.Lift || r.LiftHigh < r.Lift || r.LiftLow <= 0 || r.LiftLow > 50 || r.LiftHigh < 50 {
			t.Errorf("lift %.1f pp [%.1f, %.1f] should cover the planted 50 and exclude 0", r.Lift, r.LiftLow, r.LiftHigh)
		}
		// After the period the customers still in the segment enter again.
		if n, err := db.Playbooks.RunPlaybooks(ctx, 1000); err != nil || n != 200 {
			t.Errorf("run after the period: %d, %v", n, err)
		}
		// A survey playbook invites within the contact budget; an entrant
		// who cannot be mailed is still counted as acted on, with the reason.
		sv := activeSurvey(t, db, tp.SurveyNPS)
		if err := db.Playbooks.CreatePlaybook(cco, &tp.Playbook{Name: "Ask", SegmentID: seg.ID, Department: "Service", Action: tp.PlaybookSurvey}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("a survey playbook without a survey: %v", err)
		}
		ask := &tp.Playbook{Name: "Ask VIPs", SegmentID: seg.ID, Department: "Service", Action: tp.PlaybookSurvey, SurveyID: sv.ID}
		must(t, db.Playbooks.CreatePlaybook(cco, ask))
		must(t, db.Playbooks.SetPlaybookEnabled(cco, pb.ID, false))
		if n, err := db.Playbooks.RunPlaybooks(ctx, 1000); err != nil || n != 200 {
			t.Fatalf("survey playbook acted on %d (%v)", n, err)
		}
		asked, err := db.Playbooks.PlaybookEntries(cco, ask.ID, 1000)
		must(t, err)
		why := map[string]int{}
		for _, e := range asked {
			why[e.Invitation]++
			if e.CaseID != 0 || e.Holdout {
				t.Errorf("survey entry %+v", e)
			}
		}
		if why["queued"] != 100 || why[tp.SkipNoEmail] != 100 {
			t.Errorf("invitations: %v, want 100 queued and 100 without an address", why)
		}
		invs, err := db.Surveys.ListInvitations(ctx, sv.ID, 1000)
		if queued := 0; err == nil {
			for _, inv := range invs {
				if inv.Status == "queued" {
					queued++
				}
			}
			if queued != 100 {
				t.Errorf("%d invitations queued, want 100", queued)
			}
		}
		// Within the contact budget nobody is asked twice, even by a second playbook.
		again := &tp.Playbook{Name: "Ask again", SegmentID: seg.ID, Department: "Service", Action: tp.PlaybookSurvey, SurveyID: sv.ID}
		must(t, db.Playbooks.CreatePlaybook(cco, again))
		must(t, db.Playbooks.SetPlaybookEnabled(cco, ask.ID, false))
		_, err = db.Playbooks.RunPlaybooks(ctx, 1000)
		must(t, err)
		asked, _ = db.Playbooks.PlaybookEntries(cco, again.ID, 1000)
		for _, e := range asked {
			if e.Invitation == "queued" {
				t.Fatalf("customer %d invited twice within the contact budget", e.CustomerID)
			}
		}
		must(t, db.Playbooks.SetPlaybookEnabled(cco, again.ID, false))
		must(t, db.Playbooks.SetPlaybookEnabled(cco, pb.ID, true))
		// A head of another department sees no playbook; switched off, it acts on nobody.
		other := tp.WithAccess(ctx, tp.Access{Actor: "user:h@example.com", Role: tp.RoleDepartmentHead, Department: "Billing"})
		if list, err := db.Playbooks.ListPlaybooks(other); err != nil || len(list) != 0 {
			t.Errorf("Billing's head sees %d playbooks (%v)", len(list), err)
		}
		must(t, db.Playbooks.SetPlaybookEnabled(cco, pb.ID, false))
		db.Now = func() time.Time { return now.AddDate(0, 0, 200) }
		if n, err := db.Playbooks.RunPlaybooks(ctx, 1000); err != nil || n != 0 {
			t.Errorf("a switched-off playbook acted on %d (%v)", n, err)
		}
		if err := db.Playbooks.CreatePlaybook(other, &tp.Playbook{Name: "x", SegmentID: seg.ID, Department: "Billing"}); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("a head created a playbook: %v", err)
		}
	})
}

// TestPlaybookGivesAnActionItemPerRun: a playbook with the action "action"
// gives its department one action item per run naming how many entered,
// with the playbook as its origin; held-out entrants are not on it, and a run
// with no new entrant gives none.
func TestPlaybookGivesAnActionItemPerRun(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Shop", "web", "")
		var msgs []string
		for i := range 40 {
			msgs = append(msgs, fmt.Sprintf(`{"type":"identify","userId":"a%d","traits":{"plan":"vip"}}`, i))
		}
		send(t, db, src, msgs...)
		seg := &tp.Segment{Name: "VIP", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "vip"}}}
		must(t, db.Segments.CreateSegment(ctx, seg))
		cco := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
		pb := &tp.Playbook{Name: "Call VIPs", SegmentID: seg.ID, Department: "Service", Action: tp.PlaybookAction, HoldoutPct: 25}
		must(t, db.Playbooks.CreatePlaybook(cco, pb))
		if n, err := db.Playbooks.RunPlaybooks(ctx, 1000); err != nil || n != 40 {
			t.Fatalf("run: %d, %v", n, err)
		}
		items, err := db.Actions.ListActions(ctx, tp.ActionFilter{Department: "Service"})
		must(t, err)
		entries, err := db.Playbooks.PlaybookEntries(cco, pb.ID, 100)
		must(t, err)
		acted := 0
		for _, e := range entries {
			switch {
			case e.Holdout && e.ActionID != 0:
				t.Errorf("held-out entrant %d is on the action item", e.CustomerID)
			case !e.Holdout:
				acted++
				if len(items) == 1 && e.ActionID != items[0].ID {
					t.Errorf("entry %+v does not name the action item %d", e, items[0].ID)
				}
			}
		}
		want := fmt.Sprintf("Call VIPs: %d customers entered \"VIP\"", acted)
		if len(items) != 1 || items[0].Title != want || items[0].Origin != fmt.Sprintf("playbook %d (Call VIPs)", pb.ID) || acted == 40 || acted == 0 {
			t.Fatalf("action items %+v, want one titled %q", items, want)
		}
		if n, _ := db.Playbooks.RunPlaybooks(ctx, 1000); n != 0 {
			t.Errorf("a second run acted on %d", n)
		}
		if items, _ := db.Actions.ListActions(ctx, tp.ActionFilter{Department: "Service"}); len(items) != 1 {
			t.Errorf("a run without entrants gave an action item: %d items", len(items))
		}
	})
}
