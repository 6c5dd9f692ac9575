package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// TestCouncilPagesAndBoardPackVoice: the CCO's council page shows members,
// composition, the idea and the session's answers; the member's link page
// in Dutch; the board pack carries the council's voice and the trainings.
func TestCouncilPagesAndBoardPackVoice(t *testing.T) {
	f := newFixture(t)
	period := cockpitFixture(t, f)
	var msgs []string
	for i := range 4 {
		msgs = append(msgs, fmt.Sprintf(`{"type":"identify","userId":"k%d","traits":{"plan":"gold","name":"Klant %d","email":"k%d@example.nl","country":"NL","locale":"nl"}}`, i, i, i))
	}
	f.track("/v1/batch", `{"batch":[`+strings.Join(msgs, ",")+`]}`)
	f.drain()
	seg := &tp.Segment{Name: "Gold", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "gold"}}}
	must(t, f.db.Segments.CreateSegment(ctx, seg))
	c := &tp.Council{Name: "Raad van Klanten"}
	must(t, f.db.Council.CreateCouncil(ctx, c))
	rep, err := f.db.Council.Recruit(ctx, c.ID, seg.ID, 4)
	must(t, err)
	if rep.Invited != 4 {
		t.Fatalf("recruitment: %+v", rep)
	}
	ms, err := f.db.Council.CouncilMembers(ctx, c.ID)
	must(t, err)
	token, err := f.db.Council.MemberLink(ctx, ms[0].ID)
	must(t, err)
	public := tp.WithAccess(ctx, tp.Access{Actor: "public", Role: tp.RolePublic})
	must(t, f.db.Council.RespondInvitation(public, token, true))
	sess := &tp.CouncilSession{CouncilID: c.ID, Topic: "Bezorging", At: time.Now(), Questions: []tp.CouncilQuestion{{Text: "Wat kan beter?"}}}
	must(t, f.db.Council.CreateSession(ctx, sess))
	must(t, f.db.Council.AnswerQuestion(public, token, sess.Questions[0].ID, "Bezorgen op zaterdag"))
	idea := &tp.CouncilIdea{Title: "Zaterdagbezorging"}
	must(t, f.db.Council.PostIdea(public, token, idea))
	must(t, f.db.Council.Vote(public, token, idea.ID, true))
	must(t, f.db.Council.DecideIdea(ctx, idea.ID, tp.IdeaAdopted, "We testen het in Q1."))

	b := f.browser("en")
	b.PostForm(f.srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}})
	code, page := get(t, b, f.srv.URL+fmt.Sprintf("/councils/%d", c.ID))
	for _, want := range []string{"1 members · 3 invited", "Zaterdagbezorging", "Bezorgen op zaterdag", "NL"} {
		if code != 200 || !strings.Contains(page, want) {
			t.Errorf("the council page (%d) lacks %q", code, want)
		}
	}
	code, page = get(t, f.browser("nl"), f.srv.URL+"/c/"+token)
	if code != 200 || !strings.Contains(page, "Ideeën van de raad") || !strings.Contains(page, "Stem intrekken") {
		t.Errorf("the member's page (%d) is not the Dutch member page with their vote", code)
	}
	code, body := get(t, b, f.srv.URL+"/board-pack/"+period.Label()+"?lang=nl")
	if code != 200 || !strings.Contains(body, "De stem van de klantenraad") || !strings.Contains(body, "We testen het in Q1.") {
		t.Errorf("the board pack (%d) lacks the council's voice", code)
	}
}
