package demo

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/press/release"
)

// The demo loads once, and the city's newsroom looks like a working press room: past releases with
// their pictures, the featured one first, English versions, topics; the embargoed release nowhere;
// a media kit with logos, credited photos, the fact sheet and two spokespeople; confirmed
// subscribers.
func TestDemoNewsroom(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		ctx := context.Background()
		a := env.App
		if created, err := Load(ctx, a); err != nil || !created {
			t.Fatalf("load: %v %v", created, err)
		}
		if created, err := Load(ctx, a); err != nil || created {
			t.Fatalf("second load: %v %v", created, err)
		}
		ws, err := a.Auth.Workspace(ctx, auth.Slugify(cityName))
		if err != nil {
			t.Fatal(err)
		}
		visitor := env.Browser()
		visitor.Lang = "id"
		base := "/newsroom/" + ws.Slug
		home := visitor.Get(base + "/")
		if home.Status != http.StatusOK {
			t.Fatalf("newsroom home: %d", home.Status)
		}
		for _, r := range pastReleases {
			if !strings.Contains(home.Body, r.id.headline) {
				t.Errorf("the home page lacks %q", r.id.headline)
			}
		}
		if featured := regexp.MustCompile(`(?s)<article class="featured">.*?</article>`).FindString(home.Body); !strings.Contains(featured, "Festival Pesisir") ||
			!strings.Contains(featured, `alt="Tenda-tenda`) {
			t.Errorf("the featured release is not the festival with its picture: %s", apptest.Excerpt(featured))
		}
		if n := strings.Count(home.Body, "?thumb=1"); n < 4 {
			t.Errorf("the list shows %d pictures", n)
		}
		if !strings.Contains(home.Body, `src="`+base+`/files/`) || !strings.Contains(home.Body, `class="site-logo"`) {
			t.Error("the header has no logo")
		}
		if r := visitor.Get(base + "/?topic=kesehatan"); !strings.Contains(r.Body, "imunisasi") || strings.Contains(r.Body, "Jembatan") {
			t.Errorf("the health topic lists: %s", apptest.Excerpt(r.Body))
		}
		visitor.Lang = "en"
		if r := visitor.Get(base + "/?lang=en"); !strings.Contains(r.Body, "Sukamaju Coastal Festival 2026 draws 85,000 visitors") {
			t.Errorf("the English newsroom lacks the festival's English version: %s", apptest.Excerpt(r.Body))
		}

		embargoed, _, err := a.Releases.List(ctx, ws.ID, release.Filter{Embargo: "embargoed"})
		if err != nil || len(embargoed) == 0 {
			t.Fatalf("the demo has no embargoed release: %v", err)
		}
		for _, r := range embargoed {
			if strings.Contains(home.Body, r.Headline) {
				t.Errorf("the embargoed %q is on the newsroom", r.Headline)
			}
			if page := visitor.Get(base + "/releases/" + strconv.FormatInt(r.ID, 10)); strings.Contains(page.Body, r.Headline) {
				t.Errorf("the embargoed %q opens", r.Headline)
			}
		}

		kit := visitor.Get(base + "/kit?lang=id")
		for _, want := range []string{"Logo Pemkot Sukamaju", "Lambang Pemkot Sukamaju", "Balai Kota Sukamaju", "Pantai Tanjung Sari",
			"Foto: Andi Pratama/Humas Pemkot Sukamaju", "Lisensi: CC BY 4.0", "lembar-fakta-sukamaju-2026.pdf",
			"Rina Wulandari", "dr. Maya Anggraini", "Luas wilayah", "Tentang kami"} {
			if !strings.Contains(kit.Body, want) {
				t.Errorf("the media kit lacks %q", want)
			}
		}
		files := regexp.MustCompile(`(?:src|href)="(`+regexp.QuoteMeta(base)+`/files/[^"]+)"`).FindAllStringSubmatch(kit.Body, -1)
		if len(files) < 8 {
			t.Errorf("the kit links %d files", len(files))
		}
		for _, f := range files {
			if r := visitor.Get(strings.ReplaceAll(f[1], "&amp;", "&")); r.Status != http.StatusOK || len(r.Body) < 500 {
				t.Errorf("%s: %d, %d bytes", f[1], r.Status, len(r.Body))
			}
		}
		pdf := regexp.MustCompile(`href="([^"]+\.pdf)\?download=1"`).FindStringSubmatch(kit.Body)
		if pdf == nil {
			t.Fatal("the kit has no PDF")
		}
		if r := visitor.Get(pdf[1]); !strings.HasPrefix(r.Body, "%PDF-") {
			t.Errorf("the fact sheet is not a PDF: %.20q", r.Body)
		}

		if n, err := a.Subscribers.Count(ctx, ws.ID); err != nil || n != len(subscribers) {
			t.Errorf("confirmed subscribers: %d %v", n, err)
		}
	})
}
