package web

import (
	"sync"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// The source debugger's live stream: the last messages each source sent,
// accepted or refused, as they arrived. It lives in this process's memory
// (each replica shows what it took), like the debuggers users know from
// Segment and RudderStack.

const liveKeep = 100

type liveEntry struct {
	At        time.Time
	Type      string
	Name      string
	UserID    string
	Anonymous string
	MessageID string
	Refused   string // the reason, or "" when accepted
	Warnings  []string
}

type liveStreams struct {
	mu      sync.Mutex
	sources map[int64][]liveEntry // newest last, at most liveKeep
}

func newLiveStreams() *liveStreams { return &liveStreams{sources: map[int64][]liveEntry{}} }

func (l *liveStreams) record(source int64, accepted []tp.Message, refused []tp.RejectedMessage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ring := l.sources[source]
	for _, m := range accepted {
		ring = append(ring, liveEntry{At: m.ReceivedAt, Type: string(m.Type), Name: m.Name, UserID: m.UserID, Anonymous: m.AnonymousID,
			MessageID: m.MessageID, Warnings: m.Warnings})
	}
	for _, r := range refused {
		ring = append(ring, liveEntry{At: r.ReceivedAt, Type: r.Type, MessageID: r.MessageID, Refused: r.Reason})
	}
	if len(ring) > liveKeep {
		ring = append([]liveEntry(nil), ring[len(ring)-liveKeep:]...)
	}
	l.sources[source] = ring
}

// last returns a source's stream, newest first.
func (l *liveStreams) last(source int64) []liveEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	ring := l.sources[source]
	out := make([]liveEntry, len(ring))
	for i, e := range ring {
		out[len(ring)-1-i] = e
	}
	return out
}
