package app

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// Orders CSV: one row per order line, the layout of the UCI Online Retail
// data set (InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
// UnitPrice, CustomerID, Country) or the same under touchpoint's names
// (order_id, product_id, name, quantity, timestamp, price, user_id, country).
// Each order becomes one "Order Completed" event of the Segment e-commerce
// spec (order_id, revenue, products), each customer an identify with their
// country, so RFM, value tiers and lifetime value work on real transactions.

var orderColumns = map[string][]string{
	"order":    {"invoiceno", "order_id"},
	"product":  {"stockcode", "product_id"},
	"name":     {"description", "name"},
	"quantity": {"quantity"},
	"time":     {"invoicedate", "timestamp"},
	"price":    {"unitprice", "price"},
	"customer": {"customerid", "user_id"},
	"country":  {"country"},
}

// orderLine is one row of an orders CSV.
type orderLine struct {
	line                 int
	order, customer      string
	product, name        string
	country              string
	quantity, price      float64
	at                   time.Time
	cancelled, anonymous bool
}

// orderTimeLayouts are the date forms an orders CSV may use.
var orderTimeLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "1/2/2006 15:04", "2006-01-02"}

// parseOrderLine reads one row; a cancellation (an order id starting with C,
// as Online Retail marks them) or a row without a customer is flagged, not
// refused.
func parseOrderLine(rec []string, idx map[string]int, line int) (orderLine, error) {
	get := func(k string) string {
		if i, ok := idx[k]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	l := orderLine{line: line, order: get("order"), product: get("product"), name: get("name"), country: get("country")}
	l.customer = strings.TrimSuffix(get("customer"), ".0") // Online Retail writes ids as floats
	l.cancelled = strings.HasPrefix(strings.ToUpper(l.order), "C")
	l.anonymous = l.customer == ""
	var err error
	if l.quantity, err = strconv.ParseFloat(get("quantity"), 64); err != nil || math.IsNaN(l.quantity) || math.IsInf(l.quantity, 0) {
		return l, tp.Errorf(tp.EINVALID, "quantity %q is not a number", get("quantity"))
	}
	if l.price, err = strconv.ParseFloat(get("price"), 64); err != nil || math.IsNaN(l.price) || math.IsInf(l.price, 0) {
		return l, tp.Errorf(tp.EINVALID, "price %q is not a number", get("price"))
	}
	if l.order == "" || l.product == "" {
		return l, tp.Errorf(tp.EINVALID, "the order id and the product are required")
	}
	for _, layout := range orderTimeLayouts {
		if l.at, err = time.ParseInLocation(layout, get("time"), time.UTC); err == nil {
			return l, nil
		}
	}
	return l, tp.Errorf(tp.EINVALID, "date %q is not a date (2010-12-01 08:26:00 or RFC 3339)", get("time"))
}

// orderMessages turns the lines of an orders file into one identify per
// customer and one Order Completed per order, dated shift later.
func orderMessages(lines []orderLine, shift time.Duration, received time.Time) []tp.Message {
	type order struct {
		first    orderLine
		revenue  float64
		products []map[string]any
	}
	orders := map[string]*order{}
	var ids []string
	countries := map[string]string{}
	firstSeen := map[string]time.Time{}
	for _, l := range lines {
		o := orders[l.order]
		if o == nil {
			o = &order{first: l}
			orders[l.order] = o
			ids = append(ids, l.order)
		}
		o.revenue += l.quantity * l.price
		o.products = append(o.products, map[string]any{"product_id": l.product, "name": l.name, "quantity": l.quantity, "price": l.price})
		if l.country != "" {
			countries[l.customer] = l.country
		}
		if t, ok := firstSeen[l.customer]; !ok || l.at.Before(t) {
			firstSeen[l.customer] = l.at
		}
	}
	var out []tp.Message
	customers := make([]string, 0, len(firstSeen))
	for c := range firstSeen {
		customers = append(customers, c)
	}
	sort.Strings(customers)
	for _, c := range customers {
		traits := map[string]json.RawMessage{}
		if country := countries[c]; country != "" {
			traits["country"], _ = json.Marshal(country)
		}
		at := firstSeen[c].Add(shift)
		out = append(out, tp.Message{Type: tp.EventIdentify, MessageID: "orders-customer-" + c, UserID: c,
			Identities: []tp.Identity{{Type: tp.IdentityUserID, Value: c}}, Traits: traits, Timestamp: at, ReceivedAt: received})
	}
	for _, id := range ids {
		o := orders[id]
		props, _ := json.Marshal(map[string]any{"order_id": id, "revenue": math.Round(o.revenue*100) / 100, "products": o.products})
		out = append(out, tp.Message{Type: tp.EventTrack, Name: "Order Completed", MessageID: "order-" + id, UserID: o.first.customer,
			Identities: []tp.Identity{{Type: tp.IdentityUserID, Value: o.first.customer}}, Properties: props,
			Timestamp: o.first.at.Add(shift), ReceivedAt: received})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp.Before(out[j].Timestamp) })
	return out
}

// orders imports an orders CSV; with shift, every date moves so that the
// file's last order lies at yesterday (an old data set then looks current).
func (im *importer) orders(r io.Reader, shift bool) error {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read the header row: %w", err)
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for k, names := range orderColumns {
			for _, n := range names {
				if h == n {
					idx[k] = i
				}
			}
		}
	}
	for _, k := range []string{"order", "product", "quantity", "time", "price", "customer"} {
		if _, ok := idx[k]; !ok {
			return fmt.Errorf("the header lacks the %s column (%s)", k, strings.Join(orderColumns[k], " or "))
		}
	}
	var lines []orderLine
	var last time.Time
	cancelled, anonymous := 0, 0
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		im.read++
		l, err := parseOrderLine(rec, idx, line)
		switch {
		case err != nil:
			im.reject(line, err)
		case l.cancelled || l.quantity <= 0:
			cancelled++
		case l.anonymous:
			anonymous++
		default:
			lines = append(lines, l)
			if l.at.After(last) {
				last = l.at
			}
		}
	}
	var by time.Duration
	if shift && !last.IsZero() {
		by = time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour).Sub(last.Truncate(24 * time.Hour))
		fmt.Fprintf(im.e.stderr, "dates moved by %d days: the last order is now at yesterday\n", int(by.Hours()/24))
	}
	fmt.Fprintf(im.e.stderr, "left out: %d cancelled or returned lines, %d lines without a customer\n", cancelled, anonymous)
	for _, m := range orderMessages(lines, by, time.Now()) {
		if err := im.add(m); err != nil {
			return err
		}
	}
	return nil
}
