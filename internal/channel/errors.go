package channel

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"warta.dev/warta/internal/platform/i18n"
	"warta.dev/warta/internal/platform/netsafe"
)

// Kind is what the engine does about a failed call.
type Kind int

const (
	// Temporary: the network did not take the request (a refused connection, a 5xx before the
	// post was made); retry with backoff.
	Temporary Kind = iota
	// RateLimited: wait until RetryAt, then retry.
	RateLimited
	// Unauthorized: the credentials are revoked or expired beyond renewal; the account needs
	// reconnecting. No retry.
	Unauthorized
	// Rejected: the network refused this post (too long, media refused, a duplicate, a missing
	// permission). No retry; a person changes the post.
	Rejected
	// Unknown: the request may have reached the network and the answer was lost (a timeout, a
	// reset connection, a gateway error). Before any retry the engine asks Find.
	Unknown
)

func (k Kind) String() string {
	switch k {
	case Temporary:
		return "temporary"
	case RateLimited:
		return "rate_limited"
	case Unauthorized:
		return "unauthorized"
	case Rejected:
		return "rejected"
	default:
		return "unknown"
	}
}

// Error is a failed network call, classified.
type Error struct {
	Kind Kind
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// Reason is the network's own words (its error message), shown to the user as is.
	Reason string
	// RetryAt is when a rate limit resets; zero when the network did not say.
	RetryAt time.Time
	// Key, when set, is a more precise message of the channel catalog than the Kind's
	// (KeyPublicURL, KeyQuota, KeyMediaFailed, KeyUnexpected); it gets the same arguments.
	Key string
	// Err is the underlying error, for logs.
	Err error
}

// Precise messages a connector may set as Error.Key.
const (
	// KeyPublicURL: the network fetches media from a public URL and this installation has none.
	KeyPublicURL = "channel.error.public_url"
	// KeyQuota: the account has used its publishing quota (Instagram's posts a day).
	KeyQuota = "channel.error.quota"
	// KeyMediaFailed: the network could not process a media file.
	KeyMediaFailed = "channel.error.media_failed"
	// KeyUnexpected: the network answered in a shape the connector does not understand.
	KeyUnexpected = "channel.error.unexpected"
	// KeyBlocked: the address is in a private network or not web, which Warta does not call.
	KeyBlocked = "channel.error.blocked"
)

func (e *Error) Error() string {
	s := fmt.Sprintf("%s (HTTP %d): %s", e.Kind, e.Status, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Message says in the user's language what happened and what to do.
func (e *Error) Message(l *i18n.Locale, n Network) string {
	key := e.Key
	if key == "" {
		key = fmt.Sprintf("channel.error.%s", e.Kind)
	}
	reason := e.Reason
	if reason == "" && e.Status != 0 {
		reason = fmt.Sprintf("HTTP %d", e.Status)
	}
	until := ""
	if !e.RetryAt.IsZero() {
		until = l.DateTime(e.RetryAt)
	}
	return l.T(key, "Network", l.T(fmt.Sprintf("channel.name.%s", n)), "Reason", reason, "Until", until)
}

// AsError returns err as an *Error; an error of another type counts as Unknown, since nothing
// says the network did not act on it.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Unknown, Err: err}
}

// TransportError classifies an error from http.Client.Do. A failure to connect means the request
// never left; anything later (a timeout, a reset) may have been acted on.
func TransportError(err error) *Error {
	// The safe client refused the address itself (a private network, another scheme): no retry helps.
	if errors.Is(err, netsafe.ErrBlocked) || errors.Is(err, netsafe.ErrScheme) {
		return &Error{Kind: Rejected, Key: KeyBlocked, Err: err}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return &Error{Kind: Temporary, Err: err}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return &Error{Kind: Temporary, Err: err}
	}
	return &Error{Kind: Unknown, Err: err}
}

// StatusError classifies a non-2xx answer to a request that creates something. reason is the
// network's message taken from the body. 429 waits (RetryAt from Retry-After when present;
// networks with their own headers set it themselves), 401 needs reconnection, 403 and other
// 4xx are refusals, 500 and 501 mean the network failed before acting, and 502–504 (a gateway
// gave up waiting) may hide a post that was made.
func StatusError(resp *http.Response, reason string, now time.Time) *Error {
	e := &Error{Status: resp.StatusCode, Reason: strings.TrimSpace(reason)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Kind = RateLimited
		e.RetryAt = RetryAfter(resp.Header, now)
	case resp.StatusCode == http.StatusUnauthorized:
		e.Kind = Unauthorized
	case resp.StatusCode == http.StatusRequestTimeout:
		e.Kind = Unknown
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		e.Kind = Rejected
	case resp.StatusCode == http.StatusBadGateway, resp.StatusCode == http.StatusServiceUnavailable,
		resp.StatusCode == http.StatusGatewayTimeout:
		e.Kind = Unknown
	default:
		e.Kind = Temporary
	}
	return e
}

// RetryAfter reads a Retry-After header (seconds or an HTTP date); zero when absent.
func RetryAfter(h http.Header, now time.Time) time.Time {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return time.Time{}
	}
	if s, err := strconv.Atoi(v); err == nil {
		return now.Add(time.Duration(s) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return time.Time{}
}

// fingerprint folds a text to what survives a network's rewriting (link shortening, whitespace,
// HTML escaping of a few characters) and hashes it.
func fingerprint(text string) string {
	var b strings.Builder
	for _, w := range strings.Fields(norm.NFC.String(text)) {
		if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") {
			continue // shortened or rewritten by most networks
		}
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsNumber(r) {
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// SameText reports whether a text read back from a network is the text of p, as Fingerprint sees
// it: connectors use it to find an earlier attempt among the account's recent posts.
func SameText(p Post, remoteText string) bool { return fingerprint(remoteText) == p.Fingerprint() }

// What did not go out beside a published post (Published.Incomplete) is written in one form, so
// IncompleteMessage can say it in the reader's language: "first comment: <reason>" or
// "part 2 of 3 of the thread: <reason>", the reason in the network's words.
const (
	incompleteComment = "first comment: "
	incompleteThread  = "part %d of %d of the thread: "
)

// IncompleteComment is Published.Incomplete for a first comment that failed.
func IncompleteComment(err error) string { return incompleteComment + reasonOf(err) }

// IncompleteThreadPart is Published.Incomplete for part n of a thread of total that failed.
func IncompleteThreadPart(n, total int, err error) string {
	return fmt.Sprintf(incompleteThread, n, total) + reasonOf(err)
}

// IncompleteMessage says in the reader's language what did not go out on n.
func IncompleteMessage(l *i18n.Locale, n Network, incomplete string) string {
	network := l.T(fmt.Sprintf("channel.name.%s", n))
	if reason, ok := strings.CutPrefix(incomplete, incompleteComment); ok {
		return l.T("channel.incomplete.comment", "Network", network, "Reason", reason)
	}
	var part, total int
	if _, err := fmt.Sscanf(incomplete, incompleteThread, &part, &total); err == nil {
		_, reason, _ := strings.Cut(incomplete, "thread: ")
		return l.T("channel.incomplete.thread", "Network", network, "Part", part, "Total", total, "Reason", reason)
	}
	return l.T("channel.incomplete.other", "Network", network, "Reason", incomplete)
}

// reasonOf is a failure in the network's words when it gave any, else its status or kind; never
// the request's address, which may carry a credential.
func reasonOf(err error) string {
	e := AsError(err)
	switch {
	case e.Reason != "":
		return e.Reason
	case e.Status != 0:
		return fmt.Sprintf("HTTP %d", e.Status)
	case e.Err != nil:
		var ue *url.Error
		if errors.As(e.Err, &ue) {
			return ue.Err.Error()
		}
		return e.Err.Error()
	}
	return e.Kind.String()
}
