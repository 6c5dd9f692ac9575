package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/i18n"
)

type surveyRow struct {
	tp.Survey
	Result tp.Estimate
}

func (s *Server) surveysPage(w http.ResponseWriter, r *http.Request, v *view) error {
	list, err := s.Surveys.ListSurveys(r.Context())
	if err != nil {
		return err
	}
	rows := make([]surveyRow, 0, len(list))
	for _, sv := range list {
		res, err := s.Surveys.SurveyResults(r.Context(), tp.ResultsQuery{SurveyID: sv.ID})
		if err != nil {
			return err
		}
		rows = append(rows, surveyRow{sv, res.Total.Estimate})
	}
	v.Title = translate(v.Lang, "nav.surveys")
	return s.render(w, http.StatusOK, v, "surveys", "", map[string]any{"Surveys": rows, "CanEdit": v.Can(string(tp.ActSurveyManage))})
}

// resultView is one row of a results table, ready to show.
type resultView struct {
	Label  string
	Est    tp.Estimate
	Dist   []distBar
	Change string // "up", "down" or "" when not significant against the row before
}

type distBar struct {
	Score  int
	N      int
	Pct    float64 // of all answers
	Height float64 // 0–90, relative to the largest bar
}

func bars(sc tp.Scores) []distBar {
	n, top := sc.N(), 0
	for _, c := range sc.Count {
		top = max(top, c)
	}
	out := make([]distBar, len(sc.Count))
	for i, c := range sc.Count {
		out[i] = distBar{Score: sc.Min + i, N: c}
		if n > 0 {
			out[i].Pct = 100 * float64(c) / float64(n)
			out[i].Height = 90 * float64(c) / float64(top)
		}
	}
	return out
}

func (s *Server) surveyResultsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	sv, err := s.surveyFromPath(r)
	if err != nil {
		return err
	}
	q, err := resultsQuery(r, sv.ID)
	if err != nil {
		return err
	}
	if q.By == "" {
		q.By = "division"
	}
	bySlice, err := s.Surveys.SurveyResults(r.Context(), q)
	if err != nil {
		return err
	}
	q.By, q.Period = "", "month"
	trend, err := s.Surveys.SurveyResults(r.Context(), q)
	if err != nil {
		return err
	}
	m, _ := sv.Type.Metric()
	var slices, months []resultView
	for _, row := range bySlice.Rows {
		label := row.Slice
		if label == "" {
			label = "—"
		}
		slices = append(slices, resultView{Label: label, Est: row.Estimate, Dist: bars(row.Scores)})
	}
	arrows := tp.MonthArrows(trend.Rows)
	for i, row := range trend.Rows {
		rv := resultView{Label: row.Period, Est: row.Estimate, Change: map[int]string{1: "up", -1: "down"}[arrows[i]]}
		months = append(months, rv)
	}
	triggers, err := s.Surveys.ListTriggers(r.Context(), sv.ID)
	if err != nil {
		return err
	}
	srcs, err := s.Sources.ListSources(r.Context())
	if err != nil {
		return err
	}
	segs, err := s.Segments.ListSegments(r.Context())
	if err != nil {
		return err
	}
	srcName := map[int64]string{}
	for _, src := range srcs {
		srcName[src.ID] = src.Name
	}
	drivers, err := s.driversView(r, sv, v.Lang)
	if err != nil {
		return err
	}
	v.Title = sv.Name
	return s.render(w, http.StatusOK, v, "survey", "", map[string]any{
		"Drivers":  drivers,
		"Triggers": triggers, "Sources": srcs, "SourceName": srcName, "Segments": segs,
		"Survey": sv, "Metric": m, "MetricName": i18n.KPIName(v.Lang, m), "Definition": i18n.KPIDefinition(v.Lang, m), "Formula": i18n.Formula(v.Lang, m), "Interval": i18n.Interval(v.Lang, m), "Total": resultView{Est: bySlice.Total.Estimate, Dist: bars(bySlice.Total.Scores)},
		"Results": bySlice, "Slices": slices, "Months": months, "By": r.URL.Query().Get("by"), "CanEdit": v.Can(string(tp.ActSurveyManage)),
	})
}

// fmtEstimate shows a value in its metric's unit, or "too few responses"
// (cases, customers: whatever the KPI counts).
func fmtEstimate(lang string, e tp.Estimate) string { return e.Text(i18n.TooFew(lang, e)) }

type surveyFormData struct {
	Survey    *tp.Survey
	Questions string
	Error     string
	Fields    map[string]string
}

func (s *Server) surveyForm(w http.ResponseWriter, r *http.Request, v *view) error {
	sv := &tp.Survey{Type: tp.SurveyNPS, Status: tp.SurveyDraft, DefaultLang: "en", Texts: map[string]tp.SurveyText{}, CloseLoop: true}
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if sv, err = s.Surveys.FindSurvey(r.Context(), id); err != nil {
			return err
		}
	}
	qs, _ := json.MarshalIndent(sv.Questions, "", "  ")
	v.Title = translate(v.Lang, "surveys.edit")
	return s.render(w, http.StatusOK, v, "survey_form", "", surveyFormData{Survey: sv, Questions: string(qs)})
}

func (s *Server) saveSurvey(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return tp.Errorf(tp.EINVALID, "the form could not be read")
	}
	f := r.PostForm
	sv := &tp.Survey{Name: f.Get("name"), Type: tp.SurveyType(f.Get("type")), Status: tp.SurveyStatus(f.Get("status")),
		DefaultLang: f.Get("default_language"), Department: strings.TrimSpace(f.Get("department")), Texts: map[string]tp.SurveyText{},
		CloseLoop: f.Get("close_loop") == "1", AfterCase: f.Get("after_case") == "1"}
	for _, l := range tp.Locales {
		t := tp.SurveyText{Title: f.Get(l + "_title"), Question: f.Get(l + "_question"), LowLabel: f.Get(l + "_low"),
			HighLabel: f.Get(l + "_high"), CommentPrompt: f.Get(l + "_comment"), ThankYou: f.Get(l + "_thanks")}
		if qt := strings.TrimSpace(f.Get(l + "_qtexts")); qt != "" && qt != "null" && qt != "{}" {
			if jerr := json.Unmarshal([]byte(qt), &t.Questions); jerr != nil {
				return s.render(w, http.StatusBadRequest, v, "survey_form", "", surveyFormData{Survey: sv, Questions: f.Get("questions"),
					Error: l + ": question labels must be a JSON object: " + jerr.Error()})
			}
		}
		if strings.Join([]string{t.Title, t.Question, t.LowLabel, t.HighLabel, t.CommentPrompt, t.ThankYou}, "") != "" || len(t.Questions) > 0 {
			sv.Texts[l] = t
		}
	}
	qs := strings.TrimSpace(f.Get("questions"))
	var err error
	if qs != "" && qs != "null" {
		if jerr := json.Unmarshal([]byte(qs), &sv.Questions); jerr != nil {
			err = tp.Errorf(tp.EINVALID, "questions must be a JSON list: %s", jerr.Error()).WithFields(map[string]string{"questions": "invalid JSON"})
		}
	}
	if err == nil {
		if id := r.PathValue("id"); id != "" {
			sv.ID, _ = strconv.ParseInt(id, 10, 64)
			err = s.Surveys.UpdateSurvey(r.Context(), sv)
		} else {
			err = s.Surveys.CreateSurvey(r.Context(), sv)
		}
	}
	if tp.ErrorCode(err) == tp.EINVALID || tp.ErrorCode(err) == tp.ECONFLICT {
		v.Title = translate(v.Lang, "surveys.edit")
		return s.render(w, http.StatusBadRequest, v, "survey_form", "", surveyFormData{Survey: sv, Questions: qs,
			Error: v.errText(err), Fields: tp.ErrorFields(err)})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, v.withFlash(fmt.Sprintf("/surveys/%d", sv.ID), translate(v.Lang, "surveys.saved", sv.Version)), http.StatusSeeOther)
	return nil
}

func (s *Server) surveyPreview(w http.ResponseWriter, r *http.Request, v *view) error {
	sv, err := s.surveyFromPath(r)
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = sv.DefaultLang
	}
	d := s.respondDataFor(sv, lang, "")
	d.Preview = true
	s.renderRespond(w, http.StatusOK, lang, d)
	return nil
}

func (s *Server) addTrigger(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t := &tp.Trigger{SurveyID: id, EventName: r.FormValue("event"), Department: strings.TrimSpace(r.FormValue("department"))}
	t.SourceID, _ = strconv.ParseInt(r.FormValue("source_id"), 10, 64)
	if t.DelayMin, err = strconv.Atoi(strings.TrimSpace(r.FormValue("delay_minutes"))); err != nil {
		t.DelayMin = -1 // rejected with a clear message
	}
	flash := translate(v.Lang, "triggers.added")
	if err := s.Surveys.CreateTrigger(r.Context(), t); err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			return err
		}
		flash = v.errText(err)
	}
	http.Redirect(w, r, v.withFlash(fmt.Sprintf("/surveys/%d#triggers", id), flash), http.StatusSeeOther)
	return nil
}

func (s *Server) removeTrigger(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	tid, _ := strconv.ParseInt(r.PathValue("tid"), 10, 64)
	if err := s.Surveys.DeleteTrigger(r.Context(), tid); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/surveys/%d#triggers", id), http.StatusSeeOther)
	return nil
}

// sendToList invites the addresses pasted or uploaded on the survey page: one
// per line, or a CSV whose first column holding an "@" is the address.
func (s *Server) sendToList(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	if err := r.ParseMultipartForm(4 << 20); err != nil && err != http.ErrNotMultipart {
		return tp.Errorf(tp.EINVALID, "the list is larger than 4 MB; send it in parts")
	}
	text := r.FormValue("emails")
	if file, _, err := r.FormFile("file"); err == nil {
		b, _ := io.ReadAll(io.LimitReader(file, 4<<20))
		text += "\n" + string(b)
		file.Close()
	}
	var emails []string
	var ids []int64
	if seg, _ := strconv.ParseInt(r.FormValue("segment_id"), 10, 64); seg > 0 {
		members, _, err := s.Segments.SegmentMembers(r.Context(), seg, 0)
		if err != nil {
			return err
		}
		ids = members
	}
	for _, line := range strings.Split(text, "\n") {
		for _, cell := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' || r == '\t' }) {
			if cell = strings.Trim(strings.TrimSpace(cell), `"`); strings.Contains(cell, "@") {
				emails = append(emails, cell)
				break
			}
		}
	}
	flash := ""
	if (len(emails) == 0 && len(ids) == 0) || len(emails) > 5000 {
		flash = translate(v.Lang, "send.count")
	} else if byMail, err := s.customersByEmail(r, emails); err != nil {
		if tp.ErrorCode(err) != tp.EINVALID {
			return err
		}
		flash = v.errText(err)
	} else {
		ids = append(ids, byMail...)
		rep, err := s.Surveys.QueueInvitations(r.Context(), id, ids, tp.SendOptions{Channel: r.FormValue("channel"),
			Department: strings.TrimSpace(r.FormValue("department")), Division: strings.TrimSpace(r.FormValue("division"))})
		if tp.ErrorCode(err) == tp.EINVALID || tp.ErrorCode(err) == tp.ECONFLICT {
			flash = v.errText(err)
		} else if err != nil {
			return err
		} else {
			skipped := 0
			for _, n := range rep.Skipped {
				skipped += n
			}
			flash = translate(v.Lang, "send.done", rep.Queued, skipped)
			for reason, n := range rep.Skipped {
				flash += fmt.Sprintf(" %s: %d.", translate(v.Lang, "skip."+reason), n)
			}
		}
	}
	http.Redirect(w, r, v.withFlash(fmt.Sprintf("/surveys/%d#send", id), flash), http.StatusSeeOther)
	return nil
}
