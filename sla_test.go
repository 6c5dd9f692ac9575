package touchpoint

import (
	"testing"
	"testing/synctest"
	"time"
)

func berlin(t *testing.T) *BusinessCalendar {
	t.Helper()
	c, err := WeekdayCalendar("Logistics DE", "Europe/Berlin", "DE", 8*time.Hour, 18*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(t *testing.T, c *BusinessCalendar, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, c.Location)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDue(t *testing.T) {
	c := berlin(t)
	for _, tc := range []struct {
		start string
		d     time.Duration
		want  string
	}{
		{"2026-11-23 09:00", 4 * time.Hour, "2026-11-23 13:00"},  // Monday, within the day
		{"2026-11-23 06:00", 4 * time.Hour, "2026-11-23 12:00"},  // before opening
		{"2026-11-27 17:00", 4 * time.Hour, "2026-11-30 11:00"},  // Friday evening → Monday
		{"2026-11-28 12:00", 4 * time.Hour, "2026-11-30 12:00"},  // Saturday
		{"2026-11-23 18:30", 0, "2026-11-24 08:00"},              // after closing, zero: next opening
		{"2026-11-23 09:00", 30 * time.Hour, "2026-11-26 09:00"}, // 3 business days of 10 h
		// Good Friday (3 April) and Easter Monday (6 April) 2026 are holidays in Germany.
		{"2026-04-02 16:00", 4 * time.Hour, "2026-04-07 10:00"},
		{"2026-12-24 17:00", 2 * time.Hour, "2026-12-28 09:00"}, // Christmas Day and Boxing Day
	} {
		got := c.Due(at(t, c, tc.start), tc.d)
		if want := at(t, c, tc.want); !got.Equal(want) {
			t.Errorf("Due(%s, %s) = %s, want %s", tc.start, tc.d, got.In(c.Location).Format("2006-01-02 15:04 Mon"), tc.want)
		}
	}
}

func TestDueAcrossDaylightSaving(t *testing.T) {
	c := berlin(t)
	c.Hours[time.Sunday] = OpeningHours{8 * 60, 18 * 60}
	// Clocks go forward on Sunday 29 March 2026: opening is still 8:00 on the wall.
	got := c.Due(at(t, c, "2026-03-29 07:00"), time.Hour)
	if want := at(t, c, "2026-03-29 09:00"); !got.Equal(want) {
		t.Errorf("DST day: %s, want %s", got.In(c.Location), want)
	}
	if e := c.Elapsed(at(t, c, "2026-03-29 00:00"), at(t, c, "2026-03-30 00:00")); e != 10*time.Hour {
		t.Errorf("business time on the DST day = %s, want 10h", e)
	}
}

func TestElapsedAndPauses(t *testing.T) {
	c := berlin(t)
	if e := c.Elapsed(at(t, c, "2026-11-27 17:00"), at(t, c, "2026-11-30 09:00")); e != 2*time.Hour {
		t.Errorf("Friday 17:00 → Monday 9:00 = %s, want 2h", e)
	}
	k := SLAClock{Start: at(t, c, "2026-11-23 08:00"), Target: 4 * time.Hour,
		Pauses: []Span{{From: at(t, c, "2026-11-23 09:00"), To: at(t, c, "2026-11-24 09:00")}}}
	due, ok := c.ClockDue(k)
	if want := at(t, c, "2026-11-24 12:00"); !ok || !due.Equal(want) {
		t.Errorf("with a pause: due %s %v, want %s", due.In(c.Location), ok, want)
	}
	k.Pauses[0].To = time.Time{}
	if _, ok := c.ClockDue(k); ok {
		t.Error("an open pause must stop the clock")
	}
}

func TestHolidays(t *testing.T) {
	for y, want := range map[int]Date{2024: {2024, 3, 31}, 2025: {2025, 4, 20}, 2026: {2026, 4, 5}, 2027: {2027, 3, 28}} {
		if got := dateOf(easter(y)); got != want {
			t.Errorf("Easter %d = %v, want %v", y, got, want)
		}
	}
	nl := &BusinessCalendar{Country: "NL"}
	if !nl.IsHoliday(Date{2025, 4, 26}) || nl.IsHoliday(Date{2025, 4, 27}) { // King's Day moves off a Sunday
		t.Error("King's Day 2025 is on Saturday 26 April")
	}
	be := &BusinessCalendar{Country: "BE"}
	if !be.IsHoliday(Date{2026, 7, 21}) || !be.IsHoliday(Date{2026, 5, 14}) { // national day, Ascension
		t.Error("Belgian holidays")
	}
	de := &BusinessCalendar{Country: "DE", Extra: []Date{{2026, 12, 24}}}
	if !de.IsHoliday(Date{2026, 10, 3}) || !de.IsHoliday(Date{2026, 12, 24}) || de.IsHoliday(Date{2026, 12, 23}) {
		t.Error("German and company holidays")
	}
	if _, err := WeekdayCalendar("x", "Mars/Olympus", "DE", 8*time.Hour, 18*time.Hour); ErrorCode(err) != EINVALID {
		t.Errorf("bad zone: %v", err)
	}
	if _, err := WeekdayCalendar("x", "UTC", "FR", 8*time.Hour, 18*time.Hour); ErrorCode(err) != EINVALID {
		t.Errorf("unknown country: %v", err)
	}
}

// TestStateAsTimePasses watches a 4-hour first-response clock on a fake
// clock (testing/synctest): OK, then warning at 80 % (3 h 12 min of business
// time), then breached; the night and a pause do not count.
func TestStateAsTimePasses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &BusinessCalendar{Name: "24/7 UTC", Location: time.UTC}
		for d := range c.Hours {
			c.Hours[d] = OpeningHours{0, 24 * 60}
		}
		k := SLAClock{Start: time.Now(), Target: 4 * time.Hour}
		state := func() SLAState { s, _ := c.State(k, time.Now()); return s }
		if s := state(); s != SLAOK {
			t.Fatalf("at start: %s", s)
		}
		time.Sleep(3*time.Hour + 11*time.Minute)
		if s := state(); s != SLAOK {
			t.Errorf("at 3h11: %s", s)
		}
		time.Sleep(2 * time.Minute)
		if s := state(); s != SLAWarning {
			t.Errorf("at 3h13: %s", s)
		}
		k.Pauses = []Span{{From: time.Now()}} // waiting for the customer
		time.Sleep(10 * time.Hour)
		if s, used := c.State(k, time.Now()); s != SLAPaused || used != 3*time.Hour+13*time.Minute {
			t.Errorf("paused: %s after %s", s, used)
		}
		k.Pauses[0].To = time.Now()
		time.Sleep(47 * time.Minute)
		if s := state(); s != SLABreached {
			t.Errorf("4h of business time used: %s", s)
		}
	})
}
