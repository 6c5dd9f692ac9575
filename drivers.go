package touchpoint

import (
	"encoding/json"
	"math"
	"math/bits"
	"math/rand/v2"
	"sort"
)

// Key drivers: which themes move a score. Each scored answer becomes an
// outcome whose mean is the metric (NPS: +100 promoter, 0 passive, −100
// detractor; CSAT: 100 satisfied, else 0; CES: the score), regressed on
// whether its comment mentions each theme. Per theme:
//   - Effect: the regression coefficient, the metric's points that go with a
//     mention when the other themes are held fixed;
//   - Importance: its share of the explained variance by Shapley
//     decomposition of R² over every subset of themes (LMG), which stays
//     meaningful when themes come together;
//   - IfFixed: the metric's points gained if the theme's mentions had no
//     effect (−Effect × share of answers mentioning it; 0 for themes that
//     help);
// each with a 95 % percentile bootstrap interval.

// DriverRow is one scored answer with the themes of its comment and the
// answers to the survey's extra questions.
type DriverRow struct {
	Score   int
	Themes  []string
	Answers map[string]json.RawMessage
}

// QuestionDriverPrefix marks the drivers that are a survey's extra
// questions rather than themes: "q:<question>:low" (a rating of 1 or 2) and
// "q:<question>=<option>" (a single or multiple choice).
const QuestionDriverPrefix = "q:"

// WithQuestionDrivers adds the survey's extra rating and choice questions to
// each row as drivers beside the themes: a low rating (1–2 of 5), and each
// option chosen. Free-text questions and unanswered ones add nothing.
func WithQuestionDrivers(sv *Survey, rows []DriverRow) {
	for i := range rows {
		for _, q := range sv.Questions {
			raw, ok := rows[i].Answers[q.ID]
			if !ok {
				continue
			}
			switch q.Kind {
			case QuestionRating:
				var v int
				if json.Unmarshal(raw, &v) == nil && v >= 1 && v <= 2 {
					rows[i].Themes = append(rows[i].Themes, QuestionDriverPrefix+q.ID+":low")
				}
			case QuestionSingle:
				var v string
				if json.Unmarshal(raw, &v) == nil && v != "" {
					rows[i].Themes = append(rows[i].Themes, QuestionDriverPrefix+q.ID+"="+v)
				}
			case QuestionMulti:
				var vs []string
				if json.Unmarshal(raw, &vs) == nil {
					for _, v := range vs {
						rows[i].Themes = append(rows[i].Themes, QuestionDriverPrefix+q.ID+"="+v)
					}
				}
			}
		}
	}
}

// Interval is a value with a 95 % interval.
type Interval struct {
	Value float64 `json:"value"`
	Low   float64 `json:"ci_low"`
	High  float64 `json:"ci_high"`
}

// Driver is one theme's part in a score.
type Driver struct {
	Theme      string   `json:"theme"`
	Name       string   `json:"name"`
	Mentions   int      `json:"mentions"`
	Share      float64  `json:"share"` // of the answers
	Effect     Interval `json:"effect"`
	Importance Interval `json:"importance"` // percent of R²
	IfFixed    Interval `json:"if_fixed"`
}

// DriverAnalysis is the key-driver analysis of one metric over a set of answers.
type DriverAnalysis struct {
	Metric  string   `json:"metric"`
	N       int      `json:"n"`
	Value   float64  `json:"value"` // the metric over the answers
	R2      float64  `json:"r2"`
	Drivers []Driver `json:"drivers"` // by importance, largest first
	TooFew  bool     `json:"too_few"` // fewer than MinResponses answers: no drivers
}

// Driver analysis limits: themes need minDriverMentions mentions to enter,
// and at most maxDrivers (the most mentioned) do, which keeps the 2^k
// subsets of the Shapley decomposition small.
const (
	minDriverMentions = 10
	maxDrivers        = 10
	driverBootstraps  = 200
)

// outcome maps a score to the per-answer value whose mean is the metric.
func outcome(t SurveyType, score int) float64 {
	switch t {
	case SurveyNPS:
		switch {
		case score >= 9:
			return 100
		case score <= 6:
			return -100
		}
		return 0
	case SurveyCSAT:
		if score >= 4 {
			return 100
		}
		return 0
	}
	return float64(score)
}

// KeyDrivers analyses rows of a survey type; seed fixes the bootstrap.
func KeyDrivers(t SurveyType, rows []DriverRow, seed uint64) DriverAnalysis {
	a := DriverAnalysis{Metric: string(t), N: len(rows), Drivers: []Driver{}}
	if len(rows) < MinResponses {
		a.TooFew = true
		return a
	}
	count := map[string]int{}
	for _, r := range rows {
		for _, th := range uniq(r.Themes) {
			count[th]++
		}
	}
	var themes []string
	for th, c := range count {
		if c >= minDriverMentions && c < len(rows) {
			themes = append(themes, th)
		}
	}
	sort.Slice(themes, func(i, j int) bool {
		if count[themes[i]] != count[themes[j]] {
			return count[themes[i]] > count[themes[j]]
		}
		return themes[i] < themes[j]
	})
	if len(themes) > maxDrivers {
		themes = themes[:maxDrivers]
	}
	index := map[string]int{}
	for i, th := range themes {
		index[th] = i
	}
	k := len(themes)
	// Answers with the same themes and outcome are one cell with a weight:
	// a few hundred cells however many answers, so each bootstrap fit is cheap.
	type key struct {
		mask uint16
		y    float64
	}
	cellOf := map[key]int{}
	var cells []driverCell
	rowCell := make([]int, len(rows))
	for i, r := range rows {
		var c key
		for _, th := range r.Themes {
			if j, ok := index[th]; ok {
				c.mask |= 1 << j
			}
		}
		c.y = outcome(t, r.Score)
		a.Value += c.y
		ci, ok := cellOf[c]
		if !ok {
			ci = len(cells)
			cellOf[c] = ci
			cells = append(cells, driverCell{mask: c.mask, y: c.y})
		}
		cells[ci].w++
		rowCell[i] = ci
	}
	a.Value /= float64(len(rows))
	scr := &driverScratch{}
	fit := fitDrivers(k, cells, scr)
	a.R2 = fit.r2
	boot := make([]driverFit, 0, driverBootstraps)
	rng := rand.New(rand.NewPCG(seed, 12))
	sample := make([]driverCell, len(cells))
	for b := 0; b < driverBootstraps; b++ {
		copy(sample, cells)
		for i := range sample {
			sample[i].w = 0
		}
		for range rows {
			sample[rowCell[rng.IntN(len(rows))]].w++
		}
		boot = append(boot, fitDrivers(k, sample, scr))
	}
	for j, th := range themes {
		d := Driver{Theme: th, Name: th, Mentions: count[th], Share: float64(count[th]) / float64(len(rows))}
		pick := func(f func(driverFit) float64) Interval {
			vs := make([]float64, len(boot))
			for i, bf := range boot {
				vs[i] = f(bf)
			}
			sort.Float64s(vs)
			return Interval{Value: f(fit), Low: vs[int(0.025*float64(len(vs)))], High: vs[int(0.975*float64(len(vs)-1))]}
		}
		d.Effect = pick(func(f driverFit) float64 { return f.beta[j] })
		d.Importance = pick(func(f driverFit) float64 { return 100 * f.shapley[j] / math.Max(f.r2, 1e-12) })
		d.IfFixed = pick(func(f driverFit) float64 { return math.Max(0, -f.beta[j]) * f.share[j] })
		a.Drivers = append(a.Drivers, d)
	}
	sort.SliceStable(a.Drivers, func(i, j int) bool { return a.Drivers[i].Importance.Value > a.Drivers[j].Importance.Value })
	return a
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

type driverFit struct {
	beta, shapley, share []float64
	r2                   float64
}

// driverCell is the answers with one set of themes and one outcome.
type driverCell struct {
	mask uint16
	y, w float64
}

// fitDrivers fits the regression and the Shapley decomposition on weighted
// cells (a bootstrap sample reweights them), from centred moments.
func fitDrivers(k int, cells []driverCell, scr *driverScratch) driverFit {
	mx, cxx, cxy, vy := moments(k, cells)
	f := driverFit{share: mx, shapley: make([]float64, k)}
	if vy == 0 {
		f.beta = make([]float64, k)
		return f
	}
	// R² of every subset of themes, then each theme's average gain in R²
	// over the orders in which it can join (Shapley).
	r2 := subsetR2s(k, cxx, cxy, vy, scr)
	f.r2, f.beta = regress(k, 1<<k-1, cxx, cxy, vy)
	fact := make([]float64, k+1)
	fact[0] = 1
	for i := 1; i <= k; i++ {
		fact[i] = fact[i-1] * float64(i)
	}
	for j := 0; j < k; j++ {
		for s := 0; s < 1<<k; s++ {
			if s&(1<<j) != 0 {
				continue
			}
			size := bits.OnesCount(uint(s))
			w := fact[size] * fact[k-size-1] / fact[k]
			f.shapley[j] += w * (r2[s|1<<j] - r2[s])
		}
	}
	return f
}

// moments are the cells' theme shares and the centred cross products of
// the themes (cxx, k×k), of the themes and the outcome (cxy) and of the
// outcome (vy), weighted.
func moments(k int, cells []driverCell) (mx, cxx, cxy []float64, vy float64) {
	n := 0.0
	mx = make([]float64, k)
	my := 0.0
	for _, c := range cells {
		n += c.w
		for j := 0; j < k; j++ {
			if c.mask&(1<<j) != 0 {
				mx[j] += c.w
			}
		}
		my += c.w * c.y
	}
	for j := range mx {
		mx[j] /= n
	}
	my /= n
	cxx = make([]float64, k*k)
	cxy = make([]float64, k)
	x := make([]float64, k)
	for _, c := range cells {
		if c.w == 0 {
			continue
		}
		dy := c.y - my
		vy += c.w * dy * dy
		for a := 0; a < k; a++ {
			x[a] = -mx[a]
			if c.mask&(1<<a) != 0 {
				x[a]++
			}
			cxy[a] += c.w * x[a] * dy
		}
		for a := 0; a < k; a++ {
			for b := a; b < k; b++ {
				cxx[a*k+b] += c.w * x[a] * x[b]
			}
		}
	}
	for a := 0; a < k; a++ {
		for b := 0; b < a; b++ {
			cxx[a*k+b] = cxx[b*k+a]
		}
	}
	return mx, cxx, cxy, vy
}

// driverScratch holds subsetR2s's buffers across the fits of one analysis.
type driverScratch struct{ r2, ls, zs, zz []float64 }

func (d *driverScratch) grow(n, tri, k int) {
	if len(d.r2) < n {
		d.r2, d.ls, d.zs, d.zz = make([]float64, n), make([]float64, n*tri), make([]float64, n*k), make([]float64, n)
	}
}

// subsetR2s returns R² of the regression on every subset of the k themes
// (index: the subset's bits). Each subset is its parent (without its highest
// theme) plus that theme, so its Cholesky factor is the parent's with one
// row appended: O(m²) per subset instead of a solve, which made the 2^k × 201
// regressions of a driver analysis most of its time. With the same small
// ridge as regress, so themes that always come together stay solvable.
func subsetR2s(k int, cxx, cxy []float64, vy float64, scr *driverScratch) []float64 {
	n := 1 << k
	// Per subset: its factor's rows packed (row r has r+1 entries), and z =
	// L⁻¹ c, whose squared length is the explained sum of squares. The
	// buffers are reused over the bootstrap's fits; each entry is written
	// before it is read.
	tri := k * (k + 1) / 2
	scr.grow(n, tri, k)
	r2, ls, zs, zz := scr.r2, scr.ls, scr.zs, scr.zz
	r2[0], zz[0] = 0, 0
	var cols [maxDrivers]int
	for s := 1; s < n; s++ {
		j := bits.Len(uint(s)) - 1 // the highest theme: the new one
		p := s &^ (1 << j)
		m := 0
		for c := 0; c < j; c++ {
			if p&(1<<c) != 0 {
				cols[m] = c
				m++
			}
		}
		lp, lsn := ls[p*tri:], ls[s*tri:]
		copy(lsn[:m*(m+1)/2], lp[:m*(m+1)/2])
		copy(zs[s*k:s*k+m], zs[p*k:p*k+m])
		// The new row: l = L_p⁻¹ C[S_p, j] by forward substitution.
		row := lsn[m*(m+1)/2:]
		sq := 0.0
		for r := 0; r < m; r++ {
			v := cxx[cols[r]*k+j]
			base := r * (r + 1) / 2
			for c := 0; c < r; c++ {
				v -= lp[base+c] * row[c]
			}
			row[r] = v / lp[base+r]
			sq += row[r] * row[r]
		}
		d2 := cxx[j*k+j] + 1e-9*(1+cxx[j*k+j]) - sq
		if d2 < 1e-12*(1+cxx[j*k+j]) {
			d2 = 1e-12 * (1 + cxx[j*k+j])
		}
		diag := math.Sqrt(d2)
		row[m] = diag
		z := cxy[j]
		for c := 0; c < m; c++ {
			z -= row[c] * zs[p*k+c]
		}
		z /= diag
		zs[s*k+m] = z
		zz[s] = zz[p] + z*z
		r2[s] = math.Max(0, math.Min(1, zz[s]/vy))
	}
	return r2
}

// regress solves the least squares of y on the themes in subset s from the
// centred cross products; it returns R² and the coefficients (k long, zero
// outside s). A tiny ridge keeps themes that always come together solvable.
func regress(k, s int, cxx, cxy []float64, vy float64) (float64, []float64) {
	var cols []int
	for j := 0; j < k; j++ {
		if s&(1<<j) != 0 {
			cols = append(cols, j)
		}
	}
	m := len(cols)
	a := make([]float64, m*(m+1))
	for r, i := range cols {
		for c, j := range cols {
			a[r*(m+1)+c] = cxx[i*k+j]
		}
		a[r*(m+1)+r] += 1e-9 * (1 + cxx[i*k+i])
		a[r*(m+1)+m] = cxy[i]
	}
	// Gaussian elimination with partial pivoting on the augmented matrix.
	for c := 0; c < m; c++ {
		p := c
		for r := c + 1; r < m; r++ {
			if math.Abs(a[r*(m+1)+c]) > math.Abs(a[p*(m+1)+c]) {
				p = r
			}
		}
		for x := 0; x <= m; x++ {
			a[c*(m+1)+x], a[p*(m+1)+x] = a[p*(m+1)+x], a[c*(m+1)+x]
		}
		if a[c*(m+1)+c] == 0 {
			continue
		}
		for r := 0; r < m; r++ {
			if r == c {
				continue
			}
			f := a[r*(m+1)+c] / a[c*(m+1)+c]
			for x := c; x <= m; x++ {
				a[r*(m+1)+x] -= f * a[c*(m+1)+x]
			}
		}
	}
	beta := make([]float64, k)
	explained := 0.0
	for r, j := range cols {
		if d := a[r*(m+1)+r]; d != 0 {
			beta[j] = a[r*(m+1)+m] / d
		}
		explained += beta[j] * cxy[j]
	}
	return math.Max(0, explained/vy), beta
}
