package app

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
)

// FuzzOrdersCSV: any orders file gives order lines that parse or clear
// EINVALID errors, and messages whose orders carry their lines' revenue;
// never a panic.
func FuzzOrdersCSV(f *testing.F) {
	f.Add("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n")
	f.Add("order_id,product_id,quantity,timestamp,price,user_id\nC1,P,-1,2026-01-01T00:00:00Z,NaN,\n2,P,x,yesterday,1e309,u\n")
	f.Fuzz(func(t *testing.T, body string) {
		cr := csv.NewReader(strings.NewReader(body))
		cr.FieldsPerRecord = -1
		header, err := cr.Read()
		if err != nil {
			return
		}
		idx := map[string]int{}
		for i, h := range header {
			for k, names := range orderColumns {
				for _, n := range names {
					if strings.ToLower(strings.TrimSpace(h)) == n {
						idx[k] = i
					}
				}
			}
		}
		var lines []orderLine
		for line := 2; ; line++ {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			l, err := parseOrderLine(rec, idx, line)
			if err != nil {
				if tp.ErrorCode(err) != tp.EINVALID {
					t.Fatalf("line %d: %v", line, err)
				}
				continue
			}
			if !l.cancelled && !l.anonymous && l.quantity > 0 {
				lines = append(lines, l)
			}
		}
		for _, m := range orderMessages(lines, 0, time.Now()) {
			if m.UserID == "" {
				t.Fatalf("a message without its customer: %+v", m)
			}
		}
	})
}
