package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/newsroom"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/web"
)

// incidentBanner is the incident banner at the top of a public page, "" when it has none.
func incidentBanner(body string) string {
	i := strings.Index(body, `<section class="incident-banner"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

// The crisis room's statements and status updates on the public newsroom: a statement has its
// own page (in the workspace's zone, with its narahubung and links), leads the home page for 30
// days and is in the feeds and the sitemap; while an incident is not resolved every page carries
// a banner with its latest state, and its updates are on the status page for 90 days after it is
// resolved; withdrawing takes a notice off at once, and the cached pages change with it.
func TestNewsroomStatementsAndStatus(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		ctx := context.Background()
		a := env.App
		user, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "humas@sukamaju.example", Name: "Ratna Sari",
			Password: "rahasia-sekali-123", Role: access.Owner, Workspace: "Humas Kota Sukamaju", Lang: "id", Timezone: "Asia/Jakarta"})
		if err != nil {
			t.Fatal(err)
		}
		actor := audit.Actor{UserID: user.ID, Label: user.Email}
		var clock atomic.Pointer[time.Time]
		start := time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC) // Thursday, 10.00 WIB
		at := func(d time.Duration) { t := start.Add(d); clock.Store(&t) }
		at(0)
		a.Newsroom.SetClock(func() time.Time { return *clock.Load() })
		id := a.Bundle.Locale("id", nil)
		base := env.URL + "/newsroom/" + ws.Slug
		path := "/newsroom/" + ws.Slug

		// What is missing or wrong is named, field by field, in the user's language.
		for _, c := range []struct {
			in     newsroom.NoticeInput
			fields []string
		}{
			{newsroom.NoticeInput{Kind: newsroom.StatusUpdate, Lang: "id", Body: "Tim sedang memeriksa."}, []string{"state", "incident"}},
			{newsroom.NoticeInput{Kind: newsroom.Statement, Lang: "id", Title: "Pernyataan", Body: " \n\n "}, []string{"body"}},
			{newsroom.NoticeInput{Kind: newsroom.Statement, Lang: "fr", Title: "Déclaration", Body: "Texte."}, []string{"lang"}},
			{newsroom.NoticeInput{Kind: newsroom.StatusUpdate, Incident: "Gangguan", State: "panik", Lang: "id", Body: "x"}, []string{"state"}},
		} {
			_, err := a.Newsroom.PublishNotice(ctx, actor, ws.ID, c.in)
			var we *web.Error
			if !errors.As(err, &we) || we.Status != http.StatusUnprocessableEntity || len(we.Fields) != len(c.fields) {
				t.Errorf("%+v: %v, want the fields %v", c.in, err, c.fields)
				continue
			}
			for _, f := range c.fields {
				if key := we.Fields[f]; key == "" || id.T(key) == key {
					t.Errorf("%+v: field %s has %q, not a message", c.in, f, key)
				}
			}
		}
		// A newsroom switched off takes nothing, and says where to switch it on.
		st, err := a.Newsroom.Settings(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		st.Enabled = false
		if err := a.Newsroom.SaveSettings(ctx, actor, st); err != nil {
			t.Fatal(err)
		}
		_, err = a.Newsroom.PublishNotice(ctx, actor, ws.ID, newsroom.NoticeInput{Kind: newsroom.Statement, Lang: "id", Title: "Pernyataan", Body: "Teks."})
		if !errors.Is(err, newsroom.ErrNewsroomOff) || !strings.Contains(id.T(newsroom.ErrNewsroomOff.Key), "Nyalakan dulu newsroom") {
			t.Errorf("publishing on a newsroom switched off: %v (%q)", err, id.T(newsroom.ErrNewsroomOff.Key))
		}
		st.Enabled = true
		if err := a.Newsroom.SaveSettings(ctx, actor, st); err != nil {
			t.Fatal(err)
		}

		// A holding statement.
		_, homeHdr, home := visit(t, base+"/")
		if strings.Contains(home, "incident-banner") || strings.Contains(home, "/status") {
			t.Errorf("a newsroom without incidents shows a banner or a status link")
		}
		const incident = "Gangguan air PDAM di Sukamaju Utara"
		const headline = "Pernyataan Pemkot Sukamaju tentang Gangguan Air PDAM"
		s1, err := a.Newsroom.PublishNotice(ctx, actor, ws.ID, newsroom.NoticeInput{Kind: newsroom.Statement, Incident: incident,
			IncidentKey: "crisis-7", Lang: "id", Title: headline,
			Body: "Pemerintah Kota Sukamaju mengetahui gangguan air bersih di Sukamaju Utara sejak pukul 06.00 WIB.\r\nTim PDAM sudah di lokasi.\r\n\r\n" +
				"Informasi terbaru: https://pdam.sukamaju.example/gangguan.",
			ContactName: "Rina Wulandari", ContactPhone: "+62 812-3456-7890", ContactEmail: "humas@sukamaju.example"})
		if err != nil {
			t.Fatal(err)
		}
		s1Page := fmt.Sprintf("%s/statements/%d", base, s1.ID)
		if s1.URL != s1Page {
			t.Errorf("the statement's address is %q, want %q", s1.URL, s1Page)
		}
		code, hdr, body := visit(t, base+"/")
		if code != http.StatusOK || hdr.Get("ETag") == homeHdr.Get("ETag") || !strings.Contains(body, headline) ||
			!strings.Contains(body, fmt.Sprintf(`href="%s/statements/%d" hreflang="id"`, path, s1.ID)) || !strings.Contains(body, "Pernyataan resmi") {
			t.Errorf("the home page does not lead with the statement (%d): %s", code, apptest.Excerpt(body))
		}
		code, _, body = visit(t, s1Page)
		if code != http.StatusOK {
			t.Fatalf("the statement's page: %d %s", code, apptest.Excerpt(body))
		}
		for _, want := range []string{`<h1 id="statement-title" lang="id">` + headline + `</h1>`, `<p class="kicker">Pernyataan resmi</p>`,
			"Kamis, 3 Desember 2026 pukul 10.00 WIB", "sejak pukul 06.00 WIB.<br>\nTim PDAM sudah di lokasi.</p>",
			`<a href="https://pdam.sukamaju.example/gangguan" rel="nofollow noopener">https://pdam.sukamaju.example/gangguan</a>.</p>`,
			"Narahubung", "<strong lang=\"id\">Rina Wulandari</strong>", `href="tel:&#43;6281234567890"`, `href="mailto:humas@sukamaju.example"`,
			`"@type":"NewsArticle"`, `property="og:type" content="article"`, `<link rel="canonical" href="` + s1Page + `">`,
			`hreflang="id" href="` + s1Page + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the statement's page lacks %s", want)
			}
		}
		if strings.Contains(body, `<link rel="alternate" hreflang="en"`) {
			t.Errorf("a statement written in Indonesian claims an English version")
		}
		_, _, body = visit(t, s1Page, "Accept-Language: en-GB,en;q=0.9")
		for _, want := range []string{`<html lang="en">`, "Official statement", "Thursday 3 December 2026, 10:00 WIB",
			`<h1 id="statement-title" lang="id">` + headline, `<div class="body" lang="id">`} {
			if !strings.Contains(body, want) {
				t.Errorf("the statement for an English reader lacks %s", want)
			}
		}
		if _, _, body := visit(t, base+"/feed.atom"); !strings.Contains(body, "<title>Pernyataan resmi: "+headline+"</title>") || !strings.Contains(body, s1Page) {
			t.Errorf("the Atom feed lacks the statement: %s", apptest.Excerpt(body))
		}
		if _, _, body := visit(t, base+"/feed.rss?lang=en"); !strings.Contains(body, "Official statement: "+headline) {
			t.Errorf("the RSS feed lacks the statement: %s", apptest.Excerpt(body))
		}
		if _, _, body := visit(t, base+"/sitemap.xml"); !strings.Contains(body, "<loc>"+s1Page+"</loc>") {
			t.Errorf("the sitemap lacks the statement: %s", apptest.Excerpt(body))
		}

		// Two updates of one incident: every page shows the latest, above its content.
		publish := func(d time.Duration, state newsroom.NoticeState, title, text string) *newsroom.Notice {
			t.Helper()
			at(d)
			n, err := a.Newsroom.PublishNotice(ctx, actor, ws.ID, newsroom.NoticeInput{Kind: newsroom.StatusUpdate, Incident: incident,
				IncidentKey: "crisis-7", State: state, Lang: "id", Title: title, Body: text})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		u1 := publish(time.Hour, newsroom.Investigating, "", "Petugas sedang mencari titik kebocoran pipa.")
		u2 := publish(2*time.Hour, newsroom.Identified, "Pipa induk pecah", "Pipa induk di Jalan Merdeka pecah. Perbaikan mulai pukul 13.00 WIB.")
		pages := []string{"/", "/kit", "/subscribe", "/status", fmt.Sprintf("/statements/%d", s1.ID), "/releases/999", "/?q=air"}
		for _, p := range pages {
			_, _, body := visit(t, base+p)
			b := incidentBanner(body)
			for _, want := range []string{`role="status"`, `<strong class="incident-name" lang="id">` + incident + `</strong>`, "Penyebab ditemukan",
				"Kamis, 3 Desember 2026 pukul 12.00 WIB", `href="` + path + `/status"`} {
				if !strings.Contains(b, want) {
					t.Errorf("the banner of %s lacks %s: %s", p, want, apptest.Excerpt(b))
				}
			}
			if strings.Contains(b, "Sedang diselidiki") {
				t.Errorf("the banner of %s shows the earlier state", p)
			}
			if strings.Index(body, `<main id="main"`) > strings.Index(body, "incident-banner") {
				t.Errorf("the banner of %s is not at the top of the content", p)
			}
		}
		if _, _, body := visit(t, base+"/?lang=en"); !strings.Contains(incidentBanner(body), "Cause identified") ||
			!strings.Contains(incidentBanner(body), `<strong class="incident-name" lang="id">`+incident) {
			t.Errorf("an English reader's banner: %s", apptest.Excerpt(incidentBanner(body)))
		}
		_, _, body = visit(t, base+"/status")
		i1, i2 := strings.Index(body, fmt.Sprintf(`id="update-%d"`, u1.ID)), strings.Index(body, fmt.Sprintf(`id="update-%d"`, u2.ID))
		if i1 < 0 || i2 < 0 || i2 > i1 || !strings.Contains(body, "Sedang ditangani") || !strings.Contains(body, "Pipa induk pecah") ||
			!strings.Contains(body, "Petugas sedang mencari titik kebocoran pipa.") {
			t.Errorf("the status page does not list both updates, newest first: %s", apptest.Excerpt(body))
		}
		if u2.URL != fmt.Sprintf("%s/status#update-%d", base, u2.ID) {
			t.Errorf("the update's address is %q", u2.URL)
		}

		// A second statement, withdrawn: its page says so, the lists lose it, the cache follows.
		at(3 * time.Hour)
		s2, err := a.Newsroom.PublishNotice(ctx, actor, ws.ID, newsroom.NoticeInput{Kind: newsroom.Statement, IncidentKey: "crisis-7",
			Lang: "id", Title: "Jadwal Distribusi Air dengan Truk Tangki", Body: "Truk tangki melayani warga mulai pukul 14.00 WIB."})
		if err != nil {
			t.Fatal(err)
		}
		s2Page := fmt.Sprintf("%s/statements/%d", base, s2.ID)
		_, pageHdr, _ := visit(t, s2Page)
		_, homeHdr, home = visit(t, base+"/")
		if !strings.Contains(home, "Jadwal Distribusi Air") {
			t.Fatalf("the second statement is not on the home page")
		}
		if err := a.Newsroom.WithdrawNotice(ctx, actor, ws.ID, s2.ID); err != nil {
			t.Fatal(err)
		}
		code, hdr, body = visit(t, s2Page, "If-None-Match: "+pageHdr.Get("ETag"))
		if code != http.StatusGone || !strings.Contains(body, "Pernyataan ditarik") || strings.Contains(body, "Truk tangki") || hdr.Get("ETag") == pageHdr.Get("ETag") {
			t.Errorf("the withdrawn statement's page: %d %s", code, apptest.Excerpt(body))
		}
		code, hdr, body = visit(t, base+"/", "If-None-Match: "+homeHdr.Get("ETag"))
		if code != http.StatusOK || hdr.Get("ETag") == homeHdr.Get("ETag") || strings.Contains(body, "Jadwal Distribusi Air") || !strings.Contains(body, headline) {
			t.Errorf("the home page after the withdrawal (%d): %s", code, apptest.Excerpt(body))
		}
		for _, u := range []string{"/feed.atom", "/feed.rss", "/sitemap.xml"} {
			if _, _, body := visit(t, base+u); strings.Contains(body, s2Page) || !strings.Contains(body, s1Page) {
				t.Errorf("%s after the withdrawal: %s", u, apptest.Excerpt(body))
			}
		}
		if err := a.Newsroom.WithdrawNotice(ctx, actor, ws.ID, s2.ID); err != nil {
			t.Errorf("withdrawing twice: %v", err)
		}
		if err := a.Newsroom.WithdrawNotice(ctx, actor, ws.ID, 99999); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("withdrawing what does not exist: %v", err)
		}

		// Resolved: no banner, the incident stays on the status page.
		u3 := publish(5*time.Hour, newsroom.Resolved, "", "Aliran air di Sukamaju Utara kembali normal.")
		for _, p := range pages {
			if _, _, body := visit(t, base+p); incidentBanner(body) != "" {
				t.Errorf("%s still shows the banner after the incident was resolved", p)
			}
		}
		_, _, body = visit(t, base+"/status")
		if !strings.Contains(body, "Sudah selesai (90 hari terakhir)") || !strings.Contains(body, incident) ||
			strings.Index(body, fmt.Sprintf(`id="update-%d"`, u3.ID)) > strings.Index(body, fmt.Sprintf(`id="update-%d"`, u2.ID)) {
			t.Errorf("the status page after the resolution: %s", apptest.Excerpt(body))
		}

		// The app lists the notices; withdrawing is for editors.
		var published, withdrawn int
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE workspace_id = ? AND action = 'newsroom.notice_published'`, ws.ID).Scan(&published); err != nil {
			t.Fatal(err)
		}
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE workspace_id = ? AND action = 'newsroom.notice_withdrawn'`, ws.ID).Scan(&withdrawn); err != nil {
			t.Fatal(err)
		}
		if published != 5 || withdrawn != 1 {
			t.Errorf("audit entries: %d published, %d withdrawn; want 5 and 1", published, withdrawn)
		}
		owner := env.SignIn(user.Email, "rahasia-sekali-123")
		withdrawS1 := fmt.Sprintf("/w/%s/newsroom/notices/%d/withdraw", ws.Slug, s1.ID)
		r := owner.Get("/w/" + ws.Slug + "/newsroom")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "Pernyataan dan pembaruan status") || !strings.Contains(r.Body, headline) ||
			!strings.Contains(r.Body, `action="`+withdrawS1+`"`) || !strings.Contains(r.Body, "Ditarik") || !strings.Contains(r.Body, "Selesai") ||
			strings.Contains(r.Body, fmt.Sprintf("/notices/%d/withdraw", s2.ID)) {
			t.Errorf("the newsroom overview's notices: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if _, _, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "magang@sukamaju.example", Name: "Dimas",
			Password: "rahasia-sekali-123", Role: access.Viewer, Workspace: ws.Slug, Lang: "id"}); err != nil {
			t.Fatal(err)
		}
		viewer := env.SignIn("magang@sukamaju.example", "rahasia-sekali-123")
		if r := viewer.Get("/w/" + ws.Slug + "/newsroom"); r.Status != http.StatusOK || strings.Contains(r.Body, "/withdraw") || !strings.Contains(r.Body, headline) {
			t.Errorf("a viewer's overview: %d, withdraw button shown: %v", r.Status, strings.Contains(r.Body, "/withdraw"))
		}
		if r := viewer.Post(withdrawS1, nil); r.Status != http.StatusForbidden {
			t.Errorf("a viewer withdrew a statement: %d", r.Status)
		}

		// Time alone moves notices off the lists: the statement leaves the home page after 30
		// days, the resolved incident the status page after 90.
		at(31 * 24 * time.Hour)
		if _, _, body := visit(t, base+"/"); strings.Contains(body, headline) {
			t.Errorf("a statement a month old still leads the home page")
		}
		if code, _, _ := visit(t, s1Page); code != http.StatusOK {
			t.Errorf("an old statement's page: %d", code)
		}
		at(5*time.Hour + 91*24*time.Hour)
		if _, _, body := visit(t, base+"/status"); strings.Contains(body, incident) || !strings.Contains(body, "Tidak ada kejadian yang sedang ditangani") {
			t.Errorf("the status page keeps an incident resolved 91 days ago: %s", apptest.Excerpt(body))
		}
		if _, _, body := visit(t, base+"/"); strings.Contains(body, path+"/status") {
			t.Errorf("the navigation links to an empty status page")
		}

		// The API lists them and withdraws; withdrawing the resolution makes the incident current again.
		tok, _, err := a.Auth.CreateToken(ctx, auth.CLI, ws.ID, user.ID, "crisis test", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		code, got := env.API("GET", "/api/v1/newsroom/notices", tok, nil)
		if items, _ := got["items"].([]any); code != http.StatusOK || len(items) != 5 {
			t.Errorf("GET /api/v1/newsroom/notices: %d %v", code, got)
		}
		code, got = env.API("GET", "/api/v1/newsroom/notices?incident=crisis-8", tok, nil)
		if items, ok := got["items"].([]any); code != http.StatusOK || !ok || len(items) != 0 {
			t.Errorf("another incident's notices: %d %v", code, got)
		}
		code, got = env.API("POST", fmt.Sprintf("/api/v1/newsroom/notices/%d/withdraw", u3.ID), tok, nil)
		if code != http.StatusOK || got["withdrawn_at"] == nil || got["state"] != "resolved" {
			t.Errorf("withdrawing through the API: %d %v", code, got)
		}
		if _, _, body := visit(t, base+"/kit"); !strings.Contains(incidentBanner(body), "Penyebab ditemukan") {
			t.Errorf("with its resolution withdrawn the incident has no banner: %s", apptest.Excerpt(incidentBanner(body)))
		}

		// On the newsroom's own domain, at its root.
		if st, err = a.Newsroom.Settings(ctx, ws.ID); err != nil {
			t.Fatal(err)
		}
		st.Domain = "media.sukamaju.example"
		if err := a.Newsroom.SaveSettings(ctx, actor, st); err != nil {
			t.Fatal(err)
		}
		code, _, body = visit(t, env.URL+fmt.Sprintf("/statements/%d", s1.ID), "Host: media.sukamaju.example")
		if code != http.StatusOK || !strings.Contains(body, headline) ||
			!strings.Contains(body, fmt.Sprintf(`rel="canonical" href="https://media.sukamaju.example/statements/%d"`, s1.ID)) ||
			!strings.Contains(incidentBanner(body), `href="/status"`) {
			t.Errorf("the statement on the own domain: %d %s", code, apptest.Excerpt(body))
		}
		if list, err := a.Newsroom.Notices(ctx, ws.ID, "crisis-7"); err != nil || len(list) != 5 ||
			list[len(list)-1].URL != fmt.Sprintf("https://media.sukamaju.example/statements/%d", s1.ID) {
			t.Errorf("the notices' addresses on the own domain: %v", err)
		}

		// The overview's button.
		if r := owner.Post(withdrawS1, nil); r.Status != http.StatusSeeOther {
			t.Errorf("withdrawing from the overview: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if code, _, _ := visit(t, s1Page); code != http.StatusGone {
			t.Errorf("the statement withdrawn from the overview answers %d", code)
		}
	})
}

// hostileNotice is a notice's text holding what must never run: scripts, handlers, script
// addresses (linked or not), broken markup and a very long word.
var hostileNotice = hostileBody(longWord(15000)) + "\n\nLihat https://sukamaju.example/air?x=\"><script>window.__pwned=1</script> dan " +
	"javascript:window.__pwned=1 (https://sukamaju.example/(info)).\nBaris <b>baru</b> &amp; selesai."

const hostileIncident = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">Gangguan "air" & 'listrik'`

// hostileNotices publishes a hostile statement in each language and a hostile incident's
// status update on the hostile newsroom, and returns the statements.
func hostileNotices(t *testing.T, env *apptest.Env, site hostileSite) []*newsroom.Notice {
	t.Helper()
	ctx := context.Background()
	var wsID int64
	if err := env.App.DB.QueryRow(ctx, `SELECT workspace_id FROM newsroom_settings WHERE slug = ?`, strings.TrimPrefix(site.path, "/newsroom/")).Scan(&wsID); err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{Label: "crisis room"}
	var out []*newsroom.Notice
	for _, in := range []newsroom.NoticeInput{
		{Kind: newsroom.Statement, Incident: hostileIncident, IncidentKey: "crisis-1", Lang: "id", Title: hostileHeadline, Body: hostileNotice,
			ContactName: hostileContactName, ContactPhone: hostileContactPhone, ContactEmail: "humas@sukamaju.example"},
		{Kind: newsroom.Statement, IncidentKey: "crisis-1", Lang: "en", Title: hostileTitle, Body: hostileNotice, ContactName: hostilePerson},
		{Kind: newsroom.StatusUpdate, Incident: hostileIncident, IncidentKey: "crisis-1", State: newsroom.Investigating, Lang: "en",
			Title: hostileSub, Body: hostileNotice},
	} {
		n, err := env.App.Newsroom.PublishNotice(ctx, actor, wsID, in)
		if err != nil {
			t.Fatalf("publishing a hostile %s: %v", in.Kind, err)
		}
		if in.Kind == newsroom.Statement {
			out = append(out, n)
		}
	}
	return out
}

// Hostile statements and status updates are shown as text on every public page: the banner on
// each page, the statements' pages, the status page, the feeds and the sitemap stay clean and
// keep their layout; only http(s) addresses become links.
func TestNewsroomNoticeHostileInput(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		site := hostileNewsroom(t, env)
		statements := hostileNotices(t, env, site)
		pages := site.pages()
		for i := range pages {
			if pages[i].kind == "html" {
				if pages[i].text == nil {
					pages[i].text = map[string]string{}
				}
				pages[i].text["strong.incident-name"] = hostileIncident
			}
		}
		pages = append(pages,
			hostilePage{name: "statement", path: fmt.Sprintf("/statements/%d", statements[0].ID), kind: "html", article: true, headline: hostileHeadline,
				text: map[string]string{"h1": hostileHeadline, "p.sub": hostileIncident, "strong": hostileContactName}},
			hostilePage{name: "English statement", path: fmt.Sprintf("/statements/%d?lang=en", statements[1].ID), kind: "html", article: true,
				headline: hostileTitle, text: map[string]string{"h1": hostileTitle, "strong": hostilePerson}},
			hostilePage{name: "status", path: "/status", kind: "html", text: map[string]string{"h3": hostileIncident, "h4": hostileSub}},
			hostilePage{name: "status in English", path: "/status?lang=en", kind: "html", text: map[string]string{"h3": hostileIncident}},
		)
		for _, p := range pages {
			t.Run(p.name, func(t *testing.T) {
				code, _, body := visit(t, site.base+p.path)
				if code != http.StatusOK {
					t.Fatalf("%s answers %d: %s", p.path, code, apptest.Excerpt(body))
				}
				switch p.kind {
				case "html":
					if incidentBanner(body) == "" {
						t.Errorf("%s has no incident banner", p.path)
					}
					checkHostilePage(t, site, p, body)
				case "feed":
					checkHostileFeed(t, body)
				case "sitemap":
					checkHostileSitemap(t, body)
				}
			})
		}
		_, _, body := visit(t, site.base+fmt.Sprintf("/statements/%d", statements[0].ID))
		for _, want := range []string{`<a href="https://sukamaju.example/air?x=" rel="nofollow noopener">`,
			`<a href="https://sukamaju.example/(info)" rel="nofollow noopener">`, "javascript:window.__pwned=1 (", "Baris &lt;b&gt;baru&lt;/b&gt; &amp;amp; selesai."} {
			if !strings.Contains(body, want) {
				t.Errorf("the statement's text lacks %s", want)
			}
		}
		if _, _, body := visit(t, site.base+"/feed.atom"); !strings.Contains(body, fmt.Sprintf("/statements/%d", statements[0].ID)) {
			t.Errorf("the hostile statement is not in the feed")
		}
	})
}

// The hostile notices in Chromium, with the Content-Security-Policy off so that the markup alone
// is on trial: nothing runs, the banner and the footer are on screen, and the long word does not
// widen the page.
func TestBrowserNewsroomNoticeHostileInput(t *testing.T) {
	ctx := browser(t)
	env := apptest.Start(t, db.SQLite)
	site := hostileNewsroom(t, env)
	statements := hostileNotices(t, env, site)
	var dialogs atomic.Int32
	opened := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for _, err := range opened {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	if _, err := chromedp.Call(ctx, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	type layout struct {
		Pwned    bool    `json:"pwned"`
		Banner   bool    `json:"banner"`
		Footer   bool    `json:"footer"`
		Overflow float64 `json:"overflow"`
	}
	const probe = `(() => {
		const seen = el => { if (!el) return false; const r = el.getBoundingClientRect(), s = getComputedStyle(el);
			return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'; };
		const b = document.querySelector('.incident-banner');
		const bannerSeen = seen(b) && b.getBoundingClientRect().top < innerHeight;
		const f = document.querySelector('footer.site-foot');
		if (f) f.scrollIntoView({block: 'end'});
		return {pwned: window.__pwned !== undefined, banner: bannerSeen, footer: seen(f),
			overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
	})()`
	for _, p := range []string{fmt.Sprintf("/statements/%d", statements[0].ID), fmt.Sprintf("/statements/%d", statements[1].ID), "/status", "/",
		"/?q=" + url.QueryEscape(hostileQuery)} {
		if err := chromedp.Do(ctx, chromedp.Navigate(site.base+p), chromedp.WaitReady(chromedp.CSS("footer.site-foot"))); err != nil {
			t.Fatalf("opening %s: %v", p, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](probe))
		if err != nil {
			t.Fatalf("probing %s: %v", p, err)
		}
		if got.Pwned {
			t.Errorf("%s ran a payload", p)
		}
		if !got.Banner || !got.Footer {
			t.Errorf("%s: banner on screen %v, footer %v", p, got.Banner, got.Footer)
		}
		if got.Overflow > 0 {
			t.Errorf("%s is %.0f px wider than the window", p, got.Overflow)
		}
	}
	if n := dialogs.Load(); n > 0 {
		t.Errorf("payloads opened %d dialogs", n)
	}
}
