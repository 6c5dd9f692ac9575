package learn

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"time"
)

// EvalChurn trains and tests the churn learner on a table (5-fold
// cross-validation, fixed seed) and prints the AUC per fold and overall.
// The label column's positive value is "1", "yes" or "true" (any case).
// Columns whose every value differs (ids) and text columns with more than
// 100 values (names) are left out, and named in the output.
func EvalChurn(path, label string, w io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) < 11 {
		return fmt.Errorf("%s: too few rows", path)
	}
	head, rows := recs[0], recs[1:]
	var cols []Column
	var y []float64
	var dropped []string
	for j, name := range head {
		vals := make([]string, len(rows))
		distinct := map[string]bool{}
		for i, r := range rows {
			if j < len(r) {
				vals[i] = strings.TrimSpace(r[j])
			}
			distinct[vals[i]] = true
		}
		if name == label {
			y = make([]float64, len(rows))
			for i, v := range vals {
				switch strings.ToLower(v) {
				case "1", "yes", "true":
					y[i] = 1
				}
			}
			continue
		}
		c := parseColumn(name, vals)
		if len(distinct) == len(rows) || (c.Text != nil && len(distinct) > 100) {
			dropped = append(dropped, name)
			continue
		}
		cols = append(cols, c)
	}
	if y == nil {
		return fmt.Errorf("%s: no column %q", path, label)
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	rand.New(rand.NewPCG(42, 42)).Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
	const folds = 5
	scores := make([]float64, len(rows))
	start := time.Now()
	fmt.Fprintf(w, "%s: %d rows, %d columns used; left out as ids or names: %s\n", path, len(rows), len(cols), strings.Join(dropped, ", "))
	var last *GAM
	for k := 0; k < folds; k++ {
		var train, test []int
		for n, i := range idx {
			if n%folds == k {
				test = append(test, i)
			} else {
				train = append(train, i)
			}
		}
		m := TrainGAM(cols, y, train, GAMOptions{})
		ts, ty := make([]float64, len(test)), make([]float64, len(test))
		for n, i := range test {
			scores[i] = m.Predict(cols, i)
			ts[n], ty[n] = scores[i], y[i]
		}
		fmt.Fprintf(w, "  fold %d: AUC %.3f (%d pair terms)\n", k+1, AUC(ts, ty), len(m.Pairs))
		last = m
	}
	fmt.Fprintf(w, "5-fold cross-validated AUC %.4f (%s)\n", AUC(scores, y), time.Since(start).Round(time.Millisecond))
	// What the last fold's model leans on: each column's spread of terms.
	type imp struct {
		name   string
		spread float64
	}
	var imps []imp
	for j, c := range cols {
		lo, hi := 0.0, 0.0
		for _, v := range last.Shapes[j] {
			lo, hi = min(lo, v), max(hi, v)
		}
		imps = append(imps, imp{c.Name, hi - lo})
	}
	sort.Slice(imps, func(a, b int) bool { return imps[a].spread > imps[b].spread })
	fmt.Fprintf(w, "columns by the spread of their log-odds terms:")
	for i, im := range imps {
		if i == 6 {
			break
		}
		fmt.Fprintf(w, " %s %.2f;", im.name, im.spread)
	}
	fmt.Fprintln(w)
	return nil
}
