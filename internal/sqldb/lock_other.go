//go:build !unix

package sqldb

import "os"

// Without flock, no lock file: a restore cannot tell whether a server has
// the database open, and the README says to stop it first.

func lockShared(string) (*os.File, error)    { return nil, nil }
func lockExclusive(string) (*os.File, error) { return nil, nil }
