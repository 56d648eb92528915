// Package media stores uploaded files (images, documents) by key: on the local disk in the embedded
// mode, or in S3-compatible object storage when several processes share the work.
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

var (
	// ErrNotExist is returned (wrapped) when no object has the key.
	ErrNotExist = errors.New("media: object does not exist")
	// ErrBadKey is returned (wrapped) for keys that could escape the store or mean two things.
	ErrBadKey = errors.New("media: invalid key")
)

// DefaultContentType is stored when Put is given no content type.
const DefaultContentType = "application/octet-stream"

// Info describes a stored object.
type Info struct {
	Size        int64
	ContentType string
	ModTime     time.Time
}

// Store keeps objects by slash-separated keys such as "ws/12/2026/11/abc.jpg".
type Store interface {
	// Put stores r under key, replacing any object there. size is the byte count, or -1 if unknown.
	// Readers never see a partly written object.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open returns the object's content; the caller closes it.
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the object; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// CheckKey returns ErrBadKey unless key is a relative, slash-separated path of non-empty segments.
// Segments may not start with "." (this rules out "." and "..", and keeps dot names free for the
// local store's own files), and keys may not hold backslashes or control characters.
func CheckKey(key string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrBadKey, key, why) }
	switch {
	case key == "":
		return bad("empty")
	case len(key) > 1024:
		return bad("longer than 1024 bytes") // the S3 limit
	case strings.HasPrefix(key, "/"):
		return bad("absolute")
	case strings.ContainsRune(key, '\\'):
		return bad("backslash")
	}
	for _, c := range key {
		if c < 0x20 || c == 0x7f {
			return bad("control character")
		}
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" {
			return bad("empty segment")
		}
		if strings.HasPrefix(seg, ".") {
			return bad("segment starts with a dot")
		}
	}
	return nil
}

func contentTypeOr(ct string) string {
	if ct == "" {
		return DefaultContentType
	}
	return ct
}
