package sqldb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// eventCols is the column list of a stored event, in insert order.
const eventCols = "message_id, source_id, customer_id, type, name, channel, department, division, ts_us, received_us, user_id, anonymous_id, properties, traits, context"

const eventColCount = 15

// flushAt bounds a multi-row INSERT to stay far below both databases' parameter limits.
const flushAt = 256

// Statements of the ingest path, prepared once (see DB.prepareHot).
const (
	insertCustomerSQL = "INSERT INTO customers (created_us, updated_us) VALUES ($1, $1) RETURNING id"
	refreshSQL        = `UPDATE customers SET name = $1, email = $2, phone = $3, locale = $4, country = $5,
		search = $6, updated_us = $7 WHERE id = $8`
)

// Ingest stores msgs from src durably: when it returns nil, every message is
// committed (or was stored before under the same message id). It resolves
// every message's identities to one customer (creating or merging customers
// as needed), applies traits (latest timestamp wins, history kept) and
// inserts the events.
//
// Reads go through in-memory state kept for the transaction; writes are queued
// and flushed as multi-row statements, because per-row statements would cost
// several times the raw INSERT that ingestion is measured against. On SQLite
// concurrent calls share one commit (see committer).
func (s *TrackingService) Ingest(ctx context.Context, src *tp.Source, msgs []tp.Message) (tp.IngestResult, error) {
	if err := can(ctx, tp.ActEventIngest); err != nil {
		return tp.IngestResult{}, err
	}
	return s.db.ingest(ctx, src, msgs)
}

// ingest is Ingest without the policy's question, for touchpoint's own
// identifies (survey respondents, complaint senders).
func (db *DB) ingest(ctx context.Context, src *tp.Source, msgs []tp.Message) (tp.IngestResult, error) {
	if err := db.prepareHot(ctx); err != nil {
		return tp.IngestResult{}, err
	}
	triggers, err := db.activeTriggers(ctx) // before the transaction: it may read through another connection
	if err != nil {
		return tp.IngestResult{}, err
	}
	var res tp.IngestResult
	var in *ingester
	err = db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.lockIdentities(ctx, tx); err != nil {
			return err
		}
		var err error
		if in, err = db.newIngester(ctx, tx, triggers); err != nil {
			return err
		}
		if res, err = in.runSource(src, msgs); err != nil {
			return err
		}
		return in.finish()
	})
	if err == nil {
		db.idents.store(in.epoch, in.ids)
	}
	return res, err
}

// newIngester starts the ingestion of one transaction: any number of
// runSource calls, then finish.
func (db *DB) newIngester(ctx context.Context, tx *sql.Tx, triggers []tp.Trigger) (*ingester, error) {
	epoch, err := db.idents.begin(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("identity cache: %w", err)
	}
	return &ingester{
		db: db, tx: tx, ctx: ctx, now: tp.ToMicros(db.Now()), triggers: triggers, merged: map[int64]int64{},
		epoch:  epoch,
		ids:    map[tp.Identity]int64{},
		traits: map[int64]map[string]traitRow{},
		span:   map[int64][2]int64{},
		dirty:  map[int64]bool{},
		queued: map[msgKey]bool{},
	}, nil
}

// runSource resolves and queues msgs from src.
func (in *ingester) runSource(src *tp.Source, msgs []tp.Message) (tp.IngestResult, error) {
	in.src, in.actor = src, "source:"+src.Name
	return in.run(msgs)
}

// finish writes what the transaction's batches queued.
func (in *ingester) finish() error {
	if err := in.flush(); err != nil {
		return err
	}
	if err := in.updateCustomers(); err != nil {
		return err
	}
	if err := in.applyConsents(); err != nil {
		return err
	}
	return in.fireTriggers()
}

type traitRow struct {
	value string // compact JSON
	us    int64
}

type ingester struct {
	db     *DB
	tx     *sql.Tx
	ctx    context.Context
	src    *tp.Source
	actor  string
	now    int64
	ids    map[tp.Identity]int64 // identity → customer; 0 = known to be unassigned
	epoch  int64                 // of the identity cache when the transaction began
	traits map[int64]map[string]traitRow
	queued map[msgKey]bool // messages stored by this transaction (a batch may repeat one)
	res    tp.IngestResult // of the current batch

	// The write queue, flushed in this order (later rows reference earlier ones).
	custIDs  []int64               // ids taken for new customers, not yet used
	lastCust int64                 // the last id used
	newCust  []any                 // customers rows
	newIDs   []any                 // identities rows
	setRows  map[traitKey]traitRow // trait upserts, last value per key
	history  []any                 // trait_history rows
	events   []any                 // events rows
	dirty    map[int64]bool        // customers whose derived columns need recomputing
	span     map[int64][2]int64    // customer → earliest, latest event time in this batch

	triggers []tp.Trigger    // active survey triggers
	hits     []triggerHit    // events that matched one, handled at the end
	merged   map[int64]int64 // customers merged in this transaction → survivor
	consents []consentHit    // consent statements the messages carried
}

type consentHit struct {
	actor   string
	cust    int64
	purpose tp.Purpose
	granted bool
	us      int64
}

type msgKey struct {
	source int64
	id     string
}

type traitKey struct {
	cust int64
	key  string
}

// run resolves and queues one batch of the transaction.
func (in *ingester) run(msgs []tp.Message) (tp.IngestResult, error) {
	in.res = tp.IngestResult{}
	stored, err := in.existingMessageIDs(msgs)
	if err != nil {
		return in.res, err
	}
	suppressed, err := in.db.suppressedOf(in.ctx, in.tx, msgs)
	if err != nil {
		return in.res, err
	}
	var want []tp.Identity
	for i := range msgs {
		if suppressed[i] {
			continue
		}
		want = append(want, msgs[i].Identities...)
		want = append(want, aliasCandidates(&msgs[i])...)
	}
	if err := in.loadIdentities(want); err != nil {
		return in.res, err
	}
	if err := in.prefetchTraits(msgs); err != nil {
		return in.res, err
	}
	for i := range msgs {
		m := &msgs[i]
		key := msgKey{in.src.ID, m.MessageID}
		if suppressed[i] {
			in.res.Suppressed++
			continue
		}
		if stored[m.MessageID] || in.queued[key] {
			in.res.Duplicates++
			continue
		}
		in.queued[key] = true
		if err := in.message(m); err != nil {
			return in.res, err
		}
	}
	return in.res, nil
}

// aliasCandidates are the identities an alias's previousId may name: the spec
// lets it be a previous user id or an anonymous id.
func aliasCandidates(m *tp.Message) []tp.Identity {
	if m.Type != tp.EventAlias || m.PreviousID == "" {
		return nil
	}
	return []tp.Identity{{Type: tp.IdentityUserID, Value: m.PreviousID}, {Type: tp.IdentityAnonymousID, Value: m.PreviousID}}
}

func (in *ingester) message(m *tp.Message) error {
	ids := m.Identities
	if cands := aliasCandidates(m); cands != nil {
		known := false
		for _, c := range cands {
			if in.ids[c] != 0 {
				ids = append(ids, c)
				known = true
			}
		}
		if !known {
			ids = append(ids, cands[1]) // an unknown previousId is taken as an anonymous id
		}
	}
	custs := in.customersOf(ids)
	var cust int64
	switch len(custs) {
	case 0:
		var err error
		if cust, err = in.newCustomer(); err != nil {
			return fmt.Errorf("create customer: %w", err)
		}
		in.traits[cust] = map[string]traitRow{}
	default:
		cust = custs[0] // the oldest customer survives
		for _, other := range custs[1:] {
			if err := in.merge(cust, other, mergeReason(m, in.src, ids, in.ids)); err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		if in.ids[id] == 0 {
			in.newIDs = append(in.newIDs, id.Type, id.Value, cust, in.now)
			in.ids[id] = cust
		}
	}
	var traitsJSON any
	if len(m.Traits) > 0 {
		if err := in.applyTraits(cust, m.Traits, tp.ToMicros(m.Timestamp)); err != nil {
			return err
		}
		if m.Type == tp.EventIdentify {
			b, _ := json.Marshal(m.Traits)
			traitsJSON = string(b)
		}
	}
	channel, dept, div := in.src.Channel, in.src.Department, in.src.Division
	if m.Channel != "" {
		channel = m.Channel
	}
	if m.Department != "" {
		dept = m.Department
	}
	if m.Division != "" {
		div = m.Division
	}
	in.seen(cust, tp.ToMicros(m.Timestamp))
	for p, granted := range m.Consent {
		in.consents = append(in.consents, consentHit{in.actor, cust, p, granted, tp.ToMicros(m.Timestamp)})
	}
	for _, t := range in.triggers {
		if matches(t, m, in.src, dept) {
			in.hits = append(in.hits, triggerHit{trigger: t, cust: cust, key: fmt.Sprintf("%d:%s", in.src.ID, m.MessageID),
				channel: channel, dept: dept, div: div})
		}
	}
	in.events = append(in.events, m.MessageID, in.src.ID, cust, string(m.Type), m.Name, channel, dept,
		div, tp.ToMicros(m.Timestamp), tp.ToMicros(m.ReceivedAt), m.UserID, m.AnonymousID,
		rawOrNil(m.Properties), traitsJSON, rawOrNil(m.Context))
	in.res.Stored++
	if len(in.events) >= flushAt*eventColCount {
		return in.flush()
	}
	return nil
}

// newCustomer queues a new customer and returns its id. Ids are taken
// ahead (an INSERT … RETURNING per customer cost a tenth of the resolver's
// time): on SQLite counting on from the largest (the transaction is the only
// writer), on PostgreSQL in blocks from the table's sequence (unused ones
// leave gaps).
func (in *ingester) newCustomer() (int64, error) {
	if len(in.custIDs) == 0 {
		if in.db.dialect == SQLite {
			next := in.lastCust + 1
			if in.lastCust == 0 {
				if err := in.tx.QueryRowContext(in.ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM customers").Scan(&next); err != nil {
					return 0, err
				}
			}
			in.custIDs = append(in.custIDs, next)
		} else if err := in.pgCustomerIDs(); err != nil {
			return 0, err
		}
	}
	id := in.custIDs[0]
	in.custIDs = in.custIDs[1:]
	in.lastCust = id
	in.newCust = append(in.newCust, id, in.now, in.now)
	return id, nil
}

func (in *ingester) pgCustomerIDs() error {
	rows, err := in.tx.QueryContext(in.ctx, "SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, 64)")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		in.custIDs = append(in.custIDs, id)
	}
	return rows.Err()
}

func rawOrNil(r json.RawMessage) any {
	if len(r) == 0 {
		return nil
	}
	return string(r)
}

// customersOf returns the distinct customers that ids point at, oldest first.
func (in *ingester) customersOf(ids []tp.Identity) []int64 {
	var out []int64
	for _, id := range ids {
		if c := in.ids[id]; c != 0 && !contains(out, c) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func contains(xs []int64, x int64) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func mergeReason(m *tp.Message, src *tp.Source, ids []tp.Identity, owner map[tp.Identity]int64) string {
	var parts []string
	for _, id := range ids {
		if c := owner[id]; c != 0 {
			parts = append(parts, fmt.Sprintf("%s (customer %d)", id, c))
		}
	}
	return fmt.Sprintf("%s message %s from source %q names %s", m.Type, m.MessageID, src.Name, strings.Join(parts, " and "))
}

// seen widens the batch's activity span of a customer.
func (in *ingester) seen(cust, us int64) {
	sp, ok := in.span[cust]
	if !ok {
		sp = [2]int64{us, us}
	}
	in.span[cust] = [2]int64{min(sp[0], us), max(sp[1], us)}
}

// flush writes the queue: identities, traits and their history, events, and
// the derived columns of changed customers.
func (in *ingester) flush() error {
	if err := in.db.execChunked(in.ctx, in.tx, &insertCustomers, in.newCust); err != nil {
		return fmt.Errorf("create customers: %w", err)
	}
	in.newCust = in.newCust[:0]
	if err := in.db.execChunked(in.ctx, in.tx, &insertIdentities, in.newIDs); err != nil {
		return fmt.Errorf("link identities: %w", err)
	}
	in.newIDs = in.newIDs[:0]
	if len(in.setRows) > 0 {
		keys := make([]traitKey, 0, len(in.setRows))
		for k := range in.setRows {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { // a stable order keeps lock order stable on PostgreSQL
			return keys[i].cust < keys[j].cust || (keys[i].cust == keys[j].cust && keys[i].key < keys[j].key)
		})
		rows := make([]any, 0, 4*len(keys))
		for _, k := range keys {
			rows = append(rows, k.cust, k.key, in.setRows[k].value, in.setRows[k].us)
		}
		if err := in.db.execChunked(in.ctx, in.tx, &upsertTraits, rows); err != nil {
			return fmt.Errorf("set traits: %w", err)
		}
		clear(in.setRows)
	}
	if err := in.db.execChunked(in.ctx, in.tx, &insertHistory, in.history); err != nil {
		return fmt.Errorf("trait history: %w", err)
	}
	in.history = in.history[:0]
	if err := in.db.execChunked(in.ctx, in.tx, &insertEvents, in.events); err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	in.events = in.events[:0]
	return nil
}

// updateCustomers writes, once per transaction, the derived columns of every
// changed customer and widens first/last seen of every customer the
// transaction saw: one row update for a customer that has both, where two
// updates wrote the row twice (on PostgreSQL two row versions). In id order:
// neighbouring rows share pages; alone, SQLite's one-row updates ran about a
// tenth faster in id order than in a map's. Through the server neither
// showed beyond the noise on SQLite (BENCHMARKS.md).
func (in *ingester) updateCustomers() error {
	var both, refresh, seen []any
	for _, cust := range slices.Sorted(maps.Keys(in.dirty)) {
		d := derive(in.traits[cust])
		row := []any{cust, d.name, d.email, d.phone, d.locale, d.country, d.search, in.now}
		if sp, ok := in.span[cust]; ok {
			both = append(append(both, row...), sp[0], sp[1])
		} else { // merged away in this transaction: its span went to the survivor
			refresh = append(refresh, row...)
		}
	}
	for _, cust := range slices.Sorted(maps.Keys(in.span)) {
		if !in.dirty[cust] {
			sp := in.span[cust]
			seen = append(seen, cust, sp[0], sp[1])
		}
	}
	for _, w := range []struct {
		c    *chunked
		rows []any
	}{{&refreshSeen, both}, {&refreshCustomers, refresh}, {&updateSeen, seen}} {
		if err := in.db.execChunked(in.ctx, in.tx, w.c, w.rows); err != nil {
			return fmt.Errorf("update customers: %w", err)
		}
	}
	return nil
}

func (in *ingester) existingMessageIDs(msgs []tp.Message) (map[string]bool, error) {
	seen := make(map[string]bool, len(msgs))
	for start := 0; start < len(msgs); start += 500 {
		ids := make([]string, 0, 500)
		for _, m := range msgs[start:min(start+500, len(msgs))] {
			ids = append(ids, m.MessageID)
		}
		q, args := in.db.existingMessagesQuery(in.src.ID, ids)
		rows, err := in.db.query(in.ctx, in.tx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("look up message ids: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			seen[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return seen, nil
}

func (in *ingester) loadIdentities(want []tp.Identity) error {
	var todo []tp.Identity
	for _, id := range want {
		if _, ok := in.ids[id]; !ok {
			in.ids[id] = 0
			todo = append(todo, id)
		}
	}
	todo = in.db.idents.fill(todo, in.ids)
	for start := 0; start < len(todo); start += 400 {
		q, args := in.db.identitiesQuery(todo[start:min(start+400, len(todo))])
		rows, err := in.db.query(in.ctx, in.tx, q, args...)
		if err != nil {
			return fmt.Errorf("look up identities: %w", err)
		}
		for rows.Next() {
			var id tp.Identity
			var c int64
			if err := rows.Scan(&id.Type, &id.Value, &c); err != nil {
				rows.Close()
				return err
			}
			in.ids[id] = c
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	return nil
}

// lockIdentities serialises, on PostgreSQL, every transaction that reads
// identities to decide and then moves or adds them: ingestion (the resolver,
// touchpoint's own identifies), unmerges and erasures. One transaction-scoped
// advisory lock, the resolver's, stands for all of them: ingestion is one
// resolver at a time anyway, and the others are rare. Row locks per identity
// and customer did the same at a cost (thousands of locks per step, and
// FOR UPDATE writes every locked row). SQLite has one writer: nothing to do.
func (db *DB) lockIdentities(ctx context.Context, tx *sql.Tx) error {
	if db.dialect != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(intakeLock)); err != nil {
		return fmt.Errorf("lock identities: %w", err)
	}
	return nil
}

// prefetchTraits loads in one query the traits of every known customer that
// a message of the batch sets traits on.
func (in *ingester) prefetchTraits(msgs []tp.Message) error {
	var custs []int64
	for i := range msgs {
		if len(msgs[i].Traits) == 0 {
			continue
		}
		for _, id := range msgs[i].Identities {
			if c := in.ids[id]; c != 0 {
				if _, ok := in.traits[c]; !ok {
					in.traits[c] = map[string]traitRow{}
					custs = append(custs, c)
				}
			}
		}
	}
	for len(custs) > 0 {
		chunk := custs[:min(len(custs), 500)]
		custs = custs[len(chunk):]
		q, args := in.db.traitsQuery(chunk)
		rows, err := in.db.query(in.ctx, in.tx, q, args...)
		if err != nil {
			return fmt.Errorf("load traits: %w", err)
		}
		for rows.Next() {
			var c int64
			var k string
			var r traitRow
			if err := rows.Scan(&c, &k, &r.value, &r.us); err != nil {
				rows.Close()
				return err
			}
			in.traits[c][k] = r
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	return nil
}

// applyTraits sets each trait whose event time is not older than the stored
// one, keeping the replaced value in trait_history.
func (in *ingester) applyTraits(cust int64, traits map[string]json.RawMessage, us int64) error {
	cur, err := loadTraits(in.ctx, in.tx, in.traits, cust)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(traits))
	for k := range traits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" || len(k) > 128 {
			continue
		}
		val := compactJSON(traits[k])
		old, had := cur[k]
		if had && (old.us > us || old.value == val) {
			continue
		}
		in.setTrait(cust, k, traitRow{val, us}, old, had, 0)
	}
	return nil
}

// setTrait queues a trait change and its history row, and updates the
// transaction's view of the customer's traits.
func (in *ingester) setTrait(cust int64, k string, v, old traitRow, had bool, mergeID int64) {
	if in.setRows == nil {
		in.setRows = map[traitKey]traitRow{}
	}
	in.setRows[traitKey{cust, k}] = v
	var oldV, oldUS, mid any
	if had {
		oldV, oldUS = old.value, old.us
	}
	if mergeID != 0 {
		mid = mergeID
	}
	in.history = append(in.history, cust, k, oldV, oldUS, v.value, v.us, in.now, mid)
	in.traits[cust][k] = v
	in.dirty[cust] = true
}

// merge moves everything of customer x onto survivor and records what moved,
// so that Unmerge can put exactly that back.
func (in *ingester) merge(survivor, x int64, reason string) error {
	if err := in.db.idents.changed(in.ctx, in.tx); err != nil { // x's identities move
		return err
	}
	if err := in.flush(); err != nil { // queued rows must be in place to move with x
		return err
	}
	var mid int64
	if err := in.tx.QueryRowContext(in.ctx, `INSERT INTO merges (survivor_id, merged_id, reason, actor, created_us)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, survivor, x, reason, in.actor, in.now).Scan(&mid); err != nil {
		return fmt.Errorf("record merge: %w", err)
	}
	if err := moveCustomerRows(in.ctx, in.tx, mid, survivor, x); err != nil {
		return fmt.Errorf("merge customer %d into %d: %w", x, survivor, err)
	}
	st, err := loadTraits(in.ctx, in.tx, in.traits, survivor)
	if err != nil {
		return err
	}
	xt, err := loadTraits(in.ctx, in.tx, in.traits, x)
	if err != nil {
		return err
	}
	for k, v := range xt {
		old, had := st[k]
		if had && (old.us >= v.us || old.value == v.value) {
			continue
		}
		in.setTrait(survivor, k, v, old, had, mid)
	}
	in.dirty[survivor] = true
	if _, err := in.tx.ExecContext(in.ctx, "UPDATE customers SET merged_into = $1, updated_us = $2 WHERE id = $3",
		survivor, in.now, x); err != nil {
		return err
	}
	if err := recomputeSeen(in.ctx, in.tx, survivor); err != nil {
		return err
	}
	for id, c := range in.ids {
		if c == x {
			in.ids[id] = survivor
		}
	}
	in.merged[x] = survivor
	for k, v := range in.merged {
		if v == x {
			in.merged[k] = survivor
		}
	}
	if sp, ok := in.span[x]; ok {
		delete(in.span, x)
		in.seen(survivor, sp[0])
		in.seen(survivor, sp[1])
	}
	in.res.Merges++
	return nil
}

func loadTraits(ctx context.Context, tx *sql.Tx, cache map[int64]map[string]traitRow, cust int64) (map[string]traitRow, error) {
	if t, ok := cache[cust]; ok {
		return t, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT key, value, updated_us FROM customer_traits WHERE customer_id = $1", cust)
	if err != nil {
		return nil, fmt.Errorf("load traits: %w", err)
	}
	defer rows.Close()
	t := map[string]traitRow{}
	for rows.Next() {
		var k string
		var r traitRow
		if err := rows.Scan(&k, &r.value, &r.us); err != nil {
			return nil, err
		}
		t[k] = r
	}
	if cache != nil {
		cache[cust] = t
	}
	return t, rows.Err()
}

// derived holds the customer columns computed from traits: display fields
// and the lower-cased search text.
type derived struct{ name, email, phone, locale, country, search string }

func derive(traits map[string]traitRow) derived {
	raw := make(map[string]json.RawMessage, len(traits))
	var search []string
	keys := make([]string, 0, len(traits))
	for k := range traits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := traits[k].value
		raw[k] = json.RawMessage(v)
		var s string
		if json.Unmarshal([]byte(v), &s) == nil {
			search = append(search, s)
		} else if len(v) < 64 && !strings.ContainsAny(v, "{[") {
			search = append(search, v)
		}
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(raw[k], &s)
		return s
	}
	d := derived{name: tp.DisplayName(raw), email: strings.ToLower(str("email")), phone: str("phone"),
		locale: str("locale"), country: strings.ToUpper(str("country"))}
	if p, err := tp.NormalizePhone(d.phone, d.country); err == nil {
		d.phone = p
	}
	d.search = strings.ToLower(strings.Join(append([]string{d.name, d.email, d.phone}, search...), " "))
	if len(d.search) > 4000 {
		d.search = d.search[:4000]
	}
	return d
}

// refreshCustomer recomputes one customer's derived columns.
func refreshCustomer(ctx context.Context, db *DB, tx *sql.Tx, cust int64, traits map[string]traitRow, now int64) error {
	d := derive(traits)
	_, err := db.exec(ctx, tx, refreshSQL, d.name, d.email, d.phone, d.locale, d.country, d.search, now, cust)
	return err
}

func compactJSON(v json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return string(v)
	}
	return b.String()
}

// recomputeSeen sets a customer's first/last seen from its stored events.
func recomputeSeen(ctx context.Context, tx *sql.Tx, cust int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE customers SET
		first_seen_us = COALESCE((SELECT MIN(ts_us) FROM events WHERE customer_id = $1), 0),
		last_seen_us = COALESCE((SELECT MAX(ts_us) FROM events WHERE customer_id = $1), 0) WHERE id = $1`, cust)
	return err
}
