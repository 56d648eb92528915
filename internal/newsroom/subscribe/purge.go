package subscribe

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/platform/jobs"
)

// PurgeArgs is the periodic job that forgets addresses that never confirmed.
type PurgeArgs struct{}

// Kind names the job in the queue.
func (PurgeArgs) Kind() string { return "newsroom_subscribe_purge" }

// PurgeWorker runs the purge job.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	S *Service
}

// Work forgets what is due. Running it twice removes nothing more.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	_, err := w.S.Purge(ctx, time.Now())
	return err
}

// PurgeEvery is how often the purge runs: PendingKept is counted in days.
const PurgeEvery = 24 * time.Hour

// RegisterJobs adds the purge worker and runs it every PurgeEvery (and when a process becomes the
// queue's leader). Call it before the queue is first used.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register(q, &PurgeWorker{S: s})
	q.Periodic(PurgeEvery, PurgeArgs{})
}
