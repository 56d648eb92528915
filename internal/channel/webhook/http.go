package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"warta.dev/warta/internal/channel"
)

func (c *connector) client() *http.Client {
	if c.env.Client != nil {
		return c.env.Client
	}
	return http.DefaultClient
}

// answer is a network's reply, read whole (answers are small; a page that is not is cut).
type answer struct {
	resp *http.Response
	body []byte
}

// do sends one request. A transport error is classified, with the address's secret path taken
// out of it: http.Client puts the full URL in its errors, and errors end up in logs.
func (c *connector) do(ctx context.Context, method, target string, body []byte, header http.Header) (answer, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, r)
	if err != nil {
		return answer{}, &channel.Error{Kind: channel.Rejected, Reason: "url"}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return answer{}, channel.TransportError(redact(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return answer{}, channel.TransportError(redact(err))
	}
	return answer{resp: resp, body: data}, nil
}

func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			ue.URL = u.Scheme + "://" + u.Host + "/…"
		} else {
			ue.URL = "…"
		}
	}
	return err
}

func (a answer) ok() bool { return a.resp.StatusCode/100 == 2 }

// html reports an answer that is a web page: a sign-in page or a proxy's, not a webhook's.
func (a answer) html() bool {
	mt, _, _ := mime.ParseMediaType(a.resp.Header.Get("Content-Type"))
	return mt == "text/html" || bytes.HasPrefix(bytes.TrimSpace(bytes.ToLower(a.body)), []byte("<!doctype html")) ||
		bytes.HasPrefix(bytes.TrimSpace(bytes.ToLower(a.body)), []byte("<html"))
}

// unexpected is a 2xx answer in a shape the connector does not know: the post may exist.
func (a answer) unexpected() *channel.Error {
	return &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: a.resp.StatusCode, Reason: a.text()}
}

// text is the body as a reason: trimmed and cut to a sentence's length.
func (a answer) text() string {
	s := []rune(strings.TrimSpace(string(a.body)))
	if len(s) > 200 {
		s = s[:200]
	}
	return string(s)
}

// gone makes an answer that says the webhook no longer exists a matter of reconnecting: the
// post was fine, the address is not.
func gone(e *channel.Error) *channel.Error {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		e.Kind = channel.Unauthorized
	}
	return e
}
