package sqldb

import (
	"context"
	"database/sql"
	"errors"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CreateSource creates a source with a fresh write key.
func (db *DB) CreateSource(ctx context.Context, s *tp.Source) error {
	if err := s.Validate(); err != nil {
		return err
	}
	s.WriteKey = randomSecret("wk_", 24)
	s.CreatedAt = db.Now()
	return db.w.QueryRowContext(ctx, `INSERT INTO sources (name, write_key, channel, department, division, created_us)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, s.Name, s.WriteKey, s.Channel, s.Department, s.Division,
		tp.ToMicros(s.CreatedAt)).Scan(&s.ID)
}

const sourceCols = "id, name, write_key, channel, department, division, created_us"

func scanSource(row interface{ Scan(...any) error }) (*tp.Source, error) {
	var s tp.Source
	var created int64
	if err := row.Scan(&s.ID, &s.Name, &s.WriteKey, &s.Channel, &s.Department, &s.Division, &created); err != nil {
		return nil, err
	}
	s.CreatedAt = tp.FromMicros(created)
	return &s, nil
}

// ListSources lists every source.
func (db *DB) ListSources(ctx context.Context) ([]tp.Source, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+sourceCols+" FROM sources ORDER BY name, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.Source{}
	for rows.Next() {
		s, err := scanSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

// FindSourceByWriteKey returns the source owning a write key.
func (db *DB) FindSourceByWriteKey(ctx context.Context, key string) (*tp.Source, error) {
	if s, ok := db.sources.Load(key); ok {
		return s.(*tp.Source), nil
	}
	s, err := scanSource(db.r.QueryRowContext(ctx, "SELECT "+sourceCols+" FROM sources WHERE write_key = $1", key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.EUNAUTHORIZED, "unknown write key")
	}
	if err != nil {
		return nil, err
	}
	db.sources.Store(key, s)
	return s, nil
}
