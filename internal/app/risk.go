package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/learn"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// RiskModeler keeps customers' value and churn risk current: features from
// the database, the churn model trained on the company's own history
// (features as of Horizon ago, churn in the Horizon since), lifetime value
// from the order histories.
type RiskModeler struct {
	Store   *sqldb.Store
	Horizon time.Duration // 90 days unless set
	// Now is the moment scored (the database's clock unless set: tests).
	Now func() time.Time
}

// NewRiskModeler is the modeler over db with the defaults.
func NewRiskModeler(db *sqldb.Store) *RiskModeler { return &RiskModeler{Store: db} }

// Training needs churners and stayers both; fewer gives a model nobody
// should act on.
const (
	minTrainRows  = 200
	minEachClass  = 30
	retrainAfter  = 24 * time.Hour
	clvBootstraps = 20
	clvFitBuyers  = 4000
)

// RefreshRisk trains a churn model when asked or when the newest is a day
// old, then scores every customer active now.
func (m *RiskModeler) RefreshRisk(ctx context.Context, train bool, progress func(string)) (*tp.RiskReport, error) {
	start := time.Now()
	ctx = tp.WithAccess(ctx, tp.SystemAccess)
	now := m.Store.Now()
	if m.Now != nil {
		now = m.Now()
	}
	horizon := m.Horizon
	if horizon == 0 {
		horizon = 90 * 24 * time.Hour
	}
	rep := &tp.RiskReport{}
	if !train {
		newest, err := m.Store.Risk.ChurnModels(ctx, 1)
		if err != nil {
			return nil, err
		}
		train = len(newest) == 0 || now.Sub(newest[0].TrainedAt) >= retrainAfter
	}
	if train {
		progress("training the churn model on the features of " + now.Add(-horizon).Format("2006-01-02") + " and the churn since")
		card, err := m.train(ctx, now, horizon)
		if err != nil {
			return nil, err
		}
		rep.Model = card
		if card.Active {
			progress(fmt.Sprintf("model %d switched on: hold-out AUC %.3f against the baseline's %.3f", card.ID, card.AUC, card.BaselineAUC))
		} else {
			progress(fmt.Sprintf("model %d not switched on: %s", card.ID, card.Refused))
		}
	}
	card, blob, err := m.Store.Risk.ActiveChurnModel(ctx)
	if err != nil {
		return nil, err
	}
	var gam *learn.GAM
	if card != nil {
		gam = &learn.GAM{}
		if err := json.Unmarshal(blob, gam); err != nil {
			return nil, fmt.Errorf("churn model %d: %w", card.ID, err)
		}
	}
	fs, _, err := m.Store.Risk.Snapshot(ctx, now, 0)
	if err != nil {
		return nil, err
	}
	progress(fmt.Sprintf("scoring %d customers", len(fs)))
	scores := make([]tp.CustomerScore, len(fs))
	cols := columns(fs)
	parallel(len(fs), customerChunk, func(i int) {
		s := &scores[i]
		s.CustomerID, s.ComputedAt, s.Features = fs[i].CustomerID, now, fs[i]
		if gam != nil {
			p := gam.Predict(cols, i)
			s.Risk, s.RiskBand, s.Intercept, s.Model = &p, tp.RiskBand(p), gam.Intercept, card.ID
			s.Points = gam.Contributions(cols, i)
		}
	})
	rfm := tp.RFM(fs)
	for i := range scores {
		s := &scores[i]
		s.RFM = rfm[s.CustomerID]
		s.ValueTier = tp.ValueTier(s.RFM[0] + s.RFM[1] + s.RFM[2])
	}
	offers(fs, scores)
	if err := lifetimeValues(fs, scores, progress); err != nil {
		progress("lifetime value left out: " + err.Error())
	}
	progress(fmt.Sprintf("saving the scores of %d customers", len(scores)))
	if err := m.Store.Risk.SaveScores(ctx, scores); err != nil {
		return nil, err
	}
	progress("summing value and risk per division")
	if err := m.Store.Risk.StoreOverview(ctx); err != nil {
		return nil, err
	}
	rep.Scored, rep.Took = len(scores), time.Since(start)
	return rep, nil
}

// offers fills each customer's next best offers from the co-purchases of
// all customers scored now (what buyers of what they hold bought too), or
// says why nothing is to be sold to them now.
func offers(fs []tp.CustomerFeatures, scores []tp.CustomerScore) {
	baskets := make([][]string, len(fs))
	for i := range fs {
		baskets[i] = fs[i].Products
	}
	co := learn.NewCoPurchases(baskets)
	for i := range fs {
		s := &scores[i]
		if s.NoOffer = tp.NoSellReason(&fs[i]); s.NoOffer != "" || len(fs[i].Products) == 0 {
			continue
		}
		for _, o := range co.Recommend(fs[i].Products, 3) {
			s.Offers = append(s.Offers, tp.Offer{Product: o.Product, Because: o.Because, Share: o.Share})
		}
	}
}

// columns lays the features out as the learner reads them.
func columns(fs []tp.CustomerFeatures) []learn.Column {
	cols := make([]learn.Column, len(tp.RiskFeatures)+1)
	for j, name := range tp.RiskFeatures {
		cols[j] = learn.Column{Name: name, Numeric: make([]float64, len(fs))}
	}
	country := learn.Column{Name: tp.RiskCountry, Text: make([]string, len(fs))}
	for i := range fs {
		for j, v := range fs[i].Numbers() {
			cols[j].Numeric[i] = v
		}
		country.Text[i] = fs[i].Country
	}
	cols[len(tp.RiskFeatures)] = country
	return cols
}

// train fits a model on the snapshot of horizon ago and stores it with its
// card; it is switched on only when its hold-out AUC beats the baseline's
// (days since the latest activity alone).
func (m *RiskModeler) train(ctx context.Context, now time.Time, horizon time.Duration) (*tp.ChurnModel, error) {
	at := now.Add(-horizon)
	fs, labels, err := m.Store.Risk.Snapshot(ctx, at, horizon)
	if err != nil {
		return nil, err
	}
	card := &tp.ChurnModel{TrainedAt: now, SnapshotAt: at, HorizonDays: int(horizon / (24 * time.Hour)), Rows: len(fs)}
	y, base := make([]float64, len(fs)), make([]float64, len(fs))
	for i, l := range labels {
		if l {
			y[i] = 1
			card.Positives++
		}
		base[i] = fs[i].RecencyDays
	}
	var blob []byte
	switch {
	case len(fs) < minTrainRows || card.Positives < minEachClass || len(fs)-card.Positives < minEachClass:
		card.Refused = tp.Reason("too little history: %d customers active on %s, %d of them churned within %d days (at least %d, with %d churned and %d not)",
			len(fs), at.Format("2006-01-02"), card.Positives, card.HorizonDays, minTrainRows, minEachClass, minEachClass)
	default:
		// A fixed quarter of the customers (by id) is held out.
		fit := learn.FitChurn(columns(fs), y, func(i int) bool { return fs[i].CustomerID%4 == 0 }, base)
		card.HoldoutRows, card.AUC, card.BaselineAUC = fit.HoldoutRows, fit.AUC, fit.BaselineAUC
		for _, c := range fit.Calibration {
			card.Calibration = append(card.Calibration, tp.CalibrationBin{N: int(c[0]), Predicted: c[1], Observed: c[2]})
		}
		names := append(slices.Clone(tp.RiskFeatures), tp.RiskCountry)
		for j, v := range fit.Importance {
			card.Importance = append(card.Importance, tp.FeatureImportance{Feature: names[j], Importance: v})
		}
		sort.SliceStable(card.Importance, func(a, b int) bool { return card.Importance[a].Importance > card.Importance[b].Importance })
		if card.Active = fit.AUC > card.BaselineAUC; !card.Active {
			card.Refused = tp.Reason("hold-out AUC %.3f does not beat the baseline's %.3f (days since the latest activity)", fit.AUC, card.BaselineAUC)
		}
		blob, _ = json.Marshal(fit.Model)
	}
	if blob == nil {
		blob = []byte("null")
	}
	if err := m.Store.Risk.SaveChurnModel(ctx, card, blob); err != nil {
		return nil, err
	}
	return card, nil
}

// lifetimeValues estimates each buyer's revenue of the next 52 weeks with
// BG/NBD × Gamma-Gamma, and its 90 % interval from refits on bootstrap
// resamples (the uncertainty of the models' parameters). The models are fitted
// on a fixed random sample of at most clvFitBuyers buyers: the parameters are
// as precise from it and the fit's time stays flat as the company grows.
func lifetimeValues(fs []tp.CustomerFeatures, scores []tp.CustomerScore, progress func(string)) error {
	t0 := time.Now()
	var cs []learn.Customer
	var at []int
	for i := range fs {
		f := &fs[i]
		if f.Orders == 0 || f.OrderRecency == nil {
			continue
		}
		T := f.FirstOrderDay / 7
		cs = append(cs, learn.Customer{X: f.Orders - 1, TX: T - *f.OrderRecency/7, T: T, Spend: *f.AvgOrder})
		at = append(at, i)
	}
	if len(cs) < 50 {
		return fmt.Errorf("%d customers with orders; at least 50 are needed", len(cs))
	}
	r := rand.New(rand.NewPCG(1, 2))
	fit := cs
	if len(cs) > clvFitBuyers {
		fit = make([]learn.Customer, clvFitBuyers)
		for k, j := range r.Perm(len(cs))[:clvFitBuyers] {
			fit[k] = cs[j]
		}
	}
	bg, err := learn.FitBGNBD(fit)
	if err != nil {
		return err
	}
	gg, err := learn.FitGammaGamma(fit)
	if err != nil {
		return err
	}
	progress(fmt.Sprintf("lifetime value: BG/NBD r=%.3f α=%.3f a=%.3f b=%.3f, Gamma-Gamma p=%.2f q=%.2f γ=%.2f on %d of %d buyers in %s",
		bg.R, bg.Alpha, bg.A, bg.B, gg.P, gg.Q, gg.Gamma, len(fit), len(cs), time.Since(t0).Round(time.Millisecond)))
	if gg.Q <= 1 {
		return fmt.Errorf("the spend model has no finite mean (q = %.2f)", gg.Q)
	}
	value := func(bg learn.BGNBD, gg learn.GammaGamma, c learn.Customer) float64 {
		return bg.Expected(c, 52) * gg.ExpectedSpend(c)
	}
	// The resamples are drawn in order from r, so the figures do not depend
	// on the number of cores; the refits and the customers' values then run
	// on every core (they were 30 % of the hourly refresh; BENCHMARKS.md).
	samples := make([][]learn.Customer, clvBootstraps)
	for d := range samples {
		samples[d] = make([]learn.Customer, len(fit))
		for k := range samples[d] {
			samples[d][k] = fit[r.IntN(len(fit))]
		}
	}
	type refit struct {
		bg learn.BGNBD
		gg learn.GammaGamma
		ok bool
	}
	refits := make([]refit, clvBootstraps)
	parallel(len(refits), 1, func(d int) {
		bb, err1 := learn.FitBGNBDFrom(samples[d], bg)
		gb, err2 := learn.FitGammaGammaFrom(samples[d], gg)
		refits[d] = refit{bb, gb, err1 == nil && err2 == nil && gb.Q > 1}
	})
	var good []refit
	for _, f := range refits {
		if f.ok {
			good = append(good, f)
		}
	}
	draws := len(good)
	// With 20 draws the 5 % and 95 % quantiles are the second smallest and
	// second largest, so two of each end are all a customer keeps.
	ends := make([][4]float64, len(cs))
	parallel(len(cs), customerChunk, func(k int) {
		e := &ends[k]
		*e = [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for _, f := range good {
			v := value(f.bg, f.gg, cs[k])
			switch {
			case v < e[0]:
				e[0], e[1] = v, e[0]
			case v < e[1]:
				e[1] = v
			}
			switch {
			case v > e[3]:
				e[3], e[2] = v, e[3]
			case v > e[2]:
				e[2] = v
			}
		}
	})
	for k, c := range cs {
		s := &scores[at[k]]
		v, alive := value(bg, gg, c), bg.Alive(c)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		s.CLV, s.PAlive = &v, &alive
		if draws == clvBootstraps && !math.IsInf(ends[k][1], 0) && !math.IsInf(ends[k][2], 0) {
			lo, hi := math.Min(ends[k][1], v), math.Max(ends[k][2], v)
			s.CLVLow, s.CLVHigh = &lo, &hi
		}
	}
	progress(fmt.Sprintf("lifetime value of %d buyers with %d bootstrap refits in %s", len(cs), draws, time.Since(t0).Round(time.Millisecond)))
	return nil
}

// customerChunk is how many customers a core takes at a time.
const customerChunk = 4096

// parallel runs fn(0) … fn(n-1) on as many goroutines as there are cores,
// each taking chunk indexes at a time.
func parallel(n, chunk int, fn func(i int)) {
	parts := (n + chunk - 1) / chunk
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), parts) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := int(next.Add(1) - 1); p < parts; p = int(next.Add(1) - 1) {
				for i := p * chunk; i < min((p+1)*chunk, n); i++ {
					fn(i)
				}
			}
		}()
	}
	wg.Wait()
}

// riskCmd computes every customer's value and churn risk now, with
// progress; --train trains a new churn model first.
func riskCmd(e *env, args []string) error {
	rest, err := subcommand(args, "refresh", "risk refresh [--train] [--db DSN]")
	if err != nil {
		return err
	}
	fs := e.flags("risk refresh", "risk refresh [--train] [--db DSN]")
	dsn := e.dbFlag(fs)
	train := fs.Bool("train", false, "train a new churn model first (otherwise only when the newest is a day old)")
	if err := e.parse(fs, rest); err != nil {
		return err
	}
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := NewRiskModeler(db).RefreshRisk(e.ctx, *train, func(msg string) { fmt.Fprintln(e.stdout, msg) })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "scored %d customers in %s\n", rep.Scored, rep.Took.Round(time.Millisecond))
	return nil
}
