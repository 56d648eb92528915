package app_test

import (
	"context"
	"fmt"
	"image/color"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/newsroom"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/mail/smtptest"
)

// The newsroom on a real clock, in a real browser: a communications officer uploads a photo,
// writes a release in Indonesian under an embargo about a minute ahead, attaches the photo, adds
// the English version and submits both (her workspace needs no approval). A visitor subscribes
// and confirms from the email. Until the lift the newsroom shows nothing of the release (its
// address says it is not published yet, the feed lacks it); at the lift it appears by itself with
// its photo and the English version linked, the Atom feed has it, and the subscriber is emailed
// it once.
func TestBrowserNewsroomLift(t *testing.T) {
	ctx := browser(t)
	started := time.Now()
	sink, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	env := apptest.Start(t, db.SQLite, func(c *config.Config) {
		c.SMTPHost, c.SMTPPort, c.SMTPTLS = sink.Host, sink.Port, "none"
	})
	bg := context.Background()
	pw := "rahasia-sekali-123"
	const officer, reader = "humas@sukamaju.example", "budi.santoso@warga.example"
	_, ws, err := env.App.Auth.CreateUser(bg, auth.CLI, auth.CreateUserInput{Email: officer, Name: "Ratna Sari", Password: pw,
		Role: access.Owner, Workspace: "Humas Kota Sukamaju", Lang: "id", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	base := env.URL + "/w/" + ws.Slug
	site := env.URL + "/newsroom/" + ws.Slug
	shots := shotDir(t)
	p := &page{t: t, ctx: ctx, env: env}
	p.signIn(officer, pw)

	// The photo, into the media library, described as the newsroom will credit it.
	photo := filepath.Join(t.TempDir(), "posko-banjir.png")
	if err := os.WriteFile(photo, pngOf(t, color.RGBA{20, 90, 160, 255}), 0o600); err != nil {
		t.Fatal(err)
	}
	p.do("upload the photo", chromedp.Navigate(base+"/media/upload"), chromedp.WaitVisible(chromedp.ID("f-files")),
		chromedp.SetUploadFiles(chromedp.ID("f-files"), []string{photo}), chromedp.Click(chromedp.CSS("form.card .actions button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".upload-results li.ok a")))
	assetURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".upload-results li.ok a").href`))
	if err != nil {
		t.Fatal(err)
	}
	photoID := mustInt(t, assetURL[strings.LastIndex(assetURL, "/")+1:])
	p.do("describe the photo", chromedp.Navigate(assetURL), chromedp.WaitVisible(chromedp.ID("f-alt")),
		chromedp.SendKeys(chromedp.ID("f-alt"), "Petugas mendirikan tenda posko banjir"),
		chromedp.SendKeys(chromedp.ID("f-credit"), "Humas Sukamaju"), chromedp.SendKeys(chromedp.ID("f-licence"), "CC BY 4.0"),
		chromedp.Submit(chromedp.ID("f-alt")), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))

	// The release, under embargo until the next whole minute that leaves time to finish the rest.
	const headline, english = "Pemkot Sukamaju Buka Tiga Posko Banjir", "Sukamaju Opens Three Flood Shelters"
	wib := mustZone("Asia/Jakarta")
	lift := time.Now().Add(40 * time.Second).Truncate(time.Minute).Add(time.Minute).In(wib)
	p.do("write the release", chromedp.Navigate(base+"/press/releases/new"), chromedp.WaitVisible(chromedp.ID("f-headline")),
		chromedp.SetValue(chromedp.ID("f-lang"), "id"),
		chromedp.SendKeys(chromedp.ID("f-headline"), headline),
		chromedp.SendKeys(chromedp.ID("f-subheadline"), "Warga bantaran sungai dapat mengungsi malam ini"),
		chromedp.SendKeys(chromedp.ID("f-dateline_city"), "Sukamaju"),
		chromedp.SetValue(chromedp.ID("f-dateline_date"), lift.Format(time.DateOnly)),
		chromedp.SendKeys(chromedp.ID("f-body"), "Pemerintah Kota Sukamaju membuka **tiga posko** banjir di kelurahan yang tergenang."),
		chromedp.SendKeys(chromedp.ID("f-boilerplate"), "Tentang Pemkot Sukamaju: melayani informasi publik."),
		chromedp.SendKeys(chromedp.ID("f-contact_name"), "Ratna Sari"), chromedp.SendKeys(chromedp.ID("f-contact_phone"), "0812-3456-0000"),
		chromedp.SendKeys(chromedp.ID("f-contact_email"), officer),
		chromedp.Click(chromedp.CSS(`input[name="embargo"][value="until"]`)),
		chromedp.SetValue(chromedp.ID("f-embargo_date"), lift.Format(time.DateOnly)), chromedp.SetValue(chromedp.ID("f-embargo_time"), lift.Format("15:04")),
		chromedp.SetValue(chromedp.ID("f-zone"), "Asia/Jakarta"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="attachments"][value="%d"]`, photoID))),
		chromedp.Click(chromedp.CSS(`form[action$="/press/releases"] .actions button.primary`)),
		chromedp.WaitVisible(chromedp.ID("status")))
	releaseID, enID := p.addEnglishVersion()
	p.do("write the English version",
		chromedp.SetValue(chromedp.ID("f-headline"), english),
		chromedp.SetValue(chromedp.ID("f-subheadline"), "Riverside residents can take shelter tonight"),
		chromedp.SetValue(chromedp.ID("f-body"), "The Sukamaju city government opens **three flood shelters** in the flooded wards."),
		chromedp.SetValue(chromedp.ID("f-boilerplate"), "About Sukamaju City: serving public information."),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action$="/press/releases/%d"] .actions button.primary`, enID))))
	p.until("the English version saved", fmt.Sprintf(`document.querySelector("main h1").innerText.includes(%q)`, english), 10*time.Second)
	for _, id := range []int64{releaseID, enID} {
		p.do("submit the release", chromedp.Navigate(fmt.Sprintf("%s/press/releases/%d", base, id)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/submit"] button`)),
			chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)))
		p.until("the release submitted", `!document.querySelector('form[action$="/submit"]') && !!document.getElementById("status")`, 10*time.Second)
	}

	// A visitor from Indonesia, in a browser of their own, subscribes and confirms from the email.
	vctx, vcancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(vcancel)
	if _, err := chromedp.Call(vctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": "id-ID,id;q=0.9"}}); err != nil {
		t.Fatal(err)
	}
	v := &page{t: t, ctx: vctx, env: env}
	v.do("subscribe", chromedp.Navigate(site+"/subscribe"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), reader), chromedp.SendKeys(chromedp.ID("name"), "Budi Santoso"),
		chromedp.Click(chromedp.CSS("form.form button.button")), chromedp.WaitVisible(chromedp.CSS(`.notice[role="status"]`)))
	if got := v.text("main"); !strings.Contains(got, "Periksa kotak masuk Anda") {
		t.Errorf("after subscribing the page says %q", got)
	}
	var confirm string
	for deadline := time.Now().Add(20 * time.Second); confirm == ""; time.Sleep(200 * time.Millisecond) {
		if ms := mailbox(t, sink.Messages(), nil)[reader]; len(ms) > 0 {
			confirm = apptest.LinkIn(t, ms[0].text, "/confirm/")
		} else if time.Now().After(deadline) {
			t.Fatalf("no confirmation email reached %s", reader)
		}
	}
	v.do("confirm", chromedp.Navigate(confirm), chromedp.WaitVisible(chromedp.CSS("main form button.button")),
		chromedp.Click(chromedp.CSS("main form button.button")), chromedp.WaitVisible(chromedp.CSS(`.notice[role="status"]`)))
	if got := v.text("main"); !strings.Contains(got, "Anda sudah berlangganan.") {
		t.Errorf("after confirming the page says %q", got)
	}

	// Both versions wait in the newsroom for the lift, as its page in the app tells the officer.
	p.reloadUntil("the release waiting in the newsroom", base+"/newsroom", `document.querySelector("main .card").innerText.includes("2 menunggu embargo berakhir")`, 20*time.Second)

	// Before the lift the visitor sees nothing of it.
	v.do("open the newsroom", chromedp.Navigate(site+"/"), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := v.text("body"); strings.Contains(got, "Posko") || strings.Contains(got, "Flood") {
		t.Errorf("the newsroom shows the release before its lift: %q", excerpt(got))
	}
	for id, lang := range map[int64]string{releaseID: "id", enID: "en"} {
		v.do("open the release", chromedp.Navigate(fmt.Sprintf("%s/releases/%d", site, id)), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if h, body := v.text("main h1"), v.text("body"); !strings.Contains(h, "Belum dipublikasikan") || strings.Contains(body, "Posko") ||
			strings.Contains(body, "Flood") || strings.Contains(body, "Ratna") {
			t.Errorf("the %s version before its lift: %q", lang, excerpt(body))
		}
	}
	if code, _, body := visit(t, site+"/feed.atom?lang=id"); code != http.StatusOK || strings.Contains(body, "Posko") {
		t.Errorf("the Atom feed before the lift (%d) has the release", code)
	}
	if ahead := time.Until(lift); ahead <= 0 {
		t.Fatalf("the checks before the lift ended %s after it: they prove nothing", -ahead)
	} else {
		t.Logf("the release was invisible until %s before its lift at %s", ahead.Round(time.Second), lift.Format("15:04:05 MST"))
	}

	// At the lift it appears by itself at the same address: the clock is not touched.
	release := fmt.Sprintf("%s/releases/%d", site, releaseID)
	v.reloadUntil("the release at its lift", release, fmt.Sprintf(`document.querySelector("main h1").innerText.includes(%q)`, headline),
		time.Until(lift)+90*time.Second)
	t.Logf("the release appeared %s after its lift", time.Since(lift).Round(100*time.Millisecond))
	v.until("the photo shown", `(() => { const i = document.querySelector("figure.lead-image img"); return !!i && i.complete && i.naturalWidth > 0 })()`, 10*time.Second)
	if alt, err := chromedp.Run(vctx, chromedp.Evaluate[string](`document.querySelector("figure.lead-image img").alt`)); err != nil ||
		alt != "Petugas mendirikan tenda posko banjir" {
		t.Errorf("the photo's alt text: %q (%v)", alt, err)
	}
	if got := v.text("figure.lead-image figcaption"); !strings.Contains(got, "Humas Sukamaju") || !strings.Contains(got, "CC BY 4.0") {
		t.Errorf("the photo's credit: %q", got)
	}
	if got := v.text("article.release"); !strings.Contains(got, "SUKAMAJU") || !strings.Contains(got, "tiga posko") || !strings.Contains(got, "Ratna Sari") {
		t.Errorf("the release page: %q", excerpt(got))
	}
	v.shotAt(shots, "newsroom-release", 1280, 900)
	v.shotAt(shots, "newsroom-release-phone", 390, 844)
	v.do("laptop width", chromedp.EmulateViewport(1280, 900))

	v.do("open the English version", chromedp.WaitVisible(chromedp.CSS(`p.versions a[hreflang="en"]`)),
		chromedp.Click(chromedp.CSS(`p.versions a[hreflang="en"]`)))
	v.until("the English version", fmt.Sprintf(`location.pathname.endsWith("/releases/%d") && document.querySelector("main h1").innerText.includes(%q)`, enID, english), 10*time.Second)
	if lang, err := chromedp.Run(vctx, chromedp.Evaluate[string](`document.documentElement.lang`)); err != nil || lang != "en" {
		t.Errorf("the English version's page language: %q (%v)", lang, err)
	}

	v.do("open the newsroom", chromedp.Navigate(site+"/"), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := v.text("main"); !strings.Contains(got, headline) {
		t.Errorf("the newsroom's home after the lift lacks the release: %q", excerpt(got))
	}
	if empty, err := chromedp.Run(vctx, chromedp.Evaluate[bool](`!!document.querySelector("h2.list-title") && !document.querySelector("ul.stories li")`)); err != nil || empty {
		t.Errorf("the home page heads an empty list (%v)", err)
	}
	v.shotAt(shots, "newsroom-home", 1280, 900)

	code, _, feed := visit(t, site+"/feed.atom?lang=id")
	if code != http.StatusOK || !strings.Contains(feed, "<title>"+headline+"</title>") || !strings.Contains(feed, release) {
		t.Errorf("the Atom feed after the lift (%d) lacks the release: %s", code, excerpt(feed))
	}

	// The subscriber is emailed the release, once.
	news := func() []received {
		var out []received
		for _, m := range mailbox(t, sink.Messages(), nil)[reader] {
			if strings.Contains(m.text, headline) || strings.Contains(m.html, headline) {
				out = append(out, m)
			}
		}
		return out
	}
	for deadline := time.Now().Add(30 * time.Second); len(news()) == 0; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s was not emailed the release within 30 s", reader)
		}
	}
	t.Logf("the subscriber was emailed %s after the lift", time.Since(lift).Round(100*time.Millisecond))
	time.Sleep(2*time.Second + 2*newsroom.SyncEvery) // two more passes of the newsroom's job
	got := news()
	if len(got) != 1 {
		t.Fatalf("%s received the release %d times", reader, len(got))
	}
	if !strings.HasPrefix(got[0].unsubscribe, env.URL+"/m/") || got[0].oneClick != "List-Unsubscribe=One-Click" {
		t.Errorf("the subscriber's mail: List-Unsubscribe %q, List-Unsubscribe-Post %q", got[0].unsubscribe, got[0].oneClick)
	}
	if all := mailbox(t, sink.Messages(), nil)[reader]; len(all) != 2 {
		t.Errorf("%s received %d emails, want the confirmation and the release", reader, len(all))
	}
	t.Logf("screenshots in %s; took %s", shots, time.Since(started).Round(time.Second))
}

// reloadUntil opens u again and again until a JavaScript condition holds on it.
func (p *page) reloadUntil(what, u, js string, limit time.Duration) {
	p.t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(500 * time.Millisecond) {
		if err := chromedp.Do(p.ctx, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			p.t.Fatalf("%s: %v", what, err)
		}
		if ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			body, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("main")))
			p.t.Fatalf("%s: not within %s; the page says %q", what, limit.Round(time.Second), body)
		}
	}
}

// shotAt saves the page as it shows in a window of width × height.
func (p *page) shotAt(dir, name string, width, height int64) {
	p.t.Helper()
	p.do("window for "+name, chromedp.EmulateViewport(width, height))
	p.shot(dir, name)
}
