package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Theme figures read the facts kept on text_themes and text_analyses
// (survey, division, department, score, time): one table each, no joins,
// except where the words and the customer's name are shown.

// ThemeStats returns per theme the texts mentioning it, their sentiment and
// the NPS of the NPS answers among them, most mentioned first.
func (s *TextService) ThemeStats(ctx context.Context, q tp.ThemeQuery, names func(string) string) ([]tp.ThemeStat, error) {
	q, err := scoped(ctx, tp.ActResultsRead, q)
	if err != nil {
		return nil, err
	}
	stats := map[string]*tp.ThemeStat{}
	sums := map[string]float64{}
	where, args := factsWhere("tt", q, 1)
	rows, err := s.db.r.QueryContext(ctx, `SELECT theme, source, COUNT(*), SUM(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END), SUM(sentiment_score)
		FROM text_themes tt WHERE `+where+` GROUP BY theme, source`, args...)
	if err != nil {
		return nil, fmt.Errorf("theme stats: %w", err)
	}
	for rows.Next() {
		var theme, source string
		var n, neg int
		var sum float64
		if err := rows.Scan(&theme, &source, &n, &neg, &sum); err != nil {
			rows.Close()
			return nil, err
		}
		st := stats[theme]
		if st == nil {
			st = &tp.ThemeStat{Theme: theme, Name: names(theme)}
			stats[theme] = st
		}
		if source == tp.TextResponse {
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
	// NPS of the NPS answers mentioning each theme, from their score counts.
	rows, err = s.db.r.QueryContext(ctx, `SELECT theme, score, COUNT(*) FROM text_themes tt
		WHERE source = 'response' AND survey_type = 'nps' AND score IS NOT NULL AND `+where+` GROUP BY theme, score`, args...)
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

// textSource is how each kind of text is read where its words are shown.
var textSourcesShown = []struct {
	source, table, alias, text, customer string
	act                                  tp.Action
}{
	{tp.TextResponse, "responses", "r", "r.comment, ''", "COALESCE(r.customer_id, 0)", tp.ActResponsesRead},
	{tp.TextCase, "cases", "c", "c.subject, c.description", "c.customer_id", tp.ActCaseRead},
}

// ThemeTexts returns the newest texts mentioning theme that the caller may
// read (survey comments with survey.responses, cases with case.read).
func (s *TextService) ThemeTexts(ctx context.Context, theme string, q tp.ThemeQuery, limit int) ([]tp.ThemeText, error) {
	var out []tp.ThemeText
	readable := 0
	for _, src := range textSourcesShown {
		sq, err := scoped(ctx, src.act, q)
		if err != nil {
			continue // this caller may not read this kind of text
		}
		readable++
		where, args := factsWhere("tt", sq, 3)
		rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf(`SELECT tt.ref_id, tt.survey_id, %[4]s, COALESCE(cu.name, ''), tt.division, tt.score, %[3]s, tt.created_us,
			ta.lang, ta.sentiment, ta.sentiment_score, ta.themes, ta.sentences
			FROM text_themes tt JOIN text_analyses ta ON ta.source = tt.source AND ta.ref_id = tt.ref_id
			JOIN %[1]s %[2]s ON %[2]s.id = tt.ref_id LEFT JOIN customers cu ON cu.id = %[2]s.customer_id
			WHERE tt.theme = $1 AND tt.source = $2 AND %[5]s ORDER BY tt.created_us DESC, tt.ref_id DESC LIMIT %[6]d`,
			src.table, src.alias, src.text, src.customer, where, limit), append([]any{theme, src.source}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("theme texts: %w", err)
		}
		for rows.Next() {
			t := tp.ThemeText{Source: src.source}
			var at int64
			var score sql.NullInt64
			var themes, sentences, more string
			if err := rows.Scan(&t.ID, &t.SurveyID, &t.CustomerID, &t.CustomerName, &t.Division, &score, &t.Text, &more, &at,
				&t.Analysis.Lang, &t.Analysis.Sentiment, &t.Analysis.Score, &themes, &sentences); err != nil {
				rows.Close()
				return nil, err
			}
			if score.Valid {
				v := int(score.Int64)
				t.Score = &v
			}
			t.Text, t.At = joinText(t.Text, more), tp.FromMicros(at)
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

// DriverRows returns the scored answers with an analysed comment that q
// selects, each with the themes of its comment; for one survey also the
// answers to its extra questions.
func (s *TextService) DriverRows(ctx context.Context, q tp.ThemeQuery) ([]tp.DriverRow, error) {
	q, err := scoped(ctx, tp.ActResultsRead, q)
	if err != nil {
		return nil, err
	}
	where, args := factsWhere("ta", q, 1)
	answers, join := "'{}'", ""
	if q.SurveyID != 0 || q.SegmentID != 0 {
		answers, join = "r.answers", "JOIN responses r ON r.id = ta.ref_id"
	}
	if q.SegmentID != 0 {
		cond, sargs, err := s.db.segmentCond(ctx, q.SegmentID, "r.customer_id", len(args)+1)
		if err != nil {
			return nil, err
		}
		where, args = where+" AND "+cond, append(args, sargs...)
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT ta.ref_id, ta.score, COALESCE(tt.theme, ''), `+answers+` FROM text_analyses ta `+join+`
		LEFT JOIN text_themes tt ON tt.source = 'response' AND tt.ref_id = ta.ref_id
		WHERE ta.source = 'response' AND ta.score IS NOT NULL AND `+where+` ORDER BY ta.ref_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("driver rows: %w", err)
	}
	defer rows.Close()
	var out []tp.DriverRow
	last := int64(-1)
	for rows.Next() {
		var id int64
		var score int
		var theme, ans string
		if err := rows.Scan(&id, &score, &theme, &ans); err != nil {
			return nil, err
		}
		if id != last {
			row := tp.DriverRow{Score: score}
			if ans != "" && ans != "{}" {
				if err := json.Unmarshal([]byte(ans), &row.Answers); err != nil {
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

// ThemeWeeks counts, per theme, slice (each division or each channel: by)
// and week of the tp.EmergingWeeks weeks before end, the texts mentioning
// it (and the negative ones), and the texts analysed per slice and week:
// what DetectEmerging reads.
func (s *TextService) ThemeWeeks(ctx context.Context, q tp.ThemeQuery, end time.Time, by string) ([]tp.ThemeWeek, []tp.TextWeek, error) {
	q, err := scoped(ctx, tp.ActResultsRead, q)
	if err != nil {
		return nil, nil, err
	}
	if by != "division" && by != "channel" { // a column name: only these two
		return nil, nil, tp.Errorf(tp.EINVALID, "emerging topics are looked for by division or by channel").WithFields(map[string]string{"by": "invalid"})
	}
	const week = int64(7 * 24 * time.Hour / time.Microsecond)
	start := tp.ToMicros(end) - tp.EmergingWeeks*week
	q.From, q.To = tp.FromMicros(start), end
	var themes []tp.ThemeWeek
	var texts []tp.TextWeek
	where, args := factsWhere("tt", q, 3)
	rows, err := s.db.r.QueryContext(ctx, `SELECT theme, `+by+`, (created_us - $1) / $2, COUNT(*), SUM(CASE WHEN sentiment = 'negative' THEN 1 ELSE 0 END)
		FROM text_themes tt WHERE `+where+` GROUP BY theme, `+by+`, (created_us - $1) / $2`, append([]any{start, week}, args...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("theme weeks: %w", err)
	}
	for rows.Next() {
		var t tp.ThemeWeek
		if err := rows.Scan(&t.Theme, &t.Slice, &t.Week, &t.N, &t.Negative); err != nil {
			rows.Close()
			return nil, nil, err
		}
		themes = append(themes, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	where, args = factsWhere("ta", q, 3)
	rows, err = s.db.r.QueryContext(ctx, `SELECT `+by+`, (created_us - $1) / $2, COUNT(*) FROM text_analyses ta
		WHERE `+where+` GROUP BY `+by+`, (created_us - $1) / $2`, append([]any{start, week}, args...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("text weeks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t tp.TextWeek
		if err := rows.Scan(&t.Slice, &t.Week, &t.N); err != nil {
			return nil, nil, err
		}
		texts = append(texts, t)
	}
	return themes, texts, rows.Err()
}

// UnassignedTexts returns up to limit of the newest analysed texts without
// a theme that the caller may read, for discovery.
func (s *TextService) UnassignedTexts(ctx context.Context, q tp.ThemeQuery, limit int) ([]tp.ThemeText, error) {
	var out []tp.ThemeText
	readable := 0
	for _, src := range textSourcesShown {
		sq, err := scoped(ctx, src.act, q)
		if err != nil {
			continue // this caller may not read this kind of text
		}
		readable++
		where, args := factsWhere("ta", sq, 2)
		rows, err := s.db.r.QueryContext(ctx, fmt.Sprintf(`SELECT ta.ref_id, %[3]s, ta.lang FROM text_analyses ta JOIN %[1]s %[2]s ON %[2]s.id = ta.ref_id
			WHERE ta.source = $1 AND ta.themes = '[]' AND %[4]s ORDER BY ta.ref_id DESC LIMIT %[5]d`, src.table, src.alias, src.text, where, limit),
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

// ThemeMonths counts per calendar month (UTC) the texts that mention theme
// and the negative ones among them, for its trend.
func (s *TextService) ThemeMonths(ctx context.Context, theme string, q tp.ThemeQuery) ([]tp.ThemeMonth, error) {
	q, err := scoped(ctx, tp.ActResultsRead, q)
	if err != nil {
		return nil, err
	}
	where, args := factsWhere("tt", q, 2)
	rows, err := s.db.r.QueryContext(ctx, `SELECT created_us, sentiment FROM text_themes tt WHERE theme = $1 AND `+where, append([]any{theme}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("theme months: %w", err)
	}
	defer rows.Close()
	counts := map[string]*tp.ThemeMonth{}
	for rows.Next() {
		var at int64
		var sentiment string
		if err := rows.Scan(&at, &sentiment); err != nil {
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]tp.ThemeMonth, 0, len(counts))
	for _, c := range counts {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out, nil
}
