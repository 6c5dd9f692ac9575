package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

// bench ingest measures POST /v1/batch over HTTP with identity resolution
// against a raw batched INSERT of the same rows into the same kind of
// database, in one run, and prints both rates and their ratio.
func bench(e *env, args []string) error {
	const u = "bench ingest [--events 200000] [--batch 100] [--clients 4] [--db postgres://…] | bench responses [-h] | bench cases [-h] | bench cockpit [-h] | bench risk [-h]"
	if len(args) > 0 && args[0] == "risk" {
		return benchRisk(e, args[1:])
	}
	if len(args) > 0 && args[0] == "responses" {
		return benchResponses(e, args[1:])
	}
	if len(args) > 0 && args[0] == "cases" {
		return benchCases(e, args[1:])
	}
	if len(args) > 0 && args[0] == "cockpit" {
		return benchCockpit(e, args[1:])
	}
	args, err := subcommand(args, "ingest", u)
	if err != nil {
		return err
	}
	fs := e.flags("bench ingest", u)
	n := fs.Int("events", 200000, "events to send")
	batch := fs.Int("batch", 100, "events per request")
	clients := fs.Int("clients", 4, "concurrent HTTP clients")
	dsn := fs.String("db", "", "PostgreSQL URL to measure on (a scratch schema per side); empty: SQLite files in a temp folder")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the HTTP side to this file")
	rollups := fs.Bool("rollups", true, "run the minute job (rollups, churn scan) over and over during the load")
	rate := fs.Float64("rate", 0, "send at this many events/s (0: as fast as the clients go); for the resolver's lag below its maximum")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *n < *batch || *batch < 1 || *batch > 2000 || *clients < 1 {
		return fmt.Errorf("need events ≥ batch, 1 ≤ batch ≤ 2000, clients ≥ 1: %w", errUsage)
	}
	msgs := benchMessages(*n)
	fmt.Fprintf(e.stderr, "bench: %d events (%d customers, about %d bytes each) in batches of %d\n",
		*n, *n/10, avgLen(msgs), *batch)

	open := func(side string) (*sqldb.Store, func(), error) { return benchDB(e, *dsn, side) }
	stopProfile, err := startProfile(*profile)
	if err != nil {
		return err
	}
	httpRate, lat, dialect, err := benchHTTP(e, open, msgs, *batch, *clients, *rollups, *rate)
	stopProfile()
	if err != nil {
		return err
	}
	rawRate, err := benchRaw(e, open, msgs, *batch, *clients)
	if err != nil {
		return err
	}
	benchHeader(e, "ingest", dialect)
	fmt.Fprintf(e.stdout, "events %d, batch %d, HTTP clients %d\n", *n, *batch, *clients)
	fmt.Fprintf(e.stdout, "POST /v1/batch (identity resolution, durable 200): %8.0f events/s  (request p50 %s, p99 %s)\n",
		httpRate, lat[0].Round(time.Microsecond*100), lat[1].Round(time.Microsecond*100))
	fmt.Fprintf(e.stdout, "raw batched INSERT of the same rows:               %8.0f events/s\n", rawRate)
	fmt.Fprintf(e.stdout, "ratio: %.0f %% of raw\n", 100*httpRate/rawRate)
	return nil
}

func benchHTTP(e *env, open func(string) (*sqldb.Store, func(), error), msgs [][]byte, batch, clients int, rollups bool, rate float64) (float64, [2]time.Duration, string, error) {
	var lat [2]time.Duration
	db, done, err := open("http")
	if err != nil {
		return 0, lat, "", err
	}
	defer done()
	src := &tp.Source{Name: "bench", Channel: "web", Department: "Sales", Division: "Online"}
	if err := db.Sources.CreateSource(e.ctx, src); err != nil {
		return 0, lat, "", err
	}
	base, stop, err := benchServer(e, db, 0)
	if err != nil {
		return 0, lat, "", err
	}
	defer stop()
	url := base + "/v1/batch"
	var busy atomic.Int64
	// The minute job (rollups, the churn scan) runs over and over meanwhile:
	// it must never stall the intake.
	stopJobs := make(chan struct{})
	jobsDone := make(chan int)
	go func() {
		n := 0
		defer func() { jobsDone <- n }()
		for {
			select {
			case <-stopJobs:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if !rollups {
				continue
			}
			if _, err := db.Cockpit.RefreshRollups(tp.WithAccess(e.ctx, tp.SystemAccess)); err != nil {
				fmt.Fprintln(e.stderr, "bench: rollups:", err)
			}
			n++
		}
	}()
	var ackMu sync.Mutex
	var acks []time.Time
	var bodies [][]byte
	for i := 0; i < len(msgs); i += batch {
		var b bytes.Buffer
		b.WriteString(`{"batch":[`)
		b.Write(bytes.Join(msgs[i:min(i+batch, len(msgs))], []byte(",")))
		fmt.Fprintf(&b, `],"sentAt":%q}`, time.Now().UTC().Format(time.RFC3339Nano))
		bodies = append(bodies, b.Bytes())
	}
	var every time.Duration
	if rate > 0 {
		every = time.Duration(float64(time.Second) * float64(batch) / rate)
	}
	elapsed, durs, err := loadHTTP(clients, len(bodies), every, func(c *http.Client, i int) error {
		if i%200 == 199 {
			fmt.Fprintf(e.stderr, "bench: HTTP %d/%d batches\n", i+1, len(bodies))
		}
		for {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(bodies[i]))
			req.SetBasicAuth(src.WriteKey, "")
			req.Header.Set("Content-Type", "application/json")
			err := doOK(c, req)
			if err == nil {
				ackMu.Lock()
				acks = append(acks, time.Now())
				ackMu.Unlock()
			}
			if !errors.Is(err, errBusy) {
				return err
			}
			busy.Add(1) // as SDKs do: wait a little, send again
			time.Sleep(250 * time.Millisecond)
		}
	})
	close(stopJobs)
	jobRuns := <-jobsDone
	if err != nil {
		return 0, lat, "", fmt.Errorf("HTTP side: %w", err)
	}
	slices.SortFunc(acks, func(a, b time.Time) int { return a.Compare(b) })
	var pause time.Duration
	for i := 1; i < len(acks); i++ {
		pause = max(pause, acks[i].Sub(acks[i-1]))
	}
	fmt.Fprintf(e.stderr, "bench: the rollup and churn job ran %d times during the load; longest pause between acknowledgements %s\n",
		jobRuns, pause.Round(time.Millisecond))
	t0 := time.Now()
	if err := db.DrainIntake(e.ctx); err != nil {
		return 0, lat, "", err
	}
	st := db.IntakeStats()
	fmt.Fprintf(e.stderr, "bench: acknowledged in %s, resolved %s later; resolver lag p50 %s, p99 %s; %d answers 503 (sent again)\n",
		elapsed.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond), st.LagP50.Round(time.Millisecond), st.LagP99.Round(time.Millisecond), busy.Load())
	elapsed += time.Since(t0)
	stored, err := db.CountEvents(e.ctx)
	if err != nil {
		return 0, lat, "", err
	}
	if stored != len(msgs) {
		return 0, lat, "", fmt.Errorf("HTTP side stored %d events, sent %d", stored, len(msgs))
	}
	lat = [2]time.Duration{durs[len(durs)/2], durs[len(durs)*99/100]}
	return float64(len(msgs)) / elapsed.Seconds(), lat, db.Dialect(), nil
}

// loadHTTP runs do for requests 0…n−1 from clients goroutines and returns
// the elapsed time and the sorted request latencies; it reports the first error.
// benchHeader prints what a benchmark ran on: the database, the machine, Go and the day.
func benchHeader(e *env, what, dialect string) {
	fmt.Fprintf(e.stdout, "touchpoint bench %s — %s, %s, %d CPUs, %s, %s\n", what, dialect, cpuModel(), runtime.NumCPU(),
		runtime.Version(), time.Now().UTC().Format("2006-01-02"))
}

// With every > 0 request i is released no earlier than i·every after the
// start (a fixed rate, as long as the clients keep up).
func loadHTTP(clients, n int, every time.Duration, do func(c *http.Client, i int) error) (time.Duration, []time.Duration, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: time.Minute}
	work := make(chan int)
	var mu sync.Mutex
	durs := make([]time.Duration, 0, n)
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				t0 := time.Now()
				err := do(client, i)
				mu.Lock()
				durs = append(durs, time.Since(t0))
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		if every > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
		}
		work <- i
	}
	close(work)
	wg.Wait()
	slices.Sort(durs)
	return time.Since(start), durs, firstErr
}

// benchDB opens an empty database for one side of a benchmark: a SQLite file
// in a temp folder, or a scratch schema when dsn names a PostgreSQL server.
// The returned func closes it and removes the folder or schema.
func benchDB(e *env, dsn, side string) (*sqldb.Store, func(), error) {
	if dsn == "" {
		dir, err := os.MkdirTemp("", "tp-bench-")
		if err != nil {
			return nil, nil, err
		}
		db, err := e.open(filepath.Join(dir, side+".db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }, nil
	}
	scratch, drop, err := sqldb.ScratchSchema(e.ctx, dsn, "bench_"+side)
	if err != nil {
		return nil, nil, err
	}
	db, err := e.open(scratch)
	if err != nil {
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}

// benchServer serves db's web handler on a loopback port and returns its
// base URL. Errors are logged; request lines are not (they would drown the
// figures).
func benchServer(e *env, db *sqldb.Store, rateLimit int) (string, func(), error) {
	srv := WebServer(db, slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	srv.RateLimit = rateLimit
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() { hs.Close() }, nil
}

// errBusy is a 503: the server asks to send again later.
var errBusy = errors.New("503 service unavailable")

// doOK sends req and fails unless the answer is 200.
func doOK(c *http.Client, req *http.Request) error {
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusServiceUnavailable {
		return errBusy
	}
	if res.StatusCode != 200 {
		return fmt.Errorf("status %d: %s", res.StatusCode, msg)
	}
	return nil
}

// benchRaw inserts the same events, with their customer ids known in
// advance, through one multi-row INSERT per batch and transaction.
func benchRaw(e *env, open func(string) (*sqldb.Store, func(), error), msgs [][]byte, batch, clients int) (float64, error) {
	db, done, err := open("raw")
	if err != nil {
		return 0, err
	}
	defer done()
	src := &tp.Source{Name: "bench", Channel: "web", Department: "Sales", Division: "Online"}
	if err := db.Sources.CreateSource(e.ctx, src); err != nil {
		return 0, err
	}
	custIDs, err := db.BenchCreateCustomers(e.ctx, len(msgs)/10)
	if err != nil {
		return 0, err
	}
	now := time.Now()
	rows := make([][]any, len(msgs))
	for i, raw := range msgs {
		m, err := track.DecodeLine(raw, now)
		if err != nil {
			return 0, err
		}
		var c int
		fmt.Sscanf(m.UserID, "u-%d", &c)
		var traits any
		if len(m.Traits) > 0 && m.Type == tp.EventIdentify {
			b, _ := json.Marshal(m.Traits)
			traits = string(b)
		}
		rows[i] = []any{m.MessageID, src.ID, custIDs[c], string(m.Type), m.Name, src.Channel, src.Department, src.Division,
			tp.ToMicros(m.Timestamp), tp.ToMicros(m.ReceivedAt), m.UserID, m.AnonymousID, string(m.Properties), traits, string(m.Context)}
	}
	if db.Dialect() == sqldb.SQLite {
		clients = 1 // one writer: more would only queue
	}
	work := make(chan [][]any)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				if err := db.BenchRawInsertEvents(e.ctx, b); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < len(rows); i += batch {
		work <- rows[i:min(i+batch, len(rows))]
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return 0, fmt.Errorf("raw side: %w", firstErr)
	}
	return float64(len(rows)) / time.Since(start).Seconds(), nil
}

// benchMessages makes n realistic messages for n/10 customers, interleaved:
// each customer's first message is an identify with e-mail and traits, the
// rest are tracks and pages (a tenth are trait updates).
func benchMessages(n int) [][]byte {
	r := rand.New(rand.NewPCG(42, 42))
	customers := max(1, n/10)
	seen := make([]bool, customers)
	base := time.Now().UTC().Add(-30 * 24 * time.Hour)
	out := make([][]byte, n)
	for i := range out {
		c := r.IntN(customers)
		m := map[string]any{"messageId": fmt.Sprintf("bench-%d", i), "userId": fmt.Sprintf("u-%d", c),
			"anonymousId": fmt.Sprintf("a-%d-%d", c, r.IntN(2)),
			"timestamp":   base.Add(time.Duration(i) * time.Second).Format(time.RFC3339Nano),
			"context": map[string]any{"library": map[string]any{"name": "analytics-node", "version": "3.1.0"},
				"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
				"locale": "de-DE"}}
		switch x := r.Float64(); {
		case !seen[c] || x < 0.1:
			seen[c] = true
			m["type"] = "identify"
			m["traits"] = map[string]any{"email": fmt.Sprintf("customer%d@example.com", c), "name": fmt.Sprintf("Customer %d", c),
				"plan": []string{"basic", "plus", "premium"}[r.IntN(3)], "country": "DE"}
		case x < 0.7:
			m["type"], m["event"] = "track", []string{"Product Viewed", "Order Completed", "Cart Viewed"}[r.IntN(3)]
			m["properties"] = map[string]any{"product_id": fmt.Sprintf("P-%d", r.IntN(5000)), "price": r.IntN(20000) / 100, "currency": "EUR"}
		default:
			m["type"], m["name"] = "page", "Product"
			m["properties"] = map[string]any{"url": fmt.Sprintf("https://shop.example/p/%d", r.IntN(5000)), "title": "Product"}
		}
		out[i], _ = json.Marshal(m)
	}
	return out
}

// startProfile starts a CPU profile into path (none when empty); the
// returned func stops it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func avgLen(msgs [][]byte) int {
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	return total / max(1, len(msgs))
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
