package subscribe_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/auth/authtest"
	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
)

// topics is a newsroom's topics per workspace, {Indonesian, English} names by id: what the
// newsroom core answers.
type topics map[int64]map[int64][2]string

func (t topics) TopicNames(_ context.Context, wsID int64, lang string) (map[int64]string, error) {
	out := map[int64]string{}
	for id, n := range t[wsID] {
		if lang == "en" {
			out[id] = n[1]
		} else {
			out[id] = n[0]
		}
	}
	return out, nil
}

// Topic ids of the test newsrooms.
const (
	health    int64 = 1
	education int64 = 2
	transport int64 = 3
)

// site is the part of Warta subscriptions need, on loopback: accounts and sessions from auth, the
// mail outbox, the web shell and this package.
type site struct {
	t      *testing.T
	url    string
	d      *db.DB
	auth   *auth.Service
	s      *subscribe.Service
	mail   *mail.Mailer
	queue  *jobs.Queue
	bundle *i18n.Bundle
	topics topics
	ws     *auth.Workspace
	owner  int64
}

const pw = "kopi-tubruk-pahit"

func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, mail.Migrations, subscribe.Migrations)
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.NewBundle(catalog.Common, auth.Catalog, subscribe.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srvURL := "http://127.0.0.1"
	q, err := jobs.New(d, log)
	if err != nil {
		t.Fatal(err)
	}
	st := &site{t: t, d: d, queue: q, bundle: bundle, topics: topics{}}
	st.mail = mail.New(d, q, nil, "Warta <warta@humas.example>")
	st.auth = auth.NewService(d, nil, bundle, srvURL, log)
	st.s = subscribe.NewService(d, st.mail, bundle, st.topics)
	st.s.RegisterJobs(q)

	sessions, _ := web.NewSessions(d, srvURL)
	guard := auth.NewGuard(st.auth, sessions)
	rd, err := web.NewRenderer(sessions, []web.NavItem{{Key: "subscribe.nav", Path: "/newsroom/subscribers", Perm: access.PressView}}, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(guard, sessions, bundle, rd, log)
	authPages, err := auth.NewHandlers(st.auth, guard, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := subscribe.NewHandlers(st.s, srv)
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
	st.topics[ws.ID] = map[int64][2]string{health: {"Kesehatan", "Health"}, education: {"Pendidikan", "Education"}, transport: {"Transportasi", "Transport"}}
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

// otherWorkspace makes a second workspace with its own owner and topics, returning it and the
// owner's id.
func (st *site) otherWorkspace() (*auth.Workspace, int64) {
	st.t.Helper()
	u, ws, err := st.auth.CreateUserWithWorkspace(context.Background(), auth.CLI, "lain@humas.example", "Lain", pw, "en", "Humas Lain", "Asia/Makassar")
	if err != nil {
		st.t.Fatal(err)
	}
	st.topics[ws.ID] = map[int64][2]string{10: {"Pariwisata", "Tourism"}}
	return ws, u.ID
}

// confirmURL is the newsroom's confirmation page for a token, as the core builds it.
func confirmURL(token string) string {
	return "https://humas.example/newsroom/humas-kota/confirm/" + token
}

var linkRE = regexp.MustCompile(`https://humas\.example/newsroom/humas-kota/confirm/([a-z0-9]+)`)

// request is a visitor's subscription on the test newsroom.
func request(wsID int64, email, name, lang string, topics ...int64) subscribe.Request {
	return subscribe.Request{WorkspaceID: wsID, Email: email, Name: name, Lang: lang, Topics: topics, NewsroomName: "Pemkot Sukamaju",
		ConfirmURL: confirmURL}
}

// mails are the messages recorded for an address in a workspace, oldest first.
func (st *site) mails(wsID int64, to string) []mail.Stored {
	st.t.Helper()
	all, err := st.mail.ListWorkspace(context.Background(), wsID, 0, 500)
	if err != nil {
		st.t.Fatal(err)
	}
	var out []mail.Stored
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].To == to {
			out = append(out, all[i])
		}
	}
	return out
}

// token is the confirmation token in the last email to an address.
func (st *site) token(wsID int64, to string) string {
	st.t.Helper()
	ms := st.mails(wsID, to)
	if len(ms) == 0 {
		st.t.Fatalf("no email to %s", to)
	}
	m := linkRE.FindStringSubmatch(ms[len(ms)-1].Text)
	if m == nil {
		st.t.Fatalf("no confirmation link in the email to %s:\n%s", to, ms[len(ms)-1].Text)
	}
	return m[1]
}

// subscribe asks for a subscription and fails the test when it is refused.
func (st *site) subscribe(req subscribe.Request) {
	st.t.Helper()
	if err := st.s.Subscribe(context.Background(), req); err != nil {
		st.t.Fatalf("subscribe %s: %v", req.Email, err)
	}
}

// confirmed subscribes an address and opens the link in its email, returning the subscriber.
func (st *site) confirmed(req subscribe.Request) *subscribe.Subscriber {
	st.t.Helper()
	st.subscribe(req)
	sub, err := st.s.Confirm(context.Background(), st.token(req.WorkspaceID, req.Email))
	if err != nil {
		st.t.Fatal(err)
	}
	return sub
}

// age moves every request and email of an address back in time, as if it had been made d ago.
func (st *site) age(wsID int64, email string, d time.Duration) {
	st.t.Helper()
	ctx := context.Background()
	err := st.d.Tx(ctx, func(tx *db.Tx) error {
		var id int64
		var requested, mailed, expires time.Time
		rows, err := tx.Query(ctx, `SELECT r.id, r.requested_at, r.mailed_at, r.expires_at FROM newsroom_subscribe_requests r
			JOIN newsroom_subscribers s ON s.id = r.subscriber_id WHERE s.workspace_id = ? AND s.email = ?`, wsID, email)
		if err != nil {
			return err
		}
		type times struct {
			id                         int64
			requested, mailed, expires time.Time
		}
		var all []times
		for rows.Next() {
			if err := rows.Scan(&id, &requested, &mailed, &expires); err != nil {
				rows.Close()
				return err
			}
			all = append(all, times{id, requested, mailed, expires})
		}
		rows.Close()
		for _, x := range all {
			if _, err := tx.Exec(ctx, `UPDATE newsroom_subscribe_requests SET requested_at = ?, mailed_at = ?, expires_at = ? WHERE id = ?`,
				x.requested.Add(-d).UTC(), x.mailed.Add(-d).UTC(), x.expires.Add(-d).UTC(), x.id); err != nil {
				return err
			}
		}
		var sreq time.Time
		if err := tx.QueryRow(ctx, `SELECT requested_at FROM newsroom_subscribers WHERE workspace_id = ? AND email = ?`, wsID, email).Scan(&sreq); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE newsroom_subscribers SET requested_at = ? WHERE workspace_id = ? AND email = ?`, sreq.Add(-d).UTC(), wsID, email)
		return err
	})
	if err != nil {
		st.t.Fatal(err)
	}
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var text, mustSee = authtest.Text, authtest.MustSee

func (st *site) signIn(email string) *authtest.Browser {
	return authtest.SignIn(st.t, st.url, email, pw)
}

func (st *site) api(method, path, token string, body any) (int, map[string]any) {
	return authtest.API(st.t, st.url, method, path, token, body)
}
