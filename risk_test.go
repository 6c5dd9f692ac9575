package touchpoint

import (
	"math/rand/v2"
	"testing"
)

// TestRFMQuintilesAndTies: scores by quintile of rank, ties sharing the
// middle rank, customers without orders absent.
func TestRFMQuintilesAndTies(t *testing.T) {
	f := func(id int64, recency, orders, revenue float64) CustomerFeatures {
		return CustomerFeatures{CustomerID: id, OrderRecency: &recency, Orders: orders, Revenue: revenue}
	}
	got := RFM([]CustomerFeatures{
		f(1, 50, 1, 100), f(2, 40, 2, 100), f(3, 30, 2, 100), f(4, 20, 3, 100), f(5, 10, 5, 100),
		{CustomerID: 6}, // no orders
	})
	want := map[int64][3]int{
		// recency: the most recent is best; orders 2 and 2 share ranks 1 and 2 (1.5: quintile 2); revenue all equal (rank 2: 3)
		1: {1, 1, 3}, 2: {2, 2, 3}, 3: {3, 2, 3}, 4: {4, 4, 3}, 5: {5, 5, 3},
	}
	if len(got) != len(want) {
		t.Fatalf("RFM holds %d customers, want %d: %v", len(got), len(want), got)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("customer %d: %v, want %v", id, got[id], w)
		}
	}
	// On many customers each score is used by a fifth of them.
	r := rand.New(rand.NewPCG(1, 2))
	var fs []CustomerFeatures
	for i := range 10000 {
		fs = append(fs, f(int64(i+1), r.Float64()*365, float64(1+i), r.Float64()*1000))
	}
	count := [3][6]int{}
	for _, s := range RFM(fs) {
		for k := range 3 {
			count[k][s[k]]++
		}
	}
	for k := range 3 {
		for q := 1; q <= 5; q++ {
			if count[k][q] != 2000 {
				t.Errorf("measure %d: %d customers score %d, want 2000", k, count[k][q], q)
			}
		}
	}
}

// BenchmarkRFM: 200 000 buyers (go test -run '^$' -bench RFM .).
func BenchmarkRFM(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	fs := make([]CustomerFeatures, 200000)
	for i := range fs {
		rec := r.Float64() * 365
		fs[i] = CustomerFeatures{CustomerID: int64(i + 1), OrderRecency: &rec, Orders: float64(1 + r.IntN(20)), Revenue: r.Float64() * 1000}
	}
	for b.Loop() {
		RFM(fs)
	}
}
