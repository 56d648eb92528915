package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/auth/authtest"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/channel/mastodon/mastodontest"
	"warta.dev/warta/internal/channel/webhook/webhooktest"
	"warta.dev/warta/internal/config"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/crisis"
	"warta.dev/warta/internal/crisis/playbook"
	"warta.dev/warta/internal/crisis/review/pdftext"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/mail/smtptest"
	"warta.dev/warta/internal/publish"
)

const crisisPassword = "rahasia-sekali-123"

// crisisOffice is a city press office ready for a crisis: an owner (Ratna), an editor (Budi), a
// crisis team of both and the head of the office (no account), a Mastodon account, the newsroom
// on, and mail going to a loopback SMTP server.
type crisisOffice struct {
	env        *apptest.Env
	sink       *smtptest.Server
	ms         *mastodontest.Server
	owner      *auth.User
	editor     *auth.User
	ws         *auth.Workspace
	actor      audit.Actor
	mastodon   int64
	newsroomAt string
}

func startCrisisOffice(t *testing.T, engine db.Dialect, lang string) *crisisOffice {
	t.Helper()
	sink, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	ms := mastodontest.New()
	t.Cleanup(ms.Close)
	env := apptest.Start(t, engine, func(c *config.Config) {
		c.SMTPHost, c.SMTPPort, c.SMTPTLS = sink.Host, sink.Port, "none"
		c.AllowPrivateURLs = true
	})
	a := env.App
	ctx := context.Background()
	owner, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "humas@sukamaju.example", Name: "Ratna Sari",
		Password: crisisPassword, Role: access.Owner, Workspace: "Humas Kota Sukamaju", Lang: lang, Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	editor, _, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "budi@sukamaju.example", Name: "Budi Santoso",
		Password: crisisPassword, Role: access.Editor, Workspace: ws.Slug, Lang: lang, Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	o := &crisisOffice{env: env, sink: sink, ms: ms, owner: owner, editor: editor, ws: ws, actor: audit.Actor{UserID: owner.ID, Label: owner.Email}}
	id, tok := ms.NewAccountToken()
	accts, err := a.Publish.AddAccounts(ctx, o.actor, ws.ID, []channel.Account{{Network: channel.Mastodon, Server: ms.URL(), RemoteID: id,
		Handle: "@humas", Name: "Humas Sukamaju", Secret: channel.Secret{AccessToken: tok}}})
	if err != nil {
		t.Fatal(err)
	}
	o.mastodon = accts[0].ID
	set, err := a.Newsroom.Settings(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	set.Enabled = true
	if err := a.Newsroom.SaveSettings(ctx, o.actor, set); err != nil {
		t.Fatal(err)
	}
	if err := a.Crisis.SaveSettings(ctx, o.actor, ws.ID, crisis.Settings{MinAcks: 2, EscalateMinutes: 15, Approvers: []int64{owner.ID},
		Team: []crisis.Member{{List: crisis.FirstList, UserID: owner.ID}, {List: crisis.FirstList, UserID: editor.ID},
			{List: crisis.EscalationList, Name: "Kepala Dinas Kominfo", Email: "kadis@sukamaju.example"}}}); err != nil {
		t.Fatal(err)
	}
	return o
}

// schedule plans a Mastodon post at a time.
func (o *crisisOffice) schedule(t *testing.T, title, text string, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	it, _, err := o.env.App.Content.Save(ctx, o.actor, o.ws.ID, 0, content.Input{Title: title, Lang: "id", Body: text,
		Variants: []content.Variant{{Network: channel.Mastodon, Text: text}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.env.App.Content.Schedule(ctx, o.actor, o.ws.ID, it.ID, content.When{At: &at, Accounts: []int64{o.mastodon}}, time.UTC); err != nil {
		t.Fatal(err)
	}
	return it.ID
}

// publication waits for an item's publication to reach a state (a post due in up to a minute).
func (o *crisisOffice) publication(t *testing.T, itemID int64, want publish.State) publish.Publication {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		pubs, err := o.env.App.Publish.Publications(context.Background(), o.ws.ID, publish.Filter{ItemID: itemID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(pubs) == 1 && pubs[0].State == want {
			return pubs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("item %d's publications %+v never became %s", itemID, pubs, want)
		}
	}
}

// blank is a template's place still to fill.
var blank = regexp.MustCompile(`\[[a-z_]+\]`)

// fillBlanks writes the statement's missing facts in the content studio, as its writer would.
func (o *crisisOffice) fillBlanks(t *testing.T, itemID int64) {
	t.Helper()
	ctx := context.Background()
	it, err := o.env.App.Content.Get(ctx, o.ws.ID, itemID)
	if err != nil {
		t.Fatal(err)
	}
	fill := func(s string) string { return blank.ReplaceAllString(s, "Sukamaju Utara") }
	in := content.Input{Title: fill(it.Title), Body: fill(it.Body), Lang: it.Lang, BaseVersion: it.Version}
	for _, v := range it.Variants {
		v.Text = fill(v.Text)
		in.Variants = append(in.Variants, v)
	}
	if _, problems, err := o.env.App.Content.Save(ctx, o.actor, o.ws.ID, itemID, in); err != nil || !problems.OK() {
		t.Fatalf("filling the statement: %v %+v", err, problems)
	}
}

var ackLink = regexp.MustCompile(`https?://[^\s"<>]+/crisis/ack/[a-z0-9]+`)

// callsTo are the crisis calls a person was emailed, with their acknowledge links.
func (o *crisisOffice) callsTo(t *testing.T, to string) []string {
	t.Helper()
	var links []string
	for _, m := range mailbox(t, o.sink.Messages(), nil)[to] {
		if link := ackLink.FindString(m.text); link != "" {
			links = append(links, link)
		}
	}
	return links
}

func (o *crisisOffice) waitCalls(t *testing.T, to string, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if links := o.callsTo(t, to); len(links) >= n {
			return links
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s got %d crisis calls, want %d", to, len(o.callsTo(t, to)), n)
		}
	}
}

// A crisis through the pages, on both engines: declaring holds a scheduled post and calls the
// team by email with acknowledge links (one acknowledges twice, counted once); a holding statement
// from a template goes to the crisis approvers in one step, is rejected with a reason, then
// approved and published on Mastodon and the newsroom; a second crisis keeps the pause after the
// first closes; closing the last one asks for every held post, reschedules it, and the review
// PDF holds the timeline. Another workspace sees none of it.
func TestCrisisRoom(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		o := startCrisisOffice(t, engine, "en")
		a, ctx := o.env.App, context.Background()
		held := o.schedule(t, "Promo", "Festival kuliner akhir pekan di alun-alun!", time.Now().Add(3*time.Second))
		ratna := o.env.SignIn(o.owner.Email, crisisPassword)
		w := "/w/" + o.ws.Slug

		// Declaring needs the confirmation and a type.
		r := ratna.Post(w+"/crisis", url.Values{"name": {"PDAM water contamination"}, "severity": {"high"}, "owner": {fmt.Sprint(o.owner.ID)}, "pause": {"on"}})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if text := authtest.Text(r.Body); !strings.Contains(text, "Tick the box to confirm") || !strings.Contains(text, "Choose the type of crisis") {
			t.Errorf("declaring without confirming: %s", apptest.Excerpt(text))
		}
		r = ratna.Post(w+"/crisis", url.Values{"name": {"PDAM water contamination"}, "type": {"accidental"}, "severity": {"high"},
			"owner": {fmt.Sprint(o.owner.ID)}, "pause": {"on"}, "confirm": {"on"}, "description": {"Tap water in Sukamaju Utara is cloudy."}})
		mustStatus(t, r, http.StatusSeeOther)
		room := r.Header.Get("Location")
		first, err := a.Crisis.OpenCrises(ctx, o.ws.ID)
		if err != nil || len(first) != 1 || !first[0].Paused {
			t.Fatalf("open crises: %+v %v", first, err)
		}
		c := first[0]
		if p := o.publication(t, held, publish.Held); p.DueAt.IsZero() {
			t.Errorf("held post %+v", p)
		}
		if n := countText(o.ms.Posts(), "Festival kuliner"); n != 0 {
			t.Errorf("the scheduled post went out during the crisis (%d)", n)
		}
		page := ratna.Get(room)
		mustStatus(t, page, http.StatusOK)
		text := authtest.Text(page.Body)
		for _, want := range []string{"PDAM water contamination", "Publishing and scheduled distributions are held", "0 of 2 acknowledged",
			"Crisis declared; owner Ratna Sari", "2 people called by email"} {
			if !strings.Contains(text, want) {
				t.Errorf("the room does not say %q: %s", want, apptest.Excerpt(text))
			}
		}
		if home := authtest.Text(ratna.Get(w).Body); !strings.Contains(home, "Crisis under way: PDAM water contamination") {
			t.Errorf("the home page has no crisis banner: %s", apptest.Excerpt(home))
		}

		// Budi acknowledges by his email's link: the page asks first, a second press changes nothing.
		links := o.waitCalls(t, o.editor.Email, 1)
		path := strings.TrimPrefix(links[0], o.env.URL)
		anon := o.env.Browser()
		if got := authtest.Text(anon.Get(path).Body); !strings.Contains(got, "I have received this") {
			t.Errorf("the acknowledge link's page: %s", apptest.Excerpt(got))
		}
		for range 2 {
			r = anon.Post(path, nil)
			mustStatus(t, r, http.StatusOK)
		}
		if got := authtest.Text(r.Body); !strings.Contains(got, "Thank you, Budi Santoso") {
			t.Errorf("after acknowledging: %s", apptest.Excerpt(got))
		}
		if got := authtest.Text(anon.Get("/crisis/ack/not-a-token").Body); !strings.Contains(got, "This acknowledge link is not valid") {
			t.Errorf("a wrong link: %s", apptest.Excerpt(got))
		}
		text = authtest.Text(ratna.Get(room).Body)
		if !strings.Contains(text, "1 of 2 acknowledged") || strings.Count(text, "Budi Santoso acknowledged") != 1 {
			t.Errorf("the room after Budi's acknowledgement: %s", apptest.Excerpt(text))
		}

		// A holding statement from the accidental-crisis template, rejected, then approved.
		r = ratna.Post(room+"/statements", url.Values{"template": {"holding-accidental"}, "statement_lang": {"en"}})
		mustStatus(t, r, http.StatusSeeOther)
		sts, err := a.Crisis.Statements(ctx, o.ws.ID, c.ID)
		if err != nil || len(sts) != 1 {
			t.Fatalf("statements %+v %v", sts, err)
		}
		st := sts[0]
		if !strings.Contains(st.Body, "Humas Kota Sukamaju") || !strings.Contains(st.Title+st.Body, "PDAM water contamination") {
			t.Errorf("the template was not filled with the office and the crisis: %q / %q", st.Title, st.Body)
		}
		r = ratna.Post(fmt.Sprintf("%s/statements/%d/publish", room, st.ID), url.Values{"accounts": {fmt.Sprint(o.mastodon)}})
		mustStatus(t, r, http.StatusSeeOther)
		if got := authtest.Text(ratna.Follow(r).Body); !strings.Contains(got, "not approved yet") {
			t.Errorf("publishing before approval: %s", apptest.Excerpt(got))
		}
		// The template's blanks must be filled before anyone is asked to approve it.
		r = ratna.Post(fmt.Sprintf("%s/statements/%d/submit", room, st.ID), nil)
		if got := authtest.Text(ratna.Follow(r).Body); !strings.Contains(got, "still has blanks from its template") || !strings.Contains(got, "[dampak]") {
			t.Errorf("submitting a statement with blanks: %s", apptest.Excerpt(got))
		}
		o.fillBlanks(t, st.ItemID)
		mustStatus(t, ratna.Post(fmt.Sprintf("%s/statements/%d/submit", room, st.ID), nil), http.StatusSeeOther)
		if sts, err = a.Crisis.Statements(ctx, o.ws.ID, c.ID); err != nil || len(sts) != 1 || len(sts[0].Blanks) > 0 {
			t.Fatalf("statements after filling the blanks: %+v %v", sts, err)
		}
		st = sts[0]
		// Fast-tracked: one step, Ratna the crisis approver, although the workspace asks for none.
		budi := o.env.SignIn(o.editor.Email, crisisPassword)
		if r := budi.Post(fmt.Sprintf("%s/approvals/%d/decision", w, st.ItemID), url.Values{"decision": {"approve"}}); r.Status != http.StatusForbidden &&
			!strings.Contains(authtest.Text(budi.Follow(r).Body), "not") {
			t.Errorf("Budi, not a crisis approver, could decide: %d", r.Status)
		}
		mustStatus(t, ratna.Post(fmt.Sprintf("%s/approvals/%d/decision", w, st.ItemID), url.Values{"decision": {"reject"},
			"note": {"Say when the water will be safe again."}}), http.StatusSeeOther)
		text = authtest.Text(ratna.Get(room).Body)
		if !strings.Contains(text, "Not approved: Say when the water will be safe again.") || !strings.Contains(text, "Statement not approved by Ratna Sari") {
			t.Errorf("the room after the rejection: %s", apptest.Excerpt(text))
		}
		mustStatus(t, ratna.Post(fmt.Sprintf("%s/statements/%d/submit", room, st.ID), nil), http.StatusSeeOther)
		mustStatus(t, ratna.Post(fmt.Sprintf("%s/approvals/%d/decision", w, st.ItemID), url.Values{"decision": {"approve"}}), http.StatusSeeOther)
		// The media row of the stakeholder matrix is delivered by this statement.
		mustStatus(t, ratna.Post(room+"/messages", url.Values{"audience": {"Media"}, "message": {"Holding statement and the next briefing time"},
			"channel": {"Newsroom"}, "item": {fmt.Sprint(st.ItemID)}}), http.StatusSeeOther)
		// An account the statement has no text for is refused, not replaced by another.
		if _, err := a.Crisis.PublishStatement(ctx, o.actor, o.ws.ID, c.ID, st.ID, crisis.PublishInput{Accounts: []int64{o.mastodon + 1000}}); !errors.Is(err, crisis.ErrNoText) {
			t.Errorf("publishing to an account without a text: %v", err)
		}
		// Two people pressing at once publish it once.
		results := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := a.Crisis.PublishStatement(ctx, o.actor, o.ws.ID, c.ID, st.ID, crisis.PublishInput{Accounts: []int64{o.mastodon}, Newsroom: true})
				results <- err
			}()
		}
		var failed []error
		for range 2 {
			if err := <-results; err != nil {
				failed = append(failed, err)
			}
		}
		if len(failed) != 1 || !errors.Is(failed[0], crisis.ErrPublishing) && !errors.Is(failed[0], crisis.ErrPublished) {
			t.Errorf("two publishings at once: %v", failed)
		}
		if notices, err := a.Newsroom.Notices(ctx, o.ws.ID, ""); err != nil || len(notices) != 1 {
			t.Errorf("the newsroom has %d notices of the statement (%v)", len(notices), err)
		}
		r = ratna.Post(fmt.Sprintf("%s/statements/%d/publish", room, st.ID), url.Values{"accounts": {fmt.Sprint(o.mastodon)}, "newsroom": {"on"}})
		mustStatus(t, r, http.StatusSeeOther)
		if got := authtest.Text(ratna.Follow(r).Body); !strings.Contains(got, "already been published") {
			t.Errorf("publishing a published statement again: %s", apptest.Excerpt(got))
		}
		for deadline := time.Now().Add(30 * time.Second); countText(o.ms.Posts(), st.Title) == 0; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the statement never reached Mastodon: %+v", o.ms.Posts())
			}
		}
		if n := countText(o.ms.Posts(), "Festival kuliner"); n != 0 {
			t.Errorf("publishing the statement let the held post out too")
		}
		if msgs, err := a.Crisis.Messages(ctx, o.ws.ID, c.ID); err != nil || len(msgs) != 1 || msgs[0].Status != "sent" {
			t.Errorf("the matrix row the statement delivers: %+v %v", msgs, err)
		}
		public := o.env.Browser().Get("/newsroom/" + o.ws.Slug + "/")
		if got := authtest.Text(public.Body); !strings.Contains(got, st.Title) {
			t.Errorf("the statement is not on the newsroom: %s", apptest.Excerpt(got))
		}

		// A second crisis while the first is open: allowed, and the pause stays until both close.
		r = ratna.Post(w+"/crisis", url.Values{"name": {"Bridge collapse rumour"}, "type": {"victim"}, "severity": {"medium"},
			"owner": {fmt.Sprint(o.editor.ID)}, "pause": {"on"}, "confirm": {"on"}})
		mustStatus(t, r, http.StatusSeeOther)
		second := r.Header.Get("Location")
		close1 := authtest.Text(ratna.Get(room + "/close").Body)
		if !strings.Contains(close1, "Another open crisis keeps publishing paused") || strings.Contains(close1, "Festival kuliner") {
			t.Errorf("closing the first of two: %s", apptest.Excerpt(close1))
		}
		mustStatus(t, ratna.Post(room+"/close", url.Values{"note": {"Water declared safe by the health office."}}), http.StatusSeeOther)
		if p := o.publication(t, held, publish.Held); p.State != publish.Held {
			t.Errorf("the post after the first crisis closed: %s", p.State)
		}
		if paused, _ := a.Publish.PausedIn(ctx, o.ws.ID); !paused {
			t.Error("publishing resumed while the second crisis is open")
		}

		// Closing the last: every held post needs a choice; rescheduled, it waits for its new time.
		close2 := authtest.Text(ratna.Get(second + "/close").Body)
		if !strings.Contains(close2, "Festival kuliner") && !strings.Contains(close2, "Promo") {
			t.Errorf("the closing form does not list the held post: %s", apptest.Excerpt(close2))
		}
		r = ratna.Post(second+"/close", url.Values{"all": {"reschedule"}})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if got := authtest.Text(r.Body); !strings.Contains(got, "Choose a new time in the future") {
			t.Errorf("rescheduling without a time: %s", apptest.Excerpt(got))
		}
		later := time.Now().In(mustZone("Asia/Jakarta")).Add(2 * time.Hour).Truncate(time.Minute)
		r = ratna.Post(second+"/close", url.Values{"all": {"reschedule"}, "all_at": {later.Format("2006-01-02T15:04")}})
		mustStatus(t, r, http.StatusSeeOther)
		p := o.publication(t, held, publish.Queued)
		if !p.DueAt.Equal(later.UTC()) {
			t.Errorf("the held post is due %s, want %s", p.DueAt, later.UTC())
		}
		if paused, _ := a.Publish.PausedIn(ctx, o.ws.ID); paused {
			t.Error("publishing is still paused after the last crisis closed")
		}

		// The review: the record and its PDF.
		rv := authtest.Text(ratna.Get(room + "/review").Body)
		for _, want := range []string{"Post-crisis review: PDAM water contamination", "Time to first acknowledgement", "1 of 2"} {
			if !strings.Contains(rv, want) {
				t.Errorf("the review does not say %q: %s", want, apptest.Excerpt(rv))
			}
		}
		pdf := ratna.Get(room + "/review.pdf")
		mustStatus(t, pdf, http.StatusOK)
		if ct := pdf.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("the review downloads as %q", ct)
		}
		words, err := pdftext.Text([]byte(pdf.Body))
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(words), " ")
		for _, want := range []string{"Crisis declared; owner Ratna Sari", "Budi Santoso acknowledged", "Statement published on the newsroom",
			"Statement published on 1 accounts", "Statement not approved by Ratna Sari", "Crisis closed"} {
			if !strings.Contains(flat, want) {
				t.Errorf("the review PDF does not hold %q", want)
			}
		}

		// Another workspace sees none of it.
		_, other, err := a.Auth.CreateUserWithWorkspace(ctx, auth.CLI, "humas@sumberjaya.example", "Bayu", crisisPassword, "en", "Humas Sumberjaya", "Asia/Jakarta")
		if err != nil {
			t.Fatal(err)
		}
		bayu := o.env.SignIn("humas@sumberjaya.example", crisisPassword)
		if r := bayu.Get(fmt.Sprintf("/w/%s/crisis/%d", other.Slug, c.ID)); r.Status != http.StatusNotFound {
			t.Errorf("another workspace opens the crisis: %d", r.Status)
		}
		if got := authtest.Text(bayu.Get("/w/" + other.Slug + "/crisis").Body); strings.Contains(got, "PDAM") {
			t.Errorf("another workspace lists the crisis")
		}
	})
}

// The crisis team is called through the chat accounts in order: the first, whose webhook is gone,
// hands over to the second at once, and the room shows both. Fewer acknowledgements than needed by
// the escalation time call the escalation list, once. An exercise pauses nothing, marks its calls,
// releases its injects on time and publishes nothing. The API declares, lists and reads the review.
func TestCrisisEscalationChatAndExercise(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		slackHooks, teamsHooks := webhooktest.New(), webhooktest.New()
		defer slackHooks.Close()
		defer teamsHooks.Close()
		p := startPublishing(t, engine, func(c *config.Config) {
			c.ChannelEndpoints = map[string]string{"slack": slackHooks.URL(), "teams": teamsHooks.URL()}
		})
		ctx, a := context.Background(), p.env.App
		p.connectForm(channel.Slack, slackHooks.ConnectValuesFor(channel.Slack))
		p.connectForm(channel.Teams, teamsHooks.ConnectValuesFor(channel.Teams))
		slack, teams := p.account(channel.Slack), p.account(channel.Teams)
		slackHooks.Revoke()
		if err := a.Crisis.SaveSettings(ctx, p.actor, p.wsID, crisis.Settings{MinAcks: 1, EscalateMinutes: 10, ChatAccounts: []int64{slack.ID, teams.ID},
			Team: []crisis.Member{{List: crisis.FirstList, UserID: p.actor.UserID},
				{List: crisis.EscalationList, Name: "Kepala Dinas", Email: "kadis@humas.example"}}}); err != nil {
			t.Fatal(err)
		}
		c, err := a.Crisis.Declare(ctx, p.actor, p.wsID, crisis.DeclareInput{Name: "Server down", Type: playbook.Accidental, Severity: "critical",
			OwnerID: p.actor.UserID, Pause: true})
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); len(teamsHooks.Posts()) == 0; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the second chat account was never tried")
			}
		}
		if posts := teamsHooks.Posts(); len(posts) != 1 || !strings.Contains(posts[0].Text, "Server down") || !strings.Contains(posts[0].Text, "/ack") {
			t.Errorf("the Teams call: %+v", posts)
		}
		if n := len(slackHooks.Posts()); n != 0 {
			t.Errorf("the revoked Slack webhook got %d messages", n)
		}
		room, err := a.Crisis.Room(ctx, p.wsID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		states := map[int64]string{}
		for _, s := range room.Sends {
			if s.Channel == "chat" {
				states[s.AccountID] = s.State
			}
		}
		if states[slack.ID] != "failed" || states[teams.ID] != "sent" {
			t.Errorf("the chat messages: %v", states)
		}
		page := authtest.Text(p.owner.Get(fmt.Sprintf("%s/crisis/%d", p.w, c.ID)).Body)
		if !strings.Contains(page, "A team message could not be sent; the next channel is tried") || !strings.Contains(page, "failed") {
			t.Errorf("the room does not show the failed channel: %s", apptest.Excerpt(page))
		}

		// Nobody acknowledged; at the escalation time, the escalation list is called, once.
		calls := func(to string) int {
			mails, err := a.Mailer.List(ctx, 0, 500)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, m := range mails {
				if m.Kind == "crisis_call" && m.To == to {
					n++
				}
			}
			return n
		}
		if err := a.Crisis.Watch(ctx); err != nil || calls("kadis@humas.example") != 0 {
			t.Fatalf("escalated before its time (%v)", err)
		}
		a.Crisis.SetClock(func() time.Time { return time.Now().Add(11 * time.Minute) })
		for range 2 {
			if err := a.Crisis.Watch(ctx); err != nil {
				t.Fatal(err)
			}
		}
		a.Crisis.SetClock(time.Now)
		if n := calls("kadis@humas.example"); n != 1 {
			t.Errorf("the escalation list was called %d times", n)
		}
		events, _ := a.Crisis.Timeline(ctx, p.wsID, c.ID)
		escalated := 0
		for _, e := range events {
			if e.Kind == "escalated" {
				escalated++
			}
		}
		if escalated != 1 {
			t.Errorf("%d escalations on the timeline", escalated)
		}
		if err := a.Crisis.Close(ctx, p.actor, p.wsID, c.ID, crisis.CloseInput{}); err != nil {
			t.Fatal(err)
		}
		if paused, _ := a.Publish.PausedIn(ctx, p.wsID); paused {
			t.Fatal("still paused after closing")
		}

		// Two crises closed at the same moment: the last one lifts the pause.
		declare := func(name string) int64 {
			c, err := a.Crisis.Declare(ctx, p.actor, p.wsID, crisis.DeclareInput{Name: name, Type: playbook.Victim, Severity: "high", OwnerID: p.actor.UserID, Pause: true})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		both := []int64{declare("Gempa"), declare("Hoaks gempa susulan")}
		closed := make(chan error, 2)
		for _, id := range both {
			go func() { closed <- a.Crisis.Close(ctx, p.actor, p.wsID, id, crisis.CloseInput{}) }()
		}
		for range 2 {
			if err := <-closed; err != nil {
				t.Fatal(err)
			}
		}
		if paused, _ := a.Publish.PausedIn(ctx, p.wsID); paused {
			t.Error("two crises closed together left publishing paused")
		}
		// A pause made by hand is not the crisis's to lift.
		if err := a.Publish.PauseWorkspace(ctx, p.actor, p.wsID, "Masa tenang pemilu"); err != nil {
			t.Fatal(err)
		}
		if err := a.Crisis.Close(ctx, p.actor, p.wsID, declare("Banjir"), crisis.CloseInput{}); err != nil {
			t.Fatal(err)
		}
		if pause, _ := a.Publish.Paused(ctx, p.wsID); pause == nil || pause.Reason != "Masa tenang pemilu" {
			t.Errorf("closing a crisis lifted the pause made by hand: %+v", pause)
		}
		if err := a.Publish.ResumeWorkspace(ctx, p.actor, p.wsID); err != nil {
			t.Fatal(err)
		}

		// An exercise, through the API: nothing real is paused; the call says it is an exercise.
		tok, _, err := a.Auth.CreateToken(ctx, auth.CLI, p.wsID, p.actor.UserID, "skrip", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		status, body := p.env.API("POST", "/api/v1/crises", tok, map[string]any{"name": "Simulasi gempa", "type": "victim", "severity": "high",
			"owner_id": p.actor.UserID, "exercise": true})
		if status != http.StatusCreated || body["exercise"] != true || body["paused"] != false {
			t.Fatalf("declaring an exercise: %d %v", status, body)
		}
		ex := int64(body["id"].(float64))
		if paused, _ := a.Publish.PausedIn(ctx, p.wsID); paused {
			t.Error("an exercise paused publishing")
		}
		if status, body := p.env.API("POST", "/api/v1/crises", tok, map[string]any{"name": "", "type": "nope"}); status != http.StatusUnprocessableEntity {
			t.Errorf("a declaration without name and type: %d %v", status, body)
		}
		mails, _ := a.Mailer.List(ctx, 0, 500)
		marked := false
		for _, m := range mails {
			marked = marked || m.Kind == "crisis_call" && strings.HasPrefix(m.Subject, "[EXERCISE] Crisis declared: Simulasi gempa")
		}
		if !marked {
			t.Error("the exercise's call is not marked as an exercise")
		}
		if _, err := a.Crisis.AddInject(ctx, p.actor, p.wsID, ex, crisis.InjectInput{Kind: "mention", Source: "Akun @warga", Text: "Gedung balai kota retak!",
			Sentiment: "negative"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Crisis.AddInject(ctx, p.actor, p.wsID, ex, crisis.InjectInput{Kind: "message", Source: "Wartawan", Text: "Minta konfirmasi korban",
			After: 10 * time.Minute}); err != nil {
			t.Fatal(err)
		}
		released := func() int {
			injects, err := a.Crisis.Injects(ctx, p.wsID, ex)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, i := range injects {
				if i.ReleasedAt != nil {
					n++
				}
			}
			return n
		}
		if err := a.Crisis.Watch(ctx); err != nil || released() != 1 {
			t.Errorf("released at once: %d (%v)", released(), err)
		}
		a.Crisis.SetClock(func() time.Time { return time.Now().Add(11 * time.Minute) })
		if err := a.Crisis.Watch(ctx); err != nil || released() != 2 {
			t.Errorf("released after ten minutes: %d (%v)", released(), err)
		}
		a.Crisis.SetClock(time.Now)
		for range 2 { // pressed twice: one update
			if _, err := a.Crisis.PostUpdate(ctx, p.actor, p.wsID, ex, "investigating", "Kami memeriksa laporan retakan.", "id"); err != nil {
				t.Fatal(err)
			}
		}
		if updates, err := a.Crisis.Updates(ctx, p.wsID, ex); err != nil || len(updates) != 1 {
			t.Errorf("the same update pressed twice: %d updates (%v)", len(updates), err)
		}
		if notices, err := a.Newsroom.Notices(ctx, p.wsID, ""); err != nil || len(notices) != 0 {
			t.Errorf("an exercise posted on the newsroom: %v %v", notices, err)
		}
		status, body = p.env.API("GET", fmt.Sprintf("/api/v1/crises/%d/timeline", ex), tok, nil)
		text := fmt.Sprint(body["items"])
		if status != http.StatusOK || !strings.Contains(text, "inject_mention") || !strings.Contains(text, "Gedung balai kota retak!") {
			t.Errorf("the exercise's timeline: %d %s", status, text)
		}
		status, body = p.env.API("GET", fmt.Sprintf("/api/v1/crises/%d/review", c.ID), tok, nil)
		if status != http.StatusOK || body["asked"] != float64(2) {
			t.Errorf("the review: %d %v", status, body)
		}
	})
}

// A team call whose answer is lost (the gateway times out after the message went through) is
// marked uncertain and not sent again: the team is not called twice.
func TestCrisisCallWithALostAnswerIsNotRepeated(t *testing.T) {
	hooks := webhooktest.New()
	defer hooks.Close()
	var lose atomic.Bool
	target, _ := url.Parse(hooks.URL())
	forward := httputil.NewSingleHostReverseProxy(target)
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !lose.Load() {
			forward.ServeHTTP(w, r)
			return
		}
		forward.ServeHTTP(httptest.NewRecorder(), r) // it arrives; its answer does not
		w.WriteHeader(http.StatusGatewayTimeout)
	}))
	defer gateway.Close()
	p := startPublishing(t, db.SQLite, func(c *config.Config) { c.ChannelEndpoints = map[string]string{"teams": gateway.URL} })
	ctx, a := context.Background(), p.env.App
	values := hooks.ConnectValuesFor(channel.Teams)
	for k, v := range values {
		values[k] = strings.ReplaceAll(v, hooks.URL(), gateway.URL) // the workflow's address is the gateway's
	}
	p.connectForm(channel.Teams, values)
	teams := p.account(channel.Teams)
	if err := a.Crisis.SaveSettings(ctx, p.actor, p.wsID, crisis.Settings{MinAcks: 1, EscalateMinutes: 15, ChatAccounts: []int64{teams.ID},
		Team: []crisis.Member{{List: crisis.FirstList, UserID: p.actor.UserID}}}); err != nil {
		t.Fatal(err)
	}
	lose.Store(true)
	c, err := a.Crisis.Declare(ctx, p.actor, p.wsID, crisis.DeclareInput{Name: "Kebakaran gudang", Type: playbook.Accidental, Severity: "high",
		OwnerID: p.actor.UserID, Pause: true})
	if err != nil {
		t.Fatal(err)
	}
	state := func() string {
		room, err := a.Crisis.Room(ctx, p.wsID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range room.Sends {
			if s.Channel == "chat" {
				return s.State
			}
		}
		return ""
	}
	for deadline := time.Now().Add(30 * time.Second); state() != "uncertain"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the call with a lost answer is %q", state())
		}
	}
	time.Sleep(2 * time.Second) // room for a repeat, were there one
	if n := len(hooks.Posts()); n != 1 {
		t.Errorf("the team chat got the call %d times", n)
	}
	if page := authtest.Text(p.owner.Get(fmt.Sprintf("%s/crisis/%d", p.w, c.ID)).Body); !strings.Contains(page, "uncertain: check whether it arrived") {
		t.Errorf("the room does not say the call is uncertain: %s", apptest.Excerpt(page))
	}
}
