package track

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A batch of 100 messages shaped like Segment's Node library sends them
// (context with library, ip, user agent, locale; identifies with traits,
// tracks and pages with properties), as `touchpoint bench ingest` sends.
func benchBatch() []byte {
	var msgs []string
	for i := range 100 {
		ctx := `"context":{"library":{"name":"analytics-node","version":"3.1.0"},"ip":"203.0.113.7","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36","locale":"de-DE"}`
		head := fmt.Sprintf(`"messageId":"bench-%d","userId":"u-%d","anonymousId":"a-%d-1","timestamp":"2026-11-01T10:%02d:%02d.123456789Z",%s`, i, i/3, i/3, i/60, i%60, ctx)
		switch i % 3 {
		case 0:
			msgs = append(msgs, fmt.Sprintf(`{"type":"identify",%s,"traits":{"email":"customer%d@example.com","name":"Customer %d","plan":"plus","country":"DE"}}`, head, i, i))
		case 1:
			msgs = append(msgs, fmt.Sprintf(`{"type":"track","event":"Order Completed",%s,"properties":{"product_id":"P-%d","price":19.99,"currency":"EUR"}}`, head, i))
		default:
			msgs = append(msgs, fmt.Sprintf(`{"type":"page","name":"Product",%s,"properties":{"url":"https://shop.example/p/%d","title":"Product"}}`, head, i))
		}
	}
	return []byte(`{"batch":[` + strings.Join(msgs, ",") + `],"sentAt":"2026-11-01T10:05:00Z"}`)
}

// BenchmarkDecodeBatch measures the request side's decoding of a batch of
// 100 (BENCHMARKS.md, issue 10).
func BenchmarkDecodeBatch(b *testing.B) {
	body := benchBatch()
	at := time.Date(2026, 11, 1, 10, 5, 0, 0, time.UTC)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := DecodeBatch(body, at)
		if err != nil || len(d.Messages) != 100 {
			b.Fatalf("%v, %d messages", err, len(d.Messages))
		}
	}
}
