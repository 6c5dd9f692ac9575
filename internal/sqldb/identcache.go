package sqldb

import (
	"context"
	"database/sql"
	"sync"

	tp "github.com/touchpoint-cx/touchpoint"
)

// identityCache maps identities to their customers for ingestion: looking
// identities up cost a third of the resolver's time in a profile on SQLite,
// and a quarter of its statements' time on PostgreSQL. It holds only what
// committed transactions wrote or read, and no "unknown" answers (another
// process may add that identity).
//
// Identities are added by ingestion and moved or deleted only by a merge, an
// unmerge or an erasure, each of which advances identity_epoch in its
// transaction. An ingest transaction reads the epoch first and empties the
// cache when it changed; it writes back what it saw only when nothing it did
// moved identities. The read sees every change committed before it: SQLite
// runs one write transaction at a time, also across processes, and on
// PostgreSQL every one of these transactions holds the identity lock
// (lockIdentities) from before its epoch read or change until it ends. So a
// cached entry is never used across a change of its identity, whichever
// process or replica made it (TestIdentityCacheAcrossProcesses).
type identityCache struct {
	mu    sync.Mutex
	on    bool
	epoch int64
	m     map[tp.Identity]int64
}

// identityCacheMax bounds the cache (about 100 bytes an entry); when full it
// starts again empty.
const identityCacheMax = 500_000

// begin returns the epoch a write transaction starts in, and empties the
// cache if identities changed since it was filled.
func (c *identityCache) begin(ctx context.Context, tx *sql.Tx) (int64, error) {
	if !c.on {
		return 0, nil
	}
	var n int64
	if err := tx.QueryRowContext(ctx, "SELECT n FROM identity_epoch WHERE id = 1").Scan(&n); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n != c.epoch {
		clear(c.m)
		c.epoch = n
	}
	return n, nil
}

// fill sets into[id] for every id of want the cache knows and returns the others.
func (c *identityCache) fill(want []tp.Identity, into map[tp.Identity]int64) []tp.Identity {
	if !c.on {
		return want
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var miss []tp.Identity
	for _, id := range want {
		if cust, ok := c.m[id]; ok {
			into[id] = cust
		} else {
			miss = append(miss, id)
		}
	}
	return miss
}

// changed records in tx that identities move or go, and empties the cache.
func (c *identityCache) changed(ctx context.Context, tx *sql.Tx) error {
	if !c.on {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE identity_epoch SET n = n + 1 WHERE id = 1"); err != nil {
		return err
	}
	c.mu.Lock()
	clear(c.m)
	c.epoch = -1 // read again by the next transaction
	c.mu.Unlock()
	return nil
}

// store writes back what a committed transaction that began in epoch knew.
func (c *identityCache) store(epoch int64, ids map[tp.Identity]int64) {
	if !c.on {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if c.m == nil || len(c.m)+len(ids) > identityCacheMax {
		c.m = make(map[tp.Identity]int64, len(ids))
	}
	for id, cust := range ids {
		if cust != 0 {
			c.m[id] = cust
		}
	}
}
