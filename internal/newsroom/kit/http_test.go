package kit_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// A newsroom editor builds the kit in the browser: the empty kit says what to add first; a logo
// goes in with its credit and licence, which the media library and the public newsroom then
// carry; an image over 20 MB is refused with a sentence naming the limit and nothing typed is
// lost. A viewer sees the kit, in their language, and can change nothing; another workspace
// cannot even see it.
func TestKitPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		st.member("editor@humas.example", access.Editor, "en")
		ed := st.signIn("editor@humas.example")

		r := ed.Get(st.path("/newsroom/kit"))
		mustSee(t, "empty kit", r, "The media kit is empty. Start with your logo", `href="/w/humas-kota/newsroom/kit/new?kind=logo"`)
		r = ed.Get(st.path("/newsroom/kit/new?kind=photo"))
		mustSee(t, "new form", r, `<option value="photo" selected>`, `enctype="multipart/form-data"`, "up to 20 MB")

		logo := pngBytes(t, 600, 200, 1)
		r = st.upload(ed, st.path("/newsroom/kit"), []field{{"kind", "logo"}, {"title", "Logo Pemkot Sukamaju"},
			{"alt", "Logo Pemkot Sukamaju, biru di atas putih"}, {"credit", "Humas Pemkot Sukamaju"}, {"licence", "Bebas dipakai untuk pemberitaan"},
			{"public", "1"}}, "file", "logo.png", logo)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/w/humas-kota/newsroom/kit#item-") {
			t.Fatalf("upload: %d %q %s", r.Status, r.Location, text(r.Body))
		}
		r = ed.Follow(r)
		mustSee(t, "kit with a logo", r, "The file was added to the media kit.", "Logo Pemkot Sukamaju", "Credit: Humas Pemkot Sukamaju", "Public",
			"600 × 200 px", "No photos yet.", `name="dir" value="down"`)
		items, err := st.s.Items(ctx, st.ws.ID)
		if err != nil || len(items) != 1 {
			t.Fatalf("items: %v %+v", err, items)
		}
		it := items[0]
		asset, err := st.lib.Get(ctx, st.ws.ID, it.Asset.ID)
		if err != nil || asset.Credit != "Humas Pemkot Sukamaju" || asset.Licence != "Bebas dipakai untuk pemberitaan" || asset.Alt != "Logo Pemkot Sukamaju, biru di atas putih" {
			t.Errorf("the library's asset: %v %+v", err, asset)
		}
		k, _ := st.s.Public(ctx, st.ws.ID, "en")
		if len(k.Logos) != 1 || k.Logos[0].Credit != "Humas Pemkot Sukamaju" || k.Logos[0].Licence != "Bebas dipakai untuk pemberitaan" {
			t.Errorf("the public kit: %+v", k)
		}

		// Change the licence on the item's page.
		itemPath := st.path("/newsroom/kit/" + itoa(it.ID))
		r = ed.Get(itemPath)
		mustSee(t, "item page", r, `value="Bebas dipakai untuk pemberitaan"`, `value="Humas Pemkot Sukamaju"`, "Remove from the media kit")
		r = ed.Post(itemPath, url.Values{"title": {""}, "alt": {"Logo"}, "credit": {"Humas Pemkot Sukamaju"}, "licence": {"CC BY 4.0"}, "public": {"1"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("an item without a title: %d", r.Status)
		}
		mustSee(t, "item without a title", r, "Please fill this in.", `value="CC BY 4.0"`)
		r = ed.Post(itemPath, url.Values{"title": {"Logo Pemkot Sukamaju"}, "alt": {"Logo"}, "credit": {"Humas Pemkot Sukamaju"}, "licence": {"CC BY 4.0"}, "public": {"1"}})
		mustSee(t, "saved item", ed.Follow(r), "Saved.", `value="CC BY 4.0"`)
		if a, _ := st.lib.Get(ctx, st.ws.ID, it.Asset.ID); a.Licence != "CC BY 4.0" {
			t.Errorf("licence in the library: %q", a.Licence)
		}

		// Too large: the page says why and keeps what was typed; nothing is added.
		r = st.upload(ed, st.path("/newsroom/kit"), []field{{"kind", "photo"}, {"title", "Foto udara posko"}, {"credit", "Foto: Andi"},
			{"licence", "Hanya untuk pemberitaan"}, {"public", "1"}}, "file", "udara.png", hugePNG(t))
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("too large: %d %s", r.Status, text(r.Body))
		}
		mustSee(t, "too large", r, "This image is larger than 20 MB", `value="Foto udara posko"`, `value="Foto: Andi"`, `value="Hanya untuk pemberitaan"`,
			`<option value="photo" selected>`, `id="e-file"`)
		r = st.upload(ed, st.path("/newsroom/kit"), []field{{"kind", "photo"}, {"title", "Tanpa berkas"}}, "file", "", nil)
		mustSee(t, "no file", r, "Choose the file to add.", `value="Tanpa berkas"`)
		if items, _ := st.s.Items(ctx, st.ws.ID); len(items) != 1 {
			t.Errorf("refused uploads were added: %d items", len(items))
		}

		// Hide it from the list.
		r = ed.Post(itemPath+"/public", url.Values{})
		mustSee(t, "hidden", ed.Follow(r), "Hidden from the public newsroom.", "Hidden")
		if k, _ := st.s.Public(ctx, st.ws.ID, "en"); len(k.Logos) != 0 {
			t.Error("a hidden logo is public")
		}
		ed.Post(itemPath+"/public", url.Values{"public": {"1"}})

		// A viewer sees the kit in Indonesian and gets no forms; every change is refused.
		st.member("pembaca@humas.example", access.Viewer, "id")
		v := st.signIn("pembaca@humas.example")
		r = v.Get(st.path("/newsroom/kit"))
		mustSee(t, "viewer's kit", r, "Media kit", "Logo Pemkot Sukamaju", "Kredit: Humas Pemkot Sukamaju", "Publik")
		for _, no := range []string{`name="dir"`, "/newsroom/kit/new", `name="public"`} {
			if strings.Contains(r.Body, no) {
				t.Errorf("the viewer's kit offers %s", no)
			}
		}
		r = v.Get(itemPath)
		mustSee(t, "viewer's item", r, "CC BY 4.0", "Humas Pemkot Sukamaju")
		if strings.Contains(r.Body, `name="title"`) || strings.Contains(r.Body, "/remove") {
			t.Error("the viewer's item page has forms")
		}
		if r := v.Get(st.path("/newsroom/kit/new")); r.Status != http.StatusForbidden {
			t.Errorf("viewer GET new: %d", r.Status)
		}
		for _, p := range []string{itemPath, itemPath + "/public", itemPath + "/move", itemPath + "/remove"} {
			if r := v.Post(p, url.Values{"title": {"Dibajak"}, "dir": {"up"}}); r.Status != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d", p, r.Status)
			}
		}
		if r := st.upload(v, st.path("/newsroom/kit"), []field{{"kind", "logo"}}, "file", "x.png", pngBytes(t, 10, 10, 2)); r.Status != http.StatusForbidden {
			t.Errorf("viewer upload: %d", r.Status)
		}
		if k, _ := st.s.Public(ctx, st.ws.ID, "en"); len(k.Logos) != 1 || k.Logos[0].Title != "Logo Pemkot Sukamaju" {
			t.Errorf("the kit after the viewer: %+v", k)
		}

		// Someone from another workspace cannot see it.
		if _, _, err := st.auth.CreateUserWithWorkspace(ctx, auth.CLI, "lain@humas.example", "Lain", pw, "en", "Humas Lain", "Asia/Makassar"); err != nil {
			t.Fatal(err)
		}
		o := st.signIn("lain@humas.example")
		for _, p := range []string{st.path("/newsroom/kit"), itemPath} {
			if r := o.Get(p); r.Status != http.StatusNotFound {
				t.Errorf("another workspace GET %s: %d", p, r.Status)
			}
		}
	})
}

// Spokespeople: a form with mistakes keeps what was typed; a profile with a photo is added; the
// list shows and hides them; a viewer reads without forms.
func TestSpokespeoplePages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		st.member("editor@humas.example", access.Editor, "en")
		ed := st.signIn("editor@humas.example")
		list := st.path("/newsroom/spokespeople")

		mustSee(t, "empty list", ed.Get(list), "No spokespeople yet.", `href="/w/humas-kota/newsroom/spokespeople/new"`)
		rina := []field{{"name", ""}, {"title_id", "Kepala Bagian Humas"}, {"title_en", "Head of Public Relations"}, {"topics", "banjir, APBD"},
			{"email", "rina@"}, {"phone", "+62 812-3456-7890"}, {"bio_id", "Juru bicara sejak 2019."}, {"public", "1"}}
		r := st.upload(ed, list, rina, "photo", "rina.png", pngBytes(t, 300, 300, 1))
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a wrong form: %d", r.Status)
		}
		mustSee(t, "wrong form", r, "Please fill this in.", "Enter an email address", `value="Kepala Bagian Humas"`, "Juru bicara sejak 2019.")
		rina[0].value, rina[4].value = "Rina Wulandari", "rina@sukamaju.example"
		r = st.upload(ed, list, rina, "photo", "rina.png", pngBytes(t, 300, 300, 1))
		if r.Status != http.StatusSeeOther {
			t.Fatalf("add: %d %s", r.Status, text(r.Body))
		}
		personPath := r.Location
		mustSee(t, "new spokesperson", ed.Follow(r), "Spokesperson added.", "Rina Wulandari", `name="remove_photo"`)
		people, _ := st.s.People(ctx, st.ws.ID)
		if len(people) != 1 || people[0].Photo == nil || people[0].Photo.Alt != "Rina Wulandari" {
			t.Fatalf("people: %+v", people)
		}
		// A portrait that is no picture is refused beside the photo field, the rest kept.
		r = st.upload(ed, personPath, rina, "photo", "cv.pdf", pdf("cv"))
		mustSee(t, "not a picture", r, "This is not a picture.", `value="Rina Wulandari"`)

		r = ed.Get(list)
		mustSee(t, "list", r, "Rina Wulandari", "Head of Public Relations", "banjir, APBD", "Public")
		r = ed.Post(personPath+"/public", url.Values{})
		mustSee(t, "hidden", ed.Follow(r), "Hidden from the public newsroom.")
		if k, _ := st.s.Public(ctx, st.ws.ID, "en"); len(k.Spokespeople) != 0 {
			t.Error("a hidden spokesperson is public")
		}

		st.member("pembaca@humas.example", access.Viewer, "en")
		v := st.signIn("pembaca@humas.example")
		r = v.Get(personPath)
		mustSee(t, "viewer's profile", r, "Rina Wulandari", "Kepala Bagian Humas", "rina@sukamaju.example")
		if strings.Contains(r.Body, `name="name"`) || strings.Contains(r.Body, "/remove") {
			t.Error("the viewer gets forms")
		}
		for _, p := range []string{personPath + "/public", personPath + "/move", personPath + "/remove"} {
			if r := v.Post(p, url.Values{"public": {"1"}}); r.Status != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d", p, r.Status)
			}
		}
		if r := st.upload(v, personPath, rina, "photo", "", nil); r.Status != http.StatusForbidden {
			t.Errorf("viewer save: %d", r.Status)
		}

		r = ed.Post(personPath+"/remove", url.Values{})
		mustSee(t, "removed", ed.Follow(r), "Spokesperson removed.", "No spokespeople yet.")
	})
}
