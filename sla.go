package touchpoint

import (
	"context"
	"fmt"
	"time"
)

// A BusinessCalendar says when a department works: opening hours per
// weekday in a time zone, minus public holidays. SLA clocks run only then.
type BusinessCalendar struct {
	Name     string
	Location *time.Location
	Hours    [7]OpeningHours // by time.Weekday; zero means closed
	Country  string          // public holidays of DE, NL or BE; "" for none
	Extra    []Date          // company holidays
}

// OpeningHours is one day's opening, in minutes after midnight.
type OpeningHours struct{ Open, Close int }

// Date is a calendar day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

func dateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// WeekdayCalendar is Monday to Friday, open to close (e.g. 8:00–18:00).
func WeekdayCalendar(name, tz, country string, open, close time.Duration) (*BusinessCalendar, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, Errorf(EINVALID, "unknown time zone %q", tz)
	}
	c := &BusinessCalendar{Name: name, Location: loc, Country: country}
	for d := time.Monday; d <= time.Friday; d++ {
		c.Hours[d] = OpeningHours{int(open.Minutes()), int(close.Minutes())}
	}
	return c, c.Validate()
}

// Validate checks that hours are within the day and the calendar is ever open.
func (c *BusinessCalendar) Validate() error {
	open := false
	for d, h := range c.Hours {
		if h == (OpeningHours{}) {
			continue
		}
		if h.Open < 0 || h.Close > 24*60 || h.Open >= h.Close {
			return Errorf(EINVALID, "calendar %s: %s opens at %d and closes at %d minutes", c.Name, time.Weekday(d), h.Open, h.Close)
		}
		open = true
	}
	if !open {
		return Errorf(EINVALID, "calendar %s is never open", c.Name)
	}
	if c.Country != "" && c.Country != "DE" && c.Country != "NL" && c.Country != "BE" {
		return Errorf(EINVALID, "public holidays are known for DE, NL and BE, not %q", c.Country)
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	return nil
}

// IsHoliday reports whether day d is a public or company holiday.
func (c *BusinessCalendar) IsHoliday(d Date) bool {
	for _, h := range c.Extra {
		if h == d {
			return true
		}
	}
	for _, h := range PublicHolidays(c.Country, d.Year) {
		if h == d {
			return true
		}
	}
	return false
}

// window returns the opening interval of the day containing t, if it is a
// working day.
func (c *BusinessCalendar) window(t time.Time) (start, end time.Time, ok bool) {
	t = t.In(c.Location)
	h := c.Hours[t.Weekday()]
	if h == (OpeningHours{}) || c.IsHoliday(dateOf(t)) {
		return time.Time{}, time.Time{}, false
	}
	// Wall-clock opening hours, also on days when daylight saving time changes.
	at := func(min int) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), min/60, min%60, 0, 0, c.Location)
	}
	return at(h.Open), at(h.Close), true
}

func nextMidnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
}

// Due returns when d of business time has passed after start: the moment an
// SLA target falls due. d = 0 returns the first business moment at or after start.
func (c *BusinessCalendar) Due(start time.Time, d time.Duration) time.Time {
	t := start
	for day := 0; day < 3660; day++ {
		if ws, we, ok := c.window(t); ok {
			if t.Before(ws) {
				t = ws
			}
			if t.Before(we) {
				if left := we.Sub(t); d <= left {
					return t.Add(d)
				} else {
					d -= left
				}
			}
		}
		t = nextMidnight(t, c.Location)
	}
	panic(fmt.Sprintf("calendar %s: no business time within ten years", c.Name)) // Validate rules this out
}

// Elapsed returns the business time between from and to.
func (c *BusinessCalendar) Elapsed(from, to time.Time) time.Duration {
	var total time.Duration
	for t := from; t.Before(to); t = nextMidnight(t, c.Location) {
		ws, we, ok := c.window(t)
		if !ok {
			continue
		}
		s, e := maxTime(ws, t), minTime(we, to)
		if e.After(s) {
			total += e.Sub(s)
		}
	}
	return total
}

// Span is an interval; pauses of an SLA clock are spans.
type Span struct{ From, To time.Time }

// SLAClock is a case's running SLA: started at Start, paused during Pauses
// (pending on the customer), with a target of Target business time.
type SLAClock struct {
	Start  time.Time
	Target time.Duration
	Pauses []Span // To is zero while a pause is open
}

// ClockDue returns when the clock's target falls due, given the pauses so
// far. An open pause stops the clock: ok is false.
func (c *BusinessCalendar) ClockDue(k SLAClock) (due time.Time, ok bool) {
	left := k.Target
	at := k.Start
	for _, p := range k.Pauses {
		if p.From.Before(at) {
			p.From = at
		}
		used := c.Elapsed(at, p.From)
		if used >= left {
			return c.Due(at, left), true
		}
		left -= used
		if p.To.IsZero() {
			return time.Time{}, false
		}
		at = maxTime(at, p.To)
	}
	return c.Due(at, left), true
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// PublicHolidays returns the national public holidays of DE, NL or BE in year.
// German holidays are the nationwide ones (state holidays vary by state and
// go in Extra).
func PublicHolidays(country string, year int) []Date {
	e := easter(year)
	rel := func(days int) Date { return dateOf(e.AddDate(0, 0, days)) }
	fixed := func(m time.Month, d int) Date { return Date{year, m, d} }
	switch country {
	case "DE":
		return []Date{fixed(time.January, 1), rel(-2), rel(1), fixed(time.May, 1), rel(39), rel(50),
			fixed(time.October, 3), fixed(time.December, 25), fixed(time.December, 26)}
	case "NL":
		kings := fixed(time.April, 27)
		if time.Date(year, time.April, 27, 0, 0, 0, 0, time.UTC).Weekday() == time.Sunday {
			kings = fixed(time.April, 26)
		}
		days := []Date{fixed(time.January, 1), rel(-2), rel(0), rel(1), kings, rel(39), rel(49), rel(50),
			fixed(time.December, 25), fixed(time.December, 26)}
		if year%5 == 0 { // Liberation Day is a national day off every five years
			days = append(days, fixed(time.May, 5))
		}
		return days
	case "BE":
		return []Date{fixed(time.January, 1), rel(1), fixed(time.May, 1), rel(39), rel(50), fixed(time.July, 21),
			fixed(time.August, 15), fixed(time.November, 1), fixed(time.November, 11), fixed(time.December, 25)}
	}
	return nil
}

// easter returns Easter Sunday (Gregorian; the anonymous algorithm).
func easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// SLAState is where a clock stands.
type SLAState string

const (
	SLAOK       SLAState = "ok"
	SLAWarning  SLAState = "warning" // 80 % of the target used
	SLABreached SLAState = "breached"
	SLAPaused   SLAState = "paused"
)

// WarnAt is the share of the target after which a clock warns.
const WarnAt = 0.8

// State tells where clock k stands at now, and how much business time of
// its target is used.
func (c *BusinessCalendar) State(k SLAClock, now time.Time) (SLAState, time.Duration) {
	used, at := time.Duration(0), k.Start
	for _, p := range k.Pauses {
		if !p.From.Before(now) {
			break
		}
		used += c.Elapsed(at, maxTime(at, p.From))
		if p.To.IsZero() || p.To.After(now) {
			return SLAPaused, used
		}
		at = maxTime(at, p.To)
	}
	used += c.Elapsed(at, maxTime(at, now))
	switch {
	case used >= k.Target:
		return SLABreached, used
	case float64(used) >= WarnAt*float64(k.Target):
		return SLAWarning, used
	}
	return SLAOK, used
}

// SLAPolicy sets a case's targets in business time.
type SLAPolicy struct {
	ID            int64             `json:"id"`
	Priority      Priority          `json:"priority"`
	Category      string            `json:"category,omitempty"` // "": any
	FirstResponse time.Duration     `json:"-"`
	Resolution    time.Duration     `json:"-"`
	Calendar      *BusinessCalendar `json:"-"`
	// For the API: targets in business minutes and the calendar's name.
	FirstResponseMin int    `json:"first_response_minutes"`
	ResolutionMin    int    `json:"resolution_minutes"`
	CalendarName     string `json:"calendar,omitempty"`
}

// Default SLA targets, used when no policy matches: on a business day of
// 8:00–18:00, "3 business days" is 30 business hours.
var DefaultSLATargets = map[Priority][2]time.Duration{
	PriorityUrgent: {1 * time.Hour, 10 * time.Hour},
	PriorityHigh:   {4 * time.Hour, 30 * time.Hour},
	PriorityNormal: {8 * time.Hour, 50 * time.Hour},
	PriorityLow:    {16 * time.Hour, 100 * time.Hour},
}

// SLA targets of a case.
const (
	TargetFirstResponse = "first_response"
	TargetResolution    = "resolution"
)

// SLACheck looks at one SLA target of a case when it is due to warn or breach.
type SLACheck struct {
	CaseID int64  `json:"case_id"`
	Target string `json:"target"` // first_response or resolution
}

// Kind names the worker.
func (SLACheck) Kind() string { return "sla_check" }

// CasePauses derives the pauses of a case's clocks from its audit trail:
// every stretch in pending_customer.
func CasePauses(events []CaseEvent) []Span {
	var out []Span
	for _, e := range events {
		if e.Kind != "status" {
			continue
		}
		if e.New == string(CasePendingCustomer) {
			out = append(out, Span{From: e.At})
		} else if e.Old == string(CasePendingCustomer) && len(out) > 0 && out[len(out)-1].To.IsZero() {
			out[len(out)-1].To = e.At
		}
	}
	return out
}

// SLADecision is what a check of one SLA target of a case does now.
type SLADecision struct {
	State SLAState // warning or breached to record; "" for nothing
	Note  string   // for the audit trail
	Raise Priority // the priority to escalate to; "" for none
}

// CheckSLATarget decides a check of one target (TargetFirstResponse or
// TargetResolution) of case c with its audit trail under policy p: record a
// warning at WarnAt of the business time, and on breach record it once and
// raise the priority one step (to urgent at most). A met target, a closed
// case, a paused clock or a state recorded already does nothing.
func CheckSLATarget(c *Case, events []CaseEvent, p *SLAPolicy, target string, now time.Time) SLADecision {
	if (target == TargetFirstResponse && c.FirstReplyAt != nil) || (target == TargetResolution && c.ResolvedAt != nil) ||
		c.Status == CaseClosed {
		return SLADecision{}
	}
	d := p.FirstResponse
	if target == TargetResolution {
		d = p.Resolution
	}
	state, used := p.Calendar.State(SLAClock{Start: c.CreatedAt, Target: d, Pauses: CasePauses(events)}, now)
	if state != SLAWarning && state != SLABreached {
		return SLADecision{} // paused, or the due time moved: a later check handles it
	}
	for _, e := range events {
		if e.Kind == "sla" && e.Field == target && (e.New == string(state) || e.New == string(SLABreached)) {
			return SLADecision{} // recorded already
		}
	}
	dec := SLADecision{State: state, Note: fmt.Sprintf("%s: %s of %s business time used", target, used.Round(time.Minute), d)}
	if state == SLABreached && c.Priority != PriorityUrgent {
		dec.Raise = c.Priority.Raise()
	}
	return dec
}

// SLAService configures business calendars and SLA policies.
type SLAService interface {
	CreateCalendar(ctx context.Context, c *BusinessCalendar) (int64, error)
	CreateSLAPolicy(ctx context.Context, p *SLAPolicy, calendarID int64) error
	ListSLAPolicies(ctx context.Context) ([]SLAPolicy, error)
}
