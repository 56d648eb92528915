package distribute

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/jobs"
	"warta.dev/warta/internal/platform/mail/smtptest"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
)

// contacts is a small stand-in for the contacts domain: people in one list, and what the
// distribution told it (timeline events, unsubscribes, bounces).
type contacts struct {
	mu           sync.Mutex
	people       []Contact
	during       func() // when set, runs once as the audience is read
	events       map[int64][]Event
	unsubscribed map[string]bool
	bounced      map[string]bool
}

func newContacts(people ...Contact) *contacts {
	return &contacts{people: people, events: map[int64][]Event{}, unsubscribed: map[string]bool{}, bounced: map[string]bool{}}
}

func (c *contacts) Audience(_ context.Context, _ int64, _, _ []int64, fn func(Contact) error) error {
	c.mu.Lock()
	people, during := append([]Contact(nil), c.people...), c.during
	c.during = nil
	c.mu.Unlock()
	if during != nil {
		during()
	}
	for _, p := range people {
		if c.unsubscribed[p.Email] {
			p.Skip = "unsubscribed"
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func (c *contacts) Count(ctx context.Context, wsID int64, l, s []int64) (send, skip int, err error) {
	err = c.Audience(ctx, wsID, l, s, func(p Contact) error {
		if p.Skip != "" {
			skip++
		} else {
			send++
		}
		return nil
	})
	return
}

func (c *contacts) Lists(context.Context, int64) ([]Choice, error) {
	return []Choice{{ID: 1, Name: "Jurnalis kesehatan", Count: len(c.people)}}, nil
}
func (c *contacts) Segments(context.Context, int64) ([]Choice, error) { return nil, nil }

func (c *contacts) Record(_ context.Context, _ *db.Tx, _ int64, id int64, e Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events[id] = append(c.events[id], e)
	return nil
}

func (c *contacts) RecordMany(ctx context.Context, tx *db.Tx, wsID int64, ids []int64, e Event) error {
	for _, id := range ids {
		if err := c.Record(ctx, tx, wsID, id, e); err != nil {
			return err
		}
	}
	return nil
}

func (c *contacts) Unsubscribe(_ context.Context, _ *db.Tx, _ int64, _ int64, email, _ string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unsubscribed[email] = true
	return nil
}

func (c *contacts) Bounce(_ context.Context, _ *db.Tx, _ int64, email string, hard bool, _ string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bounced[email] = hard
	return nil
}

// letters is a stand-in for releases: release 7 exists in Indonesian and English.
type letters struct{}

func (letters) Letter(_ context.Context, _ int64, _ Ref, lang string) (*Letter, error) {
	if lang == "en" {
		return &Letter{Lang: "en", Subject: "EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB: Free health checks",
			HTML: `<p><strong>EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB</strong></p><p>For {{outlet}}: see <a href="https://kota.example/cek">the schedule</a>.</p>`,
			Text: "EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB\n\nFor {{outlet}}: see https://kota.example/cek."}, nil
	}
	return &Letter{Lang: "id", Subject: "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB: Cek kesehatan gratis",
		HTML: `<p><strong>EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB</strong></p><p>Untuk {{outlet}}: lihat <a href="https://kota.example/cek">jadwalnya</a>.</p>`,
		Text: "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB\n\nUntuk {{outlet}}: lihat https://kota.example/cek."}, nil
}
func (letters) Languages(context.Context, int64, Ref) ([]string, error) {
	return []string{"id", "en"}, nil
}
func (letters) Sendable(context.Context, int64, Ref) error { return nil }
func (letters) Choices(context.Context, int64, string) ([]Choice, error) {
	return []Choice{{ID: 7, Name: "Cek kesehatan gratis"}}, nil
}
func (letters) Delivered(context.Context, *db.Tx, int64, Ref, int64, time.Time) error { return nil }

type rig struct {
	s    *Service
	d    *db.DB
	q    *jobs.Queue
	sink *smtptest.Server
	c    *contacts
	ws   int64
}

// newRig gives a started distribution service sending through a loopback SMTP server that
// requires a sign-in.
func newRig(t *testing.T, engine db.Dialect, c *contacts) *rig {
	return newRigWith(t, engine, c, nil, true)
}

// newRigWith gives the service with the newsroom's subscribers subs; unless start, nothing works
// its jobs, so a test takes each step itself.
func newRigWith(t *testing.T, engine db.Dialect, c *contacts, subs Subscribers, start bool) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, Migrations)
	if err := jobs.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(d, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	b, err := i18n.NewBundle(catalog.Common, Catalog)
	if err != nil {
		t.Fatal(err)
	}
	sink, err := smtptest.Start(smtptest.Options{User: "humas", Password: "rahasia-123"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	s := New(Deps{DB: d, Queue: q, Keys: keys, Bundle: b, Audience: c, Sources: letters{}, Subscribers: subs, BaseURL: "https://warta.example",
		SigningKey: []byte("test-signing-key"), Server: &Server{Host: sink.Host, Port: sink.Port, TLS: TLSNone, User: "humas", Password: "rahasia-123", Connections: 4},
		From: "Humas Kota Sukamaju <humas@sukamaju.example>"}, Options{Lease: 3 * time.Second, Backoff: 200 * time.Millisecond, Tick: 50 * time.Millisecond})
	var ws int64
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, lang, timezone, created_at) VALUES ('humas', 'Humas', 'id', 'Asia/Jakarta', ?) RETURNING id`,
			time.Now().UTC()).Scan(&ws)
	}); err != nil {
		t.Fatal(err)
	}
	if !start {
		t.Cleanup(cancel)
		return &rig{s: s, d: d, q: q, sink: sink, c: c, ws: ws}
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		_ = q.Stop(context.Background())
	})
	return &rig{s: s, d: d, q: q, sink: sink, c: c, ws: ws}
}

func (r *rig) send(t *testing.T) *Distribution {
	t.Helper()
	d, err := r.s.Create(context.Background(), audit.Actor{Label: "test"}, r.ws, Input{Kind: KindRelease, ID: 7, Lists: []int64{1}}, false)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// wait polls until the distribution is done (or the test's patience ends).
func (r *rig) wait(t *testing.T, id int64, want State) *Distribution {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := r.s.Get(context.Background(), r.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.State == want {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("distribution is %s with %+v, want %s", d.State, d.Counts, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func journalists(n int) []Contact {
	out := make([]Contact, n)
	for i := range out {
		out[i] = Contact{ContactID: int64(i + 1), Email: fmt.Sprintf("jurnalis%d@media%d.example", i, i%7), Name: fmt.Sprintf("Jurnalis %d", i),
			Outlet: fmt.Sprintf("Media %d", i%7), Language: "id"}
	}
	return out
}

// parts reads the text and HTML parts of a received message.
func parts(t *testing.T, raw []byte) (*mail.Message, string, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var text, html string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			html = string(b)
		} else {
			text = string(b)
		}
	}
	return m, text, html
}

func TestEachRecipientGetsOnePersonalMessage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		people := journalists(1200)
		people[3].Salutation, people[3].Name, people[3].Outlet = "Ibu", "Sari Wulandari", "Kompas"
		people[4].Language, people[4].Name, people[4].Outlet = "en", "Dewi Lestari", "The Jakarta Post"
		people[5].Skip = "do_not_contact"
		people[6].Email, people[6].Skip = "", "no_email"
		people = append(people, Contact{ContactID: 9999, Email: "bukan-alamat", Name: "Salah Ketik"})
		r := newRig(t, engine, newContacts(people...))
		d := r.wait(t, r.send(t).ID, Done)

		if d.Counts.Sent != 1198 || d.Counts.Skipped != 3 || d.Counts.Uncertain != 0 || d.Counts.Failed != 0 {
			t.Fatalf("counts %+v, want 1198 sent and 3 skipped", d.Counts)
		}
		if d.Counts.Skips["do_not_contact"] != 1 || d.Counts.Skips["no_email"] != 1 || d.Counts.Skips["invalid_email"] != 1 {
			t.Errorf("skips by reason %v", d.Counts.Skips)
		}
		got := map[string]int{}
		var sari, dewi []byte
		for _, m := range r.sink.Messages() {
			got[m.To]++
			switch m.To {
			case people[3].Email:
				sari = m.Data
			case people[4].Email:
				dewi = m.Data
			}
		}
		if len(got) != 1198 {
			t.Fatalf("the server got mail for %d addresses, want 1198", len(got))
		}
		for to, n := range got {
			if n != 1 {
				t.Errorf("%s got %d messages", to, n)
			}
		}
		m, text, html := parts(t, sari)
		if !strings.Contains(text, "Yth. Ibu Sari Wulandari,") || !strings.Contains(html, "Untuk Kompas") {
			t.Errorf("Sari's message is not personal:\n%s", text)
		}
		if subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); !strings.HasPrefix(subj, "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB") {
			t.Errorf("subject %q", subj)
		}
		if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(m.Header.Get("List-Unsubscribe"), "<https://warta.example/m/") {
			t.Errorf("one-click unsubscribe headers: %q %q", m.Header.Get("List-Unsubscribe"), m.Header.Get("List-Unsubscribe-Post"))
		}
		if !strings.Contains(html, "https://warta.example/m/") || strings.Contains(html, `href="https://kota.example/cek"`) {
			t.Errorf("links are not tracked through Warta:\n%s", html)
		}
		_, text, _ = parts(t, dewi)
		if !strings.Contains(text, "Dear Dewi Lestari,") || !strings.Contains(text, "EMBARGOED UNTIL Thursday") {
			t.Errorf("Dewi reads English and got:\n%s", text)
		}
		if n := len(r.c.events[4]); n != 1 || r.c.events[4][0].Kind != "release_sent" {
			t.Errorf("Sari's timeline has %v", r.c.events[4])
		}
	})
}

func TestUnsubscribeTakesEffectAtOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		people := journalists(3)
		r := newRig(t, engine, newContacts(people...))
		d := r.wait(t, r.send(t).ID, Done)
		recipients, err := r.s.Recipients(context.Background(), r.ws, d.ID, RecipientFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.s.Unsubscribe(context.Background(), "1-forged"); err == nil {
			t.Fatal("a forged token unsubscribed someone")
		}
		ref, err := r.s.Unsubscribe(context.Background(), r.s.tokens.token(recipients[0].ID))
		if err != nil {
			t.Fatal(err)
		}
		if ref.Email != people[0].Email || !r.c.unsubscribed[people[0].Email] {
			t.Fatalf("unsubscribed %+v; contacts know %v", ref, r.c.unsubscribed)
		}
		next := r.wait(t, r.send(t).ID, Done)
		if next.Counts.Sent != 2 || next.Counts.Skips["unsubscribed"] != 1 {
			t.Errorf("the next send: %+v", next.Counts)
		}
	})
}

func TestRefusalsBecomeBouncesAndRetries(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		people := journalists(20)
		r := newRig(t, engine, newContacts(people...))
		r.sink.Refuse(func(to string) *smtp.SMTPError {
			if to == people[2].Email {
				return smtptest.NoSuchMailbox
			}
			return nil
		})
		r.sink.RefuseData(3)
		d := r.wait(t, r.send(t).ID, Done)
		if d.Counts.Sent != 19 || d.Counts.Bounced != 1 {
			t.Fatalf("counts %+v, want 19 sent (3 after a retry) and 1 bounced", d.Counts)
		}
		if hard, ok := r.c.bounced[people[2].Email]; !ok || !hard {
			t.Errorf("the hard bounce was not told to the contacts: %v", r.c.bounced)
		}
		if len(r.sink.Messages()) != 19 {
			t.Errorf("the server holds %d messages", len(r.sink.Messages()))
		}
	})
}

func TestWrongPasswordStopsAndSaysSo(t *testing.T) {
	r := newRig(t, db.SQLite, newContacts(journalists(5)...))
	r.s.server0.Password = "salah"
	d := r.send(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := r.s.Problem(context.Background(), r.ws, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p == "distribute.problem.smtp_auth" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("problem %q", p)
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, _ := r.s.Get(context.Background(), r.ws, d.ID)
	if got.Counts.Queued != 5 || len(r.sink.Messages()) != 0 {
		t.Errorf("counts %+v", got.Counts)
	}
}

// A server that refuses to relay for this account refuses every recipient with 5.7.1: nobody is
// bounced or suppressed, and sending stops with the reason for a person to fix.
func TestRelayRefusalSuppressesNobody(t *testing.T) {
	r := newRig(t, db.SQLite, newContacts(journalists(30)...))
	r.sink.Refuse(func(string) *smtp.SMTPError {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relay access denied"}
	})
	d := r.send(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := r.s.Problem(context.Background(), r.ws, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p == "distribute.problem.smtp_policy" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("problem %q", p)
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, _ := r.s.Get(context.Background(), r.ws, d.ID)
	if got.Counts.Bounced != 0 || got.Counts.Failed != 0 || len(r.c.bounced) != 0 {
		t.Errorf("a relay refusal bounced people: %+v, contacts told %v", got.Counts, r.c.bounced)
	}
	// Once the server relays again, everyone gets the release.
	r.sink.Refuse(nil)
	if d := r.wait(t, d.ID, Done); d.Counts.Sent != 30 {
		t.Errorf("after the fix: %+v", d.Counts)
	}
}
