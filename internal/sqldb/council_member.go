package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// The member's side: the personal (signed) link authorises, under the
// council.respond action. Only an accepted member answers, posts and votes.

// memberByID reads the member a checked link names (gone when erased).
func memberByID(ctx context.Context, q querier, id int64) (tp.CouncilMember, error) {
	m, err := scanMember(q.QueryRowContext(ctx, "SELECT "+memberCols+" FROM council_members m JOIN customers c ON c.id = m.customer_id WHERE m.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, tp.Errorf(tp.ENOTFOUND, "this council link is not known")
	}
	return m, err
}

// acceptedMember is memberByID for what only accepted members do.
func acceptedMember(ctx context.Context, q querier, id int64) (tp.CouncilMember, error) {
	m, err := memberByID(ctx, q, id)
	if err == nil && m.Status != tp.MemberAccepted {
		err = tp.Errorf(tp.ECONFLICT, "only members who joined the council can do this; you are %s", m.Status)
	}
	return m, err
}

// MemberPage is what a member sees through their link.
func (s *CouncilService) MemberPage(ctx context.Context, token string) (*tp.MemberPage, error) {
	id, err := s.memberOfToken(ctx, token)
	if err != nil {
		return nil, err
	}
	m, err := memberByID(ctx, s.db.r, id)
	if err != nil {
		return nil, err
	}
	c, err := findCouncil(ctx, s.db.r, m.CouncilID)
	if err != nil {
		return nil, err
	}
	p := &tp.MemberPage{Council: *c, Member: m, Sessions: []tp.CouncilSession{}, Ideas: []tp.CouncilIdea{}}
	if m.Status != tp.MemberAccepted {
		return p, nil
	}
	if p.Sessions, err = s.db.sessions(ctx, m.CouncilID, m.ID); err != nil {
		return nil, err
	}
	p.Ideas, err = s.db.ideas(ctx, "i.council_id = $1", m.CouncilID, m.ID)
	return p, err
}

// RespondInvitation accepts or declines; a member may leave later the same way.
func (s *CouncilService) RespondInvitation(ctx context.Context, token string, accept bool) error {
	id, err := s.memberOfToken(ctx, token)
	if err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		m, err := memberByID(ctx, tx, id)
		if err != nil {
			return err
		}
		status := tp.MemberDeclined
		switch {
		case accept:
			status = tp.MemberAccepted
		case m.Status == tp.MemberAccepted:
			status = tp.MemberLeft
		}
		_, err = tx.ExecContext(ctx, "UPDATE council_members SET status = $1, answered_us = $2 WHERE id = $3", status, tp.ToMicros(s.db.Now()), m.ID)
		return err
	})
}

// AnswerQuestion records (or replaces) the member's answer to a question of
// their council.
func (s *CouncilService) AnswerQuestion(ctx context.Context, token string, questionID int64, text string) error {
	id, err := s.memberOfToken(ctx, token)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" || len([]rune(text)) > tp.MaxCouncilText {
		return tp.Errorf(tp.EINVALID, "an answer has 1–4000 characters").WithFields(map[string]string{"text": "1–4000 characters"})
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		m, err := acceptedMember(ctx, tx, id)
		if err != nil {
			return err
		}
		var council int64
		err = tx.QueryRowContext(ctx, "SELECT s.council_id FROM council_questions q JOIN council_sessions s ON s.id = q.session_id WHERE q.id = $1", questionID).Scan(&council)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && council != m.CouncilID) {
			return tp.Errorf(tp.ENOTFOUND, "question %d is not one of your council's", questionID)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO council_answers (question_id, member_id, text, at_us) VALUES ($1, $2, $3, $4)
			ON CONFLICT (question_id, member_id) DO UPDATE SET text = excluded.text, at_us = excluded.at_us`, questionID, m.ID, text, tp.ToMicros(s.db.Now()))
		return err
	})
}

// PostIdea records a member's idea.
func (s *CouncilService) PostIdea(ctx context.Context, token string, idea *tp.CouncilIdea) error {
	id, err := s.memberOfToken(ctx, token)
	if err != nil {
		return err
	}
	if err := idea.Validate(); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		m, err := acceptedMember(ctx, tx, id)
		if err != nil {
			return err
		}
		idea.CouncilID, idea.MemberID, idea.Author, idea.Status, idea.CreatedAt = m.CouncilID, m.ID, m.Name, tp.IdeaOpen, s.db.Now()
		return tx.QueryRowContext(ctx, `INSERT INTO council_ideas (council_id, member_id, title, body, created_us) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			idea.CouncilID, idea.MemberID, idea.Title, idea.Body, tp.ToMicros(idea.CreatedAt)).Scan(&idea.ID)
	})
}

// Vote gives (on) or takes back the member's vote for an idea of their
// council; voting twice counts once.
func (s *CouncilService) Vote(ctx context.Context, token string, ideaID int64, on bool) error {
	id, err := s.memberOfToken(ctx, token)
	if err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		m, err := acceptedMember(ctx, tx, id)
		if err != nil {
			return err
		}
		var council int64
		err = tx.QueryRowContext(ctx, "SELECT council_id FROM council_ideas WHERE id = $1", ideaID).Scan(&council)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && council != m.CouncilID) {
			return tp.Errorf(tp.ENOTFOUND, "idea %d is not one of your council's", ideaID)
		}
		if err != nil {
			return err
		}
		if !on {
			_, err = tx.ExecContext(ctx, "DELETE FROM council_votes WHERE idea_id = $1 AND member_id = $2", ideaID, m.ID)
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO council_votes (idea_id, member_id, at_us) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", ideaID, m.ID, tp.ToMicros(s.db.Now()))
		if err != nil {
			return fmt.Errorf("vote: %w", err)
		}
		return nil
	})
}
