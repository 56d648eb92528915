// Package authtest is a person with a browser, for tests of a package's pages: signed in through
// the sign-in form (or not signed in at all), following no redirects so that tests see them, and
// reading pages as text the way a person reads them. It also calls the JSON API with a token.
package authtest

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is one person's browser on a test server.
type Browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

// Page is an answer as a browser gets it.
type Page struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Visitor is someone without an account (no cookies kept).
func Visitor(t testing.TB, base string) *Browser {
	return &Browser{t: t, base: base, c: &http.Client{CheckRedirect: noRedirects}}
}

// SignIn signs a person in through the sign-in form and keeps their session.
func SignIn(t testing.TB, base, email, password string) *Browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &Browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: noRedirects}}
	if r := b.Post("/login", url.Values{"email": {email}, "password": {password}}); r.Status != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, r.Status)
	}
	return b
}

// Do sends a request; without an Accept-Language of its own it asks for English.
func (b *Browser) Do(req *http.Request) Page {
	b.t.Helper()
	if req.Header.Get("Accept-Language") == "" {
		req.Header.Set("Accept-Language", "en")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return Page{Status: res.StatusCode, Body: string(raw), Location: res.Header.Get("Location"), Header: res.Header}
}

// Get opens a path; header holds name/value pairs to send with it.
func (b *Browser) Get(path string, header ...string) Page {
	req, _ := http.NewRequest("GET", b.base+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.Do(req)
}

// Post submits a form.
func (b *Browser) Post(path string, form url.Values) Page {
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// Follow opens the page a redirect leads to, failing the test when p is not a redirect.
func (b *Browser) Follow(p Page) Page {
	b.t.Helper()
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("expected a redirect, got %d: %s", p.Status, Text(p.Body))
	}
	return b.Get(p.Location)
}

var tags = regexp.MustCompile(`(?s)<head>.*</head>|<[^>]+>`)

// Text is what a person reads on a page: its words without the markup.
func Text(body string) string {
	return html.UnescapeString(strings.Join(strings.Fields(tags.ReplaceAllString(body, " ")), " "))
}

// MustSee fails the test for each text the page does not show (in its markup or its words).
func MustSee(t testing.TB, what string, p Page, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.Body, w) && !strings.Contains(Text(p.Body), w) {
			t.Errorf("%s (%d) does not show %q:\n%s", what, p.Status, w, Text(p.Body))
		}
	}
}

// API calls the JSON API with a bearer token and decodes the answer (nil when it is empty).
func API(t testing.TB, base, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = strings.NewReader(string(raw))
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: not JSON (%d): %s", method, path, res.StatusCode, raw)
		}
	}
	return res.StatusCode, out
}
