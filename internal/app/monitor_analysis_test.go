package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/auth/authtest"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
)

// uploader is a signed-in browser that can send a form with a file.
type uploader struct {
	env    *apptest.Env
	client *http.Client
}

func signInUploader(t *testing.T, env *apptest.Env, email, password string) *uploader {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &uploader{env: env, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	res, err := u.client.PostForm(env.URL+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %v %v", res, err)
	}
	res.Body.Close()
	return u
}

// post sends fields as the page's form does, the file last, and returns the status, where it
// redirects and the page's text.
func (u *uploader) post(t *testing.T, path string, fields url.Values, fileName string, file []byte) (int, string, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", fileName)
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", u.env.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "en")
	res, err := u.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(page)
}

func pngOfSize(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 150, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A communications officer reads the month's coverage: charts drawn on the page with their
// numbers, share of voice against the neighbouring city, the top outlets, the key messages the
// press carried, and each section as a CSV a spreadsheet opens safely. Then she enters a radio
// interview that no feed carries, with its recording: a form that loses nothing when it is
// refused, a clipping that becomes a mention, is listed with its file, and counts in the analysis.
func TestMonitoringAnalysisAndClippings(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env, owner, ws := startMonitoring(t, engine, "en")
		ctx := context.Background()
		a := env.App
		const pw = monitorPassword
		zone, _ := time.LoadLocation("Asia/Jakarta")
		now := time.Now().In(zone)
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
		yesterday := today.AddDate(0, 0, -1)
		site := startNewsSite(t)
		site.add(
			story(site.srv.URL, "/antara/cek-kesehatan", "Pemkot Sukamaju buka cek kesehatan gratis di 30 puskesmas", healthBody, yesterday.Add(9*time.Hour)),
			story(site.srv.URL, "/jatim/cek-kesehatan-gratis", "Cek kesehatan gratis di 30 puskesmas Sukamaju", "Kabar Jatim – "+healthBody, yesterday.Add(10*time.Hour)),
			story(site.srv.URL, "/banjir-lambat", "Warga keluhkan penanganan banjir yang lambat di Sukamaju", floodBody, yesterday.Add(11*time.Hour)),
			story(site.srv.URL, "/sumberjaya", "Sumberjaya resmikan taman kota", "Pemerintah Kota Sumberjaya meresmikan taman kota baru.", yesterday.Add(12*time.Hour)),
		)
		b := env.SignIn(owner.Email, pw)
		base := "/w/" + ws.Slug + "/monitoring"
		mustStatus(t, b.Post(base+"/topics", url.Values{"name": {"Pemkot Sukamaju"}, "kind": {"brand"}, "query": {"sukamaju"},
			"key_messages": {"Layanan kesehatan gratis\nBanjir surut dalam sehari"}}), http.StatusSeeOther)
		mustStatus(t, b.Post(base+"/topics", url.Values{"name": {"Kota Sumberjaya"}, "kind": {"competitor"}, "query": {"sumberjaya"}}), http.StatusSeeOther)
		mustStatus(t, b.Post(base+"/sources", url.Values{"kind": {"feed"}, "url": {site.srv.URL + "/rss.xml"}, "interval": {"900"}}), http.StatusSeeOther)

		page := b.Get(base + "/analysis")
		mustStatus(t, page, http.StatusOK)
		text := authtest.Text(page.Body)
		if !strings.Contains(text, "Stories: 3; mentions: 3.") {
			t.Errorf("the summary should count the syndicated health story once: %s", apptest.Excerpt(text))
		}
		main := page.Body[strings.Index(page.Body, "<main"):]
		if strings.Count(main, "<svg width=\"100%\" height=\"180\"") != 2 || strings.Contains(main, "<script") {
			t.Errorf("the volume and sentiment charts should be drawn on the server, without script")
		}
		for _, want := range []string{"Share of voice", "Pemkot Sukamaju", "67%", "Kota Sumberjaya", "33%", "Show the numbers",
			"Layanan kesehatan gratis", "Banjir surut dalam sehari"} {
			if !strings.Contains(text, want) {
				t.Errorf("the analysis does not show %q", want)
			}
		}
		// The key message table: the health story carries its message; the flood has not receded in a day.
		messages := text[strings.Index(text, "Key messages in the coverage"):]
		if !regexp.MustCompile(`Layanan kesehatan gratis 50% \(1\)`).MatchString(messages) || !regexp.MustCompile(`Banjir surut dalam sehari 0% \(0\)`).MatchString(messages) {
			t.Errorf("key messages: %s", apptest.Excerpt(messages))
		}

		// A period that ends before it starts is said beside the field; the page still answers.
		bad := b.Get(base + "/analysis?from=" + today.Format(time.DateOnly) + "&to=" + yesterday.AddDate(0, 0, -3).Format(time.DateOnly))
		mustStatus(t, bad, http.StatusOK)
		if !strings.Contains(authtest.Text(bad.Body), "The end date comes before the start date.") {
			t.Errorf("a reversed period: %s", apptest.Excerpt(authtest.Text(bad.Body)))
		}

		// An outlet name written to run as a spreadsheet formula arrives through the API.
		tok, _, err := a.Auth.CreateToken(ctx, auth.CLI, ws.ID, owner.ID, "skrip", access.Owner)
		if err != nil {
			t.Fatal(err)
		}
		status, body := env.API("POST", "/api/v1/clippings", tok, map[string]any{"medium": "print", "outlet": `=HYPERLINK("https://evil.example","Klik")`,
			"title": "Sukamaju juara kota layak anak", "date": yesterday.Format(time.DateOnly), "url": "https://koran.example/kla"})
		if status != http.StatusCreated || body["medium"] != "print" || len(body["mention_ids"].([]any)) != 1 {
			t.Fatalf("a clipping over the API: %d %v", status, body)
		}
		status, body = env.API("POST", "/api/v1/clippings", tok, map[string]any{"medium": "print", "outlet": "Koran Sukamaju", "title": "Tanpa tautan",
			"date": yesterday.Format(time.DateOnly)})
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || fields["url"] != "Add a link, or attach a scan, photo or recording." {
			t.Errorf("a clipping without link over the API: %d %v", status, body)
		}
		status, body = env.API("GET", "/api/v1/clippings", tok, nil)
		if items, _ := body["items"].([]any); status != http.StatusOK || len(items) != 1 {
			t.Errorf("clippings over the API: %d %v", status, body)
		}

		period := "?from=" + yesterday.AddDate(0, 0, -6).Format(time.DateOnly) + "&to=" + today.Format(time.DateOnly)
		res := b.Get(base + "/analysis/outlets.csv" + period)
		mustStatus(t, res, http.StatusOK)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("the download's headers: %v", res.Header)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"outlet", "stories", "positive", "neutral", "negative"}, {"Kabar Jatim", "3"}, {`'=HYPERLINK("https://evil.example","Klik")`, "1"}}
		if len(rows) != 3 || !equalRow(rows[0], want[0]) || !equalRow(rows[1][:2], want[1]) || !equalRow(rows[2][:2], want[2]) {
			t.Errorf("outlets.csv:\n%v", rows)
		}
		res = b.Get(base + "/analysis/volume.csv" + period)
		rows, _ = csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
		// Seven days, two topics: a row for each, and yesterday's brand row says 3 (2 stories and the clipping).
		var brandYesterday string
		for _, r := range rows {
			if len(r) == 4 && r[0] == yesterday.Format(time.DateOnly) && r[2] == "Pemkot Sukamaju" {
				brandYesterday = r[3]
			}
		}
		if len(rows) != 1+8*2 || strings.Join(rows[0], ",") != "date,topic_id,topic,mentions" || brandYesterday != "3" {
			t.Errorf("volume.csv: %v", rows)
		}
		if r := b.Get(base + "/analysis/everything.csv"); r.Status != http.StatusNotFound {
			t.Errorf("an unknown section: %d", r.Status)
		}

		// A radio interview with its recording: first sent without an outlet, then complete.
		up := signInUploader(t, env, owner.Email, pw)
		form := url.Values{"medium": {"radio"}, "outlet": {""}, "title": {"Dialog Sukamaju Sehat bersama Wali Kota"}, "date": {yesterday.Format(time.DateOnly)},
			"time": {"07.15"}, "placement": {"Dialog pagi, 07.15"}, "reach": {"250.000"}, "text": {"Wali Kota menjelaskan layanan kesehatan gratis di puskesmas."}}
		st, _, refused := up.post(t, base+"/clippings", form, "dialog.png", pngOfSize(t, 64, 48))
		refusedText := authtest.Text(refused)
		if st != http.StatusUnprocessableEntity || !strings.Contains(refusedText, "Please fill this in.") ||
			!strings.Contains(refused, `value="Dialog Sukamaju Sehat bersama Wali Kota"`) || !strings.Contains(refused, "Wali Kota menjelaskan layanan") || !strings.Contains(refused, `value="07:15"`) ||
			!strings.Contains(refusedText, "Choose the file again") {
			t.Errorf("the refused form: %d %s", st, apptest.Excerpt(refusedText))
		}
		form.Set("outlet", "RRI Sukamaju")
		st, loc, _ := up.post(t, base+"/clippings", form, "dialog.png", pngOfSize(t, 64, 48))
		if st != http.StatusSeeOther || !strings.Contains(loc, "/monitoring/mentions/") {
			t.Fatalf("saving the clipping: %d %q", st, loc)
		}
		mention := b.Get(loc)
		if !strings.Contains(authtest.Text(mention.Body), "Dialog Sukamaju Sehat bersama Wali Kota") {
			t.Errorf("the clipping's mention page: %s", apptest.Excerpt(authtest.Text(mention.Body)))
		}
		list := b.Get(base + "/clippings")
		listText := authtest.Text(list.Body)
		file := regexp.MustCompile(`href="(/w/[^"]+/media/\d+)"`).FindStringSubmatch(list.Body)
		if !strings.Contains(listText, "2 clippings") || !strings.Contains(listText, "RRI Sukamaju") || !strings.Contains(listText, "Dialog pagi, 07.15") ||
			!strings.Contains(listText, "reach 250,000") || file == nil {
			t.Fatalf("the clipping list: %s", apptest.Excerpt(listText))
		}
		if r := b.Get(file[1]); r.Status != http.StatusOK {
			t.Errorf("the clipping's file in the media library: %d", r.Status)
		}
		if r := b.Get(base + "/clippings?medium=tv"); !strings.Contains(authtest.Text(r.Body), "No clippings match these filters.") {
			t.Errorf("TV clippings: %s", apptest.Excerpt(authtest.Text(r.Body)))
		}
		radio := authtest.Text(b.Get(base + "/analysis?type=radio").Body)
		if !strings.Contains(radio, "Stories: 1; mentions: 1.") || !strings.Contains(radio, "RRI Sukamaju") {
			t.Errorf("the analysis of radio: %s", apptest.Excerpt(radio))
		}
	})
}

func equalRow(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00")
}
