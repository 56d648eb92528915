package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/mail/smtptest"
	"warta.dev/warta/internal/press/release"
)

// A communications officer, in Indonesian, in a real browser: imports the demo journalists from
// a CSV with a broken row and a duplicate of a contact she already had, builds a segment, writes a
// release under embargo with an English version, gets both approved, and distributes it to the
// segment. The SMTP server on loopback receives one personalised mail per member with the embargo
// line and a one-click unsubscribe; one journalist unsubscribes, which shows on their timeline, and
// the next send skips them.
func TestBrowserPressRelations(t *testing.T) {
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
	const officer, approver = "humas@sukamaju.example", "kabag@sukamaju.example"
	_, ws, err := env.App.Auth.CreateUser(bg, auth.CLI, auth.CreateUserInput{Email: officer, Name: "Ratna Sari", Password: pw,
		Role: access.Owner, Workspace: "Humas Kabupaten Sukamaju", Lang: "id", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.App.Auth.CreateUser(bg, auth.CLI, auth.CreateUserInput{Email: approver, Name: "Bambang Wijaya", Password: pw,
		Role: access.Approver, Workspace: ws.Slug, Lang: "id"}); err != nil {
		t.Fatal(err)
	}
	members := map[string]bool{officer: true, approver: true}
	base := env.URL + "/w/" + ws.Slug
	shots := shotDir(t)
	p := &page{t: t, ctx: ctx, env: env}
	p.signIn(officer, pw)

	// Releases need approval in this workspace.
	p.do("require approval", chromedp.Navigate(base+"/settings/approvals"), chromedp.WaitVisible(chromedp.CSS(`input[name="mode"][value="required"]`)),
		chromedp.Click(chromedp.CSS(`input[name="mode"][value="required"]`)), chromedp.Click(chromedp.CSS("form.stack > .actions button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".flash-ok")))

	// A journalist the office already knew, typed in by hand; the file has her again.
	const yanti = "yanti.kusuma@suarasurabaya.example"
	p.do("add a contact by hand", chromedp.Navigate(base+"/press/contacts/new"), chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-name"), "Yanti Kusuma"), chromedp.SendKeys(chromedp.ID("f-emails"), yanti),
		chromedp.SendKeys(chromedp.ID("f-outlet_0"), "Suara Surabaya"), chromedp.SendKeys(chromedp.ID("f-languages"), "id"),
		chromedp.Submit(chromedp.ID("f-name")), chromedp.WaitVisible(chromedp.ID("timeline")))
	if ids, err := env.App.Press.ContactsByEmail(bg, ws.ID, yanti); err != nil || len(ids) != 1 {
		t.Fatalf("the contact typed in: %v %v", ids, err)
	}

	// The demo file, a row whose address is not one (line 22), and Yanti again (line 23).
	demo, err := os.ReadFile("../demo/data/jurnalis.csv")
	if err != nil {
		t.Fatal(err)
	}
	file := strings.TrimRight(string(demo), "\n") + "\n" +
		"Joko Susilo,Bapak,Kabar Pesisir,Reporter,kesehatan,Jawa Timur,Sukamaju,id,bukan-email,0812-1111-2222,\n" +
		"Yanti Kusuma,Ibu,Suara Surabaya,Reporter,kesehatan,Jawa Timur,Surabaya,id," + yanti + ",0812-9999-2021,\n"
	csvPath := filepath.Join(t.TempDir(), "jurnalis-2026.csv")
	if err := os.WriteFile(csvPath, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(file)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := rows[0], rows[1:]
	col := func(name string) int { return slices.Index(header, name) }

	p.do("upload the file", chromedp.Navigate(base+"/press/imports/new"), chromedp.WaitVisible(chromedp.ID("f-file")),
		chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{csvPath}), chromedp.Click(chromedp.CSS("form.card .actions button.primary")),
		chromedp.WaitVisible(chromedp.ID("mapping")))
	if got := p.text("#mapping .card"); !strings.Contains(got, "22") {
		t.Errorf("the reading step does not say 22 rows: %q", got)
	}
	for name, field := range map[string]string{"Nama": "name", "Sapaan": "salutation", "Media": "outlet", "Jabatan": "role", "Desk": "beats",
		"Provinsi": "province", "Kota": "city", "Bahasa": "languages", "Email": "email", "No. HP": "mobile", "WhatsApp": "whatsapp"} {
		if got := p.value(fmt.Sprintf("#f-col-%d", col(name))); got != field {
			t.Errorf("column %q is read as %q, want %q", name, got, field)
		}
	}
	p.do("check the rows", chromedp.Click(chromedp.CSS(`button[value="check"]`)))
	p.until("the check done", `!!document.querySelector('form[action$="/apply"]')`, 20*time.Second)
	counts := p.text(".card dl.meta")
	for _, want := range []string{`Kontak baru yang siap\s*20`, `Kemungkinan data ganda\s*1`, `Baris bermasalah \(tidak diimpor\)\s*1`} {
		if !regexp.MustCompile(want).MatchString(counts) {
			t.Errorf("the check's counts %q lack %s", counts, want)
		}
	}
	if got := p.text("#errors tbody"); !strings.Contains(got, "22") || !strings.Contains(got, "Joko Susilo") ||
		!strings.Contains(got, "“bukan-email” bukan alamat email yang benar") {
		t.Errorf("the broken row as reported: %q", got)
	}
	if got := p.text("#duplicates fieldset legend"); !strings.Contains(got, "23") || !strings.Contains(got, "Yanti Kusuma") {
		t.Errorf("the duplicate as shown: %q", got)
	}
	if merge, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`!!document.querySelector('#duplicates input[type=radio][value^="merge:"]:checked')`)); err != nil || !merge {
		t.Errorf("merging into the existing contact is not chosen for the duplicate (%v)", err)
		p.do("choose merge", chromedp.Click(chromedp.CSS(`#duplicates input[type=radio][value^="merge:"]`)))
	}
	p.do("apply into a new list", chromedp.SetValue(chromedp.ID("f-list"), "new"), chromedp.SendKeys(chromedp.ID("f-new_list"), "Jurnalis demo"),
		chromedp.Click(chromedp.CSS(`button[value="apply"]`)))
	p.until("the import summary", `document.body.innerText.includes("Impor selesai")`, 20*time.Second)
	summary := p.text("main")
	for _, want := range []string{`Impor selesai`, `Kontak baru\s*20`, `Digabung ke kontak yang ada\s*1`, `Baris bermasalah \(tidak diimpor\)\s*1`, `Jurnalis demo`} {
		if !regexp.MustCompile(want).MatchString(summary) {
			t.Errorf("the import summary %q lacks %s", summary, want)
		}
	}
	p.shot(shots, "press-import-summary")

	// Health desks in Jawa Timur and Jakarta, computed from the file.
	type journalist struct{ name, lang string }
	want := map[string]journalist{}
	for _, r := range rows {
		if _, err := mail.ParseAddress(r[col("Email")]); err != nil {
			continue
		}
		health := false
		for _, b := range strings.Split(r[col("Desk")], ";") {
			b = strings.ToLower(strings.TrimSpace(b))
			health = health || b == "kesehatan" || b == "health"
		}
		if prov := r[col("Provinsi")]; health && (prov == "Jawa Timur" || prov == "DKI Jakarta") {
			want[strings.ToLower(r[col("Email")])] = journalist{r[col("Nama")], strings.Split(r[col("Bahasa")], ";")[0]}
		}
	}
	if len(want) < 5 || want["dewi.lestari@archipelagopost.example"].lang != "en" || want[yanti].name == "" {
		t.Fatalf("the expected segment: %+v", want)
	}
	matches := fmt.Sprintf("%d kontak cocok", len(want))
	p.do("build a segment", chromedp.Navigate(base+"/press/segments/new"), chromedp.WaitVisible(chromedp.ID("f-cond_beat")),
		chromedp.SendKeys(chromedp.ID("f-name"), "Desk kesehatan Jatim dan Jakarta"),
		chromedp.SendKeys(chromedp.ID("f-cond_beat"), "kesehatan, health"), chromedp.SendKeys(chromedp.ID("f-cond_province"), "Jawa Timur, DKI Jakarta"),
		chromedp.Click(chromedp.CSS(`button[value="count"]`)))
	p.until("the count", fmt.Sprintf(`!!document.querySelector('button[value="count"]') && document.querySelector("p.count").innerText.includes(%q)`, matches), 10*time.Second)
	if got := p.text("p.count"); !strings.Contains(got, matches) {
		t.Errorf("the count before saving: %q, want %q", got, matches)
	}
	p.do("save the segment", chromedp.Click(chromedp.CSS(`button[value="save"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href*="export.csv?segment="]`)))
	if got := p.text("p.count"); !strings.Contains(got, matches) {
		t.Errorf("the saved segment's count: %q, want %q", got, matches)
	}
	segURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	segmentID := segURL[strings.LastIndex(segURL, "/")+1:]
	p.shot(shots, "press-segment")

	// The release, under embargo until ten days from now at 10.00 WIB.
	wib := mustZone("Asia/Jakarta")
	now := time.Now().In(wib)
	lift := time.Date(now.Year(), now.Month(), now.Day()+10, 10, 0, 0, 0, wib)
	p.do("write the release", chromedp.Navigate(base+"/press/releases/new"), chromedp.WaitVisible(chromedp.ID("f-headline")),
		chromedp.SetValue(chromedp.ID("f-lang"), "id"),
		chromedp.SendKeys(chromedp.ID("f-headline"), "Puskesmas Sukamaju buka layanan malam"),
		chromedp.SendKeys(chromedp.ID("f-subheadline"), "Warga bisa berobat sampai pukul 22.00 mulai Desember"),
		chromedp.SendKeys(chromedp.ID("f-dateline_city"), "Sukamaju"),
		chromedp.SetValue(chromedp.ID("f-dateline_date"), lift.Format("2006-01-02")),
		chromedp.SendKeys(chromedp.ID("f-body"), "Pemerintah Kabupaten Sukamaju membuka **layanan malam** di tiga puskesmas."),
		chromedp.SendKeys(chromedp.ID("f-boilerplate"), "Tentang Humas Kabupaten Sukamaju: melayani informasi publik."),
		chromedp.SendKeys(chromedp.ID("f-contact_name"), "Ratna Sari"), chromedp.SendKeys(chromedp.ID("f-contact_phone"), "0812-3456-0000"),
		chromedp.SendKeys(chromedp.ID("f-contact_email"), officer),
		chromedp.Click(chromedp.CSS(`input[name="embargo"][value="until"]`)),
		chromedp.SetValue(chromedp.ID("f-embargo_date"), lift.Format("2006-01-02")), chromedp.SetValue(chromedp.ID("f-embargo_time"), "10:00"),
		chromedp.SetValue(chromedp.ID("f-zone"), "Asia/Jakarta"),
		chromedp.Click(chromedp.CSS(`form[action$="/press/releases"] .actions button.primary`)),
		chromedp.WaitVisible(chromedp.ID("status")))
	releaseID, enID := p.addEnglishVersion()
	p.do("write the English version",
		chromedp.SetValue(chromedp.ID("f-headline"), "Sukamaju health centres open at night"),
		chromedp.SetValue(chromedp.ID("f-subheadline"), "Residents can see a doctor until 10 pm from December"),
		chromedp.SetValue(chromedp.ID("f-body"), "The Sukamaju regency government opens **night services** at three health centres."),
		chromedp.SetValue(chromedp.ID("f-boilerplate"), "About Sukamaju Regency Public Relations: serving public information."),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action$="/press/releases/%d"] .actions button.primary`, enID))))
	p.until("the English version saved", `document.querySelector("main h1").innerText.includes("Sukamaju health centres open at night")`, 10*time.Second)
	for _, id := range []int64{releaseID, enID} {
		p.do("submit for approval", chromedp.Navigate(fmt.Sprintf("%s/press/releases/%d", base, id)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/submit"] button`)),
			chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)))
		p.until("the release submitted", `!document.querySelector('form[action$="/submit"]') && !!document.getElementById("status")`, 10*time.Second)
	}
	p.signOut()
	p.signIn(approver, pw)
	p.do("open the approvals", chromedp.Navigate(base+"/approvals"), chromedp.WaitVisible(chromedp.CSS("main")))
	if q := p.text("main"); !strings.Contains(q, "Puskesmas Sukamaju buka layanan malam") || !strings.Contains(q, "Sukamaju health centres open at night") {
		t.Errorf("the approvals queue: %q", q)
	}
	for _, id := range []int64{releaseID, enID} {
		r, err := env.App.Releases.Get(bg, ws.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		p.do("approve", chromedp.Navigate(fmt.Sprintf("%s/approvals/%d", base, r.ItemID)), chromedp.WaitVisible(chromedp.CSS(`button[value="approve"]`)),
			chromedp.Click(chromedp.CSS(`button[value="approve"]`)), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	}
	p.signOut()
	p.signIn(officer, pw)
	p.do("open the release", chromedp.Navigate(fmt.Sprintf("%s/press/releases/%d", base, releaseID)), chromedp.WaitVisible(chromedp.ID("status")))
	if got := p.text("#status"); !strings.Contains(got, "Siaran pers ini siap didistribusikan") {
		t.Errorf("the approved release's status: %q", got)
	}
	p.shot(shots, "press-release")
	copyShot(t, shots, "press-release", "/tmp/shots/press-release.png")

	// Send it now to the segment and wait on the distribution's page until it is done.
	send := func() string {
		t.Helper()
		p.do("distribute", chromedp.Navigate(base+"/press/distributions/new"), chromedp.WaitVisible(chromedp.ID("f-source")),
			chromedp.SetValue(chromedp.ID("f-source"), fmt.Sprintf("release:%d", releaseID)),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="segments"][value="%s"]`, segmentID))),
			chromedp.Click(chromedp.CSS(`button[value="send"]`)), chromedp.WaitVisible(chromedp.ID("progress")))
		p.until("the distribution done", `!!document.querySelector(".page-head h1 .badge.state-done")`, 30*time.Second)
		u, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	first := send()
	if got := p.text("#progress"); !regexp.MustCompile(fmt.Sprintf(`Terkirim\s*%d`, len(want))).MatchString(got) {
		t.Errorf("the first distribution's progress: %q", got)
	}
	p.shot(shots, "press-distribution")
	copyShot(t, shots, "press-distribution", "/tmp/shots/press-distribution.png")
	p.do("phone width", chromedp.EmulateViewport(390, 844))
	p.shot(shots, "press-distribution-phone")
	p.do("laptop width", chromedp.EmulateViewport(1280, 900))

	embargo := map[string]string{
		"id": release.EmbargoLine(env.App.Bundle, "id", lift, wib),
		"en": release.EmbargoLine(env.App.Bundle, "en", lift, wib),
	}
	if !strings.Contains(embargo["id"], "EMBARGO SAMPAI") || !strings.Contains(embargo["en"], "EMBARGOED UNTIL") {
		t.Fatalf("embargo lines: %q", embargo)
	}
	got := mailbox(t, sink.Messages(), members)
	if len(got) != len(want) {
		t.Errorf("the SMTP server received %d messages for the segment, want %d", len(got), len(want))
	}
	for addr, j := range want {
		ms := got[addr]
		if len(ms) != 1 {
			t.Errorf("%s received %d messages", addr, len(ms))
			continue
		}
		m := ms[0]
		greet := "Yth."
		if j.lang == "en" {
			greet = "Dear"
		}
		if !strings.Contains(m.text, greet) || !strings.Contains(m.text, j.name) {
			t.Errorf("the mail to %s (%s) is not addressed to them: %q", j.name, j.lang, excerpt(m.text))
		}
		if !strings.Contains(m.text, embargo[j.lang]) || !strings.Contains(m.html, embargo[j.lang]) {
			t.Errorf("the mail to %s lacks %q: %q", j.name, embargo[j.lang], excerpt(m.text))
		}
		if !strings.HasPrefix(m.unsubscribe, env.URL+"/m/") || m.oneClick != "List-Unsubscribe=One-Click" {
			t.Errorf("the mail to %s: List-Unsubscribe %q, List-Unsubscribe-Post %q", j.name, m.unsubscribe, m.oneClick)
		}
	}
	for addr := range got {
		if _, ok := want[addr]; !ok {
			t.Errorf("%s is not in the segment but received the release", addr)
		}
	}

	// The officer is told the distribution is done, in her language.
	p.do("open the notifications", chromedp.Navigate(base+"/notifications"), chromedp.WaitVisible(chromedp.CSS("main")))
	if n := p.text("main"); strings.Contains(n, "distribute.notice") || !strings.Contains(n, "Puskesmas Sukamaju buka layanan malam") {
		t.Errorf("the notification that the distribution is done: %q", n)
	}

	// Rina unsubscribes with the link in her mail.
	const rina = "rina.marlina@tvlokal.example"
	if len(got[rina]) != 1 {
		t.Fatalf("no mail to %s", rina)
	}
	p.signOut()
	p.do("open the unsubscribe link", chromedp.Navigate(got[rina][0].unsubscribe), chromedp.WaitVisible(chromedp.CSS("form button.primary")))
	if q := p.text("h1"); !strings.Contains(q, "Berhenti menerima email") {
		t.Errorf("the unsubscribe page asks %q", q)
	}
	p.do("unsubscribe", chromedp.Click(chromedp.CSS("form button.primary")), chromedp.WaitVisible(chromedp.CSS("main p.muted")))
	if done := p.text("main"); !strings.Contains(done, "Anda sudah berhenti berlangganan") {
		t.Errorf("after unsubscribing: %q", done)
	}
	p.signIn(officer, pw)
	ids, err := env.App.Press.ContactsByEmail(bg, ws.ID, rina)
	if err != nil || len(ids) != 1 {
		t.Fatalf("Rina's contact: %v %v", ids, err)
	}
	p.do("open Rina's page", chromedp.Navigate(fmt.Sprintf("%s/press/contacts/%d", base, ids[0])), chromedp.WaitVisible(chromedp.ID("timeline")))
	if tl := p.text("#timeline"); !strings.Contains(tl, "Berhenti berlangganan") || !strings.Contains(tl, "Puskesmas Sukamaju buka layanan malam") {
		t.Errorf("Rina's timeline: %q", tl)
	}

	p.do("open the first distribution", chromedp.Navigate(first), chromedp.WaitVisible(chromedp.ID("report")))
	if rep := p.text("#report"); !regexp.MustCompile(`Berhenti berlangganan\s*1`).MatchString(rep) {
		t.Errorf("the first distribution's report after Rina unsubscribed: %q", rep)
	}

	// The next send reaches everyone again but her, and says one was skipped.
	second := send()
	if second == first {
		t.Fatalf("the second send shows the first distribution: %s", second)
	}
	if prog := p.text("#progress"); !regexp.MustCompile(fmt.Sprintf(`Terkirim\s*%d`, len(want)-1)).MatchString(prog) ||
		!regexp.MustCompile(`Dilewati\s*1`).MatchString(prog) {
		t.Errorf("the second distribution's progress: %q", prog)
	}
	if rep := p.text("#report"); !strings.Contains(rep, "berhenti berlangganan: 1") {
		t.Errorf("the second distribution's report: %q", rep)
	}
	again := mailbox(t, sink.Messages(), members)
	for addr := range want {
		n := 2
		if addr == rina {
			n = 1
		}
		if len(again[addr]) != n {
			t.Errorf("%s has %d messages after the second send, want %d", addr, len(again[addr]), n)
		}
	}
	t.Logf("screenshots in %s; took %s", shots, time.Since(started).Round(time.Second))
}

// shotDir is where screenshots go: WARTA_TEST_SCREENSHOTS when set, else the test's own directory.
func shotDir(t *testing.T) string {
	if dir := os.Getenv("WARTA_TEST_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// shot saves the whole page as dir/name.png.
// addEnglishVersion adds the English version of the release the page shows and opens it; it
// returns both releases' ids.
func (p *page) addEnglishVersion() (releaseID, enID int64) {
	p.t.Helper()
	idOf := func() int64 {
		u, err := chromedp.Run(p.ctx, chromedp.Location())
		if err != nil {
			p.t.Fatal(err)
		}
		return mustInt(p.t, u[strings.LastIndex(u, "/")+1:])
	}
	releaseID = idOf()
	p.do("add the English version", chromedp.Click(chromedp.CSS(`form[action$="/translate"] button`)))
	p.until("the English version's page", fmt.Sprintf(`!location.pathname.endsWith("/press/releases/%d") && !!document.getElementById("status")`, releaseID), 10*time.Second)
	if enID = idOf(); enID == releaseID {
		p.t.Fatalf("adding the English version stayed on the Indonesian release %d", releaseID)
	}
	return releaseID, enID
}

func (p *page) shot(dir, name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func copyShot(t *testing.T, dir, name, to string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name+".png"))
	if err == nil {
		err = os.MkdirAll(filepath.Dir(to), 0o755)
	}
	if err == nil {
		err = os.WriteFile(to, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// until waits for a JavaScript condition on the page, through navigations and the reloads of a
// page that refreshes itself.
func (p *page) until(what, js string, limit time.Duration) {
	p.t.Helper()
	for deadline := time.Now().Add(limit); ; {
		if ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			body, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("main")))
			p.t.Fatalf("%s: not within %s; the page says %q", what, limit, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// received is a distribution's mail as a recipient reads it.
type received struct {
	text, html            string
	unsubscribe, oneClick string
}

// mailbox reads the server's mailbox by recipient, leaving out mail to the workspace's members.
func mailbox(t *testing.T, msgs []smtptest.Message, members map[string]bool) map[string][]received {
	t.Helper()
	out := map[string][]received{}
	for _, m := range msgs {
		to := strings.ToLower(m.To)
		if members[to] {
			continue
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("mail to %s: %v", to, err)
		}
		r := received{unsubscribe: strings.Trim(msg.Header.Get("List-Unsubscribe"), "<>"), oneClick: msg.Header.Get("List-Unsubscribe-Post")}
		_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("mail to %s: %v", to, err)
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("mail to %s: %v", to, err)
			}
			b, err := io.ReadAll(part)
			if err != nil {
				t.Fatalf("mail to %s: %v", to, err)
			}
			if strings.HasPrefix(part.Header.Get("Content-Type"), "text/html") {
				r.html = string(b)
			} else {
				r.text = string(b)
			}
		}
		out[to] = append(out[to], r)
	}
	return out
}

func excerpt(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}
