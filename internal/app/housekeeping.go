package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/platform/jobs"
)

// housekeepingArgs is the hourly job that removes expired sessions and stale sign-in records.
type housekeepingArgs struct{}

func (housekeepingArgs) Kind() string { return "housekeeping" }

type housekeepingWorker struct {
	river.WorkerDefaults[housekeepingArgs]
	a *App
}

func (w *housekeepingWorker) Work(ctx context.Context, _ *river.Job[housekeepingArgs]) error {
	if _, err := w.a.sessions.DeleteExpired(ctx); err != nil {
		return err
	}
	return w.a.Auth.Cleanup(ctx)
}

func (a *App) registerHousekeeping() {
	jobs.Register(a.Queue, &housekeepingWorker{a: a})
	a.Queue.Periodic(time.Hour, housekeepingArgs{})
}
