package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

func (s *Server) apiListSegments(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Segments.ListSegments(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"segments": list})
	return nil
}

func (s *Server) apiCreateSegment(w http.ResponseWriter, r *http.Request) error {
	var seg tp.Segment
	if err := decodeJSON(r, &seg); err != nil {
		return err
	}
	seg.ID = 0
	if err := s.Segments.CreateSegment(r.Context(), &seg); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, seg)
	return nil
}

// apiPreviewSegment counts the members of rules that are not saved: the
// editor's live count.
func (s *Server) apiPreviewSegment(w http.ResponseWriter, r *http.Request) error {
	var seg tp.Segment
	if err := decodeJSON(r, &seg); err != nil {
		return err
	}
	n, err := s.Segments.PreviewSegment(r.Context(), &seg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"members": n})
	return nil
}

func (s *Server) apiSegment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	seg, err := s.Segments.FindSegment(r.Context(), id)
	if err != nil {
		return err
	}
	members, total, err := s.Segments.SegmentMembers(r.Context(), id, 1000)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"segment": seg, "members": total, "customer_ids": members})
	return nil
}

type segmentRow struct {
	tp.Segment
	Members int
	Rules   string
}

func ruleText(c tp.Condition) string {
	switch c.Kind {
	case "any":
		var alts []string
		for _, sub := range c.Any {
			alts = append(alts, ruleText(sub))
		}
		return "(" + strings.Join(alts, " or ") + ")"
	case "risk", "value_tier", "nps":
		return c.Kind + " " + c.Op
	case "open_cases":
		return fmt.Sprintf("open_cases %d", c.Count)
	}
	if c.Kind == "event" {
		not := ""
		if c.Op == "none" {
			not = "no "
		}
		return fmt.Sprintf("%s%q in %d days", not, c.Event, c.Days)
	}
	if c.Op == "exists" {
		return c.Key + " is set"
	}
	return fmt.Sprintf("%s %s %q", c.Key, c.Op, c.Value)
}

func (s *Server) segmentsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	list, err := s.Segments.ListSegments(r.Context())
	if err != nil {
		return err
	}
	rows := make([]segmentRow, 0, len(list))
	for _, seg := range list {
		_, n, err := s.Segments.SegmentMembers(r.Context(), seg.ID, 1)
		if err != nil {
			return err
		}
		var rules []string
		for _, c := range seg.Conditions {
			rules = append(rules, ruleText(c))
		}
		rows = append(rows, segmentRow{seg, n, strings.Join(rules, " · ")})
	}
	v.Title = translate(v.Lang, "nav.segments")
	return s.render(w, http.StatusOK, v, "segments", "", map[string]any{"Segments": rows, "CanEdit": v.Can(string(tp.ActSegmentManage)),
		"Example": `[{"kind":"trait","key":"plan","op":"eq","value":"premium"},{"kind":"event","event":"Order Completed","days":90}]`})
}

func (s *Server) createSegment(w http.ResponseWriter, r *http.Request, v *view) error {
	seg := &tp.Segment{Name: r.FormValue("name"), Description: r.FormValue("description")}
	flash := ""
	if err := json.Unmarshal([]byte(r.FormValue("conditions")), &seg.Conditions); err != nil {
		flash = v.errText(tp.Errorf(tp.EINVALID, "conditions must be a JSON list: %v", err))
	} else if err := s.Segments.CreateSegment(r.Context(), seg); err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			return err
		}
		flash = v.errText(err)
	} else {
		flash = translate(v.Lang, "segments.saved", seg.Name)
	}
	http.Redirect(w, r, v.withFlash("/segments", flash), http.StatusSeeOther)
	return nil
}
