package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// The company's own text analysis: its taxonomy (settings key text_themes),
// analysts' corrections (text_labels) and the sentiment models trained on
// them (text_models, one of them active at most).

// Themes is the company's taxonomy; nil while the shipped one is in force.
func (s *TextService) Themes(ctx context.Context) ([]tp.Theme, error) {
	if err := mayAtAll(ctx, tp.ActResultsRead); err != nil {
		return nil, err
	}
	themes, _, err := s.db.companyThemes(ctx)
	return themes, err
}

func (db *DB) companyThemes(ctx context.Context) ([]tp.Theme, string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'text_themes'").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	var themes []tp.Theme
	if err := json.Unmarshal([]byte(v), &themes); err != nil {
		return nil, "", fmt.Errorf("text_themes setting: %w", err)
	}
	return themes, v, nil
}

// SetThemes replaces the company's taxonomy; nil goes back to the shipped one.
func (s *TextService) SetThemes(ctx context.Context, themes []tp.Theme) error {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return err
	}
	if err := tp.ValidateThemes(themes); err != nil {
		return err
	}
	return s.db.auditTx(ctx, "text.themes", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		if themes == nil {
			_, err := tx.ExecContext(ctx, "DELETE FROM settings WHERE key = 'text_themes'")
			return "themes", "back to the shipped taxonomy", err
		}
		b, _ := json.Marshal(themes)
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('text_themes', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(b))
		return "themes", strconv.Itoa(len(themes)) + " themes", err
	})
}

// Label records an analyst's correction and applies it to the stored
// analysis at once; later analyses of the text keep it.
func (s *TextService) Label(ctx context.Context, l tp.TextLabel) error {
	if err := can(ctx, tp.ActTextLabel); err != nil {
		return err
	}
	if l.Source != tp.TextResponse && l.Source != tp.TextCase {
		return tp.Errorf(tp.EINVALID, "source must be response or case").WithFields(map[string]string{"source": "invalid"})
	}
	if l.Sentiment != "" && l.Sentiment != "negative" && l.Sentiment != "neutral" && l.Sentiment != "positive" {
		return tp.Errorf(tp.EINVALID, "sentiment must be negative, neutral or positive").WithFields(map[string]string{"sentiment": "invalid"})
	}
	if l.Sentiment == "" && l.Themes == nil {
		return tp.Errorf(tp.EINVALID, "correct the sentiment, the themes or both").WithFields(map[string]string{"sentiment": "required"})
	}
	var themes sql.NullString
	if l.Themes != nil {
		b, _ := json.Marshal(l.Themes)
		themes = sql.NullString{String: string(b), Valid: true}
	}
	by := tp.AccessFrom(ctx).Actor
	return s.db.auditTx(ctx, "text.label", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		table := map[string]string{tp.TextResponse: "responses", tp.TextCase: "cases"}[l.Source]
		var have int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE id = $1", l.ID).Scan(&have); err != nil {
			return "", "", err
		}
		if have == 0 {
			return "", "", tp.Errorf(tp.ENOTFOUND, "no %s %d", l.Source, l.ID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO text_labels (source, ref_id, sentiment, themes, labelled_by, labelled_us) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (source, ref_id) DO UPDATE SET
			sentiment = CASE WHEN excluded.sentiment <> '' THEN excluded.sentiment ELSE text_labels.sentiment END,
			themes = COALESCE(excluded.themes, text_labels.themes), labelled_by = excluded.labelled_by, labelled_us = excluded.labelled_us`,
			l.Source, l.ID, l.Sentiment, themes, by, tp.ToMicros(s.db.Now())); err != nil {
			return "", "", err
		}
		// Not analysed yet: the job applies the label when it analyses the text.
		var a tp.TextAnalysis
		var th, sentences string
		var analyzed int64
		var f textFacts
		err := tx.QueryRowContext(ctx, `SELECT lang, sentiment, sentiment_score, themes, sentences, analyzed_us,
			survey_id, survey_type, division, department, channel, score, created_us FROM text_analyses WHERE source = $1 AND ref_id = $2`,
			l.Source, l.ID).Scan(&a.Lang, &a.Sentiment, &a.Score, &th, &sentences, &analyzed,
			&f.surveyID, &f.surveyType, &f.division, &f.department, &f.channel, &f.score, &f.created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return "", "", err
		default:
			if err := decodeAnalysis(&a, th, sentences); err != nil {
				return "", "", err
			}
			applyLabel(&a, l.Sentiment, themes)
			if err := saveAnalysis(ctx, tx, l.Source, l.ID, a, analyzed, f); err != nil {
				return "", "", err
			}
		}
		return fmt.Sprintf("%s %d", l.Source, l.ID), strings.TrimSpace(l.Sentiment + " " + themes.String), nil
	})
}

// applyLabel puts a correction over an analysis: the corrected sentiment,
// and the corrected themes (keeping the spans of those the rules found).
func applyLabel(a *tp.TextAnalysis, sentiment string, themes sql.NullString) {
	if sentiment != "" {
		a.Sentiment = sentiment
	}
	if !themes.Valid {
		return
	}
	var ids []string
	_ = json.Unmarshal([]byte(themes.String), &ids)
	spans := map[string][]tp.TextSpan{}
	for _, h := range a.Themes {
		spans[h.Theme] = h.Spans
	}
	a.Themes = []tp.ThemeHit{}
	for _, id := range ids {
		sp := spans[id]
		if sp == nil {
			sp = []tp.TextSpan{}
		}
		a.Themes = append(a.Themes, tp.ThemeHit{Theme: id, Spans: sp})
	}
}

// Labels returns every sentiment correction with its text, for training.
func (s *TextService) Labels(ctx context.Context) ([]tp.TextLabel, error) {
	if err := can(ctx, tp.ActTextLabel); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT l.source, l.ref_id, l.sentiment, COALESCE(l.themes, ''), l.labelled_by, l.labelled_us,
		COALESCE(r.comment, c.subject, ''), COALESCE(c.description, ''), COALESCE(r.lang, '')
		FROM text_labels l
		LEFT JOIN responses r ON l.source = 'response' AND r.id = l.ref_id
		LEFT JOIN cases c ON l.source = 'case' AND c.id = l.ref_id
		ORDER BY l.source, l.ref_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.TextLabel
	for rows.Next() {
		var l tp.TextLabel
		var themes string
		var at int64
		var more string
		if err := rows.Scan(&l.Source, &l.ID, &l.Sentiment, &themes, &l.By, &at, &l.Text, &more, &l.Lang); err != nil {
			return nil, err
		}
		l.Text = joinText(l.Text, more)
		if themes != "" {
			if err := json.Unmarshal([]byte(themes), &l.Themes); err != nil {
				return nil, err
			}
		}
		l.At = tp.FromMicros(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// SaveModel stores a trained model, switched off.
func (s *TextService) SaveModel(ctx context.Context, m *tp.TextModel) error {
	if err := can(ctx, tp.ActTextLabel); err != nil {
		return err
	}
	m.CreatedBy, m.CreatedAt, m.Active = tp.AccessFrom(ctx).Actor, s.db.Now(), false
	return s.db.auditTx(ctx, "text.model", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		details, _ := json.Marshal(m.Details)
		err := tx.QueryRowContext(ctx, `INSERT INTO text_models (created_us, created_by, examples, held_out, accuracy, current_accuracy, active, model, details)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) RETURNING id`, tp.ToMicros(m.CreatedAt), m.CreatedBy, m.Examples, m.HeldOut, m.Accuracy, m.Current, m.Data, string(details)).Scan(&m.ID)
		return fmt.Sprintf("model %d", m.ID), fmt.Sprintf("trained on %d, accuracy %.3f against %.3f now", m.Examples, m.Accuracy, m.Current), err
	})
}

// Models lists the trained models, newest first (without their weights).
func (s *TextService) Models(ctx context.Context) ([]tp.TextModel, error) {
	if err := mayAtAll(ctx, tp.ActResultsRead); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, created_us, created_by, examples, held_out, accuracy, current_accuracy, active, details
		FROM text_models ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.TextModel
	for rows.Next() {
		var m tp.TextModel
		var at int64
		var active int
		var details string
		if err := rows.Scan(&m.ID, &at, &m.CreatedBy, &m.Examples, &m.HeldOut, &m.Accuracy, &m.Current, &active, &details); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(details), &m.Details); err != nil {
			return nil, fmt.Errorf("text model %d: %w", m.ID, err)
		}
		m.CreatedAt, m.Active = tp.FromMicros(at), active == 1
		out = append(out, m)
	}
	return out, rows.Err()
}

// ActivateModel switches a trained model on (0: back to the shipped one).
func (s *TextService) ActivateModel(ctx context.Context, id int64) error {
	if err := can(ctx, tp.ActCaseSettings); err != nil {
		return err
	}
	return s.db.auditTx(ctx, "text.model.activate", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		if _, err := tx.ExecContext(ctx, "UPDATE text_models SET active = 0 WHERE active = 1"); err != nil {
			return "", "", err
		}
		if id == 0 {
			return "text model", "the shipped model", nil
		}
		res, err := tx.ExecContext(ctx, "UPDATE text_models SET active = 1 WHERE id = $1", id)
		if err != nil {
			return "", "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return "", "", tp.Errorf(tp.ENOTFOUND, "no text model %d", id)
		}
		return fmt.Sprintf("model %d", id), "switched on", nil
	})
}

// TextVersion changes whenever the taxonomy or the active model does; it
// is cheap, for processes that check it every few seconds.
func (s *TextService) TextVersion(ctx context.Context) (string, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return "", err
	}
	var v string
	var id int64
	err := s.db.r.QueryRowContext(ctx, `SELECT COALESCE((SELECT value FROM settings WHERE key = 'text_themes'), ''),
		COALESCE((SELECT id FROM text_models WHERE active = 1), 0)`).Scan(&v, &id)
	return fmt.Sprintf("%d:%x", id, fnv64(v)), err
}

// TextSetup is what the analysis in force is made of, and its version.
func (s *TextService) TextSetup(ctx context.Context) ([]tp.Theme, []byte, string, error) {
	version, err := s.TextVersion(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	themes, _, err := s.db.companyThemes(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	var model []byte
	err = s.db.r.QueryRowContext(ctx, "SELECT model FROM text_models WHERE active = 1").Scan(&model)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, "", err
	}
	return themes, model, version, nil
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Analyses returns the stored analyses of the texts with the given ids of
// one source (those analysed), for lists and exports.
func (s *TextService) Analyses(ctx context.Context, source string, ids []int64) (map[int64]tp.TextAnalysis, error) {
	act := tp.ActResponsesRead
	if source == tp.TextCase {
		act = tp.ActCaseRead
	}
	if err := mayAtAll(ctx, act); err != nil {
		return nil, err
	}
	out := map[int64]tp.TextAnalysis{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := []any{source}
		marks := make([]string, n)
		for i, id := range ids[:n] {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		rows, err := s.db.r.QueryContext(ctx, "SELECT ref_id, lang, sentiment, sentiment_score, themes, sentences FROM text_analyses WHERE source = $1 AND ref_id IN ("+
			strings.Join(marks, ", ")+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var a tp.TextAnalysis
			var th, sentences string
			if err := rows.Scan(&id, &a.Lang, &a.Sentiment, &a.Score, &th, &sentences); err != nil {
				rows.Close()
				return nil, err
			}
			if err := decodeAnalysis(&a, th, sentences); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}
