package learn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// A planted table: churn is driven by complaints (numeric) and the contract
// (categorical); two other columns are noise. The model must rank the two
// drivers first, and each customer's terms must add up to their score.
func TestGAMFindsThePlantedDriversAndItsTermsAddUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 4000
	complaints, noise := make([]float64, n), make([]float64, n)
	contract, colour := make([]string, n), make([]string, n)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		complaints[i] = float64(rng.IntN(6))
		noise[i] = rng.NormFloat64()
		contract[i] = []string{"monthly", "yearly"}[rng.IntN(2)]
		colour[i] = []string{"red", "green", "blue"}[rng.IntN(3)]
		z := -2 + 0.8*complaints[i]
		if contract[i] == "yearly" {
			z -= 1.5
		}
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	cols := []Column{{Name: "noise", Numeric: noise}, {Name: "complaints", Numeric: complaints}, {Name: "colour", Text: colour}, {Name: "contract", Text: contract}}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	m := TrainGAM(cols, y, rows[:3000], GAMOptions{})
	spread := func(j int) float64 {
		lo, hi := 0.0, 0.0
		for _, v := range m.Shapes[j] {
			lo, hi = min(lo, v), max(hi, v)
		}
		return hi - lo
	}
	if spread(1) <= spread(0) || spread(1) <= spread(2) || spread(3) <= spread(0) || spread(3) <= spread(2) {
		t.Errorf("spreads noise %.2f complaints %.2f colour %.2f contract %.2f", spread(0), spread(1), spread(2), spread(3))
	}
	var scores, ys []float64
	for _, i := range rows[3000:] {
		c := m.Contributions(cols, i)
		sum := m.Intercept
		for _, v := range c {
			sum += v
		}
		if p := m.Predict(cols, i); math.Abs(1/(1+math.Exp(-sum))-p) > 1e-12 {
			t.Fatalf("row %d: terms add to %.6f, the score is %.6f", i, sum, p)
		}
		scores, ys = append(scores, m.Predict(cols, i)), append(ys, y[i])
	}
	if auc := AUC(scores, ys); auc < 0.75 {
		t.Errorf("hold-out AUC %.3f", auc)
	}
}

func TestAUC(t *testing.T) {
	if a := AUC([]float64{0.1, 0.4, 0.35, 0.8}, []float64{0, 0, 1, 1}); math.Abs(a-0.75) > 1e-12 {
		t.Errorf("AUC %v, want 0.75", a)
	}
	if a := AUC([]float64{0.5, 0.5}, []float64{0, 1}); a != 0.5 {
		t.Errorf("ties: %v", a)
	}
	if a := AUC([]float64{1, 2}, []float64{1, 1}); !math.IsNaN(a) {
		t.Errorf("one class: %v", a)
	}
}

// A column of many categories keeps its most frequent ones and fits in
// training's 16-bit bins.
func TestManyCategories(t *testing.T) {
	n := 60000
	vals, rows := make([]string, n), make([]int, n)
	for i := range vals {
		vals[i], rows[i] = fmt.Sprintf("c%d", i%2500), i // 2 500 categories of 16 rows
		if i%3 == 0 {
			vals[i] = "common"
		}
	}
	b := newBinning(Column{Name: "x", Text: vals}, rows, maxBins)
	if b.Nbins != maxCats+1 {
		t.Fatalf("%d bins, want %d", b.Nbins, maxCats+1)
	}
	if _, ok := b.Cats["common"]; !ok {
		t.Error("the most frequent category is not kept")
	}
}
