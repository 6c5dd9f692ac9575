package jobs

import (
	"testing"
	"time"
)

func TestDailyAt(t *testing.T) {
	for now, want := range map[string]string{
		"2026-11-28T02:59:00Z":      "2026-11-28T03:00:00Z",
		"2026-11-28T03:00:00Z":      "2026-11-29T03:00:00Z",
		"2026-11-28T23:00:00Z":      "2026-11-29T03:00:00Z",
		"2026-11-28T03:30:00+02:00": "2026-11-28T03:00:00Z", // 01:30 UTC: three o'clock UTC is still ahead
	} {
		n, _ := time.Parse(time.RFC3339, now)
		w, _ := time.Parse(time.RFC3339, want)
		if got := dailyAt(3).Next(n); !got.Equal(w) {
			t.Errorf("after %s: %s, want %s", now, got, w)
		}
	}
}
