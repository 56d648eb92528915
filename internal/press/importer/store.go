package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

// The SQL of the import tables. Every query names the workspace in its WHERE.

const columns = `id, workspace_id, filename, size, format, delimiter, encoding, has_header, sheet, mapping, state, check_run,
	total_rows, checked_rows, problem, problem_line, created, merged, skipped, error_rows, list_id, list_name,
	COALESCE(created_by, 0), created_at, updated_at, applied_at`

func scan(row interface{ Scan(...any) error }) (*Import, error) {
	im := &Import{}
	var mapping string
	var applied sql.NullTime
	err := row.Scan(&im.ID, &im.WorkspaceID, &im.Filename, &im.Size, &im.Format, &im.Delimiter, &im.Encoding, &im.HasHeader, &im.Sheet,
		&mapping, &im.State, &im.checkRun, &im.Total, &im.Checked, &im.Problem, &im.ProblemLine, &im.Created, &im.Merged, &im.Skipped,
		&im.ErrorRows, &im.ListID, &im.ListName, &im.CreatedBy, &im.CreatedAt, &im.UpdatedAt, &applied)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(mapping), &im.Mapping); err != nil {
		return nil, err
	}
	im.CreatedAt, im.UpdatedAt = im.CreatedAt.UTC(), im.UpdatedAt.UTC()
	if applied.Valid {
		t := applied.Time.UTC()
		im.AppliedAt = &t
	}
	return im, nil
}

func byID(ctx context.Context, c db.Conn, wsID, id int64, lock bool) (*Import, error) {
	q := `SELECT ` + columns + ` FROM press_imports WHERE workspace_id = ? AND id = ?`
	if lock {
		q += db.ForUpdate(c)
	}
	return scan(c.QueryRow(ctx, q, wsID, id))
}

// fileData returns an import's file, nil once it has been applied.
func fileData(ctx context.Context, c db.Conn, wsID, id int64) ([]byte, error) {
	var data []byte
	err := c.QueryRow(ctx, `SELECT data FROM press_imports WHERE workspace_id = ? AND id = ?`, wsID, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	return data, err
}

// Filter narrows the list of imports.
type Filter struct {
	Query  string // in the file name
	State  string
	Sort   string // "created" (newest first, the default), "name", or "id" (API cursor)
	After  int64
	Limit  int
	Offset int
}

var orders = map[string]string{
	"created": `created_at DESC, id DESC`,
	"name":    `LOWER(filename), id`,
	"id":      `id`,
}

// Sorts are the orders the list page offers.
var Sorts = []string{"created", "name"}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func list(ctx context.Context, c db.Conn, wsID int64, f Filter) ([]Import, error) {
	q := `SELECT ` + columns + ` FROM press_imports WHERE workspace_id = ?`
	args := []any{wsID}
	if s := strings.TrimSpace(f.Query); s != "" {
		q += ` AND LOWER(filename) LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(strings.ToLower(s))+"%")
	}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, f.State)
	}
	if f.After > 0 {
		q += ` AND id > ?`
		args = append(args, f.After)
	}
	order, ok := orders[f.Sort]
	if !ok {
		order = orders["created"]
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
	var out []Import
	for rows.Next() {
		im, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *im)
	}
	return out, rows.Err()
}

func insert(ctx context.Context, tx *db.Tx, im *Import, data []byte) (int64, error) {
	mapping, err := json.Marshal(im.Mapping)
	if err != nil {
		return 0, err
	}
	t := now()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO press_imports (workspace_id, filename, size, data, format, delimiter, encoding, has_header, sheet,
		mapping, total_rows, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		im.WorkspaceID, im.Filename, im.Size, data, im.Format, im.Delimiter, im.Encoding, im.HasHeader, im.Sheet, string(mapping), im.Total,
		nullID(im.CreatedBy), t, t).Scan(&id)
	return id, err
}

// saveReading stores how the file is read and its mapping, back in the mapping state.
func saveReading(ctx context.Context, tx *db.Tx, im *Import) error {
	mapping, err := json.Marshal(im.Mapping)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE press_imports SET delimiter = ?, encoding = ?, has_header = ?, sheet = ?, mapping = ?, total_rows = ?,
		state = ?, checked_rows = 0, problem = '', problem_line = 0, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		im.Delimiter, im.Encoding, im.HasHeader, im.Sheet, string(mapping), im.Total, StateMapping, now(), im.WorkspaceID, im.ID)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM press_import_rows WHERE workspace_id = ? AND import_id = ?`, im.WorkspaceID, im.ID)
	return err
}

func encodeRow(r *Row) (problems, input, matches string, err error) {
	p, err := json.Marshal(r.Problems)
	if err != nil {
		return
	}
	in, err := json.Marshal(r.Input)
	if err != nil {
		return
	}
	m, err := json.Marshal(r.Matches)
	return string(p), string(in), string(m), err
}

func insertRows(ctx context.Context, tx *db.Tx, wsID, importID int64, rows []Row) error {
	const per = 50 // rows per statement: 11 values each stays far below both engines' limits
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(start+per, len(rows))]
		var q strings.Builder
		q.WriteString(`INSERT INTO press_import_rows (import_id, workspace_id, idx, line, status, problems, input, dup_of, matches, decision, merge_into) VALUES `)
		args := make([]any, 0, len(batch)*11)
		for i := range batch {
			r := &batch[i]
			p, in, m, err := encodeRow(r)
			if err != nil {
				return err
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, importID, wsID, r.Idx, r.Line, r.Status, p, in, r.DupOf, m, r.Decision, r.MergeInto)
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

const rowColumns = `idx, line, status, problems, input, dup_of, matches, decision, merge_into`

func scanRow(rows *sql.Rows) (Row, error) {
	var r Row
	var p, in, m string
	if err := rows.Scan(&r.Idx, &r.Line, &r.Status, &p, &in, &r.DupOf, &m, &r.Decision, &r.MergeInto); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(p), &r.Problems); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(in), &r.Input); err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(m), &r.Matches)
}

// RowFilter picks rows of a checked import.
type RowFilter struct {
	Status   string // "" all, or ok, error, duplicate
	Warnings bool   // only rows with a warning (with Status "" or ok)
	After    int    // rows after this idx (-1 from the start)
	Limit    int
	Offset   int
}

func listRows(ctx context.Context, c db.Conn, wsID, importID int64, f RowFilter) ([]Row, error) {
	q := `SELECT ` + rowColumns + ` FROM press_import_rows WHERE workspace_id = ? AND import_id = ? AND idx > ?`
	args := []any{wsID, importID, f.After}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Warnings {
		q += ` AND problems <> '[]' AND problems <> 'null'`
	}
	q += ` ORDER BY idx`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	}
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func countRows(ctx context.Context, c db.Conn, wsID, importID int64) (Counts, error) {
	rows, err := c.Query(ctx, `SELECT status, COUNT(*), SUM(CASE WHEN problems <> '[]' AND problems <> 'null' THEN 1 ELSE 0 END)
		FROM press_import_rows WHERE workspace_id = ? AND import_id = ? GROUP BY status`, wsID, importID)
	if err != nil {
		return Counts{}, err
	}
	defer rows.Close()
	var n Counts
	for rows.Next() {
		var status string
		var count, warned int
		if err := rows.Scan(&status, &count, &warned); err != nil {
			return n, err
		}
		switch status {
		case RowOK:
			n.Ready, n.Warnings = n.Ready+count, n.Warnings+warned
		case RowError:
			n.Errors += count
		case RowDuplicate:
			n.Duplicates, n.Warnings = n.Duplicates+count, n.Warnings+warned
		}
	}
	return n, rows.Err()
}

func setDecision(ctx context.Context, tx *db.Tx, wsID, importID int64, idx int, decision string, into int64) error {
	_, err := tx.Exec(ctx, `UPDATE press_import_rows SET decision = ?, merge_into = ? WHERE workspace_id = ? AND import_id = ? AND idx = ?`,
		decision, into, wsID, importID, idx)
	return err
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
