package demo

import (
	"context"
	"math/rand/v2"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// agent is a demo agent and how they work: their chance to solve a case
// with the first reply and how much slower than usual they first answer.
type agent struct {
	email string
	solve float64 // first-contact resolution chance
	slow  float64 // factor on the time to first reply
}

// roster is who works each department's cases; a department without one
// is worked under its own address, which is nobody's login.
var roster = map[string][]agent{
	"Service":   {{"agent@example.com", 0.45, 1}, {"mia.service@example.com", 0.35, 1}, {"tom.service@example.com", 0.35, 1.2}},
	"Logistics": {{"lea.logistics@example.com", 0.4, 0.8}, {"max.logistics@example.com", 0.3, 2}},
	"Billing":   {{"ben.billing@example.com", 0.35, 1}},
	"Product":   {{"pia.product@example.com", 0.35, 1}},
}

// The planted training: Tom solved few callback complaints (category
// "service") at first contact until his coaching, TrainedDaysAgo days
// before End; product complaints stay his weak spot, a training need.
const (
	trainee        = "tom.service@example.com"
	TrainedDaysAgo = 100
)

func agentFor(r *rand.Rand, dept string) agent {
	team := roster[dept]
	if len(team) == 0 {
		return agent{email: string(lowerDept(dept)) + "@example.com", solve: 0.35, slow: 1}
	}
	return team[r.IntN(len(team))]
}

// fcr is the agent's chance to solve a case of category at time at.
func (a agent) fcr(cfg Config, category string, at time.Time) float64 {
	if a.email != trainee {
		return a.solve
	}
	switch {
	case category == "product":
		return 0.12
	case category == "service" && at.Before(cfg.End.AddDate(0, 0, -TrainedDaysAgo)):
		return 0.12
	case category == "service":
		return 0.45
	}
	return a.solve
}

// loadPeople records the planted coaching with its completion.
func loadPeople(ctx context.Context, cfg Config, st Store, ids map[string]int64) error {
	done := cfg.End.AddDate(0, 0, -TrainedDaysAgo)
	t := &tp.Training{Title: "Call-back coaching", Kind: tp.TrainingCoaching, OwnerID: ids["service.head@example.com"], Department: "Service",
		Metric: "fcr", Category: "service", Due: done, Participants: []tp.TrainingParticipant{{UserID: ids[trainee]}}}
	if err := st.People.CreateTraining(ctx, t); err != nil {
		return err
	}
	return st.People.CompleteTraining(ctx, t.ID, ids[trainee], done)
}
