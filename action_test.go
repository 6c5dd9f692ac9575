package touchpoint

import (
	"testing"
	"time"
)

func TestActionOverdue(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	a := ActionItem{Due: "2026-12-15", Status: ActionOpen}
	for at, want := range map[string]bool{
		"2026-12-15T23:59:00+01:00": false, // the due day itself is still in time
		"2026-12-16T00:00:00+01:00": true,
		"2026-12-15T23:30:00Z":      true, // already the 16th in Berlin
	} {
		now, _ := time.Parse(time.RFC3339, at)
		if got := a.Overdue(now, berlin); got != want {
			t.Errorf("Overdue(%s) = %v, want %v", at, got, want)
		}
	}
	a.Status = ActionDone
	if a.Overdue(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), berlin) {
		t.Error("a done item is never overdue")
	}
}
