// Package jobs is Warta's job queue: background work (sending, publishing, polling, reminders) that
// survives restarts, is retried with backoff and is visible to the admin. It is River over the same
// database as the app, with the same code on both engines: River's client works on *sql.Tx, so a job
// can be inserted in the transaction that creates the thing it works on, and a rolled-back
// transaction leaves no job behind.
//
// Wiring, in this order: New, then Register every worker (and Periodic), then Start; Stop on the
// way out. A Queue that is never started can still insert jobs (a CLI command that enqueues work
// for the server).
//
// River runs a job at least once: workers must be idempotent.
//
// On SQLite, River shares the app's single write connection. While a transaction is open it holds
// that connection, so inside it insert with InsertTx only: Insert, List, Retry and Cancel need the
// connection themselves and would wait for ever.
package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"warta.dev/warta/internal/platform/db"
)

// The queues a Queue works. Periodic jobs go on their own queue so a burst of ordinary jobs never
// delays them (and the other way round).
const (
	QueueDefault  = river.QueueDefault
	QueuePeriodic = "periodic"
	// QueuePublish carries posts: each waits mostly on a network, so many run at once.
	QueuePublish = "publish"
	// QueuePress carries batches of a distribution's recipients; each batch feeds the SMTP
	// connection pool, so a few at once keep every connection busy.
	QueuePress = "press"
)

// Options tune a Queue. The zero value is what the app uses.
type Options struct {
	// RetryPolicy decides when a failed job runs again. Nil means River's default: attempt⁴ seconds
	// with jitter (1 s, 16 s, 81 s, …).
	RetryPolicy river.ClientRetryPolicy
	// MaxWorkers is how many jobs of the default queue run at once in this process; 0 means 10.
	MaxWorkers int

	// fetchPollInterval overrides the engine's poll interval (tests only, see export_test.go).
	fetchPollInterval time.Duration
}

// Queue is the job queue of one process. Several processes (several `warta serve`) may share one
// PostgreSQL database: each job runs in one of them, and periodic jobs are enqueued by the one River
// elects leader.
type Queue struct {
	d       *db.DB
	logger  *slog.Logger
	opts    Options
	workers *river.Workers

	mu            sync.Mutex
	kinds         map[string]bool // registered job kinds
	periodic      []*river.PeriodicJob
	periodicKinds []string
	client        *river.Client[*sql.Tx] // built on first use, after which workers are fixed
	started       bool
}

// New returns a queue over d. Register workers before Start (or the first Insert).
func New(d *db.DB, logger *slog.Logger) (*Queue, error) {
	return NewWithOptions(d, logger, Options{})
}

// NewWithOptions is New with options.
func NewWithOptions(d *db.DB, logger *slog.Logger, opts Options) (*Queue, error) {
	if d == nil {
		return nil, errors.New("jobs: no database")
	}
	if d.Engine != db.SQLite && d.Engine != db.Postgres {
		return nil, fmt.Errorf("jobs: unknown database engine %q", d.Engine)
	}
	if logger == nil {
		logger = slog.Default()
	}
	if opts.MaxWorkers <= 0 {
		opts.MaxWorkers = 10
	}
	return &Queue{d: d, logger: logger, opts: opts, workers: river.NewWorkers(), kinds: map[string]bool{}}, nil
}

// Register adds the worker for jobs of kind T. It must be called before the queue is first used
// (Start, Insert, or an admin call); it panics otherwise, or when T already has a worker, as both
// are wiring mistakes.
func Register[T river.JobArgs](q *Queue, w river.Worker[T]) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.mustBeUnused("Register")
	if err := river.AddWorkerSafely(q.workers, w); err != nil {
		panic("jobs: " + err.Error())
	}
	var args T
	q.kinds[args.Kind()] = true
}

// Periodic enqueues args every interval on the periodic queue, from the one process River elects
// leader, and once when a process becomes leader (so a job with a long interval still runs when the
// app restarts more often than that). Its worker must be registered; like Register it is called
// before the queue is first used.
func (q *Queue) Periodic(interval time.Duration, args river.JobArgs) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.mustBeUnused("Periodic")
	q.periodicKinds = append(q.periodicKinds, args.Kind())
	q.periodic = append(q.periodic, river.NewPeriodicJob(
		river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return args, &river.InsertOpts{Queue: QueuePeriodic}
		},
		// The first run waits one interval: a restart (or a test starting the app) does not
		// repeat the work of the interval in progress.
		&river.PeriodicJobOpts{RunOnStart: false},
	))
}

func (q *Queue) mustBeUnused(what string) {
	if q.client != nil {
		panic("jobs: " + what + " after the queue was first used; register every worker before Start or Insert")
	}
}

// riverClient returns the River client, building it on first use with the workers registered so far.
func (q *Queue) riverClient() (*river.Client[*sql.Tx], error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.client != nil {
		return q.client, nil
	}
	cfg := &river.Config{
		ID:          clientID(),
		Logger:      q.logger,
		Workers:     q.workers,
		RetryPolicy: q.opts.RetryPolicy,
		Queues: map[string]river.QueueConfig{
			QueueDefault:  {MaxWorkers: q.opts.MaxWorkers},
			QueuePeriodic: {MaxWorkers: 2},
			QueuePublish:  {MaxWorkers: 30},
			QueuePress:    {MaxWorkers: 6},
		},
		PeriodicJobs: q.periodic,
	}
	var driver riverdriver.Driver[*sql.Tx]
	switch q.d.Engine {
	case db.SQLite:
		// River shares the app's single write connection (see DESIGN.md, "SQLite with River"): a
		// separate write pool for River starves it. SQLite has no LISTEN/NOTIFY; riversqlite
		// polls a notification table, and producers poll for jobs every 50 ms.
		driver = riversqlite.New(q.d.Write)
		cfg.FetchPollInterval = 50 * time.Millisecond
		cfg.FetchCooldown = 50 * time.Millisecond
	case db.Postgres:
		// The database/sql driver, so that the app's *sql.Tx can insert jobs, with the pgx
		// listener pool for LISTEN/NOTIFY: an insert (in any process, committed with the app's
		// transaction) notifies every client, whose workers fetch at once; leader resignations
		// and cancellations travel the same way. Notifications are named after the schema
		// (current_schema() of both pools, which share the URL's search_path), so clients on
		// different schemas of one database do not wake each other. The poll is only a fallback
		// for a lost notification or a broken listener connection.
		if q.d.Listener == nil {
			return nil, errors.New("jobs: the PostgreSQL database has no listener pool")
		}
		driver = riverdatabasesql.NewWithPgxListener(q.d.Write, q.d.Listener)
		cfg.FetchPollInterval = time.Second
		cfg.FetchCooldown = 100 * time.Millisecond
		cfg.PollOnly = false // the default; PollOnly would leave the listener unused
	}
	if q.opts.fetchPollInterval > 0 {
		cfg.FetchPollInterval = q.opts.fetchPollInterval
	}
	for _, kind := range q.periodicKinds {
		if !q.kinds[kind] {
			return nil, fmt.Errorf("jobs: periodic job %s has no registered worker", kind)
		}
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	q.client = c
	return c, nil
}

// Start starts working the queues in the background. ctx carries values only: cancelling it does
// not stop the queue; call Stop.
func (q *Queue) Start(ctx context.Context) error {
	c, err := q.riverClient()
	if err != nil {
		return err
	}
	if err := c.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.mu.Lock()
	q.started = true
	q.mu.Unlock()
	return nil
}

// Stop stops fetching jobs and waits for the running ones to finish until ctx is done; then it
// cancels their contexts and waits a little more for them to return. A cancelled job runs again
// later (in this or another process).
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	c, started := q.client, q.started
	q.started = false
	q.mu.Unlock()
	if c == nil || !started {
		return nil
	}
	err := c.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	q.logger.Warn("jobs: running jobs did not finish in time; cancelling them", "err", err)
	hardCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return c.StopAndCancel(hardCtx)
}

// InsertTx inserts a job in the app's transaction: it becomes visible to workers when tx commits
// and disappears if tx rolls back. This is how a job must be inserted while a transaction is open:
// on SQLite the transaction holds the only write connection, and Insert would wait for ever.
func (q *Queue) InsertTx(ctx context.Context, tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	c, err := q.riverClient()
	if err != nil {
		return err
	}
	if _, err := c.InsertTx(ctx, tx.Tx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// InsertManyTx inserts several jobs in the app's transaction in one statement (see InsertTx).
func (q *Queue) InsertManyTx(ctx context.Context, tx *db.Tx, args []river.JobArgs) error {
	if len(args) == 0 {
		return nil
	}
	c, err := q.riverClient()
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, len(args))
	for i, a := range args {
		params[i] = river.InsertManyParams{Args: a}
	}
	if _, err := c.InsertManyTx(ctx, tx.Tx, params); err != nil {
		return fmt.Errorf("jobs: insert %d %s: %w", len(args), args[0].Kind(), err)
	}
	return nil
}

// Insert inserts a job in a transaction of its own. On SQLite never call it while a transaction
// is open (use InsertTx): it needs the write connection that transaction holds, and waits for ever.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	c, err := q.riverClient()
	if err != nil {
		return err
	}
	if _, err := c.Insert(ctx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// clientID names this process among the clients sharing the database (leader election, job
// attempts): host, process and a random suffix, so two queues never share an ID.
func clientID() string {
	host, _ := os.Hostname()
	host = strings.NewReplacer(".", "_", "-", "_").Replace(host)
	if len(host) > 60 {
		host = host[:60]
	}
	if host == "" {
		host = "host"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s_%d_%s", host, os.Getpid(), hex.EncodeToString(b))
}
