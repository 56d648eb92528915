package importer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
	"warta.dev/warta/internal/press/importer"
)

// env is a real database with the auth, press and importer tables, a running job queue, the real
// press service and the importer on top.
type env struct {
	t      *testing.T
	d      *db.DB
	press  *press.Service
	s      *importer.Service
	auth   *auth.Service
	ws     *auth.Workspace
	owner  *auth.User
	actor  audit.Actor
	bundle *i18n.Bundle
	log    *slog.Logger
	q      *jobs.Queue
}

func newEnv(t *testing.T, engine db.Dialect) *env {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, press.Migrations, importer.Migrations)
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(d, log)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, d: d, press: press.NewService(d, nil)}
	e.s, e.q = importer.NewService(d, q, e.press), q
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	e.bundle, err = i18n.NewBundle(catalog.Common, auth.Catalog, press.Catalog, importer.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	e.log = log
	e.auth = auth.NewService(d, nil, e.bundle, "http://127.0.0.1", log)
	e.owner, e.ws, err = e.auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Password: "kopi-tubruk-pahit",
		Role: access.Owner, Workspace: "Humas Kota", Lang: "en", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	e.actor = audit.Actor{UserID: e.owner.ID, Label: e.owner.Email}
	return e
}

// upload creates an import from a file's bytes, failing the test if the file cannot be read.
func (e *env) upload(name string, data []byte) *importer.Import {
	e.t.Helper()
	im, err := e.s.Create(context.Background(), e.actor, e.ws.ID, name, data)
	if err != nil {
		e.t.Fatalf("upload %s: %v", name, err)
	}
	return im
}

// check starts the check and waits for it to finish, returning every progress value seen.
func (e *env) check(im *importer.Import) (*importer.Import, []int) {
	e.t.Helper()
	ctx := context.Background()
	im, err := e.s.StartCheck(ctx, e.actor, e.ws.ID, im.ID, nil)
	if err != nil {
		e.t.Fatalf("start check: %v", err)
	}
	var seen []int
	deadline := time.Now().Add(60 * time.Second)
	for im.State == importer.StateChecking {
		if time.Now().After(deadline) {
			e.t.Fatalf("check still running at %d %%", im.Percent())
		}
		if len(seen) == 0 || seen[len(seen)-1] != im.Percent() {
			seen = append(seen, im.Percent())
		}
		time.Sleep(20 * time.Millisecond)
		if im, err = e.s.Get(ctx, e.ws.ID, im.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	return im, append(seen, im.Percent())
}

func (e *env) contacts() []press.Contact {
	e.t.Helper()
	cs, err := e.press.Contacts(context.Background(), e.ws.ID, press.Filter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

func (e *env) rows(im *importer.Import, status string) []importer.Row {
	e.t.Helper()
	rows, err := e.s.Rows(context.Background(), e.ws.ID, im.ID, importer.RowFilter{Status: status, After: -1})
	if err != nil {
		e.t.Fatal(err)
	}
	return rows
}

// demo is a journalists' file as a humas office keeps it: semicolons, Indonesian headers, a row
// with a broken email and a row naming nobody, and Sari, who is already a contact.
const demo = "Nama;Email;No. HP;Media;Jabatan;Desk;Kota\n" +
	"Budi Santoso;budi@kompas.example;0812-1111-2222;Kompas;Redaktur;Ekonomi;Jakarta\n" +
	"Sari Dewi;sari@tempo.example;;Tempo;Wartawan;Kesehatan;Surabaya\n" +
	"Andi Wijaya;andi(at)detik.example;;Detik;;;\n" +
	";rina@antara.example;;Antara;;;\n" +
	"Tono Hartono;tono@cnn.example;+62 813 3333 4444;CNN Indonesia;Produser;Politik;Jakarta\n"

func TestImportReportsErrorsMergesDuplicateAndCreatesTheRest(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		e := newEnv(t, engine)
		ctx := context.Background()
		sari, err := e.press.AddContact(ctx, e.actor, e.ws.ID, press.ContactInput{Name: "Sari Dewi", Emails: []string{"sari@tempo.example"},
			Outlets: []press.OutletRole{{Outlet: "Tempo"}}})
		if err != nil {
			t.Fatal(err)
		}
		im := e.upload("wartawan.csv", []byte(demo))
		if im.Delimiter != ";" || !im.HasHeader || im.Total != 5 {
			t.Fatalf("read as %q header=%v rows=%d", im.Delimiter, im.HasHeader, im.Total)
		}
		want := []string{"name", "email", "mobile", "outlet", "role", "beats", "city"}
		if strings.Join(im.Mapping, ",") != strings.Join(want, ",") {
			t.Fatalf("guessed mapping %q", im.Mapping)
		}
		im, progress := e.check(im)
		if im.State != importer.StateChecked || progress[len(progress)-1] != 100 {
			t.Fatalf("state %s, progress %v", im.State, progress)
		}
		errs := e.rows(im, importer.RowError)
		if len(errs) != 2 || errs[0].Line != 4 || errs[0].Problems[0].Key != "importer.row.bad_email" ||
			errs[1].Line != 5 || errs[1].Problems[0].Key != "importer.row.no_name" {
			t.Fatalf("error rows: %+v", errs)
		}
		dups := e.rows(im, importer.RowDuplicate)
		if len(dups) != 1 || dups[0].Line != 3 || dups[0].Decision != importer.DecideMerge || dups[0].MergeInto != sari ||
			dups[0].Matches[0].Reason != "email" {
			t.Fatalf("duplicates: %+v", dups)
		}
		im, err = e.s.Apply(ctx, e.actor, e.ws.ID, im.ID, importer.ListChoice{NewList: "Wartawan ekonomi"}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if im.State != importer.StateApplied || im.Created != 2 || im.Merged != 1 || im.ErrorRows != 2 || im.ListName != "Wartawan ekonomi" {
			t.Fatalf("summary: %+v", im)
		}
		cs := e.contacts()
		if len(cs) != 3 {
			t.Fatalf("%d contacts", len(cs))
		}
		for _, c := range cs {
			switch c.Name {
			case "Budi Santoso":
				if c.Phones[0] != "+6281211112222" || c.Outlet() != "Kompas" || c.Consent.Status != "unknown" ||
					!strings.HasPrefix(c.Consent.Source, "import: wartawan.csv (") {
					t.Errorf("budi: %+v", c)
				}
			case "Sari Dewi":
				if c.ID != sari || c.City != "Surabaya" {
					t.Errorf("sari not merged: %+v", c)
				}
			}
		}
		n, err := e.press.CountContacts(ctx, e.ws.ID, press.Filter{List: im.ListID})
		if err != nil || n != 3 {
			t.Errorf("list holds %d (%v)", n, err)
		}
		// Applying again changes nothing.
		if _, err := e.s.Apply(ctx, e.actor, e.ws.ID, im.ID, importer.ListChoice{}, time.UTC); !errors.Is(err, importer.ErrApplied) {
			t.Errorf("second apply: %v", err)
		}
		if len(e.contacts()) != 3 {
			t.Error("second apply added contacts")
		}
	})
}

func TestDuplicateChoicesWithinTheFile(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		e := newEnv(t, engine)
		ctx := context.Background()
		src := "Name,Email,Phone,Outlet\n" +
			"Budi Santoso,budi@kompas.example,,Kompas\n" +
			"Budi S.,budi@kompas.example,0812 5555 6666,Kompas\n" + // same address: merged into line 2 by default
			"Rina,rina@antara.example,,Antara\n" +
			"Rina,rina2@antara.example,,Antara\n" // same name at the same outlet: this one is skipped
		im, _ := e.check(e.upload("dup.csv", []byte(src)))
		dups := e.rows(im, importer.RowDuplicate)
		if len(dups) != 2 || dups[0].DupLine != 2 || dups[1].DupLine != 4 {
			t.Fatalf("duplicates %+v", dups)
		}
		if err := e.s.Decide(ctx, e.ws.ID, im.ID, []importer.Decision{{Row: dups[1].Idx, Decision: importer.DecideSkip}}); err != nil {
			t.Fatal(err)
		}
		// A merge into a contact that is not among the row's matches is refused.
		err := e.s.Decide(ctx, e.ws.ID, im.ID, []importer.Decision{{Row: dups[0].Idx, Decision: importer.DecideMerge, MergeInto: 999}})
		if !errors.Is(err, importer.ErrDecision) {
			t.Fatalf("bad merge target: %v", err)
		}
		im, err = e.s.Apply(ctx, e.actor, e.ws.ID, im.ID, importer.ListChoice{}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if im.Created != 2 || im.Merged != 1 || im.Skipped != 1 {
			t.Fatalf("summary %+v", im)
		}
		for _, c := range e.contacts() {
			if c.Name == "Budi Santoso" && (len(c.Phones) != 1 || c.Phones[0] != "+6281255556666") {
				t.Errorf("budi's phone from line 3 not merged: %+v", c.Phones)
			}
			if c.Name == "Rina" && c.Email() != "rina@antara.example" {
				t.Errorf("rina: %v", c.Emails)
			}
		}
	})
}

// A failure in the middle of applying (here a real constraint of the database, raised by a trigger
// on the fourth contact) leaves no contact and no list behind, and the import can be applied again.
func TestFailedApplyChangesNothing(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		e := newEnv(t, engine)
		ctx := context.Background()
		var b strings.Builder
		b.WriteString("Nama,Email\n")
		for i := range 6 {
			name := fmt.Sprintf("Wartawan %d", i)
			if i == 3 {
				name = "Gagal Total"
			}
			fmt.Fprintf(&b, "%s,w%d@media.example\n", name, i)
		}
		im, _ := e.check(e.upload("gagal.csv", []byte(b.String())))
		trigger := []string{`CREATE TRIGGER refuse BEFORE INSERT ON press_contacts WHEN NEW.name = 'Gagal Total' BEGIN SELECT RAISE(ABORT, 'refused by test'); END`}
		if engine == db.Postgres {
			trigger = []string{`CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.name = 'Gagal Total' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
				`CREATE TRIGGER refuse BEFORE INSERT ON press_contacts FOR EACH ROW EXECUTE FUNCTION refuse()`}
		}
		for _, q := range trigger {
			if _, err := e.d.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.s.Apply(ctx, e.actor, e.ws.ID, im.ID, importer.ListChoice{NewList: "Semua"}, time.UTC)
		if err == nil || !strings.Contains(err.Error(), "refused by test") {
			t.Fatalf("apply: %v", err)
		}
		if n := len(e.contacts()); n != 0 {
			t.Fatalf("%d contacts left behind", n)
		}
		if lists, _ := e.press.ListChoices(ctx, e.ws.ID); len(lists) != 0 {
			t.Fatalf("list left behind: %+v", lists)
		}
		if im, _ = e.s.Get(ctx, e.ws.ID, im.ID); im.State != importer.StateChecked {
			t.Fatalf("state after failure: %s", im.State)
		}
		if _, err := e.d.Exec(ctx, `DROP TRIGGER refuse`+map[bool]string{true: " ON press_contacts", false: ""}[engine == db.Postgres]); err != nil {
			t.Fatal(err)
		}
		if im, err = e.s.Apply(ctx, e.actor, e.ws.ID, im.ID, importer.ListChoice{NewList: "Semua"}, time.UTC); err != nil || im.Created != 6 {
			t.Fatalf("second try: %+v %v", im, err)
		}
	})
}

func TestWindows1252NamesImportCorrectly(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		e := newEnv(t, engine)
		data, err := charmap.Windows1252.NewEncoder().Bytes([]byte("Nama;E-mail;Media\r\nJosé Ramírez;jose@example.com;Tempo\r\nÖzlem Küçük;ozlem@example.com;Kompas\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		im := e.upload("excel.csv", data)
		if im.Encoding != "windows-1252" {
			t.Fatalf("encoding %q", im.Encoding)
		}
		im, _ = e.check(im)
		if _, err := e.s.Apply(context.Background(), e.actor, e.ws.ID, im.ID, importer.ListChoice{}, time.UTC); err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, c := range e.contacts() {
			names[c.Name] = true
		}
		if !names["José Ramírez"] || !names["Özlem Küçük"] {
			t.Fatalf("names %v", names)
		}
	})
}

func TestLargeFileProgress(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		e := newEnv(t, engine)
		var b strings.Builder
		b.WriteString("Name,Email,Outlet\n")
		for i := range 20000 {
			fmt.Fprintf(&b, "Wartawan %d,w%d@media.example,Media %d\n", i, i, i%50)
		}
		im := e.upload("besar.csv", []byte(b.String()))
		im, seen := e.check(im)
		if im.State != importer.StateChecked || im.Checked != 20000 || im.Total != 20000 || seen[len(seen)-1] != 100 {
			t.Fatalf("state %s checked %d/%d progress %v", im.State, im.Checked, im.Total, seen)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] < seen[i-1] {
				t.Fatalf("progress went back: %v", seen)
			}
		}
		if len(seen) < 3 {
			t.Errorf("progress jumped straight to the end: %v", seen)
		}
		n, err := e.s.Counts(context.Background(), e.ws.ID, im.ID)
		if err != nil || n.Ready != 20000 {
			t.Fatalf("counts %+v %v", n, err)
		}
	})
}

// A workbook whose contacts are on its second sheet: the person picks the sheet, the mapping is
// guessed for its columns, and a phone number Excel stored as a number comes out whole.
func TestXLSXSheetChoice(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		e := newEnv(t, engine)
		ctx := context.Background()
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"Catatan rapat"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"tidak ada kontak di sini"})
		f.NewSheet("Wartawan")
		f.SetSheetRow("Wartawan", "A1", &[]any{"First Name", "Last Name", "Email Address", "Mobile", "Media Outlet"})
		f.SetSheetRow("Wartawan", "A2", &[]any{"Dewi", "Lestari", "dewi@kompas.example", 6281234567890, "Kompas TV"})
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		im := e.upload("wartawan.xlsx", buf.Bytes())
		if im.Format != "xlsx" || im.Sheet != "Sheet1" {
			t.Fatalf("read %q sheet %q", im.Format, im.Sheet)
		}
		im, tab, err := e.s.SetReading(ctx, e.actor, e.ws.ID, im.ID, importer.Reading{Sheet: "Wartawan"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if im.Sheet != "Wartawan" || strings.Join(im.Mapping, ",") != "first_name,last_name,email,mobile,outlet" || len(tab.Rows) != 1 {
			t.Fatalf("sheet %q mapping %q rows %d", im.Sheet, im.Mapping, len(tab.Rows))
		}
		im, _ = e.check(im)
		if _, err := e.s.Apply(ctx, e.actor, e.ws.ID, im.ID, importer.ListChoice{}, time.UTC); err != nil {
			t.Fatal(err)
		}
		cs := e.contacts()
		if len(cs) != 1 || cs[0].Name != "Dewi Lestari" || cs[0].Phones[0] != "+6281234567890" || cs[0].Outlet() != "Kompas TV" {
			t.Fatalf("contacts %+v", cs)
		}
	})
}
