package web

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limiter is a token bucket per client address for the public endpoints
// (survey answers, later the complaint form). It lives in memory: each
// replica limits on its own, which bounds abuse without shared state.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter allows perMinute requests per key after a burst; 0 means 60,
// negative means no limit.
func newLimiter(perMinute, burst int) *limiter {
	if perMinute == 0 {
		perMinute = 60
	}
	return &limiter{rate: float64(perMinute) / 60, burst: float64(burst), buckets: map[string]*bucket{}, now: time.Now}
}

func (l *limiter) allow(key string) bool {
	if l.rate < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) > 100000 { // forget idle clients rather than grow without bound
			for k, v := range l.buckets {
				if now.Sub(v.last) > time.Minute {
					delete(l.buckets, k)
				}
			}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// has reports whether key has a token left, without spending it: the
// sign-in form spends one per failure only.
func (l *limiter) has(key string) bool {
	if l.rate < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	return b == nil || min(l.burst, b.tokens+l.now().Sub(b.last).Seconds()*l.rate) >= 1
}

// clientIP is the peer address. Behind a proxy every client shares the
// proxy's address; a trusted X-Forwarded-For setting is future work.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
