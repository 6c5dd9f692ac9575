package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// TestImportOnlineRetailOrders: order lines in the Online Retail layout
// become one Order Completed per invoice (revenue and products), customers
// with their country; cancellations, lines without a customer and a bad
// number are left out and counted; --shift makes the last order yesterday's;
// a second run imports nothing; the risk job then gives RFM and value tiers.
func TestImportOnlineRetailOrders(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tp.db")
	file := filepath.Join(dir, "online_retail.csv")
	var b strings.Builder
	b.WriteString("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
	for c := range 12 {
		for k := range c%4 + 1 { // customers buy 1 to 4 times
			inv := fmt.Sprintf("5%02d%02d", c, k)
			day := fmt.Sprintf("2011-%02d-%02d 10:%02d:00", 3+3*k, 1+c, c)
			fmt.Fprintf(&b, "%s,85123A,WHITE HANGING HEART T-LIGHT HOLDER,%d,%s,2.55,%d.0,United Kingdom\n", inv, 2+c, day, 17000+c)
			fmt.Fprintf(&b, "%s,71053,WHITE METAL LANTERN,1,%s,3.39,%d.0,United Kingdom\n", inv, day, 17000+c)
		}
	}
	b.WriteString("C536379,D,Discount,-1,2011-12-01 09:41:00,27.50,14527.0,United Kingdom\n")
	b.WriteString("536414,22139,,56,2011-12-01 11:52:00,0,,United Kingdom\n")
	b.WriteString("536415,22139,BAD,many,2011-12-01 11:52:00,1.0,17001.0,United Kingdom\n")
	os.WriteFile(file, []byte(b.String()), 0o644)

	_, errs, err := run(t, "", "import", "orders", file, "--shift", "--db", db)
	if err == nil || !strings.Contains(err.Error(), "1 of ") {
		t.Fatalf("import: %v\n%s", err, errs)
	}
	for _, want := range []string{"line 64: rejected: quantity \"many\" is not a number", "left out: 1 cancelled or returned lines, 1 lines without a customer",
		"dates moved by", "imported 42"} { // 12 customers + 30 invoices
		if !strings.Contains(errs, want) {
			t.Errorf("report lacks %q:\n%s", want, errs)
		}
	}
	if _, errs, _ = run(t, "", "import", "orders", file, "--shift", "--db", db); !strings.Contains(errs, "imported 0, already present 42") {
		t.Errorf("second import:\n%s", errs)
	}
	if _, errs, err := run(t, "", "rollup", "--db", db); err != nil { // what the server's minute job does
		t.Fatalf("rollup: %v\n%s", err, errs)
	}
	out, errs, err := run(t, "", "risk", "refresh", "--db", db)
	if err != nil {
		t.Fatalf("risk refresh: %v\n%s", err, errs)
	}
	t.Logf("risk refresh: %s", out)
	sdb, err := sqldb.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	s := sqldb.NewStore(sdb)
	sys := tp.WithAccess(context.Background(), tp.SystemAccess)
	c, err := s.Customers.FindCustomerByIdentity(sys, tp.Identity{Type: "user_id", Value: "17011"})
	if err != nil || c.Country == "" {
		t.Fatalf("customer 17011: %+v %v", c, err)
	}
	sc, err := s.Risk.CustomerScore(sys, c.ID)
	if err != nil || sc == nil {
		t.Fatalf("score: %+v %v", sc, err)
	}
	// 17011 bought 4 times: 4 × (13 × 2.55 + 3.39) = 146.16, all within a year of the shifted dates.
	if sc.Features.Orders != 4 || sc.Features.Revenue365 < 146.15 || sc.Features.Revenue365 > 146.17 || sc.RFM[1] == 0 || sc.ValueTier == "" {
		t.Errorf("17011: orders %v, revenue %v, RFM %v, tier %q", sc.Features.Orders, sc.Features.Revenue365, sc.RFM, sc.ValueTier)
	}
}
