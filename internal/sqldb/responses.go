package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// ListResponses streams a survey's responses, newest first, to each.
func (s *SurveyService) ListResponses(ctx context.Context, f tp.ResponseFilter, each func(tp.ResponseRow) error) error {
	dept, err := listScope(ctx, tp.ActResponsesRead)
	if err != nil {
		return err
	}
	if dept != "" {
		f.Department = dept
	}
	where := []string{"r.survey_id = $1"}
	args := []any{f.SurveyID}
	if f.SurveyType != "" {
		if f.SurveyID == 0 {
			where, args = []string{"r.score IS NOT NULL AND r.survey_id IN (SELECT id FROM surveys WHERE type = $1)"}, []any{string(f.SurveyType)}
		} else {
			where, args = []string{"r.score IS NOT NULL AND r.survey_id IN (SELECT id FROM surveys WHERE id = $1 AND type = $2)"}, []any{f.SurveyID, string(f.SurveyType)}
		}
	}
	if f.SurveyID == 0 && f.SurveyType == "" && f.CustomerID != 0 {
		where, args = []string{"r.customer_id = $1"}, []any{f.CustomerID}
	}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CustomerID != 0 && (f.SurveyID != 0 || f.SurveyType != "") {
		add("r.customer_id = $%d", f.CustomerID)
	}
	if f.MinScore != nil {
		add("r.score >= $%d", *f.MinScore)
	}
	if f.MaxScore != nil {
		add("r.score <= $%d", *f.MaxScore)
	}
	for col, v := range map[string]string{"r.division": f.Division, "r.channel": f.Channel, "r.department": f.Department, "r.lang": f.Language} {
		if v != "" {
			add(col+" = $%d", v)
		}
	}
	if f.Query != "" {
		add("lower(r.comment) LIKE $%d ESCAPE '\\'", "%"+likeEscape(strings.ToLower(f.Query))+"%")
	}
	if f.WithComment {
		where = append(where, "r.comment <> ''")
	}
	if f.Theme != "" {
		add("r.id IN (SELECT ref_id FROM text_themes WHERE source = 'response' AND theme = $%d)", f.Theme)
	}
	if f.Sentiment != "" {
		add("ta.sentiment = $%d", f.Sentiment)
	}
	if !f.From.IsZero() {
		add("r.created_us >= $%d", tp.ToMicros(f.From))
	}
	if !f.To.IsZero() {
		add("r.created_us <= $%d", tp.ToMicros(f.To))
	}
	if f.BeforeID > 0 {
		add("r.id < $%d", f.BeforeID)
	}
	if f.SegmentID != 0 {
		cond, margs, err := s.db.segmentCond(ctx, f.SegmentID, "r.customer_id", len(args)+1)
		if err != nil {
			return err
		}
		where, args = append(where, cond), append(args, margs...)
	}
	q := "SELECT " + prefixed("r.", responseCols) + ", COALESCE(c.name, ''), ta.sentiment, COALESCE(ta.lang, ''), COALESCE(ta.sentiment_score, 0), " +
		"COALESCE(ta.themes, '[]'), COALESCE(ta.sentences, '[]') FROM responses r LEFT JOIN customers c ON c.id = r.customer_id " +
		"LEFT JOIN text_analyses ta ON ta.source = 'response' AND ta.ref_id = r.id WHERE " +
		strings.Join(where, " AND ") + " ORDER BY r.id DESC"
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	rows, err := s.db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var row tp.ResponseRow
		var sentiment sql.NullString
		var a tp.TextAnalysis
		var themes, sentences string
		r, err := scanResponse(scanWithExtra{rows, []any{&row.CustomerName, &sentiment, &a.Lang, &a.Score, &themes, &sentences}})
		if err != nil {
			return err
		}
		row.Response = *r
		if sentiment.Valid { // analysed
			a.Sentiment = sentiment.String
			if err := decodeAnalysis(&a, themes, sentences); err != nil {
				return err
			}
			row.Analysis = &a
		}
		if err := each(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// scanWithExtra appends destinations to a row scan, so the response scanner
// can be reused for rows with extra columns.
type scanWithExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (s scanWithExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }
