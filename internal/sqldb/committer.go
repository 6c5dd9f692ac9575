package sqldb

import (
	"context"
	"sync"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Group limits: enough to amortise a commit over many requests, small enough
// that a group's latency stays a few milliseconds.
const (
	groupMaxRequests = 32
	groupMaxEvents   = 4000
)

// committer runs SQLite ingestion in one goroutine that takes every request
// waiting at that moment into one transaction: one commit (one fsync) for
// the group instead of one per request, and larger multi-row statements.
type committer struct {
	db   *DB
	q    chan *ingestReq // unbuffered: a sent request is always processed
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, q: make(chan *ingestReq), quit: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

// submit hands req to the committer and waits until its group committed. It
// waits even when ctx ends meanwhile: the answer then tells the truth, and a
// client that gave up may resend safely thanks to message-id dedupe.
func (c *committer) submit(ctx context.Context, req *ingestReq) (tp.IngestResult, error) {
	req.done = make(chan struct{})
	select {
	case c.q <- req:
	case <-c.quit:
		return tp.IngestResult{}, tp.Errorf(tp.EINTERNAL, "the store is closing")
	case <-ctx.Done():
		return tp.IngestResult{}, ctx.Err()
	}
	<-req.done
	return req.res, req.err
}

func (c *committer) loop() {
	defer c.wg.Done()
	for {
		var first *ingestReq
		select {
		case first = <-c.q:
		case <-c.quit:
			return
		}
		group, events := []*ingestReq{first}, len(first.msgs)
	drain:
		for len(group) < groupMaxRequests && events < groupMaxEvents {
			select {
			case r := <-c.q:
				group = append(group, r)
				events += len(r.msgs)
			default:
				break drain
			}
		}
		c.commit(group)
	}
}

// commit stores a group; if the group fails, each request is retried alone
// so that one request's failure is not every request's.
func (c *committer) commit(group []*ingestReq) {
	ctx := context.Background() // no single caller's context may abort the others' transaction
	err := c.db.ingestTx(ctx, group)
	if err != nil && len(group) > 1 {
		for _, r := range group {
			r.err = c.db.ingestTx(ctx, []*ingestReq{r})
			close(r.done)
		}
		return
	}
	for _, r := range group {
		r.err = err
		close(r.done)
	}
}

func (c *committer) stop() {
	c.once.Do(func() { close(c.quit) })
	c.wg.Wait()
}
