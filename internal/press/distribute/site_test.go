package distribute_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"warta.dev/warta/internal/auth/authtest"

	"github.com/emersion/go-smtp"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail/smtptest"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press/distribute"
)

// journalists stands in for the contacts domain: people on numbered lists, and what the
// distribution told it.
type journalists struct {
	mu     sync.Mutex
	people []distribute.Contact
	lists  map[int64][]int // list ID → indexes into people
	// unsubscribed records each Unsubscribe call as "contactID email".
	unsubscribed []string
	events       map[int64][]distribute.Event
}

func (j *journalists) Audience(_ context.Context, _ int64, lists, _ []int64, fn func(distribute.Contact) error) error {
	j.mu.Lock()
	seen := map[string]bool{}
	var out []distribute.Contact
	for _, l := range lists {
		for _, i := range j.lists[l] {
			p := j.people[i]
			if seen[p.Email] {
				continue
			}
			seen[p.Email] = true
			if slices.ContainsFunc(j.unsubscribed, func(u string) bool { return strings.HasSuffix(u, " "+p.Email) }) {
				p.Skip = "unsubscribed"
			}
			out = append(out, p)
		}
	}
	j.mu.Unlock()
	for _, p := range out {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func (j *journalists) Count(ctx context.Context, wsID int64, lists, segments []int64) (send, skip int, err error) {
	err = j.Audience(ctx, wsID, lists, segments, func(c distribute.Contact) error {
		if c.Skip != "" {
			skip++
		} else {
			send++
		}
		return nil
	})
	return send, skip, err
}

func (j *journalists) Lists(context.Context, int64) ([]distribute.Choice, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []distribute.Choice
	for id, members := range j.lists {
		out = append(out, distribute.Choice{ID: id, Name: "Jurnalis kesehatan", Count: len(members)})
	}
	return out, nil
}

func (j *journalists) Segments(context.Context, int64) ([]distribute.Choice, error) { return nil, nil }

func (j *journalists) Record(_ context.Context, _ *db.Tx, _ int64, contactID int64, e distribute.Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.events[contactID] = append(j.events[contactID], e)
	return nil
}

func (j *journalists) RecordMany(ctx context.Context, tx *db.Tx, wsID int64, ids []int64, e distribute.Event) error {
	for _, id := range ids {
		if err := j.Record(ctx, tx, wsID, id, e); err != nil {
			return err
		}
	}
	return nil
}

func (j *journalists) Unsubscribe(_ context.Context, _ *db.Tx, _ int64, contactID int64, email, _ string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.unsubscribed = append(j.unsubscribed, strconv.FormatInt(contactID, 10)+" "+email)
	return nil
}

func (j *journalists) Bounce(context.Context, *db.Tx, int64, string, bool, string) error { return nil }

func (j *journalists) unsubscribes() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.unsubscribed...)
}

// releases stands in for press releases: release 7, in Indonesian and English, with one link.
type releases struct{}

func (releases) Letter(_ context.Context, _ int64, _ distribute.Ref, lang string) (*distribute.Letter, error) {
	if lang == "en" {
		return &distribute.Letter{Lang: "en", Subject: "Free health checks",
			HTML: `<p>For {{outlet}}: see <a href="https://kota.example/cek">the schedule</a>.</p>`, Text: "For {{outlet}}: see https://kota.example/cek."}, nil
	}
	return &distribute.Letter{Lang: "id", Subject: "Cek kesehatan gratis",
		HTML: `<p>Untuk {{outlet}}: lihat <a href="https://kota.example/cek">jadwalnya</a>.</p>`, Text: "Untuk {{outlet}}: lihat https://kota.example/cek."}, nil
}

func (releases) Languages(context.Context, int64, distribute.Ref) ([]string, error) {
	return []string{"id", "en"}, nil
}
func (releases) Sendable(context.Context, int64, distribute.Ref) error { return nil }
func (releases) Choices(_ context.Context, _ int64, kind string) ([]distribute.Choice, error) {
	if kind == distribute.KindRelease {
		return []distribute.Choice{{ID: 7, Name: "Cek kesehatan gratis"}}, nil
	}
	return nil, nil
}
func (releases) Delivered(context.Context, *db.Tx, int64, distribute.Ref, int64, time.Time) error {
	return nil
}

// site is the part of Warta the distribution pages need, on loopback: accounts and sessions,
// the web shell behind the app's cross-origin protection, the distribution service sending to a
// loopback SMTP server, and the contacts, releases and newsroom subscribers peers.
type site struct {
	t    *testing.T
	url  string
	auth *auth.Service
	s    *distribute.Service
	j    *journalists
	subs *readers
	sink *smtptest.Server
	d    *db.DB
	ws   *auth.Workspace
}

const pw = "kopi-tubruk-pahit"

func startSite(t *testing.T, engine db.Dialect) *site { return startSiteVia(t, engine, nil) }

// startSiteVia sends through cut when given, else through the loopback sink.
func startSiteVia(t *testing.T, engine db.Dialect, cut *cutter) *site {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, distribute.Migrations)
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(d, log)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.NewBundle(catalog.Common, auth.Catalog, distribute.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	sink, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	relay := &distribute.Server{Host: sink.Host, Port: sink.Port, TLS: distribute.TLSNone, Connections: 2}
	if cut != nil {
		relay.Host, relay.Port = cut.host, cut.port
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()

	j := &journalists{lists: map[int64][]int{1: {0, 1, 2}}, events: map[int64][]distribute.Event{}, people: []distribute.Contact{
		{ContactID: 11, Email: "sari@kompas.example", Name: "Sari Wulandari", Salutation: "Ibu", Outlet: "Kompas", Language: "id"},
		{ContactID: 12, Email: "dewi@thejakartapost.example", Name: "Dewi Lestari", Outlet: "The Jakarta Post", Language: "en"},
		{ContactID: 13, Email: "budi@tempo.example", Name: "Budi Santoso", Salutation: "Bapak", Outlet: "Tempo", Language: "id"},
	}}
	subs := &readers{}
	s := distribute.New(distribute.Deps{DB: d, Queue: q, Keys: keys, Bundle: bundle, Audience: j, Sources: releases{}, Subscribers: subs, Log: log, BaseURL: base,
		SigningKey: []byte("test-signing-key"), Server: relay,
		From: "Humas Kota Sukamaju <humas@sukamaju.example>"}, distribute.Options{Tick: 50 * time.Millisecond})

	as := auth.NewService(d, nil, bundle, base, log)
	sessions, _ := web.NewSessions(d, base)
	guard := auth.NewGuard(as, sessions)
	nav := []web.NavItem{{Key: "distribute.title", Path: "/press/distributions", Perm: access.PressView}}
	rd, err := web.NewRenderer(sessions, nav, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(guard, sessions, bundle, rd, log)
	authPages, err := auth.NewHandlers(as, guard, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := distribute.NewHandlers(s, srv)
	if err != nil {
		t.Fatal(err)
	}
	// No DNS from tests: the lookup answers as a server without DNS does.
	h.LookupDomain = func(_ context.Context, email string) distribute.DomainCheck {
		return distribute.DomainCheck{Domain: email[strings.LastIndexByte(email, '@')+1:], Failed: true}
	}
	srv.Handle(authPages.Routes()...)
	srv.Handle(h.Routes()...)
	srv.Handle(h.APIRoutes()...)
	srv.Handle(h.PublicRoutes()...)
	// As the app serves it: behind net/http's cross-origin protection.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(srv.DenyCrossOrigin))
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: cop.Handler(srv.Mux())}}
	hs.Start()
	t.Cleanup(hs.Close)

	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		_ = q.Stop(context.Background())
	})

	st := &site{t: t, url: base, auth: as, s: s, j: j, subs: subs, sink: sink, d: d}
	_, st.ws, err = as.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Password: pw, Role: access.Owner,
		Workspace: "Humas Kota", Lang: "en", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// member adds someone to the workspace with a role and language.
func (st *site) member(email string, role access.Role, lang string) int64 {
	st.t.Helper()
	u, _, err := st.auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: email, Password: pw, Role: role, Workspace: st.ws.Slug, Lang: lang})
	if err != nil {
		st.t.Fatal(err)
	}
	return u.ID
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

// wait polls until the distribution reaches state.
func (st *site) wait(id int64, want distribute.State) *distribute.Distribution {
	st.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := st.s.Get(context.Background(), st.ws.ID, id)
		if err != nil {
			st.t.Fatal(err)
		}
		if d.State == want {
			return d
		}
		if time.Now().After(deadline) {
			st.t.Fatalf("distribution is %s with %+v, want %s", d.State, d.Counts, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// engines runs fn on SQLite and, when configured, PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, st *site)) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) { fn(t, startSite(t, engine)) })
}

// cutter is an SMTP server on loopback that, once, takes a message for one address and then
// drops the connection before answering: the sender cannot know whether it arrived.
type cutter struct {
	host    string
	port    int
	victim  string
	mu      sync.Mutex
	cut     bool
	arrived []string
}

func startCutter(t *testing.T, victim string) *cutter {
	t.Helper()
	c := &cutter{victim: victim}
	srv := smtp.NewServer(smtp.BackendFunc(func(conn *smtp.Conn) (smtp.Session, error) { return &cutSession{c: c, conn: conn}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	c.host, c.port = addr.IP.String(), addr.Port
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return c
}

func (c *cutter) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.arrived...)
}

type cutSession struct {
	c    *cutter
	conn *smtp.Conn
	to   string
}

func (s *cutSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *cutSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *cutSession) Data(r io.Reader) error {
	if _, err := io.ReadAll(r); err != nil {
		return err
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if s.to == s.c.victim && !s.c.cut {
		s.c.cut = true
		_ = s.conn.Conn().Close()
		return errors.New("connection dropped")
	}
	s.c.arrived = append(s.c.arrived, s.to)
	return nil
}
func (s *cutSession) Reset()        { s.to = "" }
func (s *cutSession) Logout() error { return nil }

type page = authtest.Page

var text, mustSee = authtest.Text, authtest.MustSee

func (st *site) signIn(email string) *authtest.Browser {
	return authtest.SignIn(st.t, st.url, email, pw)
}

// visitor is anyone without an account.
func (st *site) visitor() *authtest.Browser { return authtest.Visitor(st.t, st.url) }
