package media

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// The SQL of the media tables. Every query names the workspace in its WHERE.

const assetColumns = `a.id, a.store_key, a.thumb_key, a.filename, a.content_type, a.kind, a.size,
	a.width, a.height, a.alt, a.credit, a.licence, COALESCE(a.uploaded_by, 0), COALESCE(u.name, ''), a.created_at, a.updated_at`

// assetFrom names the uploader beside the asset; the name is gone once the account is.
const assetFrom = ` FROM media_assets a LEFT JOIN users u ON u.id = a.uploaded_by `

func scanAsset(row interface{ Scan(...any) error }) (Asset, error) {
	var a Asset
	err := row.Scan(&a.ID, &a.key, &a.thumbKey, &a.Filename, &a.ContentType, &a.Kind, &a.Size,
		&a.Width, &a.Height, &a.Alt, &a.Credit, &a.Licence, &a.UploadedBy, &a.UploaderName, &a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, db.ErrNotFound
	}
	return a, err
}

func scanAssets(rows *sql.Rows, err error) ([]Asset, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Asset
	for rows.Next() {
		a, err := scanAsset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// searchText is what Search matches against: filename, alt text and credit, lower-cased here
// because SQLite's LOWER knows only ASCII.
func searchText(a Asset) string {
	return strings.ToLower(a.Filename + "\n" + a.Alt + "\n" + a.Credit)
}

// assetByID reads one asset; with lock, inside a write transaction, its row stays locked until the
// end (SQLite's write transaction already excludes other writers).
func assetByID(ctx context.Context, c db.Conn, wsID, id int64, lock bool) (Asset, error) {
	q := `SELECT ` + assetColumns + assetFrom + `WHERE a.workspace_id = ? AND a.id = ?`
	if lock && c.Dialect() == db.Postgres {
		q += ` FOR UPDATE OF a` // not the user's row, which is on the outer join's nullable side
	}
	return scanAsset(c.QueryRow(ctx, q, wsID, id))
}

func assetsByIDs(ctx context.Context, c db.Conn, wsID int64, ids []int64) ([]Asset, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{wsID}
	for _, id := range ids {
		args = append(args, id)
	}
	return scanAssets(c.Query(ctx, `SELECT `+assetColumns+assetFrom+`WHERE a.workspace_id = ? AND a.id IN (`+placeholders(len(ids))+`)`, args...))
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func searchAssets(ctx context.Context, c db.Conn, wsID int64, f Filter) ([]Asset, error) {
	q := `SELECT ` + assetColumns + assetFrom + `WHERE a.workspace_id = ?`
	args := []any{wsID}
	if f.Kind != "" {
		q += ` AND a.kind = ?`
		args = append(args, f.Kind)
	}
	if f.MissingAlt {
		q += ` AND a.kind = ? AND a.alt = ''`
		args = append(args, Image)
	}
	if words := strings.Fields(strings.ToLower(f.Query)); len(words) > 0 {
		// Every word must appear somewhere: "banjir makassar" finds "Makassar, banjir Januari".
		for _, w := range words {
			q += ` AND a.search_text LIKE ? ESCAPE '\'`
			args = append(args, "%"+likeEscaper.Replace(w)+"%")
		}
	}
	if f.Before > 0 {
		q += ` AND a.id < ?`
		args = append(args, f.Before)
	}
	q += ` ORDER BY a.id DESC LIMIT ` + strconv.Itoa(f.Limit)
	return scanAssets(c.Query(ctx, q, args...))
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func insertAsset(ctx context.Context, tx *db.Tx, wsID int64, a Asset) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO media_assets (workspace_id, store_key, thumb_key, filename, content_type, kind, size,
		width, height, search_text, uploaded_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		wsID, a.key, a.thumbKey, a.Filename, a.ContentType, a.Kind, a.Size, a.Width, a.Height, searchText(a),
		nullID(a.UploadedBy), a.CreatedAt, a.UpdatedAt).Scan(&id)
	return id, err
}

func updateAssetText(ctx context.Context, tx *db.Tx, wsID int64, a Asset) error {
	_, err := tx.Exec(ctx, `UPDATE media_assets SET alt = ?, credit = ?, licence = ?, search_text = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, a.Alt, a.Credit, a.Licence, searchText(a), a.UpdatedAt, wsID, a.ID)
	return err
}

func deleteAsset(ctx context.Context, tx *db.Tx, wsID, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM media_assets WHERE workspace_id = ? AND id = ?`, wsID, id)
	return err
}

func usageOf(ctx context.Context, c db.Conn, wsID, assetID int64) ([]Usage, error) {
	rows, err := c.Query(ctx, `SELECT entity, entity_id, label, link FROM media_usage
		WHERE workspace_id = ? AND asset_id = ? ORDER BY entity, label, entity_id`, wsID, assetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Usage
	for rows.Next() {
		var u Usage
		if err := rows.Scan(&u.Entity, &u.EntityID, &u.Label, &u.Link); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func countAssets(ctx context.Context, c db.Conn, wsID int64, ids []int64) (int, error) {
	args := []any{wsID}
	for _, id := range ids {
		args = append(args, id)
	}
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM media_assets WHERE workspace_id = ? AND id IN (`+placeholders(len(ids))+`)`, args...).Scan(&n)
	return n, err
}

func replaceUsage(ctx context.Context, tx *db.Tx, wsID int64, u Usage, assetIDs []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM media_usage WHERE workspace_id = ? AND entity = ? AND entity_id = ?`,
		wsID, u.Entity, u.EntityID); err != nil {
		return err
	}
	for _, id := range assetIDs {
		if _, err := tx.Exec(ctx, `INSERT INTO media_usage (workspace_id, asset_id, entity, entity_id, label, link) VALUES (?, ?, ?, ?, ?, ?)`,
			wsID, id, u.Entity, u.EntityID, u.Label, u.Link); err != nil {
			return err
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
