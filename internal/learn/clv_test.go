package learn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// simulate draws customers from the BG/NBD and Gamma-Gamma processes with
// known parameters over a calibration of T weeks and a hold-out of H weeks;
// it returns the calibration histories and the hold-out purchase counts.
func simulate(n int, bg BGNBD, gg GammaGamma, T, H float64, seed uint64) ([]Customer, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	gamma := func(shape, rate float64) float64 { // Marsaglia–Tsang, with the boost for shape < 1
		boost := 1.0
		if shape < 1 {
			boost = math.Pow(rng.Float64(), 1/shape)
			shape++
		}
		d := shape - 1.0/3
		c := 1 / math.Sqrt(9*d)
		for {
			x := rng.NormFloat64()
			v := 1 + c*x
			if v <= 0 {
				continue
			}
			v = v * v * v
			u := rng.Float64()
			if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
				return boost * d * v / rate
			}
		}
	}
	beta := func(a, b float64) float64 { x := gamma(a, 1); return x / (x + gamma(b, 1)) }
	cs := make([]Customer, n)
	hold := make([]float64, n)
	for i := range cs {
		lambda, p := gamma(bg.R, bg.Alpha), beta(bg.A, bg.B)
		nu := gamma(gg.Q, gg.Gamma)
		t, alive := 0.0, true
		c := Customer{T: T}
		spend := 0.0
		for alive {
			t += rng.ExpFloat64() / lambda
			if t > T+H {
				break
			}
			if t <= T {
				c.X++
				c.TX = t
				spend += gamma(gg.P, nu)
			} else {
				hold[i]++
			}
			alive = rng.Float64() >= p
		}
		if c.X > 0 {
			c.Spend = spend / c.X
		}
		cs[i] = c
	}
	return cs, hold
}

// The fits recover the parameters a simulation was drawn with, and the
// expected hold-out purchases add up to what the simulation made.
func TestCLVModelsRecoverSimulatedParameters(t *testing.T) {
	trueBG := BGNBD{R: 0.25, Alpha: 4, A: 0.8, B: 2.5}
	trueGG := GammaGamma{P: 6, Q: 4, Gamma: 15}
	cs, hold := simulate(20000, trueBG, trueGG, 39, 39, 7)
	bg, err := FitBGNBD(cs)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]float64{"r": {bg.R, trueBG.R}, "alpha": {bg.Alpha, trueBG.Alpha}, "a": {bg.A, trueBG.A}, "b": {bg.B, trueBG.B}} {
		if math.Abs(pair[0]-pair[1]) > 0.2*pair[1] {
			t.Errorf("BG/NBD %s = %.3f, simulated with %.3f", name, pair[0], pair[1])
		}
	}
	gg, err := FitGammaGamma(cs)
	if err != nil {
		t.Fatal(err)
	}
	// The spend model's parameters are weakly identified one by one (p, q and
	// γ trade off); the mean spend they imply is what matters and must match.
	if got, want := gg.P*gg.Gamma/(gg.Q-1), trueGG.P*trueGG.Gamma/(trueGG.Q-1); math.Abs(got-want) > 0.1*want {
		t.Errorf("mean spend %.2f, simulated %.2f (p %.2f q %.2f γ %.2f)", got, want, gg.P, gg.Q, gg.Gamma)
	}
	var pred, act float64
	for i, c := range cs {
		pred += bg.Expected(c, 39)
		act += hold[i]
	}
	if math.Abs(pred-act) > 0.05*act {
		t.Errorf("hold-out: expected %.0f purchases, the simulation made %.0f", pred, act)
	}
}

func TestCLVEdgeCases(t *testing.T) {
	if _, err := FitBGNBD(nil); err == nil {
		t.Error("a fit on no customers")
	}
	if _, err := FitGammaGamma([]Customer{{X: 0, T: 10}}); err == nil {
		t.Error("a spend fit without repeat buyers")
	}
	m := BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	if p := m.Alive(Customer{X: 0, T: 39}); p != 1 {
		t.Errorf("a customer who never bought again is alive with %v (the model: 1)", p)
	}
	// A frequent buyer who stopped long ago is less likely alive than one who just bought.
	if m.Alive(Customer{X: 5, TX: 5, T: 39}) >= m.Alive(Customer{X: 5, TX: 38, T: 39}) {
		t.Error("recency does not lower the chance of being alive")
	}
}

// Co-purchase offers: never what the customer holds, with the share of the
// reason's buyers who bought the offer, and no reason from a rare product.
func TestCrossSellOffers(t *testing.T) {
	var customers [][]string
	for i := 0; i < 20; i++ {
		basket := []string{"tent"}
		if i < 15 {
			basket = append(basket, "sleeping bag") // 15 of 20 tent buyers
		}
		if i < 5 {
			basket = append(basket, "stove") // 5 of 20
		}
		customers = append(customers, basket)
	}
	customers = append(customers, []string{"kayak", "paddle"}, []string{"kayak", "paddle"}) // 2 buyers: too few to be a reason
	co := NewCoPurchases(customers)
	offers := co.Recommend([]string{"tent", "kayak"}, 10)
	if len(offers) != 2 || offers[0].Product != "sleeping bag" || offers[0].Because != "tent" || offers[0].Share != 0.75 ||
		offers[1].Product != "stove" || offers[1].Share != 0.25 {
		t.Fatalf("%+v", offers)
	}
	for _, o := range co.Recommend([]string{"tent", "sleeping bag"}, 10) {
		if o.Product == "tent" || o.Product == "sleeping bag" {
			t.Errorf("offered a held product: %+v", o)
		}
	}
	if pop := co.Popular([]string{"tent"}, 2); len(pop) != 2 || pop[0] != "sleeping bag" || pop[1] != "stove" {
		t.Errorf("popular %v", pop)
	}
}
