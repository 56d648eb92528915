package app_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/newsroom"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/press/release"
)

// pngOf is a small picture, as a photographer's upload would be.
func pngOf(t testing.TB, c color.Color) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// visit fetches a public page as a visitor's browser would, with extra headers ("Name: value").
func visit(t testing.TB, u string, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (test)")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// A release waits in the newsroom for its embargo: before the lift its address says only that it
// is not published yet (no headline, no picture, nothing in the feeds or the sitemap); at the
// lift it is on every page, with its picture and its English version linked; an edit approved
// later replaces it at once; subscribers are emailed once; an unlisted release opens only with
// its secret link; an archived one says it was withdrawn.
func TestNewsroomPublishesAtTheLift(t *testing.T) {
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
		start := time.Now().UTC()
		clock.Store(&start)
		a.Newsroom.SetClock(func() time.Time { return *clock.Load() })
		at := func(t time.Time) { clock.Store(&t) }

		photo, err := a.Library.Upload(ctx, actor, ws.ID, "posko-banjir.png", bytes.NewReader(pngOf(t, color.RGBA{20, 90, 160, 255})))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Library.Update(ctx, actor, ws.ID, photo.ID, "Petugas mendirikan tenda posko", "Humas Sukamaju", "CC BY 4.0"); err != nil {
			t.Fatal(err)
		}
		lift := start.Add(2 * time.Hour).Truncate(time.Minute)
		jakarta, _ := time.LoadLocation("Asia/Jakarta")
		rl, err := a.Releases.Create(ctx, actor, ws.ID, release.Input{Lang: "id", Headline: "Pemkot Sukamaju Buka Posko Banjir",
			Subheadline: "Warga dapat mengungsi malam ini", DatelineCity: "Sukamaju", DatelineDate: lift.In(jakarta).Format(time.DateOnly),
			Body: "Pemerintah Kota Sukamaju membuka **tiga posko** banjir.", Boilerplate: "Tentang Pemkot Sukamaju.",
			ContactName: "Rina Wulandari", ContactPhone: "+62 812-3456-7890", ContactEmail: "humas@sukamaju.example",
			Embargo: &lift, Zone: "Asia/Jakarta", Attachments: []int64{photo.ID}}, jakarta)
		if err != nil {
			t.Fatal(err)
		}
		en, err := a.Releases.Translate(ctx, actor, ws.ID, rl.ID)
		if err != nil {
			t.Fatal(err)
		}
		in := release.Input{Headline: "Sukamaju Opens Flood Shelters", Body: "The city of Sukamaju opens three flood shelters.",
			DatelineCity: "Sukamaju", Embargo: &lift, Zone: "Asia/Jakarta", Attachments: []int64{photo.ID}, BaseVersion: en.Version}
		if en, err = a.Releases.Update(ctx, actor, ws.ID, en.ID, in); err != nil {
			t.Fatal(err)
		}
		// Written but not submitted: a draft never reaches the newsroom.
		if err := a.Newsroom.SyncChanged(ctx); err != nil {
			t.Fatal(err)
		}
		if n, w, _ := a.Newsroom.Count(ctx, ws.ID); n != 0 || w != 0 {
			t.Fatalf("drafts on the newsroom: %d public, %d waiting", n, w)
		}
		for _, id := range []int64{rl.ID, en.ID} {
			if err := a.Releases.Submit(ctx, actor, ws.ID, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Newsroom.SyncChanged(ctx); err != nil {
			t.Fatal(err)
		}
		base := env.URL + "/newsroom/" + ws.Slug
		page := fmt.Sprintf("%s/releases/%d", base, rl.ID)
		file := fmt.Sprintf("%s/files/%d/posko-banjir.png", base, photo.ID)

		// Before the lift.
		for _, u := range []string{base + "/", base + "/feed.atom", base + "/feed.rss", base + "/sitemap.xml", base + "/?q=posko"} {
			if code, _, body := visit(t, u); code != http.StatusOK || strings.Contains(body, "Posko Banjir") || strings.Contains(body, "Flood") {
				t.Errorf("before the lift %s (%d) shows the release", u, code)
			}
		}
		code, hdr, body := visit(t, page)
		if code != http.StatusNotFound || !strings.Contains(body, "Belum dipublikasikan") || strings.Contains(body, "Posko") || strings.Contains(body, "Rina") {
			t.Errorf("the release before its lift: %d %s", code, apptest.Excerpt(body))
		}
		if hdr.Get("Cache-Control") != "no-cache" {
			t.Errorf("the not-yet page may be kept by browsers: %q", hdr.Get("Cache-Control"))
		}
		if code, _, _ := visit(t, file); code != http.StatusNotFound {
			t.Errorf("the release's picture is served before the lift: %d", code)
		}

		// At the lift, the same addresses show it.
		at(lift.Add(time.Second))
		code, hdr, body = visit(t, page)
		if code != http.StatusOK {
			t.Fatalf("the release after its lift: %d %s", code, apptest.Excerpt(body))
		}
		for _, want := range []string{"Pemkot Sukamaju Buka Posko Banjir", "Warga dapat mengungsi malam ini", "<strong>tiga posko</strong>",
			"SUKAMAJU,", fmt.Sprintf(`/files/%d/posko-banjir.png`, photo.ID), `alt="Petugas mendirikan tenda posko"`, "Foto: Humas Sukamaju",
			"Lisensi: CC BY 4.0", "Tentang Pemkot Sukamaju", "Rina Wulandari", fmt.Sprintf(`hreflang="en" href="%s/releases/%d"`, base, en.ID),
			fmt.Sprintf(`href="/newsroom/%s/releases/%d" hreflang="en"`, ws.Slug, en.ID), `"@type":"NewsArticle"`, `<html lang="id">`,
			`property="og:image"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the release page lacks %s", want)
			}
		}
		etag := hdr.Get("ETag")
		if code, _, _ := visit(t, page, "If-None-Match: "+etag); etag == "" || code != http.StatusNotModified {
			t.Errorf("a browser holding the page (%q) is not told it is unchanged: %d", etag, code)
		}
		code, _, body = visit(t, fmt.Sprintf("%s/releases/%d", base, en.ID))
		if code != http.StatusOK || !strings.Contains(body, "Sukamaju Opens Flood Shelters") || !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("the English version: %d %s", code, apptest.Excerpt(body))
		}
		if _, _, body := visit(t, base+"/", "Accept-Language: en-GB,en;q=0.9"); !strings.Contains(body, "Sukamaju Opens Flood Shelters") ||
			strings.Contains(body, "Buka Posko Banjir") {
			t.Errorf("an English visitor's home page does not list the English version: %s", apptest.Excerpt(body))
		}
		if _, _, body := visit(t, base+"/?lang=id"); !strings.Contains(body, "Buka Posko Banjir") {
			t.Errorf("the Indonesian home page lacks the release")
		}
		if _, _, body := visit(t, base+"/feed.atom?lang=id"); !strings.Contains(body, "<title>Pemkot Sukamaju Buka Posko Banjir</title>") ||
			!strings.Contains(body, fmt.Sprintf("%s/releases/%d", base, rl.ID)) {
			t.Errorf("the Atom feed lacks the release: %s", apptest.Excerpt(body))
		}
		if _, _, body := visit(t, base+"/sitemap.xml"); !strings.Contains(body, fmt.Sprintf("%s/releases/%d</loc>", base, rl.ID)) ||
			!strings.Contains(body, `hreflang="en"`) {
			t.Errorf("the sitemap lacks the release or its alternate: %s", apptest.Excerpt(body))
		}
		if code, h, _ := visit(t, file); code != http.StatusOK || h.Get("Content-Type") != "image/png" {
			t.Errorf("the picture after the lift: %d %s", code, h.Get("Content-Type"))
		}

		// A correction, submitted again, replaces the page at once (the cache is invalidated).
		cur, _ := a.Releases.Get(ctx, ws.ID, rl.ID)
		fix := release.Input{Headline: "Pemkot Sukamaju Buka Empat Posko Banjir", Subheadline: cur.Subheadline, DatelineCity: cur.DatelineCity,
			DatelineDate: cur.DatelineDate, Body: cur.Body, Boilerplate: cur.Boilerplate, ContactName: cur.ContactName, ContactPhone: cur.ContactPhone,
			ContactEmail: cur.ContactEmail, Embargo: cur.Embargo, Zone: cur.Zone, Attachments: cur.Attachments, BaseVersion: cur.Version}
		if _, err := a.Releases.Update(ctx, actor, ws.ID, rl.ID, fix); err != nil {
			t.Fatal(err)
		}
		if cur, _ = a.Releases.Get(ctx, ws.ID, rl.ID); cur.Status != "in_review" {
			if err := a.Releases.Submit(ctx, actor, ws.ID, rl.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Newsroom.SyncChanged(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, body := visit(t, page); !strings.Contains(body, "Empat Posko") {
			t.Errorf("the corrected headline is not on the page: %s", apptest.Excerpt(body))
		}

		// Subscribers are emailed once, however often the job runs.
		for range 3 {
			if err := a.Newsroom.MailLifted(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var mailings int
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM distributions WHERE workspace_id = ? AND audience = 'subscribers'`, ws.ID).Scan(&mailings); err != nil || mailings != 1 {
			t.Errorf("distributions to subscribers: %d (%v), want 1", mailings, err)
		}

		// Unlisted: only the secret link opens it, and no list shows it.
		if err := a.Newsroom.SetPlacement(ctx, actor, ws.ID, en.ID, newsroom.Unlisted, false, nil); err != nil {
			t.Fatal(err)
		}
		pl, err := a.Newsroom.Placement(ctx, ws.ID, en.ID)
		if err != nil {
			t.Fatal(err)
		}
		enPage := fmt.Sprintf("%s/releases/%d", base, en.ID)
		if code, _, body := visit(t, enPage); code == http.StatusOK || strings.Contains(body, "Flood Shelters") {
			t.Errorf("the unlisted release opens without its link: %d", code)
		}
		if code, _, body := visit(t, enPage+"?key=wrong"); code == http.StatusOK || strings.Contains(body, "Flood Shelters") {
			t.Errorf("the unlisted release opens with a wrong key: %d", code)
		}
		if code, _, body := visit(t, enPage+"?key="+url.QueryEscape(pl.Secret)); code != http.StatusOK || !strings.Contains(body, "Flood Shelters") {
			t.Errorf("the secret link does not open the unlisted release: %d", code)
		}
		if _, _, body := visit(t, base+"/feed.atom?lang=en"); strings.Contains(body, "Flood Shelters") {
			t.Errorf("the unlisted release is in the feed")
		}

		// Archived: withdrawn.
		if err := a.Content.Archive(ctx, actor, ws.ID, rl.ItemID, true); err != nil {
			t.Fatal(err)
		}
		if err := a.Newsroom.SyncChanged(ctx); err != nil {
			t.Fatal(err)
		}
		if code, _, body := visit(t, page); code != http.StatusGone || strings.Contains(body, "Posko") {
			t.Errorf("the archived release: %d %s", code, apptest.Excerpt(body))
		}
	})
}

// Settings refuse a slug or domain another newsroom has; a newsroom's own domain serves it at /.
func TestNewsroomAddressAndDomain(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		ctx := context.Background()
		a := env.App
		owner, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "humas@sukamaju.example", Name: "Ratna",
			Password: "rahasia-sekali-123", Role: access.Owner, Workspace: "Humas Kota Sukamaju", Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		andi, _, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "humas@makassar.example", Name: "Andi",
			Password: "rahasia-sekali-123", Role: access.Viewer, Workspace: ws.Slug, Lang: "id"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := a.Auth.CreateWorkspace(ctx, auth.CLI, "LSM Pesisir Makassar", "id", "Asia/Makassar", andi.ID)
		if err != nil {
			t.Fatal(err)
		}
		b := env.SignIn(owner.Email, "rahasia-sekali-123")
		form := url.Values{"enabled": {"1"}, "slug": {other.Slug}, "domain": {"media.sukamaju.example"}, "title": {"Pusat Media Sukamaju"},
			"color_primary": {"#7a1f1f"}, "font": {"serif"}, "boilerplate_id": {"Tentang kami."}}
		r := b.Post("/w/"+ws.Slug+"/newsroom/settings", form)
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Another newsroom already uses this address") ||
			!strings.Contains(r.Body, "Pusat Media Sukamaju") {
			t.Errorf("a taken slug: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		form.Set("slug", "pusat-media")
		if r = b.Post("/w/"+ws.Slug+"/newsroom/settings", form); r.Status != http.StatusSeeOther {
			t.Fatalf("saving settings: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if code, _, body := visit(t, env.URL+"/newsroom/pusat-media/"); code != http.StatusOK || !strings.Contains(body, "Pusat Media Sukamaju") {
			t.Errorf("the new address: %d", code)
		}
		if code, _, _ := visit(t, env.URL+"/newsroom/"+ws.Slug+"/"); code != http.StatusNotFound {
			t.Errorf("the old address still answers: %d", code)
		}
		code, _, body := visit(t, env.URL+"/", "Host: media.sukamaju.example")
		if code != http.StatusOK || !strings.Contains(body, "Pusat Media Sukamaju") || !strings.Contains(body, `href="/kit"`) ||
			!strings.Contains(body, `rel="canonical" href="https://media.sukamaju.example/"`) {
			t.Errorf("the own domain: %d %s", code, apptest.Excerpt(body))
		}
		if _, _, css := visit(t, env.URL+"/theme.css", "Host: media.sukamaju.example"); !strings.Contains(css, "--brand:#7a1f1f") || !strings.Contains(css, "Georgia") {
			t.Errorf("the theme lacks the chosen colour and font: %s", apptest.Excerpt(css))
		}
		if code, _, _ := visit(t, env.URL+"/login", "Host: media.sukamaju.example"); code != http.StatusNotFound {
			t.Errorf("the app answers on the newsroom's domain: %d", code)
		}
		other2 := env.SignIn("humas@makassar.example", "rahasia-sekali-123")
		r = other2.Post("/w/"+other.Slug+"/newsroom/settings", url.Values{"enabled": {"1"}, "slug": {other.Slug}, "domain": {"media.sukamaju.example"}})
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Domain ini sudah dipakai newsroom lain") {
			t.Errorf("a taken domain: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		// The whole media kit: five at once from one address, then a wait.
		for i := range 6 {
			code, h, body := visit(t, env.URL+"/newsroom/pusat-media/kit.zip")
			switch {
			case i < 5 && (code != http.StatusOK || h.Get("Content-Type") != "application/zip"):
				t.Errorf("kit zip %d: %d %s", i+1, code, h.Get("Content-Type"))
			case i == 5 && (code != http.StatusTooManyRequests || !strings.Contains(body, "Please wait a moment")):
				t.Errorf("the sixth kit zip at once: %d %s", code, apptest.Excerpt(body))
			}
		}

		// Topics: added on their page, offered on a release's newsroom page, where its place is set.
		if r = b.Post("/w/"+ws.Slug+"/newsroom/topics", url.Values{"name_id": {""}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("a topic without a name: %d", r.Status)
		}
		if r = b.Post("/w/"+ws.Slug+"/newsroom/topics", url.Values{"name_id": {"Pelayanan Publik"}, "name_en": {"Public Services"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("adding a topic: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		jakarta, _ := time.LoadLocation("Asia/Jakarta")
		rl, err := a.Releases.Create(ctx, audit.Actor{UserID: owner.ID, Label: owner.Email}, ws.ID, release.Input{Lang: "id",
			Headline: "Layanan KTP Buka Hari Sabtu", Body: "Dinas Dukcapil membuka layanan pada hari Sabtu."}, jakarta)
		if err != nil {
			t.Fatal(err)
		}
		r = b.Get(fmt.Sprintf("/w/%s/newsroom/releases/%d", ws.Slug, rl.ID))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "Public Services") || !strings.Contains(r.Body, "not ready yet") {
			t.Errorf("a draft's newsroom page: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		topics, _ := a.Newsroom.Topics(ctx, ws.ID)
		r = b.Post(fmt.Sprintf("/w/%s/newsroom/releases/%d", ws.Slug, rl.ID), url.Values{"visibility": {"unlisted"}, "featured": {"1"},
			"topic": {fmt.Sprint(topics[0].ID)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("setting the release's place: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if pl, err := a.Newsroom.Placement(ctx, ws.ID, rl.ID); err != nil || pl.Visibility != newsroom.Unlisted || !pl.Featured || len(pl.Topics) != 1 {
			t.Errorf("the release's place after the form: %+v %v", pl, err)
		}

		// The API reads and changes the same settings.
		tok, _, err := a.Auth.CreateToken(ctx, auth.CLI, ws.ID, owner.ID, "newsroom test", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		code, got := env.API("GET", "/api/v1/newsroom", tok, nil)
		if code != http.StatusOK || got["slug"] != "pusat-media" || got["url"] != "https://media.sukamaju.example" {
			t.Errorf("GET /api/v1/newsroom: %d %v", code, got)
		}
		code, got = env.API("PATCH", "/api/v1/newsroom", tok, map[string]any{"slug": "Bukan Slug!"})
		if code != http.StatusUnprocessableEntity {
			t.Errorf("PATCH with a bad slug: %d %v", code, got)
		}
	})
}
