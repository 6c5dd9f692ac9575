package app

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/smtp"
	"slices"
	"strings"
	"sync"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/smtpd"
)

// benchCases measures (1) complaint intake over SMTP — 20 KB mails, each
// stored, parsed, routed and opened as a case with its SLA jobs — against
// storing the same raw bytes alone, and (2) a department queue's query over
// 100 000 open cases.
func benchCases(e *env, args []string) error {
	fs := e.flags("bench cases", "bench cases [--mails 2000] [--clients 8] [--open 100000] [--db postgres://…]")
	mails := fs.Int("mails", 2000, "complaint mails to send")
	clients := fs.Int("clients", 8, "concurrent SMTP clients")
	open := fs.Int("open", 100000, "open cases for the queue query")
	dsn := fs.String("db", "", "PostgreSQL URL (a scratch schema per side); empty: SQLite files in a temp folder")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	body := strings.Repeat("Das Paket ist nicht angekommen, obwohl die Sendungsverfolgung etwas anderes sagt.\n", 240) // ≈ 20 KB
	msg := func(i int) []byte {
		return []byte(strings.ReplaceAll(fmt.Sprintf("From: kunde%d@example.de\nTo: complaints@cx.example.com\nSubject: Paket %d fehlt\n"+
			"Message-ID: <bench-%d@example.de>\nContent-Type: text/plain; charset=utf-8\n\n%s\n", i%500, i, i, body), "\n", "\r\n"))
	}

	db, done, err := benchDB(e, *dsn, "smtp")
	if err != nil {
		return err
	}
	defer done()
	if err := db.Routing.CreateRoutingRule(e.ctx, &tp.RoutingRule{Name: "Delivery", Keywords: []string{"paket"}, Department: "Logistics"}); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &smtpd.Server{Intake: db.Mail, Domains: []string{"cx.example.com"}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	go srv.Serve(ln)
	defer srv.Close()
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	work := make(chan int)
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := smtp.SendMail(ln.Addr().String(), nil, "bench@example.de", []string{"complaints@cx.example.com"}, msg(i)); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range *mails {
		work <- i
	}
	close(work)
	wg.Wait()
	intake := float64(*mails) / time.Since(start).Seconds()
	if firstErr != nil {
		return fmt.Errorf("smtp: %w", firstErr)
	}
	if stats, err := db.Mail.InboundStats(e.ctx); err != nil || stats["case"]+stats["reply"] != *mails {
		return fmt.Errorf("sent %d mails, processed %v (%v)", *mails, stats, err)
	}

	raw, done2, err := benchDB(e, *dsn, "raw")
	if err != nil {
		return err
	}
	defer done2()
	start = time.Now()
	var wg2 sync.WaitGroup
	work2 := make(chan int)
	for range *clients {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for i := range work2 {
				if err := raw.BenchRawInbound(e.ctx, msg(i)); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := range *mails {
		work2 <- i
	}
	close(work2)
	wg2.Wait()
	rawRate := float64(*mails) / time.Since(start).Seconds()
	if firstErr != nil {
		return firstErr
	}

	// (2) The queue over many open cases, vs counting them all.
	cust, err := db.Surveys.CustomerForEmail(e.ctx, "queue@example.com")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "bench: inserting %d open cases…\n", *open)
	if err := db.BenchOpenCases(e.ctx, cust.ID, *open); err != nil {
		return err
	}
	var qd []time.Duration
	for range 50 {
		t0 := time.Now()
		list, err := db.Cases.ListCases(e.ctx, tp.CaseFilter{Department: "Logistics", Status: []tp.CaseStatus{tp.CaseNew, tp.CaseOpen, tp.CasePendingCustomer}, Limit: 200})
		if err != nil {
			return err
		}
		if len(list) != 200 {
			return fmt.Errorf("queue returned %d cases", len(list))
		}
		qd = append(qd, time.Since(t0))
	}
	slices.Sort(qd)

	// (3) The whole queue page (session check, query, agents, 200 rendered
	// rows) as the Logistics head sees it, over HTTP.
	head := &tp.User{Email: "head@logistics.example.com", Role: tp.RoleDepartmentHead, Department: "Logistics"}
	if err := db.Users.CreateUser(e.ctx, head, "bench-password-1"); err != nil {
		return err
	}
	session, err := db.Users.CreateSession(e.ctx, head.ID, time.Hour)
	if err != nil {
		return err
	}
	base, stop, err := benchServer(e, db, 0)
	if err != nil {
		return err
	}
	defer stop()
	_, pd, err := loadHTTP(1, 50, 0, func(c *http.Client, _ int) error {
		req, _ := http.NewRequest("GET", base+"/cases?department=Logistics", nil)
		req.AddCookie(&http.Cookie{Name: "tp_session", Value: session})
		return doOK(c, req)
	})
	if err != nil {
		return fmt.Errorf("queue page: %w", err)
	}
	benchHeader(e, "cases", db.Dialect())
	fmt.Fprintf(e.stdout, "SMTP intake, 20 KB mails, %d clients: %.0f mails/s into cases; storing the raw mail alone: %.0f mails/s (%.0f %%)\n",
		*clients, intake, rawRate, 100*intake/rawRate)
	fmt.Fprintf(e.stdout, "department queue (200 newest open cases of %d open): p50 %s, p95 %s\n", *open+*mails,
		qd[len(qd)/2].Round(time.Microsecond*100), qd[len(qd)*95/100].Round(time.Microsecond*100))
	fmt.Fprintf(e.stdout, "department queue page over HTTP (query + 200 rendered rows): p50 %s, p95 %s\n",
		pd[len(pd)/2].Round(time.Microsecond*100), pd[len(pd)*95/100].Round(time.Microsecond*100))
	return nil
}
