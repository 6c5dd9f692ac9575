package sqldb_test

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

func activeSurvey(t *testing.T, db *sqldb.Store, typ tp.SurveyType) *tp.Survey {
	t.Helper()
	s := &tp.Survey{Name: "Relationship " + string(typ), Type: typ, Status: tp.SurveyActive, DefaultLang: "en",
		Questions: []tp.Question{{ID: "reason", Kind: tp.QuestionSingle, Options: []string{"price", "service", "delivery"}}},
		Texts:     map[string]tp.SurveyText{"de": {Question: "Wie wahrscheinlich…?"}}}
	if err := db.Surveys.CreateSurvey(ctx, s); err != nil {
		t.Fatal(err)
	}
	return s
}

func newCustomer(t *testing.T, db *sqldb.Store, src *tp.Source, user, locale string) *tp.Customer {
	t.Helper()
	send(t, db, src, `{"type":"identify","userId":"`+user+`","traits":{"name":"`+user+`","locale":"`+locale+`"}}`)
	return customerOf(t, db, "user_id", user)
}

func intp(i int) *int { return &i }

func TestSurveyVersions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		s := &tp.Survey{Name: "Draft", Type: tp.SurveyNPS}
		if err := db.Surveys.CreateSurvey(ctx, s); err != nil || s.Status != tp.SurveyDraft || s.Version != 1 {
			t.Fatalf("create: %v %+v", err, s)
		}
		s.Texts = map[string]tp.SurveyText{"en": {Title: "Edited while draft"}}
		if err := db.Surveys.UpdateSurvey(ctx, s); err != nil || s.Version != 1 {
			t.Fatalf("draft edit made version %d: %v", s.Version, err)
		}
		s.Status = tp.SurveyActive
		if err := db.Surveys.UpdateSurvey(ctx, s); err != nil || s.Version != 1 {
			t.Fatalf("activate: %v, version %d", err, s.Version)
		}
		s.Questions = []tp.Question{{ID: "why", Kind: tp.QuestionFreeText}}
		if err := db.Surveys.UpdateSurvey(ctx, s); err != nil || s.Version != 2 {
			t.Fatalf("active edit: %v, version %d, want 2", err, s.Version)
		}
		v1, err := db.Surveys.FindSurveyVersion(ctx, s.ID, 1)
		if err != nil || len(v1.Questions) != 0 || v1.Texts["en"].Title != "Edited while draft" {
			t.Errorf("version 1 changed: %+v %v", v1, err)
		}
		s.Status = tp.SurveyDraft
		if err := db.Surveys.UpdateSurvey(ctx, s); tp.ErrorCode(err) != tp.ECONFLICT {
			t.Errorf("active → draft: %v", err)
		}
		if err := db.Surveys.CreateSurvey(ctx, &tp.Survey{Name: "x", Type: "stars"}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("bad type: %v", err)
		}
	})
}

func TestResponsesThroughLinks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "Sales")
		s := activeSurvey(t, db, tp.SurveyNPS)
		c := newCustomer(t, db, src, "anna", "de")
		token, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: c.ID, Channel: "email",
			Department: "Logistics", Division: "Retail"}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		inv, sv, cust, err := db.Surveys.InvitationByToken(ctx, token)
		if err != nil || inv.CustomerID != c.ID || sv.ID != s.ID || cust.ID != c.ID {
			t.Fatalf("by token: %v", err)
		}
		// One click on 9 in the e-mail, then the comment page.
		if _, err := db.Surveys.SaveResponse(ctx, token, tp.ResponseInput{Score: intp(9)}); err != nil {
			t.Fatal(err)
		}
		r, err := db.Surveys.SaveResponse(ctx, token, tp.ResponseInput{Score: intp(3), Comment: "Lieferung <script>zu spät</script>",
			Answers: map[string]json.RawMessage{"reason": json.RawMessage(`"delivery"`)}, Complete: true})
		if err != nil {
			t.Fatal(err)
		}
		if *r.Score != 3 || !r.Complete || r.Language != "de" || r.Division != "Retail" {
			t.Errorf("response = %+v", r)
		}
		res, err := db.Surveys.SurveyResults(ctx, tp.ResultsQuery{SurveyID: s.ID})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total.Estimate.N != 1 || res.Total.Estimate.Value != -100 || res.Invited != 1 || res.Responded != 1 {
			t.Errorf("results after an update: %+v", res.Total.Estimate)
		}
		tl, _ := db.Customers.Timeline(ctx, c.ID, tp.TimelineFilter{})
		var found int
		for _, e := range tl.Events {
			if e.Name == "Survey Responded" {
				found++
				if e.Channel != "email" || e.Department != "Logistics" || !strings.Contains(string(e.Properties), `"score":3`) ||
					!strings.Contains(string(e.Properties), `zu spät`) {
					t.Errorf("timeline event: %+v %s", e, e.Properties)
				}
			}
		}
		if found != 1 {
			t.Errorf("%d Survey Responded events, want 1", found)
		}
		for _, bad := range []tp.ResponseInput{{Score: intp(11)}, {Score: intp(-1)},
			{Score: intp(5), Answers: map[string]json.RawMessage{"nope": json.RawMessage(`"x"`)}},
			{Score: intp(5), Answers: map[string]json.RawMessage{"reason": json.RawMessage(`"weather"`)}},
			{Score: intp(5), Comment: strings.Repeat("ä", tp.MaxCommentLen+1)}, {Complete: true, Score: nil}} {
			if _, err := db.Surveys.SaveResponse(ctx, token, bad); tp.ErrorCode(err) != tp.EINVALID {
				t.Errorf("bad input %+v: %v", bad, err)
			}
		}
		res, _ = db.Surveys.SurveyResults(ctx, tp.ResultsQuery{SurveyID: s.ID})
		if res.Total.Estimate.N != 1 || res.Total.Estimate.Value != -100 {
			t.Errorf("bad input changed the results: %+v", res.Total.Estimate)
		}
		forged := token[:len(token)-2] + "AA"
		if _, err := db.Surveys.SaveResponse(ctx, forged, tp.ResponseInput{Score: intp(10)}); tp.ErrorCode(err) != tp.ENOTFOUND {
			t.Errorf("forged token: %v", err)
		}
		old, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: c.ID}, -time.Hour)
		if _, err := db.Surveys.SaveResponse(ctx, old, tp.ResponseInput{Score: intp(10)}); tp.ErrorCode(err) != tp.ECONFLICT {
			t.Errorf("expired token: %v", err)
		}
	})
}

// TestRollupMatchesRawResponses answers and re-answers randomly, then checks
// the results (from the rollup) against the final answers counted directly.
func TestRollupMatchesRawResponses(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "Sales")
		s := activeSurvey(t, db, tp.SurveyNPS)
		r := rand.New(rand.NewPCG(3, 4))
		divisions := []string{"Retail", "Online", "Business"}
		var tokens []string
		final := map[string]map[int]int{} // division → last score per token index
		for i := range 40 {
			c := newCustomer(t, db, src, "c"+string(rune('a'+i%26))+string(rune('a'+i/26)), "en")
			tok, err := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: c.ID, Channel: "email", Division: divisions[i%3]}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, tok)
		}
		for range 150 {
			i := r.IntN(len(tokens))
			score := r.IntN(11)
			if _, err := db.Surveys.SaveResponse(ctx, tokens[i], tp.ResponseInput{Score: &score}); err != nil {
				t.Fatal(err)
			}
			d := divisions[i%3]
			if final[d] == nil {
				final[d] = map[int]int{}
			}
			final[d][i] = score
		}
		res, err := db.Surveys.SurveyResults(ctx, tp.ResultsQuery{SurveyID: s.ID, By: "division"})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := tp.MetricByID(tp.MetricNPS)
		for _, row := range res.Rows {
			want := tp.NewScores(0, 10)
			for _, sc := range final[row.Slice] {
				want.Add(sc, 1)
			}
			if got, exp := row.Estimate, m.Estimate(want); got != exp {
				t.Errorf("%s: rollup %+v, raw %+v", row.Slice, got, exp)
			}
		}
		if len(res.Rows) != 3 {
			t.Errorf("%d division rows", len(res.Rows))
		}
		raw, err := db.Surveys.SurveyResultsFromResponses(ctx, tp.ResultsQuery{SurveyID: s.ID, By: "division", Period: "month"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Surveys.RecomputeRollup(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		again, _ := db.Surveys.SurveyResults(ctx, tp.ResultsQuery{SurveyID: s.ID, By: "division", Period: "month"})
		if len(raw.Rows) != len(again.Rows) || raw.Total.Estimate != again.Total.Estimate {
			t.Fatalf("raw %+v vs recomputed rollup %+v", raw.Total.Estimate, again.Total.Estimate)
		}
		for i := range raw.Rows {
			if raw.Rows[i].Estimate != again.Rows[i].Estimate {
				t.Errorf("row %d: raw %+v, rollup %+v", i, raw.Rows[i].Estimate, again.Rows[i].Estimate)
			}
		}
	})
}

func TestPublicTokenIsStablePerVisitor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		s := activeSurvey(t, db, tp.SurveyCES)
		a, err := db.Surveys.PublicToken(ctx, s.ID, "visitor-1")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := db.Surveys.PublicToken(ctx, s.ID, "visitor-1")
		c, _ := db.Surveys.PublicToken(ctx, s.ID, "visitor-2")
		if a != b || a == c {
			t.Errorf("tokens: %q %q %q", a, b, c)
		}
		if _, err := db.Surveys.SaveResponse(ctx, a, tp.ResponseInput{Score: intp(6)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Surveys.PublicToken(ctx, s.ID, ""); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("empty anonymous id: %v", err)
		}
	})
}

func TestAnswersFollowMergeAndUnmerge(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		s := activeSurvey(t, db, tp.SurveyNPS)
		a := newCustomer(t, db, src, "a", "en")
		b := newCustomer(t, db, src, "b", "en")
		tok, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: b.ID}, time.Hour)
		if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(10)}); err != nil {
			t.Fatal(err)
		}
		res := send(t, db, src, `{"type":"alias","userId":"a","previousId":"b"}`)
		if res.Merges != 1 {
			t.Fatalf("merges = %d", res.Merges)
		}
		owner := func() int64 {
			var got int64
			db.Surveys.ListResponses(ctx, tp.ResponseFilter{SurveyID: s.ID}, func(r tp.ResponseRow) error { got = r.CustomerID; return nil })
			return got
		}
		if got := owner(); got != a.ID {
			t.Errorf("after the merge the answer belongs to %d, want survivor %d", got, a.ID)
		}
		c, _ := db.Customers.FindCustomerByID(ctx, a.ID)
		if _, err := db.Customers.Unmerge(ctx, a.ID, c.Merges[0].ID); err != nil {
			t.Fatal(err)
		}
		if got := owner(); got != b.ID {
			t.Errorf("after the unmerge the answer belongs to %d, want %d", got, b.ID)
		}
	})
}

func TestDetractorOpensOneCase(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		s := &tp.Survey{Name: "Relationship", Type: tp.SurveyNPS, Status: tp.SurveyActive, CloseLoop: true}
		if err := db.Surveys.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		c := newCustomer(t, db, src, "d", "de")
		p := newCustomer(t, db, src, "p", "de")
		tok, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: c.ID, Channel: "email", Department: "Logistics", Division: "Retail"}, time.Hour)
		r, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(3)})
		if err != nil {
			t.Fatal(err)
		}
		db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(2), Comment: "Lieferung zu spät", Complete: true}) // the same answer, completed
		ptok, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: p.ID}, time.Hour)
		db.Surveys.SaveResponse(ctx, ptok, tp.ResponseInput{Score: intp(10)})
		cases, err := db.Cases.ListCases(ctx, tp.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) != 1 {
			t.Fatalf("%d cases, want 1 (one detractor answer)", len(cases))
		}
		got := cases[0]
		if got.ResponseID != r.ID || got.CustomerID != c.ID || got.Department != "Logistics" || got.Source != tp.CaseFromSurvey ||
			got.Division != "Retail" || got.Category != "detractor" {
			t.Errorf("case = %+v", got)
		}
		s.CloseLoop = false
		db.Surveys.UpdateSurvey(ctx, s)
		q := newCustomer(t, db, src, "q", "de")
		qtok, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: q.ID}, time.Hour)
		db.Surveys.SaveResponse(ctx, qtok, tp.ResponseInput{Score: intp(0)})
		if cases, _ := db.Cases.ListCases(ctx, tp.CaseFilter{}); len(cases) != 1 {
			t.Errorf("with the rule off a detractor still opened a case")
		}
	})
}
