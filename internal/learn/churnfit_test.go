package learn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPlattUndoesOverconfidence: scores three times too sure of themselves
// are scaled back by a third; honest scores are left as they are.
func TestPlattUndoesOverconfidence(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	n := 20000
	z, honest, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for k := range z {
		logit := r.NormFloat64() * 1.5
		if r.Float64() < 1/(1+math.Exp(-logit)) {
			y[k] = 1
		}
		z[k], honest[k] = 3*logit+1, logit
	}
	if a, b := platt(z, y); math.Abs(a-1.0/3) > 0.03 || math.Abs(b+1.0/3) > 0.06 {
		t.Errorf("overconfident scores: a = %.3f, b = %.3f; want 1/3 and −1/3", a, b)
	}
	if a, b := platt(honest, y); math.Abs(a-1) > 0.06 || math.Abs(b) > 0.06 {
		t.Errorf("honest scores: a = %.3f, b = %.3f; want 1 and 0", a, b)
	}
	if a, b := platt([]float64{1, 1}, []float64{0, 1}); a != 1 || b != 0 {
		t.Errorf("degenerate: %v %v", a, b)
	}
}
