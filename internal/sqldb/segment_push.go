package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// SegmentPushService keeps where segments' opportunity lists are pushed.
type SegmentPushService struct{ db *DB }

// SetSegmentWebhook sets (or replaces) a segment's webhook; the answer
// carries the new signing secret, the only time it is shown.
func (s *SegmentPushService) SetSegmentWebhook(ctx context.Context, segmentID int64, url string) (*tp.SegmentWebhook, error) {
	if err := can(ctx, tp.ActSegmentPush); err != nil {
		return nil, err
	}
	url = strings.TrimSpace(url)
	if err := tp.CheckWebhookURL(url); err != nil {
		return nil, err
	}
	if _, err := findSegment(ctx, s.db.r, segmentID); err != nil {
		return nil, err
	}
	h := &tp.SegmentWebhook{SegmentID: segmentID, URL: url, Secret: randomSecret("whsec_", 24), CreatedAt: s.db.Now(), CreatedBy: actorOf(ctx)}
	err := s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO segment_webhooks (segment_id, url, secret, created_us, created_by) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (segment_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, created_us = excluded.created_us,
			created_by = excluded.created_by, last_sent_us = NULL, last_status = ''`, segmentID, url, h.Secret, tp.ToMicros(h.CreatedAt), h.CreatedBy); err != nil {
			return err
		}
		return audit(ctx, tx, tp.ToMicros(h.CreatedAt), "segment.webhook", fmt.Sprintf("segment %d", segmentID), "pushes its opportunity list to "+url)
	})
	return h, err
}

// DeleteSegmentWebhook stops a segment's pushes.
func (s *SegmentPushService) DeleteSegmentWebhook(ctx context.Context, segmentID int64) error {
	if err := can(ctx, tp.ActSegmentPush); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM segment_webhooks WHERE segment_id = $1", segmentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tp.Errorf(tp.ENOTFOUND, "segment %d has no webhook", segmentID)
		}
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), "segment.webhook", fmt.Sprintf("segment %d", segmentID), "no longer pushed")
	})
}

// SegmentWebhook reads a segment's webhook without its secret (nil: none).
func (s *SegmentPushService) SegmentWebhook(ctx context.Context, segmentID int64) (*tp.SegmentWebhook, error) {
	if err := can(ctx, tp.ActSegmentRead); err != nil {
		return nil, err
	}
	h, err := s.db.segmentWebhook(ctx, segmentID)
	if h != nil {
		h.Secret = ""
	}
	return h, err
}

func (db *DB) segmentWebhook(ctx context.Context, segmentID int64) (*tp.SegmentWebhook, error) {
	h := &tp.SegmentWebhook{SegmentID: segmentID}
	var created int64
	var sent sql.NullInt64
	err := db.r.QueryRowContext(ctx, "SELECT url, secret, created_us, created_by, last_sent_us, last_status FROM segment_webhooks WHERE segment_id = $1", segmentID).
		Scan(&h.URL, &h.Secret, &created, &h.CreatedBy, &sent, &h.LastStatus)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	h.CreatedAt = tp.FromMicros(created)
	if sent.Valid {
		at := tp.FromMicros(sent.Int64)
		h.LastSentAt = &at
	}
	return h, err
}

// QueuePush sends a segment's opportunity list to its webhook now (a job).
func (s *SegmentPushService) QueuePush(ctx context.Context, segmentID int64) error {
	if err := can(ctx, tp.ActSegmentPush); err != nil {
		return err
	}
	h, err := s.db.segmentWebhook(ctx, segmentID)
	if err != nil {
		return err
	}
	if h == nil {
		return tp.Errorf(tp.ECONFLICT, "segment %d has no webhook; set one first", segmentID)
	}
	now := s.db.Now()
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := audit(ctx, tx, tp.ToMicros(now), "segment.push", fmt.Sprintf("segment %d", segmentID), "opportunity list to "+h.URL); err != nil {
			return err
		}
		return s.db.enqueue(ctx, tx, tp.PushSegment{SegmentID: segmentID}, now)
	})
}

// WebhookForPush is the job's read: the webhook with its secret.
func (s *SegmentPushService) WebhookForPush(ctx context.Context, segmentID int64) (*tp.SegmentWebhook, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	return s.db.segmentWebhook(ctx, segmentID)
}

// PushedSegments lists the segments with a webhook (the daily push).
func (s *SegmentPushService) PushedSegments(ctx context.Context) ([]int64, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT segment_id FROM segment_webhooks ORDER BY segment_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// MarkPushed records how a push went.
func (s *SegmentPushService) MarkPushed(ctx context.Context, segmentID int64, at time.Time, status string) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	if len(status) > 500 {
		status = status[:500]
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE segment_webhooks SET last_sent_us = $1, last_status = $2 WHERE segment_id = $3", tp.ToMicros(at), status, segmentID)
		return err
	})
}
