package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// ThemeStats returns per theme the texts mentioning it, their sentiment and
// the NPS of the NPS answers among them, most mentioned first.
func (s *TextService) ThemeStats(ctx context.Context, q tp.ThemeQuery, names func(string) string) ([]tp.ThemeStat, error) {
	q, err := scoped(ctx, tp.ActResultsRead, q)
	if err != nil {
		return nil, err
	}
	stats := map[string]*tp.ThemeStat{}
	get := func(theme string) *tp.ThemeStat {
		if stats[theme] == nil {
			stats[theme] = &tp.ThemeStat{Theme: theme, Name: names(theme)}
		}
		return stats[theme]
	}
	sums := map[string]float64{}
	for _, src := range []struct{ source, table, alias string }{{tp.TextResponse, "responses", "r"}, {tp.TextCase, "cases", "c"}} {
		where, args := themeWhere(src.alias, q, 2)
		rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf(`SELECT tt.theme, COUNT(*),
			SUM(CASE WHEN tt.sentiment = 'negative' THEN 1 ELSE 0 END), SUM(ta.sentiment_score)
			FROM text_themes tt JOIN %[1]s %[2]s ON %[2]s.id = tt.ref_id
			JOIN text_analyses ta ON ta.source = tt.source AND ta.ref_id = tt.ref_id
			WHERE tt.source = $1 AND %[3]s GROUP BY tt.theme`, src.table, src.alias, where), append([]any{src.source}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("theme stats: %w", err)
		}
		for rows.Next() {
			var theme string
			var n, neg int
			var sum float64
			if err := rows.Scan(&theme, &n, &neg, &sum); err != nil {
				rows.Close()
				return nil, err
			}
			st := get(theme)
			if src.source == tp.TextResponse {
				st.Responses += n
			} else {
				st.Cases += n
			}
			st.Negative += neg
			sums[theme] += sum
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// NPS of the NPS answers mentioning each theme, from their score counts.
	where, args := themeWhere("r", q, 1)
	rows, err := s.db.r.QueryContext(ctx, `SELECT tt.theme, r.score, COUNT(*) FROM text_themes tt
		JOIN responses r ON r.id = tt.ref_id JOIN surveys sv ON sv.id = r.survey_id
		WHERE tt.source = 'response' AND sv.type = 'nps' AND r.score IS NOT NULL AND `+where+` GROUP BY tt.theme, r.score`, args...)
	if err != nil {
		return nil, fmt.Errorf("theme NPS: %w", err)
	}
	scores := map[string]tp.Scores{}
	for rows.Next() {
		var theme string
		var score, n int
		if err := rows.Scan(&theme, &score, &n); err != nil {
			rows.Close()
			return nil, err
		}
		sc, ok := scores[theme]
		if !ok {
			sc = tp.NewScores(0, 10)
		}
		sc.Add(score, n)
		scores[theme] = sc
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	nps, _ := tp.MetricByID(tp.MetricNPS)
	out := make([]tp.ThemeStat, 0, len(stats))
	for theme, st := range stats {
		if n := st.Responses + st.Cases; n > 0 {
			st.Sentiment = sums[theme] / float64(n)
		}
		if sc, ok := scores[theme]; ok {
			e := nps.Estimate(sc)
			st.NPS, st.NNPS = &e, sc.N()
		}
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool {
		ni, nj := out[i].Responses+out[i].Cases, out[j].Responses+out[j].Cases
		if ni != nj {
			return ni > nj
		}
		return out[i].Theme < out[j].Theme
	})
	return out, nil
}

// ThemeTexts returns the newest texts mentioning theme that the caller may
// read (survey comments with survey.responses, cases with case.read).
func (s *TextService) ThemeTexts(ctx context.Context, theme string, q tp.ThemeQuery, limit int) ([]tp.ThemeText, error) {
	var out []tp.ThemeText
	readable := 0
	for _, src := range []struct {
		source string
		act    tp.Action
		query  string
	}{
		{tp.TextResponse, tp.ActResponsesRead, `SELECT r.id, r.survey_id, COALESCE(r.customer_id, 0), COALESCE(cu.name, ''), r.division, r.score, r.comment, '', r.created_us,
			ta.lang, ta.sentiment, ta.sentiment_score, ta.themes, ta.sentences
			FROM text_themes tt JOIN responses r ON r.id = tt.ref_id JOIN text_analyses ta ON ta.source = tt.source AND ta.ref_id = tt.ref_id
			LEFT JOIN customers cu ON cu.id = r.customer_id WHERE tt.theme = $1 AND tt.source = 'response' AND %s ORDER BY r.created_us DESC, r.id DESC LIMIT %d`},
		{tp.TextCase, tp.ActCaseRead, `SELECT c.id, 0, c.customer_id, COALESCE(cu.name, ''), c.division, NULL, c.subject, c.description, c.created_us,
			ta.lang, ta.sentiment, ta.sentiment_score, ta.themes, ta.sentences
			FROM text_themes tt JOIN cases c ON c.id = tt.ref_id JOIN text_analyses ta ON ta.source = tt.source AND ta.ref_id = tt.ref_id
			LEFT JOIN customers cu ON cu.id = c.customer_id WHERE tt.theme = $1 AND tt.source = 'case' AND %s ORDER BY c.created_us DESC, c.id DESC LIMIT %d`},
	} {
		sq, err := scoped(ctx, src.act, q)
		if err != nil {
			continue // this caller may not read this kind of text
		}
		readable++
		alias := "r"
		if src.source == tp.TextCase {
			alias = "c"
		}
		where, args := themeWhere(alias, sq, 2)
		rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf(src.query, where, limit), append([]any{theme}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("theme texts: %w", err)
		}
		for rows.Next() {
			t := tp.ThemeText{Source: src.source}
			var at int64
			var themes, sentences, more string
			if err := rows.Scan(&t.ID, &t.SurveyID, &t.CustomerID, &t.CustomerName, &t.Division, &t.Score, &t.Text, &more, &at,
				&t.Analysis.Lang, &t.Analysis.Sentiment, &t.Analysis.Score, &themes, &sentences); err != nil {
				rows.Close()
				return nil, err
			}
			t.Text = joinText(t.Text, more)
			t.At = tp.FromMicros(at)
			if err := decodeAnalysis(&t.Analysis, themes, sentences); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if readable == 0 {
		return nil, mayAtAll(ctx, tp.ActResponsesRead)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// DriverRows returns the scored answers with an analysed comment of the
// survey q.SurveyID, each with the themes of its comment.
func (s *TextService) DriverRows(ctx context.Context, q tp.ThemeQuery) ([]tp.DriverRow, error) {
	q, err := scoped(ctx, tp.ActResultsRead, q)
	if err != nil {
		return nil, err
	}
	// The themes come from text_themes, a row per theme, not from the JSON
	// of each analysis: decoding 11 000 analyses was most of the time.
	where, args := themeWhere("r", q, 1)
	rows, err := s.db.r.QueryContext(ctx, `SELECT r.id, r.score, COALESCE(tt.theme, ''), r.answers FROM responses r
		JOIN text_analyses ta ON ta.source = 'response' AND ta.ref_id = r.id
		LEFT JOIN text_themes tt ON tt.source = 'response' AND tt.ref_id = r.id
		WHERE r.score IS NOT NULL AND `+where+` ORDER BY r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("driver rows: %w", err)
	}
	defer rows.Close()
	var out []tp.DriverRow
	last := int64(-1)
	for rows.Next() {
		var id int64
		var score int
		var theme, answers string
		if err := rows.Scan(&id, &score, &theme, &answers); err != nil {
			return nil, err
		}
		if id != last {
			row := tp.DriverRow{Score: score}
			if answers != "" && answers != "{}" {
				if err := json.Unmarshal([]byte(answers), &row.Answers); err != nil {
					return nil, fmt.Errorf("answers of response %d: %w", id, err)
				}
			}
			out = append(out, row)
			last = id
		}
		if theme != "" {
			out[len(out)-1].Themes = append(out[len(out)-1].Themes, theme)
		}
	}
	return out, rows.Err()
}

// ThemeWeeks counts, per theme, division and week of the tp.EmergingWeeks
// weeks before end, the texts mentioning it (and the negative ones), and
// the texts analysed per division and week: what DetectEmerging reads.
func (s *TextService) ThemeWeeks(ctx context.Context, q tp.ThemeQuery, end time.Time) ([]tp.ThemeWeek, []tp.TextWeek, error) {
	q, err := scoped(ctx, tp.ActResultsRead, q)
	if err != nil {
		return nil, nil, err
	}
	const week = int64(7 * 24 * time.Hour / time.Microsecond)
	start := tp.ToMicros(end) - tp.EmergingWeeks*week
	q.From, q.To = tp.FromMicros(start), end
	var themes []tp.ThemeWeek
	var texts []tp.TextWeek
	for _, src := range []struct{ source, table, alias string }{{tp.TextResponse, "responses", "r"}, {tp.TextCase, "cases", "c"}} {
		where, args := themeWhere(src.alias, q, 4)
		rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf(`SELECT tt.theme, %[2]s.division, (%[2]s.created_us - $2) / $3, COUNT(*),
			SUM(CASE WHEN tt.sentiment = 'negative' THEN 1 ELSE 0 END)
			FROM text_themes tt JOIN %[1]s %[2]s ON %[2]s.id = tt.ref_id
			WHERE tt.source = $1 AND %[3]s GROUP BY tt.theme, %[2]s.division, (%[2]s.created_us - $2) / $3`, src.table, src.alias, where),
			append([]any{src.source, start, week}, args...)...)
		if err != nil {
			return nil, nil, fmt.Errorf("theme weeks: %w", err)
		}
		for rows.Next() {
			var t tp.ThemeWeek
			if err := rows.Scan(&t.Theme, &t.Division, &t.Week, &t.N, &t.Negative); err != nil {
				rows.Close()
				return nil, nil, err
			}
			themes = append(themes, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		rows, err = s.db.r.QueryContext(ctx, fmt.Sprintf(`SELECT %[2]s.division, (%[2]s.created_us - $2) / $3, COUNT(*)
			FROM text_analyses ta JOIN %[1]s %[2]s ON %[2]s.id = ta.ref_id
			WHERE ta.source = $1 AND %[3]s GROUP BY %[2]s.division, (%[2]s.created_us - $2) / $3`, src.table, src.alias, where),
			append([]any{src.source, start, week}, args...)...)
		if err != nil {
			return nil, nil, fmt.Errorf("text weeks: %w", err)
		}
		for rows.Next() {
			var t tp.TextWeek
			if err := rows.Scan(&t.Division, &t.Week, &t.N); err != nil {
				rows.Close()
				return nil, nil, err
			}
			texts = append(texts, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return themes, texts, nil
}

// UnassignedTexts returns up to limit of the newest analysed texts without
// a theme that the caller may read, for discovery.
func (s *TextService) UnassignedTexts(ctx context.Context, q tp.ThemeQuery, limit int) ([]tp.ThemeText, error) {
	var out []tp.ThemeText
	readable := 0
	for _, src := range []struct {
		source, table, alias, text string
		act                        tp.Action
	}{
		{tp.TextResponse, "responses", "r", "r.comment, ''", tp.ActResponsesRead},
		{tp.TextCase, "cases", "c", "c.subject, c.description", tp.ActCaseRead},
	} {
		sq, err := scoped(ctx, src.act, q)
		if err != nil {
			continue // this caller may not read this kind of text
		}
		readable++
		where, args := themeWhere(src.alias, sq, 2)
		rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf(`SELECT %[1]s.id, %[4]s, ta.lang FROM text_analyses ta JOIN %[2]s %[1]s ON %[1]s.id = ta.ref_id
			WHERE ta.source = $1 AND ta.themes = '[]' AND %[3]s ORDER BY %[1]s.id DESC LIMIT %[5]d`, src.alias, src.table, where, src.text, limit),
			append([]any{src.source}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("unassigned texts: %w", err)
		}
		for rows.Next() {
			t := tp.ThemeText{Source: src.source}
			var more string
			if err := rows.Scan(&t.ID, &t.Text, &more, &t.Analysis.Lang); err != nil {
				rows.Close()
				return nil, err
			}
			t.Text = joinText(t.Text, more)
			out = append(out, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if readable == 0 {
		return nil, mayAtAll(ctx, tp.ActResponsesRead)
	}
	return out, nil
}

// ThemeMonths counts per calendar month (UTC) since from the texts that
// mention theme and the negative ones among them, for its trend.
func (s *TextService) ThemeMonths(ctx context.Context, theme string, q tp.ThemeQuery) ([]tp.ThemeMonth, error) {
	q, err := scoped(ctx, tp.ActResultsRead, q)
	if err != nil {
		return nil, err
	}
	counts := map[string]*tp.ThemeMonth{}
	for _, src := range []struct{ source, table, alias string }{{tp.TextResponse, "responses", "r"}, {tp.TextCase, "cases", "c"}} {
		where, args := themeWhere(src.alias, q, 3)
		rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf(`SELECT %[2]s.created_us, tt.sentiment FROM text_themes tt JOIN %[1]s %[2]s ON %[2]s.id = tt.ref_id
			WHERE tt.theme = $1 AND tt.source = $2 AND %[3]s`, src.table, src.alias, where), append([]any{theme, src.source}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("theme months: %w", err)
		}
		for rows.Next() {
			var at int64
			var sentiment string
			if err := rows.Scan(&at, &sentiment); err != nil {
				rows.Close()
				return nil, err
			}
			m := tp.FromMicros(at).Format("2006-01")
			if counts[m] == nil {
				counts[m] = &tp.ThemeMonth{Month: m}
			}
			counts[m].N++
			if sentiment == "negative" {
				counts[m].Negative++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]tp.ThemeMonth, 0, len(counts))
	for _, c := range counts {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out, nil
}
