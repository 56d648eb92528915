// Package admin holds the operator's pages: background jobs of the whole installation with retry
// and cancel, and the mail outbox (a workspace's mail for its admins, all mail for the
// installation's administrators).
package admin

import (
	"context"
	"embed"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the admin pages' words.
var Catalog = i18n.Catalog{Name: "admin", FS: i18n.Dir(catalogFiles, "i18n")}

// Queue is the part of the job queue these pages use.
type Queue interface {
	List(ctx context.Context, state string, afterID int64, limit int) ([]jobs.Job, error)
	Counts(ctx context.Context) (map[string]int, error)
	Retry(ctx context.Context, id int64) error
	Cancel(ctx context.Context, id int64) error
}

// Outbox is the part of the mailer these pages use.
type Outbox interface {
	List(ctx context.Context, beforeID int64, limit int) ([]mail.Stored, error)
	ListWorkspace(ctx context.Context, workspaceID, beforeID int64, limit int) ([]mail.Stored, error)
	Get(ctx context.Context, id int64) (mail.Stored, error)
	GetWorkspace(ctx context.Context, workspaceID, id int64) (mail.Stored, error)
}

// Handlers serve the admin pages.
type Handlers struct {
	srv    *web.Server
	pages  *web.Pages
	queue  Queue
	outbox Outbox
}

// NewHandlers parses the templates.
func NewHandlers(srv *web.Server, q Queue, o Outbox) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	return &Handlers{srv: srv, pages: pages, queue: q, outbox: o}, err
}

// Routes of the admin pages.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/admin/jobs", Perm: access.Installation, Handler: h.jobs},
		{Method: "POST", Path: "/admin/jobs/{id}/retry", Perm: access.Installation, Handler: h.jobAction(func(q Queue) func(context.Context, int64) error { return q.Retry }, "admin.jobs.retried")},
		{Method: "POST", Path: "/admin/jobs/{id}/cancel", Perm: access.Installation, Handler: h.jobAction(func(q Queue) func(context.Context, int64) error { return q.Cancel }, "admin.jobs.cancelled")},
		{Method: "GET", Path: "/admin/outbox", Perm: access.Installation, Handler: h.outboxList(false)},
		{Method: "GET", Path: "/admin/outbox/{id}", Perm: access.Installation, Handler: h.outboxMessage(false)},
		{Method: "GET", Path: "/admin/outbox/{id}/html", Perm: access.Installation, Handler: h.outboxHTML(false)},
		{Method: "GET", Path: "/w/{ws}/settings/outbox", Perm: access.OutboxView, Handler: h.outboxList(true)},
		{Method: "GET", Path: "/w/{ws}/settings/outbox/{id}", Perm: access.OutboxView, Handler: h.outboxMessage(true)},
		{Method: "GET", Path: "/w/{ws}/settings/outbox/{id}/html", Perm: access.OutboxView, Handler: h.outboxHTML(true)},
	}
}

const pageSize = 50

// stateTabs orders the job states as an operator reads them: what runs, what waits, what failed.
var stateTabs = []string{"running", "available", "scheduled", "retryable", "completed", "discarded", "cancelled"}

type jobsData struct {
	Jobs   []jobs.Job
	Counts map[string]int
	States []string
	State  string
	Next   int64
}

func (h *Handlers) jobs(w http.ResponseWriter, r *http.Request) error {
	state := r.URL.Query().Get("state")
	after, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	list, err := h.queue.List(r.Context(), state, after, pageSize+1)
	if err != nil {
		return web.ErrBadRequest
	}
	counts, err := h.queue.Counts(r.Context())
	if err != nil {
		return err
	}
	d := jobsData{Jobs: list, Counts: counts, States: stateTabs, State: state}
	if len(list) > pageSize {
		d.Jobs = list[:pageSize]
		d.Next = d.Jobs[pageSize-1].ID
	}
	return h.pages.Render(w, r, http.StatusOK, "jobs.html", "settings.jobs", d, nil)
}

func (h *Handlers) jobAction(op func(Queue) func(context.Context, int64) error, done string) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return web.ErrNotFound
		}
		if err := op(h.queue)(r.Context(), id); err != nil {
			h.srv.Log.Warn("job action", "id", id, "err", err)
			h.srv.AddFlash(r, "error", "admin.jobs.action_failed")
		} else {
			h.srv.AddFlash(r, "ok", done)
		}
		back := "/admin/jobs"
		if s := web.ParseForm(r).Get("state"); s != "" {
			back += "?state=" + url.QueryEscape(s)
		}
		return web.Redirect(w, r, back)
	}
}

type outboxData struct {
	Messages []mail.Stored
	Next     int64
	Base     string
}

// scope is the workspace whose mail a page shows; 0 for the installation's pages.
func scope(r *http.Request, inWorkspace bool) (int64, string) {
	if inWorkspace {
		return web.PrincipalOf(r).WorkspaceID, web.WorkspacePath(r, "/settings/outbox")
	}
	return 0, "/admin/outbox"
}

func (h *Handlers) outboxList(inWorkspace bool) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		wsID, base := scope(r, inWorkspace)
		before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
		var list []mail.Stored
		var err error
		if inWorkspace {
			list, err = h.outbox.ListWorkspace(r.Context(), wsID, before, pageSize+1)
		} else {
			list, err = h.outbox.List(r.Context(), before, pageSize+1)
		}
		if err != nil {
			return err
		}
		d := outboxData{Messages: list, Base: base}
		if len(list) > pageSize {
			d.Messages = list[:pageSize]
			d.Next = d.Messages[pageSize-1].ID
		}
		return h.pages.Render(w, r, http.StatusOK, "outbox.html", "settings.outbox", d, nil)
	}
}

type messageData struct {
	Message mail.Stored
	Base    string
}

func (h *Handlers) message(r *http.Request, inWorkspace bool) (mail.Stored, string, error) {
	wsID, base := scope(r, inWorkspace)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return mail.Stored{}, "", web.ErrNotFound
	}
	if !inWorkspace {
		m, err := h.outbox.Get(r.Context(), id)
		return m, base, err
	}
	m, err := h.outbox.GetWorkspace(r.Context(), wsID, id)
	if err != nil {
		return m, base, err
	}
	// An invitation's link makes its holder a member with the invited role: only those who may
	// grant that role see it, or an admin could accept an owner's invitation themselves.
	if role, ok := strings.CutPrefix(m.Kind, "invitation."); ok && !web.PrincipalOf(r).Role.Outranks(access.Role(role)) {
		hidden := web.LocaleOf(r).T("admin.outbox.link_hidden")
		m.Text = inviteLink.ReplaceAllString(m.Text, hidden)
		m.HTML = inviteLink.ReplaceAllString(m.HTML, hidden)
	}
	return m, base, nil
}

var inviteLink = regexp.MustCompile(`https?://[^\s"'<>]*/invite/[a-z0-9]+`)

func (h *Handlers) outboxMessage(inWorkspace bool) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		m, base, err := h.message(r, inWorkspace)
		if err != nil {
			return err
		}
		return h.pages.Render(w, r, http.StatusOK, "message.html", "settings.outbox", messageData{Message: m, Base: base}, nil)
	}
}

// outboxHTML serves a message's HTML part alone, for the preview frame, under a policy that runs
// no script and loads nothing.
func (h *Handlers) outboxHTML(inWorkspace bool) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		m, _, err := h.message(r, inWorkspace)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox")
		w.Header().Set("X-Frame-Options", "SAMEORIGIN")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err = w.Write([]byte(m.HTML))
		return err
	}
}
