package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// Approvals through the whole app: the owner requires approval from the settings card; an editor
// asks for it; the approver is mailed, finds the item under Content › Approvals and approves; an
// edit makes the approval stale; an outside reviewer approves through a mailed review link.
func TestApprovalFlow(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		ctx := context.Background()
		s := env.App.Auth
		pw := "rahasia-sekali-123"
		_, ws, err := s.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@a.example", Name: "Oka", Password: pw, Role: access.Owner, Workspace: "Humas A", Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		editor, _, err := s.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "editor@a.example", Name: "Eka", Password: pw, Role: access.Editor, Workspace: ws.Slug, Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "ayu@a.example", Name: "Ayu", Password: pw, Role: access.Approver, Workspace: ws.Slug, Lang: "id"}); err != nil {
			t.Fatal(err)
		}
		owner, ed, ayu := signIn(t, env, "owner@a.example", pw), signIn(t, env, "editor@a.example", pw), signIn(t, env, "ayu@a.example", pw)
		w := "/w/" + ws.Slug

		if r := owner.Get(w + "/settings"); !strings.Contains(r.Body, w+"/settings/approvals") {
			t.Errorf("the settings page has no approvals card: %s", apptest.Excerpt(r.Body))
		}
		if r := owner.Post(w+"/settings/approvals", url.Values{"mode": {"required"}, "step1_who": {"role:approver"}, "step1_rule": {"any"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("settings: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		it, _, err := env.App.Content.Save(ctx, audit.Actor{UserID: editor.ID, Label: "editor@a.example"}, ws.ID, 0, content.Input{Title: "Posko banjir", Lang: "id",
			Body: "Posko dibuka.", Variants: []content.Variant{{Network: channel.X, Text: "Posko banjir dibuka."}}})
		if err != nil {
			t.Fatal(err)
		}
		if r := ed.Post(fmt.Sprintf("%s/content/%d/submit", w, it.ID), nil); r.Status != http.StatusSeeOther {
			t.Fatalf("submit: %d", r.Status)
		}
		if subject, _ := env.LastMailTo("ayu@a.example"); subject != "“Posko banjir” menunggu persetujuan Anda" {
			t.Errorf("approver's mail: %q", subject)
		}
		if r := ayu.Get(w + "/approvals"); !strings.Contains(r.Body, "Posko banjir") || !strings.Contains(r.Body, `href="`+w+`/approvals" aria-current="page"`) {
			t.Fatalf("queue: %s", apptest.Excerpt(r.Body))
		}
		r := ayu.Post(fmt.Sprintf("%s/approvals/%d/decision", w, it.ID), url.Values{"decision": {"approve"}, "version": {"1"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if got, _ := env.App.Content.Get(ctx, ws.ID, it.ID); got.Status != content.Approved {
			t.Fatalf("after approval: %s", got.Status)
		}

		// An edit makes the approval stale; an outside reviewer approves the new version.
		if _, _, err := env.App.Content.Save(ctx, audit.Actor{UserID: editor.ID, Label: "editor@a.example"}, ws.ID, it.ID, content.Input{Title: "Posko banjir", Lang: "id",
			Body: "Dua posko dibuka.", Variants: it.Variants, BaseVersion: 1}); err != nil {
			t.Fatal(err)
		}
		if got, _ := env.App.Content.Get(ctx, ws.ID, it.ID); got.Status != content.InReview {
			t.Fatalf("after the edit: %s", got.Status)
		}
		if r := ed.Post(fmt.Sprintf("%s/content/%d/review-links", w, it.ID), url.Values{"name": {"Dr. Sari"}, "email": {"sari@kampus.example"}, "days": {"3"}, "lang": {"en"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("review link: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		_, text := env.LastMailTo("sari@kampus.example")
		link := apptest.LinkIn(t, text, "/review/")
		sari := env.Browser()
		if r := sari.Get(link); r.Status != 200 || !strings.Contains(r.Body, "Dua posko dibuka.") {
			t.Fatalf("review page: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if r := sari.Post(link+"/decision", url.Values{"name": {"Dr. Sari"}, "email": {"sari@kampus.example"}, "decision": {"approve"}, "version": {"2"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("outside approval: %d %s", r.Status, apptest.Excerpt(r.Body))
		}
		if got, _ := env.App.Content.Get(ctx, ws.ID, it.ID); got.Status != content.Approved {
			t.Fatalf("after the outside approval: %s", got.Status)
		}
	})
}

// An outside reviewer sees the item and their own comments, never the team's; and a review link
// cannot go to a member, or writers could approve their own work.
func TestReviewLinkKeepsTheTeamInside(t *testing.T) {
	env := apptest.Start(t, db.SQLite)
	ctx := context.Background()
	owner, ws, err := env.App.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@kota.example", Name: "Ani", Password: "rahasia-sekali-1",
		Role: access.Owner, Workspace: "Humas Kota", Lang: "id"})
	if err != nil {
		t.Fatal(err)
	}
	a := audit.Actor{UserID: owner.ID, Label: owner.Email}
	it, _, err := env.App.Content.Save(ctx, a, ws.ID, 0, content.Input{Title: "Siaran pers banjir", Body: "Posko dibuka.", Lang: "id",
		Variants: []content.Variant{{Network: channel.X, Text: "Posko banjir dibuka."}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.AddComment(ctx, content.Commenter{UserID: owner.ID, Name: "Ani", Email: owner.Email}, ws.ID, it.ID, 0, "INTERNAL: jangan sebut angka korban dulu"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Approvals.CreateLink(ctx, a, ws.ID, it.ID, approval.LinkInput{Name: "Ani", Email: "OWNER@kota.example", Lang: "id", Days: 3}); err == nil {
		t.Fatal("a review link to a member's own address was accepted")
	}
	if _, err := env.App.Approvals.CreateLink(ctx, a, ws.ID, it.ID, approval.LinkInput{Name: "Dr. Sari", Email: "sari@kampus.example", Lang: "id", Days: 3}); err != nil {
		t.Fatal(err)
	}
	_, text := env.LastMailTo("sari@kampus.example")
	r := env.Browser().Get(apptest.LinkIn(t, text, "/review/"))
	if r.Status != 200 || !strings.Contains(r.Body, "Posko dibuka.") || strings.Contains(r.Body, "INTERNAL") {
		t.Fatalf("review page: %d, shows the team's comment: %v", r.Status, strings.Contains(r.Body, "INTERNAL"))
	}
}
