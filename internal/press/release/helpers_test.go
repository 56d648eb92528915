package release_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"
	"warta.dev/warta/internal/auth/authtest"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press/release"
)

// site is the part of Warta releases need, on loopback: accounts and sessions from auth, the
// content studio with the real approval process as its workflow (notices and mail stay in their
// tables: the queue is not started), and this package.
type site struct {
	t         *testing.T
	d         *db.DB
	url       string
	bundle    *i18n.Bundle
	auth      *auth.Service
	content   *content.Service
	approvals *approval.Service
	s         *release.Service
	ws        *auth.Workspace
	owner     int64
}

const pw = "kopi-tubruk-pahit"

var wib, _ = time.LoadLocation("Asia/Jakarta")

type members struct{ *auth.Service }

func (m members) Members(ctx context.Context, wsID int64) ([]content.Person, error) {
	list, _, err := m.Service.Members(ctx, wsID)
	var out []content.Person
	for _, x := range list {
		out = append(out, content.Person{UserID: x.UserID, Name: x.Name, Email: x.Email})
	}
	return out, err
}

type approvers struct{ *auth.Service }

func (m approvers) Members(ctx context.Context, wsID int64) ([]approval.Member, error) {
	list, _, err := m.Service.Members(ctx, wsID)
	var out []approval.Member
	for _, x := range list {
		out = append(out, approval.Member{UserID: x.UserID, Name: x.Name, Email: x.Email, Role: x.Role})
	}
	return out, err
}

func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, notify.Migrations, mail.Migrations, medialib.Migrations,
		campaign.Migrations, content.Migrations, approval.Migrations, release.Migrations)
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.NewBundle(catalog.Common, auth.Catalog, notify.Catalog, channel.Catalog, content.Catalog, approval.Catalog, release.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(d, log)
	if err != nil {
		t.Fatal(err)
	}
	srvURL := "http://127.0.0.1"
	mailer := mail.New(d, q, nil, "warta@humas.example")
	as := auth.NewService(d, mailer, bundle, srvURL, log)
	center := notify.New(d, mailer, bundle, srvURL)
	sessions, _ := web.NewSessions(d, srvURL)
	guard := auth.NewGuard(as, sessions)
	rd, err := web.NewRenderer(sessions, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(guard, sessions, bundle, rd, log)
	authPages, err := auth.NewHandlers(as, guard, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &site{t: t, d: d, bundle: bundle, auth: as}
	st.content = content.NewService(d, nil, nil, members{as}, center)
	st.approvals = approval.NewService(d, st.content, approvers{as}, center, mailer, bundle, srvURL, []byte("0123456789abcdef0123456789abcdef"))
	st.content.SetWorkflow(st.approvals)
	st.s = release.NewService(d, st.content, st.approvals, nil, bundle, "https://warta.humas.example")
	h, err := release.NewHandlers(st.s, srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(authPages.Routes()...)
	srv.Handle(h.Routes()...)
	srv.Handle(h.APIRoutes()...)
	hs := httptest.NewServer(srv.Mux())
	t.Cleanup(hs.Close)
	st.url = hs.URL
	u, ws, err := as.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Name: "Oka Pemilik", Password: pw,
		Role: access.Owner, Workspace: "Humas Kota", Lang: "en", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	st.ws, st.owner = ws, u.ID
	return st
}

// member adds someone to the workspace with a role and language, and returns their user id.
func (st *site) member(email string, role access.Role, lang string) int64 {
	st.t.Helper()
	u, _, err := st.auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: email, Name: email, Password: pw, Role: role,
		Workspace: st.ws.Slug, Lang: lang})
	if err != nil {
		st.t.Fatal(err)
	}
	return u.ID
}

func (st *site) actor() audit.Actor {
	return audit.Actor{UserID: st.owner, Label: "owner@humas.example"}
}

func (st *site) setMode(mode approval.Mode) {
	st.t.Helper()
	if err := st.approvals.SaveSettings(context.Background(), st.actor(), st.ws.ID, approval.Settings{Mode: mode}); err != nil {
		st.t.Fatalf("settings: %v", err)
	}
}

// create makes a release in the workspace, failing the test on error.
func (st *site) create(wsID int64, in release.Input) *release.Release {
	st.t.Helper()
	r, err := st.s.Create(context.Background(), st.actor(), wsID, in, wib)
	if err != nil {
		st.t.Fatalf("create %q: %v", in.Headline, err)
	}
	return r
}

func at(y int, m time.Month, d, hh, mm int, zone string) *time.Time {
	z, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	t := time.Date(y, m, d, hh, mm, 0, 0, z)
	return &t
}

// banjir is a release as a city's humas writes one.
func banjir() release.Input {
	return release.Input{Lang: "id", Headline: "Pemkot Sukamaju Buka Posko Banjir di Balai Kota",
		Subheadline: "Warga terdampak dapat mengungsi mulai malam ini", DatelineCity: "Sukamaju", DatelineDate: "2026-11-20",
		Body:        "Pemerintah Kota Sukamaju membuka posko banjir di Balai Kota.\n\nPosko buka 24 jam.",
		Boilerplate: "**Tentang Pemkot Sukamaju** — melayani 1,2 juta warga.", ContactName: "Rina Wulandari", ContactRole: "Kepala Bagian Humas",
		ContactPhone: "+62 812-3456-7890", ContactEmail: "humas@sukamaju.example", Embargo: at(2026, 12, 3, 10, 0, "Asia/Jakarta"), Zone: "Asia/Jakarta"}
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

type page = authtest.Page

var text, mustSee = authtest.Text, authtest.MustSee

func (st *site) signIn(email string) *authtest.Browser {
	return authtest.SignIn(st.t, st.url, email, pw)
}

func (st *site) api(method, path, token string, body any) (int, map[string]any) {
	return authtest.API(st.t, st.url, method, path, token, body)
}
