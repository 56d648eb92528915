package approval_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// An admin sets up two steps (mistakes come back beside their fields, typed values kept); an
// approver finds the item in their queue with its channels and who asked, reads it, refuses to
// reject without a reason, approves; a viewer reaches none of it.
func TestApprovalPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		editor := st.member("editor@humas.example", "Eka Editor", access.Editor, "en")
		approver := st.member("ayu@humas.example", "Ayu Approver", access.Approver, "en")
		st.member("viewer@humas.example", "Vina Viewer", access.Viewer, "en")
		owner := st.signIn("owner@humas.example")

		r := owner.Get(st.path("/settings/approvals"))
		mustSee(t, "settings", r, "How this workspace approves content", "Optional", `value="optional" checked`, "Ayu Approver")
		r = owner.Post(st.path("/settings/approvals"), url.Values{"mode": {"multi_step"},
			"step1_name": {""}, "step1_who": {""}, "step1_rule": {"any"},
			"step2_name": {"Biro Hukum"}, "step2_who": {"people"}, "step2_rule": {"all"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad settings: %d %s", r.Status, text(r.Body))
		}
		mustSee(t, "bad settings", r, "Multi-step approval needs at least two steps.", "Tick at least one person, or choose other approvers.",
			`value="Biro Hukum"`, `value="multi_step" checked`)
		r = owner.Post(st.path("/settings/approvals"), url.Values{"mode": {"multi_step"},
			"step1_name": {"Biro Hukum"}, "step1_who": {"people"}, "step1_users": {fmt.Sprint(approver)}, "step1_rule": {"all"},
			"step2_name": {"Pimpinan"}, "step2_who": {"role:owner"}, "step2_rule": {"any"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("settings: %d %s", r.Status, text(r.Body))
		}
		set, _ := st.s.Settings(context.Background(), st.ws.ID)
		if set.Mode != approval.MultiStep || len(set.Steps) != 2 || set.Steps[0].Users[0] != approver || set.Steps[1].Role != access.Owner {
			t.Fatalf("saved settings: %+v", set)
		}
		mustSee(t, "saved settings", owner.Follow(r), "Saved.", `value="Pimpinan"`)

		it := st.write(st.ws.ID, editor, "Posko banjir")
		st.submit(st.ws.ID, editor, it.ID)
		ayu := st.signIn("ayu@humas.example")
		r = ayu.Get(st.path("/approvals"))
		mustSee(t, "queue", r, "Waiting for me", "Posko banjir", "Bluesky, X", "Eka Editor", "Step 1 of 2: Biro Hukum")
		item := st.path(fmt.Sprintf("/approvals/%d", it.ID))
		r = ayu.Get(item)
		mustSee(t, "approval page", r, "Posko banjir dibuka di Balai Kota.", "Posko banjir dibuka 🙏", "Bluesky",
			"No version of this item has been approved before", "All of them approve", `name="decision" value="approve"`)
		r = ayu.Post(item+"/decision", url.Values{"decision": {"reject"}, "note": {""}, "version": {fmt.Sprint(it.Version)}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("reject without a note: %d", r.Status)
		}
		mustSee(t, "reject without a note", r, "Say what needs to change, so the author can fix it.")
		r = ayu.Post(item+"/decision", url.Values{"decision": {"approve"}, "note": {"Aman secara hukum."}, "version": {fmt.Sprint(it.Version)}})
		mustSee(t, "after approving", ayu.Follow(r), "Approved. The approvers of the next step have been told.", "Nothing waits for your approval.")
		r = owner.Get(st.path("/approvals"))
		mustSee(t, "owner's queue", r, "Posko banjir", "Step 2 of 2: Pimpinan")
		r = owner.Get(item)
		mustSee(t, "history", r, "Ayu Approver", "Aman secara hukum.")

		vina := st.signIn("viewer@humas.example")
		for _, p := range []string{st.path("/approvals"), item, st.path("/settings/approvals"), st.path(fmt.Sprintf("/content/%d/review-links", it.ID))} {
			if r := vina.Get(p); r.Status != http.StatusForbidden {
				t.Errorf("viewer GET %s: %d", p, r.Status)
			}
		}
		if r := vina.Post(item+"/decision", url.Values{"decision": {"approve"}}); r.Status != http.StatusForbidden {
			t.Errorf("viewer decides: %d", r.Status)
		}
		if r := ayu.Get(st.path("/settings/approvals")); r.Status != http.StatusForbidden {
			t.Errorf("an approver reaches the settings: %d", r.Status)
		}
	})
}

// The API lists what waits for the token's user and takes their decision; another workspace's
// token finds nothing.
func TestApprovalAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		editor := st.member("editor@humas.example", "Eka Editor", access.Editor, "en")
		approver := st.member("ayu@humas.example", "Ayu Approver", access.Approver, "en")
		st.setMode(approval.Required)
		it := st.write(st.ws.ID, editor, "Posko banjir")
		st.submit(st.ws.ID, editor, it.ID)
		token, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, approver, "skrip", access.Approver)
		if err != nil {
			t.Fatal(err)
		}
		edToken, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, editor, "skrip", access.Editor)
		if err != nil {
			t.Fatal(err)
		}

		status, body := st.api("GET", "/api/v1/approvals", token, nil)
		items, _ := body["items"].([]any)
		if status != 200 || len(items) != 1 {
			t.Fatalf("list: %d %v", status, body)
		}
		first := items[0].(map[string]any)
		if first["title"] != "Posko banjir" || first["version"] != float64(1) || fmt.Sprint(first["channels"]) != "[bluesky x]" ||
			first["submitted_by"] != "Eka Editor" || first["link"] != st.url+st.path(fmt.Sprintf("/approvals/%d", it.ID)) {
			t.Errorf("waiting item: %v", first)
		}
		path := fmt.Sprintf("/api/v1/approvals/%d/decision", it.ID)
		if status, _ := st.api("POST", path, edToken, map[string]any{"decision": "approve"}); status != http.StatusForbidden {
			t.Errorf("an editor's token: %d", status)
		}
		status, body = st.api("POST", path, token, map[string]any{"decision": "maybe"})
		if fields, _ := body["error"].(map[string]any)["fields"].(map[string]any); status != http.StatusUnprocessableEntity || fields["decision"] != "Please choose one of the options." {
			t.Errorf("a wrong decision: %d %v", status, body)
		}
		if status, body := st.api("POST", path, token, map[string]any{"decision": "approve", "version": 7}); status != http.StatusConflict ||
			body["error"].(map[string]any)["code"] != "version_changed" {
			t.Errorf("another version: %d %v", status, body)
		}
		status, body = st.api("POST", path, token, map[string]any{"decision": "approve", "note": "OK"})
		if status != 200 || body["outcome"] != "approved" || st.status(st.ws.ID, it.ID) != content.Approved {
			t.Fatalf("approve: %d %v", status, body)
		}
		if status, body := st.api("GET", "/api/v1/approvals", token, nil); status != 200 || len(body["items"].([]any)) != 0 {
			t.Errorf("list after approving: %v", body)
		}

		userB, wsB, err := st.auth.CreateUserWithWorkspace(ctx, auth.CLI, "lain@humas.example", "Lain", pw, "en", "Humas Lain", "Asia/Jakarta")
		if err != nil {
			t.Fatal(err)
		}
		tokenB, _, err := st.auth.CreateToken(ctx, auth.CLI, wsB.ID, userB.ID, "B", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := st.api("POST", path, tokenB, map[string]any{"decision": "reject", "note": "x"}); status != http.StatusNotFound {
			t.Errorf("B's token on A's item: %d", status)
		}
	})
}

var reviewPath = regexp.MustCompile(`/review/[a-z0-9]+\.[A-Za-z0-9_-]+`)

// An editor sends a review link; the reviewer, without an account, opens it in their language,
// comments, and approves under their own name; all of it is in the audit log. The link reaches its
// item only; an expired or revoked link says so, in the visitor's language, with status 410.
func TestReviewLinks(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		editor := st.member("editor@humas.example", "Eka Editor", access.Editor, "en")
		it := st.write(st.ws.ID, editor, "Siaran pers banjir")
		other := st.write(st.ws.ID, editor, "Konten lain")
		st.submit(st.ws.ID, editor, it.ID)
		st.submit(st.ws.ID, editor, other.ID)
		ed := st.signIn("editor@humas.example")
		links := st.path(fmt.Sprintf("/content/%d/review-links", it.ID))

		r := ed.Post(links, url.Values{"name": {"Dr. Sari"}, "email": {"sari@kampus"}, "days": {"90"}, "lang": {"id"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad link: %d", r.Status)
		}
		mustSee(t, "bad link", r, "Enter an email address such as ani@example.id.", "Choose from 1 to 30 days.", `value="Dr. Sari"`, `value="sari@kampus"`)
		r = ed.Post(links, url.Values{"name": {"Dr. Sari"}, "email": {"Sari@Kampus.example"}, "days": {"5"}, "lang": {"id"}})
		mustSee(t, "links", ed.Follow(r), "The review link was sent.", "Dr. Sari", "sari@kampus.example", "Not opened yet", "Active")
		m := st.mails("sari@kampus.example")
		if len(m) != 1 || m[0].Subject != "Eka Editor meminta Anda meninjau “Siaran pers banjir”" || !strings.Contains(m[0].Text, st.url+"/review/") {
			t.Fatalf("link mail: %+v", m)
		}
		link := reviewPath.FindString(m[0].Text)
		if link == "" {
			t.Fatalf("no link in %s", m[0].Text)
		}

		sari := st.visitor("id")
		r = sari.Get(link)
		mustSee(t, "review page", r, "Siaran pers banjir", "Posko banjir dibuka di Balai Kota.", "Bluesky", "sebagai Dr. Sari (sari@kampus.example)", "Setujui")
		if strings.Contains(r.Body, "Konten lain") {
			t.Error("the review page shows another item")
		}
		sari.Get(link)
		if e := st.audit("approval.link_opened"); len(e) != 1 || e[0].Actor != "Dr. Sari <sari@kampus.example>" {
			t.Errorf("opening is recorded once: %+v", e)
		}
		r = sari.Post(link+"/comments", url.Values{"comment_name": {"Dr. Sari"}, "comment_email": {"sari@kampus.example"}, "body": {""}})
		mustSee(t, "empty comment", r, "Kolom ini wajib diisi.", "sebagai Dr. Sari")
		r = sari.Post(link+"/comments", url.Values{"comment_name": {"Dr. Sari"}, "comment_email": {"sari@kampus.example"}, "body": {"Mohon sebut nomor darurat."}})
		mustSee(t, "after commenting", sari.Follow(r), "Mohon sebut nomor darurat.")
		if e := st.audit("content.commented"); len(e) != 1 || e[0].Actor != "sari@kampus.example" {
			t.Errorf("the comment in the audit log: %+v", e)
		}
		if got := st.notices(st.ws.ID, editor); got[len(got)-1] != "approval.notice.review_comment" {
			t.Errorf("the editor's notices: %v", got)
		}

		// The form for this item cannot reach another: the version of another item is just wrong here.
		// A name typed into the form changes nothing: the decision is the link's addressee's.
		r = sari.Post(link+"/decision", url.Values{"name": {"Sari W."}, "email": {"sari.w@kampus.example"}, "decision": {"approve"},
			"version": {fmt.Sprint(it.Version)}, "item": {fmt.Sprint(other.ID)}})
		mustSee(t, "after approving", sari.Follow(r), "Terima kasih. Persetujuan Anda sudah tercatat.", "Versi 1 adalah versi yang disetujui.", "Saat ini tidak ada yang menunggu keputusan untuk konten ini.")
		if st.status(st.ws.ID, it.ID) != content.Approved || st.status(st.ws.ID, other.ID) != content.InReview {
			t.Fatalf("after the reviewer's approval: %s and %s", st.status(st.ws.ID, it.ID), st.status(st.ws.ID, other.ID))
		}
		e := st.audit("approval.approved")
		if len(e) != 1 || e[0].Actor != "Dr. Sari <sari@kampus.example>" || e[0].Changes["reviewer_email"].To != "sari@kampus.example" || e[0].EntityID != fmt.Sprint(it.ID) {
			t.Errorf("the approval in the audit log: %+v", e)
		}
		// A link's id does not open another item.
		l, err := st.s.CheckLink(ctx, strings.TrimPrefix(link, "/review/"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Decide(ctx, approval.ReviewerActor("Sari", "sari@kampus.example", ""), approval.Reviewer{Name: "Sari", Email: "sari@kampus.example", LinkID: l.ID},
			st.ws.ID, other.ID, 0, true, ""); !errors.Is(err, approval.ErrLinkUnknown) {
			t.Errorf("a link used on another item: %v", err)
		}
		if r := sari.Get(link[:len(link)-3] + "abc"); r.Status != http.StatusNotFound {
			t.Errorf("a link with a wrong signature: %d", r.Status)
		}

		// Expired: the visitor reads why, in their language.
		if _, err := st.d.Exec(ctx, `UPDATE review_links SET expires_at = ? WHERE id = ?`, l.CreatedAt.Add(-1), l.ID); err != nil {
			t.Fatal(err)
		}
		r = sari.Get(link)
		if r.Status != http.StatusGone {
			t.Fatalf("expired link: %d", r.Status)
		}
		mustSee(t, "expired link", r, "Masa berlaku tautan tinjauan ini sudah habis.")
		mustSee(t, "expired link in English", st.visitor("en").Get(link), "This review link has expired.")
		mustSee(t, "links after expiry", ed.Get(links), "Expired")

		// Revoked: the editor withdraws a second link; it stops at once, for reading and deciding.
		if _, err := st.s.CreateLink(ctx, actor(editor, "editor@humas.example"), st.ws.ID, other.ID, approval.LinkInput{Name: "Pak Budi", Email: "budi@mitra.example", Lang: "en", Days: 3}); err != nil {
			t.Fatal(err)
		}
		link2 := reviewPath.FindString(st.mails("budi@mitra.example")[0].Text)
		budi := st.visitor("en")
		mustSee(t, "second link", budi.Get(link2), "Konten lain")
		list, _ := st.s.Links(ctx, st.ws.ID, other.ID)
		r = ed.Post(st.path(fmt.Sprintf("/content/%d/review-links/%d/revoke", other.ID, list[0].ID)), nil)
		mustSee(t, "revoked", ed.Follow(r), "The review link no longer works.", "Revoked")
		r = budi.Get(link2)
		if r.Status != http.StatusGone {
			t.Fatalf("revoked link: %d", r.Status)
		}
		mustSee(t, "revoked link", r, "This review link was withdrawn by the person who sent it.")
		mustSee(t, "revoked link in Indonesian", st.visitor("id").Get(link2), "Tautan tinjauan ini sudah dicabut oleh pengirimnya.")
		if r := budi.Post(link2+"/decision", url.Values{"name": {"Budi"}, "email": {"budi@mitra.example"}, "decision": {"approve"}}); r.Status != http.StatusGone {
			t.Errorf("deciding through a revoked link: %d", r.Status)
		}
		if st.status(st.ws.ID, other.ID) != content.InReview {
			t.Error("a revoked link approved the item")
		}
		if len(st.audit("approval.link_created")) != 2 || len(st.audit("approval.link_revoked")) != 1 {
			t.Error("creating and revoking links is not in the audit log")
		}
	})
}
