package app_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/content/approval"
	"warta.dev/warta/internal/platform/db"
)

// page drives one browser tab for a test.
type page struct {
	t   *testing.T
	ctx context.Context
	env *apptest.Env
}

func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

func (p *page) value(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("reading the value of %s: %v", sel, err)
	}
	return s
}

func (p *page) signIn(email, password string) {
	p.t.Helper()
	p.do("sign in", chromedp.Navigate(p.env.URL+"/login"), chromedp.WaitVisible(chromedp.ID("f-email")),
		chromedp.SendKeys(chromedp.ID("f-email"), email), chromedp.SendKeys(chromedp.ID("f-password"), password+"\r"),
		chromedp.WaitVisible(chromedp.CSS("nav.main-nav")))
}

// The content studio in a real browser: an editor writes an item in Indonesian with variants for
// X and Bluesky, the live counter and the save both refuse the over-limit X text with the reason,
// and nothing typed is lost.
func TestBrowserContentStudio(t *testing.T) {
	ctx := browser(t)
	env := apptest.Start(t, db.SQLite)
	bg := context.Background()
	s := env.App.Auth
	pw := "rahasia-sekali-1"
	_, ws, err := s.CreateUser(bg, auth.CLI, auth.CreateUserInput{Email: "owner@sukamaju.example", Password: pw, Role: access.Owner,
		Workspace: "Humas Kota Sukamaju", Lang: "id", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateUser(bg, auth.CLI, auth.CreateUserInput{Email: "editor@sukamaju.example", Name: "Budi Santoso", Password: pw,
		Role: access.Editor, Workspace: ws.Slug, Lang: "id"}); err != nil {
		t.Fatal(err)
	}
	// The approver works in English; the workspace requires approval before scheduling.
	if _, _, err := s.CreateUser(bg, auth.CLI, auth.CreateUserInput{Email: "approver@sukamaju.example", Name: "Sarah Thompson", Password: pw,
		Role: access.Approver, Workspace: ws.Slug, Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Approvals.SaveSettings(bg, audit.Actor{Label: "test"}, ws.ID, approval.Settings{Mode: approval.Required}); err != nil {
		t.Fatal(err)
	}
	wib, _ := time.LoadLocation("Asia/Jakarta")
	today := time.Now().In(wib)
	anchor := time.Date(today.Year(), today.Month(), today.Day()+10, 10, 0, 0, 0, wib)
	camp, err := env.App.Campaigns.Create(bg, audit.Actor{Label: "test"}, ws.ID, campaign.Input{Name: "Hari Jadi Kota"}, &anchor)
	if err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, ctx: ctx, env: env}
	p.signIn("editor@sukamaju.example", pw)
	base := env.URL + "/w/" + ws.Slug
	p.do("open the editor", chromedp.Navigate(base+"/content/new"), chromedp.WaitVisible(chromedp.ID("f-title")))
	long := strings.Repeat("Posko banjir dibuka di Balai Kota. ", 9) // 315 characters
	p.do("write the item",
		chromedp.SendKeys(chromedp.ID("f-title"), "Posko banjir dibuka"),
		chromedp.SendKeys(chromedp.ID("f-body"), "Pemerintah Kota Sukamaju membuka **posko banjir** di Balai Kota."),
		chromedp.SetValue(chromedp.ID("f-campaign"), strconv.FormatInt(camp.ID, 10)),
		chromedp.Click(chromedp.CSS(`input[name="variant_x"]`)), chromedp.Click(chromedp.CSS(`input[name="variant_bluesky"]`)),
		chromedp.WaitVisible(chromedp.ID("f-text-x")),
		chromedp.SendKeys(chromedp.ID("f-text-x"), long),
		chromedp.SendKeys(chromedp.ID("f-text-bluesky"), "Posko banjir dibuka di Balai Kota 🙏"),
		// The live counter answers as the network counts, and marks the X text as over.
		chromedp.WaitVisible(chromedp.CSS("#count-x .count.over")))
	if c := p.text("#count-x"); !strings.Contains(c, "/ 280") {
		t.Fatalf("X counter: %q", c)
	}
	p.do("save", chromedp.Click(chromedp.CSS("form.stack > .actions button.primary")), chromedp.WaitVisible(chromedp.CSS(".flash-error")))
	if msg := p.text(".flash-error"); !strings.Contains(msg, "Teks untuk X") || !strings.Contains(msg, "melebihi batas 280") {
		t.Fatalf("refusal: %q", msg)
	}
	if got := p.value("#f-text-x"); got != long {
		t.Fatalf("the typed X text was not kept: %q", got)
	}
	if got := p.value("#f-title"); got != "Posko banjir dibuka" {
		t.Fatalf("the typed title was not kept: %q", got)
	}
	// Shortened, it saves; the item page shows both variants and version 1.
	p.do("shorten and save", chromedp.SetValue(chromedp.ID("f-text-x"), "Posko banjir dibuka di Balai Kota. Info: https://sukamaju.example/banjir"),
		chromedp.Click(chromedp.CSS("form.stack > .actions button.primary")), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if h := p.text("main h1"); h != "Posko banjir dibuka" {
		t.Fatalf("item page: %q", h)
	}
	if v := p.text(".page-head"); !strings.Contains(v, "versi 1") || !strings.Contains(v, "Draf") {
		t.Fatalf("item head: %q", v)
	}
	itemURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	itemID := itemURL[strings.LastIndex(itemURL, "/")+1:]

	// Scheduling before approval is refused with the reason.
	p.do("schedule too early", chromedp.SetValue(chromedp.ID("f-at"), time.Now().AddDate(0, 0, 5).Format("2006-01-02")+"T09:00"),
		chromedp.Click(chromedp.CSS(`form[action$="/schedule"] button.primary`)), chromedp.WaitVisible(chromedp.CSS(".flash-error")))
	if msg := p.text(".flash-error"); !strings.Contains(msg, "harus disetujui") {
		t.Fatalf("scheduling an unapproved item: %q", msg)
	}
	p.do("request approval", chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if st := p.text(".page-head .badge"); st != "Ditinjau" {
		t.Fatalf("status after requesting approval: %q", st)
	}

	// The approver, in English, approves from the queue.
	p.signOut()
	p.signIn("approver@sukamaju.example", pw)
	p.do("open the queue", chromedp.Navigate(base+"/approvals"), chromedp.WaitVisible(chromedp.CSS("main")))
	if q := p.text("main"); !strings.Contains(q, "Posko banjir dibuka") || !strings.Contains(p.text("nav.main-nav"), "Calendar") {
		t.Fatalf("approver's queue (in English): %q", q)
	}
	p.do("approve", chromedp.Navigate(base+"/approvals/"+itemID), chromedp.WaitVisible(chromedp.CSS(`button[value="approve"]`)),
		chromedp.Click(chromedp.CSS(`button[value="approve"]`)), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if b := p.text(`main`); !strings.Contains(b, "Approve") && !strings.Contains(b, "approved") {
		t.Fatalf("the approver's page is not in English: %q", b)
	}
	p.signOut()

	// The editor sees it approved, edits it, and the approval goes stale: back in review.
	p.signIn("editor@sukamaju.example", pw)
	p.do("open the item", chromedp.Navigate(base+"/content/"+itemID), chromedp.WaitVisible(chromedp.ID("f-title")))
	if st := p.text(".page-head .badge"); st != "Disetujui" {
		t.Fatalf("status after approval: %q", st)
	}
	p.do("edit", chromedp.SetValue(chromedp.ID("f-title"), "Posko banjir dibuka 24 jam"),
		chromedp.Click(chromedp.CSS("form.stack > .actions button.primary")), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if st := p.text(".page-head .badge"); st != "Ditinjau" {
		t.Fatalf("status after an edit of an approved item: %q", st)
	}

	// An outside reviewer approves through a review link.
	p.do("send a review link", chromedp.Navigate(base+"/content/"+itemID+"/review-links"), chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-name"), "Dr. Lestari"), chromedp.SendKeys(chromedp.ID("f-email"), "lestari@mitra.example"),
		chromedp.SetValue(chromedp.ID("f-days"), "3"), chromedp.Click(chromedp.CSS("form.card button.primary")), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	_, mail := env.LastMailTo("lestari@mitra.example")
	link := apptest.LinkIn(t, mail, "/review/")
	p.signOut()
	// Right after signing out the browser may still be settling the sign-in page, which aborts a
	// new navigation (more often on a busy machine): try again a few times then.
	for attempt := 1; ; attempt++ {
		err := chromedp.Do(p.ctx, chromedp.Navigate(link))
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "ERR_ABORTED") || attempt == 5 {
			t.Fatalf("open the review link (attempt %d): %v", attempt, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	p.do("open the review page", chromedp.WaitVisible(chromedp.CSS(`button[value="approve"]`)))
	if body := p.text("main"); !strings.Contains(body, "Posko banjir dibuka 24 jam") {
		t.Fatalf("review page: %q", body)
	}
	p.do("approve as the reviewer", chromedp.Click(chromedp.CSS(`button[value="approve"]`)), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if it, err := env.App.Content.Get(bg, ws.ID, mustInt(t, itemID)); err != nil || it.Status != content.Approved {
		t.Fatalf("after the outside review: %v %+v", err, it)
	}

	// Now it can be scheduled: two days before the campaign's anchor, at 09:00.
	p.signIn("editor@sukamaju.example", pw)
	p.do("schedule", chromedp.Navigate(base+"/content/"+itemID), chromedp.WaitVisible(chromedp.ID("f-offset")),
		chromedp.SetValue(chromedp.ID("f-offset"), "T-2 09:00"), chromedp.Click(chromedp.CSS(`input[name="mode"][value="relative"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/schedule"] button.primary`)), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if st := p.text(".page-head .badge"); st != "Terjadwal" {
		t.Fatalf("status after scheduling: %q", st)
	}
	id := mustInt(t, itemID)
	scheduledAt := func() time.Time {
		it, err := env.App.Content.Get(bg, ws.ID, id)
		if err != nil || it.ScheduledAt == nil {
			t.Fatalf("item: %v %+v", err, it)
		}
		return it.ScheduledAt.In(wib)
	}
	if got, want := scheduledAt(), time.Date(anchor.Year(), anchor.Month(), anchor.Day()-2, 9, 0, 0, 0, wib); !got.Equal(want) {
		t.Fatalf("scheduled at %v, want %v", got, want)
	}

	// On the calendar it is dragged one day later.
	from := scheduledAt()
	to := from.AddDate(0, 0, 1)
	p.do("open the calendar", chromedp.Navigate(base+"/calendar?date="+from.Format("2006-01-02")),
		chromedp.WaitVisible(chromedp.CSS(`[data-entry="content:`+itemID+`"]`)))
	drag := `(() => {
		const el = document.querySelector('[data-entry="content:` + itemID + `"]');
		const cell = document.querySelector('#calendar [data-date="` + to.Format("2006-01-02") + `"]');
		const dt = new DataTransfer();
		el.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		cell.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
		cell.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		el.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
		return true;
	})()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](drag)); err != nil {
		t.Fatalf("drag: %v", err)
	}
	p.do("wait for the move", chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if got := scheduledAt(); !got.Equal(to) {
		t.Fatalf("after the drag: %v, want %v", got, to)
	}

	// Moving the campaign's anchor three days later moves the item with it.
	later := anchor.AddDate(0, 0, 3)
	p.do("preview the anchor move", chromedp.Navigate(fmt.Sprintf("%s/campaigns/%d/anchor?anchor_date=%s&anchor_time=10:00", base, camp.ID, later.Format("2006-01-02"))),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/anchor"] button.primary`)))
	if preview := p.text("main"); !strings.Contains(preview, "Posko banjir dibuka 24 jam") {
		t.Fatalf("the preview does not show the item: %q", preview)
	}
	p.do("move the anchor", chromedp.Click(chromedp.CSS(`form[action$="/anchor"] button.primary`)), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if got := scheduledAt(); !got.Equal(to.AddDate(0, 0, 3)) {
		t.Fatalf("after moving the anchor: %v, want %v", got, to.AddDate(0, 0, 3))
	}
}

func (p *page) signOut() {
	p.t.Helper()
	p.do("sign out", chromedp.Click(chromedp.CSS("details.account summary")), chromedp.Click(chromedp.CSS("details.account form button")),
		chromedp.WaitVisible(chromedp.ID("f-email")))
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
