package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CouncilComposition is the make-up of a council's accepted members by
// division, value tier and country, against the whole customer base.
func (s *CouncilService) CouncilComposition(ctx context.Context, councilID int64) ([]tp.Composition, error) {
	if err := can(ctx, tp.ActCouncilRead); err != nil {
		return nil, err
	}
	var out []tp.Composition
	for _, by := range tp.CompositionDims {
		base, members := map[string]int{}, map[string]int{}
		rows, err := s.db.r.QueryContext(ctx, compositionQuery(by), councilID)
		if err != nil {
			return nil, fmt.Errorf("composition by %s: %w", by, err)
		}
		for rows.Next() {
			var v string
			var nb, nm int
			if err := rows.Scan(&v, &nb, &nm); err != nil {
				rows.Close()
				return nil, err
			}
			base[v], members[v] = nb, nm
			if nm == 0 {
				delete(members, v)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out = append(out, tp.Composition{By: by, Rows: tp.Shares(members, base)})
	}
	return out, nil
}

// compositionQuery counts, per value of a dimension, the live customers and
// the council's accepted members among them (as cid, value).
func compositionQuery(by string) string {
	inner := map[string]string{
		"division":   "SELECT customer_id AS cid, division AS value FROM customer_divisions WHERE churned_us IS NULL AND division <> ''",
		"value_tier": "SELECT customer_id AS cid, value_tier AS value FROM customer_scores WHERE value_tier <> ''",
		"country":    "SELECT id AS cid, country AS value FROM customers WHERE country <> ''",
	}[by]
	return `SELECT v.value, COUNT(*), SUM(CASE WHEN v.cid IN (SELECT customer_id FROM council_members WHERE council_id = $1 AND status = 'accepted') THEN 1 ELSE 0 END)
		FROM (` + inner + `) v JOIN customers cu ON cu.id = v.cid WHERE cu.merged_into IS NULL AND cu.erased_us IS NULL GROUP BY v.value`
}

// CreateSession records a council session with its questions.
func (s *CouncilService) CreateSession(ctx context.Context, cs *tp.CouncilSession) error {
	if err := can(ctx, tp.ActCouncilManage); err != nil {
		return err
	}
	if err := cs.Validate(); err != nil {
		return err
	}
	if err := checkSessionDay(cs.At); err != nil {
		return err
	}
	if _, err := findCouncil(ctx, s.db.r, cs.CouncilID); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO council_sessions (council_id, topic, at_us, agenda, minutes, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, cs.CouncilID, cs.Topic, tp.ToMicros(cs.At), cs.Agenda, cs.Minutes, actorOf(ctx)).Scan(&cs.ID); err != nil {
			return err
		}
		for i := range cs.Questions {
			if err := tx.QueryRowContext(ctx, "INSERT INTO council_questions (session_id, text) VALUES ($1, $2) RETURNING id",
				cs.ID, cs.Questions[i].Text).Scan(&cs.Questions[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetMinutes records what a session decided and discussed.
func (s *CouncilService) SetMinutes(ctx context.Context, sessionID int64, minutes string) error {
	if err := can(ctx, tp.ActCouncilManage); err != nil {
		return err
	}
	if len([]rune(minutes)) > 4*tp.MaxCouncilText {
		return tp.Errorf(tp.EINVALID, "the minutes are too long (16 000 characters at most)").WithFields(map[string]string{"minutes": "too long"})
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE council_sessions SET minutes = $1 WHERE id = $2", strings.TrimSpace(minutes), sessionID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tp.Errorf(tp.ENOTFOUND, "session %d not found", sessionID)
		}
		return nil
	})
}

// ListSessions lists a council's sessions, newest first, with every answer.
func (s *CouncilService) ListSessions(ctx context.Context, councilID int64) ([]tp.CouncilSession, error) {
	if err := can(ctx, tp.ActCouncilRead); err != nil {
		return nil, err
	}
	return s.db.sessions(ctx, councilID, 0)
}

// sessions reads a council's sessions with their questions; with member ≠ 0
// each question carries that member's own answer instead of all answers.
func (db *DB) sessions(ctx context.Context, councilID, member int64) ([]tp.CouncilSession, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id, council_id, topic, at_us, agenda, minutes FROM council_sessions WHERE council_id = $1 ORDER BY at_us DESC, id DESC", councilID)
	if err != nil {
		return nil, err
	}
	out := []tp.CouncilSession{}
	index := map[int64]int{}
	for rows.Next() {
		var cs tp.CouncilSession
		var at int64
		if err := rows.Scan(&cs.ID, &cs.CouncilID, &cs.Topic, &at, &cs.Agenda, &cs.Minutes); err != nil {
			rows.Close()
			return nil, err
		}
		cs.At, cs.Questions = tp.FromMicros(at), []tp.CouncilQuestion{}
		index[cs.ID] = len(out)
		out = append(out, cs)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.r.QueryContext(ctx, `SELECT q.id, q.session_id, q.text, a.member_id, COALESCE(cu.name, ''), a.text, a.at_us FROM council_questions q
		JOIN council_sessions s ON s.id = q.session_id
		LEFT JOIN council_answers a ON a.question_id = q.id AND (a.member_id = $2 OR $2 = 0)
		LEFT JOIN council_members m ON m.id = a.member_id LEFT JOIN customers cu ON cu.id = m.customer_id
		WHERE s.council_id = $1 ORDER BY q.id, a.id`, councilID, member)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var qid, sid int64
		var text, name string
		var mid, at sql.NullInt64
		var answer sql.NullString
		if err := rows.Scan(&qid, &sid, &text, &mid, &name, &answer, &at); err != nil {
			return nil, err
		}
		qs := &out[index[sid]].Questions
		if n := len(*qs); n == 0 || (*qs)[n-1].ID != qid {
			*qs = append(*qs, tp.CouncilQuestion{ID: qid, Text: text})
		}
		q := &(*qs)[len(*qs)-1]
		switch {
		case !answer.Valid:
		case member != 0:
			q.Mine = answer.String
		default:
			q.Answers = append(q.Answers, tp.CouncilAnswer{MemberID: mid.Int64, Name: name, Text: answer.String, At: tp.FromMicros(at.Int64)})
		}
	}
	return out, rows.Err()
}

// ListIdeas lists a council's ideas, most votes first.
func (s *CouncilService) ListIdeas(ctx context.Context, councilID int64) ([]tp.CouncilIdea, error) {
	if err := can(ctx, tp.ActCouncilRead); err != nil {
		return nil, err
	}
	return s.db.ideas(ctx, "i.council_id = $1", councilID, 0)
}

// ideas reads ideas matching where ($1 its argument) with their votes; with
// member ≠ 0 each says whether that member voted for it.
func (db *DB) ideas(ctx context.Context, where string, arg any, member int64) ([]tp.CouncilIdea, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT i.id, i.council_id, i.member_id, COALESCE(cu.name, ''), i.title, i.body, i.status, i.decision,
		COALESCE(i.action_id, 0), COALESCE(a.status, ''), i.created_us,
		(SELECT COUNT(*) FROM council_votes v WHERE v.idea_id = i.id),
		(SELECT COUNT(*) FROM council_votes v WHERE v.idea_id = i.id AND v.member_id = $2)
		FROM council_ideas i JOIN council_members m ON m.id = i.member_id JOIN customers cu ON cu.id = m.customer_id
		LEFT JOIN action_items a ON a.id = i.action_id WHERE `+where+` ORDER BY 12 DESC, i.id`, arg, member)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.CouncilIdea{}
	for rows.Next() {
		var i tp.CouncilIdea
		var actionStatus string
		var at int64
		var mine int
		if err := rows.Scan(&i.ID, &i.CouncilID, &i.MemberID, &i.Author, &i.Title, &i.Body, &i.Status, &i.Decision, &i.ActionID, &actionStatus, &at, &i.Votes, &mine); err != nil {
			return nil, err
		}
		i.CreatedAt, i.Voted, i.ActionDone = tp.FromMicros(at), mine > 0, actionStatus == string(tp.ActionDone)
		out = append(out, i)
	}
	return out, rows.Err()
}

// DecideIdea adopts or declines an idea, with the decision in words.
func (s *CouncilService) DecideIdea(ctx context.Context, ideaID int64, status, decision string) error {
	if err := can(ctx, tp.ActCouncilManage); err != nil {
		return err
	}
	if status != tp.IdeaAdopted && status != tp.IdeaDeclined && status != tp.IdeaOpen {
		return tp.Errorf(tp.EINVALID, "status must be adopted, declined or open").WithFields(map[string]string{"status": "invalid"})
	}
	if len([]rune(decision)) > tp.MaxCouncilText {
		return tp.Errorf(tp.EINVALID, "the decision is too long (4000 characters at most)").WithFields(map[string]string{"decision": "too long"})
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE council_ideas SET status = $1, decision = $2, decided_us = $3 WHERE id = $4",
			status, strings.TrimSpace(decision), tp.ToMicros(s.db.Now()), ideaID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tp.Errorf(tp.ENOTFOUND, "idea %d not found", ideaID)
		}
		return nil
	})
}

// IdeaToAction adopts an idea and makes it an action item of a department,
// whose origin names the idea and its council.
func (s *CouncilService) IdeaToAction(ctx context.Context, ideaID int64, a *tp.ActionItem) error {
	if err := can(ctx, tp.ActCouncilManage); err != nil {
		return err
	}
	var title, council string
	var existing sql.NullInt64
	err := s.db.r.QueryRowContext(ctx, `SELECT i.title, c.name, i.action_id FROM council_ideas i JOIN councils c ON c.id = i.council_id WHERE i.id = $1`, ideaID).
		Scan(&title, &council, &existing)
	if errors.Is(err, sql.ErrNoRows) {
		return tp.Errorf(tp.ENOTFOUND, "idea %d not found", ideaID)
	}
	if err != nil {
		return err
	}
	if existing.Valid {
		return tp.Errorf(tp.ECONFLICT, "idea %d is action item %d already", ideaID, existing.Int64)
	}
	if a.Title == "" {
		a.Title = title
	}
	a.Origin, a.Status = fmt.Sprintf("council idea %d (%s)", ideaID, council), tp.ActionOpen
	if err := a.Validate(); err != nil {
		return err
	}
	if err := authorize(ctx, tp.ActActionCreate, tp.Object{Department: a.Department}); err != nil {
		return err
	}
	a.CreatedBy, a.CreatedAt = actorOf(ctx), s.db.Now()
	a.UpdatedAt = a.CreatedAt
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := insertAction(ctx, tx, a); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE council_ideas SET status = 'adopted', action_id = $1, decided_us = $2 WHERE id = $3", a.ID, tp.ToMicros(a.CreatedAt), ideaID)
		return err
	})
}

// MaxVoiceIdeas is how many ideas each part of the council's voice lists.
const MaxVoiceIdeas = 5

// Voice is every council's section of the board pack: its top open ideas,
// what was decided and what changed.
func (s *CouncilService) Voice(ctx context.Context) ([]tp.CouncilVoice, error) {
	cs, err := s.ListCouncils(ctx)
	if err != nil {
		return nil, err
	}
	out := []tp.CouncilVoice{}
	for _, c := range cs {
		v := tp.CouncilVoice{Council: c}
		if err := s.db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM council_members WHERE council_id = $1 AND status = 'accepted'", c.ID).Scan(&v.Members); err != nil {
			return nil, err
		}
		ideas, err := s.db.ideas(ctx, "i.council_id = $1", c.ID, 0)
		if err != nil {
			return nil, err
		}
		for _, i := range ideas {
			switch {
			case i.Status == tp.IdeaOpen && len(v.TopIdeas) < MaxVoiceIdeas:
				v.TopIdeas = append(v.TopIdeas, i)
			case i.Status != tp.IdeaOpen && len(v.Decided) < MaxVoiceIdeas:
				v.Decided = append(v.Decided, i)
			}
			if i.ActionDone && len(v.Changed) < MaxVoiceIdeas {
				v.Changed = append(v.Changed, i)
			}
		}
		out = append(out, v)
	}
	return out, nil
}
