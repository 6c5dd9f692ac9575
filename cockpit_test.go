package touchpoint

import (
	"math"
	"testing"
	"time"
)

func TestFirstWorkingDay(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	de, err := WeekdayCalendar("DE", "Europe/Berlin", "DE", 8*time.Hour, 18*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, berlin) }
	for _, c := range []struct {
		at   time.Time
		cal  *BusinessCalendar
		want bool
	}{
		{day(2026, 12, 1), de, true},   // Tuesday
		{day(2026, 12, 2), de, false},  // the 1st was a working day
		{day(2027, 1, 1), nil, true},   // Friday, and no holidays without a calendar
		{day(2027, 1, 1), de, false},   // New Year's Day
		{day(2027, 1, 4), de, true},    // the Monday after
		{day(2026, 11, 2), de, true},   // the 1st was a Sunday
		{day(2026, 11, 1), nil, false}, // Sunday
	} {
		if got := FirstWorkingDay(c.at, c.cal); got != c.want {
			t.Errorf("%s (calendar %v): %v, want %v", c.at.Format("2006-01-02"), c.cal != nil, got, c.want)
		}
	}
}

func TestPeriods(t *testing.T) {
	oct, _ := PeriodOf("month", time.Date(2026, 10, 17, 0, 0, 0, 0, time.UTC))
	q3, _ := PeriodOf("quarter", time.Date(2026, 8, 2, 0, 0, 0, 0, time.UTC))
	wk, _ := PeriodOf("week", time.Date(2026, 10, 17, 0, 0, 0, 0, time.UTC)) // a Saturday
	for _, c := range []struct{ got, want string }{
		{oct.Label(), "2026-10"}, {oct.Previous().Label(), "2026-09"}, {oct.YearBefore().Label(), "2025-10"},
		{q3.Label(), "2026-Q3"}, {q3.Previous().Label(), "2026-Q2"},
		{wk.Label(), "2026-W42"}, {wk.Previous().Label(), "2026-W41"},
		{Period{time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}.Label(), "2026-01-05 – 2026-01-14"},
	} {
		if c.got != c.want {
			t.Errorf("%s, want %s", c.got, c.want)
		}
	}
	if _, err := PeriodOf("decade", time.Now()); err == nil {
		t.Error("an unknown period kind is accepted")
	}
}

func TestVolumesComparedPerDay(t *testing.T) {
	m, _ := KPIByID("case_volume")
	count := func(n int) Estimate { return m.Estimate(CountScores(n)) }
	// February's 1400 cases against January's 1550: the counts differ by 150
	// (SE √2950 = 54.3, z = 2.76, "significant"), yet both are 50 a day.
	c := NewScoreCell(m, count(1400), count(1550), count(1400), nil)
	if c.Direction != -1 {
		t.Fatalf("the raw counts should differ significantly: %+v", c)
	}
	c.PerDay(m, 28, 31, 28)
	if c.Direction != 0 || c.YearDir != 0 || c.Change == nil || math.Abs(*c.Change) > 1e-9 || c.Previous.Value != 1550 {
		t.Errorf("per day: direction %d, change %v, previous %v", c.Direction, *c.Change, c.Previous.Value)
	}
	// Half a month so far at the same pace as the whole month before.
	c = NewScoreCell(m, count(500), count(1000), count(1000), nil)
	c.PerDay(m, 15, 30, 30)
	if c.Direction != 0 || *c.Change != 0 {
		t.Errorf("a month in progress: direction %d, change %v", c.Direction, *c.Change)
	}
	// A real rise per day is still seen: 700 in 15 days after 1000 in 30 (z = 200 / √(700 + 250) = 6.5).
	c = NewScoreCell(m, count(700), count(1000), count(1000), nil)
	c.PerDay(m, 15, 30, 30)
	if c.Direction != 1 || c.Better || *c.Change != 200 {
		t.Errorf("a rise: direction %d, better %v, change %v", c.Direction, c.Better, *c.Change)
	}
}
