package release_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/press/release"
)

// The embargo line a journalist reads, in both languages, for Indonesia's three zones (and
// Pontianak, which is WIB too) and for zones elsewhere.
func TestEmbargoLine(t *testing.T) {
	b, err := i18n.NewBundle(catalog.Common, release.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		zone   string
		hh, mm int
		id, en string
	}{
		{"Asia/Jakarta", 10, 0, "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB", "EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB"},
		{"Asia/Pontianak", 10, 0, "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB", "EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB"},
		{"Asia/Makassar", 9, 30, "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 09.30 WITA", "EMBARGOED UNTIL Thursday, 3 December 2026, 09:30 WITA"},
		{"Asia/Jayapura", 19, 5, "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 19.05 WIT", "EMBARGOED UNTIL Thursday, 3 December 2026, 19:05 WIT"},
		{"Europe/London", 3, 0, "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 03.00 GMT", "EMBARGOED UNTIL Thursday, 3 December 2026, 03:00 GMT"},
		{"Asia/Singapore", 11, 0, "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 11.00 UTC+8", "EMBARGOED UNTIL Thursday, 3 December 2026, 11:00 UTC+8"},
		{"Asia/Kathmandu", 8, 45, "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 08.45 UTC+5:45", "EMBARGOED UNTIL Thursday, 3 December 2026, 08:45 UTC+5:45"},
	}
	for _, c := range cases {
		z, _ := time.LoadLocation(c.zone)
		// The instant is given in another zone: the line must show it in the embargo's own.
		when := time.Date(2026, 12, 3, c.hh, c.mm, 0, 0, z).In(time.UTC)
		if got := release.EmbargoLine(b, "id", when, z); got != c.id {
			t.Errorf("%s id: %q, want %q", c.zone, got, c.id)
		}
		if got := release.EmbargoLine(b, "en", when, z); got != c.en {
			t.Errorf("%s en: %q, want %q", c.zone, got, c.en)
		}
	}
	if got := release.ImmediateLine(b, "id"); got != "UNTUK DISIARKAN SEGERA" {
		t.Errorf("immediate id: %q", got)
	}
	if got := release.ImmediateLine(b, "en"); got != "FOR IMMEDIATE RELEASE" {
		t.Errorf("immediate en: %q", got)
	}
}

// Releases are numbered per workspace and year with the workspace's pattern; a typed number is
// kept, and the other language version carries the same number.
func TestNumbering(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		first := st.create(st.ws.ID, banjir())
		if first.Number != "001/HUMAS/XI/2026" {
			t.Errorf("first number %q, want 001/HUMAS/XI/2026", first.Number)
		}
		in := banjir()
		in.DatelineDate = "2026-12-01"
		if r := st.create(st.ws.ID, in); r.Number != "002/HUMAS/XII/2026" {
			t.Errorf("second number %q, want 002/HUMAS/XII/2026", r.Number)
		}
		in.DatelineDate = "2027-01-04"
		if r := st.create(st.ws.ID, in); r.Number != "001/HUMAS/I/2027" {
			t.Errorf("new year's number %q, want 001/HUMAS/I/2027", r.Number)
		}
		if err := st.s.SetPattern(ctx, st.actor(), st.ws.ID, "no pattern"); err == nil {
			t.Error("a pattern without {n} was accepted")
		}
		if err := st.s.SetPattern(ctx, st.actor(), st.ws.ID, "SP-{n}/{month}/{year}"); err != nil {
			t.Fatal(err)
		}
		in.DatelineDate = "2026-12-15"
		if r := st.create(st.ws.ID, in); r.Number != "SP-003/12/2026" {
			t.Errorf("number with the workspace's pattern %q, want SP-003/12/2026", r.Number)
		}
		in.Number = "045/HUMAS-KHUSUS/XII/2026"
		typed := st.create(st.ws.ID, in)
		if typed.Number != in.Number {
			t.Errorf("typed number became %q", typed.Number)
		}
		// The number is editable; the other language version keeps it.
		up := release.Input{Headline: first.Headline, Body: first.Body, Number: "001/HUMAS/XI/2026-R", DatelineDate: first.DatelineDate,
			Zone: first.Zone, Embargo: first.Embargo, BaseVersion: first.Version}
		edited, err := st.s.Update(ctx, st.actor(), st.ws.ID, first.ID, up)
		if err != nil || edited.Number != "001/HUMAS/XI/2026-R" {
			t.Fatalf("edit number: %v %+v", err, edited)
		}
		en, err := st.s.Translate(ctx, st.actor(), st.ws.ID, first.ID)
		if err != nil || en.Number != "001/HUMAS/XI/2026-R" {
			t.Fatalf("translation's number: %v %+v", err, en)
		}
		if next, _ := st.s.NextNumber(ctx, st.ws.ID, time.Date(2026, 12, 20, 0, 0, 0, 0, wib)); next != "SP-004/12/2026" {
			t.Errorf("next number %q, want SP-004/12/2026 (the translation took none)", next)
		}
	})
}

// An Indonesian release gets an English version linked both ways, with its own fields copied;
// a new release takes boilerplate, narahubung and city from the last one.
func TestLanguageVersions(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		id := st.create(st.ws.ID, banjir())
		en, err := st.s.Translate(ctx, st.actor(), st.ws.ID, id.ID)
		if err != nil {
			t.Fatal(err)
		}
		if en.Lang != "en" || en.Versions["id"] != id.ID || en.Versions["en"] != en.ID {
			t.Fatalf("english version: %+v", en)
		}
		id, _ = st.s.Get(ctx, st.ws.ID, id.ID)
		if id.Versions["en"] != en.ID {
			t.Fatalf("the Indonesian release does not link its English version: %+v", id.Versions)
		}
		if en.ContactName != "Rina Wulandari" || en.Embargo == nil || !en.Embargo.Equal(*id.Embargo) || en.Zone != "Asia/Jakarta" {
			t.Errorf("the release's own fields were not copied: %+v", en)
		}
		if _, err := st.s.Translate(ctx, st.actor(), st.ws.ID, en.ID); !errors.Is(err, release.ErrHasVersion) {
			t.Errorf("a second Indonesian version: %v", err)
		}
		it, _ := st.content.Get(ctx, st.ws.ID, en.ItemID)
		if it.Kind != content.KindRelease || it.TranslationOf != id.ItemID {
			t.Errorf("content item of the English version: %+v", it)
		}

		d, err := st.s.Defaults(ctx, st.ws.ID, "id", wib)
		if err != nil {
			t.Fatal(err)
		}
		if d.ContactName != "Rina Wulandari" || d.ContactEmail != "humas@sukamaju.example" || !strings.Contains(d.Boilerplate, "Pemkot Sukamaju") ||
			d.DatelineCity != "Sukamaju" || d.Zone != "Asia/Jakarta" {
			t.Errorf("defaults from the last release: %+v", d)
		}
	})
}

// Render writes the version in the recipient's language, falls back to the release's own, and
// words the embargo in the version's language.
func TestRender(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		id := st.create(st.ws.ID, banjir())
		en, err := st.s.Translate(ctx, st.actor(), st.ws.ID, id.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.s.Update(ctx, st.actor(), st.ws.ID, en.ID, release.Input{Headline: "Sukamaju Opens Flood Relief Post at City Hall",
			Body: "The City of Sukamaju opened a flood relief post.", Number: en.Number, DatelineCity: "Sukamaju", DatelineDate: "2026-11-20",
			ContactName: en.ContactName, Embargo: en.Embargo, Zone: en.Zone, BaseVersion: en.Version})
		if err != nil {
			t.Fatal(err)
		}

		out, err := st.s.Render(ctx, st.ws.ID, id.ID, "en")
		if err != nil {
			t.Fatal(err)
		}
		if out.ReleaseID != en.ID || out.Lang != "en" || out.Embargo != "EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB" ||
			out.Subject != "[EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB] Sukamaju Opens Flood Relief Post at City Hall" {
			t.Errorf("english rendering: %+v", out)
		}
		for _, want := range []string{"EMBARGOED UNTIL Thursday, 3 December 2026, 10:00 WIB", "SUKAMAJU, 20 November 2026", "Media contact", "###", "Number: 001/HUMAS/XI/2026"} {
			if !strings.Contains(string(out.HTML), want) || !strings.Contains(out.Text, want) {
				t.Errorf("english rendering lacks %q:\n%s\n%s", want, out.HTML, out.Text)
			}
		}
		if out.Lift == nil || !out.Lift.Equal(*id.Embargo) {
			t.Errorf("lift %v", out.Lift)
		}

		out, _ = st.s.Render(ctx, st.ws.ID, en.ID, "id")
		if out.ReleaseID != id.ID || !strings.Contains(string(out.HTML), "EMBARGO SAMPAI Kamis, 3 Desember 2026 pukul 10.00 WIB") ||
			!strings.Contains(string(out.HTML), "Narahubung") || !strings.Contains(string(out.HTML), "Pemkot Sukamaju Buka Posko Banjir") {
			t.Errorf("indonesian rendering from the English release:\n%s", out.HTML)
		}

		// No English version: the Indonesian one, in Indonesian. No embargo: immediate, no subject tag.
		in := banjir()
		in.Embargo = nil
		solo := st.create(st.ws.ID, in)
		out, _ = st.s.Render(ctx, st.ws.ID, solo.ID, "en")
		if out.Lang != "id" || out.Embargo != "" || out.Lift != nil || out.Subject != in.Headline ||
			!strings.Contains(string(out.HTML), "UNTUK DISIARKAN SEGERA") || !strings.Contains(out.Text, "UNTUK DISIARKAN SEGERA") {
			t.Errorf("fallback rendering: %+v", out)
		}
	})
}

// Hostile text in any field renders as text or not at all: nothing runs.
func TestRenderSanitises(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		in := banjir()
		in.Headline = `<script>alert("judul")</script>Posko`
		in.Subheadline = `<img src=x onerror=alert(1)>`
		in.Body = "Isi <script>alert(1)</script> [klik](javascript:alert(2)) <img src=x onerror=alert(3)> <a href=\"#\" onclick=\"alert(4)\">x</a>"
		in.Boilerplate = "<iframe src=\"https://evil.example\"></iframe>\n\n<style>body{display:none}</style>\n\n**Tentang kami**"
		in.ContactName = `"><svg onload=alert(5)>`
		in.ContactEmail = "humas@sukamaju.example"
		in.DatelineCity = "<b>Kota</b>"
		r := st.create(st.ws.ID, in)
		out, err := st.s.Render(ctx, st.ws.ID, r.ID, "id")
		if err != nil {
			t.Fatal(err)
		}
		h := strings.ToLower(string(out.HTML))
		for _, bad := range []string{"<script", "javascript:", "<iframe", "<style", "display:none", "<svg", "<img", "<b>"} {
			if strings.Contains(h, bad) {
				t.Errorf("rendered HTML holds %q:\n%s", bad, out.HTML)
			}
		}
		// Event handlers may show as escaped text, never as an attribute of a real tag.
		if handler := regexp.MustCompile(`<[^>]*\son[a-z]+\s*=`); handler.MatchString(h) {
			t.Errorf("rendered HTML has an event handler:\n%s", out.HTML)
		}
		if !strings.Contains(string(out.HTML), "&lt;script&gt;") || !strings.Contains(string(out.HTML), "<strong>Tentang kami</strong>") {
			t.Errorf("the headline is not shown as text or the boilerplate lost its bold:\n%s", out.HTML)
		}
	})
}

// Where approval is required, a release can be sent only once approved, and a change to one of
// its own fields after approval (the embargo) makes the approval stale.
func TestSendableFollowsApproval(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		r := st.create(st.ws.ID, banjir())
		if err := st.s.Sendable(ctx, st.ws.ID, r.ID); err != nil {
			t.Errorf("optional approval: a draft should be sendable, got %v", err)
		}
		st.setMode(approval.Required)
		if err := st.s.Sendable(ctx, st.ws.ID, r.ID); !errors.Is(err, release.ErrNotApproved) {
			t.Fatalf("unapproved under required approval: %v", err)
		}
		if c, _ := st.s.Choices(ctx, st.ws.ID); len(c) != 0 {
			t.Errorf("choices offer an unapproved release: %+v", c)
		}
		if err := st.s.Submit(ctx, st.actor(), st.ws.ID, r.ID); err != nil {
			t.Fatalf("submit a release (it has no channel variants): %v", err)
		}
		if err := st.s.Sendable(ctx, st.ws.ID, r.ID); !errors.Is(err, release.ErrNotApproved) {
			t.Errorf("in review: %v", err)
		}
		if _, err := st.approvals.Decide(ctx, st.actor(), approval.Reviewer{UserID: st.owner}, st.ws.ID, r.ItemID, 0, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.s.Sendable(ctx, st.ws.ID, r.ID); err != nil {
			t.Fatalf("approved: %v", err)
		}
		c, _ := st.s.Choices(ctx, st.ws.ID)
		if len(c) != 1 || c[0].ID != r.ID || c[0].Label != "001/HUMAS/XI/2026 — "+r.Headline || c[0].Lang != "id" {
			t.Errorf("choices: %+v", c)
		}

		// Moving the embargo changes no text of the content item, yet the approval goes stale.
		r, _ = st.s.Get(ctx, st.ws.ID, r.ID)
		up := release.Input{Headline: r.Headline, Subheadline: r.Subheadline, Body: r.Body, Number: r.Number, DatelineCity: r.DatelineCity,
			DatelineDate: r.DatelineDate, Boilerplate: r.Boilerplate, ContactName: r.ContactName, ContactRole: r.ContactRole,
			ContactPhone: r.ContactPhone, ContactEmail: r.ContactEmail, Embargo: at(2026, 12, 4, 10, 0, "Asia/Jakarta"), Zone: r.Zone, BaseVersion: r.Version}
		r, err := st.s.Update(ctx, st.actor(), st.ws.ID, r.ID, up)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != content.InReview {
			t.Errorf("status after moving the embargo: %s, want in_review", r.Status)
		}
		if err := st.s.Sendable(ctx, st.ws.ID, r.ID); !errors.Is(err, release.ErrNotApproved) {
			t.Errorf("after a change to the approved release: %v", err)
		}
	})
}

// One workspace never sees, changes or numbers another's releases.
func TestWorkspaceIsolation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		_, other, err := st.auth.CreateUserWithWorkspace(ctx, auth.CLI, "lain@dinas.example", "Lain", pw, "id", "Dinas Lain", "Asia/Makassar")
		if err != nil {
			t.Fatal(err)
		}
		mine := st.create(st.ws.ID, banjir())
		theirs := st.create(other.ID, banjir())
		if theirs.Number != "001/HUMAS/XI/2026" {
			t.Errorf("the other workspace's numbering is shared: %q", theirs.Number)
		}
		if _, err := st.s.Get(ctx, other.ID, mine.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("get across workspaces: %v", err)
		}
		if _, err := st.s.Render(ctx, other.ID, mine.ID, "id"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("render across workspaces: %v", err)
		}
		if _, err := st.s.Translate(ctx, st.actor(), other.ID, mine.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("translate across workspaces: %v", err)
		}
		if err := st.s.Submit(ctx, st.actor(), other.ID, mine.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("submit across workspaces: %v", err)
		}
		if _, err := st.s.Share(ctx, st.actor(), other.ID, mine.ID, "whatsapp", "Grup", ""); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("share across workspaces: %v", err)
		}
		if err := st.s.Sendable(ctx, other.ID, mine.ID); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("sendable across workspaces: %v", err)
		}
		list, total, _ := st.s.List(ctx, other.ID, release.Filter{})
		if total != 1 || len(list) != 1 || list[0].ID != theirs.ID {
			t.Errorf("the other workspace lists %+v", list)
		}
		if d, _ := st.s.Defaults(ctx, other.ID, "id", wib); d.ContactName != "Rina Wulandari" {
			t.Errorf("defaults come from the workspace's own last release: %+v", d)
		}
		ch, _ := st.s.Choices(ctx, st.ws.ID)
		if len(ch) != 1 || ch[0].ID != mine.ID {
			t.Errorf("choices: %+v", ch)
		}
	})
}

// The list searches and filters by status, language and embargo state.
func TestListFilters(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		in := banjir()
		in.Embargo = at(2031, 12, 4, 10, 0, "Asia/Jakarta") // ahead for years: the test must not expire
		future := st.create(st.ws.ID, in)
		in.Headline, in.Embargo = "Festival Budaya Sukamaju 2026", nil
		now := st.create(st.ws.ID, in)
		in.Headline, in.Embargo = "Hasil Rapat Anggaran", at(2025, 1, 2, 9, 0, "Asia/Jakarta")
		past := st.create(st.ws.ID, in)
		en, _ := st.s.Translate(ctx, st.actor(), st.ws.ID, now.ID)
		check := func(name string, f release.Filter, want ...int64) {
			t.Helper()
			list, total, err := st.s.List(ctx, st.ws.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range list {
				got = append(got, r.ID)
			}
			if total != len(want) || len(got) != len(want) {
				t.Errorf("%s: %v (total %d), want %v", name, got, total, want)
				return
			}
			for _, w := range want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("%s: %v, want %v", name, got, want)
				}
			}
		}
		check("search", release.Filter{Query: "festival"}, now.ID, en.ID)
		check("language", release.Filter{Lang: "en"}, en.ID)
		check("immediate", release.Filter{Embargo: "immediate"}, now.ID, en.ID)
		check("embargoed", release.Filter{Embargo: "embargoed"}, future.ID)
		check("lifted", release.Filter{Embargo: "lifted"}, past.ID)
		check("status", release.Filter{Status: content.InReview})
		list, _, _ := st.s.List(ctx, st.ws.ID, release.Filter{Sort: "title", Lang: "id"})
		if len(list) != 3 || list[0].ID != now.ID || list[1].ID != past.ID || list[2].ID != future.ID {
			t.Errorf("sorted by headline: %+v", list)
		}
	})
}

// A social post for the lift is created as content and scheduled at lift + offset when the rules
// allow; where approval is required it stays a draft and says so, and can be scheduled later.
func TestPostAtLift(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		in := banjir()
		in.Embargo = at(2031, 3, 2, 10, 0, "Asia/Makassar")
		in.Zone = "Asia/Makassar"
		r := st.create(st.ws.ID, in)
		res, err := st.s.PlanPost(ctx, st.actor(), st.ws.ID, r.ID, 60, channel.Bluesky, "Posko banjir dibuka https://sukamaju.example", wib)
		if err != nil {
			t.Fatal(err)
		}
		want := in.Embargo.Add(time.Hour)
		if !res.Scheduled || !res.Due.Equal(want) {
			t.Fatalf("post: %+v, want scheduled at %v", res, want)
		}
		it, _ := st.content.Get(ctx, st.ws.ID, res.ItemID)
		if it.Status != content.Scheduled || it.ScheduledAt == nil || !it.ScheduledAt.Equal(want) || it.Kind != content.KindPost {
			t.Errorf("the post item: %+v", it)
		}
		if _, err := st.s.PlanPost(ctx, st.actor(), st.ws.ID, r.ID, 7, channel.Bluesky, "x", wib); err == nil {
			t.Error("an offset not offered was accepted")
		}

		st.setMode(approval.Required)
		res, err = st.s.PlanPost(ctx, st.actor(), st.ws.ID, r.ID, 0, channel.Bluesky, "Embargo berakhir: posko banjir dibuka", wib)
		if err != nil {
			t.Fatal(err)
		}
		if res.Scheduled || res.Reason != content.ErrNotApproved.Key {
			t.Errorf("under required approval: %+v", res)
		}
		posts, _ := st.s.Posts(ctx, st.ws.ID, r)
		if len(posts) != 2 || posts[0].At != nil || posts[0].Due == nil || !posts[0].Due.Equal(*in.Embargo) || posts[1].At == nil {
			t.Errorf("posts: %+v", posts)
		}

		in.Embargo = nil
		now := st.create(st.ws.ID, in)
		if _, err := st.s.PlanPost(ctx, st.actor(), st.ws.ID, now.ID, 0, channel.Bluesky, "x", wib); !errors.Is(err, release.ErrNoEmbargo) {
			t.Errorf("a release without embargo: %v", err)
		}
	})
}
