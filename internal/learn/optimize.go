// Package learn holds touchpoint's statistical learners that work on
// tables of customers: lifetime value (BG/NBD with Gamma-Gamma) for now,
// churn risk and cross-sell next. Pure Go, fixed seeds, no network.
package learn

import (
	"math"
	"sort"
)

// minimize finds a local minimum of f from x0 by Nelder–Mead, stopping when
// the simplex's values differ by less than tol or after maxIter steps. The
// models here are fitted on log-parameters, so every point is admissible.
func minimize(f func([]float64) float64, x0 []float64, tol float64, maxIter int) []float64 {
	n := len(x0)
	simplex := make([][]float64, n+1)
	vals := make([]float64, n+1)
	for i := range simplex {
		p := append([]float64(nil), x0...)
		if i > 0 {
			p[i-1] += 0.5
		}
		simplex[i], vals[i] = p, f(p)
	}
	order := make([]int, n+1)
	point := func(c []float64, d []float64, t float64) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = c[i] + t*(d[i]-c[i])
		}
		return out
	}
	for iter := 0; iter < maxIter; iter++ {
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return vals[order[a]] < vals[order[b]] })
		best, worst, second := order[0], order[n], order[n-1]
		if math.Abs(vals[worst]-vals[best]) < tol*(1+math.Abs(vals[best])) || diameter(simplex, best) < 1e-9 {
			break
		}
		centroid := make([]float64, n)
		for _, i := range order[:n] {
			for j := range centroid {
				centroid[j] += simplex[i][j] / float64(n)
			}
		}
		refl := point(centroid, simplex[worst], -1)
		fr := f(refl)
		switch {
		case fr < vals[best]:
			if exp := point(centroid, simplex[worst], -2); f(exp) < fr {
				simplex[worst], vals[worst] = exp, f(exp)
			} else {
				simplex[worst], vals[worst] = refl, fr
			}
		case fr < vals[second]:
			simplex[worst], vals[worst] = refl, fr
		default:
			con := point(centroid, simplex[worst], 0.5)
			if fc := f(con); fc < vals[worst] {
				simplex[worst], vals[worst] = con, fc
				continue
			}
			for _, i := range order[1:] {
				simplex[i] = point(simplex[best], simplex[i], 0.5)
				vals[i] = f(simplex[i])
			}
		}
	}
	best := 0
	for i := range vals {
		if vals[i] < vals[best] {
			best = i
		}
	}
	return simplex[best]
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// diameter is the largest distance of a vertex from the best one in any
// coordinate: a simplex pressed against a bound (every other vertex refused)
// shrinks onto its best vertex without its values ever agreeing.
func diameter(simplex [][]float64, best int) float64 {
	d := 0.0
	for _, p := range simplex {
		for j, v := range p {
			d = math.Max(d, math.Abs(v-simplex[best][j]))
		}
	}
	return d
}
