package monitor

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"warta.dev/warta/internal/monitor/dedupe"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/jobs"
)

// Deps are what the service is built from.
type Deps struct {
	DB      *db.DB
	Fetcher *fetch.Fetcher
	Queue   *jobs.Queue
	Bundle  *i18n.Bundle
	Log     *slog.Logger
	BaseURL string
	// Optional neighbours; nil turns their part off.
	Outlets  Outlets
	Accounts Accounts
	Notifier Notifier
	Releases Releases
	Press    Press
	Chat     Chat
	Files    Files
}

// Service holds monitoring's rules.
type Service struct {
	Deps
	now func() time.Time

	mu sync.Mutex
	// matchers are the workspaces' compiled topics, rebuilt when a topic changes.
	matchers map[int64]*topicSet
	// seen are the workspaces' recent fingerprints, for finding syndicated copies.
	seen map[int64]*dedupe.Index
}

// New returns the service.
func New(d Deps) *Service {
	return &Service{Deps: d, now: time.Now, matchers: map[int64]*topicSet{}, seen: map[int64]*dedupe.Index{}}
}

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// topicSet is a workspace's live topics compiled for matching. stamp is the newest change among
// them, so a change anywhere (another process included) is noticed at the next poll.
type topicSet struct {
	stamp   string
	matcher *query.Matcher
}

// matcherFor returns the workspace's compiled topics, recompiling them when they changed.
func (s *Service) matcherFor(ctx context.Context, wsID int64) (*query.Matcher, error) {
	var n int64
	var newest string
	rows, err := s.DB.Query(ctx, `SELECT id, updated_at FROM monitor_topics WHERE workspace_id = ? AND archived_at IS NULL ORDER BY updated_at DESC LIMIT 1`, wsID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, err
		}
		newest = at.UTC().Format(time.RFC3339Nano)
	}
	rows.Close()
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM monitor_topics WHERE workspace_id = ? AND archived_at IS NULL`, wsID).Scan(&n); err != nil {
		return nil, err
	}
	stamp := newest + "/" + itoa(n)
	s.mu.Lock()
	set := s.matchers[wsID]
	s.mu.Unlock()
	if set != nil && set.stamp == stamp {
		return set.matcher, nil
	}
	topics, err := s.Topics(ctx, wsID)
	if err != nil {
		return nil, err
	}
	queries := make(map[int64]*query.Query, len(topics))
	for _, t := range topics {
		q, err := query.Parse(t.Query)
		if err != nil {
			s.Log.Warn("monitor: a saved topic no longer parses", "topic", t.ID, "err", err)
			continue
		}
		queries[t.ID] = q
	}
	set = &topicSet{stamp: stamp, matcher: query.NewMatcher(queries)}
	s.mu.Lock()
	s.matchers[wsID] = set
	s.mu.Unlock()
	return set.matcher, nil
}

// dedupeWindow is how far back a new item looks for the story it copies.
const dedupeWindow = 14 * 24 * time.Hour

// seenIndex returns the workspace's index of recent fingerprints, loading it on first use.
func (s *Service) seenIndex(ctx context.Context, wsID int64) (*dedupe.Index, error) {
	s.mu.Lock()
	idx := s.seen[wsID]
	s.mu.Unlock()
	if idx != nil {
		return idx, nil
	}
	idx = dedupe.NewIndex(100_000)
	rows, err := s.DB.Query(ctx, `SELECT id, fingerprint FROM monitor_items WHERE workspace_id = ? AND fetched_at >= ? AND fingerprint <> 0
		AND duplicate_of IS NULL ORDER BY id`, wsID, s.now().UTC().Add(-dedupeWindow))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, fp int64
		if err := rows.Scan(&id, &fp); err != nil {
			return nil, err
		}
		idx.Add(id, uint64(fp))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if have := s.seen[wsID]; have != nil {
		idx = have
	} else {
		s.seen[wsID] = idx
	}
	s.mu.Unlock()
	return idx, nil
}

// RegisterJobs adds polling, backfilling, coverage and alert jobs. Call it before the queue is
// first used.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	jobs.Register(q, &pollWorker{s: s})
	jobs.Register(q, &pollSourceWorker{s: s})
	jobs.Register(q, &backfillWorker{s: s})
	jobs.Register(q, &watchWorker{s: s})
	jobs.Register(q, &chatWorker{s: s})
	q.Periodic(PollEvery, pollArgs{})
	q.Periodic(WatchEvery, watchArgs{})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
