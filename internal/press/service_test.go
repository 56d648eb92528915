package press_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
)

type fixture struct {
	d        *db.DB
	s        *press.Service
	wsA, wsB int64
	ani      audit.Actor
}

type members struct{ ids []int64 }

func (m members) WorkspaceMembers(ctx context.Context, wsID int64) ([]press.Member, error) {
	var out []press.Member
	for _, id := range m.ids {
		out = append(out, press.Member{ID: id, Name: "Ani", Email: "ani@humas.example"})
	}
	return out, nil
}

func setup(t *testing.T, engine db.Dialect) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, auth.Migrations, audit.Migrations, press.Migrations)
	f := &fixture{d: d}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, ws := range []struct {
			slug string
			id   *int64
		}{{"humas-a", &f.wsA}, {"humas-b", &f.wsB}} {
			if err := tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, lang, timezone, created_at) VALUES (?, ?, 'id', 'Asia/Jakarta', ?) RETURNING id`,
				ws.slug, ws.slug, time.Now().UTC()).Scan(ws.id); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `INSERT INTO users (email, name, created_at) VALUES ('ani@humas.example', 'Ani', ?) RETURNING id`, time.Now().UTC()).Scan(&f.ani.UserID)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ani.Label = "ani@humas.example"
	f.s = press.NewService(d, members{ids: []int64{f.ani.UserID}})
	return f
}

func (f *fixture) add(t *testing.T, ws int64, in press.ContactInput) int64 {
	t.Helper()
	id, err := f.s.AddContact(context.Background(), f.ani, ws, in)
	if err != nil {
		t.Fatalf("add %s: %v", in.Name, err)
	}
	return id
}

func (f *fixture) tx(t *testing.T, fn func(tx *db.Tx) error) {
	t.Helper()
	if err := f.d.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) audience(t *testing.T, ws int64, lists, segments []int64) map[string]press.Recipient {
	t.Helper()
	out := map[string]press.Recipient{}
	err := f.s.Audience(context.Background(), ws, lists, segments, func(r press.Recipient) error {
		k := r.Email
		if k == "" {
			k = fmt.Sprintf("#%d", r.ContactID)
		}
		if _, dup := out[k]; dup {
			t.Errorf("%s is in the audience twice", k)
		}
		out[k] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"0812-3456-7890":    "+6281234567890",
		"62812 3456 7890":   "+6281234567890",
		"+62 812-3456-7890": "+6281234567890",
		"(021) 345 6789":    "+62213456789",
		"0044 20 7946 0958": "+442079460958",
		"81234567890":       "+6281234567890",
	} {
		if got, ok := press.NormalizePhone(in); !ok || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"12", "telp kantor", "+62 8"} {
		if _, ok := press.NormalizePhone(bad); ok {
			t.Errorf("NormalizePhone(%q) accepted", bad)
		}
	}
}

// A contact keeps what was typed in a clean form: emails lower-case, phones in E.164, beats
// lower-case, the outlet created by name and linked with its role; a wrong field is named.
func TestContactFields(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		id := f.add(t, f.wsA, press.ContactInput{Name: " Budi  Santoso ", Salutation: "Bapak", Emails: []string{"Budi@Kompas.example", "budi@gmail.example"},
			Phones: []string{"0812-1111-2222"}, WhatsApp: "62812 1111 2222", Beats: []string{"Kesehatan", "kesehatan", "Ekonomi"},
			Outlets: []press.OutletRole{{Outlet: "Harian Kompas", Role: "Redaktur"}}, Province: "Jawa Timur", City: "Surabaya",
			Languages: []string{"id", "EN"}, Labels: []string{"VIP"}, Socials: map[string]string{"x": "@budis"}, OwnerID: f.ani.UserID,
			Consent: press.Consent{Status: "granted", Basis: "consent", Source: "kartu nama"}})
		c, err := f.s.Contact(ctx, f.wsA, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "Budi Santoso" || c.Email() != "budi@kompas.example" || c.Phones[0] != "+6281211112222" ||
			c.WhatsApp != "+6281211112222" || !slices.Equal(c.Beats, []string{"kesehatan", "ekonomi"}) || c.Outlet() != "Harian Kompas" ||
			c.Outlets[0].Role != "Redaktur" || c.Country != "ID" || !slices.Equal(c.Languages, []string{"id", "en"}) || c.Socials["x"] != "@budis" ||
			c.OwnerID != f.ani.UserID || c.Consent.Status != "granted" || c.Consent.At.IsZero() {
			t.Errorf("stored contact: %+v", c)
		}
		_, err = f.s.AddContact(ctx, f.ani, f.wsA, press.ContactInput{Name: "", Emails: []string{"bukan email"}, Phones: []string{"telp"}, OwnerID: 999999,
			Consent: press.Consent{Status: "maybe"}})
		fields := fieldsOf(err)
		for _, k := range []string{"name", "emails", "phones", "owner_id", "consent_status"} {
			if fields[k] == "" {
				t.Errorf("no error for %s: %v", k, fields)
			}
		}
	})
}

func fieldsOf(err error) map[string]string {
	var we *web.Error
	if errors.As(err, &we) {
		return we.Fields
	}
	return nil
}

// Segments: every condition must hold (AND); any of a condition's values will do (OR). The
// count is live.
func TestSegments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		radio, err := f.s.CreateOutlet(ctx, f.ani, f.wsA, press.OutletInput{Name: "Suara Surabaya", Type: "radio", DewanPers: "factual"})
		if err != nil {
			t.Fatal(err)
		}
		f.add(t, f.wsA, press.ContactInput{Name: "Ani", Beats: []string{"kesehatan"}, Province: "Jawa Timur", Languages: []string{"id"},
			Outlets: []press.OutletRole{{OutletID: radio}}})
		f.add(t, f.wsA, press.ContactInput{Name: "Bayu", Beats: []string{"ekonomi"}, Province: "jawa timur", Languages: []string{"en", "id"},
			Outlets: []press.OutletRole{{Outlet: "Jawa Pos"}}})
		f.add(t, f.wsA, press.ContactInput{Name: "Citra", Beats: []string{"kesehatan"}, Province: "Jawa Barat", Languages: []string{"id"}})
		f.add(t, f.wsA, press.ContactInput{Name: "Dedi", Beats: []string{"olahraga"}, Province: "Jawa Timur", Languages: []string{"id"}})
		f.add(t, f.wsA, press.ContactInput{Name: "Eka", Beats: []string{"kesehatan"}, Province: "Jawa Timur", Languages: []string{"en"}})

		names := func(conds []press.Condition) []string {
			t.Helper()
			list, err := f.s.Contacts(ctx, f.wsA, press.Filter{Conditions: conds})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range list {
				out = append(out, c.Name)
			}
			return out
		}
		cases := []struct {
			conds []press.Condition
			want  []string
		}{
			{[]press.Condition{{Field: "beat", Values: []string{"Kesehatan"}}, {Field: "province", Values: []string{"Jawa Timur"}}, {Field: "language", Values: []string{"id"}}},
				[]string{"Ani"}},
			{[]press.Condition{{Field: "beat", Values: []string{"kesehatan", "ekonomi"}}, {Field: "province", Values: []string{"Jawa Timur"}}, {Field: "language", Values: []string{"id"}}},
				[]string{"Ani", "Bayu"}},
			{[]press.Condition{{Field: "outlet_type", Values: []string{"radio", "print"}}}, []string{"Ani"}},
			{[]press.Condition{{Field: "dewan_pers", Values: []string{"unverified"}}}, []string{"Bayu"}},
			{[]press.Condition{{Field: "outlet", Values: []string{fmt.Sprint(radio)}}}, []string{"Ani"}},
			{[]press.Condition{{Field: "country", Values: []string{"id"}}, {Field: "beat", Values: []string{"olahraga"}}}, []string{"Dedi"}},
			{nil, []string{"Ani", "Bayu", "Citra", "Dedi", "Eka"}},
		}
		for _, c := range cases {
			if got := names(c.conds); !slices.Equal(got, c.want) {
				t.Errorf("%v: got %v, want %v", c.conds, got, c.want)
			}
		}
		id, err := f.s.SaveSegment(ctx, f.ani, f.wsA, 0, "Kesehatan Jatim", cases[1].conds)
		if err != nil {
			t.Fatal(err)
		}
		choices, err := f.s.SegmentChoices(ctx, f.wsA)
		if err != nil || len(choices) != 1 || choices[0].Count != 2 {
			t.Fatalf("segment choices: %v %v", choices, err)
		}
		f.add(t, f.wsA, press.ContactInput{Name: "Fajar", Beats: []string{"ekonomi"}, Province: "Jawa Timur", Languages: []string{"id"}})
		if sg, _ := f.s.Segment(ctx, f.wsA, id); sg.Count != 3 {
			t.Errorf("live count after a new contact: %d, want 3", sg.Count)
		}
		if _, err := f.s.SaveSegment(ctx, f.ani, f.wsA, 0, "Salah", []press.Condition{{Field: "password", Values: []string{"x"}}}); !errors.Is(err, press.ErrBadCondition) {
			t.Errorf("unknown field: %v", err)
		}
	})
}

// A distribution's audience: everyone on the lists and in the segments once, every address once,
// and each skipped recipient with the reason a person would give.
func TestAudience(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		c := func(name, email string, mod ...func(*press.ContactInput)) int64 {
			in := press.ContactInput{Name: name, Beats: []string{"kesehatan"}, Languages: []string{"jv", "en"}, Outlets: []press.OutletRole{{Outlet: "Tempo"}}}
			if email != "" {
				in.Emails = []string{email}
			}
			for _, m := range mod {
				m(&in)
			}
			return f.add(t, f.wsA, in)
		}
		ani := c("Ani", "ani@tempo.example", func(in *press.ContactInput) { in.Salutation = "Ibu" })
		desk1 := c("Meja Redaksi 1", "redaksi@tempo.example")
		desk2 := c("Meja Redaksi 2", "REDAKSI@tempo.example", func(in *press.ContactInput) { in.DoNotContact = true })
		c("Budi", "budi@tempo.example")
		c("Citra", "citra@tempo.example")
		c("Dedi", "dedi@tempo.example", func(in *press.ContactInput) { in.DoNotContact = true })
		c("Eka", "eka@tempo.example", func(in *press.ContactInput) { in.Consent = press.Consent{Status: "withdrawn", Basis: "consent"} })
		noMail := c("Fajar", "")
		gita := c("Gita", "gita@tempo.example")
		c("Hadi", "hadi@other.example", func(in *press.ContactInput) { in.Beats = []string{"olahraga"} })

		if err := f.s.AddSuppression(ctx, f.ani, f.wsA, "citra@tempo.example", "minta lewat telepon"); err != nil {
			t.Fatal(err)
		}
		f.tx(t, func(tx *db.Tx) error {
			return f.s.Bounce(ctx, tx, f.wsA, "budi@tempo.example", true, "550 no such user")
		})
		f.tx(t, func(tx *db.Tx) error { return f.s.Unsubscribe(ctx, tx, f.wsA, gita, "", "link in email") })

		var list int64
		f.tx(t, func(tx *db.Tx) error {
			var err error
			list, err = f.s.CreateList(ctx, tx, f.ani, f.wsA, "Tempo")
			return err
		})
		if n, err := f.s.AddToList(ctx, f.ani, f.wsA, list, []int64{ani, desk1, desk2, noMail}); err != nil || n != 4 {
			t.Fatalf("add to list: %d %v", n, err)
		}
		seg, err := f.s.SaveSegment(ctx, f.ani, f.wsA, 0, "Kesehatan", []press.Condition{{Field: "beat", Values: []string{"kesehatan"}}})
		if err != nil {
			t.Fatal(err)
		}
		got := f.audience(t, f.wsA, []int64{list}, []int64{seg})
		want := map[string]string{"ani@tempo.example": "", "redaksi@tempo.example": "do_not_contact", "budi@tempo.example": "bounced",
			"citra@tempo.example": "suppressed", "dedi@tempo.example": "do_not_contact", "eka@tempo.example": "unsubscribed",
			fmt.Sprintf("#%d", noMail): "no_email", "gita@tempo.example": "unsubscribed"}
		if len(got) != len(want) {
			t.Errorf("audience has %d recipients, want %d: %v", len(got), len(want), got)
		}
		for k, skip := range want {
			if r, ok := got[k]; !ok || r.Skip != skip {
				t.Errorf("%s: %+v, want skip %q", k, r, skip)
			}
		}
		if r := got["ani@tempo.example"]; r.Name != "Ani" || r.Salutation != "Ibu" || r.Outlet != "Tempo" || r.Language != "en" {
			t.Errorf("ani as a recipient: %+v", r)
		}
		send, skip, err := f.s.AudienceCount(ctx, f.wsA, []int64{list}, []int64{seg})
		if err != nil || send != 1 || skip != 7 {
			t.Errorf("count: send %d skip %d %v; want 1 and 7", send, skip, err)
		}
		if n, _ := f.s.ContactsByEmail(ctx, f.wsA, "Redaksi@Tempo.example"); len(n) != 2 {
			t.Errorf("contacts by email: %v", n)
		}
	})
}

// Unsubscribing suppresses the address for good: the next audience skips it, the timeline says it
// once, and no import — new contact or merge, with "granted" in the file — brings it back.
func TestUnsubscribeSticks(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		id := f.add(t, f.wsA, press.ContactInput{Name: "Rina", Emails: []string{"rina@detik.example"}, Consent: press.Consent{Status: "granted", Basis: "consent"}})
		seg, _ := f.s.SaveSegment(ctx, f.ani, f.wsA, 0, "Semua", nil)
		if got := f.audience(t, f.wsA, nil, []int64{seg}); got["rina@detik.example"].Skip != "" {
			t.Fatalf("before: %+v", got)
		}
		for range 2 {
			f.tx(t, func(tx *db.Tx) error {
				return f.s.Unsubscribe(ctx, tx, f.wsA, id, "rina@detik.example", "one-click unsubscribe")
			})
		}
		if got := f.audience(t, f.wsA, nil, []int64{seg}); got["rina@detik.example"].Skip != "unsubscribed" {
			t.Errorf("after: %+v", got)
		}
		tl, _ := f.s.Timeline(ctx, f.wsA, id, 0)
		n := 0
		for _, e := range tl {
			if e.Kind == "unsubscribed" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("timeline says unsubscribed %d times", n)
		}
		if _, err := f.s.AddSuppression(ctx, f.ani, f.wsA, "rina@detik.example", ""), error(nil); err != nil {
			t.Fatal(err)
		}
		sups, _ := f.s.Suppressions(ctx, f.wsA, press.SuppressionFilter{Query: "rina"})
		if len(sups) != 1 || sups[0].Reason != "unsubscribed" {
			t.Fatalf("suppressions: %+v", sups)
		}
		if err := f.s.RemoveSuppression(ctx, f.ani, f.wsA, sups[0].ID); !errors.Is(err, press.ErrUnsubscribedStays) {
			t.Errorf("removing an unsubscribed address: %v", err)
		}
		granted := press.Consent{Status: "granted", Basis: "consent"}
		var res press.ImportResult
		f.tx(t, func(tx *db.Tx) error {
			var err error
			res, err = f.s.ApplyImport(ctx, tx, f.ani, f.wsA, []press.ImportRow{
				{Input: press.ContactInput{Name: "Rina W.", Emails: []string{"RINA@detik.example"}, Consent: granted}},
				{Input: press.ContactInput{Name: "Rina", Emails: []string{"rina@detik.example"}, Consent: granted, Notes: "dari berkas"}, MergeInto: id},
			}, 0, "cision.csv")
			return err
		})
		if res.Created != 1 || res.Merged != 1 {
			t.Fatalf("import: %+v", res)
		}
		for _, cid := range res.ContactIDs {
			c, _ := f.s.Contact(ctx, f.wsA, cid)
			if c.Consent.Status != "withdrawn" {
				t.Errorf("contact %d after import: consent %s", cid, c.Consent.Status)
			}
		}
		if reason, _ := f.s.Suppressed(ctx, f.wsA, "rina@detik.example"); reason != "unsubscribed" {
			t.Errorf("suppression after import: %q", reason)
		}
		if send, _, _ := f.s.AudienceCount(ctx, f.wsA, nil, []int64{seg}); send != 0 {
			t.Errorf("import brought an unsubscribed address back: %d to send", send)
		}
		err := f.s.UpdateContact(ctx, f.ani, f.wsA, id, press.ContactInput{Name: "Rina", Emails: []string{"rina@detik.example"}, Consent: granted})
		if fieldsOf(err)["consent_status"] != "press.error.consent_unsubscribed" {
			t.Errorf("an edit re-granted consent: %v", err)
		}
		// The person's own confirmation is the one way back.
		f.tx(t, func(tx *db.Tx) error {
			return f.s.Resubscribe(ctx, tx, f.wsA, "rina@detik.example", "confirmation link")
		})
		if send, _, _ := f.s.AudienceCount(ctx, f.wsA, nil, []int64{seg}); send != 1 {
			t.Errorf("after resubscribing: %d to send, want 1 (two contacts, one address)", send)
		}
	})
}

// Erasure removes the name, address, phone and notes from every table, keeps the events as
// anonymous counts and the address suppressed as a hash; a later import of the same address
// stays suppressed. Both export and erasure are in the audit log.
func TestErasure(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		const name, email, phone, note = "Rahmawati Kusumadewi", "rahma.kusuma@tempo.example", "+6281399887766", "suka kopi tubruk"
		id := f.add(t, f.wsA, press.ContactInput{Name: name, Emails: []string{email}, Phones: []string{phone}, Notes: note,
			Outlets: []press.OutletRole{{Outlet: "Tempo", Role: "Wartawan"}}, Labels: []string{"Rahmawati-VIP"}})
		list, _ := f.s.NewList(ctx, f.ani, f.wsA, "Tempo", "")
		f.s.AddToList(ctx, f.ani, f.wsA, list, []int64{id})
		f.tx(t, func(tx *db.Tx) error {
			return f.s.RecordEvent(ctx, tx, f.wsA, id, press.Event{Kind: "replied", Title: "Re: Siaran pers", Detail: "Terima kasih, Rahmawati di sini"})
		})
		if err := f.s.LogEvent(ctx, f.ani, f.wsA, id, press.Event{Kind: "call", Title: "Telepon Rahmawati soal liputan"}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.UpdateContact(ctx, f.ani, f.wsA, id, press.ContactInput{Name: name + " S.", Emails: []string{email}, Phones: []string{phone}, Notes: note}); err != nil {
			t.Fatal(err)
		}
		x, err := f.s.ExportContact(ctx, f.ani, f.wsA, id)
		if err != nil || x.Contact.Name != name+" S." || len(x.Events) < 2 || len(x.Lists) != 1 {
			t.Fatalf("export: %+v %v", x, err)
		}
		peer := &eraser{}
		f.s.AddEraser(peer)
		if err := f.s.Erase(ctx, f.ani, f.wsA, id); err != nil {
			t.Fatal(err)
		}
		if peer.contact != id || len(peer.emails) != 1 || peer.emails[0] != email {
			t.Errorf("the other packages were told %d %v", peer.contact, peer.emails)
		}
		for _, s := range []string{"Rahmawati", "rahma.kusuma", phone, "81399887766", note} {
			if where := findAnywhere(t, f.d, s); where != "" {
				t.Errorf("%q is still held in %s", s, where)
			}
		}
		if _, err := f.s.Contact(ctx, f.wsA, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("erased contact still found: %v", err)
		}
		var anon int
		f.d.QueryRow(ctx, `SELECT COUNT(*) FROM press_events WHERE workspace_id = ? AND contact_id IS NULL AND kind IN ('replied', 'call')`, f.wsA).Scan(&anon)
		if anon != 2 {
			t.Errorf("%d anonymous events kept, want 2", anon)
		}
		if reason, _ := f.s.Suppressed(ctx, f.wsA, email); reason != "erased" {
			t.Errorf("erased address suppressed as %q", reason)
		}
		f.tx(t, func(tx *db.Tx) error {
			_, err := f.s.ApplyImport(ctx, tx, f.ani, f.wsA, []press.ImportRow{{Input: press.ContactInput{Name: "R. K.", Emails: []string{email}}}}, list, "lama.csv")
			return err
		})
		if got := f.audience(t, f.wsA, []int64{list}, nil); got[email].Skip != "suppressed" {
			t.Errorf("re-imported erased address: %+v", got)
		}
		entries, _ := audit.List(ctx, f.d, f.wsA, audit.Filter{Action: "press.contact_e"})
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		if !slices.Contains(actions, "press.contact_erased") || !slices.Contains(actions, "press.contact_exported") {
			t.Errorf("audit: %v", actions)
		}
	})
}

// eraser stands for another package holding personal data; it notes what it was asked to erase.
type eraser struct {
	contact int64
	emails  []string
}

func (e *eraser) EraseContact(ctx context.Context, tx *db.Tx, wsID, contactID int64, emails []string) error {
	e.contact, e.emails = contactID, emails
	return nil
}

// findAnywhere names the table and column holding s in any text of the database, "" when none.
func findAnywhere(t *testing.T, d *db.DB, s string) string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	if d.Engine == db.SQLite {
		q = `SELECT name FROM sqlite_master WHERE type = 'table'`
	}
	rows, err := d.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	needle := strings.ToLower(s)
	for _, tb := range tables {
		r, err := d.Query(ctx, `SELECT * FROM `+tb)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var text string
				switch x := v.(type) {
				case string:
					text = x
				case []byte:
					text = string(x)
				}
				if strings.Contains(strings.ToLower(text), needle) {
					r.Close()
					return tb + "." + cols[i]
				}
			}
		}
		r.Close()
	}
	return ""
}

// Nothing crosses workspaces: contacts, lists, segments, events and suppressions of one are not
// seen or touched from another.
func TestWorkspaceIsolation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		id := f.add(t, f.wsA, press.ContactInput{Name: "Ani", Emails: []string{"ani@a.example"}, Beats: []string{"kesehatan"}, Outlets: []press.OutletRole{{Outlet: "Kompas"}}})
		f.add(t, f.wsB, press.ContactInput{Name: "Ani B", Emails: []string{"ani@a.example"}, Beats: []string{"kesehatan"}})
		if _, err := f.s.Contact(ctx, f.wsB, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("contact of A read from B: %v", err)
		}
		listB, _ := f.s.NewList(ctx, f.ani, f.wsB, "B", "")
		if n, _ := f.s.AddToList(ctx, f.ani, f.wsB, listB, []int64{id}); n != 0 {
			t.Errorf("B's list took A's contact")
		}
		err := f.d.Tx(ctx, func(tx *db.Tx) error {
			return f.s.RecordEvent(ctx, tx, f.wsB, id, press.Event{Kind: "note", Title: "x"})
		})
		if !errors.Is(err, db.ErrNotFound) {
			t.Errorf("event on A's contact from B: %v", err)
		}
		if err := f.s.UpdateContact(ctx, f.ani, f.wsB, id, press.ContactInput{Name: "Diubah"}); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("update of A's contact from B: %v", err)
		}
		if err := f.s.Erase(ctx, f.ani, f.wsB, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("erase of A's contact from B: %v", err)
		}
		f.tx(t, func(tx *db.Tx) error { return f.s.Unsubscribe(ctx, tx, f.wsA, id, "", "link") })
		segB, _ := f.s.SaveSegment(ctx, f.ani, f.wsB, 0, "Kesehatan", []press.Condition{{Field: "beat", Values: []string{"kesehatan"}}})
		if got := f.audience(t, f.wsB, nil, []int64{segB}); len(got) != 1 || got["ani@a.example"].Skip != "" || got["ani@a.example"].Name != "Ani B" {
			t.Errorf("B's audience: %+v", got)
		}
		segA, _ := f.s.SaveSegment(ctx, f.ani, f.wsA, 0, "Kesehatan", []press.Condition{{Field: "beat", Values: []string{"kesehatan"}}})
		if err := f.s.Audience(ctx, f.wsB, nil, []int64{segA}, func(press.Recipient) error { return nil }); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("A's segment used from B: %v", err)
		}
		if outs, _ := f.s.Outlets(ctx, f.wsB, press.OutletFilter{}); len(outs) != 0 {
			t.Errorf("B sees outlets %v", outs)
		}
		if names, _ := f.s.ContactNames(ctx, f.wsB, []int64{id}); len(names) != 0 {
			t.Errorf("B reads A's names %v", names)
		}
		if m, _ := f.s.Matches(ctx, f.wsB, []press.ContactInput{{Name: "Ani", Outlets: []press.OutletRole{{Outlet: "Kompas"}}}}); len(m[0]) != 0 {
			t.Errorf("B matches A's contact: %v", m)
		}
	})
}

// An import of 50,000 rows with duplicates to merge runs in one transaction, in batches, and
// matches find existing contacts by email, phone, or name and outlet.
func TestImportLarge(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		f := setup(t, engine)
		ctx := context.Background()
		old := f.add(t, f.wsA, press.ContactInput{Name: "Wartawan 7", Phones: []string{"081200000007"}, Outlets: []press.OutletRole{{Outlet: "Media 7"}}})
		m, err := f.s.Matches(ctx, f.wsA, []press.ContactInput{
			{Name: "x", Phones: []string{"+62 812 0000 0007"}},
			{Name: " wartawan  7", Outlets: []press.OutletRole{{Outlet: "MEDIA 7"}}},
			{Name: "wartawan 7", Outlets: []press.OutletRole{{Outlet: "Media 8"}}},
		})
		if err != nil || len(m[0]) != 1 || m[0][0].Reason != "phone" || len(m[1]) != 1 || m[1][0].Reason != "name_outlet" || m[1][0].Outlet != "Media 7" || len(m[2]) != 0 {
			t.Fatalf("matches: %+v %v", m, err)
		}
		n := 50000
		if testing.Short() {
			n = 2000
		}
		rows := make([]press.ImportRow, n)
		for i := range rows {
			rows[i].Input = press.ContactInput{Name: fmt.Sprintf("Wartawan %d", i), Emails: []string{fmt.Sprintf("w%d@media%d.example", i, i%50)},
				Phones: []string{fmt.Sprintf("0812%08d", i)}, Outlets: []press.OutletRole{{Outlet: fmt.Sprintf("Media %d", i%50), Role: "Wartawan"}},
				Beats: []string{"ekonomi", "politik"}, Languages: []string{"id"}, Province: "DKI Jakarta"}
		}
		rows[7].MergeInto = old
		start := time.Now()
		var res press.ImportResult
		list, _ := f.s.NewList(ctx, f.ani, f.wsA, "Impor", "")
		f.tx(t, func(tx *db.Tx) error {
			var err error
			res, err = f.s.ApplyImport(ctx, tx, f.ani, f.wsA, rows, list, "besar.csv")
			return err
		})
		t.Logf("%s: %d rows imported in %s", engine, n, time.Since(start))
		if res.Created != n-1 || res.Merged != 1 || len(res.ContactIDs) != n {
			t.Fatalf("result: created %d merged %d", res.Created, res.Merged)
		}
		c, _ := f.s.Contact(ctx, f.wsA, res.ContactIDs[123])
		if c.Name != "Wartawan 123" || c.Email() != "w123@media23.example" || c.Outlet() != "Media 23" || c.Phones[0] != "+6281200000123" {
			t.Errorf("row 123 became %+v", c)
		}
		merged, _ := f.s.Contact(ctx, f.wsA, old)
		if merged.Name != "Wartawan 7" || merged.Email() != "w7@media7.example" || merged.Province != "DKI Jakarta" || merged.Phones[0] != "+6281200000007" {
			t.Errorf("merged contact: %+v", merged)
		}
		if l, _ := f.s.List(ctx, f.wsA, list); l.Count != n {
			t.Errorf("list has %d", l.Count)
		}
		start = time.Now()
		send, skip, err := f.s.AudienceCount(ctx, f.wsA, []int64{list}, nil)
		t.Logf("%s: audience of %d in %s", engine, send+skip, time.Since(start))
		if err != nil || send != n || skip != 0 {
			t.Errorf("audience: send %d skip %d %v", send, skip, err)
		}
		if outs, _ := f.s.Outlets(ctx, f.wsA, press.OutletFilter{}); len(outs) != 50 {
			t.Errorf("%d outlets", len(outs))
		}
	})
}
