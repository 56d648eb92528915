package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/mastodon/mastodontest"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/publish"
)

// crashChildEnv names the data folder of a Warta that this test binary runs as a child process,
// instead of the tests, so the crash test can kill it.
const crashChildEnv = "WARTA_CRASH_CHILD_DATA"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

func crashConfig(dir string) *config.Config {
	cfg, err := config.Default()
	if err != nil {
		panic(err)
	}
	cfg.DataDir = dir
	cfg.AllowPrivateURLs = true
	cfg.PublishLease = 2 * time.Second
	cfg.PublishBackoff = []time.Duration{200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}
	cfg.DistributeLease, cfg.DistributeBackoff = 2*time.Second, 200*time.Millisecond
	// The distribution crash test's SMTP server runs in the parent test process.
	if addr := os.Getenv(crashSMTPEnv); addr != "" {
		host, port, _ := net.SplitHostPort(addr)
		cfg.SMTPHost, cfg.SMTPTLS = host, "none"
		cfg.SMTPPort, _ = strconv.Atoi(port)
	}
	return cfg
}

// crashSMTPEnv names the address of the SMTP server a crash child sends through.
const crashSMTPEnv = "WARTA_CRASH_CHILD_SMTP"

// crashChild serves Warta on the data folder until it is killed.
func crashChild(dir string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	cfg := crashConfig(dir)
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		panic(err)
	}
	_ = a.Serve(context.Background(), ln)
}

// A Warta publishing 1,000 scheduled posts to a Mastodon instance is killed with SIGKILL at
// random moments and restarted, five times: afterwards every post is on the instance exactly
// once, and none is lost.
func TestCrashNeitherLosesNorRepeats(t *testing.T) {
	const posts, accounts = 1000, 20
	ms := mastodontest.New()
	defer ms.Close()
	dir := t.TempDir()
	ctx := context.Background()

	a, err := app.Open(ctx, crashConfig(dir), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	u, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Name: "Oka",
		Password: "rahasia-sekali-123", Role: access.Owner, Workspace: "Humas Kota", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: u.ID, Label: u.Email}
	var accts []channel.Account
	for range accounts {
		id, tok := ms.NewAccountToken()
		accts = append(accts, channel.Account{Network: channel.Mastodon, Server: ms.URL(), RemoteID: id, Handle: "@user" + id,
			Name: "Akun " + id, Secret: channel.Secret{AccessToken: tok}})
	}
	saved, err := a.Publish.AddAccounts(ctx, actor, ws.ID, accts)
	if err != nil {
		t.Fatal(err)
	}
	texts := make([]string, posts)
	items := make([]*content.Item, posts)
	for i := range posts {
		texts[i] = fmt.Sprintf("Pengumuman nomor %d dari Humas Kota", i)
		if items[i], _, err = a.Content.Save(ctx, actor, ws.ID, 0, content.Input{Title: fmt.Sprint("Pengumuman ", i), Lang: "id",
			Body: texts[i], Variants: []content.Variant{{Network: channel.Mastodon, Text: texts[i]}}}); err != nil {
			t.Fatal(err)
		}
	}
	// Due over ten seconds from two seconds after the last is scheduled.
	start := time.Now().Add(2 * time.Second)
	for i, it := range items {
		at := start.Add(time.Duration(i) * 10 * time.Second / posts)
		if _, err := a.Content.Schedule(ctx, actor, ws.ID, it.ID, content.When{At: &at, Accounts: []int64{saved[i%accounts].ID}}, time.UTC); err != nil {
			t.Fatal(err)
		}
	}

	run := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	kills := 0
	for range 5 {
		cmd := run()
		time.Sleep(time.Duration(400+rand.IntN(1600)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		kills++
		t.Logf("killed after %d posts on the instance", len(ms.Posts()))
	}
	cmd := run()
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		counts, err := a.Publish.Counts(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if counts[publish.Published]+counts[publish.Failed]+counts[publish.Uncertain] == posts {
			if counts[publish.Published] != posts {
				t.Errorf("states after the crashes: %v", counts)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all settled after the crashes: %v", counts)
		}
		time.Sleep(100 * time.Millisecond)
	}
	seen := map[string]int{}
	for _, p := range ms.Posts() {
		seen[strings.TrimSpace(p.Text)]++
	}
	for _, text := range texts {
		switch n := seen[text]; n {
		case 1:
		case 0:
			t.Errorf("lost: %q", text)
		default:
			t.Errorf("%d copies of %q", n, text)
		}
	}
	if len(ms.Posts()) != posts {
		t.Errorf("%d posts on the instance, want %d", len(ms.Posts()), posts)
	}
	if _, err := os.Stat(filepath.Join(dir, "warta.db")); err != nil {
		t.Error(err)
	}
	t.Logf("%d kills; %d posts, each once", kills, len(ms.Posts()))
	a.Close()
}

// A post whose time has passed without an attempt (here: no process was serving) is not silent:
// /readyz fails, every page of its workspace says so, the admins are told once; once Warta serves
// again the post goes out.
func TestOverduePostsRaiseTheAlarm(t *testing.T) {
	ms := mastodontest.New()
	defer ms.Close()
	dir := t.TempDir()
	ctx := context.Background()
	cfg := crashConfig(dir)
	cfg.PublishOverdue = time.Second
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Name: "Oka",
		Password: "rahasia-sekali-123", Role: access.Owner, Workspace: "Humas Kota", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: u.ID, Label: u.Email}
	id, tok := ms.NewAccountToken()
	if _, err := a.Publish.AddAccounts(ctx, actor, ws.ID, []channel.Account{{Network: channel.Mastodon, Server: ms.URL(), RemoteID: id,
		Handle: "@user" + id, Name: "Akun", Secret: channel.Secret{AccessToken: tok}}}); err != nil {
		t.Fatal(err)
	}
	it, _, err := a.Content.Save(ctx, actor, ws.ID, 0, content.Input{Title: "Tertunda", Lang: "id", Body: "x",
		Variants: []content.Variant{{Network: channel.Mastodon, Text: "Pengumuman yang tertunda"}}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(500 * time.Millisecond)
	if _, err := a.Content.Schedule(ctx, actor, ws.ID, it.ID, content.When{At: &at}, time.UTC); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := a.Ready(ctx); err == nil || !strings.Contains(err.Error(), "overdue") {
		t.Errorf("ready with an overdue post: %v", err)
	}
	banners, err := a.Publish.Banners(ctx, ws.ID)
	if err != nil || len(banners) != 1 || banners[0].Key != "publish.banner.overdue" {
		t.Errorf("banners: %+v, %v", banners, err)
	}
	for range 2 {
		if err := a.Publish.Watch(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mails, _ := a.Mailer.List(ctx, 0, 100)
	told := 0
	for _, m := range mails {
		if m.To == u.Email && strings.Contains(m.Subject, "overdue") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("the owner was told %d times, want once", told)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx, ln) }()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for len(ms.Posts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if len(ms.Posts()) != 1 {
		t.Fatalf("the overdue post did not go out once Warta served: %d posts", len(ms.Posts()))
	}
	if err := a.Ready(ctx); err != nil {
		t.Errorf("still not ready once the post went out: %v", err)
	}
}
