package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"

	tp "github.com/touchpoint-cx/touchpoint"
)

// reasonText says one reason in plain words in the reader's language:
// "3 complaints in 90 days", "last NPS 2", "no order for 94 days".
func reasonText(lang string, r tp.RiskReason) string {
	if r.Feature == tp.RiskCountry {
		if r.Text == "" {
			return translate(lang, "risk.reason.country.none")
		}
		return translate(lang, "risk.reason.country", r.Text)
	}
	if r.Value == nil {
		return translate(lang, "risk.reason."+r.Feature+".none")
	}
	v := *r.Value
	switch r.Feature {
	case "recency_days", "order_recency_days":
		if v < 1 {
			return translate(lang, "risk.reason."+r.Feature+".today")
		}
		return count(lang, r.Feature, v)
	case "revenue_365d", "avg_order_value":
		return translate(lang, "risk.reason."+r.Feature, money(v))
	}
	if r.Feature == "last_nps" || r.Feature == "last_csat" {
		return translate(lang, "risk.reason."+r.Feature, strconv.FormatFloat(math.Round(v), 'f', -1, 64))
	}
	return count(lang, r.Feature, v)
}

// count says a reason with a count: "1 complaint", "3 complaints".
func count(lang, feature string, v float64) string {
	n := math.Round(v)
	if n == 1 {
		return translate(lang, "risk.reason."+feature+".one")
	}
	return translate(lang, "risk.reason."+feature, strconv.FormatFloat(n, 'f', -1, 64))
}

// money is an amount in the shop's currency, whole units, grouped by thin
// spaces (readable in all three languages).
func money(v float64) string {
	s := strconv.FormatInt(int64(math.Round(math.Abs(v))), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u202f" + s[i:]
	}
	if v < 0 {
		s = "−" + s
	}
	return s
}

// scoreView is a customer's value and risk as the pages show them.
type riskView struct {
	tp.CustomerScore
	RiskPct float64
	Reasons []string // the top reasons in words
	Offers  []string // the next best offers with their reasons, in words
}

func newRiskView(lang string, s *tp.CustomerScore) *riskView {
	if s == nil {
		return nil
	}
	v := &riskView{CustomerScore: *s}
	if s.Risk != nil {
		v.RiskPct = 100 * *s.Risk
	}
	for _, r := range s.TopReasons(3) {
		v.Reasons = append(v.Reasons, reasonText(lang, r))
	}
	for _, o := range s.Offers {
		v.Offers = append(v.Offers, translate(lang, "risk.offer", o.Product, o.Because, fmt.Sprintf("%.0f %%", 100*o.Share), o.Because))
	}
	return v
}

func riskViews(lang string, list []tp.CustomerScore) []*riskView {
	out := make([]*riskView, len(list))
	for i := range list {
		out[i] = newRiskView(lang, &list[i])
	}
	return out
}

// riskData is the risk and value page: the model in force and its card,
// value and revenue at risk per division, the customers likeliest to leave.
type riskData struct {
	Models      []tp.ChurnModel
	Active      *tp.ChurnModel
	Overview    []tp.RiskSlice
	High        []*riskView
	HighSegment *tp.Segment // a saved segment of exactly "risk high"
	CanSegment  bool
}

func (s *Server) riskPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := r.Context()
	var d riskData
	var err error
	if d.Models, err = s.Risk.ChurnModels(ctx, 10); err != nil {
		return err
	}
	for i := range d.Models {
		if d.Models[i].Active && d.Active == nil {
			d.Active = &d.Models[i]
		}
	}
	if d.Overview, err = s.Risk.RiskOverview(ctx); err != nil {
		return err
	}
	high, err := s.Risk.AtRisk(ctx, tp.RiskHigh, 50)
	if err != nil {
		return err
	}
	d.High = riskViews(v.Lang, high)
	if d.HighSegment, err = s.riskSegment(r); err != nil {
		return err
	}
	d.CanSegment = v.Can(string(tp.ActSegmentManage))
	v.Title = translate(v.Lang, "risk.title")
	return s.render(w, http.StatusOK, v, "risk", "", d)
}

// riskSegment is the saved segment whose one rule is "risk high", if any.
func (s *Server) riskSegment(r *http.Request) (*tp.Segment, error) {
	list, err := s.Segments.ListSegments(r.Context())
	if err != nil {
		return nil, err
	}
	for i, seg := range list {
		if len(seg.Conditions) == 1 && seg.Conditions[0].Kind == "risk" && seg.Conditions[0].Op == tp.RiskHigh {
			return &list[i], nil
		}
	}
	return nil, nil
}

// segmentPage is one segment: its rules, its value and revenue at risk, its
// members the likeliest to leave first.
func (s *Server) segmentPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	seg, err := s.Segments.FindSegment(r.Context(), id)
	if err != nil {
		return err
	}
	_, n, err := s.Segments.SegmentMembers(r.Context(), id, 1)
	if err != nil {
		return err
	}
	value, err := s.Risk.SegmentValue(r.Context(), id)
	if err != nil {
		return err
	}
	members, err := s.Risk.SegmentScores(r.Context(), id, 100)
	if err != nil {
		return err
	}
	history, err := s.Segments.SegmentHistory(r.Context(), id, 20)
	if err != nil {
		return err
	}
	var rules []string
	for _, c := range seg.Conditions {
		rules = append(rules, ruleText(c))
	}
	hook, err := s.Push.SegmentWebhook(r.Context(), id)
	if err != nil {
		return err
	}
	v.Title = seg.Name
	return s.render(w, http.StatusOK, v, "segment", "", map[string]any{"Segment": seg, "Rules": rules, "Members": n,
		"Value": value, "Scores": riskViews(v.Lang, members), "History": history, "Webhook": hook, "CanPush": v.Can(string(tp.ActSegmentPush))})
}

func (s *Server) apiCustomerScore(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerFromPath(r)
	if err != nil {
		return err
	}
	sc, err := s.Risk.CustomerScore(r.Context(), c.ID)
	if err != nil {
		return err
	}
	// score is null until the risk job scored the customer (hourly; not
	// churned customers nor those who objected to profiling).
	writeJSON(w, http.StatusOK, map[string]any{"customer_id": c.ID, "score": sc})
	return nil
}

// apiRisk is the overview per division and the high-risk customers.
func (s *Server) apiRisk(w http.ResponseWriter, r *http.Request) error {
	band := r.URL.Query().Get("band")
	switch band {
	case "", tp.RiskHigh, tp.RiskMedium, tp.RiskLow:
	default:
		return tp.Errorf(tp.EINVALID, "band %q: one of high, medium, low", band)
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	limit = min(limit, 1000)
	ov, err := s.Risk.RiskOverview(r.Context())
	if err != nil {
		return err
	}
	list, err := s.Risk.AtRisk(r.Context(), band, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"divisions": ov, "customers": list})
	return nil
}

func (s *Server) apiRiskModels(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Risk.ChurnModels(r.Context(), 50)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": list})
	return nil
}

func (s *Server) apiSegmentValue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.Risk.SegmentValue(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// riskOf is one division's value and risk (everyone's for ""); nil before
// the first scoring.
func (s *Server) riskOf(r *http.Request, division string) (*tp.RiskSlice, error) {
	ov, err := s.Risk.RiskOverview(r.Context())
	if err != nil {
		return nil, err
	}
	for i := range ov {
		if ov[i].Name == division {
			return &ov[i], nil
		}
	}
	return nil, nil
}

func (s *Server) apiSegmentHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Segments.FindSegment(r.Context(), id); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	list, err := s.Segments.SegmentHistory(r.Context(), id, min(limit, 10000))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": list})
	return nil
}
