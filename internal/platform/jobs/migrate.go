package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"warta.dev/warta/internal/platform/db"
)

// Migrate creates or upgrades River's own tables (river_job and its neighbours). It is separate
// from the domains' goose migrations because River versions its schema itself.
func Migrate(ctx context.Context, d *db.DB) error {
	m, err := migrator(d)
	if err != nil {
		return err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	for _, v := range res.Versions {
		slog.Debug("job queue migration applied", "version", v.Version, "name", v.Name, "duration", v.Duration)
	}
	return nil
}

// Pending reports whether River's tables need Migrate (for a readiness check).
func Pending(ctx context.Context, d *db.DB) (bool, error) {
	m, err := migrator(d)
	if err != nil {
		return false, err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("jobs: check migrations: %w", err)
	}
	return !res.OK, nil
}

func migrator(d *db.DB) (*rivermigrate.Migrator[*sql.Tx], error) {
	var driver riverdriver.Driver[*sql.Tx]
	switch d.Engine {
	case db.SQLite:
		driver = riversqlite.New(d.Write)
	case db.Postgres:
		driver = riverdatabasesql.New(d.Write)
	default:
		return nil, fmt.Errorf("jobs: unknown database engine %q", d.Engine)
	}
	// River logs each applied migration at info; Migrate logs them at debug, like db.Migrate.
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(warnOnly{slog.Default().Handler()})})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return m, nil
}

// warnOnly passes on warnings and errors only.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}
