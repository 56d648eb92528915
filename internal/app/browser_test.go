package app_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/platform/db"
)

// EnvBrowser turns on the tests that drive a real Chromium.
const envBrowser = "WARTA_TEST_BROWSER"

func browser(t *testing.T) context.Context {
	t.Helper()
	if os.Getenv(envBrowser) == "" {
		t.Skip("browser tests need Chromium at /usr/bin/chromium (apt-get install -y chromium) and " + envBrowser + "=1 (CI sets both)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// A guard against a hung browser, not a speed check: CI runs the packages side by side on two
	// cores, and the longest test (the newsroom's, which waits for a whole-minute embargo) needs
	// about two minutes on a busy machine.
	ctx, cancel = context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// A person sets Warta up in a real browser, signs out and in again, switches to Bahasa
// Indonesia and sees the navigation in Indonesian.
func TestBrowserSetupSignInAndLanguage(t *testing.T) {
	ctx := browser(t)
	env := apptest.Start(t, db.SQLite)
	link := env.SetupLink()
	type field struct{ id, value string }
	fill := func(fields ...field) {
		t.Helper()
		for _, f := range fields {
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID(f.id), f.value)); err != nil {
				t.Fatalf("typing into %s: %v", f.id, err)
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("f-organisation"))); err != nil {
		t.Fatal(err)
	}
	fill(field{"f-organisation", "Humas Kabupaten Sukamaju"}, field{"f-name", "Sari Dewi"}, field{"f-email", "sari@sukamaju.example"},
		field{"f-password", "bakso-malang-enak"}, field{"f-password2", "bakso-malang-enak"})
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("f-timezone"), "Asia/Jayapura"), chromedp.SetValue(chromedp.ID("f-lang"), "en"), chromedp.Click(chromedp.CSS("form.stack button.primary")),
		chromedp.WaitVisible(chromedp.CSS("nav.main-nav"))); err != nil {
		t.Fatal(err)
	}
	if h := text(t, ctx, "main h1"); !strings.Contains(h, "Welcome, Sari Dewi") {
		t.Fatalf("after setup the page says %q", h)
	}

	// Sign out, then in again with the keyboard alone.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("details.account summary")), chromedp.Click(chromedp.CSS("details.account form button")),
		chromedp.WaitVisible(chromedp.ID("f-email"))); err != nil {
		t.Fatal(err)
	}
	fill(field{"f-email", "sari@sukamaju.example"}, field{"f-password", "bakso-malang-enak\r"})
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("nav.main-nav"))); err != nil {
		t.Fatal(err)
	}
	if nav := text(t, ctx, "nav.main-nav"); !strings.Contains(nav, "Home") || !strings.Contains(nav, "Settings") {
		t.Fatalf("navigation in English: %q", nav)
	}

	// Switch to Bahasa Indonesia.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.lang button[value="id"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="id"]`))); err != nil {
		t.Fatal(err)
	}
	nav := text(t, ctx, "nav.main-nav")
	if !strings.Contains(nav, "Beranda") || !strings.Contains(nav, "Pengaturan") {
		t.Fatalf("navigation after switching to Indonesian: %q", nav)
	}
	if h := text(t, ctx, "main h1"); !strings.Contains(h, "Selamat datang, Sari Dewi") {
		t.Fatalf("greeting in Indonesian: %q", h)
	}
	// The date is in the workspace's zone and in Indonesian.
	if p := text(t, ctx, "main .page-head p"); !strings.Contains(p, fmt.Sprint(time.Now().In(mustZone("Asia/Jayapura")).Year())) {
		t.Fatalf("date line: %q", p)
	}
}

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}
