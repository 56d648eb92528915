package release

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// The SQL of the release tables. Every query names the workspace in its WHERE. The headline,
// body, language and status are the content item's, read through the content studio.

const columns = `id, workspace_id, item_id, number, subheadline, dateline_city, dateline_date, boilerplate,
	contact_name, contact_role, contact_phone, contact_email, embargo_at, zone, created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (*Release, error) {
	r := &Release{}
	var embargo sql.NullTime
	err := row.Scan(&r.ID, &r.WorkspaceID, &r.ItemID, &r.Number, &r.Subheadline, &r.DatelineCity, &r.DatelineDate, &r.Boilerplate,
		&r.ContactName, &r.ContactRole, &r.ContactPhone, &r.ContactEmail, &embargo, &r.Zone, &r.CreatedAt, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if embargo.Valid {
		t := embargo.Time.UTC()
		r.Embargo = &t
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}

func rowByID(ctx context.Context, c db.Conn, wsID, id int64) (*Release, error) {
	return scan(c.QueryRow(ctx, `SELECT `+columns+` FROM press_releases WHERE workspace_id = ? AND id = ?`, wsID, id))
}

func rowByItem(ctx context.Context, c db.Conn, wsID, itemID int64) (*Release, error) {
	return scan(c.QueryRow(ctx, `SELECT `+columns+` FROM press_releases WHERE workspace_id = ? AND item_id = ?`, wsID, itemID))
}

// rowsByItems returns the rows of the items given, by item id.
func rowsByItems(ctx context.Context, c db.Conn, wsID int64, itemIDs []int64) (map[int64]*Release, error) {
	out := map[int64]*Release{}
	if len(itemIDs) == 0 {
		return out, nil
	}
	rows, err := c.Query(ctx, `SELECT `+columns+` FROM press_releases WHERE workspace_id = ? AND item_id IN (`+idList(itemIDs)+`)`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out[r.ItemID] = r
	}
	return out, rows.Err()
}

// recentRows are the workspace's newest releases, newest first.
func recentRows(ctx context.Context, c db.Conn, wsID int64, limit int) ([]*Release, error) {
	rows, err := c.Query(ctx, `SELECT `+columns+` FROM press_releases WHERE workspace_id = ? ORDER BY created_at DESC, id DESC LIMIT `+strconv.Itoa(limit), wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Release
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// itemIDsByEmbargo lists the items of the workspace's releases in one embargo state at now.
func itemIDsByEmbargo(ctx context.Context, c db.Conn, wsID int64, state string, now time.Time) ([]int64, error) {
	q := `SELECT item_id FROM press_releases WHERE workspace_id = ?`
	args := []any{wsID}
	switch state {
	case "immediate":
		q += ` AND embargo_at IS NULL`
	case "embargoed":
		q += ` AND embargo_at > ?`
		args = append(args, now.UTC())
	case "lifted":
		q += ` AND embargo_at <= ?`
		args = append(args, now.UTC())
	}
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func insertRow(ctx context.Context, tx *db.Tx, r *Release, by int64) error {
	t := now()
	r.CreatedAt, r.UpdatedAt = t, t
	return tx.QueryRow(ctx, `INSERT INTO press_releases (workspace_id, item_id, number, subheadline, dateline_city, dateline_date, boilerplate,
		contact_name, contact_role, contact_phone, contact_email, embargo_at, zone, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.WorkspaceID, r.ItemID, r.Number, r.Subheadline, r.DatelineCity, r.DatelineDate, r.Boilerplate,
		r.ContactName, r.ContactRole, r.ContactPhone, r.ContactEmail, nullTime(r.Embargo), r.Zone, nullID(by), t, t).Scan(&r.ID)
}

func updateRow(ctx context.Context, tx *db.Tx, r *Release) error {
	_, err := tx.Exec(ctx, `UPDATE press_releases SET number = ?, subheadline = ?, dateline_city = ?, dateline_date = ?, boilerplate = ?,
		contact_name = ?, contact_role = ?, contact_phone = ?, contact_email = ?, embargo_at = ?, zone = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		r.Number, r.Subheadline, r.DatelineCity, r.DatelineDate, r.Boilerplate, r.ContactName, r.ContactRole, r.ContactPhone, r.ContactEmail,
		nullTime(r.Embargo), r.Zone, now(), r.WorkspaceID, r.ID)
	return err
}

// nextNumber counts one more release in the workspace's year and returns its number.
func nextNumber(ctx context.Context, tx *db.Tx, wsID int64, year int) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `INSERT INTO press_release_counters (workspace_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (workspace_id, year) DO UPDATE SET last = press_release_counters.last + 1 RETURNING last`, wsID, year).Scan(&n)
	return n, err
}

func pattern(ctx context.Context, c db.Conn, wsID int64) (string, error) {
	var p string
	err := c.QueryRow(ctx, `SELECT number_pattern FROM press_release_settings WHERE workspace_id = ?`, wsID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultPattern, nil
	}
	return p, err
}

func savePattern(ctx context.Context, tx *db.Tx, wsID int64, p string) error {
	_, err := tx.Exec(ctx, `INSERT INTO press_release_settings (workspace_id, number_pattern) VALUES (?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET number_pattern = excluded.number_pattern`, wsID, p)
	return err
}

func insertShare(ctx context.Context, tx *db.Tx, wsID int64, s *Share, by int64) error {
	return tx.QueryRow(ctx, `INSERT INTO press_release_shares (workspace_id, release_id, channel, group_name, note, shared_by, shared_label, shared_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, wsID, s.ReleaseID, s.Channel, s.Group, s.Note, nullID(by), s.By, s.SharedAt).Scan(&s.ID)
}

func listShares(ctx context.Context, c db.Conn, wsID int64, releaseIDs []int64) ([]Share, error) {
	if len(releaseIDs) == 0 {
		return nil, nil
	}
	rows, err := c.Query(ctx, `SELECT id, release_id, channel, group_name, note, shared_label, shared_at FROM press_release_shares
		WHERE workspace_id = ? AND release_id IN (`+idList(releaseIDs)+`) ORDER BY shared_at DESC, id DESC`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Share
	for rows.Next() {
		var s Share
		if err := rows.Scan(&s.ID, &s.ReleaseID, &s.Channel, &s.Group, &s.Note, &s.By, &s.SharedAt); err != nil {
			return nil, err
		}
		s.SharedAt = s.SharedAt.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

func insertPost(ctx context.Context, tx *db.Tx, wsID, releaseID, itemID int64, offset int) error {
	_, err := tx.Exec(ctx, `INSERT INTO press_release_posts (workspace_id, release_id, item_id, offset_minutes) VALUES (?, ?, ?, ?)`,
		wsID, releaseID, itemID, offset)
	return err
}

type postRow struct {
	itemID  int64
	minutes int
}

func listPosts(ctx context.Context, c db.Conn, wsID, releaseID int64) ([]postRow, error) {
	rows, err := c.Query(ctx, `SELECT item_id, offset_minutes FROM press_release_posts WHERE workspace_id = ? AND release_id = ?
		ORDER BY offset_minutes, item_id`, wsID, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []postRow
	for rows.Next() {
		var p postRow
		if err := rows.Scan(&p.itemID, &p.minutes); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func changedSince(ctx context.Context, c db.Conn, since time.Time, after Change, limit int) ([]Change, error) {
	const at = `CASE WHEN r.updated_at > i.updated_at THEN r.updated_at ELSE i.updated_at END`
	where := `(r.updated_at >= ? OR i.updated_at >= ?)`
	args := []any{since, since}
	if after.ID != 0 {
		where += ` AND (` + at + ` > ? OR (` + at + ` = ? AND r.id > ?))`
		args = append(args, after.At, after.At, after.ID)
	}
	rows, err := c.Query(ctx, `SELECT r.workspace_id, r.id, r.updated_at, i.updated_at
		FROM press_releases r JOIN content_items i ON i.id = r.item_id
		WHERE `+where+` ORDER BY `+at+`, r.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var ch Change
		var own, item time.Time
		if err := rows.Scan(&ch.WorkspaceID, &ch.ID, &own, &item); err != nil {
			return nil, err
		}
		ch.At = own.UTC()
		if item.After(own) {
			ch.At = item.UTC()
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}
