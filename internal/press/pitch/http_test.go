package pitch_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/press/pitch"
)

// A writer works a pitch in the browser without JavaScript: a wrong form keeps the typing and says
// what to fix; contacts are found and added through the search box; each card's small form moves
// it to another stage and sets a follow-up; a wrong coverage link is shown on that card alone.
func TestBoardPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		writer := st.member("penulis@humas.example", access.Contributor, "en")
		w := st.signIn("penulis@humas.example")
		rina := st.contact(st.ws.ID, "Rina Kusuma", "Kompas", "rina@kompas.example")
		st.contact(st.ws.ID, "Budi Santoso", "Tempo", "budi@tempo.example")

		r := w.Get(st.path("/press/pitches"))
		mustSee(t, "empty list", r, "No pitches yet.", `href="/w/humas-kota/press/pitches/new"`)

		r = w.Get(st.path("/press/pitches/new"))
		mustSee(t, "new form", r, "{{first_name}}", "{{outlet}}", `name="owner_id"`)
		r = w.Post(st.path("/press/pitches"), url.Values{"title": {""}, "angle": {"Warga kesulitan air"}, "body": {"Halo {{nama}}"},
			"owner_id": {strconv.FormatInt(writer, 10)}, "status": {"open"}, "release_id": {"dua"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d", r.Status)
		}
		mustSee(t, "bad form", r, "Please fill this in.", "Only these merge fields are filled in", "Enter the number (ID) shown on its page",
			"Warga kesulitan air", "Halo {{nama}}")
		r = w.Post(st.path("/press/pitches"), url.Values{"title": {"Krisis air bersih"}, "angle": {"Warga kesulitan air"}, "subject": {"Untuk {{outlet}}"},
			"body": {"Halo {{salutation}} {{name}}"}, "owner_id": {strconv.FormatInt(writer, 10)}, "status": {"open"}, "release_id": {"12"}, "campaign_id": {""}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.Status, text(r.Body))
		}
		pitchPath := r.Location
		id, _ := strconv.ParseInt(pitchPath[strings.LastIndex(pitchPath, "/")+1:], 10, 64)
		r = w.Follow(r)
		mustSee(t, "pitch page", r, "Pitch created.", "Krisis air bersih", "Press release #12", `href="/w/humas-kota/press/releases/12"`,
			"Pipeline", "Pitched", "Interested", "Nobody at this stage.")

		// Find and add a contact.
		r = w.Get(pitchPath + "?find=rina")
		mustSee(t, "search", r, "Rina Kusuma (Kompas)", `name="contact_id" value="`+itoa(rina)+`"`)
		if strings.Contains(r.Body, "Budi Santoso") {
			t.Error("the search shows someone else")
		}
		r = w.Post(pitchPath+"/contacts", url.Values{"contact_id": {itoa(rina)}})
		if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "#contact-"+itoa(rina)) {
			t.Fatalf("add: %d %q", r.Status, r.Location)
		}
		r = w.Follow(r)
		mustSee(t, "after adding", r, "Contact added to the pipeline.", `id="contact-`+itoa(rina)+`"`)
		mustSee(t, "search after adding", w.Get(pitchPath+"?find=rina"), "already in the pipeline")

		// Move the card with its form, and set a follow-up.
		cardPath := pitchPath + "/contacts/" + itoa(rina)
		r = w.Post(cardPath, url.Values{"stage": {"interested"}, "follow_up": {"2026-12-03"}, "note": {"Minta wawancara"}, "coverage_url": {""}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("move: %d %s", r.Status, text(r.Body))
		}
		r = w.Follow(r)
		mustSee(t, "after moving", r, "Contact updated.", "Follow up on 3 Dec 2026 09:00 WIB", `value="2026-12-03"`, `value="Minta wawancara"`)
		c, err := st.s.Card(ctx, st.ws.ID, id, rina)
		if err != nil || c.Stage != pitch.Interested || c.FollowUp == nil || c.FollowUp.In(wib).Format("2006-01-02 15:04") != "2026-12-03 09:00" {
			t.Fatalf("card after the form: %v %+v", err, c)
		}
		// The card sits in the Interested column.
		columns := regexp.MustCompile(`(?s)<li class="board-column" aria-labelledby="stage-(\w+)">(.*?)</li>`).FindAllStringSubmatch(r.Body, -1)
		for _, col := range columns {
			if has := strings.Contains(col[2], "Rina Kusuma"); has != (col[1] == "interested") {
				t.Errorf("column %s has Rina: %v", col[1], has)
			}
		}
		if len(columns) != len(pitch.Stages) {
			t.Errorf("%d columns", len(columns))
		}

		r = w.Post(cardPath, url.Values{"stage": {"covered"}, "follow_up": {"2026-12-03"}, "note": {"Terbit"}, "coverage_url": {"kompas.id/air"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad link: %d", r.Status)
		}
		mustSee(t, "bad link", r, "Enter the full address of the coverage, starting with https://.", `value="kompas.id/air"`, `value="Terbit"`)
		if c, _ := st.s.Card(ctx, st.ws.ID, id, rina); c.Stage != pitch.Interested {
			t.Errorf("a refused form moved the card to %s", c.Stage)
		}
		w.Post(cardPath, url.Values{"stage": {"covered"}, "follow_up": {""}, "note": {"Terbit"}, "coverage_url": {"https://kompas.example/air"}})
		if got := st.timeline(st.ws.ID, rina); len(got) != 4 || !strings.HasPrefix(got[3], "coverage|Krisis air bersih|") {
			t.Errorf("timeline: %q", got)
		}

		list := w.Get(st.path("/press/pitches"))
		mustSee(t, "list", list, "Krisis air bersih", "Covered")
		mustSee(t, "search", w.Get(st.path("/press/pitches?q=tidak-ada")), "No pitch matches.")

		// A viewer reads and changes nothing; another workspace sees nothing.
		st.member("pembaca@humas.example", access.Viewer, "id")
		v := st.signIn("pembaca@humas.example")
		r = v.Get(pitchPath)
		mustSee(t, "viewer", r, "Krisis air bersih", "Meliput")
		if strings.Contains(r.Body, `name="stage"`) || strings.Contains(r.Body, `name="title"`) {
			t.Error("a viewer gets forms")
		}
		for _, p := range []string{pitchPath, pitchPath + "/contacts", cardPath, cardPath + "/remove", st.path("/press/pitches")} {
			if r := v.Post(p, url.Values{"title": {"Dibajak"}, "stage": {"declined"}, "contact_id": {itoa(rina)}}); r.Status != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d", p, r.Status)
			}
		}
		st.otherWorkspace()
		other := st.signIn("lain@humas.example")
		for _, p := range []string{st.path("/press/pitches"), pitchPath} {
			if r := other.Get(p); r.Status != http.StatusNotFound {
				t.Errorf("another workspace GET %s: %d", p, r.Status)
			}
		}
	})
}

func TestPitchAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		edID := st.member("editor@humas.example", access.Editor, "en")
		token, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, edID, "script", access.Editor)
		if err != nil {
			t.Fatal(err)
		}
		rina := st.contact(st.ws.ID, "Rina Kusuma", "Kompas", "rina@kompas.example")

		status, body := st.api("POST", "/api/v1/pitches", token, map[string]any{"title": "", "status": "draft", "owner_id": 999999})
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || fields["title"] != "Please fill this in." || fields["status"] == nil || fields["owner_id"] == nil {
			t.Errorf("bad create: %d %v", status, body)
		}
		status, body = st.api("POST", "/api/v1/pitches", token, map[string]any{"title": "Hari Pers Nasional", "owner_id": edID, "campaign_id": 7})
		if status != http.StatusCreated || body["status"] != "open" || body["campaign_id"] != float64(7) {
			t.Fatalf("create: %d %v", status, body)
		}
		path := "/api/v1/pitches/" + strconv.FormatInt(int64(body["id"].(float64)), 10)

		if status, body := st.api("POST", path+"/contacts", token, map[string]any{"contact_id": rina}); status != http.StatusCreated || body["stage"] != "pitched" || body["name"] != "Rina Kusuma" {
			t.Errorf("add: %d %v", status, body)
		}
		if status, _ := st.api("POST", path+"/contacts", token, map[string]any{"contact_id": rina}); status != http.StatusOK {
			t.Errorf("add again: %d", status)
		}
		if status, _ := st.api("POST", path+"/contacts", token, map[string]any{"contact_id": 987654}); status != http.StatusUnprocessableEntity {
			t.Errorf("add an unknown contact: %d", status)
		}
		status, body = st.api("PATCH", path+"/contacts/"+itoa(rina), token, map[string]any{"stage": "replied", "follow_up_at": "2026-12-03T09:00:00+07:00"})
		if status != 200 || body["stage"] != "replied" || body["follow_up_at"] != "2026-12-03T02:00:00Z" {
			t.Errorf("move: %d %v", status, body)
		}
		if status, _ := st.api("PATCH", path+"/contacts/"+itoa(rina), token, map[string]any{"follow_up_at": "besok"}); status != http.StatusUnprocessableEntity {
			t.Errorf("a wrong follow-up: %d", status)
		}
		status, body = st.api("PATCH", path+"/contacts/"+itoa(rina), token, map[string]any{"follow_up_at": ""})
		if status != 200 || body["follow_up_at"] != nil || body["stage"] != "replied" {
			t.Errorf("clear the follow-up: %d %v", status, body)
		}

		status, body = st.api("PATCH", path, token, map[string]any{"version": 1, "subject": "Untuk {{outlet}}"})
		if status != 200 || body["subject"] != "Untuk {{outlet}}" || body["title"] != "Hari Pers Nasional" || body["version"] != float64(2) {
			t.Fatalf("patch: %d %v", status, body)
		}
		if cards := body["contacts"].([]any); len(cards) != 1 || cards[0].(map[string]any)["stage"] != "replied" {
			t.Errorf("pipeline: %v", cards)
		}
		if counts := body["counts"].(map[string]any); counts["replied"] != float64(1) || counts["covered"] != float64(0) {
			t.Errorf("counts: %v", counts)
		}
		if status, _ := st.api("PATCH", path, token, map[string]any{"version": 1, "title": "Lama"}); status != http.StatusConflict {
			t.Errorf("stale patch: %d", status)
		}
		if status, body := st.api("GET", "/api/v1/pitches?q=pers&status=open", token, nil); status != 200 || len(body["items"].([]any)) != 1 {
			t.Errorf("list: %d %v", status, body)
		}

		// Another workspace's token finds nothing.
		wsB, ownerB := st.otherWorkspace()
		tokenB, _, err := st.auth.CreateToken(ctx, auth.CLI, wsB.ID, ownerB, "B", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range []struct {
			method, path string
			body         any
		}{{"GET", path, nil}, {"PATCH", path, map[string]any{"title": "Dibajak"}}, {"POST", path + "/contacts", map[string]any{"contact_id": rina}},
			{"PATCH", path + "/contacts/" + itoa(rina), map[string]any{"stage": "declined"}}} {
			if status, _ := st.api(call.method, call.path, tokenB, call.body); status != http.StatusNotFound {
				t.Errorf("B %s %s: %d", call.method, call.path, status)
			}
		}
		if status, body := st.api("GET", "/api/v1/pitches", tokenB, nil); status != 200 || len(body["items"].([]any)) != 0 {
			t.Errorf("B's list: %v", body)
		}
	})
}
