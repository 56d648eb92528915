// Package netsafe is the HTTP client for URLs that users type in (feeds, web pages, webhooks).
// It refuses to connect to loopback, private, link-local (cloud metadata), CGNAT and other
// non-public addresses. The check runs on the very IP being dialled, after DNS, so a hostname
// that resolves inside the network, or a redirect to one, is refused as well.
package netsafe

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

var (
	// ErrBlocked is returned (wrapped) when a request would reach a non-public address.
	// Its message is meant to be shown to the user as is.
	ErrBlocked = errors.New("this address points inside a private network and is not allowed")
	// ErrScheme is returned (wrapped) for URLs that are not http or https.
	ErrScheme = errors.New("only http and https addresses are allowed")
	// ErrTooLarge is returned when reading a body beyond Options.MaxBytes.
	ErrTooLarge = errors.New("the response is larger than allowed")
	// ErrTooManyRedirects is returned after MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("the address redirects too many times")
)

// MaxRedirects is how many redirects a request may follow; each target is checked again.
const MaxRedirects = 5

// Defaults used when an Options field is zero.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultMaxBytes  = 10 << 20
	DefaultUserAgent = "Warta"
)

// Options configure a client.
type Options struct {
	Timeout   time.Duration // whole request including reading the body; default 30s
	MaxBytes  int64         // most bytes a body may have; default 10 MiB
	UserAgent string        // see UserAgent; default "Warta"
	// AllowPrivate turns the address check off. It exists ONLY so tests of other packages can reach
	// their loopback test servers. Production code must never set it.
	AllowPrivate bool
}

// UserAgent formats the User-Agent header: "Warta/<version> (+<baseURL>)", so site owners know who calls.
func UserAgent(version, baseURL string) string {
	return fmt.Sprintf("Warta/%s (+%s)", version, baseURL)
}

// New returns a client that enforces opts. Reuse it: each client has its own connection pool.
func New(opts Options) *http.Client {
	check := Check
	if opts.AllowPrivate {
		check = func(netip.Addr) error { return nil }
	}
	return newClient(opts, func(ap netip.AddrPort) error { return check(ap.Addr()) })
}

// newClient takes the address check as a function so tests can let one loopback server through.
func newClient(opts Options, check func(netip.AddrPort) error) *http.Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		// Control runs after DNS, once per IP actually dialled, so what is checked is what is reached.
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return ErrBlocked // fail closed on anything we cannot read
			}
			return check(ap)
		},
	}
	transport := &http.Transport{
		Proxy:                 nil, // never an environment proxy: it would do the dialling, unchecked
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          50,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Timeout:   opts.Timeout,
		Transport: &guard{next: transport, maxBytes: opts.MaxBytes, userAgent: opts.UserAgent},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return ErrTooManyRedirects
			}
			return nil
		},
	}
}

// guard checks the scheme of every request (redirects included), sets the User-Agent and limits bodies.
type guard struct {
	next      http.RoundTripper
	maxBytes  int64
	userAgent string
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, ErrScheme
	}
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", g.userAgent)
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: g.maxBytes}
	return resp, nil
}

// limitedBody fails with ErrTooLarge instead of silently truncating, so callers never parse half a feed.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrTooLarge
	}
	// Read one byte past the limit to tell "exactly MaxBytes" from "more".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), ErrTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// Check returns ErrBlocked when ip is not a public unicast address.
func Check(ip netip.Addr) error {
	if !Public(ip) {
		return ErrBlocked
	}
	return nil
}

// extraBlocked are non-public ranges that netip's predicates do not cover.
var extraBlocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated), ::, ::1
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
}

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// Public reports whether ip is a public unicast address that user-supplied URLs may reach.
func Public(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.WithZone("").Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	if nat64.Contains(ip) {
		// A NAT64 gateway would forward to the embedded IPv4 address: judge that one.
		b := ip.As16()
		return Public(netip.AddrFrom4([4]byte(b[12:])))
	}
	if ip.IsUnspecified() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsMulticast() || !ip.IsGlobalUnicast() {
		return false
	}
	for _, p := range extraBlocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
