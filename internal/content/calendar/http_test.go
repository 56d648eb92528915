package calendar_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/campaign"
	"warta.dev/warta/internal/channel"
	"warta.dev/warta/internal/content"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// Near midnight the month grid puts each item on its day in the workspace's zone: in WITA,
// 23.30 on 1 December stays on 1 December (15.30 UTC) and 00.30 on 2 December is on 2 December
// although it is still 1 December in UTC; in a WIB workspace 00.30 on 2 December is on 2
// December too. Each page shows its own workspace's items only, in the reader's language.
func TestMonthWeekAndListPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		late := st.item(st.ws.ID, st.owner, "Larut malam", 0, nil, channel.X)
		st.at(st.ws.ID, late, content.Scheduled, time.Date(2026, 12, 1, 23, 30, 0, 0, wita))
		early := st.item(st.ws.ID, st.owner, "Lewat tengah malam", 0, nil, channel.Bluesky)
		st.at(st.ws.ID, early, content.Scheduled, time.Date(2026, 12, 2, 0, 30, 0, 0, wita))
		jkt := st.item(st.ws2.ID, st.owner2, "Dini hari Jakarta", 0, nil, channel.X)
		st.at(st.ws2.ID, jkt, content.Scheduled, time.Date(2026, 12, 2, 0, 30, 0, 0, wib))

		owner := st.signIn("owner@makassar.example")
		r := owner.Get(st.path("/calendar?date=2026-12-01"))
		if r.Status != http.StatusOK {
			t.Fatalf("month: %d %s", r.Status, text(r.Body))
		}
		mustSee(t, "month", r, "Calendar: December 2026", "Times are in WITA (Asia/Makassar)", "Monday", "Sunday",
			`data-utc="2026-12-01T15:30:00Z"`, `data-entry="content:`+itoa(late)+`"`, `<script src="/static/calendar.js" defer>`)
		if c := cell(r.Body, "2026-12-01"); !strings.Contains(c, "23:30 WITA Larut malam") || strings.Contains(c, "Lewat") {
			t.Errorf("1 December in WITA shows %q", c)
		}
		if c := cell(r.Body, "2026-12-02"); !strings.Contains(c, "00:30 WITA Lewat tengah malam") || strings.Contains(c, "Larut") {
			t.Errorf("2 December in WITA shows %q", c)
		}
		if strings.Contains(r.Body, "Dini hari Jakarta") {
			t.Error("the WITA workspace shows the WIB workspace's item")
		}

		other := st.signIn("owner@jakarta.example")
		r = other.Get("/w/" + st.ws2.Slug + "/calendar?date=2026-12-01")
		if c := cell(r.Body, "2026-12-02"); !strings.Contains(c, "00:30 WIB Dini hari Jakarta") {
			t.Errorf("2 December in WIB shows %q", c)
		}
		if c := cell(r.Body, "2026-12-01"); strings.Contains(c, "Dini hari") || strings.Contains(r.Body, "Larut malam") {
			t.Errorf("the WIB calendar: 1 December shows %q, or the other workspace's item", c)
		}
		if r := other.Get(st.path("/calendar")); r.Status != http.StatusNotFound {
			t.Errorf("another workspace's calendar: %d", r.Status)
		}

		// The week puts the late item in the 23:00 row of Tuesday; the list gives each day a heading.
		r = owner.Get(st.path("/calendar?view=week&date=2026-12-01"))
		mustSee(t, "week", r, "Calendar: 30 Nov 2026 – 6 Dec 2026", "All day")
		if !regexp.MustCompile(`<td data-date="2026-12-01" data-time="23:00">\s*<div class="cal-entry" id="entry-content-` + itoa(late) + `"`).MatchString(r.Body) {
			t.Errorf("the week does not put the late item at 23:00 on 1 December:\n%s", text(r.Body))
		}
		r = owner.Get(st.path("/calendar?view=list&date=2026-12-01"))
		mustSee(t, "list", r, "Tuesday 1 December 2026", "Wednesday 2 December 2026", "Larut malam", "Bluesky · Andi Makassar")

		// An Indonesian reader gets Indonesian month and day names.
		st.member("pembaca@makassar.example", "Dewi Pembaca", access.Viewer, "id")
		viewer := st.signIn("pembaca@makassar.example")
		r = viewer.Get(st.path("/calendar?date=2026-12-01"))
		mustSee(t, "Indonesian month", r, "Kalender: Desember 2026", "Senin", "Minggu", "Waktu dalam WITA", "23.30 WITA")
		r = viewer.Get(st.path("/calendar?view=list&date=2026-12-01"))
		mustSee(t, "Indonesian list", r, "Selasa, 1 Desember 2026")

		// Filters keep the view and date; an empty result says so.
		r = owner.Get(st.path("/calendar?date=2026-12-01&channel=bluesky"))
		if strings.Contains(cell(r.Body, "2026-12-01"), "Larut") || !strings.Contains(cell(r.Body, "2026-12-02"), "Lewat") {
			t.Errorf("bluesky filter: %s", text(r.Body))
		}
		mustSee(t, "filtered navigation", r, `href="?channel=bluesky&amp;date=2026-11-01&amp;view=month"`)
		mustSee(t, "nothing matches", owner.Get(st.path("/calendar?view=list&date=2026-12-01&channel=facebook")), "Nothing here matches the filters.")
	})
}

// Moving an entry goes through content's Schedule: a good time reschedules it and says where
// it went; a past time is refused with content's reason beside the field, the typed time kept and
// the item unchanged; milestones and other workspaces' items cannot be moved from here, and a
// viewer can neither move nor see the move forms.
func TestMoveFromTheCalendar(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		st.member("editor@makassar.example", "Citra Editor", access.Editor, "en")
		ed := st.signIn("editor@makassar.example")
		id := st.item(st.ws.ID, st.owner, "Siaran pers HUT kota", 0, nil, channel.X)
		now := time.Now().In(wita)
		first := time.Date(now.Year(), now.Month(), now.Day()+10, 9, 0, 0, 0, wita)
		if _, err := st.items.Schedule(ctx, audit.Actor{UserID: st.owner}, st.ws.ID, id, content.When{At: &first}, wita); err != nil {
			t.Fatal(err)
		}
		date := first.Format("2006-01-02")
		entry := "content:" + itoa(id)
		back := url.Values{"view": {"list"}, "date": {date}}.Encode()

		r := ed.Get(st.path("/calendar?" + back))
		mustSee(t, "movable entry", r, `data-entry="`+entry+`" draggable="true"`, `name="at" value="`+first.Format("2006-01-02T15:04")+`"`, `data-date="`+date+`"`)

		to := first.AddDate(0, 0, 2).Add(5*time.Hour + 30*time.Minute)
		r = ed.Post(st.path("/calendar/move"), url.Values{"entry": {entry}, "at": {to.Format("2006-01-02T15:04")}, "back": {back}})
		if r.Status != http.StatusSeeOther || r.Location != st.path("/calendar?"+back) {
			t.Fatalf("move: %d %q %s", r.Status, r.Location, text(r.Body))
		}
		mustSee(t, "after the move", ed.Follow(r), "Moved to "+to.Format("Monday 2 January 2006")+", 14:30 WITA.")
		if it, _ := st.items.Get(ctx, st.ws.ID, id); it.ScheduledAt == nil || !it.ScheduledAt.Equal(to) || it.Status != content.Scheduled {
			t.Fatalf("after the move the item is %+v", it)
		}
		entries, _ := audit.List(ctx, st.d, st.ws.ID, audit.Filter{Action: "content.scheduled", Limit: 10})
		if len(entries) != 2 || entries[0].Actor != "editor@makassar.example" {
			t.Errorf("audit of the move: %+v", entries)
		}

		// A time in the past: content refuses, the page says why beside the field and keeps the typing.
		r = ed.Post(st.path("/calendar/move"), url.Values{"entry": {entry}, "at": {"2020-01-02T10:00"}, "back": {back}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("move into the past: %d", r.Status)
		}
		mustSee(t, "refused move", r, "That time has already passed. Choose a time in the future.", `value="2020-01-02T10:00"`,
			`aria-invalid="true" aria-describedby="e-at-content-`+itoa(id)+`"`, `<details class="cal-move" open>`)
		if it, _ := st.items.Get(ctx, st.ws.ID, id); !it.ScheduledAt.Equal(to) {
			t.Errorf("a refused move changed the time to %s", it.ScheduledAt)
		}
		r = ed.Post(st.path("/calendar/move"), url.Values{"entry": {entry}, "at": {"besok pagi"}, "back": {back}})
		mustSee(t, "unreadable time", r, "Enter a date and time such as 2026-12-03 10:00.", `value="besok pagi"`)

		// A campaign's dates move on the campaign's page.
		anchor := first.Add(48 * time.Hour)
		c, err := st.campaigns.Create(ctx, audit.Actor{Label: "test"}, st.ws.ID, campaign.Input{Name: "HUT Kota", StartsOn: campaign.Date(date)}, &anchor)
		if err != nil {
			t.Fatal(err)
		}
		r = ed.Post(st.path("/calendar/move"), url.Values{"entry": {"campaign:" + itoa(c.ID) + ":start"}, "at": {to.Format("2006-01-02T15:04")}, "back": {back}})
		if r.Status != http.StatusUnprocessableEntity || strings.Contains(r.Body, `data-entry="campaign:`+itoa(c.ID)+`:start" draggable`) {
			t.Errorf("moving a milestone: %d", r.Status)
		}
		mustSee(t, "milestone", r, "HUT Kota starts", "This date cannot be moved from the calendar. Change it on its own page.")

		// Another workspace cannot move this one's item through its own calendar.
		jkt := st.signIn("owner@jakarta.example")
		if r := jkt.Post("/w/"+st.ws2.Slug+"/calendar/move", url.Values{"entry": {entry}, "at": {first.Format("2006-01-02T15:04")}}); r.Status != http.StatusNotFound {
			t.Errorf("moving another workspace's item: %d", r.Status)
		}

		// A viewer sees the entry but no way to move it.
		st.member("pembaca@makassar.example", "Dewi Pembaca", access.Viewer, "en")
		v := st.signIn("pembaca@makassar.example")
		r = v.Get(st.path("/calendar?" + url.Values{"view": {"list"}, "date": {to.Format("2006-01-02")}}.Encode()))
		mustSee(t, "viewer", r, "Siaran pers HUT kota")
		if strings.Contains(r.Body, "draggable") || strings.Contains(r.Body, "/calendar/move") {
			t.Error("a viewer is offered to move entries")
		}
		if r := v.Post(st.path("/calendar/move"), url.Values{"entry": {entry}, "at": {first.Format("2006-01-02T15:04")}}); r.Status != http.StatusForbidden {
			t.Errorf("a viewer moving: %d", r.Status)
		}
		if it, _ := st.items.Get(ctx, st.ws.ID, id); !it.ScheduledAt.Equal(to) {
			t.Errorf("the item moved to %s", it.ScheduledAt)
		}
	})
}

// The feed is made on its page and shown once; calendar applications read it without signing in
// and get the workspace's entries, with stable UIDs, UTC start times, titles and links, and none
// of another workspace or of the comments. Resetting and revoking make old addresses 404.
func TestICalendarFeed(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		now := time.Now().Truncate(time.Second)
		soon := st.item(st.ws.ID, st.owner, "Konferensi pers banjir", 0, nil, channel.X)
		st.at(st.ws.ID, soon, content.Scheduled, now.Add(5*24*time.Hour))
		if _, err := st.items.AddComment(ctx, content.Commenter{UserID: st.owner, Name: "Andi", Email: "owner@makassar.example"}, st.ws.ID, soon, 0, "Catatan rahasia tim"); err != nil {
			t.Fatal(err)
		}
		done := st.item(st.ws.ID, st.owner, "Rilis kemarin", 0, nil, channel.Mastodon)
		st.at(st.ws.ID, done, content.Published, now.Add(-10*24*time.Hour))
		old := st.item(st.ws.ID, st.owner, "Terlalu lama", 0, nil, channel.X)
		st.at(st.ws.ID, old, content.Published, now.Add(-40*24*time.Hour))
		far := st.item(st.ws.ID, st.owner, "Terlalu jauh", 0, nil, channel.X)
		st.at(st.ws.ID, far, content.Scheduled, now.Add(200*24*time.Hour))
		startsOn := day(now.Add(3*24*time.Hour), wita)
		c, err := st.campaigns.Create(ctx, audit.Actor{Label: "test"}, st.ws.ID, campaign.Input{Name: "Hari Jadi Kota", StartsOn: startsOn}, nil)
		if err != nil {
			t.Fatal(err)
		}
		secret := st.item(st.ws2.ID, st.owner2, "Rahasia Jakarta", 0, nil, channel.X)
		st.at(st.ws2.ID, secret, content.Scheduled, now.Add(5*24*time.Hour))

		owner := st.signIn("owner@makassar.example")
		mustSee(t, "feed page", owner.Get(st.path("/calendar/feed")), "You have no feed yet.", "Create my feed address")
		r := owner.Post(st.path("/calendar/feed"), nil)
		feedURL := regexp.MustCompile(`http://[^<"\s]+/calendar/wcal_[a-z0-9]+\.ics`).FindString(r.Body)
		if r.Status != http.StatusOK || feedURL == "" || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("making the feed: %d %q %s", r.Status, feedURL, text(r.Body))
		}
		if again := owner.Get(st.path("/calendar/feed")); strings.Contains(again.Body, feedURL) || !strings.Contains(again.Body, "Your feed has been on since") {
			t.Error("the feed address is shown a second time, or the feed is not shown as on")
		}

		res, body := fetch(t, feedURL)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatalf("the feed does not parse: %v\n%s", err, body)
		}
		host := strings.Split(strings.TrimPrefix(st.url, "http://"), ":")[0]
		events := map[string]*ics.VEvent{}
		for _, ev := range cal.Events() {
			events[ev.Id()] = ev
		}
		want := map[string]string{
			"content-" + itoa(soon) + "@" + host:        "Konferensi pers banjir",
			"content-" + itoa(done) + "@" + host:        "Rilis kemarin",
			"campaign-" + itoa(c.ID) + "-start@" + host: "Hari Jadi Kota starts",
		}
		if len(events) != len(want) {
			t.Errorf("the feed has %d events, want %d:\n%s", len(events), len(want), body)
		}
		for uid, summary := range want {
			ev := events[uid]
			if ev == nil {
				t.Errorf("no event %s", uid)
				continue
			}
			if got := ev.GetProperty(ics.ComponentPropertySummary).Value; got != summary {
				t.Errorf("%s: summary %q, want %q", uid, got, summary)
			}
		}
		ev := events["content-"+itoa(soon)+"@"+host]
		if start := ev.GetProperty(ics.ComponentPropertyDtStart).Value; start != now.Add(5*24*time.Hour).UTC().Format("20060102T150405Z") {
			t.Errorf("start %s, want UTC", start)
		}
		if u := ev.GetProperty(ics.ComponentPropertyUrl).Value; u != st.url+st.path("/content/"+itoa(soon)) {
			t.Errorf("url %s", u)
		}
		if start, err := events["campaign-"+itoa(c.ID)+"-start@"+host].GetAllDayStartAt(); err != nil || start.Format("2006-01-02") != string(startsOn) {
			t.Errorf("campaign start %v %v, want the day %s", start, err, startsOn)
		}
		for _, hidden := range []string{"Rahasia Jakarta", "Catatan rahasia", "Catatan internal", "Terlalu"} {
			if strings.Contains(body, hidden) {
				t.Errorf("the feed contains %q", hidden)
			}
		}

		// Resetting gives a new address and kills the old one; revoking kills the new one.
		r = owner.Post(st.path("/calendar/feed"), nil)
		newURL := regexp.MustCompile(`http://[^<"\s]+/calendar/wcal_[a-z0-9]+\.ics`).FindString(r.Body)
		if newURL == "" || newURL == feedURL {
			t.Fatalf("reset: %q", newURL)
		}
		if res, _ := fetch(t, feedURL); res.StatusCode != http.StatusNotFound {
			t.Errorf("the old address after a reset: %d", res.StatusCode)
		}
		if res, _ := fetch(t, newURL); res.StatusCode != http.StatusOK {
			t.Errorf("the new address: %d", res.StatusCode)
		}
		r = owner.Follow(owner.Post(st.path("/calendar/feed/revoke"), nil))
		mustSee(t, "revoked", r, "The feed is stopped.", "You have no feed yet.")
		for _, u := range []string{newURL, st.url + "/calendar/wcal_nothere.ics", st.url + "/calendar/anything"} {
			if res, _ := fetch(t, u); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", u, res.StatusCode)
			}
		}
	})
}

func fetch(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// The API lists a span's entries with UTC times and the day in the workspace's zone, refuses
// spans it cannot read or that are too long, and shows each token its own workspace only.
func TestCalendarAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		ctx := context.Background()
		st := startSite(t, engine)
		late := st.item(st.ws.ID, st.owner, "Larut malam", 0, nil, channel.X)
		st.at(st.ws.ID, late, content.Scheduled, time.Date(2026, 12, 1, 23, 30, 0, 0, wita))
		early := st.item(st.ws.ID, st.owner, "Lewat tengah malam", 0, nil, channel.Bluesky)
		st.at(st.ws.ID, early, content.Scheduled, time.Date(2026, 12, 2, 0, 30, 0, 0, wita))
		jkt := st.item(st.ws2.ID, st.owner2, "Dini hari Jakarta", 0, nil, channel.X)
		st.at(st.ws2.ID, jkt, content.Scheduled, time.Date(2026, 12, 2, 0, 30, 0, 0, wib))
		token, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, st.owner, "skrip", access.Viewer)
		if err != nil {
			t.Fatal(err)
		}
		token2, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws2.ID, st.owner2, "skrip", access.Viewer)
		if err != nil {
			t.Fatal(err)
		}

		titles := func(body map[string]any) []string {
			var out []string
			items, _ := body["items"].([]any)
			for _, it := range items {
				out = append(out, it.(map[string]any)["title"].(string))
			}
			return out
		}
		status, body := st.api("/api/v1/calendar?from=2026-12-01&to=2026-12-01", token)
		if status != 200 || strings.Join(titles(body), "|") != "Larut malam" || body["time_zone"] != "Asia/Makassar" || body["from"] != "2026-11-30T16:00:00Z" {
			t.Fatalf("1 December: %d %v", status, body)
		}
		it := body["items"].([]any)[0].(map[string]any)
		if it["at"] != "2026-12-01T15:30:00Z" || it["date"] != "2026-12-01" || it["key"] != "content:"+itoa(late) || it["link"] != st.path("/content/"+itoa(late)) || it["movable"] != true {
			t.Errorf("entry: %v", it)
		}
		if _, body := st.api("/api/v1/calendar?from=2026-12-01T16:00:00Z&to=2026-12-01T17:00:00Z", token); strings.Join(titles(body), "|") != "Lewat tengah malam" {
			t.Errorf("an hour in UTC: %v", titles(body))
		}
		if _, body := st.api("/api/v1/calendar?from=2026-12-01&channel=bluesky", token); strings.Join(titles(body), "|") != "Lewat tengah malam" {
			t.Errorf("filtered: %v", titles(body))
		}
		if _, body := st.api("/api/v1/calendar?from=2026-12-01&to=2026-12-31", token2); strings.Join(titles(body), "|") != "Dini hari Jakarta" {
			t.Errorf("the other workspace: %v", titles(body))
		}
		for q, field := range map[string]string{"from=besok": "from", "from=2026-12-05&to=2026-12-01": "to", "from=2026-01-01&to=2027-02-15": "to"} {
			status, body := st.api("/api/v1/calendar?"+q, token)
			fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
			if status != http.StatusUnprocessableEntity || fields[field] == nil {
				t.Errorf("%s: %d %v", q, status, body)
			}
		}
	})
}
