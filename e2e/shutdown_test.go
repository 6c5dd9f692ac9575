package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/app"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// TestGracefulShutdownLosesNothing stops the server (as SIGTERM does, by
// ending Run's context) while clients are sending batches. Every batch that
// was answered 200 must be stored, and Run must end cleanly.
func TestGracefulShutdownLosesNothing(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "shutdown.db")
	key := cli(t, "", "source", "create", "--name", "Load", "--db", dbPath)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lineWriter{url: make(chan string, 1)}
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath}, os.Getenv, strings.NewReader(""), io.Discard, logs)
	}()
	var url string
	select {
	case url = <-logs.url:
	case err := <-done:
		t.Fatalf("server ended: %v", err)
	}
	var acked atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < 200; b++ {
				var body bytes.Buffer
				body.WriteString(`{"batch":[`)
				for i := range 50 {
					if i > 0 {
						body.WriteByte(',')
					}
					fmt.Fprintf(&body, `{"type":"track","event":"E","userId":"u-%d-%d","messageId":"m-%d-%d-%d"}`, w, i%7, w, b, i)
				}
				body.WriteString(`]}`)
				req, _ := http.NewRequest("POST", url+"/v1/batch", &body)
				req.SetBasicAuth(key, "")
				res, err := client.Do(req)
				if err != nil {
					return // the listener closed: stop sending
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == 200 {
					acked.Add(50)
				}
			}
		}()
	}
	for acked.Load() < 2000 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel() // what SIGTERM does through signal.NotifyContext
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	wg.Wait()
	db, err := sqldb.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored, err := db.CountEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if int64(stored) < acked.Load() {
		t.Fatalf("%d events acknowledged, only %d stored", acked.Load(), stored)
	}
	if acked.Load() == 4*200*50 {
		t.Log("every batch finished before the shutdown; the test proved less than it could")
	}
	if c, err := sqldb.NewStore(db).Customers.FindCustomerByIdentity(tp.WithAccess(context.Background(), tp.SystemAccess), tp.Identity{Type: "user_id", Value: "u-0-0"}); err != nil || c.ID == 0 {
		t.Errorf("customer missing after restart: %v", err)
	}
}
