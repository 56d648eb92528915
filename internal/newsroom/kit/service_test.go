package kit_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"

	medialib "warta.dev/warta/internal/content/media"
	"warta.dev/warta/internal/newsroom/kit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/web"
)

func titles(files []kit.File) string {
	var out []string
	for _, f := range files {
		out = append(out, f.Title)
	}
	return strings.Join(out, ", ")
}

func names(people []kit.Person) string {
	var out []string
	for _, p := range people {
		out = append(out, p.Name)
	}
	return strings.Join(out, ", ")
}

// The newsroom shows public items only, each group in the order the editors gave it; hiding,
// showing and moving change what it shows (and tell the newsroom so), and a spokesperson's title
// and profile come in the language asked for, else in the other.
func TestPublicKit(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		a := f.wsA
		colour := f.add(a, kit.ItemInput{Kind: kit.Logo, Title: "Logo berwarna", Public: true}, "logo-warna.png", pngBytes(t, 600, 200, 1))
		printed := f.add(a, kit.ItemInput{Kind: kit.Logo, Title: "Logo untuk cetak", Public: true}, "logo-cetak.pdf", pdf("logo"))
		aerial := f.add(a, kit.ItemInput{Kind: kit.Photo, Title: "Posko banjir dari udara", Alt: "Tenda posko di halaman Balai Kota",
			Credit: "Foto: Humas Pemkot Sukamaju / Andi", Licence: "Bebas dipakai untuk pemberitaan", Public: true}, "udara.jpg", jpegBytes(t, 800, 600, 2))
		draft := f.add(a, kit.ItemInput{Kind: kit.Photo, Title: "Belum disetujui", Public: false}, "draf.jpg", jpegBytes(t, 400, 300, 3))
		facts := f.add(a, kit.ItemInput{Kind: kit.Document, Public: true}, "Lembar Fakta 2026.pdf", pdf("fakta"))
		if facts.Title != "Lembar Fakta 2026" {
			t.Errorf("an untitled file is called %q", facts.Title)
		}
		rina := f.person(a, kit.PersonInput{Name: "Rina Wulandari", TitleID: "Kepala Bagian Humas", TitleEN: "Head of Public Relations",
			Topics: "banjir, APBD", Email: "rina@sukamaju.example", Phone: "+62 812-3456-7890", BioID: "Juru bicara sejak 2019.", Public: true},
			file("rina.png", pngBytes(t, 300, 300, 4)))
		f.person(a, kit.PersonInput{Name: "Budi Santoso", TitleID: "Staf", Public: false}, kit.Upload{})

		k, err := f.s.Public(ctx, a, "en")
		if err != nil {
			t.Fatal(err)
		}
		if got := titles(k.Logos); got != "Logo berwarna, Logo untuk cetak" {
			t.Errorf("logos: %s", got)
		}
		if got := titles(k.Photos); got != "Posko banjir dari udara" {
			t.Errorf("photos: %s", got)
		}
		if got := titles(k.Documents); got != "Lembar Fakta 2026" {
			t.Errorf("documents: %s", got)
		}
		p := k.Photos[0]
		if p.AssetID != aerial.Asset.ID || p.Kind != "image" || p.Width != 800 || p.Height != 600 || p.ContentType != "image/jpeg" ||
			p.Credit != "Foto: Humas Pemkot Sukamaju / Andi" || p.Licence != "Bebas dipakai untuk pemberitaan" || p.Alt != "Tenda posko di halaman Balai Kota" ||
			p.Filename != "udara.jpg" || !p.HasThumb() {
			t.Errorf("photo: %+v", p)
		}
		if l := k.Logos[0]; l.Alt != "Logo berwarna" {
			t.Errorf("a logo without alt text is described as %q, want its title", l.Alt)
		}
		if d := k.Logos[1]; d.Kind != "document" || d.ContentType != "application/pdf" {
			t.Errorf("PDF logo: %+v", d)
		}
		if len(k.Spokespeople) != 1 {
			t.Fatalf("spokespeople: %s", names(k.Spokespeople))
		}
		sp := k.Spokespeople[0]
		if sp.ID != rina.ID || sp.Title != "Head of Public Relations" || sp.Bio != "Juru bicara sejak 2019." || sp.Topics != "banjir, APBD" ||
			sp.Email != "rina@sukamaju.example" || sp.Phone != "+62 812-3456-7890" || sp.Photo == nil || sp.Photo.Alt != "Rina Wulandari" {
			t.Errorf("spokesperson in English: %+v %+v", sp, sp.Photo)
		}
		if k, _ := f.s.Public(ctx, a, "id"); k.Spokespeople[0].Title != "Kepala Bagian Humas" {
			t.Errorf("spokesperson in Indonesian: %+v", k.Spokespeople[0])
		}

		// The app lists everything, groups in order, hidden ones too.
		all, err := f.s.Items(ctx, a)
		if err != nil || len(all) != 5 || all[0].ID != colour.ID || all[2].Kind != kit.Photo || all[4].ID != facts.ID {
			t.Errorf("items: %v %+v", err, all)
		}

		// Move, show, hide: the newsroom is told each time something it shows changes.
		before := f.touched.count(a)
		if err := f.s.MoveItem(ctx, f.actor, a, printed.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.s.MoveItem(ctx, f.actor, a, printed.ID, true); err != nil { // already first: nothing changes
			t.Fatal(err)
		}
		if err := f.s.SetItemPublic(ctx, f.actor, a, draft.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetItemPublic(ctx, f.actor, a, aerial.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.UpdatePerson(ctx, f.actor, a, rina.ID, kit.PersonInput{Name: "Rina Wulandari", TitleID: "Kepala Bagian Humas",
			TitleEN: "Head of Public Relations", Public: false}, kit.Upload{}); err != nil {
			t.Fatal(err)
		}
		k, _ = f.s.Public(ctx, a, "en")
		if got := titles(k.Logos); got != "Logo untuk cetak, Logo berwarna" {
			t.Errorf("logos after the move: %s", got)
		}
		if got := titles(k.Photos); got != "Belum disetujui" {
			t.Errorf("photos after showing and hiding: %s", got)
		}
		if len(k.Spokespeople) != 0 {
			t.Errorf("a hidden spokesperson shows: %s", names(k.Spokespeople))
		}
		if n := f.touched.count(a) - before; n != 4 {
			t.Errorf("the newsroom was told of %d changes, want 4", n)
		}
		// Changing something hidden tells the newsroom nothing.
		before = f.touched.count(a)
		if _, err := f.s.UpdateItem(ctx, f.actor, a, aerial.ID, kit.ItemInput{Title: "Posko dari udara", Credit: "Foto: Andi"}); err != nil {
			t.Fatal(err)
		}
		if f.touched.count(a) != before {
			t.Error("a change to a hidden photo invalidated the newsroom")
		}

		// Removing takes the file out of the kit; it stays in the library, no longer used by it.
		uses, _ := f.lib.Usage(ctx, a, facts.Asset.ID)
		if len(uses) != 1 || uses[0].Label != "Lembar Fakta 2026" || uses[0].Link != "/newsroom/kit/"+itoa(facts.ID) {
			t.Errorf("usage in the library: %+v", uses)
		}
		if err := f.s.RemoveItem(ctx, f.actor, a, facts.ID); err != nil {
			t.Fatal(err)
		}
		if k, _ := f.s.Public(ctx, a, "en"); len(k.Documents) != 0 {
			t.Errorf("documents after removal: %s", titles(k.Documents))
		}
		if _, err := f.lib.Get(ctx, a, facts.Asset.ID); err != nil {
			t.Errorf("the removed file left the library: %v", err)
		}
		if uses, _ := f.lib.Usage(ctx, a, facts.Asset.ID); len(uses) != 0 {
			t.Errorf("the library still counts the kit's use: %+v", uses)
		}
	})
}

// The newsroom serves a file only when it is a public kit file or a public spokesperson's photo,
// of that workspace.
func TestIsPublic(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		shown := f.add(f.wsA, kit.ItemInput{Kind: kit.Photo, Public: true}, "terbuka.jpg", jpegBytes(t, 200, 100, 1))
		hidden := f.add(f.wsA, kit.ItemInput{Kind: kit.Photo, Public: false}, "tertutup.jpg", jpegBytes(t, 200, 100, 2))
		speaker := f.person(f.wsA, kit.PersonInput{Name: "Rina", Public: true}, file("rina.png", pngBytes(t, 100, 100, 3)))
		quiet := f.person(f.wsA, kit.PersonInput{Name: "Budi", Public: false}, file("budi.png", pngBytes(t, 100, 100, 4)))
		loose, err := f.lib.Upload(ctx, f.actor, f.wsA, "lain.png", bytes.NewReader(pngBytes(t, 50, 50, 5)))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			what string
			ws   int64
			id   int64
			want bool
		}{
			{"public photo", f.wsA, shown.Asset.ID, true},
			{"hidden photo", f.wsA, hidden.Asset.ID, false},
			{"public spokesperson's photo", f.wsA, speaker.Photo.ID, true},
			{"hidden spokesperson's photo", f.wsA, quiet.Photo.ID, false},
			{"a library file outside the kit", f.wsA, loose.ID, false},
			{"the public photo asked for by another workspace", f.wsB, shown.Asset.ID, false},
			{"the public photo of the spokesperson, by another workspace", f.wsB, speaker.Photo.ID, false},
		} {
			got, err := f.s.IsPublic(ctx, c.ws, c.id)
			if err != nil || got != c.want {
				t.Errorf("%s: %v %v, want %v", c.what, got, err, c.want)
			}
		}
	})
}

// The zip holds every public file and the newsroom's texts, each once, under names that are
// safe to unpack anywhere and never clash; hidden files stay out.
func TestWriteZip(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		a := f.wsA
		want := map[string][]byte{
			"logo-pemkot.png":    pngBytes(t, 300, 100, 1),
			"logo-pemkot.pdf":    pdf("logo"),
			"posko-banjir.jpg":   jpegBytes(t, 400, 300, 2),
			"posko-banjir-2.jpg": jpegBytes(t, 400, 300, 3),
			"etc-passwd.pdf":     pdf("fakta"),
			"rina-wulandari.png": pngBytes(t, 120, 120, 4),
			"boilerplate-id.txt": []byte("Pemerintah Kota Sukamaju melayani 1,2 juta warga."),
			"tentang-kami.txt":   []byte("Tentang kami"),
			"tentang-kami-2.txt": []byte("Tentang kami lagi"),
		}
		f.add(a, kit.ItemInput{Kind: kit.Logo, Title: "Logo Pemkot", Public: true}, "logo.png", want["logo-pemkot.png"])
		f.add(a, kit.ItemInput{Kind: kit.Logo, Title: "Logo Pemkot", Public: true}, "logo.pdf", want["logo-pemkot.pdf"])
		f.add(a, kit.ItemInput{Kind: kit.Photo, Title: "Posko Banjir", Public: true}, "a.JPG", want["posko-banjir.jpg"])
		f.add(a, kit.ItemInput{Kind: kit.Photo, Title: "Posko  banjir!", Public: true}, "b.jpg", want["posko-banjir-2.jpg"])
		f.add(a, kit.ItemInput{Kind: kit.Photo, Title: "Rahasia", Public: false}, "rahasia.jpg", jpegBytes(t, 100, 100, 9))
		f.add(a, kit.ItemInput{Kind: kit.Document, Title: "../../etc/passwd", Public: true}, `C:\fakta.pdf`, want["etc-passwd.pdf"])
		f.person(a, kit.PersonInput{Name: "Rina Wulandari", Public: true}, file("IMG_0001.PNG", want["rina-wulandari.png"]))
		f.person(a, kit.PersonInput{Name: "Budi", Public: false}, file("budi.png", pngBytes(t, 50, 50, 8)))

		var buf bytes.Buffer
		err := f.s.WriteZip(ctx, &buf, a, "id", []kit.ZipText{
			{Name: "boilerplate-id.txt", Body: string(want["boilerplate-id.txt"])},
			{Name: "../Tentang Kami.txt", Body: string(want["tentang-kami.txt"])},
			{Name: "tentang kami.TXT", Body: string(want["tentang-kami-2.txt"])},
		})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("not a zip: %v", err)
		}
		var got []string
		for _, zf := range zr.File {
			got = append(got, zf.Name)
			if strings.ContainsAny(zf.Name, `/\`) || strings.Contains(zf.Name, "..") {
				t.Errorf("unsafe name %q", zf.Name)
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
			body, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
			if w, ok := want[zf.Name]; !ok || !bytes.Equal(body, w) {
				t.Errorf("%s holds %d bytes, want %d (known: %v)", zf.Name, len(body), len(w), ok)
			}
			if strings.HasSuffix(zf.Name, ".jpg") && zf.Method != zip.Store {
				t.Errorf("%s is compressed again", zf.Name)
			}
		}
		sort.Strings(got)
		var wantNames []string
		for n := range want {
			wantNames = append(wantNames, n)
		}
		sort.Strings(wantNames)
		if strings.Join(got, " ") != strings.Join(wantNames, " ") {
			t.Errorf("zip holds\n%v\nwant\n%v", got, wantNames)
		}

		// Another workspace's zip is empty.
		buf.Reset()
		if err := f.s.WriteZip(ctx, &buf, f.wsB, "id", nil); err != nil {
			t.Fatal(err)
		}
		if zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil || len(zr.File) != 0 {
			t.Errorf("another workspace's zip: %v %v", err, zr)
		}
	})
}

// An image over 20 MB is refused with a sentence that names the limit, in both languages, before
// anything is stored; so are a photo that is no picture and a video. A form with wrong fields is
// refused before the upload, every field at once.
func TestUploadRefusals(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		_, err := f.s.Add(ctx, f.actor, f.wsA, kit.ItemInput{Kind: kit.Photo, Title: "Foto udara", Public: true}, file("udara.png", hugePNG(t)))
		if !errors.Is(err, kit.ErrTooLarge) {
			t.Fatalf("a 20 MB + 1 byte image: %v", err)
		}
		b, err := i18n.NewBundle(catalog.Common, medialib.Catalog, kit.Catalog)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "id"} {
			if msg := b.Locale(lang, nil).T(kit.ErrTooLarge.Key); !strings.Contains(msg, "20 MB") {
				t.Errorf("%s: the refusal does not name the limit: %q", lang, msg)
			}
		}
		_, err = f.s.AddPerson(ctx, f.actor, f.wsA, kit.PersonInput{Name: "Rina"}, file("rina.png", hugePNG(t)))
		if !errors.Is(err, kit.ErrTooLarge) {
			t.Errorf("a 20 MB + 1 byte portrait: %v", err)
		}
		_, err = f.s.Add(ctx, f.actor, f.wsA, kit.ItemInput{Kind: kit.Photo, Title: "Fakta"}, file("fakta.pdf", pdf("fakta")))
		if !errors.Is(err, kit.ErrNotImage) {
			t.Errorf("a PDF as a photo: %v", err)
		}
		mp4 := append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), make([]byte, 1000)...)
		if _, err = f.s.Add(ctx, f.actor, f.wsA, kit.ItemInput{Kind: kit.Document}, file("video.mp4", mp4)); !errors.Is(err, kit.ErrVideo) {
			t.Errorf("a video: %v", err)
		}
		_, err = f.s.Add(ctx, f.actor, f.wsA, kit.ItemInput{Kind: "banner", Title: strings.Repeat("judul ", 50)}, kit.Upload{})
		var we *web.Error
		if !errors.As(err, &we) || we.Fields["kind"] == "" || we.Fields["title"] != "form.too_long" || we.Fields["file"] != "kit.error.no_file" {
			t.Errorf("a wrong form: %v", err)
		}
		_, err = f.s.AddPerson(ctx, f.actor, f.wsA, kit.PersonInput{Email: "rina@"}, file("rina.png", pngBytes(t, 50, 50, 1)))
		if !errors.As(err, &we) || we.Fields["name"] != "form.required" || we.Fields["email"] != "form.email" {
			t.Errorf("a wrong spokesperson: %v", err)
		}
		if items, _ := f.s.Items(ctx, f.wsA); len(items) != 0 {
			t.Errorf("refused files are in the kit: %+v", items)
		}
		if people, _ := f.s.People(ctx, f.wsA); len(people) != 0 {
			t.Errorf("refused spokespeople were added: %+v", people)
		}
		if assets, _ := f.lib.Search(ctx, f.wsA, medialib.Filter{}); len(assets) != 0 {
			t.Errorf("refused uploads reached the library: %d files", len(assets))
		}
	})
}

// One workspace can neither see nor change another's kit, and nothing is uploaded on its behalf.
func TestWorkspaceIsolation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		logo := f.add(f.wsA, kit.ItemInput{Kind: kit.Logo, Title: "Logo A", Public: true}, "a.png", pngBytes(t, 100, 50, 1))
		other := f.add(f.wsA, kit.ItemInput{Kind: kit.Logo, Title: "Logo A2", Public: true}, "a2.png", pngBytes(t, 100, 50, 2))
		rina := f.person(f.wsA, kit.PersonInput{Name: "Rina", Public: true}, file("rina.png", pngBytes(t, 80, 80, 3)))
		b := f.wsB
		notFound := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, db.ErrNotFound) {
				t.Errorf("%s from another workspace: %v", what, err)
			}
		}
		_, err := f.s.Item(ctx, b, logo.ID)
		notFound("read", err)
		_, err = f.s.UpdateItem(ctx, f.actor, b, logo.ID, kit.ItemInput{Title: "Dibajak", Credit: "Dibajak"})
		notFound("update", err)
		notFound("hide", f.s.SetItemPublic(ctx, f.actor, b, logo.ID, false))
		notFound("move", f.s.MoveItem(ctx, f.actor, b, other.ID, true))
		notFound("remove", f.s.RemoveItem(ctx, f.actor, b, logo.ID))
		_, err = f.s.Spokesperson(ctx, b, rina.ID)
		notFound("read a spokesperson", err)
		_, err = f.s.UpdatePerson(ctx, f.actor, b, rina.ID, kit.PersonInput{Name: "Dibajak"}, file("x.png", pngBytes(t, 10, 10, 4)))
		notFound("update a spokesperson", err)
		notFound("hide a spokesperson", f.s.SetPersonPublic(ctx, f.actor, b, rina.ID, false))
		notFound("move a spokesperson", f.s.MovePerson(ctx, f.actor, b, rina.ID, false))
		notFound("remove a spokesperson", f.s.RemovePerson(ctx, f.actor, b, rina.ID))

		if items, _ := f.s.Items(ctx, b); len(items) != 0 {
			t.Errorf("B's kit lists A's files: %+v", items)
		}
		if people, _ := f.s.People(ctx, b); len(people) != 0 {
			t.Errorf("B lists A's spokespeople: %+v", people)
		}
		if k, _ := f.s.Public(ctx, b, "id"); len(k.Logos)+len(k.Spokespeople) != 0 {
			t.Errorf("B's newsroom shows A's kit: %+v", k)
		}
		if assets, _ := f.lib.Search(ctx, b, medialib.Filter{}); len(assets) != 0 {
			t.Errorf("a refused change uploaded %d files to B", len(assets))
		}
		k, _ := f.s.Public(ctx, f.wsA, "id")
		if titles(k.Logos) != "Logo A, Logo A2" || k.Logos[0].Credit != "" || names(k.Spokespeople) != "Rina" {
			t.Errorf("A's kit changed: %s %+v %s", titles(k.Logos), k.Logos[0], names(k.Spokespeople))
		}
		if f.touched.count(b) != 0 {
			t.Errorf("B's newsroom was told of %d changes", f.touched.count(b))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
