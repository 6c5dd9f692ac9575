package learn

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// EvalCrossSell holds out each customer's last invoice of Online Retail,
// learns co-purchases from everything else, and prints the hit rate at 10:
// the share of customers for whom one of the ten products offered is in
// the held-out invoice, among products they had not bought before; beside
// the same for the ten most popular products they had not bought.
func EvalCrossSell(dir string, w io.Writer) error {
	path := filepath.Join(dir, "online_retail", "online_retail.csv")
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(w, "no Online Retail data at %s: nothing to evaluate\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	type invoice struct {
		at, no string
		items  []string
	}
	customers := map[string]map[string]*invoice{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		cust, inv, code := rec[col["CustomerID"]], rec[col["InvoiceNo"]], rec[col["StockCode"]]
		qty, _ := strconv.Atoi(rec[col["Quantity"]])
		price, _ := strconv.ParseFloat(rec[col["UnitPrice"]], 64)
		// The usual cleaning: known customers, no cancellations or returns,
		// no free lines, product codes only (not postage, fees, manual lines).
		if cust == "" || strings.HasPrefix(inv, "C") || qty <= 0 || price <= 0 || !isProduct(code) {
			continue
		}
		if customers[cust] == nil {
			customers[cust] = map[string]*invoice{}
		}
		in := customers[cust][inv]
		if in == nil {
			in = &invoice{at: rec[col["InvoiceDate"]], no: inv}
			customers[cust][inv] = in
		}
		in.items = append(in.items, code)
	}
	var train [][]string
	type holdout struct{ history, last []string }
	var tests []holdout
	for _, invs := range customers {
		var list []*invoice
		for _, in := range invs {
			list = append(list, in)
		}
		// InvoiceDate is "2010-12-01 08:26:00"; invoices of one minute go by number.
		sort.Slice(list, func(i, j int) bool {
			if list[i].at != list[j].at {
				return list[i].at < list[j].at
			}
			return list[i].no < list[j].no
		})
		var history []string
		for _, in := range list[:len(list)-1] {
			history = append(history, in.items...)
		}
		train = append(train, history)
		if len(list) >= 2 {
			tests = append(tests, holdout{history, list[len(list)-1].items})
		}
	}
	co := NewCoPurchases(train)
	var hits, base, withNew int
	for _, t := range tests {
		had := map[string]bool{}
		for _, h := range t.history {
			had[h] = true
		}
		fresh := map[string]bool{}
		for _, it := range t.last {
			if !had[it] {
				fresh[it] = true
			}
		}
		if len(fresh) == 0 {
			continue // bought nothing new: no cross-sell to find
		}
		withNew++
		for _, o := range co.Recommend(t.history, 10) {
			if fresh[o.Product] {
				hits++
				break
			}
		}
		for _, p := range co.Popular(t.history, 10) {
			if fresh[p] {
				base++
				break
			}
		}
	}
	fmt.Fprintf(w, "Online Retail: %d customers, %d with a held-out last invoice holding a product new to them (%s)\n",
		len(customers), withNew, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(w, "hit rate@10 on new products: co-purchases %.3f, most popular %.3f\n",
		float64(hits)/float64(withNew), float64(base)/float64(withNew))
	return nil
}

// isProduct tells product codes (digits first, as 85123A) from postage,
// fees and manual lines (POST, M, D, DOT, BANK CHARGES, AMAZONFEE, …).
func isProduct(code string) bool {
	return code != "" && code[0] >= '0' && code[0] <= '9'
}
