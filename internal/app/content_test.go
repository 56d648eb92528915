package app_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// A CSV with one broken row imports nothing and says what is wrong with that row; the corrected
// file imports every post, scheduled in the workspace's zone.
func TestBulkImport(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		// A picture to import by link, served on loopback (which only tests may reach).
		pic := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/foto/posko.png" {
				http.NotFound(w, r)
				return
			}
			img := image.NewRGBA(image.Rect(0, 0, 60, 40))
			_ = png.Encode(w, img)
		}))
		defer pic.Close()
		env := apptest.Start(t, engine, func(c *config.Config) { c.AllowPrivateURLs = true })
		ctx := context.Background()
		_, ws, err := env.App.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "ed@humas.example", Password: "rahasia-sekali-1", Role: access.Owner,
			Workspace: "Humas Makassar", Lang: "en", Timezone: "Asia/Makassar"})
		if err != nil {
			t.Fatal(err)
		}
		b := signIn(t, env, "ed@humas.example", "rahasia-sekali-1")
		day := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
		good := "tanggal;jam;kanal;teks\n" + day + ";09.30;x,bluesky;Posko banjir dibuka di Balai Kota.\n" + day + ";14:00;facebook;Layanan KTP buka Sabtu.\n"
		bad := good + day + ";10:00;twitter,myspace;" + strings.Repeat("a", 300) + "\n"
		path := "/w/" + ws.Slug + "/import"
		r := b.Post(path, url.Values{"csv": {bad}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Unknown channel") || !strings.Contains(r.Body, "over the limit of 280") {
			t.Fatalf("bad file: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		// Sent to confirm anyway (a stale preview), it still imports nothing.
		if r := b.Post(path+"/confirm", url.Values{"csv": {bad}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("confirming a bad file: %d", r.Status)
		}
		if _, total, _ := env.App.Content.List(ctx, ws.ID, content.Filter{}); total != 0 {
			t.Fatalf("%d items after a refused import", total)
		}
		if r := b.Post(path, url.Values{"csv": {good}}); r.Status != 200 || !strings.Contains(r.Body, "All 2 rows are ready") {
			t.Fatalf("good file: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if r := b.Post(path+"/confirm", url.Values{"csv": {good}}); r.Status != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		items, total, err := env.App.Content.List(ctx, ws.ID, content.Filter{Sort: "scheduled"})
		if err != nil || total != 2 {
			t.Fatalf("after import: %v %d", err, total)
		}

		// Media named by link is downloaded when the import is confirmed; a broken link imports nothing.
		withPic := "date,time,channels,text,media\n" + day + ",18:00,instagram,Posko banjir buka 24 jam.," + pic.URL + "/foto/posko.png\n"
		broken := withPic + day + ",19:00,instagram,Relawan dibutuhkan.," + pic.URL + "/foto/hilang.png\n"
		if r := b.Post(path+"/confirm", url.Values{"csv": {broken}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Could not download") {
			t.Fatalf("a broken link: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if _, n, _ := env.App.Content.List(ctx, ws.ID, content.Filter{}); n != 2 {
			t.Fatalf("a broken link imported something: %d items", n)
		}
		if r := b.Post(path+"/confirm", url.Values{"csv": {withPic}}); r.Status != http.StatusSeeOther {
			t.Fatalf("import with a link: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		ig, n, err := env.App.Content.List(ctx, ws.ID, content.Filter{Network: "instagram"})
		if err != nil || n != 1 || len(ig[0].Variants) != 1 || len(ig[0].Variants[0].Media) != 1 {
			t.Fatalf("the post with a downloaded picture: %v %d %+v", err, n, ig)
		}
		// The downloaded picture has no alt text yet, so that post waits as a draft with its time.
		if ig[0].Status != content.Draft || ig[0].ScheduledAt == nil {
			t.Errorf("a post whose picture lacks alt text: %s at %v", ig[0].Status, ig[0].ScheduledAt)
		}
		wita, _ := time.LoadLocation("Asia/Makassar")
		first := items[0]
		if first.Status != content.Scheduled || first.ScheduledAt.In(wita).Format("2006-01-02 15:04") != day+" 09:30" || len(first.Variants) != 2 {
			t.Errorf("first imported post: %+v at %v", first, first.ScheduledAt)
		}
		if r := b.Get(fmt.Sprintf("/w/%s/content/%d", ws.Slug, first.ID)); r.Status != 200 || !strings.Contains(r.Body, "Posko banjir") {
			t.Errorf("imported item page: %d", r.Status)
		}
	})
}

// The content API: create with variants, refusals that name the broken rule, a conflicting save,
// a request for approval and a translation.
func TestContentAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		ctx := context.Background()
		u, ws, err := env.App.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "api@humas.example", Password: "rahasia-sekali-1", Role: access.Editor,
			Workspace: "Humas API", Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := env.App.Auth.CreateToken(ctx, auth.CLI, ws.ID, u.ID, "script", "")
		if err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("x", 301)
		status, body := env.API("POST", "/api/v1/contents", token, map[string]any{"title": "Terlalu panjang", "language": "id",
			"variants": []map[string]string{{"network": "bluesky", "text": long}}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body["error"]), "Bluesky") {
			t.Fatalf("over the limit: %d %v", status, body)
		}
		status, body = env.API("POST", "/api/v1/contents", token, map[string]any{"title": "Posko banjir", "language": "id",
			"variants": []map[string]string{{"network": "bluesky", "text": "Posko banjir dibuka."}}})
		if status != http.StatusCreated || body["version"] != float64(1) {
			t.Fatalf("create: %d %v", status, body)
		}
		id := int64(body["id"].(float64))
		path := fmt.Sprintf("/api/v1/contents/%d", id)
		if status, body := env.API("PATCH", path, token, map[string]any{"title": "Posko banjir 24 jam", "language": "id", "base_version": 1,
			"variants": []map[string]string{{"network": "bluesky", "text": "Posko banjir buka 24 jam."}}}); status != 200 || body["version"] != float64(2) {
			t.Fatalf("update: %d %v", status, body)
		}
		if status, body := env.API("PATCH", path, token, map[string]any{"title": "Saya menimpa", "language": "id", "base_version": 1}); status != http.StatusConflict {
			t.Fatalf("stale update: %d %v", status, body)
		}
		if status, body := env.API("POST", path+"/submit", token, nil); status != 200 || body["status"] != "in_review" {
			t.Fatalf("submit: %d %v", status, body)
		}
		if status, body := env.API("POST", path+"/translation", token, nil); status != http.StatusCreated || body["language"] != "en" || body["translation_of"] != float64(id) {
			t.Fatalf("translation: %d %v", status, body)
		}
		if status, body := env.API("GET", path+"/versions", token, nil); status != 200 || len(body["items"].([]any)) != 2 {
			t.Fatalf("versions: %d %v", status, body)
		}
	})
}
