package kit

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// The SQL of the kit tables. Every query names the workspace in its WHERE.

const itemColumns = `id, kind, asset_id, title, public, created_at, updated_at`

func scanItem(row interface{ Scan(...any) error }) (*Item, error) {
	it := &Item{}
	err := row.Scan(&it.ID, &it.Kind, &it.Asset.ID, &it.Title, &it.Public, &it.CreatedAt, &it.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	return it, nil
}

// listItems returns the workspace's items (only the public ones with publicOnly) in their order
// within each group; the assets carry only their ids.
func listItems(ctx context.Context, c db.Conn, wsID int64, publicOnly bool) ([]Item, error) {
	q := `SELECT ` + itemColumns + ` FROM kit_items WHERE workspace_id = ?`
	if publicOnly {
		q += ` AND public`
	}
	rows, err := c.Query(ctx, q+` ORDER BY position, id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *it)
	}
	return out, rows.Err()
}

// itemByID reads one item; inside a transaction, with lock, it stays locked for the change.
func itemByID(ctx context.Context, c db.Conn, wsID, id int64, lock bool) (*Item, error) {
	q := `SELECT ` + itemColumns + ` FROM kit_items WHERE workspace_id = ? AND id = ?`
	if lock {
		q += db.ForUpdate(c)
	}
	return scanItem(c.QueryRow(ctx, q, wsID, id))
}

// insertItem adds an item at the end of its group.
func insertItem(ctx context.Context, tx *db.Tx, wsID int64, in ItemInput, assetID int64) (int64, error) {
	t := now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO kit_items (workspace_id, kind, asset_id, title, public, position, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM kit_items WHERE workspace_id = ? AND kind = ?), ?, ?) RETURNING id`,
		wsID, in.Kind, assetID, in.Title, in.Public, wsID, in.Kind, t, t).Scan(&id)
	return id, err
}

func updateItem(ctx context.Context, tx *db.Tx, wsID, id int64, title string, public bool) error {
	_, err := tx.Exec(ctx, `UPDATE kit_items SET title = ?, public = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		title, public, now(), wsID, id)
	return err
}

func deleteItem(ctx context.Context, tx *db.Tx, wsID, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM kit_items WHERE workspace_id = ? AND id = ?`, wsID, id)
	return err
}

// itemOrder is a group's item ids in their order, locked for a move.
func itemOrder(ctx context.Context, tx *db.Tx, wsID int64, kind Kind) ([]int64, error) {
	return ids(ctx, tx, `SELECT id FROM kit_items WHERE workspace_id = ? AND kind = ? ORDER BY position, id`+db.ForUpdate(tx), wsID, kind)
}

// peopleOrder is the spokespeople's ids in their order, locked for a move.
func peopleOrder(ctx context.Context, tx *db.Tx, wsID int64) ([]int64, error) {
	return ids(ctx, tx, `SELECT id FROM kit_people WHERE workspace_id = ? ORDER BY position, id`+db.ForUpdate(tx), wsID)
}

func ids(ctx context.Context, c db.Conn, q string, args ...any) ([]int64, error) {
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// renumber writes positions 1, 2, 3… in the order of ids. table is one of the kit's own tables.
func renumber(ctx context.Context, tx *db.Tx, table string, wsID int64, order []int64) error {
	for i, id := range order {
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET position = ? WHERE workspace_id = ? AND id = ?`, i+1, wsID, id); err != nil {
			return err
		}
	}
	return nil
}

const personColumns = `id, name, title_id, title_en, topics, email, phone, bio_id, bio_en, COALESCE(photo_asset_id, 0), public, created_at, updated_at`

func scanPerson(row interface{ Scan(...any) error }) (*Spokesperson, error) {
	p := &Spokesperson{}
	err := row.Scan(&p.ID, &p.Name, &p.TitleID, &p.TitleEN, &p.Topics, &p.Email, &p.Phone, &p.BioID, &p.BioEN, &p.photoID, &p.Public,
		&p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, nil
}

func listPeople(ctx context.Context, c db.Conn, wsID int64, publicOnly bool) ([]Spokesperson, error) {
	q := `SELECT ` + personColumns + ` FROM kit_people WHERE workspace_id = ?`
	if publicOnly {
		q += ` AND public`
	}
	rows, err := c.Query(ctx, q+` ORDER BY position, id`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Spokesperson
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

func personByID(ctx context.Context, c db.Conn, wsID, id int64, lock bool) (*Spokesperson, error) {
	q := `SELECT ` + personColumns + ` FROM kit_people WHERE workspace_id = ? AND id = ?`
	if lock {
		q += db.ForUpdate(c)
	}
	return scanPerson(c.QueryRow(ctx, q, wsID, id))
}

// insertPerson adds a spokesperson at the end of the list.
func insertPerson(ctx context.Context, tx *db.Tx, wsID int64, in PersonInput, photoID int64) (int64, error) {
	t := now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO kit_people (workspace_id, name, title_id, title_en, topics, email, phone, bio_id, bio_en,
		photo_asset_id, public, position, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM kit_people WHERE workspace_id = ?), ?, ?) RETURNING id`,
		wsID, in.Name, in.TitleID, in.TitleEN, in.Topics, in.Email, in.Phone, in.BioID, in.BioEN, nullID(photoID), in.Public, wsID, t, t).Scan(&id)
	return id, err
}

func updatePerson(ctx context.Context, tx *db.Tx, wsID, id int64, in PersonInput, photoID int64) error {
	_, err := tx.Exec(ctx, `UPDATE kit_people SET name = ?, title_id = ?, title_en = ?, topics = ?, email = ?, phone = ?, bio_id = ?, bio_en = ?,
		photo_asset_id = ?, public = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		in.Name, in.TitleID, in.TitleEN, in.Topics, in.Email, in.Phone, in.BioID, in.BioEN, nullID(photoID), in.Public, now(), wsID, id)
	return err
}

func setPersonPublic(ctx context.Context, tx *db.Tx, wsID, id int64, public bool) error {
	_, err := tx.Exec(ctx, `UPDATE kit_people SET public = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`, public, now(), wsID, id)
	return err
}

func deletePerson(ctx context.Context, tx *db.Tx, wsID, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM kit_people WHERE workspace_id = ? AND id = ?`, wsID, id)
	return err
}

// isPublic reports whether an asset is a public kit file or a public spokesperson's photo.
func isPublic(ctx context.Context, c db.Conn, wsID, assetID int64) (bool, error) {
	var n int
	err := c.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM kit_items WHERE workspace_id = ? AND asset_id = ? AND public)
		+ (SELECT COUNT(*) FROM kit_people WHERE workspace_id = ? AND photo_asset_id = ? AND public)`, wsID, assetID, wsID, assetID).Scan(&n)
	return n > 0, err
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
