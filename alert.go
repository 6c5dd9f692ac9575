package touchpoint

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AlertRule watches one KPI of one slice: a significant drop against the
// previous period, or a threshold crossed. It fires once and stays quiet
// until the condition clears.
type AlertRule struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	KPI        string   `json:"kpi"`
	Division   string   `json:"division,omitempty"`
	Department string   `json:"department,omitempty"`
	Channel    string   `json:"channel,omitempty"`
	SegmentID  int64    `json:"segment_id,omitempty"` // only the segment's current members (not with emerging)
	Kind       string   `json:"kind"`                 // drop, threshold or emerging (a theme rising in the texts; no KPI)
	Op         string   `json:"op,omitempty"`         // < or > (threshold)
	Threshold  float64  `json:"threshold,omitempty"`
	Period     string   `json:"period"` // week or month: the current one against the one before
	Emails     []string `json:"emails,omitempty"`
	WebhookURL string   `json:"webhook_url,omitempty"`
	Secret     string   `json:"secret,omitempty"` // signs webhook bodies; shown when created only
	// NotifyOwners also mails the CCO's office and, for a department rule, the department's heads.
	NotifyOwners bool      `json:"notify_owners,omitempty"`
	Enabled      bool      `json:"enabled"`
	Firing       bool      `json:"firing"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// Validate checks a rule before it is stored.
func (r *AlertRule) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	fields := map[string]string{}
	if r.Name == "" || len(r.Name) > 200 {
		fields["name"] = Reason("required, at most 200 characters")
	}
	if _, ok := KPIByID(r.KPI); !ok && r.Kind != "emerging" {
		fields["kpi"] = Reason("not a registered KPI (see /api/v1/kpis)")
	}
	if r.Period == "" {
		r.Period = "month"
	}
	if r.Period != "week" && r.Period != "month" {
		fields["period"] = Reason("week or month")
	}
	switch r.Kind {
	case "emerging":
		r.KPI, r.Op, r.Threshold = "", "", 0
		if r.SegmentID != 0 {
			fields["segment_id"] = Reason("themes rise in texts, not per segment: leave it empty for emerging rules")
		}
	case "drop":
		r.Op, r.Threshold = "", 0
	case "threshold":
		if r.Op != "<" && r.Op != ">" {
			fields["op"] = Reason("< or >")
		}
	default:
		fields["kind"] = Reason("drop, threshold or emerging")
	}
	for i, e := range r.Emails {
		e = strings.TrimSpace(e)
		r.Emails[i] = e
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			fields["emails"] = Reason("%q is not an e-mail address", e)
		}
	}
	if r.WebhookURL != "" {
		if u, err := url.Parse(r.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fields["webhook_url"] = Reason("an http or https URL")
		}
	}
	if len(r.Emails) == 0 && r.WebhookURL == "" && !r.NotifyOwners {
		fields["emails"] = Reason("at least one e-mail address, a webhook URL or notify_owners")
	}
	if len(fields) > 0 {
		return Errorf(EINVALID, "the alert rule is not valid: %s", Reasons(fields)).WithFields(fields)
	}
	return nil
}

// Slice describes the rule's slice for people.
func (r *AlertRule) Slice() string {
	var parts []string
	for _, p := range [][2]string{{"division", r.Division}, {"department", r.Department}, {"channel", r.Channel}} {
		if p[1] != "" {
			parts = append(parts, p[0]+"="+p[1])
		}
	}
	if r.SegmentID != 0 {
		parts = append(parts, fmt.Sprintf("segment=%d", r.SegmentID))
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, ", ")
}

// AlertPayload is the JSON a webhook receives.
type AlertPayload struct {
	Event     string    `json:"event"` // alert.fired or alert.cleared
	Rule      string    `json:"rule"`
	RuleID    int64     `json:"rule_id"`
	KPI       string    `json:"kpi"`
	Slice     string    `json:"slice"`
	Period    string    `json:"period"`
	Previous  string    `json:"previous"`
	Now       Estimate  `json:"now"`
	Before    Estimate  `json:"before"`
	Condition string    `json:"condition"`
	At        time.Time `json:"at"`
	// Topics are the emerging themes (kind emerging).
	Topics []EmergingTopic `json:"topics,omitempty"`
}

// EvaluateEmerging checks an emerging-topics rule: it holds while any theme
// of its slice is emerging. It returns the event to record when the state
// flips, or nil.
func (r *AlertRule) EvaluateEmerging(topics []EmergingTopic, now time.Time) *AlertEvent {
	holds := len(topics) > 0
	if holds == r.Firing {
		return nil
	}
	kind := "fired"
	if !holds {
		kind = "cleared"
	}
	var what []string
	for _, t := range topics {
		what = append(what, fmt.Sprintf("%s in %s %s (%s: %d in %d weeks, %.1f expected)", t.Name, t.By, t.Slice, t.Kind, t.Recent, EmergingRecentWeeks, t.Expected))
	}
	summary := fmt.Sprintf("%s: emerging topics of %s %s", r.Name, r.Slice(), kind)
	if holds {
		summary += ": " + strings.Join(what, "; ")
	}
	body, _ := json.Marshal(AlertPayload{Event: "alert." + kind, Rule: r.Name, RuleID: r.ID, Slice: r.Slice(), Condition: "a theme rising significantly", At: now, Topics: topics})
	return &AlertEvent{RuleID: r.ID, RuleName: r.Name, At: now, Kind: kind, Summary: summary, Payload: string(body)}
}

// Evaluate checks the rule on a scorecard of its slice (one row, the
// current period against the previous one). It returns the event to record
// when the rule's state flips (fired or cleared), or nil: no change, or a
// KPI the scorecard does not carry.
func (r *AlertRule) Evaluate(sc *Scorecard, now time.Time) *AlertEvent {
	if len(sc.Rows) == 0 {
		return nil
	}
	var cell ScoreCell
	for _, c := range sc.Rows[0].Cells {
		if c.KPI == r.KPI {
			cell = c
		}
	}
	if cell.KPI == "" { // a KPI outside the scorecard cannot be watched yet
		return nil
	}
	holds := r.Holds(cell)
	if holds == r.Firing {
		return nil
	}
	m, _ := KPIByID(r.KPI)
	cond := fmt.Sprintf("significant drop against %s", sc.Previous.Label())
	if r.Kind == "threshold" {
		cond = fmt.Sprintf("%s %s %g", m.ID, r.Op, r.Threshold)
	}
	kind := "fired"
	if !holds {
		kind = "cleared"
	}
	ev := &AlertEvent{RuleID: r.ID, RuleName: r.Name, At: now, Kind: kind,
		Summary: fmt.Sprintf("%s: %s of %s is %.1f (n %d) in %s, was %.1f (n %d) in %s — %s %s", r.Name, m.Name, r.Slice(),
			cell.Now.Value, cell.Now.N, sc.Period.Label(), cell.Previous.Value, cell.Previous.N, sc.Previous.Label(), cond, kind)}
	body, _ := json.Marshal(AlertPayload{Event: "alert." + kind, Rule: r.Name, RuleID: r.ID, KPI: r.KPI, Slice: r.Slice(),
		Period: sc.Period.Label(), Previous: sc.Previous.Label(), Now: cell.Now, Before: cell.Previous, Condition: cond, At: now})
	ev.Payload = string(body)
	return ev
}

// ControlAlertDiscoveries decides the drops of one evaluation run as a
// family: each rule's scorecard (its slice, its KPI) was compared on its own,
// so the directions are set again from the comparisons' p-values with
// Benjamini–Hochberg at FDR over the drop rules evaluated together. cards[i]
// is rules[i]'s scorecard (nil when not evaluated); it is changed in place.
func ControlAlertDiscoveries(rules []AlertRule, cards []*Scorecard) {
	var ps []float64
	var cells []*ScoreCell
	for i, r := range rules {
		if r.Kind != "drop" || cards[i] == nil || len(cards[i].Rows) == 0 {
			continue
		}
		for j := range cards[i].Rows[0].Cells {
			if c := &cards[i].Rows[0].Cells[j]; c.KPI == r.KPI {
				ps, cells = append(ps, c.P), append(cells, c)
			}
		}
	}
	keep := BenjaminiHochberg(ps, FDR)
	for i, c := range cells {
		m, _ := KPIByID(c.KPI)
		c.setDirection(m, direction(c.Now, c.Previous, keep[i]))
	}
}

// Holds reports whether the rule's condition holds for a scorecard cell.
// A drop needs a significant worsening; a threshold needs a value that is
// not "too few responses".
func (r *AlertRule) Holds(c ScoreCell) bool {
	if c.NA {
		return false
	}
	if r.Kind == "drop" {
		return c.Direction != 0 && !c.Better
	}
	m, _ := KPIByID(r.KPI)
	if c.Now.TooFew || (c.Now.N == 0 && m.Unit != "cases") {
		return false
	}
	if r.Op == "<" {
		return c.Now.Value < r.Threshold
	}
	return c.Now.Value > r.Threshold
}

// AlertEvent is a rule firing or clearing, with what it saw.
type AlertEvent struct {
	ID         int64           `json:"id"`
	RuleID     int64           `json:"rule_id"`
	RuleName   string          `json:"rule_name"`
	At         time.Time       `json:"at"`
	Kind       string          `json:"kind"` // fired or cleared
	Summary    string          `json:"summary"`
	Payload    string          `json:"-"` // the JSON body webhooks receive
	Deliveries []AlertDelivery `json:"deliveries,omitempty"`
}

// AlertDelivery is one attempt to deliver an alert.
type AlertDelivery struct {
	EventID int64     `json:"event_id"`
	Target  string    `json:"target"` // email or webhook
	Address string    `json:"address"`
	Attempt int       `json:"attempt"`
	OK      bool      `json:"ok"`
	Status  int       `json:"status,omitempty"` // HTTP status of a webhook
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// DeliverAlert sends one alert event to one address; River retries it with
// growing back-off, and every attempt is logged.
type DeliverAlert struct {
	EventID int64  `json:"event_id"`
	Target  string `json:"target"`
	Address string `json:"address"`
}

// Kind names the worker.
func (DeliverAlert) Kind() string { return "deliver_alert" }

// SignWebhook returns the signature header value for a webhook body sent at
// ts: "sha256=" + hex(HMAC-SHA256(secret, ts + "." + body)). Receivers
// recompute it and reject old timestamps to stop replays.
func SignWebhook(secret string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10) + "."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// AlertService stores alert rules and their log.
type AlertService interface {
	CreateAlertRule(ctx context.Context, r *AlertRule) error
	ListAlertRules(ctx context.Context) ([]AlertRule, error)
	DeleteAlertRule(ctx context.Context, id int64) error
	ListAlertEvents(ctx context.Context, limit int) ([]AlertEvent, error)
}
