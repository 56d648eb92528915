package campaign

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// The SQL of the campaign tables. Every query names the workspace in its WHERE.

const columns = `id, workspace_id, name, description, colour, starts_on, ends_on, anchor_at, utm_campaign, version,
	COALESCE(created_by, 0), created_at, updated_at, archived_at`

func scan(row interface{ Scan(...any) error }) (*Campaign, error) {
	c := &Campaign{}
	var starts, ends sql.NullString
	var anchor, archived sql.NullTime
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Description, &c.Colour, &starts, &ends, &anchor, &c.UTMCampaign, &c.Version,
		&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &archived)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c.StartsOn, c.EndsOn = Date(starts.String), Date(ends.String)
	if anchor.Valid {
		t := anchor.Time.UTC()
		c.Anchor = &t
	}
	if archived.Valid {
		t := archived.Time.UTC()
		c.ArchivedAt = &t
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

// byID reads a campaign; inside a transaction lock it for the change that follows.
func byID(ctx context.Context, c db.Conn, wsID, id int64, lock bool) (*Campaign, error) {
	q := `SELECT ` + columns + ` FROM campaigns WHERE workspace_id = ? AND id = ?`
	if lock {
		q += db.ForUpdate(c)
	}
	return scan(c.QueryRow(ctx, q, wsID, id))
}

var orders = map[string]string{
	"starts":  `starts_on IS NULL, starts_on DESC, id DESC`,
	"name":    `LOWER(name), id`,
	"created": `created_at DESC, id DESC`,
	"id":      `id`,
}

// list returns at most f.Limit campaigns (all when 0).
func list(ctx context.Context, c db.Conn, wsID int64, f Filter) ([]Campaign, error) {
	q := `SELECT ` + columns + ` FROM campaigns WHERE workspace_id = ?`
	args := []any{wsID}
	if f.Archived {
		q += ` AND archived_at IS NOT NULL`
	} else {
		q += ` AND archived_at IS NULL`
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(s)) + "%"
		q += ` AND (LOWER(name) LIKE ? ESCAPE '\' OR LOWER(description) LIKE ? ESCAPE '\' OR LOWER(utm_campaign) LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	if f.After > 0 {
		q += ` AND id > ?`
		args = append(args, f.After)
	}
	order, ok := orders[f.Sort]
	if !ok {
		order = orders["starts"]
	}
	q += ` ORDER BY ` + order
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	}
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Campaign
	for rows.Next() {
		cp, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *cp)
	}
	return out, rows.Err()
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func insert(ctx context.Context, tx *db.Tx, wsID, by int64, in Input, anchor *time.Time) (*Campaign, error) {
	t := now()
	return scan(tx.QueryRow(ctx, `INSERT INTO campaigns (workspace_id, name, description, colour, starts_on, ends_on, anchor_at, utm_campaign,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+columns,
		wsID, in.Name, in.Description, in.Colour, nullDate(in.StartsOn), nullDate(in.EndsOn), nullTime(anchor), in.UTMCampaign,
		nullID(by), t, t))
}

// update saves in over version; false when someone else saved first.
func update(ctx context.Context, tx *db.Tx, wsID, id int64, version int, in Input) (bool, error) {
	res, err := tx.Exec(ctx, `UPDATE campaigns SET name = ?, description = ?, colour = ?, starts_on = ?, ends_on = ?, utm_campaign = ?,
		version = version + 1, updated_at = ? WHERE workspace_id = ? AND id = ? AND version = ?`,
		in.Name, in.Description, in.Colour, nullDate(in.StartsOn), nullDate(in.EndsOn), in.UTMCampaign, now(), wsID, id, version)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func setArchived(ctx context.Context, tx *db.Tx, wsID, id int64, at *time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE campaigns SET archived_at = ?, version = version + 1, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		nullTime(at), now(), wsID, id)
	return err
}

func setAnchor(ctx context.Context, tx *db.Tx, wsID, id int64, anchor time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE campaigns SET anchor_at = ?, version = version + 1, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		anchor.UTC(), now(), wsID, id)
	return err
}

// utmRows returns the campaign's stored UTM rows by channel.
func utmRows(ctx context.Context, c db.Conn, wsID, id int64) (map[string]ChannelUTM, error) {
	rows, err := c.Query(ctx, `SELECT channel, source, medium, content FROM campaign_utm WHERE workspace_id = ? AND campaign_id = ?`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]ChannelUTM{}
	for rows.Next() {
		var u ChannelUTM
		if err := rows.Scan(&u.Channel, &u.Source, &u.Medium, &u.Content); err != nil {
			return nil, err
		}
		out[u.Channel] = u
	}
	return out, rows.Err()
}

func saveUTM(ctx context.Context, tx *db.Tx, wsID, id int64, u ChannelUTM) error {
	_, err := tx.Exec(ctx, `INSERT INTO campaign_utm (campaign_id, workspace_id, channel, source, medium, content) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (campaign_id, channel) DO UPDATE SET source = excluded.source, medium = excluded.medium, content = excluded.content`,
		id, wsID, u.Channel, u.Source, u.Medium, u.Content)
	return err
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func nullDate(d Date) any {
	if d == "" {
		return nil
	}
	return string(d)
}

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
