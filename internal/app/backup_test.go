package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

// A backup taken while the server takes events holds every event that was
// acknowledged before it began; it restores into a database that opens,
// passes SQLite's integrity check and migrates.
func TestBackupUnderWriteLoadRestores(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	ctx := tp.WithAccess(context.Background(), tp.SystemAccess)
	sdb, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if _, err := sdb.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db := sqldb.NewStore(sdb)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := db.StartResolver(ctx, track.Replay, quiet); err != nil {
		t.Fatal(err)
	}
	src := &tp.Source{Name: "Shop", Channel: "web"}
	if err := db.Sources.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	web := WebServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	web.RateLimit = -1
	srv := httptest.NewServer(web.Handler())
	defer srv.Close()

	type ack struct {
		ids []string
		at  time.Time
	}
	var (
		mu    sync.Mutex
		acks  []ack
		stop  atomic.Bool
		wg    sync.WaitGroup
		fails atomic.Int64
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; !stop.Load(); b++ {
				var ids []string
				var batch []map[string]any
				for i := range 25 {
					id := fmt.Sprintf("w%d-b%d-m%d", w, b, i)
					ids = append(ids, id)
					batch = append(batch, map[string]any{"type": "track", "event": "Viewed", "userId": fmt.Sprintf("u%d", i%40), "messageId": id})
				}
				body, _ := json.Marshal(map[string]any{"batch": batch})
				req, _ := http.NewRequest("POST", srv.URL+"/v1/batch", bytes.NewReader(body))
				req.SetBasicAuth(src.WriteKey, "")
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil || res.StatusCode != 200 {
					fails.Add(1)
					continue
				}
				res.Body.Close()
				mu.Lock()
				acks = append(acks, ack{ids, time.Now()})
				mu.Unlock()
			}
		}()
	}
	time.Sleep(400 * time.Millisecond)
	started := time.Now()
	bak := filepath.Join(dir, "backup.db")
	_, errs, err := run(t, "", "backup", "--out", bak, "--db", path)
	time.Sleep(100 * time.Millisecond) // the load goes on after the backup too
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, errs)
	}
	if fails.Load() > 0 {
		t.Errorf("%d batches failed during the backup", fails.Load())
	}
	var before []string
	after := 0
	for _, a := range acks {
		if a.at.Before(started) {
			before = append(before, a.ids...)
		} else {
			after++
		}
	}
	if len(before) < 100 || after == 0 {
		t.Fatalf("the load did not overlap the backup: %d events before, %d batches after", len(before), after)
	}
	if _, _, err := run(t, "", "backup", "--out", bak, "--db", path); err == nil {
		t.Error("a backup overwrote an existing file")
	}

	restored := filepath.Join(dir, "restored", "tp.db")
	if _, errs, err := run(t, "", "restore", "--from", bak, "--db", restored); err != nil {
		t.Fatalf("restore: %v\n%s", err, errs)
	}
	if _, _, err := run(t, "", "restore", "--from", bak, "--db", restored); err == nil {
		t.Error("restore replaced a database without --force")
	}
	if _, errs, err := run(t, "", "restore", "--from", bak, "--db", path, "--force"); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("restore over a database in use: %v %s", err, errs)
	}
	rdb, err := sqldb.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if _, err := rdb.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Calls acknowledged but not yet resolved are in the backup's intake:
	// the restored database resolves them.
	if err := rdb.StartResolver(ctx, track.Replay, quiet); err != nil {
		t.Fatal(err)
	}
	if err := rdb.DrainIntake(ctx); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	rows, err := rdb.Pool().QueryContext(ctx, "SELECT message_id FROM events")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		have[id] = true
	}
	rows.Close()
	missing := 0
	for _, id := range before {
		if !have[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d events acknowledged before the backup are not in it", missing, len(before))
	}
	t.Logf("%d events acknowledged before the backup began, all in it; %d in the backup in all", len(before), len(have))
}
