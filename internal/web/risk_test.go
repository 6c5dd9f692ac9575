package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// TestRiskAPIAndSegmentExport: scores as the risk job stores them reach the
// customer's score, the risk overview and a segment's opportunity list, the
// likeliest to leave first, with reasons in the asked language and no offer
// to a customer with an open case.
func TestRiskAPIAndSegmentExport(t *testing.T) {
	f := newFixture(t)
	f.track("/v1/batch", `{"batch":[{"type":"identify","userId":"a","traits":{"name":"Anna"}},{"type":"identify","userId":"b","traits":{"name":"Bert"}},{"type":"identify","userId":"c","traits":{"name":"Cora"}}]}`)
	f.drain()
	if _, err := f.db.Cockpit.RefreshRollups(ctx); err != nil { // first activity per division
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, u := range []string{"a", "b", "c"} {
		c, err := f.db.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: "user_id", Value: u})
		if err != nil {
			t.Fatal(err)
		}
		ids[u] = c.ID
	}
	p := func(v float64) *float64 { return &v }
	now := time.Now().UTC()
	// Scores store each input's points; the reasons are made of them and
	// the features when read.
	points := make([]float64, len(tp.RiskFeatures)+1)
	points[slices.Index(tp.RiskFeatures, "complaints_90d")], points[slices.Index(tp.RiskFeatures, "tenure_days")] = 1.2, -0.2
	score := func(u string, risk float64, complaints float64, offer *tp.Offer, no string) tp.CustomerScore {
		s := tp.CustomerScore{CustomerID: ids[u], ComputedAt: now, Risk: p(risk), RiskBand: tp.RiskBand(risk), Model: 1, Intercept: -1,
			RFM: [3]int{5, 4, 5}, ValueTier: tp.ValueTier(14), CLV: p(300), CLVLow: p(250), CLVHigh: p(350),
			Features: tp.CustomerFeatures{CustomerID: ids[u], Revenue365: 1000, AvgOrder: p(80), Complaints90: complaints, Products: []string{"P1"}},
			Points:   points,
			NoOffer:  no}
		if offer != nil {
			s.Offers = []tp.Offer{*offer}
		}
		return s
	}
	if err := f.db.Risk.SaveScores(ctx, []tp.CustomerScore{
		score("a", 0.3, 1, &tp.Offer{Product: "P2", Because: "P1", Share: 0.25}, ""),
		score("b", 0.8, 3, nil, "open_case"),
		score("c", 0.05, 0, &tp.Offer{Product: "P3", Because: "P1", Share: 0.5}, ""),
	}); err != nil {
		t.Fatal(err)
	}
	r := f.api("GET", fmt.Sprintf("/api/v1/customers/%d/score", ids["b"]), f.analyst, "")
	var got struct {
		Score tp.CustomerScore `json:"score"`
	}
	if err := json.Unmarshal(r.Body, &got); r.Code != 200 || err != nil || got.Score.RiskBand != tp.RiskHigh || got.Score.NoOffer != "open_case" {
		t.Fatalf("score: %d %s", r.Code, r.Body)
	}
	if rs := got.Score.Reasons; len(rs) != len(points) || rs[0].Feature != "complaints_90d" || rs[0].Value == nil || *rs[0].Value != 3 ||
		rs[0].Points != 1.2 || rs[len(rs)-1].Feature != "tenure_days" {
		t.Errorf("reasons of the stored points: %+v", rs)
	}
	if r := f.api("GET", "/api/v1/risk?band=high", f.analyst, ""); r.Code != 200 || !strings.Contains(string(r.Body), `"revenue_at_risk":1150`) {
		t.Errorf("risk overview: %d %s", r.Code, r.Body)
	}
	if r := f.api("GET", "/api/v1/risk?band=purple", f.analyst, ""); r.Code != 400 {
		t.Errorf("a bad band: %d", r.Code)
	}
	seg := f.api("POST", "/api/v1/segments", f.admin, `{"name":"Valuable","conditions":[{"kind":"value_tier","op":"top"}]}`)
	segID := int64(seg.JSON["id"].(float64))
	r = f.api("GET", fmt.Sprintf("/api/v1/segments/%d/export?format=csv&lang=de", segID), f.analyst, "")
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if r.Code != 200 || err != nil || len(rows) != 4 {
		t.Fatalf("export: %d %v %q", r.Code, err, r.Body)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if rows[1][col["name"]] != "Bert" || rows[2][col["name"]] != "Anna" || rows[3][col["name"]] != "Cora" {
		t.Errorf("not the likeliest to leave first: %q", rows[1:])
	}
	if rows[1][col["offer"]] != "" || rows[1][col["no_offer"]] != "open_case" || !strings.Contains(rows[1][col["top_reasons"]], "Beschwerden") {
		t.Errorf("Bert (open case): %q", rows[1])
	}
	if rows[2][col["offer"]] != "P2" || rows[2][col["offer_expected_value"]] != "20" || rows[2][col["offer_because"]] != "P1" {
		t.Errorf("Anna's offer: %q", rows[2])
	}
	if r := f.api("GET", fmt.Sprintf("/api/v1/segments/%d/export?format=pdf", segID), f.analyst, ""); r.Code != 400 {
		t.Errorf("a bad format: %d", r.Code)
	}
}
