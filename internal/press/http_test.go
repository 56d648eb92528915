package press_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"warta.dev/warta/internal/auth/authtest"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/i18n/catalog"
	"warta.dev/warta/internal/platform/web"
	"warta.dev/warta/internal/press"
)

// authMembers lists a workspace's members from auth, as the app wires it.
type authMembers struct{ as *auth.Service }

func (m authMembers) WorkspaceMembers(ctx context.Context, wsID int64) ([]press.Member, error) {
	ms, _, err := m.as.Members(ctx, wsID)
	var out []press.Member
	for _, x := range ms {
		out = append(out, press.Member{ID: x.UserID, Name: x.Name, Email: x.Email})
	}
	return out, err
}

// site is the part of Warta the press pages need, on loopback: accounts and sessions from auth,
// the web shell, and this package.
type site struct {
	t    *testing.T
	url  string
	auth *auth.Service
	s    *press.Service
	ws   *auth.Workspace
	d    *db.DB
}

const pw = "kopi-tubruk-pahit"

func startSite(t *testing.T, engine db.Dialect) *site {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, engine, web.Migrations, auth.Migrations, audit.Migrations, press.Migrations)
	bundle, err := i18n.NewBundle(catalog.Common, auth.Catalog, press.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srvURL := "http://127.0.0.1"
	as := auth.NewService(d, nil, bundle, srvURL, log)
	sessions, _ := web.NewSessions(d, srvURL)
	guard := auth.NewGuard(as, sessions)
	rd, err := web.NewRenderer(sessions, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(guard, sessions, bundle, rd, log)
	authPages, err := auth.NewHandlers(as, guard, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := &site{t: t, auth: as, d: d}
	st.s = press.NewService(d, authMembers{as})
	h, err := press.NewHandlers(st.s, srv)
	if err != nil {
		t.Fatal(err)
	}
	srv.Handle(authPages.Routes()...)
	srv.Handle(h.Routes()...)
	srv.Handle(h.APIRoutes()...)
	hs := httptest.NewServer(srv.Mux())
	t.Cleanup(hs.Close)
	st.url = hs.URL
	_, st.ws, err = as.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "owner@humas.example", Password: pw, Role: access.Owner,
		Workspace: "Humas Kota", Lang: "en", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (st *site) member(email string, role access.Role, lang string) int64 {
	st.t.Helper()
	u, _, err := st.auth.CreateUser(context.Background(), auth.CLI, auth.CreateUserInput{Email: email, Password: pw, Role: role, Workspace: st.ws.Slug, Lang: lang})
	if err != nil {
		st.t.Fatal(err)
	}
	return u.ID
}

func (st *site) path(rest string) string { return "/w/" + st.ws.Slug + rest }

func idFrom(t *testing.T, location string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(location[strings.LastIndex(location, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("no id in %q", location)
	}
	return id
}

// An Indonesian-speaking officer adds a journalist: a form with mistakes keeps every value typed
// and says in Indonesian what to fix; the saved contact shows its fields in order, gets a list and
// a logged call on its timeline; the list page filters, and bulk-adds to a list.
func TestContactPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		st.member("humas@humas.example", access.Contributor, "id")
		b := st.signIn("humas@humas.example")

		r := b.Get(st.path("/press/contacts"))
		mustSee(t, "empty list", r, "Belum ada kontak", `href="/w/humas-kota/press/imports/new"`, `href="/w/humas-kota/press/contacts/new"`)

		bad := url.Values{"name": {""}, "salutation": {"Ibu"}, "emails": {"sari@kompas.example\nbukan-email"}, "phones": {"0812-3456-7890"},
			"outlet_0": {"Harian Kompas"}, "role_0": {"Redaktur Kesehatan"}, "beats": {"Kesehatan, Sains"}, "province": {"Jawa Timur"},
			"city": {"Surabaya"}, "country": {"ID"}, "languages": {"id, en"}, "notes": {"Suka data BPS"}, "consent_status": {"granted"}, "consent_basis": {"consent"}}
		r = b.Post(st.path("/press/contacts"), bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d", r.Status)
		}
		mustSee(t, "bad form", r, "Kolom ini wajib diisi.", "Tulis setiap alamat seperti nama@media.co.id.", "Ibu", "bukan-email", "Harian Kompas",
			"Redaktur Kesehatan", "Kesehatan, Sains", "Jawa Timur", "Surabaya", "Suka data BPS", "0812-3456-7890")
		if !strings.Contains(r.Body, `<option value="granted" selected>`) {
			t.Errorf("consent choice lost")
		}

		good := url.Values{}
		for k, v := range bad {
			good[k] = v
		}
		good.Set("name", "Sari Wulandari")
		good.Set("emails", "Sari@Kompas.example")
		r = b.Post(st.path("/press/contacts"), good)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.Status, text(r.Body))
		}
		id := idFrom(t, r.Location)
		r = b.Follow(r)
		mustSee(t, "contact page", r, "Kontak ditambahkan.", "Sari Wulandari", "sari@kompas.example", "+6281234567890", "Harian Kompas (Redaktur Kesehatan)",
			"kesehatan, sains", "Diberikan", "Linimasa")

		r = b.Post(st.path(fmt.Sprintf("/press/contacts/%d/events", id)), url.Values{"kind": {"call"}, "title": {"Konfirmasi jumpa pers"}, "detail": {"Akan datang"}})
		r = b.Follow(r)
		mustSee(t, "timeline", r, "Dicatat di linimasa.", "Telepon", "Konfirmasi jumpa pers", "Akan datang")
		if !strings.Contains(text(r.Body), "Terakhir dihubungi") || strings.Contains(text(r.Body), "Terakhir dihubungi Belum pernah") {
			t.Errorf("last contacted did not move: %s", text(r.Body))
		}
		r = b.Post(st.path(fmt.Sprintf("/press/contacts/%d/lists", id)), url.Values{"new_list": {"Jurnalis Kesehatan Jatim"}})
		mustSee(t, "lists", b.Follow(r), "Dimasukkan ke daftar.", "Jurnalis Kesehatan Jatim")

		other, err := st.s.AddContact(context.Background(), audit.Actor{}, st.ws.ID, press.ContactInput{Name: "Bayu Aji", Emails: []string{"bayu@jawapos.example"},
			Beats: []string{"ekonomi"}, Province: "Jawa Timur"})
		if err != nil {
			t.Fatal(err)
		}
		r = b.Get(st.path("/press/contacts?beat=kesehatan"))
		mustSee(t, "filtered", r, "Sari Wulandari", "1 kontak")
		if strings.Contains(r.Body, "Bayu Aji") {
			t.Errorf("filter by beat shows Bayu")
		}
		r = b.Get(st.path("/press/contacts?q=jawapos"))
		mustSee(t, "search by email", r, "Bayu Aji")
		r = b.Post(st.path("/press/contacts/bulk"), url.Values{"contact": {fmt.Sprint(id), fmt.Sprint(other)}, "new_list": {"Jatim"}})
		mustSee(t, "bulk", b.Follow(r), "2 kontak dimasukkan ke daftar.")
		r = b.Get(st.path("/press/lists"))
		mustSee(t, "lists page", r, "Jatim", "Jurnalis Kesehatan Jatim")

		// A contributor cannot erase; the erase page is for managers.
		if r := b.Get(st.path(fmt.Sprintf("/press/contacts/%d/erase", id))); r.Status != http.StatusForbidden {
			t.Errorf("contributor reached the erase page: %d", r.Status)
		}
		owner := st.signIn("owner@humas.example")
		r = owner.Post(st.path(fmt.Sprintf("/press/contacts/%d/erase", id)), url.Values{})
		mustSee(t, "erase without confirm", r, "Tick the box to confirm.")
		r = owner.Post(st.path(fmt.Sprintf("/press/contacts/%d/erase", id)), url.Values{"confirm": {"1"}})
		mustSee(t, "erased", owner.Follow(r), "The contact's personal data has been erased.")
		r = owner.Get(st.path("/press/suppressions"))
		mustSee(t, "block list", r, "Address erased (kept as a code)", "Contact erased")
	})
}

// An export to CSV neutralises a cell a spreadsheet would run, keeps a phone number readable,
// and streams every contact of the segment; XLSX comes out as a workbook.
func TestExport(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		st.member("baca@humas.example", access.Viewer, "en")
		ctx := context.Background()
		for i := range 3 {
			if _, err := st.s.AddContact(ctx, audit.Actor{}, st.ws.ID, press.ContactInput{Name: fmt.Sprintf("Wartawan %d", i), Beats: []string{"politik"},
				Emails: []string{fmt.Sprintf("w%d@tempo.example", i)}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.s.AddContact(ctx, audit.Actor{}, st.ws.ID, press.ContactInput{Name: "=HYPERLINK(\"http://evil.example\")", Beats: []string{"politik"},
			Phones: []string{"+62 812-3456-7890"}, Notes: "@SUM(A1)"}); err != nil {
			t.Fatal(err)
		}
		seg, err := st.s.SaveSegment(ctx, audit.Actor{}, st.ws.ID, 0, "Politik", []press.Condition{{Field: "beat", Values: []string{"politik"}}})
		if err != nil {
			t.Fatal(err)
		}
		b := st.signIn("baca@humas.example")
		r := b.Get(st.path(fmt.Sprintf("/press/contacts/export.csv?segment=%d", seg)))
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 5 || recs[0][0] != "name" {
			t.Fatalf("csv has %d rows: %v", len(recs), recs)
		}
		var evil []string
		for _, rec := range recs {
			if strings.Contains(rec[0], "HYPERLINK") {
				evil = rec
			}
		}
		if evil == nil || strings.HasPrefix(evil[0], "=") || !strings.Contains(evil[0], "HYPERLINK") {
			t.Errorf("formula cell not neutralised: %q", evil)
		}
		col := func(name string) int {
			for i, h := range recs[0] {
				if h == name {
					return i
				}
			}
			t.Fatalf("no column %s", name)
			return 0
		}
		if evil[col("phone")] != "+6281234567890" || strings.HasPrefix(evil[col("notes")], "@") {
			t.Errorf("phone %q, notes %q", evil[col("phone")], evil[col("notes")])
		}
		r = b.Get(st.path(fmt.Sprintf("/press/contacts/export.xlsx?segment=%d", seg)))
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "PK") {
			t.Errorf("xlsx: %d, starts %q", r.Status, r.Body[:min(4, len(r.Body))])
		}
		if r := b.Get(st.path("/press/contacts/export.csv?segment=99999")); r.Status != http.StatusNotFound {
			t.Errorf("export of a missing segment: %d", r.Status)
		}
	})
}

// The API: contacts with field errors, a PATCH that leaves the rest alone, lists and segments with
// live counts, the suppression list refusing to drop an unsubscribed address, and erasure by
// DELETE for managers only.
func TestAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		edID := st.member("editor@humas.example", access.Editor, "en")
		token, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, edID, "script", access.Editor)
		if err != nil {
			t.Fatal(err)
		}
		status, body := st.api("POST", "/api/v1/contacts", token, map[string]any{"name": "", "emails": []string{"x"}})
		if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["fields"].(map[string]any)["emails"] == nil {
			t.Fatalf("bad contact: %d %v", status, body)
		}
		status, body = st.api("POST", "/api/v1/contacts", token, map[string]any{"name": "Dewi Lestari", "emails": []string{"dewi@antara.example"},
			"outlets": []map[string]any{{"outlet": "Antara", "role": "Pewarta"}}, "beats": []string{"Energi"}, "phones": []string{"62811000111"}})
		if status != http.StatusCreated || body["phones"].([]any)[0] != "+62811000111" {
			t.Fatalf("create: %d %v", status, body)
		}
		path := fmt.Sprintf("/api/v1/contacts/%v", body["id"])
		status, body = st.api("PATCH", path, token, map[string]any{"city": "Jakarta", "consent": map[string]any{"status": "granted", "basis": "consent"}})
		if status != 200 || body["city"] != "Jakarta" || body["name"] != "Dewi Lestari" || len(body["outlets"].([]any)) != 1 ||
			body["consent"].(map[string]any)["status"] != "granted" {
			t.Errorf("patch: %d %v", status, body)
		}
		status, body = st.api("POST", "/api/v1/segments", token, map[string]any{"name": "Energi", "conditions": []map[string]any{{"field": "beat", "values": []string{"energi"}}}})
		if status != http.StatusCreated || body["count"] != float64(1) {
			t.Errorf("segment: %d %v", status, body)
		}
		status, body = st.api("POST", "/api/v1/lists", token, map[string]any{"name": "Pewarta Antara"})
		if status != http.StatusCreated {
			t.Fatalf("list: %d %v", status, body)
		}
		listPath := fmt.Sprintf("/api/v1/lists/%v", body["id"])
		cid, _ := strconv.ParseInt(strings.TrimPrefix(path, "/api/v1/contacts/"), 10, 64)
		if status, body = st.api("POST", listPath+"/members", token, map[string]any{"contact_ids": []int64{cid, 999999}}); status != 200 || body["changed"] != float64(1) {
			t.Errorf("members: %d %v", status, body)
		}
		if status, body = st.api("GET", "/api/v1/contacts?list="+strings.TrimPrefix(listPath, "/api/v1/lists/"), token, nil); status != 200 || len(body["items"].([]any)) != 1 {
			t.Errorf("contacts on the list: %d %v", status, body)
		}
		if status, _ = st.api("DELETE", path, token, nil); status != http.StatusForbidden {
			t.Errorf("editor erased: %d", status)
		}
		f := st.s
		if err := st.d.Tx(ctx, func(tx *db.Tx) error { return f.Unsubscribe(ctx, tx, st.ws.ID, cid, "", "one-click") }); err != nil {
			t.Fatal(err)
		}
		ownerToken, _, err := st.auth.CreateToken(ctx, auth.CLI, st.ws.ID, ownerID(t, st), "admin", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		status, body = st.api("GET", "/api/v1/suppressions", ownerToken, nil)
		items := body["items"].([]any)
		if status != 200 || len(items) != 1 || items[0].(map[string]any)["reason"] != "unsubscribed" {
			t.Fatalf("suppressions: %d %v", status, body)
		}
		supPath := fmt.Sprintf("/api/v1/suppressions/%v", items[0].(map[string]any)["id"])
		if status, body = st.api("DELETE", supPath, ownerToken, nil); status != http.StatusConflict || body["error"].(map[string]any)["code"] != "unsubscribed_stays" {
			t.Errorf("removing an unsubscribed address: %d %v", status, body)
		}
		if status, _ = st.api("DELETE", path, ownerToken, nil); status != http.StatusNoContent {
			t.Errorf("erase: %d", status)
		}
		if status, _ = st.api("GET", path, ownerToken, nil); status != http.StatusNotFound {
			t.Errorf("erased contact: %d", status)
		}
		status, body = st.api("GET", "/api/v1/suppressions", ownerToken, nil)
		if it := body["items"].([]any)[0].(map[string]any); it["email"] != "" || it["reason"] != "unsubscribed" {
			t.Errorf("suppression after erasure: %v", it)
		}
	})
}

func ownerID(t *testing.T, st *site) int64 {
	t.Helper()
	ms, _, err := st.auth.Members(context.Background(), st.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Role == access.Owner {
			return m.UserID
		}
	}
	t.Fatal("no owner")
	return 0
}

// Outlets, segments, lists and the block list, as an editor and an owner use them: every page
// renders, a bad RSS address is refused with the input kept, a segment counts before it is
// saved, an unsubscribed address cannot be taken off the block list, and the export of a contact
// is a JSON file with everything held.
func TestOtherPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		st := startSite(t, engine)
		ctx := context.Background()
		b := st.signIn("owner@humas.example")

		mustSee(t, "no outlets", b.Get(st.path("/press/outlets")), "No outlets yet")
		r := b.Post(st.path("/press/outlets"), url.Values{"name": {"Radio Suara Surabaya"}, "type": {"radio"}, "rss_url": {"feed.example/rss"},
			"reach": {"1.500.000"}, "dewan_pers": {"factual"}, "dewan_pers_checked": {"2026-11-01"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad outlet: %d", r.Status)
		}
		mustSee(t, "bad outlet", r, "Write a full web address starting with http:// or https://.", "Radio Suara Surabaya", "feed.example/rss", "1.500.000")
		r = b.Post(st.path("/press/outlets"), url.Values{"name": {"Radio Suara Surabaya"}, "type": {"radio"}, "rss_url": {"https://ss.example/rss"},
			"reach": {"1.500.000"}, "dewan_pers": {"factual"}, "dewan_pers_checked": {"2026-11-01"}, "city": {"Surabaya"}})
		outletID := idFrom(t, r.Location)
		cid, err := st.s.AddContact(ctx, audit.Actor{}, st.ws.ID, press.ContactInput{Name: "Rudi Hartono", Emails: []string{"rudi@ss.example"},
			Outlets: []press.OutletRole{{OutletID: outletID, Role: "Reporter"}}, Beats: []string{"Transportasi"}})
		if err != nil {
			t.Fatal(err)
		}
		mustSee(t, "outlet", b.Get(st.path(fmt.Sprintf("/press/outlets/%d", outletID))), "Radio Suara Surabaya", "1,500,000", "Verified factually", "Rudi Hartono")
		mustSee(t, "outlets", b.Get(st.path("/press/outlets?type=radio")), "Radio Suara Surabaya", "Radio")

		mustSee(t, "no segments", b.Get(st.path("/press/segments")), "No segments yet")
		r = b.Post(st.path("/press/segments"), url.Values{"name": {"Radio Jatim"}, "cond_beat": {"transportasi, Kesehatan"}, "cond_outlet_type": {"radio", "tv"}, "action": {"count"}})
		mustSee(t, "segment count", r, "1 contact matches", "Rudi Hartono", `value="transportasi, Kesehatan"`)
		r = b.Post(st.path("/press/segments"), url.Values{"name": {"Radio Jatim"}, "cond_beat": {"transportasi, Kesehatan"}, "cond_outlet_type": {"radio", "tv"}, "action": {"save"}})
		segID := idFrom(t, r.Location)
		mustSee(t, "segment", b.Follow(r), "1 contact matches", "Radio Jatim")
		mustSee(t, "segments", b.Get(st.path("/press/segments")), "Radio Jatim", "transportasi or Kesehatan", "and")
		mustSee(t, "contacts in segment", b.Get(st.path(fmt.Sprintf("/press/contacts?segment=%d", segID))), "Rudi Hartono")

		r = b.Post(st.path("/press/lists"), url.Values{"name": {""}})
		mustSee(t, "list without name", r, "Please fill this in.")
		r = b.Post(st.path("/press/lists"), url.Values{"name": {"Undangan jumpa pers"}})
		listID := idFrom(t, r.Location)
		mustSee(t, "empty list", b.Follow(r), "This list is empty.")
		b.Post(st.path("/press/contacts/bulk"), url.Values{"contact": {fmt.Sprint(cid)}, "list": {fmt.Sprint(listID)}})
		mustSee(t, "list", b.Get(st.path(fmt.Sprintf("/press/lists/%d", listID))), "Rudi Hartono", "1 contact on this list")
		r = b.Post(st.path(fmt.Sprintf("/press/lists/%d/remove", listID)), url.Values{"contact": {fmt.Sprint(cid)}})
		mustSee(t, "removed", b.Follow(r), "1 contact taken off the list.")

		mustSee(t, "empty block list", b.Get(st.path("/press/suppressions")), "No blocked addresses.")
		r = b.Post(st.path("/press/suppressions"), url.Values{"email": {"bukan alamat"}})
		mustSee(t, "bad address", r, "bukan alamat")
		if err := st.d.Tx(ctx, func(tx *db.Tx) error { return st.s.Unsubscribe(ctx, tx, st.ws.ID, cid, "", "one-click") }); err != nil {
			t.Fatal(err)
		}
		sups, _ := st.s.Suppressions(ctx, st.ws.ID, press.SuppressionFilter{})
		r = b.Post(st.path(fmt.Sprintf("/press/suppressions/%d/delete", sups[0].ID)), url.Values{})
		mustSee(t, "refused", b.Follow(r), "only they can subscribe again", "rudi@ss.example", "Unsubscribed")
		mustSee(t, "timeline", b.Get(st.path(fmt.Sprintf("/press/contacts/%d", cid))), "Unsubscribed", "Withdrawn")

		mustSee(t, "erase page", b.Get(st.path(fmt.Sprintf("/press/contacts/%d/erase", cid))), "Erase Rudi Hartono?")
		r = b.Get(st.path(fmt.Sprintf("/press/contacts/%d/export", cid)))
		var x press.ContactExport
		if err := json.Unmarshal([]byte(r.Body), &x); err != nil || x.Contact.Name != "Rudi Hartono" || len(x.Outlets) != 1 || len(x.Suppressions) != 1 ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("export: %v %+v", err, x)
		}
	})
}

type page = authtest.Page

var text, mustSee = authtest.Text, authtest.MustSee

func (st *site) signIn(email string) *authtest.Browser {
	return authtest.SignIn(st.t, st.url, email, pw)
}

func (st *site) api(method, path, token string, body any) (int, map[string]any) {
	return authtest.API(st.t, st.url, method, path, token, body)
}
