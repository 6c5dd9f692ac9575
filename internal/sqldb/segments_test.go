package sqldb_test

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

func TestSegmentMembership(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		recent := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339)
		old := time.Now().UTC().Add(-200 * 24 * time.Hour).Format(time.RFC3339)
		send(t, db, src,
			`{"type":"identify","userId":"p1","traits":{"plan":"premium","city":"Berlin","age":42}}`,
			`{"type":"identify","userId":"p2","traits":{"plan":"premium","city":"Köln"}}`,
			`{"type":"identify","userId":"b1","traits":{"plan":"basic","city":"Berlin"}}`,
			`{"type":"track","event":"Order Completed","userId":"p1","timestamp":"`+recent+`"}`,
			`{"type":"track","event":"Order Completed","userId":"p2","timestamp":"`+old+`"}`)
		id := func(u string) int64 { return customerOf(t, db, "user_id", u).ID }
		p1, p2, b1 := id("p1"), id("p2"), id("b1")
		for _, c := range []struct {
			conds []tp.Condition
			want  []int64
		}{
			{[]tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "premium"}}, []int64{p1, p2}},
			{[]tp.Condition{{Kind: "trait", Key: "plan", Op: "neq", Value: "premium"}}, []int64{b1}},
			{[]tp.Condition{{Kind: "trait", Key: "city", Op: "contains", Value: "BERL"}}, []int64{p1, b1}},
			{[]tp.Condition{{Kind: "trait", Key: "age", Op: "eq", Value: "42"}}, []int64{p1}},
			{[]tp.Condition{{Kind: "trait", Key: "age", Op: "exists"}}, []int64{p1}},
			{[]tp.Condition{{Kind: "event", Event: "Order Completed", Days: 90}}, []int64{p1}},
			{[]tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "premium"}, {Kind: "event", Event: "Order Completed", Days: 90, Op: "none"}}, []int64{p2}},
			// An any group: one of its conditions; with another condition, AND of ORs.
			{[]tp.Condition{{Kind: "any", Any: []tp.Condition{{Kind: "trait", Key: "city", Op: "contains", Value: "köln"}, {Kind: "trait", Key: "plan", Op: "eq", Value: "basic"}}}}, []int64{p2, b1}},
			{[]tp.Condition{{Kind: "any", Any: []tp.Condition{{Kind: "trait", Key: "city", Op: "contains", Value: "köln"}, {Kind: "trait", Key: "plan", Op: "eq", Value: "basic"}}},
				{Kind: "trait", Key: "city", Op: "contains", Value: "berl"}}, []int64{b1}},
		} {
			seg := &tp.Segment{Name: "s", Conditions: c.conds}
			if err := db.Segments.CreateSegment(ctx, seg); err != nil {
				t.Fatal(err)
			}
			got, n, err := db.Segments.SegmentMembers(ctx, seg.ID, 0)
			slices.Sort(c.want)
			if err != nil || n != len(c.want) || !slices.Equal(got, c.want) {
				t.Errorf("%+v: members %v (n %d, %v), want %v", c.conds, got, n, err, c.want)
			}
		}
		// One customer's segments: p1 is in the five segments above that list p1.
		if segs, err := db.Segments.CustomerSegments(ctx, p1); err != nil || len(segs) != 5 {
			t.Errorf("p1's segments: %d, %v; want 5", len(segs), err)
		}
		if segs, _ := db.Segments.CustomerSegments(ctx, p2); len(segs) != 3 {
			t.Errorf("p2's segments: %d, want 3", len(segs))
		}
		for _, bad := range [][]tp.Condition{
			{{Kind: "any", Any: []tp.Condition{{Kind: "risk", Op: tp.RiskHigh}}}},
			{{Kind: "any", Any: []tp.Condition{{Kind: "risk", Op: tp.RiskHigh}, {Kind: "any", Any: []tp.Condition{{Kind: "nps", Op: "detractor"}, {Kind: "risk", Op: tp.RiskLow}}}}}},
			{{Kind: "any", Any: []tp.Condition{{Kind: "risk", Op: tp.RiskHigh}, {Kind: "nps", Op: "angry"}}}},
		} {
			if err := db.Segments.CreateSegment(ctx, &tp.Segment{Name: "bad", Conditions: bad}); tp.ErrorCode(err) != tp.EINVALID {
				t.Errorf("%+v: %v", bad, err)
			}
		}
		if err := db.Segments.CreateSegment(ctx, &tp.Segment{Name: "x", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "like"}}}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("bad op: %v", err)
		}
		// Results by segment come from the members' answers.
		s := activeSurvey(t, db, tp.SurveyNPS)
		for u, score := range map[int64]int{p1: 10, p2: 9, b1: 0} {
			tok, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: u}, time.Hour)
			if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(score)}); err != nil {
				t.Fatal(err)
			}
		}
		// One customer's answers across surveys.
		var mine []int
		if err := db.Surveys.ListResponses(ctx, tp.ResponseFilter{CustomerID: b1}, func(r tp.ResponseRow) error { mine = append(mine, *r.Score); return nil }); err != nil || len(mine) != 1 || mine[0] != 0 {
			t.Errorf("b1's answers %v, %v", mine, err)
		}
		res, err := db.Surveys.SurveyResults(ctx, tp.ResultsQuery{SurveyID: s.ID, By: "segment"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows[0].Estimate.N != 2 || res.Rows[0].Estimate.Value != 100 || res.Rows[1].Estimate.N != 1 || res.Rows[1].Estimate.Value != -100 {
			t.Errorf("by segment: %+v", res.Rows[:2])
		}
	})
}

// Numeric comparisons, ranges, lists and event counts, on both databases:
// numbers stored as 5 or "5" compare as numbers, text never matches a
// numeric condition, and a customer without the trait is in no such segment.
func TestSegmentComparisons(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		recent := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339)
		old := time.Now().UTC().Add(-120 * 24 * time.Hour).Format(time.RFC3339)
		send(t, db, src,
			`{"type":"identify","userId":"a","traits":{"spend":1200,"tier":"gold"}}`,
			`{"type":"identify","userId":"b","traits":{"spend":"350.5","tier":"silver"}}`,
			`{"type":"identify","userId":"c","traits":{"spend":"unknown","tier":"bronze"}}`,
			`{"type":"identify","userId":"d","traits":{"tier":"gold"}}`,
			`{"type":"identify","userId":"e","traits":{"spend":-20}}`,
			`{"type":"track","event":"Order Completed","userId":"a","messageId":"o1","timestamp":"`+recent+`"}`,
			`{"type":"track","event":"Order Completed","userId":"a","messageId":"o2","timestamp":"`+recent+`"}`,
			`{"type":"track","event":"Order Completed","userId":"b","messageId":"o3","timestamp":"`+recent+`"}`,
			`{"type":"track","event":"Order Completed","userId":"b","messageId":"o4","timestamp":"`+old+`"}`,
			`{"type":"track","event":"Order Completed","userId":"b","messageId":"o5","timestamp":"`+old+`"}`)
		id := func(u string) int64 { return customerOf(t, db, "user_id", u).ID }
		id("c") // spend "unknown": in no numeric segment, which every list below says
		a, b, d, e := id("a"), id("b"), id("d"), id("e")
		for _, tc := range []struct {
			cond tp.Condition
			want []int64
		}{
			{tp.Condition{Kind: "trait", Key: "spend", Op: "gt", Value: "1000"}, []int64{a}},
			{tp.Condition{Kind: "trait", Key: "spend", Op: "gte", Value: "350.5"}, []int64{a, b}},
			{tp.Condition{Kind: "trait", Key: "spend", Op: "lt", Value: "400"}, []int64{b, e}},
			{tp.Condition{Kind: "trait", Key: "spend", Op: "lte", Value: "-20"}, []int64{e}},
			{tp.Condition{Kind: "trait", Key: "spend", Op: "between", Value: "0..1200"}, []int64{a, b}},
			{tp.Condition{Kind: "trait", Key: "tier", Op: "in", Value: "gold, silver"}, []int64{a, b, d}},
			{tp.Condition{Kind: "trait", Key: "tier", Op: "in", Value: "platinum"}, nil},
			{tp.Condition{Kind: "event", Event: "Order Completed", Days: 30, Op: "atleast", Count: 2}, []int64{a}},
			{tp.Condition{Kind: "event", Event: "Order Completed", Days: 365, Op: "atleast", Count: 3}, []int64{b}},
		} {
			seg := &tp.Segment{Name: "s", Conditions: []tp.Condition{tc.cond}}
			if err := db.Segments.CreateSegment(ctx, seg); err != nil {
				t.Fatalf("%+v: %v", tc.cond, err)
			}
			got, n, err := db.Segments.SegmentMembers(ctx, seg.ID, 0)
			slices.Sort(tc.want)
			if err != nil || n != len(tc.want) || !slices.Equal(got, tc.want) {
				t.Errorf("%+v: members %v (n %d, %v), want %v", tc.cond, got, n, err, tc.want)
			}
		}
		// The editor's live count: rules not saved yet.
		if n, err := db.Segments.PreviewSegment(ctx, &tp.Segment{Conditions: []tp.Condition{{Kind: "trait", Key: "spend", Op: "gt", Value: "0"}}}); err != nil || n != 2 {
			t.Errorf("preview: %d %v, want 2", n, err)
		}
		if _, err := db.Segments.PreviewSegment(ctx, &tp.Segment{Conditions: []tp.Condition{{Kind: "trait", Key: "spend", Op: "gt", Value: "x"}}}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("preview of a bad rule: %v", err)
		}
		for _, bad := range []tp.Condition{
			{Kind: "trait", Key: "spend", Op: "gt", Value: "lots"},
			{Kind: "trait", Key: "spend", Op: "between", Value: "5..1"},
			{Kind: "trait", Key: "spend", Op: "between", Value: "5"},
			{Kind: "trait", Key: "tier", Op: "in", Value: " , "},
			{Kind: "event", Event: "Order Completed", Days: 30, Op: "atleast"},
		} {
			if err := db.Segments.CreateSegment(ctx, &tp.Segment{Name: "x", Conditions: []tp.Condition{bad}}); tp.ErrorCode(err) != tp.EINVALID {
				t.Errorf("%+v accepted: %v", bad, err)
			}
		}
	})
}

// Computed conditions: the NPS group of the latest NPS answer, and open cases.
func TestSegmentComputedConditions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		send(t, db, src, `{"type":"identify","userId":"a","traits":{"name":"A"}}`, `{"type":"identify","userId":"b","traits":{"name":"B"}}`,
			`{"type":"identify","userId":"c","traits":{"name":"C"}}`)
		id := func(u string) int64 { return customerOf(t, db, "user_id", u).ID }
		a, b, c := id("a"), id("b"), id("c")
		s := activeSurvey(t, db, tp.SurveyNPS)
		answer := func(cust int64, score int) {
			tok, _ := db.Surveys.CreateInvitation(ctx, &tp.Invitation{SurveyID: s.ID, CustomerID: cust}, time.Hour)
			if _, err := db.Surveys.SaveResponse(ctx, tok, tp.ResponseInput{Score: intp(score), Complete: true}); err != nil {
				t.Fatal(err)
			}
		}
		answer(a, 10)
		answer(b, 7)
		time.Sleep(2 * time.Millisecond)
		answer(b, 3) // b's latest answer makes b a detractor
		openCase := &tp.Case{CustomerID: a, Subject: "still open", Channel: "email", Source: "email", Department: "Service"}
		doneCase := &tp.Case{CustomerID: b, Subject: "done", Channel: "email", Source: "email", Department: "Service"}
		for _, k := range []*tp.Case{openCase, doneCase} {
			if err := db.Cases.CreateCase(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Cases.MoveCase(ctx, doneCase.ID, tp.CaseResolved, "fixed"); err != nil {
			t.Fatal(err)
		}
		// The detractor answer may have opened a case of its own (close the loop): count them.
		cases, _ := db.Cases.ListCases(ctx, tp.CaseFilter{})
		openOf := map[int64]int{}
		for _, k := range cases {
			if k.Status != tp.CaseResolved && k.Status != tp.CaseClosed {
				openOf[k.CustomerID]++
			}
		}
		var withOpen, without []int64
		for _, cust := range []int64{a, b, c} {
			if openOf[cust] > 0 {
				withOpen = append(withOpen, cust)
			} else {
				without = append(without, cust)
			}
		}
		for _, tc := range []struct {
			cond tp.Condition
			want []int64
		}{
			{tp.Condition{Kind: "nps", Op: "promoter"}, []int64{a}},
			{tp.Condition{Kind: "nps", Op: "detractor"}, []int64{b}},
			{tp.Condition{Kind: "nps", Op: "passive"}, nil},
			{tp.Condition{Kind: "open_cases", Count: 1}, withOpen},
			{tp.Condition{Kind: "open_cases", Count: 0}, without},
		} {
			seg := &tp.Segment{Name: "s", Conditions: []tp.Condition{tc.cond}}
			if err := db.Segments.CreateSegment(ctx, seg); err != nil {
				t.Fatalf("%+v: %v", tc.cond, err)
			}
			got, n, err := db.Segments.SegmentMembers(ctx, seg.ID, 0)
			slices.Sort(tc.want)
			if err != nil || n != len(tc.want) || !slices.Equal(got, tc.want) {
				t.Errorf("%+v: members %v (n %d, %v), want %v", tc.cond, got, n, err, tc.want)
			}
		}
		if !slices.Contains(withOpen, a) || slices.Contains(withOpen, c) {
			t.Errorf("open cases: %v", openOf)
		}
		if err := db.Segments.CreateSegment(ctx, &tp.Segment{Name: "x", Conditions: []tp.Condition{{Kind: "nps", Op: "fan"}}}); tp.ErrorCode(err) != tp.EINVALID {
			t.Errorf("bad nps op: %v", err)
		}
	})
}

// TestSegmentMembershipHistory: the job records who entered a segment and
// who left it, once each, on both databases.
func TestSegmentMembershipHistory(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		send(t, db, src, `{"type":"identify","userId":"a","traits":{"plan":"vip","name":"Ann"}}`, `{"type":"identify","userId":"b","traits":{"plan":"vip"}}`)
		seg := &tp.Segment{Name: "VIP", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "vip"}}}
		if err := db.Segments.CreateSegment(ctx, seg); err != nil {
			t.Fatal(err)
		}
		clock := db.Now
		defer func() { db.Now = clock }()
		t0 := time.Now().UTC().Truncate(time.Second)
		db.Now = func() time.Time { return t0 }
		if in, out, err := db.Segments.RecordMemberships(ctx); err != nil || in != 2 || out != 0 {
			t.Fatalf("first record: %d in, %d out, %v", in, out, err)
		}
		send(t, db, src, `{"type":"identify","userId":"a","traits":{"plan":"basic"}}`, `{"type":"identify","userId":"c","traits":{"plan":"vip"}}`)
		db.Now = func() time.Time { return t0.Add(time.Hour) }
		if in, out, err := db.Segments.RecordMemberships(ctx); err != nil || in != 1 || out != 1 {
			t.Fatalf("second record: %d in, %d out, %v", in, out, err)
		}
		if in, out, err := db.Segments.RecordMemberships(ctx); err != nil || in != 0 || out != 0 {
			t.Errorf("nothing changed, yet %d in, %d out (%v)", in, out, err)
		}
		h, err := db.Segments.SegmentHistory(ctx, seg.ID, 10)
		a, c := customerOf(t, db, "user_id", "a").ID, customerOf(t, db, "user_id", "c").ID
		if err != nil || len(h) != 4 || h[0].CustomerID != a || h[0].Entered || h[1].CustomerID != c || !h[1].Entered ||
			!h[0].At.Equal(t0.Add(time.Hour)) || h[0].Name != "Ann" {
			t.Errorf("history %+v, %v", h, err)
		}
	})
}

// TestSegmentScoreConditions: risk band and value tier conditions of one
// segment read one score row together (and together with others), for the
// whole set and for one customer alike.
func TestSegmentScoreConditions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		recent := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339)
		send(t, db, src, `{"type":"identify","userId":"a"}`, `{"type":"identify","userId":"b"}`, `{"type":"identify","userId":"c"}`,
			`{"type":"track","userId":"a","event":"Order Completed","timestamp":"`+recent+`"}`,
			`{"type":"track","userId":"c","event":"Order Completed","timestamp":"`+recent+`"}`)
		id := func(u string) int64 { return customerOf(t, db, "user_id", u).ID }
		a, b, c := id("a"), id("b"), id("c")
		score := func(cust int64, risk float64, tier string) tp.CustomerScore {
			return tp.CustomerScore{CustomerID: cust, ComputedAt: time.Now(), Risk: &risk, RiskBand: tp.RiskBand(risk), ValueTier: tier}
		}
		must(t, db.Risk.SaveScores(ctx, []tp.CustomerScore{score(a, 0.1, tp.TierHigh), score(b, 0.1, tp.TierLow), score(c, 0.9, tp.TierHigh)}))
		low, high := tp.Condition{Kind: "risk", Op: tp.RiskLow}, tp.Condition{Kind: "value_tier", Op: tp.TierHigh}
		ordered := tp.Condition{Kind: "event", Event: "Order Completed", Days: 30, Op: "atleast", Count: 1}
		for i, tc := range []struct {
			conds []tp.Condition
			want  []int64
		}{
			{[]tp.Condition{low}, []int64{a, b}},
			{[]tp.Condition{high}, []int64{a, c}},
			{[]tp.Condition{low, high}, []int64{a}},
			{[]tp.Condition{ordered, high}, []int64{a, c}},
			{[]tp.Condition{high, ordered, low}, []int64{a}},
			{[]tp.Condition{low, {Kind: "any", Any: []tp.Condition{high, {Kind: "risk", Op: tp.RiskHigh}}}}, []int64{a}},
			{[]tp.Condition{low, {Kind: "risk", Op: tp.RiskHigh}}, nil},
		} {
			seg := &tp.Segment{Name: fmt.Sprintf("s%d", i), Conditions: tc.conds}
			must(t, db.Segments.CreateSegment(ctx, seg))
			got, n, err := db.Segments.SegmentMembers(ctx, seg.ID, 0)
			slices.Sort(tc.want)
			if err != nil || n != len(tc.want) || !slices.Equal(got, tc.want) {
				t.Errorf("%+v: members %v (n %d, %v), want %v", tc.conds, got, n, err, tc.want)
			}
			for _, cust := range []int64{a, b, c} {
				segs, err := db.Segments.CustomerSegments(ctx, cust)
				must(t, err)
				in := slices.ContainsFunc(segs, func(s tp.Segment) bool { return s.ID == seg.ID })
				if in != slices.Contains(tc.want, cust) {
					t.Errorf("%+v: customer %d in it by itself: %v", tc.conds, cust, in)
				}
			}
		}
	})
}

// A count runs in id ranges, one per core: on one to four ranges it is the
// number of members the single query lists, for every kind of condition
// (each reads only its range's rows), on both databases.
func TestSegmentCountInRanges(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.Store) {
		src := source(t, db, "Web", "web", "")
		var msgs []string
		for i := range 9 {
			msgs = append(msgs, fmt.Sprintf(`{"type":"identify","userId":"u%d","traits":{"plan":"%s","age":%d}}`, i, []string{"basic", "premium"}[i%2], 20+i*5))
			for j := range i % 3 {
				at := time.Now().UTC().Add(-time.Duration(24+j) * time.Hour).Format(time.RFC3339)
				msgs = append(msgs, fmt.Sprintf(`{"type":"track","userId":"u%d","event":"Order Completed","timestamp":"%s"}`, i, at))
			}
		}
		send(t, db, src, msgs...)
		var scores []tp.CustomerScore
		for i := range 9 {
			risk := float64(i%3) * 0.4
			scores = append(scores, tp.CustomerScore{CustomerID: customerOf(t, db, "user_id", fmt.Sprintf("u%d", i)).ID, ComputedAt: time.Now(),
				Risk: &risk, RiskBand: tp.RiskBand(risk), ValueTier: []string{tp.TierHigh, tp.TierLow}[i%2]})
		}
		must(t, db.Risk.SaveScores(ctx, scores))
		premium := tp.Condition{Kind: "trait", Key: "plan", Op: "eq", Value: "premium"}
		twice := tp.Condition{Kind: "event", Event: "Order Completed", Days: 30, Op: "atleast", Count: 2}
		for i, conds := range [][]tp.Condition{
			{premium},
			{twice},
			{{Kind: "trait", Key: "age", Op: "between", Value: "25..50"}, twice},
			{{Kind: "risk", Op: tp.RiskLow}, {Kind: "any", Any: []tp.Condition{premium, twice}}},
			{{Kind: "value_tier", Op: tp.TierHigh}, {Kind: "event", Event: "Order Completed", Days: 30, Op: "none"}},
		} {
			seg := &tp.Segment{Name: fmt.Sprintf("r%d", i), Conditions: conds}
			must(t, db.Segments.CreateSegment(ctx, seg))
			ids, _, err := db.Segments.SegmentMembers(ctx, seg.ID, 0)
			must(t, err)
			if len(ids) == 0 || len(ids) == 9 {
				t.Errorf("%+v: %d members; the case tells nothing", conds, len(ids))
			}
			for procs := 1; procs <= 4; procs++ {
				prev := runtime.GOMAXPROCS(procs)
				n, err := db.Segments.PreviewSegment(ctx, &tp.Segment{Conditions: conds})
				runtime.GOMAXPROCS(prev)
				if err != nil || n != len(ids) {
					t.Errorf("%+v in %d ranges: %d, %v; the list has %d", conds, procs, n, err, len(ids))
				}
			}
		}
	})
}
