package learn

import (
	"errors"
	"math"
)

// Lifetime value as Fader, Hardie & Lee model it: the BG/NBD model of how
// often customers buy and when they stop ("Counting your customers the easy
// way", Marketing Science 2005), and the Gamma-Gamma model of how much they
// spend per purchase ("RFM and CLV", JMR 2005).

// Customer is one customer's purchase history as the models read it, in
// weeks (any unit, used consistently): X repeat purchases, the last at TX
// after the first, T since the first purchase; Spend is the mean value of
// the repeat purchases.
type Customer struct {
	X, TX, T float64
	Spend    float64
}

// BGNBD are the model's parameters: purchase rates are Gamma(r, α) across
// customers, the chance of dropping out after a purchase Beta(a, b).
type BGNBD struct {
	R, Alpha, A, B float64
	LL             float64 // the log-likelihood of the fit
}

// FitBGNBD fits the model by maximum likelihood.
func FitBGNBD(cs []Customer) (BGNBD, error) {
	return fitBGNBD(cs, BGNBD{R: 1, Alpha: 1, A: 1, B: 1}, 1e-12, 20000)
}

// FitBGNBDFrom refits starting from start's parameters, to a looser
// tolerance: a bootstrap's refits start from the full fit, and their spread
// is far wider than the last digits a tight tolerance would settle.
func FitBGNBDFrom(cs []Customer, start BGNBD) (BGNBD, error) { return fitBGNBD(cs, start, 1e-9, 2000) }

func fitBGNBD(cs []Customer, start BGNBD, tol float64, maxIter int) (BGNBD, error) {
	if len(cs) == 0 {
		return BGNBD{}, errors.New("no customers")
	}
	nll := func(p []float64) float64 {
		if outOfRange(p) {
			return math.Inf(1)
		}
		m := BGNBD{R: math.Exp(p[0]), Alpha: math.Exp(p[1]), A: math.Exp(p[2]), B: math.Exp(p[3])}
		sum := 0.0
		for _, c := range cs {
			sum += m.logLik(c)
		}
		if math.IsNaN(sum) || math.IsInf(sum, 0) {
			return math.Inf(1)
		}
		return -sum
	}
	p := minimize(nll, inside(start.R, start.Alpha, start.A, start.B), tol, maxIter)
	m := BGNBD{R: math.Exp(p[0]), Alpha: math.Exp(p[1]), A: math.Exp(p[2]), B: math.Exp(p[3])}
	m.LL = -nll(p)
	return m, nil
}

// logLik is one customer's log-likelihood (Fader, Hardie & Lee 2005, eq. 6).
func (m BGNBD) logLik(c Customer) float64 {
	a1 := lgamma(m.R+c.X) - lgamma(m.R) + m.R*math.Log(m.Alpha)
	a2 := lgamma(m.A+m.B) + lgamma(m.B+c.X) - lgamma(m.B) - lgamma(m.A+m.B+c.X)
	a3 := -(m.R + c.X) * math.Log(m.Alpha+c.T)
	if c.X == 0 {
		return a1 + a2 + a3
	}
	a4 := math.Log(m.A) - math.Log(m.B+c.X-1) - (m.R+c.X)*math.Log(m.Alpha+c.TX)
	hi := math.Max(a3, a4)
	return a1 + a2 + hi + math.Log(math.Exp(a3-hi)+math.Exp(a4-hi))
}

// Expected is the number of purchases a customer with history c is expected
// to make in the next t (eq. 10 of the paper).
func (m BGNBD) Expected(c Customer, t float64) float64 {
	if m.A == 1 {
		return math.NaN() // the closed form divides by a − 1
	}
	ab := m.A + m.B + c.X - 1
	z := t / (m.Alpha + c.T + t)
	num := ab / (m.A - 1) * (1 - math.Pow((m.Alpha+c.T)/(m.Alpha+c.T+t), m.R+c.X)*hyp2f1(m.R+c.X, m.B+c.X, ab, z))
	den := 1.0
	if c.X > 0 {
		den += m.A / (m.B + c.X - 1) * math.Pow((m.Alpha+c.T)/(m.Alpha+c.TX), m.R+c.X)
	}
	return num / den
}

// Alive is the probability that the customer has not dropped out.
func (m BGNBD) Alive(c Customer) float64 {
	if c.X == 0 {
		return 1
	}
	return 1 / (1 + m.A/(m.B+c.X-1)*math.Pow((m.Alpha+c.T)/(m.Alpha+c.TX), m.R+c.X))
}

// hyp2f1 is Gauss's hypergeometric function for |z| < 1, by its series.
func hyp2f1(a, b, c, z float64) float64 {
	sum, term := 1.0, 1.0
	for n := 0; n < 10000; n++ {
		term *= (a + float64(n)) * (b + float64(n)) / ((c + float64(n)) * float64(n+1)) * z
		sum += term
		if math.Abs(term) < 1e-14*math.Abs(sum) {
			break
		}
	}
	return sum
}

// GammaGamma are the spend model's parameters: a customer's purchase values
// are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers.
type GammaGamma struct {
	P, Q, Gamma float64
	LL          float64
}

// FitGammaGamma fits the spend model on the customers with a repeat purchase.
func FitGammaGamma(cs []Customer) (GammaGamma, error) {
	return fitGammaGamma(cs, GammaGamma{P: 1, Q: 1, Gamma: 1}, 1e-12, 20000)
}

// FitGammaGammaFrom refits starting from start's parameters, to the looser
// tolerance of FitBGNBDFrom.
func FitGammaGammaFrom(cs []Customer, start GammaGamma) (GammaGamma, error) {
	return fitGammaGamma(cs, start, 1e-9, 2000)
}

func fitGammaGamma(cs []Customer, start GammaGamma, tol float64, maxIter int) (GammaGamma, error) {
	var rep []Customer
	for _, c := range cs {
		if c.X > 0 && c.Spend > 0 {
			rep = append(rep, c)
		}
	}
	if len(rep) == 0 {
		return GammaGamma{}, errors.New("no customer with a repeat purchase")
	}
	nll := func(p []float64) float64 {
		if outOfRange(p[:2]) { // γ is in money and has no such bound
			return math.Inf(1)
		}
		pp, q, g := math.Exp(p[0]), math.Exp(p[1]), math.Exp(p[2])
		sum := 0.0
		for _, c := range rep {
			px := pp * c.X
			sum += lgamma(px+q) - lgamma(px) - lgamma(q) + q*math.Log(g) + (px-1)*math.Log(c.Spend) + px*math.Log(c.X) - (px+q)*math.Log(g+c.Spend*c.X)
		}
		if math.IsNaN(sum) || math.IsInf(sum, 0) {
			return math.Inf(1)
		}
		return -sum
	}
	p := minimize(nll, inside(start.P, start.Q, start.Gamma), tol, maxIter)
	m := GammaGamma{P: math.Exp(p[0]), Q: math.Exp(p[1]), Gamma: math.Exp(p[2])}
	m.LL = -nll(p)
	return m, nil
}

// ExpectedSpend is a customer's expected value per purchase: their own mean
// shrunk towards the population's by how many purchases back it.
func (m GammaGamma) ExpectedSpend(c Customer) float64 {
	if c.X == 0 || c.Spend <= 0 {
		return m.P * m.Gamma / (m.Q - 1)
	}
	return (m.Gamma + c.Spend*c.X) * m.P / (m.P*c.X + m.Q - 1)
}

// maxLogParam bounds every parameter at e^10 ≈ 22 000. Homogeneous data
// (every customer with the same dropout or spend) has its likelihood's
// maximum at infinity; past the bound the predictions no longer change, and
// without it the optimiser walks outwards for its every iteration.
const maxLogParam = 10

func outOfRange(p []float64) bool {
	for _, v := range p {
		if v > maxLogParam || v < -maxLogParam {
			return true
		}
	}
	return false
}

// inside is a start's log-parameters moved off the bounds, so that the
// first simplex around it has vertices the likelihood accepts.
func inside(params ...float64) []float64 {
	out := make([]float64, len(params))
	for i, v := range params {
		out[i] = math.Max(-maxLogParam+1, math.Min(maxLogParam-1, math.Log(v)))
	}
	return out
}
