package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// IntakeService is the durable intake of tracking calls (see tp.Intake): a
// call's body is committed before its 200, and the resolver, one goroutine
// per process, resolves it right behind.
//
// Why two steps: resolving a call (identities, traits, dedupe, events and
// their indexes) costs many times the append of its bytes, and a client
// waiting for all of it cannot send its next call. The append is one row per
// call, and concurrent calls share a commit; the resolver then works in
// large transactions with few statements per message. Where calls are kept:
// intakestore.go.
type IntakeService struct{ db *DB }

// Resolver limits: large enough steps to amortise their statements, small
// enough that one step's transaction stays short (the lag, and on SQLite
// every other write of the main file waits for it).
const (
	resolveMaxMessages = 2000
	resolveMaxRows     = 500
	// DefaultIntakeMaxLag is how far the resolver may fall behind before the
	// intake answers 503 with Retry-After instead of growing without bound.
	DefaultIntakeMaxLag = 10 * time.Second
	// poisonAfter is how often a lone call may fail to resolve before its
	// messages go to the quarantine instead of blocking every call behind it.
	poisonAfter = 3
)

// intakeLock is the PostgreSQL advisory lock of the resolver: one replica
// resolves at a time, in intake order.
const intakeLock = 0x74705f696e74616b // "tp_intak"

const insertIntakeSQL = "INSERT INTO intake (source_id, kind, received_us, messages, body) VALUES ($1, $2, $3, $4, $5) RETURNING id"

type resolver struct {
	db     *DB
	replay tp.ReplayFunc
	log    *slog.Logger
	maxLag time.Duration

	mu  sync.Mutex
	mem map[int64]memCall // decoded calls handed over by Append, by intake id

	stepMu sync.Mutex // one step at a time in this process
	fails  int        // consecutive failed steps (stepMu)

	wake chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once

	oldest atomic.Int64 // received_us of the oldest unresolved call; 0: none
	lags   lagWindow
	statMu sync.Mutex
	stats  tp.IntakeStats
}

type memCall struct {
	src      *tp.Source
	msgs     []tp.Message
	rejected []tp.RejectedMessage
}

type intakeRow struct {
	id, source int64
	kind       string
	received   int64
	messages   int
}

// StartResolver starts the intake's resolver of this process; replay
// decodes bodies that were appended by another process or before a restart.
// Close stops it. The database must be migrated.
func (db *DB) StartResolver(ctx context.Context, replay tp.ReplayFunc, log *slog.Logger) error {
	var err error
	db.resolverOnce.Do(func() {
		if err = db.guardSequence(ctx); err != nil {
			return
		}
		r := &resolver{db: db, replay: replay, log: log, maxLag: DefaultIntakeMaxLag, mem: map[int64]memCall{},
			wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
		db.resolver = r
		go r.loop()
	})
	return err
}

// SetIntakeMaxLag sets how far the resolver may fall behind before Append
// answers 503.
func (db *DB) SetIntakeMaxLag(d time.Duration) {
	if r := db.resolver; r != nil && d > 0 {
		r.maxLag = d
	}
}

// Append commits one call, its body and when it arrived, and hands its
// decoded messages to the resolver. Refused messages reach the quarantine
// through the resolver too: a call is one commit.
func (s *IntakeService) Append(ctx context.Context, src *tp.Source, b tp.IntakeBatch) error {
	if err := can(ctx, tp.ActEventIngest); err != nil {
		return err
	}
	if err := s.db.prepareHot(ctx); err != nil {
		return err
	}
	r := s.db.resolver
	if r == nil {
		return fmt.Errorf("the intake's resolver is not running")
	}
	if behind := r.behind(); behind > r.maxLag {
		return tp.Errorf(tp.EUNAVAILABLE, "the intake is %s behind; send again in a few seconds", behind.Round(time.Second))
	}
	var last int64
	_, err := s.db.appendCall(ctx, src.ID, b, func(id int64) {
		if last != 0 { // a retried transaction: the earlier id was rolled back
			r.drop(last)
		}
		last = id
		// Handed over before the commit, so that the resolver never reads a
		// committed call without them; dropped again below if the commit fails.
		r.hand(id, src, b)
	})
	if err != nil {
		if last != 0 {
			r.drop(last)
		}
		return err
	}
	r.oldest.CompareAndSwap(0, tp.ToMicros(b.ReceivedAt))
	r.poke()
	return nil
}

// DrainIntake resolves every call appended before it was called: exports and
// erasures see everything acknowledged, and so do backups and tests.
func (db *DB) DrainIntake(ctx context.Context) error {
	last, err := db.lastCall(ctx)
	if err != nil {
		return err
	}
	for {
		left, err := db.unresolvedThrough(ctx, last)
		if err != nil {
			return err
		}
		r := db.resolver
		if !left {
			if r != nil { // a step that has committed may still be counting: wait for it
				r.stepMu.Lock()
				//lint:ignore SA2001 the empty critical section is the wait
				r.stepMu.Unlock()
			}
			return nil
		}
		if r == nil {
			return fmt.Errorf("tracking calls wait in the intake, and this process has no resolver")
		}
		n, err := r.step(ctx)
		if err != nil {
			return err
		}
		if n == 0 { // another replica holds the resolver's lock
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// IntakeStats returns the intake's state (see tp.IntakeStats).
func (db *DB) IntakeStats() tp.IntakeStats {
	r := db.resolver
	if r == nil {
		return tp.IntakeStats{}
	}
	r.statMu.Lock()
	st := r.stats
	r.statMu.Unlock()
	st.Pending = r.behind()
	st.LagP50, st.LagP99 = r.lags.quantiles(time.Now())
	return st
}

func (r *resolver) hand(id int64, src *tp.Source, b tp.IntakeBatch) {
	r.mu.Lock()
	r.mem[id] = memCall{src, b.Messages, b.Rejected}
	r.mu.Unlock()
}

func (r *resolver) drop(id int64) {
	r.mu.Lock()
	delete(r.mem, id)
	r.mu.Unlock()
}

func (r *resolver) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// behind is the age of the oldest call not yet resolved.
func (r *resolver) behind() time.Duration {
	us := r.oldest.Load()
	if us == 0 {
		return 0
	}
	return max(0, time.Since(tp.FromMicros(us)))
}

func (r *resolver) stop() {
	r.once.Do(func() { close(r.quit) })
	<-r.done
}

func (r *resolver) loop() {
	defer close(r.done)
	ctx := tp.WithAccess(context.Background(), tp.Access{Actor: "resolver", Role: tp.RoleSystem})
	wait := time.Duration(0)
	for {
		select {
		case <-r.quit:
			return
		default:
		}
		n, err := r.step(ctx)
		switch {
		case err != nil:
			r.log.Error("intake resolver", "err", err)
			wait = min(max(2*wait, 100*time.Millisecond), 5*time.Second)
		case n > 0:
			continue // more may be waiting
		default:
			wait = time.Second // idle: look again now and then (calls of other processes)
		}
		select {
		case <-r.quit:
			return
		case <-r.wake:
		case <-time.After(wait):
		}
	}
}

// step resolves the oldest waiting calls in one transaction and returns how
// many calls it resolved (0: none waiting, or another replica is at it).
func (r *resolver) step(ctx context.Context) (int, error) {
	r.stepMu.Lock()
	defer r.stepMu.Unlock()
	if err := r.db.prepareHot(ctx); err != nil {
		return 0, err
	}
	triggers, err := r.db.activeTriggers(ctx)
	if err != nil {
		return 0, err
	}
	limit := resolveMaxRows
	if r.fails > 0 {
		limit = 1 // find the call that fails
	}
	var taken []intakeRow
	var res tp.IngestResult
	var in *ingester
	err = r.db.writeLarge(ctx, func(ctx context.Context, tx *sql.Tx) error {
		taken, res, in = nil, tp.IngestResult{}, nil
		var err error
		if taken, err = r.db.takeCalls(ctx, tx, limit); err != nil || len(taken) == 0 {
			return err
		}
		if r.fails >= poisonAfter {
			return r.quarantine(ctx, tx, taken[0])
		}
		if in, err = r.db.newIngester(ctx, tx, triggers); err != nil {
			return err
		}
		if res, err = r.resolve(in, taken); err != nil {
			return err
		}
		return r.db.markResolved(ctx, tx, taken)
	})
	if err != nil {
		r.fails++
		if r.fails > poisonAfter {
			r.fails = poisonAfter // keep trying to quarantine it
		}
		return 0, err
	}
	r.fails = 0
	if in != nil {
		r.db.idents.store(in.epoch, in.ids)
	}
	r.resolved(taken, res)
	if len(taken) > 0 {
		if err := r.db.pruneCalls(ctx); err != nil {
			r.log.Warn("intake: could not delete resolved calls (they stay marked resolved)", "err", err)
		}
	}
	r.refreshOldest(ctx)
	return len(taken), nil
}

// resolve ingests the calls' messages, grouped by source in intake order:
// one pass of the ingester per source keeps its lookups to a few
// statements per step however small the calls are. Refused messages go to
// their source's quarantine.
func (r *resolver) resolve(in *ingester, calls []intakeRow) (tp.IngestResult, error) {
	var order []int64
	bySource := map[int64]*memCall{}
	for _, c := range calls {
		mc, err := r.messages(in.ctx, in.tx, c)
		if err != nil {
			return tp.IngestResult{}, err
		}
		if mc.src == nil {
			continue
		}
		if err := quarantineTx(in.ctx, in.tx, c.source, mc.rejected); err != nil {
			return tp.IngestResult{}, err
		}
		g, ok := bySource[c.source]
		if !ok {
			g = &memCall{src: mc.src}
			bySource[c.source] = g
			order = append(order, c.source)
		}
		g.msgs = append(g.msgs, mc.msgs...)
	}
	var total tp.IngestResult
	for _, id := range order {
		g := bySource[id]
		res, err := in.runSource(g.src, g.msgs)
		if err != nil {
			return total, err
		}
		total.Stored += res.Stored
		total.Duplicates += res.Duplicates
		total.Suppressed += res.Suppressed
		total.Merges += res.Merges
	}
	return total, in.finish()
}

// messages returns a call's decoded messages: as handed over by Append, or
// decoded again from the stored body (a restart, another process). A call
// whose source is gone has none.
func (r *resolver) messages(ctx context.Context, tx *sql.Tx, c intakeRow) (memCall, error) {
	r.mu.Lock()
	mc, ok := r.mem[c.id]
	r.mu.Unlock()
	if ok && mc.src.ID == c.source && len(mc.msgs) == c.messages {
		return mc, nil
	}
	src, err := r.db.sourceByID(ctx, tx, c.source)
	if errors.Is(err, sql.ErrNoRows) {
		r.log.Warn("intake: the source of a call is gone; its messages are dropped", "source", c.source, "messages", c.messages)
		return memCall{}, nil
	}
	if err != nil {
		return memCall{}, err
	}
	body, err := r.db.callBody(ctx, tx, c.id)
	if err != nil {
		return memCall{}, err
	}
	msgs, rejected, err := r.replay(c.kind, body, tp.FromMicros(c.received))
	if err != nil {
		return memCall{}, fmt.Errorf("decode intake call %d again: %w", c.id, err)
	}
	return memCall{src, msgs, rejected}, nil
}

// quarantine moves a call that keeps failing to resolve to its source's
// quarantine, whole, with the reason: the calls behind it go on, and the
// acknowledged data stays visible on the source debugger.
func (r *resolver) quarantine(ctx context.Context, tx *sql.Tx, c intakeRow) error {
	body, err := r.db.callBody(ctx, tx, c.id)
	if err != nil {
		return err
	}
	r.log.Error("intake: a call failed to resolve repeatedly; moved to the quarantine", "intake_id", c.id, "source", c.source)
	rej := tp.RejectedMessage{ReceivedAt: tp.FromMicros(c.received), Type: c.kind, Raw: string(body),
		Reason: fmt.Sprintf("accepted, but could not be stored after %d attempts (see the server log)", poisonAfter)}
	if err := quarantineTx(ctx, tx, c.source, []tp.RejectedMessage{rej}); err != nil {
		return err
	}
	return r.db.markResolved(ctx, tx, []intakeRow{c})
}

// resolved records a committed step: the calls leave memory and their lag
// is sampled.
func (r *resolver) resolved(calls []intakeRow, res tp.IngestResult) {
	now := time.Now()
	r.mu.Lock()
	for _, c := range calls {
		delete(r.mem, c.id)
	}
	r.mu.Unlock()
	for _, c := range calls {
		r.lags.add(now, now.Sub(tp.FromMicros(c.received)))
	}
	r.statMu.Lock()
	r.stats.Calls += int64(len(calls))
	r.stats.Resolved.Stored += res.Stored
	r.stats.Resolved.Duplicates += res.Duplicates
	r.stats.Resolved.Suppressed += res.Suppressed
	r.stats.Resolved.Merges += res.Merges
	r.statMu.Unlock()
}

// refreshOldest looks up the oldest waiting call, for backpressure.
func (r *resolver) refreshOldest(ctx context.Context) {
	us, err := r.db.oldestCall(ctx)
	if err != nil {
		return // keep the last known value
	}
	r.oldest.Store(us)
}

// sourceByID reads a source in tx; sources do not change once created.
func (db *DB) sourceByID(ctx context.Context, tx *sql.Tx, id int64) (*tp.Source, error) {
	if src, ok := db.sourceByIDCache.Load(id); ok {
		return src.(*tp.Source), nil
	}
	src, err := scanSource(tx.QueryRowContext(ctx, "SELECT "+sourceCols+" FROM sources WHERE id = $1", id))
	if err != nil {
		return nil, err
	}
	db.sourceByIDCache.Store(id, src)
	return src, nil
}

// lagWindow keeps the lags of the last minute's resolved calls (at most
// lagSamples of them) for their median and 99th percentile.
type lagWindow struct {
	mu  sync.Mutex
	at  [lagSamples]time.Time
	lag [lagSamples]time.Duration
	n   int // samples written so far
}

const lagSamples = 8192

func (w *lagWindow) add(at time.Time, lag time.Duration) {
	w.mu.Lock()
	i := w.n % lagSamples
	w.at[i], w.lag[i] = at, lag
	w.n++
	w.mu.Unlock()
}

func (w *lagWindow) quantiles(now time.Time) (p50, p99 time.Duration) {
	w.mu.Lock()
	var xs []time.Duration
	for i := range min(w.n, lagSamples) {
		if now.Sub(w.at[i]) <= time.Minute {
			xs = append(xs, w.lag[i])
		}
	}
	w.mu.Unlock()
	if len(xs) == 0 {
		return 0, 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2], xs[len(xs)*99/100]
}
