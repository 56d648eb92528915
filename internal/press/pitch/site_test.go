package pitch_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"
	"warta.dev/warta/internal/auth/authtest"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/pitch"
)

// site is the part of Warta pitches need, on loopback: accounts and sessions from auth, press
// contacts and their timeline, notifications with the mail outbox, the web shell and this package.
type site struct {
	t      *testing.T
	url    string
	d      *db.DB
	auth   *auth.Service
	press  *press.Service
	s      *pitch.Service
	notes  *notify.Center
	mail   *mail.Mailer
	queue  *jobs.Queue
	bundle *i18n.Bundle
	ws     *auth.Workspace
	owner  int64
}

const pw = "kopi-tubruk-pahit"

// members is auth's member list as press and pitch ask for it (what the app's adapter does).
type members struct{ as *auth.Service }

func (m members) WorkspaceMembers(ctx context.Context, wsID int64) ([]press.Member, error) {
	list, _, err := m.as.Members(ctx, wsID)
	if err != nil {
		return nil, err
	}
	out := make([]press.Member, 0, len(list))
	for _, x := range list {
		out = append(out, press.Member{ID: x.UserID, Name: x.Name, Email: x.Email})
	}
	return out, nil
}

func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, mail.Migrations, notify.Migrations, press.Migrations, pitch.Migrations)
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.NewBundle(catalog.Common, auth.Catalog, notify.Catalog, press.Catalog, pitch.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srvURL := "http://127.0.0.1"
	q, err := jobs.New(d, log)
	if err != nil {
		t.Fatal(err)
	}
	st := &site{t: t, d: d, queue: q, bundle: bundle}
	st.mail = mail.New(d, q, nil, "Warta <warta@humas.example>")
	st.notes = notify.New(d, st.mail, bundle, "https://warta.humas.example")
	st.auth = auth.NewService(d, nil, bundle, srvURL, log)
	st.press = press.NewService(d, members{st.auth})
	st.s = pitch.NewService(d, st.press, members{st.auth}, st.notes)
	st.s.RegisterJobs(q)

	sessions, _ := web.NewSessions(d, srvURL)
	guard := auth.NewGuard(st.auth, sessions)
	rd, err := web.NewRenderer(sessions, []web.NavItem{{Key: "nav.press.pitches", Path: "/press/pitches", Perm: access.PressView}}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(guard, sessions, bundle, rd, log)
	authPages, err := auth.NewHandlers(st.auth, guard, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := pitch.NewHandlers(st.s, srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(authPages.Routes()...)
	srv.Handle(h.Routes()...)
	srv.Handle(h.APIRoutes()...)
	hs := httptest.NewServer(srv.Mux())
	t.Cleanup(hs.Close)
	st.url = hs.URL
	u, ws, err := st.auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Name: "Ani Humas", Password: pw,
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
	u, _, err := st.auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: email, Password: pw, Role: role, Workspace: st.ws.Slug, Lang: lang})
	if err != nil {
		st.t.Fatal(err)
	}
	return u.ID
}

// otherWorkspace makes a second workspace with its own owner, returning it and the owner's id.
func (st *site) otherWorkspace() (*auth.Workspace, int64) {
	st.t.Helper()
	u, ws, err := st.auth.CreateUserWithWorkspace(context.Background(), auth.CLI, "lain@humas.example", "Lain", pw, "en", "Humas Lain", "Asia/Makassar")
	if err != nil {
		st.t.Fatal(err)
	}
	return ws, u.ID
}

// contact adds a journalist to a workspace's press contacts.
func (st *site) contact(wsID int64, name, outlet, email string) int64 {
	st.t.Helper()
	id, err := st.press.AddContact(context.Background(), audit.Actor{Label: "test"}, wsID, press.ContactInput{Name: name,
		Outlets: []press.OutletRole{{Outlet: outlet}}, Emails: []string{email}, Languages: []string{"id"}})
	if err != nil {
		st.t.Fatal(err)
	}
	return id
}

// timeline is a contact's events, oldest first, as "kind|title|link|detail".
func (st *site) timeline(wsID, contactID int64) []string {
	st.t.Helper()
	list, err := st.press.Timeline(context.Background(), wsID, contactID, 0)
	if err != nil {
		st.t.Fatal(err)
	}
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		e := list[i]
		out = append(out, e.Kind+"|"+e.Title+"|"+e.Link+"|"+e.Detail)
	}
	return out
}

func (st *site) locale(lang string) *i18n.Locale { return st.bundle.Locale(lang, wib) }

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

type page = authtest.Page

var text, mustSee = authtest.Text, authtest.MustSee

func (st *site) signIn(email string) *authtest.Browser {
	return authtest.SignIn(st.t, st.url, email, pw)
}

func (st *site) api(method, path, token string, body any) (int, map[string]any) {
	return authtest.API(st.t, st.url, method, path, token, body)
}
