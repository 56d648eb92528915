package distribute

import (
	"context"
	"sync"
	"testing"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// subscribers stands in for the newsroom: everyone subscribed to every topic, and whose
// subscription the distribution ended.
type subscribers struct {
	mu     sync.Mutex
	people []Contact
	left   []string
}

func (s *subscribers) Subscribers(_ context.Context, _ int64, _ []int64, fn func(Contact) error) error {
	for _, p := range s.people {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func (s *subscribers) Unsubscribe(_ context.Context, _ *db.Tx, _ int64, email, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.left = append(s.left, email)
	return nil
}

// snapshot takes a distribution's snapshot as its queued job would.
func (r *rig) snapshot(t *testing.T, id int64) {
	t.Helper()
	var token string
	if err := r.d.QueryRow(context.Background(), `SELECT prepare_token FROM distributions WHERE id = ?`, id).Scan(&token); err != nil {
		t.Fatal(err)
	}
	if err := r.s.prepare(context.Background(), id, token); err != nil {
		t.Fatal(err)
	}
}

// stateOf is where the address stands in a distribution, and why.
func (r *rig) stateOf(t *testing.T, id int64, email string) (RecipientState, string, int64) {
	t.Helper()
	list, err := r.s.Recipients(context.Background(), r.ws, id, RecipientFilter{Query: email})
	if err != nil || len(list) != 1 {
		t.Fatalf("%s in distribution %d: %v %v", email, id, list, err)
	}
	return list[0].State, list[0].Reason, list[0].ID
}

// A subscriber who leaves the newsroom while releases wait to be sent is skipped in what waits
// for subscribers, and only there: the same address waiting as a journalist, even in a snapshot
// taken as they left, still gets its press mail, and no contact's consent is touched. A
// journalist's unsubscribe stops every queued message, as it always did.
func TestLeavingTheNewsroomKeepsPressMail(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		const sari = "sari@kompas.example"
		people := journalists(2)
		people[0].Email, people[0].Name, people[0].Salutation = sari, "Sari Wulandari", "Ibu"
		subs := &subscribers{people: []Contact{{Email: sari, Name: "Sari", Language: "id"}, {Email: "ani@warga.example", Language: "en"}}}
		r := newRigWith(t, engine, newContacts(people...), subs, false)

		var news int64
		if err := r.d.Tx(ctx, func(tx *db.Tx) error {
			var err error
			news, err = r.s.SendToSubscribers(ctx, tx, r.ws, 7, "Cek kesehatan gratis", nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		r.snapshot(t, news)
		_, _, asSubscriber := r.stateOf(t, news, sari)

		// Sari waits in one press distribution, and leaves the newsroom while another's snapshot
		// is being taken.
		waiting := r.send(t)
		r.snapshot(t, waiting.ID)
		press := r.send(t)
		r.c.during = func() {
			if _, err := r.s.Unsubscribe(ctx, r.s.tokens.token(asSubscriber)); err != nil {
				t.Error(err)
			}
		}
		r.snapshot(t, press.ID)

		if st, why, _ := r.stateOf(t, news, sari); st != Skipped || why != "unsubscribed" {
			t.Errorf("Sari as a subscriber is %s (%s), want skipped for unsubscribing", st, why)
		}
		if st, _, _ := r.stateOf(t, news, "ani@warga.example"); st != Queued {
			t.Errorf("Ani, still subscribed, is %s", st)
		}
		if st, why, _ := r.stateOf(t, waiting.ID, sari); st != Queued {
			t.Errorf("Sari's waiting press mail is %s (%s), want still queued", st, why)
		}
		st, why, asJournalist := r.stateOf(t, press.ID, sari)
		if st != Queued {
			t.Errorf("Sari's press mail snapshotted as she left is %s (%s), want still queued", st, why)
		}
		if len(subs.left) != 1 || subs.left[0] != sari || len(r.c.unsubscribed) != 0 {
			t.Errorf("the newsroom was told %v, the contacts %v", subs.left, r.c.unsubscribed)
		}
		d, err := r.s.Get(ctx, r.ws, news)
		if err != nil {
			t.Fatal(err)
		}
		if !d.ToSubscribers() || d.CreatedBy != 0 || d.State != Sending || len(d.Lists)+len(d.Segments) != 0 {
			t.Errorf("the newsroom's distribution: %+v", d)
		}

		// As a journalist, her unsubscribe withdraws consent and stops her press mail.
		if _, err := r.s.Unsubscribe(ctx, r.s.tokens.token(asJournalist)); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{waiting.ID, press.ID} {
			if st, why, _ := r.stateOf(t, id, sari); st != Skipped || why != "unsubscribed" {
				t.Errorf("after her press unsubscribe, distribution %d has her %s (%s)", id, st, why)
			}
		}
		if !r.c.unsubscribed[sari] || len(subs.left) != 1 {
			t.Errorf("after her press unsubscribe: contacts told %v, newsroom %v", r.c.unsubscribed, subs.left)
		}
	})
}
