package web

import (
	"net"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestClientIPBehindTrustedProxies(t *testing.T) {
	proxies, err := ParseTrustedProxies(" 10.0.0.0/8, 127.0.0.1 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{TrustedProxies: proxies}
	for _, c := range []struct {
		peer, xff, want string
	}{
		{"203.0.113.9:5000", "", "203.0.113.9"},
		{"203.0.113.9:5000", "1.2.3.4", "203.0.113.9"},              // an untrusted peer's header is ignored
		{"127.0.0.1:5000", "198.51.100.7", "198.51.100.7"},          // one proxy
		{"10.1.2.3:5000", "198.51.100.7, 10.9.9.9", "198.51.100.7"}, // two proxies
		{"10.1.2.3:5000", "6.6.6.6, 198.51.100.7", "198.51.100.7"},  // the client's own claim left of it is not believed
		{"127.0.0.1:5000", "", "127.0.0.1"},
		{"127.0.0.1:5000", "garbage, 198.51.100.7", "198.51.100.7"},
		{"127.0.0.1:5000", "198.51.100.7, garbage", "127.0.0.1"},
		{"[::1]:5000", "2001:db8::5", "2001:db8::5"},
		{"127.0.0.1:5000", "::ffff:198.51.100.7", "198.51.100.7"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := s.clientIP(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,proxy.local"); err == nil {
		t.Error("a host name was taken as a trusted proxy")
	}
	if got := (&Server{}).clientIP(httptest.NewRequest("GET", "/", nil)); got != "192.0.2.1" {
		t.Errorf("no proxies: %s", got)
	}
}

// FuzzClientIP: whatever X-Forwarded-For holds, the client address is the
// peer or an address written in the header, never something else.
func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.1:1", "198.51.100.7, 10.9.9.9")
	f.Add("127.0.0.1:1", "garbage,,  , ::ffff:1.2.3.4")
	f.Add("[::1]:1", "2001:db8::1%eth0, 1.1.1.1")
	proxies, _ := ParseTrustedProxies("10.0.0.0/8,127.0.0.1,::1")
	s := &Server{TrustedProxies: proxies}
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", xff)
		got := s.clientIP(r)
		host, _, err := net.SplitHostPort(peer)
		if err != nil {
			host = peer
		}
		if got == host {
			return
		}
		a, err := netip.ParseAddr(got)
		if err != nil {
			t.Fatalf("client %q from peer %q and header %q is no address", got, peer, xff)
		}
		found := false
		for _, h := range strings.Split(xff, ",") {
			if b, err := netip.ParseAddr(strings.TrimSpace(h)); err == nil && b.Unmap() == a {
				found = true
			}
		}
		if p, err := netip.ParseAddr(host); err == nil && p.Unmap() == a {
			found = true
		}
		if !found {
			t.Fatalf("client %q is neither the peer %q nor in the header %q", got, peer, xff)
		}
	})
}
