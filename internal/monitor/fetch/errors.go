package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"sort"
	"strconv"
	"syscall"
	"time"

	"warta.dev/warta/internal/platform/netsafe"
)

// Catalog keys of Error.Key. The arguments each message takes are named beside it.
const (
	ErrBadURL            = "monitor.fetch.error.bad_url"            // URL
	ErrScheme            = "monitor.fetch.error.scheme"             // -
	ErrNotAFeed          = "monitor.fetch.error.not_a_feed"         // Page (bool: an HTML page), Feed (a feed the page links, or "")
	ErrIsSitemap         = "monitor.fetch.error.is_sitemap"         // -
	ErrNotASitemap       = "monitor.fetch.error.not_a_sitemap"      // IsFeed (bool)
	ErrNotHTML           = "monitor.fetch.error.not_html"           // Type
	ErrBrokenXML         = "monitor.fetch.error.broken_xml"         // Line (0 when unknown)
	ErrBrokenJSON        = "monitor.fetch.error.broken_json"        // -
	ErrCharset           = "monitor.fetch.error.charset"            // Charset
	ErrNotFound          = "monitor.fetch.error.not_found"          // -
	ErrGone              = "monitor.fetch.error.gone"               // -
	ErrRefused           = "monitor.fetch.error.refused"            // Status
	ErrTooManyRequests   = "monitor.fetch.error.too_many_requests"  // Minutes (0 when the site did not say)
	ErrServer            = "monitor.fetch.error.server"             // Status
	ErrStatus            = "monitor.fetch.error.status"             // Status
	ErrTimeout           = "monitor.fetch.error.timeout"            // -
	ErrTooLarge          = "monitor.fetch.error.too_large"          // -
	ErrDNS               = "monitor.fetch.error.dns"                // Host
	ErrConnection        = "monitor.fetch.error.connection"         // Host
	ErrTLS               = "monitor.fetch.error.tls"                // Host
	ErrBlocked           = "monitor.fetch.error.blocked"            // -
	ErrRedirects         = "monitor.fetch.error.redirects"          // -
	ErrNetwork           = "monitor.fetch.error.network"            // Host
	ErrCanceled          = "monitor.fetch.error.canceled"           // -
	ErrTokenRefused      = "monitor.fetch.error.token_refused"      // Network
	ErrNoAccount         = "monitor.fetch.error.no_account"         // Network
	ErrBadResponse       = "monitor.fetch.error.bad_response"       // Network
	ErrMissingQuery      = "monitor.fetch.error.missing_query"      // -
	ErrUnknownAggregator = "monitor.fetch.error.unknown_aggregator" // Aggregator
	ErrUnknownKind       = "monitor.fetch.error.unknown_kind"       // Kind
)

// Error is a failure to show the user: Key is a catalog key of Catalog ("monitor.fetch.error.*"),
// Args its template args, Detail the technical detail for the log.
type Error struct {
	Key    string
	Args   map[string]any
	Detail string
	// Temporary: trying again later may work without anyone changing anything.
	Temporary bool
	// RetryAfter is how long the site asked to wait (429, 503 with Retry-After); 0 when it did not say.
	RetryAfter time.Duration
	err        error
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return "fetch: " + e.Key
	}
	return "fetch: " + e.Key + ": " + e.Detail
}

// Unwrap gives the cause, so errors.Is(err, netsafe.ErrBlocked) or context.Canceled work.
func (e *Error) Unwrap() error { return e.err }

// Pairs are Args as name/value pairs, sorted by name, for i18n.Locale.T.
func (e *Error) Pairs() []any {
	names := make([]string, 0, len(e.Args))
	for k := range e.Args {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]any, 0, 2*len(names))
	for _, k := range names {
		out = append(out, k, e.Args[k])
	}
	return out
}

func newError(key, detail string, args map[string]any) *Error {
	if args == nil {
		args = map[string]any{}
	}
	return &Error{Key: key, Args: args, Detail: detail}
}

// transportError classifies a failed request or body read. ctx is the caller's: when it ended,
// the caller gave up, which is not the site's fault.
func transportError(ctx context.Context, host, rawURL string, err error) *Error {
	detail := rawURL + ": " + err.Error()
	e := newError(ErrNetwork, detail, map[string]any{"Host": host})
	e.err, e.Temporary = err, true
	var dnsErr *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		e.Key = ErrCanceled
	case errors.Is(err, netsafe.ErrBlocked):
		e.Key, e.Temporary = ErrBlocked, false
	case errors.Is(err, netsafe.ErrScheme):
		e.Key, e.Temporary = ErrScheme, false
	case errors.Is(err, netsafe.ErrTooManyRedirects):
		e.Key, e.Temporary = ErrRedirects, false
	case errors.Is(err, netsafe.ErrTooLarge):
		e.Key, e.Temporary = ErrTooLarge, false
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		e.Key = ErrTimeout
	case errors.As(err, &dnsErr):
		e.Key, e.Temporary = ErrDNS, dnsErr.IsTemporary || dnsErr.IsTimeout
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostnameErr), errors.As(err, &invalidCert):
		e.Key, e.Temporary = ErrTLS, false
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ECONNABORTED):
		e.Key = ErrConnection
	}
	return e
}

// statusError classifies an HTTP status outside 2xx and 304. network names the account's
// network for API calls ("Mastodon"), where 401 and 403 mean the token was refused.
func statusError(resp *http.Response, rawURL, network string) *Error {
	code := resp.StatusCode
	detail := fmt.Sprintf("%s: HTTP %s", rawURL, resp.Status)
	args := map[string]any{"Status": code}
	switch {
	case network != "" && (code == http.StatusUnauthorized || code == http.StatusForbidden):
		return newError(ErrTokenRefused, detail, map[string]any{"Network": network})
	case code == http.StatusNotFound:
		return newError(ErrNotFound, detail, nil)
	case code == http.StatusGone:
		return newError(ErrGone, detail, nil)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return newError(ErrRefused, detail, args)
	case code == http.StatusTooManyRequests:
		e := newError(ErrTooManyRequests, detail, nil)
		e.Temporary = true
		e.RetryAfter = retryAfter(resp.Header, time.Now())
		e.Args["Minutes"] = int(math.Ceil(e.RetryAfter.Minutes()))
		return e
	case code >= 500:
		e := newError(ErrServer, detail, args)
		e.Temporary = true
		e.RetryAfter = retryAfter(resp.Header, time.Now())
		return e
	}
	return newError(ErrStatus, detail, args)
}

// retryAfter reads how long to wait: Retry-After (seconds or a date), else the rate-limit reset
// times Mastodon (X-RateLimit-Reset, a date) and Bluesky (RateLimit-Reset, Unix seconds) send.
func retryAfter(h http.Header, now time.Time) time.Duration {
	var at time.Time
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil {
			return max(time.Duration(s)*time.Second, 0)
		}
		at, _ = http.ParseTime(v)
	}
	if v := h.Get("X-RateLimit-Reset"); at.IsZero() && v != "" {
		at, _ = time.Parse(time.RFC3339, v)
	}
	if v := h.Get("RateLimit-Reset"); at.IsZero() && v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			at = time.Unix(s, 0)
		}
	}
	if at.IsZero() {
		return 0
	}
	return max(at.Sub(now), 0)
}

// syntaxLine is the line of an XML syntax error, 0 when the parser did not say.
func syntaxLine(err error) int {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return syn.Line
	}
	return 0
}
