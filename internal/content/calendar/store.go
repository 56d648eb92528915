package calendar

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
)

// The SQL of the feed table. Every query on one workspace's feeds names the workspace; a secret
// names its own.

func activeFeed(ctx context.Context, c db.Conn, wsID, userID int64) (*Feed, error) {
	f := &Feed{}
	var used sql.NullTime
	err := c.QueryRow(ctx, `SELECT id, created_at, last_used_at FROM calendar_feeds
		WHERE workspace_id = ? AND user_id = ? AND revoked_at IS NULL`, wsID, userID).Scan(&f.ID, &f.CreatedAt, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if used.Valid {
		f.LastUsedAt = &used.Time
	}
	return f, nil
}

func revokeFeeds(ctx context.Context, tx *db.Tx, wsID, userID int64) (int64, error) {
	res, err := tx.Exec(ctx, `UPDATE calendar_feeds SET revoked_at = ? WHERE workspace_id = ? AND user_id = ? AND revoked_at IS NULL`,
		now(), wsID, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func insertFeed(ctx context.Context, tx *db.Tx, wsID, userID int64, hash string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO calendar_feeds (workspace_id, user_id, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		wsID, userID, hash, now()).Scan(&id)
	return id, err
}

// feedByHash finds a live feed whose owner is still an active member able to see the calendar.
// A membership newer than the feed means the person left and came back: the old URL stays dead.
func feedByHash(ctx context.Context, c db.Conn, hash string) (*FeedOwner, error) {
	o := &FeedOwner{}
	var zone, wsLang, userLang, role string
	err := c.QueryRow(ctx, `SELECT f.id, f.workspace_id, w.slug, w.name, w.timezone, w.lang, u.lang, m.role
		FROM calendar_feeds f
		JOIN workspaces w ON w.id = f.workspace_id
		JOIN users u ON u.id = f.user_id
		JOIN memberships m ON m.workspace_id = f.workspace_id AND m.user_id = f.user_id
		WHERE f.token_hash = ? AND f.revoked_at IS NULL AND u.disabled_at IS NULL AND m.created_at <= f.created_at`, hash).
		Scan(&o.FeedID, &o.WorkspaceID, &o.WorkspaceSlug, &o.WorkspaceName, &zone, &wsLang, &userLang, &role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !access.Role(role).Can(access.ContentView)) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if o.Zone, err = time.LoadLocation(zone); err != nil {
		o.Zone = time.UTC
	}
	o.Lang = userLang
	if o.Lang == "" {
		o.Lang = wsLang
	}
	return o, nil
}

// touchFeed records use at most once a minute, so a polling calendar app does not write on
// every request. A failure here must not stop the feed.
func touchFeed(ctx context.Context, c db.Conn, wsID, id int64, at time.Time) {
	at = at.UTC().Truncate(time.Microsecond)
	if _, err := c.Exec(ctx, `UPDATE calendar_feeds SET last_used_at = ?
		WHERE workspace_id = ? AND id = ? AND (last_used_at IS NULL OR last_used_at < ?)`, at, wsID, id, at.Add(-time.Minute)); err != nil {
		slog.Warn("recording calendar feed use", "err", err)
	}
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
