package touchpoint

import (
	"testing"
	"time"
)

func TestLockDuration(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 15 * time.Minute, 2: 30 * time.Minute, 3: time.Hour, 7: 16 * time.Hour, 8: 24 * time.Hour, 40: 24 * time.Hour} {
		if got := LockDuration(n); got != want {
			t.Errorf("lock %d: %s, want %s", n, got, want)
		}
	}
}
