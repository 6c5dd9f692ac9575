package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	rudder "github.com/rudderlabs/analytics-go/v4"
	segment "github.com/segmentio/analytics-go/v3"
)

// callbacks counts what an SDK reports back for each message.
type callbacks struct {
	mu       sync.Mutex
	ok, fail int
	errs     []error
}

func (c *callbacks) Success(any) { c.mu.Lock(); c.ok++; c.mu.Unlock() }
func (c *callbacks) Failure(_ any, e error) {
	c.mu.Lock()
	c.fail++
	c.errs = append(c.errs, e)
	c.mu.Unlock()
}

type segCallback struct{ *callbacks }

func (c segCallback) Success(m segment.Message)          { c.callbacks.Success(m) }
func (c segCallback) Failure(m segment.Message, e error) { c.callbacks.Failure(m, e) }

type rudCallback struct{ *callbacks }

func (c rudCallback) Success(m rudder.Message)          { c.callbacks.Success(m) }
func (c rudCallback) Failure(m rudder.Message, e error) { c.callbacks.Failure(m, e) }

// Segment's and RudderStack's Go SDKs deliver to touchpoint. One message of
// each batch carries a field touchpoint refuses (an unknown channel): the
// SDK reports the whole batch delivered, not retried, the other messages
// are on the timeline, and the bad one is in the source's quarantine.
func TestGoSDKs(t *testing.T) {
	srv := start(t, "serve")
	key := cli(t, "", "source", "create", "--name", "Go backend", "--channel", "web", "--db", srv.DB)
	token := cli(t, "", "token", "create", "--name", "e2e", "--role", "admin", "--db", srv.DB)
	now := time.Now()

	seg := &callbacks{}
	sc, err := segment.NewWithConfig(key, segment.Config{Endpoint: srv.URL, BatchSize: 10, Interval: 50 * time.Millisecond,
		Callback: segCallback{seg}, RetryAfter: func(int) time.Duration { return 10 * time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	must(t, sc.Enqueue(segment.Identify{UserId: "go-seg-1", Traits: segment.NewTraits().SetEmail("go.seg@example.com").SetName("Go Segment"), Timestamp: now}))
	must(t, sc.Enqueue(segment.Track{UserId: "go-seg-1", Event: "Order Completed", Properties: segment.NewProperties().SetRevenue(19.5), Timestamp: now}))
	must(t, sc.Enqueue(segment.Track{UserId: "go-seg-1", Event: "Faxed", Properties: segment.NewProperties().Set("channel", "fax"), Timestamp: now}))
	must(t, sc.Close())

	rud := &callbacks{}
	rc, err := rudder.NewWithConfig(key, rudder.Config{DataPlaneUrl: srv.URL, BatchSize: 10, Interval: 50 * time.Millisecond,
		Callback: rudCallback{rud}, RetryAfter: func(int) time.Duration { return 10 * time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	must(t, rc.Enqueue(rudder.Identify{UserId: "go-rud-1", Traits: rudder.NewTraits().SetEmail("go.rud@example.com"), OriginalTimestamp: now}))
	must(t, rc.Enqueue(rudder.Page{UserId: "go-rud-1", Name: "Checkout", OriginalTimestamp: now}))
	must(t, rc.Enqueue(rudder.Track{UserId: "go-rud-1", Event: "Faxed", Properties: rudder.NewProperties().Set("channel", "fax"), OriginalTimestamp: now}))
	must(t, rc.Close())

	for name, c := range map[string]*callbacks{"segment": seg, "rudderstack": rud} {
		if c.ok != 3 || c.fail != 0 {
			t.Errorf("%s SDK: %d delivered, %d failed %v", name, c.ok, c.fail, c.errs)
		}
	}
	drained(t, srv.URL)
	for user, want := range map[string]int{"go-seg-1": 2, "go-rud-1": 2} {
		var cust struct{ ID int64 }
		if code := getJSON(t, srv.URL+"/api/v1/customers/by-identity?type=user_id&value="+user, token, &cust); code != 200 {
			t.Fatalf("%s: %d", user, code)
		}
		var tl struct{ Events []struct{ Name string } }
		getJSON(t, fmt.Sprintf("%s/api/v1/customers/%d/timeline", srv.URL, cust.ID), token, &tl)
		if len(tl.Events) != want {
			t.Errorf("%s: %d events on the timeline, want %d: %+v", user, len(tl.Events), want, tl.Events)
		}
	}
	var sources struct{ Sources []struct{ ID int64 } }
	getJSON(t, srv.URL+"/api/v1/sources", token, &sources)
	var q struct {
		Rejected []struct{ Reason, Raw string }
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/sources/%d/quarantine", srv.URL, sources.Sources[0].ID), token, &q)
	if len(q.Rejected) != 2 {
		t.Errorf("quarantine holds %d messages, want the 2 faxes: %+v", len(q.Rejected), q.Rejected)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
