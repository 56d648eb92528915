package x

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// token calls the token endpoint. A confidential client authenticates with HTTP Basic, a public
// one (no secret) sends its client_id in the body (docs.x.com OAuth 2.0 "Confidential clients").
func (c *connector) token(ctx context.Context, a *channel.App, form url.Values) (channel.Secret, error) {
	if a.ClientSecret == "" {
		form.Set("client_id", a.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(tokenURL), strings.NewReader(form.Encode()))
	if err != nil {
		return channel.Secret{}, &channel.Error{Kind: channel.Rejected, Reason: err.Error(), Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(a.ClientID), url.QueryEscape(a.ClientSecret)) // RFC 6749 2.3.1
	}
	resp, err := c.env.Client.Do(req)
	if err != nil {
		return channel.Secret{}, channel.TransportError(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		AccessToken      string `json:"access_token"`
		RefreshToken     string `json:"refresh_token"`
		ExpiresIn        int    `json:"expires_in"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &out)
	if resp.StatusCode/100 != 2 {
		reason := out.ErrorDescription
		if reason == "" {
			reason = out.Error
		}
		if reason == "" {
			reason = problem(body)
		}
		return channel.Secret{}, c.statusError(resp, reason)
	}
	if out.AccessToken == "" {
		return channel.Secret{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: resp.StatusCode, Reason: "token answer without access_token"}
	}
	sec := channel.Secret{AccessToken: out.AccessToken, RefreshToken: out.RefreshToken, App: a}
	if out.ExpiresIn > 0 {
		sec.Expiry = c.env.Clock().Add(time.Duration(out.ExpiresIn) * time.Second)
	}
	return sec, nil
}

// call sends one API request with a JSON body (or none) and decodes a JSON answer into out.
func (c *connector) call(ctx context.Context, method, u, token string, in, out any) error {
	var body io.Reader
	ctype := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &channel.Error{Kind: channel.Rejected, Reason: err.Error(), Err: err}
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	return c.send(ctx, method, u, token, body, ctype, out)
}

func (c *connector) send(ctx context.Context, method, u, token string, body io.Reader, ctype string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return &channel.Error{Kind: channel.Rejected, Reason: err.Error(), Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.env.Client.Do(req)
	if err != nil {
		return channel.TransportError(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return channel.TransportError(err)
	}
	if resp.StatusCode/100 != 2 {
		return c.statusError(resp, problem(b))
	}
	if out == nil || len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: resp.StatusCode, Reason: err.Error(), Err: err}
	}
	return nil
}

// problem takes X's own words from an error body: v2 answers problem JSON (title, detail, type,
// status) and, for invalid parameters, an errors array whose message is the precise one.
func problem(body []byte) string {
	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Errors []struct {
			Message string `json:"message"`
			Detail  string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &p) != nil {
		return strings.TrimSpace(string(body[:min(len(body), 300)]))
	}
	for _, e := range p.Errors {
		if e.Message != "" {
			return e.Message
		}
		if e.Detail != "" {
			return e.Detail
		}
	}
	if p.Detail != "" {
		return p.Detail
	}
	return p.Title
}

// statusError classifies a refusal and reads X's rate-limit headers: x-rate-limit-reset is when
// the 15-minute window resets (epoch seconds); x-user-limit-24hour-* and x-app-limit-24hour-*
// say a daily posting cap was reached (docs.x.com "Rate limits").
func (c *connector) statusError(resp *http.Response, reason string) *channel.Error {
	now := c.env.Clock()
	e := channel.StatusError(resp, reason, now)
	if e.Kind != channel.RateLimited {
		return e
	}
	h := resp.Header
	for _, daily := range []string{"x-user-limit-24hour", "x-app-limit-24hour"} {
		if h.Get(daily+"-remaining") == "0" {
			if t := epoch(h.Get(daily + "-reset")); t.After(e.RetryAt) {
				e.RetryAt = t
				e.Key = channel.KeyQuota
			}
		}
	}
	if e.RetryAt.IsZero() {
		e.RetryAt = epoch(h.Get("x-rate-limit-reset"))
	}
	if e.RetryAt.IsZero() {
		e.RetryAt = now.Add(15 * time.Minute) // X's window when it says nothing
	}
	return e
}

func epoch(v string) time.Time {
	s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}
