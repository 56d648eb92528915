// Package home is the workspace's start page: today's schedule in the workspace's zone, the
// approvals waiting for the member, the mentions to triage and the latest alerts, what to do
// first, and the latest activity.
package home

import (
	"context"
	"embed"
	"net/http"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
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

// Schedule is the dated content the home page shows for today.
type Schedule interface {
	Dated(ctx context.Context, wsID int64, from, to time.Time) ([]content.Dated, error)
}

// Approvals is the queue of items waiting for a member's decision.
type Approvals interface {
	Queue(ctx context.Context, wsID, userID int64) (mine, others []approval.Waiting, err error)
}

// Publishing counts the workspace's publications that wait for a person, by state ("failed",
// "uncertain", "held").
type Publishing interface {
	NeedingAttention(ctx context.Context, wsID int64) (map[string]int, error)
}

// Monitoring gives the home page the mentions waiting to be triaged and the latest alerts.
type Monitoring interface {
	ToTriage(ctx context.Context, wsID int64) (int, error)
	RecentAlerts(ctx context.Context, wsID int64, since time.Time) ([]Alert, error)
}

// Alert is a monitoring alert as the home page lists it.
type Alert struct {
	Kind, Topic, Link string
	At                time.Time
}

// Handlers serve the home page.
type Handlers struct {
	pages      *web.Pages
	conn       db.Conn
	schedule   Schedule
	approvals  Approvals
	publishing Publishing
	monitoring Monitoring
}

// NewHandlers parses the templates; conn reads the recent activity.
func NewHandlers(srv *web.Server, conn db.Conn, schedule Schedule, approvals Approvals, publishing Publishing, monitoring Monitoring) (*Handlers, error) {
	pages, err := srv.Render.Pages(templates, "templates/*.html")
	return &Handlers{pages: pages, conn: conn, schedule: schedule, approvals: approvals, publishing: publishing, monitoring: monitoring}, err
}

// Routes of the home page.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{{Method: "GET", Path: "/w/{ws}", Perm: access.WorkspaceView, Handler: h.home}}
}

type homeData struct {
	Today    time.Time
	Activity []audit.Entry
	Schedule []content.Dated
	Waiting  []approval.Waiting
	// Attention counts publications a person must decide on, by state.
	Attention map[string]int
	// ToTriage counts new mentions; Alerts are the monitoring alerts of the last week.
	ToTriage int
	Alerts   []Alert
}

func (h *Handlers) home(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalOf(r)
	d := homeData{Today: time.Now()}
	zone := p.Zone
	if zone == nil {
		zone = time.UTC
	}
	now := time.Now().In(zone)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	var err error
	if d.Schedule, err = h.schedule.Dated(r.Context(), p.WorkspaceID, midnight, midnight.AddDate(0, 0, 1)); err != nil {
		return err
	}
	if d.Attention, err = h.publishing.NeedingAttention(r.Context(), p.WorkspaceID); err != nil {
		return err
	}
	if p.Can(access.MonitorView) {
		if d.ToTriage, err = h.monitoring.ToTriage(r.Context(), p.WorkspaceID); err != nil {
			return err
		}
		if d.Alerts, err = h.monitoring.RecentAlerts(r.Context(), p.WorkspaceID, now.AddDate(0, 0, -7)); err != nil {
			return err
		}
	}
	if p.Can(access.ContentApprove) {
		if d.Waiting, _, err = h.approvals.Queue(r.Context(), p.WorkspaceID, p.UserID); err != nil {
			return err
		}
	}
	if p.Can(access.AuditView) {
		if d.Activity, err = audit.List(r.Context(), h.conn, p.WorkspaceID, audit.Filter{Limit: 8}); err != nil {
			return err
		}
	}
	return h.pages.Render(w, r, http.StatusOK, "home.html", "nav.home", d, nil)
}
