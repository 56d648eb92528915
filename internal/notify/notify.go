// Package notify tells members about what concerns them — a mention, an approval waiting — in the
// app (a list with an unread count in the header) and by email, each in the member's language.
package notify

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

//go:embed templates/*.html
var templates embed.FS

// Migrations creates the notifications table.
var Migrations = db.Migrations{Name: "notify", FS: migrations}

// Catalog holds the notifications' words.
var Catalog = i18n.Catalog{Name: "notify", FS: i18n.Dir(catalogFiles, "i18n")}

// Notice is one message to one member: Key and Args are catalog words rendered in their language;
// Link is a path inside the workspace ("/content/12").
type Notice struct {
	WorkspaceID int64
	UserID      int64
	Key         string
	Args        []any
	Link        string
}

// Stored is a notice as the list shows it.
type Stored struct {
	ID        int64
	Key       string
	Args      []any
	Link      string
	CreatedAt time.Time
	Read      bool
}

// Mailer sends mail recorded in the caller's transaction.
type Mailer interface {
	SendTx(ctx context.Context, tx *db.Tx, msg mail.Message) (int64, error)
}

// Center stores notices and mails them.
type Center struct {
	d       *db.DB
	mail    Mailer
	bundle  *i18n.Bundle
	baseURL string
}

// New returns a Center.
func New(d *db.DB, m Mailer, b *i18n.Bundle, baseURL string) *Center {
	return &Center{d: d, mail: m, bundle: b, baseURL: baseURL}
}

// Notify records a notice and emails it, inside tx: a rolled-back change tells nobody.
func (c *Center) Notify(ctx context.Context, tx *db.Tx, n Notice) error {
	args, err := json.Marshal(n.Args)
	if err != nil {
		return err
	}
	var email, lang, slug, tz string
	err = tx.QueryRow(ctx, `SELECT u.email, u.lang, w.slug, w.timezone FROM memberships m
		JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id
		WHERE m.workspace_id = ? AND m.user_id = ? AND u.disabled_at IS NULL`, n.WorkspaceID, n.UserID).Scan(&email, &lang, &slug, &tz)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // not a member (any more): nobody to tell
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO notifications (workspace_id, user_id, msg_key, args, link, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		n.WorkspaceID, n.UserID, n.Key, string(args), n.Link, time.Now().UTC()); err != nil {
		return err
	}
	zone, _ := i18n.LoadZone(tz)
	l := c.bundle.Locale(lang, zone)
	subject := l.T(n.Key, n.Args...)
	link := c.baseURL + "/w/" + slug + n.Link
	_, err = c.mail.SendTx(ctx, tx, mail.Message{WorkspaceID: n.WorkspaceID, To: email, Kind: "notice", Subject: subject,
		Text: subject + "\n\n" + link + "\n\n" + l.T("notify.mail.footer"),
		HTML: mail.Layout(subject, fmt.Sprintf(`<p>%s</p><p><a href="%s">%s</a></p>`, template.HTMLEscapeString(subject),
			template.HTMLEscapeString(link), template.HTMLEscapeString(l.T("notify.mail.open"))), l.T("notify.mail.footer"))})
	return err
}

// Unread counts a member's unread notices.
func (c *Center) Unread(ctx context.Context, wsID, userID int64) (int, error) {
	var n int
	err := c.d.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE workspace_id = ? AND user_id = ? AND read_at IS NULL`, wsID, userID).Scan(&n)
	return n, err
}

// List returns a member's newest notices.
func (c *Center) List(ctx context.Context, wsID, userID int64, limit int) ([]Stored, error) {
	rows, err := c.d.Query(ctx, `SELECT id, msg_key, args, link, created_at, read_at IS NOT NULL FROM notifications
		WHERE workspace_id = ? AND user_id = ? ORDER BY id DESC LIMIT `+strconv.Itoa(limit), wsID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		var s Stored
		var args string
		if err := rows.Scan(&s.ID, &s.Key, &args, &s.Link, &s.CreatedAt, &s.Read); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(args), &s.Args)
		out = append(out, s)
	}
	return out, rows.Err()
}

// MarkAllRead marks every notice of a member read.
func (c *Center) MarkAllRead(ctx context.Context, wsID, userID int64) error {
	_, err := c.d.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE workspace_id = ? AND user_id = ? AND read_at IS NULL`, time.Now().UTC(), wsID, userID)
	return err
}

// Handlers serve the notifications page.
type Handlers struct {
	c     *Center
	srv   *web.Server
	pages *web.Pages
}

// NewHandlers parses the templates.
func NewHandlers(c *Center, srv *web.Server) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	return &Handlers{c: c, srv: srv, pages: pages}, err
}

// Routes of the notifications page.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/w/{ws}/notifications", Perm: access.WorkspaceView, Handler: h.list},
		{Method: "POST", Path: "/w/{ws}/notifications/read", Perm: access.WorkspaceView, Handler: h.read},
	}
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	list, err := h.c.List(r.Context(), p.WorkspaceID, p.UserID, 100)
	if err != nil {
		return err
	}
	return h.pages.Render(w, r, http.StatusOK, "notifications.html", "notify.title", list, nil)
}

func (h *Handlers) read(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	if err := h.c.MarkAllRead(r.Context(), p.WorkspaceID, p.UserID); err != nil {
		return err
	}
	return web.Redirect(w, r, web.WorkspacePath(r, "/notifications"))
}
