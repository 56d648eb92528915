package monitor

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/web"
)

const itemCols = `i.id, i.workspace_id, i.source_id, i.url, i.canonical, i.title, i.author, i.summary, i.body, i.lang, i.outlet_id,
	i.outlet_name, i.outlet_type, i.region, i.reach, i.medium, i.placement, i.asset_id, i.published_at, i.fetched_at, i.duplicate_of,
	i.sentiment, i.sentiment_auto, i.sentiment_by`

func scanItem(sc interface{ Scan(...any) error }, it *Item, more ...any) error {
	var source, outlet, asset, dup, by sql.NullInt64
	err := sc.Scan(append([]any{&it.ID, &it.WorkspaceID, &source, &it.URL, &it.Canonical, &it.Title, &it.Author, &it.Summary, &it.Body,
		&it.Lang, &outlet, &it.OutletName, &it.OutletType, &it.Region, &it.Reach, &it.Medium, &it.Placement, &asset, &it.PublishedAt,
		&it.FetchedAt, &dup, &it.Sentiment, &it.SentimentAuto, &by}, more...)...)
	it.SourceID, it.OutletID, it.AssetID, it.DuplicateOf, it.SentimentBy = source.Int64, outlet.Int64, asset.Int64, dup.Int64, by.Int64
	it.PublishedAt, it.FetchedAt = it.PublishedAt.UTC(), it.FetchedAt.UTC()
	return err
}

func scanItems(rows *sql.Rows) ([]Item, error) {
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var it Item
		if err := scanItem(rows, &it); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// leadOnly keeps a mention unless its item copies another item the same topic mentions: a story
// on several addresses is counted once, under its first copy.
const leadOnly = `(i.duplicate_of IS NULL OR NOT EXISTS (SELECT 1 FROM monitor_mentions d WHERE d.topic_id = m.topic_id AND d.item_id = i.duplicate_of))`

// Mentions lists the inbox: mentions of live topics, newest story first, each story once.
func (s *Service) Mentions(ctx context.Context, wsID int64, f MentionFilter) ([]Mention, error) {
	where, args := mentionWhere(wsID, f)
	order := "i.published_at DESC, m.id DESC"
	if f.ByID {
		where, args, order = where+" AND m.id > ?", append(args, f.After), "m.id"
	}
	args = append(args, max(f.Limit, 1), max(f.Offset, 0))
	rows, err := s.DB.Query(ctx, `SELECT `+itemCols+`, m.id, m.topic_id, t.name, m.state, m.assignee_id, COALESCE(u.name, ''), m.note, m.created_at,
		(SELECT COUNT(*) FROM monitor_items c WHERE c.duplicate_of = i.id)
		FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id JOIN monitor_topics t ON t.id = m.topic_id
		LEFT JOIN users u ON u.id = m.assignee_id
		WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	var out []Mention
	for rows.Next() {
		var m Mention
		var assignee sql.NullInt64
		if err := scanItem(rows, &m.Item, &m.ID, &m.TopicID, &m.TopicName, &m.State, &assignee, &m.Assignee, &m.Note, &m.CreatedAt,
			&m.CopyCount); err != nil {
			rows.Close()
			return nil, err
		}
		m.AssigneeID = assignee.Int64
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.fillLabels(ctx, wsID, out)
}

// CountMentions counts what Mentions would list without paging.
func (s *Service) CountMentions(ctx context.Context, wsID int64, f MentionFilter) (int, error) {
	where, args := mentionWhere(wsID, f)
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id
		JOIN monitor_topics t ON t.id = m.topic_id WHERE `+where, args...).Scan(&n)
	return n, err
}

func mentionWhere(wsID int64, f MentionFilter) (string, []any) {
	where := []string{"m.workspace_id = ?", "t.archived_at IS NULL", leadOnly}
	args := []any{wsID}
	if f.TopicID != 0 {
		where, args = append(where, "m.topic_id = ?"), append(args, f.TopicID)
	}
	switch {
	case slices.Contains(States, f.State):
		where, args = append(where, "m.state = ?"), append(args, f.State)
	case f.State == "":
		// What still needs a person: stories not looked at yet, and flagged ones.
		where = append(where, "m.state IN ('new', 'flagged')")
	}
	if slices.Contains(Sentiments, f.Sentiment) {
		where, args = append(where, "i.sentiment = ?"), append(args, f.Sentiment)
	}
	if f.Label != "" {
		where, args = append(where, "EXISTS (SELECT 1 FROM monitor_mention_labels l WHERE l.mention_id = m.id AND l.label = ?)"), append(args, f.Label)
	}
	if f.AssigneeID != 0 {
		where, args = append(where, "m.assignee_id = ?"), append(args, f.AssigneeID)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.ToLower(q) + "%"
		where = append(where, "(LOWER(i.title) LIKE ? OR LOWER(i.outlet_name) LIKE ? OR LOWER(i.author) LIKE ?)")
		args = append(args, like, like, like)
	}
	if !f.From.IsZero() {
		where, args = append(where, "i.published_at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "i.published_at < ?"), append(args, f.To.UTC())
	}
	return strings.Join(where, " AND "), args
}

func (s *Service) fillLabels(ctx context.Context, wsID int64, ms []Mention) error {
	if len(ms) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := []any{wsID}
	for i, m := range ms {
		idx[m.ID] = i
		args = append(args, m.ID)
	}
	rows, err := s.DB.Query(ctx, `SELECT mention_id, label FROM monitor_mention_labels WHERE workspace_id = ? AND mention_id IN (`+
		placeholders(len(ms))+`) ORDER BY label`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var l string
		if err := rows.Scan(&id, &l); err != nil {
			return err
		}
		ms[idx[id]].Labels = append(ms[idx[id]].Labels, l)
	}
	return rows.Err()
}

// Mention returns one mention with its story's other addresses.
func (s *Service) Mention(ctx context.Context, wsID, id int64) (*Mention, error) {
	var m Mention
	var assignee sql.NullInt64
	err := scanItem(s.DB.QueryRow(ctx, `SELECT `+itemCols+`, m.id, m.topic_id, t.name, m.state, m.assignee_id, COALESCE(u.name, ''), m.note, m.created_at
		FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id JOIN monitor_topics t ON t.id = m.topic_id
		LEFT JOIN users u ON u.id = m.assignee_id WHERE m.workspace_id = ? AND m.id = ?`, wsID, id),
		&m.Item, &m.ID, &m.TopicID, &m.TopicName, &m.State, &assignee, &m.Assignee, &m.Note, &m.CreatedAt)
	if err == sql.ErrNoRows {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	m.AssigneeID = assignee.Int64
	list := []Mention{m}
	if err := s.fillLabels(ctx, wsID, list); err != nil {
		return nil, err
	}
	m = list[0]
	m.Item.Copies, err = s.copies(ctx, wsID, &m.Item)
	m.CopyCount = len(m.Item.Copies)
	return &m, err
}

// copies are the other addresses of an item's story: its original and the original's copies.
func (s *Service) copies(ctx context.Context, wsID int64, it *Item) ([]Copy, error) {
	lead := it.ID
	if it.DuplicateOf != 0 {
		lead = it.DuplicateOf
	}
	rows, err := s.DB.Query(ctx, `SELECT id, url, title, outlet_name, published_at FROM monitor_items
		WHERE workspace_id = ? AND (id = ? OR duplicate_of = ?) AND id <> ? ORDER BY published_at, id`, wsID, lead, lead, it.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Copy
	for rows.Next() {
		var c Copy
		if err := rows.Scan(&c.ID, &c.URL, &c.Title, &c.OutletName, &c.Published); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Highlight is the mention's text with the words its topic matched, for the inbox.
func (s *Service) Highlight(ctx context.Context, wsID int64, m *Mention, width int) []Part {
	var hits []query.Hit
	if t, err := s.Topic(ctx, wsID, m.TopicID); err == nil {
		if q, err := query.Parse(t.Query); err == nil {
			hits, _ = q.Match(m.Item.Text())
		}
	}
	return itemSnippet(&m.Item, hits, width)
}

// itemSnippet cuts an item's text around the hits a query found in it. The headline is shown on
// its own, so the snippet starts after it (the query still reads both).
func itemSnippet(it *Item, hits []query.Hit, width int) []Part {
	text := it.Text()
	body := strings.TrimPrefix(text, it.Title+"\n")
	if strings.TrimSpace(body) == "" {
		body = text
	}
	// Hits count words from the headline's first; the body's words come after the headline's.
	skip := len(query.Tokenize(text)) - len(query.Tokenize(body))
	var inBody []query.Hit
	for _, h := range hits {
		if h.Pos >= skip {
			h.Pos -= skip
			inBody = append(inBody, h)
		}
	}
	return Snippet(body, inBody, width)
}

// TriageMentions applies one change to several mentions of the workspace (bulk actions).
func (s *Service) TriageMentions(ctx context.Context, a audit.Actor, wsID int64, ids []int64, t Triage) (int, error) {
	f := web.NewForm(nil)
	if t.State != nil && !slices.Contains(States, *t.State) {
		f.Fail("state", "monitor.mention.error.state")
	}
	if t.Note != nil && len(*t.Note) > 5000 {
		f.Fail("note", "monitor.mention.error.note_long")
	}
	label := normalLabel(t.AddLabel)
	if t.AddLabel != "" && (label == "" || len(label) > 60) {
		f.Fail("label", "monitor.mention.error.label")
	}
	if !f.Valid() {
		return 0, web.Invalid(f)
	}
	now := s.now().UTC()
	n := 0
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		n = 0
		if t.AssigneeID != nil && *t.AssigneeID != 0 {
			var ok int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM memberships WHERE workspace_id = ? AND user_id = ?`, wsID, *t.AssigneeID).Scan(&ok); err != nil {
				return err
			}
			if ok == 0 {
				f.Fail("assignee_id", "monitor.mention.error.assignee")
				return web.Invalid(f)
			}
		}
		for _, id := range ids {
			var exists int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM monitor_mentions WHERE workspace_id = ? AND id = ?`, wsID, id).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				continue
			}
			n++
			changes := map[string]audit.Change{}
			if t.State != nil {
				if _, err := tx.Exec(ctx, `UPDATE monitor_mentions SET state = ?, triaged_at = ?, triaged_by = ? WHERE id = ?`,
					*t.State, now, nullID(a.UserID), id); err != nil {
					return err
				}
				changes["state"] = audit.Change{To: *t.State}
			}
			if t.AssigneeID != nil {
				if _, err := tx.Exec(ctx, `UPDATE monitor_mentions SET assignee_id = ? WHERE id = ?`, nullID(*t.AssigneeID), id); err != nil {
					return err
				}
				changes["assignee"] = audit.Change{To: itoa(*t.AssigneeID)}
			}
			if t.Note != nil {
				if _, err := tx.Exec(ctx, `UPDATE monitor_mentions SET note = ? WHERE id = ?`, strings.TrimSpace(*t.Note), id); err != nil {
					return err
				}
				changes["note"] = audit.Change{To: strings.TrimSpace(*t.Note)}
			}
			if label != "" {
				if _, err := tx.Exec(ctx, `INSERT INTO monitor_mention_labels (mention_id, workspace_id, label) VALUES (?, ?, ?)
					ON CONFLICT (mention_id, label) DO NOTHING`, id, wsID, label); err != nil {
					return err
				}
				changes["label"] = audit.Change{To: label}
			}
			if rm := normalLabel(t.RemoveLabel); rm != "" {
				if _, err := tx.Exec(ctx, `DELETE FROM monitor_mention_labels WHERE mention_id = ? AND label = ?`, id, rm); err != nil {
					return err
				}
				changes["label"] = audit.Change{From: rm}
			}
			if err := audit.Record(ctx, tx, a.Entry(wsID, "monitor.mention_triaged", "monitor_mention", id, changes)); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

func normalLabel(l string) string { return strings.ToLower(strings.Join(strings.Fields(l), " ")) }

// Labels are the labels in use in the workspace.
func (s *Service) Labels(ctx context.Context, wsID int64) ([]string, error) {
	rows, err := s.DB.Query(ctx, `SELECT DISTINCT label FROM monitor_mention_labels WHERE workspace_id = ? ORDER BY label`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// SetSentiment overrides an item's sentiment; "" goes back to the computed one. The override is
// kept whatever the lexicon says later.
func (s *Service) SetSentiment(ctx context.Context, a audit.Actor, wsID, itemID int64, label string) error {
	if label != "" && !slices.Contains(Sentiments, label) {
		f := web.NewForm(nil)
		f.Fail("sentiment", "monitor.mention.error.sentiment")
		return web.Invalid(f)
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		var before, auto string
		err := tx.QueryRow(ctx, `SELECT sentiment, sentiment_auto FROM monitor_items WHERE workspace_id = ? AND id = ?`, wsID, itemID).Scan(&before, &auto)
		if err == sql.ErrNoRows {
			return db.ErrNotFound
		}
		if err != nil {
			return err
		}
		if label == "" {
			_, err = tx.Exec(ctx, `UPDATE monitor_items SET sentiment = sentiment_auto, sentiment_by = NULL, sentiment_at = NULL WHERE id = ?`, itemID)
			label = auto
		} else {
			_, err = tx.Exec(ctx, `UPDATE monitor_items SET sentiment = ?, sentiment_by = ?, sentiment_at = ? WHERE id = ?`,
				label, nullID(a.UserID), s.now().UTC(), itemID)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Entry(wsID, "monitor.sentiment_set", "monitor_item", itemID,
			map[string]audit.Change{"sentiment": {From: before, To: label}}))
	})
}

// Members are the people mentions can be assigned to.
func (s *Service) Members(ctx context.Context, wsID int64) ([]Member, error) {
	rows, err := s.DB.Query(ctx, `SELECT u.id, u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = ? AND u.disabled_at IS NULL ORDER BY u.name, u.email`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.Name, &m.Email); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Member is a person of the workspace.
type Member struct {
	ID          int64
	Name, Email string
}

// Part is a piece of a snippet; Mark pieces are the words that matched.
type Part struct {
	Text string
	Mark bool
}

// Snippet cuts about width bytes of text around the first hit and marks every hit inside.
func Snippet(text string, hits []query.Hit, width int) []Part {
	text = strings.Join(strings.Fields(text), " ")
	// Offsets were counted on the original text; find the hits again in the collapsed one.
	tokens := query.Tokenize(text)
	var marks [][2]int
	for _, h := range hits {
		if h.Pos >= 0 && h.Pos+h.Len <= len(tokens) && h.Len > 0 {
			marks = append(marks, [2]int{tokens[h.Pos].Start, tokens[h.Pos+h.Len-1].End})
		}
	}
	slices.SortFunc(marks, func(a, b [2]int) int { return a[0] - b[0] })
	start := 0
	if len(marks) > 0 && marks[0][0] > width/3 {
		start = marks[0][0] - width/3
	}
	end := min(len(text), start+width)
	start, end = wordStart(text, start), wordEnd(text, end)
	var out []Part
	if start > 0 {
		out = append(out, Part{Text: "… "})
	}
	at := start
	for _, mk := range marks {
		if mk[0] < at || mk[1] > end {
			continue
		}
		if mk[0] > at {
			out = append(out, Part{Text: text[at:mk[0]]})
		}
		out = append(out, Part{Text: text[mk[0]:mk[1]], Mark: true})
		at = mk[1]
	}
	if at < end {
		out = append(out, Part{Text: text[at:end]})
	}
	if end < len(text) {
		out = append(out, Part{Text: " …"})
	}
	return out
}

func wordStart(s string, i int) int {
	if i <= 0 {
		return 0
	}
	for i < len(s) && s[i-1] != ' ' {
		i++
	}
	return min(i, len(s))
}

func wordEnd(s string, i int) int {
	for i < len(s) && s[i] != ' ' {
		i++
	}
	return i
}
