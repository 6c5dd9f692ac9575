package app

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// benchResponses measures (1) answer submission over HTTP through personal
// links and (2) the results query by division × month on a survey with many
// responses, against the same numbers computed by a plain GROUP BY over the
// raw responses, in the same run.
func benchResponses(e *env, args []string) error {
	fs := e.flags("bench responses", "bench responses [--submit 20000] [--clients 8] [--responses 1000000] [--db postgres://…]")
	submit := fs.Int("submit", 20000, "answers to submit over HTTP")
	clients := fs.Int("clients", 8, "concurrent HTTP clients")
	total := fs.Int("responses", 1000000, "responses in the survey queried for results")
	dsn := fs.String("db", "", "PostgreSQL URL (a scratch schema); empty: a SQLite file in a temp folder")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the submission to this file")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, done, err := benchDB(e, *dsn, "resp")
	if err != nil {
		return err
	}
	defer done()
	benchHeader(e, "responses", db.Dialect())

	// (1) Submission.
	sv := &tp.Survey{Name: "bench", Type: tp.SurveyNPS, Status: tp.SurveyActive}
	if err := db.Surveys.CreateSurvey(e.ctx, sv); err != nil {
		return err
	}
	custs, err := db.BenchCreateCustomers(e.ctx, *submit)
	if err != nil {
		return err
	}
	tokens, err := db.BenchCreateInvitations(e.ctx, sv.ID, custs)
	if err != nil {
		return err
	}
	base, stop, err := benchServer(e, db, -1)
	if err != nil {
		return err
	}
	defer stop()
	r := rand.New(rand.NewPCG(1, 1))
	scores := make([]int, len(tokens))
	for i := range scores {
		scores[i] = r.IntN(11)
	}
	stopProfile, err := startProfile(*profile)
	if err != nil {
		return err
	}
	elapsed, durs, err := loadHTTP(*clients, len(tokens), 0, func(c *http.Client, i int) error {
		body := fmt.Sprintf(`{"score":%d,"comment":"bench answer","complete":true}`, scores[i])
		req, _ := http.NewRequest("POST", base+"/v1/responses/"+tokens[i], bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		return doOK(c, req)
	})
	stopProfile()
	if err != nil {
		return fmt.Errorf("submission: %w", err)
	}
	fmt.Fprintf(e.stdout, "answer submission over HTTP (%d answers, %d clients): %.0f answers/s, p50 %s, p99 %s\n", *submit, *clients,
		float64(*submit)/elapsed.Seconds(), durs[len(durs)/2].Round(time.Microsecond*100), durs[len(durs)*99/100].Round(time.Microsecond*100))

	// (2) Results over many responses.
	big := &tp.Survey{Name: "bench results", Type: tp.SurveyNPS, Status: tp.SurveyActive}
	if err := db.Surveys.CreateSurvey(e.ctx, big); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "bench: inserting %d responses…\n", *total)
	if err := db.BenchInsertResponses(e.ctx, big.ID, *total, time.Now(), func(done int) {
		if done%100000 == 0 {
			fmt.Fprintf(e.stderr, "bench: %d responses\n", done)
		}
	}); err != nil {
		return err
	}
	q := tp.ResultsQuery{SurveyID: big.ID, By: "division", Period: "month"}
	measure := func(fn func() (*tp.Results, error), runs int) ([]time.Duration, *tp.Results, error) {
		var ds []time.Duration
		var last *tp.Results
		for range runs {
			t0 := time.Now()
			res, err := fn()
			if err != nil {
				return nil, nil, err
			}
			ds, last = append(ds, time.Since(t0)), res
		}
		slices.Sort(ds)
		return ds, last, nil
	}
	rollup, a, err := measure(func() (*tp.Results, error) { return db.Surveys.SurveyResults(e.ctx, q) }, 50)
	if err != nil {
		return err
	}
	naive, b, err := measure(func() (*tp.Results, error) { return db.Surveys.SurveyResultsFromResponses(e.ctx, q) }, 5)
	if err != nil {
		return err
	}
	if a.Total.Estimate != b.Total.Estimate || len(a.Rows) != len(b.Rows) {
		return fmt.Errorf("rollup and raw results differ: %+v vs %+v", a.Total.Estimate, b.Total.Estimate)
	}
	p95 := func(ds []time.Duration) time.Duration { return ds[(len(ds)*95+99)/100-1] }
	fmt.Fprintf(e.stdout, "results by division × month, %d responses (%d rows): rollup p50 %s p95 %s; plain GROUP BY p50 %s p95 %s; %.0f× faster\n",
		*total, len(a.Rows), rollup[len(rollup)/2].Round(time.Microsecond*100), p95(rollup).Round(time.Microsecond*100),
		naive[len(naive)/2].Round(time.Millisecond), p95(naive).Round(time.Millisecond), float64(naive[len(naive)/2])/float64(rollup[len(rollup)/2]))
	return nil
}
