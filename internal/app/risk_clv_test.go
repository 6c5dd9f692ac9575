package app

import (
	"math/rand/v2"
	"runtime"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
)

// TestLifetimeValuesDoNotDependOnCores: the bootstrap refits run on every
// core, and the values and intervals are the same on one.
func TestLifetimeValuesDoNotDependOnCores(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	fs := make([]tp.CustomerFeatures, 1500)
	for i := range fs {
		first := 100 + r.Float64()*600
		rec, avg := r.Float64()*first, 20+r.Float64()*200
		fs[i] = tp.CustomerFeatures{CustomerID: int64(i + 1), Orders: float64(1 + r.IntN(8)), FirstOrderDay: first, OrderRecency: &rec, AvgOrder: &avg}
	}
	run := func(procs int) []tp.CustomerScore {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		scores := make([]tp.CustomerScore, len(fs))
		if err := lifetimeValues(fs, scores, func(string) {}); err != nil {
			t.Fatal(err)
		}
		return scores
	}
	one, many := run(1), run(4)
	intervals := 0
	for i := range one {
		a, b := one[i], many[i]
		if a.CLV == nil || b.CLV == nil || *a.CLV != *b.CLV {
			t.Fatalf("customer %d: value %v on one core, %v on four", i, a.CLV, b.CLV)
		}
		if (a.CLVLow == nil) != (b.CLVLow == nil) || a.CLVLow != nil && (*a.CLVLow != *b.CLVLow || *a.CLVHigh != *b.CLVHigh) {
			t.Fatalf("customer %d: interval differs between one core and four", i)
		}
		if a.CLVLow != nil {
			intervals++
			if *a.CLVLow > *a.CLV || *a.CLVHigh < *a.CLV {
				t.Fatalf("customer %d: value %.2f outside its interval [%.2f, %.2f]", i, *a.CLV, *a.CLVLow, *a.CLVHigh)
			}
		}
	}
	if intervals < len(fs)/2 {
		t.Errorf("only %d of %d customers have an interval", intervals, len(fs))
	}
}
