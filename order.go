package touchpoint

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// ParseOrder reads an Order Completed event's properties as the Segment
// e-commerce spec writes them: the order's value is revenue, else total,
// else the sum of its products' price × quantity; a product is named by
// product_id, else sku, else name (a plain string is taken as its id).
// Anything unreadable counts as nothing rather than failing: an order
// without a value still counts as an order.
func ParseOrder(props []byte) (revenue float64, products []string) {
	var o struct {
		Revenue  json.RawMessage   `json:"revenue"`
		Total    json.RawMessage   `json:"total"`
		Products []json.RawMessage `json:"products"`
	}
	if json.Unmarshal(props, &o) != nil {
		return 0, nil
	}
	sum, priced := 0.0, false
	for _, raw := range o.Products {
		var id string
		if json.Unmarshal(raw, &id) == nil {
			if id = strings.TrimSpace(id); id != "" {
				products = append(products, id)
			}
			continue
		}
		var p struct {
			ProductID json.RawMessage `json:"product_id"`
			SKU       json.RawMessage `json:"sku"`
			Name      json.RawMessage `json:"name"`
			Price     json.RawMessage `json:"price"`
			Quantity  json.RawMessage `json:"quantity"`
		}
		if json.Unmarshal(raw, &p) != nil {
			continue
		}
		for _, v := range []json.RawMessage{p.ProductID, p.SKU, p.Name} {
			if s := text(v); s != "" {
				products = append(products, s)
				break
			}
		}
		if price, ok := number(p.Price); ok {
			q, ok := number(p.Quantity)
			if !ok {
				q = 1
			}
			sum, priced = sum+price*q, true
		}
	}
	if v, ok := number(o.Revenue); ok {
		return v, products
	}
	if v, ok := number(o.Total); ok {
		return v, products
	}
	if priced {
		return sum, products
	}
	return 0, products
}

// number reads a JSON number or a numeric string; NaN and infinities are no number.
func number(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return 0, false
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return 0, false
	}
	return f, true
}

// text reads a JSON string or number as an id.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	if f, ok := number(raw); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return ""
}
