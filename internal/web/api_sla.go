package web

import (
	"net/http"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

func (s *Server) apiListSLAPolicies(w http.ResponseWriter, r *http.Request) error {
	list, err := s.SLA.ListSLAPolicies(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"policies": list, "defaults_minutes": defaultTargets()})
	return nil
}

func defaultTargets() map[tp.Priority][2]int {
	out := map[tp.Priority][2]int{}
	for p, t := range tp.DefaultSLATargets {
		out[p] = [2]int{int(t[0].Minutes()), int(t[1].Minutes())}
	}
	return out
}

// apiCreateSLAPolicy sets targets for a priority (and category), optionally
// on a new business calendar given inline.
func (s *Server) apiCreateSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Priority         tp.Priority `json:"priority"`
		Category         string      `json:"category"`
		FirstResponseMin int         `json:"first_response_minutes"`
		ResolutionMin    int         `json:"resolution_minutes"`
		Calendar         *struct {
			Name     string             `json:"name"`
			TimeZone string             `json:"time_zone"`
			Country  string             `json:"country"`
			Hours    [7]tp.OpeningHours `json:"hours"` // by weekday, Sunday first, minutes after midnight
			Holidays []tp.Date          `json:"holidays"`
		} `json:"calendar"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	valid := false
	for _, p := range tp.Priorities {
		valid = valid || p == body.Priority
	}
	if !valid {
		return tp.Errorf(tp.EINVALID, "priority must be low, normal, high or urgent").WithFields(map[string]string{"priority": "invalid"})
	}
	var calID int64
	if c := body.Calendar; c != nil {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil || c.TimeZone == "" {
			return tp.Errorf(tp.EINVALID, "calendar.time_zone must be an IANA zone like Europe/Amsterdam").WithFields(map[string]string{"calendar.time_zone": "invalid"})
		}
		if calID, err = s.SLA.CreateCalendar(r.Context(), &tp.BusinessCalendar{Name: c.Name, Location: loc, Country: c.Country,
			Hours: c.Hours, Extra: c.Holidays}); err != nil {
			return err
		}
	}
	p := &tp.SLAPolicy{Priority: body.Priority, Category: body.Category,
		FirstResponse: time.Duration(body.FirstResponseMin) * time.Minute, Resolution: time.Duration(body.ResolutionMin) * time.Minute}
	if err := s.SLA.CreateSLAPolicy(r.Context(), p, calID); err != nil {
		return err
	}
	p.FirstResponseMin, p.ResolutionMin = body.FirstResponseMin, body.ResolutionMin
	writeJSON(w, http.StatusCreated, p)
	return nil
}
