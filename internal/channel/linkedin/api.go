package linkedin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// version is the LinkedIn-Version every /rest call sends. LinkedIn supports a monthly version
// for at least a year, and a sunset one answers 426 NONEXISTENT_VERSION
// (learn.microsoft.com/linkedin/marketing/versioning; 202608 is "li-lms-2026-08").
const version = "202608"

// token calls the token endpoint with the client's credentials in the body, as LinkedIn's
// authorization code flow documents. It returns the scopes granted (nil when not said).
func (c *connector) token(ctx context.Context, a *channel.App, form url.Values) (channel.Secret, map[string]bool, error) {
	form.Set("client_id", a.ClientID)
	form.Set("client_secret", a.ClientSecret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(tokenURL), strings.NewReader(form.Encode()))
	if err != nil {
		return channel.Secret{}, nil, &channel.Error{Kind: channel.Rejected, Reason: err.Error(), Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.env.Client.Do(req)
	if err != nil {
		return channel.Secret{}, nil, channel.TransportError(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return channel.Secret{}, nil, c.statusError(resp, reason(body))
	}
	var out struct {
		AccessToken  string `json:"access_token"`
		ExpiresIn    int    `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.AccessToken == "" {
		return channel.Secret{}, nil, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: resp.StatusCode, Reason: "token answer without access_token"}
	}
	sec := channel.Secret{AccessToken: out.AccessToken, RefreshToken: out.RefreshToken, App: a}
	if out.ExpiresIn > 0 {
		sec.Expiry = c.env.Clock().Add(time.Duration(out.ExpiresIn) * time.Second)
	}
	var granted map[string]bool
	if out.Scope != "" {
		granted = map[string]bool{}
		for _, s := range strings.FieldsFunc(out.Scope, func(r rune) bool { return r == ',' || r == ' ' }) {
			granted[s] = true
		}
	}
	return sec, granted, nil
}

// call sends a request with a JSON body (or none), decodes a JSON answer into out and, when hdr
// is given, copies the answer's headers there (x-restli-id names what a create made).
func (c *connector) call(ctx context.Context, method, u, token string, in, out any, hdr *http.Header) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &channel.Error{Kind: channel.Rejected, Reason: err.Error(), Err: err}
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return &channel.Error{Kind: channel.Rejected, Reason: err.Error(), Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.HasPrefix(req.URL.Path, "/rest/") {
		// Every versioned call names its version and Rest.li 2.0 (learn.microsoft.com
		// "LinkedIn API versioning", "Protocol version").
		req.Header.Set("LinkedIn-Version", version)
		req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
	}
	return c.do(req, out, hdr)
}

func (c *connector) do(req *http.Request, out any, hdr *http.Header) error {
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
		return c.statusError(resp, reason(b))
	}
	if hdr != nil {
		*hdr = resp.Header
	}
	if out == nil || len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected, Status: resp.StatusCode, Reason: err.Error(), Err: err}
	}
	return nil
}

// reason takes LinkedIn's words from an error body: {"status", "serviceErrorCode", "code",
// "message"} from the API, {"error", "error_description"} from OAuth.
func reason(body []byte) string {
	var e struct {
		Message          string `json:"message"`
		Code             string `json:"code"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return strings.TrimSpace(string(body[:min(len(body), 300)]))
	}
	for _, s := range []string{e.Message, e.ErrorDescription, e.Error, e.Code} {
		if s != "" {
			return s
		}
	}
	return ""
}

// statusError classifies a refusal. LinkedIn's 429 carries no reset header: its daily limits
// "reset at midnight UTC every day" (learn.microsoft.com "API Rate Limiting"), so a 429
// without Retry-After waits until then.
func (c *connector) statusError(resp *http.Response, reason string) *channel.Error {
	now := c.env.Clock()
	e := channel.StatusError(resp, reason, now)
	if e.Kind == channel.RateLimited && e.RetryAt.IsZero() {
		y, m, d := now.UTC().Date()
		e.RetryAt = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	}
	return e
}
