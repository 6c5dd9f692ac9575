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
// call, so concurrent calls share SQLite's group commit; the resolver then
// works in large transactions with few statements per message.
type IntakeService struct{ db *DB }

// Resolver limits: a step must stay short because on SQLite the appends wait
// for it (one writer), and large enough to amortise its statements.
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

const (
	insertIntakeSQL = "INSERT INTO intake (source_id, kind, received_us, messages, body) VALUES ($1, $2, $3, $4, $5) RETURNING id"
	selectIntakeSQL = "SELECT id, source_id, kind, received_us, messages FROM intake ORDER BY id LIMIT $1"
)

type resolver struct {
	db     *DB
	replay tp.ReplayFunc
	log    *slog.Logger
	maxLag time.Duration

	mu  sync.Mutex
	mem map[int64]memCall // decoded messages handed over by Append, by intake id

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
	src  *tp.Source
	msgs []tp.Message
}

type intakeRow struct {
	id, source int64
	kind       string
	received   int64
	messages   int
}

// StartResolver starts the intake's resolver of this process; replay
// decodes bodies that were appended by another process or before a restart.
// Close stops it.
func (db *DB) StartResolver(replay tp.ReplayFunc, log *slog.Logger) {
	db.resolverOnce.Do(func() {
		r := &resolver{db: db, replay: replay, log: log, maxLag: DefaultIntakeMaxLag, mem: map[int64]memCall{},
			wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
		db.resolver = r
		go r.loop()
	})
}

// SetIntakeMaxLag sets how far the resolver may fall behind before Append
// answers 503.
func (db *DB) SetIntakeMaxLag(d time.Duration) {
	if r := db.resolver; r != nil && d > 0 {
		r.maxLag = d
	}
}

// Append commits one call: its refused messages to the quarantine and its
// body to the intake, in one transaction.
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
	var id int64
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if id != 0 { // a retried transaction: the earlier id was rolled back
			r.drop(id)
			id = 0
		}
		if err := quarantineTx(ctx, tx, src.ID, b.Rejected); err != nil {
			return err
		}
		if len(b.Messages) == 0 {
			return nil
		}
		if err := tx.StmtContext(ctx, s.db.hot[insertIntakeSQL]).QueryRowContext(ctx, src.ID, b.Kind,
			tp.ToMicros(b.ReceivedAt), len(b.Messages), b.Body).Scan(&id); err != nil {
			return fmt.Errorf("append to the intake: %w", err)
		}
		// Handed over before the commit, so that a resolver step in the same
		// group (SQLite) finds them; dropped again below if the commit fails.
		r.hand(id, src, b.Messages)
		return nil
	})
	if err != nil {
		if id != 0 {
			r.drop(id)
		}
		return err
	}
	if id != 0 {
		r.oldest.CompareAndSwap(0, tp.ToMicros(b.ReceivedAt))
		r.poke()
	}
	return nil
}

// DrainIntake resolves every call appended before it was called: exports and
// erasures see everything acknowledged, and so do tests.
func (db *DB) DrainIntake(ctx context.Context) error {
	var last int64
	if err := db.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM intake").Scan(&last); err != nil {
		return err
	}
	for {
		var left int
		if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM intake WHERE id <= $1", last).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			return nil
		}
		r := db.resolver
		if r == nil {
			return fmt.Errorf("%d tracking calls wait in the intake, and this process has no resolver", left)
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

func (r *resolver) hand(id int64, src *tp.Source, msgs []tp.Message) {
	r.mu.Lock()
	r.mem[id] = memCall{src, msgs}
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
			wait = time.Second // idle: look again now and then (calls of other replicas)
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
	err = r.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		taken, res = nil, tp.IngestResult{}
		var err error
		if taken, err = r.take(ctx, tx, limit); err != nil || len(taken) == 0 {
			return err
		}
		if r.fails >= poisonAfter {
			return r.quarantine(ctx, tx, taken[0])
		}
		res, err = r.resolve(ctx, tx, taken, triggers)
		if err != nil {
			return err
		}
		return r.remove(ctx, tx, taken)
	})
	if err != nil {
		r.fails++
		if r.fails > poisonAfter {
			r.fails = poisonAfter // keep trying to quarantine it
		}
		return 0, err
	}
	r.fails = 0
	r.resolved(taken, res)
	r.refreshOldest(ctx)
	return len(taken), nil
}

// take reads the oldest waiting calls, at most resolveMaxMessages messages
// (but at least one call). On PostgreSQL it first takes the resolver's lock
// for the transaction; when another replica has it, there is nothing to take.
func (r *resolver) take(ctx context.Context, tx *sql.Tx, limit int) ([]intakeRow, error) {
	if r.db.dialect == Postgres {
		var ok bool
		if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock($1)", int64(intakeLock)).Scan(&ok); err != nil || !ok {
			return nil, err
		}
	}
	rows, err := tx.StmtContext(ctx, r.db.hot[selectIntakeSQL]).QueryContext(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("read the intake: %w", err)
	}
	defer rows.Close()
	var out []intakeRow
	total := 0
	for rows.Next() {
		var c intakeRow
		if err := rows.Scan(&c.id, &c.source, &c.kind, &c.received, &c.messages); err != nil {
			return nil, err
		}
		if len(out) > 0 && total+c.messages > resolveMaxMessages {
			break
		}
		out = append(out, c)
		total += c.messages
	}
	return out, rows.Err()
}

// resolve ingests the calls' messages, grouped by source in intake order:
// one pass of the ingester per source keeps its lookups to a few
// statements per step however small the calls are.
func (r *resolver) resolve(ctx context.Context, tx *sql.Tx, calls []intakeRow, triggers []tp.Trigger) (tp.IngestResult, error) {
	var order []int64
	bySource := map[int64]*memCall{}
	for _, c := range calls {
		mc, err := r.messages(ctx, tx, c)
		if err != nil {
			return tp.IngestResult{}, err
		}
		if mc.src == nil {
			continue
		}
		g, ok := bySource[c.source]
		if !ok {
			g = &memCall{src: mc.src}
			bySource[c.source] = g
			order = append(order, c.source)
		}
		g.msgs = append(g.msgs, mc.msgs...)
	}
	in := r.db.newIngester(ctx, tx, triggers)
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
// decoded again from the stored body (a restart, another replica). A call
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
	var body []byte
	if err := tx.QueryRowContext(ctx, "SELECT body FROM intake WHERE id = $1", c.id).Scan(&body); err != nil {
		return memCall{}, fmt.Errorf("read intake body: %w", err)
	}
	msgs, err := r.replay(c.kind, body, tp.FromMicros(c.received))
	if err != nil {
		return memCall{}, fmt.Errorf("decode intake call %d again: %w", c.id, err)
	}
	return memCall{src, msgs}, nil
}

// remove deletes resolved calls. On SQLite they are a run of consecutive
// ids (AUTOINCREMENT, and no other writer meanwhile); on PostgreSQL ids are
// not committed in order, so each is named.
func (r *resolver) remove(ctx context.Context, tx *sql.Tx, calls []intakeRow) error {
	var err error
	if r.db.dialect == SQLite {
		_, err = tx.ExecContext(ctx, "DELETE FROM intake WHERE id BETWEEN $1 AND $2", calls[0].id, calls[len(calls)-1].id)
	} else {
		ids := make([]int64, len(calls))
		for i, c := range calls {
			ids[i] = c.id
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM intake WHERE id = ANY($1)", ids)
	}
	if err != nil {
		return fmt.Errorf("remove resolved calls: %w", err)
	}
	return nil
}

// quarantine moves a call that keeps failing to resolve to its source's
// quarantine, whole, with the reason: the calls behind it go on, and the
// acknowledged data stays visible on the source debugger.
func (r *resolver) quarantine(ctx context.Context, tx *sql.Tx, c intakeRow) error {
	var body []byte
	if err := tx.QueryRowContext(ctx, "SELECT body FROM intake WHERE id = $1", c.id).Scan(&body); err != nil {
		return err
	}
	r.log.Error("intake: a call failed to resolve repeatedly; moved to the quarantine", "intake_id", c.id, "source", c.source)
	rej := tp.RejectedMessage{ReceivedAt: tp.FromMicros(c.received), Type: c.kind, Raw: string(body),
		Reason: fmt.Sprintf("accepted, but could not be stored after %d attempts (see the server log)", poisonAfter)}
	if err := quarantineTx(ctx, tx, c.source, []tp.RejectedMessage{rej}); err != nil {
		return err
	}
	return r.remove(ctx, tx, []intakeRow{c})
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
	var us int64
	err := r.db.r.QueryRowContext(ctx, "SELECT received_us FROM intake ORDER BY id LIMIT 1").Scan(&us)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
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
