package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/app"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

// crashChildEnv makes this test binary a touchpoint server (see TestMain):
// the crash test needs a process it can kill -9.
const crashChildEnv = "TOUCHPOINT_CRASH_CHILD"

// TestMain runs the tests, or, with crashChildEnv set, is the server that
// TestKillNineUnderLoad kills: "serve --addr … --db …", stopped by SIGTERM
// as cmd/touchpoint is.
func TestMain(m *testing.M) {
	args := os.Getenv(crashChildEnv)
	if args == "" {
		os.Exit(m.Run())
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	err := app.Run(ctx, strings.Fields(args), os.Getenv, strings.NewReader(""), os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestKillNineUnderLoad kills the server with SIGKILL at random moments while
// clients send batches, and starts it again on the same database. Clients
// send a batch again until it is answered 200, as the SDKs do. Afterwards
// every message is stored exactly once: each acknowledged one is there, none
// twice, every customer has its traits, and the intake's resolution caught
// up after each restart.
func TestKillNineUnderLoad(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		killNineUnderLoad(t, filepath.Join(t.TempDir(), "crash.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("TOUCHPOINT_TEST_POSTGRES")
		if base == "" {
			if os.Getenv("TOUCHPOINT_POSTGRES_REQUIRED") == "1" {
				t.Fatal("TOUCHPOINT_POSTGRES_REQUIRED=1 but TOUCHPOINT_TEST_POSTGRES is empty")
			}
			t.Skip("needs TOUCHPOINT_TEST_POSTGRES")
		}
		dsn, drop, err := sqldb.ScratchSchema(context.Background(), base, "crash")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(drop)
		killNineUnderLoad(t, dsn)
	})
}

func killNineUnderLoad(t *testing.T, dsn string) {
	key := cli(t, "", "source", "create", "--name", "Crash", "--db", dsn)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url := "http://" + addr

	var proc *exec.Cmd
	var logs bytes.Buffer
	startServer := func() {
		proc = exec.Command(os.Args[0])
		proc.Env = append(os.Environ(), crashChildEnv+"=serve --addr "+addr+" --db "+dsn)
		proc.Stdout = io.Discard
		stderr, _ := proc.StderrPipe()
		if err := proc.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(stderr)
			once := sync.Once{}
			for sc.Scan() {
				line := sc.Text()
				logs.WriteString(line + "\n")
				if strings.Contains(line, "touchpoint listening") {
					once.Do(func() { close(ready) })
				}
			}
		}()
		select {
		case <-ready:
		case <-time.After(2 * time.Minute):
			t.Fatalf("the server did not start again\n%s", logs.String())
		}
	}
	startServer()

	const workers, batches, size = 4, 200, 20
	var acked, resent atomic.Int64
	var killed atomic.Bool // the load goes on until the third kill is behind it, however fast the machine
	var sent [workers]int  // batches each worker had acknowledged
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < batches || !killed.Load(); b++ {
				var body bytes.Buffer
				body.WriteString(`{"batch":[`)
				for i := range size {
					if i > 0 {
						body.WriteByte(',')
					}
					u := (w*batches*size + b*size + i) % 53
					if i%5 == 0 { // identifies with traits; a customer's anonymous id comes with them
						fmt.Fprintf(&body, `{"type":"identify","userId":"u-%d","anonymousId":"a-%d","messageId":"m-%d-%d-%d","traits":{"email":"c%d@example.com","plan":"p%d"}}`, u, u, w, b, i, u, b)
					} else {
						fmt.Fprintf(&body, `{"type":"track","event":"Viewed","userId":"u-%d","messageId":"m-%d-%d-%d"}`, u, w, b, i)
					}
				}
				body.WriteString(`]}`)
				time.Sleep(5 * time.Millisecond) // paced, so that the kills fall amid the load
				for attempt := 0; ; attempt++ {
					if attempt > 0 {
						resent.Add(1)
						time.Sleep(30 * time.Millisecond)
					}
					req, _ := http.NewRequest("POST", url+"/v1/batch", bytes.NewReader(body.Bytes()))
					req.SetBasicAuth(key, "")
					res, err := client.Do(req)
					if err != nil {
						continue // killed: send again once it is back
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode == 200 {
						acked.Add(size)
						sent[w] = b + 1
						break
					}
					if attempt > 2000 {
						t.Errorf("batch %d-%d never acknowledged (last status %d)", w, b, res.StatusCode)
						return
					}
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	kills := 0
	for kills < 3 {
		time.Sleep(time.Duration(150+r.IntN(500)) * time.Millisecond)
		select {
		case <-done:
			t.Fatalf("the load ended after %d kills; it must outlast 3", kills)
		default:
		}
		if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		proc.Wait()
		kills++
		if kills == 3 {
			killed.Store(true)
		}
		t.Logf("kill -9 number %d after %d messages acknowledged", kills, acked.Load())
		startServer()
	}
	<-done
	// Stop as an operator would; then look at the database directly.
	proc.Process.Signal(syscall.SIGTERM)
	if err := proc.Wait(); err != nil {
		t.Errorf("the last server did not stop cleanly: %v\n%s", err, logs.String())
	}
	ctx := tp.WithAccess(context.Background(), tp.SystemAccess)
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.StartResolver(ctx, track.Replay, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	if err := db.DrainIntake(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pool().QueryContext(ctx, "SELECT message_id, COUNT(*) FROM events GROUP BY message_id")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		stored[id] = n
	}
	rows.Close()
	missing, twice, want := 0, 0, 0
	for w := range workers {
		want += sent[w] * size
		for b := range sent[w] {
			for i := range size {
				switch stored[fmt.Sprintf("m-%d-%d-%d", w, b, i)] {
				case 0:
					missing++
				case 1:
				default:
					twice++
				}
			}
		}
	}
	if missing > 0 || twice > 0 || len(stored) != want {
		t.Errorf("after %d kills: %d of %d messages missing, %d stored twice, %d stored in all", kills, missing, want, twice, len(stored))
	}
	// Identity resolution survived too: one customer per user id, with the
	// e-mail it was identified with.
	var customers int
	if err := db.Pool().QueryRowContext(ctx, "SELECT COUNT(*) FROM customers WHERE merged_into IS NULL").Scan(&customers); err != nil {
		t.Fatal(err)
	}
	var emails int
	if err := db.Pool().QueryRowContext(ctx, "SELECT COUNT(DISTINCT customer_id) FROM customer_traits WHERE key = 'email'").Scan(&emails); err != nil {
		t.Fatal(err)
	}
	if customers != 53 || emails != 53 {
		t.Errorf("%d customers, %d with an e-mail; want 53 and 53", customers, emails)
	}
	t.Logf("%d kills, %d messages acknowledged, %d batches sent again, all stored exactly once", kills, acked.Load(), resent.Load())
}
