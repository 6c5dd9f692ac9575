package sqldb

import (
	"context"
	"database/sql"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// quarantineKeep is how many refused messages a source keeps.
const quarantineKeep = 1000

// maxQuarantineRaw bounds the JSON kept of one refused message.
const maxQuarantineRaw = 32 << 10

// Quarantine keeps refused messages of a source, the newest 1000.
func (s *TrackingService) Quarantine(ctx context.Context, src *tp.Source, rejected []tp.RejectedMessage) error {
	if err := can(ctx, tp.ActEventIngest); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return quarantineTx(ctx, tx, src.ID, rejected)
	})
}

// quarantineTx stores refused messages in tx and trims the source's
// quarantine to its newest quarantineKeep. The raw JSON is kept as valid
// UTF-8 without NUL bytes: PostgreSQL's text takes nothing else.
func quarantineTx(ctx context.Context, tx *sql.Tx, sourceID int64, rejected []tp.RejectedMessage) error {
	if len(rejected) == 0 {
		return nil
	}
	for _, r := range rejected {
		raw := r.Raw
		if len(raw) > maxQuarantineRaw {
			raw = raw[:maxQuarantineRaw]
		}
		raw = clean(raw)
		if _, err := tx.ExecContext(ctx, `INSERT INTO quarantine (source_id, received_us, message_id, type, reason, raw)
			VALUES ($1, $2, $3, $4, $5, $6)`, sourceID, tp.ToMicros(r.ReceivedAt), clean(r.MessageID), clean(r.Type), clean(r.Reason), raw); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM quarantine WHERE source_id = $1 AND id <= (SELECT id FROM quarantine WHERE source_id = $1
		ORDER BY id DESC LIMIT 1 OFFSET $2)`, sourceID, quarantineKeep)
	return err
}

func clean(s string) string { return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "") }

// ListQuarantine returns a source's refused messages, newest first.
func (s *TrackingService) ListQuarantine(ctx context.Context, sourceID int64, limit int) ([]tp.RejectedMessage, error) {
	if err := can(ctx, tp.ActSourceManage); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > quarantineKeep {
		limit = 100
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, source_id, received_us, message_id, type, reason, raw FROM quarantine
		WHERE source_id = $1 ORDER BY id DESC LIMIT $2`, sourceID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.RejectedMessage{}
	for rows.Next() {
		var r tp.RejectedMessage
		var at int64
		if err := rows.Scan(&r.ID, &r.SourceID, &at, &r.MessageID, &r.Type, &r.Reason, &r.Raw); err != nil {
			return nil, err
		}
		r.ReceivedAt = tp.FromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
