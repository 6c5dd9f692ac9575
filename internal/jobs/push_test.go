package jobs_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/mailer/smtptest"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb/sqldbtest"
)

// TestSegmentOpportunitiesPushedToAWebhook: a segment's opportunity list
// reaches the CRM's webhook as signed JSON pages with the members' risk,
// value and next best offer; a refusal is retried and the status kept.
func TestSegmentOpportunitiesPushedToAWebhook(t *testing.T) {
	db := sqldbtest.SQLite(t)
	src := &tp.Source{Name: "CRM", Channel: "email"}
	if err := db.Sources.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	var scores []tp.CustomerScore
	p := func(v float64) *float64 { return &v }
	for i := range 1500 {
		id := customer(t, db, src, fmt.Sprintf("v%d", i), `{"plan":"vip"}`)
		scores = append(scores, tp.CustomerScore{CustomerID: id, ComputedAt: time.Now(), Risk: p(float64(i%100) / 100), RiskBand: tp.RiskBand(float64(i%100) / 100),
			RFM: [3]int{3, 3, 3}, ValueTier: tp.ValueTier(9), Offers: []tp.Offer{{Product: "P2", Because: "P1", Share: 0.3}}})
	}
	if err := db.Risk.SaveScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	seg := &tp.Segment{Name: "VIP", Conditions: []tp.Condition{{Kind: "trait", Key: "plan", Op: "eq", Value: "vip"}}}
	if err := db.Segments.CreateSegment(ctx, seg); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var pages []tp.PushPage
	calls := 0
	var secret string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		ts, _ := strconv.ParseInt(r.Header.Get("X-Touchpoint-Timestamp"), 10, 64)
		if r.Header.Get("X-Touchpoint-Signature") != tp.SignWebhook(secret, time.Unix(ts, 0), body) {
			t.Errorf("page %d: the signature does not match", calls)
		}
		var page tp.PushPage
		if err := json.Unmarshal(body, &page); err != nil {
			t.Errorf("page body: %v", err)
		}
		pages = append(pages, page)
	}))
	defer hook.Close()
	cco := tp.WithAccess(ctx, tp.Access{Actor: "user:cco@example.com", Role: tp.RoleCCO})
	analyst := tp.WithAccess(ctx, tp.Access{Actor: "user:bi@example.com", Role: tp.RoleAnalyst})
	if _, err := db.Push.SetSegmentWebhook(analyst, seg.ID, hook.URL); tp.ErrorCode(err) != tp.EFORBIDDEN {
		t.Errorf("an analyst sends customer lists out: %v", err)
	}
	if _, err := db.Push.SetSegmentWebhook(cco, seg.ID, "ftp://crm"); tp.ErrorCode(err) != tp.EINVALID {
		t.Errorf("an ftp address: %v", err)
	}
	h, err := db.Push.SetSegmentWebhook(cco, seg.ID, hook.URL)
	if err != nil || h.Secret == "" {
		t.Fatalf("set: %+v %v", h, err)
	}
	mu.Lock()
	secret = h.Secret
	mu.Unlock()
	start(t, db, smtptest.Start(t), -1)
	if err := db.Push.QueuePush(cco, seg.ID); err != nil {
		t.Fatal(err)
	}
	var got *tp.SegmentWebhook
	for i := 0; i < 300; i++ {
		if got, _ = db.Push.SegmentWebhook(cco, seg.ID); got != nil && got.LastStatus != "" && got.LastStatus[0] == '2' {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if got == nil || got.LastStatus != "200: 2 pages, 1500 customers" || got.Secret != "" {
		t.Fatalf("after the push: %+v (calls %d)", got, calls)
	}
	n := 0
	for _, p := range pages {
		n += len(p.Customers)
		if p.Pages != 2 || p.Segment != "VIP" || len(p.Customers) > tp.PushPageSize {
			t.Errorf("page %d of %d: %d customers", p.Page, p.Pages, len(p.Customers))
		}
	}
	if n != 1500 || len(pages) != 2 || pages[0].Customers[0].Offers[0].Product != "P2" || *pages[0].Customers[0].Risk < *pages[1].Customers[0].Risk {
		t.Errorf("%d customers in %d pages; the likeliest to leave first, with offers", n, len(pages))
	}
}
