package monitor

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/monitor/dedupe"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/monitor/sentiment"
	"warta.dev/warta/internal/platform/db"
)

// PollEvery is how often the poller looks for sources that are due.
const PollEvery = 10 * time.Second

const (
	// pollBatch is how many due sources one pass claims.
	pollBatch = 500
	// pollWorkers is how many sources are fetched at once (each host still one at a time).
	pollWorkers = 16
	// lease is how long a claimed source is left alone by other passes.
	lease = 5 * time.Minute
	// maxBackoff is the longest wait after failures in a row.
	maxBackoff = 24 * time.Hour
	// maxBody is the most of an item's text that is kept.
	maxBody = 20_000
	// minFingerprintBody is the shortest body that identifies a story without its headline.
	minFingerprintBody = 200
)

type pollArgs struct{}

func (pollArgs) Kind() string { return "monitor_poll" }

type pollWorker struct {
	river.WorkerDefaults[pollArgs]
	s *Service
}

func (w *pollWorker) Work(ctx context.Context, _ *river.Job[pollArgs]) error {
	_, err := w.s.PollDue(ctx)
	return err
}

// Timeout lets a pass over many sources finish, and ends it before its leases run out.
func (w *pollWorker) Timeout(*river.Job[pollArgs]) time.Duration { return lease - time.Minute }

// pollSourceArgs polls one source now (just added, or "check now").
type pollSourceArgs struct {
	WorkspaceID int64 `json:"workspace_id"`
	SourceID    int64 `json:"source_id"`
}

func (pollSourceArgs) Kind() string { return "monitor_poll_source" }

type pollSourceWorker struct {
	river.WorkerDefaults[pollSourceArgs]
	s *Service
}

func (w *pollSourceWorker) Work(ctx context.Context, j *river.Job[pollSourceArgs]) error {
	return w.s.PollSource(ctx, j.Args.WorkspaceID, j.Args.SourceID)
}

func (w *pollSourceWorker) Timeout(*river.Job[pollSourceArgs]) time.Duration {
	return lease - time.Minute
}

// claimed is a source a pass has leased, with what fetching it needs.
type claimed struct {
	src *Source
	req fetch.Request
}

type fetched struct {
	c   claimed
	res *fetch.Result
	err error
}

// PollDue fetches every source that is due, a batch at a time, and stores what they hold. It
// returns how many sources it polled. A failing source is recorded and backs off; it never stops
// the others.
func (s *Service) PollDue(ctx context.Context) (int, error) {
	total := 0
	for {
		batch, err := s.claim(ctx, 0, 0)
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			return total, nil
		}
		if err := s.pollBatch(ctx, batch); err != nil {
			return total, err
		}
		total += len(batch)
		if len(batch) < pollBatch {
			return total, nil
		}
	}
}

// PollSource polls one source now, whether or not it is due (unless another pass holds it).
func (s *Service) PollSource(ctx context.Context, wsID, id int64) error {
	batch, err := s.claim(ctx, wsID, id)
	if err != nil || len(batch) == 0 {
		return err
	}
	return s.pollBatch(ctx, batch)
}

// claim leases due sources (or the one source named) so no other pass polls them meanwhile.
func (s *Service) claim(ctx context.Context, wsID, id int64) ([]claimed, error) {
	now := s.now().UTC()
	var sources []*Source
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var rows *sql.Rows
		var err error
		if id != 0 {
			rows, err = tx.Query(ctx, `SELECT `+sourceCols+` FROM monitor_sources s WHERE workspace_id = ? AND id = ?
				AND (lease_until IS NULL OR lease_until < ?)`, wsID, id, now)
		} else {
			rows, err = tx.Query(ctx, `SELECT `+sourceCols+` FROM monitor_sources s WHERE enabled = TRUE AND next_poll_at <= ?
				AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_poll_at LIMIT ?`, now, now, pollBatch)
		}
		if err != nil {
			return err
		}
		found, err := scanSources(rows)
		if err != nil {
			return err
		}
		sources = sources[:0]
		for _, src := range found {
			// Another process may have leased it since the read: then it is that one's.
			res, err := tx.Exec(ctx, `UPDATE monitor_sources SET lease_until = ?, last_polled_at = ? WHERE id = ?
				AND (lease_until IS NULL OR lease_until < ?)`, now.Add(lease), now, src.ID, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				sources = append(sources, src)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]claimed, 0, len(sources))
	for _, src := range sources {
		req := fetch.Request{Kind: src.Kind, URL: src.URL, Query: src.Query, Aggregator: src.Aggregator, Language: src.Language,
			ETag: src.etag, LastModified: src.lastModified}
		out = append(out, claimed{src: src, req: req})
	}
	return out, nil
}

// pollBatch fetches the sources side by side and stores each result as it arrives, one source
// per transaction, so a crash loses at most the sources in flight (polled again when their lease
// runs out; items already stored are recognised by their address).
func (s *Service) pollBatch(ctx context.Context, batch []claimed) error {
	work := make(chan claimed)
	results := make(chan fetched)
	var wg sync.WaitGroup
	for range min(pollWorkers, len(batch)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				res, err := s.fetchOne(ctx, c)
				results <- fetched{c: c, res: res, err: err}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, c := range batch {
			select {
			case work <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var failed error
	for f := range results {
		if err := s.record(ctx, f); err != nil {
			if ctx.Err() != nil {
				failed = ctx.Err()
				continue
			}
			s.Log.Error("monitor: storing a poll's result", "source", f.c.src.ID, "err", err)
			failed = err
		}
	}
	return failed
}

func (s *Service) fetchOne(ctx context.Context, c claimed) (*fetch.Result, error) {
	if c.src.Kind == fetch.Mastodon || c.src.Kind == fetch.Bluesky {
		if s.Accounts == nil || c.src.AccountID == 0 {
			return nil, &fetch.Error{Key: "monitor.source.error.no_account"}
		}
		kind, cred, err := s.Accounts.SearchCredentials(ctx, c.src.WorkspaceID, c.src.AccountID)
		if err != nil {
			return nil, &fetch.Error{Key: "monitor.source.error.no_account", Detail: err.Error()}
		}
		if kind != c.src.Kind {
			return nil, &fetch.Error{Key: "monitor.source.error.no_account"}
		}
		c.req.Credentials = cred
	}
	return s.Fetcher.Fetch(ctx, c.req)
}

// record stores a poll's outcome: the new items and their mentions on success, the failure in
// plain words otherwise, and when the source is due next.
func (s *Service) record(ctx context.Context, f fetched) error {
	src, now := f.c.src, s.now().UTC()
	if f.err != nil {
		var fe *fetch.Error
		if !errors.As(f.err, &fe) {
			fe = &fetch.Error{Key: "monitor.source.error.unknown", Detail: f.err.Error()}
		}
		args, _ := json.Marshal(fe.Args)
		backoff := min(src.Interval<<min(src.Failures+1, 10), maxBackoff)
		_, err := s.DB.Exec(ctx, `UPDATE monitor_sources SET lease_until = NULL, failures = failures + 1, last_error_key = ?,
			last_error_args = ?, last_error_at = ?, next_poll_at = ? WHERE id = ?`, fe.Key, string(args), now, now.Add(backoff), src.ID)
		s.Log.Info("monitor: a source failed", "source", src.ID, "key", fe.Key, "detail", fe.Detail)
		return err
	}
	if f.res.NotModified {
		_, err := s.DB.Exec(ctx, `UPDATE monitor_sources SET lease_until = NULL, failures = 0, last_error_key = '', last_error_args = '{}',
			last_success_at = ?, next_poll_at = ? WHERE id = ?`, now, now.Add(src.Interval), src.ID)
		return err
	}
	_, err := s.ingest(ctx, src, f.res.Items, func(tx *db.Tx, added int) error {
		_, err := tx.Exec(ctx, `UPDATE monitor_sources SET lease_until = NULL, failures = 0, last_error_key = '', last_error_args = '{}',
			last_success_at = ?, next_poll_at = ?, etag = ?, last_modified = ?, items_total = items_total + ? WHERE id = ?`,
			now, now.Add(src.Interval), f.res.ETag, f.res.LastModified, added, src.ID)
		return err
	})
	return err
}

// prepared is an item ready to store.
type prepared struct {
	it      Item
	fp      uint64
	text    string
	score   float64
	matches []query.Match
}

// Ingest stores items read from a source outside polling (the demo's fixtures, imports) exactly as
// a successful poll would. It returns how many were new.
func (s *Service) Ingest(ctx context.Context, wsID, sourceID int64, items []fetch.Item) (int, error) {
	src, err := s.Source(ctx, wsID, sourceID)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC()
	return s.ingest(ctx, src, items, func(tx *db.Tx, added int) error {
		_, err := tx.Exec(ctx, `UPDATE monitor_sources SET items_total = items_total + ?, last_success_at = ?, next_poll_at = ? WHERE id = ?`,
			added, now, now.Add(src.Interval), src.ID)
		return err
	})
}

// ingest keeps the items not seen before (by canonical address), finds which copy an earlier
// story, scores their sentiment, matches them against the workspace's topics and stores them with
// their mentions in one transaction, together with done's changes.
func (s *Service) ingest(ctx context.Context, src *Source, items []fetch.Item, done func(tx *db.Tx, added int) error) (int, error) {
	wsID, now := src.WorkspaceID, s.now().UTC()
	matcher, err := s.matcherFor(ctx, wsID)
	if err != nil {
		return 0, err
	}
	seen, err := s.seenIndex(ctx, wsID)
	if err != nil {
		return 0, err
	}
	var outlet Outlet
	if src.OutletID != 0 && s.Outlets != nil {
		if o, err := s.Outlets.Outlet(ctx, wsID, src.OutletID); err == nil {
			outlet = *o
		}
	}
	if outlet.Name == "" {
		outlet.Name = src.Name
	}
	byCanon := map[string]bool{}
	var batch []*prepared
	for _, in := range items {
		p := s.prepare(src, outlet, in, now)
		if p == nil || byCanon[p.it.Canonical] {
			continue
		}
		byCanon[p.it.Canonical] = true
		p.matches = matcher.Match(p.text)
		batch = append(batch, p)
	}
	type added struct {
		id int64
		fp uint64
	}
	var fresh []added
	// Items stored before are left to the INSERT, which skips them: asking first would cost a query
	// that PostgreSQL plans badly while the table is young.
	rows := batch
	// Which new items copy an earlier story: one stored already (the index) or one before it here.
	dupOf := make([]any, len(rows))
	leadOf := map[int]int{}
	for i, p := range rows {
		if p.fp == 0 {
			continue
		}
		if id, ok := seen.Near(p.fp); ok {
			dupOf[i] = id
			continue
		}
		for j := range i {
			_, copied := leadOf[j]
			if dupOf[j] == nil && !copied && rows[j].fp != 0 && dedupe.Distance(rows[j].fp, p.fp) <= dedupe.NearDistance {
				leadOf[i] = j
				break
			}
		}
	}
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		fresh = fresh[:0]
		if err := lockWorkspace(ctx, tx, wsID); err != nil {
			return err
		}
		ids, err := insertItems(ctx, tx, wsID, src.ID, now, rows, dupOf)
		if err != nil {
			return err
		}
		var mentions [][2]int64
		for i, p := range rows {
			id, ok := ids[p.it.Canonical]
			if !ok {
				continue // another process stored it a moment ago
			}
			fp := p.fp
			if dupOf[i] != nil {
				fp = 0
			} else if j, ok := leadOf[i]; ok {
				fp = 0
				if lead, ok := ids[rows[j].it.Canonical]; ok {
					if _, err := tx.Exec(ctx, `UPDATE monitor_items SET duplicate_of = ? WHERE id = ?`, lead, id); err != nil {
						return err
					}
				}
			}
			fresh = append(fresh, added{id, fp})
			for _, m := range p.matches {
				mentions = append(mentions, [2]int64{m.Topic, id})
			}
		}
		if err := insertMentions(ctx, tx, wsID, now, mentions); err != nil {
			return err
		}
		return done(tx, len(fresh))
	})
	if err != nil {
		return 0, err
	}
	for _, a := range fresh {
		if a.fp != 0 {
			seen.Add(a.id, a.fp)
		}
	}
	return len(fresh), nil
}

// prepare turns a fetched item into a row: its canonical address, cleaned text, language,
// fingerprint and sentiment. Items without an address are dropped.
func (s *Service) prepare(src *Source, o Outlet, in fetch.Item, now time.Time) *prepared {
	link := strings.TrimSpace(in.URL)
	if link == "" {
		return nil
	}
	canon := in.Canonical
	if canon == "" {
		canon = link
	}
	it := Item{WorkspaceID: src.WorkspaceID, SourceID: src.ID, URL: link, Canonical: dedupe.Canonical(canon),
		Title: clip(in.Title, 1000), Author: clip(in.Author, 300), Summary: clip(in.Summary, 2000), Body: clip(in.Text, maxBody),
		Lang: in.Lang, OutletID: o.ID, OutletName: o.Name, OutletType: o.Type, Region: o.Province, Reach: o.Reach, PublishedAt: in.Published}
	if it.PublishedAt.IsZero() || it.PublishedAt.After(now) {
		it.PublishedAt = now
	}
	it.PublishedAt = it.PublishedAt.UTC()
	text := it.Text()
	if it.Lang == "" {
		it.Lang = src.Language
	}
	if it.Lang == "" {
		it.Lang = sentiment.Detect(text)
	}
	r := sentiment.Analyze(text, it.Lang)
	it.Sentiment = string(r.Label)
	// Syndicated copies keep the story but often change its headline: a long enough body alone
	// says whether two items are one story.
	same := text
	if body := it.Body; len(body) >= minFingerprintBody {
		same = body
	} else if len(it.Summary) >= minFingerprintBody {
		same = it.Summary
	}
	return &prepared{it: it, fp: dedupe.Fingerprint(same), text: text, score: r.Score}
}

// clip cuts s to at most n bytes on a character boundary.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// itemBatch is how many items one INSERT stores: one statement instead of one per item saves a
// round trip each, which PostgreSQL over a network pays dearly.
const itemBatch = 100

// insertItems stores new items, several per statement, and returns their ids by canonical address;
// an address another process stored meanwhile is left out.
func insertItems(ctx context.Context, tx *db.Tx, wsID, sourceID int64, now time.Time, rows []*prepared, dupOf []any) (map[string]int64, error) {
	ids := make(map[string]int64, len(rows))
	for start := 0; start < len(rows); start += itemBatch {
		part := rows[start:min(start+itemBatch, len(rows))]
		var values strings.Builder
		args := make([]any, 0, len(part)*21)
		for i, p := range part {
			if i > 0 {
				values.WriteString(", ")
			}
			values.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			it := &p.it
			args = append(args, wsID, sourceID, it.URL, it.Canonical, it.Title, it.Author, it.Summary, it.Body, it.Lang, nullID(it.OutletID),
				it.OutletName, it.OutletType, it.Region, it.Reach, it.PublishedAt, now, int64(p.fp), dupOf[start+i], it.Sentiment, it.Sentiment, p.score)
		}
		res, err := tx.Query(ctx, `INSERT INTO monitor_items (workspace_id, source_id, url, canonical, title, author, summary, body, lang,
			outlet_id, outlet_name, outlet_type, region, reach, published_at, fetched_at, fingerprint, duplicate_of, sentiment,
			sentiment_auto, sentiment_score) VALUES `+values.String()+` ON CONFLICT (workspace_id, canonical) DO NOTHING RETURNING id, canonical`, args...)
		if err != nil {
			return nil, err
		}
		for res.Next() {
			var id int64
			var canon string
			if err := res.Scan(&id, &canon); err != nil {
				res.Close()
				return nil, err
			}
			ids[canon] = id
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// insertMentions stores topic × item pairs, several per statement.
func insertMentions(ctx context.Context, tx *db.Tx, wsID int64, now time.Time, pairs [][2]int64) error {
	const batch = 300
	for start := 0; start < len(pairs); start += batch {
		part := pairs[start:min(start+batch, len(pairs))]
		args := make([]any, 0, len(part)*4)
		for _, p := range part {
			args = append(args, wsID, p[0], p[1], now)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO monitor_mentions (workspace_id, topic_id, item_id, created_at) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(part)), ", ")+` ON CONFLICT (topic_id, item_id) DO NOTHING`, args...); err != nil {
			return err
		}
	}
	return nil
}
