package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/tabular"
)

// responseFilter reads the list and export filters from the query string.
func responseFilter(r *http.Request, surveyID int64) (tp.ResponseFilter, error) {
	q := r.URL.Query()
	f := tp.ResponseFilter{SurveyID: surveyID, Division: q.Get("division"), Channel: q.Get("channel"), Department: q.Get("department"),
		Language: q.Get("language"), Query: strings.TrimSpace(q.Get("q")), WithComment: q.Get("with_comment") == "1",
		Theme: q.Get("theme"), Sentiment: q.Get("sentiment")}
	if f.Sentiment != "" && f.Sentiment != "negative" && f.Sentiment != "neutral" && f.Sentiment != "positive" {
		return f, tp.Errorf(tp.EINVALID, "sentiment must be negative, neutral or positive").WithFields(map[string]string{"sentiment": "invalid"})
	}
	for name, dst := range map[string]**int{"min_score": &f.MinScore, "max_score": &f.MaxScore} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return f, tp.Errorf(tp.EINVALID, "%s must be a whole number", name).WithFields(map[string]string{name: "invalid"})
			}
			*dst = &n
		}
	}
	rq, err := resultsQuery(r, surveyID)
	if err != nil {
		return f, err
	}
	f.From, f.To = rq.From, rq.To
	if v := q.Get("before"); v != "" {
		if f.BeforeID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return f, tp.Errorf(tp.EINVALID, "before must be a response id")
		}
	}
	return f, nil
}

var responseHeader = []string{"response_id", "survey_id", "version", "customer_id", "customer", "score", "comment", "language",
	"channel", "department", "division", "complete", "answers", "created_at", "updated_at",
	"comment_language", "sentiment", "sentiment_score", "themes"}

func responseRecord(r tp.ResponseRow) []any {
	answers := ""
	if len(r.Answers) > 0 {
		var parts []string
		for k, v := range r.Answers {
			parts = append(parts, k+"="+string(v))
		}
		answers = strings.Join(parts, "; ")
	}
	var lang, sentiment, themes string
	var score any
	if a := r.Analysis; a != nil {
		lang, sentiment, score, themes = a.Lang, a.Sentiment, a.Score, themeList(*a)
	}
	return []any{r.ID, r.SurveyID, r.Version, r.CustomerID, r.CustomerName, r.Score, r.Comment, r.Language, r.Channel,
		r.Department, r.Division, r.Complete, answers, r.CreatedAt, r.UpdatedAt, lang, sentiment, score, themes}
}

// apiResponses lists a survey's responses as JSON (a page), CSV or XLSX (all).
func (s *Server) apiResponses(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Surveys.FindSurvey(r.Context(), id); err != nil {
		return err
	}
	f, err := responseFilter(r, id)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" || format == "json" {
		if f.Limit, err = queryInt(r, "limit", 100); err != nil {
			return err
		}
		f.Limit = min(f.Limit, 1000)
		list := []tp.ResponseRow{}
		if err := s.Surveys.ListResponses(r.Context(), f, func(row tp.ResponseRow) error { list = append(list, row); return nil }); err != nil {
			return err
		}
		out := map[string]any{"responses": list}
		if len(list) == f.Limit {
			out["next_before"] = list[len(list)-1].ID
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	return s.exportResponses(w, r, format, f, fmt.Sprintf("survey-%d-responses", id))
}

// exportResponses streams every response the filter selects as CSV or XLSX.
func (s *Server) exportResponses(w http.ResponseWriter, r *http.Request, format string, f tp.ResponseFilter, name string) error {
	ct, ok := tabular.ContentTypes[format]
	if !ok {
		return tp.Errorf(tp.EINVALID, "format must be json, csv or xlsx").WithFields(map[string]string{"format": "invalid"})
	}
	if err := s.auditExport(r, name, format); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, name, time.Now().UTC().Format("2006-01-02"), format))
	tw, err := tabular.New(format, w, responseHeader)
	if err != nil {
		return err
	}
	f.Limit = 0
	if err := s.Surveys.ListResponses(r.Context(), f, func(row tp.ResponseRow) error { return tw.Write(responseRecord(row)) }); err != nil {
		s.logErr(r, err) // headers are gone: the truncated file is the signal
		return nil
	}
	return tw.Close()
}

type commentsData struct {
	Survey *tp.Survey
	Rows   []tp.ResponseRow
	Filter tp.ResponseFilter
	Query  string
	More   string
	Themes []tp.Theme
	Names  map[string]string // theme id → name in the reader's language
}

func (s *Server) commentsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	sv, err := s.surveyFromPath(r)
	if err != nil {
		return err
	}
	f, err := responseFilter(r, sv.ID)
	if err != nil {
		return err
	}
	f.Limit = 100
	d := commentsData{Survey: sv, Filter: f, Query: r.URL.RawQuery, Themes: s.Analyzer.Taxonomy(), Names: map[string]string{}}
	for _, t := range d.Themes {
		d.Names[t.ID] = t.Name(v.Lang)
	}
	if err := s.Surveys.ListResponses(r.Context(), f, func(row tp.ResponseRow) error { d.Rows = append(d.Rows, row); return nil }); err != nil {
		return err
	}
	if len(d.Rows) == f.Limit {
		q := r.URL.Query()
		q.Set("before", strconv.FormatInt(d.Rows[len(d.Rows)-1].ID, 10))
		d.More = q.Encode()
	}
	v.Title = translate(v.Lang, "comments.title") + " · " + sv.Name
	return s.render(w, http.StatusOK, v, "comments", "", d)
}

// themeList is an analysis' theme ids for an export cell.
func themeList(a tp.TextAnalysis) string {
	ids := make([]string, len(a.Themes))
	for i, h := range a.Themes {
		ids[i] = h.Theme
	}
	return strings.Join(ids, "; ")
}
