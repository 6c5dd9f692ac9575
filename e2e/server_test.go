// Package e2e tests the whole binary as users and real clients meet it: a
// real Chromium for the UI and the Segment and RudderStack Node SDKs from npm.
// Without a browser or node the tests skip, unless TOUCHPOINT_E2E_REQUIRED=1
// or TOUCHPOINT_SDK_REQUIRED=1 make that a failure (as CI does).
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint/internal/app"
)

// server is a touchpoint started in-process through the real CLI.
type server struct {
	URL string
	DB  string
}

// lineWriter collects output and reports the first URL logged as listening.
type lineWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	url  chan string
	sent bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.sent {
		for _, line := range strings.Split(w.buf.String(), "\n") {
			var rec struct{ Msg, URL string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "touchpoint listening" {
				w.url <- rec.URL
				w.sent = true
				break
			}
		}
	}
	return len(p), nil
}

// cli runs one touchpoint command to completion and returns its stdout.
func cli(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := app.Run(context.Background(), args, os.Getenv, strings.NewReader(stdin), &out, &errb); err != nil {
		t.Fatalf("touchpoint %v: %v\n%s", args, err, errb.String())
	}
	return strings.TrimSpace(out.String())
}

// start runs "touchpoint <cmd> --addr 127.0.0.1:0 --db <tmp>" until the test ends.
func start(t *testing.T, cmd string, extra ...string) *server {
	t.Helper()
	db := filepath.Join(t.TempDir(), "e2e.db")
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lineWriter{url: make(chan string, 1)}
	done := make(chan error, 1)
	args := append([]string{cmd, "--addr", "127.0.0.1:0", "--db", db}, extra...)
	go func() { done <- app.Run(ctx, args, os.Getenv, strings.NewReader(""), io.Discard, logs) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with %v", err)
		}
	})
	select {
	case u := <-logs.url:
		return &server{URL: u, DB: db}
	case err := <-done:
		t.Fatalf("server ended before listening: %v\n%s", err, logs.buf.String())
	case <-time.After(5 * time.Minute):
		t.Fatalf("server did not start\n%s", logs.buf.String())
	}
	return nil
}

func getJSON(t *testing.T, url, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %v: %s", url, err, b)
		}
	}
	return res.StatusCode
}

// drained waits until the server has resolved every tracking call it
// acknowledged (/metrics: touchpoint_intake_behind_seconds 0): a 200 means
// durable, the timeline follows a moment later.
func drained(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(b), "\ntouchpoint_intake_behind_seconds 0\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the intake was not resolved within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
