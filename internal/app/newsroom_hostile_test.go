package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image/color"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"warta.dev/warta/internal/access"
	"warta.dev/warta/internal/app/apptest"
	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/auth"
	"warta.dev/warta/internal/newsroom"
	"warta.dev/warta/internal/newsroom/kit"
	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/db/dbtest"
	"warta.dev/warta/internal/press/release"
)

// Hostile input for every field the public newsroom shows. Each payload would set
// window.__pwned or open an alert if it ran, so the browser test can tell.
const (
	hostileHeadline    = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1;alert(1)"> ]]> & "kutip" 'tunggal'` + "\v" + `akhir`
	hostileSub         = `</p></main></footer><iframe src="javascript:window.__pwned=1"></iframe><a href=" JaVaScRiPt:alert(1)">x</a>`
	hostileCity        = `<img src=x onerror=alert(1)>`
	hostileBoilerplate = "Tentang kami <script>window.__pwned=1</script> [tautan](javascript:window.__pwned=1) " +
		`<a href="&#106;avascript:alert(1)">entitas</a> <div style="position:fixed;inset:0;background:red">tutup</div> <b><i>tak ditutup`
	hostileContactName  = `<script>window.__pwned=1</script>Rina`
	hostileContactRole  = `"><img src=x onerror="window.__pwned=1">`
	hostileContactPhone = `"><svg onload=alert(1)> javascript:x`
	hostileContactEmail = "x'onmouseover=alert`1`@evil.example"
	hostileImageName    = `"><img src=x onerror=alert(1)>.png`
	hostileDocName      = `<svg onload=alert(1)>javascript:alert(1).txt`
	hostileAlt          = `" onerror="window.__pwned=1" x="`
	hostileCredit       = `<script>window.__pwned=1</script>Humas`
	hostileLicence      = `<a href="javascript:window.__pwned=1">CC BY</a>`
	hostileTitle        = `</title><script>window.__pwned=1</script>Pusat Media`
	hostileTagline      = `"><img src=x onerror="window.__pwned=1">`
	hostileTopicID      = `<script>alert(1)</script>Banjir`
	hostileTopicEN      = `"><svg onload=alert(1)> Floods`
	hostilePerson       = `<script>window.__pwned=1</script>Budi`
	hostilePersonPhone  = `javascript:alert(1)"><svg onload=alert(1)>`
	hostileQuery        = `"><script>window.__pwned=1</script><img src=x onerror=alert(1)>`
)

// hostileBody is Markdown with raw HTML of every kind a sanitiser must stop, broken markup, control
// characters (a feed must still be XML) and a 20,000-character word. It opens with HTML written
// as code, the way a release about a website might, so the lead of lists and feeds holds "<img"
// as text.
func hostileBody(word string) string {
	return strings.Join([]string{
		"`<img src=x onerror=\"window.__pwned=1\">` ditulis sebagai kode, dan &lt;script&gt;window.__pwned=1&lt;/script&gt; sebagai entitas.",
		"<script>window.__pwned=1;alert('script')</script>",
		`<img src=x onerror="window.__pwned=1;alert('img')">`,
		`<a href="javascript:window.__pwned=1">html</a> [md](javascript:window.__pwned=1) [besar](JaVaScRiPt:alert(1)) ` +
			`<a href="&#106;avascript:alert(1)">entitas</a> <a href="java&#x09;script:alert(1)">tab</a> ` +
			`[data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+)`,
		`<iframe src="javascript:window.__pwned=1"></iframe><iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`,
		`<svg onload="window.__pwned=1"><script>window.__pwned=1</script><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>`,
		`<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">`,
		`<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">kirim</button></form>`,
		`<p style="position:fixed;top:0;left:0;width:100vw;height:100vh;background:red;z-index:9999">menutupi halaman</p>`,
		`<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=1"></style></mglyph></table></mtext></math>`,
		`<details open ontoggle="window.__pwned=1"><summary>x</summary></details>`,
		`<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="javascript:alert(1)//"><link rel="stylesheet" href="javascript:alert(1)"><style>footer{display:none}</style>`,
		`![gambar](javascript:window.__pwned=1) ![luar](https://tracker.example/pixel.gif)`,
		"Karakter kendali \x01 dan \x0b dan \x1b di tengah teks, dan ]]> yang menutup CDATA.",
		"<div><b><i>HTML yang tidak ditutup <table><tr><td>sel",
		"</main></footer></body></html><main><footer>",
		"Kata panjang: " + word,
		"Akhir siaran pers.",
		"<!-- komentar yang tidak ditutup",
	}, "\n\n")
}

// longWord is one word of n characters, with no place to break it.
func longWord(n int) string { return strings.Repeat("Sukamaju", n/8+1)[:n] }

// hostileSite is a newsroom filled with hostile input, and the addresses of its pages.
type hostileSite struct {
	base             string // absolute address of the newsroom
	path             string // its path on the app's host
	release, english int64
	topic            string // the hostile topic's slug
}

// hostileNewsroom fills a workspace's newsroom with hostile input through the same services the
// app's forms use: two releases (one featured, with an English version), their pictures and a
// document, the newsroom's settings and logo, a topic, the media kit and a spokesperson.
func hostileNewsroom(t *testing.T, env *apptest.Env) hostileSite {
	t.Helper()
	ctx := context.Background()
	a := env.App
	user, ws, err := a.Auth.CreateUser(ctx, auth.CLI, auth.CreateUserInput{Email: "humas@sukamaju.example", Name: "Ratna Sari",
		Password: "rahasia-sekali-123", Role: access.Owner, Workspace: "Humas Kota Sukamaju", Lang: "id", Timezone: "Asia/Jakarta"})
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: user.ID, Label: user.Email}
	upload := func(name string, body []byte, alt, credit, licence string) int64 {
		t.Helper()
		asset, err := a.Library.Upload(ctx, actor, ws.ID, name, bytes.NewReader(body))
		if err != nil {
			t.Fatalf("uploading %q: %v", name, err)
		}
		if alt != "" || credit != "" || licence != "" {
			if _, err := a.Library.Update(ctx, actor, ws.ID, asset.ID, alt, credit, licence); err != nil {
				t.Fatalf("describing %q: %v", name, err)
			}
		}
		return asset.ID
	}

	// The newsroom: title, taglines, boilerplate and fact sheet, logo.
	st, err := a.Newsroom.Settings(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	st.Title, st.TaglineID, st.TaglineEN = hostileTitle, hostileTagline, hostileTagline+" EN"
	st.BoilerplateID, st.BoilerplateEN = hostileBoilerplate, hostileBoilerplate+" EN"
	st.FactsID = "Fakta: <script>window.__pwned=1</script> [peta](javascript:alert(1)) <svg onload=alert(1)>\n\n" + longWord(15000)
	st.FactsEN = "Facts: <iframe src=javascript:alert(1)></iframe>"
	st.LogoAssetID = upload("logo.png", pngOf(t, color.RGBA{11, 83, 148, 255}), "", "", "")
	if err := a.Newsroom.SaveSettings(ctx, actor, st); err != nil {
		t.Fatalf("saving the newsroom's settings: %v", err)
	}
	topic, err := a.Newsroom.SaveTopic(ctx, actor, ws.ID, newsroom.Topic{NameID: hostileTopicID, NameEN: hostileTopicEN})
	if err != nil {
		t.Fatalf("saving a topic: %v", err)
	}

	// The releases' files.
	photo := upload(hostileImageName, pngOf(t, color.RGBA{20, 90, 160, 255}), hostileAlt, hostileCredit, hostileLicence)
	second := upload("kedua.png", pngOf(t, color.RGBA{160, 90, 20, 255}), hostileAlt+"2", hostileCredit+"2", hostileLicence+"2")
	doc := upload(hostileDocName, []byte("Fakta singkat Kota Sukamaju.\n"), "", "", "")

	jakarta := mustZone("Asia/Jakarta")
	input := func(lang, headline string) release.Input {
		return release.Input{Lang: lang, Headline: headline, Subheadline: hostileSub, DatelineCity: hostileCity,
			DatelineDate: time.Now().In(jakarta).Format(time.DateOnly), Body: hostileBody(longWord(20000)), Boilerplate: hostileBoilerplate,
			ContactName: hostileContactName, ContactRole: hostileContactRole, ContactPhone: hostileContactPhone,
			ContactEmail: hostileContactEmail, Zone: "Asia/Jakarta", Attachments: []int64{photo, second, doc}}
	}
	rl, err := a.Releases.Create(ctx, actor, ws.ID, input("id", hostileHeadline), jakarta)
	if err != nil {
		t.Fatalf("writing the release: %v", err)
	}
	en, err := a.Releases.Translate(ctx, actor, ws.ID, rl.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := input("", hostileHeadline+" EN")
	in.BaseVersion = en.Version
	if en, err = a.Releases.Update(ctx, actor, ws.ID, en.ID, in); err != nil {
		t.Fatalf("writing the English version: %v", err)
	}
	other, err := a.Releases.Create(ctx, actor, ws.ID, input("id", `<img src=x onerror="window.__pwned=1">Rilis lain`), jakarta)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{rl.ID, en.ID, other.ID} {
		if err := a.Releases.Submit(ctx, actor, ws.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Newsroom.SyncChanged(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{other.ID, en.ID, rl.ID} {
		if err := a.Newsroom.SetPlacement(ctx, actor, ws.ID, id, newsroom.Public, id == rl.ID, []int64{topic.ID}); err != nil {
			t.Fatal(err)
		}
	}

	// The media kit: a logo, a photo, a document and a spokesperson with a photo.
	for _, item := range []struct {
		kind kit.Kind
		name string
		body []byte
	}{
		{kit.Logo, "logo-" + hostileImageName, pngOf(t, color.RGBA{1, 2, 3, 255})},
		{kit.Photo, "foto-" + hostileImageName, pngOf(t, color.RGBA{4, 5, 6, 255})},
		{kit.Document, hostileDocName, []byte("Lembar fakta.\n")},
	} {
		if _, err := a.Kit.Add(ctx, actor, ws.ID, kit.ItemInput{Kind: item.kind, Title: `<script>window.__pwned=1</script>` + string(item.kind),
			Alt: hostileAlt, Credit: hostileCredit, Licence: hostileLicence, Public: true}, kit.Upload{Filename: item.name, Body: bytes.NewReader(item.body)}); err != nil {
			t.Fatalf("adding a %s to the kit: %v", item.kind, err)
		}
	}
	if _, err := a.Kit.AddPerson(ctx, actor, ws.ID, kit.PersonInput{Name: hostilePerson, TitleID: hostileContactRole, TitleEN: `<svg onload=alert(1)>`,
		Topics: `<a href="javascript:alert(1)">banjir</a>, <iframe src=javascript:alert(1)>`, Email: hostileContactEmail, Phone: hostilePersonPhone,
		BioID: "<script>window.__pwned=1</script> " + longWord(3000), BioEN: `<img src=x onerror=alert(1)>`, Public: true},
		kit.Upload{Filename: hostileImageName, Body: bytes.NewReader(pngOf(t, color.RGBA{7, 8, 9, 255}))}); err != nil {
		t.Fatalf("adding a spokesperson: %v", err)
	}
	st, err = a.Newsroom.Settings(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	return hostileSite{base: env.URL + "/newsroom/" + st.Slug, path: "/newsroom/" + st.Slug, release: rl.ID, english: en.ID, topic: topic.Slug}
}

// hostilePage is one public page to check; text pairs a CSS-like place with the text a reader
// must see there, literally.
type hostilePage struct {
	name, path string
	kind       string // "html", "feed" or "sitemap"
	article    bool   // a release page, which carries its JSON-LD
	headline   string // the headline the JSON-LD must carry
	text       map[string]string
}

func (s hostileSite) pages() []hostilePage {
	rel := func(id int64) string { return fmt.Sprintf("/releases/%d", id) }
	return []hostilePage{
		{name: "home", path: "/", kind: "html", text: map[string]string{"h1": hostileTitle, "p.tagline": hostileTagline}},
		{name: "home in English", path: "/?lang=en", kind: "html", text: map[string]string{"p.tagline": hostileTagline + " EN"}},
		{name: "search holding a script", path: "/?q=" + url.QueryEscape(hostileQuery), kind: "html",
			text: map[string]string{"input[q]": hostileQuery}},
		{name: "topic", path: "/?topic=" + s.topic, kind: "html"},
		{name: "release", path: rel(s.release), kind: "html", article: true, headline: hostileHeadline,
			text: map[string]string{"h1": hostileHeadline, "p.sub": hostileSub, "strong": hostileContactName}},
		{name: "English version", path: rel(s.english), kind: "html", article: true, headline: hostileHeadline + " EN",
			text: map[string]string{"h1": hostileHeadline + " EN"}},
		{name: "kit", path: "/kit", kind: "html", text: map[string]string{"h3": hostilePerson, "strong": `<script>window.__pwned=1</script>logo`}},
		{name: "kit in English", path: "/kit?lang=en", kind: "html"},
		{name: "subscribe", path: "/subscribe", kind: "html"},
		{name: "Atom feed", path: "/feed.atom", kind: "feed"},
		{name: "Atom feed in English", path: "/feed.atom?lang=en", kind: "feed"},
		{name: "topic's Atom feed", path: "/feed.atom?topic=" + s.topic, kind: "feed"},
		{name: "RSS feed", path: "/feed.rss", kind: "feed"},
		{name: "topic's RSS feed", path: "/feed.rss?topic=" + s.topic, kind: "feed"},
		{name: "sitemap", path: "/sitemap.xml", kind: "sitemap"},
	}
}

// Hostile input in every field the newsroom shows (release, files, settings, topics, media kit,
// spokespeople, the search box) is shown as text or sanitised away on every public page: no script
// but the JSON-LD, no event handler, no javascript: or data: address, no frame or plug-in, and
// the page keeps its layout; the feeds and the sitemap stay well-formed XML whose HTML is as
// clean.
func TestNewsroomHostileInput(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, engine db.Dialect) {
		env := apptest.Start(t, engine)
		site := hostileNewsroom(t, env)
		for _, p := range site.pages() {
			t.Run(p.name, func(t *testing.T) {
				code, hdr, body := visit(t, site.base+p.path)
				if code != http.StatusOK {
					t.Fatalf("%s answers %d: %s", p.path, code, apptest.Excerpt(body))
				}
				ctype := hdr.Get("Content-Type")
				switch p.kind {
				case "html":
					if !strings.HasPrefix(ctype, "text/html") {
						t.Errorf("content type %q", ctype)
					}
					checkHostilePage(t, site, p, body)
				case "feed":
					checkHostileFeed(t, body)
				case "sitemap":
					checkHostileSitemap(t, body)
				}
			})
		}

		// Subscribing: a hostile address that is no address gets the form again; one that is an
		// address, with a hostile name, gets the "check your inbox" answer and a confirmation page.
		post := func(u string, form url.Values) (int, string) {
			t.Helper()
			resp, err := http.PostForm(u, form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		bad := hostileQuery + "@x.example"
		code, body := post(site.base+"/subscribe", url.Values{"email": {bad}, "name": {hostileContactRole}, "lang": {"id"}})
		if code == http.StatusOK || code >= 500 {
			t.Errorf("a hostile address is taken: %d %s", code, apptest.Excerpt(body))
		}
		checkHostilePage(t, site, hostilePage{name: "subscription refused", text: map[string]string{"input[email]": bad}}, body)
		code, body = post(site.base+"/subscribe", url.Values{"email": {hostileContactEmail}, "name": {hostileContactRole}, "lang": {"id"}})
		if code != http.StatusOK {
			t.Errorf("subscribing %s: %d %s", hostileContactEmail, code, apptest.Excerpt(body))
		}
		checkHostilePage(t, site, hostilePage{name: "subscription sent"}, body)
		_, text := env.LastMailTo(hostileContactEmail)
		confirm := apptest.LinkIn(t, text, "/confirm/")
		code, _, body = visit(t, confirm)
		if code != http.StatusOK || !strings.Contains(html.UnescapeString(body), hostileContactEmail) {
			t.Errorf("the confirmation page: %d %s", code, apptest.Excerpt(body))
		}
		checkHostilePage(t, site, hostilePage{name: "confirmation"}, body)
		code, body = post(confirm, nil)
		if code != http.StatusOK || !strings.Contains(html.UnescapeString(body), hostileContactEmail) {
			t.Errorf("confirming: %d %s", code, apptest.Excerpt(body))
		}
		checkHostilePage(t, site, hostilePage{name: "confirmed"}, body)
	})
}

// checkHostilePage checks one HTML page: what may run, what may load, and the layout.
func checkHostilePage(t *testing.T, site hostileSite, p hostilePage, body string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	var ldjson []string
	checkHostileNodes(t, doc, site.path, &ldjson)

	// One JSON-LD on a release page, none elsewhere; it parses and carries the headline as data.
	want := 0
	if p.article {
		want = 1
	}
	if len(ldjson) != want {
		t.Errorf("%d JSON-LD scripts, want %d", len(ldjson), want)
	}
	for _, js := range ldjson {
		var m map[string]any
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			t.Errorf("the JSON-LD does not parse: %v\n%s", err, apptest.Excerpt(js))
			continue
		}
		if m["@type"] != "NewsArticle" || readable(fmt.Sprint(m["headline"])) != readable(p.headline) {
			t.Errorf("the JSON-LD's headline is %q (type %v), want %q", m["headline"], m["@type"], p.headline)
		}
	}

	// The layout survived: the body holds the skip link, header, main and footer, in that order
	// and nothing else, so no input closed or opened any of them.
	htmlEl := nodeChild(doc, atom.Html)
	head, bodyEl := nodeChild(htmlEl, atom.Head), nodeChild(htmlEl, atom.Body)
	if head == nil || bodyEl == nil {
		t.Fatalf("no head or body")
	}
	for c := head.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom != atom.Meta && c.DataAtom != atom.Title && c.DataAtom != atom.Link && c.DataAtom != atom.Script {
			t.Errorf("the head holds a <%s>", c.Data)
		}
	}
	var layout []string
	for c := bodyEl.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			layout = append(layout, c.Data)
		}
	}
	if strings.Join(layout, " ") != "a header main footer" {
		t.Errorf("the body holds %v, want a header main footer", layout)
	}
	if m := findNode(bodyEl, func(n *html.Node) bool { return n.DataAtom == atom.Main }); m == nil || nodeAttr(m, "id") != "main" || nodeText(m) == "" {
		t.Errorf("the page lost its <main id=main>")
	}
	if f := findNode(bodyEl, func(n *html.Node) bool { return n.DataAtom == atom.Footer }); f == nil || nodeAttr(f, "class") != "site-foot" ||
		!strings.Contains(body[strings.LastIndex(body, "<footer"):], "/feed.atom") {
		t.Errorf("the page lost its footer")
	}

	// What the organisation typed is shown as text, literally.
	for where, want := range p.text {
		var got string
		switch where {
		case "input[q]", "input[email]":
			name := strings.TrimSuffix(strings.TrimPrefix(where, "input["), "]")
			if n := findNode(doc, func(n *html.Node) bool { return n.DataAtom == atom.Input && nodeAttr(n, "name") == name }); n != nil {
				got = nodeAttr(n, "value")
			}
		default:
			tag, class, _ := strings.Cut(where, ".")
			for _, n := range findNodes(doc, func(n *html.Node) bool {
				return n.Data == tag && (class == "" || nodeAttr(n, "class") == class)
			}) {
				if got = nodeText(n); readable(got) == readable(want) {
					break
				}
			}
		}
		if readable(got) != readable(want) {
			t.Errorf("%s shows %q, want %q", where, got, want)
		}
	}
}

// checkHostileNodes walks a document or fragment for anything that could run or load: scripts
// (JSON-LD aside, collected in ldjson), event handlers, script addresses, frames, plug-ins,
// styles, refreshes, forms that post anywhere but to the page itself or under forms (none when
// forms is empty).
func checkHostileNodes(t *testing.T, root *html.Node, forms string, ldjson *[]string) {
	t.Helper()
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			tag := strings.ToLower(n.Data)
			switch tag {
			case "script":
				if nodeAttr(n, "type") == "application/ld+json" && ldjson != nil {
					*ldjson = append(*ldjson, nodeText(n))
				} else {
					t.Errorf("a <script> runs: %s", nodeHTML(n))
				}
			case "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "style", "foreignobject":
				t.Errorf("a <%s> is on the page: %s", tag, nodeHTML(n))
			case "svg":
				if findNode(n, func(c *html.Node) bool { return strings.EqualFold(c.Data, "script") }) != nil {
					t.Errorf("an <svg> carries a script: %s", nodeHTML(n))
				}
			case "meta":
				if nodeAttr(n, "http-equiv") != "" {
					t.Errorf("a <meta http-equiv> is on the page: %s", nodeHTML(n))
				}
			case "form":
				if a := nodeAttr(n, "action"); forms == "" || a != "" && !strings.HasPrefix(a, forms+"/") {
					t.Errorf("a form posts to %q", a)
				}
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(key, "on"):
					t.Errorf("<%s> has an event handler %s=%q", tag, a.Key, a.Val)
				case key == "style":
					t.Errorf("<%s> has a style attribute %q", tag, a.Val)
				case key == "srcdoc":
					t.Errorf("<%s> has a srcdoc", tag)
				case key == "srcset":
					for _, cand := range strings.Split(a.Val, ",") {
						if f := strings.Fields(cand); len(f) > 0 && scriptURL(f[0]) {
							t.Errorf("<%s> srcset loads %q", tag, a.Val)
						}
					}
				case urlAttrs[key] && scriptURL(a.Val):
					t.Errorf("<%s> %s=%q runs a script", tag, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
}

// urlAttrs are the attributes a browser follows or loads.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "poster": true, "background": true,
	"cite": true, "data": true, "ping": true, "xlink:href": true, "codebase": true, "longdesc": true, "manifest": true, "icon": true}

// scriptURL reports whether an address would run script or a document of its own, as a browser
// reads it: case-insensitive, with the white space and control characters it ignores dropped.
func scriptURL(v string) bool {
	v = strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, v))
	return strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:")
}

// checkHostileFeed parses a feed as XML and checks the HTML it carries for feed readers: Atom's
// elements of type html or xhtml, RSS items' description and content:encoded.
func checkHostileFeed(t *testing.T, body string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(body))
	var stack []string
	var htmlTyped []bool
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the feed is not XML: %v\n%s", err, apptest.Excerpt(body))
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			typed := false
			for _, a := range tok.Attr {
				if a.Name.Local == "type" && (a.Value == "html" || a.Value == "xhtml") {
					typed = true
				}
				if a.Name.Local == "href" && !strings.HasPrefix(a.Value, "http://") && !strings.HasPrefix(a.Value, "https://") {
					t.Errorf("the feed links to %q", a.Value)
				}
			}
			in := len(stack) > 0 && stack[len(stack)-1] == "item"
			if in && (tok.Name.Local == "description" || tok.Name.Local == "encoded") {
				typed = true
			}
			stack = append(stack, tok.Name.Local)
			htmlTyped = append(htmlTyped, typed)
			text.Reset()
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			name := stack[len(stack)-1]
			if htmlTyped[len(htmlTyped)-1] {
				nodes, err := html.ParseFragment(strings.NewReader(text.String()), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
				if err != nil {
					t.Errorf("<%s> does not parse as HTML: %v", name, err)
				}
				for _, n := range nodes {
					checkHostileNodes(t, n, "", nil)
				}
			}
			if u := strings.TrimSpace(text.String()); name == "link" && u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				t.Errorf("the feed links to %q", u)
			}
			stack, htmlTyped = stack[:len(stack)-1], htmlTyped[:len(htmlTyped)-1]
			text.Reset()
		}
	}
	if len(stack) != 0 {
		t.Errorf("the feed ends inside <%s>", strings.Join(stack, "><"))
	}
}

// checkHostileSitemap parses the sitemap as XML; every address in it is the newsroom's, on http(s).
func checkHostileSitemap(t *testing.T, body string) {
	t.Helper()
	var set struct {
		URLs []struct {
			Loc   string `xml:"loc"`
			Links []struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(body), &set); err != nil {
		t.Fatalf("the sitemap is not XML: %v", err)
	}
	if len(set.URLs) < 5 {
		t.Errorf("the sitemap lists %d addresses, want the home, the kit and three releases", len(set.URLs))
	}
	for _, u := range set.URLs {
		hrefs := []string{u.Loc}
		for _, l := range u.Links {
			hrefs = append(hrefs, l.Href)
		}
		for _, href := range hrefs {
			if !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "https://") {
				t.Errorf("the sitemap lists %q", href)
			}
		}
	}
}

func nodeChild(n *html.Node, a atom.Atom) *html.Node {
	if n == nil {
		return nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == a {
			return c
		}
	}
	return nil
}

func findNode(n *html.Node, match func(*html.Node) bool) *html.Node {
	if all := findNodes(n, match); len(all) > 0 {
		return all[0]
	}
	return nil
}

func findNodes(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func nodeAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func nodeHTML(n *html.Node) string {
	var b strings.Builder
	_ = html.Render(&b, n)
	return apptest.Excerpt(b.String())
}

// words is text with its white space collapsed, as a reader sees it.
func readable(s string) string { return strings.Join(strings.Fields(s), " ") }

// The same newsroom in Chromium, with the page's Content-Security-Policy switched off so that the
// markup alone is on trial: no payload ran (window.__pwned stays undefined, no dialog opened), the
// footer is on screen and on top when scrolled to, and the long word does not widen the page.
func TestBrowserNewsroomHostileInput(t *testing.T) {
	ctx := browser(t)
	env := apptest.Start(t, db.SQLite)
	site := hostileNewsroom(t, env)

	var mu sync.Mutex
	var dialogs []string
	opened := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for ev, err := range opened {
			if err != nil {
				return
			}
			mu.Lock()
			dialogs = append(dialogs, string(ev.Type)+": "+ev.Message)
			mu.Unlock()
			// An open dialog stalls the page; close it so the test can go on and report it.
			_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	if _, err := chromedp.Call(ctx, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	type layout struct {
		Pwned    bool    `json:"pwned"`
		Footer   bool    `json:"footer"`
		OnTop    bool    `json:"onTop"`
		Overflow float64 `json:"overflow"`
	}
	const probe = `(() => {
		const f = document.querySelector('footer.site-foot');
		if (!f) return {pwned: window.__pwned !== undefined, footer: false, onTop: false, overflow: 0};
		f.scrollIntoView({block: 'end'});
		const r = f.getBoundingClientRect(), s = getComputedStyle(f);
		const hit = document.elementFromPoint(Math.min(r.left + 20, innerWidth - 1), Math.max(r.top + 5, 0));
		return {pwned: window.__pwned !== undefined,
			footer: r.height > 0 && r.width > 0 && r.bottom > 0 && r.top < innerHeight && s.display !== 'none' && s.visibility !== 'hidden',
			onTop: !!hit && f.contains(hit),
			overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
	})()`
	for _, p := range []struct{ name, path string }{
		{"release", fmt.Sprintf("/releases/%d", site.release)},
		{"English version", fmt.Sprintf("/releases/%d", site.english)},
		{"home", "/"},
		{"search", "/?q=" + url.QueryEscape(hostileQuery)},
		{"kit", "/kit"},
		{"subscribe", "/subscribe"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(site.base+p.path), chromedp.WaitReady(chromedp.CSS("footer.site-foot"))); err != nil {
			t.Fatalf("opening the %s page: %v", p.name, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](probe))
		if err != nil {
			t.Fatalf("probing the %s page: %v", p.name, err)
		}
		if got.Pwned {
			t.Errorf("the %s page ran a payload: window.__pwned is set", p.name)
		}
		if !got.Footer || !got.OnTop {
			t.Errorf("the %s page's footer is not seen when scrolled to (visible %v, on top %v)", p.name, got.Footer, got.OnTop)
		}
		if got.Overflow > 0 {
			t.Errorf("the %s page is %.0f px wider than the window: a long word widens it", p.name, got.Overflow)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("payloads opened dialogs: %v", dialogs)
	}
}
