package demo

import (
	"context"
	"fmt"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// The demo's customer council: premium and enterprise customers invited,
// two in three joined, one session on delivery with answers, ideas with
// votes, one adopted and done, one declined.

var councilAnswers = map[string][2]string{
	"en": {"Parcels come when nobody is home; let me choose the day.", "Returns take too long to be refunded."},
	"de": {"Pakete kommen, wenn niemand zu Hause ist; ich möchte den Tag wählen.", "Die Erstattung bei Rücksendungen dauert zu lange."},
	"nl": {"Pakketten komen als er niemand thuis is; laat mij de dag kiezen.", "Het terugbetalen van retouren duurt te lang."},
}

var councilIdeas = []struct{ title, body string }{
	{"Saturday delivery", "Let customers choose Saturday at checkout."},
	{"Refund on drop-off", "Refund a return as soon as the parcel is handed in, not when it arrives."},
	{"One contact person for business customers", ""},
	{"Repair instead of replace", "Offer a repair service for broken products."},
	{"Plain-language invoices", ""},
}

func loadCouncil(ctx context.Context, cfg Config, st Store, ids map[string]int64) error {
	seg := &tp.Segment{Name: "Premium and enterprise customers", Conditions: []tp.Condition{{Kind: "any", Any: []tp.Condition{
		{Kind: "trait", Key: "plan", Op: "eq", Value: "premium"}, {Kind: "trait", Key: "plan", Op: "eq", Value: "enterprise"}}}}}
	if err := st.Segments.CreateSegment(ctx, seg); err != nil {
		return fmt.Errorf("demo council segment: %w", err)
	}
	c := &tp.Council{Name: "Customer council"}
	if err := st.Council.CreateCouncil(ctx, c); err != nil {
		return err
	}
	if _, err := st.Council.Recruit(ctx, c.ID, seg.ID, 24); err != nil {
		return fmt.Errorf("demo council recruitment: %w", err)
	}
	members, err := st.Council.CouncilMembers(ctx, c.ID)
	if err != nil {
		return err
	}
	public := tp.WithAccess(ctx, tp.Access{Actor: "public", Role: tp.RolePublic})
	var joined []string // their links
	var langs []string
	for i, m := range members {
		token, err := st.Council.MemberLink(ctx, m.ID)
		if err != nil {
			return err
		}
		switch i % 6 {
		case 4: // stays invited: has not answered yet
		case 5:
			err = st.Council.RespondInvitation(public, token, false)
		default:
			err = st.Council.RespondInvitation(public, token, true)
			joined, langs = append(joined, token), append(langs, m.Locale)
		}
		if err != nil {
			return err
		}
	}
	sess := &tp.CouncilSession{CouncilID: c.ID, Topic: "Delivery and returns", At: cfg.End.AddDate(0, 0, -20),
		Agenda:    "1. How deliveries fit your day\n2. Returns and refunds\n3. Your ideas",
		Minutes:   "The council asked for a choice of delivery day and faster refunds. Logistics will test Saturday delivery.",
		Questions: []tp.CouncilQuestion{{Text: "What annoys you most about our deliveries?"}, {Text: "How should returns work for you?"}}}
	if err := st.Council.CreateSession(ctx, sess); err != nil {
		return err
	}
	var ideas []int64
	for i, token := range joined {
		a := councilAnswers[langs[i]]
		if a[0] == "" {
			a = councilAnswers["en"]
		}
		for q := range sess.Questions {
			if (i+q)%3 == 2 { // not everybody answers everything
				continue
			}
			if err := st.Council.AnswerQuestion(public, token, sess.Questions[q].ID, a[q]); err != nil {
				return err
			}
		}
		if i < len(councilIdeas) {
			idea := &tp.CouncilIdea{Title: councilIdeas[i].title, Body: councilIdeas[i].body}
			if err := st.Council.PostIdea(public, token, idea); err != nil {
				return err
			}
			ideas = append(ideas, idea.ID)
		}
	}
	for i, token := range joined { // earlier ideas get more votes
		for k, id := range ideas {
			if i%(k+1) == 0 {
				if err := st.Council.Vote(public, token, id, true); err != nil {
					return err
				}
			}
		}
	}
	if len(ideas) < 4 {
		return nil // a tiny demo: too few members for the decisions
	}
	action := &tp.ActionItem{Department: "Logistics", OwnerID: ids["logistics.head@example.com"], Due: cfg.End.AddDate(0, 0, -3).Format(time.DateOnly)}
	if err := st.Council.IdeaToAction(ctx, ideas[0], action); err != nil {
		return err
	}
	done := tp.ActionDone
	if _, err := st.Actions.UpdateAction(ctx, action.ID, tp.ActionChange{Status: &done, Comment: "Saturday delivery bookable in checkout since last week."}); err != nil {
		return err
	}
	if err := st.Council.DecideIdea(ctx, ideas[0], tp.IdeaAdopted, "Saturday delivery is bookable at checkout."); err != nil {
		return err
	}
	return st.Council.DecideIdea(ctx, ideas[3], tp.IdeaDeclined, "Not this year: repairs need partners we do not have yet.")
}
