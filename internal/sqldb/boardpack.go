package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	tp "github.com/touchpoint-cx/touchpoint"
)

// BoardPack returns who receives the monthly board pack.
func (s *CockpitService) BoardPack(ctx context.Context) (tp.BoardPackConfig, error) {
	if err := can(ctx, tp.ActAlertRead); err != nil {
		return tp.BoardPackConfig{}, err
	}
	c := tp.BoardPackConfig{Recipients: []string{}, Lang: "en"}
	var v string
	err := s.db.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'board_pack'").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal([]byte(v), &c)
}

// SetBoardPack stores the recipients; admins and the CCO only.
func (s *CockpitService) SetBoardPack(ctx context.Context, c tp.BoardPackConfig) error {
	if err := can(ctx, tp.ActAlertManage); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	v, _ := json.Marshal(c)
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('board_pack', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(v))
		if err != nil {
			return err
		}
		return audit(ctx, tx, tp.ToMicros(s.db.Now()), "board_pack.set", "board pack recipients", string(v))
	})
}

// BoardPackSent returns the month index (year × 12 + month − 1) of the last
// pack mailed, and MarkBoardPackSent records one.
func (s *CockpitService) BoardPackSent(ctx context.Context) (int64, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return 0, err
	}
	return s.db.mark(ctx, s.db.r, "board_pack_month")
}

// MarkBoardPackSent records that the pack of the month index was mailed.
func (s *CockpitService) MarkBoardPackSent(ctx context.Context, month int64) error {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return setMark(ctx, tx, "board_pack_month", month) })
}

// DefaultCalendar is the business calendar of normal-priority cases without a
// category: the company's working days (the board pack goes out on the first).
func (s *CockpitService) DefaultCalendar(ctx context.Context) (*tp.BusinessCalendar, error) {
	if err := can(ctx, tp.ActSystemWork); err != nil {
		return nil, err
	}
	p, err := s.db.policyFor(ctx, s.db.r, tp.PriorityNormal, "")
	if err != nil {
		return nil, err
	}
	return p.Calendar, nil
}
