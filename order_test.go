package touchpoint

import (
	"math"
	"slices"
	"testing"
)

func TestParseOrder(t *testing.T) {
	for _, c := range []struct {
		in       string
		revenue  float64
		products []string
	}{
		{`{"revenue": 25, "total": 30, "products": [{"product_id": "p1", "price": 10, "quantity": 2}]}`, 25, []string{"p1"}},
		{`{"total": "30.5"}`, 30.5, nil},
		{`{"products": [{"sku": "S-1", "price": 10, "quantity": 2}, {"name": "Lamp", "price": "5"}]}`, 25, []string{"S-1", "Lamp"}},
		{`{"products": ["tent", "", 7]}`, 0, []string{"tent"}},
		{`{"products": [{"product_id": 507, "price": 1}]}`, 1, []string{"507"}},
		{`{"revenue": "lots"}`, 0, nil},
		{`not json`, 0, nil},
		{``, 0, nil},
		{`{"revenue": 1e300}`, 0, nil},
	} {
		r, p := ParseOrder([]byte(c.in))
		if r != c.revenue || !slices.Equal(p, c.products) {
			t.Errorf("%s: got %v %q, want %v %q", c.in, r, p, c.revenue, c.products)
		}
	}
}

func FuzzParseOrder(f *testing.F) {
	f.Add([]byte(`{"revenue": 25, "products": [{"product_id": "p1", "price": 10, "quantity": 2}]}`))
	f.Add([]byte(`{"products": ["a", {"sku": 3}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, _ := ParseOrder(b)
		if math.IsNaN(r) || math.IsInf(r, 0) {
			t.Fatalf("revenue %v", r)
		}
	})
}
