package sqldb

import (
	"bytes"
	"context"
	"database/sql"
	"math/bits"
	"runtime"
	"sort"

	tp "github.com/touchpoint-cx/touchpoint"
	"golang.org/x/sync/errgroup"
)

// eventParts is how many id ranges the events' pass is cut into. Fixed, so
// that the revenue sums (added part by part) are the same on any machine;
// the parts run on as many cores as there are.
const eventParts = 4

// eventFeatures sets the activity and order features (the Segment
// e-commerce spec's Order Completed) of fs from the events before at, in
// one pass over the events in the table's own order. Read through the
// customer index instead, every event cost a seek into the table for its
// channel and every order one more for its properties: 45 % of the hourly
// refresh at 200 k customers (BENCHMARKS.md). The pass is cut into ranges
// of ids, each read by its own connection on its own core: reading and
// summing the events on one core was the largest part of the million's
// hourly refresh (about 30 of 80 s). Each range is its own read; events
// stored meanwhile have ids above the maximum read first and wait for the
// next run, as they would have in one read.
func (s *RiskService) eventFeatures(ctx context.Context, fs []tp.CustomerFeatures, idx *customerIndex, at int64) error {
	var lo, hi sql.NullInt64
	if err := s.db.r.QueryRowContext(ctx, "SELECT MIN(id), MAX(id) FROM events").Scan(&lo, &hi); err != nil {
		return err
	}
	if !lo.Valid {
		return nil // no events at all
	}
	parts := make([]*eventPart, eventParts)
	span := (hi.Int64 - lo.Int64 + eventParts) / eventParts
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k := range parts {
		parts[k] = newEventPart(len(fs), at)
		from := lo.Int64 + int64(k)*span
		g.Go(func() error { return parts[k].scan(ctx, s.db, idx, from, from+span) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// Merge the parts into the first, in their order. Each part named its
	// channels' bits as it met them; they are renamed to the first's.
	acc := parts[0]
	for _, p := range parts[1:] {
		var rename [64]uint64
		for name, bit := range p.channelBit {
			rename[bits.TrailingZeros64(bit)] = acc.bitOf([]byte(name))
		}
		for i, a := range p.acts {
			if !a.seen {
				continue
			}
			m := &acc.acts[i]
			m.span(a.first, a.last)
			m.n90 += a.n90
			for c := a.channels; c != 0; c &= c - 1 {
				m.channels |= rename[bits.TrailingZeros64(c)]
			}
		}
		for i, o := range p.ords {
			if t := acc.ords[i]; t != nil {
				t.add(o)
			} else {
				acc.ords[i] = o
			}
		}
	}
	for i, a := range acc.acts {
		if !a.seen {
			continue // no events before at
		}
		f := &fs[i]
		f.TenureDays, f.RecencyDays = float64(at-a.first)/day, float64(at-a.last)/day
		f.Events90, f.Channels = float64(a.n90), float64(bits.OnesCount64(a.channels))
	}
	for i, o := range acc.ords {
		f := &fs[i]
		f.Orders, f.Revenue, f.Revenue365 = o.n, o.revenue, o.revenue365
		rec, avg := float64(at-o.last)/day, f.Revenue/f.Orders
		f.OrderRecency, f.AvgOrder, f.FirstOrderDay = &rec, &avg, float64(at-o.first)/day
		for p := range o.products {
			f.Products = append(f.Products, p)
		}
		sort.Strings(f.Products)
	}
	return nil
}

// orderSums are one customer's orders in one part (or, merged, in all).
type orderSums struct {
	first, last            int64
	n, revenue, revenue365 float64
	products               map[string]bool
}

func (o *orderSums) add(p *orderSums) {
	o.first, o.last = min(o.first, p.first), max(o.last, p.last)
	o.n, o.revenue, o.revenue365 = o.n+p.n, o.revenue+p.revenue, o.revenue365+p.revenue365
	for prod := range p.products {
		o.products[prod] = true
	}
}

// eventPart is what one range of events says, per customer index.
type eventPart struct {
	at, d90, d365 int64
	acts          []activity
	channelBit    map[string]uint64
	ords          map[int]*orderSums
}

type activity struct {
	first, last, n90 int64
	channels         uint64 // a bit per channel seen in the last 365 days
	seen             bool
}

// span widens a's first and last activity to cover first to last.
func (a *activity) span(first, last int64) {
	if !a.seen {
		a.first, a.last, a.seen = first, last, true
	}
	a.first, a.last = min(a.first, first), max(a.last, last)
}

// bitOf is channel's bit, the next one free if channel is new. Past 64
// channels the rest share the last bit: the feature counts a customer's
// channels, and no shop has that many.
func (p *eventPart) bitOf(channel []byte) uint64 {
	bit, ok := p.channelBit[string(channel)]
	if !ok {
		bit = 1 << min(len(p.channelBit), 63)
		p.channelBit[string(channel)] = bit
	}
	return bit
}

func newEventPart(n int, at int64) *eventPart {
	return &eventPart{at: at, d90: at - int64(90*day), d365: at - int64(365*day),
		acts: make([]activity, n), channelBit: map[string]uint64{}, ords: map[int]*orderSums{}}
}

// scan reads the events with from <= id < to. The orders' JSON is read by
// a second goroutine while the scan goes on (a third of the pass's Go time
// at 1 M customers was parsing it); only it touches p.ords.
func (p *eventPart) scan(ctx context.Context, db *DB, idx *customerIndex, from, to int64) error {
	type order struct {
		i     int
		ts    int64
		props []byte
	}
	batches := make(chan []order, 4)
	summed := make(chan struct{})
	go func() {
		defer close(summed)
		for batch := range batches {
			for _, od := range batch {
				o := p.ords[od.i]
				if o == nil {
					o = &orderSums{first: od.ts, last: od.ts, products: map[string]bool{}}
					p.ords[od.i] = o
				}
				o.first, o.last = min(o.first, od.ts), max(o.last, od.ts)
				revenue, products := tp.ParseOrder(od.props)
				for _, prod := range products {
					o.products[prod] = true
				}
				o.n++
				o.revenue += revenue
				if od.ts >= p.d365 {
					o.revenue365 += revenue
				}
			}
		}
	}()
	var batch []order
	// One set of destinations for every row: declared in the callback, they
	// escaped to the heap, four allocations an event (BENCHMARKS.md).
	var cust, ts int64
	var channel, props sql.RawBytes
	dest := []any{&cust, &ts, &channel, &props}
	err := scanEach(ctx, db, `SELECT customer_id, ts_us, channel,
		CASE WHEN type = 'track' AND name = 'Order Completed' THEN COALESCE(properties, '') END
		FROM events WHERE id >= $1 AND id < $2 AND ts_us < $3`, []any{from, to, p.at}, func(rows scanner) error {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		i, ok := idx.at(cust)
		if !ok {
			return nil
		}
		a := &p.acts[i]
		a.span(ts, ts)
		if ts >= p.d90 {
			a.n90++
		}
		if ts >= p.d365 {
			a.channels |= p.bitOf(channel)
		}
		if props != nil {
			batch = append(batch, order{i, ts, bytes.Clone(props)}) // props is the driver's until the next row
			if len(batch) == 1024 {
				batches <- batch
				batch = nil
			}
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	<-summed
	return err
}
