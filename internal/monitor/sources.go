package monitor

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/monitor/catalog"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

const sourceCols = `s.id, s.workspace_id, s.kind, s.name, s.url, s.query, s.aggregator, s.language, s.account_id, s.outlet_id,
	s.catalog_key, s.interval_s, s.enabled, s.etag, s.last_modified, s.next_poll_at, s.last_polled_at, s.last_success_at,
	s.last_error_at, s.last_error_key, s.last_error_args, s.failures, s.items_total, s.created_at`

func scanSources(rows *sql.Rows) ([]*Source, error) {
	defer rows.Close()
	var out []*Source
	for rows.Next() {
		var src Source
		var account, outlet sql.NullInt64
		var interval int64
		var polled, success, failed sql.NullTime
		var args string
		if err := rows.Scan(&src.ID, &src.WorkspaceID, &src.Kind, &src.Name, &src.URL, &src.Query, &src.Aggregator, &src.Language,
			&account, &outlet, &src.CatalogKey, &interval, &src.Enabled, &src.etag, &src.lastModified, &src.NextPollAt, &polled,
			&success, &failed, &src.LastError, &args, &src.Failures, &src.ItemsTotal, &src.CreatedAt); err != nil {
			return nil, err
		}
		src.AccountID, src.OutletID = account.Int64, outlet.Int64
		src.Interval = time.Duration(interval) * time.Second
		src.LastPolled, src.LastSuccess, src.LastErrorAt = timePtr(polled), timePtr(success), timePtr(failed)
		_ = json.Unmarshal([]byte(args), &src.LastErrorArgs)
		out = append(out, &src)
	}
	return out, rows.Err()
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// Source returns one of the workspace's sources.
func (s *Service) Source(ctx context.Context, wsID, id int64) (*Source, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+sourceCols+` FROM monitor_sources s WHERE workspace_id = ? AND id = ?`, wsID, id)
	if err != nil {
		return nil, err
	}
	list, err := scanSources(rows)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, db.ErrNotFound
	}
	return list[0], nil
}

// Sources lists the workspace's sources, failing ones first, each with its items of the week.
func (s *Service) Sources(ctx context.Context, wsID int64) ([]*Source, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+sourceCols+` FROM monitor_sources s WHERE workspace_id = ?
		ORDER BY CASE WHEN last_error_key = '' THEN 1 ELSE 0 END, name, id`, wsID)
	if err != nil {
		return nil, err
	}
	list, err := scanSources(rows)
	if err != nil {
		return nil, err
	}
	week := map[int64]int{}
	rows, err = s.DB.Query(ctx, `SELECT source_id, COUNT(*) FROM monitor_items WHERE workspace_id = ? AND source_id IS NOT NULL
		AND fetched_at >= ? GROUP BY source_id`, wsID, s.now().UTC().Add(-7*24*time.Hour))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		week[id] = n
	}
	for _, src := range list {
		src.ItemsWeek = week[src.ID]
	}
	return list, rows.Err()
}

// SourceError is a source that could not be read when it was added, in the user's words: Key is
// a catalog key with Args; Suggest are feeds found on the page that was given instead.
type SourceError struct {
	Key     string
	Args    map[string]any
	Suggest []fetch.Found
}

func (e *SourceError) Error() string { return e.Key }

// validate checks a source's fields and fills defaults; field errors come back as web.Invalid.
func (s *Service) validate(ctx context.Context, wsID int64, in *SourceInput) error {
	f := web.NewForm(nil)
	in.Name, in.URL, in.Query = strings.TrimSpace(in.Name), strings.TrimSpace(in.URL), strings.TrimSpace(in.Query)
	if !slices.Contains(SourceKinds, in.Kind) {
		f.Fail("kind", "monitor.source.error.kind")
	}
	switch in.Kind {
	case fetch.Feed, fetch.Sitemap, fetch.Page:
		u, err := url.Parse(in.URL)
		switch {
		case in.URL == "":
			f.Fail("url", "form.required")
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			f.Fail("url", "monitor.source.error.url")
		case len(in.URL) > 2000:
			f.Fail("url", "monitor.source.error.url")
		}
		in.Query, in.Aggregator, in.AccountID = "", "", 0
	case fetch.Search, fetch.Mastodon, fetch.Bluesky:
		if in.Query == "" {
			f.Fail("query", "form.required")
		} else if len(in.Query) > 500 {
			f.Fail("query", "monitor.source.error.query_long")
		}
		in.URL = ""
		if in.Kind == fetch.Search {
			if _, err := fetch.SearchURL(in.Aggregator, in.Query, "id"); err != nil {
				f.Fail("aggregator", "monitor.source.error.aggregator")
			}
			in.AccountID = 0
		} else {
			in.Aggregator = ""
			ok := false
			if s.Accounts != nil && in.AccountID != 0 {
				accounts, err := s.Accounts.SearchAccounts(ctx, wsID)
				if err != nil {
					return err
				}
				for _, a := range accounts {
					ok = ok || (a.ID == in.AccountID && a.Network == string(in.Kind))
				}
			}
			if !ok {
				f.Fail("account_id", "monitor.source.error.account")
			}
		}
	}
	checkSettings(f, in)
	if !f.Valid() {
		return web.Invalid(f)
	}
	return nil
}

// checkSettings checks what a source keeps after it is added: its name, language and interval.
func checkSettings(f *web.Form, in *SourceInput) {
	if in.Language != "" && in.Language != "id" && in.Language != "en" {
		f.Fail("language", "monitor.source.error.language")
	}
	if in.Interval == 0 {
		in.Interval = DefaultInterval
	}
	if !slices.Contains(Intervals, in.Interval) {
		f.Fail("interval", "monitor.source.error.interval")
	}
	if len(in.Name) > 200 {
		f.Fail("name", "monitor.source.error.name_long")
	}
}

func (s *Service) defaultName(in SourceInput, res *fetch.Result) string {
	if in.Name != "" {
		return in.Name
	}
	if res != nil && strings.TrimSpace(res.Title) != "" {
		return clip(res.Title, 200)
	}
	if in.URL != "" {
		if u, err := url.Parse(in.URL); err == nil {
			return strings.TrimPrefix(u.Host, "www.")
		}
	}
	return clip(in.Query, 200)
}

// AddSource checks that the source can be read, saves it and stores what it holds now, so a new
// source shows its items at once. A source that cannot be read is not saved: the error says why
// in plain words (and, for a web page that links feeds, which feeds it found). A passing outage
// (timeout, server trouble) does not stop the saving: polling tries again.
func (s *Service) AddSource(ctx context.Context, a audit.Actor, wsID int64, in SourceInput) (*Source, error) {
	if err := s.validate(ctx, wsID, &in); err != nil {
		return nil, err
	}
	src := &Source{WorkspaceID: wsID, Kind: in.Kind, URL: in.URL, Query: in.Query, Aggregator: in.Aggregator, Language: in.Language,
		AccountID: in.AccountID, OutletID: in.OutletID, Interval: in.Interval, Enabled: true}
	checkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	res, ferr := s.fetchOne(checkCtx, claimed{src: src, req: fetch.Request{Kind: in.Kind, URL: in.URL, Query: in.Query,
		Aggregator: in.Aggregator, Language: in.Language}})
	cancel()
	var fe *fetch.Error
	switch {
	case errors.As(ferr, &fe) && !fe.Temporary:
		se := &SourceError{Key: fe.Key, Args: fe.Args}
		if fe.Key == "monitor.fetch.error.not_a_feed" && in.Kind == fetch.Feed {
			if found, err := s.Fetcher.Discover(ctx, in.URL); err == nil {
				se.Suggest = found
			}
		}
		return nil, se
	case ferr != nil && ctx.Err() != nil:
		return nil, ctx.Err()
	}
	src.Name = s.defaultName(in, res)
	now := s.now().UTC()
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		e := tx.QueryRow(ctx, `INSERT INTO monitor_sources (workspace_id, kind, name, url, query, aggregator, language, account_id, outlet_id,
			interval_s, next_poll_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			wsID, src.Kind, src.Name, src.URL, src.Query, src.Aggregator, src.Language, nullID(src.AccountID), nullID(src.OutletID),
			int64(src.Interval/time.Second), now.Add(src.Interval), now, now).Scan(&src.ID)
		if db.IsUniqueViolation(e) {
			f := web.NewForm(nil)
			if src.URL != "" {
				f.Fail("url", "monitor.source.error.exists")
			} else {
				f.Fail("query", "monitor.source.error.exists")
			}
			return web.Invalid(f)
		}
		if e != nil {
			return e
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.source_added", "monitor_source", src.ID,
			map[string]audit.Change{"name": {To: src.Name}, "url": {To: src.URL + src.Query}}))
	})
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, fetched{c: claimed{src: src}, res: res, err: ferr}); err != nil {
		return nil, err
	}
	return s.Source(ctx, wsID, src.ID)
}

// UpdateSource changes a source's name, language, interval and whether it is polled. Its address
// or query stays: a different one is a different source.
func (s *Service) UpdateSource(ctx context.Context, a audit.Actor, wsID, id int64, in SourceInput) (*Source, error) {
	src, err := s.Source(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	// Only what the settings form shows is checked: a source whose account was disconnected can
	// still be paused or renamed.
	f := web.NewForm(nil)
	in.Name = strings.TrimSpace(in.Name)
	checkSettings(f, &in)
	if !f.Valid() {
		return nil, web.Invalid(f)
	}
	if in.Name == "" {
		in.Name = src.Name
	}
	now := s.now().UTC()
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		next := src.NextPollAt
		if in.Enabled && (!src.Enabled || in.Interval < src.Interval) {
			next = now
		}
		if _, err := tx.Exec(ctx, `UPDATE monitor_sources SET name = ?, language = ?, interval_s = ?, enabled = ?, next_poll_at = ?,
			updated_at = ? WHERE workspace_id = ? AND id = ?`, in.Name, in.Language, int64(in.Interval/time.Second), in.Enabled, next,
			now, wsID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.source_updated", "monitor_source", id, map[string]audit.Change{
			"name": {From: src.Name, To: in.Name}, "interval": {From: src.Interval.String(), To: in.Interval.String()}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Source(ctx, wsID, id)
}

// DeleteSource stops following a source. The items it gave stay, with their mentions.
func (s *Service) DeleteSource(ctx context.Context, a audit.Actor, wsID, id int64) error {
	src, err := s.Source(ctx, wsID, id)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM monitor_sources WHERE workspace_id = ? AND id = ?`, wsID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.source_deleted", "monitor_source", id,
			map[string]audit.Change{"name": {From: src.Name}}))
	})
}

// PollNow asks for the source to be polled at once, by a job.
func (s *Service) PollNow(ctx context.Context, wsID, id int64) error {
	if _, err := s.Source(ctx, wsID, id); err != nil {
		return err
	}
	return s.Queue.Insert(ctx, pollSourceArgs{WorkspaceID: wsID, SourceID: id}, nil)
}

// AddFromCatalog follows starter catalogue entries in one step: each becomes a source (polled
// within a poll interval; right away by a job) and finds or creates its outlet in media relations.
// Entries the workspace already follows are skipped. It returns how many were added.
func (s *Service) AddFromCatalog(ctx context.Context, a audit.Actor, wsID int64, keys []string) (int, error) {
	now := s.now().UTC()
	var ids []int64
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		ids = ids[:0]
		for _, key := range keys {
			e, ok := catalog.Lookup(key)
			if !ok {
				continue
			}
			var outletID any
			if s.Outlets != nil {
				id, err := s.Outlets.EnsureOutlet(ctx, tx, wsID, OutletInput{Name: e.Name, Website: e.Website, FeedURL: e.FeedURL,
					Type: e.Type, Province: e.Province, City: e.City, Country: e.Country, Language: e.Language})
				if err != nil {
					return err
				}
				outletID = id
			}
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO monitor_sources (workspace_id, kind, name, url, language, outlet_id, catalog_key, interval_s,
				next_poll_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (workspace_id, kind, url, query) DO NOTHING RETURNING id`,
				wsID, e.Kind, e.Name, e.FeedURL, e.Language, outletID, e.Key, int64(DefaultInterval/time.Second), now, now, now).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			ids = append(ids, id)
			if err := audit.Record(ctx, tx, a.Entry(wsID, "monitor.source_added", "monitor_source", id,
				map[string]audit.Change{"name": {To: e.Name}, "url": {To: e.FeedURL}})); err != nil {
				return err
			}
		}
		return nil
	})
	return len(ids), err
}

// CatalogKeys are the catalogue entries the workspace follows already.
func (s *Service) CatalogKeys(ctx context.Context, wsID int64) (map[string]bool, error) {
	rows, err := s.DB.Query(ctx, `SELECT catalog_key FROM monitor_sources WHERE workspace_id = ? AND catalog_key <> ''`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}
