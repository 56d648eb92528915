package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"warta.dev/warta/internal/platform/secrets"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
)

// The SQL of the auth tables. Every query on workspace data names the workspace in its WHERE.

const userColumns = `id, email, name, password_hash, lang, is_admin, session_version, disabled_at, created_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	u := &User{}
	var disabled sql.NullTime
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.passwordHash, &u.Lang, &u.IsAdmin, &u.sessionVersion, &disabled, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if disabled.Valid {
		u.DisabledAt = &disabled.Time
	}
	return u, err
}

func userByEmail(ctx context.Context, c db.Conn, email string) (*User, error) {
	return scanUser(c.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, normalEmail(email)))
}

func userByID(ctx context.Context, c db.Conn, id int64) (*User, error) {
	return scanUser(c.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

func countUsers(ctx context.Context, c db.Conn) (int, error) {
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

func insertUser(ctx context.Context, tx *db.Tx, email, name, hash, lang string, admin bool) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, lang, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		normalEmail(email), name, hash, lang, admin, now()).Scan(&id)
	return id, err
}

func listUsers(ctx context.Context, c db.Conn) ([]User, error) {
	rows, err := c.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

const workspaceColumns = `id, slug, name, lang, timezone, created_at`

func scanWorkspace(row interface{ Scan(...any) error }) (*Workspace, error) {
	w := &Workspace{}
	err := row.Scan(&w.ID, &w.Slug, &w.Name, &w.Lang, &w.Timezone, &w.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	return w, err
}

func workspaceBySlug(ctx context.Context, c db.Conn, slug string) (*Workspace, error) {
	return scanWorkspace(c.QueryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE slug = ?`, slug))
}

func workspaceByName(ctx context.Context, c db.Conn, name string) (*Workspace, error) {
	return scanWorkspace(c.QueryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE LOWER(name) = LOWER(?) OR slug = ? ORDER BY id LIMIT 1`, name, name))
}

func workspaceByID(ctx context.Context, c db.Conn, id int64) (*Workspace, error) {
	return scanWorkspace(c.QueryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, id))
}

func firstWorkspace(ctx context.Context, c db.Conn) (*Workspace, error) {
	return scanWorkspace(c.QueryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces ORDER BY id LIMIT 1`))
}

// WorkspaceSummary is a workspace with its number of members, for the installation's list.
type WorkspaceSummary struct {
	Workspace
	Members int
}

func listWorkspaces(ctx context.Context, c db.Conn) ([]WorkspaceSummary, error) {
	rows, err := c.Query(ctx, `SELECT w.id, w.slug, w.name, w.lang, w.timezone, w.created_at,
		(SELECT COUNT(*) FROM memberships m WHERE m.workspace_id = w.id)
		FROM workspaces w ORDER BY w.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WorkspaceSummary
	for rows.Next() {
		var w WorkspaceSummary
		if err := rows.Scan(&w.ID, &w.Slug, &w.Name, &w.Lang, &w.Timezone, &w.CreatedAt, &w.Members); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func insertWorkspace(ctx context.Context, tx *db.Tx, name, lang, tz string) (*Workspace, error) {
	base := Slugify(name)
	slug := base
	for i := 2; ; i++ {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM workspaces WHERE slug = ?`, slug).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
		slug = base + "-" + itoa(i)
	}
	return scanWorkspace(tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, lang, timezone, created_at) VALUES (?, ?, ?, ?, ?) RETURNING `+workspaceColumns,
		slug, name, lang, tz, now()))
}

func userWorkspaces(ctx context.Context, c db.Conn, userID int64) ([]Workspace, []access.Role, error) {
	rows, err := c.Query(ctx, `SELECT w.id, w.slug, w.name, w.lang, w.timezone, w.created_at, m.role
		FROM memberships m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = ? ORDER BY w.name`, userID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ws []Workspace
	var roles []access.Role
	for rows.Next() {
		var w Workspace
		var role access.Role
		if err := rows.Scan(&w.ID, &w.Slug, &w.Name, &w.Lang, &w.Timezone, &w.CreatedAt, &role); err != nil {
			return nil, nil, err
		}
		ws = append(ws, w)
		roles = append(roles, role)
	}
	return ws, roles, rows.Err()
}

func membershipRole(ctx context.Context, c db.Conn, workspaceID, userID int64) (access.Role, error) {
	var role access.Role
	err := c.QueryRow(ctx, `SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", db.ErrNotFound
	}
	return role, err
}

func upsertMembership(ctx context.Context, tx *db.Tx, workspaceID, userID int64, role access.Role) error {
	_, err := tx.Exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`, workspaceID, userID, string(role), now())
	return err
}

func listMembers(ctx context.Context, c db.Conn, workspaceID int64) ([]Member, error) {
	rows, err := c.Query(ctx, `SELECT u.id, u.email, u.name, m.role, u.disabled_at IS NOT NULL, m.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? ORDER BY u.name, u.email`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name, &m.Role, &m.Disabled, &m.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// countOwners counts a workspace's owners and locks their rows, so two owners demoting each other
// at the same moment cannot leave the workspace without one.
func countOwners(ctx context.Context, tx *db.Tx, workspaceID int64) (int, error) {
	rows, err := tx.Query(ctx, `SELECT user_id FROM memberships WHERE workspace_id = ? AND role = ?`+db.ForUpdate(tx), workspaceID, string(access.Owner))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// One-time links.

func insertLink(ctx context.Context, tx *db.Tx, kind, email string, workspaceID int64, role access.Role, createdBy int64, lifetime time.Duration) (token string, id int64, err error) {
	token = secrets.NewToken()
	err = tx.QueryRow(ctx, `INSERT INTO auth_links (kind, token_hash, email, workspace_id, role, created_by, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		kind, secrets.HashToken(token), normalEmail(email), nullID(workspaceID), string(role), nullID(createdBy), now().Add(lifetime), now()).Scan(&id)
	return token, id, err
}

type link struct {
	ID          int64
	Kind        string
	Email       string
	WorkspaceID int64
	Role        access.Role
	CreatedBy   int64
	ExpiresAt   time.Time
	UsedAt      *time.Time
	Revoked     bool
}

func linkByToken(ctx context.Context, c db.Conn, kind, token string) (*link, error) {
	l := &link{}
	var used sql.NullTime
	err := c.QueryRow(ctx, `SELECT id, kind, email, COALESCE(workspace_id, 0), role, COALESCE(created_by, 0), expires_at, used_at, revoked_at IS NOT NULL
		FROM auth_links WHERE token_hash = ? AND kind = ?`, secrets.HashToken(token), kind).
		Scan(&l.ID, &l.Kind, &l.Email, &l.WorkspaceID, &l.Role, &l.CreatedBy, &l.ExpiresAt, &used, &l.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.ErrNotFound
	}
	if used.Valid {
		l.UsedAt = &used.Time
	}
	return l, err
}

// useLink marks a link used; false when someone used it first.
func useLink(ctx context.Context, tx *db.Tx, id int64) (bool, error) {
	res, err := tx.Exec(ctx, `UPDATE auth_links SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL`, now(), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func pendingInvitations(ctx context.Context, c db.Conn, workspaceID int64) ([]Invitation, error) {
	rows, err := c.Query(ctx, `SELECT id, email, role, expires_at, created_at FROM auth_links
		WHERE workspace_id = ? AND kind = ? AND used_at IS NULL AND revoked_at IS NULL ORDER BY created_at DESC`, workspaceID, linkInvite)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		var inv Invitation
		if err := rows.Scan(&inv.ID, &inv.Email, &inv.Role, &inv.ExpiresAt, &inv.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// API tokens.

const tokenColumns = `t.id, t.user_id, u.email, t.name, t.role, t.prefix, t.created_at, t.last_used_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var used, revoked sql.NullTime
	err := row.Scan(&t.ID, &t.UserID, &t.UserEmail, &t.Name, &t.Role, &t.Prefix, &t.CreatedAt, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return t, db.ErrNotFound
	}
	if used.Valid {
		t.LastUsedAt = &used.Time
	}
	if revoked.Valid {
		t.RevokedAt = &revoked.Time
	}
	return t, err
}

// listTokens returns a workspace's tokens; userID 0 lists every member's.
func listTokens(ctx context.Context, c db.Conn, workspaceID, userID int64) ([]Token, error) {
	q := `SELECT ` + tokenColumns + ` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.workspace_id = ?`
	args := []any{workspaceID}
	if userID != 0 {
		q += ` AND t.user_id = ?`
		args = append(args, userID)
	}
	rows, err := c.Query(ctx, q+` ORDER BY t.revoked_at IS NOT NULL, t.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func tokenByID(ctx context.Context, c db.Conn, workspaceID, id int64) (Token, error) {
	return scanToken(c.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.workspace_id = ? AND t.id = ?`, workspaceID, id))
}

// Helpers.

// tokenPrefix marks Warta API tokens so secret scanners and people recognise them.
const tokenPrefix = "wrt_"

func normalEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
