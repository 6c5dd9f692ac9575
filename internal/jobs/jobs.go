// Package jobs runs touchpoint's background work on River: jobs are rows in
// the same database, inserted in the same transaction as the change that
// needs them, so they survive restarts and are never lost or run for a
// change that rolled back.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/mailer"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// Config tunes the runner.
type Config struct {
	Mailer        *mailer.Mailer   // nil: mail jobs wait (and retry) until a relay is configured
	PublicURL     string           // base of links in e-mails, e.g. https://cx.example.com
	MailPerMinute int              // send rate; default 60
	ReminderAfter time.Duration    // one reminder to non-responders; default 3 days, negative for none
	PollInterval  time.Duration    // how often idle workers look for due jobs; default 1 s
	Analyzer      tp.TextAnalyzer  // nil: texts are not analysed
	Risk          tp.RiskRefresher // nil: customers are not scored
	Log           *slog.Logger
}

// Runner is the job runner of one process.
type Runner struct {
	client *river.Client[*sql.Tx]
}

// Open migrates River's tables, registers the workers and wires db.Enqueue.
// Call Start to begin working jobs.
func Open(ctx context.Context, db *sqldb.Store, cfg Config) (*Runner, error) {
	if cfg.MailPerMinute <= 0 {
		cfg.MailPerMinute = 60
	}
	if cfg.ReminderAfter == 0 {
		cfg.ReminderAfter = 72 * time.Hour
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	var driver riverdriver.Driver[*sql.Tx]
	if db.Dialect() == sqldb.SQLite {
		driver = riversqlite.New(db.Pool())
	} else {
		driver = riverdatabasesql.New(db.Pool())
	}
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return nil, err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("migrate job tables: %w", err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &sendWorker{db: db, cfg: cfg, pace: newPacer(cfg.MailPerMinute)})
	river.AddWorker(workers, &slaWorker{db: db, cfg: cfg})
	river.AddWorker(workers, &replyWorker{db: db, cfg: cfg})
	river.AddWorker(workers, &breachWorker{db: db, cfg: cfg})
	river.AddWorker(workers, &rollupWorker{db: db, cfg: cfg})
	river.AddWorker(workers, &textWorker{db: db, cfg: cfg})
	river.AddWorker(workers, &riskWorker{db: db, cfg: cfg})
	river.AddWorker(workers, &boardPackWorker{db: db, cfg: cfg})
	river.AddWorker(workers, &digestWorker{db: db, cfg: cfg})
	river.AddWorker(workers, &councilInviteWorker{db: db, cfg: cfg})
	pusher := &pushWorker{db: db, client: &http.Client{Timeout: 30 * time.Second}}
	river.AddWorker(workers, pusher)
	river.AddWorker(workers, &pushAllWorker{pusher: pusher})
	river.AddWorker(workers, newAlertWorker(db, cfg))
	river.AddWorker(workers, &retentionWorker{db: db, cfg: cfg})
	river.AddWorker(workers, &scrubWorker{db: db, cfg: cfg})
	client, err := river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:           workers,
		Logger:            slog.New(minLevel{slog.LevelWarn, cfg.Log.Handler()}), // River's own chatter is for debugging
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     min(cfg.PollInterval, 100*time.Millisecond),
		PollOnly:          db.Dialect() == sqldb.SQLite,
		MaxAttempts:       8,
		// Jobs are touchpoint's own work: the store's policy sees the system.
		Middleware: []rivertype.Middleware{river.WorkerMiddlewareFunc(func(ctx context.Context, _ *rivertype.JobRow, next func(context.Context) error) error {
			return next(tp.WithAccess(ctx, tp.SystemAccess))
		})},
		JobTimeout: 2 * time.Minute,
		// The leader alone enqueues periodic jobs, so replicas do not repeat them.
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
				return tp.RefreshRollups{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(textEvery), func() (river.JobArgs, *river.InsertOpts) {
				return tp.AnalyzeTexts{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: textEvery}}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
				return tp.SendBoardPack{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
				return tp.SendDigests{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
				return tp.RefreshRisk{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(dailyAt(5), func() (river.JobArgs, *river.InsertOpts) {
				return tp.PushAllSegments{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
			}, nil),
			river.NewPeriodicJob(dailyAt(3), func() (river.JobArgs, *river.InsertOpts) {
				return tp.RunRetention{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
			}, nil),
		},
	})
	if err != nil {
		return nil, err
	}
	db.Enqueue = func(ctx context.Context, tx *sql.Tx, job tp.Job, at time.Time) error {
		_, err := client.InsertTx(ctx, tx, job, &river.InsertOpts{ScheduledAt: at})
		return err
	}
	return &Runner{client: client}, nil
}

// Start begins working jobs until Stop.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop lets running jobs finish (as long as ctx allows) and stops.
func (r *Runner) Stop(ctx context.Context) error { return r.client.Stop(ctx) }

// minLevel passes records at or above a level to h.
type minLevel struct {
	min slog.Level
	h   slog.Handler
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}
func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }
func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler           { return minLevel{m.min, m.h.WithAttrs(as)} }
func (m minLevel) WithGroup(g string) slog.Handler                 { return minLevel{m.min, m.h.WithGroup(g)} }
