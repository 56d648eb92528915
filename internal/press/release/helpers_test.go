package release_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

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

type browser struct {
	st *site
	c  *http.Client
}

type page struct {
	status   int
	body     string
	location string
}

func (st *site) signIn(email string) *browser {
	st.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{st: st, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if r := b.post("/login", url.Values{"email": {email}, "password": {pw}}); r.status != http.StatusSeeOther {
		st.t.Fatalf("sign in %s: %d", email, r.status)
	}
	return b
}

func (b *browser) do(req *http.Request) page {
	b.st.t.Helper()
	req.Header.Set("Accept-Language", "en")
	res, err := b.c.Do(req)
	if err != nil {
		b.st.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, body: string(raw), location: res.Header.Get("Location")}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest("GET", b.st.url+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	req, _ := http.NewRequest("POST", b.st.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (st *site) api(method, path, token string, body any) (int, map[string]any) {
	st.t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, st.url+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

var tags = regexp.MustCompile(`(?s)<head>.*</head>|<[^>]+>`)

// text is what a person reads on the page.
func text(body string) string {
	return html.UnescapeString(strings.Join(strings.Fields(tags.ReplaceAllString(body, " ")), " "))
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

func mustSee(t *testing.T, what string, p page, wants ...string) {
	t.Helper()
	if strings.Contains(p.body, "ZgotmplZ") {
		t.Errorf("%s has a value the template refused (ZgotmplZ)", what)
	}
	for _, w := range wants {
		if !strings.Contains(p.body, w) && !strings.Contains(text(p.body), w) {
			t.Errorf("%s (%d) does not show %q:\n%s", what, p.status, w, text(p.body))
		}
	}
}
