package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Group limits: enough to amortise a commit over many writers, small enough
// that a group's latency stays a few milliseconds.
const groupMaxWrites = 64

// committer is SQLite's group commit. SQLite has one writer, so concurrent
// write transactions wait for each other anyway; the committer runs every
// transaction waiting at that moment inside one SQLite transaction, each in
// its own SAVEPOINT, and commits them with one fsync. A transaction whose
// function fails is rolled back to its savepoint: the others are unaffected.
type committer struct {
	w    *sql.DB          // the one writer connection
	q    chan *groupWrite // unbuffered: a sent write is always processed
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

type groupWrite struct {
	alone  bool // in a transaction of its own, without a savepoint (runAlone)
	single bool // one statement: no savepoint needed (runStatement)
	ctx    context.Context
	fn     func(context.Context, *sql.Tx) error
	err    error
	done   chan struct{}
}

func newCommitter(w *sql.DB) *committer {
	c := &committer{w: w, q: make(chan *groupWrite), quit: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

// run hands fn to the committer and waits until its group committed. It
// waits even when ctx ends meanwhile: the answer then tells the truth.
func (c *committer) run(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	return c.send(ctx, &groupWrite{ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan struct{})})
}

// runAlone runs fn in a transaction of its own. For large writes (the
// intake's resolver): a savepoint journals the first change of every page
// it touches, which cost a quarter of the resolver's time in a profile,
// while sharing a commit gains such a write little.
func (c *committer) runAlone(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	return c.send(ctx, &groupWrite{alone: true, ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan struct{})})
}

// runStatement is run for an fn that runs exactly one statement: SQLite
// undoes a failed statement by itself, so it needs no savepoint (two
// statements fewer per write: the intake's appends).
func (c *committer) runStatement(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	return c.send(ctx, &groupWrite{single: true, ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan struct{})})
}

func (c *committer) send(ctx context.Context, w *groupWrite) error {
	select {
	case c.q <- w:
	case <-c.quit:
		return fmt.Errorf("the store is closing")
	case <-ctx.Done():
		return ctx.Err()
	}
	<-w.done
	return w.err
}

func (c *committer) loop() {
	defer c.wg.Done()
	for {
		var first *groupWrite
		select {
		case first = <-c.q:
		case <-c.quit:
			return
		}
		group := []*groupWrite{first}
	drain:
		for len(group) < groupMaxWrites {
			select {
			case w := <-c.q:
				group = append(group, w)
			default:
				break drain
			}
		}
		var shared []*groupWrite
		for _, w := range group {
			if w.alone {
				c.commitAlone(w)
			} else {
				shared = append(shared, w)
			}
		}
		if len(shared) > 0 {
			c.commit(shared)
		}
		for _, w := range group {
			close(w.done)
		}
	}
}

// commit runs a group in one transaction. Statements run under contexts
// without cancellation: an interrupted SQLite statement would roll back the
// whole transaction, everyone's work with it.
func (c *committer) commit(group []*groupWrite) {
	tx, err := c.w.BeginTx(context.Background(), nil)
	if err != nil {
		for _, w := range group {
			w.err = fmt.Errorf("begin: %w", err)
		}
		return
	}
	ok := 0
	for _, w := range group {
		if w.single {
			if w.err = w.fn(w.ctx, tx); w.err == nil {
				ok++
			}
			continue
		}
		if _, err := tx.ExecContext(w.ctx, "SAVEPOINT w"); err != nil {
			w.err = err
			continue
		}
		if w.err = w.fn(w.ctx, tx); w.err != nil {
			_, _ = tx.ExecContext(w.ctx, "ROLLBACK TO w")
		} else {
			ok++
		}
		if _, err := tx.ExecContext(w.ctx, "RELEASE w"); err != nil && w.err == nil {
			w.err = err
		}
	}
	if ok == 0 {
		tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		for _, w := range group {
			if w.err == nil {
				w.err = fmt.Errorf("commit: %w", err)
			}
		}
	}
}

func (c *committer) commitAlone(w *groupWrite) {
	tx, err := c.w.BeginTx(context.Background(), nil)
	if err != nil {
		w.err = fmt.Errorf("begin: %w", err)
		return
	}
	if w.err = w.fn(w.ctx, tx); w.err != nil {
		tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		w.err = fmt.Errorf("commit: %w", err)
	}
}

func (c *committer) stop() {
	c.once.Do(func() { close(c.quit) })
	c.wg.Wait()
}
