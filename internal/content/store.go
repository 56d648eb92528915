package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/platform/db"
)

// The SQL of the content tables. Every query names the workspace.

const itemColumns = `i.id, i.workspace_id, i.title, i.body, i.lang, COALESCE(i.translation_of, 0), COALESCE(i.owner_id, 0),
	COALESCE(u.name, ''), COALESCE(i.campaign_id, 0), i.status, i.labels, i.attachments, i.scheduled_at, i.offset_days,
	i.offset_clock, i.published_at, i.version, i.created_at, i.updated_at, i.kind`

const itemFrom = ` FROM content_items i LEFT JOIN users u ON u.id = i.owner_id`

func scanItem(row interface{ Scan(...any) error }) (*Item, error) {
	it := &Item{}
	var labels, attachments string
	var scheduled, published sql.NullTime
	var days sql.NullInt64
	var clock sql.NullString
	err := row.Scan(&it.ID, &it.WorkspaceID, &it.Title, &it.Body, &it.Lang, &it.TranslationOf, &it.OwnerID, &it.OwnerName,
		&it.CampaignID, &it.Status, &labels, &attachments, &scheduled, &days, &clock, &published, &it.Version, &it.CreatedAt, &it.UpdatedAt, &it.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	it.Labels = splitList(labels)
	it.Attachments = splitIDs(attachments)
	if scheduled.Valid {
		it.ScheduledAt = &scheduled.Time
	}
	if published.Valid {
		it.PublishedAt = &published.Time
	}
	if days.Valid && clock.Valid {
		it.Offset = &campaign.Offset{Days: int(days.Int64), Clock: clock.String}
	}
	return it, nil
}

func getItem(ctx context.Context, c db.Conn, wsID, id int64) (*Item, error) {
	it, err := scanItem(c.QueryRow(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.workspace_id = ? AND i.id = ?`, wsID, id))
	if err != nil {
		return nil, err
	}
	it.Variants, err = listVariants(ctx, c, wsID, id)
	return it, err
}

func listVariants(ctx context.Context, c db.Conn, wsID, itemID int64) ([]Variant, error) {
	rows, err := c.Query(ctx, `SELECT network, text, first_comment, media, thread FROM content_variants
		WHERE workspace_id = ? AND item_id = ? ORDER BY network`, wsID, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Variant{}
	for rows.Next() {
		var v Variant
		var media string
		if err := rows.Scan(&v.Network, &v.Text, &v.FirstComment, &media, &v.Thread); err != nil {
			return nil, err
		}
		v.Media = splitIDs(media)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Filter narrows the item list.
type Filter struct {
	Query      string
	Status     Status
	Network    channel.Network
	CampaignID int64
	Label      string
	OwnerID    int64
	Lang       string
	// Kind keeps items of one kind; "" all.
	Kind Kind
	// IDs, when not nil, keeps only these items (none when empty).
	IDs []int64
	// Sort is "updated" (newest first, the default), "scheduled" or "title".
	Sort  string
	Page  int
	Limit int
}

func listItems(ctx context.Context, c db.Conn, wsID int64, f Filter) ([]Item, int, error) {
	where := ` WHERE i.workspace_id = ?`
	args := []any{wsID}
	if f.Query != "" {
		where += ` AND (LOWER(i.title) LIKE ? OR LOWER(i.body) LIKE ?)`
		q := "%" + strings.ToLower(f.Query) + "%"
		args = append(args, q, q)
	}
	if f.Status != "" {
		where += ` AND i.status = ?`
		args = append(args, string(f.Status))
	} else {
		where += ` AND i.status <> ?`
		args = append(args, string(Archived))
	}
	if f.Network != "" {
		where += ` AND EXISTS (SELECT 1 FROM content_variants v WHERE v.item_id = i.id AND v.workspace_id = i.workspace_id AND v.network = ?)`
		args = append(args, string(f.Network))
	}
	if f.CampaignID != 0 {
		where += ` AND i.campaign_id = ?`
		args = append(args, f.CampaignID)
	}
	if f.Label != "" && !strings.ContainsAny(f.Label, "%_,") {
		// Labels hold no commas; % and _ would be wildcards, and no label is made of them.
		where += ` AND i.labels LIKE ?`
		args = append(args, "%,"+f.Label+",%")
	}
	if f.OwnerID != 0 {
		where += ` AND i.owner_id = ?`
		args = append(args, f.OwnerID)
	}
	if f.Lang != "" {
		where += ` AND i.lang = ?`
		args = append(args, f.Lang)
	}
	if f.Kind != "" {
		where += ` AND i.kind = ?`
		args = append(args, string(f.Kind))
	}
	if f.IDs != nil {
		ids := []string{"0"} // an empty list matches nothing
		for _, id := range f.IDs {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		where += ` AND i.id IN (` + strings.Join(ids, ",") + `)`
	}
	var total int
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM content_items i`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := ` ORDER BY i.updated_at DESC, i.id DESC`
	switch f.Sort {
	case "scheduled":
		order = ` ORDER BY i.scheduled_at IS NULL, i.scheduled_at, i.id`
	case "title":
		order = ` ORDER BY LOWER(i.title), i.id`
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 25
	}
	page := max(f.Page, 1)
	rows, err := c.Query(ctx, `SELECT `+itemColumns+itemFrom+where+order+` LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa((page-1)*limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	// Variants of the page in one query, not one per item.
	if len(out) > 0 {
		idx := map[int64]int{}
		var ids []string
		for i, it := range out {
			idx[it.ID] = i
			ids = append(ids, strconv.FormatInt(it.ID, 10))
		}
		vrows, err := c.Query(ctx, `SELECT item_id, network, text, first_comment, media FROM content_variants
			WHERE workspace_id = ? AND item_id IN (`+strings.Join(ids, ",")+`) ORDER BY network`, wsID)
		if err != nil {
			return nil, 0, err
		}
		defer vrows.Close()
		for vrows.Next() {
			var id int64
			var v Variant
			var media string
			if err := vrows.Scan(&id, &v.Network, &v.Text, &v.FirstComment, &media); err != nil {
				return nil, 0, err
			}
			v.Media = splitIDs(media)
			out[idx[id]].Variants = append(out[idx[id]].Variants, v)
		}
		if err := vrows.Err(); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func insertItem(ctx context.Context, tx *db.Tx, it *Item) error {
	if it.Kind == "" {
		it.Kind = KindPost
	}
	return tx.QueryRow(ctx, `INSERT INTO content_items (workspace_id, title, body, lang, translation_of, owner_id, campaign_id, status,
		labels, attachments, version, created_at, updated_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		it.WorkspaceID, it.Title, it.Body, it.Lang, nullID(it.TranslationOf), nullID(it.OwnerID), nullID(it.CampaignID), string(it.Status),
		joinList(it.Labels), joinIDs(it.Attachments), it.CreatedAt, it.UpdatedAt, string(it.Kind)).Scan(&it.ID)
}

// updateItem writes the editable fields if the stored version is still base; false when someone
// saved in between.
func updateItem(ctx context.Context, tx *db.Tx, it *Item, base int) (bool, error) {
	res, err := tx.Exec(ctx, `UPDATE content_items SET title = ?, body = ?, lang = ?, translation_of = ?, campaign_id = ?, status = ?,
		labels = ?, attachments = ?, version = version + 1, updated_at = ? WHERE workspace_id = ? AND id = ? AND version = ?`,
		it.Title, it.Body, it.Lang, nullID(it.TranslationOf), nullID(it.CampaignID), string(it.Status), joinList(it.Labels),
		joinIDs(it.Attachments), it.UpdatedAt, it.WorkspaceID, it.ID, base)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func replaceVariants(ctx context.Context, tx *db.Tx, wsID, itemID int64, vs []Variant) error {
	if _, err := tx.Exec(ctx, `DELETE FROM content_variants WHERE workspace_id = ? AND item_id = ?`, wsID, itemID); err != nil {
		return err
	}
	for _, v := range vs {
		if _, err := tx.Exec(ctx, `INSERT INTO content_variants (item_id, workspace_id, network, text, first_comment, media, thread) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			itemID, wsID, string(v.Network), v.Text, v.FirstComment, joinIDs(v.Media), v.Thread); err != nil {
			return err
		}
	}
	return nil
}

func insertVersion(ctx context.Context, tx *db.Tx, it *Item, version int, authorID int64, author string) error {
	variants, err := json.Marshal(it.Variants)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO content_versions (workspace_id, item_id, version, title, body, variants, author_id, author, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, it.WorkspaceID, it.ID, version, it.Title, it.Body, string(variants), nullID(authorID), author, it.UpdatedAt)
	return err
}

func listVersions(ctx context.Context, c db.Conn, wsID, itemID int64) ([]Version, error) {
	rows, err := c.Query(ctx, `SELECT id, version, title, body, variants, COALESCE(author_id, 0), author, created_at
		FROM content_versions WHERE workspace_id = ? AND item_id = ? ORDER BY version DESC`, wsID, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var variants string
		if err := rows.Scan(&v.ID, &v.Version, &v.Title, &v.Body, &variants, &v.AuthorID, &v.Author, &v.CreatedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(variants), &v.Variants); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func setStatus(ctx context.Context, tx *db.Tx, wsID, id int64, st Status, scheduled *time.Time, offset *campaign.Offset) error {
	var days, clock any
	if offset != nil {
		days, clock = offset.Days, offset.Clock
	}
	var at any
	if scheduled != nil {
		at = scheduled.UTC()
	}
	_, err := tx.Exec(ctx, `UPDATE content_items SET status = ?, scheduled_at = ?, offset_days = ?, offset_clock = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, string(st), at, days, clock, now(), wsID, id)
	return err
}

func listComments(ctx context.Context, c db.Conn, wsID, itemID int64) ([]Comment, error) {
	rows, err := c.Query(ctx, `SELECT id, COALESCE(parent_id, 0), COALESCE(author_id, 0), author_name, author_email, body, resolved_at, created_at
		FROM content_comments WHERE workspace_id = ? AND item_id = ? ORDER BY id`, wsID, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []Comment
	for rows.Next() {
		var cm Comment
		var resolved sql.NullTime
		if err := rows.Scan(&cm.ID, &cm.ParentID, &cm.AuthorID, &cm.AuthorName, &cm.AuthorEmail, &cm.Body, &resolved, &cm.CreatedAt); err != nil {
			return nil, err
		}
		if resolved.Valid {
			cm.ResolvedAt = &resolved.Time
		}
		all = append(all, cm)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Threads: top-level comments with their replies, in order.
	var threads []Comment
	pos := map[int64]int{}
	for _, cm := range all {
		if i, ok := pos[cm.ParentID]; ok && cm.ParentID != 0 {
			threads[i].Replies = append(threads[i].Replies, cm)
			continue
		}
		pos[cm.ID] = len(threads)
		threads = append(threads, cm)
	}
	return threads, nil
}

func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(strings.Trim(s, ","), ",") {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// joinList stores a list as ",a,b," so a LIKE '%,a,%' finds one entry exactly.
func joinList(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return "," + strings.Join(xs, ",") + ","
}

func splitIDs(s string) []int64 {
	out := []int64{}
	for _, x := range splitList(s) {
		if id, err := strconv.ParseInt(x, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	var xs []string
	for _, id := range ids {
		xs = append(xs, strconv.FormatInt(id, 10))
	}
	return joinList(xs)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
