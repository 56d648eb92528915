package approval_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/web"
)

// Off asks nobody; required makes a request, an approval approves the item, and an edit after it
// makes the approval stale: the item is back in review and the approver is told.
func TestModes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		editor := st.member("editor@humas.example", "Eka Editor", access.Editor, "en")
		approver := st.member("ayu@humas.example", "Ayu Approver", access.Approver, "id")

		if req, err := st.s.Required(ctx, st.ws.ID); err != nil || req {
			t.Fatalf("a new workspace requires approval: %v %v", req, err)
		}
		st.setMode(approval.Off)
		off := st.write(st.ws.ID, editor, "Tanpa persetujuan")
		st.submit(st.ws.ID, editor, off.ID)
		if mine, _, _ := st.s.Queue(ctx, st.ws.ID, approver); len(mine) != 0 || len(st.notices(st.ws.ID, approver)) != 0 {
			t.Fatalf("approval off still asked the approver: %d waiting", len(mine))
		}

		st.setMode(approval.Required)
		if req, _ := st.s.Required(ctx, st.ws.ID); !req {
			t.Fatal("required mode does not require approval")
		}
		it := st.write(st.ws.ID, editor, "Posko banjir")
		soon := time.Now().Add(48 * time.Hour)
		if _, err := st.content.Schedule(ctx, actor(editor, "editor"), st.ws.ID, it.ID, content.When{At: &soon}, wib); !errors.Is(err, content.ErrNotApproved) {
			t.Fatalf("scheduling before approval: %v", err)
		}
		st.submit(st.ws.ID, editor, it.ID)
		mine, _, err := st.s.Queue(ctx, st.ws.ID, approver)
		if err != nil || len(mine) != 1 || mine[0].Item.ID != it.ID || mine[0].SubmittedBy != "Eka Editor" || st.status(st.ws.ID, it.ID) != content.InReview {
			t.Fatalf("after the request: %v %+v", err, mine)
		}
		if got := st.notices(st.ws.ID, approver); !slices.Equal(got, []string{"approval.notice.waiting"}) {
			t.Fatalf("approver's notices: %v", got)
		}
		if m := st.mails("ayu@humas.example"); len(m) != 1 || m[0].Subject != "“Posko banjir” menunggu persetujuan Anda" {
			t.Fatalf("approver's mail: %+v", m)
		}
		// The editor cannot approve; the approver can, once.
		if _, err := st.decide(editor, it.ID, true, ""); !errors.Is(err, approval.ErrNotYourStep) {
			t.Errorf("the editor approving: %v", err)
		}
		if out, err := st.decide(approver, it.ID, true, "Sudah sesuai."); err != nil || out != approval.OutcomeApproved {
			t.Fatalf("approve: %v %v", out, err)
		}
		if st.status(st.ws.ID, it.ID) != content.Approved {
			t.Fatalf("after approval the item is %s", st.status(st.ws.ID, it.ID))
		}
		if _, err := st.decide(approver, it.ID, true, ""); !errors.Is(err, approval.ErrNothingPending) {
			t.Errorf("approving again: %v", err)
		}
		if got := st.notices(st.ws.ID, editor); !slices.Equal(got, []string{"approval.notice.approved"}) {
			t.Errorf("author's notices: %v", got)
		}
		if _, err := st.content.Schedule(ctx, actor(editor, "editor"), st.ws.ID, it.ID, content.When{At: &soon}, wib); err != nil {
			t.Fatalf("scheduling after approval: %v", err)
		}
		if e := st.audit("approval.approved"); len(e) != 1 || e[0].Changes["reviewer_name"].To != "Ayu Approver" || e[0].Changes["note"].To != "Sudah sesuai." {
			t.Errorf("audit of the approval: %+v", e)
		}

		// An edit after the approval: stale, back in review, the approver told and asked again.
		it2 := st.edit(st.ws.ID, editor, it, "Pemerintah Kota membuka dua posko banjir.")
		if st.status(st.ws.ID, it.ID) != content.InReview {
			t.Fatalf("after the edit the item is %s", st.status(st.ws.ID, it.ID))
		}
		if got := st.notices(st.ws.ID, approver); !slices.Equal(got, []string{"approval.notice.waiting", "approval.notice.stale_again"}) {
			t.Errorf("approver's notices after the edit: %v", got)
		}
		mine, _, _ = st.s.Queue(ctx, st.ws.ID, approver)
		if len(mine) != 1 || mine[0].Request.Version != it2.Version {
			t.Fatalf("queue after the edit: %+v", mine)
		}
		rv, err := st.s.Review(ctx, st.ws.ID, it.ID)
		if err != nil || rv.LastApproved != it.Version || rv.Request == nil {
			t.Fatalf("review after the edit: %v %+v", err, rv)
		}
		changed := false
		for _, row := range rv.Diff {
			changed = changed || row.Kind == "changed" && strings.Contains(row.Right, "dua posko")
		}
		if !changed {
			t.Errorf("the diff against the approved version misses the edit: %+v", rv.Diff)
		}
		if e := st.audit("approval.stale"); len(e) != 1 {
			t.Errorf("audit of the stale approval: %+v", e)
		}

		// Optional: an edit of an approved item makes the approval stale, but nothing waits again.
		st.setMode(approval.Optional)
		if _, err := st.decide(approver, it.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		st.edit(st.ws.ID, editor, it2, "Teks ketiga.")
		if got := st.notices(st.ws.ID, approver); got[len(got)-1] != "approval.notice.stale" {
			t.Errorf("optional mode, notices after the edit: %v", got)
		}
		if mine, _, _ := st.s.Queue(ctx, st.ws.ID, approver); len(mine) != 0 {
			t.Errorf("optional mode asks again after an edit: %+v", mine)
		}
	})
}

// Multi-step: step 1 needs both named people, step 2 anyone with the approver role at the moment
// of deciding; the item is approved only when the last step is.
func TestMultiStep(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		editor := st.member("editor@humas.example", "Eka Editor", access.Editor, "en")
		legal1 := st.member("hukum1@humas.example", "Hana Hukum", access.Approver, "en")
		legal2 := st.member("hukum2@humas.example", "Hadi Hukum", access.Admin, "en")
		later := st.member("kepala@humas.example", "Kiki Kepala", access.Viewer, "en")

		// One step is not multi-step; a viewer cannot approve.
		err := st.s.SaveSettings(ctx, actor(st.owner, "owner"), st.ws.ID, approval.Settings{Mode: approval.MultiStep,
			Steps: []approval.Step{{Name: "Hukum", Users: []int64{legal1, later}, Rule: approval.All}}})
		var we *web.Error
		if !errors.As(err, &we) || we.Fields["mode"] != "approval.error.multi_needs_two" || we.Fields["step1_users"] != "approval.error.not_approver" {
			t.Fatalf("bad settings: %v %+v", err, we)
		}
		st.setMode(approval.MultiStep,
			approval.Step{Name: "Hukum", Users: []int64{legal1, legal2}, Rule: approval.All},
			approval.Step{Name: "Pimpinan", Role: access.Approver, Rule: approval.Any})
		it := st.write(st.ws.ID, editor, "Siaran pers banjir")
		st.submit(st.ws.ID, editor, it.ID)

		if out, err := st.decide(legal1, it.ID, true, ""); err != nil || out != approval.OutcomeRecorded {
			t.Fatalf("first of two: %v %v", out, err)
		}
		if _, err := st.decide(legal1, it.ID, true, ""); !errors.Is(err, approval.ErrAlreadyDecided) {
			t.Errorf("deciding twice: %v", err)
		}
		if _, err := st.decide(st.owner, it.ID, true, ""); !errors.Is(err, approval.ErrNotYourStep) {
			t.Errorf("the owner, not named in step 1: %v", err)
		}
		mine, others, _ := st.s.Queue(ctx, st.ws.ID, legal1)
		if len(mine) != 0 || len(others) != 1 || len(others[0].Undecided()) != 1 || others[0].Undecided()[0].UserID != legal2 {
			t.Fatalf("legal1's queue: %+v %+v", mine, others)
		}
		if mine, _, _ := st.s.Queue(ctx, st.ws.ID, legal2); len(mine) != 1 {
			t.Fatalf("legal2's queue: %+v", mine)
		}
		if st.status(st.ws.ID, it.ID) != content.InReview {
			t.Fatal("one of two approvals approved the item")
		}
		if out, err := st.decide(legal2, it.ID, true, ""); err != nil || out != approval.OutcomeNextStep {
			t.Fatalf("second of two: %v %v", out, err)
		}
		if st.status(st.ws.ID, it.ID) != content.InReview {
			t.Fatal("step 1 alone approved the item")
		}
		// The role resolves when someone decides: Kiki becomes an approver only now.
		if err := st.auth.ChangeRole(ctx, auth.CLI, access.Owner, st.ws.ID, later, access.Approver); err != nil {
			t.Fatal(err)
		}
		if _, err := st.decide(legal2, it.ID, true, ""); !errors.Is(err, approval.ErrNotYourStep) {
			t.Errorf("an admin on a step for approvers: %v", err)
		}
		if out, err := st.decide(later, it.ID, true, ""); err != nil || out != approval.OutcomeApproved {
			t.Fatalf("step 2: %v %v", out, err)
		}
		if st.status(st.ws.ID, it.ID) != content.Approved {
			t.Fatalf("after both steps the item is %s", st.status(st.ws.ID, it.ID))
		}
		// Step 1's approver with the role was told when step 2 started; Kiki became one too late to be told.
		if got := st.notices(st.ws.ID, legal1); !slices.Equal(got, []string{"approval.notice.waiting", "approval.notice.waiting"}) {
			t.Errorf("legal1's notices: %v", got)
		}

		// A decision on a version that is no longer the one waiting is refused.
		it2 := st.write(st.ws.ID, editor, "Jadwal layanan")
		st.submit(st.ws.ID, editor, it2.ID)
		st.edit(st.ws.ID, editor, it2, "Jadwal baru.")
		if _, err := st.s.Decide(ctx, actor(legal1, "l1"), approval.Reviewer{UserID: legal1}, st.ws.ID, it2.ID, it2.Version, true, ""); !errors.Is(err, approval.ErrVersionChanged) {
			t.Errorf("deciding on an old version: %v", err)
		}
	})
}

// A rejection needs a reason, sends the item back to draft and tells the author why.
func TestRejection(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		editor := st.member("editor@humas.example", "Eka Editor", access.Editor, "id")
		approver := st.member("ayu@humas.example", "Ayu Approver", access.Approver, "en")
		st.setMode(approval.Required)
		it := st.write(st.ws.ID, editor, "Pernyataan resmi")
		st.submit(st.ws.ID, editor, it.ID)

		_, err := st.decide(approver, it.ID, false, "  ")
		var we *web.Error
		if !errors.As(err, &we) || we.Fields["note"] != "approval.error.note_required" {
			t.Fatalf("a rejection without a reason: %v", err)
		}
		if out, err := st.decide(approver, it.ID, false, "Angka korban belum dikonfirmasi BPBD."); err != nil || out != approval.OutcomeRejected {
			t.Fatalf("reject: %v %v", out, err)
		}
		if st.status(st.ws.ID, it.ID) != content.Draft {
			t.Fatalf("a rejected item is %s", st.status(st.ws.ID, it.ID))
		}
		m := st.mails("editor@humas.example")
		if len(m) != 1 || m[0].Subject != "Ayu Approver mengembalikan “Pernyataan resmi” ke draf: Angka korban belum dikonfirmasi BPBD." {
			t.Fatalf("the author's mail: %+v", m)
		}
		if e := st.audit("approval.rejected"); len(e) != 1 || e[0].Actor != "member" || e[0].Changes["outcome"].To != "rejected" {
			t.Errorf("audit: %+v", e)
		}
		// Asking again starts over.
		st.submit(st.ws.ID, editor, it.ID)
		if mine, _, _ := st.s.Queue(context.Background(), st.ws.ID, approver); len(mine) != 1 {
			t.Errorf("after asking again: %+v", mine)
		}
	})
}

// The digest goes once a day per approver, from 07:00 in the workspace's zone, listing what waits
// for them; running the job again the same day sends nothing.
func TestDigest(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		editor := st.member("editor@humas.example", "Eka Editor", access.Editor, "en")
		st.member("ayu@humas.example", "Ayu Approver", access.Approver, "id")
		st.setMode(approval.Required, approval.Step{Role: access.Approver, Rule: approval.Any})
		for _, title := range []string{"Posko banjir", "Jadwal layanan KTP"} {
			st.submit(st.ws.ID, editor, st.write(st.ws.ID, editor, title).ID)
		}
		before := len(st.mails("ayu@humas.example"))

		early := time.Date(2026, 12, 3, 6, 30, 0, 0, wib)
		if n, err := st.s.SendDigests(ctx, early); err != nil || n != 0 {
			t.Fatalf("before 07:00: %d %v", n, err)
		}
		morning := time.Date(2026, 12, 3, 8, 0, 0, 0, wib)
		if n, err := st.s.SendDigests(ctx, morning); err != nil || n != 1 {
			t.Fatalf("the morning's digests: %d %v", n, err)
		}
		if n, err := st.s.SendDigests(ctx, morning.Add(3*time.Hour)); err != nil || n != 0 {
			t.Fatalf("a second run the same day: %d %v", n, err)
		}
		m := st.mails("ayu@humas.example")
		if len(m) != before+1 {
			t.Fatalf("the approver got %d mails, want %d", len(m), before+1)
		}
		d := m[0]
		if d.Subject != "2 konten menunggu persetujuan Anda di Humas Kota" || !strings.Contains(d.Text, "Posko banjir") ||
			!strings.Contains(d.Text, "Jadwal layanan KTP") || !strings.Contains(d.Text, st.url+"/w/"+st.ws.Slug+"/approvals") {
			t.Errorf("digest: %s\n%s", d.Subject, d.Text)
		}
		// The owner may approve but the step names the approver role: no digest for the owner.
		if len(st.mails("owner@humas.example")) != 0 {
			t.Error("the owner got a digest")
		}
		if n, _ := st.s.SendDigests(ctx, morning.Add(24*time.Hour)); n != 1 {
			t.Errorf("the next day: %d digests", n)
		}
		// The job runs the same code; run twice it sends nothing more today.
		w := &approval.DigestWorker{S: st.s}
		for range 2 {
			if err := w.Work(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		if got := len(st.mails("ayu@humas.example")); got > before+3 {
			t.Errorf("the job sent %d digests in one day", got-before-2)
		}
	})
}

// Nothing of one workspace is reached from another.
func TestWorkspaceIsolation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		editor := st.member("editor@humas.example", "Eka Editor", access.Editor, "en")
		st.setMode(approval.Required)
		it := st.write(st.ws.ID, editor, "Rahasia A")
		st.submit(st.ws.ID, editor, it.ID)

		userB, wsB, err := st.auth.CreateUserWithWorkspace(ctx, auth.CLI, "lain@humas.example", "Lain", pw, "en", "Humas Lain", "Asia/Jakarta")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Decide(ctx, actor(userB.ID, "b"), approval.Reviewer{UserID: userB.ID}, wsB.ID, it.ID, 0, true, ""); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B deciding on A's item: %v", err)
		}
		if _, err := st.s.Review(ctx, wsB.ID, it.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B reviewing A's item: %v", err)
		}
		if mine, others, _ := st.s.Queue(ctx, wsB.ID, userB.ID); len(mine)+len(others) != 0 {
			t.Errorf("B's queue shows A's items")
		}
		if _, err := st.s.CreateLink(ctx, actor(userB.ID, "b"), wsB.ID, it.ID, approval.LinkInput{Name: "X", Email: "x@luar.example", Lang: "en", Days: 3}); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B sending a link to A's item: %v", err)
		}
		l, err := st.s.CreateLink(ctx, actor(st.owner, "owner"), st.ws.ID, it.ID, approval.LinkInput{Name: "X", Email: "x@luar.example", Lang: "en", Days: 3})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.s.RevokeLink(ctx, actor(userB.ID, "b"), wsB.ID, it.ID, l.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("B revoking A's link: %v", err)
		}
		if set, _ := st.s.Settings(ctx, wsB.ID); set.Mode != approval.DefaultMode {
			t.Errorf("B's settings follow A's: %v", set.Mode)
		}
		if st.status(st.ws.ID, it.ID) != content.InReview {
			t.Error("A's item changed")
		}
	})
}
