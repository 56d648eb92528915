package pitch_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press/pitch"
)

var wib, _ = time.LoadLocation("Asia/Jakarta")

func (st *site) actor() audit.Actor {
	return audit.Actor{UserID: st.owner, Label: "owner@humas.example"}
}

func (st *site) newPitch(wsID int64, title string, owner int64) *pitch.Pitch {
	st.t.Helper()
	p, err := st.s.Create(context.Background(), audit.Actor{UserID: owner, Label: "test"}, wsID, pitch.Input{Title: title,
		Angle: "Data baru soal air bersih", Subject: "Liputan: {{ outlet }}", Body: "Halo {{salutation}} {{first_name}},\n\nAda cerita.", OwnerID: owner})
	if err != nil {
		st.t.Fatal(err)
	}
	return p
}

func fieldsOf(err error) map[string]string {
	var we *web.Error
	if errors.As(err, &we) {
		return we.Fields
	}
	return nil
}

// A contact moves through the pipeline; each move is on their timeline in the mover's words, the
// coverage with its link; a save that changes nothing records nothing; a wrong stage or link
// changes nothing.
func TestPipeline(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		p := st.newPitch(st.ws.ID, "Krisis air bersih di pesisir", st.owner)
		if p.Status != pitch.Open || p.Counts[pitch.Pitched] != 0 || len(p.Counts) != len(pitch.Stages) {
			t.Fatalf("new pitch: %+v", p)
		}
		rina := st.contact(st.ws.ID, "Rina Kusuma", "Kompas", "rina@kompas.example")
		budi := st.contact(st.ws.ID, "Budi Santoso", "Tempo", "budi@tempo.example")
		id := st.locale("id")
		link := "/press/pitches/" + itoa(p.ID)

		for _, c := range []int64{rina, budi} {
			if added, err := st.s.AddContact(ctx, st.actor(), id, st.ws.ID, p.ID, c); err != nil || !added {
				t.Fatalf("add %d: %v %v", c, added, err)
			}
		}
		if added, err := st.s.AddContact(ctx, st.actor(), id, st.ws.ID, p.ID, rina); err != nil || added {
			t.Errorf("adding twice: %v %v", added, err)
		}
		want := []string{"pitch_stage|Krisis air bersih di pesisir|" + link + "|Tahap pitching: Ditawari"}
		if got := st.timeline(st.ws.ID, rina); !reflect.DeepEqual(got, want) {
			t.Errorf("timeline after adding: %q", got)
		}

		if _, err := st.s.UpdateCard(ctx, st.actor(), id, st.ws.ID, p.ID, rina, pitch.CardInput{Stage: pitch.Replied, Note: "Minta data BPS"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.UpdateCard(ctx, st.actor(), id, st.ws.ID, p.ID, rina, pitch.CardInput{Stage: pitch.Replied, Note: "Minta data BPS"}); err != nil {
			t.Fatal(err)
		}
		// Wrong input is refused whole: the card stays at replied.
		_, err := st.s.UpdateCard(ctx, st.actor(), id, st.ws.ID, p.ID, rina, pitch.CardInput{Stage: pitch.Covered, CoverageURL: "kompas.id/air"})
		if f := fieldsOf(err); f["coverage_url"] != "pitch.error.url" {
			t.Errorf("a link without https://: %v", err)
		}
		if _, err := st.s.UpdateCard(ctx, st.actor(), id, st.ws.ID, p.ID, rina, pitch.CardInput{Stage: "published"}); fieldsOf(err)["stage"] == "" {
			t.Errorf("an unknown stage: %v", err)
		}
		c, err := st.s.UpdateCard(ctx, st.actor(), id, st.ws.ID, p.ID, rina, pitch.CardInput{Stage: pitch.Covered, Note: "Terbit halaman 1",
			CoverageURL: "https://kompas.example/air-bersih"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Stage != pitch.Covered || c.CoverageURL != "https://kompas.example/air-bersih" || c.Name != "Rina Kusuma" {
			t.Errorf("covered card: %+v", c)
		}
		want = append(want,
			"pitch_stage|Krisis air bersih di pesisir|"+link+"|Tahap pitching: Membalas — Minta data BPS",
			"pitch_stage|Krisis air bersih di pesisir|"+link+"|Tahap pitching: Meliput — Terbit halaman 1",
			"coverage|Krisis air bersih di pesisir|"+link+"|https://kompas.example/air-bersih")
		if got := st.timeline(st.ws.ID, rina); !reflect.DeepEqual(got, want) {
			t.Errorf("timeline:\n got %q\nwant %q", got, want)
		}

		// Moved in English, the timeline says it in English.
		if _, err := st.s.UpdateCard(ctx, st.actor(), st.locale("en"), st.ws.ID, p.ID, budi, pitch.CardInput{Stage: pitch.Declined}); err != nil {
			t.Fatal(err)
		}
		if got := st.timeline(st.ws.ID, budi); len(got) != 2 || got[1] != "pitch_stage|Krisis air bersih di pesisir|"+link+"|Pitch stage: Declined" {
			t.Errorf("budi's timeline: %q", got)
		}

		got, err := st.s.Get(ctx, st.ws.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Counts[pitch.Covered] != 1 || got.Counts[pitch.Declined] != 1 || got.Counts[pitch.Pitched] != 0 {
			t.Errorf("counts: %v", got.Counts)
		}
		cards, err := st.s.Cards(ctx, st.ws.ID, p.ID)
		if err != nil || len(cards) != 2 {
			t.Fatalf("cards: %v %+v", err, cards)
		}

		entries, err := audit.List(ctx, st.d, st.ws.ID, audit.Filter{Action: "pitch."})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range entries {
			actions[e.Action]++
		}
		if actions["pitch.created"] != 1 || actions["pitch.contact_added"] != 2 || actions["pitch.contact_changed"] != 3 {
			t.Errorf("audit: %v", actions)
		}

		// Taking a contact out leaves their timeline as it was.
		if err := st.s.RemoveContact(ctx, st.actor(), st.ws.ID, p.ID, budi); err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Card(ctx, st.ws.ID, p.ID, budi); !errors.Is(err, pitch.ErrNoCard) {
			t.Errorf("removed card: %v", err)
		}
		if got := st.timeline(st.ws.ID, budi); len(got) != 2 {
			t.Errorf("timeline after removal: %q", got)
		}
	})
}

// Sending a pitch puts each recipient at "pitched" without moving anyone already further on, in
// the sender's transaction; the pitch gives its email and shows among the choices while open.
func TestPitchedAndEmail(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		p := st.newPitch(st.ws.ID, "Festival kopi Nusantara", st.owner)
		sari := st.contact(st.ws.ID, "Sari Dewi", "Detik", "sari@detik.example")
		joko := st.contact(st.ws.ID, "Joko Widodo", "Antara", "joko@antara.example")
		if _, err := st.s.AddContact(ctx, st.actor(), st.locale("en"), st.ws.ID, p.ID, sari); err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.UpdateCard(ctx, st.actor(), st.locale("en"), st.ws.ID, p.ID, sari, pitch.CardInput{Stage: pitch.Interested, Note: "Mau wawancara"}); err != nil {
			t.Fatal(err)
		}
		sent := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
		err := st.d.Tx(ctx, func(tx *db.Tx) error {
			for _, c := range []int64{sari, joko} {
				if err := st.s.Pitched(ctx, tx, st.ws.ID, p.ID, c, sent); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := st.s.Card(ctx, st.ws.ID, p.ID, sari); c.Stage != pitch.Interested || c.Note != "Mau wawancara" {
			t.Errorf("Pitched moved a later stage: %+v", c)
		}
		if c, _ := st.s.Card(ctx, st.ws.ID, p.ID, joko); c.Stage != pitch.Pitched || !c.AddedAt.Equal(sent) {
			t.Errorf("a new recipient: %+v", c)
		}
		// A rolled-back send leaves no card.
		lain := st.contact(st.ws.ID, "Lain", "Tirto", "lain@tirto.example")
		_ = st.d.Tx(ctx, func(tx *db.Tx) error {
			if err := st.s.Pitched(ctx, tx, st.ws.ID, p.ID, lain, sent); err != nil {
				t.Fatal(err)
			}
			return errors.New("the SMTP server went away")
		})
		if _, err := st.s.Card(ctx, st.ws.ID, p.ID, lain); !errors.Is(err, pitch.ErrNoCard) {
			t.Errorf("card after a rollback: %v", err)
		}

		subject, body, err := st.s.Email(ctx, st.ws.ID, p.ID)
		if err != nil || subject != "Liputan: {{ outlet }}" || body != "Halo {{salutation}} {{first_name}},\n\nAda cerita." {
			t.Errorf("email: %q %q %v", subject, body, err)
		}
		bare, err := st.s.Create(ctx, st.actor(), st.ws.ID, pitch.Input{Title: "Tanpa subjek"})
		if err != nil {
			t.Fatal(err)
		}
		if subject, _, _ := st.s.Email(ctx, st.ws.ID, bare.ID); subject != "Tanpa subjek" {
			t.Errorf("subject without one: %q", subject)
		}
		if _, err := st.s.Create(ctx, st.actor(), st.ws.ID, pitch.Input{Title: "x", Body: "Halo {{nama}}"}); fieldsOf(err)["body"] != "pitch.error.merge_field" {
			t.Errorf("an unknown merge field: %v", err)
		}
		if _, err := st.s.Update(ctx, st.actor(), st.ws.ID, bare.ID, 0, pitch.Input{Title: "Tanpa subjek", Status: pitch.Closed}); err != nil {
			t.Fatal(err)
		}
		choices, err := st.s.Choices(ctx, st.ws.ID)
		if err != nil || len(choices) != 1 || choices[0] != (pitch.Choice{ID: p.ID, Label: "Festival kopi Nusantara"}) {
			t.Errorf("choices: %v %+v", err, choices)
		}
		if _, err := st.s.Update(ctx, st.actor(), st.ws.ID, p.ID, 1, pitch.Input{Title: "Festival kopi"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Update(ctx, st.actor(), st.ws.ID, p.ID, 1, pitch.Input{Title: "Lama"}); !errors.Is(err, pitch.ErrChanged) {
			t.Errorf("a stale save: %v", err)
		}
	})
}

// A due follow-up tells the pitch's owner once, in the app and by email, however often the job
// runs; a new date makes it due again; contacts who covered or declined, and closed pitches, are
// not followed up.
func TestFollowUpOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		editor := st.member("editor@humas.example", "editor", "id")
		p := st.newPitch(st.ws.ID, "Hari Mangrove Sedunia", editor)
		closed := st.newPitch(st.ws.ID, "Pitching lama", editor)
		rina := st.contact(st.ws.ID, "Rina Kusuma", "Kompas", "rina@kompas.example")
		budi := st.contact(st.ws.ID, "Budi Santoso", "Tempo", "budi@tempo.example")
		en := st.locale("en")
		for _, pc := range []struct{ p, c int64 }{{p.ID, rina}, {p.ID, budi}, {closed.ID, rina}} {
			if _, err := st.s.AddContact(ctx, st.actor(), en, st.ws.ID, pc.p, pc.c); err != nil {
				t.Fatal(err)
			}
		}
		yesterday := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
		tomorrow := time.Now().Add(24 * time.Hour).Truncate(time.Second)
		set := func(pitchID, contactID int64, stage string, at time.Time) {
			t.Helper()
			if _, err := st.s.UpdateCard(ctx, st.actor(), en, st.ws.ID, pitchID, contactID, pitch.CardInput{Stage: stage, FollowUp: &at}); err != nil {
				t.Fatal(err)
			}
		}
		set(p.ID, rina, pitch.Replied, yesterday)
		set(p.ID, budi, pitch.Declined, yesterday)
		set(closed.ID, rina, pitch.Pitched, yesterday)
		if _, err := st.s.Update(ctx, st.actor(), st.ws.ID, closed.ID, 0, pitch.Input{Title: closed.Title, OwnerID: editor, Status: pitch.Closed}); err != nil {
			t.Fatal(err)
		}

		w := &pitch.FollowUpWorker{S: st.s}
		for range 2 {
			if err := w.Work(ctx, &river.Job[pitch.FollowUpArgs]{}); err != nil {
				t.Fatal(err)
			}
		}
		notes, err := st.notes.List(ctx, st.ws.ID, editor, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || notes[0].Key != "pitch.notice.follow_up" || notes[0].Link != "/press/pitches/"+itoa(p.ID)+"#contact-"+itoa(rina) {
			t.Fatalf("notices after two runs: %+v", notes)
		}
		mails, err := st.mail.ListWorkspace(ctx, st.ws.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(mails) != 1 || mails[0].To != "editor@humas.example" || mails[0].Subject != "Saatnya menindaklanjuti Rina Kusuma soal “Hari Mangrove Sedunia”" {
			t.Fatalf("mails after two runs: %+v", mails)
		}
		if c, _ := st.s.Card(ctx, st.ws.ID, p.ID, rina); c.RemindedAt == nil {
			t.Error("the card does not say it was reminded")
		}

		// A later date is not due yet; once it is, it is told once more.
		set(p.ID, rina, pitch.Replied, tomorrow)
		if n, err := st.s.SendFollowUps(ctx, time.Now()); err != nil || n != 0 {
			t.Errorf("before the new date: %d %v", n, err)
		}
		for range 2 {
			if n, err := st.s.SendFollowUps(ctx, tomorrow.Add(time.Minute)); err != nil || n > 1 {
				t.Errorf("after the new date: %d %v", n, err)
			}
		}
		if notes, _ := st.notes.List(ctx, st.ws.ID, editor, 10); len(notes) != 2 {
			t.Errorf("notices after the new date: %d", len(notes))
		}
	})
}

// Pitches, their cards and contacts never cross workspaces.
func TestWorkspaceIsolation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		wsB, ownerB := st.otherWorkspace()
		p := st.newPitch(st.ws.ID, "Rahasia ruang kerja A", st.owner)
		rina := st.contact(st.ws.ID, "Rina Kusuma", "Kompas", "rina@kompas.example")
		bContact := st.contact(wsB.ID, "Kontak B", "Media B", "b@media.example")
		en := st.locale("en")
		if _, err := st.s.AddContact(ctx, st.actor(), en, st.ws.ID, p.ID, rina); err != nil {
			t.Fatal(err)
		}
		b := audit.Actor{UserID: ownerB, Label: "lain@humas.example"}

		if _, err := st.s.Get(ctx, wsB.ID, p.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B reads A's pitch: %v", err)
		}
		if list, _ := st.s.List(ctx, wsB.ID, pitch.Filter{}); len(list) != 0 {
			t.Errorf("B's list: %+v", list)
		}
		if ch, _ := st.s.Choices(ctx, wsB.ID); len(ch) != 0 {
			t.Errorf("B's choices: %+v", ch)
		}
		if _, _, err := st.s.Email(ctx, wsB.ID, p.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B reads A's email: %v", err)
		}
		if _, err := st.s.Update(ctx, b, wsB.ID, p.ID, 0, pitch.Input{Title: "Dibajak"}); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B changes A's pitch: %v", err)
		}
		if _, err := st.s.Cards(ctx, wsB.ID, p.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B reads A's pipeline: %v", err)
		}
		if _, err := st.s.UpdateCard(ctx, b, en, wsB.ID, p.ID, rina, pitch.CardInput{Stage: pitch.Declined}); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B moves A's card: %v", err)
		}
		if _, err := st.s.AddContact(ctx, st.actor(), en, st.ws.ID, p.ID, bContact); !errors.Is(err, pitch.ErrNoContact) {
			t.Errorf("A adds B's contact: %v", err)
		}
		if err := st.d.Tx(ctx, func(tx *db.Tx) error { return st.s.Pitched(ctx, tx, wsB.ID, p.ID, bContact, time.Now()) }); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B's send marks A's pitch: %v", err)
		}
		if err := st.d.Tx(ctx, func(tx *db.Tx) error { return st.s.Pitched(ctx, tx, st.ws.ID, p.ID, bContact, time.Now()) }); err == nil {
			t.Error("A's pitch took B's contact")
		}
		if _, err := st.s.Create(ctx, st.actor(), st.ws.ID, pitch.Input{Title: "x", OwnerID: ownerB}); fieldsOf(err)["owner_id"] != "pitch.error.owner" {
			t.Errorf("an owner from another workspace: %v", err)
		}
		if c, _ := st.s.Card(ctx, st.ws.ID, p.ID, rina); c.Stage != pitch.Pitched {
			t.Errorf("A's card changed: %+v", c)
		}
		if got, _ := st.s.Get(ctx, st.ws.ID, p.ID); got.Title != "Rahasia ruang kerja A" || got.Counts[pitch.Pitched] != 1 {
			t.Errorf("A's pitch changed: %+v", got)
		}
	})
}

// The periodic job, run by the real queue twice over, tells the owner once.
func TestFollowUpJobInQueue(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		p := st.newPitch(st.ws.ID, "Panen raya", st.owner)
		rina := st.contact(st.ws.ID, "Rina Kusuma", "Kompas", "rina@kompas.example")
		en := st.locale("en")
		if _, err := st.s.AddContact(ctx, st.actor(), en, st.ws.ID, p.ID, rina); err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(-time.Hour)
		if _, err := st.s.UpdateCard(ctx, st.actor(), en, st.ws.ID, p.ID, rina, pitch.CardInput{Stage: pitch.Pitched, FollowUp: &due}); err != nil {
			t.Fatal(err)
		}
		if err := st.queue.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = st.queue.Stop(stop)
		})
		for range 2 {
			if err := st.queue.Insert(ctx, pitch.FollowUpArgs{}, nil); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			done := 0
			list, err := st.queue.List(ctx, "completed", 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range list {
				if j.Kind == "pitch_followups" {
					done++
				}
			}
			if done == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the follow-up jobs did not finish: %d done", done)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if notes, _ := st.notes.List(ctx, st.ws.ID, st.owner, 10); len(notes) != 1 {
			t.Errorf("notices: %+v", notes)
		}
	})
}

// The list searches, narrows by status, sorts by the next follow-up and counts each stage.
func TestList(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		en := st.locale("en")
		a := st.newPitch(st.ws.ID, "Banjir rob Semarang", st.owner)
		b := st.newPitch(st.ws.ID, "Anggaran 50%_hemat", st.owner)
		c := st.newPitch(st.ws.ID, "Cerita nelayan", st.owner)
		rina := st.contact(st.ws.ID, "Rina Kusuma", "Kompas", "rina@kompas.example")
		soon, later := time.Now().Add(24*time.Hour), time.Now().Add(72*time.Hour)
		for _, x := range []struct {
			id int64
			at time.Time
		}{{a.ID, later}, {c.ID, soon}} {
			if _, err := st.s.AddContact(ctx, st.actor(), en, st.ws.ID, x.id, rina); err != nil {
				t.Fatal(err)
			}
			if _, err := st.s.UpdateCard(ctx, st.actor(), en, st.ws.ID, x.id, rina, pitch.CardInput{Stage: pitch.Interested, FollowUp: &x.at}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.s.Update(ctx, st.actor(), st.ws.ID, b.ID, 0, pitch.Input{Title: b.Title, Status: pitch.Closed}); err != nil {
			t.Fatal(err)
		}
		titles := func(f pitch.Filter) []string {
			t.Helper()
			list, err := st.s.List(ctx, st.ws.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range list {
				out = append(out, p.Title)
			}
			return out
		}
		if got := titles(pitch.Filter{Sort: "follow_up"}); !reflect.DeepEqual(got, []string{"Cerita nelayan", "Banjir rob Semarang", "Anggaran 50%_hemat"}) {
			t.Errorf("by follow-up: %q", got)
		}
		if got := titles(pitch.Filter{Status: pitch.Open, Sort: "title"}); !reflect.DeepEqual(got, []string{"Banjir rob Semarang", "Cerita nelayan"}) {
			t.Errorf("open by title: %q", got)
		}
		if got := titles(pitch.Filter{Query: "50%_"}); !reflect.DeepEqual(got, []string{"Anggaran 50%_hemat"}) {
			t.Errorf("search with wildcards: %q", got)
		}
		if got := titles(pitch.Filter{Query: "50%x"}); len(got) != 0 {
			t.Errorf("a %% is not a wildcard: %q", got)
		}
		if got := titles(pitch.Filter{Sort: "title", Limit: 1, Offset: 1}); !reflect.DeepEqual(got, []string{"Banjir rob Semarang"}) {
			t.Errorf("second page: %q", got)
		}
		list, _ := st.s.List(ctx, st.ws.ID, pitch.Filter{Query: "nelayan"})
		if len(list) != 1 || list[0].Counts[pitch.Interested] != 1 || list[0].Counts[pitch.Pitched] != 0 {
			t.Errorf("counts: %+v", list)
		}
	})
}
