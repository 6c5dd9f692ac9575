package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CreateTraining assigns a training. Its owner and participants must be
// active users; participants work in the training's department.
func (s *PeopleService) CreateTraining(ctx context.Context, t *tp.Training) error {
	if err := mayAtAll(ctx, tp.ActTrainingManage); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if err := authorize(ctx, tp.ActTrainingManage, tp.Object{Department: t.Department}); err != nil {
		return err
	}
	t.CreatedAt, t.CreatedBy = s.db.Now(), actorOf(ctx)
	for i := range t.Participants {
		t.Participants[i].CompletedAt = nil
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE id = $1 AND deactivated_us = 0", t.OwnerID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return tp.Errorf(tp.EINVALID, "owner %d is not an active user", t.OwnerID).WithFields(map[string]string{"owner_id": "unknown"})
		}
		for _, p := range t.Participants {
			var dept string
			err := tx.QueryRowContext(ctx, "SELECT department FROM users WHERE id = $1 AND deactivated_us = 0", p.UserID).Scan(&dept)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && dept != t.Department) {
				return tp.Errorf(tp.EINVALID, "participant %d is not an active user of the %s department", p.UserID, t.Department).WithFields(map[string]string{"participants": "unknown"})
			}
			if err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO trainings (title, kind, owner_id, department, metric, category, due_us, created_us, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, t.Title, t.Kind, t.OwnerID, t.Department, t.Metric, t.Category,
			tp.ToMicros(t.Due), tp.ToMicros(t.CreatedAt), t.CreatedBy).Scan(&t.ID)
		if err != nil {
			return err
		}
		for _, p := range t.Participants {
			if _, err := tx.ExecContext(ctx, "INSERT INTO training_participants (training_id, user_id) VALUES ($1, $2)", t.ID, p.UserID); err != nil {
				return err
			}
		}
		return nil
	})
}

// CompleteTraining records that a participant completed a training at a
// time (the present when at is zero). Completing again moves the date.
func (s *PeopleService) CompleteTraining(ctx context.Context, id, userID int64, at time.Time) error {
	if err := mayAtAll(ctx, tp.ActTrainingManage); err != nil {
		return err
	}
	t, err := s.findTraining(ctx, id)
	if err != nil {
		return err
	}
	if err := authorize(ctx, tp.ActTrainingManage, tp.Object{Department: t.Department}); err != nil {
		return err
	}
	if at.IsZero() {
		at = s.db.Now()
	}
	if at.After(s.db.Now()) {
		return tp.Errorf(tp.EINVALID, "a completion cannot lie in the future").WithFields(map[string]string{"completed_at": "future"})
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE training_participants SET completed_us = $1 WHERE training_id = $2 AND user_id = $3", tp.ToMicros(at), id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tp.Errorf(tp.EINVALID, "user %d does not take part in training %d", userID, id).WithFields(map[string]string{"user_id": "not a participant"})
		}
		return nil
	})
}

// findTraining reads one training with its participants, unchecked.
func (s *PeopleService) findTraining(ctx context.Context, id int64) (*tp.Training, error) {
	ts, err := s.readTrainings(ctx, "WHERE id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, tp.Errorf(tp.ENOTFOUND, "training %d not found", id)
	}
	return &ts[0], nil
}

func (s *PeopleService) readTrainings(ctx context.Context, where string, args ...any) ([]tp.Training, error) {
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, title, kind, owner_id, department, metric, category, due_us, created_us, created_by
		FROM trainings `+where+" ORDER BY id DESC", args...)
	if err != nil {
		return nil, err
	}
	var out []tp.Training
	for rows.Next() {
		var t tp.Training
		var due, created int64
		if err := rows.Scan(&t.ID, &t.Title, &t.Kind, &t.OwnerID, &t.Department, &t.Metric, &t.Category, &due, &created, &t.CreatedBy); err != nil {
			rows.Close()
			return nil, err
		}
		t.Due, t.CreatedAt = tp.FromMicros(due), tp.FromMicros(created)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		prow, err := s.db.r.QueryContext(ctx, "SELECT user_id, completed_us FROM training_participants WHERE training_id = $1 ORDER BY user_id", out[i].ID)
		if err != nil {
			return nil, err
		}
		for prow.Next() {
			var p tp.TrainingParticipant
			var done sql.NullInt64
			if err := prow.Scan(&p.UserID, &done); err != nil {
				prow.Close()
				return nil, err
			}
			if done.Valid {
				at := tp.FromMicros(done.Int64)
				p.CompletedAt = &at
			}
			out[i].Participants = append(out[i].Participants, p)
		}
		prow.Close()
		if err := prow.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListTrainings lists the trainings the caller may see, newest first, each
// with its effect measured on its department's cases: an agent sees the
// trainings they take part in.
func (s *PeopleService) ListTrainings(ctx context.Context) ([]tp.TrainingView, error) {
	return s.listTrainings(ctx, false)
}

// MeasuredTrainings are the trainings whose effect can be known now (every
// participant completed, the window after passed): the cockpit's lines,
// without measuring the others on every view.
func (s *PeopleService) MeasuredTrainings(ctx context.Context) ([]tp.TrainingView, error) {
	return s.listTrainings(ctx, true)
}

func (s *PeopleService) listTrainings(ctx context.Context, measuredOnly bool) ([]tp.TrainingView, error) {
	dept, err := listScope(ctx, tp.ActPeopleRead)
	if err != nil {
		return nil, err
	}
	ts, err := s.readTrainings(ctx, "WHERE department = $1 OR $1 = ''", dept)
	if err != nil {
		return nil, err
	}
	out := []tp.TrainingView{}
	now := s.db.Now()
	emails, err := s.db.userEmails(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		mayRead := false
		for _, p := range append([]tp.TrainingParticipant{{}}, t.Participants...) {
			mayRead = mayRead || authorize(ctx, tp.ActPeopleRead, tp.Object{Department: t.Department, User: p.UserID}) == nil
		}
		if !mayRead {
			continue
		}
		from, to, complete := effectSpan(t)
		if measuredOnly && (!complete || now.Before(to)) {
			continue
		}
		for i := range t.Participants {
			t.Participants[i].Email = emails[t.Participants[i].UserID]
		}
		v := tp.TrainingView{Training: t, Owner: emails[t.OwnerID]}
		if complete {
			results, err := s.db.caseResults(ctx, "c.department = $1 AND c.created_us >= $2 AND c.created_us < $3",
				[]any{t.Department, tp.ToMicros(from), tp.ToMicros(to)})
			if err != nil {
				return nil, err
			}
			v.Effect = tp.MeasureTraining(t, results, now)
		} else {
			v.Effect = tp.MeasureTraining(t, nil, now)
		}
		out = append(out, v)
	}
	return out, nil
}

// effectSpan is the span of cases a training's effect is measured on:
// from the window before the first completion to the window after the last.
func effectSpan(t tp.Training) (from, to time.Time, ok bool) {
	for _, p := range t.Participants {
		if p.CompletedAt == nil {
			return from, to, false
		}
		if from.IsZero() || p.CompletedAt.Before(from) {
			from = *p.CompletedAt
		}
		if p.CompletedAt.After(to) {
			to = *p.CompletedAt
		}
	}
	return from.Add(-tp.EffectWindow), to.Add(tp.EffectWindow), len(t.Participants) > 0
}
