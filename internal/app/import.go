package app

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
	"github.com/touchpoint-cx/touchpoint/internal/track"
)

const importBatch = 500

func importCmd(e *env, args []string) error {
	const u = "import customers FILE.csv | events FILE.jsonl | orders FILE.csv [--shift] [--source NAME] [--channel web] [--db DSN]"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(e.stdout, "usage: touchpoint "+u)
		fmt.Fprintln(e.stdout, `
customers: a CSV file with a header row. Columns user_id, email, phone, anonymous_id
  identify the customer (at least one per row); name, first_name, last_name,
  locale, country and every other column become traits. An optional
  updated_at column (RFC 3339) dates the traits.
events: one Segment message per line (identify, track, page, screen, group,
  alias), as sent to /v1/batch.
orders: one order line per row, in the layout of the UCI Online Retail data
  set (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice,
  CustomerID, Country) or as order_id, product_id, name, quantity, timestamp,
  price, user_id, country. Each order becomes an "Order Completed" event
  (revenue, products), each customer an identify with their country;
  cancellations (order ids starting with C) and lines without a customer are
  left out and counted. --shift moves every date so that the last order lies
  at yesterday (an old data set then shows current value and risk).
Valid rows are imported; each rejected row is reported with its line number.
Re-running the same file imports nothing twice.`)
		return nil
	}
	if len(args) < 2 || (args[0] != "customers" && args[0] != "events" && args[0] != "orders") {
		return fmt.Errorf("usage: touchpoint %s: %w", u, errUsage)
	}
	kind, file := args[0], args[1]
	fs := e.flags("import "+kind, u)
	dsn := e.dbFlag(fs)
	srcName := fs.String("source", "Import", "the source the rows are recorded under (created if missing)")
	channel := fs.String("channel", "web", "channel of that source when it is created")
	shift := fs.Bool("shift", false, "orders: move every date so that the last order lies at yesterday")
	if err := e.parse(fs, args[2:]); err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := e.open(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	src, err := importSource(e, db, *srcName, *channel)
	if err != nil {
		return err
	}
	im := &importer{e: e, db: db, src: src, start: time.Now(), last: time.Now()}
	switch kind {
	case "customers":
		err = im.customers(f)
	case "orders":
		err = im.orders(f, *shift)
	default:
		err = im.events(f)
	}
	if err != nil {
		return err
	}
	if err := im.flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "done: read %d, imported %d, already present %d, rejected %d (%s)\n",
		im.read, im.imported, im.dupes, im.rejected, time.Since(im.start).Round(time.Millisecond))
	if im.rejected > 0 {
		return fmt.Errorf("%d of %d rows were rejected (see the lines above); the others were imported", im.rejected, im.read)
	}
	return nil
}

func importSource(e *env, db *sqldb.Store, name, channel string) (*tp.Source, error) {
	all, err := db.Sources.ListSources(e.ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Name == name {
			return &all[i], nil
		}
	}
	s := &tp.Source{Name: name, Channel: channel}
	if err := db.Sources.CreateSource(e.ctx, s); err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "created source %q\n", name)
	return s, nil
}

type importer struct {
	e                               *env
	db                              *sqldb.Store
	src                             *tp.Source
	batch                           []tp.Message
	read, imported, dupes, rejected int
	start, last                     time.Time
}

func (im *importer) reject(line int, err error) {
	im.rejected++
	fmt.Fprintf(im.e.stderr, "line %d: rejected: %s\n", line, tp.ErrorMessage(err))
}

func (im *importer) add(m tp.Message) error {
	im.batch = append(im.batch, m)
	if len(im.batch) >= importBatch {
		return im.flush()
	}
	return nil
}

func (im *importer) flush() error {
	if len(im.batch) == 0 {
		return nil
	}
	res, err := im.db.Tracking.Ingest(im.e.ctx, im.src, im.batch)
	if err != nil {
		return fmt.Errorf("import stopped after %d rows: %w", im.imported+im.dupes, err)
	}
	im.imported += res.Stored
	im.dupes += res.Duplicates
	im.batch = im.batch[:0]
	if time.Since(im.last) > time.Second {
		im.last = time.Now()
		rate := float64(im.read) / time.Since(im.start).Seconds()
		fmt.Fprintf(im.e.stderr, "progress: read %d, imported %d, rejected %d (%.0f rows/s)\n", im.read, im.imported, im.rejected, rate)
	}
	return nil
}

func (im *importer) events(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), track.MaxMessageBytes+1)
	line := 0
	now := time.Now()
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		im.read++
		m, err := track.DecodeLine(b, now)
		if err != nil {
			im.reject(line, err)
			continue
		}
		if err := im.add(m); err != nil {
			return err
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("line %d is longer than the %d-byte message limit; the rows before it were imported", line+1, track.MaxMessageBytes)
	}
	return sc.Err()
}

// identity columns of a customers CSV.
var csvIdentities = map[string]string{"user_id": tp.IdentityUserID, "anonymous_id": tp.IdentityAnonymousID,
	"email": tp.IdentityEmail, "phone": tp.IdentityPhone}

func (im *importer) customers(r io.Reader) error {
	return readCustomersCSV(r, time.Now(), func(line int, m tp.Message, err error) error {
		im.read++
		if err != nil {
			im.reject(line, err)
			return nil
		}
		return im.add(m)
	})
}

// readCustomersCSV parses a customers CSV and calls emit for every row, with
// either an identify message or the reason the row is rejected. It stops only
// on a missing header or an error from emit.
func readCustomersCSV(r io.Reader, now time.Time, emit func(line int, m tp.Message, err error) error) error {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read the header row: %w", err)
	}
	cols := make([]string, len(header))
	hasID := false
	for i, h := range header {
		cols[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		_, ok := csvIdentities[cols[i]]
		hasID = hasID || ok
	}
	if !hasID {
		return fmt.Errorf("the header names no identity column: add user_id, email, phone or anonymous_id")
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if err := emit(pe.StartLine, tp.Message{}, tp.Errorf(tp.EINVALID, "malformed CSV: %v", pe.Err)); err != nil {
				return err
			}
			if pe.Err == csv.ErrQuote || pe.Err == csv.ErrBareQuote {
				continue
			}
			return nil // the reader cannot go on after other errors
		}
		if err != nil {
			return err
		}
		line, _ := cr.FieldPos(0)
		m, rowErr := customerRow(cols, rec, now)
		if err := emit(line, m, rowErr); err != nil {
			return err
		}
	}
}

// customerRow turns one CSV row into an identify message. Its message id is a
// hash of the row, so importing the same file again stores nothing twice.
func customerRow(cols, rec []string, now time.Time) (tp.Message, error) {
	if len(rec) != len(cols) {
		return tp.Message{}, tp.Errorf(tp.EINVALID, "the row has %d fields; the header has %d", len(rec), len(cols))
	}
	m := tp.Message{Type: tp.EventIdentify, Timestamp: now, ReceivedAt: now, Traits: map[string]json.RawMessage{}}
	h := sha256.New()
	country := ""
	for i, c := range cols {
		if c == "country" {
			country = strings.TrimSpace(rec[i])
		}
	}
	for i, c := range cols {
		v := strings.TrimSpace(rec[i])
		fmt.Fprintf(h, "%s=%s\x00", c, v)
		if v == "" || c == "" {
			continue
		}
		if typ, ok := csvIdentities[c]; ok {
			id, err := tp.NormalizeIdentity(typ, v, country)
			if err != nil {
				return m, tp.Errorf(tp.EINVALID, "column %s: %s", c, err)
			}
			m.Identities = append(m.Identities, id)
			switch typ {
			case tp.IdentityUserID:
				m.UserID = v
				continue
			case tp.IdentityAnonymousID:
				m.AnonymousID = v
				continue
			}
		}
		if c == "updated_at" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return m, tp.Errorf(tp.EINVALID, "column updated_at: %q is not an RFC 3339 date-time", v)
			}
			m.Timestamp = t.UTC()
			continue
		}
		key := map[string]string{"first_name": "firstName", "last_name": "lastName"}[c]
		if key == "" {
			key = c
		}
		b, _ := json.Marshal(v)
		m.Traits[key] = b
	}
	if len(m.Identities) == 0 {
		return m, tp.Errorf(tp.EINVALID, "the row has no identity: fill user_id, email, phone or anonymous_id")
	}
	m.MessageID = "csv-" + hex.EncodeToString(h.Sum(nil)[:16])
	return m, nil
}
