package media

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

func TestLocalConformance(t *testing.T) {
	s, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)
}

func TestS3Conformance(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	cfg := S3Config{Endpoint: srv.URL, Bucket: "warta-media", Region: "us-east-1", AccessKey: "test", SecretKey: "test"}
	s, err := NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)
	// A second process finds the bucket already there.
	if _, err := NewS3(context.Background(), cfg); err != nil {
		t.Fatalf("NewS3 on an existing bucket: %v", err)
	}
}

func read(t *testing.T, s Store, key string) (string, Info) {
	t.Helper()
	rc, info, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%s): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return string(b), info
}

// testStore is what every Store must do; it runs against each implementation.
func testStore(t *testing.T, s Store) {
	ctx := context.Background()
	const key = "ws/12/2026/11/abc.jpg"

	if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Stat of missing key: err = %v, want ErrNotExist", err)
	}
	if _, _, err := s.Open(ctx, key); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Open of missing key: err = %v, want ErrNotExist", err)
	}

	before := time.Now().Add(-time.Hour)
	if err := s.Put(ctx, key, strings.NewReader("jpeg bytes"), 10, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	info, err := s.Stat(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 10 || info.ContentType != "image/jpeg" || info.ModTime.Before(before) {
		t.Fatalf("Stat = %+v, want size 10, image/jpeg, a recent ModTime", info)
	}
	if body, info := read(t, s, key); body != "jpeg bytes" || info.Size != 10 || info.ContentType != "image/jpeg" {
		t.Fatalf("Open = %q %+v", body, info)
	}

	// Overwrite replaces content and content type.
	if err := s.Put(ctx, key, strings.NewReader("now a png"), 9, "image/png"); err != nil {
		t.Fatal(err)
	}
	if body, info := read(t, s, key); body != "now a png" || info.ContentType != "image/png" || info.Size != 9 {
		t.Fatalf("after overwrite Open = %q %+v", body, info)
	}

	// Unknown size, and no content type.
	big := bytes.Repeat([]byte("0123456789"), 100_000)
	if err := s.Put(ctx, "ws/12/data.bin", bytes.NewReader(big), -1, ""); err != nil {
		t.Fatal(err)
	}
	body, info := read(t, s, "ws/12/data.bin")
	if body != string(big) || info.Size != int64(len(big)) || info.ContentType != DefaultContentType {
		t.Fatalf("unknown-size Put: %d bytes, %+v", len(body), info)
	}

	// A failed upload leaves the previous object untouched.
	broken := io.MultiReader(strings.NewReader("half"), errReader{})
	if err := s.Put(ctx, key, broken, 20, "text/plain"); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	if body, info := read(t, s, key); body != "now a png" || info.ContentType != "image/png" {
		t.Fatalf("after failed Put Open = %q %+v", body, info)
	}

	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Stat after Delete: err = %v, want ErrNotExist", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if _, err := s.Stat(ctx, "ws/12/data.bin"); err != nil {
		t.Fatalf("Delete removed another key: %v", err)
	}

	for _, bad := range badKeys {
		if err := s.Put(ctx, bad, strings.NewReader("x"), 1, "text/plain"); !errors.Is(err, ErrBadKey) {
			t.Errorf("Put(%q) err = %v, want ErrBadKey", bad, err)
		}
		if _, _, err := s.Open(ctx, bad); !errors.Is(err, ErrBadKey) {
			t.Errorf("Open(%q) err = %v, want ErrBadKey", bad, err)
		}
		if _, err := s.Stat(ctx, bad); !errors.Is(err, ErrBadKey) {
			t.Errorf("Stat(%q) err = %v, want ErrBadKey", bad, err)
		}
		if err := s.Delete(ctx, bad); !errors.Is(err, ErrBadKey) {
			t.Errorf("Delete(%q) err = %v, want ErrBadKey", bad, err)
		}
	}
}

var badKeys = []string{
	"", "/etc/passwd", "..", "../x", "ws/../../x", "ws/./x", "ws\\x", "ws//x", "ws/x/", ".hidden",
	"ws/.x.jpg.type", "ws/x\n", strings.Repeat("a", 1025),
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestCheckKeyAccepts(t *testing.T) {
	for _, k := range []string{"a", "ws/12/2026/11/abc.jpg", "ws/1/file name (1).pdf", "ws/1/foto-ü.jpg", "x..y"} {
		if err := CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q) = %v", k, err)
		}
	}
}

func TestLocalFiles(t *testing.T) {
	dir := t.TempDir()
	s, _ := NewLocal(dir)
	ctx := context.Background()
	if err := s.Put(ctx, "ws/1/a.txt", strings.NewReader("halo"), 4, "text/plain; charset=utf-8"); err != nil {
		t.Fatal(err)
	}
	// Plain files an operator can read, and no temp files left after writes or failed writes.
	if b, err := os.ReadFile(filepath.Join(dir, "ws", "1", "a.txt")); err != nil || string(b) != "halo" {
		t.Fatalf("file on disk = %q, %v", b, err)
	}
	if err := s.Put(ctx, "ws/1/a.txt", strings.NewReader("too short"), 100, "text/plain"); err == nil {
		t.Fatal("Put with a wrong size succeeded")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "ws", "1", tmpPrefix+"*")); len(leftovers) != 0 {
		t.Fatalf("temp files left: %v", leftovers)
	}
	// A file copied in by hand, without a sidecar, gets a type from its extension.
	os.WriteFile(filepath.Join(dir, "ws", "1", "b.png"), []byte("png"), 0o644)
	if info, err := s.Stat(ctx, "ws/1/b.png"); err != nil || info.ContentType != "image/png" {
		t.Fatalf("Stat of hand-copied file = %+v, %v", info, err)
	}
	// A folder of keys is not itself an object, and a key under a file is simply missing.
	if _, err := s.Stat(ctx, "ws/1"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Stat of a folder: err = %v, want ErrNotExist", err)
	}
	if _, err := s.Stat(ctx, "ws/1/a.txt/x"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Stat under a file: err = %v, want ErrNotExist", err)
	}
}

func TestLocalCopyTo(t *testing.T) {
	ctx := context.Background()
	src, _ := NewLocal(t.TempDir())
	objects := map[string]string{"ws/1/a.jpg": "image/jpeg", "ws/1/2026/b.pdf": "application/pdf", "ws/2/c": "text/csv"}
	for k, ct := range objects {
		if err := src.Put(ctx, k, strings.NewReader("isi "+k), -1, ct); err != nil {
			t.Fatal(err)
		}
	}
	// An unfinished upload must not be copied.
	os.WriteFile(filepath.Join(src.dir, "ws", "1", tmpPrefix+"123"), []byte("partial"), 0o600)

	dst := filepath.Join(t.TempDir(), "backup", "media")
	n, err := src.CopyTo(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(objects) {
		t.Fatalf("CopyTo copied %d objects, want %d", n, len(objects))
	}
	restored, _ := NewLocal(dst)
	for k, ct := range objects {
		body, info := read(t, restored, k)
		orig, _ := src.Stat(ctx, k)
		if body != "isi "+k || info.ContentType != ct || !info.ModTime.Equal(orig.ModTime) {
			t.Errorf("restored %s = %q %+v, want content type %s and ModTime %v", k, body, info, ct, orig.ModTime)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, "ws", "1", tmpPrefix+"123")); !os.IsNotExist(err) {
		t.Fatalf("temp file was copied (stat err = %v)", err)
	}

	if _, err := src.CopyTo(ctx, filepath.Join(src.dir, "ws", "backup")); err == nil {
		t.Fatal("CopyTo into the store's own folder should be refused")
	}
}
