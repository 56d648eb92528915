package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/jobs"
)

// job_runs records every time a test worker runs: which job, which attempt, in which client.
var testSchema = db.Migrations{Name: "jobs_test", FS: fstest.MapFS{
	"90001_job_runs.sql": {Data: []byte(`-- +goose Up
CREATE TABLE job_runs (id {{id}}, job_id BIGINT NOT NULL, name TEXT NOT NULL, attempt INTEGER NOT NULL, client TEXT NOT NULL);
-- +goose Down
DROP TABLE job_runs;
`)},
}}

type recordArgs struct {
	Name      string `json:"name"`
	FailTimes int    `json:"fail_times,omitempty"` // the first FailTimes attempts return an error
}

func (recordArgs) Kind() string { return "test_record" }

// recorder writes a job_runs row for each run. With a barrier, it waits (up to a few seconds)
// until every client of the barrier has started a job.
type recorder struct {
	river.WorkerDefaults[recordArgs]
	d       *db.DB
	client  string
	barrier *barrier
}

func (w *recorder) Work(ctx context.Context, job *river.Job[recordArgs]) error {
	if w.barrier != nil {
		w.barrier.arrive(w.client)
	}
	if _, err := w.d.Exec(ctx, `INSERT INTO job_runs (job_id, name, attempt, client) VALUES (?, ?, ?, ?)`,
		job.ID, job.Args.Name, job.Attempt, w.client); err != nil {
		return err
	}
	if job.Attempt <= job.Args.FailTimes {
		return fmt.Errorf("planned failure of attempt %d", job.Attempt)
	}
	return nil
}

type tickArgs struct{}

func (tickArgs) Kind() string { return "test_tick" }

type ticker struct {
	river.WorkerDefaults[tickArgs]
	d      *db.DB
	client string
}

func (w *ticker) Work(ctx context.Context, job *river.Job[tickArgs]) error {
	_, err := w.d.Exec(ctx, `INSERT INTO job_runs (job_id, name, attempt, client) VALUES (?, 'tick', ?, ?)`, job.ID, job.Attempt, w.client)
	return err
}

// fastRetry retries a failed job almost at once, so a test need not wait River's backoff.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(20 * time.Millisecond) }

// testLogger keeps River's log and prints it only when the test fails.
func testLogger(t *testing.T) *slog.Logger {
	var mu sync.Mutex
	var buf bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			mu.Lock()
			t.Log("queue log:\n" + buf.String())
			mu.Unlock()
		}
	})
	return slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func openDB(t *testing.T, engine db.Dialect) *db.DB {
	t.Helper()
	d := dbtest.Open(t, engine, testSchema)
	if err := jobs.Migrate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

func newQueue(t *testing.T, d *db.DB) *jobs.Queue {
	t.Helper()
	q, err := jobs.NewWithOptions(d, testLogger(t), jobs.Options{RetryPolicy: fastRetry{}})
	if err != nil {
		t.Fatal(err)
	}
	jobs.Register(q, &recorder{d: d, client: "one"})
	return q
}

func start(t *testing.T, q *jobs.Queue) {
	t.Helper()
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
}

// waitFor polls cond until it holds; it fails the test if it never does within 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func runs(t *testing.T, d *db.DB, name string) int {
	t.Helper()
	return count(t, d, `SELECT COUNT(*) FROM job_runs WHERE name = ?`, name)
}

// jobsNamed lists the jobs of test_record whose args carry name.
func jobsNamed(t *testing.T, q *jobs.Queue, name string) []jobs.Job {
	t.Helper()
	all, err := q.List(context.Background(), "", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []jobs.Job
	for _, j := range all {
		if j.Kind == "test_record" && bytes.Contains([]byte(j.Args), []byte(`"name":"`+name+`"`)) {
			out = append(out, j)
		}
	}
	return out
}

func TestMigrate(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		d := dbtest.Open(t, engine, testSchema)
		pending, err := jobs.Pending(ctx, d)
		if err != nil || !pending {
			t.Fatalf("before Migrate: pending %v, %v", pending, err)
		}
		if err := jobs.Migrate(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := jobs.Migrate(ctx, d); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		pending, err = jobs.Pending(ctx, d)
		if err != nil || pending {
			t.Fatalf("after Migrate: pending %v, %v", pending, err)
		}
	})
}

// A job inserted in a transaction that rolls back does not exist, so it never runs; one inserted
// in a committed transaction runs.
func TestRolledBackJobNeverRuns(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		d := openDB(t, engine)
		q := newQueue(t, d)
		start(t, q)

		boom := errors.New("request failed")
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if err := q.InsertTx(ctx, tx, recordArgs{Name: "rolled-back"}, nil); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		err = d.Tx(ctx, func(tx *db.Tx) error {
			return q.InsertTx(ctx, tx, recordArgs{Name: "committed"}, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the committed job to run", func() bool { return runs(t, d, "committed") == 1 })
		if n := runs(t, d, "rolled-back"); n != 0 {
			t.Fatalf("the rolled-back job ran %d times", n)
		}
		if j := jobsNamed(t, q, "rolled-back"); len(j) != 0 {
			t.Fatalf("the rolled-back job exists: %+v", j)
		}
	})
}

// A job whose first attempt fails is retried, and the second attempt completes it.
func TestFailedJobIsRetried(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		d := openDB(t, engine)
		q := newQueue(t, d)
		start(t, q)

		if err := q.Insert(ctx, recordArgs{Name: "flaky", FailTimes: 1}, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the job to complete", func() bool {
			j := jobsNamed(t, q, "flaky")
			return len(j) == 1 && j[0].State == "completed"
		})
		j := jobsNamed(t, q, "flaky")[0]
		if j.Attempt != 2 || j.LastError != "planned failure of attempt 1" || j.FinalizedAt == nil {
			t.Fatalf("job after retry: %+v", j)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM job_runs WHERE name = 'flaky' AND attempt IN (1, 2)`); n != 2 {
			t.Fatalf("want attempts 1 and 2 recorded, got %d rows", n)
		}
	})
}

// Unique jobs inserted twice exist once and run once. They are inserted before Start, which also
// shows that a queue that is not working can insert (as a CLI command does).
func TestUniqueJobRunsOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		d := openDB(t, engine)
		q := newQueue(t, d)
		unique := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
		for range 2 {
			if err := q.Insert(ctx, recordArgs{Name: "once"}, unique); err != nil {
				t.Fatal(err)
			}
			if err := d.Tx(ctx, func(tx *db.Tx) error { return q.InsertTx(ctx, tx, recordArgs{Name: "once"}, unique) }); err != nil {
				t.Fatal(err)
			}
		}
		if err := q.Insert(ctx, recordArgs{Name: "not-unique"}, nil); err != nil {
			t.Fatal(err)
		}
		if err := q.Insert(ctx, recordArgs{Name: "not-unique"}, nil); err != nil {
			t.Fatal(err)
		}
		start(t, q)
		waitFor(t, "every job to complete", func() bool {
			c, err := q.Counts(ctx)
			return err == nil && c["completed"] == 3
		})
		if n := runs(t, d, "once"); n != 1 {
			t.Fatalf("unique job ran %d times", n)
		}
		if n := runs(t, d, "not-unique"); n != 2 {
			t.Fatalf("plain jobs with the same args ran %d times, want 2", n)
		}
	})
}

// A periodic job is enqueued on the periodic queue and runs again after its interval.
func TestPeriodicJobRuns(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		d := openDB(t, engine)
		q := newQueue(t, d)
		jobs.Register(q, &ticker{d: d, client: "one"})
		q.Periodic(time.Second, tickArgs{})
		start(t, q)
		waitFor(t, "two runs of the periodic job", func() bool { return runs(t, d, "tick") >= 2 })
		all, err := q.List(context.Background(), "completed", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range all {
			if j.Kind == "test_tick" && j.Queue != jobs.QueuePeriodic {
				t.Fatalf("periodic job on queue %q", j.Queue)
			}
		}
	})
}

func TestAdmin(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		d := openDB(t, engine)
		q := newQueue(t, d)

		for i := range 5 {
			if err := q.Insert(ctx, recordArgs{Name: fmt.Sprintf("job-%d", i)}, nil); err != nil {
				t.Fatal(err)
			}
		}
		later := &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}
		for _, name := range []string{"later", "never"} {
			if err := q.Insert(ctx, recordArgs{Name: name}, later); err != nil {
				t.Fatal(err)
			}
		}

		// Pages of two, newest first, following the cursor to the end.
		var ids []int64
		var after int64
		for page := 0; ; page++ {
			got, err := q.List(ctx, "", after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				break
			}
			if page > 5 || len(got) > 2 {
				t.Fatalf("page %d has %d jobs", page, len(got))
			}
			for _, j := range got {
				ids = append(ids, j.ID)
			}
			after = got[len(got)-1].ID
		}
		if len(ids) != 7 {
			t.Fatalf("paged through %d jobs, want 7: %v", len(ids), ids)
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] >= ids[i-1] {
				t.Fatalf("not newest first: %v", ids)
			}
		}

		scheduled, err := q.List(ctx, "scheduled", 0, 10)
		if err != nil || len(scheduled) != 2 || scheduled[0].Kind != "test_record" || scheduled[0].Args != `{"name":"never"}` || scheduled[1].Args != `{"name":"later"}` {
			t.Fatalf("scheduled jobs: %+v, %v", scheduled, err)
		}
		if _, err := q.List(ctx, "lost", 0, 10); !errors.Is(err, jobs.ErrUnknownState) {
			t.Fatalf("unknown state: %v", err)
		}
		counts, err := q.Counts(ctx)
		if err != nil || counts["available"] != 5 || counts["scheduled"] != 2 || counts["completed"] != 0 {
			t.Fatalf("counts: %v, %v", counts, err)
		}

		// The collector reports the same numbers.
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(q.Collector())
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		gauges := map[string]float64{}
		for _, f := range families {
			if f.GetName() != "warta_jobs" {
				continue
			}
			for _, m := range f.GetMetric() {
				gauges[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
			}
		}
		if gauges["available"] != 5 || gauges["scheduled"] != 2 || len(gauges) != len(jobs.States()) {
			t.Fatalf("warta_jobs: %v", gauges)
		}

		// Working: the five available jobs run; the scheduled one waits for its hour.
		start(t, q)
		waitFor(t, "five jobs to complete", func() bool {
			c, err := q.Counts(ctx)
			return err == nil && c["completed"] == 5
		})

		// Cancel one scheduled job; retry the other, which makes it run now, and once more after it
		// completed. (Not the same job: River delivers a cancellation to workers asynchronously, so a
		// job retried right after its cancellation may see it.)
		never, later1 := scheduled[0].ID, scheduled[1].ID
		if err := q.Cancel(ctx, never); err != nil {
			t.Fatal(err)
		}
		if got, _ := q.List(ctx, "cancelled", 0, 10); len(got) != 1 || got[0].ID != never {
			t.Fatalf("cancelled jobs: %+v", got)
		}
		if err := q.Retry(ctx, later1); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the retried job to complete", func() bool {
			c, err := q.Counts(ctx)
			return err == nil && c["completed"] == 6
		})
		if n := runs(t, d, "later"); n != 1 {
			t.Fatalf("the retried job ran %d times", n)
		}
		if err := q.Retry(ctx, later1); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the completed job to run again", func() bool {
			c, err := q.Counts(ctx)
			return err == nil && runs(t, d, "later") == 2 && c["completed"] == 6
		})
		if got, _ := q.List(ctx, "cancelled", 0, 10); len(got) != 1 || got[0].ID != never || runs(t, d, "never") != 0 {
			t.Fatalf("the cancelled job ran, or is no longer cancelled: %+v", got)
		}
		c, err := q.Counts(ctx)
		if err != nil || c["scheduled"] != 0 || c["cancelled"] != 1 || c["completed"] != 6 {
			t.Fatalf("counts at the end: %v, %v", c, err)
		}

		if err := q.Retry(ctx, 1<<40); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("retry of a missing job: %v", err)
		}
		if err := q.Cancel(ctx, 1<<40); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("cancel of a missing job: %v", err)
		}
	})
}

func TestRegisterAfterUsePanics(t *testing.T) {
	d := openDB(t, db.SQLite)
	q := newQueue(t, d)
	if err := q.Insert(context.Background(), recordArgs{Name: "first use"}, nil); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Register after the first Insert did not panic")
		}
	}()
	jobs.Register(q, &ticker{d: d})
}

// barrier lets the first jobs wait until every client has started one, so that the test shows
// both processes taking work instead of depending on who polls first.
type barrier struct {
	mu   sync.Mutex
	want int
	seen map[string]bool
	done chan struct{}
}

func newBarrier(clients int) *barrier {
	return &barrier{want: clients, seen: map[string]bool{}, done: make(chan struct{})}
}

func (b *barrier) arrive(client string) {
	b.mu.Lock()
	if !b.seen[client] {
		b.seen[client] = true
		if len(b.seen) == b.want {
			close(b.done)
		}
	}
	b.mu.Unlock()
	select {
	case <-b.done:
	case <-time.After(5 * time.Second):
	}
}

// Two Queues on one PostgreSQL database, like two `warta serve` processes: both take work, every
// job runs exactly once, and the periodic job is enqueued by one leader only.
func TestTwoProcessesShareOneDatabase(t *testing.T) {
	dbtest.RequirePostgres(t)
	ctx := context.Background()
	url, _ := dbtest.URL(t, db.Postgres)
	const interval = time.Second
	b := newBarrier(2)
	var dbs []*db.DB
	var queues []*jobs.Queue
	for i, name := range []string{"one", "two"} {
		d, err := db.OpenPostgres(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if i == 0 {
			if _, err := d.Migrate(ctx, []db.Migrations{testSchema}); err != nil {
				t.Fatal(err)
			}
			if err := jobs.Migrate(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		q, err := jobs.NewWithOptions(d, testLogger(t), jobs.Options{MaxWorkers: 5})
		if err != nil {
			t.Fatal(err)
		}
		jobs.Register(q, &recorder{d: d, client: name, barrier: b})
		jobs.Register(q, &ticker{d: d, client: name})
		q.Periodic(interval, tickArgs{})
		dbs, queues = append(dbs, d), append(queues, q)
	}
	d := dbs[0]
	const n = 50
	for i := range n {
		if err := queues[i%2].Insert(ctx, recordArgs{Name: fmt.Sprintf("shared-%d", i)}, nil); err != nil {
			t.Fatal(err)
		}
	}

	began := time.Now()
	for _, q := range queues {
		start(t, q)
	}
	waitFor(t, "every shared job to run", func() bool {
		return count(t, d, `SELECT COUNT(DISTINCT job_id) FROM job_runs WHERE name LIKE 'shared-%'`) == n
	})
	// Let the periodic job come round a few times.
	waitFor(t, "three periodic runs", func() bool { return runs(t, d, "tick") >= 3 })
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, q := range queues {
		if err := q.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
	}
	periods := int(time.Since(began) / interval)

	if got := count(t, d, `SELECT COUNT(*) FROM job_runs WHERE name LIKE 'shared-%'`); got != n {
		t.Fatalf("%d runs for %d jobs: some ran twice", got, n)
	}
	for _, client := range []string{"one", "two"} {
		if got := count(t, d, `SELECT COUNT(*) FROM job_runs WHERE name LIKE 'shared-%' AND client = ?`, client); got == 0 {
			t.Fatalf("client %s ran no job", client)
		}
	}
	enqueued := count(t, d, `SELECT COUNT(*) FROM river_job WHERE kind = 'test_tick'`)
	ticks := runs(t, d, "tick")
	if ticks < 1 || enqueued > periods+1 {
		t.Fatalf("periodic job enqueued %d times and ran %d times in %d periods: want at most one per period (plus one at start)", enqueued, ticks, periods)
	}
}

type slowArgs struct{}

func (slowArgs) Kind() string { return "test_slow" }

// slow blocks until released, so a test can stop the queue while it runs.
type slow struct {
	river.WorkerDefaults[slowArgs]
	started chan struct{}
	release chan struct{}
	done    chan struct{}
}

func (w *slow) Work(ctx context.Context, job *river.Job[slowArgs]) error {
	close(w.started)
	<-w.release
	close(w.done)
	return nil
}

// Stop lets a job that is running finish (a graceful shutdown), and the job ends completed.
func TestStopFinishesRunningJob(t *testing.T) {
	d := openDB(t, db.SQLite)
	q := newQueue(t, d)
	w := &slow{started: make(chan struct{}), release: make(chan struct{}), done: make(chan struct{})}
	jobs.Register(q, w)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Insert(context.Background(), slowArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	<-w.started
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped <- q.Stop(ctx)
	}()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a job was still running", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(w.release)
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}
	<-w.done
	if n := count(t, d, `SELECT COUNT(*) FROM river_job WHERE kind = 'test_slow' AND state = 'completed'`); n != 1 {
		t.Fatalf("%d completed slow jobs after the shutdown, want 1", n)
	}
}

// On PostgreSQL workers are woken by LISTEN/NOTIFY: with the poll slowed to 30 s, a job inserted
// by another process (its own Queue and connections, like a CLI command) still starts within
// seconds, which only the notification can explain. The test's schema is not public, so this also
// shows that the notification channel and the LISTEN agree on the schema.
func TestNotificationWakesWorkers(t *testing.T) {
	dbtest.RequirePostgres(t)
	ctx := context.Background()
	url, _ := dbtest.URL(t, db.Postgres)
	open := func() *db.DB {
		d, err := db.OpenPostgres(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	d, other := open(), open()
	if _, err := d.Migrate(ctx, []db.Migrations{testSchema}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}

	const poll = 30 * time.Second
	q, err := jobs.NewWithOptions(d, testLogger(t), jobs.WithFetchPollInterval(jobs.Options{}, poll))
	if err != nil {
		t.Fatal(err)
	}
	jobs.Register(q, &recorder{d: d, client: "worker"})
	inserter, err := jobs.New(other, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	jobs.Register(inserter, &recorder{d: other, client: "inserter"})

	// A job waiting before Start is taken by the first fetch; once it has run, the next poll is
	// 30 s away.
	if err := inserter.Insert(ctx, recordArgs{Name: "before-start"}, nil); err != nil {
		t.Fatal(err)
	}
	start(t, q)
	waitFor(t, "the job inserted before Start to run", func() bool { return runs(t, d, "before-start") == 1 })

	for i := range 3 {
		// A process notifies at most once per FetchCooldown (100 ms) and queue; wait that out, so
		// that each insert sends its own notification.
		time.Sleep(200 * time.Millisecond)
		name := fmt.Sprintf("notified-%d", i)
		inserted := time.Now()
		err := other.Tx(ctx, func(tx *db.Tx) error { return inserter.InsertTx(ctx, tx, recordArgs{Name: name}, nil) })
		if err != nil {
			t.Fatal(err)
		}
		for runs(t, d, name) == 0 {
			if time.Since(inserted) > 10*time.Second {
				t.Fatalf("job %s did not start within 10 s: no notification reached the worker (the poll is %s)", name, poll)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("job %s started %s after its insert", name, time.Since(inserted).Round(time.Millisecond))
	}
}
