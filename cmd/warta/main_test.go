package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/secrets"
)

// lockedBuffer is stderr for a command: open makes its logger the process default, so other
// goroutines may write to it after the command returns.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// installation runs CLI commands against one data folder and database, as an operator would.
type installation struct {
	t           *testing.T
	dataDir     string
	databaseURL string
}

func newInstallation(t *testing.T, engine db.Dialect) *installation {
	t.Helper()
	def := slog.Default()
	t.Cleanup(func() { slog.SetDefault(def) })
	databaseURL, dir := dbtest.URL(t, engine)
	return &installation{t: t, dataDir: filepath.Join(dir, "data"), databaseURL: databaseURL}
}

// run runs `warta args… --data DIR --database URL` and returns what it printed and its error.
func (in *installation) run(args ...string) (stdout, stderr string, err error) {
	in.t.Helper()
	args = append(args, "--data", in.dataDir, "--database", in.databaseURL)
	var out bytes.Buffer
	errb := &lockedBuffer{}
	err = run(context.Background(), args, &out, errb)
	return out.String(), errb.String(), err
}

// must runs a command that has to succeed.
func (in *installation) must(args ...string) string {
	in.t.Helper()
	out, stderr, err := in.run(args...)
	if err != nil {
		in.t.Fatalf("warta %s: %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), explain(err), out, stderr)
	}
	return out
}

// server opens the same installation the way `warta serve` does and serves it on loopback.
func (in *installation) server() (*app.App, *httptest.Server) {
	in.t.Helper()
	cfg, err := config.Default()
	if err != nil {
		in.t.Fatal(err)
	}
	cfg.DataDir, cfg.DatabaseURL, cfg.SMTPHost = in.dataDir, in.databaseURL, ""
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		in.t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	in.t.Cleanup(func() { srv.Close(); a.Close() })
	return a, srv
}

// me calls GET /api/v1/me with a token and returns the status and the decoded body.
func me(t *testing.T, srv *httptest.Server, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("/api/v1/me: %d, not JSON: %v", res.StatusCode, err)
	}
	return res.StatusCode, body
}

func errorCode(body map[string]any) any {
	if e, ok := body["error"].(map[string]any); ok {
		return e["code"]
	}
	return nil
}

var tokenLine = regexp.MustCompile(`^wrt_[a-z0-9]+$`)

// lastToken returns the last line of `token create`, which must be the token alone.
func lastToken(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if !tokenLine.MatchString(last) {
		t.Fatalf("the last line of token create is not the token alone: %q\n%s", last, out)
	}
	return last
}

// The operator's path on both engines: create the first user and workspace from the console, list
// users, make and revoke an API token, reset a password, disable a user, migrate, back up, and
// load the demo; each command's effect is checked on the installation itself.
func TestCommands(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		in := newInstallation(t, engine)

		out := in.must("user", "create", "--email", "Ani@Kota.example", "--password", "kopi-susu-pagi", "--role", "owner",
			"--workspace", "Humas Kota Contoh", "--name", "Ani Rahma", "--lang", "en")
		if !strings.Contains(out, "ani@kota.example") || !strings.Contains(out, `workspace "Humas Kota Contoh"`) || !strings.Contains(out, "/w/humas-kota-contoh") {
			t.Errorf("user create on an empty installation: %q", out)
		}

		out = in.must("user", "list")
		var row string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "ani@kota.example") {
				row = l
			}
		}
		if !strings.HasPrefix(out, "ID") || !strings.Contains(row, "Ani Rahma") || !strings.Contains(row, "humas-kota-contoh:owner") ||
			!strings.Contains(row, "active") || !strings.Contains(row, "installation admin") {
			t.Errorf("user list:\n%s", out)
		}

		// Warta is serving while the operator works on the console.
		a, srv := in.server()

		tok := lastToken(t, in.must("token", "create", "--email", "ani@kota.example"))
		status, body := me(t, srv, tok)
		ws, _ := body["workspace"].(map[string]any)
		user, _ := body["user"].(map[string]any)
		if status != 200 || body["role"] != "owner" || user["email"] != "ani@kota.example" || ws["name"] != "Humas Kota Contoh" ||
			ws["timezone"] != "Asia/Jakarta" {
			t.Fatalf("/api/v1/me with the new token: %d %v", status, body)
		}
		out = in.must("token", "revoke", "--token", tok)
		if !strings.Contains(out, "revoked") {
			t.Errorf("token revoke: %q", out)
		}
		if status, body := me(t, srv, tok); status != http.StatusUnauthorized || errorCode(body) != "token_revoked" {
			t.Errorf("/api/v1/me with the revoked token: %d %v", status, body)
		}
		if _, _, err := in.run("token", "revoke", "--token", "wrt_doesnotexist"); err == nil || explain(err) != "no such token" {
			t.Errorf("revoking an unknown token: %v", err)
		}

		// A new password works at once, the old one no longer.
		in.must("user", "set-password", "--email", "ani@kota.example", "--password", "teh-manis-sore")
		if _, err := a.Auth.Authenticate(ctx, "ani@kota.example", "teh-manis-sore", "192.0.2.1"); err != nil {
			t.Errorf("the new password does not sign in: %v", err)
		}
		if _, err := a.Auth.Authenticate(ctx, "ani@kota.example", "kopi-susu-pagi", "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("the old password after set-password: %v", err)
		}
		if _, _, err := in.run("user", "set-password", "--email", "ani@kota.example", "--password", "pendek"); err == nil ||
			!strings.Contains(explain(err), "at least 10 characters") {
			t.Errorf("set-password with a weak password: %v", err)
		}

		// Disabling stops the password and the user's API tokens.
		tok2 := lastToken(t, in.must("token", "create", "--email", "ani@kota.example", "--name", "Situs web"))
		if status, _ := me(t, srv, tok2); status != 200 {
			t.Fatalf("second token: %d", status)
		}
		in.must("user", "disable", "--email", "ani@kota.example")
		if _, err := a.Auth.Authenticate(ctx, "ani@kota.example", "teh-manis-sore", "192.0.2.1"); !errors.Is(err, auth.ErrDisabled) {
			t.Errorf("a disabled user signs in: %v", err)
		}
		if status, body := me(t, srv, tok2); status != http.StatusForbidden || errorCode(body) != "disabled" {
			t.Errorf("a disabled user's token: %d %v", status, body)
		}
		if out := in.must("user", "list"); !strings.Contains(out, "disabled") {
			t.Errorf("user list does not show the user disabled:\n%s", out)
		}
		in.must("user", "disable", "--email", "ani@kota.example", "--enable")
		if _, err := a.Auth.Authenticate(ctx, "ani@kota.example", "teh-manis-sore", "192.0.2.1"); err != nil {
			t.Errorf("an enabled user again: %v", err)
		}

		// Bad input gets one clear sentence and creates nothing.
		for _, c := range []struct{ args, want []string }{
			{[]string{"--email", "budi@kota.example", "--password", "pendek", "--role", "editor"}, []string{"at least 10 characters"}},
			{[]string{"--email", "budi@kota.example", "--password", "teh-manis-sore", "--role", "boss"}, []string{"Choose one of the roles", "editor"}},
			{[]string{"--email", "ani@kota.example", "--password", "teh-manis-sore", "--role", "editor"}, []string{"already"}},
		} {
			_, _, err := in.run(append([]string{"user", "create"}, c.args...)...)
			if err == nil {
				t.Errorf("user create %v succeeded", c.args)
				continue
			}
			msg := explain(err)
			for _, w := range c.want {
				if !strings.Contains(msg, w) || strings.Contains(msg, "\n") {
					t.Errorf("user create %v says %q, want a sentence with %q", c.args, msg, w)
				}
			}
		}
		if _, err := a.Auth.UserByEmail(ctx, "budi@kota.example"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("a refused user create left a user behind: %v", err)
		}

		if out := in.must("migrate"); !strings.Contains(out, "The database is up to date.") {
			t.Errorf("migrate: %q", out)
		}
		if out := in.must("version"); !strings.HasPrefix(out, "warta "+app.Version) {
			t.Errorf("version: %q", out)
		}

		// The backup holds everything needed to restore: the database (on SQLite) and the keys.
		to := filepath.Join(t.TempDir(), "cadangan")
		out = in.must("backup", "--to", to)
		for _, name := range []string{secrets.KeysFile, secrets.SigningFile} {
			orig, err := os.ReadFile(filepath.Join(in.dataDir, name))
			if err != nil {
				t.Fatal(err)
			}
			if copied, err := os.ReadFile(filepath.Join(to, name)); err != nil || !bytes.Equal(orig, copied) {
				t.Errorf("backup lacks %s or it differs: %v", name, err)
			}
		}
		if engine == db.SQLite {
			backupDB := filepath.Join(to, "warta.db")
			if !strings.Contains(out, backupDB) {
				t.Errorf("backup does not say where the database went: %q", out)
			}
			copyDB, err := db.OpenSQLite(ctx, backupDB)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			err = copyDB.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE email = ?`, "ani@kota.example").Scan(&n)
			copyDB.Close()
			if err != nil || n != 1 {
				t.Errorf("the backup database lacks the user: %d %v", n, err)
			}
		} else if !strings.Contains(out, "pg_dump") {
			t.Errorf("backup on PostgreSQL does not point to pg_dump: %q", out)
		}
		if _, _, err := in.run("backup", "--to", to); err == nil || !strings.Contains(explain(err), "not empty") {
			t.Errorf("a backup over a previous one: %v", err)
		}

		// The demo loads once.
		if out := in.must("demo"); !strings.Contains(out, "Demo workspace loaded.") {
			t.Errorf("demo: %q", out)
		}
		if out := in.must("demo"); !strings.Contains(out, "already there") {
			t.Errorf("demo again: %q", out)
		}
		if _, err := a.Auth.Authenticate(ctx, "rina@sukamaju.example", "warta-demo-2026", "192.0.2.2"); err != nil {
			t.Errorf("the demo administrator cannot sign in with the printed password: %v", err)
		}
	})
}

func TestUnreachablePostgres(t *testing.T) {
	data := t.TempDir()
	var out bytes.Buffer
	errb := &lockedBuffer{}
	def := slog.Default()
	t.Cleanup(func() { slog.SetDefault(def) })
	err := run(context.Background(), []string{"migrate", "--data", data, "--database", "postgres://nobody:rahasia@127.0.0.1:1/x"}, &out, errb)
	if err == nil {
		t.Fatal("migrate against a closed port succeeded")
	}
	msg := explain(err)
	if !strings.HasPrefix(msg, "cannot reach PostgreSQL at postgres://nobody:") || strings.Contains(msg, "\n") || strings.Contains(msg, "goroutine") {
		t.Errorf("error: %q", msg)
	}
	if strings.Contains(msg, "rahasia") {
		t.Errorf("the error shows the database password: %q", msg)
	}
}

func TestServeHelpListsEveryOption(t *testing.T) {
	// Settings from the environment show as defaults, except secrets: help output gets pasted into
	// issues and container logs.
	t.Setenv("WARTA_SMTP_HOST", "mail.kota.example")
	secretEnv := map[string]string{
		"WARTA_DATABASE_URL":       "postgres://warta:rahasia-basis-data@db.kota.example/warta",
		"WARTA_SMTP_PASSWORD":      "rahasia-smtp",
		"WARTA_OIDC_CLIENT_SECRET": "rahasia-oidc",
		"WARTA_S3_SECRET_KEY":      "rahasia-s3",
	}
	for k, v := range secretEnv {
		t.Setenv(k, v)
	}
	var out bytes.Buffer
	errb := &lockedBuffer{}
	err := run(context.Background(), []string{"serve", "--help"}, &out, errb)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("serve --help: %v", err)
	}
	help := errb.String()
	for _, o := range config.Options {
		if !strings.Contains(help, "-"+o.Name+" ") && !strings.Contains(help, "-"+o.Name+"\n") {
			t.Errorf("serve --help lacks --%s", o.Name)
		}
		if !strings.Contains(help, "("+o.Env()+")") {
			t.Errorf("serve --help lacks %s for --%s", o.Env(), o.Name)
		}
	}
	if !strings.Contains(help, `(default "mail.kota.example")`) {
		t.Error("serve --help does not show a setting taken from the environment")
	}

	// Every command takes --database, so every command's help must hide it too.
	errb2 := &lockedBuffer{}
	if err := run(context.Background(), []string{"user", "create", "--help"}, &out, errb2); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("user create --help: %v", err)
	}
	for k, v := range secretEnv {
		if strings.Contains(help, v) || strings.Contains(errb2.String(), v) {
			t.Errorf("--help shows the secret in %s", k)
		}
	}
}

// keys rotate puts a new key in front; what the old key encrypted still decrypts.
func TestKeysRotate(t *testing.T) {
	data := t.TempDir()
	old, err := secrets.LoadOrCreate(data, "")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := old.EncryptString("token rahasia")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"keys", "rotate", "--data", data}, &out, &errb); err != nil {
		t.Fatalf("keys rotate: %v %s", err, errb.String())
	}
	k, err := secrets.LoadOrCreate(data, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.DecryptString(sealed); err != nil || got != "token rahasia" {
		t.Fatalf("old secret after rotation: %q %v", got, err)
	}
	if !k.NeedsRotation(sealed) {
		t.Error("a secret sealed with the old key does not ask for re-encryption")
	}
}

// An operator adds a second workspace from the command line and sees it listed.
func TestWorkspaceCommands(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"user", "create", "--data", data, "--email", "ani@kota.example", "--password", "rahasia-sekali-1", "--role", "owner", "--workspace", "Humas Kota"}, &out, &errb); err != nil {
		t.Fatalf("user create: %v %s", err, errb.String())
	}
	out.Reset()
	if err := run(ctx, []string{"workspace", "create", "--data", data, "--name", "Dinas Pariwisata", "--owner", "ani@kota.example", "--timezone", "Asia/Makassar"}, &out, &errb); err != nil {
		t.Fatalf("workspace create: %v %s", err, errb.String())
	}
	if !strings.Contains(out.String(), "/w/dinas-pariwisata") {
		t.Errorf("workspace create said %q", out.String())
	}
	if err := run(ctx, []string{"workspace", "create", "--data", data, "--name", "X", "--owner", "nobody@kota.example"}, &out, &errb); err == nil || !strings.Contains(explain(err), "no user") {
		t.Errorf("unknown owner: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"workspace", "list", "--data", data}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"humas-kota", "dinas-pariwisata", "Asia/Makassar"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("workspace list lacks %s:\n%s", want, out.String())
		}
	}
}
