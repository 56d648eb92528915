package pitch

import (
	"context"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/jobs"
)

// FollowUpArgs is the periodic job that reminds pitch owners of the follow-ups that are due.
type FollowUpArgs struct{}

// Kind names the job in the queue.
func (FollowUpArgs) Kind() string { return "pitch_followups" }

// FollowUpWorker runs the follow-up job.
type FollowUpWorker struct {
	river.WorkerDefaults[FollowUpArgs]
	S *Service
}

// Work sends the reminders that are due.
func (w *FollowUpWorker) Work(ctx context.Context, _ *river.Job[FollowUpArgs]) error {
	_, err := w.S.SendFollowUps(ctx, time.Now())
	return err
}

// FollowUpEvery is how often the job looks for due follow-ups; a follow-up is a day, so a quarter
// of an hour late is on time.
const FollowUpEvery = 15 * time.Minute

// RegisterJobs adds the follow-up worker and runs it every FollowUpEvery (and when a process becomes
// the queue's leader). Call it before the queue is first used.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register(q, &FollowUpWorker{S: s})
	q.Periodic(FollowUpEvery, FollowUpArgs{})
}

// followUpBatch is how many due follow-ups one pass reads.
const followUpBatch = 200

// SendFollowUps tells each due follow-up's pitch owner (or, for a pitch without one, whoever set the
// date) that it is time to follow up, once: the reminder is marked sent in the transaction that
// records the notice, so a second run, or two at once, send nothing twice. Follow-ups of closed
// pitches and of contacts who covered or declined are not due. It returns how many it sent.
func (s *Service) SendFollowUps(ctx context.Context, at time.Time) (int, error) {
	if s.notify == nil {
		return 0, nil
	}
	sent := 0
	for {
		list, err := dueFollowUps(ctx, s.d, at.UTC(), followUpBatch)
		if err != nil {
			return sent, err
		}
		names := map[int64]map[int64]string{}
		for _, d := range list {
			if names[d.WorkspaceID] == nil {
				names[d.WorkspaceID] = map[int64]string{}
			}
			names[d.WorkspaceID][d.ContactID] = ""
		}
		for wsID, m := range names {
			ids := make([]int64, 0, len(m))
			for id := range m {
				ids = append(ids, id)
			}
			if names[wsID], err = s.contacts.ContactNames(ctx, wsID, ids); err != nil {
				return sent, err
			}
		}
		claimed := 0
		for _, d := range list {
			told := false
			err := s.d.Tx(ctx, func(tx *db.Tx) error {
				ok, err := markReminded(ctx, tx, d)
				if err != nil || !ok {
					return err
				}
				claimed++
				to := d.OwnerID
				if to == 0 {
					to = d.SetBy
				}
				if to == 0 {
					return nil // nobody to tell; the date passes quietly
				}
				told = true
				n := notify.Notice{WorkspaceID: d.WorkspaceID, UserID: to, Key: "pitch.notice.follow_up",
					Args: []any{"Contact", names[d.WorkspaceID][d.ContactID], "Pitch", d.Title},
					Link: link(d.PitchID) + "#contact-" + strconv.FormatInt(d.ContactID, 10)}
				if n.Args[1] == "" {
					n.Key, n.Args = "pitch.notice.follow_up_unnamed", []any{"Pitch", d.Title}
				}
				return s.notify.Notify(ctx, tx, n)
			})
			if err != nil {
				return sent, err
			}
			if told {
				sent++
			}
		}
		// A short batch was the last; a full one that claimed nothing (another run took it) ends too.
		if len(list) < followUpBatch || claimed == 0 {
			return sent, nil
		}
	}
}
