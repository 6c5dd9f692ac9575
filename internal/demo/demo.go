// Package demo generates touchpoint's deterministic demo data: the same seed
// and end date always give the same customers and events. Events go through
// the real tracking decoder and ingestion, so demo profiles are resolved and
// merged exactly as live data would be.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

// Demo logins: every demo user has the same password.
const (
	AdminEmail = "admin@example.com"
	Password   = "touchpoint-demo"
)

// Divisions and departments of the demo company.
var (
	Divisions   = []string{"Retail", "Online", "Business"}
	Departments = []string{"Service", "Logistics", "Billing", "Sales", "Marketing", "Product"}
)

// Config says what to generate.
type Config struct {
	Seed      uint64
	Customers int
	End       time.Time // the data covers the 18 months before End
	Progress  io.Writer // progress lines; nil for none
}

// Store is what loading needs.
type Store struct {
	Ingester  tp.Ingester
	Sources   tp.SourceService
	Users     tp.UserService
	Customers tp.CustomerService
	Surveys   tp.SurveyService
	Cases     tp.CaseService
	Actions   tp.ActionService
	Alerts    tp.AlertService
	Segments  tp.SegmentService
	Playbooks tp.PlaybookService
	People    tp.PeopleService
	Council   tp.CouncilService
}

// DefaultEnd is the start of today (UTC): data ends "now" yet stays
// reproducible for the whole day.
func DefaultEnd(now time.Time) time.Time { return now.UTC().Truncate(24 * time.Hour) }

// sources of the demo company, in ingestion order. Shared services (calls,
// chat, billing, logistics…) serve every division, so their events name the
// customer's division in properties.division.
var sources = []tp.Source{
	{Name: "Stores (POS)", Channel: "store", Department: "Sales", Division: "Retail"},
	{Name: "Business portal", Channel: "web", Department: "Sales", Division: "Business"},
	{Name: "Call center", Channel: "phone", Department: "Service"},
	{Name: "Web shop", Channel: "web", Department: "Sales", Division: "Online"},
	{Name: "Mobile app", Channel: "app", Department: "Product", Division: "Online"},
	{Name: "Live chat", Channel: "chat", Department: "Service"},
	{Name: "Social care", Channel: "social", Department: "Service"},
	{Name: "Newsletter", Channel: "email", Department: "Marketing"},
	{Name: "Billing system", Channel: "email", Department: "Billing"},
	{Name: "Logistics", Channel: "field", Department: "Logistics"},
}

const (
	srcStores = iota
	srcPortal
	srcCalls
	srcWeb
	srcApp
	srcChat
	srcSocial
	srcNews
	srcBilling
	srcLogistics
)

var users = []tp.User{
	{Email: AdminEmail, Role: tp.RoleAdmin},
	{Email: "cco@example.com", Role: tp.RoleCCO},
	{Email: "service.head@example.com", Role: tp.RoleDepartmentHead, Department: "Service"},
	{Email: "logistics.head@example.com", Role: tp.RoleDepartmentHead, Department: "Logistics"},
	{Email: "agent@example.com", Role: tp.RoleAgent, Department: "Service", Locale: "de"},
	{Email: "mia.service@example.com", Role: tp.RoleAgent, Department: "Service", Locale: "nl"},
	{Email: "tom.service@example.com", Role: tp.RoleAgent, Department: "Service"},
	{Email: "lea.logistics@example.com", Role: tp.RoleAgent, Department: "Logistics", Locale: "de"},
	{Email: "max.logistics@example.com", Role: tp.RoleAgent, Department: "Logistics"},
	{Email: "ben.billing@example.com", Role: tp.RoleAgent, Department: "Billing"},
	{Email: "pia.product@example.com", Role: tp.RoleAgent, Department: "Product", Locale: "nl"},
	{Email: "analyst@example.com", Role: tp.RoleAnalyst},
}

// Stats counts what Load made.
type Stats struct {
	tp.IngestResult
	Responses int
	Cases     int
}

// Load creates the demo users and sources, ingests every customer's events,
// then records the customers' survey answers.
func Load(ctx context.Context, cfg Config, st Store) (Stats, error) {
	res, err := loadEvents(ctx, cfg, st)
	if err != nil {
		return Stats{IngestResult: res}, err
	}
	n, err := loadResponses(ctx, cfg, st)
	if err != nil {
		return Stats{IngestResult: res, Responses: n}, err
	}
	cases, err := loadCases(ctx, cfg, st)
	if err != nil {
		return Stats{IngestResult: res, Responses: n, Cases: cases}, err
	}
	if err := loadFollowUps(ctx, cfg, st); err != nil {
		return Stats{IngestResult: res, Responses: n, Cases: cases}, err
	}
	ids, err := userIDs(ctx, st)
	if err != nil {
		return Stats{IngestResult: res, Responses: n, Cases: cases}, err
	}
	if err := loadPeople(ctx, cfg, st, ids); err != nil {
		return Stats{IngestResult: res, Responses: n, Cases: cases}, err
	}
	return Stats{IngestResult: res, Responses: n, Cases: cases}, loadCouncil(ctx, cfg, st, ids)
}

func loadEvents(ctx context.Context, cfg Config, st Store) (tp.IngestResult, error) {
	var total tp.IngestResult
	for _, u := range users {
		u := u
		if err := st.Users.CreateUser(ctx, &u, Password); err != nil {
			return total, fmt.Errorf("user %s: %w", u.Email, err)
		}
	}
	srcs := make([]*tp.Source, len(sources))
	for i, s := range sources {
		s := s
		if err := st.Sources.CreateSource(ctx, &s); err != nil {
			return total, err
		}
		srcs[i] = &s
	}
	const chunk = 100
	lastReport := time.Now()
	for start := 0; start < cfg.Customers; start += chunk {
		bySource := make([][]event, len(srcs))
		for i := start; i < min(start+chunk, cfg.Customers); i++ {
			for _, e := range Customer(cfg, i) {
				bySource[e.Source] = append(bySource[e.Source], e)
			}
		}
		for s, evs := range bySource {
			sort.SliceStable(evs, func(a, b int) bool { return evs[a].At.Before(evs[b].At) })
			for b := 0; b < len(evs); b += 500 {
				msgs := make([]tp.Message, 0, 500)
				for _, e := range evs[b:min(b+500, len(evs))] {
					m, err := track.DecodeLine(e.JSON, e.At)
					if err != nil {
						return total, fmt.Errorf("demo event %s: %w", e.JSON, err)
					}
					msgs = append(msgs, m)
				}
				res, err := st.Ingester.Ingest(ctx, srcs[s], msgs)
				if err != nil {
					return total, err
				}
				total.Stored += res.Stored
				total.Duplicates += res.Duplicates
				total.Merges += res.Merges
			}
		}
		if cfg.Progress != nil && (time.Since(lastReport) > 2*time.Second || start+chunk >= cfg.Customers) {
			lastReport = time.Now()
			fmt.Fprintf(cfg.Progress, "demo: %d/%d customers, %d events, %d merges\n",
				min(start+chunk, cfg.Customers), cfg.Customers, total.Stored, total.Merges)
		}
	}
	return total, nil
}

// event is one generated tracking call.
type event struct {
	Source int
	At     time.Time
	JSON   []byte
}

type persona struct {
	idx                                   int
	rng                                   *rand.Rand
	userID, first, last, email, phone     string
	locale, country, city, division, plan string
	company, loyalty, crm, twitter        string
	anon                                  []string
	phoneAtSignup                         bool
	start, end                            time.Time
	events                                []event
	n                                     int
	churned                               bool
	late                                  []time.Time // late deliveries
}

// Customer returns customer i's events; it depends only on the seed, End and i.
func Customer(cfg Config, i int) []event {
	r := rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1))
	p := &persona{idx: i, rng: r}
	p.profile(cfg.End)
	p.lifecycle()
	p.churnAfterTrouble(cfg)
	return p.events
}

// churnAfterTrouble plants what the churn model should find: a customer who
// complained, answered as a detractor or got a late parcel may leave within
// weeks of it (the story a retention team knows), and is then quiet.
func (p *persona) churnAfterTrouble(cfg Config) {
	if p.churned {
		return
	}
	r := rand.New(rand.NewPCG(cfg.Seed^0xc4a7, uint64(p.idx)+1))
	type trouble struct {
		at     time.Time
		chance float64
	}
	var ts []trouble
	for _, c := range Cases(cfg, p.idx) {
		ts = append(ts, trouble{c.Case.CreatedAt, 0.4})
	}
	for _, a := range Responses(cfg, p.idx) {
		if a.Score != nil && demoSurveys[a.SurveyID].Type.Detractor(*a.Score) {
			ts = append(ts, trouble{a.At, 0.35})
		}
	}
	for _, at := range p.late {
		ts = append(ts, trouble{at, 0.12})
	}
	sort.Slice(ts, func(a, b int) bool { return ts[a].at.Before(ts[b].at) })
	for _, t := range ts {
		if r.Float64() >= t.chance {
			continue
		}
		at := t.at.Add(time.Duration(10+r.IntN(70)) * 24 * time.Hour)
		if at.After(p.end) || at.Before(p.start) {
			return
		}
		kept := p.events[:0]
		for _, e := range p.events {
			if !e.At.After(at) {
				kept = append(kept, e)
			}
		}
		p.events = kept
		p.emit(srcCalls, at, map[string]any{"type": "track", "event": "Customer Churned", "userId": p.userID,
			"properties": map[string]any{"reason": pick(r, []string{"price", "service", "moved", "competitor"})}})
		return
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (p *persona) profile(end time.Time) {
	r := p.rng
	switch x := r.Float64(); {
	case x < 0.45:
		p.locale, p.country = "de", "DE"
	case x < 0.70:
		p.locale, p.country = "nl", "NL"
	case x < 0.80:
		p.locale, p.country = "nl", "BE"
	default:
		p.locale, p.country = "en", "GB"
	}
	switch x := r.Float64(); {
	case x < 0.50:
		p.division = "Retail"
	case x < 0.85:
		p.division = "Online"
	default:
		p.division = "Business"
	}
	p.first, p.last = pick(r, firstNames[p.locale]), pick(r, lastNames[p.locale])
	p.city = pick(r, cities[p.country])
	p.userID = fmt.Sprintf("cus-%06d", p.idx+1)
	p.email = fmt.Sprintf("%s.%s%d@%s", asciiFold(p.first), asciiFold(p.last), p.idx%97, pick(r, mailDomains[p.locale]))
	p.phone = nationalPhone(r, p.country)
	p.phoneAtSignup = r.Float64() < 0.6
	p.plan = pick(r, []string{"basic", "basic", "plus", "premium"})
	if p.division == "Business" {
		p.company = pick(r, companyStems) + " " + pick(r, companySuffix[p.locale])
		p.plan = pick(r, []string{"business", "business", "enterprise"})
	}
	p.loyalty = fmt.Sprintf("LC%08d", 10000000+p.idx*7919%89999999)
	p.crm = fmt.Sprintf("C%07d", p.idx+1)
	if r.Float64() < 0.15 {
		p.twitter = strings.ToLower(asciiFold(p.first)) + fmt.Sprint(p.idx%1000)
	}
	for k := 0; k < 1+r.IntN(3); k++ {
		p.anon = append(p.anon, fmt.Sprintf("anon-%d-%d-%04x", p.idx, k, r.Uint32()&0xffff))
	}
	window := 548 * 24 * time.Hour // 18 months
	p.end = end
	if r.Float64() < 0.2 {
		p.start = end.Add(-window)
	} else {
		p.start = end.Add(-time.Duration(r.Float64() * float64(window-14*24*time.Hour)))
	}
}

func nationalPhone(r *rand.Rand, country string) string {
	switch country {
	case "DE":
		return fmt.Sprintf("0%d %07d", 151+r.IntN(29), r.IntN(10000000))
	case "NL":
		return fmt.Sprintf("06 %08d", r.IntN(100000000))
	case "BE":
		return fmt.Sprintf("04%d%d %06d", 7+r.IntN(3), r.IntN(10), r.IntN(1000000))
	}
	return fmt.Sprintf("07%03d %06d", 700+r.IntN(300), r.IntN(1000000))
}

// emit adds one event; msg gets a deterministic messageId and its timestamp.
func (p *persona) emit(src int, at time.Time, msg map[string]any) {
	if at.After(p.end) {
		return
	}
	p.n++
	if sources[src].Division == "" {
		props, _ := msg["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			msg["properties"] = props
		}
		props["division"] = p.division
	}
	msg["messageId"] = fmt.Sprintf("demo-%d-%d", p.idx, p.n)
	msg["timestamp"] = at.UTC().Format(time.RFC3339)
	b, _ := json.Marshal(msg)
	p.events = append(p.events, event{Source: src, At: at, JSON: b})
}

func (p *persona) traits(withPhone bool) map[string]any {
	t := map[string]any{"name": p.first + " " + p.last, "firstName": p.first, "lastName": p.last, "email": p.email,
		"locale": p.locale, "country": p.country, "city": p.city, "plan": p.plan, "division": p.division}
	if withPhone {
		t["phone"] = p.phone
	}
	if p.company != "" {
		t["company"] = p.company
	}
	return t
}

func (p *persona) lifecycle() {
	r := p.rng
	at := p.start
	// First touch: anonymous browsing before signing up.
	for k := 0; k < 1+r.IntN(3); k++ {
		p.emit(srcWeb, at.Add(-time.Duration(k+1)*time.Hour*time.Duration(1+r.IntN(40))),
			map[string]any{"type": "page", "name": pick(r, []string{"Home", "Category", "Product", "Sale"}), "anonymousId": p.anon[0],
				"context": map[string]any{"locale": p.locale + "-" + p.country}})
	}
	signup := map[string]any{"type": "identify", "userId": p.userID, "anonymousId": p.anon[0], "traits": p.traits(p.phoneAtSignup)}
	switch p.division {
	case "Retail":
		signup["context"] = map[string]any{"externalIds": []map[string]any{{"id": p.loyalty, "type": "loyalty"}}}
		p.emit(srcStores, at, signup)
	case "Business":
		p.emit(srcPortal, at, signup)
	default:
		p.emit(srcWeb, at, signup)
	}
	churnAt := p.end.Add(time.Hour)
	if r.Float64() < 0.03 { // the rest is planted by churnAfterTrouble
		churnAt = at.Add(time.Duration(r.Float64() * float64(p.end.Sub(at))))
	}
	sessions := 4 + int(math.Round(r.ExpFloat64()*3.2))
	span := churnAt.Sub(at)
	if churnAt.After(p.end) {
		span = p.end.Sub(at)
	}
	times := make([]time.Time, sessions)
	for k := range times {
		times[k] = at.Add(time.Duration(r.Float64() * float64(span)))
	}
	sort.Slice(times, func(a, b int) bool { return times[a].Before(times[b]) })
	device := 1
	for _, t := range times {
		switch x := r.Float64(); {
		case x < 0.30:
			p.browseAndOrder(t)
		case x < 0.42:
			p.call(t)
		case x < 0.52:
			p.newsletter(t)
		case x < 0.60 && device < len(p.anon):
			p.newDevice(t, p.anon[device])
			device++
		case x < 0.68:
			p.chat(t)
		case x < 0.76 && p.division == "Retail":
			p.storeVisit(t)
		case x < 0.82:
			p.billing(t)
		case x < 0.88 && p.twitter != "":
			p.social(t)
		case x < 0.94:
			p.profileUpdate(t)
		default:
			p.browse(t, srcWeb)
		}
	}
	if !churnAt.After(p.end) {
		p.churned = true
		p.emit(srcCalls, churnAt, map[string]any{"type": "track", "event": "Customer Churned", "userId": p.userID,
			"properties": map[string]any{"reason": pick(r, []string{"price", "service", "moved", "competitor"})}})
	}
}

func (p *persona) browse(t time.Time, src int) {
	r := p.rng
	typ, ident := "page", map[string]any{"userId": p.userID, "anonymousId": p.anon[0]}
	if src == srcApp {
		typ = "screen"
	}
	for k := 0; k < 1+r.IntN(3); k++ {
		m := map[string]any{"type": typ, "name": pick(r, []string{"Home", "Category", "Product", "Cart", "Account"})}
		for a, b := range ident {
			m[a] = b
		}
		p.emit(src, t.Add(time.Duration(k)*time.Minute), m)
	}
}

func (p *persona) browseAndOrder(t time.Time) {
	r := p.rng
	src := srcWeb
	if p.division == "Business" {
		src = srcPortal
	} else if r.Float64() < 0.4 {
		src = srcApp
	}
	p.browse(t, src)
	product := pick(r, products)
	price := float64(10+r.IntN(400)) - 0.01
	order := fmt.Sprintf("O-%d-%d", p.idx, p.n)
	p.emit(src, t.Add(5*time.Minute), map[string]any{"type": "track", "event": "Product Viewed", "userId": p.userID,
		"properties": map[string]any{"product": product, "price": price, "currency": "EUR"}})
	// As the Segment e-commerce spec writes it.
	p.emit(src, t.Add(9*time.Minute), map[string]any{"type": "track", "event": "Order Completed", "userId": p.userID,
		"properties": map[string]any{"order_id": order, "revenue": price, "currency": "EUR",
			"products": []map[string]any{{"product_id": product, "name": product, "price": price, "quantity": 1}}}})
	shipped := t.Add(time.Duration(12+r.IntN(48)) * time.Hour)
	p.emit(srcLogistics, shipped, map[string]any{"type": "track", "event": "Order Shipped", "userId": p.userID,
		"properties": map[string]any{"order_id": order, "carrier": pick(r, []string{"DHL", "PostNL", "DPD", "bpost", "Royal Mail"})}})
	late := r.Float64() < 0.12
	days := 1 + r.IntN(3)
	if late {
		p.late = append(p.late, shipped)
		days += 3 + r.IntN(5)
	}
	p.emit(srcLogistics, shipped.Add(time.Duration(days)*24*time.Hour), map[string]any{"type": "track", "event": "Order Delivered",
		"userId": p.userID, "properties": map[string]any{"order_id": order, "late": late, "days_in_transit": days}})
	p.emit(srcBilling, t.Add(time.Hour), map[string]any{"type": "track", "event": "Invoice Sent", "userId": p.userID,
		"properties": map[string]any{"order_id": order, "amount": price, "currency": "EUR"}})
}

// call comes in from the call-center system, which knows the caller by phone
// number and its own CRM id only; callers who never gave the shop their
// number become separate profiles until an identify links the phone.
func (p *persona) call(t time.Time) {
	r := p.rng
	reason := pick(r, callReasons)
	ctx := map[string]any{"traits": map[string]any{"phone": p.phone, "country": p.country},
		"externalIds": []map[string]any{{"id": p.crm, "type": "crm"}}}
	p.emit(srcCalls, t, map[string]any{"type": "track", "event": "Call Completed", "anonymousId": "call-" + p.crm,
		"context": ctx, "properties": map[string]any{"reason": reason, "duration_s": 60 + r.IntN(900),
			"department": callDepartment(reason)}})
}

func callDepartment(reason string) string {
	switch reason {
	case "delivery late", "damaged parcel", "wrong item", "change address":
		return "Logistics"
	case "invoice question", "refund status", "payment failed":
		return "Billing"
	}
	return "Service"
}

func (p *persona) newsletter(t time.Time) {
	r := p.rng
	campaign := pick(r, []string{"Spring sale", "New arrivals", "Loyalty bonus", "Black Friday", "Winter offers"})
	p.emit(srcNews, t, map[string]any{"type": "track", "event": "Email Opened", "userId": p.userID,
		"properties": map[string]any{"campaign": campaign}})
	if r.Float64() < 0.4 {
		p.emit(srcNews, t.Add(2*time.Minute), map[string]any{"type": "track", "event": "Email Link Clicked", "userId": p.userID,
			"properties": map[string]any{"campaign": campaign}})
	}
}

// newDevice is anonymous app use on a new phone followed by a login: the
// anonymous profile merges into the customer's.
func (p *persona) newDevice(t time.Time, anon string) {
	for k := 0; k < 2; k++ {
		p.emit(srcApp, t.Add(time.Duration(k)*time.Minute), map[string]any{"type": "screen", "name": pick(p.rng, []string{"Home", "Offers"}),
			"anonymousId": anon})
	}
	p.emit(srcApp, t.Add(3*time.Minute), map[string]any{"type": "identify", "userId": p.userID, "anonymousId": anon,
		"traits": map[string]any{"email": p.email}})
}

func (p *persona) chat(t time.Time) {
	r := p.rng
	topic := pick(r, callReasons)
	p.emit(srcChat, t, map[string]any{"type": "track", "event": "Chat Started", "userId": p.userID,
		"properties": map[string]any{"topic": topic}})
	p.emit(srcChat, t.Add(time.Duration(3+r.IntN(20))*time.Minute), map[string]any{"type": "track", "event": "Chat Ended",
		"userId": p.userID, "properties": map[string]any{"topic": topic, "resolved": r.Float64() < 0.75}})
}

func (p *persona) storeVisit(t time.Time) {
	r := p.rng
	p.emit(srcStores, t, map[string]any{"type": "track", "event": "In-Store Purchase",
		"context":    map[string]any{"externalIds": []map[string]any{{"id": p.loyalty, "type": "loyalty"}}, "traits": map[string]any{"email": p.email}},
		"properties": map[string]any{"store": p.city, "total": float64(5+r.IntN(200)) - 0.01, "currency": "EUR"}})
}

func (p *persona) billing(t time.Time) {
	r := p.rng
	ev := pick(r, []string{"Payment Received", "Payment Received", "Payment Reminder Sent", "Direct Debit Failed"})
	p.emit(srcBilling, t, map[string]any{"type": "track", "event": ev, "userId": p.userID,
		"properties": map[string]any{"amount": float64(10+r.IntN(300)) - 0.01, "currency": "EUR"}})
}

func (p *persona) social(t time.Time) {
	r := p.rng
	m := map[string]any{"type": "track", "event": "Social Mention",
		"context":    map[string]any{"externalIds": []map[string]any{{"id": p.twitter, "type": "twitter"}}},
		"properties": map[string]any{"sentiment": pick(r, []string{"negative", "neutral", "positive"}), "network": "X"}}
	if r.Float64() < 0.5 { // the social-care team found out who it is
		m["userId"] = p.userID
	}
	p.emit(srcSocial, t, m)
}

// profileUpdate changes the plan and, for customers who signed up without a
// phone number, adds it: that links (merges) their call-center profile.
func (p *persona) profileUpdate(t time.Time) {
	r := p.rng
	p.plan = pick(r, []string{"basic", "plus", "premium"})
	if p.company != "" {
		p.plan = pick(r, []string{"business", "enterprise"})
	}
	p.emit(srcWeb, t, map[string]any{"type": "identify", "userId": p.userID, "traits": p.traits(true)})
	p.phoneAtSignup = true
}
