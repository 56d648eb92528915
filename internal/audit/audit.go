// Package audit keeps the audit log: who changed what, when, and which fields. Entries are written
// in the same transaction as the change they describe, so the log never claims what did not happen.
package audit

import (
	"context"
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/platform/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates the audit_log table.
var Migrations = db.Migrations{Name: "audit", FS: migrations}

// Entry is one change.
type Entry struct {
	ID          int64
	WorkspaceID int64 // 0 for installation-wide changes
	ActorID     int64 // 0 for the CLI or the system
	Actor       string
	Action      string // e.g. member.invited, token.revoked
	Entity      string
	EntityID    string
	Changes     map[string]Change
	IP          string
	At          time.Time
}

// Change is a field's value before and after; either may be empty.
type Change struct {
	From any `json:"from,omitempty"`
	To   any `json:"to,omitempty"`
}

// Actor is who makes a change: a user (by id and email), the CLI or the system, from an address.
type Actor struct {
	UserID int64
	Label  string
	IP     string
}

// Entry builds an entry of this actor in a workspace (0: the installation's own log).
func (a Actor) Entry(workspaceID int64, action, entity string, entityID any, changes map[string]Change) Entry {
	return Entry{WorkspaceID: workspaceID, ActorID: a.UserID, Actor: a.Label, Action: action, Entity: entity,
		EntityID: fmt.Sprint(entityID), Changes: changes, IP: a.IP}
}

// Record writes an entry in tx.
func Record(ctx context.Context, tx *db.Tx, e Entry) error {
	changes, err := json.Marshal(e.Changes)
	if err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (workspace_id, actor_id, actor, action, entity, entity_id, changes, ip, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(e.WorkspaceID), nullID(e.ActorID), e.Actor, e.Action, e.Entity, e.EntityID, string(changes), e.IP, e.At.UTC())
	return err
}

// Filter narrows a listing. Before is a cursor: entries with a smaller id.
type Filter struct {
	Action string
	Actor  string
	Before int64
	Limit  int
}

// List returns a workspace's entries, newest first; workspaceID 0 lists the installation's own
// (account changes, which belong to no workspace). Limit 0 means all (for exports).
func List(ctx context.Context, c db.Conn, workspaceID int64, f Filter) ([]Entry, error) {
	q := `SELECT id, COALESCE(workspace_id, 0), COALESCE(actor_id, 0), actor, action, entity, entity_id, changes, ip, at
		FROM audit_log WHERE workspace_id = ?`
	args := []any{workspaceID}
	if workspaceID == 0 {
		q = `SELECT id, 0, COALESCE(actor_id, 0), actor, action, entity, entity_id, changes, ip, at
		FROM audit_log WHERE workspace_id IS NULL`
		args = nil
	}
	if f.Action != "" {
		q += ` AND action LIKE ?`
		args = append(args, f.Action+"%")
	}
	if f.Actor != "" {
		q += ` AND LOWER(actor) LIKE ?`
		args = append(args, "%"+strings.ToLower(f.Actor)+"%")
	}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var changes string
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &e.ActorID, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &changes, &e.IP, &e.At); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(changes), &e.Changes)
		out = append(out, e)
	}
	return out, rows.Err()
}

// WriteCSV writes entries as CSV with one row per entry; changes as JSON.
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "time_utc", "actor", "action", "entity", "entity_id", "changes", "ip"})
	for _, e := range entries {
		changes, _ := json.Marshal(e.Changes)
		_ = cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339), cell(e.Actor), e.Action, e.Entity, cell(e.EntityID), cell(string(changes)), e.IP})
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a spreadsheet from reading a value as a formula (=, +, -, @ at the start).
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
