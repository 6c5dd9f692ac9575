// Package touchpoint is the domain of the touchpoint customer-experience platform:
// customers and their identities, events from sources, users and their roles.
//
// The package holds nouns, rules and service interfaces only. It performs no I/O
// and imports nothing else of this module, so that every adapter (the SQL store,
// the web server, the CLI) depends on it and never the other way around.
package touchpoint

import (
	"context"
	"time"
)

// Version is set at build time with -ldflags "-X github.com/touchpoint-cx/touchpoint.Version=…".
var Version = "dev"

// Times are stored as Unix microseconds so that both databases sort and compare
// them the same way without dialect-specific date types.

// ToMicros converts t to Unix microseconds.
func ToMicros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros converts Unix microseconds to a UTC time.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// Access describes who is calling: a user, an API token or the system itself.
// Store methods read it from the context to scope what the caller may see.
type Access struct {
	Actor      string // "user:ada@example.com", "token:crm-sync", "source:web shop", "system"
	Role       Role
	Department string // for department-scoped roles
	UserID     int64
}

type accessKey struct{}

// WithAccess returns a context that carries a.
func WithAccess(ctx context.Context, a Access) context.Context {
	return context.WithValue(ctx, accessKey{}, a)
}

// AccessFrom returns the caller's access; the zero Access (no role) when none is set.
func AccessFrom(ctx context.Context) Access {
	a, _ := ctx.Value(accessKey{}).(Access)
	return a
}

// SystemAccess is the access of internal work (CLI, demo loader, jobs).
var SystemAccess = Access{Actor: "system", Role: RoleSystem}
