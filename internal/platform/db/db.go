// Package db opens Warta's database — embedded SQLite by default, PostgreSQL when a URL is given —
// and gives stores one way to run SQL on either engine. SQL is written once with ? placeholders;
// the PostgreSQL side rebinds them to $n.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names a database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is what stores return when a row does not exist (or belongs to another workspace).
var ErrNotFound = errors.New("not found")

// DB holds the pools of one database. On SQLite, Write is a single connection (shared with the job
// queue) and Read is a read-only pool; on PostgreSQL both are the same pool.
type DB struct {
	Write  *sql.DB
	Read   *sql.DB
	Engine Dialect
	// Listener is a small pgx pool on the same URL (same search_path) from which the job queue
	// takes a connection to LISTEN for new jobs; nil on SQLite.
	Listener *pgxpool.Pool
	// Path is the SQLite file, empty on PostgreSQL.
	Path string
}

// Conn is what stores run SQL on: the database itself or an open transaction.
type Conn interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// SQLitePath is where the embedded database lives inside the data folder.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, "warta.db") }

// Open opens PostgreSQL when databaseURL is set, otherwise SQLite in dataDir.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	if databaseURL != "" {
		return OpenPostgres(ctx, databaseURL)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the data folder %s: %w", dataDir, err)
	}
	return OpenSQLite(ctx, SQLitePath(dataDir))
}

// OpenPostgres opens one pool used for reads and writes, and the listener pool.
func OpenPostgres(ctx context.Context, databaseURL string) (*DB, error) {
	pool, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("the database URL is not valid: %w", err)
	}
	// As many kept idle as may be open: a pool that closes connections above its idle count under
	// load starts a PostgreSQL backend for nearly every statement (measured in bench/publish). 40
	// covers the 30 publishing workers, River and the web.
	pool.SetMaxOpenConns(40)
	pool.SetMaxIdleConns(40)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", redact(databaseURL), err)
	}
	// The listener pool connects lazily. River takes one connection per running queue out of it
	// for good (its LISTEN), so two are plenty.
	lcfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("the database URL is not valid: %w", err)
	}
	lcfg.MaxConns = 2
	lcfg.MinConns = 0
	listener, err := pgxpool.NewWithConfig(ctx, lcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", redact(databaseURL), err)
	}
	return &DB{Write: pool, Read: pool, Engine: Postgres, Listener: listener}, nil
}

// OpenSQLite opens the single write connection and the read pool. The read pool is read-only, so it
// is opened after the write connection has created the file.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	common := "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_time_format=sqlite"
	w, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// One writer: SQLite allows one at a time, and a queue in Go beats SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("cannot open the database %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{Write: w, Read: r, Engine: SQLite, Path: path}, nil
}

// Close closes the pools.
func (d *DB) Close() error {
	err := d.Write.Close()
	if d.Read != d.Write {
		err = errors.Join(err, d.Read.Close())
	}
	if d.Listener != nil {
		d.Listener.Close()
	}
	return err
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.Write.PingContext(ctx) }

// Dialect reports the engine.
func (d *DB) Dialect() Dialect { return d.Engine }

// Exec runs a statement on the write pool.
func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.Write.ExecContext(ctx, d.rebind(q), args...)
}

// Query reads from the read pool.
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.Read.QueryContext(ctx, d.rebind(q), args...)
}

// QueryRow reads one row from the read pool.
func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.Read.QueryRowContext(ctx, d.rebind(q), args...)
}

// Tx runs fn in a write transaction, committed when fn returns nil. On SQLite the transaction holds
// the only write connection: inside fn use tx alone, never d, or the call waits for ever.
func (d *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := d.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{Tx: sqlTx, d: d}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// Tx is an open write transaction.
type Tx struct {
	*sql.Tx
	d           *DB
	afterCommit []func()
}

// AfterCommit runs f once the transaction has committed, and never if it rolls back: a wake-up
// for a worker that must see the committed rows.
func (tx *Tx) AfterCommit(f func()) { tx.afterCommit = append(tx.afterCommit, f) }

// Dialect reports the engine.
func (tx *Tx) Dialect() Dialect { return tx.d.Engine }

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(ctx, tx.d.rebind(q), args...)
}

// Query reads inside the transaction (and sees its uncommitted rows).
func (tx *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(ctx, tx.d.rebind(q), args...)
}

// QueryRow reads one row inside the transaction.
func (tx *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(ctx, tx.d.rebind(q), args...)
}

func (d *DB) rebind(q string) string {
	if d.Engine != Postgres {
		return q
	}
	return Rebind(q)
}

// Rebind turns ? placeholders into $1, $2 … outside quoted strings and identifiers.
func Rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString(fmt.Sprintf("$%d", n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ForUpdate is the row lock to append to a SELECT inside a transaction: FOR UPDATE on PostgreSQL,
// nothing on SQLite, where a write transaction (BEGIN IMMEDIATE) already excludes other writers.
func ForUpdate(c Conn) string {
	if c.Dialect() == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// IsUniqueViolation reports whether err comes from a UNIQUE constraint on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return p.Redacted()
}
