package monitor

import (
	"context"
	"database/sql"
	"errors"
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

// topicSet is a workspace's live topics compiled for matching, at a version of its topics.
type topicSet struct {
	version int64
	matcher *query.Matcher
}

// bumpTopics records a change to the workspace's topics, in the change's transaction.
func bumpTopics(ctx context.Context, tx *db.Tx, wsID int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO monitor_topic_versions (workspace_id, version) VALUES (?, 1)
		ON CONFLICT (workspace_id) DO UPDATE SET version = monitor_topic_versions.version + 1`, wsID)
	return err
}

// matcherFor returns the workspace's compiled topics, compiling them again when they changed (in
// this process or another).
func (s *Service) matcherFor(ctx context.Context, wsID int64) (*query.Matcher, error) {
	var version int64
	err := s.DB.QueryRow(ctx, `SELECT version FROM monitor_topic_versions WHERE workspace_id = ?`, wsID).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	s.mu.Lock()
	set := s.matchers[wsID]
	s.mu.Unlock()
	if set != nil && set.version == version {
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
	set = &topicSet{version: version, matcher: query.NewMatcher(queries)}
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

// mentionLock is the first of the PostgreSQL advisory lock keys, one per workspace, that order the
// transactions adding a workspace's items and mentions.
const mentionLock = 7_100_000_000_000

// lockWorkspace makes a workspace's new items and mentions commit in the order of their ids. On
// PostgreSQL an id is taken at insert, not at commit, so two transactions could commit out of
// order, and the alert and coverage watermarks, which move past the highest id seen, would skip
// the late one. SQLite has a single writer and needs nothing.
func lockWorkspace(ctx context.Context, tx *db.Tx, wsID int64) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, mentionLock+wsID)
	return err
}
