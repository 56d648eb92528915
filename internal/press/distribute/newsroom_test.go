package distribute_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/press/distribute"
)

// readers stands in for the newsroom's subscribers: confirmed subscribers and the topics they
// follow (none: every topic), and what the distribution asked of them.
type readers struct {
	mu     sync.Mutex
	people []reader
	// asked holds the topics of each snapshot; left each address whose subscription ended.
	asked [][]int64
	left  []string
}

type reader struct {
	distribute.Contact
	topics []int64
}

func (r *readers) Subscribers(_ context.Context, _ int64, topics []int64, fn func(distribute.Contact) error) error {
	r.mu.Lock()
	r.asked = append(r.asked, topics)
	var out []distribute.Contact
	for _, p := range r.people {
		if slices.Contains(r.left, p.Email) {
			continue
		}
		if len(topics) == 0 || len(p.topics) == 0 || slices.ContainsFunc(p.topics, func(t int64) bool { return slices.Contains(topics, t) }) {
			out = append(out, p.Contact)
		}
	}
	r.mu.Unlock()
	for _, c := range out {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func (r *readers) Unsubscribe(_ context.Context, _ *db.Tx, _ int64, email, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.left = append(r.left, email)
	return nil
}

func (r *readers) state() (asked [][]int64, left []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]int64(nil), r.asked...), append([]string(nil), r.left...)
}

// toSubscribers sends release 7 to the subscribers of topics, as the newsroom does in the
// transaction that marks the release as mailed.
func (st *site) toSubscribers(topics []int64) int64 {
	st.t.Helper()
	var id int64
	err := st.d.Tx(context.Background(), func(tx *db.Tx) error {
		var err error
		id, err = st.s.SendToSubscribers(context.Background(), tx, st.ws.ID, 7, "Cek kesehatan gratis", topics)
		return err
	})
	if err != nil {
		st.t.Fatal(err)
	}
	return id
}

// mailsTo counts the messages the SMTP server got for each address.
func (st *site) mailsTo() map[string]int {
	out := map[string]int{}
	for _, m := range st.sink.Messages() {
		out[m.To]++
	}
	return out
}

// A release sent to the newsroom's subscribers reaches each subscriber of its topics once, says
// why they get it, and their unsubscribe ends the subscription only: the journalists' consent and
// press mail stay as they were, and nothing lands on a contact's timeline.
func TestNewsroomSubscribersGetTheRelease(t *testing.T) {
	engines(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		st.subs.people = []reader{
			{Contact: distribute.Contact{Email: "ani@warga.example", Name: "Ani Rahma", Language: "id"}, topics: []int64{1}},
			{Contact: distribute.Contact{Email: "tom@example.org", Language: "en"}, topics: []int64{1, 2}},
			// Sari is a journalist on the media list and a subscriber too.
			{Contact: distribute.Contact{Email: "sari@kompas.example", Name: "Sari Wulandari", Language: "id"}},
			{Contact: distribute.Contact{Email: "wati@warga.example", Name: "Wati", Language: "id"}, topics: []int64{2}},
		}

		// A transaction that rolls back (the release was not marked as mailed) sends nothing.
		errBack := errors.New("rolled back")
		err := st.d.Tx(ctx, func(tx *db.Tx) error {
			if _, err := st.s.SendToSubscribers(ctx, tx, st.ws.ID, 7, "Cek kesehatan gratis", []int64{1}); err != nil {
				return err
			}
			return errBack
		})
		if !errors.Is(err, errBack) {
			t.Fatalf("rolled-back send: %v", err)
		}
		id := st.toSubscribers([]int64{1})
		d := st.wait(id, distribute.Done)
		if d.Audience != distribute.AudienceSubscribers || !slices.Equal(d.Topics, []int64{1}) || d.Counts.Sent != 3 || d.Counts.Total != 3 {
			t.Fatalf("distribution %+v with counts %+v, want 3 subscribers of topic 1 sent to", d, d.Counts)
		}
		if list, err := st.s.List(ctx, st.ws.ID, distribute.Filter{}); err != nil || len(list) != 1 {
			t.Fatalf("the rolled-back send left %d distributions (%v)", len(list), err)
		}
		if asked, _ := st.subs.state(); len(asked) != 1 || !slices.Equal(asked[0], []int64{1}) {
			t.Errorf("subscribers were asked for topics %v", asked)
		}
		counts := st.mailsTo()
		if len(counts) != 3 || counts["ani@warga.example"] != 1 || counts["tom@example.org"] != 1 || counts["sari@kompas.example"] != 1 {
			t.Fatalf("the server got %v, want one message each for Ani, Tom and Sari", counts)
		}
		mails := st.received()
		ani, tom := mails["ani@warga.example"], mails["tom@example.org"]
		if !strings.Contains(ani.text, "Yth. Bapak/Ibu Ani Rahma,") ||
			!strings.Contains(ani.text, "Anda menerima email ini karena berlangganan newsroom (pusat media) Humas Kota Sukamaju.") ||
			!strings.Contains(ani.html, "berlangganan newsroom (pusat media) Humas Kota Sukamaju") || strings.Contains(ani.text, "daftar media") {
			t.Errorf("Ani's message does not say why she gets it:\n%s", ani.text)
		}
		if !strings.Contains(tom.text, "Dear reader,") || !strings.Contains(tom.text, "you subscribed to the newsroom of Humas Kota Sukamaju") {
			t.Errorf("Tom (no name, English) got:\n%s", tom.text)
		}
		if ani.unsubscribe == "" || !strings.Contains(ani.text, ani.unsubscribe) || !strings.Contains(ani.html, ani.unsubscribe) {
			t.Errorf("Ani's message has no working unsubscribe link: header %q\n%s", ani.unsubscribe, ani.text)
		}
		st.j.mu.Lock()
		events := len(st.j.events)
		st.j.mu.Unlock()
		if events != 0 {
			t.Errorf("subscribers' mail went on contacts' timelines: %v", st.j.events)
		}

		// The pages name the audience, in the reader's language.
		owner := st.signIn("owner@humas.example")
		mustSee(t, "list", owner.Get(st.path("/press/distributions")), "Cek kesehatan gratis", "Newsroom subscribers")
		mustSee(t, "distribution page", owner.Get(st.path("/press/distributions/"+strconv.FormatInt(id, 10))), "Sent to", "Newsroom subscribers", "Delivered")
		st.member("editor@humas.example", access.Editor, "id")
		mustSee(t, "Indonesian list", st.signIn("editor@humas.example").Get(st.path("/press/distributions")), "Pelanggan newsroom")

		// Ani's unsubscribe page asks about the subscription; the one-click POST ends it.
		visitor := st.visitor()
		unsub := st.local(ani.unsubscribe)
		mustSee(t, "Ani's unsubscribe page", visitor.Get(unsub), "Berhenti menerima email dari Humas Kota Sukamaju?", "berhenti berlangganan newsroom mereka")
		oneClick := func(path string) page {
			req, _ := http.NewRequest("POST", st.url+path, strings.NewReader("List-Unsubscribe=One-Click"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return visitor.Do(req)
		}
		p := oneClick(unsub)
		if p.Status != http.StatusOK {
			t.Fatalf("one-click unsubscribe: %d %s", p.Status, text(p.Body))
		}
		mustSee(t, "after unsubscribing", p, "Langganan Anda pada newsroom Humas Kota Sukamaju sudah berakhir.")
		if p := oneClick(st.local(mails["sari@kompas.example"].unsubscribe)); p.Status != http.StatusOK {
			t.Fatalf("Sari's one-click unsubscribe: %d", p.Status)
		}
		if _, left := st.subs.state(); !slices.Equal(left, []string{"ani@warga.example", "sari@kompas.example"}) {
			t.Errorf("the newsroom was told %v, want Ani and Sari unsubscribed", left)
		}
		if got := st.j.unsubscribes(); len(got) != 0 {
			t.Errorf("leaving the newsroom withdrew journalists' consent: %v", got)
		}

		// Sari still gets press mail as a journalist, as before: personal, with the media list's footer, on her timeline.
		r := owner.Post(st.path("/press/distributions"), url.Values{"source": {"release:7"}, "lists": {"1"}, "action": {"send"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("send to contacts: %d %s", r.Status, text(r.Body))
		}
		c := st.wait(idFrom(t, r.Location), distribute.Done)
		if c.Audience != distribute.AudienceContacts || c.Counts.Sent != 3 || c.Counts.Skipped != 0 {
			t.Fatalf("contacts distribution %+v", c.Counts)
		}
		if n := st.mailsTo()["sari@kompas.example"]; n != 2 {
			t.Errorf("Sari got %d messages, want the newsroom's and the press one", n)
		}
		sari := st.received()["sari@kompas.example"]
		if !strings.Contains(sari.text, "Yth. Ibu Sari Wulandari,") || !strings.Contains(sari.text, "mencantumkan Anda dalam daftar media kami") ||
			strings.Contains(sari.text, "berlangganan newsroom") {
			t.Errorf("Sari's press mail:\n%s", sari.text)
		}
		st.j.mu.Lock()
		timeline := st.j.events[11]
		st.j.mu.Unlock()
		if len(timeline) != 1 || timeline[0].Kind != "release_sent" {
			t.Errorf("Sari's timeline: %v", timeline)
		}
		if strings.Contains(owner.Get(st.path("/press/distributions/"+strconv.FormatInt(c.ID, 10))).Body, "Newsroom subscribers") {
			t.Error("a distribution to contacts is shown as going to subscribers")
		}

		// The next release to every subscriber skips those who left.
		next := st.wait(st.toSubscribers(nil), distribute.Done)
		if next.Counts.Sent != 2 || st.mailsTo()["tom@example.org"] != 2 || st.mailsTo()["wati@warga.example"] != 1 || st.mailsTo()["ani@warga.example"] != 1 {
			t.Errorf("the next release: %+v, the server got %v", next.Counts, st.mailsTo())
		}
	})
}
