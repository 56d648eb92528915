package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"
	"net/http"
	"strings"
	"testing"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/web"
)

// An uploaded photo keeps its bytes, gets its dimensions and a 400-pixel-wide thumbnail beside it
// in the store, and the upload is in the audit log.
func TestUploadImage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		original := pngBytes(t, 800, 600, false)
		a := f.mustUpload(t, f.wsA, "posko-banjir.png", original)
		if a.Kind != Image || a.ContentType != "image/png" || a.Width != 800 || a.Height != 600 || a.Size != int64(len(original)) {
			t.Fatalf("asset: %+v", a)
		}
		if a.Filename != "posko-banjir.png" || a.UploaderName != "Ani" || !a.MissingAlt() || !a.HasThumb() {
			t.Errorf("asset: %+v", a)
		}
		got, _ := f.read(t, f.wsA, a.ID, false)
		if !bytes.Equal(got, original) {
			t.Error("the stored file differs from the upload")
		}
		thumb, _ := f.read(t, f.wsA, a.ID, true)
		cfg, format, err := image.DecodeConfig(bytes.NewReader(thumb))
		if err != nil || format != "jpeg" || cfg.Width != 400 || cfg.Height != 300 {
			t.Errorf("thumbnail: %s %dx%d %v", format, cfg.Width, cfg.Height, err)
		}
		if n := len(f.storedFiles(t)); n != 2 {
			t.Errorf("%d objects in the store, want the file and its thumbnail", n)
		}
		if !strings.HasPrefix(a.key, "ws/") || !strings.HasSuffix(a.key, ".png") {
			t.Errorf("key %q", a.key)
		}

		// A picture with transparency keeps it in a PNG thumbnail; a JPEG gets a JPEG one.
		seeThrough := f.mustUpload(t, f.wsA, "logo.png", pngBytes(t, 1000, 200, true))
		thumb, _ = f.read(t, f.wsA, seeThrough.ID, true)
		if _, format, _ := image.DecodeConfig(bytes.NewReader(thumb)); format != "png" {
			t.Errorf("thumbnail of a transparent PNG is %s", format)
		}
		photo := f.mustUpload(t, f.wsA, "IMG_2041.JPG", jpegBytes(t, 1200, 900))
		if photo.ContentType != "image/jpeg" || photo.Width != 1200 || photo.Height != 900 {
			t.Errorf("jpeg: %+v", photo)
		}

		entries, err := audit.List(ctx, f.d, f.wsA, audit.Filter{Action: "media.uploaded"})
		if err != nil || len(entries) != 3 || entries[2].Actor != "ani@humas.example" || entries[2].Changes["filename"].To != "posko-banjir.png" {
			t.Errorf("audit: %+v %v", entries, err)
		}
	})
}

// A phone photo taken upright is stored sideways with an EXIF note; its dimensions and thumbnail
// are as people see it.
func TestUploadTurnsPhonephotosUpright(t *testing.T) {
	f := newFixture(t, db.SQLite)
	a := f.mustUpload(t, f.wsA, "portrait.jpg", withOrientation(jpegBytes(t, 800, 400), 6))
	if a.Width != 400 || a.Height != 800 {
		t.Fatalf("dimensions %d×%d, want 400×800", a.Width, a.Height)
	}
	thumb, _ := f.read(t, f.wsA, a.ID, true)
	img, _, err := image.Decode(bytes.NewReader(thumb))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != 400 || b.Dy() != 800 {
		t.Fatalf("thumbnail %v", b)
	}
	// Turned clockwise, the left (red) half of the stored image is on top.
	top, _, _, _ := img.At(200, 100).RGBA()
	_, _, bottom, _ := img.At(200, 700).RGBA()
	if top>>8 < 150 || bottom>>8 < 150 {
		t.Errorf("thumbnail not turned upright: top red %d, bottom blue %d", top>>8, bottom>>8)
	}
}

// What is not an accepted file is refused with a reason, whatever its name says, and nothing of
// it reaches the store; office documents are told apart from plain zips.
func TestUploadChecksTheBytes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		html := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
		for _, c := range []struct {
			name    string
			content []byte
			want    error
		}{
			{"photo.jpg", html, ErrWrongType},
			{"photo.jpg", append([]byte("\xEF\xBB\xBF"), html...), ErrWrongType},
			{"logo.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ErrSVG},
			{"logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>`), ErrSVG},
			{"archive.zip", zipBytes(t, "notes.txt"), ErrWrongType},
			{"report.docx", zipBytes(t, "[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), ErrMacros},
			{"IMG_0001.HEIC", isoMedia("heic", "mif1", "heic"), ErrHEIC},
			{"song.m4a", isoMedia("M4A ", "M4A ", "mp42", "isom"), ErrWrongType},
			{"clip.mkv", append([]byte("\x1A\x45\xDF\xA3\x9f\x42\x86\x81\x01\x42\x82\x88matroska"), make([]byte, 100)...), ErrWrongType},
			{"empty.pdf", nil, ErrEmpty},
			{"broken.png", pngBytes(t, 10, 10, false)[:20], ErrDamaged},
			{"program.exe", append([]byte("MZ\x90\x00"), make([]byte, 600)...), ErrWrongType},
		} {
			_, err := f.upload(t, f.wsA, c.name, c.content)
			if !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		if files := f.storedFiles(t); len(files) != 0 {
			t.Errorf("refused files reached the store: %v", files)
		}

		for _, c := range []struct {
			name    string
			content []byte
			ct      string
			kind    Kind
		}{
			{"siaran-pers.docx", zipBytes(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Document},
			{"anggaran.xlsx", zipBytes(t, "[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Document},
			{"paparan.pptx", zipBytes(t, "[Content_Types].xml", "ppt/presentation.xml"), "application/vnd.openxmlformats-officedocument.presentationml.presentation", Document},
			{"notulen.odt", zipBytes(t, "mimetype", "content.xml"), "application/vnd.oasis.opendocument.text", Document},
			{"laporan.pdf", []byte("%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"), "application/pdf", Document},
			{"catatan.txt", []byte("Jadwal konferensi pers: Kamis, 3 Desember 2026 pukul 10.00 WITA."), "text/plain; charset=utf-8", Document},
			{"video.mp4", isoMedia("isom", "isom", "iso2", "avc1", "mp41"), "video/mp4", Video},
			{"IMG_0002.MOV", isoMedia("qt  ", "qt  "), "video/quicktime", Video},
			{"clip.webm", append([]byte("\x1A\x45\xDF\xA3\x9f\x42\x86\x81\x01\x42\x82\x84webm"), make([]byte, 100)...), "video/webm", Video},
			{"photo.png", jpegBytes(t, 30, 20), "image/jpeg", Image},
		} {
			a, err := f.upload(t, f.wsA, c.name, c.content)
			if err != nil || a.ContentType != c.ct || a.Kind != c.kind || a.Filename != c.name {
				t.Errorf("%s: %+v %v", c.name, a, err)
			}
		}
	})
}

// Each kind has its size limit; a larger file is refused without being read to its end, and
// without anything reaching the store.
func TestUploadSizeLimits(t *testing.T) {
	f := newFixture(t, db.SQLite)
	// Just over 20 MB of "image", streamed: only the limit is ever read.
	src := &countingReader{r: io.MultiReader(bytes.NewReader(pngBytes(t, 4, 4, false)), zeros{}), limit: imageLimit + 1<<20}
	_, err := f.lib.Upload(context.Background(), f.actor, f.wsA, "huge.png", src)
	if !errors.Is(err, ErrImageTooLarge) {
		t.Fatalf("oversize image: %v", err)
	}
	if src.n > imageLimit+64<<10 {
		t.Errorf("read %d bytes of an oversize upload", src.n)
	}
	f.lib.limits[Document] = 1000
	if _, err := f.upload(t, f.wsA, "long.txt", bytes.Repeat([]byte("kata "), 201)); !errors.Is(err, ErrDocTooLarge) {
		t.Errorf("oversize document: %v", err)
	}
	if _, err := f.upload(t, f.wsA, "short.txt", bytes.Repeat([]byte("kata "), 200)); err != nil {
		t.Errorf("a document exactly at the limit: %v", err)
	}
	if files := f.storedFiles(t); len(files) != 1 {
		t.Errorf("store holds %v", files)
	}
	// A request cut off by the server's body limit is not mistaken for a finished file.
	body := http.MaxBytesReader(nil, io.NopCloser(bytes.NewReader(pngBytes(t, 50, 50, false))), 100)
	if _, err := f.lib.Upload(context.Background(), f.actor, f.wsA, "cut.png", body); !isTooLargeRequest(err) {
		t.Errorf("cut-off upload: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= c.limit {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// An image whose header claims a hundred million pixels is kept, but not decoded for a thumbnail.
func TestUploadHugeImageWithoutThumbnail(t *testing.T) {
	f := newFixture(t, db.SQLite)
	a := f.mustUpload(t, f.wsA, "bomb.png", hugePNG(t, 10000, 10000))
	if a.Width != 10000 || a.Height != 10000 || a.HasThumb() {
		t.Fatalf("huge image: %+v", a)
	}
	if _, _, err := f.lib.Open(context.Background(), f.wsA, a.ID, true); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("thumbnail of a huge image: %v", err)
	}
}

// Search finds files by filename, alt text and credit, whatever the case, newest first; filters
// narrow by kind and by missing alt text; alt text, credit and licence are saved with an audit entry.
func TestSearchAndDescribe(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		flood := f.mustUpload(t, f.wsA, "DSC-0412.jpg", jpegBytes(t, 40, 30))
		mayor := f.mustUpload(t, f.wsA, "Wali_Kota-100%.png", pngBytes(t, 40, 30, false))
		pdf := f.mustUpload(t, f.wsA, "Laporan Tahunan.pdf", []byte("%PDF-1.4\n%%EOF\n"))
		f.mustUpload(t, f.wsB, "DSC-0413.jpg", jpegBytes(t, 40, 30))

		a, err := f.lib.Update(ctx, f.actor, f.wsA, flood.ID, "  Posko BANJIR di Tallo, Makassar ", "Foto: Humas Kota / Andi", "CC BY 4.0")
		if err != nil || a.Alt != "Posko BANJIR di Tallo, Makassar" || a.Licence != "CC BY 4.0" {
			t.Fatalf("update: %+v %v", a, err)
		}
		ids := func(as []Asset, err error) string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, a := range as {
				s = append(s, a.Filename)
			}
			return strings.Join(s, ",")
		}
		for q, want := range map[string]string{
			"":                "Laporan Tahunan.pdf,Wali_Kota-100%.png,DSC-0412.jpg",
			"banjir makassar": "DSC-0412.jpg",
			"ANDI":            "DSC-0412.jpg",
			"laporan":         "Laporan Tahunan.pdf",
			"100%":            "Wali_Kota-100%.png",
			"_":               "Wali_Kota-100%.png",
			"dsc-0413":        "",
		} {
			if got := ids(f.lib.Search(ctx, f.wsA, Filter{Query: q})); got != want {
				t.Errorf("search %q: %s, want %s", q, got, want)
			}
		}
		if got := ids(f.lib.Search(ctx, f.wsA, Filter{Kind: Document})); got != "Laporan Tahunan.pdf" {
			t.Errorf("documents: %s", got)
		}
		if got := ids(f.lib.Search(ctx, f.wsA, Filter{MissingAlt: true})); got != "Wali_Kota-100%.png" {
			t.Errorf("missing alt: %s", got)
		}
		if got := ids(f.lib.Search(ctx, f.wsA, Filter{Before: pdf.ID, Limit: 1})); got != "Wali_Kota-100%.png" {
			t.Errorf("second page: %s", got)
		}

		// Too long a value is refused beside its field, and nothing is saved.
		_, err = f.lib.Update(ctx, f.actor, f.wsA, mayor.ID, strings.Repeat("a", maxAlt+1), "Humas", "")
		var we *web.Error
		if !errors.As(err, &we) || we.Fields["alt"] != "form.too_long" || we.Fields["credit"] != "" {
			t.Errorf("too long alt: %v", err)
		}
		if got, _ := f.lib.Get(ctx, f.wsA, mayor.ID); got.Credit != "" {
			t.Errorf("a refused update saved the credit %q", got.Credit)
		}
		entries, err := audit.List(ctx, f.d, f.wsA, audit.Filter{Action: "media.updated"})
		if err != nil || len(entries) != 1 || entries[0].Changes["alt"].To != "Posko BANJIR di Tallo, Makassar" {
			t.Errorf("audit: %+v %v", entries, err)
		}
	})
}

// A file in use cannot be deleted: the refusal says where it is used, and the file stays. Once
// nothing uses it, it goes, with its thumbnail.
func TestDeleteRefusedWhileInUse(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		photo := f.mustUpload(t, f.wsA, "konferensi-pers.jpg", jpegBytes(t, 500, 300))
		other := f.mustUpload(t, f.wsA, "latar.png", pngBytes(t, 50, 50, false))
		use := func(ids ...int64) error {
			return f.d.Tx(ctx, func(tx *db.Tx) error {
				return f.lib.SetUsage(ctx, tx, f.wsA, "content", "17", "Siaran pers: Posko banjir dibuka", "/w/humas-a/content/17", ids)
			})
		}
		if err := use(photo.ID, other.ID, photo.ID); err != nil {
			t.Fatal(err)
		}
		err := f.lib.Delete(ctx, f.actor, f.wsA, photo.ID)
		var inUse *InUseError
		if !errors.Is(err, ErrInUse) || !errors.As(err, &inUse) || len(inUse.Uses) != 1 || inUse.Uses[0].Label != "Siaran pers: Posko banjir dibuka" {
			t.Fatalf("delete in use: %v", err)
		}
		if _, err := f.lib.Get(ctx, f.wsA, photo.ID); err != nil {
			t.Fatalf("the file in use is gone: %v", err)
		}
		// The content item now uses only the other file.
		if err := use(other.ID); err != nil {
			t.Fatal(err)
		}
		if uses, _ := f.lib.Usage(ctx, f.wsA, photo.ID); len(uses) != 0 {
			t.Errorf("usage after replacing: %v", uses)
		}
		if err := f.lib.Delete(ctx, f.actor, f.wsA, photo.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.lib.Get(ctx, f.wsA, photo.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("deleted file still there: %v", err)
		}
		if files := f.storedFiles(t); len(files) != 2 { // latar.png and its thumbnail
			t.Errorf("store after delete: %v", files)
		}
		entries, _ := audit.List(ctx, f.d, f.wsA, audit.Filter{Action: "media.deleted"})
		if len(entries) != 1 || entries[0].Changes["filename"].From != "konferensi-pers.jpg" {
			t.Errorf("audit: %+v", entries)
		}
	})
}

// Publishing needs alt text on every image: the refusal names the images without it.
func TestCheckPublishable(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		photo := f.mustUpload(t, f.wsA, "posko.jpg", jpegBytes(t, 40, 30))
		described := f.mustUpload(t, f.wsA, "wali-kota.png", pngBytes(t, 40, 30, false))
		doc := f.mustUpload(t, f.wsA, "siaran-pers.pdf", []byte("%PDF-1.4\n%%EOF\n"))
		if _, err := f.lib.Update(ctx, f.actor, f.wsA, described.ID, "Wali kota berpidato", "", ""); err != nil {
			t.Fatal(err)
		}
		err := f.lib.CheckPublishable(ctx, f.wsA, []int64{doc.ID, photo.ID, described.ID})
		var missing *MissingAltError
		if !errors.Is(err, ErrMissingAlt) || !errors.As(err, &missing) || strings.Join(missing.Files, ",") != "posko.jpg" {
			t.Fatalf("check: %v", err)
		}
		if _, err := f.lib.Update(ctx, f.actor, f.wsA, photo.ID, "Posko banjir di Tallo", "", ""); err != nil {
			t.Fatal(err)
		}
		if err := f.lib.CheckPublishable(ctx, f.wsA, []int64{doc.ID, photo.ID, described.ID}); err != nil {
			t.Errorf("all described: %v", err)
		}
		got, err := f.lib.GetMany(ctx, f.wsA, []int64{described.ID, photo.ID, described.ID})
		if err != nil || len(got) != 2 || got[0].ID != described.ID {
			t.Errorf("GetMany: %v %v", got, err)
		}
	})
}

// Workspace B reaches nothing of workspace A's, whichever door it tries.
func TestWorkspaceIsolation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := newFixture(t, engine)
		ctx := context.Background()
		a := f.mustUpload(t, f.wsA, "rahasia.png", pngBytes(t, 40, 30, false))
		notFound := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, db.ErrNotFound) {
				t.Errorf("%s with B's id: %v", what, err)
			}
		}
		_, err := f.lib.Get(ctx, f.wsB, a.ID)
		notFound("Get", err)
		_, err = f.lib.GetMany(ctx, f.wsB, []int64{a.ID})
		notFound("GetMany", err)
		_, _, err = f.lib.Open(ctx, f.wsB, a.ID, false)
		notFound("Open", err)
		_, _, err = f.lib.Open(ctx, f.wsB, a.ID, true)
		notFound("Open thumbnail", err)
		_, err = f.lib.Update(ctx, f.actor, f.wsB, a.ID, "diubah", "", "")
		notFound("Update", err)
		notFound("Delete", f.lib.Delete(ctx, f.actor, f.wsB, a.ID))
		notFound("CheckPublishable", f.lib.CheckPublishable(ctx, f.wsB, []int64{a.ID}))
		notFound("SetUsage", f.d.Tx(ctx, func(tx *db.Tx) error {
			return f.lib.SetUsage(ctx, tx, f.wsB, "content", "1", "B", "/w/humas-b/content/1", []int64{a.ID})
		}))
		if list, err := f.lib.Search(ctx, f.wsB, Filter{Query: "rahasia"}); err != nil || len(list) != 0 {
			t.Errorf("B's search: %v %v", list, err)
		}
		got, err := f.lib.Get(ctx, f.wsA, a.ID)
		if err != nil || got.Alt != "" {
			t.Errorf("A's file after B's attempts: %+v %v", got, err)
		}
	})
}
