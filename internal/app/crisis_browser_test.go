package app_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"warta.dev/warta/internal/crisis/review/pdftext"
	"warta.dev/warta/internal/monitor"
	"warta.dev/warta/internal/monitor/fetch"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/publish"
)

// The crisis room's whole run, in Indonesian, in a real browser: a burst of flood stories in a
// followed feed raises a spike alert; the officer opens the crisis room from the alert and
// declares the crisis; the post scheduled for the afternoon is held; the crisis team gets
// acknowledge links by email and Budi acknowledges by his; a holding statement from the
// accidental-crisis template is fast-tracked to the crisis approver and published to Mastodon and
// the newsroom; the crisis is closed with the held post rescheduled; and the post-crisis review
// downloads as a PDF whose text holds the timeline.
func TestBrowserCrisisRoom(t *testing.T) {
	ctx := browser(t)
	started := time.Now()
	o := startCrisisOffice(t, db.SQLite, "id")
	a, bg := o.env.App, context.Background()

	// Monitoring: the city's topic on a local outlet's feed, with a spike rule.
	site := startNewsSite(t)
	site.add(story(site.srv.URL, "/banjir-lambat", "Warga keluhkan penanganan banjir yang lambat di Sukamaju", floodBody, time.Now().UTC().Add(-3*time.Hour)))
	topic, err := a.Monitor.CreateTopic(bg, o.actor, o.ws.ID, monitor.TopicInput{Name: "Banjir Sukamaju", Kind: "issue", Query: "banjir sukamaju"})
	if err != nil {
		t.Fatal(err)
	}
	src, err := a.Monitor.AddSource(bg, o.actor, o.ws.ID, monitor.SourceInput{Kind: fetch.Feed, URL: site.srv.URL + "/rss.xml", Interval: 15 * time.Minute, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Monitor.SaveRule(bg, o.actor, o.ws.ID, 0, monitor.RuleInput{TopicID: topic.ID, Kind: "spike", MinCount: 5, Factor: 3,
		Window: time.Hour, BaselineDays: 7, Quiet: time.Hour, Emails: []int64{o.owner.ID}, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	for i, body := range floodReports {
		site.add(story(site.srv.URL, fmt.Sprintf("/banjir/%d", i), fmt.Sprintf("Banjir Sukamaju: laporan %d", i+1), body,
			time.Now().UTC().Add(-time.Duration(i+1)*time.Minute)))
	}
	if err := a.Monitor.PollSource(bg, o.ws.ID, src.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Monitor.CheckAlerts(bg); err != nil {
		t.Fatal(err)
	}
	// The afternoon's post, planned before anything happened.
	promo := o.schedule(t, "Festival kuliner", "Festival kuliner akhir pekan di alun-alun Sukamaju!", time.Now().Add(45*time.Second))

	base := o.env.URL + "/w/" + o.ws.Slug
	shots := shotDir(t)
	p := &page{t: t, ctx: ctx, env: o.env}
	p.signIn(o.owner.Email, crisisPassword)

	// From the spike alert to the crisis room.
	p.do("open the alerts", chromedp.Navigate(base+"/monitoring/alerts"), chromedp.WaitVisible(chromedp.CSS("#recent li a")),
		chromedp.Click(chromedp.CSS("#recent li a")), chromedp.WaitVisible(chromedp.ID("alert-summary")))
	p.do("open the crisis room from the alert", chromedp.Click(chromedp.CSS(`#alert-summary a.button.alarm`)), chromedp.WaitVisible(chromedp.ID("f-name")))
	if got := p.value("#f-name"); got != "Banjir Sukamaju" {
		t.Errorf("the crisis is named %q from the alert", got)
	}
	if got := p.value("#f-topic"); got != fmt.Sprint(topic.ID) {
		t.Errorf("the crisis follows topic %q, want the alert's %d", got, topic.ID)
	}
	p.do("declare it", chromedp.Click(chromedp.CSS(`input[name="type"][value="accidental"]`)),
		chromedp.SendKeys(chromedp.ID("f-description"), "Tanggul Kali Jaya jebol; ratusan rumah di Sukamaju Utara terendam."),
		chromedp.Click(chromedp.CSS(`input[name="confirm"]`)), chromedp.Click(chromedp.CSS(`form[action$="/crisis"] button.alarm`)),
		chromedp.WaitVisible(chromedp.ID("timeline")))
	room := p.location()
	if got := p.text(".flash-ok"); !strings.Contains(got, "Krisis dinyatakan") {
		t.Errorf("after declaring the page says %q", got)
	}
	if got := p.text("main"); !strings.Contains(got, "Publikasi dan distribusi terjadwal ditahan") || !strings.Contains(got, "0 dari 2 sudah konfirmasi") {
		t.Errorf("the room after declaring: %q", got)
	}

	// The scheduled post is held when its time comes.
	if pb := o.publication(t, promo, publish.Held); pb.State != publish.Held {
		t.Fatalf("the scheduled post: %s", pb.State)
	}
	p.do("open the publish log", chromedp.Navigate(base+"/publishing"), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := p.text("main"); !strings.Contains(got, "Festival kuliner") {
		t.Errorf("the publish log does not show the held post: %q", got)
	}

	// The team's emails carry acknowledge links; Budi acknowledges by his.
	links := o.waitCalls(t, o.editor.Email, 1)
	if len(o.waitCalls(t, o.owner.Email, 1)) != 1 || len(o.callsTo(t, "kadis@sukamaju.example")) != 0 {
		t.Errorf("the first list should be called once each and the escalation list not yet")
	}
	p.do("Budi opens his link", chromedp.Navigate(links[0]), chromedp.WaitVisible(chromedp.CSS(".ack-card form button")))
	p.do("and acknowledges", chromedp.Click(chromedp.CSS(".ack-card form button")), chromedp.WaitVisible(chromedp.CSS(".ack-card .flash-ok")))
	if got := p.text(".ack-card .flash-ok"); !strings.Contains(got, "Terima kasih, Budi Santoso") {
		t.Errorf("after acknowledging: %q", got)
	}
	p.do("back to the room", chromedp.Navigate(room), chromedp.WaitVisible(chromedp.ID("team")))
	if got := p.text("#team"); !strings.Contains(got, "1 dari 2 sudah konfirmasi") {
		t.Errorf("the team after Budi's acknowledgement: %q", got)
	}
	if got := p.eval(`[...document.querySelectorAll("#team tr.is-acked")].map(r => r.innerText).join("|")`); !strings.Contains(got, "Budi Santoso") {
		t.Errorf("Budi is not shown as acknowledged: %q", got)
	}

	// A holding statement from the template, fast-tracked to the crisis approver (Ratna).
	p.do("write the holding statement", chromedp.SetValue(chromedp.ID("f-template"), "holding-accidental"),
		chromedp.Click(chromedp.CSS(`form.draft-form button.primary`)), chromedp.WaitVisible(chromedp.CSS("main form")))
	if !strings.Contains(p.location(), "/content/") {
		t.Fatalf("drafting did not open the content studio: %s", p.location())
	}
	// The writer fills the template's blanks in the studio: the title, the text and the Mastodon text.
	p.eval(`const facts = {waktu: "Jumat dini hari", lokasi: "Sukamaju Utara", dampak: "sekitar 600 rumah di tiga kelurahan terendam dan 120 warga mengungsi",
		langkah: "mengerahkan BPBD dan Dinas PU, mengevakuasi warga lanjut usia dan membuka dapur umum di balai kota", penyebab: "tanggul Kali Jaya jebol",
		imbauan: "menjauhi bantaran Kali Jaya dan mengikuti arahan petugas", pembaruan_berikutnya: "pukul 12.00 WIB",
		kanal_info: "newsroom dan akun resmi Pemkot Sukamaju", narahubung: "Ratna Sari, Humas Pemkot Sukamaju (0812-3456-7890)"};
		for (const id of ["f-title", "f-body", "f-text-mastodon"]) { const el = document.getElementById(id);
		if (el) el.value = el.value.replace(/\[([a-z_]+)\]/g, (m, k) => facts[k] || "Sukamaju Utara"); } ""`)
	p.eval(`document.querySelectorAll(".flash").forEach(f => f.remove()); ""`) // the drafting's message, so the save's is seen
	p.do("save the statement", chromedp.Click(chromedp.CSS(`main form .actions button.primary`)))
	p.until("the statement saved", `!!document.querySelector(".flash-ok") && !document.getElementById("f-body").value.includes("[")`, 10*time.Second)
	p.do("back to the room", chromedp.Navigate(room), chromedp.WaitVisible(chromedp.ID("statements")))
	crises, err := a.Crisis.OpenCrises(bg, o.ws.ID)
	if err != nil || len(crises) != 1 {
		t.Fatalf("open crises: %v %v", crises, err)
	}
	sts, err := a.Crisis.Statements(bg, o.ws.ID, crises[0].ID)
	if err != nil || len(sts) != 1 {
		t.Fatalf("statements: %v %v", sts, err)
	}
	headline := sts[0].Title
	if body := p.text("#statements .statement-body"); !strings.Contains(body, "Humas Kota Sukamaju") || strings.Contains(body, "[") {
		t.Errorf("the statement is not filled in: %q", p.text("#statements"))
	}
	p.do("send it for approval", chromedp.Click(chromedp.CSS(`#statements form[action$="/submit"] button`)))
	p.until("the statement sent for approval", `!!document.querySelector(".flash-ok") && document.querySelector(".flash-ok").innerText.includes("pemberi persetujuan krisis")
		&& !!document.querySelector('#statements a[href*="/approvals/"]')`, 10*time.Second)
	p.do("review it", chromedp.Click(chromedp.CSS(`#statements a[href*="/approvals/"]`)), chromedp.WaitVisible(chromedp.CSS(`button[value="approve"]`)),
		chromedp.Click(chromedp.CSS(`button[value="approve"]`)))
	p.until("the statement approved", `location.pathname.endsWith("/approvals") && !!document.querySelector(".flash-ok")`, 10*time.Second)
	p.do("back to the room", chromedp.Navigate(room), chromedp.WaitVisible(chromedp.CSS("#statements .publish-form")))
	p.do("publish to Mastodon and the newsroom", chromedp.Click(chromedp.CSS(fmt.Sprintf(`.publish-form input[name="accounts"][value="%d"]`, o.mastodon))),
		chromedp.Click(chromedp.CSS(`.publish-form input[name="newsroom"]`)), chromedp.Click(chromedp.CSS(`.publish-form button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if got := p.text(".flash-ok"); !strings.Contains(got, "Pernyataan sudah diterbitkan") {
		t.Errorf("after publishing: %q", got)
	}
	for deadline := time.Now().Add(30 * time.Second); countText(o.ms.Posts(), firstLine(headline)) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the statement %q never reached Mastodon: %+v", headline, o.ms.Posts())
		}
	}
	if n := countText(o.ms.Posts(), "Festival kuliner"); n != 0 {
		t.Errorf("the held post went out with the statement")
	}
	p.do("see it on the newsroom", chromedp.Navigate(o.env.URL+"/newsroom/"+o.ws.Slug+"/"), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := p.text("main"); !strings.Contains(got, firstLine(headline)) {
		t.Errorf("the newsroom home does not show the statement %q: %q", headline, got)
	}
	p.do("back to the room", chromedp.Navigate(room), chromedp.WaitVisible(chromedp.ID("timeline")))
	if n := p.eval(`String(document.querySelectorAll("#panel svg.bars rect[height]:not([height='0'])").length)`); n == "0" {
		t.Errorf("the monitoring panel draws no bars for the flood stories")
	}
	p.shotAt(shots, "crisis-room", 1280, 900)
	p.shotAt(shots, "crisis-room-phone", 390, 844)
	p.do("laptop width", chromedp.EmulateViewport(1280, 900))
	copyShot(t, shots, "crisis-room", "/tmp/shots/crisis-room.png")
	copyShot(t, shots, "crisis-room-phone", "/tmp/shots/crisis-room-phone.png")

	// Closing: the held post is rescheduled to tomorrow morning.
	tomorrow := time.Now().In(mustZone("Asia/Jakarta")).AddDate(0, 0, 1)
	at := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 9, 0, 0, 0, mustZone("Asia/Jakarta"))
	p.do("open the closing form", chromedp.Navigate(room+"/close"), chromedp.WaitVisible(chromedp.ID("f-all")))
	if got := p.text("main"); !strings.Contains(got, "Festival kuliner") {
		t.Errorf("the closing form does not list the held post: %q", got)
	}
	p.shotAt(shots, "crisis-close", 1280, 900)
	p.do("laptop width", chromedp.EmulateViewport(1280, 900))
	p.do("reschedule everything held and close", chromedp.SetValue(chromedp.ID("f-all"), "reschedule"),
		chromedp.SetValue(chromedp.ID("f-all_at"), at.Format("2006-01-02T15:04")),
		chromedp.SendKeys(chromedp.ID("f-note"), "Air sudah surut; tanggul darurat terpasang."),
		chromedp.Click(chromedp.CSS(`form[action$="/close"] button.danger`)), chromedp.WaitVisible(chromedp.CSS(".figures")))
	if pb := o.publication(t, promo, publish.Queued); !pb.DueAt.Equal(at.UTC()) {
		t.Errorf("the held post is due %s, want %s", pb.DueAt, at.UTC())
	}
	if got := p.text("main"); !strings.Contains(got, "Evaluasi pascakrisis: Banjir Sukamaju") || !strings.Contains(got, "1 dari 2") {
		t.Errorf("the review: %q", got)
	}
	p.shotAt(shots, "crisis-review", 1280, 900)
	p.do("laptop width", chromedp.EmulateViewport(1280, 900))

	// The review as a PDF, downloaded as the browser would, read back as text.
	encoded, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const r = await fetch(document.querySelector('a[href$="/review.pdf"]').href);
		const b = new Uint8Array(await r.arrayBuffer()); let s = ""; for (const c of b) s += String.fromCharCode(c); return btoa(s); })()`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("the review did not download as a PDF: %v %q", err, pdf[:min(len(pdf), 20)])
	}
	words, err := pdftext.Text(pdf)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(words), " ")
	for _, want := range []string{"Evaluasi pascakrisis: Banjir Sukamaju", "Krisis dinyatakan; penanggung jawab Ratna Sari", "Budi Santoso mengonfirmasi",
		"Pernyataan disetujui oleh Ratna Sari", "Pernyataan diterbitkan di newsroom", "Pernyataan diterbitkan di 1 akun",
		"1 unggahan yang ditahan dijadwalkan ulang", "Krisis ditutup", "Sebutan baru di"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the review PDF does not hold %q", want)
		}
	}
	t.Logf("screenshots in %s; took %s", shots, time.Since(started).Round(time.Second))
}

// firstLine is the text up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
