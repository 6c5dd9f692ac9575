package touchpoint

import (
	"context"
	"strings"
	"time"
)

// Source is a system that sends data; it owns a write key.
type Source struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	WriteKey   string    `json:"write_key,omitempty"` // only when created: it is stored hashed
	KeyHint    string    `json:"key_hint,omitempty"`  // the key's last characters, to tell keys apart
	Channel    string    `json:"channel"`
	Department string    `json:"department,omitempty"`
	Division   string    `json:"division,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Validate checks a source before it is created.
func (s *Source) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return Errorf(EINVALID, "a source needs a name").WithFields(map[string]string{"name": "required"})
	}
	if s.Channel == "" {
		s.Channel = "web"
	}
	if !IsChannel(s.Channel) {
		return Errorf(EINVALID, "unknown channel %s", s.Channel).WithFields(map[string]string{"channel": "one of " + strings.Join(Channels, ", ")})
	}
	return nil
}

// SourceService manages sources.
type SourceService interface {
	CreateSource(ctx context.Context, s *Source) error
	ListSources(ctx context.Context) ([]Source, error)
	FindSourceByWriteKey(ctx context.Context, key string) (*Source, error)
}
