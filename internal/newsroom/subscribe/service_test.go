package subscribe_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/secrets"
	"warta.dev/warta/internal/platform/web"
)

func actor() audit.Actor { return audit.Actor{UserID: 0, Label: "owner@humas.example"} }

// audience is who Audience gives for topics, by email.
func (st *site) audience(wsID int64, topics ...int64) []string {
	st.t.Helper()
	var out []string
	err := st.s.Audience(context.Background(), wsID, topics, func(s subscribe.Subscriber) error {
		out = append(out, s.Email)
		return nil
	})
	if err != nil {
		st.t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func (st *site) count(q string, args ...any) int {
	st.t.Helper()
	var n int
	if err := st.d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		st.t.Fatal(err)
	}
	return n
}

// A visitor subscribes: the address waits, pending, with one confirmation email in their language
// that names the newsroom, carries the link and says nothing comes without confirming; only the
// token's hash is kept. Opening the link confirms them with the consent words they read; the link
// then works no more.
func TestDoubleOptIn(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		ws := st.ws.ID
		st.subscribe(request(ws, "  Rina@Kompas.Example ", "Rina Kusuma", "id", health, education, 99))

		ms := st.mails(ws, "rina@kompas.example")
		if len(ms) != 1 {
			t.Fatalf("%d emails", len(ms))
		}
		m := ms[0]
		if m.Subject != "Konfirmasi langganan newsroom Pemkot Sukamaju" || m.Kind != "newsroom_subscribe_confirm" {
			t.Errorf("email: %q %q", m.Subject, m.Kind)
		}
		if strings.Contains(m.Text, "Rina Kusuma") || strings.Contains(m.HTML, "Rina Kusuma") {
			t.Error("the email carries the name typed on the form")
		}
		for _, want := range []string{"Halo,", "newsroom (pusat media) Pemkot Sukamaju", "Topik: Kesehatan, Pendidikan.",
			"dalam 7 hari", "Kami tidak akan mengirim apa pun kepada Anda sebelum Anda mengonfirmasi."} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("the email's text lacks %q:\n%s", want, m.Text)
			}
		}
		token := st.token(ws, "rina@kompas.example")
		if !strings.Contains(m.HTML, `href="`+confirmURL(token)+`"`) || !strings.Contains(m.HTML, "Konfirmasi langganan saya") ||
			!strings.Contains(m.HTML, "<!DOCTYPE html>") {
			t.Errorf("the email's HTML lacks the button or the layout:\n%s", m.HTML)
		}
		if n := st.count(`SELECT COUNT(*) FROM newsroom_subscribe_requests WHERE token_hash = ?`, token); n != 0 {
			t.Error("the token itself is stored")
		}
		if n := st.count(`SELECT COUNT(*) FROM newsroom_subscribe_requests WHERE token_hash = ?`, secrets.HashToken(token)); n != 1 {
			t.Errorf("%d requests carry the token's hash", n)
		}

		list, err := st.s.List(ctx, ws, subscribe.Filter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v %+v", err, list)
		}
		if p := list[0]; p.State != subscribe.Pending || p.Email != "rina@kompas.example" || !reflect.DeepEqual(p.Topics, []int64{health, education}) ||
			p.Consent.ConfirmedAt != nil {
			t.Errorf("pending subscriber: %+v", p)
		}
		if got := st.audience(ws); len(got) != 0 {
			t.Errorf("a pending address is in the audience: %v", got)
		}
		if n, _ := st.s.Count(ctx, ws); n != 0 {
			t.Errorf("count before confirming: %d", n)
		}

		p, err := st.s.Pending(ctx, token)
		if err != nil || p.Email != "rina@kompas.example" || p.Name != "Rina Kusuma" || p.WorkspaceID != ws || p.Lang != "id" {
			t.Fatalf("pending: %v %+v", err, p)
		}
		sub, err := st.s.Confirm(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		wantConsent := "Saya ingin menerima siaran pers Pemkot Sukamaju melalui email, sesuai topik yang saya pilih."
		if sub.State != subscribe.Confirmed || sub.Consent.ConfirmedAt == nil || !strings.HasPrefix(sub.Consent.Text, wantConsent) ||
			sub.Consent.Lang != "id" || !reflect.DeepEqual(sub.Topics, []int64{health, education}) {
			t.Errorf("confirmed: %+v", sub)
		}
		if got := st.audience(ws); !reflect.DeepEqual(got, []string{"rina@kompas.example"}) {
			t.Errorf("audience: %v", got)
		}
		if n, _ := st.s.Count(ctx, ws); n != 1 {
			t.Errorf("count: %d", n)
		}
		if _, err := st.s.Confirm(ctx, token); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("a used link: %v", err)
		}
		if _, err := st.s.Pending(ctx, token); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("a used link on the confirmation page: %v", err)
		}
		if _, err := st.s.Pending(ctx, "tidak-ada"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("an unknown link: %v", err)
		}
		if n := len(st.mails(ws, "rina@kompas.example")); n != 1 {
			t.Errorf("%d emails after confirming", n)
		}

		// In English, the email and the consent are in English.
		st.subscribe(request(ws, "jane@reuters.example", "", "en"))
		m = st.mails(ws, "jane@reuters.example")[0]
		if m.Subject != "Confirm your subscription to the Pemkot Sukamaju newsroom" || !strings.Contains(m.Text, "Hello,") ||
			!strings.Contains(m.Text, "Topics: all of them.") || !strings.Contains(m.Text, "Nothing will be sent to you unless you confirm.") {
			t.Errorf("English email: %q\n%s", m.Subject, m.Text)
		}
		sub, err = st.s.Confirm(ctx, st.token(ws, "jane@reuters.example"))
		if err != nil || !strings.HasPrefix(sub.Consent.Text, "I want to receive the press releases of Pemkot Sukamaju by email") || sub.Lang != "en" {
			t.Errorf("English consent: %v %+v", err, sub)
		}
	})
}

// A mistyped address is refused with a translated message; nothing is stored or sent.
func TestBadEmail(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		for _, e := range []string{"rina@kompas", "rina kompas.example", "", "Rina <rina@kompas.example>", "a@b.example\r\nBcc: x@y.example"} {
			err := st.s.Subscribe(ctx, request(st.ws.ID, e, "Rina", "id"))
			var we *web.Error
			if !errors.As(err, &we) || we.Key != "subscribe.error.email" || we.Fields["email"] != "subscribe.error.email" {
				t.Errorf("%q: %v", e, err)
				continue
			}
			if msg := st.bundle.Locale("id", nil).T(we.Key); msg != "Masukkan satu alamat email, misalnya nama@contoh.id." {
				t.Errorf("the message in Indonesian: %q", msg)
			}
		}
		err := st.s.Subscribe(ctx, request(st.ws.ID, "rina@kompas.example", strings.Repeat("Rina ", 60), "id"))
		if !errors.Is(err, subscribe.ErrName) {
			t.Errorf("a very long name: %v", err)
		}
		if n := st.count(`SELECT COUNT(*) FROM newsroom_subscribers`); n != 0 {
			t.Errorf("%d subscribers stored", n)
		}
		if ms, _ := st.mail.ListWorkspace(ctx, st.ws.ID, 0, 10); len(ms) != 0 {
			t.Errorf("%d emails sent", len(ms))
		}
	})
}

// Asking again within ten minutes sends no second email, and the link already sent confirms what
// was asked last; later, a new email goes. A link older than seven days opens nothing.
func TestRepeatAndExpiry(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		ws := st.ws.ID
		st.subscribe(request(ws, "budi@tempo.example", "Budi", "id", health))
		first := st.token(ws, "budi@tempo.example")
		st.subscribe(request(ws, "BUDI@tempo.example", "Budi Santoso", "id", transport))
		if n := len(st.mails(ws, "budi@tempo.example")); n != 1 {
			t.Fatalf("%d emails after asking twice at once", n)
		}
		p, err := st.s.Pending(ctx, first)
		if err != nil || p.Name != "Budi Santoso" || !reflect.DeepEqual(p.Topics, []int64{transport}) {
			t.Errorf("the first link after the repeat: %v %+v", err, p)
		}

		st.age(ws, "budi@tempo.example", 11*time.Minute)
		st.subscribe(request(ws, "budi@tempo.example", "Budi Santoso", "id", transport))
		if n := len(st.mails(ws, "budi@tempo.example")); n != 2 {
			t.Fatalf("%d emails eleven minutes later", n)
		}
		second := st.token(ws, "budi@tempo.example")
		if second == first {
			t.Error("the second email carries the first link")
		}

		// Eight days on, both links have expired.
		st.age(ws, "budi@tempo.example", 8*24*time.Hour)
		for _, tok := range []string{first, second} {
			if _, err := st.s.Pending(ctx, tok); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("an expired link on the page: %v", err)
			}
			if _, err := st.s.Confirm(ctx, tok); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("an expired link confirmed: %v", err)
			}
		}
		if got := st.audience(ws); len(got) != 0 {
			t.Errorf("audience: %v", got)
		}
		// Asking once more sends a fresh link that works.
		st.subscribe(request(ws, "budi@tempo.example", "Budi Santoso", "id", transport))
		if sub, err := st.s.Confirm(ctx, st.token(ws, "budi@tempo.example")); err != nil || sub.State != subscribe.Confirmed {
			t.Errorf("a fresh link: %v %+v", err, sub)
		}
	})
}

// The audience is the confirmed subscribers who take one of the release's topics, or every
// topic; an empty topic list takes every confirmed subscriber.
func TestAudienceTopics(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ws := st.ws.ID
		st.confirmed(request(ws, "a@health.example", "A", "id", health))
		st.confirmed(request(ws, "b@school.example", "B", "en", education))
		st.confirmed(request(ws, "c@all.example", "C", "id"))
		st.confirmed(request(ws, "d@both.example", "D", "id", health, transport))
		st.subscribe(request(ws, "e@pending.example", "E", "id", health))
		for _, c := range []struct {
			topics []int64
			want   []string
		}{
			{nil, []string{"a@health.example", "b@school.example", "c@all.example", "d@both.example"}},
			{[]int64{health}, []string{"a@health.example", "c@all.example", "d@both.example"}},
			{[]int64{education}, []string{"b@school.example", "c@all.example"}},
			{[]int64{transport, education}, []string{"b@school.example", "c@all.example", "d@both.example"}},
			{[]int64{77}, []string{"c@all.example"}},
		} {
			if got := st.audience(ws, c.topics...); !reflect.DeepEqual(got, c.want) {
				t.Errorf("topics %v: %v, want %v", c.topics, got, c.want)
			}
		}
		// The audience carries what a mail needs.
		_ = st.s.Audience(context.Background(), ws, []int64{education}, func(s subscribe.Subscriber) error {
			if s.Email == "b@school.example" && (s.Name != "B" || s.Lang != "en" || s.ID == 0) {
				t.Errorf("audience member: %+v", s)
			}
			return nil
		})
		stop := errors.New("enough")
		if err := st.s.Audience(context.Background(), ws, nil, func(subscribe.Subscriber) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("an error from fn: %v", err)
		}
	})
}

// Unsubscribing (from a release's link) ends the subscription and keeps the record of it; the
// person may subscribe again, and counts only once they confirm again. A confirmed subscriber who
// asks for other topics keeps theirs until they confirm.
func TestUnsubscribe(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		ws := st.ws.ID
		sub := st.confirmed(request(ws, "rina@kompas.example", "Rina", "id", health))
		st.confirmed(request(ws, "budi@tempo.example", "Budi", "id"))

		// Another topic asked for: unchanged until confirmed.
		st.age(ws, "rina@kompas.example", time.Hour)
		st.subscribe(request(ws, "rina@kompas.example", "Rina", "id", education))
		if got, _ := st.s.Get(ctx, ws, sub.ID); got.State != subscribe.Confirmed || !reflect.DeepEqual(got.Topics, []int64{health}) {
			t.Errorf("before confirming the change: %+v", got)
		}
		pendingLink := st.token(ws, "rina@kompas.example")

		err := st.d.Tx(ctx, func(tx *db.Tx) error {
			if err := st.s.Unsubscribe(ctx, tx, ws, "Rina@Kompas.example", "one_click"); err != nil {
				return err
			}
			return st.s.Unsubscribe(ctx, tx, ws, "nobody@nowhere.example", "link")
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.s.Get(ctx, ws, sub.ID)
		if err != nil || got.State != subscribe.Unsubscribed || got.Consent.UnsubscribedAt == nil || got.Consent.UnsubscribeSource != "one_click" ||
			got.Consent.ConfirmedAt == nil || got.Consent.Text == "" {
			t.Errorf("after unsubscribing: %v %+v", err, got)
		}
		if a := st.audience(ws); !reflect.DeepEqual(a, []string{"budi@tempo.example"}) {
			t.Errorf("audience: %v", a)
		}
		if _, err := st.s.Confirm(ctx, pendingLink); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("a link sent before unsubscribing still works: %v", err)
		}
		// A second unsubscribe keeps the first time.
		_ = st.d.Tx(ctx, func(tx *db.Tx) error { return st.s.Unsubscribe(ctx, tx, ws, "rina@kompas.example", "link") })
		if again, _ := st.s.Get(ctx, ws, sub.ID); !again.Consent.UnsubscribedAt.Equal(*got.Consent.UnsubscribedAt) || again.Consent.UnsubscribeSource != "one_click" {
			t.Errorf("unsubscribed twice: %+v", again.Consent)
		}

		// Subscribing again: still unsubscribed until the new link is opened.
		st.age(ws, "rina@kompas.example", time.Hour)
		st.subscribe(request(ws, "rina@kompas.example", "Rina", "en", transport))
		if back, _ := st.s.Get(ctx, ws, sub.ID); back.State != subscribe.Unsubscribed {
			t.Errorf("back before confirming: %s", back.State)
		}
		if a := st.audience(ws); slices.Contains(a, "rina@kompas.example") {
			t.Error("an unconfirmed return is in the audience")
		}
		back, err := st.s.Confirm(ctx, st.token(ws, "rina@kompas.example"))
		if err != nil || back.State != subscribe.Confirmed || back.Consent.UnsubscribedAt != nil || back.Lang != "en" ||
			!reflect.DeepEqual(back.Topics, []int64{transport}) || !strings.HasPrefix(back.Consent.Text, "I want to receive") {
			t.Errorf("back: %v %+v", err, back)
		}
	})
}

// The person's data comes out whole, with the consent record, and erasing it leaves nothing of
// them but an audit entry without their address.
func TestExportAndErase(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		ws := st.ws.ID
		sub := st.confirmed(request(ws, "rina@kompas.example", "Rina Kusuma", "id", health, education))
		st.confirmed(request(ws, "budi@tempo.example", "Budi", "id"))

		x, err := st.s.Export(ctx, actor(), ws, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(x)
		var doc map[string]any
		_ = json.Unmarshal(raw, &doc)
		s := doc["subscriber"].(map[string]any)
		consent := s["consent"].(map[string]any)
		if s["email"] != "rina@kompas.example" || s["name"] != "Rina Kusuma" || s["state"] != "confirmed" ||
			!strings.HasPrefix(consent["text"].(string), "Saya ingin menerima siaran pers Pemkot Sukamaju") || consent["language"] != "id" ||
			consent["requested_at"] == nil || consent["confirmed_at"] == nil {
			t.Errorf("export: %s", raw)
		}
		if names := doc["topic_names"].([]any); len(names) != 2 || names[0].(map[string]any)["name"] != "Kesehatan" {
			t.Errorf("topic names: %v", names)
		}

		if err := st.s.Erase(ctx, actor(), ws, sub.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Get(ctx, ws, sub.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("get after erasing: %v", err)
		}
		for _, q := range []string{
			`SELECT COUNT(*) FROM newsroom_subscribers WHERE email = 'rina@kompas.example' OR name LIKE '%Rina%'`,
			`SELECT COUNT(*) FROM newsroom_subscriber_topics WHERE subscriber_id = ` + itoa(sub.ID),
			`SELECT COUNT(*) FROM newsroom_subscribe_requests WHERE subscriber_id = ` + itoa(sub.ID) + ` OR name LIKE '%Rina%'`,
			`SELECT COUNT(*) FROM audit_log WHERE changes LIKE '%rina%' OR changes LIKE '%Rina%'`,
		} {
			if n := st.count(q); n != 0 {
				t.Errorf("%d left: %s", n, q)
			}
		}
		if a := st.audience(ws); !reflect.DeepEqual(a, []string{"budi@tempo.example"}) {
			t.Errorf("audience after erasing: %v", a)
		}
		entries, err := audit.List(ctx, st.d, ws, audit.Filter{Action: "subscribe."})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action+" "+e.EntityID)
		}
		if want := []string{"subscribe.erased " + itoa(sub.ID), "subscribe.exported " + itoa(sub.ID)}; !reflect.DeepEqual(actions, want) {
			t.Errorf("audit: %v", actions)
		}
		// Erased, the address may subscribe again, and starts from the beginning.
		st.subscribe(request(ws, "rina@kompas.example", "Rina", "id"))
		if list, _ := st.s.List(ctx, ws, subscribe.Filter{Query: "rina"}); len(list) != 1 || list[0].State != subscribe.Pending {
			t.Errorf("after subscribing again: %+v", list)
		}
	})
}

// One workspace's subscribers are its own: the same address is two subscribers, and nothing of
// one workspace is read, confirmed into or erased from another.
func TestWorkspaceIsolation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		wsB, _ := st.otherWorkspace()
		a := st.confirmed(request(st.ws.ID, "rina@kompas.example", "Rina", "id", health))
		st.subscribe(request(wsB.ID, "rina@kompas.example", "Rina", "id", health, 10))
		if got := st.audience(wsB.ID); len(got) != 0 {
			t.Errorf("B's audience has A's subscriber: %v", got)
		}
		if list, _ := st.s.List(ctx, wsB.ID, subscribe.Filter{}); len(list) != 1 || list[0].State != subscribe.Pending ||
			!reflect.DeepEqual(list[0].Topics, []int64{10}) {
			t.Errorf("B's list: %+v", list)
		}
		if _, err := st.s.Get(ctx, wsB.ID, a.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B reads A's subscriber: %v", err)
		}
		if _, err := st.s.Export(ctx, actor(), wsB.ID, a.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B exports A's subscriber: %v", err)
		}
		if err := st.s.Erase(ctx, actor(), wsB.ID, a.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B erases A's subscriber: %v", err)
		}
		_ = st.d.Tx(ctx, func(tx *db.Tx) error { return st.s.Unsubscribe(ctx, tx, wsB.ID, "rina@kompas.example", "link") })
		if got, _ := st.s.Get(ctx, st.ws.ID, a.ID); got.State != subscribe.Confirmed {
			t.Errorf("B's unsubscribe reached A: %s", got.State)
		}
		if n, _ := st.s.Count(ctx, st.ws.ID); n != 1 {
			t.Errorf("A's count: %d", n)
		}
		// B's email names B's topics only.
		if ms := st.mails(wsB.ID, "rina@kompas.example"); len(ms) != 1 || !strings.Contains(ms[0].Text, "Topik: Pariwisata.") {
			t.Errorf("B's email: %+v", ms)
		}
	})
}

// The daily purge forgets addresses that never confirmed within 30 days, and expired links;
// confirmed and unsubscribed subscribers stay.
func TestPurge(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		ws := st.ws.ID
		st.subscribe(request(ws, "old@pending.example", "Lama", "id"))
		st.subscribe(request(ws, "new@pending.example", "Baru", "id"))
		st.confirmed(request(ws, "old@confirmed.example", "Setia", "id"))
		st.confirmed(request(ws, "left@example.id", "Pergi", "id"))
		_ = st.d.Tx(ctx, func(tx *db.Tx) error { return st.s.Unsubscribe(ctx, tx, ws, "left@example.id", "link") })
		for _, e := range []string{"old@pending.example", "old@confirmed.example", "left@example.id"} {
			st.age(ws, e, 31*24*time.Hour)
		}
		st.age(ws, "new@pending.example", 8*24*time.Hour)

		w := &subscribe.PurgeWorker{S: st.s}
		for range 2 {
			if err := w.Work(ctx, &river.Job[subscribe.PurgeArgs]{}); err != nil {
				t.Fatal(err)
			}
		}
		var left []string
		list, _ := st.s.List(ctx, ws, subscribe.Filter{})
		for _, s := range list {
			left = append(left, s.Email+" "+s.State)
		}
		slices.Sort(left)
		if want := []string{"left@example.id unsubscribed", "new@pending.example pending", "old@confirmed.example confirmed"}; !reflect.DeepEqual(left, want) {
			t.Errorf("after the purge: %v", left)
		}
		if n := st.count(`SELECT COUNT(*) FROM newsroom_subscribe_requests`); n != 0 {
			t.Errorf("%d expired links kept", n)
		}
	})
}
