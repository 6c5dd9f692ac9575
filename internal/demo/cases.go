package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// topics of demo complaints: category, owning department, subject per language.
var topics = []struct {
	category, department, comments string
	subject                        map[string]string
}{
	{"delivery", "Logistics", "delivery", map[string]string{"en": "Where is my parcel?", "de": "Wo ist mein Paket?", "nl": "Waar is mijn pakket?"}},
	{"billing", "Billing", "price", map[string]string{"en": "My invoice is wrong", "de": "Meine Rechnung ist falsch", "nl": "Mijn factuur klopt niet"}},
	{"product", "Service", "general", map[string]string{"en": "Product arrived broken", "de": "Produkt kam defekt an", "nl": "Product kwam kapot aan"}},
	{"app", "Product", "app", map[string]string{"en": "I cannot log in to the app", "de": "Ich kann mich nicht in der App anmelden", "nl": "Ik kan niet inloggen in de app"}},
	{"service", "Service", "service", map[string]string{"en": "Nobody called me back", "de": "Niemand hat mich zurückgerufen", "nl": "Niemand heeft mij teruggebeld"}},
}

var agentTexts = map[string][3]string{ // first reply, asking the customer, solution
	"en": {"Thank you for your message, we are looking into it and will come back to you shortly.", "Could you send us your order number?", "We have solved it for you; a refund is on its way. Sorry for the trouble!"},
	"de": {"Vielen Dank für Ihre Nachricht, wir kümmern uns darum und melden uns in Kürze.", "Könnten Sie uns Ihre Bestellnummer schicken?", "Wir haben es für Sie gelöst; eine Erstattung ist unterwegs. Entschuldigen Sie die Umstände!"},
	"nl": {"Dank voor uw bericht, we zoeken het uit en komen snel bij u terug.", "Kunt u ons uw bestelnummer sturen?", "We hebben het voor u opgelost; een terugbetaling is onderweg. Excuses voor het ongemak!"},
}

var customerFollowUp = map[string]string{"en": "Here it is: order O-12345.", "de": "Hier ist sie: Bestellung O-12345.", "nl": "Hier is het: bestelling O-12345."}

// Cases returns customer i's complaints: about half the customers complain
// once or twice, and a third of the detractor answers open a case (closed
// loop). Like Customer, it depends only on the seed, End and i.
func Cases(cfg Config, i int) []tp.CaseImport {
	p := &persona{idx: i, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1))}
	p.profile(cfg.End)
	r := rand.New(rand.NewPCG(cfg.Seed^0xca5e, uint64(i)+1))
	cal, _ := tp.WeekdayCalendar("default", "Europe/Berlin", "DE", 8*time.Hour, 18*time.Hour)
	var out []tp.CaseImport
	n := 0
	if x := r.Float64(); x < 0.10 {
		n = 2
	} else if x < 0.45 {
		n = 1
	}
	who := rand.New(rand.NewPCG(cfg.Seed^0xa6e7, uint64(i)+1)) // apart from r, so the cases stay as they were
	for range n {
		at := p.start.Add(time.Duration(r.Float64() * float64(cfg.End.Sub(p.start))))
		t := topics[r.IntN(len(topics))]
		out = append(out, demoCase(r, cal, cfg, p, agentFor(who, t.department), at, t.category, t.department, t.subject[p.locale],
			pick(r, comments[p.locale][t.comments][0]), sourceFor(r)))
	}
	for _, resp := range Responses(cfg, i) {
		typ := demoSurveys[resp.SurveyID].Type
		if resp.Score == nil || !typ.Detractor(*resp.Score) || r.Float64() > 0.35 {
			continue
		}
		dept := resp.Department
		if dept == "" {
			dept = "Service"
		}
		body := resp.Comment
		if body == "" {
			body = "(no comment)"
		}
		c := demoCase(r, cal, cfg, p, agentFor(who, dept), resp.At.Add(2*time.Minute), tp.CategoryDetractor, dept,
			fmt.Sprintf("Detractor: %s %s %d", demoSurveys[resp.SurveyID].Name, typ, *resp.Score), body, tp.CaseFromSurvey)
		out = append(out, c)
	}
	return out
}

func sourceFor(r *rand.Rand) string {
	switch x := r.Float64(); {
	case x < 0.6:
		return tp.CaseFromEmail
	case x < 0.8:
		return tp.CaseFromWeb
	}
	return tp.CaseFromPhone
}

// demoCase plays a case's life: a first reply after a business-time delay
// (sometimes past its SLA), sometimes a question to the customer, the
// solution, sometimes a reopening; what lies after End has not happened yet.
func demoCase(r *rand.Rand, cal *tp.BusinessCalendar, cfg Config, p *persona, ag agent, at time.Time, category, dept, subject, body, source string) tp.CaseImport {
	end := cfg.End
	channel := map[string]string{tp.CaseFromEmail: "email", tp.CaseFromWeb: "web", tp.CaseFromPhone: "phone", tp.CaseFromSurvey: "email"}[source]
	prio := tp.PriorityNormal
	switch x := r.Float64(); {
	case x < 0.3:
		prio = tp.PriorityHigh
	case x < 0.4:
		prio = tp.PriorityLow
	}
	ci := tp.CaseImport{Case: tp.Case{Subject: subject, Description: body, Channel: channel, Source: source, Category: category,
		Priority: prio, Department: dept, Division: p.division, Status: tp.CaseNew, CreatedAt: at}}
	c := &ci.Case
	txt := agentTexts[p.locale]
	agent := "user:" + ag.email
	event := func(t time.Time, kind, old, new, body string, public bool, actor string) bool {
		if t.After(end) {
			return false
		}
		ci.Events = append(ci.Events, tp.CaseEvent{At: t, Actor: actor, Kind: kind, Field: map[bool]string{true: "status"}[kind == "status"],
			Old: old, New: new, Body: body, Public: public})
		c.UpdatedAt = t
		return true
	}
	move := func(t time.Time, to tp.CaseStatus) bool {
		if !event(t, "status", string(c.Status), string(to), "", false, agent) {
			return false
		}
		c.Status = to
		return true
	}
	replyAt := cal.Due(at, time.Duration(r.ExpFloat64()*3.5*ag.slow*float64(time.Hour)))
	quick := r.Float64() < ag.fcr(cfg, category, at) // the first reply solves it: first-contact resolution
	first := txt[0]
	if quick {
		first = txt[2]
	}
	if !event(replyAt, "reply", "", "", first, true, agent) {
		return ci
	}
	c.FirstReplyAt = &replyAt
	if !move(replyAt, tp.CaseOpen) {
		return ci
	}
	t := replyAt
	if quick {
		if !move(replyAt.Add(time.Minute), tp.CaseResolved) {
			return ci
		}
		resolved := replyAt.Add(time.Minute)
		c.ResolvedAt = &resolved
		c.ResolutionCode = pick(r, []string{"explained", "fixed"})
		move(resolved.Add(5*24*time.Hour), tp.CaseClosed)
		return ci
	}
	if r.Float64() < 0.2 { // a question to the customer pauses the clock until she answers
		if !event(t.Add(time.Minute), "reply", "", "", txt[1], true, agent) || !move(t.Add(time.Minute), tp.CasePendingCustomer) {
			return ci
		}
		t = t.Add(time.Duration(2+r.IntN(40)) * time.Hour)
		if !event(t, "inbound", "", "", customerFollowUp[p.locale], true, "mail:"+p.email) || !move(t, tp.CaseOpen) {
			return ci
		}
	}
	resolveAt := cal.Due(t, time.Duration(r.ExpFloat64()*14*float64(time.Hour)))
	if !event(resolveAt, "reply", "", "", txt[2], true, agent) || !move(resolveAt, tp.CaseResolved) {
		return ci
	}
	c.ResolvedAt = &resolveAt
	c.ResolutionCode = pick(r, []string{"refund", "replacement", "explained", "fixed"})
	if r.Float64() < 0.07 { // not solved after all
		back := resolveAt.Add(time.Duration(4+r.IntN(60)) * time.Hour)
		if !event(back, "inbound", "", "", pick(r, comments[p.locale]["general"][0]), true, "mail:"+p.email) || !move(back, tp.CaseOpen) {
			return ci
		}
		c.ResolvedAt = nil
		again := cal.Due(back, time.Duration(2+r.IntN(10))*time.Hour)
		if !event(again, "reply", "", "", txt[2], true, agent) || !move(again, tp.CaseResolved) {
			return ci
		}
		c.ResolvedAt = &again
		resolveAt = again
	}
	move(resolveAt.Add(5*24*time.Hour), tp.CaseClosed)
	return ci
}

func lowerDept(d string) []byte {
	b := []byte(d)
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	return b
}

// replyTemplates are the demo's saved answers, one wording per language.
var replyTemplates = []tp.ReplyTemplate{
	{Name: "Late delivery", Language: "en", Body: "Dear {name},\n\nI am sorry your parcel is late. I have asked the carrier to trace it and will write to you again within one working day about {case}."},
	{Name: "Late delivery", Language: "de", Body: "Hallo {name},\n\nes tut mir leid, dass Ihr Paket noch nicht da ist. Ich habe eine Nachforschung beim Zusteller beauftragt und melde mich innerhalb eines Werktags zu {case}."},
	{Name: "Late delivery", Language: "nl", Body: "Beste {name},\n\nhet spijt me dat uw pakket te laat is. Ik heb de vervoerder gevraagd het op te sporen en laat binnen één werkdag van me horen over {case}."},
	{Name: "Refund sent", Language: "en", Body: "Dear {name},\n\nthe refund for {subject} is on its way and reaches your account within five working days."},
	{Name: "Refund sent", Language: "de", Body: "Hallo {name},\n\ndie Erstattung zu „{subject}“ ist angewiesen und innerhalb von fünf Werktagen auf Ihrem Konto."},
	{Name: "Refund sent", Language: "nl", Body: "Beste {name},\n\nde terugbetaling voor {subject} is onderweg en staat binnen vijf werkdagen op uw rekening."},
}

// loadCases records every customer's cases and the reply templates.
func loadCases(ctx context.Context, cfg Config, st Store) (int, error) {
	for i := range replyTemplates {
		t := replyTemplates[i] // Save sets the id; the package's list stays untouched
		if err := st.Cases.SaveReplyTemplate(ctx, &t); err != nil {
			return 0, err
		}
	}
	ids, err := userIDs(ctx, st)
	if err != nil {
		return 0, err
	}
	total := 0
	var batch []tp.CaseImport
	for i := range cfg.Customers {
		cs := Cases(cfg, i)
		if len(cs) > 0 {
			c, err := st.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: tp.IdentityUserID, Value: fmt.Sprintf("cus-%06d", i+1)})
			if err != nil {
				return total, err
			}
			for k := range cs {
				cs[k].Case.CustomerID = c.ID
				if len(cs[k].Events) > 0 { // who answered first holds it; nobody for a department's address
					cs[k].Case.AssigneeID = ids[strings.TrimPrefix(cs[k].Events[0].Actor, "user:")]
				}
			}
			batch = append(batch, cs...)
		}
		if len(batch) >= 1000 || i == cfg.Customers-1 {
			if err := st.Cases.ImportCases(ctx, batch); err != nil {
				return total, err
			}
			total += len(batch)
			batch = batch[:0]
			if cfg.Progress != nil && (i+1)%5000 < 400 {
				fmt.Fprintf(cfg.Progress, "demo: %d/%d customers' cases, %d cases\n", i+1, cfg.Customers, total)
			}
		}
	}
	return total, nil
}
