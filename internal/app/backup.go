package app

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/media"
	"warta.dev/warta/internal/platform/secrets"
)

// BackupResult says what a backup copied.
type BackupResult struct {
	Database   string // the copied SQLite file; empty on PostgreSQL (use pg_dump)
	MediaFiles int
	Keys       int
}

// Backup writes a consistent copy of the SQLite database (VACUUM INTO reads one snapshot, so it is
// safe while Warta serves), the local media and the key files into dir. Without the keys, the
// encrypted credentials in the copy could not be read.
func Backup(ctx context.Context, a *App, dir string) (BackupResult, error) {
	var res BackupResult
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return res, fmt.Errorf("the backup folder %s is not empty", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, err
	}
	if a.DB.Engine == db.SQLite {
		res.Database = filepath.Join(dir, "warta.db")
		conn, err := sql.Open("sqlite", "file:"+a.DB.Path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			return res, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, res.Database); err != nil {
			return res, fmt.Errorf("copying the database: %w", err)
		}
	}
	if local, ok := a.Media.(*media.Local); ok {
		n, err := local.CopyTo(ctx, filepath.Join(dir, "media"))
		if err != nil {
			return res, fmt.Errorf("copying media: %w", err)
		}
		res.MediaFiles = n
	}
	for _, name := range []string{secrets.KeysFile, secrets.SigningFile} {
		ok, err := copyIfExists(filepath.Join(a.Config.DataDir, name), filepath.Join(dir, name))
		if err != nil {
			return res, err
		}
		if ok {
			res.Keys++
		}
	}
	return res, nil
}

func copyIfExists(src, dst string) (bool, error) {
	in, err := os.Open(src)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return false, err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return false, err
	}
	return true, out.Close()
}
