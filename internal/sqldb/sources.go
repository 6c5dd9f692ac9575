package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// CreateSource creates a source with a fresh write key.
func (s *SourceService) CreateSource(ctx context.Context, src *tp.Source) error {
	if err := can(ctx, tp.ActSourceManage); err != nil {
		return err
	}
	return s.db.auditTx(ctx, "source.create", func(ctx context.Context, tx *sql.Tx) (string, string, error) {
		err := createSource(ctx, tx, src, s.db.Now())
		return fmt.Sprintf("source %d", src.ID), fmt.Sprintf("%s (%s) key %s", src.Name, src.Channel, src.KeyHint), err
	})
}

func (db *DB) createSource(ctx context.Context, src *tp.Source) error {
	return createSource(ctx, db.w, src, db.Now())
}

func createSource(ctx context.Context, q querier, src *tp.Source, now time.Time) error {
	if err := src.Validate(); err != nil {
		return err
	}
	src.WriteKey = randomSecret("wk_", 24)
	src.KeyHint = keyHint(src.WriteKey)
	src.CreatedAt = now
	return q.QueryRowContext(ctx, `INSERT INTO sources (name, key_hash, key_hint, channel, department, division, created_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, src.Name, hashSecret(src.WriteKey), src.KeyHint, src.Channel, src.Department,
		src.Division, tp.ToMicros(src.CreatedAt)).Scan(&src.ID)
}

const sourceCols = "id, name, key_hint, channel, department, division, created_us"

func scanSource(row interface{ Scan(...any) error }) (*tp.Source, error) {
	var s tp.Source
	var created int64
	if err := row.Scan(&s.ID, &s.Name, &s.KeyHint, &s.Channel, &s.Department, &s.Division, &created); err != nil {
		return nil, err
	}
	s.CreatedAt = tp.FromMicros(created)
	return &s, nil
}

// ListSources lists every source (without keys: they are stored hashed).
func (s *SourceService) ListSources(ctx context.Context) ([]tp.Source, error) {
	if err := can(ctx, tp.ActCaseSettingsRd); err != nil {
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
	src, err := scanSource(s.db.r.QueryRowContext(ctx, "SELECT "+sourceCols+" FROM sources WHERE key_hash = $1", hashSecret(key)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tp.Errorf(tp.EUNAUTHORIZED, "unknown write key")
	}
	if err != nil {
		return nil, err
	}
	s.db.sourceCache.Store(key, src)
	return src, nil
}

// keyHint is what a list shows of a secret: its last four characters.
func keyHint(secret string) string {
	if len(secret) <= 8 {
		return ""
	}
	return "…" + secret[len(secret)-4:]
}

// hashPlainWriteKeys hashes write keys stored in plain text before they were
// kept hashed; their sources keep working with the same key.
// It runs on the migration's connection (SQLite's writer has only one).
func hashPlainWriteKeys(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "SELECT id, key_hash FROM sources WHERE substr(key_hash, 1, 3) = 'wk_'")
	if err != nil {
		return err
	}
	plain := map[int64]string{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return err
		}
		plain[id] = key
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for id, key := range plain {
		if _, err := conn.ExecContext(ctx, "UPDATE sources SET key_hash = $1, key_hint = $2 WHERE id = $3", hashSecret(key), keyHint(key), id); err != nil {
			return err
		}
	}
	return nil
}
