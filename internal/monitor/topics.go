package monitor

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

const topicCols = `id, workspace_id, name, kind, query, key_messages, created_at, updated_at`

func scanTopic(sc interface{ Scan(...any) error }) (*Topic, error) {
	var t Topic
	var msgs string
	if err := sc.Scan(&t.ID, &t.WorkspaceID, &t.Name, &t.Kind, &t.Query, &msgs, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, err
	}
	t.KeyMessages = lines(msgs)
	return &t, nil
}

// lines splits text into its non-empty trimmed lines.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Topics lists the workspace's live topics by kind and name, each with its mention counts.
func (s *Service) Topics(ctx context.Context, wsID int64) ([]*Topic, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+topicCols+` FROM monitor_topics WHERE workspace_id = ? AND archived_at IS NULL ORDER BY name, id`, wsID)
	if err != nil {
		return nil, err
	}
	var out []*Topic
	byID := map[int64]*Topic{}
	for rows.Next() {
		t, err := scanTopic(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		t.Counts = map[string]int{}
		out = append(out, t)
		byID[t.ID] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.DB.Query(ctx, `SELECT m.topic_id, m.state, COUNT(*) FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id
		WHERE m.workspace_id = ? AND `+leadOnly+` GROUP BY m.topic_id, m.state`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var state string
		var n int
		if err := rows.Scan(&id, &state, &n); err != nil {
			return nil, err
		}
		if t := byID[id]; t != nil {
			t.Counts[state] = n
		}
	}
	slices.SortStableFunc(out, func(a, b *Topic) int {
		return slices.Index(TopicKinds, a.Kind) - slices.Index(TopicKinds, b.Kind)
	})
	return out, rows.Err()
}

// Topic returns one of the workspace's topics.
func (s *Service) Topic(ctx context.Context, wsID, id int64) (*Topic, error) {
	t, err := scanTopic(s.DB.QueryRow(ctx, `SELECT `+topicCols+` FROM monitor_topics WHERE workspace_id = ? AND id = ? AND archived_at IS NULL`, wsID, id))
	if err == sql.ErrNoRows {
		return nil, db.ErrNotFound
	}
	return t, err
}

// checkTopic validates a topic; a query that does not parse comes back as *query.Error.
func checkTopic(in *TopicInput) error {
	f := web.NewForm(nil)
	in.Name, in.Query = strings.TrimSpace(in.Name), strings.TrimSpace(in.Query)
	if in.Name == "" {
		f.Fail("name", "form.required")
	} else if len(in.Name) > 200 {
		f.Fail("name", "monitor.topic.error.name_long")
	}
	if !slices.Contains(TopicKinds, in.Kind) {
		f.Fail("kind", "monitor.topic.error.kind")
	}
	if len(in.KeyMessages) > 20 {
		f.Fail("key_messages", "monitor.topic.error.key_messages")
	}
	if !f.Valid() {
		return web.Invalid(f)
	}
	if _, err := query.Parse(in.Query); err != nil {
		if qe, ok := err.(*query.Error); ok {
			return qe
		}
		return err
	}
	return nil
}

// CreateTopic saves a topic; the items already collected are matched against it by a job.
func (s *Service) CreateTopic(ctx context.Context, a audit.Actor, wsID int64, in TopicInput) (*Topic, error) {
	if err := checkTopic(&in); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var id int64
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO monitor_topics (workspace_id, name, kind, query, key_messages, created_by,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, wsID, in.Name, in.Kind, in.Query,
			strings.Join(in.KeyMessages, "\n"), nullID(a.UserID), now, now).Scan(&id); err != nil {
			return err
		}
		if err := s.Queue.InsertTx(ctx, tx, backfillArgs{WorkspaceID: wsID, TopicID: id}, nil); err != nil {
			return err
		}
		if err := bumpTopics(ctx, tx, wsID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.topic_created", "monitor_topic", id,
			map[string]audit.Change{"name": {To: in.Name}, "query": {To: in.Query}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Topic(ctx, wsID, id)
}

// UpdateTopic changes a topic; a changed query is matched again against the items collected.
func (s *Service) UpdateTopic(ctx context.Context, a audit.Actor, wsID, id int64, in TopicInput) (*Topic, error) {
	old, err := s.Topic(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	if err := checkTopic(&in); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE monitor_topics SET name = ?, kind = ?, query = ?, key_messages = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ?`, in.Name, in.Kind, in.Query, strings.Join(in.KeyMessages, "\n"), now, wsID, id); err != nil {
			return err
		}
		if in.Query != old.Query {
			if err := s.Queue.InsertTx(ctx, tx, backfillArgs{WorkspaceID: wsID, TopicID: id}, nil); err != nil {
				return err
			}
			if err := bumpTopics(ctx, tx, wsID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.topic_updated", "monitor_topic", id, map[string]audit.Change{
			"name": {From: old.Name, To: in.Name}, "query": {From: old.Query, To: in.Query}}))
	})
	if err != nil {
		return nil, err
	}
	return s.Topic(ctx, wsID, id)
}

// ArchiveTopic stops a topic matching; its mentions stay for the reports.
func (s *Service) ArchiveTopic(ctx context.Context, a audit.Actor, wsID, id int64) error {
	t, err := s.Topic(ctx, wsID, id)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE monitor_topics SET archived_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`, now, now, wsID, id); err != nil {
			return err
		}
		if err := bumpTopics(ctx, tx, wsID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.topic_archived", "monitor_topic", id, map[string]audit.Change{"name": {From: t.Name}}))
	})
}

// backfillWindow is how far back a new or changed query looks through the items collected.
const backfillWindow = 30 * 24 * time.Hour

type backfillArgs struct {
	WorkspaceID int64 `json:"workspace_id"`
	TopicID     int64 `json:"topic_id"`
}

func (backfillArgs) Kind() string { return "monitor_backfill" }

type backfillWorker struct {
	river.WorkerDefaults[backfillArgs]
	s *Service
}

func (w *backfillWorker) Work(ctx context.Context, j *river.Job[backfillArgs]) error {
	return w.s.Backfill(ctx, j.Args.WorkspaceID, j.Args.TopicID)
}

// Timeout leaves room for a month of stories in a busy workspace.
func (w *backfillWorker) Timeout(*river.Job[backfillArgs]) time.Duration { return 10 * time.Minute }

// Backfill matches a topic's query against the items of the last 30 days: matching items become
// mentions, and untouched mentions (new, no note, label or assignee) of items it no longer matches
// go. Mentions a person triaged stay whatever the query now says.
func (s *Service) Backfill(ctx context.Context, wsID, topicID int64) error {
	t, err := s.Topic(ctx, wsID, topicID)
	if err == db.ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	q, err := query.Parse(t.Query)
	if err != nil {
		return nil
	}
	since := s.now().UTC().Add(-backfillWindow)
	var match, miss []int64
	err = s.eachItem(ctx, wsID, since, func(it *Item) error {
		if _, ok := q.Match(it.Text()); ok {
			match = append(match, it.ID)
		} else {
			miss = append(miss, it.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	now := s.now().UTC()
	for start := 0; start < max(len(match), len(miss)); start += 500 {
		err := s.DB.Tx(ctx, func(tx *db.Tx) error {
			if err := lockWorkspace(ctx, tx, wsID); err != nil {
				return err
			}
			for _, id := range match[min(start, len(match)):min(start+500, len(match))] {
				// Stories found again by a changed query are counted, never announced as new.
				if _, err := tx.Exec(ctx, `INSERT INTO monitor_mentions (workspace_id, topic_id, item_id, created_at, backfilled) VALUES (?, ?, ?, ?, TRUE)
					ON CONFLICT (topic_id, item_id) DO NOTHING`, wsID, topicID, id, now); err != nil {
					return err
				}
			}
			for _, id := range miss[min(start, len(miss)):min(start+500, len(miss))] {
				if _, err := tx.Exec(ctx, `DELETE FROM monitor_mentions WHERE topic_id = ? AND item_id = ? AND state = 'new' AND note = ''
					AND assignee_id IS NULL AND NOT EXISTS (SELECT 1 FROM monitor_mention_labels l WHERE l.mention_id = monitor_mentions.id)`,
					topicID, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachItem calls fn with every item of the workspace read since, newest first, a page at a time.
func (s *Service) eachItem(ctx context.Context, wsID int64, since time.Time, fn func(*Item) error) error {
	after := int64(1 << 62)
	for {
		rows, err := s.DB.Query(ctx, `SELECT id, title, summary, body FROM monitor_items WHERE workspace_id = ? AND fetched_at >= ? AND id < ?
			ORDER BY id DESC LIMIT 500`, wsID, since, after)
		if err != nil {
			return err
		}
		var page []Item
		for rows.Next() {
			var it Item
			if err := rows.Scan(&it.ID, &it.Title, &it.Summary, &it.Body); err != nil {
				rows.Close()
				return err
			}
			page = append(page, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < 500 {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// Preview is what a query would match among the items already collected.
type Preview struct {
	Scanned int
	Matched int
	Items   []PreviewItem
}

// PreviewItem is one item a previewed query matched, with the words that made it match.
type PreviewItem struct {
	Item    Item
	Snippet []Part
	Terms   []string
}

// previewLimit is how many recent items a preview reads, and previewShown how many matches it shows.
const (
	previewLimit = 3000
	previewShown = 20
)

// PreviewQuery runs a query against the most recent items, without saving anything. A query
// that does not parse returns *query.Error.
func (s *Service) PreviewQuery(ctx context.Context, wsID int64, src string) (*Preview, error) {
	q, err := query.Parse(src)
	if err != nil {
		if qe, ok := err.(*query.Error); ok {
			return nil, qe
		}
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT `+itemCols+` FROM monitor_items i WHERE i.workspace_id = ? ORDER BY i.published_at DESC, i.id DESC LIMIT ?`,
		wsID, previewLimit)
	if err != nil {
		return nil, err
	}
	items, err := scanItems(rows)
	if err != nil {
		return nil, err
	}
	// A story on several addresses counts once, as in the inbox: a copy is left out when its
	// original is among the items read (and, for matches, matched too).
	scanned, matched := map[int64]bool{}, map[int64][]query.Hit{}
	for i := range items {
		scanned[items[i].ID] = true
		if hits, ok := q.Match(items[i].Text()); ok {
			matched[items[i].ID] = hits
		}
	}
	p := &Preview{}
	for i := range items {
		it := &items[i]
		if !scanned[it.DuplicateOf] {
			p.Scanned++
		}
		hits, ok := matched[it.ID]
		if !ok || matched[it.DuplicateOf] != nil {
			continue
		}
		p.Matched++
		if len(p.Items) < previewShown {
			p.Items = append(p.Items, PreviewItem{Item: *it, Snippet: itemSnippet(it, hits, 320), Terms: terms(hits)})
		}
	}
	return p, nil
}

// terms are the distinct query terms of hits, in order of first appearance.
func terms(hits []query.Hit) []string {
	var out []string
	for _, h := range hits {
		if !slices.Contains(out, h.Term) {
			out = append(out, h.Term)
		}
	}
	return out
}
