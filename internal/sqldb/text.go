package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// TextService keeps the analyses of what customers wrote and answers
// questions about themes. Texts are analysed behind their arrival by a job
// (AnalyzePending), so every path a text comes in by (the survey page,
// imports, complaint mail, the demo) is covered by one mechanism. A text is
// pending when it has no analysis or changed after it. Two watermarks keep
// each run to index ranges: new rows by id (an import of last year's
// answers carries last year's times, so time alone would miss it), changed
// rows by their change time, looking back an overlap for late commits.
type TextService struct{ db *DB }

// textSources: per source, the watermark's name and the query of pending texts.
var textSources = []struct {
	source, mark, query string
}{
	{tp.TextResponse, "text_response", `SELECT r.id, r.comment, '', r.lang, r.updated_us, COALESCE(l.sentiment, ''), l.themes,
		r.survey_id, COALESCE(sv.type, ''), r.division, r.department, r.channel, r.score, r.created_us FROM responses r
		LEFT JOIN surveys sv ON sv.id = r.survey_id
		LEFT JOIN text_analyses t ON t.source = 'response' AND t.ref_id = r.id
		LEFT JOIN text_labels l ON l.source = 'response' AND l.ref_id = r.id
		WHERE (r.id > $1 OR r.updated_us > $2) AND r.comment <> '' AND (t.ref_id IS NULL OR t.analyzed_us < r.updated_us)
		ORDER BY r.id LIMIT $3`},
	{tp.TextCase, "text_case", `SELECT c.id, c.subject, c.description, '', c.updated_us, COALESCE(l.sentiment, ''), l.themes,
		0, '', c.division, c.department, c.channel, NULL, c.created_us FROM cases c
		LEFT JOIN text_analyses t ON t.source = 'case' AND t.ref_id = c.id
		LEFT JOIN text_labels l ON l.source = 'case' AND l.ref_id = c.id
		WHERE (c.id > $1 OR c.updated_us > $2) AND (t.ref_id IS NULL OR t.analyzed_us < c.updated_us)
		ORDER BY c.id LIMIT $3`},
}

type pendingText struct {
	id         int64
	text, lang string
	updated    int64
	// An analyst's correction, kept over every new analysis.
	sentiment string
	themes    sql.NullString
	facts     textFacts
}

// textFacts are what theme figures are cut by, copied onto the analysis.
type textFacts struct {
	surveyID             int64
	surveyType           string
	division, department string
	channel              string
	score                sql.NullInt64
	created              int64
}

// AnalyzePending analyses up to limit texts of each source not analysed yet.
func (s *TextService) AnalyzePending(ctx context.Context, an tp.TextAnalyzer, limit int) (int, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return 0, err
	}
	done := 0
	for _, src := range textSources {
		idMark, err := s.db.mark(ctx, s.db.r, src.mark+"_id")
		if err != nil {
			return done, err
		}
		usMark, err := s.db.mark(ctx, s.db.r, src.mark)
		if err != nil {
			return done, err
		}
		started := tp.ToMicros(time.Now())
		rows, err := s.db.r.QueryContext(ctx, src.query, idMark, usMark-overlap.Microseconds(), limit)
		if err != nil {
			return done, fmt.Errorf("pending %s texts: %w", src.source, err)
		}
		var todo []pendingText
		for rows.Next() {
			var p pendingText
			var more string
			f := &p.facts
			if err := rows.Scan(&p.id, &p.text, &more, &p.lang, &p.updated, &p.sentiment, &p.themes,
				&f.surveyID, &f.surveyType, &f.division, &f.department, &f.channel, &f.score, &f.created); err != nil {
				rows.Close()
				return done, err
			}
			p.text = joinText(p.text, more)
			todo = append(todo, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return done, err
		}
		if len(todo) == 0 {
			if err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return setMark(ctx, tx, src.mark, started) }); err != nil {
				return done, err
			}
			continue
		}
		// Analysis runs outside the write transaction: it is the slow part,
		// and SQLite has one writer.
		results := make([]tp.TextAnalysis, len(todo))
		for i, p := range todo {
			results[i] = an.Analyze(p.text, p.lang)
			applyLabel(&results[i], p.sentiment, p.themes)
		}
		// Stamped no earlier than the change it analysed, so clocks that
		// differ between replicas do not leave it pending.
		now := tp.ToMicros(time.Now())
		for _, p := range todo {
			now = max(now, p.updated)
		}
		err = s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for i, p := range todo {
				if err := saveAnalysis(ctx, tx, src.source, p.id, results[i], now, p.facts); err != nil {
					return err
				}
			}
			if err := setMark(ctx, tx, src.mark+"_id", max(idMark, todo[len(todo)-1].id)); err != nil {
				return err
			}
			if len(todo) < limit { // every change up to the start of this run is done
				return setMark(ctx, tx, src.mark, started)
			}
			return nil
		})
		if err != nil {
			return done, fmt.Errorf("save %s analyses: %w", src.source, err)
		}
		done += len(todo)
	}
	return done, nil
}

// joinText is the text of a case as analysed and shown: its subject, and
// its description on the next line. (Joined here, not in SQL: a newline
// literal is written differently in SQLite and PostgreSQL.)
func joinText(subject, description string) string {
	if description == "" {
		return subject
	}
	return subject + "\n" + description
}

func saveAnalysis(ctx context.Context, tx *sql.Tx, source string, id int64, r tp.TextAnalysis, now int64, f textFacts) error {
	themes, _ := json.Marshal(r.Themes)
	sentences, _ := json.Marshal(r.Sentences)
	// A second run over the same rows (the CLI beside the job) changes nothing.
	if _, err := tx.ExecContext(ctx, "DELETE FROM text_themes WHERE source = $1 AND ref_id = $2", source, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO text_analyses (source, ref_id, lang, sentiment, sentiment_score, themes, sentences, analyzed_us,
		survey_id, survey_type, division, department, score, created_us, channel)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (source, ref_id) DO UPDATE SET lang = excluded.lang, sentiment = excluded.sentiment,
		sentiment_score = excluded.sentiment_score, themes = excluded.themes, sentences = excluded.sentences, analyzed_us = excluded.analyzed_us,
		survey_id = excluded.survey_id, survey_type = excluded.survey_type, division = excluded.division, department = excluded.department,
		score = excluded.score, created_us = excluded.created_us, channel = excluded.channel`,
		source, id, r.Lang, r.Sentiment, r.Score, string(themes), string(sentences), now,
		f.surveyID, f.surveyType, f.division, f.department, f.score, f.created, f.channel); err != nil {
		return err
	}
	for _, h := range r.Themes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO text_themes (theme, source, ref_id, sentiment, sentiment_score, survey_id, survey_type, division, department, score, created_us, channel)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			h.Theme, source, id, r.Sentiment, r.Score, f.surveyID, f.surveyType, f.division, f.department, f.score, f.created, f.channel); err != nil {
			return err
		}
	}
	return nil
}

// Reanalyze forgets every analysis; the job then analyses everything again
// (with a changed taxonomy or model).
func (s *TextService) Reanalyze(ctx context.Context) error {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return err
	}
	return s.db.auditTx(ctx, "text.reanalyze", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		for _, q := range []string{"DELETE FROM text_themes", "DELETE FROM text_analyses",
			"DELETE FROM rollup_state WHERE name IN ('text_response', 'text_case', 'text_response_id', 'text_case_id')"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return "", "", err
			}
		}
		return "text analyses", "all texts queued for analysis", nil
	})
}

// TextProgress says how many texts are analysed of how many there are.
func (s *TextService) TextProgress(ctx context.Context) (done, total int, err error) {
	if err := mayAtAll(ctx, tp.ActResultsRead); err != nil { // counts only: no department's content
		return 0, 0, err
	}
	err = s.db.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM text_analyses),
		(SELECT COUNT(*) FROM responses WHERE comment <> '') + (SELECT COUNT(*) FROM cases)`).Scan(&done, &total)
	return done, total, err
}

// Analysis returns the stored analysis of one text (nil: not analysed yet).
func (s *TextService) Analysis(ctx context.Context, source string, id int64) (*tp.TextAnalysis, error) {
	act := tp.ActResponsesRead
	if source == tp.TextCase {
		act = tp.ActCaseRead
	}
	if err := mayAtAll(ctx, act); err != nil {
		return nil, err
	}
	var a tp.TextAnalysis
	var themes, sentences string
	err := s.db.r.QueryRowContext(ctx, "SELECT lang, sentiment, sentiment_score, themes, sentences FROM text_analyses WHERE source = $1 AND ref_id = $2",
		source, id).Scan(&a.Lang, &a.Sentiment, &a.Score, &themes, &sentences)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, decodeAnalysis(&a, themes, sentences)
}

func decodeAnalysis(a *tp.TextAnalysis, themes, sentences string) error {
	if err := json.Unmarshal([]byte(themes), &a.Themes); err != nil {
		return fmt.Errorf("analysis themes: %w", err)
	}
	if err := json.Unmarshal([]byte(sentences), &a.Sentences); err != nil {
		return fmt.Errorf("analysis sentences: %w", err)
	}
	return nil
}

// factsWhere is the condition of a ThemeQuery on the facts kept on
// text_analyses or text_themes (alias), with args numbered from next.
func factsWhere(alias string, q tp.ThemeQuery, next int) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, next+len(args)-1))
	}
	if q.Department != "" {
		add(alias+".department = $%d", q.Department)
	}
	if q.Division != "" {
		add(alias+".division = $%d", q.Division)
	}
	if q.Channel != "" {
		add(alias+".channel = $%d", q.Channel)
	}
	if q.SurveyID != 0 {
		add(alias+".survey_id = $%d", q.SurveyID)
	}
	if q.Type != "" {
		add(alias+".survey_type = $%d", string(q.Type))
	}
	if !q.From.IsZero() {
		add(alias+".created_us >= $%d", tp.ToMicros(q.From))
	}
	if !q.To.IsZero() {
		add(alias+".created_us < $%d", tp.ToMicros(q.To))
	}
	if len(where) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(where, " AND "), args
}

// scoped applies the caller's department scope for act to q.
func scoped(ctx context.Context, act tp.Action, q tp.ThemeQuery) (tp.ThemeQuery, error) {
	dept, err := listScope(ctx, act)
	if err != nil {
		return q, err
	}
	if dept != "" {
		q.Department = dept
	}
	return q, nil
}
