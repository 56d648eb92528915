package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"warta.dev/warta/internal/platform/db"
)

// Job is one job as the admin sees it.
type Job struct {
	ID          int64
	Kind        string
	Queue       string
	State       string // available, cancelled, completed, discarded, pending, retryable, running, scheduled
	Attempt     int
	MaxAttempts int
	LastError   string // the error of the latest failed attempt, empty if none failed
	CreatedAt   time.Time
	ScheduledAt time.Time
	FinalizedAt *time.Time
	Args        string // the job's arguments as compact JSON
}

// States lists the states a job can be in, sorted.
func States() []string {
	var s []string
	for _, st := range rivertype.JobStates() {
		s = append(s, string(st))
	}
	slices.Sort(s)
	return s
}

// ErrUnknownState is returned by List for a state that does not exist.
var ErrUnknownState = errors.New("jobs: unknown state")

// List returns up to limit jobs in state (all states when ""), newest first. For the next page pass
// the last ID seen as afterID (0 starts from the newest).
func (q *Queue) List(ctx context.Context, state string, afterID int64, limit int) ([]Job, error) {
	c, err := q.riverClient()
	if err != nil {
		return nil, err
	}
	params := river.NewJobListParams().OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(min(max(limit, 1), 1000))
	if state != "" {
		if !slices.Contains(rivertype.JobStates(), rivertype.JobState(state)) {
			return nil, fmt.Errorf("%w %q", ErrUnknownState, state)
		}
		params = params.States(rivertype.JobState(state))
	}
	if afterID > 0 {
		params = params.After(river.JobListCursorFromJob(&rivertype.JobRow{ID: afterID}))
	}
	res, err := c.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	jobs := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		jobs = append(jobs, jobFromRow(r))
	}
	return jobs, nil
}

func jobFromRow(r *rivertype.JobRow) Job {
	j := Job{
		ID: r.ID, Kind: r.Kind, Queue: r.Queue, State: string(r.State),
		Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		CreatedAt: r.CreatedAt.UTC(), ScheduledAt: r.ScheduledAt.UTC(),
		Args: compactJSON(r.EncodedArgs),
	}
	if n := len(r.Errors); n > 0 {
		j.LastError = r.Errors[n-1].Error
	}
	if r.FinalizedAt != nil {
		t := r.FinalizedAt.UTC()
		j.FinalizedAt = &t
	}
	return j
}

// compactJSON spells args the same on both engines (PostgreSQL's jsonb adds spaces).
func compactJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// Counts returns how many jobs are in each state, every state present (zero when none). It reads
// from the read pool, so it never waits for the write connection.
func (q *Queue) Counts(ctx context.Context) (map[string]int, error) {
	counts := make(map[string]int)
	for _, s := range rivertype.JobStates() {
		counts[string(s)] = 0
	}
	rows, err := q.d.Query(ctx, `SELECT state, COUNT(*) FROM river_job GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("jobs: counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("jobs: counts: %w", err)
		}
		counts[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: counts: %w", err)
	}
	return counts, nil
}

// Retry makes a job run again as soon as possible: a failed, cancelled or discarded job gets
// another attempt, a scheduled one runs now, and a completed one runs once more. A running job is
// left alone. It returns db.ErrNotFound when there is no such job.
func (q *Queue) Retry(ctx context.Context, id int64) error {
	c, err := q.riverClient()
	if err != nil {
		return err
	}
	if _, err := c.JobRetry(ctx, id); err != nil {
		return adminError("retry", id, err)
	}
	return nil
}

// Cancel cancels a job that has not finished: it will not run (again). A running job is asked to
// stop through its context; that request reaches the worker asynchronously, so a job retried right
// after being cancelled may have its new run cancelled too. It returns db.ErrNotFound when there is
// no such job.
func (q *Queue) Cancel(ctx context.Context, id int64) error {
	c, err := q.riverClient()
	if err != nil {
		return err
	}
	if _, err := c.JobCancel(ctx, id); err != nil {
		return adminError("cancel", id, err)
	}
	return nil
}

func adminError(op string, id int64, err error) error {
	if errors.Is(err, rivertype.ErrNotFound) {
		return fmt.Errorf("jobs: %s job %d: %w", op, id, db.ErrNotFound)
	}
	return fmt.Errorf("jobs: %s job %d: %w", op, id, err)
}

// Collector exports warta_jobs{state}, the number of jobs in each state, counted at scrape time.
func (q *Queue) Collector() prometheus.Collector {
	return &collector{q: q, desc: prometheus.NewDesc("warta_jobs", "Jobs in the queue, by state.", []string{"state"}, nil)}
}

type collector struct {
	q    *Queue
	desc *prometheus.Desc
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.q.Counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), state)
	}
}
