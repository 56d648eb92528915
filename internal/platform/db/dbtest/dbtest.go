// Package dbtest gives tests a fresh, migrated database on each engine: SQLite always, and
// PostgreSQL when WARTA_TEST_DATABASE_URL is set, in a schema of its own that is dropped afterwards.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"warta.dev/warta/internal/platform/db"
)

// EnvPostgres names the variable that turns on the PostgreSQL half of the tests.
const EnvPostgres = "WARTA_TEST_DATABASE_URL"

// Engines runs fn once per available engine, as subtests named sqlite and postgres.
func Engines(t *testing.T, fn func(t *testing.T, engine db.Dialect)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, db.SQLite) })
	t.Run("postgres", func(t *testing.T) {
		RequirePostgres(t)
		fn(t, db.Postgres)
	})
}

// RequirePostgres skips the test, saying how to run it, when no PostgreSQL is configured.
func RequirePostgres(t *testing.T) {
	t.Helper()
	if os.Getenv(EnvPostgres) == "" {
		t.Skip("PostgreSQL tests need " + EnvPostgres + "=postgres://postgres@127.0.0.1:5432/test (CI sets it)")
	}
}

// URL returns a database URL for engine: a new SQLite file path's folder is returned as dataDir,
// or a PostgreSQL URL whose search_path is a new schema. Both are removed when the test ends.
func URL(t *testing.T, engine db.Dialect) (databaseURL, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	if engine == db.SQLite {
		return "", dataDir
	}
	RequirePostgres(t)
	base := os.Getenv(EnvPostgres)
	schema := "t_" + randomHex(8)
	ctx := context.Background()
	admin, err := db.OpenPostgres(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), dataDir
}

// Open returns a database on engine with the given migrations applied, closed when the test ends.
func Open(t *testing.T, engine db.Dialect, sources ...db.Migrations) *db.DB {
	t.Helper()
	databaseURL, dataDir := URL(t, engine)
	ctx := context.Background()
	d, err := db.Open(ctx, databaseURL, filepath.Join(dataDir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx, sources); err != nil {
		t.Fatal(err)
	}
	return d
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
