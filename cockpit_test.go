package touchpoint

import (
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
