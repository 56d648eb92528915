package approval_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/notify"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/mail"
)

// site is the part of Warta approvals need, on loopback: accounts and sessions from auth, the
// content studio with this package as its workflow, notifications, and mail kept in the outbox
// table (the queue is not started, so every message stays there to be read).
type site struct {
	t       *testing.T
	env     *apptest.Env
	d       *db.DB
	url     string
	auth    *auth.Service
	content *content.Service
	s       *approval.Service
	mailer  *mail.Mailer
	notify  *notify.Center
	ws      *auth.Workspace
	owner   int64
}

const pw = "kopi-tubruk-pahit"

// startSite runs the whole app, as it is wired, with a workspace and its owner.
func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	ctx := context.Background()
	env := apptest.Start(t, engine)
	a := env.App
	st := &site{t: t, env: env, d: a.DB, url: env.URL, auth: a.Auth, content: a.Content, s: a.Approvals, mailer: a.Mailer, notify: a.Notify}
	as := a.Auth
	u, ws, err := as.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Name: "Oka Pemilik", Password: pw,
		Role: access.Owner, Workspace: "Humas Kota", Lang: "en", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	st.ws, st.owner = ws, u.ID
	return st
}

// member adds someone to the workspace with a role and language, and returns their user id.
func (st *site) member(email, name string, role access.Role, lang string) int64 {
	st.t.Helper()
	u, _, err := st.auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: email, Name: name, Password: pw, Role: role,
		Workspace: st.ws.Slug, Lang: lang})
	if err != nil {
		st.t.Fatal(err)
	}
	return u.ID
}

func actor(id int64, email string) audit.Actor { return audit.Actor{UserID: id, Label: email} }

// write saves a new item with an X and a Bluesky variant, as userID, in workspace wsID.
func (st *site) write(wsID, userID int64, title string) *content.Item {
	st.t.Helper()
	it, probs, err := st.content.Save(context.Background(), actor(userID, "author"), wsID, 0, content.Input{Title: title, Lang: "id",
		Body:     "Pemerintah Kota membuka posko banjir di Balai Kota.",
		Variants: []content.Variant{{Network: channel.X, Text: "Posko banjir dibuka di Balai Kota."}, {Network: channel.Bluesky, Text: "Posko banjir dibuka 🙏"}}})
	if err != nil || !probs.OK() {
		st.t.Fatalf("save %s: %v %+v", title, err, probs)
	}
	return it
}

// edit saves a new version of an item with another body.
func (st *site) edit(wsID, userID int64, it *content.Item, body string) *content.Item {
	st.t.Helper()
	cur, err := st.content.Get(context.Background(), wsID, it.ID)
	if err != nil {
		st.t.Fatal(err)
	}
	next, probs, err := st.content.Save(context.Background(), actor(userID, "author"), wsID, it.ID, content.Input{Title: cur.Title, Lang: cur.Lang,
		Body: body, Variants: cur.Variants, BaseVersion: cur.Version})
	if err != nil || !probs.OK() {
		st.t.Fatalf("edit: %v %+v", err, probs)
	}
	return next
}

func (st *site) submit(wsID, userID, itemID int64) {
	st.t.Helper()
	if err := st.content.Submit(context.Background(), actor(userID, "author"), wsID, itemID); err != nil {
		st.t.Fatalf("submit: %v", err)
	}
}

func (st *site) setMode(mode approval.Mode, steps ...approval.Step) {
	st.t.Helper()
	if err := st.s.SaveSettings(context.Background(), actor(st.owner, "owner@humas.example"), st.ws.ID, approval.Settings{Mode: mode, Steps: steps}); err != nil {
		st.t.Fatalf("settings: %v", err)
	}
}

func (st *site) status(wsID, itemID int64) content.Status {
	st.t.Helper()
	it, err := st.content.Get(context.Background(), wsID, itemID)
	if err != nil {
		st.t.Fatal(err)
	}
	return it.Status
}

// decide approves (note "") or rejects as a member.
func (st *site) decide(userID, itemID int64, approve bool, note string) (approval.Outcome, error) {
	return st.s.Decide(context.Background(), actor(userID, "member"), approval.Reviewer{UserID: userID}, st.ws.ID, itemID, 0, approve, note)
}

// notices are the notice keys a member received, oldest first.
func (st *site) notices(wsID, userID int64) []string {
	st.t.Helper()
	list, err := st.notify.List(context.Background(), wsID, userID, 100)
	if err != nil {
		st.t.Fatal(err)
	}
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i].Key)
	}
	return out
}

// mails are the messages to an address, newest first.
func (st *site) mails(to string) []mail.Stored {
	st.t.Helper()
	list, err := st.mailer.List(context.Background(), 0, 500)
	if err != nil {
		st.t.Fatal(err)
	}
	var out []mail.Stored
	for _, m := range list {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// audit lists the workspace's audit entries of an action, newest first.
func (st *site) audit(action string) []audit.Entry {
	st.t.Helper()
	list, err := audit.List(context.Background(), st.d, st.ws.ID, audit.Filter{Action: action})
	if err != nil {
		st.t.Fatal(err)
	}
	return list
}

type (
	browser = apptest.Browser
	page    = apptest.Response
)

// visitor is a browser with no account, in a language.
func (st *site) visitor(lang string) *browser {
	b := st.env.Browser()
	b.Lang = lang
	return b
}

func (st *site) signIn(email string) *browser { return st.env.SignIn(email, pw) }

var tags = regexp.MustCompile(`(?s)<head>.*</head>|<[^>]+>`)

// text is what a person reads on the page.
func text(body string) string {
	return html.UnescapeString(strings.Join(strings.Fields(tags.ReplaceAllString(body, " ")), " "))
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

func mustSee(t *testing.T, what string, p page, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.Body, w) && !strings.Contains(text(p.Body), w) {
			t.Errorf("%s (%d) does not show %q:\n%s", what, p.Status, w, text(p.Body))
		}
	}
}

func (st *site) api(method, path, token string, body any) (int, map[string]any) {
	return st.env.API(method, path, token, body)
}

var wib, _ = time.LoadLocation("Asia/Jakarta")
