package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Local keeps objects as plain files under a folder: key "ws/1/a.jpg" is the file dir/ws/1/a.jpg,
// so operators can see and copy them. The content type is kept beside it in dir/ws/1/.a.jpg.type.
// Files are written to a temp file and renamed into place, so a crash never leaves half a file.
// A crash between the two renames of an overwrite can leave the previous content type; content is
// always whole. Unlike S3, a key cannot be both an object and a "folder" of others ("a" and "a/b").
type Local struct {
	dir string
}

const tmpPrefix = ".tmp-"

// NewLocal opens (creating if needed) a store in dir.
func NewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return &Local{dir: abs}, nil
}

func (l *Local) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	rel := filepath.FromSlash(key)
	if !filepath.IsLocal(rel) { // e.g. "C:x" or reserved names on Windows
		return "", fmt.Errorf("%w %q: not a local path", ErrBadKey, key)
	}
	return filepath.Join(l.dir, rel), nil
}

func typePath(p string) string {
	return filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".type")
}

func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	if err := writeAtomic(ctx, p, r, size); err != nil {
		return err
	}
	ct := strings.NewReader(contentTypeOr(contentType))
	return writeAtomic(ctx, typePath(p), ct, ct.Size())
}

func (l *Local) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, Info{}, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, Info{}, notExist(key, err)
	}
	info, err := l.info(key, p, f.Stat)
	if err != nil {
		f.Close()
		return nil, Info{}, err
	}
	return f, info, nil
}

func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	p, err := l.path(key)
	if err != nil {
		return Info{}, err
	}
	return l.info(key, p, func() (fs.FileInfo, error) { return os.Stat(p) })
}

func (l *Local) info(key, p string, stat func() (fs.FileInfo, error)) (Info, error) {
	fi, err := stat()
	if err != nil {
		return Info{}, notExist(key, err)
	}
	if !fi.Mode().IsRegular() { // a folder of other keys is not an object
		return Info{}, fmt.Errorf("%w: %q", ErrNotExist, key)
	}
	ct, err := os.ReadFile(typePath(p))
	if err != nil {
		// No sidecar (a file copied in by hand): fall back to the extension.
		ct = []byte(contentTypeOr(mime.TypeByExtension(filepath.Ext(p))))
	}
	return Info{Size: fi.Size(), ContentType: string(ct), ModTime: fi.ModTime()}, nil
}

func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(p); err != nil || fi.IsDir() {
		return nil // nothing stored under this key
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: %w", err)
	}
	if err := os.Remove(typePath(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}

// CopyTo copies every object (and its content type) into dstDir, for backups. Each file is read
// from one open handle and written atomically, so every copied object is whole even while uploads
// continue; objects written during the copy may or may not be included. Returns the object count.
func (l *Local) CopyTo(ctx context.Context, dstDir string) (files int, err error) {
	dst, err := filepath.Abs(dstDir)
	if err != nil {
		return 0, err
	}
	if rel, err := filepath.Rel(l.dir, dst); err == nil && filepath.IsLocal(rel) || dst == l.dir {
		return 0, fmt.Errorf("media: backup folder %s is inside the media folder %s", dst, l.dir)
	}
	err = filepath.WalkDir(l.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := d.Name()
		if !d.Type().IsRegular() || strings.HasPrefix(name, tmpPrefix) {
			return nil // folders are made on demand; temp files are unfinished writes
		}
		rel, _ := filepath.Rel(l.dir, p)
		target := filepath.Join(dst, rel)
		if err := copyFile(ctx, p, target); err != nil {
			return err
		}
		if !strings.HasPrefix(name, ".") { // dot files are content-type sidecars
			files++
		}
		return nil
	})
	if err != nil {
		return files, fmt.Errorf("media: backup: %w", err)
	}
	return files, nil
}

func copyFile(ctx context.Context, src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted since the walk listed it
		}
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := writeAtomic(ctx, dst, f, fi.Size()); err != nil {
		return err
	}
	// Keep the modification time, so a restored store reports the same ModTime.
	return os.Chtimes(dst, fi.ModTime(), fi.ModTime())
}

// writeAtomic writes r to a synced temp file beside path and renames it over path. With size >= 0
// a different byte count is an error and nothing is replaced.
func writeAtomic(ctx context.Context, path string, r io.Reader, size int64) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, err := io.Copy(tmp, r)
	if err != nil {
		return fmt.Errorf("media: write: %w", err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("media: got %d bytes, expected %d", n, size)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}

// notExist maps "no such file" (or a file where a folder was expected) to ErrNotExist.
func notExist(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w: %q", ErrNotExist, key)
	}
	return fmt.Errorf("media: %w", err)
}
