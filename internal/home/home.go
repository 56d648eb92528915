// Package home is the workspace's start page: today's date in the workspace's zone, what to do
// first, and the latest activity. Later domains add their panels here (today's schedule,
// approvals waiting, mentions to triage, alerts).
package home

import (
	"embed"
	"net/http"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the home page's words.
var Catalog = i18n.Catalog{Name: "home", FS: i18n.Dir(catalogFiles, "i18n")}

// Handlers serve the home page.
type Handlers struct {
	pages *web.Pages
	conn  db.Conn
}

// NewHandlers parses the templates; conn reads the recent activity.
func NewHandlers(srv *web.Server, conn db.Conn) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	return &Handlers{pages: pages, conn: conn}, err
}

// Routes of the home page.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{{Method: "GET", Path: "/w/{ws}", Perm: access.WorkspaceView, Handler: h.home}}
}

type homeData struct {
	Today    time.Time
	Activity []audit.Entry
}

func (h *Handlers) home(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	d := homeData{Today: time.Now()}
	if p.Can(access.AuditView) {
		var err error
		if d.Activity, err = audit.List(r.Context(), h.conn, p.WorkspaceID, audit.Filter{Limit: 8}); err != nil {
			return err
		}
	}
	return h.pages.Render(w, r, http.StatusOK, "home.html", "nav.home", d, nil)
}
