// Package app builds Warta from its configuration and runs it. It is the only package that knows
// every domain: it opens the database, applies migrations, wires the domains' stores, services,
// routes, jobs and catalogs together, and serves them.
package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/admin"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/bluesky"
	"warta.dev/warta/internal/channel/facebook"
	"warta.dev/warta/internal/channel/instagram"
	"warta.dev/warta/internal/channel/linkedin"
	"warta.dev/warta/internal/channel/mastodon"
	"warta.dev/warta/internal/channel/telegram"
	"warta.dev/warta/internal/channel/threads"
	"warta.dev/warta/internal/channel/webhook"
	"warta.dev/warta/internal/channel/x"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/content/calendar"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/crisis"
	"warta.dev/warta/internal/home"
	"warta.dev/warta/internal/monitor"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/monitor/query"
	"warta.dev/warta/internal/newsroom"
	"warta.dev/warta/internal/newsroom/kit"
	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/media"
	"warta.dev/warta/internal/platform/netsafe"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/distribute"
	"warta.dev/warta/internal/press/importer"
	"warta.dev/warta/internal/press/pitch"
	"warta.dev/warta/internal/press/release"
	"warta.dev/warta/internal/publish"
	"warta.dev/warta/web/static"
)

// Version is set at build time with -ldflags "-X warta.dev/warta/internal/app.Version=…".
var Version = "dev"

// Migrations are every domain's schema, in the order their version numbers give.
func Migrations() []db.Migrations {
	return []db.Migrations{web.Migrations, auth.Migrations, audit.Migrations, notify.Migrations, mail.Migrations,
		medialib.Migrations, campaign.Migrations, content.Migrations, approval.Migrations, calendar.Migrations, publish.Migrations,
		press.Migrations, importer.Migrations, pitch.Migrations, release.Migrations, distribute.Migrations,
		newsroom.Migrations, kit.Migrations, subscribe.Migrations, monitor.Migrations, crisis.Migrations}
}

// Catalogs are every domain's messages.
func Catalogs() []i18n.Catalog {
	return []i18n.Catalog{catalog.Common, auth.Catalog, home.Catalog, admin.Catalog, notify.Catalog,
		channel.Catalog, medialib.Catalog, campaign.Catalog, content.Catalog, approval.Catalog, calendar.Catalog,
		publish.Catalog, x.Catalog, bluesky.Catalog, mastodon.Catalog, linkedin.Catalog, threads.Catalog, facebook.Catalog, instagram.Catalog,
		telegram.Catalog, webhook.Catalog, press.Catalog, importer.Catalog, pitch.Catalog, release.Catalog, distribute.Catalog,
		newsroom.Catalog, kit.Catalog, subscribe.Catalog, query.Catalog, fetch.Catalog, monitor.Catalog, crisis.Catalog}
}

// Navigation is the main menu in the order DESIGN.md gives; an entry exists only when its domain does.
var Navigation = []web.NavItem{
	{Key: "nav.home", Path: "", Perm: access.WorkspaceView},
	{Key: "nav.calendar", Path: "/calendar", Perm: access.ContentView},
	{Key: "nav.content", Path: "/content", Perm: access.ContentView, Children: []web.NavItem{
		{Key: "nav.content.items", Path: "/content", Perm: access.ContentView},
		{Key: "nav.content.media", Path: "/media", Perm: access.ContentView},
		{Key: "nav.content.campaigns", Path: "/campaigns", Perm: access.ContentView},
		{Key: "nav.content.approvals", Path: "/approvals", Perm: access.ContentApprove},
		{Key: "nav.content.templates", Path: "/templates", Perm: access.ContentView},
		{Key: "nav.content.import", Path: "/import", Perm: access.ContentWrite},
	}},
	{Key: "publish.nav", Path: "/publishing", Perm: access.ContentView, Children: []web.NavItem{
		{Key: "publish.nav.log", Path: "/publishing", Perm: access.ContentView},
		{Key: "publish.nav.channels", Path: "/channels", Perm: access.ContentView},
	}},
	{Key: "nav.press", Path: "/press/contacts", Perm: access.PressView, Children: []web.NavItem{
		{Key: "nav.press.contacts", Path: "/press/contacts", Perm: access.PressView},
		{Key: "nav.press.outlets", Path: "/press/outlets", Perm: access.PressView},
		{Key: "nav.press.lists", Path: "/press/lists", Perm: access.PressView},
		{Key: "nav.press.segments", Path: "/press/segments", Perm: access.PressView},
		{Key: "release.nav", Path: "/press/releases", Perm: access.PressView},
		{Key: "nav.press.distributions", Path: "/press/distributions", Perm: access.PressView},
		{Key: "nav.press.pitches", Path: "/press/pitches", Perm: access.PressView},
		{Key: "importer.nav", Path: "/press/imports", Perm: access.PressWrite},
		{Key: "nav.press.suppressions", Path: "/press/suppressions", Perm: access.PressView},
		{Key: "nav.press.sending", Path: "/press/sending", Perm: access.PressManage},
	}},
	{Key: "newsroom.nav", Path: "/newsroom", Perm: access.PressView, Children: []web.NavItem{
		{Key: "newsroom.nav.overview", Path: "/newsroom", Perm: access.PressView},
		{Key: "kit.nav", Path: "/newsroom/kit", Perm: access.PressView},
		{Key: "kit.nav.spokespeople", Path: "/newsroom/spokespeople", Perm: access.PressView},
		{Key: "subscribe.nav", Path: "/newsroom/subscribers", Perm: access.PressView},
		{Key: "newsroom.nav.topics", Path: "/newsroom/topics", Perm: access.PressView},
		{Key: "newsroom.nav.settings", Path: "/newsroom/settings", Perm: access.NewsroomManage},
	}},
	{Key: "monitor.nav", Path: "/monitoring", Perm: access.MonitorView, Children: []web.NavItem{
		{Key: "monitor.nav.mentions", Path: "/monitoring", Perm: access.MonitorView},
		{Key: "monitor.nav.topics", Path: "/monitoring/topics", Perm: access.MonitorView},
		{Key: "monitor.nav.sources", Path: "/monitoring/sources", Perm: access.MonitorView},
		{Key: "monitor.nav.coverage", Path: "/monitoring/coverage", Perm: access.MonitorView},
		{Key: "monitor.nav.clippings", Path: "/monitoring/clippings", Perm: access.MonitorView},
		{Key: "monitor.nav.analysis", Path: "/monitoring/analysis", Perm: access.MonitorView},
		{Key: "monitor.nav.alerts", Path: "/monitoring/alerts", Perm: access.MonitorView},
	}},
	{Key: "crisis.nav", Path: "/crisis", Perm: access.CrisisView, Children: []web.NavItem{
		{Key: "crisis.nav.rooms", Path: "/crisis", Perm: access.CrisisView},
		{Key: "crisis.nav.settings", Path: "/crisis/settings", Perm: access.CrisisManage},
	}},
	{Key: "nav.settings", Path: "/settings", Perm: access.WorkspaceView},
}

// App is a built Warta.
type App struct {
	Config *config.Config
	Log    *slog.Logger
	DB     *db.DB
	Queue  *jobs.Queue
	Mailer *mail.Mailer
	Bundle *i18n.Bundle
	Auth   *auth.Service
	Notify *notify.Center
	// The content studio's services, for the demo and tests.
	Content   *content.Service
	Campaigns *campaign.Service
	Library   *medialib.Library
	Approvals *approval.Service
	Calendar  *calendar.Service
	// Publish is the publishing engine and the connected accounts.
	Publish *publish.Service
	// Media relations: contacts, pitches, releases and their distribution.
	Press      *press.Service
	Pitches    *pitch.Service
	Releases   *release.Service
	Distribute *distribute.Service
	// The public newsroom, its media kit and its subscribers.
	Newsroom    *newsroom.Service
	Kit         *kit.Service
	Subscribers *subscribe.Service
	// Monitor is media monitoring: sources, topics, mentions, coverage and alerts.
	Monitor *monitor.Service
	// Crisis is the crisis room.
	Crisis *crisis.Service
	Media  media.Store
	Keys   *secrets.Keyring
	// SigningKey signs expiring links (media URLs, review links) of the domains that need them.
	SigningKey []byte
	Server     *web.Server
	Registry   *prometheus.Registry
	Handler    http.Handler

	topicNames   topicNames
	sessions     *web.SessionStore
	contentPages *content.Handlers
	contentMedia contentMedia
}

// Open opens the database and applies pending migrations. It is enough for CLI commands.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: d}
	if err := a.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if err := a.build(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

// Migrate applies the domains' and the job queue's migrations.
func (a *App) Migrate(ctx context.Context) error {
	n, err := a.DB.Migrate(ctx, Migrations())
	if err != nil {
		return fmt.Errorf("migrating the database: %w", err)
	}
	if n > 0 {
		a.Log.Info("database migrated", "applied", n)
	}
	if err := jobs.Migrate(ctx, a.DB); err != nil {
		return fmt.Errorf("migrating the job queue: %w", err)
	}
	return nil
}

// Ready reports whether the database answers and no migration is pending.
func (a *App) Ready(ctx context.Context) error {
	if err := a.DB.Ping(ctx); err != nil {
		return err
	}
	pending, err := a.DB.Pending(ctx, Migrations())
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("migrations pending: %v", pending)
	}
	if p, err := jobs.Pending(ctx, a.DB); err != nil || p {
		return errors.Join(err, errors.New("job queue migrations pending"))
	}
	// A post past its time that nobody attempted means the engine is not working.
	if n, err := a.Publish.Overdue(ctx); err != nil || n > 0 {
		return errors.Join(err, fmt.Errorf("%d scheduled posts are overdue and were never attempted", n))
	}
	return nil
}

func (a *App) build(ctx context.Context) error {
	cfg := a.Config
	var err error
	if a.Keys, err = secrets.LoadOrCreate(cfg.DataDir, cfg.EncryptionKeys); err != nil {
		return err
	}
	if a.SigningKey, err = secrets.LoadOrCreateSigningKey(cfg.DataDir, cfg.SecretKey); err != nil {
		return err
	}
	if a.Bundle, err = i18n.NewBundle(Catalogs()...); err != nil {
		return err
	}
	if a.Media, err = openMedia(ctx, cfg); err != nil {
		return err
	}
	if a.Queue, err = jobs.New(a.DB, a.Log); err != nil {
		return err
	}
	var smtp *mail.SMTPConfig
	if cfg.SMTPHost != "" {
		smtp = &mail.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, TLS: cfg.SMTPTLS, User: cfg.SMTPUser, Password: cfg.SMTPPassword}
		if err := smtp.Validate(); err != nil {
			return err
		}
	}
	a.Mailer = mail.New(a.DB, a.Queue, smtp, cfg.MailFrom)
	a.Auth = auth.NewService(a.DB, a.Mailer, a.Bundle, cfg.BaseURL, a.Log)
	a.Notify = notify.New(a.DB, a.Mailer, a.Bundle, cfg.BaseURL)

	sessions, store := web.NewSessions(a.DB, cfg.BaseURL)
	a.sessions = store
	guard := auth.NewGuard(a.Auth, sessions)
	a.registerHousekeeping()

	a.Registry = prometheus.NewRegistry()
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		a.Queue.Collector(), a.Mailer.Collector())
	metrics := web.NewMetrics(a.Registry)

	renderer, err := web.NewRenderer(sessions, Navigation, a.Log)
	if err != nil {
		return err
	}
	renderer.Unread = a.Notify.Unread
	a.Server = web.NewServer(guard, sessions, a.Bundle, renderer, a.Log)
	var sso *auth.SSO
	if cfg.OIDCIssuer != "" {
		if sso, err = auth.NewSSO(ctx, cfg.OIDCName, cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret, cfg.BaseURL); err != nil {
			return err
		}
	}
	authPages, err := auth.NewHandlers(a.Auth, guard, a.Server, sso)
	if err != nil {
		return err
	}
	adminPages, err := admin.NewHandlers(a.Server, a.Queue, a.Mailer)
	if err != nil {
		return err
	}
	notifyPages, err := notify.NewHandlers(a.Notify, a.Server)
	if err != nil {
		return err
	}
	if err := a.buildContentStudio(); err != nil {
		return err
	}
	if err := a.buildPublishing(renderer); err != nil {
		return err
	}
	if err := a.buildPress(); err != nil {
		return err
	}
	if err := a.buildNewsroom(); err != nil {
		return err
	}
	if err := a.buildMonitor(); err != nil {
		return err
	}
	if err := a.buildCrisis(); err != nil {
		return err
	}
	renderer.Banners = a.crisisBanners
	homePages, err := home.NewHandlers(a.Server, a.DB, a.Content, a.Approvals, a.Publish, homeMonitoring{a.Monitor})
	if err != nil {
		return err
	}
	a.Server.Handle(authPages.Routes()...)
	a.Server.Handle(homePages.Routes()...)
	a.Server.Handle(adminPages.Routes()...)
	a.Server.Handle(notifyPages.Routes()...)
	a.Server.Handle(authPages.APIRoutes()...)
	a.Server.Handle(web.Route{Method: "GET", Path: "/api/v1/openapi.json", Perm: access.Public, Summary: "This document",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			return web.JSON(w, http.StatusOK, a.Server.OpenAPI(Version, cfg.BaseURL))
		}})

	mux := a.Server.Mux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static.FS))))
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		mux.HandleFunc(m+" /api/", a.Server.APINotFound)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := a.Ready(ctx); err != nil {
			a.Log.Warn("not ready", "err", err)
			http.Error(w, "not ready\n", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", metricsGuard(cfg.MetricsToken, promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{})))

	// A newsroom's own domain is answered by its pages before anything else sees the request.
	h := a.Newsroom.OnDomain(mux)
	cop := http.NewCrossOriginProtection()
	// One-click unsubscribe (RFC 8058) is posted by mail services and mail apps from other
	// origins; the signed token in the path is its credential.
	cop.AddInsecureBypassPattern("POST /m/{token}/u")
	cop.SetDenyHandler(http.HandlerFunc(a.Server.DenyCrossOrigin))
	h = cop.Handler(h)
	h = web.SecurityHeaders(cfg.TrustProxy, h)
	if cfg.TrustProxy {
		h = web.TrustProxy(h)
	}
	a.Handler = metrics.Observe(a.Log, h)
	return nil
}

// metricsGuard keeps /metrics from the public: with a token it requires it; without one it answers
// only requests made directly from this machine (not through a proxy, which would also be local).
func metricsGuard(token string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed := false
		if token != "" {
			got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			allowed = subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
		} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && r.Header.Get("X-Forwarded-For") == "" {
			ip := net.ParseIP(host)
			allowed = ip != nil && ip.IsLoopback()
		}
		if !allowed {
			http.Error(w, "metrics: forbidden\n", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}

func openMedia(ctx context.Context, cfg *config.Config) (media.Store, error) {
	if cfg.MediaStore == "s3" {
		return media.NewS3(ctx, media.S3Config{Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket, Region: cfg.S3Region,
			AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, UseTLS: cfg.S3UseTLS})
	}
	return media.NewLocal(MediaDir(cfg.DataDir))
}

// MediaDir is where the local media store keeps files.
func MediaDir(dataDir string) string { return filepath.Join(dataDir, "media") }

// buildContentStudio wires the media library, campaigns and content items, which need each other
// through the small interfaces each declares.
func (a *App) buildContentStudio() error {
	library := medialib.New(a.DB, a.Media)
	campaigns := campaign.NewService(a.DB, nil)
	a.Library, a.Campaigns = library, campaigns
	media := contentMedia{Library: library, client: netsafe.New(netsafe.Options{Timeout: time.Minute, MaxBytes: 512 << 20,
		UserAgent: netsafe.UserAgent(Version, a.Config.BaseURL), AllowPrivate: a.Config.AllowPrivateURLs})}
	a.contentMedia = media
	a.Content = content.NewService(a.DB, media, contentCampaigns{campaigns}, contentMembers{a.Auth}, a.Notify)
	campaigns.SetScheduled(a.Content)
	approvals := approval.NewService(a.DB, a.Content, approvalMembers{a.Auth}, a.Notify, a.Mailer, a.Bundle, a.Config.BaseURL, a.SigningKey)
	a.Content.SetWorkflow(approvals)
	a.Approvals = approvals
	approvals.RegisterJobs(a.Queue)
	approvalPages, err := approval.NewHandlers(approvals, a.Server)
	if err != nil {
		return err
	}
	mediaPages, err := medialib.NewHandlers(library, a.Server)
	if err != nil {
		return err
	}
	campaignPages, err := campaign.NewHandlers(campaigns, a.Server)
	if err != nil {
		return err
	}
	contentPages, err := content.NewHandlers(a.Content, a.Server, media)
	if err != nil {
		return err
	}
	a.contentPages = contentPages
	a.Calendar = calendar.New(a.DB, campaigns, calendar.NewContentSource(a.Content), calendar.NewMilestones(campaigns))
	calendarPages, err := calendar.NewHandlers(a.Calendar, a.Server, a.Config.BaseURL)
	if err != nil {
		return err
	}
	for _, rs := range [][]web.Route{mediaPages.Routes(), mediaPages.APIRoutes(), campaignPages.Routes(), campaignPages.APIRoutes(),
		contentPages.Routes(), contentPages.APIRoutes(), approvalPages.Routes(), approvalPages.APIRoutes(),
		calendarPages.Routes(), calendarPages.APIRoutes()} {
		a.Server.Handle(rs...)
	}
	return nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
