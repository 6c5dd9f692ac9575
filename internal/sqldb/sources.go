package sqldb

import (
	"context"
	"database/sql"
	"errors"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CreateSource creates a source with a fresh write key.
func (s *SourceService) CreateSource(ctx context.Context, src *tp.Source) error {
	if err := can(ctx, tp.ActSourceManage); err != nil {
		return err
	}
	return s.db.createSource(ctx, src)
}

func (db *DB) createSource(ctx context.Context, src *tp.Source) error {
	if err := src.Validate(); err != nil {
		return err
	}
	src.WriteKey = randomSecret("wk_", 24)
	src.CreatedAt = db.Now()
	return db.w.QueryRowContext(ctx, `INSERT INTO sources (name, write_key, channel, department, division, created_us)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, src.Name, src.WriteKey, src.Channel, src.Department, src.Division,
		tp.ToMicros(src.CreatedAt)).Scan(&src.ID)
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
func (s *SourceService) ListSources(ctx context.Context) ([]tp.Source, error) {
	if err := can(ctx, tp.ActSourceManage); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, "SELECT "+sourceCols+" FROM sources ORDER BY name, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tp.Source{}
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *src)
	}
	return out, rows.Err()
}

// FindSourceByWriteKey returns the source owning a write key.
func (s *SourceService) FindSourceByWriteKey(ctx context.Context, key string) (*tp.Source, error) {
	if src, ok := s.db.sourceCache.Load(key); ok {
		return src.(*tp.Source), nil
	}
	src, err := scanSource(s.db.r.QueryRowContext(ctx, "SELECT "+sourceCols+" FROM sources WHERE write_key = $1", key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.EUNAUTHORIZED, "unknown write key")
	}
	if err != nil {
		return nil, err
	}
	s.db.sourceCache.Store(key, src)
	return src, nil
}
