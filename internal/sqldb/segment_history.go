package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	tp "github.com/touchpoint-cx/touchpoint"
)

// RecordMemberships compares every segment's members now with the stays
// recorded as open: newcomers get a stay that starts now, those gone have
// theirs ended. Members are computed set-based, one query per segment; the
// changes of a segment are written in one transaction. It returns how many
// entered and left.
func (s *SegmentService) RecordMemberships(ctx context.Context) (entered, left int, err error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return 0, 0, err
	}
	segs, err := s.ListSegments(ctx)
	if err != nil {
		return 0, 0, err
	}
	for i := range segs {
		seg := &segs[i]
		where, args := s.db.segmentWhere(seg, 1)
		now := s.db.Now()
		current, err := s.db.idSet(ctx, "SELECT c.id FROM customers c WHERE "+where, args...)
		if err != nil {
			return entered, left, fmt.Errorf("segment %d: %w", seg.ID, err)
		}
		open, err := s.db.idSet(ctx, "SELECT customer_id FROM segment_memberships WHERE segment_id = $1 AND left_us IS NULL", seg.ID)
		if err != nil {
			return entered, left, err
		}
		var in, out []int64
		for id := range current {
			if !open[id] {
				in = append(in, id)
			}
		}
		for id := range open {
			if !current[id] {
				out = append(out, id)
			}
		}
		if len(in) == 0 && len(out) == 0 {
			continue
		}
		at := tp.ToMicros(now)
		err = s.db.writeLarge(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for start := 0; start < len(in); start += 300 {
				chunk := in[start:min(start+300, len(in))]
				vals := make([]any, 0, 3*len(chunk))
				for _, id := range chunk {
					vals = append(vals, seg.ID, id, at)
				}
				if _, err := tx.ExecContext(ctx, "INSERT INTO segment_memberships (segment_id, customer_id, entered_us) VALUES "+
					s.db.placeholders(len(chunk), 3, 1), vals...); err != nil {
					return err
				}
			}
			for _, id := range out {
				if _, err := tx.ExecContext(ctx, "UPDATE segment_memberships SET left_us = $1 WHERE segment_id = $2 AND customer_id = $3 AND left_us IS NULL",
					at, seg.ID, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return entered, left, fmt.Errorf("segment %d memberships: %w", seg.ID, err)
		}
		entered, left = entered+len(in), left+len(out)
	}
	return entered, left, nil
}

func (db *DB) idSet(ctx context.Context, q string, args ...any) (map[int64]bool, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// SegmentHistory lists who entered and left a segment lately, newest first.
func (s *SegmentService) SegmentHistory(ctx context.Context, segmentID int64, limit int) ([]tp.MembershipChange, error) {
	if err := can(ctx, tp.ActSegmentRead); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT x.customer_id, c.name, x.at, x.entered FROM (
		SELECT customer_id, entered_us AS at, 1 AS entered FROM segment_memberships WHERE segment_id = $1
		UNION ALL SELECT customer_id, left_us, 0 FROM segment_memberships WHERE segment_id = $1 AND left_us IS NOT NULL) x
		JOIN customers c ON c.id = x.customer_id ORDER BY x.at DESC, x.entered, x.customer_id LIMIT $2`, segmentID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tp.MembershipChange
	for rows.Next() {
		var m tp.MembershipChange
		var at int64
		var entered int
		if err := rows.Scan(&m.CustomerID, &m.Name, &at, &entered); err != nil {
			return nil, err
		}
		m.At, m.Entered = tp.FromMicros(at), entered == 1
		out = append(out, m)
	}
	return out, rows.Err()
}
