package learn

import (
	"math"
	"sort"
)

// ChurnFit is a churn model trained on some rows and judged on the others.
type ChurnFit struct {
	Model       *GAM
	Rows        int
	HoldoutRows int
	AUC         float64 // of the model on the hold-out rows
	BaselineAUC float64 // of the baseline score alone on the same rows
	// Calibration: tenths of the hold-out rows by predicted probability,
	// each with its size, mean prediction and observed share.
	Calibration [][3]float64
	Importance  []float64 // per column: the mean absolute term on the hold-out rows
}

// FitChurn trains the product's churn model on the rows not held out and
// measures it on the held-out ones against a baseline score (in whichever
// direction ranks better), so that it can be refused when it is no better.
func FitChurn(cols []Column, y []float64, holdout func(i int) bool, baseline []float64) *ChurnFit {
	var train, test []int
	for i := range y {
		if holdout(i) {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	f := &ChurnFit{Rows: len(train), HoldoutRows: len(test), Importance: make([]float64, len(cols))}
	if len(train) == 0 || len(test) == 0 {
		return f
	}
	f.Model = TrainGAM(cols, y, train, GAMOptions{})
	pred, truth, base := make([]float64, len(test)), make([]float64, len(test)), make([]float64, len(test))
	for k, i := range test {
		pred[k], truth[k], base[k] = f.Model.Predict(cols, i), y[i], baseline[i]
		for j, c := range f.Model.Contributions(cols, i) {
			f.Importance[j] += math.Abs(c) / float64(len(test))
		}
	}
	// The baseline gets its better direction: on some histories the recently
	// active leave more (they were active because something went wrong).
	f.AUC, f.BaselineAUC = AUC(pred, truth), AUC(base, truth)
	f.BaselineAUC = math.Max(f.BaselineAUC, 1-f.BaselineAUC)
	order := make([]int, len(test))
	for k := range order {
		order[k] = k
	}
	sort.Slice(order, func(a, b int) bool { return pred[order[a]] < pred[order[b]] })
	for d := range 10 {
		lo, hi := d*len(order)/10, (d+1)*len(order)/10
		if hi == lo {
			continue
		}
		var p, o float64
		for _, k := range order[lo:hi] {
			p += pred[k]
			o += truth[k]
		}
		n := float64(hi - lo)
		f.Calibration = append(f.Calibration, [3]float64{n, p / n, o / n})
	}
	return f
}
