package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
)

// page drives one browser tab for a test.
type page struct {
	t   *testing.T
	ctx context.Context
	env *apptest.Env
}

func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

func (p *page) value(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("reading the value of %s: %v", sel, err)
	}
	return s
}

func (p *page) signIn(email, password string) {
	p.t.Helper()
	p.do("sign in", chromedp.Navigate(p.env.URL+"/login"), chromedp.WaitVisible(chromedp.ID("f-email")),
		chromedp.SendKeys(chromedp.ID("f-email"), email), chromedp.SendKeys(chromedp.ID("f-password"), password+"\r"),
		chromedp.WaitVisible(chromedp.CSS("nav.main-nav")))
}

// The content studio in a real browser: an editor writes an item in Indonesian with variants for
// X and Bluesky, the live counter and the save both refuse the over-limit X text with the reason,
// and nothing typed is lost.
func TestBrowserContentStudio(t *testing.T) {
	ctx := browser(t)
	env := apptest.Start(t, db.SQLite)
	bg := context.Background()
	s := env.App.Auth
	pw := "rahasia-sekali-1"
	_, ws, err := s.CreateUser(bg, auth.CLI, auth.CreateUserInput{Email: "owner@sukamaju.example", Password: pw, Role: access.Owner,
		Workspace: "Humas Kota Sukamaju", Lang: "id", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateUser(bg, auth.CLI, auth.CreateUserInput{Email: "editor@sukamaju.example", Name: "Budi Santoso", Password: pw,
		Role: access.Editor, Workspace: ws.Slug, Lang: "id"}); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, ctx: ctx, env: env}
	p.signIn("editor@sukamaju.example", pw)
	base := env.URL + "/w/" + ws.Slug
	p.do("open the editor", chromedp.Navigate(base+"/content/new"), chromedp.WaitVisible(chromedp.ID("f-title")))
	long := strings.Repeat("Posko banjir dibuka di Balai Kota. ", 9) // 315 characters
	p.do("write the item",
		chromedp.SendKeys(chromedp.ID("f-title"), "Posko banjir dibuka"),
		chromedp.SendKeys(chromedp.ID("f-body"), "Pemerintah Kota Sukamaju membuka **posko banjir** di Balai Kota."),
		chromedp.Click(chromedp.CSS(`input[name="variant_x"]`)), chromedp.Click(chromedp.CSS(`input[name="variant_bluesky"]`)),
		chromedp.WaitVisible(chromedp.ID("f-text-x")),
		chromedp.SendKeys(chromedp.ID("f-text-x"), long),
		chromedp.SendKeys(chromedp.ID("f-text-bluesky"), "Posko banjir dibuka di Balai Kota 🙏"),
		// The live counter answers as the network counts, and marks the X text as over.
		chromedp.WaitVisible(chromedp.CSS("#count-x .count.over")))
	if c := p.text("#count-x"); !strings.Contains(c, "/ 280") {
		t.Fatalf("X counter: %q", c)
	}
	p.do("save", chromedp.Click(chromedp.CSS("form.stack > .actions button.primary")), chromedp.WaitVisible(chromedp.CSS(".flash-error")))
	if msg := p.text(".flash-error"); !strings.Contains(msg, "Teks untuk X") || !strings.Contains(msg, "melebihi batas 280") {
		t.Fatalf("refusal: %q", msg)
	}
	if got := p.value("#f-text-x"); got != long {
		t.Fatalf("the typed X text was not kept: %q", got)
	}
	if got := p.value("#f-title"); got != "Posko banjir dibuka" {
		t.Fatalf("the typed title was not kept: %q", got)
	}
	// Shortened, it saves; the item page shows both variants and version 1.
	p.do("shorten and save", chromedp.SetValue(chromedp.ID("f-text-x"), "Posko banjir dibuka di Balai Kota. Info: https://sukamaju.example/banjir"),
		chromedp.Click(chromedp.CSS("form.stack > .actions button.primary")), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if h := p.text("main h1"); h != "Posko banjir dibuka" {
		t.Fatalf("item page: %q", h)
	}
	if v := p.text(".page-head"); !strings.Contains(v, "versi 1") || !strings.Contains(v, "Draf") {
		t.Fatalf("item head: %q", v)
	}
}
