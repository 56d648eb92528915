package db_test

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

func TestRebind(t *testing.T) {
	got := db.Rebind(`SELECT * FROM t WHERE a = ? AND b = '?' AND "c?" = ?`)
	want := `SELECT * FROM t WHERE a = $1 AND b = '?' AND "c?" = $2`
	if got != want {
		t.Fatalf("got %s", got)
	}
}

var testSchema = db.Migrations{Name: "test", FS: fstest.MapFS{
	"00001_notes.sql": {Data: []byte(`-- +goose Up
CREATE TABLE notes (id {{id}}, body TEXT NOT NULL UNIQUE, done BOOLEAN NOT NULL DEFAULT FALSE, at {{timestamp}} NOT NULL);
-- +goose Down
DROP TABLE notes;
`)},
}}

// The same store code must behave the same on both engines: ids, booleans, times, unique errors,
// rollback and read-after-commit.
func TestEngines(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		d := dbtest.Open(t, engine, testSchema)
		at := time.Date(2026, 11, 27, 3, 4, 5, 0, time.UTC)
		var id int64
		err := d.Tx(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, `INSERT INTO notes (body, done, at) VALUES (?, ?, ?) RETURNING id`, "siaran pers", true, at).Scan(&id)
		})
		if err != nil || id == 0 {
			t.Fatalf("insert: id %d, %v", id, err)
		}
		var body string
		var done bool
		var got time.Time
		if err := d.QueryRow(ctx, `SELECT body, done, at FROM notes WHERE id = ?`, id).Scan(&body, &done, &got); err != nil {
			t.Fatal(err)
		}
		if body != "siaran pers" || !done || !got.Equal(at) {
			t.Fatalf("read back %q %v %v", body, done, got)
		}
		_, err = d.Exec(ctx, `INSERT INTO notes (body, at) VALUES (?, ?)`, "siaran pers", at)
		if !db.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert: %v", err)
		}
		boom := errors.New("boom")
		err = d.Tx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO notes (body, at) VALUES (?, ?)`, "rolled back", at); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM notes`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("rows after rollback: %d %v", n, err)
		}
		pending, err := d.Pending(ctx, []db.Migrations{testSchema})
		if err != nil || len(pending) != 0 {
			t.Fatalf("pending after migrate: %v %v", pending, err)
		}
	})
}

// On PostgreSQL the listener pool resolves the same schema as the write pool (the job queue's
// notifications are named after it); on SQLite there is none.
func TestListenerPool(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		d := dbtest.Open(t, engine, testSchema)
		if engine == db.SQLite {
			if d.Listener != nil {
				t.Fatal("SQLite has a listener pool")
			}
			return
		}
		if d.Listener == nil {
			t.Fatal("PostgreSQL has no listener pool")
		}
		var write, listen string
		if err := d.Write.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&write); err != nil {
			t.Fatal(err)
		}
		if err := d.Listener.QueryRow(ctx, `SELECT current_schema()`).Scan(&listen); err != nil {
			t.Fatal(err)
		}
		if write != listen || write == "public" {
			t.Fatalf("write pool on schema %q, listener pool on %q; want the same test schema", write, listen)
		}
	})
}
