package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

const pw = "kopi-tubruk-pahit"

func owner(t *testing.T, env *apptest.Env) (*auth.User, *auth.Workspace) {
	t.Helper()
	u, ws, err := env.App.Auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{
		Email: "Owner@Humas.example", Name: "Ani", Password: pw, Role: access.Owner, Workspace: "Humas Kota", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return u, ws
}

// Ten wrong passwords lock the account for a while, even for the right password; other accounts
// from other addresses are not affected.
func TestSignInLimit(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		owner(t, env)
		ctx := context.Background()
		s := env.App.Auth
		if _, err := s.Authenticate(ctx, "owner@humas.example", pw, "10.0.0.1"); err != nil {
			t.Fatalf("right password: %v", err)
		}
		for i := 0; i < 10; i++ {
			if _, err := s.Authenticate(ctx, "OWNER@humas.example", "salah", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if _, err := s.Authenticate(ctx, "owner@humas.example", pw, "10.0.0.2"); !errors.Is(err, auth.ErrRateLimited) {
			t.Fatalf("after ten failures: %v", err)
		}
		// The page says what to do, in the visitor's language.
		b := env.Browser()
		b.Lang = "id"
		r := b.Post("/login", url.Values{"email": {"owner@humas.example"}, "password": {pw}})
		if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Tunggu 15 menit") {
			t.Fatalf("locked sign-in page: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		// An unknown account takes the same path and gives the same answer.
		if _, err := s.Authenticate(ctx, "nobody@humas.example", pw, "10.0.0.3"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("unknown account: %v", err)
		}
	})
}

// A reset link from the outbox sets a new password once, and ends the user's other sessions.
func TestPasswordReset(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		owner(t, env)
		laptop := env.Browser()
		if r := laptop.Post("/login", url.Values{"email": {"owner@humas.example"}, "password": {pw}}); r.Status != http.StatusSeeOther {
			t.Fatalf("login: %d", r.Status)
		}
		phone := env.Browser()
		if r := phone.Post("/forgot", url.Values{"email": {"owner@humas.example"}}); r.Status != 200 || !strings.Contains(r.Body, "reset link is on its way") {
			t.Fatalf("forgot: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		// The same answer for an address without an account, and no mail.
		if r := phone.Post("/forgot", url.Values{"email": {"stranger@humas.example"}}); !strings.Contains(r.Body, "reset link is on its way") {
			t.Fatalf("forgot for a stranger: %s", apptest.Excerpt(r.Body))
		}
		_, text := env.LastMailTo("owner@humas.example")
		link := apptest.LinkIn(t, text, "/reset/")
		r := phone.Post(link, url.Values{"password": {"teh-tarik-manis"}, "password2": {"teh-tarik-lain"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "not the same") {
			t.Fatalf("mismatched passwords: %d", r.Status)
		}
		if r := phone.Post(link, url.Values{"password": {"teh-tarik-manis"}, "password2": {"teh-tarik-manis"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if r := phone.Get(link); r.Status != http.StatusGone {
			t.Errorf("reset link reused: %d", r.Status)
		}
		if r := laptop.Get("/w/humas-kota"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Errorf("the laptop's session survived the reset: %d", r.Status)
		}
		if _, err := env.App.Auth.Authenticate(context.Background(), "owner@humas.example", "teh-tarik-manis", "10.0.0.9"); err != nil {
			t.Errorf("new password: %v", err)
		}
		// Asking again and again sends at most three links an hour.
		for i := 0; i < 5; i++ {
			phone.Post("/forgot", url.Values{"email": {"owner@humas.example"}})
		}
		list, err := env.App.Mailer.List(context.Background(), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Errorf("%d reset mails after six requests, want 3", len(list))
		}
	})
}

// Roles: nobody hands out a role above their own, and the last owner stays an owner.
func TestRoleRules(t *testing.T) {
	env := apptest.Start(t, db.SQLite)
	ctx := context.Background()
	s := env.App.Auth
	own, ws := owner(t, env)
	admin, _, err := s.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "admin@humas.example", Password: pw, Role: access.Admin, Workspace: ws.Slug})
	if err != nil {
		t.Fatal(err)
	}
	by := auth.Actor{UserID: admin.ID, Label: admin.Email}
	if err := s.Invite(ctx, by, access.Admin, ws, "new@humas.example", access.Owner, "en"); !errors.Is(err, auth.ErrRoleTooHigh) {
		t.Errorf("admin inviting an owner: %v", err)
	}
	if err := s.ChangeRole(ctx, by, access.Admin, ws.ID, own.ID, access.Viewer); !errors.Is(err, auth.ErrRoleTooHigh) {
		t.Errorf("admin demoting the owner: %v", err)
	}
	if err := s.ChangeRole(ctx, auth.CLI, access.Owner, ws.ID, own.ID, access.Admin); !errors.Is(err, auth.ErrLastOwner) {
		t.Errorf("demoting the last owner: %v", err)
	}
	if err := s.Invite(ctx, by, access.Admin, ws, "Admin@Humas.example", access.Editor, "en"); !errors.Is(err, auth.ErrAlreadyMember) {
		t.Errorf("inviting a member: %v", err)
	}
	if _, _, err := s.CreateToken(ctx, by, ws.ID, admin.ID, "too strong", access.Owner); !errors.Is(err, auth.ErrRoleTooHigh) {
		t.Errorf("admin token with owner role: %v", err)
	}
}

// A member removed from a workspace loses it at once: pages answer 404 and their tokens stop.
func TestRemovedMemberLosesAccess(t *testing.T) {
	env := apptest.Start(t, db.SQLite)
	ctx := context.Background()
	s := env.App.Auth
	_, ws := owner(t, env)
	ed, _, err := s.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "ed@humas.example", Password: pw, Role: access.Editor, Workspace: ws.Slug})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := s.CreateToken(ctx, auth.CLI, ws.ID, ed.ID, "script", "")
	if err != nil {
		t.Fatal(err)
	}
	b := env.Browser()
	b.Post("/login", url.Values{"email": {"ed@humas.example"}, "password": {pw}})
	if r := b.Get("/w/" + ws.Slug); r.Status != 200 {
		t.Fatalf("before: %d", r.Status)
	}
	if err := s.RemoveMember(ctx, auth.CLI, access.Owner, ws.ID, ed.ID); err != nil {
		t.Fatal(err)
	}
	if r := b.Get("/w/" + ws.Slug); r.Status != http.StatusNotFound {
		t.Errorf("after removal the workspace answers %d", r.Status)
	}
	if status, _ := env.API("GET", "/api/v1/me", secret, nil); status != http.StatusUnauthorized {
		t.Errorf("after removal the token answers %d", status)
	}
}

// An invitation past its 7 days says so, in the visitor's language, and joins nobody.
func TestExpiredInvitation(t *testing.T) {
	env := apptest.Start(t, db.SQLite)
	ctx := context.Background()
	_, ws := owner(t, env)
	if err := env.App.Auth.Invite(ctx, auth.CLI, access.Owner, ws, "tamu@humas.example", access.Viewer, "id"); err != nil {
		t.Fatal(err)
	}
	_, text := env.LastMailTo("tamu@humas.example")
	link := apptest.LinkIn(t, text, "/invite/")
	if _, err := env.App.DB.Exec(ctx, `UPDATE auth_links SET expires_at = ? WHERE email = ?`, time.Now().Add(-time.Minute).UTC(), "tamu@humas.example"); err != nil {
		t.Fatal(err)
	}
	b := env.Browser()
	b.Lang = "id"
	if r := b.Get(link); r.Status != http.StatusGone || !strings.Contains(r.Body, "sudah kedaluwarsa") {
		t.Fatalf("expired invitation: %d %s", r.Status, apptest.Excerpt(r.Body))
	}
	if r := b.Post(link, url.Values{"name": {"Tamu"}, "password": {pw}, "password2": {pw}}); r.Status != http.StatusGone {
		t.Fatalf("accepting an expired invitation: %d", r.Status)
	}
	if _, err := env.App.Auth.UserByEmail(ctx, "tamu@humas.example"); err == nil {
		t.Error("an expired invitation created an account")
	}
	// A cancelled invitation says it was cancelled, not that it was used.
	if err := env.App.Auth.Invite(ctx, auth.CLI, access.Owner, ws, "batal@humas.example", access.Viewer, "en"); err != nil {
		t.Fatal(err)
	}
	_, text = env.LastMailTo("batal@humas.example")
	_, invitations, err := env.App.Auth.Members(ctx, ws.ID)
	if err != nil || len(invitations) != 2 {
		t.Fatalf("pending invitations: %v %v", invitations, err)
	}
	for _, inv := range invitations {
		if inv.Email == "batal@humas.example" {
			if err := env.App.Auth.RevokeInvitation(ctx, auth.CLI, ws.ID, inv.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r := b.Get(apptest.LinkIn(t, text, "/invite/")); r.Status != http.StatusGone || !strings.Contains(r.Body, "sudah dibatalkan") {
		t.Errorf("cancelled invitation: %d %s", r.Status, apptest.Excerpt(r.Body))
	}
}

// An admin reading the outbox cannot take an invitation to a role above their own.
func TestOutboxHidesLinksAboveTheReadersRole(t *testing.T) {
	env := apptest.Start(t, db.SQLite)
	ctx := context.Background()
	s := env.App.Auth
	_, ws := owner(t, env)
	if _, _, err := s.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "admin@humas.example", Password: pw, Role: access.Admin, Workspace: ws.Slug}); err != nil {
		t.Fatal(err)
	}
	if err := s.Invite(ctx, auth.CLI, access.Owner, ws, "boss@humas.example", access.Owner, "en"); err != nil {
		t.Fatal(err)
	}
	if err := s.Invite(ctx, auth.CLI, access.Owner, ws, "staff@humas.example", access.Editor, "en"); err != nil {
		t.Fatal(err)
	}
	env.LastMailTo("boss@humas.example")
	env.LastMailTo("staff@humas.example")
	read := func(email, to string) string {
		b := env.Browser()
		b.Post("/login", url.Values{"email": {email}, "password": {pw}})
		list := b.Get("/w/" + ws.Slug + "/settings/outbox").Body
		for _, id := range regexp.MustCompile(`/settings/outbox/(\d+)"`).FindAllStringSubmatch(list, -1) {
			r := b.Get("/w/" + ws.Slug + "/settings/outbox/" + id[1])
			if strings.Contains(r.Body, to) {
				return r.Body + b.Get("/w/"+ws.Slug+"/settings/outbox/"+id[1]+"/html").Body
			}
		}
		t.Fatalf("%s does not find the mail to %s", email, to)
		return ""
	}
	if body := read("admin@humas.example", "boss@humas.example"); strings.Contains(body, "/invite/") || !strings.Contains(body, "link hidden") {
		t.Error("an admin sees the link of an invitation to become owner")
	}
	if body := read("admin@humas.example", "staff@humas.example"); !strings.Contains(body, "/invite/") {
		t.Error("an admin does not see the link of an invitation they could have sent")
	}
	if body := read("owner@humas.example", "boss@humas.example"); !strings.Contains(body, "/invite/") {
		t.Error("the owner does not see the owner invitation's link")
	}
}

// The installation's administrator creates a second workspace from the web; others cannot.
func TestCreateWorkspaceFromTheWeb(t *testing.T) {
	env := apptest.Start(t, db.SQLite)
	owner(t, env) // the first user administers the installation
	b := env.Browser()
	b.Post("/login", url.Values{"email": {"owner@humas.example"}, "password": {pw}})
	r := b.Post("/admin/workspaces", url.Values{"name": {"Dinas Kominfo"}, "lang": {"id"}, "timezone": {"Asia/Makassar"}, "owner": {"nobody@humas.example"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Nobody has an account") || !strings.Contains(r.Body, `value="Dinas Kominfo"`) {
		t.Fatalf("unknown owner: %d %s", r.Status, apptest.Excerpt(r.Body))
	}
	r = b.Post("/admin/workspaces", url.Values{"name": {"Dinas Kominfo"}, "lang": {"id"}, "timezone": {"Asia/Makassar"}, "owner": {"owner@humas.example"}})
	if r.Status != http.StatusSeeOther || r.Location != "/w/dinas-kominfo" {
		t.Fatalf("create: %d %q %s", r.Status, r.Location, apptest.Excerpt(r.Body))
	}
	if r := b.Get("/w/dinas-kominfo"); r.Status != 200 || !strings.Contains(r.Body, "Dinas Kominfo") {
		t.Fatalf("new workspace: %d", r.Status)
	}
}
