package sqldb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestCouncilRecruitsWithConsentAndHearsItsMembers: recruiting from a
// segment invites only who may be asked (an objection to feedback requests
// and a missing address keep a customer out); a member accepts through the
// link, answers, posts an idea and votes; the idea becomes an action item
// naming its origin; the composition and the board pack's voice count it.
func TestCouncilRecruitsWithConsentAndHearsItsMembers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Shop", "web", "")
		var msgs []string
		for i := range 10 {
			email := fmt.Sprintf(`,"email":"m%d@example.com"`, i)
			if i == 9 {
				email = "" // no address
			}
			msgs = append(msgs, fmt.Sprintf(`{"type":"identify","userId":"m%d","traits":{"plan":"gold","name":"Member %d","country":"NL"%s}}`, i, i, email))
		}
		// Customer 8 objects to being asked for feedback.
		msgs = append(msgs, `{"type":"identify","userId":"m8","context":{"consent":{"categoryPreferences":{"survey":false}}}}`)
		send(t, db, src, msgs...)
		seg := &tp.Segment{Name: "Gold", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "gold"}}}
		must(t, db.Segments.CreateSegment(ctx, seg))
		cco := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
		agent := tp.WithAccess(ctx, tp.Access{Actor: "user:a@example.com", Role: tp.RoleAgent, Department: "Service", UserID: 9})
		c := &tp.Council{Name: "Raad van Klanten"}
		if err := db.Council.CreateCouncil(agent, c); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("an agent starts a council: %v", err)
		}
		must(t, db.Council.CreateCouncil(cco, c))
		rep, err := db.Council.Recruit(cco, c.ID, seg.ID, 100)
		must(t, err)
		if rep.Invited != 8 || rep.Skipped["objected"] != 1 || rep.Skipped["no_email"] != 1 {
			t.Errorf("recruitment %+v: want 8 invited, the objecting and the address-less customer left out", rep)
		}
		if rep, _ := db.Council.Recruit(cco, c.ID, seg.ID, 100); rep.Invited != 0 || rep.Skipped["member"] != 8 {
			t.Errorf("a second recruitment invites again: %+v", rep)
		}
		members, err := db.Council.CouncilMembers(cco, c.ID)
		must(t, err)
		if len(members) != 8 {
			t.Fatalf("%d members", len(members))
		}
		for _, m := range members {
			if m.Link != "" {
				t.Error("the member list carries personal links")
			}
		}
		public := tp.WithAccess(ctx, tp.Access{Actor: "public", Role: tp.RolePublic})
		token, err := db.Council.MemberLink(cco, members[0].ID)
		must(t, err)
		if _, err := db.Council.MemberLink(agent, members[0].ID); tp.ErrorCode(err) != tp.EFORBIDDEN {
			t.Errorf("an agent reads a member's link: %v", err)
		}
		tampered := []byte(token)
		tampered[3] ^= 1 // another member id under the same signature
		for _, bad := range []string{"guess", string(tampered), ""} {
			if _, err := db.Council.MemberPage(public, bad); tp.ErrorCode(err) != tp.ENOTFOUND {
				t.Errorf("link %q: %v", bad, err)
			}
		}
		if err := db.Council.PostIdea(public, token, &tp.CouncilIdea{Title: "Before joining"}); tp.ErrorCode(err) != tp.ECONFLICT {
			t.Errorf("an invited member posts before accepting: %v", err)
		}
		must(t, db.Council.RespondInvitation(public, token, true))
		other, _ := db.Council.MemberLink(cco, members[1].ID)
		must(t, db.Council.RespondInvitation(public, other, true))

		sess := &tp.CouncilSession{CouncilID: c.ID, Topic: "Delivery", At: time.Now().AddDate(0, 0, 7), Agenda: "1. Parcels",
			Questions: []tp.CouncilQuestion{{Text: "What annoys you most about delivery?"}}}
		must(t, db.Council.CreateSession(cco, sess))
		must(t, db.Council.AnswerQuestion(public, token, sess.Questions[0].ID, "Missed parcels"))
		must(t, db.Council.AnswerQuestion(public, token, sess.Questions[0].ID, "Missed parcels on Saturdays")) // replaces
		idea := &tp.CouncilIdea{Title: "Saturday delivery", Body: "Let us choose Saturday."}
		must(t, db.Council.PostIdea(public, token, idea))
		must(t, db.Council.Vote(public, token, idea.ID, true))
		must(t, db.Council.Vote(public, other, idea.ID, true))
		must(t, db.Council.Vote(public, other, idea.ID, true)) // twice counts once
		page, err := db.Council.MemberPage(public, token)
		must(t, err)
		if len(page.Sessions) != 1 || page.Sessions[0].Questions[0].Mine != "Missed parcels on Saturdays" || len(page.Ideas) != 1 ||
			page.Ideas[0].Votes != 2 || !page.Ideas[0].Voted {
			t.Errorf("the member's page: %+v", page)
		}
		sessions, err := db.Council.ListSessions(cco, c.ID)
		must(t, err)
		if a := sessions[0].Questions[0].Answers; len(a) != 1 || a[0].Name != "Member 0" && !strings.HasPrefix(a[0].Name, "Member") {
			t.Errorf("answers as staff see them: %+v", a)
		}

		action := &tp.ActionItem{Department: "Logistics", Due: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}
		must(t, db.Council.IdeaToAction(cco, idea.ID, action))
		items, err := db.Actions.ListActions(ctx, tp.ActionFilter{Department: "Logistics"})
		must(t, err)
		if len(items) != 1 || items[0].Title != "Saturday delivery" || !strings.Contains(items[0].Origin, fmt.Sprintf("council idea %d", idea.ID)) {
			t.Errorf("the action item: %+v", items)
		}
		if err := db.Council.IdeaToAction(cco, idea.ID, &tp.ActionItem{Department: "Logistics", Due: action.Due}); tp.ErrorCode(err) != tp.ECONFLICT {
			t.Errorf("the same idea twice: %v", err)
		}
		voice, err := db.Council.Voice(cco)
		must(t, err)
		if len(voice) != 1 || voice[0].Members != 2 || len(voice[0].Decided) != 1 || voice[0].Decided[0].Status != tp.IdeaAdopted {
			t.Errorf("the council's voice: %+v", voice)
		}
		comp, err := db.Council.CouncilComposition(cco, c.ID)
		must(t, err)
		for _, dim := range comp {
			if dim.By != "country" {
				continue
			}
			if len(dim.Rows) != 1 || dim.Rows[0].Value != "NL" || dim.Rows[0].Members != 2 || dim.Rows[0].Base != 10 || dim.Rows[0].MemberShare != 100 {
				t.Errorf("composition by country: %+v", dim.Rows)
			}
		}
		must(t, db.Council.RespondInvitation(public, other, false))
		if voice, _ := db.Council.Voice(cco); voice[0].Members != 1 {
			t.Errorf("a member who left still counts: %+v", voice[0])
		}
	})
}
