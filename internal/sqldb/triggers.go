package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// triggerCache keeps the active triggers in memory: ingestion checks every
// track event against them. Changes here reset it at once; other replicas
// see a change within triggerTTL.
type triggerCache struct {
	mu     sync.Mutex
	list   []tp.Trigger
	loaded time.Time
}

const triggerTTL = 30 * time.Second

// CreateTrigger adds a trigger to a survey.
func (s *SurveyService) CreateTrigger(ctx context.Context, t *tp.Trigger) error {
	if err := can(ctx, tp.ActSurveyManage); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if _, err := findSurvey(ctx, s.db.r, t.SurveyID, 0, ""); err != nil {
		return err
	}
	var src any
	if t.SourceID != 0 {
		src = t.SourceID
		var n int
		if err := s.db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM sources WHERE id = $1", t.SourceID).Scan(&n); err != nil || n == 0 {
			return tp.Errorf(tp.EINVALID, "source %d does not exist", t.SourceID).WithFields(map[string]string{"source_id": "unknown"})
		}
	}
	t.CreatedAt = s.db.Now()
	if err := s.db.w.QueryRowContext(ctx, `INSERT INTO survey_triggers (survey_id, event_name, source_id, department, delay_s, created_us)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.SurveyID, t.EventName, src, t.Department, int64(t.Delay.Seconds()),
		tp.ToMicros(t.CreatedAt)).Scan(&t.ID); err != nil {
		return fmt.Errorf("create trigger: %w", err)
	}
	s.db.triggers.reset()
	return nil
}

// ListTriggers lists a survey's active triggers (all surveys' for 0).
func (s *SurveyService) ListTriggers(ctx context.Context, surveyID int64) ([]tp.Trigger, error) {
	if err := can(ctx, tp.ActSurveyRead); err != nil {
		return nil, err
	}
	return listTriggers(ctx, s.db.r, surveyID)
}

func listTriggers(ctx context.Context, q querier, surveyID int64) ([]tp.Trigger, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, survey_id, event_name, source_id, department, delay_s, created_us
		FROM survey_triggers WHERE active = 1 AND (survey_id = $1 OR $1 = 0) ORDER BY id`, surveyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.Trigger{}
	for rows.Next() {
		var t tp.Trigger
		var src sql.NullInt64
		var delay, created int64
		if err := rows.Scan(&t.ID, &t.SurveyID, &t.EventName, &src, &t.Department, &delay, &created); err != nil {
			return nil, err
		}
		t.SourceID, t.Delay, t.CreatedAt = src.Int64, time.Duration(delay)*time.Second, tp.FromMicros(created)
		t.DelayMin = int(t.Delay / time.Minute)
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteTrigger stops a trigger; invitations it made stay.
func (s *SurveyService) DeleteTrigger(ctx context.Context, id int64) error {
	if err := can(ctx, tp.ActSurveyManage); err != nil {
		return err
	}
	res, err := s.db.w.ExecContext(ctx, "UPDATE survey_triggers SET active = 0 WHERE id = $1 AND active = 1", id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tp.Errorf(tp.ENOTFOUND, "trigger %d not found", id)
	}
	s.db.triggers.reset()
	return nil
}

func (c *triggerCache) reset() {
	c.mu.Lock()
	c.loaded = time.Time{}
	c.mu.Unlock()
}

// activeTriggers returns the cached triggers, reloading them when stale.
func (db *DB) activeTriggers(ctx context.Context) ([]tp.Trigger, error) {
	c := &db.triggers
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.loaded) < triggerTTL {
		return c.list, nil
	}
	list, err := listTriggers(ctx, db.r, 0)
	if err != nil {
		return nil, err
	}
	c.list, c.loaded = list, time.Now()
	return list, nil
}

// triggerHit is a track event that matched a trigger, waiting for the end of
// the ingest transaction (when the customer's e-mail is in place).
type triggerHit struct {
	trigger tp.Trigger
	cust    int64
	key     string
	channel string
	dept    string
	div     string
}

func matches(t tp.Trigger, m *tp.Message, src *tp.Source, dept string) bool {
	return m.Type == tp.EventTrack && m.Name == t.EventName && (t.SourceID == 0 || t.SourceID == src.ID) &&
		(t.Department == "" || t.Department == dept)
}

// fireTriggers queues the invitations of the batch's trigger hits, in the
// ingest transaction: the event and its invitation commit together.
func (in *ingester) fireTriggers() error {
	for _, h := range in.hits {
		cust := h.cust
		if c, ok := in.merged[cust]; ok { // merged later in the batch
			cust = c
		}
		s, err := findSurvey(in.ctx, in.tx, h.trigger.SurveyID, 0, "")
		if err != nil {
			return err
		}
		if s.Status != tp.SurveyActive {
			continue
		}
		if _, err := in.db.queueOne(in.ctx, in.tx, s, cust, tp.SendOptions{Channel: h.channel, Department: h.dept, Division: h.div,
			Delay: h.trigger.Delay, TriggerKey: h.key, TTL: 30 * 24 * time.Hour, BudgetDays: tp.DefaultBudgetDays}); err != nil {
			return fmt.Errorf("trigger %d: %w", h.trigger.ID, err)
		}
	}
	return nil
}
