package subscribe_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/newsroom/subscribe"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// Staff read the subscribers and their consent records; a manager downloads the list, exports one
// person's data and erases it after ticking the box; a viewer reads only; another workspace sees
// nothing.
func TestSubscriberPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		ws := st.ws.ID
		owner := st.signIn("owner@humas.example")

		r := owner.Get(st.path("/newsroom/subscribers"))
		mustSee(t, "empty list", r, "No subscribers yet.", "Visitors subscribe with their email address on your public newsroom.")

		rina := st.confirmed(request(ws, "rina@kompas.example", "Rina Kusuma", "id", health, education))
		st.subscribe(request(ws, "budi@tempo.example", "Budi Santoso", "en"))
		st.confirmed(request(ws, "=cmd@evil.example", "=HYPERLINK(\"x\")", "en"))

		r = owner.Get(st.path("/newsroom/subscribers"))
		mustSee(t, "list", r, "2 confirmed · 1 waiting for confirmation · 0 unsubscribed", "rina@kompas.example", "Rina Kusuma",
			"Health, Education", "budi@tempo.example", "Waiting for confirmation", "All topics",
			`href="/w/humas-kota/newsroom/subscribers/`+itoa(rina.ID)+`"`, "Download the list (CSV)")
		r = owner.Get(st.path("/newsroom/subscribers?state=pending"))
		if !strings.Contains(r.Body, "budi@tempo.example") || strings.Contains(r.Body, "rina@kompas.example") {
			t.Errorf("the pending filter:\n%s", text(r.Body))
		}
		r = owner.Get(st.path("/newsroom/subscribers?q=KUSUMA"))
		if !strings.Contains(r.Body, "rina@kompas.example") || strings.Contains(r.Body, "budi@tempo.example") {
			t.Errorf("the search:\n%s", text(r.Body))
		}
		mustSee(t, "no match", owner.Get(st.path("/newsroom/subscribers?q=tidak-ada")), "No subscriber matches.")

		// The consent record, in the words Rina read.
		r = owner.Get(st.path("/newsroom/subscribers/" + itoa(rina.ID)))
		mustSee(t, "subscriber", r, "rina@kompas.example", "Confirmed", "Rina Kusuma", "Bahasa Indonesia", "Health, Education",
			"Consent to data processing", "Saya ingin menerima siaran pers Pemkot Sukamaju melalui email", "Asked", "Export data (JSON)", "Erase")
		if strings.Contains(text(r.Body), "not confirmed") {
			t.Error("a confirmed subscriber reads as not confirmed")
		}
		budi, _ := st.s.List(ctx, ws, subscribe.Filter{Query: "budi"})
		r = owner.Get(st.path("/newsroom/subscribers/" + itoa(budi[0].ID)))
		mustSee(t, "pending subscriber", r, "This address has not confirmed yet. Nothing is sent to it until it does", "not confirmed",
			"Waiting for confirmation", "Confirmation email sent")

		// The list as CSV, formulas defused.
		r = owner.Get(st.path("/newsroom/subscribers/export.csv?state=confirmed"))
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("csv: %d %v", r.Status, r.Header)
		}
		rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil || len(rows) != 3 || rows[0][0] != "email" {
			t.Fatalf("csv rows: %v %q", err, rows)
		}
		for _, row := range rows[1:] {
			switch row[0] {
			case "rina@kompas.example":
				if row[3] != "confirmed" || row[4] != "Health; Education" || !strings.HasSuffix(row[6], "+07:00") ||
					!strings.HasPrefix(row[9], "Saya ingin menerima") {
					t.Errorf("rina's row: %q", row)
				}
			case "'=cmd@evil.example":
				if row[1] != `'=HYPERLINK("x")` {
					t.Errorf("a formula is left live: %q", row)
				}
			default:
				t.Errorf("unexpected row: %q", row)
			}
		}

		// One person's data as JSON.
		r = owner.Get(st.path("/newsroom/subscribers/" + itoa(rina.ID) + "/export"))
		var x map[string]any
		if r.Status != 200 || json.Unmarshal([]byte(r.Body), &x) != nil || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %s", r.Status, r.Body)
		}
		if c := x["subscriber"].(map[string]any)["consent"].(map[string]any); !strings.HasPrefix(c["text"].(string), "Saya ingin") {
			t.Errorf("export's consent: %v", c)
		}

		// A viewer reads, and may not take or erase personal data.
		st.member("pembaca@humas.example", access.Viewer, "id")
		v := st.signIn("pembaca@humas.example")
		r = v.Get(st.path("/newsroom/subscribers/" + itoa(rina.ID)))
		mustSee(t, "viewer", r, "Persetujuan pemrosesan data", "Terkonfirmasi")
		if strings.Contains(r.Body, "/export") || strings.Contains(r.Body, "/erase") {
			t.Error("a viewer is offered export or erasure")
		}
		for _, p := range []string{"/export", "/erase"} {
			if r := v.Get(st.path("/newsroom/subscribers/" + itoa(rina.ID) + p)); r.Status != http.StatusForbidden {
				t.Errorf("viewer GET %s: %d", p, r.Status)
			}
		}
		if r := v.Get(st.path("/newsroom/subscribers/export.csv")); r.Status != http.StatusForbidden {
			t.Errorf("viewer CSV: %d", r.Status)
		}
		if r := v.Post(st.path("/newsroom/subscribers/"+itoa(rina.ID)+"/erase"), url.Values{"confirm": {"1"}}); r.Status != http.StatusForbidden {
			t.Errorf("viewer erase: %d", r.Status)
		}

		// Another workspace finds nothing.
		st.otherWorkspace()
		other := st.signIn("lain@humas.example")
		for _, p := range []string{"", "/" + itoa(rina.ID), "/" + itoa(rina.ID) + "/export", "/export.csv"} {
			if r := other.Get(st.path("/newsroom/subscribers" + p)); r.Status != http.StatusNotFound {
				t.Errorf("another workspace GET %s: %d", p, r.Status)
			}
		}

		// Erasing asks for the box to be ticked, then removes the person.
		erase := st.path("/newsroom/subscribers/" + itoa(rina.ID) + "/erase")
		mustSee(t, "erase page", owner.Get(erase), "Erase rina@kompas.example?", "cannot be undone")
		r = owner.Post(erase, url.Values{})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("erase without the box: %d", r.Status)
		}
		mustSee(t, "erase without the box", r, "Tick the box to confirm the erasure.")
		if _, err := st.s.Get(ctx, ws, rina.ID); err != nil {
			t.Errorf("erased without the box: %v", err)
		}
		r = owner.Post(erase, url.Values{"confirm": {"1"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("erase: %d %s", r.Status, text(r.Body))
		}
		r = owner.Follow(r)
		mustSee(t, "after erasing", r, "The subscriber and their data were erased.")
		if strings.Contains(r.Body, "rina@kompas.example") {
			t.Error("the list still shows the erased subscriber")
		}
		if r := owner.Get(st.path("/newsroom/subscribers/" + itoa(rina.ID))); r.Status != http.StatusNotFound {
			t.Errorf("the erased subscriber's page: %d", r.Status)
		}
	})
}

// A long list comes in pages that keep the filter.
func TestSubscriberListPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		for i := range 53 {
			st.subscribe(request(st.ws.ID, fmt.Sprintf("wartawan%02d@media.example", i), "", "id"))
		}
		owner := st.signIn("owner@humas.example")
		r := owner.Get(st.path("/newsroom/subscribers?state=pending"))
		mustSee(t, "page 1", r, "wartawan52@media.example", `href="?page=2&amp;state=pending"`, "Older")
		if strings.Contains(r.Body, "wartawan02@media.example") {
			t.Error("page 1 holds more than a page")
		}
		r = owner.Get(st.path("/newsroom/subscribers?state=pending&page=2"))
		mustSee(t, "page 2", r, "wartawan00@media.example", "wartawan02@media.example", `href="?state=pending"`, "Newer")
		if strings.Contains(r.Body, "wartawan03@media.example") {
			t.Error("page 2 repeats page 1")
		}
	})
}

func TestSubscriberAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		ws := st.ws.ID
		editor := st.member("editor@humas.example", access.Editor, "en")
		edToken, _, err := st.auth.CreateToken(ctx, auth.CLI, ws, editor, "script", access.Editor)
		if err != nil {
			t.Fatal(err)
		}
		ownerToken, _, err := st.auth.CreateToken(ctx, auth.CLI, ws, st.owner, "owner", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		rina := st.confirmed(request(ws, "rina@kompas.example", "Rina", "id", health))
		st.subscribe(request(ws, "budi@tempo.example", "Budi", "en"))
		path := "/api/v1/newsroom/subscribers/" + itoa(rina.ID)

		status, body := st.api("GET", "/api/v1/newsroom/subscribers?limit=1", edToken, nil)
		items, _ := body["items"].([]any)
		if status != 200 || len(items) != 1 || items[0].(map[string]any)["email"] != "rina@kompas.example" || body["next_cursor"] != itoa(rina.ID) {
			t.Fatalf("list: %d %v", status, body)
		}
		status, body = st.api("GET", "/api/v1/newsroom/subscribers?cursor="+itoa(rina.ID), edToken, nil)
		if items, _ := body["items"].([]any); status != 200 || len(items) != 1 || items[0].(map[string]any)["state"] != "pending" {
			t.Errorf("next page: %d %v", status, body)
		}
		if status, body := st.api("GET", "/api/v1/newsroom/subscribers?state=confirmed&q=rina", edToken, nil); status != 200 || len(body["items"].([]any)) != 1 {
			t.Errorf("filtered: %d %v", status, body)
		}
		status, body = st.api("GET", "/api/v1/newsroom/subscribers?state=aktif", edToken, nil)
		if fields, _ := body["error"].(map[string]any)["fields"].(map[string]any); status != http.StatusUnprocessableEntity ||
			fields["state"] != "Choose confirmed, pending or unsubscribed." {
			t.Errorf("a wrong state: %d %v", status, body)
		}
		status, body = st.api("GET", path, edToken, nil)
		if c, _ := body["consent"].(map[string]any); status != 200 || body["email"] != "rina@kompas.example" || c["confirmed_at"] == nil ||
			!strings.HasPrefix(fmt.Sprint(c["text"]), "Saya ingin") || fmt.Sprint(body["topics"]) != "[1]" {
			t.Errorf("get: %d %v", status, body)
		}

		// Personal data is for managers.
		for _, call := range [][2]string{{"GET", path + "/export"}, {"DELETE", path}} {
			if status, _ := st.api(call[0], call[1], edToken, nil); status != http.StatusForbidden {
				t.Errorf("editor %s %s: %d", call[0], call[1], status)
			}
		}
		status, body = st.api("GET", path+"/export", ownerToken, nil)
		if status != 200 || body["subscriber"].(map[string]any)["consent"].(map[string]any)["text"] == "" || body["exported_at"] == nil {
			t.Errorf("export: %d %v", status, body)
		}

		// Another workspace's token finds nothing.
		wsB, ownerB := st.otherWorkspace()
		tokenB, _, err := st.auth.CreateToken(ctx, auth.CLI, wsB.ID, ownerB, "B", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range [][2]string{{"GET", path}, {"GET", path + "/export"}, {"DELETE", path}} {
			if status, _ := st.api(call[0], call[1], tokenB, nil); status != http.StatusNotFound {
				t.Errorf("B %s %s: %d", call[0], call[1], status)
			}
		}
		if status, body := st.api("GET", "/api/v1/newsroom/subscribers", tokenB, nil); status != 200 || len(body["items"].([]any)) != 0 {
			t.Errorf("B's list: %v", body)
		}

		if status, _ := st.api("DELETE", path, ownerToken, nil); status != http.StatusNoContent {
			t.Errorf("erase: %d", status)
		}
		if status, _ := st.api("GET", path, ownerToken, nil); status != http.StatusNotFound {
			t.Errorf("get after erasing: %d", status)
		}
		if n := st.count(`SELECT COUNT(*) FROM newsroom_subscribers WHERE workspace_id = ?`, ws); n != 1 {
			t.Errorf("%d subscribers left", n)
		}
	})
}
