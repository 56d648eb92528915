package netsafe

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func TestPublic(t *testing.T) {
	cases := map[string]bool{
		"8.8.8.8":              true,
		"2001:4860:4860::8888": true,
		"1.1.1.1":              true,
		"100.128.0.1":          true, // just past CGNAT
		"172.32.0.1":           true, // just past 172.16/12
		"64:ff9b::808:808":     true, // NAT64 of 8.8.8.8
		"::ffff:8.8.8.8":       true,

		"127.0.0.1":              false,
		"127.255.255.254":        false,
		"::1":                    false,
		"10.0.0.1":               false,
		"172.16.0.1":             false,
		"192.168.1.1":            false,
		"169.254.169.254":        false, // cloud metadata
		"::ffff:169.254.169.254": false,
		"::ffff:10.0.0.1":        false,
		"::ffff:127.0.0.1":       false,
		"100.64.0.1":             false,
		"100.127.255.255":        false,
		"fd00::1":                false,
		"fc00::1":                false,
		"fe80::1":                false,
		"fe80::1%eth0":           false,
		"0.0.0.0":                false,
		"0.1.2.3":                false,
		"::":                     false,
		"224.0.0.1":              false,
		"239.255.255.250":        false,
		"ff02::1":                false,
		"255.255.255.255":        false,
		"::10.0.0.1":             false, // IPv4-compatible form
		"64:ff9b::a00:1":         false, // NAT64 of 10.0.0.1
		"64:ff9b::a9fe:a9fe":     false, // NAT64 of 169.254.169.254
	}
	for s, want := range cases {
		ip := netip.MustParseAddr(s)
		if got := Public(ip); got != want {
			t.Errorf("Public(%s) = %v, want %v", s, got, want)
		}
		if err := Check(ip); (err == nil) != want || (err != nil && !errors.Is(err, ErrBlocked)) {
			t.Errorf("Check(%s) = %v", s, err)
		}
	}
	if Public(netip.Addr{}) {
		t.Error("the zero Addr must not be public")
	}
}

func hello(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "halo") }

func TestLoopbackRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(hello))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)

	c := New(Options{})
	for _, u := range []string{srv.URL, "http://localhost:" + u.Port() + "/"} {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("Get(%s) err = %v, want ErrBlocked", u, err)
		}
	}
}

func TestAllowPrivate(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.UserAgent()
		hello(w, r)
	}))
	defer srv.Close()
	c := New(Options{AllowPrivate: true, UserAgent: UserAgent("1.2.0", "https://humas.example.go.id")})
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "halo" {
		t.Fatalf("body = %q, %v", body, err)
	}
	if want := "Warta/1.2.0 (+https://humas.example.go.id)"; ua != want {
		t.Fatalf("User-Agent = %q, want %q", ua, want)
	}
}

// onlyAddr lets exactly one loopback server through, standing in for "a public site".
func onlyAddr(srv *httptest.Server) func(netip.AddrPort) error {
	allowed := netip.MustParseAddrPort(srv.Listener.Addr().String())
	return func(ap netip.AddrPort) error {
		if ap == allowed {
			return nil
		}
		return Check(ap.Addr())
	}
}

func TestRedirectToPrivateRefused(t *testing.T) {
	inside := httptest.NewServer(http.HandlerFunc(hello))
	defer inside.Close()
	u, _ := url.Parse(inside.URL)
	targets := []string{
		inside.URL + "/admin",                      // by IP
		"http://localhost:" + u.Port() + "/admin",  // by a name resolving to loopback
		"http://169.254.169.254/latest/meta-data/", // cloud metadata, never dialled
	}
	for _, target := range targets {
		public := httptest.NewServer(http.RedirectHandler(target, http.StatusFound))
		c := newClient(Options{}, onlyAddr(public))
		resp, err := c.Get(public.URL)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("redirect to %s: err = %v, want ErrBlocked", target, err)
		}
		public.Close()
	}

	// The same client does reach the allowed server when it does not redirect.
	public := httptest.NewServer(http.HandlerFunc(hello))
	defer public.Close()
	resp, err := newClient(Options{}, onlyAddr(public)).Get(public.URL)
	if err != nil {
		t.Fatalf("allowed server refused: %v", err)
	}
	resp.Body.Close()
}

func TestRedirectLimit(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Query().Get("n"), "%d", &n)
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("%s/?n=%d", srv.URL, n-1), http.StatusFound)
			return
		}
		hello(w, r)
	}))
	defer srv.Close()
	c := New(Options{AllowPrivate: true})

	resp, err := c.Get(srv.URL + "/?n=5")
	if err != nil {
		t.Fatalf("5 redirects should be followed: %v", err)
	}
	resp.Body.Close()
	resp, err = c.Get(srv.URL + "/?n=6")
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("6 redirects: err = %v, want ErrTooManyRedirects", err)
	}
}

func TestSchemeRefused(t *testing.T) {
	c := New(Options{AllowPrivate: true})
	for _, u := range []string{"ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/"} {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrScheme) {
			t.Errorf("Get(%s) err = %v, want ErrScheme", u, err)
		}
	}
	// A redirect to another scheme is refused too.
	srv := httptest.NewServer(http.RedirectHandler("file:///etc/passwd", http.StatusFound))
	defer srv.Close()
	resp, err := c.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrScheme) {
		t.Errorf("redirect to file: err = %v, want ErrScheme", err)
	}
}

func TestMaxBytes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()

	get := func(max int64) ([]byte, error) {
		resp, err := New(Options{AllowPrivate: true, MaxBytes: max}).Get(srv.URL)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	if body, err := get(99); !errors.Is(err, ErrTooLarge) || len(body) != 99 {
		t.Fatalf("100 bytes with limit 99: %d bytes, err = %v; want 99 bytes and ErrTooLarge", len(body), err)
	}
	if body, err := get(100); err != nil || len(body) != 100 {
		t.Fatalf("100 bytes with limit 100: %d bytes, err = %v", len(body), err)
	}
}
