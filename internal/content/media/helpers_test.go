package media

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	mediastore "warta.dev/warta/internal/platform/media"
	"warta.dev/warta/internal/platform/web"
)

// fixture is a library over a fresh database and a local store, with two workspaces and a user.
type fixture struct {
	lib      *Library
	d        *db.DB
	dir      string
	wsA, wsB int64
	user     int64
	actor    Actor
}

func newFixture(t *testing.T, engine db.Dialect) *fixture {
	t.Helper()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, Migrations)
	dir := t.TempDir()
	store, err := mediastore.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f := &fixture{lib: New(d, store), d: d, dir: dir}
	f.lib.tmpDir = t.TempDir()
	err = d.Tx(ctx, func(tx *db.Tx) error {
		for _, ws := range []struct {
			id   *int64
			slug string
		}{{&f.wsA, "humas-a"}, {&f.wsB, "humas-b"}} {
			if err := tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, lang, timezone, created_at) VALUES (?, ?, 'id', 'Asia/Makassar', ?) RETURNING id`,
				ws.slug, ws.slug, time.Now().UTC()).Scan(ws.id); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `INSERT INTO users (email, name, created_at) VALUES ('ani@humas.example', 'Ani', ?) RETURNING id`,
			time.Now().UTC()).Scan(&f.user)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.actor = Actor{UserID: f.user, Label: "ani@humas.example", IP: "10.1.2.3"}
	return f
}

func (f *fixture) upload(t *testing.T, ws int64, name string, content []byte) (Asset, error) {
	t.Helper()
	return f.lib.Upload(context.Background(), f.actor, ws, name, bytes.NewReader(content))
}

func (f *fixture) mustUpload(t *testing.T, ws int64, name string, content []byte) Asset {
	t.Helper()
	a, err := f.upload(t, ws, name, content)
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	return a
}

// storedFiles lists the objects in the store, without the content-type sidecars.
func (f *fixture) storedFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(f.dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			rel, _ := filepath.Rel(f.dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	return out
}

func (f *fixture) read(t *testing.T, ws, id int64, thumb bool) ([]byte, Asset) {
	t.Helper()
	rc, a, err := f.lib.Open(context.Background(), ws, id, thumb)
	if err != nil {
		t.Fatalf("open %d (thumb %v): %v", id, thumb, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b, a
}

// picture is a w×h image, red on its left half and blue on its right; with alpha, half see-through.
func picture(w, h int, alpha bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{R: 220, A: 255}
			if x >= w/2 {
				c = color.NRGBA{B: 220, A: 255}
			}
			if alpha && y >= h/2 {
				c.A = 90
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func pngBytes(t *testing.T, w, h int, alpha bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture(w, h, alpha)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(w, h, false), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withOrientation puts an EXIF segment with the given orientation right after a JPEG's start.
func withOrientation(j []byte, o uint16) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01")
	entry := make([]byte, 12)
	binary.BigEndian.PutUint16(entry[0:], 0x0112)
	binary.BigEndian.PutUint16(entry[2:], 3) // SHORT
	binary.BigEndian.PutUint32(entry[4:], 1)
	binary.BigEndian.PutUint16(entry[8:], o)
	tiff = append(append(tiff, entry...), 0, 0, 0, 0)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	head := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(head[2:], uint16(len(seg)+2))
	out := append([]byte{}, j[:2]...)
	out = append(append(out, head...), seg...)
	return append(out, j[2:]...)
}

// hugePNG is a real PNG whose header claims w×h pixels: what a decompression bomb looks like.
func hugePNG(t *testing.T, w, h uint32) []byte {
	t.Helper()
	b := pngBytes(t, 4, 4, false)
	// The IHDR chunk starts at byte 8: length(4) "IHDR"(4) width(4) height(4) … crc(4).
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func zipBytes(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		content := "<x/>"
		if n == "mimetype" {
			content = "application/vnd.oasis.opendocument.text"
		}
		_, _ = w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// isoMedia is the start of an ISO media file (MP4, MOV, HEIC) with the given brands.
func isoMedia(major string, compatible ...string) []byte {
	box := []byte{0, 0, 0, 0}
	box = append(box, "ftyp"+major+"\x00\x00\x02\x00"...)
	for _, c := range compatible {
		box = append(box, c...)
	}
	binary.BigEndian.PutUint32(box, uint32(len(box)))
	return append(box, make([]byte, 2000)...)
}
