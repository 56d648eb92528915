package notify_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail"
	"warta.dev/warta/internal/platform/web"
)

// A notice reaches the member in the app and by email in their language; a rolled-back change
// tells nobody; someone who is not a member is told nothing.
func TestNotify(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, mail.Migrations, notify.Migrations)
		if err := jobs.Migrate(ctx, d); err != nil {
			t.Fatal(err)
		}
		q, err := jobs.New(d, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		m := mail.New(d, q, nil, "Warta <warta@kota.example>")
		b, err := i18n.NewBundle(catalog.Common, notify.Catalog, testCatalog)
		if err != nil {
			t.Fatal(err)
		}
		c := notify.New(d, m, b, "https://warta.kota.example")
		var ws, member, outsider int64
		err = d.Tx(ctx, func(tx *db.Tx) error {
			now := time.Now().UTC()
			if err := tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, lang, timezone, created_at) VALUES ('humas', 'Humas', 'id', 'Asia/Jakarta', ?) RETURNING id`, now).Scan(&ws); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO users (email, name, lang, created_at) VALUES ('budi@kota.example', 'Budi', 'id', ?) RETURNING id`, now).Scan(&member); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO users (email, name, lang, created_at) VALUES ('luar@lain.example', 'Luar', 'en', ?) RETURNING id`, now).Scan(&outsider); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'editor', ?)`, ws, member, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		send := func(userID int64, rollback bool) {
			err := d.Tx(ctx, func(tx *db.Tx) error {
				if err := c.Notify(ctx, tx, notify.Notice{WorkspaceID: ws, UserID: userID, Key: "test.mention", Args: []any{"Name", "Rina"}, Link: "/content/7"}); err != nil {
					return err
				}
				if rollback {
					return context.Canceled
				}
				return nil
			})
			if err != nil && !rollback {
				t.Fatal(err)
			}
		}
		send(member, true)
		send(outsider, false)
		if n, err := c.Unread(ctx, ws, member); err != nil || n != 0 {
			t.Fatalf("after a rollback: %d %v", n, err)
		}
		send(member, false)
		list, err := c.List(ctx, ws, member, 10)
		if err != nil || len(list) != 1 || list[0].Link != "/content/7" || list[0].Read {
			t.Fatalf("list: %v %+v", err, list)
		}
		if n, _ := c.Unread(ctx, ws, member); n != 1 {
			t.Fatalf("unread: %d", n)
		}
		mails, err := m.List(ctx, 0, 10)
		if err != nil || len(mails) != 1 || mails[0].To != "budi@kota.example" || mails[0].Subject != "Rina menyebut Anda" ||
			!strings.Contains(mails[0].Text, "https://warta.kota.example/w/humas/content/7") {
			t.Fatalf("mail: %v %+v", err, mails)
		}
		if err := c.MarkAllRead(ctx, ws, member); err != nil {
			t.Fatal(err)
		}
		if n, _ := c.Unread(ctx, ws, member); n != 0 {
			t.Fatalf("unread after reading: %d", n)
		}
	})
}

var testCatalog = i18n.Catalog{Name: "test", FS: os.DirFS("testdata")}
