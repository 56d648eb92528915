package app_test

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/mail/smtptest"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/distribute"
	"warta.dev/warta/internal/press/release"
)

// A communications officer, in Indonesian, in a real browser, after her release on free health
// checks went out to two journalists: she follows an outlet's feed, writes a query in the editor
// (a mistake first, which the live preview explains with its position, then a good one, whose
// preview lists the stories it matches), finds the health story in the inbox once with its
// syndicated copy, marks it relevant, and confirms it as coverage of the release by the
// journalist who wrote it, which then shows on the journalist's timeline and in the coverage
// list. She sets a spike alert on the topic; a burst of flood stories in the feed sends her one
// email, and another check of the rules sends no second one.
func TestBrowserMonitoring(t *testing.T) {
	ctx := browser(t)
	started := time.Now()
	sink, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	env := apptest.Start(t, db.SQLite, func(c *config.Config) {
		c.SMTPHost, c.SMTPPort, c.SMTPTLS = sink.Host, sink.Port, "none"
		c.AllowPrivateURLs = true
	})
	a := env.App
	bg := context.Background()
	const pw, officer = "rahasia-sekali-123", "humas@sukamaju.example"
	owner, ws, err := a.Auth.CreateUser(bg, auth.CLI, auth.CreateUserInput{Email: officer, Name: "Ratna Sari", Password: pw,
		Role: access.Owner, Workspace: "Humas Kota Sukamaju", Lang: "id", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: owner.ID, Label: owner.Email}

	// The press office's journalists; the release goes to the health desk list (Dewi and Yanti).
	contact := func(name, outlet, email string) int64 {
		t.Helper()
		id, err := a.Press.AddContact(bg, actor, ws.ID, press.ContactInput{Name: name, Outlets: []press.OutletRole{{Outlet: outlet, Role: "Reporter"}},
			Beats: []string{"kesehatan"}, Province: "Jawa Timur", Languages: []string{"id"}, Emails: []string{email}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	const dewiEmail = "dewi.lestari@kabarjatim.example"
	dewi := contact("Dewi Lestari", "Kabar Jatim", dewiEmail)
	yanti := contact("Yanti Kusuma", "Suara Surabaya", "yanti.kusuma@suarasurabaya.example")
	contact("Andi Pratama", "Radar Sukamaju", "andi@radarsukamaju.example")
	var list int64
	if err := a.DB.Tx(bg, func(tx *db.Tx) error {
		list, err = a.Press.CreateList(bg, tx, actor, ws.ID, "Desk kesehatan")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Press.AddToList(bg, actor, ws.ID, list, []int64{dewi, yanti}); err != nil {
		t.Fatal(err)
	}
	const headline = "Pemkot Sukamaju buka layanan cek kesehatan gratis di 30 puskesmas"
	rl, err := a.Releases.Create(bg, actor, ws.ID, release.Input{Lang: "id", Headline: headline,
		Subheadline: "Warga cukup membawa KTP", DatelineCity: "Sukamaju", DatelineDate: time.Now().Format(time.DateOnly),
		Body: "Pemerintah Kota Sukamaju membuka **cek kesehatan gratis** di 30 puskesmas mulai Senin.", ContactName: "Ratna Sari",
		ContactEmail: officer}, mustZone("Asia/Jakarta"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Releases.Submit(bg, actor, ws.ID, rl.ID); err != nil {
		t.Fatal(err)
	}
	d, err := a.Distribute.Create(bg, actor, ws.ID, distribute.Input{Kind: distribute.KindRelease, ID: rl.ID, Lists: []int64{list}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Distribute.Send(bg, actor, ws.ID, d.ID, nil, ""); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got, err := a.Distribute.Get(bg, ws.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == distribute.Done && len(mailbox(t, sink.Messages(), map[string]bool{officer: true})[dewiEmail]) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the release did not reach Dewi: distribution %s %+v", got.State, got.Counts)
		}
	}

	// The outlet's site: Dewi's story on the release, a syndicated copy of it behind tracking
	// parameters, a complaint about the floods, and a story about something else.
	site := startNewsSite(t)
	now := time.Now().UTC()
	const story1 = "Pemkot Sukamaju buka cek kesehatan gratis di 30 puskesmas"
	site.add(
		story(site.srv.URL, "/kesehatan/cek-gratis", story1, healthBody, now),
		story(site.srv.URL, "/jatim/cek-kesehatan-gratis?utm_source=antara&utm_medium=rss", "Cek kesehatan gratis di 30 puskesmas Sukamaju",
			"Kabar Jatim – "+healthBody, now),
		story(site.srv.URL, "/banjir-lambat", "Warga keluhkan penanganan banjir yang lambat di Sukamaju", floodBody, now.Add(-3*time.Hour)),
		story(site.srv.URL, "/cabai", "Harga cabai naik di pasar Surabaya", "Harga cabai rawit di pasar tradisional Surabaya naik menjadi Rp 80.000 per kilogram.",
			now.Add(-2*time.Hour)),
	)

	base := env.URL + "/w/" + ws.Slug
	shots := shotDir(t)
	p := &page{t: t, ctx: ctx, env: env}
	p.signIn(officer, pw)

	// The feed, added by its address: the source's page says it works.
	p.do("add the feed", chromedp.Navigate(base+"/monitoring/sources/new"), chromedp.WaitVisible(chromedp.ID("f-url")),
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="feed"]`)), chromedp.SendKeys(chromedp.ID("f-url"), site.srv.URL+"/rss.xml"),
		chromedp.Click(chromedp.CSS(`form[action$="/monitoring/sources"] .actions button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/poll"] button`)))
	sourceURL := p.location()
	if got := p.text(".flash-ok"); !strings.Contains(got, "Sumber ditambahkan dengan 4 item.") {
		t.Errorf("after adding the feed the page says %q", got)
	}
	if h, got := p.text("main h1"), p.text("dl.meta"); h != "Kabar Jatim" || !strings.Contains(got, "Berjalan") {
		t.Errorf("the source's page: %q, %q", h, got)
	}

	// The query editor: a quotation mark left open is explained as she types, with where it is.
	p.do("open the topic editor", chromedp.Navigate(base+"/monitoring/topics/new"), chromedp.WaitVisible(chromedp.ID("f-query")),
		chromedp.SendKeys(chromedp.ID("f-name"), "Pemkot Sukamaju"), chromedp.SetValue(chromedp.ID("f-kind"), "brand"))
	empty := p.text("#preview")
	p.do("type a query with a mistake", chromedp.SendKeys(chromedp.ID("f-query"), `"cek kesehatan`))
	p.until("the live preview of the mistaken query", fmt.Sprintf(`document.getElementById("preview").innerText !== %q`, empty), 10*time.Second)
	const quoteErr = "Tanda kutip di posisi 1 tidak ditutup."
	if !p.holds(fmt.Sprintf(`document.getElementById("preview").innerText.includes(%q)`, quoteErr), 5*time.Second) {
		t.Errorf("as she types the mistaken query, the preview says %q, not what is wrong (%q)", p.text("#preview"), quoteErr)
	}
	p.eval(`document.getElementById("f-query").value = ""`) // she selects the query and types it again
	p.do("type a good query", chromedp.SendKeys(chromedp.ID("f-query"), "sukamaju OR puskesmas"))
	p.until("the live preview of the good query", `(document.querySelector("#preview .preview-count") || {}).innerText === "2 dari 3 berita terbaru cocok."`, 10*time.Second)
	preview := p.text("#preview")
	if !strings.Contains(preview, story1) || !strings.Contains(preview, "Warga keluhkan penanganan banjir") || strings.Contains(preview, "cabai") {
		t.Errorf("the preview lists: %q", preview)
	}
	if marks := p.eval(`[...document.querySelectorAll("#preview .snippet mark")].map(m => m.innerText.toLowerCase()).join(" ")`); !strings.Contains(marks, "sukamaju") ||
		!strings.Contains(marks, "puskesmas") {
		t.Errorf("the preview highlights %q", marks)
	}
	p.shotAt(shots, "monitor-topic-editor", 1280, 900)
	p.shotAt(shots, "monitor-topic-editor-phone", 390, 844)
	p.do("laptop width", chromedp.EmulateViewport(1280, 900))
	copyShot(t, shots, "monitor-topic-editor", "/tmp/shots/monitor-topic-editor.png")
	p.do("save the topic", chromedp.Click(chromedp.CSS("#topic-form .actions button.primary")))
	p.until("the topic's inbox", `location.pathname.endsWith("/monitoring") && location.search.includes("topic=")`, 10*time.Second)
	inbox := p.location()

	// The inbox: the health story once, with its copy and its sentiment, and the complaint.
	p.reloadUntil("the topic's stories in the inbox", inbox, `document.querySelectorAll("li.mention").length === 2`, 30*time.Second)
	row := func(words string) string {
		return p.eval(fmt.Sprintf(`(([...document.querySelectorAll("li.mention")].find(l => l.innerText.includes(%q))) || {innerText: ""}).innerText`, words))
	}
	if got := row("cek kesehatan"); !strings.Contains(got, "+1 salinan") || !strings.Contains(got, "Positif") || !strings.Contains(got, "Dewi Lestari") {
		t.Errorf("the health story in the inbox: %q", got)
	}
	if got := row("banjir"); !strings.Contains(got, "Negatif") {
		t.Errorf("the flood complaint in the inbox: %q", got)
	}
	if got := p.text("#bulk"); !strings.Contains(got, "2 berita (salinan berita yang sama dihitung sekali)") || strings.Contains(got, "cabai") {
		t.Errorf("the inbox: %q", got)
	}
	p.shotAt(shots, "monitor-inbox", 1280, 900)
	p.shotAt(shots, "monitor-inbox-phone", 390, 844)
	p.do("laptop width", chromedp.EmulateViewport(1280, 900))
	copyShot(t, shots, "monitor-inbox", "/tmp/shots/monitor-inbox.png")

	// Triage: the health story is relevant.
	mention := p.eval(`(([...document.querySelectorAll("li.mention")].find(l => l.innerText.includes("cek kesehatan"))) || {querySelector: () => ({value: ""})}).querySelector('input[name="ids"]').value`)
	if mention == "" {
		t.Fatal("the health story has no checkbox")
	}
	p.do("mark it relevant", chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="ids"][value="%s"]`, mention))),
		chromedp.Click(chromedp.CSS(`.bulk-bar button[value="relevant"]`)))
	p.until("the triage done", `!!document.querySelector(".flash-ok") && document.querySelector(".flash-ok").innerText.includes("1 sebutan diperbarui.")`, 10*time.Second)
	// Done with, it leaves the list of what needs a person.
	if got := row("cek kesehatan"); got != "" {
		t.Errorf("the health story is still to do after marking it relevant: %q", got)
	}
	p.do("open the relevant tab", chromedp.Click(chromedp.CSS(`nav.states a[href*="state=relevant"]`)))
	p.until("the relevant tab", `location.search.includes("state=relevant") && document.querySelectorAll("li.mention").length === 1`, 10*time.Second)
	if got := row("cek kesehatan"); !strings.Contains(got, "Relevan") {
		t.Errorf("under Relevan: %q", p.text("main"))
	}

	// Coverage: the story covers the release, by Dewi.
	p.do("open the story", chromedp.Navigate(base+"/monitoring/mentions/"+mention), chromedp.WaitVisible(chromedp.ID("coverage")))
	if got := p.text("#coverage h2"); got != "Liputan siaran pers" {
		t.Errorf("the coverage card is headed %q", got)
	}
	if got := p.text("#copies"); !strings.Contains(got, "Cek kesehatan gratis di 30 puskesmas Sukamaju") {
		t.Errorf("the story's copies: %q", got)
	}
	p.do("confirm it as coverage", chromedp.SetValue(chromedp.ID("f-release"), fmt.Sprint(rl.ID)), chromedp.SetValue(chromedp.ID("f-contact"), fmt.Sprint(dewi)),
		chromedp.Click(chromedp.ID("confirm-coverage")))
	p.until("the coverage confirmed", `!!document.querySelector("#coverage .badge.ok")`, 10*time.Second)
	if got := p.text("#coverage"); !strings.Contains(got, "Liputan dari") || !strings.Contains(got, headline) {
		t.Errorf("the coverage card after confirming: %q", got)
	}
	if got := p.text(".flash-ok"); !strings.Contains(got, "Dikonfirmasi sebagai liputan siaran pers.") {
		t.Errorf("after confirming the page says %q", got)
	}
	p.shotAt(shots, "monitor-mention", 1280, 900)
	p.shotAt(shots, "monitor-mention-phone", 390, 844)
	p.do("laptop width", chromedp.EmulateViewport(1280, 900))

	p.do("open Dewi's page", chromedp.Navigate(fmt.Sprintf("%s/press/contacts/%d", base, dewi)), chromedp.WaitVisible(chromedp.ID("timeline")))
	if got := p.text("#timeline"); !strings.Contains(got, "Liputan") || !strings.Contains(got, story1) {
		t.Errorf("Dewi's timeline: %q", got)
	}
	storyURL := site.srv.URL + "/kesehatan/cek-gratis"
	if href := p.eval(fmt.Sprintf(`(([...document.querySelectorAll("#timeline a")].find(a => a.innerText.includes(%q))) || {href: ""}).href`, story1)); href != storyURL &&
		!strings.Contains(href, "/monitoring/mentions/"+mention) {
		t.Errorf("the story on Dewi's timeline links to %q, which is neither the story (%s) nor its page in Warta", href, storyURL)
	}
	p.do("open the coverage", chromedp.Navigate(base+"/monitoring/coverage"), chromedp.WaitVisible(chromedp.ID("confirmed")))
	if got := p.text("#confirmed"); !strings.Contains(got, "Liputan terkonfirmasi (1)") || !strings.Contains(got, story1) || !strings.Contains(got, headline) {
		t.Errorf("the confirmed coverage: %q", got)
	}

	// A spike alert on the topic, by email to herself.
	p.do("write the alert rule", chromedp.Navigate(base+"/monitoring/alerts/rules/new"), chromedp.WaitVisible(chromedp.ID("f-topic")),
		chromedp.SetValue(chromedp.ID("f-topic"), topicIn(t, inbox)), chromedp.Click(chromedp.CSS(`input[name="kind"][value="spike"]`)),
		chromedp.SetValue(chromedp.ID("f-factor"), "3"), chromedp.SetValue(chromedp.ID("f-min_count"), "5"), chromedp.SetValue(chromedp.ID("f-window"), "60"))
	self := fmt.Sprintf(`input[name="emails"][value="%d"]`, owner.ID)
	if p.eval(fmt.Sprintf(`String(document.querySelector(%q).checked)`, self)) != "true" {
		p.do("email herself", chromedp.Click(chromedp.CSS(self)))
	}
	p.do("save the rule", chromedp.Click(chromedp.CSS(`form[action$="/monitoring/alerts/rules"] .actions button.primary`)), chromedp.WaitVisible(chromedp.ID("rules")))
	if got := p.text("#rules"); !strings.Contains(got, "Pemkot Sukamaju") || !strings.Contains(got, "×3 dan minimal 5 dalam 60 menit") {
		t.Errorf("the rules: %q", got)
	}
	if got := p.text("#recent"); !strings.Contains(got, "Belum ada peringatan yang dikirim.") {
		t.Errorf("alerts before the spike: %q", got)
	}

	// Eight flood stories within the hour, read at once.
	for i, body := range floodReports {
		site.add(story(site.srv.URL, fmt.Sprintf("/banjir/%d", i), fmt.Sprintf("Banjir Sukamaju: laporan %d", i+1), body,
			time.Now().UTC().Add(-time.Duration(i+1)*time.Minute)))
	}
	p.do("check the feed now", chromedp.Navigate(sourceURL), chromedp.WaitVisible(chromedp.CSS(`form[action$="/poll"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/poll"] button`)))
	p.until("the check under way", `!!document.querySelector(".flash-ok") && document.querySelector(".flash-ok").innerText.includes("Sumber sedang diperiksa")`, 10*time.Second)
	p.reloadUntil("the spike alert", base+"/monitoring/alerts", `document.querySelectorAll("#recent li").length > 0`, 60*time.Second)
	// In the hour: the eight flood stories and Dewi's story; the complaint of three hours ago is the usual.
	checkAlerts := func(when string) {
		t.Helper()
		if n := p.eval(`String(document.querySelectorAll("#recent li").length)`); n != "1" {
			t.Errorf("%s: %s alerts: %q", when, n, p.text("#recent"))
		}
		if got := p.text("#recent"); !strings.Contains(got, "Lonjakan pemberitaan: Pemkot Sukamaju") || !strings.Contains(got, "9 sebutan") {
			t.Errorf("%s: the alerts: %q", when, got)
		}
	}
	checkAlerts("at the spike")
	spikeMail := func() []string {
		var out []string
		for _, m := range sink.Messages() {
			if !strings.EqualFold(m.To, officer) {
				continue
			}
			msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatalf("mail to %s: %v", m.To, err)
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil {
				t.Fatalf("mail to %s: %v", m.To, err)
			}
			if strings.Contains(subject, "Lonjakan pemberitaan") {
				out = append(out, subject)
			}
		}
		return out
	}
	for deadline := time.Now().Add(30 * time.Second); len(spikeMail()) == 0; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s was not emailed the spike", officer)
		}
	}
	if got := spikeMail(); len(got) != 1 || !strings.Contains(got[0], "Pemkot Sukamaju: 9 sebutan dalam 60 menit") {
		t.Errorf("the spike emails: %q", got)
	}
	p.do("open the alert", chromedp.Click(chromedp.CSS("#recent li a")), chromedp.WaitVisible(chromedp.ID("alert-summary")))
	if got := p.text("#alert-summary"); !strings.Contains(got, "9 sebutan dalam rentang waktu ini") {
		t.Errorf("the alert's page: %q", got)
	}
	p.do("back to the alerts", chromedp.Navigate(base+"/monitoring/alerts"), chromedp.WaitVisible(chromedp.ID("recent")))
	p.shotAt(shots, "monitor-alerts", 1280, 900)
	p.shotAt(shots, "monitor-alerts-phone", 390, 844)
	p.do("laptop width", chromedp.EmulateViewport(1280, 900))

	// The watch job checks the rules again; the spike is the same one and tells nobody twice.
	watched := func() int {
		var n int
		if err := a.DB.QueryRow(bg, `SELECT COUNT(*) FROM river_job WHERE kind = 'monitor_watch' AND state = 'completed'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := watched()
	for deadline := time.Now().Add(60 * time.Second); watched() < before+2; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the rules were not checked again within a minute")
		}
	}
	p.do("open the alerts again", chromedp.Navigate(base+"/monitoring/alerts"), chromedp.WaitVisible(chromedp.ID("recent")))
	checkAlerts("after another check")
	if got := spikeMail(); len(got) != 1 {
		t.Errorf("after another check %s has %d spike emails: %q", officer, len(got), got)
	}
	t.Logf("screenshots in %s; took %s", shots, time.Since(started).Round(time.Second))
}

// location is the address the page shows.
func (p *page) location() string {
	p.t.Helper()
	u, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	return u
}

// holds waits for a JavaScript condition on the page and reports whether it came true, for a
// check that should not stop the rest of the test.
func (p *page) holds(js string, limit time.Duration) bool {
	for deadline := time.Now().Add(limit); ; time.Sleep(200 * time.Millisecond) {
		if ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// eval runs a JavaScript expression whose value is a string.
func (p *page) eval(js string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", js, err)
	}
	return s
}

// topicIn is the topic an inbox address shows.
func topicIn(t *testing.T, inbox string) string {
	t.Helper()
	u, err := url.Parse(inbox)
	if err != nil || u.Query().Get("topic") == "" {
		t.Fatalf("no topic in %s (%v)", inbox, err)
	}
	return u.Query().Get("topic")
}
