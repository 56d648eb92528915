package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// maxBody bounds what is read of an answer; statuses lists of 40 are far below it.
const maxBody = 4 << 20

// NormaliseServer turns what a user typed ("mastodon.social", "https://Mastodon.Social/",
// "@humas@mastodon.social") into an instance base URL: https unless http:// was typed, the host
// in lower case, no path and no trailing slash.
func NormaliseServer(typed string) (string, error) {
	s := strings.TrimSpace(typed)
	if !strings.Contains(s, "://") {
		if i := strings.LastIndexByte(s, '@'); i >= 0 {
			s = s[i+1:] // a handle: the instance is after the last @
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", errors.New("mastodon: the address must start with https:// or http://")
	}
	if u.Hostname() == "" || u.User != nil {
		return "", errors.New("mastodon: no instance host in the address")
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// base is where requests for an instance go: the instance itself, or the Endpoint in tests.
func (c *connector) base(server string) string {
	if c.env.Endpoint != "" {
		return strings.TrimRight(c.env.Endpoint, "/")
	}
	return server
}

// request is one call to an instance's API.
type request struct {
	method, path string
	query        url.Values
	token        string
	// body with its content type; form and JSON bodies are built by the helpers below.
	body        io.Reader
	contentType string
	header      http.Header
}

func formBody(v url.Values) (io.Reader, string) {
	return strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
}

func jsonBody(v any) (io.Reader, string, error) {
	b, err := json.Marshal(v)
	return bytes.NewReader(b), "application/json", err
}

// do sends r to server and decodes a 2xx answer into out. It returns the status, so callers tell
// a finished media attachment (200) from one still processing (202, 206).
func (c *connector) do(ctx context.Context, server string, r request, out any) (int, error) {
	u := c.base(server) + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, r.body)
	if err == nil && req.URL.Host == "" {
		err = errors.New("mastodon: no instance address")
	}
	if err != nil {
		return 0, &channel.Error{Kind: channel.Rejected, Reason: "server", Err: err}
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if req.Header.Get("Idempotency-Key") != "" {
		// net/http re-sends a request with this header by itself when a reused connection
		// drops; a lost answer must reach the engine, which asks Find before any re-send.
		req.GetBody = nil
	}
	req.Header.Set("Accept", "application/json")
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := c.env.Client.Do(req)
	if err != nil {
		return 0, channel.TransportError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, channel.TransportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, c.statusError(resp, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return resp.StatusCode, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: resp.StatusCode,
				Reason: "not JSON", Err: err}
		}
	}
	return resp.StatusCode, nil
}

// statusError classifies a refusal. Mastodon's API answers {"error": "..."}; its OAuth endpoints
// (Doorkeeper) answer {"error": "invalid_grant", "error_description": "..."}. A 429 resets at
// X-RateLimit-Reset, an ISO 8601 time (docs.joinmastodon.org/api/rate-limits).
func (c *connector) statusError(resp *http.Response, body []byte) *channel.Error {
	var eb struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &eb)
	reason := eb.Error
	if eb.Description != "" {
		reason = eb.Description
	}
	e := channel.StatusError(resp, reason, c.env.Clock())
	if resp.StatusCode == http.StatusTooManyRequests {
		if t, err := time.Parse(time.RFC3339Nano, resp.Header.Get("X-RateLimit-Reset")); err == nil {
			e.RetryAt = t
		}
	}
	return e
}

// plainText is what a status's HTML content reads as: Mastodon turns a line break into <br />
// and a blank line into a new paragraph, wraps links and hashtags in tags and escapes the rest.
func plainText(content string) string {
	var b strings.Builder
	for len(content) > 0 {
		i := strings.IndexByte(content, '<')
		if i < 0 {
			b.WriteString(content)
			break
		}
		b.WriteString(content[:i])
		j := strings.IndexByte(content[i:], '>')
		if j < 0 {
			break // an unclosed tag: nothing readable follows
		}
		tag := content[i+1 : i+j]
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.TrimLeft(tag, "/"))
		if k := strings.IndexAny(name, " \t\r\n/"); k >= 0 {
			name = name[:k]
		}
		switch {
		case name == "br":
			b.WriteByte('\n')
		case name == "p" && !closing && b.Len() > 0:
			b.WriteString("\n\n")
		}
		content = content[i+j+1:]
	}
	return html.UnescapeString(b.String())
}
