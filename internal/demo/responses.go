package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// demoSurveys are the demo company's three surveys.
var demoSurveys = []tp.Survey{
	{Name: "Relationship NPS", Type: tp.SurveyNPS, Status: tp.SurveyActive, DefaultLang: "en",
		Questions: []tp.Question{{ID: "reason", Kind: tp.QuestionSingle, Options: []string{"price", "service", "delivery", "quality", "app"}}},
		Texts: map[string]tp.SurveyText{
			"en": {Questions: map[string]tp.QuestionText{"reason": {Label: "What matters most to you?", Options: map[string]string{"price": "Price", "service": "Service", "delivery": "Delivery", "quality": "Product quality", "app": "Website and app"}}}},
			"de": {Questions: map[string]tp.QuestionText{"reason": {Label: "Was ist Ihnen am wichtigsten?", Options: map[string]string{"price": "Preis", "service": "Service", "delivery": "Lieferung", "quality": "Produktqualität", "app": "Website und App"}}}},
			"nl": {Questions: map[string]tp.QuestionText{"reason": {Label: "Wat vindt u het belangrijkst?", Options: map[string]string{"price": "Prijs", "service": "Service", "delivery": "Levering", "quality": "Productkwaliteit", "app": "Website en app"}}}},
		}},
	{Name: "Delivery CSAT", Type: tp.SurveyCSAT, Status: tp.SurveyActive, DefaultLang: "en", Department: "Logistics"},
	{Name: "Service contact CES", Type: tp.SurveyCES, Status: tp.SurveyActive, DefaultLang: "en", Department: "Service"},
}

// loadResponses creates the surveys and about three answers per customer
// over the 18 months, in the customers' languages.
func loadResponses(ctx context.Context, cfg Config, st Store) (int, error) {
	ids := make([]int64, len(demoSurveys))
	for i, s := range demoSurveys {
		s := s
		if err := st.Surveys.CreateSurvey(ctx, &s); err != nil {
			return 0, err
		}
		ids[i] = s.ID
	}
	total, answers := 0, 0
	var batch []tp.ResponseImport
	for i := range cfg.Customers {
		c, err := st.Customers.FindCustomerByIdentity(ctx, tp.Identity{Type: tp.IdentityUserID, Value: fmt.Sprintf("cus-%06d", i+1)})
		if err != nil {
			return total, err
		}
		for _, r := range Responses(cfg, i) {
			r.SurveyID, r.CustomerID = ids[r.SurveyID], c.ID
			batch = append(batch, r)
			if !r.NoAnswer {
				answers++
			}
		}
		if len(batch) >= 2000 || i == cfg.Customers-1 {
			if err := st.Surveys.ImportResponses(ctx, batch); err != nil {
				return total, err
			}
			total, answers = total+answers, 0
			batch = batch[:0]
			if cfg.Progress != nil && (i+1)%5000 < 700 {
				fmt.Fprintf(cfg.Progress, "demo: %d/%d customers' survey answers, %d answers\n", i+1, cfg.Customers, total)
			}
		}
	}
	return total, nil
}

// Responses returns customer i's survey answers; SurveyID is the index into
// the demo surveys. Like Customer, it depends only on the seed, End and i.
func Responses(cfg Config, i int) []tp.ResponseImport {
	p := &persona{idx: i, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1))}
	p.profile(cfg.End)
	r := rand.New(rand.NewPCG(cfg.Seed^0x5eed, uint64(i)+1))
	n := int(math.Round(r.ExpFloat64() * 3))
	var out []tp.ResponseImport
	for range n {
		at := p.start.Add(time.Duration(r.Float64() * float64(cfg.End.Sub(p.start))))
		late := cfg.End.Sub(at) < 91*24*time.Hour
		var rec tp.ResponseImport
		switch x := r.Float64(); {
		case x < 0.42:
			rec = tp.ResponseImport{SurveyID: 0, Channel: "email"}
		case x < 0.75:
			rec = tp.ResponseImport{SurveyID: 1, Channel: "field", Department: "Logistics"}
		default:
			rec = tp.ResponseImport{SurveyID: 2, Channel: pick(r, []string{"phone", "chat"}), Department: "Service"}
		}
		typ := demoSurveys[rec.SurveyID].Type
		score := drawScore(r, typ, p.division, late)
		rec.Score, rec.Division, rec.Language, rec.At = &score, p.division, p.locale, at
		if r.Float64() < 0.45 {
			// The planted emerging topic: in the last three weeks, Online's
			// unhappy customers write about the app crashing at checkout.
			crash := p.division == "Online" && cfg.End.Sub(at) < 21*24*time.Hour
			rec.Comment = comment(r, p.locale, typ, score, crash)
		}
		out = append(out, rec)
		// The invitations nobody answered around it, for response rates as
		// surveys get them: about 28 % by e-mail (relationship NPS), 35 % after
		// a delivery, 40 % after a service contact.
		perAnswer := [3]float64{(1 - 0.28) / 0.28, (1 - 0.35) / 0.35, (1 - 0.40) / 0.40}[rec.SurveyID]
		misses := int(perAnswer)
		if r.Float64() < perAnswer-float64(misses) {
			misses++
		}
		for range misses {
			miss := rec
			miss.NoAnswer, miss.Score, miss.Comment = true, nil, ""
			miss.At = at.Add(-time.Duration(r.IntN(20*24)) * time.Hour)
			out = append(out, miss)
		}
	}
	return out
}

// drawScore draws from a rounded normal around each division's mean. The
// Online division's scores drop in the last quarter: the story the CCO's
// dashboard should find.
func drawScore(r *rand.Rand, typ tp.SurveyType, division string, lastQuarter bool) int {
	means := map[tp.SurveyType]map[string]float64{
		tp.SurveyNPS:  {"Retail": 7.9, "Online": 8.4, "Business": 7.3},
		tp.SurveyCSAT: {"Retail": 4.1, "Online": 4.25, "Business": 3.9},
		tp.SurveyCES:  {"Retail": 5.3, "Online": 5.6, "Business": 4.9},
	}
	sds := map[tp.SurveyType]float64{tp.SurveyNPS: 2.1, tp.SurveyCSAT: 0.95, tp.SurveyCES: 1.3}
	m, _ := typ.Metric()
	mu := means[typ][division]
	if lastQuarter && division == "Online" {
		mu -= sds[typ] * 0.7
	}
	v := int(math.Round(mu + r.NormFloat64()*sds[typ]))
	return max(m.ScaleMin, min(m.ScaleMax, v))
}

// comment writes a short verbatim whose tone follows the score; with crash,
// a negative one is about the app crashing.
func comment(r *rand.Rand, lang string, typ tp.SurveyType, score int, crash bool) string {
	tone := 1 // neutral
	switch {
	case (typ == tp.SurveyNPS && score >= 9) || (typ == tp.SurveyCSAT && score >= 4) || (typ == tp.SurveyCES && score >= 6):
		tone = 2
	case (typ == tp.SurveyNPS && score <= 6) || (typ == tp.SurveyCSAT && score <= 2) || (typ == tp.SurveyCES && score <= 3):
		tone = 0
	}
	topic := "general"
	switch typ {
	case tp.SurveyCSAT:
		topic = "delivery"
	case tp.SurveyCES:
		topic = "service"
	default:
		topic = pick(r, []string{"general", "delivery", "service", "price", "app"})
	}
	if crash && tone == 0 {
		topic = "crash"
	}
	return pick(r, comments[lang][topic][tone])
}

// comments[lang][topic][tone]: tone 0 negative, 1 neutral, 2 positive.
var comments = map[string]map[string][3][]string{
	"en": {
		"general":  {{"Quality has gone down and nobody seems to care.", "Too many problems lately, I am looking elsewhere."}, {"It is fine, nothing special.", "Okay overall, some things could be better."}, {"Great products and friendly people, I recommend you to everyone.", "Always reliable, keep it up!"}},
		"delivery": {{"My parcel arrived a week late and damaged.", "Delivery was late again and tracking was useless."}, {"Delivery took a bit longer than promised.", "Parcel came, packaging could be better."}, {"Fast delivery, well packed, very happy.", "Arrived the next day, excellent!"}},
		"service":  {{"I had to call three times and explain everything again.", "Waited 40 minutes on hold, problem still not solved."}, {"The agent was polite but it took a while.", "Solved in the end, but it needed two contacts."}, {"The agent solved it in one call, thank you!", "Quick and friendly help in the chat."}},
		"price":    {{"Far too expensive for what you get.", "Prices went up again, not worth it anymore."}, {"Prices are okay, not the cheapest.", "Fair price, average quality."}, {"Good value for money.", "Fair prices and regular offers, great."}},
		"crash":    {{"The app crashes at checkout every time, I gave up.", "Checkout crashed twice in the app, order lost."}, {}, {}},
		"app":      {{"The app keeps logging me out, very annoying.", "Checkout on the website failed twice."}, {"The app works, but search could be better.", "Website is okay, a bit slow."}, {"The new app is fast and easy to use.", "Ordering on the website is a breeze."}},
	},
	"de": {
		"general":  {{"Die Qualität ist schlechter geworden und niemanden interessiert es.", "Zu viele Probleme in letzter Zeit, ich schaue mich woanders um."}, {"Alles in Ordnung, nichts Besonderes.", "Insgesamt okay, manches könnte besser sein."}, {"Tolle Produkte und freundliche Mitarbeiter, ich empfehle Sie gern weiter.", "Immer zuverlässig, weiter so!"}},
		"delivery": {{"Mein Paket kam eine Woche zu spät und beschädigt an.", "Die Lieferung war wieder zu spät und die Sendungsverfolgung nutzlos."}, {"Die Lieferung hat etwas länger gedauert als versprochen.", "Paket kam an, die Verpackung könnte besser sein."}, {"Schnelle Lieferung, gut verpackt, sehr zufrieden.", "Am nächsten Tag da, hervorragend!"}},
		"service":  {{"Ich musste dreimal anrufen und alles neu erklären.", "40 Minuten in der Warteschleife, Problem immer noch nicht gelöst."}, {"Der Mitarbeiter war höflich, aber es hat gedauert.", "Am Ende gelöst, aber es brauchte zwei Kontakte."}, {"Der Mitarbeiter hat es in einem Anruf gelöst, danke!", "Schnelle und freundliche Hilfe im Chat."}},
		"price":    {{"Viel zu teuer für das, was man bekommt.", "Die Preise sind schon wieder gestiegen, lohnt sich nicht mehr."}, {"Preise sind okay, nicht die günstigsten.", "Fairer Preis, durchschnittliche Qualität."}, {"Gutes Preis-Leistungs-Verhältnis.", "Faire Preise und regelmäßige Angebote, super."}},
		"crash":    {{"Die App stürzt beim Bezahlen jedes Mal ab, ich habe aufgegeben.", "Beim Bezahlen ist die App zweimal abgestürzt, Bestellung weg."}, {}, {}},
		"app":      {{"Die App meldet mich ständig ab, sehr ärgerlich.", "Die Bestellung auf der Website ist zweimal fehlgeschlagen."}, {"Die App funktioniert, aber die Suche könnte besser sein.", "Die Website ist okay, etwas langsam."}, {"Die neue App ist schnell und einfach.", "Bestellen auf der Website ist kinderleicht."}},
	},
	"nl": {
		"general":  {{"De kwaliteit is achteruitgegaan en niemand lijkt het iets te kunnen schelen.", "Te veel problemen de laatste tijd, ik kijk ergens anders."}, {"Prima, niets bijzonders.", "Over het algemeen oké, sommige dingen kunnen beter."}, {"Mooie producten en vriendelijke mensen, ik raad jullie iedereen aan.", "Altijd betrouwbaar, ga zo door!"}},
		"delivery": {{"Mijn pakket kwam een week te laat en beschadigd aan.", "De levering was weer te laat en de track & trace was nutteloos."}, {"De levering duurde iets langer dan beloofd.", "Pakket kwam aan, de verpakking kan beter."}, {"Snelle levering, goed verpakt, heel tevreden.", "De volgende dag in huis, uitstekend!"}},
		"service":  {{"Ik moest drie keer bellen en alles opnieuw uitleggen.", "40 minuten in de wacht, probleem nog steeds niet opgelost."}, {"De medewerker was beleefd maar het duurde even.", "Uiteindelijk opgelost, maar het kostte twee contacten."}, {"De medewerker loste het in één gesprek op, dank je!", "Snelle en vriendelijke hulp via de chat."}},
		"price":    {{"Veel te duur voor wat je krijgt.", "De prijzen zijn alweer gestegen, niet meer de moeite waard."}, {"Prijzen zijn oké, niet de goedkoopste.", "Eerlijke prijs, gemiddelde kwaliteit."}, {"Goede prijs-kwaliteitverhouding.", "Eerlijke prijzen en regelmatig aanbiedingen, top."}},
		"crash":    {{"De app crasht elke keer bij het afrekenen, ik heb het opgegeven.", "Afrekenen in de app is twee keer gecrasht, bestelling kwijt."}, {}, {}},
		"app":      {{"De app logt me steeds uit, heel irritant.", "Afrekenen op de website mislukte twee keer."}, {"De app werkt, maar zoeken kan beter.", "Website is oké, een beetje traag."}, {"De nieuwe app is snel en makkelijk.", "Bestellen op de website gaat heel makkelijk."}},
	},
}
