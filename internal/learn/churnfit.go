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
	// Scale and Shift recalibrate the trained model's log-odds (Platt).
	Scale, Shift float64
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
	// Boosted trees on a few thousand rows are overconfident at the ends; a
	// Platt scaling fitted on the held-out rows shrinks every term and the
	// intercept alike, so the order (and the AUC) stays, the reasons still
	// add up to the score, and a "90 %" means about nine in ten.
	logits, truth := make([]float64, len(test)), make([]float64, len(test))
	for k, i := range test {
		p := f.Model.Predict(cols, i)
		logits[k], truth[k] = math.Log(p/(1-p)), y[i]
	}
	f.Scale, f.Shift = platt(logits, truth)
	f.Model.rescale(f.Scale, f.Shift)
	pred, base := make([]float64, len(test)), make([]float64, len(test))
	for k, i := range test {
		pred[k], base[k] = f.Model.Predict(cols, i), baseline[i]
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

// platt fits p = σ(a·z + b) to outcomes y by Newton's method with step
// halving (a full step from a = 1 can overshoot on very sure scores): the
// recalibration of scores z (log-odds). Degenerate data gives a = 1, b = 0.
func platt(z, y []float64) (a, b float64) {
	nll := func(a, b float64) float64 {
		s := 0.0
		for k := range z {
			m := a*z[k] + b
			// log(1 + e^m) − y·m, computed without overflow.
			s += math.Max(m, 0) + math.Log1p(math.Exp(-math.Abs(m))) - y[k]*m
		}
		return s
	}
	a = 1
	cur := nll(a, b)
	for range 100 {
		var ga, gb, haa, hab, hbb float64
		for k := range z {
			p := 1 / (1 + math.Exp(-(a*z[k] + b)))
			w := p * (1 - p)
			ga += (p - y[k]) * z[k]
			gb += p - y[k]
			haa += w * z[k] * z[k]
			hab += w * z[k]
			hbb += w
		}
		det := haa*hbb - hab*hab
		if det <= 1e-9 {
			break
		}
		da, db := (hbb*ga-hab*gb)/det, (haa*gb-hab*ga)/det
		step := 1.0
		for ; step > 1e-6; step /= 2 {
			if next := nll(a-step*da, b-step*db); next <= cur {
				a, b, cur = a-step*da, b-step*db, next
				break
			}
		}
		if step <= 1e-6 || (math.Abs(da) < 1e-9 && math.Abs(db) < 1e-9) {
			break
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) || a <= 0 {
		return 1, 0
	}
	return a, b
}
