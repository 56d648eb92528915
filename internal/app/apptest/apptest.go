// Package apptest runs a whole Warta on loopback for tests, on SQLite or PostgreSQL, and gives
// them a browser-like client (cookies, forms) and an API client.
package apptest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// Env is a running Warta.
type Env struct {
	App *app.App
	URL string
	t   testing.TB
}

// Start runs Warta on engine until the test ends. tweak may change the configuration.
func Start(t *testing.T, engine db.Dialect, tweak ...func(*config.Config)) *Env {
	t.Helper()
	databaseURL, dir := dbtest.URL(t, engine)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.DatabaseURL = databaseURL
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	cfg.SMTPHost = ""
	cfg.ShutdownGrace = 5 * time.Second
	for _, f := range tweak {
		f(cfg)
	}
	level := slog.LevelWarn
	if os.Getenv("WARTA_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return &Env{App: a, URL: cfg.BaseURL, t: t}
}

// Browser is a client with its own cookies that does not follow redirects, so tests see them.
type Browser struct {
	env    *Env
	client *http.Client
	Lang   string
}

// Browser returns a new visitor.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{env: e, Lang: "en", client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn returns a browser signed in as the user, failing the test when sign-in fails.
func (e *Env) SignIn(email, password string) *Browser {
	e.t.Helper()
	b := e.Browser()
	if r := b.Post("/login", url.Values{"email": {email}, "password": {password}}); r.Status != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: %d %s", email, r.Status, Excerpt(r.Body))
	}
	return b
}

// Response is a read response.
type Response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (b *Browser) do(req *http.Request) Response {
	b.env.t.Helper()
	if b.Lang != "" {
		req.Header.Set("Accept-Language", b.Lang)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.env.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return Response{Status: res.StatusCode, Body: string(body), Location: res.Header.Get("Location"), Header: res.Header}
}

// Get fetches a path.
func (b *Browser) Get(path string) Response {
	req, _ := http.NewRequest("GET", b.env.abs(path), nil)
	return b.do(req)
}

// Post submits a form.
func (b *Browser) Post(path string, form url.Values) Response {
	req, _ := http.NewRequest("POST", b.env.abs(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// Follow fetches where a redirect points.
func (b *Browser) Follow(r Response) Response {
	b.env.t.Helper()
	if r.Status < 300 || r.Status >= 400 {
		b.env.t.Fatalf("expected a redirect, got %d: %s", r.Status, Excerpt(r.Body))
	}
	return b.Get(r.Location)
}

func (e *Env) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return e.URL + path
}

// API calls the JSON API with a bearer token; body may be nil.
func (e *Env) API(method, path, token string, body any) (int, map[string]any) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = strings.NewReader(string(raw))
	}
	req, _ := http.NewRequest(method, e.abs(path), r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.t.Fatalf("%s %s: not JSON (%d): %s", method, path, res.StatusCode, Excerpt(string(raw)))
		}
	}
	return res.StatusCode, out
}

// SetupLink returns the first-start link, as the console prints it.
func (e *Env) SetupLink() string {
	e.t.Helper()
	link, err := e.App.Auth.SetupLink(context.Background())
	if err != nil || link == "" {
		e.t.Fatalf("no setup link: %v", err)
	}
	return link
}

// LastMailTo returns the newest message to an address, waiting for it to reach the outbox.
func (e *Env) LastMailTo(to string) (subject, text string) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		list, err := e.App.Mailer.List(context.Background(), 0, 100)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, m := range list {
			if m.To == to && m.Status == "outbox" {
				return m.Subject, m.Text
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("no mail to %s reached the outbox", to)
	return "", ""
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// LinkIn returns the first link in a text that contains part.
func LinkIn(t testing.TB, text, part string) string {
	t.Helper()
	for _, l := range linkRE.FindAllString(text, -1) {
		if strings.Contains(l, part) {
			return l
		}
	}
	t.Fatalf("no link with %q in:\n%s", part, text)
	return ""
}

// Excerpt shortens a body for failure messages, without markup noise.
func Excerpt(s string) string {
	s = regexp.MustCompile(`(?s)<head>.*</head>`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(s, " ")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
