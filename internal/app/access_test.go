package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// Every route, page and API, is walked as a visitor, as a viewer, and as the admin of another
// workspace. None of them may reach what their permission does not allow, and workspace A's data
// must be unchanged afterwards.
func TestEveryRouteDeclaresAndEnforcesItsPermission(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		ctx := context.Background()
		s := env.App.Auth
		pw := "rahasia-sekali-123"
		ownerA, wsA, err := s.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@a.example", Password: pw, Role: access.Owner, Workspace: "Humas A"})
		if err != nil {
			t.Fatal(err)
		}
		viewer, _, err := s.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "viewer@a.example", Password: pw, Role: access.Viewer, Workspace: wsA.Slug})
		if err != nil {
			t.Fatal(err)
		}
		adminB, wsB, err := s.CreateUserWithWorkspace(ctx, auth.CLI, "admin@b.example", "Admin B", pw, "en", "Humas B", "Asia/Jakarta")
		if err != nil {
			t.Fatal(err)
		}
		_, tokA, err := s.CreateToken(ctx, auth.CLI, wsA.ID, ownerA.ID, "A", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		viewerToken, _, err := s.CreateToken(ctx, auth.CLI, wsA.ID, viewer.ID, "viewer", access.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		tokenB, _, err := s.CreateToken(ctx, auth.CLI, wsB.ID, adminB.ID, "B", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Invite(ctx, auth.CLI, access.Owner, wsA, "guest@a.example", access.Editor, "en"); err != nil {
			t.Fatal(err)
		}

		viewerB := signIn(t, env, "viewer@a.example", pw)
		adminOfB := signIn(t, env, "admin@b.example", pw)
		visitor := env.Browser()

		ids := strings.NewReplacer("{ws}", wsA.Slug, "{id}", strconv.FormatInt(tokA.ID, 10), "{user}", strconv.FormatInt(viewer.ID, 10), "{token}", "nope")
		routes := env.App.Server.Routes()
		if len(routes) < 30 {
			t.Fatalf("only %d routes in the table", len(routes))
		}
		for _, rt := range routes {
			path := ids.Replace(rt.Path)
			name := rt.Method + " " + rt.Path
			if rt.Perm == access.Public {
				continue
			}
			// A visitor is sent to sign in (pages) or told to authenticate (API).
			if rt.API() {
				if status, _ := env.API(rt.Method, path, "", body(rt)); status != http.StatusUnauthorized {
					t.Errorf("%s as visitor: %d, want 401", name, status)
				}
			} else if r := call(visitor, rt.Method, path); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
				t.Errorf("%s as visitor: %d → %q, want the sign-in page", name, r.Status, r.Location)
			}
			// A viewer is refused whatever a viewer's role does not grant.
			if rt.Perm != access.SignedIn && !(rt.Perm != access.Installation && access.Viewer.Can(rt.Perm)) {
				if rt.API() {
					if status, _ := env.API(rt.Method, path, viewerToken, body(rt)); status != http.StatusForbidden {
						t.Errorf("%s as viewer: %d, want 403", name, status)
					}
				} else if r := call(viewerB, rt.Method, path); r.Status != http.StatusForbidden {
					t.Errorf("%s as viewer: %d, want 403", name, r.Status)
				}
			}
			// The admin of workspace B never reaches workspace A.
			switch {
			case rt.API() && strings.Contains(rt.Path, "{"):
				if status, _ := env.API(rt.Method, path, tokenB, body(rt)); status < 400 {
					t.Errorf("%s with B's token on A's object: %d", name, status)
				}
			case strings.HasPrefix(rt.Path, "/w/{ws}"):
				if r := call(adminOfB, rt.Method, path); r.Status != http.StatusNotFound {
					t.Errorf("%s as admin of B: %d, want 404", name, r.Status)
				}
			case rt.Perm == access.Installation:
				if r := call(adminOfB, rt.Method, path); r.Status != http.StatusForbidden {
					t.Errorf("%s as admin of B: %d, want 403", name, r.Status)
				}
			}
		}

		// A viewer-role token of the owner cannot mint a stronger token.
		ownerAsViewer, _, err := s.CreateToken(ctx, auth.CLI, wsA.ID, ownerA.ID, "read only", access.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		if status, body := env.API("POST", "/api/v1/tokens", ownerAsViewer, map[string]string{"name": "escalate"}); status != http.StatusCreated ||
			body["details"].(map[string]any)["role"] != "viewer" {
			t.Errorf("a token made with a viewer token: %d %v", status, body)
		}
		if status, _ := env.API("POST", "/api/v1/tokens", ownerAsViewer, map[string]string{"name": "escalate", "role": "owner"}); status != http.StatusForbidden {
			t.Errorf("a viewer token asking for an owner token: %d", status)
		}

		// B's outbox shows B's mail only, never A's invitation.
		env.LastMailTo("guest@a.example")
		if r := adminOfB.Get("/w/" + wsB.Slug + "/settings/outbox"); r.Status != 200 || strings.Contains(r.Body, "guest@a.example") {
			t.Errorf("B's outbox: %d, shows A's mail: %v", r.Status, strings.Contains(r.Body, "guest@a.example"))
		}

		// Nothing in A changed.
		members, invitations, err := s.Members(ctx, wsA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(members) != 2 || len(invitations) != 1 {
			t.Errorf("A now has %d members and %d invitations, want 2 and 1", len(members), len(invitations))
		}
		for _, m := range members {
			if m.UserID == viewer.ID && m.Role != access.Viewer {
				t.Errorf("the viewer's role became %s", m.Role)
			}
		}
		tokens, err := s.Tokens(ctx, wsA.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range tokens {
			if tk.RevokedAt != nil {
				t.Errorf("token %s of A was revoked", tk.Name)
			}
		}
	})
}

func signIn(t *testing.T, env *apptest.Env, email, password string) *apptest.Browser {
	t.Helper()
	return env.SignIn(email, password)
}

func call(b *apptest.Browser, method, path string) apptest.Response {
	if method == http.MethodPost {
		return b.Post(path, url.Values{"role": {"owner"}, "email": {"x@evil.example"}, "name": {"x"}})
	}
	return b.Get(path)
}

func body(rt interface{ API() bool }) any {
	return map[string]string{"role": "owner", "email": "x@evil.example", "name": "x"}
}
