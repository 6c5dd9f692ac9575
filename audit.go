package touchpoint

import (
	"context"
	"time"
)

// AuditEntry is one line of the audit log: who did what, to what, when,
// from where. The log holds sign-ins (and failed ones), admin changes,
// exports, erasures and API token use.
type AuditEntry struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`   // user:…, token:…, system
	Action  string    `json:"action"`  // e.g. auth.login, source.create, customer.erase
	Object  string    `json:"object"`  // what it was done to: "customer 42", "token 3"
	Detail  string    `json:"detail"`  // for people; never a secret
	Address string    `json:"address"` // the client address, when over HTTP
}

// Audit actions. The store records the ones about data in the same
// transaction as the change; the web layer records sign-ins and exports.
const (
	AuditLogin       = "auth.login"
	AuditLoginFailed = "auth.login_failed"
	AuditLocked      = "auth.locked"
	AuditUnlocked    = "auth.unlocked"
	AuditUserChange  = "user.update"
	AuditTokenUse    = "token.use"
	AuditExport      = "data.export"
)

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Actor    string // exact
	Action   string // exact, or a prefix ending in "." ("auth.")
	From, To time.Time
	BeforeID int64
	Limit    int // 0: all (exports stream)
}

// AuditService keeps the audit log.
type AuditService interface {
	Record(ctx context.Context, e AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter, each func(AuditEntry) error) error
}

type addressKey struct{}

// WithAddress returns a context carrying the client's address, for the
// audit log.
func WithAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, addressKey{}, addr)
}

// AddressFrom returns the client address carried by ctx, or "".
func AddressFrom(ctx context.Context) string {
	a, _ := ctx.Value(addressKey{}).(string)
	return a
}

// Sign-in throttling of one account: after LockAfter failed sign-ins in a
// row it is locked for LockFor, and each further lock lasts twice the one
// before, up to a day. A successful sign-in, or an admin, lifts it.
const LockAfter = 5

// LockFor is the first lock's length.
const LockFor = 15 * time.Minute

// LockDuration is how long the n-th lock in a row (1, 2, …) lasts.
func LockDuration(n int) time.Duration {
	d := LockFor
	for i := 1; i < n && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}
