package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// PeopleService computes CX per agent and team, finds training needs and
// keeps trainings with their measured effect.
type PeopleService struct{ db *DB }

// caseResults reads what each case matching where (over alias c) contributes
// to the people figures: its case KPI outcome, the customer's first CSAT
// answer within tp.CSATAfterCaseWindow of its resolution, and its themes.
func (db *DB) caseResults(ctx context.Context, where string, args []any) ([]tp.CaseResult, error) {
	outs, err := db.caseOutcomes(ctx, where, args)
	if err != nil {
		return nil, err
	}
	csat := map[int64]int{}
	q := fmt.Sprintf(`SELECT c.id, (SELECT r.score FROM responses r JOIN surveys s ON s.id = r.survey_id
		WHERE r.customer_id = c.customer_id AND s.type = 'csat' AND r.score IS NOT NULL
		AND r.created_us >= c.resolved_us AND r.created_us < c.resolved_us + $%d ORDER BY r.created_us LIMIT 1)
		FROM cases c WHERE c.resolved_us IS NOT NULL AND %s`, len(args)+1, where)
	rows, err := db.r.QueryContext(ctx, q, append(args, tp.CSATAfterCaseWindow.Microseconds())...)
	if err != nil {
		return nil, fmt.Errorf("csat after case: %w", err)
	}
	for rows.Next() {
		var id int64
		var score sql.NullInt64
		if err := rows.Scan(&id, &score); err != nil {
			rows.Close()
			return nil, err
		}
		if score.Valid {
			csat[id] = int(score.Int64)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	themes := map[int64][]string{}
	rows, err = db.r.QueryContext(ctx, "SELECT t.ref_id, t.theme FROM text_themes t JOIN cases c ON c.id = t.ref_id WHERE t.source = 'case' AND "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("case themes: %w", err)
	}
	for rows.Next() {
		var id int64
		var theme string
		if err := rows.Scan(&id, &theme); err != nil {
			rows.Close()
			return nil, err
		}
		themes[id] = append(themes[id], theme)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]tp.CaseResult, len(outs))
	for i, o := range outs {
		out[i] = tp.CaseResult{CaseID: o.ID, AssigneeID: o.AssigneeID, Department: o.Department, Category: o.Category, CreatedAt: o.CreatedAt,
			TTFR: o.ttfr, TTR: o.ttr, SLAKnown: o.slaKnown, SLAMet: o.slaMet, Resolved: o.resolved, Reopened: o.reopened, FCR: o.fcr,
			RecoveryKnown: o.recoveryKnown, Recovered: o.recovered, Themes: themes[o.ID]}
		if v, ok := csat[o.ID]; ok {
			out[i].CSAT = &v
		}
	}
	return out, nil
}

// periodResults reads the results of every department's cases created in
// from–to: comparisons need the peers, whom the caller may not see one by
// one; only aggregates of them leave this service.
func (db *DB) periodResults(ctx context.Context, from, to time.Time) ([]tp.CaseResult, error) {
	return db.caseResults(ctx, "c.department <> '' AND c.created_us >= $1 AND c.created_us < $2", []any{tp.ToMicros(from), tp.ToMicros(to)})
}

// checkPeopleQuery refuses a query the caller may not make: a department
// outside their scope, or a period that is not one.
func checkPeopleQuery(ctx context.Context, q tp.PeopleQuery) error {
	dept, err := listScope(ctx, tp.ActPeopleRead)
	if err != nil {
		return err
	}
	if dept != "" && q.Department != "" && q.Department != dept {
		return tp.Errorf(tp.EFORBIDDEN, "the figures of the %s department are not yours to see", q.Department)
	}
	if q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To) {
		return tp.Errorf(tp.EINVALID, "from must be a day before to").WithFields(map[string]string{"from": "before to"})
	}
	return nil
}

// visible says whether the caller may see the figures of an agent (user ≠ 0)
// or team, and whether the team's comparison with the rest of the company
// may be shown (only to those who see every department).
func visible(ctx context.Context, q tp.PeopleQuery, user int64, dept string) (show, peers bool) {
	if q.Department != "" && dept != q.Department {
		return false, false
	}
	if authorize(ctx, tp.ActPeopleRead, tp.Object{Department: dept, User: user}) != nil {
		return false, false
	}
	scope, _ := listScope(ctx, tp.ActPeopleRead)
	return true, user != 0 || scope == ""
}

// PeopleReport is the CX per team and agent of the cases created in the
// query's period. An agent sees their own row only; a department head their
// department's; a team's comparison with the rest of the company is shown to
// those who see every department.
func (s *PeopleService) PeopleReport(ctx context.Context, q tp.PeopleQuery) (tp.PeopleReport, error) {
	if err := checkPeopleQuery(ctx, q); err != nil {
		return tp.PeopleReport{}, err
	}
	results, err := s.db.periodResults(ctx, q.From, q.To)
	if err != nil {
		return tp.PeopleReport{}, err
	}
	return s.report(ctx, q, results)
}

// PeoplePage is PeopleReport and TrainingNeeds over one reading of the
// period's cases: the coaching page shows both.
func (s *PeopleService) PeoplePage(ctx context.Context, q tp.PeopleQuery) (tp.PeopleReport, []tp.TrainingNeed, error) {
	if err := checkPeopleQuery(ctx, q); err != nil {
		return tp.PeopleReport{}, nil, err
	}
	results, err := s.db.periodResults(ctx, q.From, q.To)
	if err != nil {
		return tp.PeopleReport{}, nil, err
	}
	rep, err := s.report(ctx, q, results)
	if err != nil {
		return rep, nil, err
	}
	needs, err := s.needs(ctx, q, results)
	return rep, needs, err
}

// report keeps of the period's figures the rows the caller may see.
func (s *PeopleService) report(ctx context.Context, q tp.PeopleQuery, results []tp.CaseResult) (tp.PeopleReport, error) {
	all := tp.BuildPeopleReport(results)
	rep := tp.PeopleReport{From: q.From, To: q.To, Teams: []tp.PersonRow{}, Agents: []tp.PersonRow{}}
	for _, r := range all.Teams {
		if show, peers := visible(ctx, q, 0, r.Department); show {
			if !peers {
				hidePeers(r.Cells)
			}
			rep.Teams = append(rep.Teams, r)
		}
	}
	for _, r := range all.Agents {
		if show, _ := visible(ctx, q, r.UserID, r.Department); show {
			rep.Agents = append(rep.Agents, r)
		}
	}
	emails, err := s.db.userEmails(ctx)
	for i := range rep.Agents {
		rep.Agents[i].Email = emails[rep.Agents[i].UserID]
	}
	return rep, err
}

func hidePeers(cells []tp.PeopleCell) {
	for i := range cells {
		cells[i].Peers, cells[i].P, cells[i].Direction, cells[i].Better = tp.Estimate{Metric: cells[i].Metric}, 1, 0, false
	}
}

// TrainingNeeds are the significant shortfalls of agents and teams against
// their peers, category by category, that the caller may see.
func (s *PeopleService) TrainingNeeds(ctx context.Context, q tp.PeopleQuery) ([]tp.TrainingNeed, error) {
	if err := checkPeopleQuery(ctx, q); err != nil {
		return nil, err
	}
	results, err := s.db.periodResults(ctx, q.From, q.To)
	if err != nil {
		return nil, err
	}
	return s.needs(ctx, q, results)
}

// needs keeps of the period's training needs those the caller may see.
func (s *PeopleService) needs(ctx context.Context, q tp.PeopleQuery, results []tp.CaseResult) ([]tp.TrainingNeed, error) {
	out := []tp.TrainingNeed{}
	for _, n := range tp.FindTrainingNeeds(results) {
		show, peers := visible(ctx, q, n.UserID, n.Department)
		if !show {
			continue
		}
		if !peers { // a team below the rest of the company: the gap stays with those who see the company
			continue
		}
		out = append(out, n)
	}
	emails, err := s.db.userEmails(ctx)
	for i := range out {
		out[i].Email = emails[out[i].UserID]
	}
	return out, err
}

// userEmails names staff by id: the people figures show whose they are.
func (db *DB) userEmails(ctx context.Context) (map[int64]string, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id, email FROM users")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, err
		}
		out[id] = email
	}
	return out, rows.Err()
}
