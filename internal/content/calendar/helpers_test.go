package calendar_test

import (
	"context"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/calendar"
	"warta.dev/warta/internal/platform/db"
)

// site is the part of Warta the calendar needs, on loopback: accounts and sessions from auth,
// the web shell, the content studio and campaigns as the app wires them, and the calendar.
// Workspace ws is in WITA, ws2 in WIB.
type site struct {
	t         *testing.T
	env       *apptest.Env
	d         *db.DB
	url       string
	auth      *auth.Service
	items     *content.Service
	campaigns *campaign.Service
	cal       *calendar.Service
	ws, ws2   *auth.Workspace
	owner     int64
	owner2    int64
}

const pw = "kopi-tubruk-pahit"

var (
	wita, _ = time.LoadLocation("Asia/Makassar")
	wib, _  = time.LoadLocation("Asia/Jakarta")
)

func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	ctx := context.Background()
	env := apptest.Start(t, engine)
	a := env.App
	st := &site{t: t, env: env, d: a.DB, url: env.URL, auth: a.Auth, items: a.Content, campaigns: a.Campaigns, cal: a.Calendar}

	u, ws, err := st.auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@makassar.example", Name: "Andi Makassar", Password: pw,
		Role: access.Owner, Workspace: "Humas Makassar", Lang: "en", Timezone: "Asia/Makassar"})
	if err != nil {
		t.Fatal(err)
	}
	st.ws, st.owner = ws, u.ID
	u2, ws2, err := st.auth.CreateUserWithWorkspace(ctx, auth.CLI, "owner@jakarta.example", "Budi Jakarta", pw, "en", "Humas Jakarta", "Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	st.ws2, st.owner2 = ws2, u2.ID
	return st
}

// member adds someone to ws with a role and language, and returns their user id.
func (st *site) member(email, name string, role access.Role, lang string) int64 {
	st.t.Helper()
	u, _, err := st.auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: email, Name: name, Password: pw, Role: role, Workspace: st.ws.Slug, Lang: lang})
	if err != nil {
		st.t.Fatal(err)
	}
	return u.ID
}

// item saves a draft owned by owner with a short variant on each network.
func (st *site) item(wsID, owner int64, title string, campaignID int64, labels []string, networks ...channel.Network) int64 {
	st.t.Helper()
	in := content.Input{Title: title, Body: "Catatan internal: " + title, Lang: "id", CampaignID: campaignID, Labels: labels}
	for _, n := range networks {
		in.Variants = append(in.Variants, content.Variant{Network: n, Text: title + " — info layanan publik"})
	}
	it, probs, err := st.items.Save(context.Background(), audit.Actor{UserID: owner, Label: "test"}, wsID, 0, in)
	if err != nil || !probs.OK() {
		st.t.Fatalf("save %s: %v %+v", title, err, probs)
	}
	return it.ID
}

// at puts an item at a time with a status, as the schedule or a publication would; published
// items get their publication time. It writes directly so tests can use times in the past.
func (st *site) at(wsID, id int64, status content.Status, t time.Time) {
	st.t.Helper()
	var published any
	if status == content.Published {
		published = t.UTC()
	}
	if _, err := st.d.Exec(context.Background(), `UPDATE content_items SET status = ?, scheduled_at = ?, published_at = ? WHERE workspace_id = ? AND id = ?`,
		string(status), t.UTC(), published, wsID, id); err != nil {
		st.t.Fatal(err)
	}
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

type (
	browser = apptest.Browser
	page    = apptest.Response
)

func (st *site) signIn(email string) *browser { return st.env.SignIn(email, pw) }

var tags = regexp.MustCompile(`(?s)<head>.*</head>|<script.*?</script>|<[^>]+>`)

// text is what a person reads on the page, for failure messages and checks of sentences.
func text(body string) string {
	return html.UnescapeString(strings.Join(strings.Fields(tags.ReplaceAllString(body, " ")), " "))
}

func mustSee(t *testing.T, what string, p page, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.Body, w) && !strings.Contains(text(p.Body), w) {
			t.Errorf("%s (%d) does not show %q:\n%s", what, p.Status, w, text(p.Body))
		}
	}
}

// cell is what the month grid shows on a day, as a person reads it.
func cell(body, date string) string {
	i := strings.Index(body, `<td data-date="`+date+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</td>"); j >= 0 {
		rest = rest[:j]
	}
	return text(rest)
}

func (st *site) api(path, token string) (int, map[string]any) {
	return st.env.API("GET", path, token, nil)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// day is t's date in zone, as campaigns write their dates.
func day(t time.Time, zone *time.Location) campaign.Date {
	return campaign.Date(t.In(zone).Format("2006-01-02"))
}
